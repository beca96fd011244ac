//! Waiting for objects to become ready, with watches (never sleep-polling).
//!
//! Each object is fetched once; those not ready yet get a watch (field selector
//! `metadata.name=NAME`) and, for workloads, a watch on their pods (the workload's
//! label selector). The wait ends when every object is ready, fails fast when an
//! object fails (Job Failed, ProgressDeadlineExceeded, Pod Failed, ...) or when a pod
//! has stayed *stuck* (a container in CrashLoopBackOff, ImagePullBackOff, ErrImagePull,
//! CreateContainerConfigError, ...) for longer than [`WaitOptions::stuck_grace`]
//! without becoming ready in between, and times out otherwise. A crash-looping pod
//! keeps its "stuck since" time across restarts: only readiness resets it.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use futures::stream::{BoxStream, SelectAll, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use serde_json::Value;
use thiserror::Error;
use tokio::time::Instant;

use crate::client::{Cluster, to_json};
use crate::diagnose::{Diagnosis, pod_selector};
use crate::error::ClusterError;
use crate::objref::ObjectRef;
use crate::readiness::{self, Assessment, Status};

/// How long a pod may stay stuck before the wait fails, unless told otherwise.
pub const DEFAULT_STUCK_GRACE: Duration = Duration::from_secs(120);

/// What to wait for and how long.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    pub timeout: Duration,
    /// Fail once a pod has been stuck this long; `None` waits for the timeout instead.
    pub stuck_grace: Option<Duration>,
    /// Hook semantics: Jobs complete and Pods succeed (rather than become ready).
    pub hooks: bool,
}

impl WaitOptions {
    pub fn new(timeout: Duration) -> Self {
        WaitOptions {
            timeout,
            stuck_grace: Some(DEFAULT_STUCK_GRACE),
            hooks: false,
        }
    }
}

/// Where a wait stands: the first object not ready yet, in the given order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitProgress {
    pub object: ObjectRef,
    /// Its status ("0/1 ready", "1/2 updated, 0/2 ready", ...).
    pub message: String,
    pub ready: usize,
    pub total: usize,
}

impl fmt::Display for WaitProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "waiting for {}: {} ({}/{} objects ready)",
            self.object, self.message, self.ready, self.total
        )
    }
}

/// Why a wait did not end with every object ready.
#[derive(Debug, Error)]
pub enum WaitError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error("{0}")]
    NotReady(NotReadyReport),
}

/// Every object that was not ready when the wait ended, with its diagnosis.
#[derive(Debug, Clone)]
pub struct NotReadyReport {
    /// True when the time-out expired; false when something failed.
    pub timed_out: bool,
    pub elapsed: Duration,
    pub total: usize,
    pub objects: Vec<Diagnosis>,
}

impl fmt::Display for NotReadyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.objects.len();
        if self.timed_out {
            writeln!(
                f,
                "timed out after {} with {n} of {} objects not ready:",
                go_duration(self.elapsed),
                self.total
            )?;
        } else {
            let failed = self.objects.iter().filter(|d| d.failed).count();
            writeln!(
                f,
                "{failed} of {} objects failed ({n} not ready) after {}:",
                self.total,
                go_duration(self.elapsed)
            )?;
        }
        for d in &self.objects {
            write!(f, "  {d}")?;
        }
        Ok(())
    }
}

/// Formats like Go's time.Duration: `1m30s`, `5m0s`, `2.5s`, `300ms`.
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let total_secs = d.as_secs();
    let (h, m, s) = (total_secs / 3600, (total_secs / 60) % 60, total_secs % 60);
    let frac = (ms % 1000) as u64;
    let secs = if frac == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => secs,
        (0, m) => format!("{m}m{secs}"),
        (h, m) => format!("{h}h{m}m{secs}"),
    }
}

enum Source {
    Object(usize),
    Pods(usize),
}

type Events = BoxStream<'static, (Source, Result<Event<Value>, String>)>;

struct Tracked {
    r: ObjectRef,
    current: Option<Value>,
    /// Watched pods of a workload, by name.
    pods: HashMap<String, Value>,
    /// Pods seen since the watch (re)listed, to drop the ones that disappeared.
    relisting: Option<HashSet<String>>,
    object_relisted: bool,
    /// Pods (a workload's, or the object itself) stuck: name → (reason, since).
    stuck: HashMap<String, (String, Instant)>,
    last_error: Option<String>,
}

