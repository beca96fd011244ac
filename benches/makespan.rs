//! How close the eager scheduler gets to the critical path, on the embedded cluster.
//!
//! `cargo bench --bench makespan` deploys stacks/openstack.yaml (env `dev`) to kubesim
//! several times, each release's workloads taking a different ready delay (a kubesim
//! label rule on `app.kubernetes.io/instance=NAME`), and prints per run:
//!
//! * makespan: wall clock of the deployment (all releases, scheduler included); also
//!   the end-to-end time with stack loading, chart preparation and simulator start.
//! * each release's own time, measured (start to finish of its task: render, record,
//!   hooks, apply, wait), next to its nominal ready delay. A release's time is more
//!   than its delay (rendering, API round trips, hook Jobs that also carry the label
//!   and wait the delay before the workloads are applied): the overhead is measured,
//!   not assumed.
//! * critical path over the MEASURED release times (the best any scheduler can do
//!   with these releases), the ratio makespan / critical path (target <= 1.05), and the
//!   wave-by-wave makespan over the same times (what a layered executor would take).
//! * the same two figures over the nominal delays alone, for reference.
//!
//! Run as a test (`cargo test --benches`, no `--bench` flag) it deploys once with every
//! delay scaled down to a tenth, as a smoke test that the whole path works.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use capstan::cli::{ApplyArgs, Cli, Command};
use capstan::plan::Plan;
use capstan::run::apply::deploy_all;
use capstan::run::deploy::{DeployContext, DeployMode};
use capstan::run::events::{EventSink, Outcome, RunEvent};
use capstan::run::prepare::{load_plan, prepare_releases};
use capstan::run::target::Target;
use capstan_cluster::release::ReleaseStore;
use clap::Parser;

/// Ready delay per release, in milliseconds. Chosen so that the slowest release of a
/// wave is often one nothing else needs (ingress, horizon, heat): a wave-by-wave
/// schedule waits for it, the eager DAG does not. libvirt has `wait: false` in the
/// stack, so its delay never holds anything up.
const DELAYS_MS: &[(&str, u64)] = &[
    ("ingress", 5000),
    ("mariadb", 3000),
    ("rabbitmq", 2000),
    ("memcached", 1000),
    ("openvswitch", 2000),
    ("keystone", 2000),
    ("libvirt", 4000),
    ("glance", 2000),
    ("placement", 1000),
    ("heat", 3000),
    ("horizon", 4000),
    ("neutron", 2000),
    ("nova", 2000),
];

/// Full runs under `cargo bench`.
const RUNS: usize = 3;

/// Records when each event arrived; the run's only sink (nothing printed meanwhile).
struct Recorder {
    events: Mutex<Vec<(Instant, RunEvent)>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: RunEvent) {
        if let Ok(mut events) = self.events.lock() {
            events.push((Instant::now(), event));
        }
    }
}

