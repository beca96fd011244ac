//! Server-side apply and `metadata.managedFields` tracking.
//!
//! Field sets are computed from the objects themselves: maps recurse, lists of built-in
//! types with known keys (containers by name, ports by port/containerPort+protocol, ...)
//! are associative, every other list is atomic (as for CRDs without list-type markers).
//! Simplifications compared with the real server: no schema-driven defaulting of list
//! keys; an Update manager's set is the set of fields it changed; conflicts are reported
//! for fields owned by another manager whose value differs from the applied one, and
//! `force` transfers those fields.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::patch::ssa_list_keys;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElem {
    /// `f:name`
    Field(String),
    /// `k:{"name":"x"}` — the key object as JSON text.
    Key(String),
}

pub type FieldPath = Vec<PathElem>;
pub type FieldSet = BTreeSet<FieldPath>;

/// Metadata fields the server owns; never part of a manager's set.
const SYSTEM_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "generateName",
];

/// The fields an object sets. `crd` makes every list atomic.
pub fn fields_of(obj: &Value, crd: bool) -> FieldSet {
    let mut set = FieldSet::new();
    if let Value::Object(m) = obj {
        for (k, v) in m {
            if k == "apiVersion" || k == "kind" {
                continue;
            }
            if k == "metadata" {
                if let Value::Object(md) = v {
                    for (mk, mv) in md {
                        if SYSTEM_META.contains(&mk.as_str()) {
                            continue;
                        }
                        let p = vec![
                            PathElem::Field("metadata".into()),
                            PathElem::Field(mk.clone()),
                        ];
                        walk(mv, p, mk, crd, &mut set);
                    }
                }
                continue;
            }
            walk(v, vec![PathElem::Field(k.clone())], k, crd, &mut set);
        }
    }
    set
}

fn list_keys(field: &str, items: &[Value], crd: bool) -> Option<&'static [&'static str]> {
    if crd || items.is_empty() || !items.iter().all(Value::is_object) {
        return None;
    }
    ssa_list_keys(field, items.first())
}

/// The key of an associative list item: its key fields present, in key order.
fn item_key(item: &Value, keys: &[&str]) -> String {
    let mut m = Map::new();
    for k in keys {
        if let Some(v) = item.get(*k) {
            m.insert((*k).to_string(), v.clone());
        }
    }
    Value::Object(m).to_string()
}

fn walk(v: &Value, path: FieldPath, field: &str, crd: bool, set: &mut FieldSet) {
    if path.len() > crate::patch::MAX_DEPTH {
        set.insert(path);
        return;
    }
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, c) in m {
                let mut p = path.clone();
                p.push(PathElem::Field(k.clone()));
                walk(c, p, k, crd, set);
            }
        }
        Value::Array(items) => match list_keys(field, items, crd) {
            Some(keys) => {
                for item in items {
                    let mut ip = path.clone();
                    ip.push(PathElem::Key(item_key(item, keys)));
                    set.insert(ip.clone());
                    if let Value::Object(im) = item {
                        for (k, c) in im {
                            let mut p = ip.clone();
                            p.push(PathElem::Field(k.clone()));
                            walk(c, p, k, crd, set);
                        }
                    }
                }
            }
            None => {
                set.insert(path);
            }
        },
        _ => {
            set.insert(path);
        }
    }
}

fn elem_str(e: &PathElem) -> String {
    match e {
        PathElem::Field(f) => format!("f:{f}"),
        PathElem::Key(k) => format!("k:{k}"),
    }
}

/// Renders a set as `fieldsV1`.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Value::Object(Map::new());
    for path in set {
        // In sorted order, a path's descendants directly follow it.
        let has_children = set
            .range::<FieldPath, _>((std::ops::Bound::Excluded(path), std::ops::Bound::Unbounded))
            .next()
            .is_some_and(|next| next.len() > path.len() && next[..path.len()] == path[..]);
        let mut node = &mut root;
        for e in path {
            let Value::Object(m) = node else { break };
            node = m.entry(elem_str(e)).or_insert_with(|| json!({}));
        }
        if has_children && let Value::Object(m) = node {
            m.insert(".".into(), json!({}));
        }
    }
    root
}

