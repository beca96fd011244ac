//! Defaulting on create, the part of the real server's defaulting that clients notice:
//! Service cluster IPs and node ports, namespace phase and name label, workload replicas,
//! protocol defaults, CRD acceptance.

use serde_json::{Value, json};

use crate::resources::ResourceType;
use crate::store::Store;

pub fn on_create(store: &Store, rt: &ResourceType, obj: &mut Value) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Namespace") => {
            let name = obj
                .pointer("/metadata/name")
                .cloned()
                .unwrap_or(Value::Null);
            let md = &mut obj["metadata"];
            if !md.get("labels").is_some_and(Value::is_object) {
                md["labels"] = json!({});
            }
            md["labels"]["kubernetes.io/metadata.name"] = name;
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "Service") => service(store, obj),
        ("", "Secret")
            if obj
                .get("type")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty) =>
        {
            obj["type"] = json!("Opaque");
        }
        ("", "PersistentVolumeClaim") => {
            obj["status"] = json!({"phase": "Pending"});
            if obj.pointer("/spec/volumeMode").is_none()
                && obj.get("spec").is_some_and(Value::is_object)
            {
                obj["spec"]["volumeMode"] = json!("Filesystem");
            }
        }
        ("", "Pod") => {
            if obj.get("status").is_none() {
                obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
            }
            container_ports(obj.pointer_mut("/spec"));
        }
        ("apps", "Deployment" | "StatefulSet" | "ReplicaSet") => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut)
                && !spec.contains_key("replicas")
            {
                spec.insert("replicas".into(), json!(1));
            }
            container_ports(obj.pointer_mut("/spec/template/spec"));
        }
        ("apps", "DaemonSet") => container_ports(obj.pointer_mut("/spec/template/spec")),
        ("batch", "Job") => {
            if let Some(spec) = obj.get_mut("spec").and_then(Value::as_object_mut) {
                for (k, v) in [("completions", 1), ("parallelism", 1), ("backoffLimit", 6)] {
                    if !spec.contains_key(k) {
                        spec.insert(k.into(), json!(v));
                    }
                }
            }
            container_ports(obj.pointer_mut("/spec/template/spec"));
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd_status(obj),
        _ => {}
    }
}

/// Defaults applied on every write (like the real server's decode-time defaulting), so
/// a field a manager stops applying comes back with its default.
pub fn on_write(rt: &ResourceType, obj: &mut Value) {
    let set = |obj: &mut Value, ptr: &str, field: &str, v: Value| {
        if let Some(m) = obj.pointer_mut(ptr).and_then(Value::as_object_mut)
            && !m.contains_key(field)
        {
            m.insert(field.to_string(), v);
        }
    };
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("apps", "Deployment") => {
            set(
                obj,
                "/spec",
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
            set(obj, "/spec", "revisionHistoryLimit", json!(10));
            set(obj, "/spec", "progressDeadlineSeconds", json!(600));
        }
        ("apps", "StatefulSet") => {
            set(
                obj,
                "/spec",
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set(obj, "/spec", "podManagementPolicy", json!("OrderedReady"));
            set(obj, "/spec", "revisionHistoryLimit", json!(10));
        }
        ("apps", "DaemonSet") => {
            set(
                obj,
                "/spec",
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
            set(obj, "/spec", "revisionHistoryLimit", json!(10));
        }
        ("", "Secret") => secret_string_data(obj),
        _ => {}
    }
}

/// `stringData` is write-only: merged into `data` (base64) and dropped.
fn secret_string_data(obj: &mut Value) {
    let Some(Value::Object(sd)) = obj
        .as_object_mut()
        .and_then(|m| m.shift_remove("stringData"))
    else {
        return;
    };
    if !obj.get("data").is_some_and(Value::is_object) {
        obj["data"] = json!({});
    }
    for (k, v) in sd {
        let text = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        obj["data"][k] = json!(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            text
        ));
    }
}

/// Values the server allocated keep their values when an update (PUT, replace) leaves
/// them out, like the real Service strategy: cluster IPs, node ports, and the defaults.
pub fn on_update(rt: &ResourceType, old: &Value, new: &mut Value) {
    if !rt.group.is_empty() || rt.kind != "Service" {
        return;
    }
    let Some(old_spec) = old.get("spec").and_then(Value::as_object) else {
        return;
    };
    if !new.get("spec").is_some_and(Value::is_object) {
        new["spec"] = json!({});
    }
    let spec = &mut new["spec"];
    for f in [
        "type",
        "clusterIP",
        "clusterIPs",
        "ipFamilies",
        "ipFamilyPolicy",
        "internalTrafficPolicy",
        "sessionAffinity",
    ] {
        let missing = spec
            .get(f)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""));
        if missing && let Some(v) = old_spec.get(f) {
            spec[f] = v.clone();
        }
    }
    let old_ports = old_spec
        .get("ports")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter(|p| p.is_object()) {
            if p.get("protocol").is_none() {
                p["protocol"] = json!("TCP");
            }
            if p.get("targetPort").is_none()
                && let Some(port) = p.get("port").cloned()
            {
                p["targetPort"] = port;
            }
            if p.get("nodePort").is_none()
                && let Some(np) = old_ports
                    .iter()
                    .find(|o| {
                        o.get("port") == p.get("port") && o.get("protocol") == p.get("protocol")
                    })
                    .and_then(|o| o.get("nodePort"))
            {
                p["nodePort"] = np.clone();
            }
        }
    }
}

