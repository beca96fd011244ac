//! `status` (the stack's releases, with readiness) and `list` (every Helm release).

use anyhow::{Context, Result};
use capstan_cluster::readiness::assess;
use capstan_cluster::release::{Release, ReleaseStore};
use capstan_cluster::{Cluster, objects_in_manifest};
use serde::Serialize;

use super::prepare::load_plan;
use super::target::Target;
use crate::cli::{ListArgs, StatusArgs};
use crate::ui::{OutputFormat, table};

#[derive(Debug, Serialize)]
struct StatusRow {
    release: String,
    namespace: String,
    revision: Option<i64>,
    status: String,
    chart: String,
    ready: usize,
    objects: usize,
    not_ready: Vec<String>,
}

/// Prints each planned release's latest revision and how many of its objects are
/// ready now (one look, no waiting). Returns whether all are deployed and ready.
pub async fn status(args: &StatusArgs) -> Result<bool> {
    let (stack, plan) = load_plan(&args.stack)?;
    let target = Target::open(&args.cluster, stack.kube_context.as_deref()).await?;
    let store = ReleaseStore::new(&target.cluster);
    let mut rows = Vec::new();
    for spec in plan.releases() {
        let latest = store
            .latest(&spec.name, &spec.namespace)
            .await
            .with_context(|| format!("release {}", spec.name))?;
        let row = match latest {
            None => StatusRow {
                release: spec.name.clone(),
                namespace: spec.namespace.clone(),
                revision: None,
                status: "not installed".into(),
                chart: String::new(),
                ready: 0,
                objects: 0,
                not_ready: Vec::new(),
            },
            Some(release) => status_row(&target.cluster, &release).await?,
        };
        rows.push(row);
    }
    target.close().await?;
    let all_ok = rows
        .iter()
        .all(|r| r.status == "deployed" && r.ready == r.objects);
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        OutputFormat::Text => {
            let table_rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.release.clone(),
                        r.namespace.clone(),
                        r.revision
                            .map(|v| v.to_string())
                            .unwrap_or_else(|| "-".into()),
                        r.status.clone(),
                        r.chart.clone(),
                        format!("{}/{}", r.ready, r.objects),
                        r.not_ready.first().cloned().unwrap_or_default(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(
                    &[
                        "RELEASE",
                        "NAMESPACE",
                        "REVISION",
                        "STATUS",
                        "CHART",
                        "READY",
                        "NOT READY"
                    ],
                    &table_rows
                )
            );
        }
    }
    Ok(all_ok)
}

async fn status_row(cluster: &Cluster, release: &Release) -> Result<StatusRow> {
    let refs = objects_in_manifest(&release.manifest).with_context(|| {
        format!(
            "release {} revision {} manifest",
            release.name, release.version
        )
    })?;
    let mut ready = 0;
    let mut not_ready = Vec::new();
    for r in &refs {
        let mut r = r.clone();
        if r.namespace.is_none() {
            r = cluster.normalize(&r, &release.namespace).await?;
        }
        match cluster.get_object(&r).await? {
            None => not_ready.push(format!("{r}: missing")),
            Some(object) => {
                let assessment = assess(&object);
                if assessment.is_ready() {
                    ready += 1;
                } else {
                    not_ready.push(format!("{r}: {}", assessment.message));
                }
            }
        }
    }
    Ok(StatusRow {
        release: release.name.clone(),
        namespace: release.namespace.clone(),
        revision: Some(release.version),
        status: release.info.status.to_string(),
        chart: format!("{}-{}", release.chart_name(), release.chart_version()),
        ready,
        objects: refs.len(),
        not_ready,
    })
}

#[derive(Debug, Serialize)]
struct ListRow {
    name: String,
    namespace: String,
    revision: i64,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
}

/// Prints the latest revision of every Helm release, like `helm list -A`.
pub async fn list(args: &ListArgs) -> Result<()> {
    let target = Target::open(&args.cluster, None).await?;
    let store = ReleaseStore::new(&target.cluster);
    let releases = store.list(args.namespace.as_deref()).await?;
    target.close().await?;
    let rows: Vec<ListRow> = releases
        .iter()
        .map(|r| ListRow {
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            revision: r.version,
            updated: r
                .info
                .last_deployed
                .as_ref()
                .map(|t| t.0.to_rfc3339())
                .unwrap_or_default(),
            status: r.info.status.to_string(),
            chart: format!("{}-{}", r.chart_name(), r.chart_version()),
            app_version: r.app_version().to_string(),
        })
        .collect();
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        OutputFormat::Text => {
            let table_rows: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.namespace.clone(),
                        r.revision.to_string(),
                        r.updated.clone(),
                        r.status.clone(),
                        r.chart.clone(),
                        r.app_version.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(
                    &[
                        "NAME",
                        "NAMESPACE",
                        "REVISION",
                        "UPDATED",
                        "STATUS",
                        "CHART",
                        "APP VERSION"
                    ],
                    &table_rows
                )
            );
        }
    }
    Ok(())
}
