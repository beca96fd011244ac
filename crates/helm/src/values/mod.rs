//! Helm values: YAML with go-yaml v2 semantics, printing, strvals, coalescing, schema.
//!
//! Everything here reproduces what Helm 4.2 (sigs.k8s.io/yaml over go-yaml v2, and
//! encoding/json) does, because charts depend on those exact types and bytes. The
//! fixtures in `tests/fixtures/values` come from real Helm
//! (`tests/values_conformance/generate.py`) and `tests/values_conformance.rs` checks us
//! against them.
//!
//! Loading
//! - [`parse_values`]`(text, origin) -> Result<Map, ValuesError>`: a values file
//!   (`values.yaml`, `-f`). Documents split at `---` lines merge in order; YAML 1.1
//!   booleans; every number float64; `<<` merges; non-string keys become strings;
//!   alias-bomb budget; empty file = empty map; a non-map document is an error.
//! - [`parse_yaml_value`]`(text) -> Result<Value, ValuesError>` (`fromYaml`/
//!   `fromYamlArray`: first document, any shape) and [`parse_json_value`] (`fromJson`).
//!
//! Printing (each returns `Result<String, PrintError>`; `toYaml` & co. print "" on error,
//! the `mustTo*` variants return it)
//! - [`to_yaml`]: Helm's `toYaml` (go-yaml v2 emitter: natural key order, quoting,
//!   80-column folding, `|-` literals, trailing newline trimmed).
//! - [`to_json`], [`to_raw_json`], [`to_pretty_json`]: `toJson`, `toRawJson`, `toPrettyJson`.
//! - [`to_toml`]: `toToml` (Helm prints the error text on failure).
//! - [`format_go_float`]: `%v` of a float64 (`1e+06`), for template printing.
//!
//! Flags
//! - [`strvals`]: `--set` ([`strvals::parse_set`], `parse_set_into`), `--set-string`,
//!   `--set-json`, `--set-file`, `--set-literal`; [`strvals::typed_val`].
//! - [`merge_options`]`(&ValueOptions, read_file) -> Result<Map>`: `-f` files then the
//!   `--set*` flags in Helm's order.
//! - [`merge_values`]`(base, overlay) -> Map`: Helm's mergeMaps (later wins, maps merge,
//!   null kept).
//!
//! Coalescing ([`coalesce`]; warnings are collected into a `Vec<String>`, never printed)
//! - [`coalesce_chart`]`(&ChartValues, user, &mut warnings) -> Result<Map, CoalesceError>`:
//!   Helm's `CoalesceValues` over a chart tree ([`ChartValues`]: name or alias, default
//!   values, enabled dependencies): user over defaults, nulls delete, globals flow down,
//!   subchart values under their name. [`merge_chart`] is `MergeValues` (keeps nulls).
//! - [`coalesce_values`]`(defaults, user, &mut warnings) -> Map`: one chart, no deps.
//! - Building blocks: [`coalesce::coalesce_globals`], [`coalesce::coalesce_dep`],
//!   [`coalesce::coalesce_tables`] / [`coalesce::merge_tables`] (import-values).
//!
//! Schema
//! - [`validate_chart`]`(&SchemaChart, values) -> Result<(), SchemaError>`: the chart's
//!   `values.schema.json` and each dependency's, with Helm's report
//!   (`values don't meet the specifications of the schema(s) in the following chart(s):`).

pub mod coalesce;
#[cfg(test)]
mod deep_tests;
mod fromtoml;
mod gofloat;
mod gojson;
mod json;
pub mod options;
mod print;
pub mod resolve;
pub mod schema;
pub mod strvals;
mod toml;
mod yaml;

/// Forgets what values code keeps between renders (decoded JSON texts, compiled
/// schemas).
pub(crate) fn clear_caches() {
    gojson::clear_cache();
    schema::clear_compiled_cache();
}

pub use coalesce::{
    ChartValues, CoalesceError, CoalesceWarnings, coalesce_chart, coalesce_values, merge_chart,
    merge_values,
};
pub use fromtoml::{TomlDatetime, from_toml, from_toml_bytes};
pub use json::{to_json, to_json_within, to_pretty_json, to_raw_json};
pub use options::{ValueOptions, merge_options};
pub use print::{to_yaml, to_yaml_pretty};
pub use schema::{SchemaChart, SchemaError, validate_chart};
pub use toml::{to_toml, to_toml_value};
pub use yaml::{
    decode_json_bytes, decode_json_value, parse_json_value, parse_manifest_head, parse_values,
    parse_yaml_value, raw_document_error,
};

pub(crate) use gofloat::format_g32;
pub use gofloat::{format_g as format_go_float, format_json as format_json_float};
pub(crate) use yaml::{json_field_matches, parse_yaml_struct_value};

