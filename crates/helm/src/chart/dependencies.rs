//! Helm's `ProcessDependencies`: match Chart.yaml dependencies to loaded subcharts
//! (an alias makes a renamed copy), drop the ones disabled by `condition` or `tags`,
//! then pull `import-values` up from children into parents.

use gotmpl::{Map, Value};
use serde_json::Value as Json;

use super::semver::is_compatible_range;
use super::{Chart, ChartError};
use crate::values::coalesce::{coalesce_chart, merge_chart, merge_tables};

/// Process a chart's dependencies against the user's values, returning the chart as
/// Helm renders and stores it (disabled subcharts removed, aliases applied, imported
/// values merged into each parent's values).
pub fn process_dependencies(chart: &Chart, user_values: &Map) -> Result<Chart, ChartError> {
    let mut c = chart.clone();
    process_enabled(&mut c, user_values, "")?;
    process_import_values(&mut c)?;
    Ok(c)
}

/// Helm's `CheckDependencies`, run by `helm install`/`template` on the release chart
/// before anything else: every dependency Chart.yaml (or requirements.yaml) lists must
/// be present in charts/, whatever its condition or tags say. Names are matched
/// against the subcharts' own names (an alias does not count).
pub fn check_dependencies(chart: &Chart) -> Result<(), ChartError> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|dep| !chart.dependencies.iter().any(|c| c.name() == dep.name))
        .map(|dep| dep.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ChartError::Dependencies(format!(
        "An error occurred while checking for chart dependencies. You may need to run \
         `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but \
         missing in charts/ directory: {}",
        missing.join(", ")
    )))
}

/// Helm's `Values.Table`: walk dotted path through maps.
pub fn table(values: &Map, path: &str) -> Option<Map> {
    let mut cur = values.clone();
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return None,
        }
    }
    Some(cur)
}

/// Helm's `Values.PathValue`: a non-table value at a dotted path.
pub fn path_value(values: &Map, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (table(values, p)?, k),
        None => (values.clone(), path),
    };
    match parent.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(v) => Some(v),
    }
}

