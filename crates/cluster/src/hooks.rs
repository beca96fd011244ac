//! Helm hooks (pkg/action/hooks.go): run the hooks of one event in order, wait for
//! them, delete them by policy, and record each run in the hook's `last_run`.
//!
//! Rules, as in Helm: hooks of the event are sorted by weight, then by kind in install
//! order (unknown kinds last, alphabetically), then by name. A hook without a delete
//! policy gets `before-hook-creation`. For each hook in turn: delete the previous
//! object if the policy says `before-hook-creation` (and wait until it is gone), create
//! the object (POST: an existing object is an error), wait until it is done (Jobs
//! complete, Pods succeed, other kinds at once). A failure marks the hook Failed,
//! deletes it if its policy says `hook-failed`, and stops. When all succeeded, the
//! hooks with `hook-succeeded` are deleted, last first. CustomResourceDefinitions are
//! never deleted.

use std::time::Duration;

use thiserror::Error;

use crate::apply::FIELD_MANAGER;
use crate::client::Cluster;
use crate::error::ClusterError;
use crate::kind_order::INSTALL_ORDER;
use crate::manifest::{ManifestError, ObjectYaml, parse_manifest};
use crate::objref::ObjectRef;
use crate::release::{GoTime, Hook};
use crate::wait::{WaitError, WaitOptions};

pub const BEFORE_HOOK_CREATION: &str = "before-hook-creation";
pub const HOOK_SUCCEEDED: &str = "hook-succeeded";
pub const HOOK_FAILED: &str = "hook-failed";

/// The hook events Helm knows; `test-success` is the old name of `test`.
const EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
];

/// A hook that did not run to success.
#[derive(Debug, Error)]
#[error("{event} hook {path} ({object}) failed: {cause}")]
pub struct HookError {
    pub event: String,
    pub path: String,
    pub object: String,
    pub cause: HookFailure,
}

#[derive(Debug, Error)]
pub enum HookFailure {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Wait(#[from] WaitError),
}

/// Reads a hook from a rendered object's annotations (`helm.sh/hook`,
/// `helm.sh/hook-weight`, `helm.sh/hook-delete-policy`,
/// `helm.sh/hook-output-log-policy`); `None` when it is not a hook. `manifest` is the
/// document's YAML text, `path` its template path.
pub fn hook_from_object(object: &ObjectYaml, manifest: &str) -> Option<Hook> {
    let annotations = object
        .object
        .pointer("/metadata/annotations")?
        .as_object()?;
    let get = |k: &str| annotations.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let events_annotation = annotations.get("helm.sh/hook")?.as_str()?;
    let events = split_list(events_annotation)
        .into_iter()
        .map(|e| e.to_ascii_lowercase())
        .map(|e| {
            if e == "test-success" {
                "test".to_string()
            } else {
                e
            }
        })
        .filter(|e| EVENTS.contains(&e.as_str()))
        .collect();
    let known = |list: &str, allowed: &[&str]| -> Vec<String> {
        split_list(list)
            .into_iter()
            .filter(|p| allowed.contains(&p.as_str()))
            .collect()
    };
    let r = object.object_ref();
    Some(Hook {
        name: r.name,
        kind: r.kind,
        path: object.source.clone().unwrap_or_default(),
        manifest: manifest.to_string(),
        events,
        weight: get("helm.sh/hook-weight").trim().parse().unwrap_or(0),
        delete_policies: known(
            get("helm.sh/hook-delete-policy"),
            &[BEFORE_HOOK_CREATION, HOOK_SUCCEEDED, HOOK_FAILED],
        ),
        output_log_policies: known(
            get("helm.sh/hook-output-log-policy"),
            &[HOOK_SUCCEEDED, HOOK_FAILED],
        ),
        ..Default::default()
    })
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// Indices of the hooks of `event`, in Helm's execution order.
pub fn hook_order(hooks: &[Hook], event: &str) -> Vec<usize> {
    let rank = |k: &str| {
        INSTALL_ORDER
            .iter()
            .position(|o| *o == k)
            .unwrap_or(usize::MAX)
    };
    let mut idx: Vec<usize> = (0..hooks.len())
        .filter(|&i| hooks[i].events.iter().any(|e| e == event))
        .collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (&hooks[a], &hooks[b]);
        x.weight
            .cmp(&y.weight)
            .then_with(|| rank(&x.kind).cmp(&rank(&y.kind)))
            .then_with(|| match (rank(&x.kind), rank(&y.kind)) {
                (usize::MAX, usize::MAX) => x.kind.cmp(&y.kind),
                _ => std::cmp::Ordering::Equal,
            })
            .then_with(|| x.name.cmp(&y.name))
    });
    idx
}

impl HookError {
    fn new(event: &str, hook: &Hook, cause: HookFailure) -> Self {
        HookError {
            event: event.to_string(),
            path: hook.path.clone(),
            object: format!("{}/{}", hook.kind, hook.name),
            cause,
        }
    }
}

