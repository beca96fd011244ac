//! Helm values: YAML with go-yaml v2 semantics, printing, strvals, coalescing, schema.
//!
//! Everything here reproduces what Helm 4 (sigs.k8s.io/yaml over go-yaml v2, and
//! encoding/json) does, because charts depend on those exact types and bytes.
//!
//! - [`parse_values`]`(text, origin) -> Result<Map>`: a values file (`values.yaml`, `-f`).
//!   YAML 1.1 booleans, all numbers float64, `<<` merges, non-string keys as strings,
//!   alias-bomb budget; an empty document is an empty map, a non-map top level an error.
//! - [`parse_yaml_value`]`(text) -> Result<Value>` (`fromYaml`/`fromYamlArray`) and
//!   [`parse_json_value`]`(text) -> Result<Value>` (`fromJson`).
//! - [`to_yaml`]`(&Value) -> Result<String>`: exactly Helm's `toYaml` (keys in go-yaml's
//!   natural order, go-yaml v2 quoting and 80-column folding, `|-` block literals, the
//!   trailing newline trimmed). `toYaml` itself swallows the error and prints "".
//! - [`to_json`]`(&Value) -> Result<String>`: Helm's `toJson` (encoding/json: sorted
//!   keys, HTML-escaped, Go float formatting); [`to_pretty_json`] for `toPrettyJson`,
//!   [`to_raw_json`] for `toRawJson`; [`to_toml`] for `toToml`.
//! - [`strvals`]: `--set` ([`strvals::parse_set`]), `--set-string`, `--set-json`,
//!   `--set-literal` and `--set-file` parsing into a map.
//! - [`coalesce`]: [`coalesce_values`] (chart defaults under user values, nulls delete),
//!   [`merge_values`] (several `-f`/`--set` sources, later wins), and the building blocks
//!   for subcharts: [`coalesce::coalesce_globals`], [`coalesce::coalesce_dep`].
//! - [`schema`]: `values.schema.json` validation with Helm's error wording.

pub mod coalesce;
mod gofloat;
mod json;
mod print;
pub mod resolve;
pub mod schema;
pub mod strvals;
mod toml;
mod yaml;

pub use coalesce::{CoalesceWarnings, coalesce_values, merge_values};
pub use json::{to_json, to_pretty_json, to_raw_json};
pub use print::to_yaml;
pub use toml::to_toml;
pub use yaml::{parse_json_value, parse_values, parse_yaml_value};

pub use gofloat::{format_g as format_go_float, format_json as format_json_float};

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
    },
    /// The document's top level is not a map.
    #[error(
        "{origin}{sep}error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {found} into Go value of type map[string]interface {{}}",
        sep = if origin.is_empty() { "" } else { ": " }
    )]
    NotAMap { origin: String, found: &'static str },
    /// JSON syntax error (`fromJson`, `--set-json`).
    #[error("{0}")]
    Json(String),
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
}
