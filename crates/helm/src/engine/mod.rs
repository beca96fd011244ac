//! Rendering: Helm functions and objects over gotmpl, sorting, hooks, NOTES.
//!
//! `render` follows Helm 4's install path: check the release name, process dependencies
//! (conditions, tags, aliases, import-values), coalesce values, validate schemas, build
//! each chart's template data (`.Values` scoped per subchart, `.Chart`, `.Files`,
//! `.Release`, `.Capabilities`, `.Subcharts`, `.Template`), parse every template once
//! into one set (deepest charts first, so a parent's `define` wins), execute the
//! non-partials, then split, sort and classify the output as Helm's `renderResources`
//! does.

mod cache;
mod capabilities;
mod common_values;
mod default_apis;
mod errors;
mod files;
pub mod funcs;
mod lookup;
mod manifests;
mod release_name;

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::{Map, MapInner, MissingKey, Templates, Value};

use crate::chart::Chart;
use crate::chart::dependencies::{check_dependencies, process_dependencies};
use crate::chart::semver::is_compatible_range;

pub use crate::kind_order::INSTALL_ORDER;
pub use capabilities::{Capabilities, DEFAULT_KUBE_VERSION, HelmVersion, KubeVersion};
pub use common_values::{COMMON_VALUES, values_value};
pub use default_apis::DEFAULT_API_VERSIONS;
pub use files::Files;
pub use lookup::{Lookup, MAX_LOOKUPS_PER_RENDER, value_from_json};
pub use manifests::{Hook, Manifest, sort_manifests, split_manifests};
pub use release_name::{ReleaseNameError, validate_release_name};

/// Forgets everything kept between renders in this process (parsed templates,
/// compiled regexes and schemas, `semverCompare` results, decoded JSON), so that the
/// next render does all its work again, as the first render in a fresh process (and
/// every Helm render) does: the cold-render benchmarks call it between renders.
pub fn clear_process_caches() {
    cache::clear();
    crate::values::clear_caches();
    gotmpl::sprig::clear_caches();
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
    /// `.Capabilities.KubeVersion` (Helm's default when rendering offline: v1.36.0).
    pub kube_version: String,
    /// Extra API versions on top of the base set (`--api-versions`).
    pub api_versions: Vec<String>,
    /// The connected cluster's discovery set, which replaces Helm's offline default
    /// set as the base (what `helm install` renders with); `None` renders offline.
    pub cluster_api_versions: Option<Vec<String>>,
    pub helm_version: HelmVersion,
    /// `missingkey=error` instead of Helm's default `missingkey=zero`.
    pub strict: bool,
    /// `helm lint` mode: `required` and `fail` do not stop rendering.
    pub lint_mode: bool,
    /// Include subcharts' NOTES.txt (`--render-subchart-notes`).
    pub subchart_notes: bool,
    /// Skip values.schema.json validation (`--skip-schema-validation`).
    pub skip_schema_validation: bool,
    /// The cluster `lookup` queries, as `helm install` does; `None` renders offline
    /// like `helm template`: every `lookup` returns an empty map.
    pub lookup: Option<Arc<dyn Lookup>>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: Vec::new(),
            cluster_api_versions: None,
            helm_version: HelmVersion::default(),
            strict: false,
            lint_mode: false,
            subchart_notes: false,
            skip_schema_validation: false,
            lookup: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Chart(#[from] crate::chart::ChartError),
    /// Helm's install action refuses the release name before rendering anything.
    #[error(transparent)]
    ReleaseName(#[from] ReleaseNameError),
    /// Values could not be coalesced.
    #[error("{0}")]
    Values(String),
    /// values.schema.json rejected the values.
    #[error("{0}")]
    Schema(String),
    #[error(
        "chart requires kubeVersion: {required} which is incompatible with Kubernetes {actual}"
    )]
    KubeVersion { required: String, actual: String },
    #[error("invalid kube version '{0}'")]
    InvalidKubeVersion(String),
    /// A template failed to parse or execute; the message is Helm's.
    #[error("{0}")]
    Template(String),
    /// A rendered document is not valid YAML.
    #[error("{0}")]
    Manifest(String),
    /// `--show-only` named a template that produced nothing.
    #[error("could not find template {0} in chart")]
    ShowOnly(String),
}

