//! The release record, field for field as Helm 3/4 serialize `release.Release`
//! (pkg/release/v1: release.go, info.go, hook.go) to JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::gotime::{GoTime, deserialize_opt};

/// A release revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Release {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default)]
    pub info: Info,
    /// Helm's chart JSON (`metadata`, `lock`, `templates`, `values`, `schema`, `files`),
    /// built by the renderer.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub chart: Value,
    /// The user-supplied values (not the chart defaults).
    #[serde(default, skip_serializing_if = "is_empty_value")]
    pub config: Value,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// The revision, from 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// Custom labels: not in the JSON, stored as labels of the Secret (Helm 3.13+).
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    /// Helm 4: `ssa` (server-side apply) or `csa`; empty means client-side apply.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub apply_method: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Info {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_opt"
    )]
    pub first_deployed: Option<GoTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_opt"
    )]
    pub last_deployed: Option<GoTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_opt"
    )]
    pub deleted: Option<GoTime>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub status: ReleaseStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Helm 4 may record deployed resources; kept as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
}

/// Helm's release status (pkg/release/common/status.go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseStatus {
    Deployed,
    Uninstalled,
    Superseded,
    Failed,
    Uninstalling,
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
    /// `unknown`, and any status this version does not know.
    #[default]
    #[serde(other)]
    Unknown,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Unknown => "unknown",
            ReleaseStatus::Deployed => "deployed",
            ReleaseStatus::Uninstalled => "uninstalled",
            ReleaseStatus::Superseded => "superseded",
            ReleaseStatus::Failed => "failed",
            ReleaseStatus::Uninstalling => "uninstalling",
            ReleaseStatus::PendingInstall => "pending-install",
            ReleaseStatus::PendingUpgrade => "pending-upgrade",
            ReleaseStatus::PendingRollback => "pending-rollback",
        }
    }

    /// An operation is under way (Helm refuses to start another one).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            ReleaseStatus::PendingInstall
                | ReleaseStatus::PendingUpgrade
                | ReleaseStatus::PendingRollback
        )
    }
}

