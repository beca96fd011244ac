//! The capstan command: parse arguments, run, map the outcome to an exit code
//! (0 all ok, 1 any failure or error).

use std::future::Future;
use std::process::ExitCode;

use clap::Parser;

// Rendering allocates many small, short-lived values (template values, YAML nodes,
// strings); mimalloc serves those markedly cheaper than glibc malloc (measured in
// docs/architecture.md, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use capstan::cli::{ChartCommand, Cli, Command, SimCommand};
use capstan::run::deploy::DeployMode;
use capstan::run::{apply, destroy, sim_serve, status, template};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// `Ok(false)`: the command ran and reports a failure (a release failed, or `status`
/// found releases not ready).
fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Template(args) => template::template(&args).map(|()| true),
        Command::Graph(args) => template::graph(&args).map(|()| true),
        Command::Chart(ChartCommand::Template(args)) => {
            template::chart_template(&args).map(|()| true)
        }
        Command::Apply(args) => block_on(apply::apply(&args, DeployMode::Apply)),
        Command::Sync(args) => block_on(apply::apply(&args, DeployMode::Sync)),
        Command::Destroy(args) => block_on(destroy::destroy(&args)),
        Command::Status(args) => block_on(status::status(&args)),
        Command::List(args) => block_on(async move { status::list(&args).await.map(|()| true) }),
        Command::Sim(SimCommand::Serve(args)) => {
            block_on(async move { sim_serve::sim_serve(&args).await.map(|()| true) })
        }
    }
}

fn block_on(work: impl Future<Output = anyhow::Result<bool>>) -> anyhow::Result<bool> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(work)
}
