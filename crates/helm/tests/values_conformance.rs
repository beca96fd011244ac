//! Values semantics against fixtures produced by real Helm 4.2.3
//! (crates/helm/tests/values_conformance/generate.py writes them; none is hand-written).

use std::fs;
use std::path::{Path, PathBuf};

use capstan_helm::values::coalesce::{ChartValues, coalesce_chart, go_fmt_v};
use capstan_helm::values::schema::{SchemaChart, validate_chart};
use capstan_helm::values::strvals;
use capstan_helm::values::{
    coalesce_values, parse_values, to_json, to_pretty_json, to_raw_json, to_toml, to_yaml,
};
use gotmpl::value::{Map, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/values")
}

fn read(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok()
}

/// Go's `%q` (strconv.Quote), which Sprig's `quote` does not use but `printf "%q"` and
/// our fixtures' key column need: control characters escaped, printable text raw.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What `{{ range $k, $v := .Values }}{{ $k | quote }}={{ kindOf $v }}:{{ printf "%v" $v }}` prints.
fn types_of(m: &Map) -> String {
    let mut out = String::new();
    for (k, v) in m.entries() {
        let kind = if v.is_nil() { "invalid" } else { v.kind_name() };
        let shown = if v.is_nil() {
            "<nil>".to_string()
        } else {
            go_fmt_v(&v)
        };
        out.push_str(&format!("{}={kind}:{shown}\n", go_quote(&k)));
    }
    out
}

/// What `{{ range $k, $v := .Values }}{{ $k | quote }}:\n{{ toYaml $v }}\n---\n{{ end }}` prints.
fn each_to_yaml(m: &Map) -> String {
    let mut out = String::new();
    for (k, v) in m.entries() {
        out.push_str(&format!(
            "{}:\n{}\n---\n",
            go_quote(&k),
            to_yaml(&v).unwrap_or_default()
        ));
    }
    out
}

#[test]
fn values_files_print_like_helm() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut cases: Vec<PathBuf> = fs::read_dir(root().join("cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    for case in cases {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&case).unwrap();
        let parsed = parse_values(&text, "values.yaml");
        if let Some(expected_err) = read(&case.with_extension("error")) {
            match parsed {
                Ok(v) => failures.push(format!(
                    "{name}: Helm failed ({}) but we parsed {v:?}",
                    expected_err.trim()
                )),
                Err(_) => checked += 1,
            }
            continue;
        }
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: Helm parsed it but we failed: {e}"));
                continue;
            }
        };
        // Helm renders the chart defaults coalesced with empty user values.
        let values = coalesce_values(&parsed, &Map::new(), &mut Vec::new());
        let v = Value::Map(values.clone());
        let outputs: Vec<(&str, String)> = vec![
            ("toyaml", to_yaml(&v).unwrap_or_default()),
            ("tojson", to_json(&v).unwrap_or_default()),
            ("toprettyjson", to_pretty_json(&v).unwrap_or_default()),
            ("torawjson", to_raw_json(&v).unwrap_or_default()),
            ("totoml", to_toml(&v).unwrap_or_else(|e| e.to_string())),
            ("each", each_to_yaml(&values)),
            ("types", types_of(&values)),
        ];
        for (ext, got) in outputs {
            let want = read(&case.with_extension(ext)).unwrap();
            if got != want {
                failures.push(format!(
                    "{name}.{ext}:\n--- helm\n{want}\n--- ours\n{got}\n"
                ));
            } else {
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches ({checked} ok):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn strvals_like_helm() {
    let text = fs::read_to_string(root().join("strvals/cases.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let mode = case["mode"].as_str().unwrap();
        let expr = case["expr"].as_str().unwrap();
        let dest = Map::new();
        let result = match mode {
            "set" => strvals::parse_set_into(expr, &dest),
            "string" => strvals::parse_set_string_into(expr, &dest),
            "json" => strvals::parse_set_json_into(expr, &dest),
            "literal" => strvals::parse_set_literal_into(expr, &dest),
            other => panic!("unknown mode {other}"),
        };
        match (&result, case.get("json"), case.get("error")) {
            (Ok(()), Some(want), _) => {
                let got = to_json(&Value::Map(dest.clone())).unwrap();
                if got != want.as_str().unwrap() {
                    failures.push(format!("{mode} {expr:?}: helm {want} ours {got}"));
                }
            }
            (Err(e), Some(want), _) => {
                failures.push(format!("{mode} {expr:?}: helm {want} ours error {e}"))
            }
            (Ok(()), None, Some(err)) => failures.push(format!(
                "{mode} {expr:?}: helm error {err} ours {}",
                to_json(&Value::Map(dest.clone())).unwrap()
            )),
            (Err(e), None, Some(err)) => {
                // encoding/json's syntax messages are not reproduced word for word.
                if mode != "json" && !err.as_str().unwrap().contains(&e.0) {
                    failures.push(format!("{mode} {expr:?}: helm error {err} ours error {e}"));
                }
            }
            _ => unreachable!(),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn load_map(p: &Path) -> Map {
    parse_values(&fs::read_to_string(p).unwrap(), &p.display().to_string()).unwrap()
}

#[test]
fn coalescing_like_helm() {
    let mut failures = Vec::new();
    for entry in fs::read_dir(root().join("coalesce")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let chart = ChartValues {
            name: "parent".into(),
            values: load_map(&dir.join("parent.yaml")),
            dependencies: vec![ChartValues {
                name: "sub".into(),
                values: load_map(&dir.join("sub.yaml")),
                dependencies: vec![],
            }],
        };
        let user = load_map(&dir.join("user.yaml"));
        let mut warnings = Vec::new();
        let out = match coalesce_chart(&chart, &user, &mut warnings) {
            Ok(out) => out,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let parent = to_yaml(&Value::Map(out.clone())).unwrap();
        let sub = to_yaml(&out.get("sub").unwrap()).unwrap();
        for (file, got) in [("parent.out", parent), ("sub.out", sub)] {
            let want = fs::read_to_string(dir.join(file)).unwrap();
            if got != want {
                failures.push(format!(
                    "{name}/{file}:\n--- helm\n{want}\n--- ours\n{got}\n"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Helm lists a chart's failures in Go map-iteration order (random): compare the
/// top-level `- at` blocks (each with its indented children) as a sorted list.
fn normalize_report(report: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in report.trim_end().lines() {
        if line.starts_with("  ") && !blocks.is_empty() {
            let last = blocks.last_mut().unwrap();
            last.push('\n');
            last.push_str(line);
        } else {
            blocks.push(line.to_string());
        }
    }
    let header: Vec<String> = blocks.iter().take(2).cloned().collect();
    let mut rest: Vec<String> = blocks.into_iter().skip(2).collect();
    rest.sort();
    header.into_iter().chain(rest).collect()
}

#[test]
fn schema_like_helm() {
    let dir = root().join("schema");
    let schema = fs::read_to_string(dir.join("values.schema.json")).unwrap();
    let mut failures = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        let values = coalesce_values(&load_map(&p), &Map::new(), &mut Vec::new());
        let chart = SchemaChart {
            name: "app".into(),
            schema: Some(schema.clone()),
            dependencies: vec![],
        };
        let got = match validate_chart(&chart, &values) {
            Ok(()) => "ok".to_string(),
            Err(e) => e.to_string(),
        };
        let want = fs::read_to_string(p.with_extension("out")).unwrap();
        if normalize_report(&got) != normalize_report(&want) {
            failures.push(format!("{name}:\n--- helm\n{want}\n--- ours\n{got}\n"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