struct RunReport {
    end_to_end: Duration,
    makespan: Duration,
    /// Measured time of each release (its task, from start to finish).
    took: HashMap<String, Duration>,
    /// How long after its last need finished each release started (scheduler latency).
    start_lag: HashMap<String, Duration>,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn apply_args(scale: f64) -> Result<ApplyArgs> {
    let stack = repo().join("stacks/openstack.yaml");
    let mut argv: Vec<String> = [
        "capstan",
        "apply",
        "-f",
        &stack.to_string_lossy(),
        "-e",
        "dev",
        "--sim",
        "--sim-ready-delay",
        "0s",
        "--concurrency",
        "16",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (name, ms) in DELAYS_MS {
        let ms = (*ms as f64 * scale).round() as u64;
        argv.push("--sim-rule".into());
        argv.push(format!("app.kubernetes.io/instance={name}:delay={ms}ms"));
    }
    let cli = Cli::try_parse_from(argv).context("parsing the apply arguments")?;
    match cli.command {
        Command::Apply(args) => Ok(args),
        other => bail!("parsed as {other:?}, not apply"),
    }
}

/// One `capstan apply --sim` on a fresh simulated cluster, measured.
async fn run_once(args: &ApplyArgs) -> Result<(Plan, RunReport)> {
    let begin = Instant::now();
    let (stack, plan) = load_plan(&args.stack)?;
    let prepared = prepare_releases(&plan)?;
    let target = Target::open(&args.cluster, stack.kube_context.as_deref()).await?;
    let recorder = Arc::new(Recorder {
        events: Mutex::new(Vec::new()),
    });
    let ctx = Arc::new(DeployContext {
        store: ReleaseStore::new(&target.cluster),
        cluster: target.cluster.clone(),
        events: recorder.clone(),
        mode: DeployMode::Apply,
        timeout_override: args.run.timeout,
        // The schedule, not rendering, is measured: Helm's offline capabilities do
        // (no discovery round trips either).
        kube_version: None,
        api_versions: None,
    });
    let t0 = Instant::now();
    let summaries = deploy_all(ctx, &plan, prepared, args.run.concurrency).await;
    let makespan = t0.elapsed();
    target.close().await?;
    let end_to_end = begin.elapsed();

    for s in &summaries {
        if s.outcome != Outcome::Ok {
            bail!("release {} did not deploy: {:?}", s.release, s.outcome);
        }
    }
    let took: HashMap<String, Duration> = summaries
        .iter()
        .map(|s| (s.release.clone(), s.duration))
        .collect();

    let events = recorder
        .events
        .lock()
        .map_err(|_| anyhow::anyhow!("event recorder poisoned"))?;
    let mut started = HashMap::new();
    let mut finished = HashMap::new();
    for (at, event) in events.iter() {
        match event {
            RunEvent::Started { release } => {
                started.insert(release.clone(), *at);
            }
            RunEvent::Finished(s) => {
                finished.insert(s.release.clone(), *at);
            }
            _ => {}
        }
    }
    let mut start_lag = HashMap::new();
    for spec in plan.releases() {
        let Some(&start) = started.get(&spec.name) else {
            continue;
        };
        let ready_at = plan
            .needs_of(&spec.name)
            .iter()
            .filter_map(|n| finished.get(*n).copied())
            .max()
            .unwrap_or(t0);
        start_lag.insert(spec.name.clone(), start.saturating_duration_since(ready_at));
    }
    drop(events);
    Ok((
        plan,
        RunReport {
            end_to_end,
            makespan,
            took,
            start_lag,
        },
    ))
}

fn secs(d: Duration) -> String {
    format!("{:.3}s", d.as_secs_f64())
}

fn nominal(plan: &Plan, scale: f64) -> HashMap<String, Duration> {
    DELAYS_MS
        .iter()
        .filter(|(name, _)| plan.release(name).is_some_and(|r| r.wait))
        .map(|(name, ms)| {
            let ms = (*ms as f64 * scale).round() as u64;
            (name.to_string(), Duration::from_millis(ms))
        })
        .collect()
}

fn print_run(i: usize, plan: &Plan, scale: f64, r: &RunReport) -> f64 {
    let (cp, path) = plan.critical_path(&r.took);
    let layered = plan.layered_makespan(&r.took);
    let ratio = r.makespan.as_secs_f64() / cp.as_secs_f64();
    let nominal = nominal(plan, scale);
    let (ncp, npath) = plan.critical_path(&nominal);
    println!("run {i}:");
    println!(
        "  {:12} {:>7} {:>9} {:>9} {:>9}",
        "release", "wave", "delay", "took", "start lag"
    );
    for spec in plan.releases() {
        let delay = nominal.get(&spec.name).copied().unwrap_or_default();
        let took = r.took.get(&spec.name).copied().unwrap_or_default();
        let lag = r.start_lag.get(&spec.name).copied().unwrap_or_default();
        let wave = plan.wave_of(&spec.name).map_or(0, |w| w + 1);
        let note = if spec.wait { "" } else { "  (wait: false)" };
        println!(
            "  {:12} {:>7} {:>9} {:>9} {:>9}{note}",
            spec.name,
            wave,
            secs(delay),
            secs(took),
            secs(lag)
        );
    }
    println!("  makespan (deploy, eager DAG)       {}", secs(r.makespan));
    println!(
        "  end to end (load+prepare+sim+deploy) {}",
        secs(r.end_to_end)
    );
    println!(
        "  critical path, measured times      {}  {}",
        secs(cp),
        path.join(" -> ")
    );
    println!("  ratio makespan / critical path     {ratio:.3}  (target <= 1.05)");
    println!(
        "  layered (wave by wave), measured   {}  ({:.2}x the makespan)",
        secs(layered),
        layered.as_secs_f64() / r.makespan.as_secs_f64()
    );
    println!(
        "  critical path, delays only         {}  {}",
        secs(ncp),
        npath.join(" -> ")
    );
    println!(
        "  layered, delays only               {}",
        secs(plan.layered_makespan(&nominal))
    );
    ratio
}

async fn main_async() -> Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let (scale, runs) = if full { (1.0, RUNS) } else { (0.1, 1) };
    let args = apply_args(scale)?;
    println!(
        "makespan: stacks/openstack.yaml -e dev on kubesim, {runs} run(s), delays x{scale}, \
         concurrency {}",
        args.run.concurrency
    );
    let mut ratios = Vec::new();
    let mut makespans = Vec::new();
    for i in 1..=runs {
        let (plan, report) = run_once(&args).await?;
        ratios.push(print_run(i, &plan, scale, &report));
        makespans.push(report.makespan.as_secs_f64());
    }
    if runs > 1 {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let max = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
        println!(
            "summary: makespan mean {:.3}s; ratio mean {:.3}, worst {:.3} (target <= 1.05)",
            mean(&makespans),
            mean(&ratios),
            max(&ratios)
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    runtime.block_on(main_async())
}
