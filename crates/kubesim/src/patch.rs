//! Patch formats: JSON merge patch (RFC 7386), strategic merge patch (with the well-known
//! patch merge keys of built-in types) and JSON patch (RFC 6902).

use serde_json::{Map, Value};

/// Deepest nesting a patch may have; bounds recursion on untrusted input.
pub const MAX_DEPTH: usize = 64;

/// The merge key of a list field of a built-in type, for strategic merge patch.
/// `sample` is one item, to tell container ports from service ports.
pub fn smp_merge_key(field: &str, sample: Option<&Value>) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "ports" => match sample {
            Some(s) if s.get("containerPort").is_some() => Some("containerPort"),
            _ => Some("port"),
        },
        _ => None,
    }
}

/// The key fields of an associative list for server-side apply (built-in types).
pub fn ssa_list_keys(field: &str, sample: Option<&Value>) -> Option<&'static [&'static str]> {
    match field {
        "ports" => match sample {
            Some(s) if s.get("containerPort").is_some() => Some(&["containerPort", "protocol"]),
            _ => Some(&["port", "protocol"]),
        },
        "topologySpreadConstraints" => Some(&["topologyKey", "whenUnsatisfiable"]),
        other => match smp_merge_key(other, sample)? {
            "name" => Some(&["name"]),
            "mountPath" => Some(&["mountPath"]),
            "devicePath" => Some(&["devicePath"]),
            "ip" => Some(&["ip"]),
            "type" => Some(&["type"]),
            "uid" => Some(&["uid"]),
            _ => None,
        },
    }
}

/// Lists of scalars that strategic merge patch unions instead of replacing.
fn smp_primitive_merge(field: &str) -> bool {
    field == "finalizers"
}

/// Nesting depth of a JSON value (iterative, so arbitrarily deep input cannot overflow).
pub fn depth(v: &Value) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    max
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(pm) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(tm) = target {
        for (k, pv) in pm {
            if pv.is_null() {
                tm.shift_remove(k);
            } else {
                merge_patch(tm.entry(k.clone()).or_insert(Value::Null), pv);
            }
        }
    }
}

/// Removes `$`-directives from a value inserted by a strategic merge patch.
fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| i.get("$patch").is_none())
                .map(strip_directives)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Strategic merge patch for built-in types.
pub fn strategic_merge_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    if depth(patch) > MAX_DEPTH {
        return Err("patch nests too deeply".into());
    }
    smp_value(target, patch);
    Ok(())
}

