//! A manual throughput check against Helm (release mode, run by hand):
//! `/work/venv-helm/bin/python src/testdata/bench/helm_bench.py /tmp/gotmpl-bench` times
//! Helm and writes its output; then
//! `GOTMPL_BENCH_HELM_OUT=/tmp/gotmpl-bench/helm_out.yaml cargo test -p gotmpl --release
//! --lib bench_against_helm -- --ignored --nocapture` times this engine on the same
//! chart (builtins plus minimal `include`, `dict`, `mod`, `quote`) and checks the output
//! is identical.

use std::time::Instant;

use crate::func::{FuncError, FuncMap, Runtime};
use crate::template::{MissingKey, Templates};
use crate::value::{MapInner, Value};

const HELPERS: &str = include_str!("testdata/bench/_helpers.tpl");
const DEPLOY: &str = include_str!("testdata/bench/deploy.yaml");

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.add_with_runtime("include", |rt: &mut dyn Runtime, a: &[Value]| match a {
        [Value::String(n), d] => rt.execute_template(n, d.clone()),
        _ => Err(FuncError::new("include: bad args")),
    });
    f.add("dict", |a: &[Value]| {
        let mut m = MapInner::new();
        for p in a.chunks(2) {
            if let [Value::String(k), v] = p {
                m.insert(k.to_string(), v.clone());
            }
        }
        Ok(Value::map(m))
    });
    f.add("mod", |a: &[Value]| match a {
        [Value::Float(x), Value::Int(y)] if *y != 0 => Ok(Value::Int(*x as i64 % y)),
        _ => Err(FuncError::new("mod: bad args")),
    });
    f.add("quote", |a: &[Value]| {
        Ok(Value::from(
            a.iter()
                .map(|v| crate::gofmt::quote(&crate::gofmt::format_value(v)))
                .collect::<Vec<_>>()
                .join(" "),
        ))
    });
    f
}

/// CPU time of this thread in ms (wall time is unreliable on a shared machine).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<f64>().ok())
        })
        .map_or(0.0, |ns| ns / 1e6)
}

/// The values helm_bench.py renders with (JSON numbers are float64 in Helm).
fn bench_values() -> Value {
    let services: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let containers: Vec<serde_json::Value> = (0..3)
                .map(|j| {
                    let env: serde_json::Map<String, serde_json::Value> = (0..8)
                        .map(|k| (format!("KEY_{k}"), format!("value-{i}-{j}-{k}").into()))
                        .collect();
                    serde_json::json!({
                        "name": format!("c{j}"),
                        "image": format!("registry.example.org/img{j}"),
                        "tag": format!("v1.{i}.{j}"),
                        "env": env,
                        "ports": (0..3).map(|p| 8000 + j * 10 + p).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({
                "name": format!("svc{i}"), "tier": format!("t{}", i % 3), "replicas": i % 4 + 1,
                "disabled": i % 5 == 0,
                "resources": {"cpu": format!("{}m", 100 + i), "mem": format!("{}Mi", 64 * i + 64)},
                "containers": containers,
            })
        })
        .collect();
    let mut top = MapInner::new();
    top.insert(
        "Values".into(),
        Value::from_json(&serde_json::json!({ "services": services }), false),
    );
    let mut rel = MapInner::new();
    rel.insert("Name".into(), Value::from("rel"));
    top.insert("Release".into(), Value::map(rel));
    Value::map(top)
}

#[test]
#[ignore]
fn bench_against_helm() {
    let files = [
        ("c/templates/_helpers.tpl", HELPERS),
        ("c/templates/deploy.yaml", DEPLOY),
    ];
    let data = bench_values();
    let render = || {
        let mut t = Templates::new();
        t.option_missing_key(MissingKey::Zero);
        t.funcs(funcs());
        for (n, text) in &files {
            t.parse(n, text).unwrap_or_else(|e| panic!("{e}"));
        }
        t.execute("c/templates/deploy.yaml", &data)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let out = render().replace("<no value>", "");
    if let Ok(path) = std::env::var("GOTMPL_BENCH_HELM_OUT") {
        let helm = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(out, helm, "output differs from Helm's");
    }
    let n = 300;
    let start = Instant::now();
    let cpu = cpu_ms();
    for _ in 0..n {
        std::hint::black_box(render());
    }
    let wall = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    let cpu = (cpu_ms() - cpu) / f64::from(n);
    println!(
        "gotmpl: {wall:.3} ms/render wall, {cpu:.3} ms/render cpu (parse + execute), {} bytes",
        out.len()
    );
}
