//! `chart ...`: one chart at a time, like the `helm` commands of the same name.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ChartCommand {
    /// Render one chart exactly as `helm template` prints it.
    Template(ChartTemplateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ChartTemplateArgs {
    /// A chart directory or .tgz archive.
    pub chart: PathBuf,
    /// Values files, later ones win.
    #[arg(short = 'f', long = "values")]
    pub values: Vec<PathBuf>,
    /// Values in Helm's --set syntax (a.b=c, list[0]=x).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Like --set, but every value stays a string.
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// The release name.
    #[arg(long, default_value = "release-name")]
    pub name: String,
    /// The release namespace.
    #[arg(short = 'n', long, default_value = "default")]
    pub namespace: String,
    /// Only print the output of these templates (path as in `# Source:`, or relative to the chart).
    #[arg(short = 's', long = "show-only")]
    pub show_only: Vec<String>,
    /// Leave hooks out of the output.
    #[arg(long)]
    pub no_hooks: bool,
    /// Include the chart's crds/ directory.
    #[arg(long)]
    pub include_crds: bool,
}
