//! Helm's `lookup` against a cluster (pkg/engine/lookup_func.go): the kind is resolved
//! through discovery, then one GET of the object (a name) or of the collection (no
//! name), the answer decoded as client-go's unstructured decoding does.
//!
//! The renderer is synchronous and the client async: [`ClusterLookup`] blocks on a
//! runtime handle, so a render that may call it runs on a blocking thread
//! (`spawn_blocking`), never on a runtime worker. Responses are read with a size cap
//! per response and per render, so a lookup of a huge collection fails clearly instead
//! of exhausting memory.

use std::sync::Mutex;

use capstan_helm::engine::{Lookup, value_from_json};
use futures::AsyncReadExt;
use gotmpl::{Map, Value};
use kube::api::{GetParams, ListParams};
use tokio::runtime::Handle;

use crate::client::Cluster;
use crate::error::ClusterError;
use crate::objref::split_api_version;

/// The largest single `lookup` answer read (bytes of JSON).
pub const MAX_RESPONSE_BYTES: usize = 32 << 20;
/// The most JSON all `lookup`s of one render may read together.
pub const MAX_RENDER_BYTES: usize = 64 << 20;

/// `lookup` for one render: create one per render, so the byte budget is per render.
#[derive(Debug)]
pub struct ClusterLookup {
    cluster: Cluster,
    runtime: Handle,
    /// Bytes the render may still read.
    budget: Mutex<usize>,
}

impl ClusterLookup {
    /// `runtime` drives the requests; [`Lookup::lookup`] must then be called off that
    /// runtime's worker threads (Tokio panics on a nested `block_on`).
    pub fn new(cluster: Cluster, runtime: Handle) -> ClusterLookup {
        ClusterLookup {
            cluster,
            runtime,
            budget: Mutex::new(MAX_RENDER_BYTES),
        }
    }

    /// The object or list as JSON; `None` when it does not exist.
    pub async fn query(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<serde_json::Value>, String> {
        let Some(resolved) = self.resolve(api_version, kind).await? else {
            return Ok(None);
        };
        // As Helm: the namespace is ignored for cluster-scoped kinds, and an empty one
        // means all namespaces.
        let ns = (resolved.namespaced && !namespace.is_empty()).then_some(namespace);
        let api = self.cluster.dynamic_api(&resolved, ns);
        let url = api.resource_url();
        let client = self.cluster.client();
        let body = crate::retry::idempotent(|| async {
            let request = kube::core::Request::new(url);
            let request = if name.is_empty() {
                request.list(&ListParams::default())
            } else {
                request.get(name, &GetParams::default())
            }
            .map_err(kube::Error::BuildRequest)?;
            let reader = client.request_stream(request).await?;
            let mut body = Vec::new();
            reader
                .take(MAX_RESPONSE_BYTES as u64 + 1)
                .read_to_end(&mut body)
                .await
                .map_err(|e| kube::Error::Service(Box::new(e)))?;
            Ok(body)
        })
        .await;
        let body = match body {
            Ok(body) => body,
            // Not an error for Helm: templates test `if (lookup ...)`.
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(None),
            Err(kube::Error::Api(s)) => return Err(api_message(&s)),
            Err(e) => return Err(e.to_string()),
        };
        self.spend(body.len(), api_version, kind)?;
        let mut json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| format!("decoding the {kind} answer of the API server: {e}"))?;
        if name.is_empty() {
            complete_list(&mut json);
        }
        Ok(Some(json))
    }

    /// The kind's resource, `None` when its group/version exists but does not serve
    /// it (Helm then requests a path the server answers 404, that is, an empty map).
    async fn resolve(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<crate::client::Resolved>, String> {
        let gvk = {
            let (group, version) = split_api_version(api_version);
            format!("{group}/{version}, Kind={kind}")
        };
        let failed =
            |msg: &str| format!("unable to get apiresource from unstructured: {gvk}: {msg}");
        match self.cluster.resolve(api_version, kind).await {
            Ok(found) => Ok(Some(found)),
            // The kind is not served: Helm fails only when the whole group/version is
            // missing; otherwise its request hits a path that answers 404.
            Err(ClusterError::UnknownKind { .. }) => {
                match self.cluster.group_version_missing(api_version).await {
                    Ok(None) => Ok(None),
                    Ok(Some(status)) => Err(failed(&api_message(&status))),
                    Err(e) => Err(failed(&e.to_string())),
                }
            }
            Err(ClusterError::Discovery { failure, .. }) => Err(failed(&failure.to_string())),
            Err(e) => Err(failed(&e.to_string())),
        }
    }

    fn spend(&self, bytes: usize, api_version: &str, kind: &str) -> Result<(), String> {
        if bytes > MAX_RESPONSE_BYTES {
            return Err(format!(
                "the {api_version} {kind} answer is larger than {} MiB (capstan's limit per lookup)",
                MAX_RESPONSE_BYTES >> 20
            ));
        }
        // A poisoned lock only means another lookup panicked; the count is still usable.
        let mut left = self.budget.lock().unwrap_or_else(|p| p.into_inner());
        if bytes > *left {
            return Err(format!(
                "lookups read more than {} MiB in one render (capstan's limit)",
                MAX_RENDER_BYTES >> 20
            ));
        }
        *left -= bytes;
        Ok(())
    }
}

impl Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let json = self
            .runtime
            .block_on(self.query(api_version, kind, namespace, name))?;
        Ok(match json {
            Some(json) => value_from_json(&json),
            None => Value::Map(Map::new()),
        })
    }
}

