//! capstan-cluster: the Kubernetes side of capstan.
//!
//! - [`Cluster`] ([`client`]): a kube client from a kubeconfig (`Cluster::connect`) or
//!   an existing client (`Cluster::from_client`), with API discovery cached per
//!   group/version and refreshed once when a kind is unknown (so a CRD applied earlier
//!   in the same run is found). Call [`install_crypto_provider`] once at start (connect
//!   does it too; it is idempotent).
//! - [`manifest`]: a rendered manifest (`---` documents with `# Source:` comments) to
//!   [`ObjectYaml`]s ([`parse_manifest`]) or [`ObjectRef`]s ([`objects_in_manifest`]).
//! - [`apply`]: `Cluster::apply_objects` (server-side apply in the given order, field
//!   manager [`apply::FIELD_MANAGER`]), `ensure_namespace`, `create_object`,
//!   `delete_objects`, `prune` (what the previous revision had and the current one
//!   lacks, in Helm's uninstall order). Before applying an existing object, fields that
//!   client-side writers such as `helm rollback` own move to capstan's Apply entry
//!   ([`managed_fields`]), so the apply removes those the manifest no longer has.
//! - [`readiness`] (pure kstatus rules on JSON) and [`wait`]: `Cluster::wait_ready` /
//!   `wait_with` wait on watches; on failure or time-out, [`wait::WaitError`] lists every
//!   object not ready with a [`diagnose::Diagnosis`] (status, pods' container states,
//!   last termination, recent Warning events). `Display` is the operator's report.
//! - [`hooks`]: `Cluster::run_hooks` runs the hooks of one event by Helm's rules;
//!   [`hooks::hook_from_object`] reads a hook from a rendered object's annotations.
//! - [`release`]: Helm-compatible release records ([`release::Release`]) in Secrets
//!   (`sh.helm.release.v1.NAME.vREV`), through [`release::ReleaseStore`].
//!
//! A release run, as the executor drives it:
//! ```no_run
//! # async fn run(manifest: &str, chart: serde_json::Value, values: serde_json::Value)
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use capstan_cluster::{Cluster, parse_manifest, objects_in_manifest};
//! use capstan_cluster::release::{Release, ReleaseStore};
//!
//! let cluster = Cluster::connect(None, None).await?;
//! let store = ReleaseStore::new(&cluster);
//! let (name, ns) = ("keystone", "openstack");
//! cluster.ensure_namespace(ns).await?; // the record lives in the release namespace
//! let previous = store.last_deployed(name, ns).await?;
//! let version = store.next_version(name, ns).await?;
//! let mut rel = Release::pending(name, ns, version, previous.as_ref());
//! rel.chart = chart;
//! rel.config = values;
//! rel.manifest = manifest.to_string();
//! store.create(&rel).await?;
//! let hook = if previous.is_some() { "pre-upgrade" } else { "pre-install" };
//! cluster.run_hooks(&mut rel.hooks, hook, ns, Duration::from_secs(300)).await?;
//! let mut objects = parse_manifest(manifest)?;
//! capstan_cluster::apply::set_helm_ownership(&mut objects, name, ns);
//! // force: take back fields Helm (or anyone) changed since; see the report on interop.
//! let applied = cluster.apply_objects(&objects, ns, "capstan", true).await?;
//! if let Some(prev) = &previous {
//!     cluster.prune(&objects_in_manifest(&prev.manifest)?, &applied, ns).await?;
//! }
//! match cluster.wait_ready(&applied, Duration::from_secs(600), |p| println!("{p}")).await {
//!     Ok(()) => store.mark_deployed(&mut rel, "Install complete").await?,
//!     Err(e) => {
//!         store.mark_failed(&mut rel, &format!("Release \"{name}\" failed: {e}")).await?;
//!         return Err(e.into());
//!     }
//! }
//! # Ok(()) }
//! ```

pub mod apply;
mod capabilities;
pub mod client;
pub mod diagnose;
pub mod error;
pub mod hooks;
pub mod lookup;
/// Helm's kind orders live with the rest of Helm's rules in capstan-helm.
pub use capstan_helm::kind_order;
pub mod managed_fields;
pub mod manifest;
pub mod objref;
pub mod readiness;
pub mod release;
mod retry;
pub mod wait;

pub use client::{Cluster, Resolved, install_crypto_provider};
pub use diagnose::Diagnosis;
pub use error::{ApiFailure, ApplyError, ClusterError};
pub use hooks::HookError;
pub use lookup::ClusterLookup;
pub use manifest::{ManifestError, ObjectYaml, objects_in_manifest, parse_manifest};
pub use objref::ObjectRef;
pub use wait::{WaitError, WaitOptions, WaitProgress};

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The executor spawns these on tokio tasks: their futures must be Send.
    #[allow(dead_code)]
    async fn futures_are_send(c: Cluster, store: release::ReleaseStore) {
        let refs: Vec<ObjectRef> = vec![];
        let objects: Vec<ObjectYaml> = vec![];
        let mut hooks: Vec<release::Hook> = vec![];
        let mut rel = release::Release::default();
        assert_send(&c.apply_objects(&objects, "ns", "capstan", true));
        assert_send(&c.wait_ready(&refs, Duration::from_secs(1), |_| {}));
        assert_send(&c.prune(&refs, &refs, "ns"));
        assert_send(&c.run_hooks(&mut hooks, "pre-install", "ns", Duration::from_secs(1)));
        assert_send(&c.ensure_namespace("ns"));
        assert_send(&store.history("a", "ns"));
        assert_send(&store.mark_deployed(&mut rel, "done"));
        assert_send(&Cluster::connect(None, None));
    }
}
