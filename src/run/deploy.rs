//! Installing or upgrading one release, the way `helm upgrade --install` does, with
//! server-side apply: render, compare with the deployed revision, record a pending
//! revision, run hooks, apply, prune what the chart no longer has, wait, and record
//! the outcome. Every failure after the pending record leaves the revision `failed`
//! (the previous deployed revision stays deployed), so a re-run converges.

use std::sync::Arc;
use std::time::Duration;

use capstan_cluster::apply::set_helm_ownership;
use capstan_cluster::release::{Hook as RecordHook, Release, ReleaseStatus, ReleaseStore};
use capstan_cluster::{Cluster, ClusterLookup, ObjectRef, objects_in_manifest, parse_manifest};
use capstan_helm::chart::Chart;
use capstan_helm::engine::{RenderOptions, Rendered, render};
use gotmpl::{Map, Value};

use super::events::{Action, EventSink, Phase, RunEvent};
use crate::stack::ReleaseSpec;

/// The field manager capstan's server-side applies use.
pub const FIELD_MANAGER: &str = "capstan";

/// A release ready to deploy: its chart loaded and its user values assembled, both
/// checked before anything touches the cluster.
pub struct Prepared {
    pub spec: ReleaseSpec,
    pub chart: Arc<Chart>,
    pub values: Map,
}

/// `apply` skips unchanged releases; `sync` gives every release a new revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployMode {
    Apply,
    Sync,
}

/// What a run shares between its release tasks.
pub struct DeployContext {
    pub cluster: Cluster,
    pub store: ReleaseStore,
    pub events: Arc<dyn EventSink>,
    pub mode: DeployMode,
    pub timeout_override: Option<Duration>,
    /// The cluster's version for `.Capabilities.KubeVersion`, as `helm install` renders
    /// with the server's version (`None`: Helm's offline default).
    pub kube_version: Option<String>,
    /// The cluster's discovery set for `.Capabilities.APIVersions` (`None`: Helm's
    /// offline default set).
    pub api_versions: Option<Vec<String>>,
}

/// How a deployment ended well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deployed {
    pub action: Action,
    pub revision: i64,
}

/// How it ended badly: the revision that recorded the failure, if one was created.
#[derive(Debug, Clone)]
pub struct DeployFailure {
    pub action: Action,
    pub revision: Option<i64>,
    pub reason: String,
}

impl DeployContext {
    fn phase(&self, release: &str, phase: Phase) {
        self.events.emit(RunEvent::Phase {
            release: release.to_string(),
            phase,
        });
    }

    fn note(&self, release: &str, message: String) {
        self.events.emit(RunEvent::Note {
            release: release.to_string(),
            message,
        });
    }
}