/// The message client-go's `StatusError` prints: the server's Status message, or for
/// a body that is not a Status, client-go's generic text for the code.
fn api_message(status: &kube::core::Status) -> String {
    let reconstructed = status.reason == "Failed to parse error data";
    match status.code {
        404 if reconstructed || status.message.is_empty() => {
            "the server could not find the requested resource".to_string()
        }
        code if reconstructed || status.message.is_empty() => format!(
            "the server responded with the status code {code} but did not return more information"
        ),
        _ => status.message.clone(),
    }
}

/// What client-go's unstructured list decoding makes of a list: `items` always present
/// (an empty list when the server sent none or null), and items without `kind` and
/// `apiVersion` (typed lists omit them) given the list's, `kind` without `List`.
fn complete_list(json: &mut serde_json::Value) {
    let serde_json::Value::Object(list) = json else {
        return;
    };
    let api_version = serde_json::Value::String(
        list.get("apiVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
    );
    let kind = list
        .get("kind")
        .and_then(|k| k.as_str())
        .map(|k| k.strip_suffix("List").unwrap_or(k).to_string())
        .unwrap_or_default();
    let items = list
        .entry("items")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    if items.is_null() {
        *items = serde_json::Value::Array(Vec::new());
    }
    let serde_json::Value::Array(items) = items else {
        return;
    };
    for item in items {
        let serde_json::Value::Object(obj) = item else {
            continue;
        };
        let missing = |k: &str| {
            obj.get(k)
                .is_none_or(|v| v.as_str().is_none_or(str::is_empty))
        };
        if missing("kind") && missing("apiVersion") {
            obj.insert("kind".into(), serde_json::Value::String(kind.clone()));
            obj.insert("apiVersion".into(), api_version.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_get_items_and_their_kinds() {
        let mut l = json!({"apiVersion": "v1", "kind": "SecretList", "metadata": {},
            "items": [{"metadata": {"name": "a"}}, {"kind": "X", "apiVersion": "v9"}]});
        complete_list(&mut l);
        assert_eq!(l["items"][0]["kind"], "Secret");
        assert_eq!(l["items"][0]["apiVersion"], "v1");
        assert_eq!(l["items"][1]["kind"], "X");
        let mut empty = json!({"apiVersion": "v1", "kind": "SecretList", "items": null});
        complete_list(&mut empty);
        assert_eq!(empty["items"], json!([]));
        let mut none = json!({"apiVersion": "v1", "kind": "SecretList"});
        complete_list(&mut none);
        assert_eq!(none["items"], json!([]));
    }

    #[tokio::test]
    async fn answers_are_capped_per_lookup_and_per_render() {
        // Never contacted: only the byte accounting is exercised.
        let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
        let cluster = Cluster::from_client(kube::Client::try_from(config).unwrap());
        let lookup = ClusterLookup::new(cluster, Handle::current());
        let e = lookup
            .spend(MAX_RESPONSE_BYTES + 1, "v1", "Secret")
            .unwrap_err();
        assert!(e.contains("capstan's limit per lookup"), "{e}");
        let mut spent = 0;
        while spent + MAX_RESPONSE_BYTES <= MAX_RENDER_BYTES {
            lookup.spend(MAX_RESPONSE_BYTES, "v1", "Secret").unwrap();
            spent += MAX_RESPONSE_BYTES;
        }
        lookup
            .spend(MAX_RENDER_BYTES - spent, "v1", "Secret")
            .unwrap();
        let e = lookup.spend(1, "v1", "Secret").unwrap_err();
        assert!(e.contains("in one render"), "{e}");
    }
}