/// Errors from loading values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValuesError {
    /// YAML syntax or decoding error at a position (line and column are 1-based).
    #[error("{origin}{sep}line {line}, column {column}: {message}", sep = if origin.is_empty() { "" } else { ": " })]
    Yaml {
        origin: String,
        line: usize,
        column: usize,
        message: String,
        /// What sigs.k8s.io/yaml says (after "error converting YAML to JSON: "): for a
        /// syntax error go-yaml v2's `yaml: [line N: ]problem`, whose wording and line
        /// rules differ from ours; for a decoding error go-yaml's or encoding/json's text.
        go_text: Option<String>,
    },
    /// A line starting with `---` and more than a comment (k8s.io/apimachinery's YAMLReader
    /// refuses it before the document it ends is decoded).
    #[error("{origin}{sep}line {line}: invalid Yaml document separator: {found}", sep = if origin.is_empty() { "" } else { ": " })]
    Separator {
        origin: String,
        line: usize,
        found: String,
    },
    /// The document's top level is not a map.
    #[error(
        "{origin}{sep}error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into Go value of type map[string]interface {{}}",
        sep = if origin.is_empty() { "" } else { ": " }
    )]
    NotAMap { origin: String, found: &'static str },
    /// JSON syntax error (`fromJson`).
    #[error("{0}")]
    Json(String),
    /// A `--set`-family flag could not be parsed.
    #[error("{0}")]
    Set(String),
}

impl ValuesError {
    /// The text go-yaml v2 gives for this error, which Helm's `fromYaml` and manifest
    /// parsing print after "error converting YAML to JSON: ": `yaml: [line N: ]problem`.
    pub fn go_yaml_text(&self) -> String {
        match self {
            ValuesError::Yaml {
                go_text: Some(text),
                ..
            } => text.clone(),
            ValuesError::Yaml { message, .. } => format!("yaml: {message}"),
            other => other.to_string(),
        }
    }

    /// The text Helm's `loader.LoadValues` gives for this error; Helm prints it after
    /// "cannot load values.yaml: " for a chart's values and after "failed to parse FILE: "
    /// for `-f FILE`. Its line numbers count from the start of the failing document.
    pub fn load_values_text(&self) -> String {
        match self {
            ValuesError::Separator { found, .. } => {
                format!("error reading yaml document: invalid Yaml document separator: {found}")
            }
            ValuesError::NotAMap { found, .. } => format!(
                "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: \
                 json: cannot unmarshal {found} into Go value of type map[string]interface {{}}"
            ),
            ValuesError::Yaml { .. } => format!(
                "cannot unmarshal yaml document: error converting YAML to JSON: {}",
                self.go_yaml_text()
            ),
            other => other.to_string(),
        }
    }
}

/// Errors from printing values (`toYaml`, `toJson`, `toToml`), as Go's encoders report them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrintError {
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    #[error("json: unsupported value: encountered a cycle via {0}")]
    Cycle(String),
    #[error("toml: {0}")]
    Toml(String),
    /// A type's own MarshalJSON failed (a `time.Time` RFC 3339 cannot write).
    #[error("json: {0}")]
    Marshal(String),
    /// go-yaml could not read back the JSON of the value (Helm's toYaml then prints "";
    /// sigs.k8s.io/yaml's `JSONToYAML` returns go-yaml's error as it is).
    #[error("yaml: {0}")]
    Yaml(String),
    /// go-yaml v2 refuses to read back JSON nested deeper than its limit (`toYaml`).
    #[error("yaml: exceeded max depth of {0}")]
    YamlDepth(usize),
    /// A Go runtime panic inside the encoder (`toToml nil`): text/template recovers
    /// it and fails the call with its text, even where Helm prints encoder errors.
    #[error("{0}")]
    Panic(String),
    /// The text passed the bound a bounded printer was given (capstan's
    /// `max_value_bytes`; Helm has none).
    #[error("result of at least {written} bytes exceeds the limit of {max} bytes")]
    TooLarge { written: usize, max: usize },
}

impl PrintError {
    /// Whether encoding/json failed, rather than go-yaml reading its output back.
    pub fn in_json_step(&self) -> bool {
        matches!(
            self,
            PrintError::UnsupportedValue(_) | PrintError::Cycle(_) | PrintError::Marshal(_)
        )
    }

    /// The error of sigs.k8s.io/yaml's `Marshal` (`mustToYaml`, `common.Values.YAML`),
    /// which wraps encoding/json's failures and passes go-yaml's through.
    pub fn yaml_marshal_text(&self) -> String {
        if self.in_json_step() {
            format!("error marshaling into JSON: {self}")
        } else {
            self.to_string()
        }
    }
}
