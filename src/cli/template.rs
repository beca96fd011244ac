//! `template`.

use clap::Args;

use super::common::StackArgs;

#[derive(Debug, Clone, Args)]
pub struct TemplateArgs {
    #[command(flatten)]
    pub stack: StackArgs,
    /// Leave hooks out of the output.
    #[arg(long)]
    pub no_hooks: bool,
    /// Include the charts' crds/ directories.
    #[arg(long)]
    pub include_crds: bool,
}