/// The result of rendering a chart.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Non-hook documents in Helm's install order.
    pub manifests: Vec<Manifest>,
    /// Hook documents, sorted by kind as Helm stores them.
    pub hooks: Vec<Hook>,
    /// The top chart's NOTES.txt (plus subcharts' with `subchart_notes`).
    pub notes: String,
    /// CRDs from `crds/` of the chart and its subcharts: (full path, content).
    pub crds: Vec<(String, String)>,
    /// The final coalesced values (`.Values` of the top chart).
    pub values: Map,
    /// The chart after dependency processing, as stored in the release.
    pub chart: Chart,
    /// Helm's values-coalescing warnings in its words (`warning: destination for K is a
    /// table. Ignoring non-table value (...)`), which Helm logs to stderr.
    pub warnings: Vec<String>,
}

fn source_block(out: &mut String, path: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(path);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

impl Rendered {
    /// The hooks Helm runs for `event` (e.g. `pre-install`), in its execution order:
    /// by weight, then name, otherwise keeping the kind order (Helm's `execHook`).
    pub fn hooks_for(&self, event: &str) -> Vec<&Hook> {
        let mut hooks: Vec<&Hook> = self
            .hooks
            .iter()
            .filter(|h| h.events.iter().any(|e| e == event))
            .collect();
        hooks.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name)));
        hooks
    }

    /// Exactly Helm's release `.manifest`.
    pub fn release_manifest(&self) -> String {
        let mut out = String::new();
        for m in &self.manifests {
            source_block(&mut out, &m.source, &m.content);
        }
        out
    }

    /// Exactly what `helm template` prints (without `--show-only`).
    pub fn template_output(&self, include_hooks: bool, include_crds: bool) -> String {
        let mut doc = String::new();
        if include_crds {
            for (path, content) in &self.crds {
                source_block(&mut doc, path, content);
            }
        }
        doc.push_str(&self.release_manifest());
        let mut out = String::with_capacity(doc.len() + 64);
        out.push_str(doc.trim());
        out.push('\n');
        if include_hooks {
            for h in &self.hooks {
                source_block(&mut out, &h.path, &h.manifest);
            }
        }
        out
    }

    /// `helm template --show-only PATTERN...`: only documents whose template path
    /// (without the chart name) matches a pattern (Go `filepath.Match`).
    pub fn template_output_show_only(
        &self,
        include_hooks: bool,
        include_crds: bool,
        show_only: &[String],
    ) -> Result<String, RenderError> {
        let full = self.template_output(include_hooks, include_crds);
        let docs = split_manifests(&full);
        let mut out = String::new();
        for pattern in show_only {
            let pattern = pattern.replace('\\', "/");
            let mut missing = true;
            for doc in &docs {
                let Some(name) = source_name(doc) else {
                    continue;
                };
                if crate::chart::glob::go_match(&pattern, name).unwrap_or(false) {
                    out.push_str("---\n");
                    out.push_str(doc);
                    out.push('\n');
                    missing = false;
                }
            }
            if missing {
                return Err(RenderError::ShowOnly(pattern));
            }
        }
        Ok(out)
    }
}

/// The path after the chart name in the first `# Source: CHART/PATH` line.
fn source_name(doc: &str) -> Option<&str> {
    let idx = doc.find("# Source: ")?;
    let rest = &doc[idx + "# Source: ".len()..];
    let line = rest.split('\n').next()?;
    let slash = line.find('/')?;
    if slash == 0 {
        return None;
    }
    let name = &line[slash + 1..];
    if name.is_empty() { None } else { Some(name) }
}

/// One template file to render, with the data of the chart it belongs to.
struct Renderable {
    text: Arc<[u8]>,
    data: Map,
    base_path: String,
}

