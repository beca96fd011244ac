//! The connection to a cluster and its cached API discovery.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kube::api::{Api, DynamicObject};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{self, ApiCapabilities, ApiResource, Scope};
use tokio::sync::Mutex;

use crate::error::{ApiFailure, ClusterError, Result};
use crate::objref::{ObjectRef, split_api_version};

/// Installs rustls' ring crypto provider as the process default. Idempotent: later
/// calls (or a provider installed by someone else first) are fine.
pub fn install_crypto_provider() {
    // install_default fails only when a provider is already installed, which is the
    // state we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// How a kind is served: its resource (plural, group, version) and whether it is namespaced.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub resource: ApiResource,
    pub namespaced: bool,
}

type GroupVersionResources = Arc<Vec<(ApiResource, ApiCapabilities)>>;

/// A Kubernetes cluster: a kube client plus discovery cached per group/version.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    discovery: Arc<Mutex<HashMap<String, GroupVersionResources>>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("default_namespace", &self.default_namespace())
            .finish()
    }
}

impl Cluster {
    /// Connects with a kubeconfig file, or (when `None`) with the usual rules:
    /// `KUBECONFIG`, `~/.kube/config`, then the in-cluster service account. `context`
    /// picks a kubeconfig context instead of the current one.
    pub async fn connect(kubeconfig: Option<&Path>, context: Option<&str>) -> Result<Cluster> {
        install_crypto_provider();
        let options = KubeConfigOptions {
            context: context.map(str::to_string),
            ..Default::default()
        };
        let config = match kubeconfig {
            Some(path) => {
                let kc = Kubeconfig::read_from(path)?;
                kube::Config::from_custom_kubeconfig(kc, &options).await?
            }
            None if context.is_none() => kube::Config::infer()
                .await
                .map_err(|e| ClusterError::Invalid(format!("kubeconfig: {e}")))?,
            None => kube::Config::from_kubeconfig(&options).await?,
        };
        let client = kube::Client::try_from(config).map_err(ClusterError::Client)?;
        Ok(Cluster::from_client(client))
    }

