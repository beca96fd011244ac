//! kubesim: an embedded, in-memory Kubernetes API server for tests and local runs.
//!
//! It serves plain HTTP on 127.0.0.1 and is accepted by kubectl, kube-rs and the Helm SDK
//! through a kubeconfig with `server: http://127.0.0.1:PORT`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubesim::SimError> {
//! use std::time::Duration;
//! let config = kubesim::SimConfig {
//!     ready_delay: Duration::from_secs(2),
//!     state_file: None,
//!     rules: vec![kubesim::SimRule::parse("deployment/openstack/nova-*=fault:CrashLoopBackOff").unwrap()],
//! };
//! let sim = kubesim::Sim::start(config, "127.0.0.1:0".parse().unwrap()).await?;
//! sim.write_kubeconfig(std::path::Path::new("/tmp/kubeconfig"))?;
//! // ... drive kubectl / kube-rs against sim.addr() ...
//! sim.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # What is served
//! - Discovery: `/version`, `/api`, `/apis` (legacy lists, and aggregated discovery v2 and
//!   v2beta1 when asked through `Accept`), `/api/v1`, `/apis/G`, `/apis/G/V`. `/openapi/*`
//!   answers 404, which kubectl and client-go tolerate (no client-side schema validation).
//! - Built-in kinds (core, apps, batch, networking, rbac, policy, autoscaling v2 and v1,
//!   apiextensions, storage, scheduling, coordination, discovery, admissionregistration,
//!   events.k8s.io) and every kind a CustomResourceDefinition defines (served as soon as
//!   the CRD is created; its condition `Established` is set at once).
//! - Verbs: get, list (labelSelector with set-based forms, fieldSelector on any dotted
//!   field), watch (resourceVersion resume with 410 Expired past the history, bookmarks,
//!   `sendInitialEvents`, timeoutSeconds), create, update (409 on stale resourceVersion),
//!   patch (server-side apply, JSON merge, strategic merge with the built-in merge keys,
//!   JSON patch), delete (propagationPolicy, preconditions, finalizers) and
//!   deletecollection; subresources `status`, `scale` and `pods/log`; `dryRun=All`.
//!   `kubectl get` receives server-side Tables. `limit`/`continue` are accepted and the
//!   whole list is returned in one page.
//! - Bodies: JSON, YAML (apply), and the protobuf envelope typed Go clients send for
//!   Secret, ConfigMap, Namespace and DeleteOptions (Helm's release storage, `kubectl
//!   create ns|configmap|secret`); other protobuf kinds answer 415 (e.g. `kubectl create
//!   deployment`; `kubectl apply`/`create -f` send JSON). Responses are always JSON.
//!   Bodies are limited to 16 MiB and 64 levels of nesting; bad input answers a 400 Status.
//! - `SelfSubjectAccessReview`/`SelfSubjectRulesReview` always allow (`kubectl auth can-i`).
//! - At start: namespaces `default`, `kube-system`, `kube-public`, `kube-node-lease`, and a
//!   Ready node `kubesim-node`; every namespace gets a `default` ServiceAccount.
//! - Server-side apply tracks `managedFields` per manager; conflicts are fields owned by
//!   another manager whose value differs, `force=true` takes them over; fields a manager
//!   stops applying are removed unless another manager owns them. Lists of built-in types
//!   with well-known keys are associative; other lists (and all CRD lists) are atomic.
//! - Simulated controllers (see [`SimConfig::ready_delay`] and [`SimRule`]): Deployments
//!   (through ReplicaSets and Pods), StatefulSets (pods `NAME-i`, PVCs from claim
//!   templates), DaemonSets (one node), Jobs, PVCs (Bound), LoadBalancer Services and
//!   Ingresses (address 127.0.0.1), standalone Pods. A new generation restarts the
//!   rollout (the old ReplicaSet keeps serving until the new one is ready). Faults keep a
//!   workload unready with kubelet-like pod states and Warning events; a faulted
//!   Deployment reports ProgressDeadlineExceeded after `progressDeadlineSeconds`.
//!   Owner-reference garbage collection on delete (Background/Foreground delete
//!   dependents at once, Orphan strips the references); deleting a namespace deletes its
//!   contents; deletion is immediate unless `metadata.finalizers` is non-empty.
//! - API faults from rules: HTTP errors (429 carries `Retry-After: 1`), latency, dropped
//!   watches. They apply to resource requests only (never to discovery), matched by
//!   kind/namespace/name; rules with label selectors never match requests.
//!
//! # Per-object control
//! Annotations on the object (or on its pod template):
//! `kubesim.capstan.dev/ready-delay: "3s"` and
//! `kubesim.capstan.dev/fault: CrashLoopBackOff|ImagePullBackOff|JobFails|NeverReady`.
//! They override rules, which override the global delay. Rule syntax: [`SimRule::parse`].
//!
//! # Persistence
//! With [`SimConfig::state_file`], the state is loaded at start and saved (debounced,
//! written to a temp file and renamed) after changes and at [`SimHandle::shutdown`].
//! Workloads that were ready stay ready after a reload; rollouts in progress restart.
//! One process at a time should own a state file (the last writer wins).

