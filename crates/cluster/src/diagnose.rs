//! Why an object is not ready: its status, its pods' container states and recent
//! Warning events, gathered for the operator once a wait fails or times out.

use std::fmt;

use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams};
use serde_json::Value;

use crate::client::Cluster;
use crate::objref::ObjectRef;
use crate::readiness::{self, container_statuses, int_at, str_at};

/// Pods reported per workload: enough to show the pattern, bounded for huge workloads.
const MAX_PODS: usize = 5;
/// Warning events reported per object.
const MAX_EVENTS: usize = 5;
/// Longest termination message or event message kept, in characters.
const MAX_MESSAGE: usize = 400;

/// What is known about one object that is not ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub object: ObjectRef,
    /// True when the object failed (as opposed to still progressing or missing).
    pub failed: bool,
    /// Its own status reason ("0/1 ready", "job failed: BackoffLimitExceeded: ...").
    pub message: String,
    /// Pods of a workload (or the pod itself), most broken first.
    pub pods: Vec<PodDiagnosis>,
    /// Recent Warning events about the object itself, newest first.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodDiagnosis {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    pub containers: Vec<ContainerDiagnosis>,
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerDiagnosis {
    pub name: String,
    pub init: bool,
    /// `waiting: CrashLoopBackOff: back-off 40s ...`, `running`, `terminated: Error (exit code 1)`.
    pub state: String,
    pub restarts: i64,
    /// The last termination of a restarted container: reason, exit code and message.
    pub last_termination: Option<String>,
    pub ready: bool,
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.failed { "FAILED" } else { "not ready" };
        writeln!(f, "{} ({verdict}): {}", self.object, self.message)?;
        for event in &self.events {
            writeln!(f, "    event {event}")?;
        }
        for pod in &self.pods {
            let ready = if pod.ready { "ready" } else { "not ready" };
            writeln!(f, "    pod {} ({}, {ready})", pod.name, pod.phase)?;
            for c in &pod.containers {
                let init = if c.init {
                    "init container"
                } else {
                    "container"
                };
                write!(f, "      {init} {}: {}", c.name, c.state)?;
                if c.restarts > 0 {
                    write!(f, " (restarts: {})", c.restarts)?;
                }
                writeln!(f)?;
                if let Some(last) = &c.last_termination {
                    writeln!(f, "        last terminated: {last}")?;
                }
            }
            for event in &pod.events {
                writeln!(f, "      event {event}")?;
            }
        }
        Ok(())
    }
}

impl Cluster {
    /// Gathers what explains why `object` is not ready. `current` is its latest known
    /// state (None when it does not exist). Errors while gathering details are reported
    /// inside the diagnosis rather than hiding the diagnosis itself.
    pub async fn diagnose(&self, object: &ObjectRef, current: Option<&Value>) -> Diagnosis {
        let (failed, message) = match current {
            Some(obj) => {
                let a = readiness::assess(obj);
                (a.status == readiness::Status::Failed, a.message)
            }
            None => (false, "not found".to_string()),
        };
        let mut d = Diagnosis {
            object: object.clone(),
            failed,
            message,
            pods: vec![],
            events: vec![],
        };
        let Some(ns) = object.namespace.as_deref() else {
            return d;
        };
        match self.warning_events(ns, &object.kind, &object.name).await {
            Ok(events) => d.events = events,
            Err(e) => d.events.push(format!("(events unavailable: {e})")),
        }
        let pods = match (object.group(), object.kind.as_str(), current) {
            ("", "Pod", Some(pod)) => vec![pod.clone()],
            (_, _, Some(obj)) => match pod_selector(object, obj) {
                Some(selector) => match self.pods_matching(ns, &selector).await {
                    Ok(pods) => pods,
                    Err(e) => {
                        d.message.push_str(&format!(" (pods unavailable: {e})"));
                        vec![]
                    }
                },
                None => vec![],
            },
            _ => vec![],
        };
        let mut pods: Vec<PodDiagnosis> = pods.iter().map(pod_diagnosis).collect();
        // Most broken first: not ready, then most restarts; then by name for stable output.
        pods.sort_by_key(|p| {
            let restarts: i64 = p.containers.iter().map(|c| c.restarts).sum();
            (p.ready, -restarts, p.name.clone())
        });
        pods.truncate(MAX_PODS);
        // A Pod's own events are already the object's events.
        let pods_need_events = object.kind != "Pod";
        for pod in &mut pods {
            if pod.ready || !pods_need_events {
                continue;
            }
            match self.warning_events(ns, "Pod", &pod.name).await {
                Ok(events) => pod.events = events,
                Err(e) => pod.events.push(format!("(events unavailable: {e})")),
            }
        }
        d.pods = pods;
        d
    }

