//! Server-side apply, delete and prune.

use kube::api::{DeleteParams, Patch, PatchParams, PostParams};
use serde_json::Value;

use crate::client::{Cluster, normalized};
use crate::error::{ApplyError, ClusterError, Result, is_not_found};
use crate::kind_order::{UNINSTALL_ORDER, sort_by_kind};
use crate::managed_fields::take_over;
use crate::manifest::ObjectYaml;
use crate::objref::ObjectRef;

/// The field manager capstan applies with.
pub const FIELD_MANAGER: &str = "capstan";

/// `helm.sh/resource-policy: keep` spares an object from prune and uninstall.
pub const RESOURCE_POLICY_KEEP: &str = "keep";

/// What [`Cluster::uninstall_objects`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uninstalled {
    pub deleted: Vec<ObjectRef>,
    /// Objects left in place because of `helm.sh/resource-policy: keep`.
    pub kept: Vec<ObjectRef>,
}

impl Cluster {
    /// Server-side applies `objects` in the given order (the renderer sorted them in
    /// Helm's install order). Namespaced objects without a namespace get
    /// `default_namespace`; cluster-scoped objects lose any namespace. `force` takes
    /// ownership of fields other managers own (kubectl's `--force-conflicts`), including
    /// those client-side writers such as `helm rollback` set that the manifest no longer
    /// has: they move to `field_manager` first, so the apply removes them
    /// ([`crate::managed_fields`]).
    /// Returns the refs of the applied objects, namespaces filled in.
    pub async fn apply_objects(
        &self,
        objects: &[ObjectYaml],
        default_namespace: &str,
        field_manager: &str,
        force: bool,
    ) -> Result<Vec<ObjectRef>, ApplyError> {
        let mut applied = Vec::with_capacity(objects.len());
        for object in objects {
            applied.push(
                self.apply_object(object, default_namespace, field_manager, force)
                    .await?,
            );
        }
        Ok(applied)
    }

    /// Server-side applies one object; see [`Cluster::apply_objects`].
    pub async fn apply_object(
        &self,
        object: &ObjectYaml,
        default_namespace: &str,
        field_manager: &str,
        force: bool,
    ) -> Result<ObjectRef, ApplyError> {
        let declared = object.object_ref();
        let res = self
            .resolve(&declared.api_version, &declared.kind)
            .await
            .map_err(|e| {
                // Name the object (and its template) when its kind is unknown.
                match e {
                    ClusterError::UnknownKind { .. } => ClusterError::Invalid(format!(
                        "apply {declared}{}: {e}",
                        object
                            .source
                            .as_deref()
                            .map(|s| format!(" ({s})"))
                            .unwrap_or_default()
                    )),
                    other => other,
                }
            })?;
        let target = normalized(&declared, res.namespaced, default_namespace);
        let mut body = object.object.clone();
        set_namespace(&mut body, target.namespace.as_deref());
        let api = self.dynamic_api(&res, target.namespace.as_deref());
        // Only a forced apply takes fields from others; without force, Helm's fields
        // stay Helm's and a differing value is a conflict the caller asked to see.
        if force {
            self.take_over_client_side_fields(&api, &target, field_manager)
                .await?;
        }
        let mut params = PatchParams::apply(field_manager);
        params.force = force;
        let patch = Patch::Apply(&body);
        crate::retry::idempotent(|| api.patch(&target.name, &params, &patch))
            .await
            .map_err(|e| ClusterError::object("apply", &target, &e))?;
        Ok(target)
    }

    /// Moves the fields that client-side writers own (Helm's rollback and upgrade, see
    /// [`crate::managed_fields`] for which managers) into `field_manager`'s Apply entry
    /// of the live object, so the apply that follows removes those it no longer applies.
    /// The write carries the live resourceVersion; a concurrent change makes it start
    /// over from a fresh read.
    async fn take_over_client_side_fields(
        &self,
        api: &kube::Api<kube::api::DynamicObject>,
        target: &ObjectRef,
        field_manager: &str,
    ) -> Result<()> {
        const ATTEMPTS: usize = 5;
        for attempt in 1..=ATTEMPTS {
            let Some(live) = crate::retry::idempotent(|| api.get_opt(&target.name))
                .await
                .map_err(|e| ClusterError::object("get", target, &e))?
            else {
                return Ok(());
            };
            let managed: Vec<Value> = live
                .metadata
                .managed_fields
                .iter()
                .flatten()
                .filter_map(|e| serde_json::to_value(e).ok())
                .collect();
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let Some(rewritten) = take_over(&managed, field_manager, &target.api_version, &now)
                .map_err(|e| ClusterError::Invalid(format!("managedFields of {target}: {e}")))?
            else {
                return Ok(());
            };
            // A merge patch replaces the list; the resourceVersion in it is a precondition.
            let patch = serde_json::json!({"metadata": {
                "resourceVersion": live.metadata.resource_version,
                "managedFields": rewritten,
            }});
            let params = PatchParams {
                field_manager: Some(field_manager.to_string()),
                ..Default::default()
            };
            match api
                .patch(&target.name, &params, &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return Ok(()),
                Err(kube::Error::Api(s)) if s.code == 409 && attempt < ATTEMPTS => {}
                // Deleted in between: the apply recreates it with capstan's fields only.
                Err(e) if is_not_found(&e) => return Ok(()),
                Err(e) => return Err(ClusterError::object("take over fields of", target, &e)),
            }
        }
        // The loop returns on its last attempt; reaching here means ATTEMPTS is zero.
        Ok(())
    }

