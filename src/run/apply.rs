//! `apply` and `sync`: every selected release deployed by the eager scheduler.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use capstan_cluster::release::ReleaseStore;

use super::deploy::{DeployContext, DeployMode, Prepared, deploy};
use super::events::{Action, EventSink, Outcome, ReleaseSummary, RunEvent};
use super::prepare::{load_plan, prepare_releases};
use super::scheduler::{Node, NodeOutcome, SchedulerEvent, run_dag};
use super::summary::print_summary;
use super::target::Target;
use crate::cli::ApplyArgs;
use crate::plan::Plan;
use crate::ui;

/// Runs `apply` (or `sync`); returns whether every release succeeded.
pub async fn apply(args: &ApplyArgs, mode: DeployMode) -> Result<bool> {
    let (stack, plan) = load_plan(&args.stack)?;
    let prepared = prepare_releases(&plan)?;
    let target = Target::open(&args.cluster, stack.kube_context.as_deref()).await?;
    let events = ui::sink_for(args.run.output, plan.len());
    let kube_version = target
        .cluster
        .client()
        .apiserver_version()
        .await
        .context("reading the cluster's version (for .Capabilities.KubeVersion)")?
        .git_version;
    let api_versions = target
        .cluster
        .api_versions()
        .await
        .context("reading the cluster's API versions (for .Capabilities.APIVersions)")?;
    let ctx = Arc::new(DeployContext {
        store: ReleaseStore::new(&target.cluster),
        cluster: target.cluster.clone(),
        events: events.clone(),
        mode,
        timeout_override: args.run.timeout,
        kube_version: Some(kube_version),
        api_versions: Some(api_versions),
    });
    let summaries = deploy_all(ctx, &plan, prepared, args.run.concurrency).await;
    target.close().await?;
    let ok = summaries.iter().all(|s| s.outcome == Outcome::Ok);
    if args.run.output == ui::OutputFormat::Text {
        print_summary(&summaries);
    }
    Ok(ok)
}

/// Deploys the prepared releases along the plan's graph; one summary per release, in
/// plan order.
pub async fn deploy_all(
    ctx: Arc<DeployContext>,
    plan: &Plan,
    prepared: Vec<Prepared>,
    concurrency: usize,
) -> Vec<ReleaseSummary> {
    let nodes: Vec<Node> = plan
        .releases()
        .iter()
        .map(|spec| Node {
            name: spec.name.clone(),
            needs: plan
                .needs_of(&spec.name)
                .into_iter()
                .map(String::from)
                .collect(),
        })
        .collect();
    let by_name: HashMap<String, Arc<Prepared>> = prepared
        .into_iter()
        .map(|p| (p.spec.name.clone(), Arc::new(p)))
        .collect();
    let namespaces: HashMap<String, String> = by_name
        .iter()
        .map(|(n, p)| (n.clone(), p.spec.namespace.clone()))
        .collect();
    let events: Arc<dyn EventSink> = ctx.events.clone();

    let skip_events = events.clone();
    let skip_namespaces = namespaces.clone();
    let outcomes = run_dag(
        &nodes,
        concurrency,
        |name| {
            let ctx = ctx.clone();
            let prepared = by_name.get(&name).cloned();
            async move {
                let Some(prepared) = prepared else {
                    return Err(summary_failure(&name, "", "internal: release not prepared"));
                };
                // Each release runs on its own task so that rendering (CPU) of one
                // release overlaps with waiting (I/O) of others on every core.
                let handle = tokio::spawn(async move { run_one(&ctx, &prepared).await });
                match handle.await {
                    Ok(summary) if summary.outcome == Outcome::Ok => Ok(summary),
                    Ok(summary) => Err(summary),
                    Err(join) => Err(summary_failure(&name, "", &format!("task failed: {join}"))),
                }
            }
        },
        |event| match event {
            SchedulerEvent::Started(release) => skip_events.emit(RunEvent::Started { release }),
            SchedulerEvent::Skipped { name, failed_need } => {
                skip_events.emit(RunEvent::Finished(ReleaseSummary {
                    namespace: skip_namespaces.get(&name).cloned().unwrap_or_default(),
                    release: name,
                    action: Action::Skipped,
                    revision: None,
                    duration: Default::default(),
                    outcome: Outcome::Skipped { failed_need },
                }))
            }
        },
    )
    .await;

    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        // The plan already rejects cycles and unknown needs; reaching this is a bug in
        // the plan, reported rather than hidden.
        Err(e) => {
            return nodes
                .iter()
                .map(|n| summary_failure(&n.name, "", &format!("scheduling: {e}")))
                .collect();
        }
    };
    nodes
        .iter()
        .filter_map(|n| {
            let outcome = outcomes.get(&n.name)?;
            Some(match outcome {
                NodeOutcome::Succeeded(summary) | NodeOutcome::Failed(summary) => summary.clone(),
                NodeOutcome::Skipped { failed_need } => ReleaseSummary {
                    release: n.name.clone(),
                    namespace: namespaces.get(&n.name).cloned().unwrap_or_default(),
                    action: Action::Skipped,
                    revision: None,
                    duration: Default::default(),
                    outcome: Outcome::Skipped {
                        failed_need: failed_need.clone(),
                    },
                },
            })
        })
        .collect()
}

async fn run_one(ctx: &DeployContext, prepared: &Prepared) -> ReleaseSummary {
    let started = Instant::now();
    let result = deploy(ctx, prepared).await;
    let summary = match result {
        Ok(done) => ReleaseSummary {
            release: prepared.spec.name.clone(),
            namespace: prepared.spec.namespace.clone(),
            action: done.action,
            revision: Some(done.revision),
            duration: started.elapsed(),
            outcome: Outcome::Ok,
        },
        Err(failure) => ReleaseSummary {
            release: prepared.spec.name.clone(),
            namespace: prepared.spec.namespace.clone(),
            action: failure.action,
            revision: failure.revision,
            duration: started.elapsed(),
            outcome: Outcome::Failed {
                reason: failure.reason,
            },
        },
    };
    ctx.events.emit(RunEvent::Finished(summary.clone()));
    summary
}

fn summary_failure(release: &str, namespace: &str, reason: &str) -> ReleaseSummary {
    ReleaseSummary {
        release: release.to_string(),
        namespace: namespace.to_string(),
        action: Action::Skipped,
        revision: None,
        duration: Default::default(),
        outcome: Outcome::Failed {
            reason: reason.to_string(),
        },
    }
}