    /// Pods in `ns` matching a label selector, as JSON.
    pub(crate) async fn pods_matching(
        &self,
        ns: &str,
        selector: &str,
    ) -> Result<Vec<Value>, String> {
        let api: Api<Pod> = Api::namespaced(self.client().clone(), ns);
        let params = ListParams::default().labels(selector);
        let list = crate::retry::idempotent(|| api.list(&params))
            .await
            .map_err(|e| e.to_string())?;
        Ok(list
            .items
            .iter()
            .filter_map(|p| serde_json::to_value(p).ok())
            .collect())
    }

    /// Recent Warning events about one object, newest first, formatted
    /// `Warning BackOff (x12): Back-off restarting failed container`.
    async fn warning_events(
        &self,
        ns: &str,
        kind: &str,
        name: &str,
    ) -> Result<Vec<String>, String> {
        let api: Api<Event> = Api::namespaced(self.client().clone(), ns);
        let params = ListParams::default().fields(&format!("involvedObject.name={name}"));
        let list = crate::retry::idempotent(|| api.list(&params))
            .await
            .map_err(|e| e.to_string())?;
        let mut events: Vec<&Event> = list
            .items
            .iter()
            .filter(|e| e.type_.as_deref() == Some("Warning"))
            .filter(|e| e.involved_object.name.as_deref() == Some(name))
            .filter(|e| e.involved_object.kind.as_deref().is_none_or(|k| k == kind))
            .collect();
        events.sort_by_key(|e| std::cmp::Reverse(event_time(e)));
        Ok(events
            .into_iter()
            .take(MAX_EVENTS)
            .map(format_event)
            .collect())
    }
}

fn event_time(e: &Event) -> Option<k8s_openapi::jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
}

fn format_event(e: &Event) -> String {
    let reason = e.reason.as_deref().unwrap_or("");
    let count = e
        .count
        .or(e.series.as_ref().and_then(|s| s.count))
        .unwrap_or(1);
    let times = if count > 1 {
        format!(" (x{count})")
    } else {
        String::new()
    };
    format!(
        "Warning {reason}{times}: {}",
        clip(e.message.as_deref().unwrap_or("").trim())
    )
}

/// The label selector of a workload's pods, in list-API syntax.
pub(crate) fn pod_selector(object: &ObjectRef, obj: &Value) -> Option<String> {
    let workload = matches!(
        (object.group(), object.kind.as_str()),
        (
            "apps" | "extensions",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) | ("batch", "Job")
            | ("", "ReplicationController")
    );
    if !workload {
        return None;
    }
    if object.kind == "ReplicationController" {
        let labels = obj.pointer("/spec/selector")?.as_object()?;
        let parts: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
            .collect();
        return (!parts.is_empty()).then(|| parts.join(","));
    }
    match obj
        .pointer("/spec/selector")
        .and_then(label_selector_string)
    {
        Some(s) => Some(s),
        // The API server fills a Job's selector in; a simulator may not.
        None if object.kind == "Job" => Some(format!("job-name={}", object.name)),
        None => None,
    }
}