impl Cluster {
    /// Runs the hooks of `event` (see the module documentation), updating each hook's
    /// `last_run` so the caller can store them in the release record. `timeout`
    /// applies to each hook, as in Helm.
    pub async fn run_hooks(
        &self,
        hooks: &mut [Hook],
        event: &str,
        namespace: &str,
        timeout: Duration,
    ) -> Result<(), HookError> {
        let order = hook_order(hooks, event);
        for &i in &order {
            let hook = &mut hooks[i];
            if hook.delete_policies.is_empty() {
                hook.delete_policies = vec![BEFORE_HOOK_CREATION.to_string()];
            }
            let objects = parse_manifest(&hook.manifest)
                .map_err(|e| HookError::new(event, hook, e.into()))?;
            self.delete_hook_by_policy(hook, &objects, BEFORE_HOOK_CREATION, namespace, timeout)
                .await
                .map_err(|e| HookError::new(event, hook, e))?;
            hook.last_run.started_at = Some(GoTime::now());
            let result = self.run_hook(&objects, namespace, timeout).await;
            hook.last_run.completed_at = Some(GoTime::now());
            if let Err(cause) = result {
                hook.last_run.phase = "Failed".to_string();
                if let Err(e) = self
                    .delete_hook_by_policy(hook, &objects, HOOK_FAILED, namespace, timeout)
                    .await
                {
                    tracing::warn!("deleting failed hook {}: {e}", hook.path);
                }
                return Err(HookError::new(event, hook, cause));
            }
            hook.last_run.phase = "Succeeded".to_string();
        }
        for &i in order.iter().rev() {
            let hook = &hooks[i];
            let objects = parse_manifest(&hook.manifest)
                .map_err(|e| HookError::new(event, hook, e.into()))?;
            self.delete_hook_by_policy(hook, &objects, HOOK_SUCCEEDED, namespace, timeout)
                .await
                .map_err(|e| HookError::new(event, hook, e))?;
        }
        Ok(())
    }

    /// Creates a hook's objects and waits until they are done.
    async fn run_hook(
        &self,
        objects: &[ObjectYaml],
        namespace: &str,
        timeout: Duration,
    ) -> Result<(), HookFailure> {
        let mut created = Vec::with_capacity(objects.len());
        for object in objects {
            created.push(self.create_object(object, namespace, FIELD_MANAGER).await?);
        }
        let options = WaitOptions {
            hooks: true,
            ..WaitOptions::new(timeout)
        };
        self.wait_with(&created, &options, |_| {}).await?;
        Ok(())
    }

    async fn delete_hook_by_policy(
        &self,
        hook: &Hook,
        objects: &[ObjectYaml],
        policy: &str,
        namespace: &str,
        timeout: Duration,
    ) -> Result<(), HookFailure> {
        if hook.kind == "CustomResourceDefinition"
            || !hook.delete_policies.iter().any(|p| p == policy)
        {
            return Ok(());
        }
        let refs: Vec<ObjectRef> = objects.iter().map(ObjectYaml::object_ref).collect();
        let deleted = self.delete_objects(&refs, namespace).await?;
        self.wait_deleted(&deleted, timeout).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hook(name: &str, kind: &str, weight: i64, events: &[&str]) -> Hook {
        Hook {
            name: name.into(),
            kind: kind.into(),
            weight,
            events: events.iter().map(|e| e.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn order_is_weight_then_kind_then_name() {
        let hooks = vec![
            hook("b-job", "Job", 0, &["pre-install"]),
            hook("a-job", "Job", 0, &["pre-install", "pre-upgrade"]),
            hook("secret", "Secret", 0, &["pre-install"]),
            hook("early", "Job", -5, &["pre-install"]),
            hook("widget", "Widget", 0, &["pre-install"]),
            hook("post", "Job", -10, &["post-install"]),
        ];
        let names: Vec<&str> = hook_order(&hooks, "pre-install")
            .into_iter()
            .map(|i| hooks[i].name.as_str())
            .collect();
        assert_eq!(names, ["early", "secret", "a-job", "b-job", "widget"]);
        assert_eq!(hook_order(&hooks, "pre-upgrade"), [1]);
    }

    #[test]
    fn annotations_become_a_hook() {
        let obj = ObjectYaml::new(
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "db-init",
                "annotations": {"helm.sh/hook": "pre-install, pre-upgrade,bogus,test-success",
                                "helm.sh/hook-weight": " -5 ",
                                "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded"}}}),
            Some("keystone/templates/job-db-init.yaml".into()),
        )
        .unwrap();
        let h = hook_from_object(&obj, "kind: Job\n").unwrap();
        assert_eq!(h.events, ["pre-install", "pre-upgrade", "test"]);
        assert_eq!(h.weight, -5);
        assert_eq!(
            h.delete_policies,
            ["before-hook-creation", "hook-succeeded"]
        );
        assert_eq!(h.path, "keystone/templates/job-db-init.yaml");
        assert_eq!((h.name.as_str(), h.kind.as_str()), ("db-init", "Job"));
        let plain = ObjectYaml::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            None,
        )
        .unwrap();
        assert!(hook_from_object(&plain, "").is_none());
    }
}