    /// Creates one object (POST), as Helm creates hook resources: an object that already
    /// exists is an error (`409 AlreadyExists`). Namespaces are filled in as for apply.
    pub async fn create_object(
        &self,
        object: &ObjectYaml,
        default_namespace: &str,
        field_manager: &str,
    ) -> Result<ObjectRef> {
        let declared = object.object_ref();
        let res = self.resolve(&declared.api_version, &declared.kind).await?;
        let target = normalized(&declared, res.namespaced, default_namespace);
        let mut body = object.object.clone();
        set_namespace(&mut body, target.namespace.as_deref());
        let dynamic: kube::api::DynamicObject = serde_json::from_value(body).map_err(|e| {
            ClusterError::Invalid(format!("create {target}: not a Kubernetes object: {e}"))
        })?;
        let api = self.dynamic_api(&res, target.namespace.as_deref());
        let params = PostParams {
            field_manager: Some(field_manager.to_string()),
            ..Default::default()
        };
        api.create(&params, &dynamic)
            .await
            .map_err(|e| ClusterError::object("create", &target, &e))?;
        Ok(target)
    }

    /// Creates namespace `ns` unless it exists.
    pub async fn ensure_namespace(&self, ns: &str) -> Result<()> {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(self.client().clone());
        let target = ObjectRef::new("v1", "Namespace", None, ns);
        match crate::retry::idempotent(|| api.get_opt(ns)).await {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(e) => return Err(ClusterError::object("get", &target, &e)),
        }
        let namespace = k8s_openapi::api::core::v1::Namespace {
            metadata: kube::api::ObjectMeta {
                name: Some(ns.to_string()),
                ..Default::default()
            },
            ..Default::default()
        };
        match api.create(&PostParams::default(), &namespace).await {
            Ok(_) => Ok(()),
            // Someone else created it in between: that is what we wanted.
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
            Err(e) => Err(ClusterError::object("create", &target, &e)),
        }
    }

    /// Deletes objects in the given order with background propagation. Objects (or
    /// kinds) already gone are fine. Namespaced refs without a namespace are taken in
    /// `default_namespace`. Returns the objects a delete was sent for.
    pub async fn delete_objects(
        &self,
        refs: &[ObjectRef],
        default_namespace: &str,
    ) -> Result<Vec<ObjectRef>> {
        let mut deleted = Vec::new();
        for r in refs {
            let res = match self.resolve(&r.api_version, &r.kind).await {
                Ok(res) => res,
                Err(ClusterError::UnknownKind { .. }) => continue,
                Err(e) => return Err(e),
            };
            let target = normalized(r, res.namespaced, default_namespace);
            let api = self.dynamic_api(&res, target.namespace.as_deref());
            let params = DeleteParams::background();
            match crate::retry::idempotent(|| api.delete(&target.name, &params)).await {
                Ok(_) => deleted.push(target),
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(ClusterError::object("delete", &target, &e)),
            }
        }
        Ok(deleted)
    }

    /// Deletes what `previous` had and `current` no longer has, in Helm's uninstall
    /// order. Refs are compared by group, kind, namespace and name (not version), after
    /// filling in `default_namespace` for namespaced objects. Objects annotated
    /// `helm.sh/resource-policy: keep` stay, as with Helm. Returns what was deleted.
    pub async fn prune(
        &self,
        previous: &[ObjectRef],
        current: &[ObjectRef],
        default_namespace: &str,
    ) -> Result<Vec<ObjectRef>> {
        let mut current_norm = Vec::with_capacity(current.len());
        for r in current {
            current_norm.push(self.normalize_lenient(r, default_namespace).await?);
        }
        let mut gone = Vec::new();
        for r in previous {
            let r = self.normalize_lenient(r, default_namespace).await?;
            let kept = current_norm.iter().any(|c| c.same_object(&r));
            if !kept && !gone.iter().any(|g: &ObjectRef| g.same_object(&r)) {
                gone.push(r);
            }
        }
        Ok(self
            .uninstall_objects(&gone, default_namespace)
            .await?
            .deleted)
    }

