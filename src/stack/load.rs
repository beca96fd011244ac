//! `Stack::load`: read, validate, select the environment, render templates.

use super::env_values;
use super::schema::{Flag, RawRelease, RawStack, RawValuesItem, Timeout};
use super::template::{Templater, is_template, process_env};
use super::yaml_tree::{self, Kind, Node, Seg, path_string};
use super::{
    ChartRef, DEFAULT_CREATE_NAMESPACE, DEFAULT_NAMESPACE, DEFAULT_TIMEOUT, DEFAULT_WAIT,
    ReleaseSpec, Repository, Stack, StackError, ValuesSource, parse_duration,
};
use granit_parser::ScalarStyle;
use minijinja::Value;
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest stack file accepted.
const MAX_STACK_FILE: u64 = 4 * 1024 * 1024;
/// Largest values file accepted (Helm's own chart size limits are similar).
const MAX_VALUES_FILE: u64 = 16 * 1024 * 1024;

impl Stack {
    /// Loads the stack file at `path` for environment `env`.
    ///
    /// With `env` = `None` the environment named `default` is used when the
    /// stack defines one; otherwise there are no environment values and
    /// templates see `environment.name == "default"`.
    pub fn load(path: &Path, env: Option<&str>) -> Result<Stack, StackError> {
        let text = read_bounded(path, MAX_STACK_FILE)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tree = yaml_tree::parse(&text).map_err(|e| {
            StackError::at(
                path,
                Some(e.line),
                None,
                format!("invalid YAML: {}", e.message),
            )
        })?;
        let raw: RawStack = serde_saphyr::from_str(&text).map_err(|e| {
            let loc = e
                .location()
                .map(|l| (l.line() as usize, l.column() as usize));
            let field = loc
                .map(|(l, c)| path_string(&tree.path_at(l, c)))
                .filter(|f| !f.is_empty());
            StackError::at(
                path,
                loc.map(|l| l.0),
                field,
                e.without_snippet().to_string(),
            )
        })?;
        Loader {
            path,
            dir: &dir,
            tree: &tree,
            templater: Templater::new(&dir),
        }
        .load(raw, env)
    }
}

/// Reads a file, refusing anything larger than `max` bytes.
fn read_bounded(path: &Path, max: u64) -> Result<String, StackError> {
    let io = |source| StackError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut text = String::new();
    file.take(max + 1).read_to_string(&mut text).map_err(io)?;
    if text.len() as u64 > max {
        return Err(StackError::at(
            path,
            None,
            None,
            format!("file is larger than {max} bytes"),
        ));
    }
    Ok(text)
}

struct Loader<'a> {
    path: &'a Path,
    dir: &'a Path,
    tree: &'a Node,
    templater: Templater,
}

/// Per-release settings after `defaults`.
struct Defaults {
    namespace: String,
    wait: bool,
    timeout: Duration,
    create_namespace: bool,
    labels: BTreeMap<String, String>,
}

