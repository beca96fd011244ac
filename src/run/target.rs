//! The cluster a command works on: a kubeconfig context, or an embedded kubesim.

use std::time::Duration;

use anyhow::{Context, Result};
use capstan_cluster::Cluster;
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::cli::ClusterArgs;

/// A connected cluster; with `--sim`, the simulator that serves it lives as long as this.
pub struct Target {
    pub cluster: Cluster,
    sim: Option<kubesim::SimHandle>,
}

impl Target {
    /// Connects as the flags say. `environment_context` is the stack environment's
    /// `kubeContext`, used when `--kube-context` is not given.
    pub async fn open(args: &ClusterArgs, environment_context: Option<&str>) -> Result<Target> {
        capstan_cluster::install_crypto_provider();
        if args.sim {
            let sim = start_sim(
                args.sim_ready_delay,
                args.sim_state.clone(),
                &args.sim_rules,
                0,
            )
            .await?;
            let cluster = cluster_for_sim(&sim).await?;
            return Ok(Target {
                cluster,
                sim: Some(sim),
            });
        }
        let context = args.kube_context.as_deref().or(environment_context);
        let cluster = Cluster::connect(args.kubeconfig.as_deref(), context)
            .await
            .with_context(|| match (&args.kubeconfig, context) {
                (Some(path), _) => format!("connecting with kubeconfig {}", path.display()),
                (None, Some(ctx)) => format!("connecting to kube context {ctx}"),
                (None, None) => "connecting with the default kubeconfig".to_string(),
            })?;
        Ok(Target { cluster, sim: None })
    }

    /// Stops the simulator (saving its state file); nothing to do for a real cluster.
    pub async fn close(self) -> Result<()> {
        if let Some(sim) = self.sim {
            sim.shutdown()
                .await
                .context("stopping the simulated cluster")?;
        }
        Ok(())
    }
}

/// Starts kubesim on 127.0.0.1 (`port` 0: any free port), as `--sim` and `sim serve` do.
pub async fn start_sim(
    ready_delay: Duration,
    state_file: Option<std::path::PathBuf>,
    rules: &[String],
    port: u16,
) -> Result<kubesim::SimHandle> {
    let rules = rules
        .iter()
        .map(|r| kubesim::SimRule::parse(r).with_context(|| format!("simulator rule {r:?}")))
        .collect::<Result<Vec<_>>>()?;
    if let Some(parent) = state_file.as_deref().and_then(|p| p.parent())
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let config = kubesim::SimConfig {
        ready_delay,
        state_file,
        rules,
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    kubesim::Sim::start(config, addr)
        .await
        .with_context(|| format!("starting the simulated cluster on {addr}"))
}

async fn cluster_for_sim(sim: &kubesim::SimHandle) -> Result<Cluster> {
    let kubeconfig = Kubeconfig::from_yaml(&sim.kubeconfig_yaml("kubesim"))
        .context("reading the simulator's kubeconfig")?;
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .context("configuring a client for the simulator")?;
    let client = kube::Client::try_from(config).context("creating a client for the simulator")?;
    Ok(Cluster::from_client(client))
}
