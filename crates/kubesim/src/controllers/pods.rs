//! Pods the simulated controllers own: their spec, their status in each phase, and the
//! kubelet-style events faults produce.

use serde_json::{Map, Value, json};

use super::{FAULT_TICK, Phase};
use crate::config::Fault;
use crate::ops::{self, ManagedOnCreate, UpdateKind, WriteCtx, hashed_suffix};
use crate::store::{ObjKey, Store};
use crate::time::now_rfc3339;

pub const NODE: &str = "kubesim-node";
const MANAGER: &str = "kube-controller-manager";

/// What a pod should look like.
pub struct PodPlan<'a> {
    pub namespace: &'a str,
    pub name: String,
    /// The controller owning the pod; None for a standalone pod (metadata left alone).
    pub owner: Option<&'a Value>,
    pub template: &'a Value,
    pub extra_labels: Vec<(String, String)>,
    /// The state the pod is in.
    pub state: PodState,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PodState {
    Starting,
    Running,
    Faulted(Fault, std::time::Duration),
    Succeeded,
    Failed,
}

impl PodState {
    pub fn from_phase(p: Phase) -> PodState {
        match p {
            Phase::Progressing => PodState::Starting,
            Phase::Ready => PodState::Running,
            Phase::Faulted(Fault::JobFails, _) => PodState::Failed,
            Phase::Faulted(f, d) => PodState::Faulted(f, d),
        }
    }
}

fn owner_ref(owner: &Value) -> Value {
    json!({
        "apiVersion": owner.get("apiVersion"),
        "kind": owner.get("kind"),
        "name": owner.pointer("/metadata/name"),
        "uid": owner.pointer("/metadata/uid"),
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

fn pod_ip(name: &str) -> String {
    let mut h: u32 = 2166136261;
    for b in name.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    format!("10.244.{}.{}", (h >> 8) % 250, h % 250 + 2)
}

fn restart_count(since: std::time::Duration) -> i64 {
    (since.as_millis() / FAULT_TICK.as_millis()).min(999) as i64 + 1
}

/// Creates or updates one pod to match the plan; returns the pod.
pub fn ensure(store: &mut Store, plan: &PodPlan) -> Option<Value> {
    let rt = store.find("", "v1", "pods")?.clone();
    let key = ObjKey::new(&rt, plan.namespace, &plan.name);
    let existing = store.get(&key).cloned();
    let mut labels: Map<String, Value> = plan
        .template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (k, v) in &plan.extra_labels {
        labels.insert(k.clone(), json!(v));
    }
    let annotations = plan.template.pointer("/metadata/annotations").cloned();
    let mut spec = plan.template.get("spec").cloned().unwrap_or(json!({}));
    if !spec.is_object() {
        spec = json!({});
    }
    spec["nodeName"] = json!(NODE);
    for (k, v) in [
        ("restartPolicy", json!("Always")),
        ("schedulerName", json!("default-scheduler")),
        ("dnsPolicy", json!("ClusterFirst")),
        ("terminationGracePeriodSeconds", json!(30)),
        ("serviceAccountName", json!("default")),
    ] {
        if spec.get(k).is_none() {
            spec[k] = v;
        }
    }
    let start_time = existing
        .as_ref()
        .and_then(|p| p.pointer("/status/startTime").cloned())
        .unwrap_or_else(|| json!(now_rfc3339()));
    let old_status = existing.as_ref().and_then(|p| p.get("status").cloned());
    let status = status_for(
        &plan.name,
        plan.namespace,
        &spec,
        plan.state,
        &start_time,
        old_status.as_ref(),
    );
    let mut md = json!({
        "name": plan.name,
        "namespace": plan.namespace,
        "labels": labels,
    });
    if let Some(owner) = plan.owner {
        md["ownerReferences"] = json!([owner_ref(owner)]);
    }
    if let Some(a) = annotations.filter(|a| !a.is_null()) {
        md["annotations"] = a;
    }
    let ctx = WriteCtx::system(MANAGER);
    match existing {
        None => {
            let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec, "status": status});
            ops::create(store, &rt, plan.namespace, pod, &ctx, ManagedOnCreate::None).ok()
        }
        Some(old) => {
            let mut new = old.clone();
            let fields: &[&str] = if plan.owner.is_some() {
                &["labels", "annotations", "ownerReferences"]
            } else {
                &[]
            };
            for f in fields.iter().copied() {
                match md.get(f) {
                    Some(v) => new["metadata"][f] = v.clone(),
                    None => {
                        if let Some(m) = new["metadata"].as_object_mut() {
                            m.shift_remove(f);
                        }
                    }
                }
            }
            new["spec"] = spec;
            new["status"] = status;
            ops::update(store, &rt, &key, &old, new, None, &ctx, UpdateKind::System).ok()
        }
    }
}

/// Keeps an existing condition (and its timestamps) when nothing about it changed.
pub fn condition(
    old: Option<&Value>,
    typ: &str,
    status: &str,
    reason: Option<&str>,
    message: Option<&str>,
    update_time: bool,
) -> Value {
    let prev = old
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(typ))
        });
    let now = now_rfc3339();
    let same_status = prev.is_some_and(|p| p.get("status").and_then(Value::as_str) == Some(status));
    let transition = if same_status {
        prev.and_then(|p| p.get("lastTransitionTime").cloned())
            .unwrap_or(json!(now))
    } else {
        json!(now)
    };
    let mut c = json!({"type": typ, "status": status, "lastTransitionTime": transition});
    if update_time {
        let unchanged = same_status
            && prev.and_then(|p| p.get("reason")).and_then(Value::as_str) == reason
            && prev.and_then(|p| p.get("message")).and_then(Value::as_str) == message;
        c["lastUpdateTime"] = if unchanged {
            prev.and_then(|p| p.get("lastUpdateTime").cloned())
                .unwrap_or(json!(now))
        } else {
            json!(now)
        };
    }
    if let Some(r) = reason {
        c["reason"] = json!(r);
    }
    if let Some(m) = message {
        c["message"] = json!(m);
    }
    c
}

