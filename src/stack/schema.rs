//! The stack file as written, read with serde-saphyr. Unknown keys are
//! rejected. Strings here are not yet rendered; `load` turns this into the
//! public model.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawStack {
    pub name: String,
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub repositories: Vec<RawRepository>,
    #[serde(default)]
    pub environments: BTreeMap<String, RawEnvironment>,
    #[serde(default)]
    pub common_values: Vec<RawValuesItem>,
    #[serde(default)]
    pub releases: Vec<RawRelease>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawDefaults {
    pub namespace: Option<String>,
    pub wait: Option<Flag>,
    pub timeout: Option<Timeout>,
    pub create_namespace: Option<Flag>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRepository {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawEnvironment {
    #[serde(default)]
    pub values: Vec<RawValuesItem>,
    pub kube_context: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawRelease {
    pub name: String,
    pub chart: String,
    pub version: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub values: Vec<RawValuesItem>,
    /// Shape check only: keys and value texts are read from the YAML tree so
    /// their order and exact text survive.
    #[serde(default)]
    #[allow(dead_code)]
    pub set: BTreeMap<String, ScalarOnly>,
    pub installed: Option<Flag>,
    pub wait: Option<Flag>,
    pub timeout: Option<Timeout>,
    pub create_namespace: Option<Flag>,
}

/// A values entry: a file path, or an inline mapping. Inline mappings are
/// kept here as JSON only for environment values (capstan's own templating);
/// release values are taken from the YAML tree to keep Helm's typing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValuesItem {
    File(String),
    Inline(serde_json::Value),
}

impl<'de> Deserialize<'de> for RawValuesItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawValuesItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a values file path or an inline mapping")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawValuesItem::File(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let value =
                    serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawValuesItem::Inline(value))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean, or a string to render and then read as a boolean.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Flag {
    Bool(bool),
    Text(String),
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or a template string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag::Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                Ok(Flag::Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A duration string (`10m`), seconds as a number, or a template string.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Timeout(pub String);

impl<'de> Deserialize<'de> for Timeout {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timeout;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as 90s, 10m or 1h30m")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timeout, E> {
                Ok(Timeout(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timeout, E> {
                Ok(Timeout(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timeout, E> {
                Ok(Timeout(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Accepts any scalar (for `set` values), rejects mappings and sequences.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ScalarOnly;

impl<'de> Deserialize<'de> for ScalarOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScalarOnly;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar value (Helm --set takes no mappings or lists)")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_i128<E: de::Error>(self, _: i128) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_unit<E: de::Error>(self) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_none<E: de::Error>(self) -> Result<ScalarOnly, E> {
                Ok(ScalarOnly)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<ScalarOnly, A::Error> {
                Err(de::Error::invalid_type(de::Unexpected::Seq, &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<ScalarOnly, A::Error> {
                Err(de::Error::invalid_type(de::Unexpected::Map, &self))
            }
        }
        d.deserialize_any(V)
    }
}