enum Verdict {
    Ready,
    InProgress(String),
    Failed(String),
}

impl Cluster {
    /// Waits until every object in `refs` is ready (see [`crate::readiness`]) or
    /// `timeout` expires, with the default stuck-pod grace period.
    pub async fn wait_ready(
        &self,
        refs: &[ObjectRef],
        timeout: Duration,
        progress: impl Fn(WaitProgress) + Send + Sync,
    ) -> Result<(), WaitError> {
        self.wait_with(refs, &WaitOptions::new(timeout), progress)
            .await
    }

    /// Waits as [`Cluster::wait_ready`] with explicit options.
    pub async fn wait_with(
        &self,
        refs: &[ObjectRef],
        options: &WaitOptions,
        progress: impl Fn(WaitProgress) + Send + Sync,
    ) -> Result<(), WaitError> {
        let started = Instant::now();
        let deadline = started + options.timeout;
        let mut tracked = Vec::with_capacity(refs.len());
        let mut streams: SelectAll<Events> = SelectAll::new();
        for (i, r) in refs.iter().enumerate() {
            let current = self.get_object(r).await?;
            let mut t = Tracked {
                r: r.clone(),
                current,
                pods: HashMap::new(),
                relisting: None,
                object_relisted: false,
                stuck: HashMap::new(),
                last_error: None,
            };
            note_self_stuck(&mut t, options, Instant::now());
            if !matches!(verdict(&t, options, Instant::now()).0, Verdict::Ready) {
                self.watch(i, &t, options, &mut streams).await?;
            }
            tracked.push(t);
        }
        let mut last_progress: Option<WaitProgress> = None;
        loop {
            let now = Instant::now();
            let mut ready = 0;
            let mut failed = false;
            let mut first: Option<(usize, String)> = None;
            let mut wake = deadline;
            for (i, t) in tracked.iter().enumerate() {
                let (v, expiry) = verdict(t, options, now);
                if let Some(e) = expiry {
                    wake = wake.min(e);
                }
                match v {
                    Verdict::Ready => ready += 1,
                    Verdict::Failed(_) => failed = true,
                    Verdict::InProgress(msg) => {
                        if first.is_none() {
                            first = Some((i, msg));
                        }
                    }
                }
            }
            if ready == tracked.len() {
                return Ok(());
            }
            if failed {
                return Err(self.report(&tracked, options, false, started).await);
            }
            if let Some((i, message)) = first {
                let p = WaitProgress {
                    object: tracked[i].r.clone(),
                    message,
                    ready,
                    total: tracked.len(),
                };
                if last_progress.as_ref() != Some(&p) {
                    progress(p.clone());
                    last_progress = Some(p);
                }
            }
            if now >= deadline {
                return Err(self.report(&tracked, options, true, started).await);
            }
            let next = if streams.is_empty() {
                tokio::time::sleep_until(wake).await;
                continue;
            } else {
                tokio::time::timeout_at(wake, streams.next()).await
            };
            match next {
                Ok(Some((source, event))) => apply_event(&mut tracked, source, event, options),
                // All watches ended: nothing more will arrive, so wait out the clock.
                Ok(None) => tokio::time::sleep_until(wake).await,
                Err(_elapsed) => {}
            }
        }
    }