    /// Wraps an existing client.
    pub fn from_client(client: kube::Client) -> Cluster {
        Cluster {
            client,
            discovery: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// The namespace of the kubeconfig context (`default` when it names none).
    pub fn default_namespace(&self) -> &str {
        self.client.default_namespace()
    }

    /// Finds how the server serves `kind` in `api_version`. Discovery of a group/version
    /// is cached; an unknown kind refreshes that group/version once, so a CRD applied
    /// earlier in the same run is found.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved> {
        let mut cache = self.discovery.lock().await;
        if let Some(resources) = cache.get(api_version)
            && let Some(found) = find_kind(resources, kind)
        {
            return Ok(found);
        }
        let resources = Arc::new(self.discover(api_version, kind).await?);
        cache.insert(api_version.to_string(), resources.clone());
        find_kind(&resources, kind).ok_or_else(|| unknown_kind(api_version, kind))
    }

    /// `None` when the server serves `api_version`, else the 404 Status it answered.
    pub async fn group_version_missing(
        &self,
        api_version: &str,
    ) -> Result<Option<kube::core::Status>> {
        Ok(self.pinned_group(api_version).await?.err())
    }

    /// The API group version `api_version` as the server serves it, or the 404 Status
    /// it answered when it does not serve it.
    async fn pinned_group(
        &self,
        api_version: &str,
    ) -> Result<std::result::Result<discovery::ApiGroup, kube::core::Status>> {
        let (group, version) = split_api_version(api_version);
        if version.is_empty() {
            return Err(ClusterError::Invalid(format!(
                "invalid apiVersion {api_version:?}"
            )));
        }
        let gv = kube::core::GroupVersion::gv(group, version);
        match discovery::pinned_group(&self.client, &gv).await {
            Ok(g) => Ok(Ok(g)),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(Err(*s)),
            Err(e) => Err(ClusterError::Discovery {
                api_version: api_version.to_string(),
                failure: ApiFailure::from_kube(&e),
            }),
        }
    }

    /// Forgets cached discovery (after CRDs were removed, for instance).
    pub async fn forget_discovery(&self) {
        self.discovery.lock().await.clear();
    }

    async fn discover(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Vec<(ApiResource, ApiCapabilities)>> {
        let (_, version) = split_api_version(api_version);
        match self.pinned_group(api_version).await? {
            Ok(g) => Ok(g.versioned_resources(version)),
            Err(_) => Err(unknown_kind(api_version, kind)),
        }
    }

    /// A dynamic API handle for objects of a resolved kind in a namespace (ignored for
    /// cluster-scoped kinds; `None` means all namespaces for namespaced kinds).
    pub(crate) fn dynamic_api(
        &self,
        res: &Resolved,
        namespace: Option<&str>,
    ) -> Api<DynamicObject> {
        match (res.namespaced, namespace) {
            (true, Some(ns)) => Api::namespaced_with(self.client.clone(), ns, &res.resource),
            _ => Api::all_with(self.client.clone(), &res.resource),
        }
    }

    /// Resolves an object's kind and returns the API handle to reach it.
    pub(crate) async fn api_for(
        &self,
        object: &ObjectRef,
    ) -> Result<(Resolved, Api<DynamicObject>)> {
        let res = self.resolve(&object.api_version, &object.kind).await?;
        let api = self.dynamic_api(&res, object.namespace.as_deref());
        Ok((res, api))
    }

    /// Fetches an object as JSON; `None` when it does not exist (or its kind is gone).
    pub async fn get_object(&self, object: &ObjectRef) -> Result<Option<serde_json::Value>> {
        let (_, api) = match self.api_for(object).await {
            Ok(found) => found,
            Err(ClusterError::UnknownKind { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        match crate::retry::idempotent(|| api.get_opt(&object.name)).await {
            Ok(Some(obj)) => Ok(Some(to_json(&obj))),
            Ok(None) => Ok(None),
            Err(e) => Err(ClusterError::object("get", object, &e)),
        }
    }

    /// Fills in the namespace of a namespaced object that has none and drops it from a
    /// cluster-scoped one, so the ref names the object the server holds.
    pub async fn normalize(
        &self,
        object: &ObjectRef,
        default_namespace: &str,
    ) -> Result<ObjectRef> {
        let res = self.resolve(&object.api_version, &object.kind).await?;
        Ok(normalized(object, res.namespaced, default_namespace))
    }
}

pub(crate) fn normalized(
    object: &ObjectRef,
    namespaced: bool,
    default_namespace: &str,
) -> ObjectRef {
    let mut r = object.clone();
    if namespaced {
        if r.namespace.is_none() {
            r.namespace = Some(default_namespace.to_string());
        }
    } else {
        r.namespace = None;
    }
    r
}

pub(crate) fn to_json(obj: &DynamicObject) -> serde_json::Value {
    // DynamicObject always serializes (its fields are JSON already); Null is unreachable.
    serde_json::to_value(obj).unwrap_or(serde_json::Value::Null)
}

fn find_kind(resources: &[(ApiResource, ApiCapabilities)], kind: &str) -> Option<Resolved> {
    resources
        .iter()
        .find(|(ar, _)| ar.kind == kind)
        .map(|(ar, caps)| Resolved {
            resource: ar.clone(),
            namespaced: caps.scope == Scope::Namespaced,
        })
}

fn unknown_kind(api_version: &str, kind: &str) -> ClusterError {
    let (group, _) = split_api_version(api_version);
    let hint = if group.contains('.') && !group.ends_with(".k8s.io") {
        " (is its CustomResourceDefinition installed?)"
    } else {
        ""
    };
    ClusterError::UnknownKind {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        hint,
    }
}