mod config;
mod controllers;
mod defaults;
mod error;
mod ops;
mod patch;
mod persist;
mod present;
mod proto;
mod resources;
mod selector;
mod server;
mod ssa;
mod state;
mod store;
mod time;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinHandle;

pub use config::{
    ANNOTATION_FAULT, ANNOTATION_READY_DELAY, Fault, Matcher, RuleAction, RuleParseError,
    SimConfig, SimRule, Trigger, parse_duration,
};
pub use error::SimError;
pub use selector::{FieldSelector, LabelSelector, Requirement};

/// Starts simulators.
pub struct Sim;

impl Sim {
    /// Binds `addr` (use `127.0.0.1:0` for any free port), loads the state file if any,
    /// and starts serving and simulating.
    pub async fn start(config: SimConfig, addr: SocketAddr) -> Result<SimHandle, SimError> {
        let store = match &config.state_file {
            Some(p) => persist::load(p)?,
            None => store::Store::new(),
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let shared = Arc::new(state::Shared::new(store, config, local));
        let mut tasks = Vec::new();
        tasks.push(tokio::spawn(supervise_controllers(shared.clone())));
        if let Some(p) = shared.config.state_file.clone() {
            tasks.push(tokio::spawn(persist::run_saver(shared.clone(), p)));
        }
        let app = server::router(shared.clone());
        let mut stop = shared.shutdown.subscribe();
        let server = tokio::spawn(async move {
            let graceful = async move {
                let _ = stop.changed().await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(graceful)
                .await
            {
                tracing::warn!("kubesim server stopped: {e}");
            }
        });
        Ok(SimHandle {
            shared,
            server: Some(server),
            tasks,
        })
    }
}

/// Runs the controllers, restarting them if a reconcile panics (a bug must not freeze
/// every rollout), with a pause so a repeating panic cannot spin.
async fn supervise_controllers(shared: Arc<state::Shared>) {
    loop {
        let run = tokio::spawn(controllers::run(shared.clone()));
        match run.await {
            Err(e) if e.is_panic() && !*shared.shutdown.borrow() => {
                tracing::error!("kubesim controllers panicked; restarting");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            _ => return,
        }
    }
}

/// A running simulator. Dropping it stops serving (without a final save); call
/// [`SimHandle::shutdown`] to stop and persist.
pub struct SimHandle {
    shared: Arc<state::Shared>,
    server: Option<JoinHandle<()>>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// A kubeconfig whose cluster, user and context are all named `context_name`, with
    /// namespace `default`.
    pub fn kubeconfig_yaml(&self, context_name: &str) -> String {
        // JSON strings are valid YAML scalars: safe quoting for any name.
        let n = serde_json::Value::String(context_name.to_string()).to_string();
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {n}\n  cluster:\n    server: {url}\ncontexts:\n- name: {n}\n  context:\n    cluster: {n}\n    user: {n}\n    namespace: default\ncurrent-context: {n}\nusers:\n- name: {n}\n  user: {{}}\npreferences: {{}}\n",
            url = self.url()
        )
    }

    /// Writes [`SimHandle::kubeconfig_yaml`] (context `kubesim`) to `path`.
    pub fn write_kubeconfig(&self, path: &Path) -> Result<(), SimError> {
        std::fs::write(path, self.kubeconfig_yaml("kubesim")).map_err(|source| {
            SimError::WriteKubeconfig {
                path: path.to_path_buf(),
                source,
            }
        })
    }

    /// Current global resourceVersion (grows with every write).
    pub fn resource_version(&self) -> u64 {
        self.shared.lock().resource_version()
    }

    /// Stops serving, ends watches and controllers, and saves the state file.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        let _ = self.shared.shutdown.send(true);
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
        match &self.shared.config.state_file {
            Some(p) => persist::save_now(&self.shared, p),
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shared.shutdown.send(true);
    }
}
