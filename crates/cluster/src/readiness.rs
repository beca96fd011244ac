//! Whether an object is ready, from its JSON alone (kstatus semantics).
//!
//! Rules, in order: an object being deleted is in progress; `status.observedGeneration`
//! must have caught up with `metadata.generation`; then per kind:
//! - Deployment: updated = available = spec.replicas, no old replicas left, condition
//!   Available=True; Progressing with reason ProgressDeadlineExceeded fails.
//! - StatefulSet: ready = spec.replicas; with the RollingUpdate strategy (the default)
//!   and no partition, currentRevision = updateRevision.
//! - DaemonSet: updated = ready = available = desiredNumberScheduled.
//! - ReplicaSet / ReplicationController: ready = available = spec.replicas.
//! - Job: condition Complete (or SuccessCriteriaMet) → ready; Failed (or FailureTarget) → failed.
//! - Pod: phase Succeeded or condition Ready → ready; phase Failed → failed. Containers
//!   waiting in CrashLoopBackOff, ImagePullBackOff and similar are reported as *stuck*:
//!   the waiter fails the wait when a pod stays stuck past a grace period.
//! - PersistentVolumeClaim: phase Bound (Lost fails).
//! - Service: type LoadBalancer needs status.loadBalancer.ingress; others are ready.
//! - CustomResourceDefinition: condition Established (NamesAccepted=False fails).
//! - anything else: condition Stalled=True fails, Reconciling=True or Ready=False is in
//!   progress, Ready=True is ready; without those conditions it is ready once it exists.

use serde_json::Value;

/// The verdict on one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ready,
    InProgress,
    Failed,
}

/// A verdict with the reason an operator reads ("0/1 ready", "ProgressDeadlineExceeded: ...").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub status: Status,
    pub message: String,
    /// Set on a pod whose containers cannot start or keep crashing
    /// (`CrashLoopBackOff`, `ImagePullBackOff`, ...): the reason, with the container.
    pub stuck: Option<String>,
}

impl Assessment {
    fn ready(message: impl Into<String>) -> Self {
        Assessment {
            status: Status::Ready,
            message: message.into(),
            stuck: None,
        }
    }
    fn progress(message: impl Into<String>) -> Self {
        Assessment {
            status: Status::InProgress,
            message: message.into(),
            stuck: None,
        }
    }
    fn failed(message: impl Into<String>) -> Self {
        Assessment {
            status: Status::Failed,
            message: message.into(),
            stuck: None,
        }
    }
    pub fn is_ready(&self) -> bool {
        self.status == Status::Ready
    }
}

/// Container waiting reasons that mean the pod will not become ready on its own.
pub const STUCK_REASONS: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "ErrImageNeverPull",
];

/// Assesses an object for readiness.
pub fn assess(obj: &Value) -> Assessment {
    if obj
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        return Assessment::progress("being deleted");
    }
    let kind = str_at(obj, "/kind");
    if let Some(generation) = int_at(obj, "/metadata/generation")
        && let Some(observed) = int_at(obj, "/status/observedGeneration")
        && observed < generation
    {
        return Assessment::progress(format!(
            "generation {generation} not yet observed (observed {observed})"
        ));
    }
    let group = str_at(obj, "/apiVersion")
        .split_once('/')
        .map(|(g, _)| g)
        .unwrap_or("");
    match (group, kind) {
        ("apps" | "extensions", "Deployment") => deployment(obj),
        ("apps", "StatefulSet") => stateful_set(obj),
        ("apps" | "extensions", "DaemonSet") => daemon_set(obj),
        ("apps" | "extensions", "ReplicaSet") | ("", "ReplicationController") => replica_set(obj),
        ("batch", "Job") => job(obj),
        ("", "Pod") => pod(obj),
        ("", "PersistentVolumeClaim") => pvc(obj),
        ("", "Service") => service(obj),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(obj),
        _ => generic(obj),
    }
}

/// Assesses a hook resource: Jobs must complete, Pods must succeed (not merely be
/// ready); other kinds are done once they exist, as in Helm.
pub fn assess_hook(obj: &Value) -> Assessment {
    let group = str_at(obj, "/apiVersion")
        .split_once('/')
        .map(|(g, _)| g)
        .unwrap_or("");
    match (group, str_at(obj, "/kind")) {
        ("batch", "Job") => job(obj),
        ("", "Pod") => {
            let base = pod(obj);
            match str_at(obj, "/status/phase") {
                "Succeeded" => Assessment::ready("succeeded"),
                "Failed" => base,
                phase => Assessment {
                    status: Status::InProgress,
                    message: format!("phase {}", if phase.is_empty() { "Pending" } else { phase }),
                    stuck: base.stuck,
                },
            }
        }
        _ => Assessment::ready("created"),
    }
}

