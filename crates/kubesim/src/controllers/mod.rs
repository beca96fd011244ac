//! Simulated controllers: one task that reacts to store changes and timers, and rolls
//! workloads, pods, PVCs and LoadBalancer services to ready after their delay (or keeps
//! them failing when a fault applies).
//!
//! Reconciles are level-based and idempotent: they compute the desired pods and status
//! from the object and the time its current generation was first seen, and write only
//! what differs, so their own writes converge instead of looping.

mod pods;
mod workloads;

pub use pods::NODE;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use crate::config::{
    ANNOTATION_FAULT, ANNOTATION_READY_DELAY, Fault, RuleAction, glob_match, parse_duration,
};
use crate::resources::ResourceType;
use crate::state::Shared;
use crate::store::{ObjKey, Store};

/// How often a crash-looping container "restarts" (restartCount climbs, events update).
pub const FAULT_TICK: Duration = Duration::from_secs(3);

/// Kinds the controllers reconcile, by (storage group, plural).
const RECONCILED: &[(&str, &str)] = &[
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("", "persistentvolumeclaims"),
    ("", "services"),
    ("", "pods"),
    ("", "namespaces"),
    ("networking.k8s.io", "ingresses"),
];

/// When the current generation of an object started rolling out.
#[derive(Clone, Debug)]
struct Rollout {
    uid: String,
    generation: i64,
    started: Instant,
}

pub struct Controllers {
    sh: Arc<Shared>,
    rollouts: HashMap<ObjKey, Rollout>,
    timers: HashMap<ObjKey, Instant>,
}

