//! Chart loading: directories and archives, Chart.yaml, dependencies.
//!
//! Mirrors Helm 4's `pkg/chart/v2/loader`: files are first gathered (from a
//! directory walk filtered by `.helmignore`, or from a `.tgz` in memory), then sorted
//! into metadata, values, schema, templates, subcharts (`charts/`) and plain files.

mod archive;
pub mod dependencies;
mod dir;
pub mod glob;
pub mod ignore;
mod metadata;
pub mod semver;

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use gotmpl::Map;
use serde_json::Value as Json;

pub use archive::{MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE, is_gzip};
pub use metadata::{API_VERSION_V1, API_VERSION_V2, Dependency, Maintainer, Metadata};

/// A file as read from a chart, before it is sorted into its role.
#[derive(Debug, Clone)]
pub struct BufferedFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// A file kept in a chart (template or plain file). Data is shared, so alias copies of
/// a subchart cost nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// Path relative to the chart root, `/`-separated (e.g. `templates/deploy.yaml`).
    pub name: String,
    pub data: Arc<[u8]>,
}

/// A CRD file from a chart's `crds/` directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Crd {
    /// Path relative to its chart (`crds/x.yaml`).
    pub name: String,
    /// Full path as Helm prints it (`top/charts/sub/crds/x.yaml`).
    pub filename: String,
    pub data: Arc<[u8]>,
}

/// A chart `helm install` and `helm template` refuse, in Helm's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("library charts are not installable")]
pub struct NotInstallable;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Archive(String),
    #[error("cannot load {file}: {message}")]
    Parse { file: String, message: String },
    #[error("cannot load {file}: field {field}: {message}")]
    Field {
        file: String,
        field: String,
        message: String,
    },
    #[error("validation: {0}")]
    Validation(String),
    #[error("{file}: {message}")]
    Ignore { file: String, message: String },
    #[error("Chart.yaml file is missing")]
    MissingChartYaml,
    /// Helm's text already holds the subchart's error, so it is not also a `source`
    /// (error chains would print it twice).
    #[error("error unpacking subchart {name} in {parent}: {cause}")]
    Subchart {
        name: String,
        parent: String,
        cause: Box<ChartError>,
    },
    #[error("file '{0}' does not appear to be a gzipped archive")]
    NotGzip(String),
    #[error("{0}")]
    Dependencies(String),
}

/// A loaded chart (Helm's `chart.Chart`).
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// Chart.lock (or v1 requirements.lock), kept as decoded JSON.
    pub lock: Option<Json>,
    pub templates: Vec<ChartFile>,
    /// values.yaml, parsed with Helm's values semantics.
    pub values: Map,
    /// Whether `values` was set (values.yaml present, or import-values applied); Helm
    /// stores `null` for a chart without one.
    pub has_values: bool,
    /// values.schema.json, raw.
    pub schema: Option<Arc<[u8]>>,
    /// Every other file (crds/, README, .helmignore, files for `.Files`).
    pub files: Vec<ChartFile>,
    /// Loaded subcharts, in `charts/` name order until dependency processing reorders them.
    pub dependencies: Vec<Chart>,
}

/// Parse a values file body (values.yaml) with Helm's values semantics.
fn parse_values_file(data: &[u8], file: &str) -> Result<Map, ChartError> {
    let text = std::str::from_utf8(data).map_err(|_| ChartError::Parse {
        file: file.to_string(),
        message: "file is not valid UTF-8".to_string(),
    })?;
    // Helm's text: `cannot load values.yaml: ` and what LoadValues says.
    crate::values::parse_values(text, file).map_err(|e| ChartError::Parse {
        file: file.to_string(),
        message: e.load_values_text(),
    })
}

impl Chart {
    /// Load a chart from a directory or a `.tgz` file.
    pub fn load(path: impl AsRef<Path>) -> Result<Chart, ChartError> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| ChartError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if meta.is_dir() {
            let files = dir::load_dir_files(path, &meta)?;
            return Chart::from_files(files);
        }
        if meta.len() > MAX_DECOMPRESSED_CHART_SIZE {
            return Err(ChartError::Archive(format!(
                "chart archive {} is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}",
                path.display()
            )));
        }
        let data = std::fs::read(path).map_err(|e| ChartError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if !is_gzip(&data) {
            return Err(ChartError::NotGzip(path.display().to_string()));
        }
        Chart::load_archive(&data)
    }

    /// Load a chart from the bytes of a `.tgz`.
    pub fn load_archive(data: &[u8]) -> Result<Chart, ChartError> {
        Chart::from_files(archive::load_archive_files(data)?)
    }

