//! Helm's `ProcessDependencies`: match Chart.yaml dependencies to loaded subcharts
//! (an alias makes a renamed copy), drop the ones disabled by `condition` or `tags`,
//! then pull `import-values` up from children into parents.

use gotmpl::{Map, Value};
use serde_json::Value as Json;

use super::semver::is_compatible_range;
use super::{Chart, ChartError};
use crate::values::coalesce::{CoalesceWarnings, coalesce_chart, merge_chart, merge_tables};

/// Process a chart's dependencies against the user's values, returning the chart as
/// Helm renders and stores it (disabled subcharts removed, aliases applied, imported
/// values merged into each parent's values). Helm coalesces values several times on
/// the way (once per chart with dependencies to evaluate conditions, once more per
/// such chart for its import-values), logging each pass's warnings: they are added
/// to `warnings` in that order.
pub fn process_dependencies(
    chart: &Chart,
    user_values: &Map,
    warnings: &mut CoalesceWarnings,
) -> Result<Chart, ChartError> {
    let mut c = chart.clone();
    process_enabled(&mut c, user_values, "", warnings)?;
    process_import_values(&mut c, warnings)?;
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

fn process_enabled(
    c: &mut Chart,
    v: &Map,
    path: &str,
    warnings: &mut CoalesceWarnings,
) -> Result<(), ChartError> {
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
    // A subchart's pass coalesces its own chart with the parent's coalesced values.
    let cvals = coalesce_chart(&c.values_tree(), v, warnings)
        .map_err(|e| ChartError::Dependencies(e.to_string()))?;
    process_tags(&mut c.metadata.dependencies, &cvals);
    process_conditions(&mut c.metadata.dependencies, &cvals, path, warnings);
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
        process_enabled(t, &cvals, &subpath, warnings)?;
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

fn process_conditions(
    reqs: &mut [super::Dependency],
    cvals: &Map,
    path: &str,
    warnings: &mut CoalesceWarnings,
) {
    for r in reqs {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            // The first condition path holding a boolean decides; a path holding
            // anything else is skipped with Helm's warning, a missing one silently.
            match path_value(cvals, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => warnings.push(slog_warning(
                    "returned non-bool value",
                    &[("path", cond), ("chart", &r.name)],
                )),
                None => {}
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

fn process_import_values(c: &mut Chart, warnings: &mut CoalesceWarnings) -> Result<(), ChartError> {
    for d in &mut c.dependencies {
        process_import_values(d, warnings)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_chart(&c.values_tree(), &Map::new(), warnings)
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
                    match table_or_missing(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => b = merge_tables(&b, &path_to_map(&parent, vv), warnings),
                        Err(missing) => warnings.push(slog_warning(
                            "ImportValues missing table from chart",
                            &[("chart", &r.name), ("error", &missing)],
                        )),
                    }
                }
                Json::String(s) => {
                    let child = format!("exports.{s}");
                    normalized.push(serde_json::json!({"child": child, "parent": "."}));
                    match table_or_missing(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => b = merge_tables(&b, &vm, warnings),
                        Err(missing) => warnings.push(slog_warning(
                            "ImportValues missing table",
                            &[("error", &missing)],
                        )),
                    }
                }
                _ => {}
            }
        }
        r.import_values = normalized;
    }
    // Imported values rank below the parent's own: merge b under a copy of cvals
    // (b holds maps of cvals, which merging writes to). Nothing imported leaves
    // cvals as it is: merging an empty table changes nothing and warns nothing.
    c.values = if b.is_empty() {
        cvals
    } else {
        let base = match Value::Map(cvals).deep_copy() {
            Value::Map(m) => m,
            _ => Map::new(),
        };
        merge_tables(&base, &b, warnings)
    };
    c.has_values = true;
    Ok(())
}

/// Helm's `Values.Table`: the table at a dotted path, or its error's text (`"K" is
/// not a table`, naming the first path element that is missing or not a table).
fn table_or_missing(values: &Map, path: &str) -> Result<Map, String> {
    let mut cur = values.clone();
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return Err(format!("{} is not a table", gotmpl::gofmt::quote(part))),
        }
    }
    Ok(cur)
}

/// A line as Go's default `slog` logger writes a warning (through the `log` package,
/// whose date prefix capstan leaves out as for the other warnings): `WARN msg k=v`,
/// values quoted as slog's text handler quotes them.
fn slog_warning(message: &str, attrs: &[(&str, &str)]) -> String {
    let mut line = format!("WARN {message}");
    for (key, value) in attrs {
        line.push(' ');
        line.push_str(key);
        line.push('=');
        line.push_str(&slog_text_value(value));
    }
    line
}