fn deployment(obj: &Value) -> Assessment {
    if let Some(c) = condition(obj, "Progressing")
        && c.reason == "ProgressDeadlineExceeded"
    {
        return Assessment::failed(format!("ProgressDeadlineExceeded: {}", c.message));
    }
    if obj.get("status").is_none_or(Value::is_null) {
        return Assessment::progress("no status yet");
    }
    let want = int_at(obj, "/spec/replicas").unwrap_or(1);
    let replicas = int_at(obj, "/status/replicas").unwrap_or(0);
    let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
    let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
    let available = int_at(obj, "/status/availableReplicas").unwrap_or(0);
    if updated < want {
        return Assessment::progress(format!("{updated}/{want} updated, {ready}/{want} ready"));
    }
    if replicas > updated {
        return Assessment::progress(format!(
            "{} old replicas pending termination",
            replicas - updated
        ));
    }
    if available < want {
        return Assessment::progress(format!("{available}/{want} available"));
    }
    if want > 0 && !condition_true(obj, "Available") {
        return Assessment::progress("condition Available not yet True");
    }
    Assessment::ready(format!("{available}/{want} available"))
}

fn stateful_set(obj: &Value) -> Assessment {
    if obj.get("status").is_none_or(Value::is_null) {
        return Assessment::progress("no status yet");
    }
    let want = int_at(obj, "/spec/replicas").unwrap_or(1);
    let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
    if ready < want {
        return Assessment::progress(format!("{ready}/{want} ready"));
    }
    let strategy = str_at(obj, "/spec/updateStrategy/type");
    let rolling = strategy.is_empty() || strategy == "RollingUpdate";
    if rolling {
        let partition = int_at(obj, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
        if partition > 0 {
            let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
            if updated < want - partition {
                return Assessment::progress(format!(
                    "{updated}/{} updated (partition {partition})",
                    want - partition
                ));
            }
        } else {
            let current = str_at(obj, "/status/currentRevision");
            let update = str_at(obj, "/status/updateRevision");
            if current != update {
                let updated = int_at(obj, "/status/updatedReplicas").unwrap_or(0);
                return Assessment::progress(format!(
                    "rolling update: {updated}/{want} pods at revision {update}"
                ));
            }
        }
    }
    Assessment::ready(format!("{ready}/{want} ready"))
}

fn daemon_set(obj: &Value) -> Assessment {
    let Some(desired) = int_at(obj, "/status/desiredNumberScheduled") else {
        return Assessment::progress("no status yet");
    };
    let updated = int_at(obj, "/status/updatedNumberScheduled").unwrap_or(0);
    let ready = int_at(obj, "/status/numberReady").unwrap_or(0);
    let available = int_at(obj, "/status/numberAvailable").unwrap_or(0);
    if updated < desired {
        return Assessment::progress(format!(
            "{updated}/{desired} updated, {ready}/{desired} ready"
        ));
    }
    if ready < desired {
        return Assessment::progress(format!("{ready}/{desired} ready"));
    }
    if available < desired {
        return Assessment::progress(format!("{available}/{desired} available"));
    }
    Assessment::ready(format!("{ready}/{desired} ready"))
}

fn replica_set(obj: &Value) -> Assessment {
    let want = int_at(obj, "/spec/replicas").unwrap_or(1);
    let ready = int_at(obj, "/status/readyReplicas").unwrap_or(0);
    let available = int_at(obj, "/status/availableReplicas").unwrap_or(0);
    if ready < want || available < want {
        return Assessment::progress(format!("{ready}/{want} ready"));
    }
    Assessment::ready(format!("{ready}/{want} ready"))
}

fn job(obj: &Value) -> Assessment {
    for failed in ["Failed", "FailureTarget"] {
        if let Some(c) = condition(obj, failed)
            && c.status == "True"
        {
            return Assessment::failed(join_reason("job failed", &c.reason, &c.message));
        }
    }
    for done in ["Complete", "SuccessCriteriaMet"] {
        if condition_true(obj, done) {
            return Assessment::ready("complete");
        }
    }
    if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return Assessment::progress("suspended");
    }
    let active = int_at(obj, "/status/active").unwrap_or(0);
    let succeeded = int_at(obj, "/status/succeeded").unwrap_or(0);
    let failed = int_at(obj, "/status/failed").unwrap_or(0);
    let completions = int_at(obj, "/spec/completions").unwrap_or(1);
    let mut msg = format!("{succeeded}/{completions} completed, {active} active");
    if failed > 0 {
        msg.push_str(&format!(", {failed} failed"));
    }
    Assessment::progress(msg)
}

