//! Helm's Secret storage driver (pkg/storage/driver/secrets.go), readable and writable
//! by real Helm: Secret `sh.helm.release.v1.NAME.vREV` of type `helm.sh/release.v1`
//! in the release namespace, labels `name`, `owner=helm`, `status`, `version` and
//! `createdAt` (on create) or `modifiedAt` (on update), plus the release's custom labels.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};
use thiserror::Error;

use super::codec::{CodecError, decode_release, encode_release};
use super::gotime::GoTime;
use super::record::{Release, ReleaseStatus, secret_name};
use crate::client::Cluster;
use crate::error::{ApiFailure, ClusterError, is_not_found};
use crate::objref::ObjectRef;

/// The Secret type Helm 3 and 4 give release records.
pub const RELEASE_SECRET_TYPE: &str = "helm.sh/release.v1";

/// Labels the driver manages; the others on a record Secret are the release's own.
const SYSTEM_LABELS: &[&str] = &[
    "name",
    "owner",
    "status",
    "version",
    "createdAt",
    "modifiedAt",
];

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Cluster(Box<ClusterError>),
    #[error("release record {secret} in namespace {namespace}: {source}")]
    Decode {
        namespace: String,
        secret: String,
        #[source]
        source: CodecError,
    },
    #[error("release {name} revision {version} already exists in namespace {namespace}")]
    Exists {
        name: String,
        namespace: String,
        version: i64,
    },
    #[error("release {name} revision {version} not found in namespace {namespace}")]
    NotFound {
        name: String,
        namespace: String,
        version: i64,
    },
    #[error("invalid release: {0}")]
    Invalid(String),
}

impl From<ClusterError> for StoreError {
    fn from(e: ClusterError) -> Self {
        StoreError::Cluster(Box::new(e))
    }
}

/// Release records of a cluster.
#[derive(Debug, Clone)]
pub struct ReleaseStore {
    cluster: Cluster,
}

impl ReleaseStore {
    pub fn new(cluster: &Cluster) -> Self {
        ReleaseStore {
            cluster: cluster.clone(),
        }
    }

    fn secrets(&self, namespace: Option<&str>) -> Api<Secret> {
        match namespace {
            Some(ns) => Api::namespaced(self.cluster.client().clone(), ns),
            None => Api::all(self.cluster.client().clone()),
        }
    }

    /// Every revision of a release, oldest first (selector `name=NAME,owner=helm`).
    pub async fn history(&self, name: &str, namespace: &str) -> Result<Vec<Release>, StoreError> {
        let selector = format!("name={name},owner=helm");
        let mut releases = self.query(Some(namespace), &selector).await?;
        releases.retain(|r| r.name == name);
        releases.sort_by_key(|r| r.version);
        Ok(releases)
    }

    /// One revision.
    pub async fn get(
        &self,
        name: &str,
        namespace: &str,
        version: i64,
    ) -> Result<Option<Release>, StoreError> {
        let key = secret_name(name, version);
        let api = self.secrets(Some(namespace));
        match crate::retry::idempotent(|| api.get_opt(&key)).await {
            Ok(Some(secret)) => Ok(Some(decode_secret(&secret, namespace)?)),
            Ok(None) => Ok(None),
            Err(e) => Err(secret_error("get", namespace, &key, &e).into()),
        }
    }

    /// The highest revision, whatever its status.
    pub async fn latest(&self, name: &str, namespace: &str) -> Result<Option<Release>, StoreError> {
        Ok(self.history(name, namespace).await?.pop())
    }

    /// The highest revision with status `deployed`.
    pub async fn last_deployed(
        &self,
        name: &str,
        namespace: &str,
    ) -> Result<Option<Release>, StoreError> {
        let history = self.history(name, namespace).await?;
        Ok(history
            .into_iter()
            .rev()
            .find(|r| r.info.status == ReleaseStatus::Deployed))
    }

