//! Parse speed (lexer + parser) on real templates, the cost a stack pays once per
//! distinct template file: `cargo bench -p gotmpl --bench parse`.
//!
//! * `parse/sprig-strings`: a small chart template, one short action per line
//!   (conformance case 13).
//! * `parse/helm-toolkit`: every template of the example helm-toolkit library chart,
//!   long `define`s with nested control flow.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use gotmpl::{FuncError, Templates, Value};

/// Functions Helm adds to Sprig; parsing only checks that the names exist, and these
/// benchmarks never execute a template.
const HELM_NAMES: &[&str] = &[
    "include",
    "tpl",
    "required",
    "toYaml",
    "toYamlPretty",
    "fromYaml",
    "fromYamlArray",
    "toJson",
    "fromJson",
    "fromJsonArray",
    "toToml",
    "fromToml",
    "mustToToml",
    "lookup",
];

fn templates() -> Templates {
    let mut funcs = gotmpl::sprig::funcs();
    for name in HELM_NAMES {
        funcs.add(name, |_: &[Value]| {
            Err(FuncError::new("not executed in the parse benchmark"))
        });
    }
    let mut t = Templates::new();
    t.funcs(funcs);
    t
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_dir_sorted(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

fn bench(c: &mut Criterion) {
    let t = templates();
    let cases = [
        (
            "sprig-strings",
            read_dir_sorted(
                &repo().join("tests/conformance/cases/13-sprig-strings/chart/templates"),
            ),
        ),
        (
            "helm-toolkit",
            read_dir_sorted(&repo().join("examples/openstack/charts/helm-toolkit/templates")),
        ),
    ];
    let mut group = c.benchmark_group("parse");
    for (name, files) in &cases {
        for (path, text) in files {
            t.parse_only(path, text)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
        group.bench_function(*name, |b| {
            b.iter(|| {
                for (path, text) in files {
                    black_box(t.parse_only(path, text).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