fn alias_copy(charts: &[Chart], dep: &super::Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = found.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str) -> Result<(), ChartError> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    // Loaded charts no Chart.yaml entry claims are kept as they are.
    let mut chart_deps: Vec<Chart> = c
        .dependencies
        .iter()
        .filter(|existing| {
            !c.metadata.dependencies.iter().any(|req| {
                existing.name() == req.name
                    && is_compatible_range(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in &mut c.metadata.dependencies {
        if let Some(copy) = alias_copy(&c.dependencies, req) {
            chart_deps.push(copy);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for req in &mut c.metadata.dependencies {
        req.enabled = true;
    }
    let cvals = coalesce_chart(&c.values_tree(), v, &mut Vec::new())
        .map_err(|e| ChartError::Dependencies(e.to_string()))?;
    process_tags(&mut c.metadata.dependencies, &cvals);
    process_conditions(&mut c.metadata.dependencies, &cvals, path);
    let disabled: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !disabled.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|d| !disabled.contains(&d.name));
    for t in &mut c.dependencies {
        let subpath = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &subpath)?;
    }
    Ok(())
}

fn process_tags(reqs: &mut [super::Dependency], cvals: &Map) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for r in reqs {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            if let Some(Value::Bool(b)) = tags.get(k) {
                if b {
                    has_true = true;
                } else {
                    has_false = true;
                }
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(reqs: &mut [super::Dependency], cvals: &Map, path: &str) {
    for r in reqs {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            // The first condition path holding a boolean decides; others are skipped.
            if let Some(Value::Bool(b)) = path_value(cvals, &format!("{path}{cond}")) {
                r.enabled = b;
                break;
            }
        }
    }
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = Map::new();
        m.insert(part, Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_import_values(c: &mut Chart) -> Result<(), ChartError> {
    for d in &mut c.dependencies {
        process_import_values(d)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_chart(&c.values_tree(), &Map::new(), &mut Vec::new())
        .map_err(|e| ChartError::Dependencies(e.to_string()))?;
    let mut b = Map::new();
    for r in &mut c.metadata.dependencies {
        let mut normalized = Vec::new();
        for iv in &r.import_values {
            match iv {
                Json::Object(o) => {
                    let child = json_text(o.get("child"));
                    let parent = json_text(o.get("parent"));
                    normalized.push(serde_json::json!({"child": child, "parent": parent}));
                    if let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) {
                        b = merge_tables(&b, &path_to_map(&parent, vv), &mut Vec::new());
                    }
                }
                Json::String(s) => {
                    let child = format!("exports.{s}");
                    normalized.push(serde_json::json!({"child": child, "parent": "."}));
                    if let Some(vm) = table(&cvals, &format!("{}.{child}", r.name)) {
                        b = merge_tables(&b, &vm, &mut Vec::new());
                    }
                }
                _ => {}
            }
        }
        r.import_values = normalized;
    }
    // Imported values rank below the parent's own: merge b under a copy of cvals.
    let base = match Value::Map(cvals).deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(),
    };
    c.values = merge_tables(&base, &b, &mut Vec::new());
    c.has_values = true;
    Ok(())
}

/// Go's `fmt.Sprintf("%v", x)` for the scalar shapes `child`/`parent` take.
fn json_text(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "<nil>".to_string(),
        Some(Json::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::BufferedFile;

    fn bf(n: &str, d: &str) -> BufferedFile {
        BufferedFile {
            name: n.into(),
            data: d.as_bytes().to_vec(),
        }
    }

    fn chart(values: &str, deps: &str) -> Chart {
        Chart::from_files(vec![
            bf(
                "Chart.yaml",
                &format!("apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n{deps}"),
            ),
            bf("values.yaml", values),
            bf(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.2.0\n",
            ),
            bf(
                "charts/sub/values.yaml",
                "exported: {k: v}\nexports: {data: {e: 1}}\n",
            ),
        ])
        .unwrap()
    }

    fn names(c: &Chart) -> Vec<String> {
        c.dependencies
            .iter()
            .map(|d| d.name().to_string())
            .collect()
    }

    #[test]
    fn alias_makes_renamed_copies() {
        let c = chart(
            "",
            "- name: sub\n  version: 0.2.0\n  alias: one\n- name: sub\n  version: ~0.2\n  alias: two\n",
        );
        let p = process_dependencies(&c, &Map::new()).unwrap();
        assert_eq!(names(&p), ["one", "two"]);
        assert_eq!(p.metadata.dependencies[0].name, "one");
    }

    #[test]
    fn conditions_and_tags() {
        let deps = "- name: sub\n  version: 0.2.0\n  condition: sub.enabled,other.enabled\n  tags: [front]\n";
        let c = chart("sub: {enabled: false}\n", deps);
        assert!(
            process_dependencies(&c, &Map::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
        // A non-boolean condition is skipped and the next one decides.
        let c = chart("sub: {enabled: maybe}\nother: {enabled: false}\n", deps);
        assert!(
            process_dependencies(&c, &Map::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
        // Tags alone disable; a condition overrides tags.
        let c = chart("tags: {front: false}\n", deps);
        assert!(
            process_dependencies(&c, &Map::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
        let c = chart("tags: {front: false}\nsub: {enabled: true}\n", deps);
        assert_eq!(
            names(&process_dependencies(&c, &Map::new()).unwrap()),
            ["sub"]
        );
        // Without a matching version the Chart.yaml entry makes no copy, the loaded
        // chart stays; a false condition still removes it by name, as in Helm.
        let c = chart("", "- name: sub\n  version: 9.9.9\n  alias: other\n");
        assert_eq!(
            names(&process_dependencies(&c, &Map::new()).unwrap()),
            ["sub"]
        );
        let c = chart(
            "sub: {enabled: false}\n",
            "- name: sub\n  version: 9.9.9\n  condition: sub.enabled\n",
        );
        assert!(
            process_dependencies(&c, &Map::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
    }

    #[test]
    fn import_values_both_forms() {
        let deps = "- name: sub\n  version: 0.2.0\n  import-values:\n  - child: exported\n    parent: imp\n  - data\n";
        let c = chart("imp: {own: 1}\n", deps);
        let p = process_dependencies(&c, &Map::new()).unwrap();
        let v = Value::Map(p.values.clone()).to_json();
        assert_eq!(v["imp"]["k"], "v");
        assert_eq!(v["imp"]["own"], 1.0);
        assert_eq!(v["e"], 1.0);
        assert_eq!(
            p.metadata.dependencies[0].import_values[1],
            serde_json::json!({"child": "exports.data", "parent": "."})
        );
    }

    #[test]
    fn path_value_ignores_tables() {
        let m = Map::new();
        let inner = Map::new();
        inner.insert("b", Value::Bool(true));
        m.insert("a", Value::Map(inner));
        assert_eq!(path_value(&m, "a.b"), Some(Value::Bool(true)));
        assert_eq!(path_value(&m, "a"), None);
        assert_eq!(path_value(&m, "x.b"), None);
    }
}