    /// The revision number the next install/upgrade/rollback gets.
    pub async fn next_version(&self, name: &str, namespace: &str) -> Result<i64, StoreError> {
        Ok(self
            .latest(name, namespace)
            .await?
            .map_or(1, |r| r.version + 1))
    }

    /// The latest revision of every release in `namespace` (all namespaces when `None`),
    /// sorted by namespace then name (selector `owner=helm`).
    pub async fn list(&self, namespace: Option<&str>) -> Result<Vec<Release>, StoreError> {
        let all = self.query(namespace, "owner=helm").await?;
        let mut latest: HashMap<(String, String), Release> = HashMap::new();
        for r in all {
            let key = (r.namespace.clone(), r.name.clone());
            match latest.get(&key) {
                Some(seen) if seen.version >= r.version => {}
                _ => {
                    latest.insert(key, r);
                }
            }
        }
        let mut out: Vec<Release> = latest.into_values().collect();
        out.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        Ok(out)
    }

    /// Stores a new revision; fails with [`StoreError::Exists`] if it is already stored.
    pub async fn create(&self, release: &Release) -> Result<(), StoreError> {
        check(release)?;
        let mut labels = BTreeMap::new();
        labels.insert("createdAt".to_string(), unix_now());
        let secret = record_secret(release, labels)?;
        let key = release.secret_name();
        match self
            .secrets(Some(&release.namespace))
            .create(&PostParams::default(), &secret)
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 => Err(StoreError::Exists {
                name: release.name.clone(),
                namespace: release.namespace.clone(),
                version: release.version,
            }),
            Err(e) => Err(secret_error("create", &release.namespace, &key, &e).into()),
        }
    }

    /// Rewrites a stored revision (status, description, hooks' last runs...).
    pub async fn update(&self, release: &Release) -> Result<(), StoreError> {
        check(release)?;
        let key = release.secret_name();
        let api = self.secrets(Some(&release.namespace));
        let existing = match api.get_opt(&key).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Err(StoreError::NotFound {
                    name: release.name.clone(),
                    namespace: release.namespace.clone(),
                    version: release.version,
                });
            }
            Err(e) => return Err(secret_error("get", &release.namespace, &key, &e).into()),
        };
        let mut labels = BTreeMap::new();
        labels.insert("modifiedAt".to_string(), unix_now());
        let mut secret = record_secret(release, labels)?;
        // Optimistic concurrency: a concurrent writer makes this fail instead of being lost.
        secret.metadata.resource_version = existing.metadata.resource_version;
        api.replace(&key, &PostParams::default(), &secret)
            .await
            .map_err(|e| secret_error("update", &release.namespace, &key, &e))?;
        Ok(())
    }

    /// Marks `release` deployed (with `description`, e.g. "Install complete") and every
    /// other deployed revision superseded, as Helm does at the end of an install,
    /// upgrade or rollback.
    pub async fn mark_deployed(
        &self,
        release: &mut Release,
        description: &str,
    ) -> Result<(), StoreError> {
        for mut other in self.history(&release.name, &release.namespace).await? {
            if other.version != release.version && other.info.status == ReleaseStatus::Deployed {
                other.info.status = ReleaseStatus::Superseded;
                other.info.description = "Superseded".to_string();
                self.update(&other).await?;
            }
        }
        release.info.status = ReleaseStatus::Deployed;
        release.info.description = description.to_string();
        self.update(release).await
    }

    /// Marks `release` failed with `description` (Helm: `Release "x" failed: ...`);
    /// the previously deployed revision stays deployed.
    pub async fn mark_failed(
        &self,
        release: &mut Release,
        description: &str,
    ) -> Result<(), StoreError> {
        release.info.status = ReleaseStatus::Failed;
        release.info.description = description.to_string();
        self.update(release).await
    }

    /// Sets any status with its description and stores it (e.g. `uninstalling` while an
    /// uninstall runs). [`ReleaseStatus::Uninstalled`] also stamps `info.deleted`, as
    /// Helm's `uninstall --keep-history` does.
    pub async fn set_status(
        &self,
        release: &mut Release,
        status: ReleaseStatus,
        description: &str,
    ) -> Result<(), StoreError> {
        release.info.status = status;
        release.info.description = description.to_string();
        if status == ReleaseStatus::Uninstalled {
            release.info.deleted = Some(GoTime::now());
        }
        self.update(release).await
    }

    /// Deletes every revision of a release. Returns how many were deleted.
    pub async fn delete_history(&self, name: &str, namespace: &str) -> Result<usize, StoreError> {
        let history = self.history(name, namespace).await?;
        let api = self.secrets(Some(namespace));
        let mut deleted = 0;
        for r in &history {
            let key = r.secret_name();
            match api.delete(&key, &DeleteParams::default()).await {
                Ok(_) => deleted += 1,
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(secret_error("delete", namespace, &key, &e).into()),
            }
        }
        Ok(deleted)
    }

    /// Keeps at most `max` revisions (Helm's `--history-max`), deleting the oldest ones
    /// but never the last deployed one. `max == 0` keeps everything.
    pub async fn prune_history(
        &self,
        name: &str,
        namespace: &str,
        max: usize,
    ) -> Result<usize, StoreError> {
        if max == 0 {
            return Ok(0);
        }
        let history = self.history(name, namespace).await?;
        let last_deployed = history
            .iter()
            .rev()
            .find(|r| r.info.status == ReleaseStatus::Deployed)
            .map(|r| r.version);
        let excess = history.len().saturating_sub(max);
        let api = self.secrets(Some(namespace));
        let mut deleted = 0;
        for r in history
            .iter()
            .filter(|r| Some(r.version) != last_deployed)
            .take(excess)
        {
            let key = r.secret_name();
            match api.delete(&key, &DeleteParams::default()).await {
                Ok(_) => deleted += 1,
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(secret_error("delete", namespace, &key, &e).into()),
            }
        }
        Ok(deleted)
    }

    async fn query(
        &self,
        namespace: Option<&str>,
        selector: &str,
    ) -> Result<Vec<Release>, StoreError> {
        let api = self.secrets(namespace);
        let params = ListParams::default().labels(selector);
        let list = crate::retry::idempotent(|| api.list(&params))
            .await
            .map_err(|e| {
                ClusterError::request(
                    format!(
                        "list release records ({selector}) in {}",
                        namespace.unwrap_or("all namespaces")
                    ),
                    &e,
                )
            })?;
        let mut out = Vec::with_capacity(list.items.len());
        for secret in &list.items {
            let ns = secret
                .metadata
                .namespace
                .as_deref()
                .or(namespace)
                .unwrap_or("");
            match decode_secret(secret, ns) {
                Ok(r) => out.push(r),
                // Helm skips records it cannot decode (and logs them); so do we.
                Err(e) => tracing::warn!("skipping release record: {e}"),
            }
        }
        Ok(out)
    }
}

