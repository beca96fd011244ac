//! `helm template` with capstan's renderer: prints exactly what Helm prints.
//!
//! ```text
//! template CHART [-f VALUES]... [--set K=V]... [--set-string K=V]... [--set-json K=J]...
//!          [--name NAME] [--namespace NS] [--show-only PATH]... [--include-crds]
//!          [--no-hooks] [--skip-tests] [--is-upgrade] [--kube-version V]
//!          [--api-versions G/V]... [--strict] [--skip-schema-validation]
//! ```
//! Exit code 1 with Helm's message on stderr ("Error: ...") when rendering fails.

use std::process::ExitCode;

use capstan_helm::chart::Chart;
use capstan_helm::engine::{RenderOptions, render};
use capstan_helm::values::{merge_values, parse_values, strvals};
use gotmpl::Map;

struct Args {
    chart: String,
    values_files: Vec<String>,
    /// (flag, expression) in command-line order within each flag kind.
    sets: Vec<(String, String)>,
    show_only: Vec<String>,
    include_crds: bool,
    no_hooks: bool,
    skip_tests: bool,
    opts: RenderOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut chart = None;
    let mut a = Args {
        chart: String::new(),
        values_files: Vec::new(),
        sets: Vec::new(),
        show_only: Vec::new(),
        include_crds: false,
        no_hooks: false,
        skip_tests: false,
        opts: RenderOptions::default(),
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .ok_or_else(|| format!("flag needs an argument: {name}")),
            }
        };
        match flag.as_str() {
            "-f" | "--values" => a.values_files.push(value(&flag)?),
            "--set" | "--set-string" | "--set-json" | "--set-literal" => {
                let v = value(&flag)?;
                a.sets.push((flag.clone(), v));
            }
            "--name" => a.opts.release_name = value(&flag)?,
            "-n" | "--namespace" => a.opts.namespace = value(&flag)?,
            "-s" | "--show-only" => a.show_only.push(value(&flag)?),
            "--kube-version" => a.opts.kube_version = value(&flag)?,
            "-a" | "--api-versions" => {
                for v in value(&flag)?.split(',') {
                    a.opts.api_versions.push(v.to_string());
                }
            }
            "--include-crds" => a.include_crds = true,
            "--no-hooks" => a.no_hooks = true,
            "--skip-tests" => a.skip_tests = true,
            "--is-upgrade" => {
                a.opts.is_upgrade = true;
                a.opts.is_install = false;
            }
            "--strict" => a.opts.strict = true,
            "--skip-schema-validation" => a.opts.skip_schema_validation = true,
            s if s.starts_with('-') => return Err(format!("unknown flag: {s}")),
            _ => {
                if chart.is_some() {
                    return Err(format!("unexpected argument {arg:?}"));
                }
                chart = Some(arg);
            }
        }
    }
    a.chart = chart.ok_or("requires a chart argument")?;
    Ok(a)
}

/// Helm's `values.Options.MergeValues`: `-f` files merged in order, then each `--set*`.
fn user_values(a: &Args) -> Result<Map, String> {
    let mut base = Map::new();
    for f in &a.values_files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("open {f}: {e}"))?;
        let m = parse_values(&text, f)
            .map_err(|e| format!("failed to parse {f}: {}", e.load_values_text()))?;
        base = merge_values(&base, &m);
    }
    for kind in ["--set-json", "--set", "--set-string", "--set-literal"] {
        for (flag, expr) in a.sets.iter().filter(|(f, _)| f == kind) {
            let r = match flag.as_str() {
                "--set-json" => strvals::parse_set_json_into(expr, &base),
                "--set" => strvals::parse_set_into(expr, &base),
                "--set-string" => strvals::parse_set_string_into(expr, &base),
                _ => strvals::parse_set_literal_into(expr, &base),
            };
            r.map_err(|e| format!("failed parsing {flag} data: {e}"))?;
        }
    }
    Ok(base)
}

fn run() -> Result<String, String> {
    let a = parse_args()?;
    let chart = Chart::load(&a.chart).map_err(|e| e.to_string())?;
    let vals = user_values(&a)?;
    let mut rendered = render(&chart, &vals, &a.opts).map_err(|e| e.to_string())?;
    if a.skip_tests {
        rendered
            .hooks
            .retain(|h| !h.events.iter().any(|e| e == "test"));
    }
    let out = if a.show_only.is_empty() {
        rendered.template_output(!a.no_hooks, a.include_crds)
    } else {
        rendered
            .template_output_show_only(!a.no_hooks, a.include_crds, &a.show_only)
            .map_err(|e| e.to_string())?
    };
    // Helm logs its values-coalescing warnings to stderr as it renders.
    for warning in &rendered.warnings {
        eprintln!("{warning}");
    }
    Ok(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
