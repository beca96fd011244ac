//! Runs a simulator until Ctrl-C: `cargo run -p kubesim --example serve -- [PORT] [STATE_FILE] [RULE...]`.
//! Writes a kubeconfig to `./kubesim.kubeconfig`.

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let state_file = args
        .next()
        .filter(|s| !s.is_empty() && s != "-")
        .map(Into::into);
    let rules = args
        .map(|r| kubesim::SimRule::parse(&r))
        .collect::<Result<Vec<_>, _>>()?;
    let config = kubesim::SimConfig {
        ready_delay: Duration::from_secs(2),
        state_file,
        rules,
    };
    let sim = kubesim::Sim::start(config, ([127, 0, 0, 1], port).into()).await?;
    sim.write_kubeconfig(std::path::Path::new("kubesim.kubeconfig"))?;
    println!(
        "kubesim listening on {} (kubeconfig: ./kubesim.kubeconfig)",
        sim.url()
    );
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await?;
    Ok(())
}