fn check(release: &Release) -> Result<(), StoreError> {
    if release.name.is_empty() || release.namespace.is_empty() || release.version < 1 {
        return Err(StoreError::Invalid(format!(
            "a release record needs a name, a namespace and a version >= 1 (got {:?} in {:?}, version {})",
            release.name, release.namespace, release.version
        )));
    }
    Ok(())
}

fn unix_now() -> String {
    GoTime::now().0.timestamp().to_string()
}

/// Builds the Secret holding `release`, with `labels` (createdAt or modifiedAt) added
/// to the release's custom labels and the driver's own.
pub fn record_secret(
    release: &Release,
    mut labels: BTreeMap<String, String>,
) -> Result<Secret, StoreError> {
    let encoded = encode_release(release).map_err(|source| StoreError::Decode {
        namespace: release.namespace.clone(),
        secret: release.secret_name(),
        source,
    })?;
    for (k, v) in &release.labels {
        if !SYSTEM_LABELS.contains(&k.as_str()) {
            labels.insert(k.clone(), v.clone());
        }
    }
    labels.insert("name".to_string(), release.name.clone());
    labels.insert("owner".to_string(), "helm".to_string());
    labels.insert(
        "status".to_string(),
        release.info.status.as_str().to_string(),
    );
    labels.insert("version".to_string(), release.version.to_string());
    Ok(Secret {
        metadata: ObjectMeta {
            name: Some(release.secret_name()),
            namespace: Some(release.namespace.clone()),
            labels: Some(labels),
            ..Default::default()
        },
        type_: Some(RELEASE_SECRET_TYPE.to_string()),
        data: Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(encoded.into_bytes()),
        )])),
        ..Default::default()
    })
}