fn status_for(
    name: &str,
    ns: &str,
    spec: &Value,
    state: PodState,
    start_time: &Value,
    old: Option<&Value>,
) -> Value {
    let containers = spec
        .get("containers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let old_cs = |cname: &str| -> Option<Value> {
        old.and_then(|s| s.get("containerStatuses"))
            .and_then(Value::as_array)
            .and_then(|a| {
                a.iter()
                    .find(|c| c.get("name").and_then(Value::as_str) == Some(cname))
                    .cloned()
            })
    };
    let started_at = |cname: &str| -> Value {
        old_cs(cname)
            .and_then(|c| c.pointer("/state/running/startedAt").cloned())
            .unwrap_or_else(|| json!(now_rfc3339()))
    };
    let ready = matches!(state, PodState::Running);
    let statuses: Vec<Value> = containers
        .iter()
        .map(|c| {
            let cname = c.get("name").and_then(Value::as_str).unwrap_or("app");
            let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
            let (st, last, restarts, c_ready, started) = match state {
                PodState::Starting => (json!({"waiting": {"reason": "ContainerCreating"}}), json!({}), 0, false, false),
                PodState::Running => (json!({"running": {"startedAt": started_at(cname)}}), json!({}), 0, true, true),
                PodState::Faulted(Fault::NeverReady, _) => (json!({"running": {"startedAt": started_at(cname)}}), json!({}), 0, false, true),
                PodState::Faulted(Fault::ImagePullBackOff, _) => (
                    json!({"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{image}\"")}}),
                    json!({}),
                    0,
                    false,
                    false,
                ),
                PodState::Faulted(_, since) => {
                    let n = restart_count(since);
                    let backoff = (10u64 << (n.min(5) - 1).max(0)).min(300);
                    let finished = old_cs(cname)
                        .filter(|o| o.get("restartCount").and_then(Value::as_i64) == Some(n))
                        .and_then(|o| o.pointer("/lastState/terminated").cloned())
                        .unwrap_or_else(|| {
                            let now = now_rfc3339();
                            json!({"exitCode": 1, "reason": "Error", "startedAt": now, "finishedAt": now,
                                   "message": format!("kubesim: container {cname} crashed (simulated fault CrashLoopBackOff)")})
                        });
                    (
                        json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off {backoff}s restarting failed container={cname} pod={name}_{ns}")}}),
                        json!({"terminated": finished}),
                        n,
                        false,
                        false,
                    )
                }
                PodState::Succeeded => (
                    json!({"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": start_time, "finishedAt": start_time}}),
                    json!({}),
                    0,
                    false,
                    false,
                ),
                PodState::Failed => (
                    json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": start_time, "finishedAt": start_time,
                                          "message": "kubesim: job container failed (simulated fault JobFails)"}}),
                    json!({}),
                    0,
                    false,
                    false,
                ),
            };
            json!({
                "name": cname,
                "image": image,
                "imageID": if matches!(state, PodState::Starting | PodState::Faulted(Fault::ImagePullBackOff, _)) { String::new() } else { format!("docker.io/library/{image}@sha256:0000") },
                "containerID": if started || matches!(state, PodState::Succeeded | PodState::Failed) { format!("containerd://{}", hashed_suffix(&format!("{name}/{cname}"), 12)) } else { String::new() },
                "ready": c_ready,
                "started": started,
                "restartCount": restarts,
                "state": st,
                "lastState": last,
            })
        })
        .collect();
    let phase = match state {
        PodState::Starting | PodState::Faulted(Fault::ImagePullBackOff, _) => "Pending",
        PodState::Succeeded => "Succeeded",
        PodState::Failed => "Failed",
        _ => "Running",
    };
    let (rs, rr, rm) = if ready {
        ("True", None, None)
    } else if matches!(state, PodState::Succeeded | PodState::Failed) {
        ("False", Some("PodCompleted"), None)
    } else {
        (
            "False",
            Some("ContainersNotReady"),
            Some("containers with unready status"),
        )
    };
    let conditions = vec![
        condition(
            old,
            "PodReadyToStartContainers",
            if matches!(state, PodState::Starting) {
                "False"
            } else {
                "True"
            },
            None,
            None,
            false,
        ),
        condition(old, "Initialized", "True", None, None, false),
        condition(old, "Ready", rs, rr, rm, false),
        condition(old, "ContainersReady", rs, rr, rm, false),
        condition(old, "PodScheduled", "True", None, None, false),
    ];
    json!({
        "phase": phase,
        "conditions": conditions,
        "hostIP": "10.0.0.10",
        "hostIPs": [{"ip": "10.0.0.10"}],
        "podIP": pod_ip(name),
        "podIPs": [{"ip": pod_ip(name)}],
        "startTime": start_time,
        "qosClass": "BestEffort",
        "containerStatuses": statuses,
    })
}

