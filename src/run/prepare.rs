//! Loading what a command needs before it touches a cluster: the stack, the plan, each
//! release's chart and values. Every input error surfaces here, with its file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use capstan_helm::chart::Chart;

use super::deploy::Prepared;
use super::values::user_values;
use crate::cli::StackArgs;
use crate::plan::Plan;
use crate::stack::{ChartRef, ReleaseSpec, Selector, Stack};

/// The stack file and its plan for the selected releases.
pub fn load_plan(args: &StackArgs) -> Result<(Stack, Plan)> {
    let stack = Stack::load(&args.file, args.environment.as_deref())?;
    let selectors = args
        .selectors
        .iter()
        .map(|s| Selector::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let plan = Plan::build(&stack, &selectors, args.include_needs)?;
    for warning in plan.warnings() {
        eprintln!("warning: {warning}");
    }
    Ok((stack, plan))
}

/// Loads each planned release's chart (once per path) and assembles its values.
pub fn prepare_releases(plan: &Plan) -> Result<Vec<Prepared>> {
    let mut charts: HashMap<PathBuf, Arc<Chart>> = HashMap::new();
    let mut prepared = Vec::with_capacity(plan.len());
    for spec in plan.releases() {
        let path = chart_path(spec)?;
        let chart = match charts.get(&path) {
            Some(chart) => chart.clone(),
            None => {
                let chart = Arc::new(load_chart(&path, spec)?);
                charts.insert(path, chart.clone());
                chart
            }
        };
        let values = user_values(spec)?;
        prepared.push(Prepared {
            spec: spec.clone(),
            chart,
            values,
        });
    }
    Ok(prepared)
}

fn chart_path(spec: &ReleaseSpec) -> Result<PathBuf> {
    match &spec.chart {
        ChartRef::Local(path) => Ok(path.clone()),
        other => bail!(
            "release {}: chart {other}: only local chart directories and archives are supported so far \
             (repository and OCI charts are not implemented yet)",
            spec.name
        ),
    }
}

fn load_chart(path: &Path, spec: &ReleaseSpec) -> Result<Chart> {
    let chart = Chart::load(path)
        .with_context(|| format!("release {}: loading chart {}", spec.name, path.display()))?;
    chart
        .check_installable()
        .with_context(|| format!("release {}: chart {}", spec.name, path.display()))?;
    Ok(chart)
}
