//! Helm's values coalescing (pkg/chart/common/util/coalesce.go, as Helm 4.2 behaves).
//!
//! - User values win over chart defaults; maps merge recursively; lists and scalars
//!   are replaced whole.
//! - Coalescing (not merging): a user `null` deletes the chart default; `null`s in
//!   chart defaults are dropped (also inside nested default maps).
//! - A user map over a default scalar wins (warning); a user scalar over a default map
//!   is ignored in favour of the map (warning), as Helm does.
//! - Subcharts: each dependency's values live under its name (or alias) in the parent;
//!   `global` flows from the parent into every subchart (parent globals win), then the
//!   subchart's own defaults are coalesced under that.
//!
//! Warnings are collected, never printed.

use gotmpl::stack::grow;
use gotmpl::value::{Map, Value};

use super::gofloat::format_g;

/// Warnings Helm would log while coalescing.
pub type CoalesceWarnings = Vec<String>;

/// The key Helm shares between a chart and its subcharts.
pub const GLOBAL_KEY: &str = "global";

/// A chart as coalescing sees it: its name (the alias when one is set), its default
/// values, and its enabled dependencies.
#[derive(Debug, Clone, Default)]
pub struct ChartValues {
    pub name: String,
    pub values: Map,
    pub dependencies: Vec<ChartValues>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoalesceError {
    /// A subchart's key holds something other than a map (Helm: "type mismatch on NAME").
    #[error("type mismatch on {name}: {found}")]
    TypeMismatch { name: String, found: String },
}

/// Helm's `CoalesceValues(chart, vals)`: user `vals` over the chart's defaults and all its
/// dependencies' defaults, nulls removing keys. Inputs are not modified.
pub fn coalesce_chart(
    chart: &ChartValues,
    user: &Map,
    warnings: &mut CoalesceWarnings,
) -> Result<Map, CoalesceError> {
    let dest = deep_copy_map(user);
    coalesce(chart, &dest, "", false, warnings)?;
    Ok(dest)
}

/// Helm's `MergeValues(chart, vals)`: like [`coalesce_chart`] but nulls are kept (used
/// while processing dependencies, before the final coalesce).
pub fn merge_chart(
    chart: &ChartValues,
    user: &Map,
    warnings: &mut CoalesceWarnings,
) -> Result<Map, CoalesceError> {
    let dest = deep_copy_map(user);
    coalesce(chart, &dest, "", true, warnings)?;
    Ok(dest)
}

/// One chart without dependencies: `user` over `chart_defaults`.
pub fn coalesce_values(chart_defaults: &Map, user: &Map, warnings: &mut CoalesceWarnings) -> Map {
    let chart = ChartValues {
        name: String::new(),
        values: chart_defaults.clone(),
        dependencies: Vec::new(),
    };
    let dest = deep_copy_map(user);
    coalesce_values_into(&chart, &dest, "", false, warnings);
    dest
}

/// Combine several values sources (`-f a.yaml -f b.yaml`, then `--set` maps): later
/// wins, maps merge recursively, a `null` is kept as an override (Helm's CLI mergeMaps).
pub fn merge_values(base: &Map, overlay: &Map) -> Map {
    let out = Map::new();
    for (k, v) in base.entries() {
        out.insert(k, v.deep_copy());
    }
    for (k, v) in overlay.entries() {
        if let Value::Map(ov) = &v
            && let Some(Value::Map(bv)) = out.get(&k)
        {
            out.insert(k, Value::Map(grow(|| merge_values(&bv, ov))));
            continue;
        }
        out.insert(k, v.deep_copy());
    }
    out
}

/// Helm's `CoalesceTables(dst, src)`: `dst` is authoritative; modifies and returns `dst`.
pub fn coalesce_tables(dst: &Map, src: &Map, warnings: &mut CoalesceWarnings) -> Map {
    coalesce_tables_full_key(dst, src, "", false, warnings);
    dst.clone()
}

/// Helm's `MergeTables(dst, src)`: like [`coalesce_tables`], keeping nulls.
pub fn merge_tables(dst: &Map, src: &Map, warnings: &mut CoalesceWarnings) -> Map {
    coalesce_tables_full_key(dst, src, "", true, warnings);
    dst.clone()
}

/// Copy `src`'s globals into `dest`'s (`dest` = a subchart's values, `src` = its
/// parent's): parent globals win, maps merge. `prefix` only names keys in warnings.
pub fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, warnings: &mut CoalesceWarnings) {
    let dg = match dest.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg = match src.get(GLOBAL_KEY) {
        None => Map::new(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            warnings.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    for (key, val) in sg.entries() {
        if let Value::Map(vm) = &val {
            // A shallow copy, as Helm's copyMap: nested maps stay shared.
            let vv = Map::from_inner(vm.0.read().clone());
            match dg.get(&key) {
                None => {
                    dg.insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    let sub_prefix = concat_prefix(prefix, &key);
                    coalesce_tables_full_key(&vv, &destv, &sub_prefix, true, warnings);
                    dg.insert(key, Value::Map(vv));
                }
                Some(_) => warnings.push(format!(
                    "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                )),
            }
        } else if let Some(Value::Map(_)) = dg.get(&key) {
            warnings.push(format!("key {key} is table. Skipping"));
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert(GLOBAL_KEY, Value::Map(dg));
}

/// One subchart step of Helm's coalesceDeps: make sure `parent_values[sub.name]` is a
/// map, flow the parent's globals into it, and coalesce the subchart (and its own
/// dependencies) under it. Modifies `parent_values`.
pub fn coalesce_dep(
    parent_name: &str,
    parent_values: &Map,
    sub: &ChartValues,
    prefix: &str,
    warnings: &mut CoalesceWarnings,
) -> Result<(), CoalesceError> {
    coalesce_dep_inner(parent_name, parent_values, sub, prefix, false, warnings)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

fn coalesce(
    chart: &ChartValues,
    dest: &Map,
    prefix: &str,
    merge: bool,
    warnings: &mut CoalesceWarnings,
) -> Result<(), CoalesceError> {
    coalesce_values_into(chart, dest, prefix, merge, warnings);
    for sub in &chart.dependencies {
        coalesce_dep_inner(&chart.name, dest, sub, prefix, merge, warnings)?;
    }
    Ok(())
}

fn coalesce_dep_inner(
    parent_name: &str,
    dest: &Map,
    sub: &ChartValues,
    prefix: &str,
    merge: bool,
    warnings: &mut CoalesceWarnings,
) -> Result<(), CoalesceError> {
    let dvmap = match dest.get(&sub.name) {
        None => {
            let m = Map::new();
            dest.insert(sub.name.clone(), Value::Map(m.clone()));
            m
        }
        Some(Value::Map(m)) => m,
        Some(other) => {
            return Err(CoalesceError::TypeMismatch {
                name: sub.name.clone(),
                found: go_bad_verb_t(&other),
            });
        }
    };
    let sub_prefix = concat_prefix(prefix, parent_name);
    coalesce_globals(&dvmap, dest, &sub_prefix, warnings);
    coalesce(sub, &dvmap, &sub_prefix, merge, warnings)?;
    dest.insert(sub.name.clone(), Value::Map(dvmap));
    Ok(())
}

/// Helm's coalesceValues: the chart's defaults under `v`.
///
/// Helm copies the whole defaults tree (`copystructure.Copy`), drops its nulls and
/// merges; only the parts that land in `v` survive. Here the defaults are only read
/// and each subtree is copied (without its nulls) when it is inserted, which gives the
/// same tree, warnings and sharing (every inserted map is fresh either way).
fn coalesce_values_into(
    chart: &ChartValues,
    v: &Map,
    prefix: &str,
    merge: bool,
    warnings: &mut CoalesceWarnings,
) {
    let sub_prefix = concat_prefix(prefix, &chart.name);
    for (key, val) in chart.values.entries() {
        match v.get(&key) {
            Some(value) => {
                if value.is_nil() && !merge {
                    v.remove(&key);
                } else if let Value::Map(dest) = &value {
                    match &val {
                        Value::Map(src) => {
                            let merge = merge || chart.dependencies.iter().any(|d| d.name == key);
                            let full = concat_prefix(&sub_prefix, &key);
                            coalesce_defaults_into(dest, src, &full, merge, warnings);
                        }
                        Value::Nil => {}
                        _ => warnings.push(format!(
                            "warning: skipped value for {sub_prefix}.{key}: Not a table."
                        )),
                    }
                }
            }
            None => {
                if !merge && val.is_nil() {
                    continue;
                }
                v.insert(key, copy_default(&val, !merge));
            }
        }
    }
}

/// A copy of a default value for the coalesced tree; `drop_nils` leaves out nulls
/// in maps, nested maps included (not inside lists), as Helm's cleaning does.
fn copy_default(val: &Value, drop_nils: bool) -> Value {
    match val {
        Value::Map(m) if drop_nils => Value::Map(copy_without_nils(m)),
        _ => val.deep_copy(),
    }
}

/// A deep copy of `m` without its nulls (recursively through maps).
fn copy_without_nils(m: &Map) -> Map {
    if m.is_nil_map() || m.named().is_some() || m.elem() != gotmpl::value::Elem::Any {
        // Typed maps never come from values files; keep deep_copy's handling of them.
        let copy = deep_copy_map(m);
        clean_nil_values(&copy);
        return copy;
    }
    // Cloning the tree copies its nodes as they are (no key comparisons, unlike
    // inserting into a new map); nulls then go and nested containers are replaced by
    // their own copies.
    let mut inner = m.0.read().clone();
    if inner.values().any(Value::is_nil) {
        inner.retain(|_, v| !v.is_nil());
    }
    for v in inner.values_mut() {
        let copied = match &*v {
            Value::Map(sub) => Value::Map(grow(|| copy_without_nils(sub))),
            other if other.is_container() || matches!(other, Value::Object(_)) => other.deep_copy(),
            _ => continue,
        };
        *v = copied;
    }
    Map::from_inner(inner)
}

/// [`coalesce_tables_full_key`] with `src` a chart's defaults, which stay unchanged:
/// the same as coalescing a copy of `src` (nulls dropped unless `merge`), copying
/// only what is inserted into `dst`.
fn coalesce_defaults_into(
    dst: &Map,
    src: &Map,
    prefix: &str,
    merge: bool,
    warnings: &mut CoalesceWarnings,
) {
    for (key, val) in src.entries() {
        // Nulls of the defaults are gone when coalescing (Helm cleans its copy).
        if !merge && val.is_nil() {
            continue;
        }
        match dst.get(&key) {
            // Helm first writes a null into its copy of `src` for every null of
            // `dst`: that key then deletes the null when coalescing and is left
            // alone when merging.
            Some(Value::Nil) => {
                if !merge {
                    dst.remove(&key);
                }
            }
            None => {
                dst.insert(key, copy_default(&val, !merge));
            }
            Some(dv) => match (&val, &dv) {
                (Value::Map(sm), Value::Map(dm)) => {
                    let full = concat_prefix(prefix, &key);
                    grow(|| coalesce_defaults_into(dm, sm, &full, merge, warnings))
                }
                (Value::Map(_), _) => warnings.push(format!(
                    "warning: cannot overwrite table with non table for {} ({})",
                    concat_prefix(prefix, &key),
                    go_fmt_v(&copy_default(&val, !merge))
                )),
                (_, Value::Map(_)) if !val.is_nil() => warnings.push(format!(
                    "warning: destination for {} is a table. Ignoring non-table value ({})",
                    concat_prefix(prefix, &key),
                    go_fmt_v(&val)
                )),
                _ => {}
            },
        }
    }
}

/// Helm's coalesceTablesFullKey: `dst` is authoritative, `src` fills the gaps.
fn coalesce_tables_full_key(
    dst: &Map,
    src: &Map,
    prefix: &str,
    merge: bool,
    warnings: &mut CoalesceWarnings,
) {
    if dst.ptr_eq(src) {
        return;
    }
    let src_non_nil: std::collections::HashSet<String> = src
        .entries()
        .into_iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k)
        .collect();
    for (key, val) in dst.entries() {
        if val.is_nil() {
            src.insert(key, Value::Nil);
        }
    }
    for (key, val) in src.entries() {
        let full = concat_prefix(prefix, &key);
        match dst.get(&key) {
            Some(Value::Nil) if !merge && src_non_nil.contains(&key) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(dv) => match (&val, &dv) {
                (Value::Map(sm), Value::Map(dm)) => {
                    grow(|| coalesce_tables_full_key(dm, sm, &full, merge, warnings))
                }
                (Value::Map(_), _) => warnings.push(format!(
                    "warning: cannot overwrite table with non table for {full} ({})",
                    go_fmt_v(&val)
                )),
                (_, Value::Map(_)) if !val.is_nil() => warnings.push(format!(
                    "warning: destination for {full} is a table. Ignoring non-table value ({})",
                    go_fmt_v(&val)
                )),
                _ => {}
            },
        }
    }
}

/// Remove nulls from a map, recursively through nested maps (not lists).
fn clean_nil_values(m: &Map) {
    for (key, val) in m.entries() {
        match &val {
            Value::Nil => {
                m.remove(&key);
            }
            Value::Map(sub) => grow(|| clean_nil_values(sub)),
            _ => {}
        }
    }
}

fn deep_copy_map(m: &Map) -> Map {
    match Value::Map(m.clone()).deep_copy() {
        Value::Map(copy) => copy,
        _ => Map::new(),
    }
}

/// Go's `%v` for plain values (used in warnings).
pub fn go_fmt_v(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint8(u) => u.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Float(f) => format_g(*f),
        Value::String(s) => s.to_string(),
        Value::RawString(r) => r.text().to_string(),
        Value::Bytes(b) => format!(
            "[{}]",
            b.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::List(l) => format!(
            "[{}]",
            l.to_vec()
                .iter()
                .map(|v| grow(|| go_fmt_v(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Map(m) => format!(
            "map[{}]",
            m.entries()
                .iter()
                .map(|(k, v)| format!("{k}:{}", grow(|| go_fmt_v(v))))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(o) => o.display(),
    }
}

/// What Go prints for `%t` given a non-bool (Helm's "type mismatch" message uses it).
fn go_bad_verb_t(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Nil => "%!t(<nil>)".to_string(),
        other => format!("%!t({}={})", other.type_name(), go_fmt_v(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{parse_values, to_yaml};

    fn m(text: &str) -> Map {
        parse_values(text, "t").unwrap()
    }
    fn y(map: &Map) -> String {
        to_yaml(&Value::Map(map.clone())).unwrap()
    }

    #[test]
    fn user_wins_and_nulls_delete() {
        let mut w = Vec::new();
        let out = coalesce_values(
            &m("a: 1\nb: {c: 1, d: 2, n: null}\ne: [1]\nkeep: x\nz: null\n"),
            &m("a: 2\nb: {c: 9, d: null}\ne: [2, 3]\nkeep: null\nnew: null\n"),
            &mut w,
        );
        assert_eq!(y(&out), "a: 2\nb:\n  c: 9\ne:\n- 2\n- 3\nnew: null");
        assert!(w.is_empty());
    }

    #[test]
    fn type_conflicts_warn() {
        let mut w = Vec::new();
        let out = coalesce_values(&m("a: {b: 1}\nc: 1\n"), &m("a: 5\nc: {d: 1}\n"), &mut w);
        assert_eq!(y(&out), "a: 5\nc:\n  d: 1");
        assert_eq!(
            w,
            vec!["warning: skipped value for .c: Not a table.".to_string()]
        );
        let mut w = Vec::new();
        let out = coalesce_values(&m("a: {b: {c: 1}}\n"), &m("a: {b: 5}\n"), &mut w);
        assert_eq!(y(&out), "a:\n  b: 5");
        assert_eq!(
            w,
            vec!["warning: cannot overwrite table with non table for a.b (map[c:1])".to_string()]
        );
    }

    #[test]
    fn subcharts_and_globals() {
        // The case observed with Helm 4.2.3 (see values_conformance).
        let chart = ChartValues {
            name: "parent".into(),
            values: m(
                "o: ~\nkeep: 1\nnested: {a: null, b: 2, c: 3}\nsub:\n  fromparent: 1\n  dnull: null\nglobal:\n  g1: parent\n  gm: {x: 1}\n",
            ),
            dependencies: vec![ChartValues {
                name: "sub".into(),
                values: m(
                    "subnull: null\nsubkeep: 1\nsubnested: {q: null, r: 1}\ndnull: 5\nglobal:\n  g1: sub\n  g2: sub\n  gm: {y: 2}\n",
                ),
                dependencies: vec![],
            }],
        };
        let user = m("nested: {c: null}\nkeep: null\nsub: {subkeep: null}\n");
        let mut w = Vec::new();
        let out = coalesce_chart(&chart, &user, &mut w).unwrap();
        assert_eq!(
            y(&out),
            "global:\n  g1: parent\n  gm:\n    x: 1\nnested:\n  b: 2\nsub:\n  fromparent: 1\n  global:\n    g1: parent\n    g2: sub\n    gm:\n      \"true\": 2\n      x: 1\n  subnested:\n    r: 1"
        );
    }

    #[test]
    fn subchart_key_must_be_a_map() {
        let chart = ChartValues {
            name: "p".into(),
            values: Map::new(),
            dependencies: vec![ChartValues {
                name: "sub".into(),
                ..Default::default()
            }],
        };
        let err = coalesce_chart(&chart, &m("sub: x\n"), &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "type mismatch on sub: %!t(string=x)");
    }

    #[test]
    fn merge_values_later_wins() {
        let out = merge_values(
            &m("a: {b: 1, c: 2}\nd: [1]\ne: 1\n"),
            &m("a: {b: 3}\nd: [2]\ne: null\n"),
        );
        assert_eq!(y(&out), "a:\n  b: 3\n  c: 2\nd:\n- 2\ne: null");
    }

    /// A small random values tree: maps, nulls, scalars, lists holding maps.
    fn random_map(seed: &mut u64, depth: u32) -> Map {
        let out = Map::new();
        let n = next(seed) % 4;
        for _ in 0..n {
            let key = ["a", "b", "c", "d"][(next(seed) % 4) as usize];
            out.insert(key, random_value(seed, depth));
        }
        out
    }

    fn random_value(seed: &mut u64, depth: u32) -> Value {
        match next(seed) % 6 {
            0 => Value::Nil,
            1 => Value::Int(next(seed) as i64 % 3),
            2 if depth > 0 => {
                Value::list(vec![Value::Nil, Value::Map(random_map(seed, depth - 1))])
            }
            _ if depth > 0 => Value::Map(random_map(seed, depth - 1)),
            _ => Value::str("s"),
        }
    }

    fn next(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn defaults_are_coalesced_as_a_cleaned_copy_would_be() {
        let mut seed = 7u64;
        for _ in 0..4000 {
            let (dst, src) = (random_map(&mut seed, 3), random_map(&mut seed, 3));
            let merge = next(&mut seed).is_multiple_of(2);
            let src_before = y(&src);
            // What Helm does: copy the defaults, drop their nulls, coalesce the copy.
            let (want_dst, copy) = (deep_copy_map(&dst), deep_copy_map(&src));
            if !merge {
                clean_nil_values(&copy);
            }
            let mut want_w = Vec::new();
            coalesce_tables_full_key(&want_dst, &copy, "p", merge, &mut want_w);
            let mut got_w = Vec::new();
            coalesce_defaults_into(&dst, &src, "p", merge, &mut got_w);
            assert_eq!(y(&dst), y(&want_dst), "merge={merge}");
            assert_eq!(got_w, want_w);
            assert_eq!(y(&src), src_before);
        }
    }

    #[test]
    fn inputs_are_not_modified() {
        let defaults = m("a: {b: 1}\n");
        let user = m("a: {c: 2}\n");
        let _ = coalesce_values(&defaults, &user, &mut Vec::new());
        assert_eq!(y(&defaults), "a:\n  b: 1");
        assert_eq!(y(&user), "a:\n  c: 2");
    }
}