/// Records (or updates the count of) an event about `involved`.
pub fn event(
    store: &mut Store,
    involved: &Value,
    typ: &str,
    reason: &str,
    message: &str,
    count: i64,
) {
    let Some(rt) = store.find("", "v1", "events").cloned() else {
        return;
    };
    let ns = involved
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let iname = involved
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let uid = involved
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = format!("{iname}.{}", hashed_suffix(&format!("{uid}/{reason}"), 16));
    let key = ObjKey::new(&rt, &ns, &name);
    let now = now_rfc3339();
    let component = if involved.get("kind").and_then(Value::as_str) == Some("Pod") {
        "kubelet"
    } else {
        "kubesim-controller-manager"
    };
    match store.get(&key).cloned() {
        Some(old) => {
            if old.get("count").and_then(Value::as_i64) == Some(count)
                && old.get("message").and_then(Value::as_str) == Some(message)
            {
                return;
            }
            let mut new = old.clone();
            new["count"] = json!(count);
            new["message"] = json!(message);
            new["lastTimestamp"] = json!(now);
            let _ = ops::update(
                store,
                &rt,
                &key,
                &old,
                new,
                None,
                &WriteCtx::system(component),
                UpdateKind::System,
            );
        }
        None => {
            let ev = json!({
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": {
                    "apiVersion": involved.get("apiVersion"),
                    "kind": involved.get("kind"),
                    "name": iname,
                    "namespace": ns,
                    "uid": uid,
                    "resourceVersion": involved.pointer("/metadata/resourceVersion"),
                },
                "reason": reason,
                "message": message,
                "source": {"component": component, "host": NODE},
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": count,
                "type": typ,
                "eventTime": null,
                "reportingComponent": component,
                "reportingInstance": NODE,
            });
            let _ = ops::create(
                store,
                &rt,
                &ns,
                ev,
                &WriteCtx::system(component),
                ManagedOnCreate::None,
            );
        }
    }
}

/// Warning events for a faulted pod, like the kubelet's.
pub fn fault_events(store: &mut Store, pod: &Value, state: PodState) {
    let PodState::Faulted(f, since) = state else {
        return;
    };
    let name = pod
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let ns = pod
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let first = pod
        .pointer("/spec/containers/0")
        .cloned()
        .unwrap_or(json!({}));
    let cname = first
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("app")
        .to_string();
    let image = first
        .get("image")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let n = restart_count(since);
    match f {
        Fault::CrashLoopBackOff => event(
            store,
            pod,
            "Warning",
            "BackOff",
            &format!(
                "Back-off restarting failed container {cname} in pod {name}_{ns}({})",
                pod.pointer("/metadata/uid")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
            n,
        ),
        Fault::ImagePullBackOff => {
            event(
                store,
                pod,
                "Warning",
                "Failed",
                &format!(
                    "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found (simulated fault ImagePullBackOff)"
                ),
                n,
            );
            event(
                store,
                pod,
                "Warning",
                "BackOff",
                &format!("Back-off pulling image \"{image}\""),
                n,
            );
        }
        Fault::NeverReady => event(
            store,
            pod,
            "Warning",
            "Unhealthy",
            "Readiness probe failed: simulated fault NeverReady",
            1,
        ),
        Fault::JobFails => {}
    }
}

/// Deletes pods owned by `owner_uid` that are not in `keep`.
pub fn prune(store: &mut Store, ns: &str, owner_uid: &str, keep: &[String]) {
    let Some(rt) = store.find("", "v1", "pods").cloned() else {
        return;
    };
    let stale: Vec<ObjKey> = store
        .list("", "pods", Some(ns))
        .filter(|(k, v)| ops::owned_by(v, owner_uid) && !keep.contains(&k.name))
        .map(|(k, _)| k.clone())
        .collect();
    for k in stale {
        let _ = ops::delete(store, &rt, &k, &ops::DeleteOpts::default());
    }
}
