//! Per-kind reconcilers: Deployment (through a ReplicaSet), StatefulSet, DaemonSet, Job,
//! PersistentVolumeClaim, Service and standalone Pods.

use std::time::Instant;

use serde_json::{Value, json};

use super::pods::{self, PodPlan, PodState, condition};
use super::{Phase, PhaseInfo};
use crate::config::Fault;
use crate::ops::{self, ManagedOnCreate, UpdateKind, WriteCtx, hashed_suffix};
use crate::resources::ResourceType;
use crate::store::{ObjKey, Store};
use crate::time::now_rfc3339;

const MANAGER: &str = "kube-controller-manager";

fn name_of(obj: &Value) -> String {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn ns_of(obj: &Value) -> String {
    obj.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn uid_of(obj: &Value) -> String {
    obj.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

fn replicas(obj: &Value) -> i64 {
    obj.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .clamp(0, 1000)
}

/// The pod-template-hash: a stable hash of the template.
fn template_hash(obj: &Value) -> String {
    let t = obj
        .pointer("/spec/template")
        .map(Value::to_string)
        .unwrap_or_default();
    hashed_suffix(&t, 10)
}

/// Writes a new status (and only if it changed).
fn set_status(store: &mut Store, rt: &ResourceType, obj: &Value, status: Value) {
    if obj.get("status") == Some(&status) {
        return;
    }
    let key = ObjKey::new(rt, &ns_of(obj), &name_of(obj));
    let Some(current) = store.get(&key).cloned() else {
        return;
    };
    let mut new = current.clone();
    new["status"] = status;
    let _ = ops::update(
        store,
        rt,
        &key,
        &current,
        new,
        Some("status"),
        &WriteCtx::system(MANAGER),
        UpdateKind::System,
    );
}

/// Drops zero counters like the real controllers' `omitempty` fields.
fn omit_zero(mut status: Value, fields: &[&str]) -> Value {
    if let Some(m) = status.as_object_mut() {
        for f in fields {
            if m.get(*f).and_then(Value::as_i64) == Some(0) {
                m.shift_remove(*f);
            }
        }
    }
    status
}

/// Whether an object's status already reports its current generation as done.
pub fn looks_done(key: &ObjKey, obj: &Value) -> bool {
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    let gen_ok = observed == Some(generation(obj));
    let s = |p: &str| obj.pointer(p).and_then(Value::as_i64).unwrap_or(0);
    match key.plural.as_str() {
        "deployments" => {
            gen_ok
                && s("/status/availableReplicas") >= replicas(obj)
                && s("/status/updatedReplicas") >= replicas(obj)
        }
        "statefulsets" => gen_ok && s("/status/readyReplicas") >= replicas(obj),
        "daemonsets" => gen_ok && s("/status/numberReady") >= 1,
        "jobs" => {
            obj.pointer("/status/completionTime").is_some()
                || obj.pointer("/status/failed").is_some()
        }
        "persistentvolumeclaims" => {
            obj.pointer("/status/phase").and_then(Value::as_str) == Some("Bound")
        }
        "services" | "ingresses" => obj.pointer("/status/loadBalancer/ingress").is_some(),
        "pods" => obj.pointer("/status/phase").and_then(Value::as_str) == Some("Running"),
        _ => false,
    }
}

fn pods_state(store: &mut Store, plans: &[PodPlan]) {
    for plan in plans {
        if let Some(pod) = pods::ensure(store, plan) {
            pods::fault_events(store, &pod, plan.state);
        }
    }
}

pub fn deployment(
    store: &mut Store,
    rt: &ResourceType,
    d: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    let rs_rt = store.find("apps", "v1", "replicasets").cloned()?;
    let (name, ns, uid) = (name_of(d), ns_of(d), uid_of(d));
    let want = replicas(d);
    let hash = template_hash(d);
    let rs_name = format!("{name}-{hash}");
    let template = d
        .pointer("/spec/template")
        .filter(|t| t.is_object())
        .cloned()
        .unwrap_or(json!({}));
    let mut rs_template = template.clone();
    if !rs_template.get("metadata").is_some_and(Value::is_object) {
        rs_template["metadata"] = json!({});
    }
    if !rs_template["metadata"]
        .get("labels")
        .is_some_and(Value::is_object)
    {
        rs_template["metadata"]["labels"] = json!({});
    }
    rs_template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let mut selector = d
        .pointer("/spec/selector")
        .filter(|t| t.is_object())
        .cloned()
        .unwrap_or(json!({}));
    if !selector.get("matchLabels").is_some_and(Value::is_object) {
        selector["matchLabels"] = json!({});
    }
    selector["matchLabels"]["pod-template-hash"] = json!(hash);

    // The ReplicaSets this Deployment owns: the current one, and older ones still serving.
    let owned: Vec<(ObjKey, Value)> = store
        .list("apps", "replicasets", Some(&ns))
        .filter(|(_, v)| ops::owned_by(v, &uid))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let old_sets: Vec<(ObjKey, Value)> = owned
        .iter()
        .filter(|(k, _)| k.name != rs_name)
        .cloned()
        .collect();
    let revision = owned
        .iter()
        .filter_map(|(_, v)| {
            v.pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
                .and_then(Value::as_str)?
                .parse::<i64>()
                .ok()
        })
        .max()
        .unwrap_or(0);
    let rs_key = ObjKey::new(&rs_rt, &ns, &rs_name);
    let existing_rs = store.get(&rs_key).cloned();
    // A template seen before reuses its ReplicaSet (as `kubectl rollout undo` relies
    // on); it becomes the newest revision unless it already is.
    let existing_revision = existing_rs.as_ref().and_then(|v| {
        v.pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
            .and_then(Value::as_str)?
            .parse::<i64>()
            .ok()
    });
    let rs_revision = match existing_revision {
        Some(r) if r >= revision => r,
        _ => revision + 1,
    }
    .to_string();
    let rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": rs_name,
            "namespace": ns,
            "labels": rs_template["metadata"]["labels"],
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": want.to_string(),
                "deployment.kubernetes.io/max-replicas": (want + 1).to_string(),
                "deployment.kubernetes.io/revision": rs_revision,
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}],
        },
        "spec": {"replicas": want, "selector": selector, "template": rs_template},
    });
    let ctx = WriteCtx::system(MANAGER);
    let rs_obj = match existing_rs {
        None => ops::create(store, &rs_rt, &ns, rs, &ctx, ManagedOnCreate::None).ok(),
        Some(old) => {
            let mut new = old.clone();
            new["metadata"]["labels"] = rs["metadata"]["labels"].clone();
            new["metadata"]["annotations"] = rs["metadata"]["annotations"].clone();
            new["spec"] = rs["spec"].clone();
            ops::update(
                store,
                &rs_rt,
                &rs_key,
                &old,
                new,
                None,
                &ctx,
                UpdateKind::System,
            )
            .ok()
        }
    }?;

    let state = PodState::from_phase(info.phase);
    let plans: Vec<PodPlan> = (0..want)
        .map(|i| PodPlan {
            namespace: &ns,
            name: format!("{rs_name}-{}", hashed_suffix(&format!("{rs_name}/{i}"), 5)),
            owner: Some(&rs_obj),
            template: &rs_template,
            extra_labels: Vec::new(),
            state,
        })
        .collect();
    pods_state(store, &plans);
    let keep: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    pods::prune(store, &ns, &uid_of(&rs_obj), &keep);

    let ready_now = info.phase == Phase::Ready;
    let new_ready = if ready_now { want } else { 0 };
    let mut old_ready = 0;
    let mut old_total = 0;
    if ready_now {
        retire_old_sets(store, &rs_rt, d, &old_sets);
    } else {
        for (_, v) in &old_sets {
            old_ready += v
                .pointer("/status/readyReplicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            old_total += v
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(0);
        }
    }
    // The ReplicaSet's own status.
    let rs_status = omit_zero(
        json!({
            "replicas": want,
            "fullyLabeledReplicas": want,
            "readyReplicas": new_ready,
            "availableReplicas": new_ready,
            "observedGeneration": rs_obj.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1),
        }),
        &[
            "readyReplicas",
            "availableReplicas",
            "fullyLabeledReplicas",
            "replicas",
        ],
    );
    set_status(store, &rs_rt, &rs_obj, rs_status);

    let ready = new_ready + old_ready;
    let total = want + old_total;
    let max_unavailable = max_unavailable(d, want);
    let available =
        ready >= want - max_unavailable && (want == 0 || ready > 0 || max_unavailable >= want);
    let old = d.get("status");
    let deadline = d
        .pointer("/spec/progressDeadlineSeconds")
        .and_then(Value::as_u64)
        .unwrap_or(600);
    let timed_out = matches!(info.phase, Phase::Faulted(..)) && info.elapsed.as_secs() >= deadline;
    let progressing = if ready_now {
        condition(
            old,
            "Progressing",
            "True",
            Some("NewReplicaSetAvailable"),
            Some(&format!(
                "ReplicaSet \"{rs_name}\" has successfully progressed."
            )),
            true,
        )
    } else if timed_out {
        condition(
            old,
            "Progressing",
            "False",
            Some("ProgressDeadlineExceeded"),
            Some(&format!(
                "ReplicaSet \"{rs_name}\" has timed out progressing."
            )),
            true,
        )
    } else {
        condition(
            old,
            "Progressing",
            "True",
            Some("ReplicaSetUpdated"),
            Some(&format!("ReplicaSet \"{rs_name}\" is progressing.")),
            true,
        )
    };
    let available_c = if available {
        condition(
            old,
            "Available",
            "True",
            Some("MinimumReplicasAvailable"),
            Some("Deployment has minimum availability."),
            true,
        )
    } else {
        condition(
            old,
            "Available",
            "False",
            Some("MinimumReplicasUnavailable"),
            Some("Deployment does not have minimum availability."),
            true,
        )
    };
    let status = omit_zero(
        json!({
            "observedGeneration": generation(d),
            "replicas": total,
            "updatedReplicas": want,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": (total - ready).max(0),
            "conditions": [available_c, progressing],
        }),
        &[
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ],
    );
    if d.pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        != Some(generation(d))
    {
        pods::event(
            store,
            d,
            "Normal",
            "ScalingReplicaSet",
            &format!("Scaled up replica set {rs_name} from 0 to {want}"),
            1,
        );
    }
    set_status(store, rt, d, status);
    set_revision_annotation(store, rt, d, &rs_revision);
    let deadline_at = matches!(info.phase, Phase::Faulted(..)).then(|| {
        let remaining = std::time::Duration::from_secs(deadline).saturating_sub(info.elapsed);
        Instant::now() + remaining
    });
    match (info.next, deadline_at.filter(|_| !timed_out)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `deployment.kubernetes.io/revision` on the Deployment names its current revision.
fn set_revision_annotation(store: &mut Store, rt: &ResourceType, d: &Value, revision: &str) {
    let key = ObjKey::new(rt, &ns_of(d), &name_of(d));
    let Some(current) = store.get(&key).cloned() else {
        return;
    };
    let ann = "/metadata/annotations/deployment.kubernetes.io~1revision";
    if current.pointer(ann).and_then(Value::as_str) == Some(revision) {
        return;
    }
    let mut new = current.clone();
    if !new["metadata"]
        .get("annotations")
        .is_some_and(Value::is_object)
    {
        new["metadata"]["annotations"] = json!({});
    }
    new["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = json!(revision);
    let _ = ops::update(
        store,
        rt,
        &key,
        &current,
        new,
        None,
        &WriteCtx::system(MANAGER),
        UpdateKind::System,
    );
}

/// Old ReplicaSets are scaled to zero (their pods deleted) and kept as rollout history,
/// up to `spec.revisionHistoryLimit` (default 10); older ones are deleted.
fn retire_old_sets(
    store: &mut Store,
    rs_rt: &ResourceType,
    d: &Value,
    old_sets: &[(ObjKey, Value)],
) {
    let ctx = WriteCtx::system(MANAGER);
    let limit = d
        .pointer("/spec/revisionHistoryLimit")
        .and_then(Value::as_i64)
        .unwrap_or(10)
        .clamp(0, 100) as usize;
    let revision_of = |v: &Value| {
        v.pointer("/metadata/annotations/deployment.kubernetes.io~1revision")
            .and_then(Value::as_str)
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let mut sets: Vec<&(ObjKey, Value)> = old_sets.iter().collect();
    sets.sort_by_key(|(_, v)| std::cmp::Reverse(revision_of(v)));
    for (i, (k, _)) in sets.into_iter().enumerate() {
        let Some(current) = store.get(k).cloned() else {
            continue;
        };
        if i >= limit {
            let _ = ops::delete(store, rs_rt, k, &ops::DeleteOpts::default());
            continue;
        }
        pods::prune(store, &k.namespace, &uid_of(&current), &[]);
        let mut new = current.clone();
        if new.get("spec").is_some_and(Value::is_object) {
            new["spec"]["replicas"] = json!(0);
        }
        new["status"] = json!({"replicas": 0, "observedGeneration": current.pointer("/metadata/generation").cloned().unwrap_or(json!(1))});
        let _ = ops::update(
            store,
            rs_rt,
            k,
            &current,
            new,
            None,
            &ctx,
            UpdateKind::System,
        );
    }
}

/// spec.strategy.rollingUpdate.maxUnavailable (int or percent, default 25%, rounded down).
fn max_unavailable(d: &Value, want: i64) -> i64 {
    if d.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("Recreate") {
        return 0;
    }
    match d.pointer("/spec/strategy/rollingUpdate/maxUnavailable") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s
            .trim_end_matches('%')
            .parse::<i64>()
            .map(|p| want * p / 100)
            .unwrap_or(0),
        _ => want * 25 / 100,
    }
}

pub fn statefulset(
    store: &mut Store,
    rt: &ResourceType,
    s: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    let (name, ns, uid) = (name_of(s), ns_of(s), uid_of(s));
    let want = replicas(s);
    let revision = format!("{name}-{}", template_hash(s));
    let template = s.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let state = PodState::from_phase(info.phase);
    let plans: Vec<PodPlan> = (0..want)
        .map(|i| PodPlan {
            namespace: &ns,
            name: format!("{name}-{i}"),
            owner: Some(s),
            template: &template,
            extra_labels: vec![
                ("controller-revision-hash".into(), revision.clone()),
                (
                    "statefulset.kubernetes.io/pod-name".into(),
                    format!("{name}-{i}"),
                ),
                ("apps.kubernetes.io/pod-index".into(), i.to_string()),
            ],
            state,
        })
        .collect();
    pods_state(store, &plans);
    let keep: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    pods::prune(store, &ns, &uid, &keep);
    // PVCs from volumeClaimTemplates, like the StatefulSet controller makes them.
    if let Some(pvc_rt) = store.find("", "v1", "persistentvolumeclaims").cloned() {
        let templates = s
            .pointer("/spec/volumeClaimTemplates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for t in &templates {
            let tname = t
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("data");
            for i in 0..want {
                let pvc_name = format!("{tname}-{name}-{i}");
                if store.get(&ObjKey::new(&pvc_rt, &ns, &pvc_name)).is_some() {
                    continue;
                }
                let labels = s
                    .pointer("/spec/selector/matchLabels")
                    .cloned()
                    .unwrap_or(json!({}));
                let pvc = json!({
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "metadata": {"name": pvc_name, "namespace": ns, "labels": labels},
                    "spec": t.get("spec").cloned().unwrap_or(json!({})),
                });
                let _ = ops::create(
                    store,
                    &pvc_rt,
                    &ns,
                    pvc,
                    &WriteCtx::system(MANAGER),
                    ManagedOnCreate::None,
                );
            }
        }
    }
    let ready = if info.phase == Phase::Ready { want } else { 0 };
    let old_current = s
        .pointer("/status/currentRevision")
        .and_then(Value::as_str)
        .map(str::to_string);
    let current = if info.phase == Phase::Ready {
        revision.clone()
    } else {
        old_current.unwrap_or_else(|| revision.clone())
    };
    let status = omit_zero(
        json!({
            "observedGeneration": generation(s),
            "replicas": want,
            "readyReplicas": ready,
            "currentReplicas": want,
            "updatedReplicas": want,
            "availableReplicas": ready,
            "currentRevision": current,
            "updateRevision": revision,
            "collisionCount": 0,
        }),
        &[
            "readyReplicas",
            "availableReplicas",
            "currentReplicas",
            "updatedReplicas",
        ],
    );
    set_status(store, rt, s, status);
    info.next
}

pub fn daemonset(
    store: &mut Store,
    rt: &ResourceType,
    d: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    let (name, ns, uid) = (name_of(d), ns_of(d), uid_of(d));
    let template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let hash = template_hash(d);
    let plan = PodPlan {
        namespace: &ns,
        name: format!(
            "{name}-{}",
            hashed_suffix(&format!("{name}/{}", pods::NODE), 5)
        ),
        owner: Some(d),
        template: &template,
        extra_labels: vec![
            ("controller-revision-hash".into(), hash),
            ("pod-template-generation".into(), generation(d).to_string()),
        ],
        state: PodState::from_phase(info.phase),
    };
    let keep = vec![plan.name.clone()];
    pods_state(store, std::slice::from_ref(&plan));
    pods::prune(store, &ns, &uid, &keep);
    let ready = i64::from(info.phase == Phase::Ready);
    let status = omit_zero(
        json!({
            "currentNumberScheduled": 1,
            "desiredNumberScheduled": 1,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": 1 - ready,
            "updatedNumberScheduled": 1,
            "observedGeneration": generation(d),
        }),
        &["numberAvailable", "numberUnavailable"],
    );
    set_status(store, rt, d, status);
    info.next
}

pub fn job(store: &mut Store, rt: &ResourceType, j: &Value, info: PhaseInfo) -> Option<Instant> {
    if j.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let (name, ns, uid) = (name_of(j), ns_of(j), uid_of(j));
    let completions = j
        .pointer("/spec/completions")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .clamp(1, 100);
    let parallelism = j
        .pointer("/spec/parallelism")
        .and_then(Value::as_i64)
        .unwrap_or(1)
        .clamp(1, 100);
    let template = j.pointer("/spec/template").cloned().unwrap_or(json!({}));
    let labels = vec![
        (
            "batch.kubernetes.io/controller-uid".to_string(),
            uid.clone(),
        ),
        ("batch.kubernetes.io/job-name".to_string(), name.clone()),
        ("controller-uid".to_string(), uid.clone()),
        ("job-name".to_string(), name.clone()),
    ];
    let (count, state) = match info.phase {
        Phase::Progressing => (parallelism.min(completions), PodState::Starting),
        Phase::Ready => (completions, PodState::Succeeded),
        Phase::Faulted(Fault::JobFails, _) => (1, PodState::Failed),
        Phase::Faulted(f, d) => (parallelism.min(completions), PodState::Faulted(f, d)),
    };
    let plans: Vec<PodPlan> = (0..count)
        .map(|i| PodPlan {
            namespace: &ns,
            name: format!("{name}-{}", hashed_suffix(&format!("{uid}/{i}"), 5)),
            owner: Some(j),
            template: &template,
            extra_labels: labels.clone(),
            state,
        })
        .collect();
    pods_state(store, &plans);
    let keep: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    pods::prune(store, &ns, &uid, &keep);
    let old = j.get("status");
    let start = old
        .and_then(|s| s.get("startTime").cloned())
        .unwrap_or_else(|| json!(now_rfc3339()));
    let mut status =
        json!({"startTime": start, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}});
    match state {
        PodState::Succeeded => {
            let done = old
                .and_then(|s| s.get("completionTime").cloned())
                .unwrap_or_else(|| json!(now_rfc3339()));
            status["completionTime"] = done;
            status["succeeded"] = json!(completions);
            status["conditions"] = json!([
                condition(
                    old,
                    "SuccessCriteriaMet",
                    "True",
                    Some("CompletionsReached"),
                    Some("Reached expected number of succeeded pods"),
                    true
                ),
                condition(
                    old,
                    "Complete",
                    "True",
                    Some("CompletionsReached"),
                    Some("Reached expected number of succeeded pods"),
                    true
                ),
            ]);
            if old.and_then(|s| s.get("completionTime")).is_none() {
                pods::event(store, j, "Normal", "Completed", "Job completed", 1);
            }
        }
        PodState::Failed => {
            status["failed"] = json!(1);
            let msg = "Job has reached the specified backoff limit";
            status["conditions"] = json!([
                condition(
                    old,
                    "FailureTarget",
                    "True",
                    Some("BackoffLimitExceeded"),
                    Some(msg),
                    true
                ),
                condition(
                    old,
                    "Failed",
                    "True",
                    Some("BackoffLimitExceeded"),
                    Some(msg),
                    true
                ),
            ]);
            pods::event(store, j, "Warning", "BackoffLimitExceeded", msg, 1);
        }
        _ => {
            status["active"] = json!(count);
        }
    }
    // Job conditions carry lastProbeTime where workload conditions have lastUpdateTime.
    if let Some(conds) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conds.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(t) = c.shift_remove("lastUpdateTime") {
                c.insert("lastProbeTime".into(), t);
            }
        }
    }
    set_status(store, rt, j, status);
    info.next
}