fn pod(obj: &Value) -> Assessment {
    let phase = str_at(obj, "/status/phase");
    match phase {
        "Succeeded" => return Assessment::ready("succeeded"),
        "Failed" => {
            let reason = str_at(obj, "/status/reason");
            let message = str_at(obj, "/status/message");
            return Assessment::failed(join_reason("pod failed", reason, message));
        }
        _ => {}
    }
    let stuck = stuck_containers(obj);
    if condition_true(obj, "Ready") {
        return Assessment::ready("ready");
    }
    let message = match &stuck {
        Some(s) => s.clone(),
        None => match first_waiting(obj) {
            Some(w) => w,
            None => format!("phase {}", if phase.is_empty() { "Pending" } else { phase }),
        },
    };
    Assessment {
        status: Status::InProgress,
        message,
        stuck,
    }
}

/// `container api: CrashLoopBackOff` for the first container waiting for a stuck reason.
fn stuck_containers(pod: &Value) -> Option<String> {
    container_statuses(pod).find_map(|c| {
        let reason = c.pointer("/state/waiting/reason").and_then(Value::as_str)?;
        STUCK_REASONS.contains(&reason).then(|| {
            format!(
                "container {}: {reason}",
                c.get("name").and_then(Value::as_str).unwrap_or("?")
            )
        })
    })
}

fn first_waiting(pod: &Value) -> Option<String> {
    container_statuses(pod).find_map(|c| {
        let reason = c.pointer("/state/waiting/reason").and_then(Value::as_str)?;
        Some(format!(
            "container {} waiting: {reason}",
            c.get("name").and_then(Value::as_str).unwrap_or("?")
        ))
    })
}

pub(crate) fn container_statuses(pod: &Value) -> impl Iterator<Item = &Value> {
    ["/status/initContainerStatuses", "/status/containerStatuses"]
        .into_iter()
        .filter_map(|p| pod.pointer(p).and_then(Value::as_array))
        .flatten()
}

fn pvc(obj: &Value) -> Assessment {
    match str_at(obj, "/status/phase") {
        "Bound" => Assessment::ready("bound"),
        "Lost" => Assessment::failed("claim lost its volume"),
        "" => Assessment::progress("phase Pending"),
        phase => Assessment::progress(format!("phase {phase}")),
    }
}

fn service(obj: &Value) -> Assessment {
    if str_at(obj, "/spec/type") != "LoadBalancer" {
        return Assessment::ready("exists");
    }
    let has_ingress = obj
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if has_ingress {
        Assessment::ready("load balancer ready")
    } else {
        Assessment::progress("waiting for a load balancer address")
    }
}

fn crd(obj: &Value) -> Assessment {
    if let Some(c) = condition(obj, "NamesAccepted")
        && c.status == "False"
    {
        return Assessment::failed(join_reason("names not accepted", &c.reason, &c.message));
    }
    if condition_true(obj, "Established") {
        Assessment::ready("established")
    } else {
        Assessment::progress("not yet established")
    }
}

fn generic(obj: &Value) -> Assessment {
    if let Some(c) = condition(obj, "Stalled")
        && c.status == "True"
    {
        return Assessment::failed(join_reason("stalled", &c.reason, &c.message));
    }
    if let Some(c) = condition(obj, "Reconciling")
        && c.status == "True"
    {
        return Assessment::progress(join_reason("reconciling", &c.reason, &c.message));
    }
    match condition(obj, "Ready") {
        Some(c) if c.status == "True" => Assessment::ready("ready"),
        Some(c) => Assessment::progress(join_reason("not ready", &c.reason, &c.message)),
        None => Assessment::ready("exists"),
    }
}

pub(crate) struct Condition {
    pub status: String,
    pub reason: String,
    pub message: String,
}

pub(crate) fn condition(obj: &Value, kind: &str) -> Option<Condition> {
    let conditions = obj.pointer("/status/conditions")?.as_array()?;
    let c = conditions
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))?;
    let s = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some(Condition {
        status: s("status"),
        reason: s("reason"),
        message: s("message"),
    })
}