    /// Waits until every object in `refs` is gone (after a delete), watching each.
    pub async fn wait_deleted(
        &self,
        refs: &[ObjectRef],
        timeout: Duration,
    ) -> Result<(), WaitError> {
        let started = Instant::now();
        let deadline = started + timeout;
        for r in refs {
            let (_, api) = match self.api_for(r).await {
                Ok(found) => found,
                Err(ClusterError::UnknownKind { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            let config = watcher::Config::default().fields(&format!("metadata.name={}", r.name));
            let mut events = watcher::watcher(api, config).default_backoff().boxed();
            let mut present = false;
            let mut last_seen: Option<Value> = None;
            loop {
                match tokio::time::timeout_at(deadline, events.next()).await {
                    Ok(Some(Ok(Event::Init))) => present = false,
                    Ok(Some(Ok(Event::InitApply(o)) | Ok(Event::Apply(o)))) => {
                        present = true;
                        last_seen = Some(to_json(&o));
                    }
                    Ok(Some(Ok(Event::InitDone))) if !present => break,
                    Ok(Some(Ok(Event::InitDone))) => {}
                    Ok(Some(Ok(Event::Delete(_)))) => break,
                    Ok(Some(Err(e))) => tracing::debug!(object = %r, error = %e, "watch error"),
                    Ok(None) | Err(_) => {
                        let mut d = self.diagnose(r, last_seen.as_ref()).await;
                        d.message = "still exists after delete".to_string();
                        return Err(WaitError::NotReady(NotReadyReport {
                            timed_out: true,
                            elapsed: started.elapsed(),
                            total: refs.len(),
                            objects: vec![d],
                        }));
                    }
                }
            }
        }
        Ok(())
    }

    async fn watch(
        &self,
        i: usize,
        t: &Tracked,
        options: &WaitOptions,
        streams: &mut SelectAll<Events>,
    ) -> Result<(), ClusterError> {
        let (_, api) = match self.api_for(&t.r).await {
            Ok(found) => found,
            // The kind is not served (yet): the object stays "not found" until the timeout.
            Err(ClusterError::UnknownKind { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        let config = watcher::Config::default().fields(&format!("metadata.name={}", t.r.name));
        let objects = watcher::watcher(api, config)
            .default_backoff()
            .map(move |ev| (Source::Object(i), convert(ev, |o| to_json(&o))));
        streams.push(objects.boxed());
        if options.stuck_grace.is_none() {
            return Ok(());
        }
        let (Some(ns), Some(current)) = (t.r.namespace.as_deref(), t.current.as_ref()) else {
            return Ok(());
        };
        if let Some(selector) = pod_selector(&t.r, current) {
            let api: Api<Pod> = Api::namespaced(self.client().clone(), ns);
            let pods = watcher::watcher(api, watcher::Config::default().labels(&selector))
                .default_backoff()
                .map(move |ev| {
                    let ev = convert(ev, |p| serde_json::to_value(p).unwrap_or(Value::Null));
                    (Source::Pods(i), ev)
                });
            streams.push(pods.boxed());
        }
        Ok(())
    }

    async fn report(
        &self,
        tracked: &[Tracked],
        options: &WaitOptions,
        timed_out: bool,
        started: Instant,
    ) -> WaitError {
        let now = Instant::now();
        let mut objects = Vec::new();
        for t in tracked {
            let (message, failed) = match verdict(t, options, now).0 {
                Verdict::Ready => continue,
                Verdict::InProgress(m) => (m, false),
                Verdict::Failed(m) => (m, true),
            };
            let mut d = self.diagnose(&t.r, t.current.as_ref()).await;
            d.message = message;
            if let Some(e) = &t.last_error {
                d.message.push_str(&format!(" (watch error: {e})"));
            }
            d.failed = failed;
            objects.push(d);
        }
        WaitError::NotReady(NotReadyReport {
            timed_out,
            elapsed: now.duration_since(started),
            total: tracked.len(),
            objects,
        })
    }
}

/// Turns a typed watch event into a JSON one (watch errors into their message).
fn convert<K>(
    ev: Result<Event<K>, watcher::Error>,
    json: impl Fn(K) -> Value,
) -> Result<Event<Value>, String> {
    Ok(match ev.map_err(|e| e.to_string())? {
        Event::Apply(o) => Event::Apply(json(o)),
        Event::InitApply(o) => Event::InitApply(json(o)),
        Event::Delete(o) => Event::Delete(json(o)),
        Event::Init => Event::Init,
        Event::InitDone => Event::InitDone,
    })
}

fn assess(obj: &Value, options: &WaitOptions) -> Assessment {
    if options.hooks {
        readiness::assess_hook(obj)
    } else {
        readiness::assess(obj)
    }
}

/// The verdict on a tracked object now, and when a stuck pod's grace expires.
fn verdict(t: &Tracked, options: &WaitOptions, now: Instant) -> (Verdict, Option<Instant>) {
    let Some(obj) = &t.current else {
        return (Verdict::InProgress("not found".to_string()), None);
    };
    let a = assess(obj, options);
    match a.status {
        Status::Ready => return (Verdict::Ready, None),
        Status::Failed => return (Verdict::Failed(a.message), None),
        Status::InProgress => {}
    }
    let Some(grace) = options.stuck_grace else {
        return (Verdict::InProgress(a.message), None);
    };
    let mut expiry: Option<Instant> = None;
    for (pod, (reason, since)) in &t.stuck {
        let ends = *since + grace;
        if ends <= now {
            let stuck_for = go_duration(now.duration_since(*since));
            let message = if t.r.kind == "Pod" {
                format!("{reason} for {stuck_for}")
            } else {
                format!("{}; pod {pod}: {reason} for {stuck_for}", a.message)
            };
            return (Verdict::Failed(message), None);
        }
        expiry = Some(expiry.map_or(ends, |e| e.min(ends)));
    }
    (Verdict::InProgress(a.message), expiry)
}

/// True when the last known state of a Job or Pod was finished successfully.
fn finished_then_deleted(t: &Tracked, options: &WaitOptions) -> bool {
    let finishes = matches!(
        (t.r.group(), t.r.kind.as_str()),
        ("batch", "Job") | ("", "Pod")
    );
    finishes
        && t.current.as_ref().is_some_and(|o| {
            let done = readiness::assess_hook(o);
            done.is_ready() && assess(o, options).is_ready()
        })
}

/// A Pod waited on directly is its own stuck pod.
fn note_self_stuck(t: &mut Tracked, options: &WaitOptions, now: Instant) {
    if t.r.kind != "Pod" || t.r.group() != "" {
        return;
    }
    let name = t.r.name.clone();
    match t.current.as_ref().map(|p| assess(p, options)) {
        Some(a) => update_stuck(&mut t.stuck, &name, a.stuck, a.status == Status::Ready, now),
        None => {
            t.stuck.remove(&name);
        }
    }
}

fn update_stuck(
    stuck: &mut HashMap<String, (String, Instant)>,
    pod: &str,
    reason: Option<String>,
    ready: bool,
    now: Instant,
) {
    if ready {
        stuck.remove(pod);
        return;
    }
    if let Some(reason) = reason {
        stuck
            .entry(pod.to_string())
            .and_modify(|e| e.0 = reason.clone())
            .or_insert((reason, now));
    }
}

fn apply_event(
    tracked: &mut [Tracked],
    source: Source,
    event: Result<Event<Value>, String>,
    options: &WaitOptions,
) {
    let now = Instant::now();
    match source {
        Source::Object(i) => {
            let t = &mut tracked[i];
            match event {
                Err(e) => {
                    tracing::debug!(object = %t.r, error = %e, "watch error");
                    t.last_error = Some(e);
                }
                Ok(Event::Apply(obj)) | Ok(Event::InitApply(obj)) => {
                    t.object_relisted = true;
                    t.current = Some(obj);
                    t.last_error = None;
                }
                Ok(Event::Delete(_)) => {
                    // A Job or Pod that completed may be removed right away (Job
                    // ttlSecondsAfterFinished): it still counts as done.
                    if !finished_then_deleted(t, options) {
                        t.current = None;
                    }
                }
                Ok(Event::Init) => t.object_relisted = false,
                Ok(Event::InitDone) => {
                    if !t.object_relisted && !finished_then_deleted(t, options) {
                        t.current = None;
                    }
                }
            }
            note_self_stuck(t, options, now);
        }
        Source::Pods(i) => {
            let t = &mut tracked[i];
            match event {
                Err(e) => {
                    tracing::debug!(object = %t.r, error = %e, "pod watch error");
                    t.last_error = Some(e);
                }
                Ok(Event::Apply(pod)) | Ok(Event::InitApply(pod)) => {
                    let name = readiness::str_at(&pod, "/metadata/name").to_string();
                    let a = readiness::assess(&pod);
                    let ready = a.is_ready();
                    update_stuck(&mut t.stuck, &name, a.stuck, ready, now);
                    if let Some(seen) = &mut t.relisting {
                        seen.insert(name.clone());
                    }
                    t.pods.insert(name, pod);
                }
                Ok(Event::Delete(pod)) => {
                    let name = readiness::str_at(&pod, "/metadata/name");
                    t.pods.remove(name);
                    t.stuck.remove(name);
                }
                Ok(Event::Init) => t.relisting = Some(HashSet::new()),
                Ok(Event::InitDone) => {
                    if let Some(seen) = t.relisting.take() {
                        t.pods.retain(|name, _| seen.contains(name));
                        t.stuck.retain(|name, _| seen.contains(name));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(Duration::from_millis(300)), "300ms");
        assert_eq!(go_duration(Duration::from_millis(2500)), "2.5s");
        assert_eq!(go_duration(Duration::from_secs(300)), "5m0s");
        assert_eq!(go_duration(Duration::from_secs(3723)), "1h2m3s");
    }

    fn tracked(kind: &str, obj: Value) -> Tracked {
        Tracked {
            r: ObjectRef::new(
                if kind == "Pod" { "v1" } else { "apps/v1" },
                kind,
                Some("ns"),
                "x",
            ),
            current: Some(obj),
            pods: HashMap::new(),
            relisting: None,
            object_relisted: false,
            stuck: HashMap::new(),
            last_error: None,
        }
    }

    #[test]
    fn stuck_pods_fail_after_the_grace_period() {
        let options = WaitOptions {
            timeout: Duration::from_secs(600),
            stuck_grace: Some(Duration::from_secs(60)),
            hooks: false,
        };
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"replicas": 1}, "status": {"replicas": 1, "updatedReplicas": 1}});
        let mut t = tracked("Deployment", deploy);
        let crashing = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x-1"},
            "status": {"phase": "Running", "containerStatuses": [{"name": "api",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}});
        apply_event(
            std::slice::from_mut(&mut t),
            Source::Pods(0),
            Ok(Event::Apply(crashing)),
            &options,
        );
        let since = t.stuck["x-1"].1;
        let (v, expiry) = verdict(&t, &options, since + Duration::from_secs(30));
        assert!(matches!(v, Verdict::InProgress(_)));
        assert_eq!(expiry, Some(since + Duration::from_secs(60)));
        let (v, _) = verdict(&t, &options, since + Duration::from_secs(61));
        match v {
            Verdict::Failed(m) => assert_eq!(
                m,
                "0/1 available; pod x-1: container api: CrashLoopBackOff for 1m1s"
            ),
            _ => panic!("expected failure"),
        }
        // A pod that became ready is no longer stuck.
        let ready = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x-1"},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
        apply_event(
            std::slice::from_mut(&mut t),
            Source::Pods(0),
            Ok(Event::Apply(ready)),
            &options,
        );
        assert!(t.stuck.is_empty());
    }

    #[test]
    fn relist_drops_pods_that_disappeared() {
        let options = WaitOptions::new(Duration::from_secs(60));
        let mut t = tracked("Deployment", json!({}));
        let pod = |n: &str| {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n},
            "status": {"containerStatuses": [{"name": "c", "state": {"waiting": {"reason": "ErrImagePull"}}}]}})
        };
        let ts = std::slice::from_mut(&mut t);
        apply_event(ts, Source::Pods(0), Ok(Event::Apply(pod("a"))), &options);
        apply_event(ts, Source::Pods(0), Ok(Event::Apply(pod("b"))), &options);
        apply_event(ts, Source::Pods(0), Ok(Event::Init), &options);
        apply_event(
            ts,
            Source::Pods(0),
            Ok(Event::InitApply(pod("b"))),
            &options,
        );
        apply_event(ts, Source::Pods(0), Ok(Event::InitDone), &options);
        assert_eq!(t.pods.keys().collect::<Vec<_>>(), ["b"]);
        assert_eq!(t.stuck.keys().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn completed_jobs_may_disappear() {
        let options = WaitOptions::new(Duration::from_secs(60));
        let done = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"},
            "status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        let mut t = tracked("Job", done.clone());
        t.r = ObjectRef::new("batch/v1", "Job", Some("ns"), "x");
        let ts = std::slice::from_mut(&mut t);
        apply_event(ts, Source::Object(0), Ok(Event::Delete(done)), &options);
        assert!(matches!(
            verdict(&t, &options, Instant::now()).0,
            Verdict::Ready
        ));
        let running = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"},
            "status": {"active": 1}});
        t.current = Some(running.clone());
        let ts = std::slice::from_mut(&mut t);
        apply_event(ts, Source::Object(0), Ok(Event::Delete(running)), &options);
        assert!(t.current.is_none());
    }

    #[test]
    fn missing_object_after_relist() {
        let options = WaitOptions::new(Duration::from_secs(60));
        let mut t = tracked("Deployment", json!({}));
        let ts = std::slice::from_mut(&mut t);
        apply_event(ts, Source::Object(0), Ok(Event::Init), &options);
        apply_event(ts, Source::Object(0), Ok(Event::InitDone), &options);
        assert!(t.current.is_none());
        assert!(
            matches!(verdict(&t, &options, Instant::now()).0, Verdict::InProgress(m) if m == "not found")
        );
    }
}
