//! Presenting stored objects in the requested version, and converting writes back to
//! storage form. Only events differ in shape (core v1 vs events.k8s.io/v1); every other
//! multi-version resource converts like a CRD with strategy `None` (apiVersion only).

use serde_json::{Map, Value, json};

use crate::resources::ResourceType;

/// The stored object as the client asked for it.
pub fn present(rt: &ResourceType, obj: &Value) -> Value {
    let mut out = if rt.group == "events.k8s.io" {
        core_event_to_v1(obj)
    } else {
        obj.clone()
    };
    out["apiVersion"] = json!(rt.api_version());
    out["kind"] = json!(rt.kind);
    out
}

/// A written object converted to storage form.
pub fn to_storage(rt: &ResourceType, obj: Value) -> Value {
    if rt.group == "events.k8s.io" {
        v1_event_to_core(&obj)
    } else {
        obj
    }
}

const RENAMES: &[(&str, &str)] = &[
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("count", "deprecatedCount"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("source", "deprecatedSource"),
];

fn rename(obj: &Value, to_v1: bool) -> Value {
    let Value::Object(m) = obj else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let renamed = RENAMES.iter().find_map(|(core, v1)| {
            if to_v1 && k == core {
                Some(*v1)
            } else if !to_v1 && k == v1 {
                Some(*core)
            } else {
                None
            }
        });
        out.insert(renamed.unwrap_or(k).to_string(), v.clone());
    }
    Value::Object(out)
}

fn core_event_to_v1(obj: &Value) -> Value {
    let mut out = rename(obj, true);
    if out.get("reportingController").is_none()
        && let Some(c) = obj.pointer("/source/component")
    {
        out["reportingController"] = c.clone();
    }
    if out.get("eventTime").is_none() {
        out["eventTime"] = Value::Null;
    }
    out
}

fn v1_event_to_core(obj: &Value) -> Value {
    rename(obj, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::builtin_types;

    #[test]
    fn events_convert_both_ways() {
        let types = builtin_types();
        let v1 = types.iter().find(|t| t.group == "events.k8s.io").unwrap();
        let core = json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
            "involvedObject": {"name": "p"}, "message": "boom", "reason": "BackOff",
            "source": {"component": "kubelet"}});
        let shown = present(v1, &core);
        assert_eq!(shown["apiVersion"], "events.k8s.io/v1");
        assert_eq!(shown["regarding"]["name"], "p");
        assert_eq!(shown["note"], "boom");
        assert_eq!(shown["reportingController"], "kubelet");
        let back = to_storage(v1, shown);
        assert_eq!(back["involvedObject"]["name"], "p");
        assert_eq!(back["message"], "boom");
    }
}
