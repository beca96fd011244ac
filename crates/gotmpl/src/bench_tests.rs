//! A manual throughput check against Helm (run with `--ignored`, in release mode):
//! `GOTMPL_BENCH_DIR=DIR cargo test -p gotmpl --release --lib bench -- --ignored --nocapture`
//! where DIR holds `c/templates/*` (a chart using only builtins plus `include`, `dict`,
//! `mod`, `quote`), `values.json` and `helm_out.yaml` (Helm's rendering of
//! `deploy.yaml`), as written by the measurement script in the report.

use std::time::Instant;

use crate::func::{FuncError, FuncMap, Runtime};
use crate::template::{MissingKey, Templates};
use crate::value::{MapInner, Value};

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.add_with_runtime("include", |rt: &mut dyn Runtime, a: &[Value]| match a {
        [Value::String(n), d] => rt.execute_template(n, d.clone()).map(Value::from),
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

#[test]
#[ignore]
fn bench_against_helm() {
    let Ok(dir) = std::env::var("GOTMPL_BENCH_DIR") else {
        return;
    };
    let read = |p: &str| std::fs::read_to_string(format!("{dir}/{p}")).unwrap_or_default();
    let files = [
        ("c/templates/_helpers.tpl", read("c/templates/_helpers.tpl")),
        ("c/templates/deploy.yaml", read("c/templates/deploy.yaml")),
    ];
    let values: serde_json::Value = serde_json::from_str(&read("values.json")).unwrap_or_default();
    let mut top = MapInner::new();
    top.insert("Values".into(), Value::from_json(&values, false));
    let mut rel = MapInner::new();
    rel.insert("Name".into(), Value::from("rel"));
    top.insert("Release".into(), Value::map(rel));
    let data = Value::map(top);
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
    let out = render();
    assert_eq!(out.replace("<no value>", ""), read("helm_out.yaml"));
    let n = 300;
    let start = Instant::now();
    let cpu = cpu_ms();
    for _ in 0..n {
        std::hint::black_box(render());
    }
    let per = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!(
        "gotmpl parse+render cpu: {:.3} ms/render",
        (cpu_ms() - cpu) / f64::from(n)
    );
    println!(
        "gotmpl parse+render: {per:.3} ms/render, output {} bytes",
        out.len()
    );
    let mut t = Templates::new();
    t.option_missing_key(MissingKey::Zero);
    t.funcs(funcs());
    let start = Instant::now();
    for _ in 0..n {
        for (name, text) in &files {
            t.parse(name, text).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let parse = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(t.execute("c/templates/deploy.yaml", &data).ok());
    }
    let exec = start.elapsed().as_secs_f64() * 1000.0 / f64::from(n);
    println!("gotmpl parse only: {parse:.3} ms, execute only: {exec:.3} ms");
}
