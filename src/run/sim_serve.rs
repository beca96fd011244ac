//! `sim serve`: kubesim in the foreground until Ctrl-C.

use anyhow::{Context, Result};

use super::target::start_sim;
use crate::cli::SimServeArgs;

pub async fn sim_serve(args: &SimServeArgs) -> Result<()> {
    let sim = start_sim(args.ready_delay, args.state.clone(), &args.rules, args.port).await?;
    sim.write_kubeconfig(&args.kubeconfig_out)
        .with_context(|| format!("writing {}", args.kubeconfig_out.display()))?;
    eprintln!(
        "kubesim serving {} (kubeconfig: {}); Ctrl-C to stop",
        sim.url(),
        args.kubeconfig_out.display()
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    eprintln!("stopping kubesim");
    sim.shutdown().await.context("stopping kubesim")?;
    Ok(())
}
