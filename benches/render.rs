//! Rendering speed, in process (no process start-up, no cluster):
//!
//! * `stack/*`: the example OpenStack stack (`stacks/openstack.yaml`, env `dev`) as
//!   `capstan template` does it: load the stack and plan, load every chart and
//!   assemble values, render every release; also the render step alone, threaded
//!   (`render_all`, what `template` uses) and sequential (one core's cost).
//! * `release/NAME`: each example chart on its own with the stack's values for it
//!   (chart already loaded, values already assembled: the engine's cost).
//! * `conformance/CASE`: each conformance chart that renders, with its case's values
//!   and `--set`s, from disk: load chart + values + render + `template_output`, i.e.
//!   what `helm template` (and `capstan chart template`) does per call.
//!
//! Kept short on purpose (`cargo bench --bench render` takes a few minutes on 2 cores).
//! Filter as usual: `cargo bench --bench render -- stack/`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use capstan::cli::StackArgs;
use capstan::run::deploy::Prepared;
use capstan::run::prepare::{load_plan, prepare_releases};
use capstan::run::template::render_all;
use capstan_helm::chart::Chart;
use capstan_helm::engine::{RenderOptions, Rendered, render};
use capstan_helm::values::{merge_values, parse_values, strvals};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gotmpl::{Map, Value};
use serde::Deserialize;

// The same allocator as the capstan binary, so these figures match what it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stack_args() -> StackArgs {
    StackArgs {
        file: repo().join("stacks/openstack.yaml"),
        environment: Some("dev".into()),
        selectors: Vec::new(),
        include_needs: false,
    }
}

/// A fresh copy of a release's values, so a template that mutates `.Values` (Sprig's
/// `set` on a shared map) cannot change what the next iteration sees.
fn fresh(values: &Map) -> Map {
    match Value::Map(values.clone()).deep_copy() {
        Value::Map(m) => m,
        // deep_copy keeps the variant of what it copies.
        _ => Map::new(),
    }
}

fn render_prepared(p: &Prepared, values: &Map) -> Rendered {
    let options = RenderOptions {
        release_name: p.spec.name.clone(),
        namespace: p.spec.namespace.clone(),
        ..RenderOptions::default()
    };
    match render(&p.chart, values, &options) {
        Ok(r) => r,
        Err(e) => panic!("release {} does not render: {e}", p.spec.name),
    }
}

fn bench_stack(c: &mut Criterion) {
    let args = stack_args();
    let mut group = c.benchmark_group("stack");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("template_openstack_dev", |b| {
        b.iter(|| {
            let (_stack, plan) = load_plan(&args).expect("stack loads");
            let prepared = prepare_releases(&plan).expect("releases prepare");
            let mut bytes = 0;
            for r in render_all(&prepared) {
                bytes += r
                    .expect("release renders")
                    .template_output(true, false)
                    .len();
            }
            black_box(bytes)
        })
    });
    let (_stack, plan) = load_plan(&args).expect("stack loads");
    let prepared = prepare_releases(&plan).expect("releases prepare");
    group.bench_function("load_and_prepare", |b| {
        b.iter(|| {
            let (_stack, plan) = load_plan(&args).expect("stack loads");
            black_box(prepare_releases(&plan).expect("releases prepare").len())
        })
    });
    group.bench_function("render_all_threaded", |b| {
        b.iter(|| {
            for r in render_all(&prepared) {
                black_box(r.expect("release renders"));
            }
        })
    });
    group.bench_function("render_all_sequential", |b| {
        b.iter(|| {
            for p in &prepared {
                black_box(render_prepared(p, &p.values));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("release");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for p in &prepared {
        group.bench_function(&p.spec.name, |b| {
            b.iter_batched(
                || fresh(&p.values),
                |values| black_box(render_prepared(p, &values)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

/// `case.yaml` of a conformance case (see tests/conformance/README.md).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaseSpec {
    chart: Option<String>,
    release: Option<String>,
    namespace: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    set: Vec<String>,
    error_contains: Option<String>,
}

struct Case {
    name: String,
    chart: PathBuf,
    values_files: Vec<PathBuf>,
    sets: Vec<String>,
    options: RenderOptions,
}

/// The cases expected to render (those with `errorContains` are error cases).
fn conformance_cases() -> Vec<Case> {
    let dir = repo().join("tests/conformance/cases");
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => panic!("reading {}: {e}", dir.display()),
    };
    entries.sort();
    let mut cases = Vec::new();
    for case_dir in entries {
        let Ok(text) = std::fs::read_to_string(case_dir.join("case.yaml")) else {
            continue;
        };
        let spec: CaseSpec = if text.trim().is_empty() {
            CaseSpec::default()
        } else {
            serde_saphyr::from_str(&text)
                .unwrap_or_else(|e| panic!("{}/case.yaml: {e}", case_dir.display()))
        };
        if spec.error_contains.is_some() {
            continue;
        }
        let name = file_name(&case_dir);
        cases.push(Case {
            chart: case_dir.join(spec.chart.as_deref().unwrap_or("chart")),
            values_files: spec.values.iter().map(|v| case_dir.join(v)).collect(),
            sets: spec.set,
            options: RenderOptions {
                release_name: spec.release.unwrap_or_else(|| name.clone()),
                namespace: spec.namespace.unwrap_or_else(|| "default".into()),
                ..RenderOptions::default()
            },
            name,
        });
    }
    cases
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What `capstan chart template` does for one case, minus printing.
fn template_case(case: &Case) -> Result<String, String> {
    let chart = Chart::load(&case.chart).map_err(|e| e.to_string())?;
    let mut values = Map::new();
    for file in &case.values_files {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let parsed = parse_values(&text, &file.display().to_string()).map_err(|e| e.to_string())?;
        values = merge_values(&values, &parsed);
    }
    for s in &case.sets {
        strvals::parse_set_into(s, &values).map_err(|e| e.to_string())?;
    }
    let rendered = render(&chart, &values, &case.options).map_err(|e| e.to_string())?;
    Ok(rendered.template_output(true, false))
}

fn bench_conformance(c: &mut Criterion) {
    let mut group = c.benchmark_group("conformance");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(800));
    for case in conformance_cases() {
        if let Err(e) = template_case(&case) {
            eprintln!("skipping {}: capstan does not render it: {e}", case.name);
            continue;
        }
        group.bench_function(&case.name, |b| b.iter(|| black_box(template_case(&case))));
    }
    group.finish();
}

criterion_group!(benches, bench_stack, bench_conformance);
criterion_main!(benches);