fn container_ports(pod_spec: Option<&mut Value>) {
    let Some(spec) = pod_spec else { return };
    for list in ["containers", "initContainers"] {
        let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for c in cs {
            let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in ports {
                if p.is_object() && p.get("protocol").is_none() {
                    p["protocol"] = json!("TCP");
                }
            }
        }
    }
}

fn used_ips(store: &Store) -> Vec<String> {
    store
        .list("", "services", None)
        .filter_map(|(_, s)| {
            s.pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect()
}

fn service(store: &Store, obj: &mut Value) {
    if !obj.get("spec").is_some_and(Value::is_object) {
        obj["spec"] = json!({});
    }
    let spec = &mut obj["spec"];
    if spec.get("type").is_none() {
        spec["type"] = json!("ClusterIP");
    }
    let typ = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if typ != "ExternalName" {
        let ip = match spec.get("clusterIP").and_then(Value::as_str) {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => {
                let used = used_ips(store);
                let mut n: u32 = 10;
                loop {
                    let ip = format!("10.96.{}.{}", n / 250, n % 250 + 1);
                    if !used.contains(&ip) || n > 62_000 {
                        break ip;
                    }
                    n += 1;
                }
            }
        };
        spec["clusterIP"] = json!(ip);
        spec["clusterIPs"] = json!([ip]);
        spec["ipFamilies"] = json!(["IPv4"]);
        spec["ipFamilyPolicy"] = json!("SingleStack");
        spec["internalTrafficPolicy"] = json!("Cluster");
        if spec.get("sessionAffinity").is_none() {
            spec["sessionAffinity"] = json!("None");
        }
    }
    let wants_node_port = typ == "NodePort" || typ == "LoadBalancer";
    let mut next_port = 30_000 + (fastrand::u32(..2000));
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports {
            if !p.is_object() {
                continue;
            }
            if p.get("protocol").is_none() {
                p["protocol"] = json!("TCP");
            }
            if p.get("targetPort").is_none()
                && let Some(port) = p.get("port").cloned()
            {
                p["targetPort"] = port;
            }
            if wants_node_port && p.get("nodePort").is_none() {
                p["nodePort"] = json!(next_port);
                next_port += 1;
            }
        }
    }
    obj["status"] = json!({"loadBalancer": {}});
}

fn crd_status(obj: &mut Value) {
    let names = obj.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let now = crate::time::now_rfc3339();
    let cond = |t: &str, reason: &str, msg: &str| json!({"type": t, "status": "True", "lastTransitionTime": now, "reason": reason, "message": msg});
    let stored: Vec<Value> = obj
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    obj["status"] = json!({
        "acceptedNames": names,
        "storedVersions": stored,
        "conditions": [
            cond("NamesAccepted", "NoConflicts", "no conflicts found"),
            cond("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_get_cluster_ips() {
        let store = Store::new();
        let rt = store.find("", "v1", "services").unwrap().clone();
        let mut svc = json!({"metadata": {"name": "a"}, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}});
        on_create(&store, &rt, &mut svc);
        assert!(
            svc["spec"]["clusterIP"]
                .as_str()
                .unwrap()
                .starts_with("10.96.")
        );
        assert_eq!(svc["spec"]["ports"][0]["protocol"], "TCP");
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], 80);
        assert!(svc["spec"]["ports"][0]["nodePort"].as_u64().unwrap() >= 30_000);
    }

    #[test]
    fn service_updates_keep_allocated_values() {
        let store = Store::new();
        let rt = store.find("", "v1", "services").unwrap().clone();
        let mut old = json!({"metadata": {"name": "a"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
        on_create(&store, &rt, &mut old);
        let mut new = json!({"metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}});
        on_update(&rt, &old, &mut new);
        assert_eq!(new["spec"]["clusterIP"], old["spec"]["clusterIP"]);
        assert_eq!(new["spec"]["type"], "NodePort");
        assert_eq!(
            new["spec"]["ports"][0]["nodePort"],
            old["spec"]["ports"][0]["nodePort"]
        );
    }

    #[test]
    fn crds_become_established() {
        let store = Store::new();
        let rt = store
            .find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
            .unwrap()
            .clone();
        let mut crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"names": {"plural": "widgets", "kind": "Widget"}, "versions": [{"name": "v1", "storage": true}]}});
        on_create(&store, &rt, &mut crd);
        assert_eq!(crd["status"]["conditions"][1]["type"], "Established");
        assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));
    }

    #[test]
    fn secret_string_data_becomes_data() {
        let store = Store::new();
        let rt = store.find("", "v1", "secrets").unwrap().clone();
        let mut s = json!({"metadata": {"name": "a"}, "data": {"x": "eA=="}, "stringData": {"pw": "hunter2"}});
        on_write(&rt, &mut s);
        assert!(s.get("stringData").is_none());
        assert_eq!(s["data"]["pw"], "aHVudGVyMg==");
        assert_eq!(s["data"]["x"], "eA==");
    }
}
