//! The stack file: schema, environments, minijinja values, selectors.
//!
//! [`Stack::load`] reads a stack file, picks an environment, renders every
//! template and returns releases ready for the planner. Values are not
//! interpreted here beyond templating: each release carries its values
//! sources in merge order, as YAML text, for Helm's own values loader.

mod duration;
mod env_values;
mod error;
mod load;
mod lock;
mod schema;
mod selector;
mod template;
#[cfg(test)]
mod tests;
mod yaml_tree;

pub use duration::parse_duration;
pub use error::{Located, StackError};
pub use lock::{LockChange, LockFile, LockedRelease, values_digest};
pub use selector::{Selector, matches_any};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// A loaded, rendered stack.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub name: String,
    /// The stack file as given to [`Stack::load`].
    pub path: PathBuf,
    /// The directory relative paths in the stack file are resolved against.
    pub dir: PathBuf,
    /// The selected environment (`-e`, or `default` when the stack defines
    /// one and none was asked for).
    pub environment: Option<String>,
    /// `kubeContext` of the selected environment.
    pub kube_context: Option<String>,
    pub repositories: Vec<Repository>,
    /// All releases in file order, including those with `installed: false`
    /// (the planner leaves those out; `destroy` may want them).
    pub releases: Vec<ReleaseSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub name: String,
    pub url: String,
}

/// Where a release's chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRef {
    /// A chart directory or `.tgz`, resolved against the stack file's directory.
    Local(PathBuf),
    /// `repo/name` for a repository declared under `repositories`.
    Repo { repo: String, name: String },
    /// An `oci://` reference, as written.
    Oci(String),
}

/// One source of values, in merge order (later over earlier).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuesSource {
    /// A values file; `.j2` files are already rendered.
    File {
        path: PathBuf,
        rendered_text: String,
    },
    /// An inline mapping from the stack file, serialised back to YAML with
    /// each scalar's text and quoting kept, so that Helm's loader decides
    /// the types. `origin` reads like `stack.yaml:12 releases[2].values[1]`.
    Inline { origin: String, yaml_text: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseSpec {
    pub name: String,
    pub namespace: String,
    pub chart: ChartRef,
    /// Version constraint for repository and OCI charts.
    pub version: Option<String>,
    /// The release's own labels over `defaults.labels`.
    pub labels: BTreeMap<String, String>,
    /// Release names as written (`name` or `namespace/name`).
    pub needs: Vec<String>,
    /// `commonValues` first, then the release's own `values`.
    pub values_sources: Vec<ValuesSource>,
    /// Helm `--set` pairs in file order; values as their source text.
    pub set: Vec<(String, String)>,
    pub installed: bool,
    pub wait: bool,
    pub timeout: Duration,
    pub create_namespace: bool,
    /// 1-based line of the release in the stack file.
    pub line: usize,
}

/// Defaults when neither the release nor `defaults` says otherwise. `wait`
/// and `createNamespace` default to true (as in helmfile): ordering by
/// `needs` only means something if a release waits until it is ready.
pub const DEFAULT_NAMESPACE: &str = "default";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
pub const DEFAULT_WAIT: bool = true;
pub const DEFAULT_CREATE_NAMESPACE: bool = true;

impl ReleaseSpec {
    /// The labels selectors see: the release's labels plus the implicit
    /// `name`, `namespace` and `chart` (the chart's name, see
    /// [`ChartRef::chart_name`]), as helmfile does; implicit ones win.
    pub fn selector_labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.labels.clone();
        labels.insert("name".into(), self.name.clone());
        labels.insert("namespace".into(), self.namespace.clone());
        labels.insert("chart".into(), self.chart.chart_name());
        labels
    }
}

impl ChartRef {
    /// The chart's bare name: `keystone` for `../charts/keystone`,
    /// `osh/keystone`, `keystone-0.3.1.tgz` stays `keystone-0.3.1`, and
    /// `oci://r.io/charts/keystone`.
    pub fn chart_name(&self) -> String {
        let last = |s: &str| {
            s.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(s)
                .to_string()
        };
        match self {
            ChartRef::Local(p) => {
                let name = last(&p.to_string_lossy());
                name.strip_suffix(".tgz")
                    .map(str::to_string)
                    .unwrap_or(name)
            }
            ChartRef::Repo { name, .. } => name.clone(),
            ChartRef::Oci(r) => {
                let name = last(r);
                // A tag or digest is not part of the name.
                name.split([':', '@']).next().unwrap_or(&name).to_string()
            }
        }
    }
}

impl std::fmt::Display for ChartRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChartRef::Local(p) => write!(f, "{}", p.display()),
            ChartRef::Repo { repo, name } => write!(f, "{repo}/{name}"),
            ChartRef::Oci(r) => f.write_str(r),
        }
    }
}