/// Parses `fieldsV1` into a set (bounded depth).
pub fn from_fields_v1(v: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    let mut stack: Vec<(&Value, FieldPath)> = vec![(v, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        let Value::Object(m) = node else { continue };
        if path.len() > crate::patch::MAX_DEPTH {
            continue;
        }
        for (k, child) in m {
            if k == "." {
                set.insert(path.clone());
                continue;
            }
            let elem = if let Some(f) = k.strip_prefix("f:") {
                PathElem::Field(f.to_string())
            } else if let Some(key) = k.strip_prefix("k:") {
                // Canonicalise so keys written by other servers compare equal to ours.
                match serde_json::from_str::<Value>(key) {
                    Ok(kv) => PathElem::Key(kv.to_string()),
                    Err(_) => PathElem::Key(key.to_string()),
                }
            } else {
                PathElem::Field(k.clone())
            };
            let mut p = path.clone();
            p.push(elem);
            match child {
                Value::Object(cm) if !cm.is_empty() => stack.push((child, p)),
                _ => {
                    set.insert(p);
                }
            }
        }
    }
    set
}

fn key_matches(item: &Value, key: &str) -> bool {
    let Ok(Value::Object(km)) = serde_json::from_str::<Value>(key) else {
        return false;
    };
    km.iter().all(|(k, v)| item.get(k) == Some(v))
}

/// Whether a path's value differs between two objects. Associative list items (object
/// values) differ only by presence: their fields are compared as paths of their own.
fn differs(a: &Value, b: &Value, p: &FieldPath) -> bool {
    match (value_at(a, p), value_at(b, p)) {
        (Some(Value::Object(_)), Some(Value::Object(_)))
            if matches!(p.last(), Some(PathElem::Key(_))) =>
        {
            false
        }
        (x, y) => x != y,
    }
}

/// The value at a path, if present.
pub fn value_at<'a>(obj: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    let mut cur = obj;
    for e in path {
        cur = match e {
            PathElem::Field(f) => cur.get(f)?,
            PathElem::Key(k) => cur.as_array()?.iter().find(|i| key_matches(i, k))?,
        };
    }
    Some(cur)
}

/// Removes the value at a path (a map entry or an associative list item).
pub fn remove_at(obj: &mut Value, path: &FieldPath) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut cur = obj;
    for e in parent_path {
        let next = match e {
            PathElem::Field(f) => cur.get_mut(f),
            PathElem::Key(k) => cur
                .as_array_mut()
                .and_then(|a| a.iter_mut().find(|i| key_matches(i, k))),
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    match last {
        PathElem::Field(f) => {
            if let Value::Object(m) = cur {
                m.shift_remove(f);
            }
        }
        PathElem::Key(k) => {
            if let Value::Array(a) = cur {
                a.retain(|i| !key_matches(i, k));
            }
        }
    }
}

/// Merges an applied configuration into the live object: maps recurse, associative lists
/// merge by key, everything else is replaced.
pub fn apply_merge(live: &mut Value, applied: &Value, field: &str, crd: bool, depth: usize) {
    match (live, applied) {
        (Value::Object(lm), Value::Object(am)) if depth < crate::patch::MAX_DEPTH => {
            for (k, av) in am {
                if av.is_null() {
                    lm.shift_remove(k);
                    continue;
                }
                match lm.get_mut(k) {
                    Some(lv) => apply_merge(lv, av, k, crd, depth + 1),
                    None => {
                        lm.insert(k.clone(), av.clone());
                    }
                }
            }
        }
        (Value::Array(ll), Value::Array(al)) => match list_keys(field, al, crd) {
            Some(keys) if ll.iter().all(Value::is_object) => {
                for item in al {
                    let key = item_key(item, keys);
                    match ll.iter_mut().find(|i| key_matches(i, &key)) {
                        Some(li) => apply_merge(li, item, field, crd, depth + 1),
                        None => ll.push(item.clone()),
                    }
                }
            }
            _ => *ll = al.clone(),
        },
        (l, a) => *l = a.clone(),
    }
}

/// One `managedFields` entry.
#[derive(Clone, Debug)]
pub struct ManagedEntry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: String,
    pub subresource: Option<String>,
    pub set: FieldSet,
}

pub fn read_managed(obj: &Value) -> Vec<ManagedEntry> {
    let Some(list) = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|e| {
            let s = |f: &str| {
                e.get(f)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            ManagedEntry {
                manager: s("manager"),
                operation: s("operation"),
                api_version: s("apiVersion"),
                time: s("time"),
                subresource: e
                    .get("subresource")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                set: e.get("fieldsV1").map(from_fields_v1).unwrap_or_default(),
            }
        })
        .collect()
}

pub fn write_managed(obj: &mut Value, entries: &[ManagedEntry]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.set.is_empty())
        .map(|e| {
            let mut v = json!({
                "manager": e.manager,
                "operation": e.operation,
                "apiVersion": e.api_version,
                "time": e.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&e.set),
            });
            if let Some(s) = &e.subresource {
                v["subresource"] = Value::String(s.clone());
            }
            v
        })
        .collect();
    if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        if list.is_empty() {
            md.shift_remove("managedFields");
        } else {
            md.insert("managedFields".into(), Value::Array(list));
        }
    }
}

/// A field owned by another manager with a different value.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    pub manager: String,
    pub api_version: String,
    pub field: String,
}

