//! `destroy`: uninstall the selected releases in reverse dependency order. A release
//! is uninstalled only after every release that needs it is gone, using the same eager
//! scheduler over the reversed graph.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use capstan_cluster::release::ReleaseStore;
use capstan_cluster::{Cluster, objects_in_manifest};

use super::events::{Action, EventSink, Outcome, Phase, ReleaseSummary, RunEvent};
use super::prepare::load_plan;
use super::scheduler::{Node, NodeOutcome, SchedulerEvent, run_dag};
use super::summary::print_summary;
use super::target::Target;
use crate::cli::DestroyArgs;
use crate::stack::ReleaseSpec;
use crate::ui;

/// Hooks of uninstall get this long when the stack gives no timeout.
const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(300);

pub async fn destroy(args: &DestroyArgs) -> Result<bool> {
    let (stack, plan) = load_plan(&args.stack)?;
    let target = Target::open(&args.cluster, stack.kube_context.as_deref()).await?;
    let events = ui::sink_for(args.run.output, plan.len());
    let specs: HashMap<String, ReleaseSpec> = plan
        .releases()
        .into_iter()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    // Reversed edges: a release "needs" its dependents to be gone first.
    let nodes: Vec<Node> = plan
        .reverse_order()
        .iter()
        .map(|spec| Node {
            name: spec.name.clone(),
            needs: plan
                .direct_dependents_of(&spec.name)
                .into_iter()
                .map(String::from)
                .collect(),
        })
        .collect();
    let cluster = target.cluster.clone();
    let store = Arc::new(ReleaseStore::new(&cluster));
    let timeout_override = args.run.timeout;
    let sink = events.clone();
    let outcomes = run_dag(
        &nodes,
        args.run.concurrency,
        |name| {
            let spec = specs.get(&name).cloned();
            let cluster = cluster.clone();
            let store = store.clone();
            let events = events.clone();
            async move {
                let Some(spec) = spec else {
                    return Err(format!("internal: {name} not planned"));
                };
                let started = Instant::now();
                let timeout = timeout_override.unwrap_or(spec.timeout.max(DEFAULT_HOOK_TIMEOUT));
                let result = uninstall(&cluster, &store, &spec, timeout, events.as_ref()).await;
                let summary = ReleaseSummary {
                    release: spec.name.clone(),
                    namespace: spec.namespace.clone(),
                    action: match &result {
                        Ok(Some(_)) | Err(_) => Action::Uninstall,
                        Ok(None) => Action::Absent,
                    },
                    revision: result.as_ref().ok().copied().flatten(),
                    duration: started.elapsed(),
                    outcome: match &result {
                        Ok(_) => Outcome::Ok,
                        Err(reason) => Outcome::Failed {
                            reason: reason.clone(),
                        },
                    },
                };
                events.emit(RunEvent::Finished(summary.clone()));
                match result {
                    Ok(_) => Ok(summary),
                    Err(e) => Err(e),
                }
            }
        },
        |event| match event {
            SchedulerEvent::Started(release) => sink.emit(RunEvent::Started { release }),
            SchedulerEvent::Skipped { name, failed_need } => sink.emit(RunEvent::Finished(
                skipped(&plan_namespace(&plan, &name), &name, &failed_need),
            )),
        },
    )
    .await?;
    target.close().await?;

    let summaries: Vec<ReleaseSummary> = nodes
        .iter()
        .filter_map(|n| {
            let ns = plan_namespace(&plan, &n.name);
            Some(match outcomes.get(&n.name)? {
                NodeOutcome::Succeeded(s) => s.clone(),
                NodeOutcome::Failed(reason) => ReleaseSummary {
                    release: n.name.clone(),
                    namespace: ns,
                    action: Action::Uninstall,
                    revision: None,
                    duration: Default::default(),
                    outcome: Outcome::Failed {
                        reason: reason.clone(),
                    },
                },
                NodeOutcome::Skipped { failed_need } => skipped(&ns, &n.name, failed_need),
            })
        })
        .collect();
    let ok = summaries.iter().all(|s| s.outcome == Outcome::Ok);
    if args.run.output == ui::OutputFormat::Text {
        print_summary(&summaries);
    }
    Ok(ok)
}

fn plan_namespace(plan: &crate::plan::Plan, name: &str) -> String {
    plan.release(name)
        .map(|s| s.namespace.clone())
        .unwrap_or_default()
}

fn skipped(namespace: &str, name: &str, failed_need: &str) -> ReleaseSummary {
    ReleaseSummary {
        release: name.to_string(),
        namespace: namespace.to_string(),
        action: Action::Skipped,
        revision: None,
        duration: Default::default(),
        outcome: Outcome::Skipped {
            failed_need: failed_need.to_string(),
        },
    }
}

/// Helm's uninstall: pre-delete hooks, the latest revision's objects in uninstall
/// order, post-delete hooks, then the release history. `Ok(None)` when there was no
/// release to uninstall.
async fn uninstall(
    cluster: &Cluster,
    store: &ReleaseStore,
    spec: &ReleaseSpec,
    timeout: Duration,
    events: &dyn EventSink,
) -> Result<Option<i64>, String> {
    let name = spec.name.as_str();
    let Some(mut latest) = store
        .latest(name, &spec.namespace)
        .await
        .map_err(|e| format!("reading release history: {e}"))?
    else {
        return Ok(None);
    };
    let phase = |phase: Phase| {
        events.emit(RunEvent::Phase {
            release: name.to_string(),
            phase,
        })
    };
    if latest
        .hooks
        .iter()
        .any(|h| h.events.iter().any(|e| e == "pre-delete"))
    {
        phase(Phase::Hooks {
            event: "pre-delete".into(),
        });
        cluster
            .run_hooks(&mut latest.hooks, "pre-delete", &spec.namespace, timeout)
            .await
            .map_err(|e| e.to_string())?;
    }
    let objects = objects_in_manifest(&latest.manifest)
        .map_err(|e| format!("revision {} manifest: {e}", latest.version))?;
    phase(Phase::Deleting {
        objects: objects.len(),
    });
    let uninstalled = cluster
        .uninstall_objects(&objects, &spec.namespace)
        .await
        .map_err(|e| e.to_string())?;
    for kept in &uninstalled.kept {
        events.emit(RunEvent::Note {
            release: name.to_string(),
            message: format!("kept {kept} (helm.sh/resource-policy: keep)"),
        });
    }
    if latest
        .hooks
        .iter()
        .any(|h| h.events.iter().any(|e| e == "post-delete"))
    {
        phase(Phase::Hooks {
            event: "post-delete".into(),
        });
        cluster
            .run_hooks(&mut latest.hooks, "post-delete", &spec.namespace, timeout)
            .await
            .map_err(|e| e.to_string())?;
    }
    store
        .delete_history(name, &spec.namespace)
        .await
        .map_err(|e| format!("deleting release records: {e}"))?;
    Ok(Some(latest.version))
}
