//! Helm's `-f`/`--set*` handling (pkg/cli/values.Options.MergeValues): the order in
//! which sources apply and how they combine.
//!
//! Value files merge first (later files win, maps merge), then `--set-json`, `--set`,
//! `--set-string`, `--set-file` and `--set-literal` are parsed *into* that result, each
//! flag in the order given.

use gotmpl::value::{Map, Value};

use super::coalesce::merge_values;
use super::strvals;
use super::{ValuesError, parse_values};

/// The values flags of one Helm command (or one capstan release).
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    /// `-f`: (origin, content) pairs, in order.
    pub value_files: Vec<(String, String)>,
    /// `--set-json`
    pub json_values: Vec<String>,
    /// `--set`
    pub values: Vec<String>,
    /// `--set-string`
    pub string_values: Vec<String>,
    /// `--set-file` (values are paths, read with the reader given to [`merge_options`]).
    pub file_values: Vec<String>,
    /// `--set-literal`
    pub literal_values: Vec<String>,
}

/// Combine all sources into the user-supplied values map, as Helm's MergeValues does.
/// `read_file` reads a `--set-file` path (Helm reads the file as a string).
pub fn merge_options(
    opts: &ValueOptions,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Map, ValuesError> {
    let mut base = Map::new();
    for (origin, text) in &opts.value_files {
        let current = parse_values(text, origin)?;
        base = merge_values(&base, &current);
    }
    let wrap = |kind: &str, data: &str, e: strvals::StrvalsError| {
        ValuesError::Set(format!("failed parsing {kind} data {data}: {e}"))
    };
    for v in &opts.json_values {
        strvals::parse_set_json_into(v, &base).map_err(|e| wrap("--set-json", v, e))?;
    }
    for v in &opts.values {
        strvals::parse_set_into(v, &base).map_err(|e| wrap("--set", v, e))?;
    }
    for v in &opts.string_values {
        strvals::parse_set_string_into(v, &base).map_err(|e| wrap("--set-string", v, e))?;
    }
    for v in &opts.file_values {
        let mut reader = |path: &str| read_file(path).map(Value::from);
        strvals::parse_set_file_into(v, &base, &mut reader)
            .map_err(|e| wrap("--set-file", v, e))?;
    }
    for v in &opts.literal_values {
        strvals::parse_set_literal_into(v, &base).map_err(|e| wrap("--set-literal", v, e))?;
    }
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::to_json;

    #[test]
    fn sources_apply_in_helm_order() {
        let opts = ValueOptions {
            value_files: vec![
                ("a.yaml".into(), "a: {x: 1, w: 1}\nb: 1\n".into()),
                ("b.yaml".into(), "a: {w: 2}\nc: [1]\n".into()),
            ],
            json_values: vec![r#"j={"k":1}"#.into()],
            values: vec!["b=2,a.z=3".into(), "b=3".into()],
            string_values: vec!["s=007".into()],
            file_values: vec!["f=cert.pem".into()],
            literal_values: vec!["l=a,b=c".into()],
        };
        let mut read = |p: &str| Ok(format!("<{p}>"));
        let m = merge_options(&opts, &mut read).unwrap();
        assert_eq!(
            to_json(&Value::Map(m)).unwrap(),
            r#"{"a":{"w":2,"x":1,"z":3},"b":3,"c":[1],"f":"\u003ccert.pem\u003e","j":{"k":1},"l":"a,b=c","s":"007"}"#
        );
    }

    #[test]
    fn errors_name_the_flag() {
        let opts = ValueOptions {
            values: vec!["a[x]=1".into()],
            ..Default::default()
        };
        let err = merge_options(&opts, &mut |_| Ok(String::new())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed parsing --set data a[x]=1: error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
    }
}