    /// Deletes objects as Helm's uninstall does: in uninstall order by kind, skipping
    /// live objects annotated `helm.sh/resource-policy: keep` and objects already gone.
    pub async fn uninstall_objects(
        &self,
        refs: &[ObjectRef],
        default_namespace: &str,
    ) -> Result<Uninstalled> {
        let mut ordered = refs.to_vec();
        sort_by_kind(&mut ordered, UNINSTALL_ORDER, |r| r.kind.as_str());
        let mut out = Uninstalled::default();
        let mut doomed = Vec::new();
        for r in ordered {
            let r = self.normalize_lenient(&r, default_namespace).await?;
            let Some(live) = self.get_object(&r).await? else {
                continue;
            };
            let policy = live
                .pointer("/metadata/annotations/helm.sh~1resource-policy")
                .and_then(Value::as_str)
                .unwrap_or("");
            if policy.trim() == RESOURCE_POLICY_KEEP {
                out.kept.push(r);
            } else {
                doomed.push(r);
            }
        }
        out.deleted = self.delete_objects(&doomed, default_namespace).await?;
        Ok(out)
    }

    /// Like [`Cluster::normalize`], but a kind the server no longer serves keeps the
    /// ref as given (its objects are gone with it).
    async fn normalize_lenient(&self, r: &ObjectRef, default_namespace: &str) -> Result<ObjectRef> {
        match self.normalize(r, default_namespace).await {
            Ok(n) => Ok(n),
            Err(ClusterError::UnknownKind { .. }) => Ok(r.clone()),
            Err(e) => Err(e),
        }
    }
}

/// Marks objects as belonging to a Helm release, as Helm does when it installs them:
/// label `app.kubernetes.io/managed-by: Helm`, annotations `meta.helm.sh/release-name`
/// and `meta.helm.sh/release-namespace`. Helm refuses to adopt existing objects that
/// lack them ("invalid ownership metadata"), so capstan sets them before applying.
pub fn set_helm_ownership(objects: &mut [ObjectYaml], release: &str, release_namespace: &str) {
    for o in objects {
        let Some(meta) = o.object.get_mut("metadata").and_then(Value::as_object_mut) else {
            continue;
        };
        let mut put = |field: &str, key: &str, value: &str| {
            let map = meta
                .entry(field.to_string())
                .or_insert_with(|| Value::Object(Default::default()));
            if !map.is_object() {
                *map = Value::Object(Default::default());
            }
            if let Some(map) = map.as_object_mut() {
                map.insert(key.to_string(), Value::String(value.to_string()));
            }
        };
        put("labels", "app.kubernetes.io/managed-by", "Helm");
        put("annotations", "meta.helm.sh/release-name", release);
        put(
            "annotations",
            "meta.helm.sh/release-namespace",
            release_namespace,
        );
    }
}

fn set_namespace(body: &mut Value, namespace: Option<&str>) {
    let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    match namespace {
        Some(ns) => {
            meta.insert("namespace".to_string(), Value::String(ns.to_string()));
        }
        None => {
            meta.remove("namespace");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn helm_ownership_metadata() {
        let mut objs = vec![
            ObjectYaml::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "a", "labels": {"app": "x"}, "annotations": null}}),
                None,
            )
            .unwrap(),
        ];
        set_helm_ownership(&mut objs, "keystone", "openstack");
        assert_eq!(
            objs[0].object["metadata"],
            json!({"name": "a",
                "labels": {"app": "x", "app.kubernetes.io/managed-by": "Helm"},
                "annotations": {"meta.helm.sh/release-name": "keystone",
                                "meta.helm.sh/release-namespace": "openstack"}})
        );
    }

    #[test]
    fn namespace_is_set_or_removed() {
        let mut o = json!({"metadata": {"name": "a", "namespace": "x"}});
        set_namespace(&mut o, None);
        assert_eq!(o, json!({"metadata": {"name": "a"}}));
        set_namespace(&mut o, Some("openstack"));
        assert_eq!(o["metadata"]["namespace"], "openstack");
    }
}