fn condition_true(obj: &Value, kind: &str) -> bool {
    condition(obj, kind).is_some_and(|c| c.status == "True")
}

fn join_reason(what: &str, reason: &str, message: &str) -> String {
    match (reason.is_empty(), message.is_empty()) {
        (true, true) => what.to_string(),
        (false, true) => format!("{what}: {reason}"),
        (true, false) => format!("{what}: {message}"),
        (false, false) => format!("{what}: {reason}: {message}"),
    }
}

pub(crate) fn str_at<'a>(obj: &'a Value, ptr: &str) -> &'a str {
    obj.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn int_at(obj: &Value, ptr: &str) -> Option<i64> {
    obj.pointer(ptr).and_then(Value::as_i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deploy(spec_replicas: i64, status: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "keystone-api", "generation": 2},
               "spec": {"replicas": spec_replicas}, "status": status})
    }

    #[test]
    fn deployment_rules() {
        let ready = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2,
            "readyReplicas": 2, "availableReplicas": 2,
            "conditions": [{"type": "Available", "status": "True"}]}),
        );
        assert_eq!(assess(&ready).status, Status::Ready);

        let stale = deploy(
            2,
            json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
            "readyReplicas": 2, "availableReplicas": 2}),
        );
        let a = assess(&stale);
        assert_eq!(a.status, Status::InProgress);
        assert!(
            a.message.contains("generation 2 not yet observed"),
            "{}",
            a.message
        );

        let rolling = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 2,
            "readyReplicas": 2, "availableReplicas": 2}),
        );
        assert!(
            assess(&rolling)
                .message
                .contains("1 old replicas pending termination")
        );

        let partial = deploy(
            2,
            json!({"observedGeneration": 2, "replicas": 2, "updatedReplicas": 1,
            "readyReplicas": 0}),
        );
        assert_eq!(assess(&partial).message, "1/2 updated, 0/2 ready");

        let no_available = deploy(
            1,
            json!({"observedGeneration": 2, "replicas": 1,
            "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
            "conditions": [{"type": "Available", "status": "False"}]}),
        );
        assert_eq!(assess(&no_available).status, Status::InProgress);

        let deadline = deploy(
            1,
            json!({"observedGeneration": 2, "conditions": [
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
             "message": "ReplicaSet \"keystone-api-5d\" has timed out progressing."}]}),
        );
        let a = assess(&deadline);
        assert_eq!(a.status, Status::Failed);
        assert!(
            a.message
                .starts_with("ProgressDeadlineExceeded: ReplicaSet")
        );

        let mut no_status = deploy(1, Value::Null);
        no_status.as_object_mut().unwrap().remove("status");
        assert_eq!(assess(&no_status).message, "no status yet");

        let zero = deploy(0, json!({"observedGeneration": 2}));
        assert_eq!(assess(&zero).status, Status::Ready);
    }

    #[test]
    fn statefulset_rules() {
        let sts = |status: Value, strategy: Value| {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "mariadb", "generation": 1},
            "spec": {"replicas": 1, "updateStrategy": strategy}, "status": status})
        };
        let pending = sts(
            json!({"observedGeneration": 1, "replicas": 1}),
            json!({"type": "RollingUpdate"}),
        );
        assert_eq!(assess(&pending).message, "0/1 ready");
        let ready = sts(
            json!({"observedGeneration": 1, "replicas": 1, "readyReplicas": 1,
            "currentRevision": "mariadb-1", "updateRevision": "mariadb-1"}),
            json!({"type": "RollingUpdate"}),
        );
        assert_eq!(assess(&ready).status, Status::Ready);
        let rolling = sts(
            json!({"observedGeneration": 1, "readyReplicas": 1,
            "currentRevision": "mariadb-1", "updateRevision": "mariadb-2"}),
            json!({}),
        );
        assert!(assess(&rolling).message.starts_with("rolling update"));
        let on_delete = sts(
            json!({"observedGeneration": 1, "readyReplicas": 1,
            "currentRevision": "mariadb-1", "updateRevision": "mariadb-2"}),
            json!({"type": "OnDelete"}),
        );
        assert_eq!(assess(&on_delete).status, Status::Ready);
    }

    #[test]
    fn daemonset_rules() {
        let ds = |status: Value| {
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "ovs", "generation": 1}, "status": status})
        };
        assert_eq!(assess(&ds(json!({}))).message, "no status yet");
        let partial = ds(json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "updatedNumberScheduled": 3, "numberReady": 2, "numberAvailable": 2}));
        assert_eq!(assess(&partial).message, "2/3 ready");
        let ready = ds(json!({"observedGeneration": 1, "desiredNumberScheduled": 3,
            "updatedNumberScheduled": 3, "numberReady": 3, "numberAvailable": 3}));
        assert!(assess(&ready).is_ready());
    }

    #[test]
    fn job_rules() {
        let job = |status: Value| {
            json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "db-sync"}, "status": status})
        };
        assert_eq!(
            assess(&job(json!({"active": 1}))).message,
            "0/1 completed, 1 active"
        );
        assert!(
            assess(&job(json!({"succeeded": 1,
            "conditions": [{"type": "Complete", "status": "True"}]})))
            .is_ready()
        );
        let failed = assess(&job(json!({"failed": 4, "conditions": [{"type": "Failed",
            "status": "True", "reason": "BackoffLimitExceeded",
            "message": "Job has reached the specified backoff limit"}]})));
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(
            failed.message,
            "job failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
        );
    }

    #[test]
    fn pod_rules() {
        let pod = |status: Value| {
            json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "keystone-api-1"}, "status": status})
        };
        assert!(
            assess(&pod(json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}]})))
            .is_ready()
        );
        assert!(assess(&pod(json!({"phase": "Succeeded"}))).is_ready());
        let crash = assess(&pod(json!({"phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "api", "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}}}]})));
        assert_eq!(crash.status, Status::InProgress);
        assert_eq!(
            crash.stuck.as_deref(),
            Some("container api: CrashLoopBackOff")
        );
        let creating = assess(&pod(
            json!({"phase": "Pending", "containerStatuses": [{"name": "api",
            "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
        ));
        assert_eq!(creating.stuck, None);
        assert_eq!(creating.message, "container api waiting: ContainerCreating");
        let failed = assess(&pod(
            json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
        ));
        assert_eq!(failed.status, Status::Failed);
    }

    #[test]
    fn hook_pods_must_succeed() {
        let running = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t"},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
        assert_eq!(assess(&running).status, Status::Ready);
        assert_eq!(assess_hook(&running).status, Status::InProgress);
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(assess_hook(&cm).is_ready());
    }

    #[test]
    fn pvc_service_crd_and_generic_rules() {
        let pvc = |phase: &str| {
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data"}, "status": {"phase": phase}})
        };
        assert!(assess(&pvc("Bound")).is_ready());
        assert_eq!(assess(&pvc("Pending")).message, "phase Pending");
        assert_eq!(assess(&pvc("Lost")).status, Status::Failed);

        let svc = |spec: Value, status: Value| {
            json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "s"}, "spec": spec, "status": status})
        };
        assert!(assess(&svc(json!({"type": "ClusterIP"}), json!({}))).is_ready());
        assert!(
            !assess(&svc(
                json!({"type": "LoadBalancer"}),
                json!({"loadBalancer": {}})
            ))
            .is_ready()
        );
        assert!(
            assess(&svc(
                json!({"type": "LoadBalancer"}),
                json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}})
            ))
            .is_ready()
        );

        let crd = |conds: Value| {
            json!({"apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition", "metadata": {"name": "x.example.org"},
            "status": {"conditions": conds}})
        };
        assert!(assess(&crd(json!([{"type": "Established", "status": "True"}]))).is_ready());
        assert!(!assess(&crd(json!([]))).is_ready());

        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(assess(&cm).is_ready());
        let cr = |conds: Value| {
            json!({"apiVersion": "example.org/v1", "kind": "Widget",
            "metadata": {"name": "w", "generation": 3}, "status": {"observedGeneration": 3, "conditions": conds}})
        };
        assert!(assess(&cr(json!([{"type": "Ready", "status": "True"}]))).is_ready());
        assert_eq!(
            assess(&cr(
                json!([{"type": "Ready", "status": "False", "reason": "Waiting"}])
            ))
            .message,
            "not ready: Waiting"
        );
        assert_eq!(
            assess(&cr(
                json!([{"type": "Stalled", "status": "True", "message": "bad spec"}])
            ))
            .status,
            Status::Failed
        );
    }

    #[test]
    fn deleting_objects_are_not_ready() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "deletionTimestamp": "2026-01-01T00:00:00Z"}});
        assert_eq!(assess(&cm).message, "being deleted");
    }
}