impl Loader<'_> {
    fn load(&self, raw: RawStack, env: Option<&str>) -> Result<Stack, StackError> {
        let (env_name, environment) = match env {
            Some(name) => match raw.environments.get(name) {
                Some(e) => (Some(name.to_string()), Some(e)),
                None => {
                    return Err(StackError::UnknownEnvironment {
                        path: self.path.to_path_buf(),
                        name: name.to_string(),
                        known: raw.environments.keys().cloned().collect(),
                    });
                }
            },
            None => match raw.environments.get("default") {
                Some(e) => (Some("default".to_string()), Some(e)),
                None => (None, None),
            },
        };
        let template_env_name = env_name.clone().unwrap_or_else(|| "default".into());
        let process_env = process_env();

        let mut values = env_values::empty();
        if let Some(environment) = environment {
            let base = [
                Seg::Key("environments".into()),
                Seg::Key(template_env_name.clone()),
            ];
            let env_ctx = minijinja::context! { env => process_env.clone() };
            for (j, item) in environment.values.iter().enumerate() {
                let field = [&base[..], &[Seg::Key("values".into()), Seg::Index(j)]].concat();
                let layer = self.environment_values(item, &field, &env_ctx)?;
                env_values::deep_merge(&mut values, layer);
            }
        }

        let base_ctx = minijinja::context! {
            env => process_env,
            values => Value::from(minijinja::value::Serde(&values)),
            environment => minijinja::context! { name => template_env_name },
        };

        let repositories = self.repositories(&raw)?;
        let defaults = self.defaults(&raw, &base_ctx)?;
        let mut releases = Vec::with_capacity(raw.releases.len());
        let mut seen = HashSet::new();
        for (i, rel) in raw.releases.iter().enumerate() {
            let spec = self.release(i, rel, &raw, &repositories, &defaults, &base_ctx)?;
            if !seen.insert(spec.name.clone()) {
                return Err(self.err(
                    &[
                        Seg::Key("releases".into()),
                        Seg::Index(i),
                        Seg::Key("name".into()),
                    ],
                    format!(
                        "release {:?} is defined twice (release names are unique in a stack)",
                        spec.name
                    ),
                ));
            }
            releases.push(spec);
        }

        Ok(Stack {
            name: raw.name,
            path: self.path.to_path_buf(),
            dir: self.dir.to_path_buf(),
            environment: env_name,
            kube_context: environment.and_then(|e| e.kube_context.clone()),
            repositories,
            releases,
        })
    }

    // ---- locations and errors ------------------------------------------

    fn node(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self.tree;
        for seg in path {
            node = match seg {
                Seg::Key(k) => node.get(k)?,
                Seg::Index(i) => node.index(*i)?,
            };
        }
        Some(node)
    }

    /// Line of the deepest existing node along `path`.
    fn line_of(&self, path: &[Seg]) -> Option<usize> {
        (0..=path.len())
            .rev()
            .find_map(|n| self.node(&path[..n]).map(|node| node.line))
    }

    fn err(&self, path: &[Seg], message: impl Into<String>) -> StackError {
        StackError::at(
            self.path,
            self.line_of(path),
            Some(path_string(path)),
            message,
        )
    }

    // ---- templating -----------------------------------------------------

    /// Renders a string field of the stack file; errors point at the line
    /// of the field plus the template line.
    fn render_field(&self, s: &str, path: &[Seg], ctx: &Value) -> Result<String, StackError> {
        if !is_template(s) {
            return Ok(s.to_string());
        }
        let field = path_string(path);
        self.templater.render(&field, s, ctx).map_err(|e| {
            let base = self.line_of(path);
            let line = match (base, e.line) {
                (Some(b), Some(t)) => Some(b + t - 1),
                (b, _) => b,
            };
            StackError::at(self.path, line, Some(field), e.message)
        })
    }

    fn render_flag(
        &self,
        flag: Option<&Flag>,
        path: &[Seg],
        ctx: &Value,
    ) -> Result<Option<bool>, StackError> {
        match flag {
            None => Ok(None),
            Some(Flag::Bool(b)) => Ok(Some(*b)),
            Some(Flag::Text(s)) => {
                let out = self.render_field(s, path, ctx)?;
                parse_bool(&out).map(Some).ok_or_else(|| {
                    self.err(
                        path,
                        format!("expected true or false, got {:?}", out.trim()),
                    )
                })
            }
        }
    }

    fn render_timeout(
        &self,
        t: Option<&Timeout>,
        path: &[Seg],
        ctx: &Value,
    ) -> Result<Option<Duration>, StackError> {
        let Some(Timeout(s)) = t else { return Ok(None) };
        let out = self.render_field(s, path, ctx)?;
        parse_duration(&out)
            .map(Some)
            .map_err(|m| self.err(path, m))
    }

    /// Reads a values file and renders it when it ends in `.j2`.
    fn values_file(
        &self,
        rel: &str,
        path: &[Seg],
        ctx: &Value,
    ) -> Result<(PathBuf, String), StackError> {
        let rel = self.render_field(rel, path, ctx)?;
        if rel.trim().is_empty() {
            return Err(self.err(path, "empty values file path"));
        }
        let full = self.dir.join(rel.trim());
        let text = read_bounded(&full, MAX_VALUES_FILE).map_err(|e| match e {
            StackError::Io { source, .. } => self.err(
                path,
                format!("cannot read values file {}: {source}", full.display()),
            ),
            other => other,
        })?;
        if !full.to_string_lossy().ends_with(".j2") {
            return Ok((full, text));
        }
        let name = full.display().to_string();
        let rendered = self.templater.render(&name, &text, ctx).map_err(|e| {
            StackError::at(
                &full,
                e.line,
                None,
                format!("{} (included at {})", e.message, {
                    let line = self
                        .line_of(path)
                        .map(|l| format!(":{l}"))
                        .unwrap_or_default();
                    format!("{}{line} {}", self.path.display(), path_string(path))
                }),
            )
        })?;
        Ok((full, rendered))
    }

    // ---- sections -------------------------------------------------------

    fn environment_values(
        &self,
        item: &RawValuesItem,
        path: &[Seg],
        env_ctx: &Value,
    ) -> Result<serde_json::Value, StackError> {
        match item {
            RawValuesItem::File(rel) => {
                let (full, text) = self.values_file(rel, path, env_ctx)?;
                let parsed: Option<serde_json::Value> =
                    serde_saphyr::from_str(&text).map_err(|e| {
                        StackError::at(
                            &full,
                            e.location().map(|l| l.line() as usize),
                            None,
                            format!("invalid YAML: {}", e.without_snippet()),
                        )
                    })?;
                match parsed {
                    None | Some(serde_json::Value::Null) => Ok(env_values::empty()),
                    Some(v @ serde_json::Value::Object(_)) => Ok(v),
                    Some(_) => Err(StackError::at(
                        &full,
                        Some(1),
                        None,
                        "environment values must be a mapping",
                    )),
                }
            }
            RawValuesItem::Inline(v) => {
                let mut v = v.clone();
                let field = path.to_vec();
                env_values::render_strings(&mut v, &mut |s: &str| {
                    self.render_field(s, &field, env_ctx)
                })?;
                Ok(v)
            }
        }
    }

    fn repositories(&self, raw: &RawStack) -> Result<Vec<Repository>, StackError> {
        let mut out: Vec<Repository> = Vec::new();
        for (i, r) in raw.repositories.iter().enumerate() {
            let at = |f: &str| {
                [
                    Seg::Key("repositories".into()),
                    Seg::Index(i),
                    Seg::Key(f.into()),
                ]
            };
            if !valid_repo_name(&r.name) {
                return Err(self.err(
                    &at("name"),
                    format!(
                        "invalid repository name {:?} (letters, digits, - _ .)",
                        r.name
                    ),
                ));
            }
            if out.iter().any(|o| o.name == r.name) {
                return Err(self.err(
                    &at("name"),
                    format!("repository {:?} is defined twice", r.name),
                ));
            }
            let scheme_ok = ["https://", "http://", "oci://"]
                .iter()
                .any(|s| r.url.starts_with(s) && r.url.len() > s.len());
            if !scheme_ok {
                return Err(self.err(
                    &at("url"),
                    format!(
                        "repository URL {:?} must start with https://, http:// or oci://",
                        r.url
                    ),
                ));
            }
            out.push(Repository {
                name: r.name.clone(),
                url: r.url.clone(),
            });
        }
        Ok(out)
    }

    fn defaults(&self, raw: &RawStack, ctx: &Value) -> Result<Defaults, StackError> {
        let d = &raw.defaults;
        let at = |f: &str| [Seg::Key("defaults".into()), Seg::Key(f.into())];
        let namespace = match &d.namespace {
            Some(ns) => {
                let ns = self.render_field(ns, &at("namespace"), ctx)?;
                check_namespace(&ns).map_err(|m| self.err(&at("namespace"), m))?;
                ns
            }
            None => DEFAULT_NAMESPACE.to_string(),
        };
        let mut labels = BTreeMap::new();
        for (k, v) in &d.labels {
            let path = [
                Seg::Key("defaults".into()),
                Seg::Key("labels".into()),
                Seg::Key(k.clone()),
            ];
            labels.insert(k.clone(), self.render_field(v, &path, ctx)?);
        }
        Ok(Defaults {
            namespace,
            wait: self
                .render_flag(d.wait.as_ref(), &at("wait"), ctx)?
                .unwrap_or(DEFAULT_WAIT),
            timeout: self
                .render_timeout(d.timeout.as_ref(), &at("timeout"), ctx)?
                .unwrap_or(DEFAULT_TIMEOUT),
            create_namespace: self
                .render_flag(d.create_namespace.as_ref(), &at("createNamespace"), ctx)?
                .unwrap_or(DEFAULT_CREATE_NAMESPACE),
            labels,
        })
    }

    fn release(
        &self,
        i: usize,
        rel: &RawRelease,
        raw: &RawStack,
        repositories: &[Repository],
        defaults: &Defaults,
        base_ctx: &Value,
    ) -> Result<ReleaseSpec, StackError> {
        let root = [Seg::Key("releases".into()), Seg::Index(i)];
        let at = |f: &str| [&root[..], &[Seg::Key(f.into())]].concat();
        check_release_name(&rel.name).map_err(|m| self.err(&at("name"), m))?;

        // Namespace and labels first: the release's own context needs them.
        let namespace = match &rel.namespace {
            Some(ns) => self.render_field(ns, &at("namespace"), base_ctx)?,
            None => defaults.namespace.clone(),
        };
        check_namespace(&namespace).map_err(|m| self.err(&at("namespace"), m))?;
        let mut labels = defaults.labels.clone();
        for (k, v) in &rel.labels {
            let path = [&at("labels")[..], &[Seg::Key(k.clone())]].concat();
            labels.insert(k.clone(), self.render_field(v, &path, base_ctx)?);
        }
        let ctx = minijinja::context! {
            release => minijinja::context! {
                name => rel.name.clone(),
                namespace => namespace.clone(),
                labels => labels.clone(),
            },
            ..base_ctx.clone()
        };

        let chart_text = self.render_field(&rel.chart, &at("chart"), &ctx)?;
        let chart = self
            .chart_ref(chart_text.trim(), repositories)
            .map_err(|m| self.err(&at("chart"), m))?;
        let version = match &rel.version {
            Some(v) => Some(self.render_field(v, &at("version"), &ctx)?).filter(|v| !v.is_empty()),
            None => None,
        };
        for (j, need) in rel.needs.iter().enumerate() {
            let path = [&at("needs")[..], &[Seg::Index(j)]].concat();
            check_need(need).map_err(|m| self.err(&path, m))?;
        }

        let mut values_sources = Vec::new();
        for (j, item) in raw.common_values.iter().enumerate() {
            let path = [Seg::Key("commonValues".into()), Seg::Index(j)];
            values_sources.push(self.release_values(item, &path, &ctx)?);
        }
        for (j, item) in rel.values.iter().enumerate() {
            let path = [&at("values")[..], &[Seg::Index(j)]].concat();
            values_sources.push(self.release_values(item, &path, &ctx)?);
        }
        let set = self.set_pairs(&at("set"), &ctx)?;

        let installed = self.render_flag(rel.installed.as_ref(), &at("installed"), &ctx)?;
        let wait = self.render_flag(rel.wait.as_ref(), &at("wait"), &ctx)?;
        let create_namespace =
            self.render_flag(rel.create_namespace.as_ref(), &at("createNamespace"), &ctx)?;
        let timeout = self.render_timeout(rel.timeout.as_ref(), &at("timeout"), &ctx)?;

        Ok(ReleaseSpec {
            name: rel.name.clone(),
            namespace,
            chart,
            version,
            labels,
            needs: rel.needs.clone(),
            values_sources,
            set,
            installed: installed.unwrap_or(true),
            wait: wait.unwrap_or(defaults.wait),
            timeout: timeout.unwrap_or(defaults.timeout),
            create_namespace: create_namespace.unwrap_or(defaults.create_namespace),
            line: self.line_of(&root).unwrap_or(0),
        })
    }

    /// `oci://…` is OCI; a path-looking reference (`./`, `../`, `/`, `.tgz`)
    /// is local; `repo/name` with a declared repository is a repository
    /// chart; anything else is local if it exists, else an error.
    fn chart_ref(&self, chart: &str, repositories: &[Repository]) -> Result<ChartRef, String> {
        if chart.is_empty() {
            return Err("empty chart reference".into());
        }
        if let Some(rest) = chart.strip_prefix("oci://") {
            if rest.is_empty() {
                return Err("empty OCI reference".into());
            }
            return Ok(ChartRef::Oci(chart.to_string()));
        }
        let looks_local = chart.starts_with('.')
            || chart.starts_with('/')
            || chart.ends_with(".tgz")
            || chart.ends_with(".tar.gz");
        if !looks_local
            && let Some((repo, name)) = chart.split_once('/')
            && !name.contains('/')
            && repositories.iter().any(|r| r.name == repo)
        {
            if name.is_empty() {
                return Err(format!("chart reference {chart:?} has no chart name"));
            }
            return Ok(ChartRef::Repo {
                repo: repo.to_string(),
                name: name.to_string(),
            });
        }
        let local = self.dir.join(chart);
        if looks_local || local.exists() {
            return Ok(ChartRef::Local(local));
        }
        let known: Vec<&str> = repositories.iter().map(|r| r.name.as_str()).collect();
        Err(match chart.split_once('/') {
            Some((repo, _)) => format!(
                "chart {chart:?}: no repository named {repo:?} (declared: {}) and no such local path",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
            None => format!(
                "chart {chart:?} is neither a local path ({} does not exist), repo/name nor oci://",
                local.display()
            ),
        })
    }

    fn release_values(
        &self,
        item: &RawValuesItem,
        path: &[Seg],
        ctx: &Value,
    ) -> Result<ValuesSource, StackError> {
        match item {
            RawValuesItem::File(rel) => {
                let (path, rendered_text) = self.values_file(rel, path, ctx)?;
                Ok(ValuesSource::File {
                    path,
                    rendered_text,
                })
            }
            RawValuesItem::Inline(_) => {
                let node = self.node(path).ok_or_else(|| {
                    // The typed parse and the tree read the same text.
                    self.err(path, "inline values not found in the YAML tree")
                })?;
                let field = path_string(path);
                let yaml_text =
                    yaml_tree::emit(node, &mut |n: &Node| self.render_scalar(n, &field, ctx))?;
                Ok(ValuesSource::Inline {
                    origin: format!("{}:{} {field}", self.path.display(), node.line),
                    yaml_text,
                })
            }
        }
    }

    /// Renders a templated scalar of an inline values map; `None` keeps it.
    fn render_scalar(
        &self,
        n: &Node,
        field: &str,
        ctx: &Value,
    ) -> Result<Option<String>, StackError> {
        let Kind::Scalar { text, .. } = &n.kind else {
            return Ok(None);
        };
        if !is_template(text) {
            return Ok(None);
        }
        self.templater
            .render(field, text, ctx)
            .map(Some)
            .map_err(|e| {
                let line = n.line + e.line.unwrap_or(1) - 1;
                StackError::at(self.path, Some(line), Some(field.to_string()), e.message)
            })
    }

    /// `set` pairs in file order, values as their source text (templated
    /// ones rendered). A null value becomes `null`, which Helm's `--set`
    /// reads as "remove this key".
    fn set_pairs(&self, path: &[Seg], ctx: &Value) -> Result<Vec<(String, String)>, StackError> {
        let Some(node) = self.node(path) else {
            return Ok(Vec::new());
        };
        let Kind::Map(entries) = &node.kind else {
            return Err(self.err(path, "set must be a mapping of key: value"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let key = k.as_str().unwrap_or_default().to_string();
            let vpath = [path, &[Seg::Key(key.clone())]].concat();
            let Kind::Scalar { text, style, .. } = &v.kind else {
                return Err(self.err(&vpath, "expected a scalar value"));
            };
            let value = if *style == ScalarStyle::Plain
                && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
            {
                "null".to_string()
            } else {
                self.render_field(text, &vpath, ctx)?
            };
            out.push((key, value));
        }
        Ok(out)
    }
}

/// Booleans from rendered strings: YAML 1.1's words, any case (minijinja
/// prints `True`).
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn is_dns_label(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// Helm's rule: at most 53 characters (the release Secret name adds a
/// suffix), lowercase DNS-1123 with dots allowed.
fn check_release_name(name: &str) -> Result<(), String> {
    let ok =
        name.len() <= 53 && !name.is_empty() && name.split('.').all(|part| is_dns_label(part, 63));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid release name {name:?}: use at most 53 lowercase letters, digits, '-' and '.'"
        ))
    }
}

fn check_namespace(ns: &str) -> Result<(), String> {
    if is_dns_label(ns, 63) {
        Ok(())
    } else {
        Err(format!(
            "invalid namespace {ns:?}: use at most 63 lowercase letters, digits and '-'"
        ))
    }
}

fn check_need(need: &str) -> Result<(), String> {
    let (ns, name) = match need.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, need),
    };
    if let Some(ns) = ns {
        check_namespace(ns)?;
    }
    check_release_name(name)
        .map_err(|_| format!("invalid need {need:?}: expected NAME or NAMESPACE/NAME"))
}

fn valid_repo_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