/// Installs or upgrades `prepared` and waits for it when the stack says so.
pub async fn deploy(ctx: &DeployContext, prepared: &Prepared) -> Result<Deployed, DeployFailure> {
    let spec = &prepared.spec;
    let name = spec.name.as_str();
    let fail_early = |action: Action, reason: String| DeployFailure {
        action,
        revision: None,
        reason,
    };

    let history = ctx
        .store
        .history(name, &spec.namespace)
        .await
        .map_err(|e| fail_early(Action::Install, format!("reading release history: {e}")))?;
    let last_deployed = history
        .iter()
        .filter(|r| r.info.status == ReleaseStatus::Deployed)
        .max_by_key(|r| r.version)
        .cloned();
    let latest = history.iter().max_by_key(|r| r.version).cloned();
    if let Some(latest) = &latest
        && latest.info.status.is_pending()
    {
        // Helm refuses too: another operation may be running. A crashed run leaves this
        // state; `helm rollback` or deleting the pending record clears it.
        return Err(fail_early(
            Action::Upgrade,
            format!(
                "revision {} is {}: another operation is in progress (or was interrupted)",
                latest.version, latest.info.status
            ),
        ));
    }
    let action = if last_deployed.is_some() {
        Action::Upgrade
    } else {
        Action::Install
    };
    let revision = latest.as_ref().map(|r| r.version + 1).unwrap_or(1);

    ctx.phase(name, Phase::Rendering);
    let rendered = render_release(ctx, prepared, revision, action == Action::Install)
        .await
        .map_err(|reason| fail_early(action, reason))?;
    for warning in &rendered.warnings {
        ctx.note(name, warning.clone());
    }
    let chart_json = rendered.chart.to_helm_json();
    let config_json = Value::Map(prepared.values.clone()).to_json();
    let manifest = rendered.release_manifest();

    if ctx.mode == DeployMode::Apply
        && let Some(deployed) = &last_deployed
    {
        ctx.phase(name, Phase::Comparing);
        if deployed.manifest == manifest
            && deployed.config == config_json
            && deployed.chart == chart_json
        {
            return Ok(Deployed {
                action: Action::Unchanged,
                revision: deployed.version,
            });
        }
    }

    let mut objects = parse_manifest(&manifest)
        .map_err(|e| fail_early(action, format!("rendered manifest: {e}")))?;
    // The labels and annotations Helm checks before it agrees to manage an object, so
    // `helm upgrade`/`rollback` can take over what capstan applied.
    set_helm_ownership(&mut objects, name, &spec.namespace);
    let mut record = Release::pending(name, &spec.namespace, revision, last_deployed.as_ref());
    record.info.notes = rendered.notes.clone();
    record.chart = chart_json;
    record.config = config_json;
    record.manifest = manifest.clone();
    record.hooks = rendered.hooks.iter().map(record_hook).collect();

    if spec.create_namespace {
        ctx.cluster
            .ensure_namespace(&spec.namespace)
            .await
            .map_err(|e| fail_early(action, format!("namespace {}: {e}", spec.namespace)))?;
    }
    ctx.store
        .create(&record)
        .await
        .map_err(|e| fail_early(action, format!("recording revision {revision}: {e}")))?;

    let outcome =
        apply_and_wait(ctx, prepared, &objects, &history, action, &mut record.hooks).await;
    match outcome {
        Ok(()) => {
            let description = if action == Action::Install {
                "Install complete"
            } else {
                "Upgrade complete"
            };
            ctx.store
                .mark_deployed(&mut record, description)
                .await
                .map_err(|e| DeployFailure {
                    action,
                    revision: Some(revision),
                    reason: format!("recording revision {revision} as deployed: {e}"),
                })?;
            Ok(Deployed { action, revision })
        }
        Err(reason) => {
            let verb = if action == Action::Install {
                "install"
            } else {
                "upgrade"
            };
            let description = format!("Release {name:?} failed ({verb}): {reason}");
            if let Err(e) = ctx.store.mark_failed(&mut record, &description).await {
                ctx.note(
                    name,
                    format!("could not record revision {revision} as failed: {e}"),
                );
            }
            Err(DeployFailure {
                action,
                revision: Some(revision),
                reason,
            })
        }
    }
}

/// Renders as `helm upgrade --install` does: with the cluster's version and a `lookup`
/// that queries the cluster. Rendering is CPU work that may block on those queries, so
/// it runs on a blocking thread, never on a runtime worker.
async fn render_release(
    ctx: &DeployContext,
    prepared: &Prepared,
    revision: i64,
    is_install: bool,
) -> Result<Rendered, String> {
    let spec = &prepared.spec;
    let defaults = RenderOptions::default();
    let lookup = ClusterLookup::new(ctx.cluster.clone(), tokio::runtime::Handle::current());
    let options = RenderOptions {
        release_name: spec.name.clone(),
        namespace: spec.namespace.clone(),
        revision,
        is_install,
        is_upgrade: !is_install,
        kube_version: ctx
            .kube_version
            .clone()
            .unwrap_or(defaults.kube_version.clone()),
        cluster_api_versions: ctx.api_versions.clone(),
        lookup: Some(Arc::new(lookup)),
        ..defaults
    };
    let chart = prepared.chart.clone();
    let values = prepared.values.clone();
    tokio::task::spawn_blocking(move || render(&chart, &values, &options))
        .await
        .map_err(|e| format!("rendering: {e}"))?
        .map_err(|e| format!("rendering: {e}"))
}