fn smp_value(target: &mut Value, patch: &Value) {
    let Value::Object(pm) = patch else {
        *target = strip_directives(patch);
        return;
    };
    if pm.get("$patch").and_then(Value::as_str) == Some("replace") {
        *target = strip_directives(patch);
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(tm) = target else { return };
    if let Some(keep) = pm.get("$retainKeys").and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        tm.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (k, pv) in pm {
        if k == "$patch" || k == "$retainKeys" || k.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(del)) = (tm.get_mut(field), pv.as_array()) {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        if pv.is_null() {
            tm.shift_remove(k);
            continue;
        }
        match pv {
            Value::Object(inner) => {
                if inner.get("$patch").and_then(Value::as_str) == Some("delete") {
                    tm.shift_remove(k);
                } else {
                    smp_value(tm.entry(k.clone()).or_insert(Value::Null), pv);
                }
            }
            Value::Array(items) => {
                let sample = items.iter().find(|i| i.is_object());
                let key = smp_merge_key(k, sample);
                let cur = tm.entry(k.clone()).or_insert(Value::Array(Vec::new()));
                if !cur.is_array() {
                    *cur = Value::Array(Vec::new());
                }
                if let (Some(key), Value::Array(list)) = (key, &mut *cur)
                    && items.iter().all(Value::is_object)
                {
                    smp_merge_list(list, items, key);
                    continue;
                }
                if smp_primitive_merge(k)
                    && let Value::Array(list) = cur
                {
                    for i in items {
                        if !list.contains(i) {
                            list.push(i.clone());
                        }
                    }
                    continue;
                }
                *cur = strip_directives(pv);
            }
            _ => {
                tm.insert(k.clone(), pv.clone());
            }
        }
    }
}

fn smp_merge_list(list: &mut Vec<Value>, items: &[Value], key: &str) {
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *list = items
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(strip_directives)
            .collect();
        return;
    }
    for item in items {
        let kv = item.get(key);
        let pos = kv.and_then(|kv| list.iter().position(|x| x.get(key) == Some(kv)));
        let directive = item.get("$patch").and_then(Value::as_str);
        match (pos, directive) {
            (Some(p), Some("delete")) => {
                list.remove(p);
            }
            (None, Some("delete")) => {}
            (Some(p), _) => smp_value(&mut list[p], item),
            (None, _) => list.push(strip_directives(item)),
        }
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let ops: json_patch::Patch =
        serde_json::from_value(patch.clone()).map_err(|e| format!("invalid JSON patch: {e}"))?;
    json_patch::patch(target, &ops.0).map_err(|e| format!("JSON patch failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_rfc7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1, 2]});
        merge_patch(&mut t, &json!({"a": [3]}));
        assert_eq!(t, json!({"a": [3]}));
    }

    #[test]
    fn smp_merges_containers_by_name() {
        let mut t = json!({"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}]}});
        strategic_merge_patch(
            &mut t,
            &json!({"spec": {"containers": [
                {"name": "a", "image": "a:2", "env": [{"name": "Y", "value": "2"}]},
                {"name": "c", "image": "c:1"},
                {"name": "b", "$patch": "delete"}],
                "$setElementOrder/containers": [{"name": "a"}, {"name": "c"}]}}),
        )
        .unwrap();
        assert_eq!(
            t,
            json!({"spec": {"containers": [
                {"name": "a", "image": "a:2", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
                {"name": "c", "image": "c:1"}]}})
        );
    }

    #[test]
    fn smp_ports_and_directives() {
        let mut t = json!({"spec": {"ports": [{"port": 80, "name": "http"}], "selector": {"a": "1"}},
                           "metadata": {"finalizers": ["x"]}});
        strategic_merge_patch(
            &mut t,
            &json!({"spec": {"ports": [{"port": 443, "name": "https"}, {"port": 80, "targetPort": 8080}],
                             "selector": {"$patch": "replace", "b": "2"}},
                    "metadata": {"finalizers": ["y"], "$deleteFromPrimitiveList/finalizers": ["x"]}}),
        )
        .unwrap();
        assert_eq!(
            t["spec"]["ports"][0],
            json!({"port": 80, "name": "http", "targetPort": 8080})
        );
        assert_eq!(t["spec"]["ports"][1]["port"], 443);
        assert_eq!(t["spec"]["selector"], json!({"b": "2"}));
        assert_eq!(t["metadata"]["finalizers"], json!(["y"]));
    }

    #[test]
    fn json_patch_ops() {
        let mut t = json!({"metadata": {"labels": {"a": "1"}}});
        json_patch(
            &mut t,
            &json!([{"op": "add", "path": "/metadata/labels/b", "value": "2"},
                    {"op": "remove", "path": "/metadata/labels/a"}]),
        )
        .unwrap();
        assert_eq!(t, json!({"metadata": {"labels": {"b": "2"}}}));
        assert!(json_patch(&mut t, &json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(json_patch(&mut t, &json!({"op": "bad"})).is_err());
    }

    #[test]
    fn depth_is_iterative() {
        let mut v = json!(1);
        for _ in 0..100_000 {
            v = Value::Array(vec![v]);
        }
        assert_eq!(depth(&v), 100_001);
        // Dropping deeply nested serde_json values recurses; leak-free manual teardown.
        let mut cur = v;
        while let Value::Array(mut a) = cur {
            cur = a.pop().unwrap_or(Value::Null);
        }
    }
}