/// slog's text handler: a string is written bare unless it is empty or holds a space,
/// `=`, `"`, an ASCII control character, or (beyond ASCII) white space or a character
/// that is not printable; then Go-quoted. A backslash alone needs no quotes.
fn slog_text_value(s: &str) -> String {
    let needs_quote = s.is_empty()
        || s.chars().any(|c| match c {
            ' ' | '=' | '"' => true,
            '\0'..='\x1f' => true,
            '\x20'..='\x7f' => false,
            c => c.is_whitespace() || !gotmpl::gofmt::is_print(c),
        });
    if needs_quote {
        gotmpl::gofmt::quote(s)
    } else {
        s.to_string()
    }
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

    #[test]
    fn coalescing_passes_report_their_warnings_in_helms_order() {
        let c = chart(
            "sub:\n  exported: flat\n",
            "- name: sub\n  version: 0.2.0\n  import-values: [nothere]\n",
        );
        let user = crate::values::parse_values("sub:\n  exported: {u: 1}\n", "u").unwrap();
        let mut warnings = Vec::new();
        process_dependencies(&c, &user, &mut warnings).unwrap();
        assert_eq!(
            warnings,
            [
                // The condition pass: user values over the chart as loaded.
                "warning: destination for top.sub.exported is a table. Ignoring non-table value (flat)",
                // The import pass: `exports` is there, `nothere` is not.
                "WARN ImportValues missing table error=\"\\\"nothere\\\" is not a table\"",
            ]
        );
    }

    #[test]
    fn slog_quotes_values_as_its_text_handler_does() {
        assert_eq!(slog_text_value("mymid"), "mymid");
        assert_eq!(slog_text_value(r"a\b"), r"a\b");
        assert_eq!(slog_text_value("a b"), "\"a b\"");
        assert_eq!(slog_text_value(""), "\"\"");
        assert_eq!(slog_text_value("a\u{a0}"), r#""a\u00a0""#);
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
        let p = process_dependencies(&c, &Map::new(), &mut Vec::new()).unwrap();
        assert_eq!(names(&p), ["one", "two"]);
        assert_eq!(p.metadata.dependencies[0].name, "one");
    }

    #[test]
    fn conditions_and_tags() {
        let deps = "- name: sub\n  version: 0.2.0\n  condition: sub.enabled,other.enabled\n  tags: [front]\n";
        let c = chart("sub: {enabled: false}\n", deps);
        assert!(
            process_dependencies(&c, &Map::new(), &mut Vec::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
        // A non-boolean condition is skipped, with Helm's warning, and the next one
        // decides.
        let c = chart("sub: {enabled: maybe}\nother: {enabled: false}\n", deps);
        let mut warnings = Vec::new();
        assert!(
            process_dependencies(&c, &Map::new(), &mut warnings)
                .unwrap()
                .dependencies
                .is_empty()
        );
        assert_eq!(
            warnings,
            ["WARN returned non-bool value path=sub.enabled chart=sub"]
        );
        // Tags alone disable; a condition overrides tags.
        let c = chart("tags: {front: false}\n", deps);
        assert!(
            process_dependencies(&c, &Map::new(), &mut Vec::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
        let c = chart("tags: {front: false}\nsub: {enabled: true}\n", deps);
        assert_eq!(
            names(&process_dependencies(&c, &Map::new(), &mut Vec::new()).unwrap()),
            ["sub"]
        );
        // Without a matching version the Chart.yaml entry makes no copy, the loaded
        // chart stays; a false condition still removes it by name, as in Helm.
        let c = chart("", "- name: sub\n  version: 9.9.9\n  alias: other\n");
        assert_eq!(
            names(&process_dependencies(&c, &Map::new(), &mut Vec::new()).unwrap()),
            ["sub"]
        );
        let c = chart(
            "sub: {enabled: false}\n",
            "- name: sub\n  version: 9.9.9\n  condition: sub.enabled\n",
        );
        assert!(
            process_dependencies(&c, &Map::new(), &mut Vec::new())
                .unwrap()
                .dependencies
                .is_empty()
        );
    }

    #[test]
    fn import_values_both_forms() {
        let deps = "- name: sub\n  version: 0.2.0\n  import-values:\n  - child: exported\n    parent: imp\n  - data\n";
        let c = chart("imp: {own: 1}\n", deps);
        let p = process_dependencies(&c, &Map::new(), &mut Vec::new()).unwrap();
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