async fn apply_and_wait(
    ctx: &DeployContext,
    prepared: &Prepared,
    objects: &[capstan_cluster::ObjectYaml],
    history: &[Release],
    action: Action,
    hooks: &mut [RecordHook],
) -> Result<(), String> {
    let spec = &prepared.spec;
    let name = spec.name.as_str();
    let timeout = ctx.timeout_override.unwrap_or(spec.timeout);
    let (pre, post) = if action == Action::Install {
        ("pre-install", "post-install")
    } else {
        ("pre-upgrade", "post-upgrade")
    };
    run_hooks(ctx, name, &spec.namespace, hooks, pre, timeout).await?;

    ctx.phase(
        name,
        Phase::Applying {
            objects: objects.len(),
        },
    );
    let applied = ctx
        .cluster
        .apply_objects(objects, &spec.namespace, FIELD_MANAGER, true)
        .await
        .map_err(|e| e.to_string())?;

    // Prune against every earlier revision that may have left objects behind: the last
    // deployed one and any failed ones after it (a failed apply may have created some).
    let mut previous: Vec<ObjectRef> = Vec::new();
    let last_deployed_version = history
        .iter()
        .filter(|r| r.info.status == ReleaseStatus::Deployed)
        .map(|r| r.version)
        .max()
        .unwrap_or(0);
    for old in history.iter().filter(|r| {
        r.version >= last_deployed_version && r.info.status != ReleaseStatus::Superseded
    }) {
        match objects_in_manifest(&old.manifest) {
            Ok(refs) => previous.extend(refs),
            Err(e) => ctx.note(
                name,
                format!(
                    "revision {} manifest unreadable, not pruned: {e}",
                    old.version
                ),
            ),
        }
    }
    if !previous.is_empty() {
        let pruned = ctx
            .cluster
            .prune(&previous, &applied, &spec.namespace)
            .await
            .map_err(|e| format!("pruning: {e}"))?;
        if !pruned.is_empty() {
            ctx.phase(
                name,
                Phase::Pruning {
                    objects: pruned.len(),
                },
            );
            for r in &pruned {
                ctx.note(name, format!("pruned {r}"));
            }
        }
    }

    if spec.wait {
        let events = ctx.events.clone();
        let release = name.to_string();
        ctx.cluster
            .wait_ready(&applied, timeout, move |progress| {
                events.emit(RunEvent::Phase {
                    release: release.clone(),
                    phase: Phase::Waiting {
                        on: format!("{}: {}", progress.object, progress.message),
                    },
                });
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    run_hooks(ctx, name, &spec.namespace, hooks, post, timeout).await?;
    Ok(())
}

async fn run_hooks(
    ctx: &DeployContext,
    release: &str,
    namespace: &str,
    hooks: &mut [RecordHook],
    event: &str,
    timeout: Duration,
) -> Result<(), String> {
    if !hooks.iter().any(|h| h.events.iter().any(|e| e == event)) {
        return Ok(());
    }
    ctx.phase(
        release,
        Phase::Hooks {
            event: event.to_string(),
        },
    );
    ctx.cluster
        .run_hooks(hooks, event, namespace, timeout)
        .await
        .map_err(|e| e.to_string())
}

/// The renderer's hook as the release record stores it (not run yet).
fn record_hook(hook: &capstan_helm::engine::Hook) -> RecordHook {
    RecordHook {
        name: hook.name.clone(),
        kind: hook.kind.clone(),
        path: hook.path.clone(),
        manifest: hook.manifest.clone(),
        events: hook.events.clone(),
        last_run: Default::default(),
        weight: hook.weight,
        delete_policies: hook.delete_policies.clone(),
        output_log_policies: hook.output_log_policies.clone(),
    }
}
