//! The object store: objects by (group, resource, namespace, name), a global
//! resourceVersion counter, a bounded event history and a broadcast channel for watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::resources::{self, ResourceType};

/// Where an object lives: storage group, plural, namespace ("" if cluster-scoped), name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(rt: &ResourceType, namespace: &str, name: &str) -> ObjKey {
        let (g, p) = rt.storage();
        ObjKey {
            group: g.to_string(),
            plural: p.to_string(),
            namespace: if rt.namespaced {
                namespace.to_string()
            } else {
                String::new()
            },
            name: name.to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as delivered to watchers and the controllers.
#[derive(Clone, Debug)]
pub struct WatchEvent {
    pub rv: u64,
    pub kind: EventType,
    pub key: ObjKey,
    pub object: Value,
    /// The object before a MODIFIED change (watches use it to see objects enter or
    /// leave their selectors).
    pub prev: Option<Value>,
}

/// Events kept for watches that resume from a resourceVersion (older resumes get 410
/// Expired and relist). Bounded because events hold whole objects.
const HISTORY_CAP: usize = 4096;
/// Slack of the broadcast channel; a watcher that falls further behind is closed.
pub const BROADCAST_CAP: usize = 8192;

pub struct Store {
    objects: BTreeMap<ObjKey, Value>,
    rv: u64,
    history: VecDeque<Arc<WatchEvent>>,
    /// Highest resourceVersion whose event was evicted from `history`.
    history_floor: u64,
    tx: broadcast::Sender<Arc<WatchEvent>>,
    builtin: Vec<ResourceType>,
    crd_types: Vec<ResourceType>,
    /// Incremented on every write; the persister compares it.
    pub writes: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}

impl Store {
    pub fn new() -> Store {
        let (tx, _) = broadcast::channel(BROADCAST_CAP);
        let mut s = Store {
            objects: BTreeMap::new(),
            rv: 0,
            history: VecDeque::new(),
            history_floor: 0,
            tx,
            builtin: resources::builtin_types(),
            crd_types: Vec::new(),
            writes: 0,
        };
        s.ensure_system_namespaces();
        s
    }

    /// `default`, `kube-system`, `kube-public`, `kube-node-lease` exist like on a fresh cluster.
    fn ensure_system_namespaces(&mut self) {
        let rt = self.find("", "v1", "namespaces").cloned();
        let Some(rt) = rt else { return };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let key = ObjKey::new(&rt, "", ns);
            if self.objects.contains_key(&key) {
                continue;
            }
            let obj = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": ns,
                    "uid": crate::ops::new_uid(),
                    "creationTimestamp": crate::time::now_rfc3339(),
                    "labels": {"kubernetes.io/metadata.name": ns},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            self.put(key, obj);
        }
        // The one node every simulated pod runs on.
        if let Some(node_rt) = self.find("", "v1", "nodes").cloned() {
            let key = ObjKey::new(&node_rt, "", crate::controllers::NODE);
            if !self.objects.contains_key(&key) {
                let now = crate::time::now_rfc3339();
                let node = json!({
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {
                        "name": crate::controllers::NODE,
                        "uid": crate::ops::new_uid(),
                        "creationTimestamp": now,
                        "labels": {
                            "kubernetes.io/hostname": crate::controllers::NODE,
                            "kubernetes.io/os": "linux",
                            "kubernetes.io/arch": "amd64",
                            "node-role.kubernetes.io/control-plane": "",
                        },
                    },
                    "spec": {},
                    "status": {
                        "capacity": {"cpu": "8", "memory": "32Gi", "pods": "250", "ephemeral-storage": "100Gi"},
                        "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "250", "ephemeral-storage": "100Gi"},
                        "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                        "message": "kubelet is posting ready status", "lastHeartbeatTime": now, "lastTransitionTime": now}],
                        "addresses": [{"type": "InternalIP", "address": "10.0.0.10"}, {"type": "Hostname", "address": crate::controllers::NODE}],
                        "nodeInfo": {"kubeletVersion": "v1.33.0", "kubeProxyVersion": "v1.33.0", "operatingSystem": "linux",
                                     "architecture": "amd64", "containerRuntimeVersion": "containerd://2.0.0",
                                     "osImage": "kubesim", "kernelVersion": "6.1.0", "machineID": "", "systemUUID": "", "bootID": ""},
                    },
                });
                self.put(key, node);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<WatchEvent>> {
        self.tx.subscribe()
    }

    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// All served types: built-ins, then CRD-defined.
    pub fn types(&self) -> impl Iterator<Item = &ResourceType> {
        self.builtin.iter().chain(self.crd_types.iter())
    }

    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    pub fn get(&self, key: &ObjKey) -> Option<&Value> {
        self.objects.get(key)
    }

    /// Objects of one storage resource, optionally in one namespace.
    pub fn list<'a>(
        &'a self,
        group: &'a str,
        plural: &'a str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a ObjKey, &'a Value)> + 'a {
        let start = ObjKey {
            group: group.to_string(),
            plural: plural.to_string(),
            namespace: namespace.unwrap_or_default().to_string(),
            name: String::new(),
        };
        self.objects.range(start..).take_while(move |(k, _)| {
            k.group == group && k.plural == plural && namespace.is_none_or(|ns| k.namespace == ns)
        })
    }

    /// Every object (for persistence, GC and controller resyncs).
    pub fn all(&self) -> impl Iterator<Item = (&ObjKey, &Value)> {
        self.objects.iter()
    }

    /// Stores an object, assigning the next resourceVersion, and notifies watchers.
    pub fn put(&mut self, key: ObjKey, mut obj: Value) -> Value {
        self.rv += 1;
        let rv = self.rv;
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        let prev = self.objects.insert(key.clone(), obj.clone());
        let kind = if prev.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        if key.group == "apiextensions.k8s.io" && key.plural == "customresourcedefinitions" {
            self.refresh_crd_types();
        }
        self.emit(rv, kind, key, obj.clone(), prev);
        obj
    }

    /// Removes an object; the DELETED event carries a fresh resourceVersion.
    pub fn remove(&mut self, key: &ObjKey) -> Option<Value> {
        let mut obj = self.objects.remove(key)?;
        self.rv += 1;
        let rv = self.rv;
        if let Some(md) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
            md.insert("resourceVersion".into(), Value::String(rv.to_string()));
        }
        if key.group == "apiextensions.k8s.io" && key.plural == "customresourcedefinitions" {
            self.refresh_crd_types();
        }
        self.emit(rv, EventType::Deleted, key.clone(), obj.clone(), None);
        Some(obj)
    }

    fn emit(&mut self, rv: u64, kind: EventType, key: ObjKey, object: Value, prev: Option<Value>) {
        self.writes += 1;
        let ev = Arc::new(WatchEvent {
            rv,
            kind,
            key,
            object,
            prev,
        });
        if self.history.len() >= HISTORY_CAP
            && let Some(old) = self.history.pop_front()
        {
            self.history_floor = old.rv;
        }
        self.history.push_back(ev.clone());
        // No receivers is fine: nobody is watching.
        let _ = self.tx.send(ev);
    }

    /// Events after `rv`, or None if some of them were evicted (410 Gone).
    pub fn events_since(&self, rv: u64) -> Option<Vec<Arc<WatchEvent>>> {
        if rv < self.history_floor {
            return None;
        }
        Some(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    fn refresh_crd_types(&mut self) {
        let crds: Vec<Value> = self
            .list("apiextensions.k8s.io", "customresourcedefinitions", None)
            .map(|(_, v)| v.clone())
            .collect();
        self.crd_types = crds.iter().flat_map(resources::types_from_crd).collect();
    }

    /// Serialises the state for the state file.
    pub fn snapshot(&self) -> Value {
        let objects: Vec<Value> = self
            .objects
            .iter()
            .map(|(k, v)| json!({"group": k.group, "resource": k.plural, "namespace": k.namespace, "name": k.name, "object": v}))
            .collect();
        json!({"kind": "KubesimState", "version": 1, "resourceVersion": self.rv, "objects": objects})
    }

    /// Replaces the state with a snapshot (history starts empty at its resourceVersion).
    pub fn restore(&mut self, snap: &Value) -> Result<(), String> {
        let rv = snap
            .get("resourceVersion")
            .and_then(Value::as_u64)
            .ok_or("missing resourceVersion")?;
        let objs = snap
            .get("objects")
            .and_then(Value::as_array)
            .ok_or("missing objects")?;
        let mut objects = BTreeMap::new();
        for o in objs {
            let s = |f: &str| {
                o.get(f)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("object entry lacks {f}"))
            };
            let key = ObjKey {
                group: s("group")?,
                plural: s("resource")?,
                namespace: s("namespace")?,
                name: s("name")?,
            };
            let obj = o
                .get("object")
                .cloned()
                .ok_or("object entry lacks object")?;
            objects.insert(key, obj);
        }
        self.objects = objects;
        self.rv = rv;
        self.history.clear();
        self.history_floor = rv;
        self.refresh_crd_types();
        self.ensure_system_namespaces();
        Ok(())
    }
}

/// `apps/v1` → ("apps", "v1"); `v1` → ("", "v1").
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_remove_and_history() {
        let mut s = Store::new();
        let base = s.resource_version();
        let rt = s.find("", "v1", "configmaps").unwrap().clone();
        let key = ObjKey::new(&rt, "default", "a");
        let mut rx = s.subscribe();
        let o = s.put(key.clone(), json!({"metadata": {"name": "a"}}));
        assert_eq!(o["metadata"]["resourceVersion"], (base + 1).to_string());
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Added);
        s.put(
            key.clone(),
            json!({"metadata": {"name": "a"}, "data": {"x": "1"}}),
        );
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Modified);
        assert_eq!(s.list("", "configmaps", Some("default")).count(), 1);
        assert_eq!(s.list("", "configmaps", Some("other")).count(), 0);
        let gone = s.remove(&key).unwrap();
        assert_eq!(gone["metadata"]["resourceVersion"], (base + 3).to_string());
        assert_eq!(s.events_since(base).unwrap().len(), 3);
        let snap = s.snapshot();
        let mut s2 = Store::new();
        s2.restore(&snap).unwrap();
        assert_eq!(s2.resource_version(), base + 3);
        assert!(s2.events_since(0).is_none());
    }
}
