//! `meta.k8s.io/v1` Table responses, which `kubectl get` asks for, with the columns
//! kubectl users expect for the common kinds.

use serde_json::{Value, json};

use super::Req;
use crate::resources::ResourceType;
use crate::time::human_age;

pub fn wants_table(r: &Req) -> bool {
    r.header("accept")
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
        || r.header("accept").contains("as=Table;v=v1;g=meta.k8s.io")
}

fn s(v: &Value, ptr: &str) -> String {
    match v.pointer(ptr) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn n(v: &Value, ptr: &str) -> i64 {
    v.pointer(ptr).and_then(Value::as_i64).unwrap_or(0)
}

fn age(v: &Value) -> String {
    human_age(&s(v, "/metadata/creationTimestamp"))
}

fn or_none(x: String) -> String {
    if x.is_empty() { "<none>".into() } else { x }
}

/// Column names and cells for one object of a kind.
fn columns(rt: &ResourceType) -> Vec<&'static str> {
    match rt.kind.as_str() {
        "Pod" => vec!["Name", "Ready", "Status", "Restarts", "Age"],
        "Deployment" => vec!["Name", "Ready", "Up-to-date", "Available", "Age"],
        "StatefulSet" => vec!["Name", "Ready", "Age"],
        "ReplicaSet" => vec!["Name", "Desired", "Current", "Ready", "Age"],
        "DaemonSet" => vec![
            "Name",
            "Desired",
            "Current",
            "Ready",
            "Up-to-date",
            "Available",
            "Age",
        ],
        "Job" => vec!["Name", "Status", "Completions", "Age"],
        "Service" => vec![
            "Name",
            "Type",
            "Cluster-IP",
            "External-IP",
            "Port(s)",
            "Age",
        ],
        "ConfigMap" => vec!["Name", "Data", "Age"],
        "Secret" => vec!["Name", "Type", "Data", "Age"],
        "Namespace" => vec!["Name", "Status", "Age"],
        "Node" => vec!["Name", "Status", "Roles", "Age", "Version"],
        "PersistentVolumeClaim" => vec![
            "Name",
            "Status",
            "Volume",
            "Capacity",
            "Access Modes",
            "Age",
        ],
        "Event" => vec!["Last Seen", "Type", "Reason", "Object", "Message"],
        "CustomResourceDefinition" => vec!["Name", "Created At"],
        _ => vec!["Name", "Age"],
    }
}