impl fmt::Display for ReleaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hook of a release, as Helm records it (and as [`crate::hooks`] runs it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Hook {
    /// metadata.name of the hook object.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// Chart-relative template path (`keystone/templates/job-db-init.yaml`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The rendered YAML of the hook object.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// `pre-install`, `post-install`, `pre-upgrade`, `post-upgrade`, `pre-delete`,
    /// `post-delete`, `pre-rollback`, `post-rollback`, `test`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Always written, as Go writes a struct even when it is empty.
    #[serde(default)]
    pub last_run: HookExecution,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight: i64,
    /// `before-hook-creation`, `hook-succeeded`, `hook-failed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HookExecution {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_opt"
    )]
    pub started_at: Option<GoTime>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "deserialize_opt"
    )]
    pub completed_at: Option<GoTime>,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`, or empty when never run.
    #[serde(default)]
    pub phase: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

impl Release {
    /// A new revision `version` of release `name`, pending: `pending-install` without a
    /// `previous` revision, `pending-upgrade` with one (whose `first_deployed` carries
    /// over). Descriptions as Helm writes them: "Initial install underway" /
    /// "Preparing upgrade". The caller fills chart, config, manifest, hooks and notes.
    pub fn pending(
        name: &str,
        namespace: &str,
        version: i64,
        previous: Option<&Release>,
    ) -> Release {
        let now = GoTime::now();
        let (status, description) = match previous {
            None => (ReleaseStatus::PendingInstall, "Initial install underway"),
            Some(_) => (ReleaseStatus::PendingUpgrade, "Preparing upgrade"),
        };
        Release {
            name: name.to_string(),
            namespace: namespace.to_string(),
            version,
            info: Info {
                first_deployed: Some(previous.and_then(|p| p.info.first_deployed).unwrap_or(now)),
                last_deployed: Some(now),
                status,
                description: description.to_string(),
                ..Default::default()
            },
            // Left empty (client-side apply for Helm 4) on purpose: Helm's `--server-side=auto`
            // follows this field, and a server-side apply by Helm would conflict with the
            // fields capstan's field manager owns; Helm's client-side apply (a three-way
            // patch) does not. Verified by tests/helm_interop.rs (rollback).
            ..Default::default()
        }
    }

    /// The chart's `metadata.name`.
    pub fn chart_name(&self) -> &str {
        self.chart
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The chart's `metadata.version`.
    pub fn chart_version(&self) -> &str {
        self.chart
            .pointer("/metadata/version")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The chart's `metadata.appVersion`.
    pub fn app_version(&self) -> &str {
        self.chart
            .pointer("/metadata/appVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The name of the Secret that stores this revision.
    pub fn secret_name(&self) -> String {
        secret_name(&self.name, self.version)
    }
}

/// `sh.helm.release.v1.NAME.vREV`.
pub fn secret_name(name: &str, version: i64) -> String {
    format!("sh.helm.release.v1.{name}.v{version}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_uses_helm_field_names_and_omits_empty_fields() {
        let rel = Release {
            name: "keystone".into(),
            info: Info {
                first_deployed: GoTime::parse("2026-11-24T17:20:03.5Z"),
                last_deployed: GoTime::parse("2026-11-24T17:20:03.5Z"),
                status: ReleaseStatus::PendingInstall,
                description: "Initial install underway".into(),
                ..Default::default()
            },
            chart: json!({"metadata": {"name": "keystone", "version": "0.3.1"}}),
            config: json!({}),
            hooks: vec![Hook {
                name: "keystone-db-init".into(),
                kind: "Job".into(),
                events: vec!["pre-install".into()],
                ..Default::default()
            }],
            version: 1,
            namespace: "openstack".into(),
            ..Default::default()
        };
        let v = serde_json::to_value(&rel).unwrap();
        assert_eq!(
            v,
            json!({"name": "keystone",
                "info": {"first_deployed": "2026-11-24T17:20:03.5Z",
                         "last_deployed": "2026-11-24T17:20:03.5Z",
                         "description": "Initial install underway", "status": "pending-install"},
                "chart": {"metadata": {"name": "keystone", "version": "0.3.1"}},
                "hooks": [{"name": "keystone-db-init", "kind": "Job", "events": ["pre-install"],
                           "last_run": {"phase": ""}}],
                "version": 1, "namespace": "openstack"})
        );
        let back: Release = serde_json::from_value(v).unwrap();
        assert_eq!(back.config, Value::Null);
        assert_eq!(
            Release {
                config: json!({}),
                ..back
            },
            rel
        );
    }

    #[test]
    fn reads_helm3_records_with_empty_times_and_unknown_statuses() {
        let v = json!({"name": "a", "info": {"first_deployed": "2020-01-01T00:00:00.123456789+01:00",
            "last_deployed": "2020-01-01T00:00:00Z", "deleted": "", "status": "something-new"},
            "hooks": [{"name": "h", "last_run": {"started_at": "", "completed_at": "", "phase": ""}}],
            "version": 3});
        let r: Release = serde_json::from_value(v).unwrap();
        assert_eq!(r.info.deleted, None);
        assert_eq!(r.info.status, ReleaseStatus::Unknown);
        assert_eq!(r.hooks[0].last_run, HookExecution::default());
        assert_eq!(
            r.info.first_deployed.unwrap().to_string(),
            "2020-01-01T00:00:00.123456789+01:00"
        );
    }

    #[test]
    fn pending_revisions() {
        let first = Release::pending("k", "ns", 1, None);
        assert_eq!(first.info.status, ReleaseStatus::PendingInstall);
        assert_eq!(first.info.first_deployed, first.info.last_deployed);
        let mut old = first.clone();
        old.info.first_deployed = GoTime::parse("2020-01-01T00:00:00Z");
        let next = Release::pending("k", "ns", 2, Some(&old));
        assert_eq!(next.info.status, ReleaseStatus::PendingUpgrade);
        assert_eq!(next.info.description, "Preparing upgrade");
        assert_eq!(next.info.first_deployed, old.info.first_deployed);
        assert_eq!(next.apply_method, "");
    }

    #[test]
    fn secret_names() {
        assert_eq!(
            secret_name("keystone", 12),
            "sh.helm.release.v1.keystone.v12"
        );
    }
}