    /// Helm's `LoadFiles`: sort buffered files into a chart.
    pub fn from_files(files: Vec<BufferedFile>) -> Result<Chart, ChartError> {
        let mut c = Chart::default();
        let mut have_metadata = false;
        // Subchart name -> its files (names relative to charts/).
        let mut subcharts: std::collections::BTreeMap<String, Vec<BufferedFile>> =
            std::collections::BTreeMap::new();
        for f in files {
            let name = f.name.as_str();
            match name {
                "Chart.yaml" => {
                    let doc = metadata::yaml_to_json(&f.data, "Chart.yaml")?;
                    c.metadata.apply(&doc, "Chart.yaml")?;
                    have_metadata = true;
                    // Helm 2 charts may omit apiVersion: they are v1.
                    if c.metadata.api_version.is_empty() {
                        c.metadata.api_version = API_VERSION_V1.to_string();
                    }
                }
                "Chart.lock" => {
                    c.lock = Some(metadata::yaml_to_json(&f.data, "Chart.lock")?);
                }
                "values.yaml" => {
                    c.values = parse_values_file(&f.data, "values.yaml")?;
                    c.has_values = true;
                }
                "values.schema.json" => {
                    c.schema = Some(Arc::from(f.data));
                }
                "requirements.yaml" => {
                    let doc = metadata::yaml_to_json(&f.data, "requirements.yaml")?;
                    // Only `dependencies` is meaningful here; Helm decodes the whole file
                    // into the metadata, so other known keys would also land.
                    c.metadata.apply(&doc, "requirements.yaml")?;
                    have_metadata = true;
                    if c.metadata.api_version == API_VERSION_V1 {
                        c.files.push(chart_file(f));
                    }
                }
                "requirements.lock" => {
                    c.lock = Some(metadata::yaml_to_json(&f.data, "requirements.lock")?);
                    if c.metadata.api_version == API_VERSION_V1 {
                        c.files.push(chart_file(f));
                    }
                }
                _ if name.starts_with("templates/") => c.templates.push(chart_file(f)),
                _ if name.starts_with("charts/") => {
                    if name.ends_with(".prov") {
                        c.files.push(chart_file(f));
                        continue;
                    }
                    let rest = &name["charts/".len()..];
                    let cname = rest.split('/').next().unwrap_or(rest).to_string();
                    let inner = BufferedFile {
                        name: rest.to_string(),
                        data: f.data,
                    };
                    subcharts.entry(cname).or_default().push(inner);
                }
                _ => c.files.push(chart_file(f)),
            }
        }
        if !have_metadata {
            return Err(ChartError::MissingChartYaml);
        }
        c.metadata.validate()?;

        for (n, files) in subcharts {
            if n.starts_with('_') || n.starts_with('.') {
                continue;
            }
            let wrap = |e: ChartError| ChartError::Subchart {
                name: n.clone(),
                parent: c.metadata.name.clone(),
                cause: Box::new(e),
            };
            let sc = if n.ends_with(".tgz") {
                let Some(file) = files.into_iter().next() else {
                    continue;
                };
                if file.name != n {
                    return Err(wrap(ChartError::Archive(format!(
                        "error unpacking subchart tar in {}: expected {}, got {}",
                        c.metadata.name, n, file.name
                    ))));
                }
                Chart::load_archive(&file.data).map_err(wrap)?
            } else {
                // Strip `NAME/`; files directly in charts/ that are not charts are dropped.
                let inner: Vec<BufferedFile> = files
                    .into_iter()
                    .filter_map(|f| {
                        let (_, rest) = f.name.split_once('/')?;
                        Some(BufferedFile {
                            name: rest.to_string(),
                            data: f.data,
                        })
                    })
                    .collect();
                Chart::from_files(inner).map_err(wrap)?
            };
            c.dependencies.push(sc);
        }
        Ok(c)
    }

    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The chart tree as values coalescing sees it (names, defaults, dependencies).
    pub fn values_tree(&self) -> crate::values::coalesce::ChartValues {
        crate::values::coalesce::ChartValues {
            name: self.name().to_string(),
            values: self.values.clone(),
            dependencies: self.dependencies.iter().map(Chart::values_tree).collect(),
        }
    }

    /// The chart tree as schema validation sees it.
    pub fn schema_tree(&self) -> crate::values::schema::SchemaChart {
        crate::values::schema::SchemaChart {
            name: self.name().to_string(),
            schema: self
                .schema
                .as_ref()
                .map(|s| String::from_utf8_lossy(s).into_owned()),
            dependencies: self.dependencies.iter().map(Chart::schema_tree).collect(),
        }
    }

    pub fn is_library(&self) -> bool {
        self.metadata.is_library()
    }

    /// Helm 4's `checkIfInstallable`, which `helm install` and `helm template` run on
    /// the chart they are given (its SDK's install action does not, and renders a
    /// library chart to nothing): a library chart only serves other charts.
    pub fn check_installable(&self) -> Result<(), NotInstallable> {
        if self.is_library() {
            Err(NotInstallable)
        } else {
            Ok(())
        }
    }

    /// CRDs of this chart and its subcharts (Helm's `CRDObjects`), `root_path` being
    /// this chart's full path (its name for the top chart).
    pub fn crd_objects(&self) -> Vec<Crd> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds(&self, full_path: &str, out: &mut Vec<Crd>) {
        for f in &self.files {
            if f.name.starts_with("crds/") && has_manifest_extension(&f.name) {
                out.push(Crd {
                    name: f.name.clone(),
                    filename: format!("{full_path}/{}", f.name),
                    data: f.data.clone(),
                });
            }
        }
        for dep in &self.dependencies {
            dep.collect_crds(&format!("{full_path}/charts/{}", dep.name()), out);
        }
    }