/// `.spec.containers[name="a"].image`, as the real server words conflict fields.
pub fn path_display(p: &FieldPath) -> String {
    let mut s = String::new();
    for e in p {
        match e {
            PathElem::Field(f) => {
                s.push('.');
                s.push_str(f);
            }
            PathElem::Key(k) => {
                let inner = serde_json::from_str::<Value>(k)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                s.push_str(&format!("[{inner}]"));
            }
        }
    }
    s
}

/// What an apply request asks for.
pub struct ApplyRequest<'a> {
    pub manager: &'a str,
    pub force: bool,
    pub crd: bool,
    pub api_version: &'a str,
    pub subresource: Option<&'a str>,
    pub now: &'a str,
}

/// Server-side apply of `applied` onto `live` (or onto an empty object).
/// Returns the merged object with updated managedFields, or the conflicts.
pub fn apply(
    live: Option<&Value>,
    applied: &Value,
    req: &ApplyRequest,
) -> Result<Value, Vec<Conflict>> {
    let base = live.cloned().unwrap_or_else(|| json!({"metadata": {}}));
    let mut entries = read_managed(&base);
    let applied_set = fields_of(applied, req.crd);
    let mine = |e: &ManagedEntry| {
        e.manager == req.manager
            && e.operation == "Apply"
            && e.subresource.as_deref() == req.subresource
    };
    let mut conflicts = Vec::new();
    let mut contested: FieldSet = FieldSet::new();
    for e in entries.iter().filter(|e| !mine(e)) {
        for p in applied_set.intersection(&e.set) {
            if differs(&base, applied, p) {
                contested.insert(p.clone());
                conflicts.push(Conflict {
                    manager: e.manager.clone(),
                    api_version: e.api_version.clone(),
                    field: path_display(p),
                });
            }
        }
    }
    if !req.force && !conflicts.is_empty() {
        return Err(conflicts);
    }
    let mut out = base.clone();
    let mut applied_body = applied.clone();
    if let Some(md) = applied_body
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
    {
        md.shift_remove("managedFields");
        md.shift_remove("resourceVersion");
    }
    apply_merge(&mut out, &applied_body, "", req.crd, 0);
    // Fields this manager applied before but no longer does are removed, unless someone
    // else also owns them.
    let previous: FieldSet = entries
        .iter()
        .filter(|e| mine(e))
        .flat_map(|e| e.set.iter().cloned())
        .collect();
    for p in previous.difference(&applied_set) {
        let shared = entries.iter().any(|e| !mine(e) && e.set.contains(p));
        if shared {
            continue;
        }
        remove_at(&mut out, p);
        // Containers emptied by the removal go too (as an omitempty field would), unless
        // someone owns them as a value.
        for i in (1..p.len()).rev() {
            let prefix: FieldPath = p[..i].to_vec();
            let empty = value_at(&out, &prefix).is_some_and(|v| {
                v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(Map::is_empty)
            });
            let owned =
                applied_set.contains(&prefix) || entries.iter().any(|e| e.set.contains(&prefix));
            if !empty || owned {
                break;
            }
            remove_at(&mut out, &prefix);
        }
    }
    for e in entries.iter_mut().filter(|e| !mine(e)) {
        e.set.retain(|p| !contested.contains(p));
    }
    // An apply that changes nothing keeps its timestamp, so the object stays unchanged.
    let time = entries
        .iter()
        .find(|e| mine(e) && e.set == applied_set && e.api_version == req.api_version)
        .map(|e| e.time.clone())
        .unwrap_or_else(|| req.now.to_string());
    let pos = entries.iter().position(&mine);
    entries.retain(|e| !mine(e));
    let entry = ManagedEntry {
        manager: req.manager.to_string(),
        operation: "Apply".into(),
        api_version: req.api_version.to_string(),
        time,
        subresource: req.subresource.map(str::to_string),
        set: applied_set,
    };
    // Keep the entry's position so a no-op apply leaves managedFields identical.
    match pos {
        Some(i) if i <= entries.len() => entries.insert(i, entry),
        _ => entries.push(entry),
    }
    write_managed(&mut out, &entries);
    Ok(out)
}