/// Reads the release out of a record Secret; its custom labels come from the Secret.
pub fn decode_secret(secret: &Secret, namespace: &str) -> Result<Release, StoreError> {
    let name = secret.metadata.name.clone().unwrap_or_default();
    let data = secret
        .data
        .as_ref()
        .and_then(|d| d.get("release"))
        .map(|b| b.0.as_slice());
    let mut release =
        decode_release(data.unwrap_or_default()).map_err(|source| StoreError::Decode {
            namespace: namespace.to_string(),
            secret: name.clone(),
            source,
        })?;
    release.labels = secret
        .metadata
        .labels
        .iter()
        .flatten()
        .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if release.namespace.is_empty() {
        release.namespace = namespace.to_string();
    }
    Ok(release)
}

fn secret_error(
    action: &'static str,
    namespace: &str,
    key: &str,
    err: &kube::Error,
) -> ClusterError {
    ClusterError::Object {
        action,
        object: ObjectRef::new("v1", "Secret", Some(namespace), key),
        failure: ApiFailure::from_kube(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::Info;
    use serde_json::json;

    #[test]
    fn record_secret_matches_helms_layout() {
        let rel = Release {
            name: "keystone".into(),
            info: Info {
                status: ReleaseStatus::PendingUpgrade,
                ..Default::default()
            },
            chart: json!({"metadata": {"name": "keystone"}}),
            version: 3,
            namespace: "openstack".into(),
            labels: BTreeMap::from([("team".into(), "id".into()), ("owner".into(), "me".into())]),
            ..Default::default()
        };
        let s = record_secret(
            &rel,
            BTreeMap::from([("createdAt".into(), "1700000000".into())]),
        )
        .unwrap();
        assert_eq!(
            s.metadata.name.as_deref(),
            Some("sh.helm.release.v1.keystone.v3")
        );
        assert_eq!(s.type_.as_deref(), Some("helm.sh/release.v1"));
        let labels = s.metadata.labels.clone().unwrap();
        assert_eq!(labels["name"], "keystone");
        assert_eq!(labels["owner"], "helm");
        assert_eq!(labels["status"], "pending-upgrade");
        assert_eq!(labels["version"], "3");
        assert_eq!(labels["createdAt"], "1700000000");
        assert_eq!(labels["team"], "id");
        // On the wire, data.release is base64 of the base64 text Helm decodes.
        let wire = serde_json::to_value(&s).unwrap();
        let outer = wire["data"]["release"].as_str().unwrap();
        use base64::Engine;
        let inner = base64::engine::general_purpose::STANDARD
            .decode(outer)
            .unwrap();
        assert!(
            inner.starts_with(b"H4sI"),
            "inner base64 of gzip starts with H4sI"
        );
        let back = decode_secret(&s, "openstack").unwrap();
        assert_eq!(
            back.labels,
            BTreeMap::from([("team".to_string(), "id".to_string())])
        );
        assert_eq!(
            Release {
                labels: BTreeMap::new(),
                ..back
            },
            Release {
                labels: BTreeMap::new(),
                ..rel
            }
        );
    }

    #[test]
    fn invalid_releases_are_refused() {
        assert!(
            check(&Release {
                name: "a".into(),
                namespace: "n".into(),
                version: 0,
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            check(&Release {
                name: "a".into(),
                namespace: "n".into(),
                version: 1,
                ..Default::default()
            })
            .is_ok()
        );
    }
}
