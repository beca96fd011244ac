//! Command-line definitions (clap). One small file per command; no logic here: each
//! command's work lives in `run` (stack commands), `helm`/`cluster` crates, or `kubesim`.

mod chart;
mod common;
mod graph;
mod list;
mod sim;
mod stack_run;
mod template;

pub use chart::{ChartCommand, ChartTemplateArgs};
pub use common::{ClusterArgs, RunArgs, StackArgs};
pub use graph::{GraphArgs, GraphFormat};
pub use list::{ListArgs, StatusArgs};
pub use sim::{SimCommand, SimServeArgs};
pub use stack_run::{ApplyArgs, DestroyArgs};
pub use template::TemplateArgs;

use clap::{Parser, Subcommand};

/// Deploy whole stacks of Helm charts to Kubernetes in one command.
#[derive(Debug, Parser)]
#[command(name = "capstan", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upgrade every selected release whose chart, values or manifest changed; skip the rest.
    Apply(ApplyArgs),
    /// Upgrade every selected release, changed or not (a new revision each time).
    Sync(ApplyArgs),
    /// Uninstall the selected releases in reverse dependency order.
    Destroy(DestroyArgs),
    /// Render every selected release as `helm template` prints it.
    Template(TemplateArgs),
    /// Print the dependency graph (waves as text, dot, mermaid or json).
    Graph(GraphArgs),
    /// Show each selected release: revision, status, and whether its objects are ready.
    Status(StatusArgs),
    /// List the Helm releases in the cluster (namespace of the stack, or all).
    List(ListArgs),
    /// Work with one chart.
    #[command(subcommand)]
    Chart(ChartCommand),
    /// The embedded Kubernetes API simulator.
    #[command(subcommand)]
    Sim(SimCommand),
}
