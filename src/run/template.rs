//! `template`, `graph` and `chart template`: commands that never touch a cluster.

use std::io::Write;

use anyhow::{Context, Result};
use capstan_helm::chart::Chart;
use capstan_helm::engine::{RenderOptions, Rendered, render};
use capstan_helm::values::{merge_values, parse_values, strvals};
use gotmpl::Map;

use super::deploy::Prepared;
use super::prepare::{load_plan, prepare_releases};
use crate::cli::{ChartTemplateArgs, GraphArgs, GraphFormat, TemplateArgs};

/// Renders every selected release, in plan order, as `helm template` prints it.
/// Releases render in parallel; output stays in plan order.
pub fn template(args: &TemplateArgs) -> Result<()> {
    let (_stack, plan) = load_plan(&args.stack)?;
    let prepared = prepare_releases(&plan)?;
    let outputs = render_all(&prepared);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (p, rendered) in prepared.iter().zip(outputs) {
        let rendered = rendered.with_context(|| format!("release {}", p.spec.name))?;
        for warning in &rendered.warnings {
            eprintln!("release {}: {warning}", p.spec.name);
        }
        out.write_all(
            rendered
                .template_output(!args.no_hooks, args.include_crds)
                .as_bytes(),
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Renders each prepared release as a first install, on as many threads as there are
/// cores.
pub fn render_all(prepared: &[Prepared]) -> Vec<Result<Rendered>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(prepared.len().max(1));
    let chunk = prepared.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = prepared
            .chunks(chunk)
            .map(|batch| {
                scope.spawn(move || {
                    batch
                        .iter()
                        .map(|p| {
                            let options = RenderOptions {
                                release_name: p.spec.name.clone(),
                                namespace: p.spec.namespace.clone(),
                                ..RenderOptions::default()
                            };
                            render(&p.chart, &p.values, &options).map_err(anyhow::Error::from)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                Err(_) => vec![Err(anyhow::anyhow!("a render thread panicked"))],
            })
            .collect()
    })
}

/// Prints the plan's graph.
pub fn graph(args: &GraphArgs) -> Result<()> {
    let (_stack, plan) = load_plan(&args.stack)?;
    let text = match args.format {
        GraphFormat::Text => plan.to_text(),
        GraphFormat::Dot => plan.to_dot(),
        GraphFormat::Mermaid => plan.to_mermaid(),
        GraphFormat::Json => plan.to_json(),
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

/// `chart template`: one chart, like `helm template NAME CHART -f ... --set ...`.
pub fn chart_template(args: &ChartTemplateArgs) -> Result<()> {
    let (output, warnings) = chart_template_render(args)?;
    // Helm logs these to stderr as it coalesces; the manifest on stdout is unaffected.
    for warning in &warnings {
        eprintln!("{warning}");
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(output.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// What `capstan chart template` prints for `args`: load, values, render, sort.
pub fn chart_template_output(args: &ChartTemplateArgs) -> Result<String> {
    chart_template_render(args).map(|(output, _)| output)
}

/// `chart template`'s output and Helm's values-coalescing warnings.
fn chart_template_render(args: &ChartTemplateArgs) -> Result<(String, Vec<String>)> {
    let chart = Chart::load(&args.chart)
        .with_context(|| format!("loading chart {}", args.chart.display()))?;
    let mut values = Map::new();
    for file in &args.values {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading values file {}", file.display()))?;
        let parsed = parse_values(&text, &file.display().to_string()).map_err(|e| {
            // Helm's wording (pkg/cli/values: `failed to parse FILE: ` and LoadValues' text).
            anyhow::anyhow!(
                "failed to parse {}: {}",
                file.display(),
                e.load_values_text()
            )
        })?;
        values = merge_values(&values, &parsed);
    }
    // Helm applies --set-string after --set (in its own flag order); keep it.
    for expression in &args.set {
        strvals::parse_set_into(expression, &values)
            .with_context(|| format!("--set {expression}"))?;
    }
    for expression in &args.set_string {
        strvals::parse_set_string_into(expression, &values)
            .with_context(|| format!("--set-string {expression}"))?;
    }
    // Helm's template command checks the chart after reading the values.
    chart.check_installable()?;
    let options = RenderOptions {
        release_name: args.name.clone(),
        namespace: args.namespace.clone(),
        ..RenderOptions::default()
    };
    let rendered = render(&chart, &values, &options)?;
    let output = if args.show_only.is_empty() {
        rendered.template_output(!args.no_hooks, args.include_crds)
    } else {
        rendered.template_output_show_only(!args.no_hooks, args.include_crds, &args.show_only)?
    };
    Ok((output, rendered.warnings))
}