/// Records an Update (PUT/PATCH/POST) by `manager`: it owns the fields it changed.
pub fn track_update(
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    api_version: &str,
    subresource: Option<&str>,
    crd: bool,
    now: &str,
) {
    let null = Value::Null;
    let old_v = old.unwrap_or(&null);
    let old_set = fields_of(old_v, crd);
    let new_set = fields_of(new, crd);
    let changed: FieldSet = new_set
        .iter()
        .filter(|p| differs(old_v, new, p))
        .cloned()
        .collect();
    let removed: FieldSet = old_set.difference(&new_set).cloned().collect();
    // The entries to update are those `new` carries: the caller put there the live ones,
    // or the ones the client sent in place of them.
    let mut entries = read_managed(new);
    if changed.is_empty() && removed.is_empty() {
        write_managed(new, &entries);
        return;
    }
    for e in entries.iter_mut() {
        e.set
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    let pos = entries.iter().position(|e| {
        e.manager == manager && e.operation == "Update" && e.subresource.as_deref() == subresource
    });
    match pos {
        Some(i) => {
            entries[i].set.extend(changed);
            entries[i].time = now.to_string();
            entries[i].api_version = api_version.to_string();
        }
        None => entries.push(ManagedEntry {
            manager: manager.to_string(),
            operation: "Update".into(),
            api_version: api_version.to_string(),
            time: now.to_string(),
            subresource: subresource.map(str::to_string),
            set: changed,
        }),
    }
    write_managed(new, &entries);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(manager: &'a str, force: bool) -> ApplyRequest<'a> {
        ApplyRequest {
            manager,
            force,
            crd: false,
            api_version: "apps/v1",
            subresource: None,
            now: "2024-01-01T00:00:00Z",
        }
    }

    fn deploy(image: &str, extra_label: bool) -> Value {
        let mut labels = json!({"app": "x"});
        if extra_label {
            labels["extra"] = json!("1");
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "x", "namespace": "default", "labels": labels},
               "spec": {"replicas": 2, "template": {"spec": {"containers": [
                   {"name": "app", "image": image, "ports": [{"containerPort": 80}]}]}}}})
    }

    #[test]
    fn fields_v1_round_trip() {
        let set = fields_of(&deploy("nginx", true), false);
        let v = to_fields_v1(&set);
        assert!(
            v["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]["."]
                .is_object()
        );
        assert!(v["f:metadata"]["f:labels"]["f:app"].is_object());
        assert!(v.get("f:apiVersion").is_none());
        assert_eq!(from_fields_v1(&v), set);
    }

    #[test]
    fn apply_removes_fields_no_longer_applied() {
        let first = apply(None, &deploy("nginx:1", true), &req("capstan", true)).unwrap();
        assert_eq!(first["metadata"]["labels"]["extra"], "1");
        let second = apply(
            Some(&first),
            &deploy("nginx:2", false),
            &req("capstan", true),
        )
        .unwrap();
        assert!(second["metadata"]["labels"].get("extra").is_none());
        assert_eq!(
            second["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:2"
        );
        assert_eq!(
            second["metadata"]["managedFields"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn conflicts_between_managers() {
        let first = apply(None, &deploy("nginx:1", false), &req("a", false)).unwrap();
        let err = apply(Some(&first), &deploy("nginx:2", false), &req("b", false)).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].manager, "a");
        assert!(err[0].field.contains("image"), "{}", err[0].field);
        // Same values: shared ownership, no conflict.
        let shared = apply(Some(&first), &deploy("nginx:1", false), &req("b", false)).unwrap();
        assert_eq!(
            shared["metadata"]["managedFields"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // Force takes the contested field.
        let forced = apply(Some(&first), &deploy("nginx:2", false), &req("b", true)).unwrap();
        let a = read_managed(&forced)
            .into_iter()
            .find(|e| e.manager == "a")
            .unwrap();
        assert!(!a.set.iter().any(|p| path_display(p).ends_with(".image")));
    }

    #[test]
    fn update_takes_changed_fields() {
        let first = apply(None, &deploy("nginx:1", false), &req("capstan", true)).unwrap();
        let mut edited = first.clone();
        edited["spec"]["replicas"] = json!(5);
        track_update(
            Some(&first),
            &mut edited,
            "kubectl-scale",
            "apps/v1",
            None,
            false,
            "t",
        );
        let entries = read_managed(&edited);
        assert_eq!(entries.len(), 2);
        let scale = entries
            .iter()
            .find(|e| e.manager == "kubectl-scale")
            .unwrap();
        assert_eq!(scale.set.len(), 1);
        // Re-applying replicas=2 now conflicts with kubectl-scale.
        let err = apply(
            Some(&edited),
            &deploy("nginx:1", false),
            &req("capstan", false),
        )
        .unwrap_err();
        assert_eq!(err[0].field, ".spec.replicas");
    }

    #[test]
    fn remove_and_value_at_lists() {
        let mut d = deploy("nginx", false);
        let p = vec![
            PathElem::Field("spec".into()),
            PathElem::Field("template".into()),
            PathElem::Field("spec".into()),
            PathElem::Field("containers".into()),
            PathElem::Key("{\"name\":\"app\"}".into()),
            PathElem::Field("image".into()),
        ];
        assert_eq!(value_at(&d, &p), Some(&json!("nginx")));
        remove_at(&mut d, &p[..5].to_vec());
        assert_eq!(d["spec"]["template"]["spec"]["containers"], json!([]));
    }
}