/// Runs until shutdown.
pub async fn run(sh: Arc<Shared>) {
    let mut rx = sh.lock().subscribe();
    let mut shutdown = sh.shutdown.subscribe();
    let mut c = Controllers {
        sh: sh.clone(),
        rollouts: HashMap::new(),
        timers: HashMap::new(),
    };
    c.resync();
    loop {
        let next = c.timers.values().min().copied();
        let sleep = async {
            match next {
                Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = shutdown.changed() => return,
            ev = rx.recv() => {
                let mut keys = BTreeSet::new();
                let mut lagged = false;
                let mut handle = |ev: Result<Arc<crate::store::WatchEvent>, RecvError>, keys: &mut BTreeSet<ObjKey>| match ev {
                    Ok(ev) => keys.extend(c_keys_for(&sh, &ev)),
                    Err(RecvError::Lagged(_)) => lagged = true,
                    Err(RecvError::Closed) => {}
                };
                handle(ev, &mut keys);
                // Drain what is already queued so a burst reconciles each object once.
                for _ in 0..4096 {
                    match rx.try_recv() {
                        Ok(ev) => handle(Ok(ev), &mut keys),
                        Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => handle(Err(RecvError::Lagged(n)), &mut keys),
                        Err(_) => break,
                    }
                }
                if lagged {
                    c.resync();
                } else {
                    for k in keys {
                        c.reconcile(&k);
                    }
                }
            }
            _ = sleep => {
                let now = Instant::now();
                let due: Vec<ObjKey> = c.timers.iter().filter(|(_, t)| **t <= now).map(|(k, _)| k.clone()).collect();
                for k in due {
                    c.timers.remove(&k);
                    c.reconcile(&k);
                }
            }
        }
    }
}

/// The objects to reconcile after a change: the object itself, or its workload owner.
fn c_keys_for(sh: &Shared, ev: &crate::store::WatchEvent) -> Vec<ObjKey> {
    let k = &ev.key;
    if !RECONCILED.contains(&(k.group.as_str(), k.plural.as_str())) && k.plural != "replicasets" {
        return Vec::new();
    }
    let owners = owner_keys(&sh.lock(), &ev.object, &k.namespace);
    if owners.is_empty() {
        if k.plural == "replicasets" {
            return Vec::new();
        }
        vec![k.clone()]
    } else {
        owners
    }
}

/// Workload keys owning an object (through a ReplicaSet for Deployment pods).
fn owner_keys(store: &Store, obj: &Value, ns: &str) -> Vec<ObjKey> {
    let mut out = Vec::new();
    let refs = obj
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in refs {
        let kind = r.get("kind").and_then(Value::as_str).unwrap_or_default();
        let name = r.get("name").and_then(Value::as_str).unwrap_or_default();
        let plural = match kind {
            "ReplicaSet" => "replicasets",
            "Deployment" => "deployments",
            "StatefulSet" => "statefulsets",
            "DaemonSet" => "daemonsets",
            "Job" => "jobs",
            _ => continue,
        };
        let group = if plural == "jobs" { "batch" } else { "apps" };
        let key = ObjKey {
            group: group.into(),
            plural: plural.into(),
            namespace: ns.to_string(),
            name: name.to_string(),
        };
        if plural == "replicasets" {
            if let Some(rs) = store.get(&key) {
                out.extend(owner_keys(store, rs, ns));
            }
        } else {
            out.push(key);
        }
    }
    out
}

/// Ready delay and fault for an object: annotations win, then the first matching rule of
/// each kind, then the global delay.
pub fn settings(sh: &Shared, rt: &ResourceType, obj: &Value) -> (Duration, Option<Fault>) {
    let ann = |k: &str| -> Option<String> {
        obj.pointer("/metadata/annotations")
            .and_then(|a| a.get(k))
            .or_else(|| {
                obj.pointer("/spec/template/metadata/annotations")
                    .and_then(|a| a.get(k))
            })
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut delay = None;
    let mut fault = None;
    if let Some(d) = ann(ANNOTATION_READY_DELAY) {
        delay = parse_duration(&d).ok();
    }
    if let Some(f) = ann(ANNOTATION_FAULT) {
        fault = Fault::parse(&f);
    }
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for rule in &sh.config.rules {
        let m = &rule.matcher;
        let hit = m.kind.as_deref().is_none_or(|k| rt.matches_kind_glob(k))
            && m.namespace.as_deref().is_none_or(|p| glob_match(p, ns))
            && m.name.as_deref().is_none_or(|p| glob_match(p, name))
            && m.labels.as_ref().is_none_or(|l| {
                // Charts label the workload and its pod template alike; either counts.
                l.matches(obj)
                    || l.matches_map(
                        obj.pointer("/spec/template/metadata/labels")
                            .and_then(Value::as_object),
                    )
            });
        if !hit {
            continue;
        }
        match rule.action {
            RuleAction::ReadyDelay(d) if delay.is_none() => delay = Some(d),
            RuleAction::Fault(f) if fault.is_none() && ann(ANNOTATION_FAULT).is_none() => {
                fault = Some(f)
            }
            _ => {}
        }
    }
    (delay.unwrap_or(sh.config.ready_delay), fault)
}

/// Where a rollout stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Phase {
    /// Within the ready delay.
    Progressing,
    Ready,
    /// Past the delay with a fault; the duration is how long the fault has shown.
    Faulted(Fault, Duration),
}

impl Controllers {
    fn resync(&mut self) {
        let keys: Vec<ObjKey> = {
            let store = self.sh.lock();
            store
                .all()
                .filter(|(k, _)| RECONCILED.contains(&(k.group.as_str(), k.plural.as_str())))
                .map(|(k, _)| k.clone())
                .collect()
        };
        for k in keys {
            self.reconcile(&k);
        }
    }

    /// Reconciles one object; a panic (a bug, or an object shape nobody foresaw) is
    /// contained to that object instead of stopping every controller.
    fn reconcile(&mut self, key: &ObjKey) {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.reconcile_one(key)));
        if outcome.is_err() {
            tracing::error!(
                "kubesim: reconciling {}/{}/{} panicked; skipping it",
                key.plural,
                key.namespace,
                key.name
            );
            self.timers.remove(key);
        }
    }

    fn reconcile_one(&mut self, key: &ObjKey) {
        let sh = self.sh.clone();
        let mut store = sh.lock();
        let Some(obj) = store.get(key).cloned() else {
            self.rollouts.remove(key);
            self.timers.remove(key);
            return;
        };
        let group_plural = (key.group.as_str(), key.plural.as_str());
        let rt = match group_plural {
            ("apps", p) => store.find("apps", "v1", p).cloned(),
            ("batch", p) => store.find("batch", "v1", p).cloned(),
            ("networking.k8s.io", p) => store.find("networking.k8s.io", "v1", p).cloned(),
            ("", p) => store.find("", "v1", p).cloned(),
            _ => None,
        };
        let Some(rt) = rt else { return };
        if obj.pointer("/metadata/deletionTimestamp").is_some() {
            return;
        }
        let (delay, fault) = settings(&self.sh, &rt, &obj);
        let phase_info = self.phase(key, &obj, delay, fault);
        let next = match group_plural {
            ("apps", "deployments") => workloads::deployment(&mut store, &rt, &obj, phase_info),
            ("apps", "statefulsets") => workloads::statefulset(&mut store, &rt, &obj, phase_info),
            ("apps", "daemonsets") => workloads::daemonset(&mut store, &rt, &obj, phase_info),
            ("batch", "jobs") => workloads::job(&mut store, &rt, &obj, phase_info),
            ("", "persistentvolumeclaims") => workloads::pvc(&mut store, &rt, &obj, phase_info),
            ("", "services") => workloads::service(&mut store, &rt, &obj, phase_info),
            ("", "pods") => workloads::standalone_pod(&mut store, &rt, &obj, phase_info),
            ("", "namespaces") => workloads::namespace(&mut store, &obj),
            ("networking.k8s.io", "ingresses") => {
                workloads::ingress(&mut store, &rt, &obj, phase_info)
            }
            _ => None,
        };
        match next {
            Some(t) => {
                self.timers.insert(key.clone(), t);
            }
            None => {
                self.timers.remove(key);
            }
        }
    }

    /// Phase of the object's current generation, and when to look again.
    fn phase(
        &mut self,
        key: &ObjKey,
        obj: &Value,
        delay: Duration,
        fault: Option<Fault>,
    ) -> PhaseInfo {
        let uid = obj
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let generation = obj
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let now = Instant::now();
        let fresh = self
            .rollouts
            .get(key)
            .is_none_or(|r| r.uid != uid || r.generation != generation);
        if fresh {
            // An object that already finished this generation (e.g. loaded from the state
            // file) stays finished instead of rolling again.
            let done = fault.is_none() && workloads::looks_done(key, obj);
            let started = if done {
                now.checked_sub(delay).unwrap_or(now)
            } else {
                now
            };
            self.rollouts.insert(
                key.clone(),
                Rollout {
                    uid,
                    generation,
                    started,
                },
            );
        }
        let started = self.rollouts.get(key).map_or(now, |r| r.started);
        let elapsed = now.saturating_duration_since(started);
        let (phase, next) = if elapsed < delay {
            (Phase::Progressing, Some(started + delay))
        } else {
            match fault {
                None => (Phase::Ready, None),
                Some(f) => {
                    let since = elapsed - delay;
                    let next = match f {
                        Fault::CrashLoopBackOff | Fault::ImagePullBackOff => {
                            let ticks = since.as_millis() / FAULT_TICK.as_millis() + 1;
                            let due =
                                started + delay + FAULT_TICK * (ticks.min(u32::MAX as u128) as u32);
                            // Stop ticking after a while: counts stay bounded.
                            (ticks < 1000).then_some(due)
                        }
                        _ => None,
                    };
                    (Phase::Faulted(f, since), next)
                }
            }
        };
        PhaseInfo {
            phase,
            next,
            elapsed,
        }
    }
}

/// Phase plus timing, handed to the per-kind reconcilers.
#[derive(Clone, Copy, Debug)]
pub struct PhaseInfo {
    pub phase: Phase,
    /// When the phase changes next (or the fault ticks).
    pub next: Option<Instant>,
    /// Time since this generation started rolling out.
    pub elapsed: Duration,
}
