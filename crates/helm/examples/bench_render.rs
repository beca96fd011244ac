//! Time chart loading + rendering: `bench_render CHART [ITERATIONS]` prints the mean
//! milliseconds per load+render and per render alone (compare with the Helm SDK's
//! offline install of the same chart).

use std::time::Instant;

use capstan_helm::chart::Chart;
use capstan_helm::engine::{RenderOptions, render};
use gotmpl::Map;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_render CHART [ITERATIONS]")?;
    let n: u32 = args
        .next()
        .map(|s| s.parse().map_err(|_| "bad count"))
        .transpose()?
        .unwrap_or(50);
    let opts = RenderOptions {
        release_name: "rel".into(),
        namespace: "ns".into(),
        ..RenderOptions::default()
    };
    let values = Map::new();
    let start = Instant::now();
    let mut docs = 0;
    for _ in 0..n {
        let chart = Chart::load(&path).map_err(|e| e.to_string())?;
        docs = render(&chart, &values, &opts)
            .map_err(|e| e.to_string())?
            .manifests
            .len();
    }
    let load_render = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    let start = Instant::now();
    for _ in 0..n {
        Chart::load(&path).map_err(|e| e.to_string())?;
    }
    let load_only = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    let chart = Chart::load(&path).map_err(|e| e.to_string())?;
    let start = Instant::now();
    for _ in 0..n {
        render(&chart, &values, &opts).map_err(|e| e.to_string())?;
    }
    let render_only = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!(
        "{path}: {docs} manifests; load+render {load_render:.2} ms, load {load_only:.2} ms, render {render_only:.2} ms"
    );
    Ok(())
}