/// Converts a metav1.LabelSelector to the `a=b,c in (d,e),!f` syntax.
pub(crate) fn label_selector_string(selector: &Value) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            parts.push(format!("{k}={}", v.as_str().unwrap_or("")));
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str)?;
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|vs| vs.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match e.get("operator").and_then(Value::as_str)? {
                "In" => parts.push(format!("{key} in ({})", values.join(","))),
                "NotIn" => parts.push(format!("{key} notin ({})", values.join(","))),
                "Exists" => parts.push(key.to_string()),
                "DoesNotExist" => parts.push(format!("!{key}")),
                _ => return None,
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

pub(crate) fn pod_diagnosis(pod: &Value) -> PodDiagnosis {
    let init_names: Vec<&str> = pod
        .pointer("/status/initContainerStatuses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let containers = container_statuses(pod)
        .map(|c| {
            let name = str_at(c, "/name").to_string();
            ContainerDiagnosis {
                init: init_names.contains(&name.as_str()),
                name,
                state: container_state(c.get("state")),
                restarts: int_at(c, "/restartCount").unwrap_or(0),
                last_termination: c.pointer("/lastState/terminated").map(termination),
                ready: c.get("ready").and_then(Value::as_bool).unwrap_or(false),
            }
        })
        .collect();
    let phase = str_at(pod, "/status/phase");
    PodDiagnosis {
        name: str_at(pod, "/metadata/name").to_string(),
        phase: if phase.is_empty() {
            "Pending".to_string()
        } else {
            phase.to_string()
        },
        ready: readiness::assess(pod).is_ready(),
        containers,
        events: vec![],
    }
}

fn container_state(state: Option<&Value>) -> String {
    let Some(state) = state else {
        return "unknown".to_string();
    };
    if let Some(w) = state.get("waiting") {
        let reason = str_at(w, "/reason");
        let message = str_at(w, "/message");
        return match (reason.is_empty(), message.is_empty()) {
            (_, true) => format!("waiting: {}", if reason.is_empty() { "-" } else { reason }),
            (true, false) => format!("waiting: {}", clip(message)),
            (false, false) => format!("waiting: {reason}: {}", clip(message)),
        };
    }
    if let Some(t) = state.get("terminated") {
        return format!("terminated: {}", termination(t));
    }
    if state.get("running").is_some() {
        return "running".to_string();
    }
    "unknown".to_string()
}

/// `Error, exit code 1: "message"`.
fn termination(t: &Value) -> String {
    let reason = str_at(t, "/reason");
    let mut s = if reason.is_empty() {
        "terminated".to_string()
    } else {
        reason.to_string()
    };
    if let Some(code) = int_at(t, "/exitCode") {
        s.push_str(&format!(", exit code {code}"));
    }
    let message = str_at(t, "/message").trim();
    if !message.is_empty() {
        s.push_str(&format!(": {:?}", clip(message)));
    }
    s
}

fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_MESSAGE).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_convert_to_list_syntax() {
        let sel = json!({"matchLabels": {"app": "mariadb", "tier": "db"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]},
                                 {"key": "legacy", "operator": "DoesNotExist"}]});
        assert_eq!(
            label_selector_string(&sel).unwrap(),
            "app=mariadb,tier=db,env in (a,b),!legacy"
        );
        assert_eq!(label_selector_string(&json!({})), None);
        let job = ObjectRef::new("batch/v1", "Job", Some("ns"), "db-sync");
        assert_eq!(
            pod_selector(&job, &json!({"spec": {}})).unwrap(),
            "job-name=db-sync"
        );
        let cm = ObjectRef::new("v1", "ConfigMap", Some("ns"), "c");
        assert_eq!(pod_selector(&cm, &json!({})), None);
    }

    #[test]
    fn pod_diagnosis_reports_container_states() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "mariadb-0"},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
              "initContainerStatuses": [{"name": "init", "ready": true, "restartCount": 0,
                  "state": {"terminated": {"reason": "Completed", "exitCode": 0}}}],
              "containerStatuses": [{"name": "mariadb", "ready": false, "restartCount": 5,
                  "state": {"waiting": {"reason": "CrashLoopBackOff",
                      "message": "back-off 2m40s restarting failed container=mariadb"}},
                  "lastState": {"terminated": {"reason": "Error", "exitCode": 1,
                      "message": "mysqld: Can't create/write to file '/var/lib/mysql/x'"}}}]}});
        let d = pod_diagnosis(&pod);
        assert!(!d.ready);
        assert_eq!(d.containers.len(), 2);
        assert!(d.containers[0].init);
        assert_eq!(d.containers[0].state, "terminated: Completed, exit code 0");
        let c = &d.containers[1];
        assert_eq!(
            c.state,
            "waiting: CrashLoopBackOff: back-off 2m40s restarting failed container=mariadb"
        );
        assert_eq!(c.restarts, 5);
        assert_eq!(
            c.last_termination.as_deref(),
            Some("Error, exit code 1: \"mysqld: Can't create/write to file '/var/lib/mysql/x'\"")
        );
        let diag = Diagnosis {
            object: ObjectRef::new("apps/v1", "StatefulSet", Some("openstack"), "mariadb"),
            failed: false,
            message: "0/1 ready".into(),
            pods: vec![d],
            events: vec!["Warning FailedCreate: quota exceeded".into()],
        };
        let text = diag.to_string();
        assert!(
            text.starts_with("StatefulSet/openstack/mariadb (not ready): 0/1 ready\n"),
            "{text}"
        );
        assert!(
            text.contains("    pod mariadb-0 (Running, not ready)\n"),
            "{text}"
        );
        assert!(
            text.contains("      container mariadb: waiting: CrashLoopBackOff"),
            "{text}"
        );
        assert!(
            text.contains("(restarts: 5)\n        last terminated: Error, exit code 1"),
            "{text}"
        );
        assert!(
            text.contains("    event Warning FailedCreate: quota exceeded"),
            "{text}"
        );
    }

    #[test]
    fn long_messages_are_clipped() {
        let long = "x".repeat(1000);
        assert_eq!(clip(&long).chars().count(), MAX_MESSAGE + 1);
    }
}
