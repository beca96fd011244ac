//! `sim serve`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum SimCommand {
    /// Serve a simulated Kubernetes API on 127.0.0.1 and write a kubeconfig for it.
    Serve(SimServeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SimServeArgs {
    /// Where to write the kubeconfig for kubectl, helm or capstan.
    #[arg(long)]
    pub kubeconfig_out: PathBuf,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Keep the cluster's state in this file across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// How long simulated workloads take to become ready.
    #[arg(long, value_parser = crate::stack::parse_duration, default_value = "2s")]
    pub ready_delay: Duration,
    /// Delay or fault rules for matching objects.
    #[arg(long = "rule")]
    pub rules: Vec<String>,
}