    /// The chart as Helm stores it in a release record (`chart` of the release JSON):
    /// metadata, lock, templates, values, schema and files, byte data in base64.
    /// Subcharts are not part of Helm's JSON (they are unexported in Go).
    pub fn to_helm_json(&self) -> Json {
        let b64 = |d: &[u8]| Json::String(base64::engine::general_purpose::STANDARD.encode(d));
        let files = |list: &[ChartFile]| {
            Json::Array(
                list.iter()
                    .map(|f| serde_json::json!({"name": f.name, "data": b64(&f.data)}))
                    .collect(),
            )
        };
        let mut m = serde_json::Map::new();
        m.insert("metadata".into(), self.metadata.to_helm_json());
        m.insert("lock".into(), self.lock.clone().unwrap_or(Json::Null));
        m.insert("templates".into(), files(&self.templates));
        m.insert(
            "values".into(),
            if self.has_values {
                gotmpl::Value::Map(self.values.clone()).to_json()
            } else {
                Json::Null
            },
        );
        m.insert(
            "schema".into(),
            self.schema.as_ref().map(|s| b64(s)).unwrap_or(Json::Null),
        );
        m.insert("files".into(), files(&self.files));
        Json::Object(m)
    }
}

fn chart_file(f: BufferedFile) -> ChartFile {
    ChartFile {
        name: f.name,
        data: Arc::from(f.data),
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = match name.rsplit_once('.') {
        Some((_, e)) if !e.contains('/') => e,
        _ => return false,
    };
    ext.eq_ignore_ascii_case("yaml")
        || ext.eq_ignore_ascii_case("yml")
        || ext.eq_ignore_ascii_case("json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bf(name: &str, data: &str) -> BufferedFile {
        BufferedFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn sorts_files_into_roles() {
        let c = Chart::from_files(vec![
            bf("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            bf("values.yaml", "a: 1\n"),
            bf("values.schema.json", "{}"),
            bf("templates/a.yaml", "x"),
            bf("crds/c.yaml", "kind: CustomResourceDefinition"),
            bf("README.md", "hi"),
            bf(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            bf("charts/sub/templates/b.yaml", "y"),
            bf("charts/.hidden/Chart.yaml", "garbage: ["),
        ])
        .unwrap();
        assert_eq!(c.name(), "top");
        assert_eq!(c.templates.len(), 1);
        assert_eq!(c.files.len(), 2);
        assert!(c.schema.is_some());
        assert_eq!(c.dependencies.len(), 1);
        assert_eq!(c.dependencies[0].templates[0].name, "templates/b.yaml");
        let crds = c.crd_objects();
        assert_eq!(crds[0].filename, "top/crds/c.yaml");
    }

    #[test]
    fn v1_charts_without_api_version_and_requirements() {
        let c = Chart::from_files(vec![
            bf("Chart.yaml", "name: old\nversion: 1.0.0\n"),
            bf(
                "requirements.yaml",
                "dependencies:\n- name: sub\n  version: 1.0.0\n",
            ),
        ])
        .unwrap();
        assert_eq!(c.metadata.api_version, "v1");
        assert_eq!(c.metadata.dependencies[0].name, "sub");
        assert_eq!(c.files[0].name, "requirements.yaml");
    }

    #[test]
    fn errors_name_the_subchart() {
        let err = Chart::from_files(vec![
            bf("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            bf("charts/sub/Chart.yaml", "apiVersion: v2\nversion: 0.1.0\n"),
        ])
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unpacking subchart sub in top: validation: chart.metadata.name is required"
        );
        let err = Chart::from_files(vec![bf("values.yaml", "a: 1")]).unwrap_err();
        assert_eq!(err, ChartError::MissingChartYaml);
    }

    #[test]
    fn loads_nested_archives() {
        let sub = archive::tests::make_tgz(&[
            (
                "sub/Chart.yaml",
                b"apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("sub/templates/s.yaml", b"s"),
        ]);
        let top = archive::tests::make_tgz(&[
            (
                "top/Chart.yaml",
                b"apiVersion: v2\nname: top\nversion: 1.0.0\n",
            ),
            ("top/charts/sub-0.1.0.tgz", &sub),
        ]);
        let c = Chart::load_archive(&top).unwrap();
        assert_eq!(c.dependencies[0].name(), "sub");
    }

    #[test]
    fn helm_json_shape() {
        let c = Chart::from_files(vec![
            bf("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n"),
            bf("templates/a.yaml", "x"),
        ])
        .unwrap();
        let j = c.to_helm_json();
        assert_eq!(j["metadata"]["name"], "top");
        assert_eq!(j["templates"][0]["data"], "eA==");
        assert_eq!(j["schema"], Json::Null);
        assert_eq!(j["lock"], Json::Null);
    }
}