/// Helm's `recAllTpls`: per-chart template data and the list of templates.
fn collect_templates(
    chart: &Chart,
    full_path: &str,
    parent_values: &Map,
    is_root: bool,
    release: &Value,
    caps: &Value,
    out: &mut BTreeMap<String, Renderable>,
) -> Map {
    let values = if is_root {
        parent_values.clone()
    } else {
        match parent_values.get(chart.name()) {
            Some(Value::Map(m)) => m,
            _ => Map::new(),
        }
    };
    let subcharts = Map::new();
    let mut next = MapInner::new();
    next.insert("Chart".into(), chart.metadata.to_template_value(is_root));
    let files: BTreeMap<String, Arc<[u8]>> = chart
        .files
        .iter()
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    next.insert("Files".into(), Value::Object(Arc::new(Files::new(files))));
    next.insert("Release".into(), release.clone());
    next.insert("Capabilities".into(), caps.clone());
    // `.Values` is a `common.Values` (a subchart's too: `Table` or `make(Values)`),
    // the maps inside it plain.
    next.insert("Values".into(), values_value(&values));
    next.insert("Subcharts".into(), Value::Map(subcharts.clone()));
    let next = Map::from_inner(next);
    for dep in &chart.dependencies {
        let child_path = format!("{full_path}/charts/{}", dep.name());
        let child = collect_templates(dep, &child_path, &values, false, release, caps, out);
        subcharts.insert(dep.name(), Value::Map(child));
    }
    let library = chart.is_library();
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: t.data.clone(),
                data: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

/// Helm's parse order: deeper paths first, then reverse lexical, so that definitions
/// in parent charts (parsed last) win.
fn parse_order(names: &mut [&String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Render a chart with user-supplied values.
pub fn render(
    chart: &Chart,
    user_values: &Map,
    opts: &RenderOptions,
) -> Result<Rendered, RenderError> {
    check_dependencies(chart)?;
    validate_release_name(&opts.release_name)?;
    let kube = KubeVersion::parse(&opts.kube_version)
        .map_err(|_| RenderError::InvalidKubeVersion(opts.kube_version.clone()))?;
    if !chart.metadata.kube_version.is_empty()
        && !is_compatible_range(&chart.metadata.kube_version, &kube.version)
    {
        return Err(RenderError::KubeVersion {
            required: chart.metadata.kube_version.clone(),
            actual: kube.version.clone(),
        });
    }
    // Helm logs every coalescing pass's warnings: dependency processing's, then the
    // final one's below.
    let mut warnings = Vec::new();
    let chart = process_dependencies(chart, user_values, &mut warnings)?;
    let values =
        crate::values::coalesce::coalesce_chart(&chart.values_tree(), user_values, &mut warnings)
            .map_err(|e| RenderError::Values(e.to_string()))?;
    if !opts.skip_schema_validation {
        crate::values::schema::validate_chart(&chart.schema_tree(), &values)
            .map_err(|e| RenderError::Schema(e.to_string()))?;
    }
    let caps = Capabilities::shared_template_value(
        &kube,
        opts.cluster_api_versions.as_deref(),
        &opts.api_versions,
        &opts.helm_version,
    );
    let mut release = MapInner::new();
    release.insert("Name".into(), Value::str(&opts.release_name));
    release.insert("Namespace".into(), Value::str(&opts.namespace));
    release.insert("IsUpgrade".into(), Value::Bool(opts.is_upgrade));
    release.insert("IsInstall".into(), Value::Bool(opts.is_install));
    release.insert("Revision".into(), Value::Int(opts.revision));
    release.insert("Service".into(), Value::str("Helm"));
    let release = Value::map(release);

    let mut templates = BTreeMap::new();
    let root_name = chart.name().to_string();
    collect_templates(
        &chart,
        &root_name,
        &values,
        true,
        &release,
        &caps,
        &mut templates,
    );

    let mut order: Vec<&String> = templates.keys().collect();
    parse_order(&mut order);
    let key = cache::Key {
        templates: order
            .iter()
            .map(|name| cache::FileKey {
                name: (*name).clone(),
                text: templates[*name].text.clone(),
            })
            .collect(),
        lint_mode: opts.lint_mode,
    };
    let mut set = cache::get_or_parse(key, |key| -> Result<Templates, RenderError> {
        let mut set = Templates::new();
        set.set_root_name(funcs::ROOT_NAME);
        set.funcs(funcs::shared_helm_funcs(funcs::FuncOptions {
            lint_mode: key.lint_mode,
        }));
        for file in &key.templates {
            let parsed = cache::get_or_parse_file(file, || {
                // Go reads a template's bytes as they are: text that is not UTF-8
                // reaches the output unchanged (and a manifest then fails to parse).
                set.parse_only_go(&file.name, &file.text).map_err(|e| {
                    RenderError::Template(errors::cleanup_parse_error(&file.name, &e.to_string()))
                })
            })?;
            set.add_parsed(&parsed);
        }
        Ok(set)
    })?;
    // The cached set holds the offline `lookup`; this render's copy gets the cluster
    // one, with a fresh call count.
    if let Some(client) = &opts.lookup {
        set.add_funcs(&lookup::cluster_funcs(client.clone()));
    }
    set.option_missing_key(if opts.strict {
        MissingKey::Error
    } else {
        MissingKey::Zero
    });

    let mut rendered: Vec<(String, String)> = Vec::new();
    let mut raw: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for name in &order {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let r = &templates[*name];
        let mut tmpl = MapInner::new();
        tmpl.insert("Name".into(), Value::str(name.as_str()));
        tmpl.insert("BasePath".into(), Value::str(&r.base_path));
        r.data
            .insert("Template", values_value(&Map::from_inner(tmpl)));
        // Helm executes each template with its `common.Values`; the same map is a
        // plain one where a parent's `.Subcharts` holds it.
        let out = set
            .execute_go(name, &values_value(&r.data))
            .map_err(|e| RenderError::Template(errors::cleanup_exec_error(name, &e.to_string())))?;
        if out.has_raw() {
            // Bytes that are not UTF-8 were written raw: SortManifests reads the bytes
            // (NOTES.txt keeps the text, as the release's JSON stores it).
            let value = Value::from_go_bytes(&out.into_bytes());
            let value = value.go_replace_all("<no value>", "").unwrap_or(value);
            if let Value::RawString(r) = &value {
                raw.insert((*name).clone(), r.bytes().to_vec());
            }
            rendered.push((
                (*name).clone(),
                value.as_str().unwrap_or_default().to_string(),
            ));
            continue;
        }
        rendered.push(((*name).clone(), out.text().replace("<no value>", "")));
    }

    // NOTES.txt files are not manifests; only the top chart's are kept unless asked.
    let top_notes = format!("{root_name}/templates/NOTES.txt");
    let mut notes_files: Vec<(String, String)> = Vec::new();
    rendered.retain(|(path, content)| {
        if path.ends_with("NOTES.txt") {
            if opts.subchart_notes || *path == top_notes {
                notes_files.push((path.clone(), content.clone()));
            }
            return false;
        }
        true
    });
    notes_files.sort_by(|a, b| {
        let depth = |s: &str| s.matches("/charts/").count();
        depth(&a.0).cmp(&depth(&b.0)).then_with(|| a.0.cmp(&b.0))
    });
    let mut notes = String::new();
    for (_, content) in &notes_files {
        if !notes.is_empty() {
            notes.push('\n');
        }
        notes.push_str(content);
    }

    let (hooks, manifests) = sort_manifests(&rendered, &raw).map_err(RenderError::Manifest)?;
    let crds = chart
        .crd_objects()
        .into_iter()
        .map(|c| (c.filename, String::from_utf8_lossy(&c.data).into_owned()))
        .collect();
    Ok(Rendered {
        manifests,
        hooks,
        notes,
        crds,
        values,
        chart,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::BufferedFile;

    fn manifest(source: &str, content: &str, kind: &str) -> Manifest {
        Manifest {
            source: source.into(),
            content: content.into(),
            kind: kind.into(),
            name: String::new(),
            api_version: String::new(),
        }
    }

    fn rendered() -> Rendered {
        Rendered {
            manifests: vec![
                manifest("c/templates/a.yaml", "kind: Service", "Service"),
                manifest("c/templates/sub/b.yaml", "kind: Deployment\n", "Deployment"),
            ],
            hooks: vec![Hook {
                name: "h".into(),
                kind: "Job".into(),
                path: "c/templates/hook.yaml".into(),
                manifest: "kind: Job".into(),
                events: vec!["test".into()],
                weight: 0,
                delete_policies: vec![],
                output_log_policies: vec![],
            }],
            notes: String::new(),
            crds: vec![(
                "c/crds/x.yaml".into(),
                "kind: CustomResourceDefinition\n".into(),
            )],
            values: Map::new(),
            chart: Chart::default(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn template_output_layout() {
        let r = rendered();
        assert_eq!(
            r.release_manifest(),
            "---\n# Source: c/templates/a.yaml\nkind: Service\n---\n# Source: c/templates/sub/b.yaml\nkind: Deployment\n\n"
        );
        assert_eq!(
            r.template_output(true, true),
            "---\n# Source: c/crds/x.yaml\nkind: CustomResourceDefinition\n\n---\n# Source: c/templates/a.yaml\nkind: Service\n---\n# Source: c/templates/sub/b.yaml\nkind: Deployment\n---\n# Source: c/templates/hook.yaml\nkind: Job\n"
        );
        assert!(!r.template_output(false, false).contains("kind: Job"));
    }

    #[test]
    fn hooks_run_by_weight_then_name() {
        let mut r = rendered();
        let hook = |name: &str, weight: i64, events: &[&str]| Hook {
            name: name.into(),
            kind: "Job".into(),
            path: "c/templates/h.yaml".into(),
            manifest: String::new(),
            events: events.iter().map(|e| e.to_string()).collect(),
            weight,
            delete_policies: vec![],
            output_log_policies: vec![],
        };
        r.hooks = vec![
            hook("b", 0, &["pre-install"]),
            hook("a", 0, &["pre-install", "post-install"]),
            hook("z", -1, &["pre-install"]),
            hook("t", -5, &["test"]),
        ];
        let names: Vec<&str> = r
            .hooks_for("pre-install")
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(names, ["z", "a", "b"]);
    }

    #[test]
    fn show_only_filters_by_template_path() {
        let r = rendered();
        let out = r
            .template_output_show_only(
                true,
                false,
                &["templates/sub/*".into(), "templates/hook.yaml".into()],
            )
            .unwrap();
        assert_eq!(
            out,
            "---\n# Source: c/templates/sub/b.yaml\nkind: Deployment\n---\n# Source: c/templates/hook.yaml\nkind: Job\n\n"
        );
        assert_eq!(
            r.template_output_show_only(true, false, &["templates/nope.yaml".into()])
                .unwrap_err()
                .to_string(),
            "could not find template templates/nope.yaml in chart"
        );
    }

    #[test]
    fn renders_values_notes_and_partials() {
        let files = [
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("values.yaml", "num: 3\n"),
            (
                "templates/a.yaml",
                "kind: ConfigMap\ndata:\n  n: {{ .Values.num | quote }}\n  m: '{{ .Values.nope }}'\n",
            ),
            ("templates/_h.tpl", "{{ define \"x\" }}y{{ end }}"),
            ("templates/NOTES.txt", "hello {{ .Release.Name }}"),
        ];
        let chart = Chart::from_files(
            files
                .iter()
                .map(|(n, d)| BufferedFile {
                    name: n.to_string(),
                    data: d.as_bytes().to_vec(),
                })
                .collect(),
        )
        .unwrap();
        let r = render(&chart, &Map::new(), &RenderOptions::default()).unwrap();
        assert_eq!(r.notes, "hello release-name");
        assert_eq!(r.manifests.len(), 1);
        assert_eq!(
            r.manifests[0].content,
            "kind: ConfigMap\ndata:\n  n: \"3\"\n  m: ''\n"
        );
        let strict = RenderOptions {
            strict: true,
            ..RenderOptions::default()
        };
        assert!(render(&chart, &Map::new(), &strict).is_err());
    }

    /// The Go type of each source of numbers in `.Values` and `.Release` (Helm's CLI:
    /// strvals makes `--set` integers int64, JSON and YAML give float64; the Revision
    /// is an int). The conformance harness passes values as JSON, so this is proven
    /// here rather than there.
    #[test]
    fn number_types_by_source() {
        let files = [
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("values.yaml", "num: 5\n"),
            (
                "templates/a.yaml",
                "types: {{ typeOf .Values.num }} {{ typeOf .Values.f }} {{ typeOf .Values.s }} \
                 {{ typeOf .Values.j }} {{ typeOf .Values.t }} {{ typeOf .Release.Revision }} \
                 {{ deepEqual .Values.s (int64 7) }} {{ eq .Values.s 7 }}",
            ),
        ];
        let chart = Chart::from_files(
            files
                .iter()
                .map(|(n, d)| BufferedFile {
                    name: n.to_string(),
                    data: d.as_bytes().to_vec(),
                })
                .collect(),
        )
        .unwrap();
        let opts = crate::values::ValueOptions {
            value_files: vec![("f.yaml".into(), "f: 6\n".into())],
            values: vec!["s=7".into()],
            json_values: vec!["j=8".into()],
            string_values: vec!["t=9".into()],
            ..Default::default()
        };
        let user = crate::values::merge_options(&opts, &mut |_| Err("no files".into())).unwrap();
        let r = render(&chart, &user, &RenderOptions::default()).unwrap();
        assert_eq!(
            r.manifests[0].content,
            "types: float64 float64 int64 float64 string int true true"
        );
    }

    #[test]
    fn kube_version_constraint() {
        let chart = Chart::from_files(vec![BufferedFile {
            name: "Chart.yaml".into(),
            data: b"apiVersion: v2\nname: c\nversion: 0.1.0\nkubeVersion: '<1.20'\n".to_vec(),
        }])
        .unwrap();
        let err = render(&chart, &Map::new(), &RenderOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chart requires kubeVersion: <1.20 which is incompatible with Kubernetes v1.36.0"
        );
    }
}