pub fn pvc(store: &mut Store, rt: &ResourceType, p: &Value, info: PhaseInfo) -> Option<Instant> {
    if info.phase != Phase::Ready {
        return info.next;
    }
    let key = ObjKey::new(rt, &ns_of(p), &name_of(p));
    let mut new = p.clone();
    let storage = p
        .pointer("/spec/resources/requests/storage")
        .cloned()
        .unwrap_or(json!("1Gi"));
    let modes = p
        .pointer("/spec/accessModes")
        .cloned()
        .unwrap_or(json!(["ReadWriteOnce"]));
    if p.pointer("/spec/volumeName").is_none() && p.get("spec").is_some_and(Value::is_object) {
        new["spec"]["volumeName"] = json!(format!("pvc-{}", uid_of(p)));
    }
    new["status"] =
        json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": storage}});
    let _ = ops::update(
        store,
        rt,
        &key,
        p,
        new,
        None,
        &WriteCtx::system(MANAGER),
        UpdateKind::System,
    );
    None
}

pub fn service(
    store: &mut Store,
    rt: &ResourceType,
    s: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    if s.pointer("/spec/type").and_then(Value::as_str) != Some("LoadBalancer") {
        return None;
    }
    if info.phase != Phase::Ready {
        return info.next;
    }
    set_status(
        store,
        rt,
        s,
        json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1", "ipMode": "VIP"}]}}),
    );
    None
}