fn cells(rt: &ResourceType, o: &Value) -> Vec<Value> {
    let name = json!(s(o, "/metadata/name"));
    match rt.kind.as_str() {
        "Pod" => {
            let cs = o
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = o
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let ready = cs
                .iter()
                .filter(|c| c.get("ready") == Some(&json!(true)))
                .count();
            let restarts: i64 = cs
                .iter()
                .map(|c| c.get("restartCount").and_then(Value::as_i64).unwrap_or(0))
                .sum();
            let reason = cs
                .iter()
                .find_map(|c| {
                    c.pointer("/state/waiting/reason")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .or_else(|| {
                    cs.iter().find_map(|c| {
                        c.pointer("/state/terminated/reason")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                })
                .unwrap_or_else(|| s(o, "/status/phase"));
            vec![
                name,
                json!(format!("{ready}/{total}")),
                json!(reason),
                json!(restarts),
                json!(age(o)),
            ]
        }
        "Deployment" => vec![
            name,
            json!(format!(
                "{}/{}",
                n(o, "/status/readyReplicas"),
                n(o, "/spec/replicas")
            )),
            json!(n(o, "/status/updatedReplicas")),
            json!(n(o, "/status/availableReplicas")),
            json!(age(o)),
        ],
        "StatefulSet" => vec![
            name,
            json!(format!(
                "{}/{}",
                n(o, "/status/readyReplicas"),
                n(o, "/spec/replicas")
            )),
            json!(age(o)),
        ],
        "ReplicaSet" => vec![
            name,
            json!(n(o, "/spec/replicas")),
            json!(n(o, "/status/replicas")),
            json!(n(o, "/status/readyReplicas")),
            json!(age(o)),
        ],
        "DaemonSet" => vec![
            name,
            json!(n(o, "/status/desiredNumberScheduled")),
            json!(n(o, "/status/currentNumberScheduled")),
            json!(n(o, "/status/numberReady")),
            json!(n(o, "/status/updatedNumberScheduled")),
            json!(n(o, "/status/numberAvailable")),
            json!(age(o)),
        ],
        "Job" => {
            let conds = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let has = |t: &str| {
                conds.iter().any(|c| {
                    c.get("type") == Some(&json!(t)) && c.get("status") == Some(&json!("True"))
                })
            };
            let status = if has("Complete") {
                "Complete"
            } else if has("Failed") {
                "Failed"
            } else {
                "Running"
            };
            vec![
                name,
                json!(status),
                json!(format!(
                    "{}/{}",
                    n(o, "/status/succeeded"),
                    o.pointer("/spec/completions")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                )),
                json!(age(o)),
            ]
        }
        "Service" => {
            let ext = o
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|i| i.get("ip").and_then(Value::as_str))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| {
                    if s(o, "/spec/type") == "LoadBalancer" {
                        "<pending>".into()
                    } else {
                        "<none>".into()
                    }
                });
            let ports = o
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let np = p
                                .get("nodePort")
                                .and_then(Value::as_i64)
                                .map(|x| format!(":{x}"))
                                .unwrap_or_default();
                            format!(
                                "{}{np}/{}",
                                s(p, "/port"),
                                p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                name,
                json!(s(o, "/spec/type")),
                json!(or_none(s(o, "/spec/clusterIP"))),
                json!(ext),
                json!(or_none(ports)),
                json!(age(o)),
            ]
        }
        "ConfigMap" => {
            let count = o
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
                + o.get("binaryData")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
            vec![name, json!(count), json!(age(o))]
        }
        "Secret" => {
            let count = o
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len());
            vec![name, json!(s(o, "/type")), json!(count), json!(age(o))]
        }
        "Namespace" => vec![name, json!(s(o, "/status/phase")), json!(age(o))],
        "Node" => {
            let ready = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c.get("type") == Some(&json!("Ready"))
                            && c.get("status") == Some(&json!("True"))
                    })
                });
            let roles = o
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .map(|l| {
                    l.keys()
                        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                name,
                json!(if ready { "Ready" } else { "NotReady" }),
                json!(or_none(roles)),
                json!(age(o)),
                json!(s(o, "/status/nodeInfo/kubeletVersion")),
            ]
        }
        "PersistentVolumeClaim" => {
            let modes = o
                .pointer("/status/accessModes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|m| match m {
                            "ReadWriteOnce" => "RWO",
                            "ReadOnlyMany" => "ROX",
                            "ReadWriteMany" => "RWX",
                            "ReadWriteOncePod" => "RWOP",
                            x => x,
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            vec![
                name,
                json!(s(o, "/status/phase")),
                json!(s(o, "/spec/volumeName")),
                json!(s(o, "/status/capacity/storage")),
                json!(modes),
                json!(age(o)),
            ]
        }
        "Event" => {
            let last = {
                let l = s(o, "/lastTimestamp");
                if l.is_empty() {
                    s(o, "/metadata/creationTimestamp")
                } else {
                    l
                }
            };
            let obj = format!(
                "{}/{}",
                s(o, "/involvedObject/kind").to_ascii_lowercase(),
                s(o, "/involvedObject/name")
            );
            vec![
                json!(human_age(&last)),
                json!(s(o, "/type")),
                json!(s(o, "/reason")),
                json!(obj),
                json!(s(o, "/message")),
            ]
        }
        "CustomResourceDefinition" => vec![name, json!(s(o, "/metadata/creationTimestamp"))],
        _ => {
            let mut c = vec![name];
            for (_, _, path) in &rt.printer_columns {
                c.push(json!(jsonpath_simple(o, path)));
            }
            c.push(json!(age(o)));
            c
        }
    }
}

/// `.status.phase` style JSONPath (plain field chains only).
fn jsonpath_simple(o: &Value, path: &str) -> String {
    let ptr: String = path
        .trim_start_matches('.')
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| format!("/{p}"))
        .collect();
    s(o, &ptr)
}

/// Builds a Table for `items`. `headers` is false for watch events after the first.
pub fn table(rt: &ResourceType, items: &[Value], rv: u64, r: &Req, headers: bool) -> Value {
    let mut names: Vec<String> = columns(rt).iter().map(|c| c.to_string()).collect();
    let mut types: Vec<String> = names.iter().map(|_| "string".to_string()).collect();
    if names == ["Name", "Age"] && !rt.printer_columns.is_empty() {
        names = vec!["Name".into()];
        types = vec!["string".into()];
        for (n, t, _) in &rt.printer_columns {
            names.push(n.clone());
            types.push(t.clone());
        }
        names.push("Age".into());
        types.push("date".into());
    }
    let defs: Vec<Value> = names
        .iter()
        .zip(types.iter())
        .map(|(n, t)| {
            let format = if n == "Name" { "name" } else { "" };
            json!({"name": n, "type": t, "format": format, "description": n, "priority": 0})
        })
        .collect();
    let include = r.q("includeObject").unwrap_or("Metadata");
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let mut row = json!({"cells": cells(rt, o)});
            match include {
                "None" => {}
                "Object" => row["object"] = o.clone(),
                _ => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": o.get("metadata").cloned().unwrap_or(json!({})),
                    })
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": if headers { Value::Array(defs) } else { Value::Array(Vec::new()) },
        "rows": rows,
    })
}
