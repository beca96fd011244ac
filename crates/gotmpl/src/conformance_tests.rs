//! Differential tests against real Helm 4 (Go text/template + Helm's include/tpl).
//! `testdata/helm_cases.json` is produced by `testdata/gen_helm_cases.py`, which
//! renders each case with helm-python-sdk; this test renders the same templates the
//! way Helm's engine drives Go's (missingkey=zero, `<no value>` removed, Helm's
//! parse order) and compares outputs and error texts.

use crate::func::{FuncError, FuncMap, Param, Runtime, Signature};
use crate::template::{MissingKey, Templates};
use crate::value::{MapInner, Value};

const CASES: &str = include_str!("testdata/helm_cases.json");

/// Helm's `include` and `tpl`, as the Helm layer implements them.
fn helm_funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.add_with_runtime("include", |rt: &mut dyn Runtime, a: &[Value]| {
        let [Value::String(name), data] = a else {
            return Err(FuncError::new("bad include args"));
        };
        let name = name.to_string();
        if rt.enter_include(&name) > 1001 {
            rt.exit_include(&name);
            return Err(FuncError::new(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        let r = rt.execute_template(&name, data.clone());
        rt.exit_include(&name);
        r
    });
    f.add_with_runtime("tpl", |rt: &mut dyn Runtime, a: &[Value]| {
        let [Value::String(text), data] = a else {
            return Err(FuncError::new("bad tpl args"));
        };
        let q = crate::gofmt::quote(text);
        rt.parse_text("gotpl", text)
            .map_err(|e| FuncError::new(format!("cannot parse template {q}: {}", e.message)))?;
        let out = rt.execute_text("gotpl", text, data.clone()).map_err(|e| {
            FuncError::new(format!(
                "error during tpl function execution for {q}: {}",
                e.message
            ))
        })?;
        Ok(out.go_replace_all("<no value>", "").unwrap_or(out))
    });
    // A few Sprig functions with their Go signatures, to check typed-argument errors.
    f.add("upper", |a: &[Value]| {
        Ok(Value::from(
            a[0].as_str().unwrap_or_default().to_uppercase(),
        ))
    });
    f.signature("upper", Signature::new(&[Param::String]));
    f.add("b64enc", |a: &[Value]| Ok(a[0].clone()));
    f.signature("b64enc", Signature::new(&[Param::String]));
    f.add("trunc", |a: &[Value]| match a {
        [Value::Int(n), Value::String(s)] => Ok(Value::from(
            s.chars().take((*n).max(0) as usize).collect::<String>(),
        )),
        _ => Err(FuncError::new("bad trunc")),
    });
    f.signature("trunc", Signature::new(&[Param::Int, Param::String]));
    f.add("default", |a: &[Value]| {
        Ok(match a {
            [d, v] if !v.truthy() => d.clone(),
            [_, v] => v.clone(),
            [d] => d.clone(),
            _ => Value::Nil,
        })
    });
    f.signature("default", Signature::variadic(&[Param::Any, Param::Any]));
    f.add("add1", |a: &[Value]| {
        Ok(Value::Int(match &a[0] {
            Value::Int(i) => i + 1,
            Value::Float(x) => *x as i64 + 1,
            _ => 1,
        }))
    });
    f.signature("add1", Signature::new(&[Param::Any]));
    f
}

/// Helm's `cleanupParseError`: `parse error at (LOCATION): LAST-PART`.
fn helm_parse_error(err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() < 2 {
        return err.to_string();
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

/// Helm's template order: deeper paths first, then reverse lexical order.
fn helm_order(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then(b.cmp(a))
    });
}

fn render(
    files: &serde_json::Map<String, serde_json::Value>,
    values: &serde_json::Value,
) -> Result<Vec<(String, String)>, String> {
    let mut t = Templates::new();
    t.option_missing_key(MissingKey::Zero);
    t.set_root_name("gotpl");
    t.funcs(helm_funcs());
    let mut names: Vec<String> = files.keys().map(|k| format!("c/templates/{k}")).collect();
    helm_order(&mut names);
    for name in &names {
        let short = name.trim_start_matches("c/templates/");
        let text = files
            .get(short)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        t.parse(name, text)
            .map_err(|e| helm_parse_error(&e.to_string()))?;
    }
    let mut top = MapInner::new();
    top.insert("Values".into(), Value::from_json(values, false));
    let data = Value::map(top);
    let mut rendered: Vec<String> = names
        .iter()
        .filter(|n| !n.rsplit('/').next().unwrap_or_default().starts_with('_'))
        .cloned()
        .collect();
    rendered.sort();
    let mut out = Vec::new();
    for name in rendered {
        let s = t.execute(&name, &data).map_err(|e| e.to_string())?;
        out.push((name, s.replace("<no value>", "")));
    }
    Ok(out)
}

#[test]
fn matches_helm() {
    let cases: Vec<serde_json::Value> = serde_json::from_str(CASES).unwrap_or_default();
    assert!(cases.len() > 50, "fixture missing");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap_or_default();
        let empty = serde_json::Map::new();
        let files = case["files"].as_object().unwrap_or(&empty);
        let got = render(files, &case["values"]);
        let expect = &case["expect"];
        let ok = match (&got, expect.get("ok"), expect.get("err")) {
            (Ok(outs), Some(want), _) => outs
                .iter()
                .all(|(n, s)| want.get(n).and_then(|v| v.as_str()) == Some(s.as_str())),
            (Err(e), _, Some(want)) => want.as_str() == Some(e.as_str()),
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}:\n  helm: {expect}\n  ours: {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