/// Ingresses get an address after the delay, like an ingress controller assigns one.
pub fn ingress(
    store: &mut Store,
    rt: &ResourceType,
    i: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    if info.phase != Phase::Ready {
        return info.next;
    }
    set_status(
        store,
        rt,
        i,
        json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}}),
    );
    None
}

/// Pods created directly (no owner) start after the delay too.
pub fn standalone_pod(
    store: &mut Store,
    _rt: &ResourceType,
    p: &Value,
    info: PhaseInfo,
) -> Option<Instant> {
    let has_owner = p
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty());
    if has_owner {
        return None;
    }
    let ns = ns_of(p);
    let template = json!({"metadata": {"labels": p.pointer("/metadata/labels"), "annotations": p.pointer("/metadata/annotations")}, "spec": p.get("spec")});
    let plan = PodPlan {
        namespace: &ns,
        name: name_of(p),
        owner: None,
        template: &template,
        extra_labels: Vec::new(),
        state: standalone_state(p, info.phase),
    };
    pods_state(store, std::slice::from_ref(&plan));
    info.next
}

/// Run-to-completion pods (restartPolicy Never/OnFailure, e.g. Helm test hooks) succeed
/// after the delay instead of running forever.
fn standalone_state(p: &Value, phase: Phase) -> PodState {
    let completes = matches!(
        p.pointer("/spec/restartPolicy").and_then(Value::as_str),
        Some("Never" | "OnFailure")
    );
    match (completes, PodState::from_phase(phase)) {
        (true, PodState::Running) => PodState::Succeeded,
        (_, state) => state,
    }
}

/// Every namespace gets its `default` ServiceAccount, as the real controller makes it.
pub fn namespace(store: &mut Store, ns: &Value) -> Option<Instant> {
    let name = name_of(ns);
    let sa_rt = store.find("", "v1", "serviceaccounts")?.clone();
    if store.get(&ObjKey::new(&sa_rt, &name, "default")).is_none() {
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}});
        let _ = ops::create(
            store,
            &sa_rt,
            &name,
            sa,
            &WriteCtx::system(MANAGER),
            ManagedOnCreate::None,
        );
    }
    None
}
