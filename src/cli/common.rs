//! Flags shared by the stack commands.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::ui::OutputFormat;

/// Which stack, environment and releases.
#[derive(Debug, Clone, Args)]
pub struct StackArgs {
    /// The stack file.
    #[arg(
        short = 'f',
        long = "file",
        env = "CAPSTAN_FILE",
        default_value = "capstan.yaml"
    )]
    pub file: PathBuf,
    /// The environment (its values files and kube context).
    #[arg(short = 'e', long = "environment", env = "CAPSTAN_ENV")]
    pub environment: Option<String>,
    /// Select releases by label (`key=value`, `key!=value`, `name=...`); commas AND,
    /// repeated flags OR.
    #[arg(short = 'l', long = "selector")]
    pub selectors: Vec<String>,
    /// With selectors, also take in every release the selected ones need.
    #[arg(long)]
    pub include_needs: bool,
}

/// Which cluster: a kubeconfig, or the embedded simulator.
#[derive(Debug, Clone, Args)]
pub struct ClusterArgs {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Kube context (default: the environment's kubeContext, then the current context).
    #[arg(long)]
    pub kube_context: Option<String>,
    /// Run against an embedded simulated cluster (kubesim) instead of a real one.
    #[arg(long)]
    pub sim: bool,
    /// With --sim: keep the simulated cluster's state in this file, so later runs see it.
    #[arg(long, requires = "sim")]
    pub sim_state: Option<PathBuf>,
    /// With --sim: how long simulated workloads take to become ready.
    #[arg(long, requires = "sim", value_parser = crate::stack::parse_duration, default_value = "0s")]
    pub sim_ready_delay: Duration,
    /// With --sim: a rule for delays or faults (see `capstan sim serve --help`).
    #[arg(long = "sim-rule", requires = "sim")]
    pub sim_rules: Vec<String>,
}

/// How a run behaves and reports.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// At most this many releases in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Override every release's readiness timeout.
    #[arg(long, value_parser = crate::stack::parse_duration)]
    pub timeout: Option<Duration>,
    /// Progress and summary as text, or JSON lines.
    #[arg(long, value_enum, default_value = "text")]
    pub output: OutputFormat,
}
