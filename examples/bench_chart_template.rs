//! In-process timing of `capstan chart template`, the counterpart of the Helm SDK's
//! in-process install that `tests/conformance/bench.py` times:
//!
//! ```text
//! bench_chart_template N CHART [-f VALUES] [--set K=V] [--name N] [--namespace NS]
//! ```
//!
//! takes the arguments of `capstan chart template` after the iteration count, renders
//! N times in this process (chart loaded from disk each time, as Helm's SDK does) and
//! prints one JSON line with the mean milliseconds per render, CPU time of this thread
//! (`*_cpu_ms`) and elapsed time (`*_wall_ms`):
//!
//! * `warm`: parsed templates, compiled regexes and schemas, decoded JSON texts are
//!   reused from earlier renders (capstan's per-process caches);
//! * `cold`: every per-process cache is emptied before each render (not timed), so
//!   every render parses every template and compiles every pattern and schema, as a
//!   render in a fresh process, and every Helm render, does.
//!
//! The output of every render is compared with the first, so a run that measured a
//! failing or changing render is refused.

use anyhow::{Result, bail};
use capstan::cli::ChartTemplateArgs;
use capstan::run::template::chart_template_output;
use capstan_helm::engine::clear_process_caches;
use clap::Parser;
use std::time::Instant;

// The same allocator as the capstan binary, so these figures match what it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Cli {
    /// Renders per mode.
    iterations: u32,
    #[command(flatten)]
    template: ChartTemplateArgs,
}

/// CPU time consumed by this thread, in milliseconds. Wall time would count other
/// work on a shared machine; /proc's schedstat only moves at scheduler ticks.
fn thread_cpu_ms() -> Result<f64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid, exclusive pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        bail!(
            "clock_gettime(CLOCK_THREAD_CPUTIME_ID): {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6)
}

/// Mean CPU and wall milliseconds of `render` over `n` calls, with `before` run
/// (untimed) ahead of each.
fn time_renders(
    n: u32,
    mut before: impl FnMut(),
    mut render: impl FnMut() -> Result<()>,
) -> Result<(f64, f64)> {
    let (mut cpu, mut wall) = (0.0, 0.0);
    for _ in 0..n {
        before();
        let (cpu0, wall0) = (thread_cpu_ms()?, Instant::now());
        render()?;
        wall += wall0.elapsed().as_secs_f64() * 1000.0;
        cpu += thread_cpu_ms()? - cpu0;
    }
    Ok((cpu / f64::from(n), wall / f64::from(n)))
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if cli.iterations == 0 {
        bail!("the iteration count must be at least 1");
    }
    let expected = chart_template_output(&cli.template)?;
    let render = || -> Result<()> {
        if chart_template_output(&cli.template)? != expected {
            bail!("a render differed from the first one");
        }
        Ok(())
    };
    let (warm_cpu, warm_wall) = time_renders(cli.iterations, || {}, render)?;
    let (cold_cpu, cold_wall) = time_renders(cli.iterations, clear_process_caches, render)?;
    println!(
        "{}",
        serde_json::json!({
            "warm_cpu_ms": warm_cpu, "cold_cpu_ms": cold_cpu,
            "warm_wall_ms": warm_wall, "cold_wall_ms": cold_wall,
        })
    );
    Ok(())
}
