//! Helm's template functions on top of Sprig (pkg/engine/funcs.go and the late-bound
//! ones from engine.go): serialisers, `include`, `tpl`, `required`, `fail`, offline
//! `lookup` (see `lookup.rs` for the cluster one), and Sprig's `env`/`expandenv` removed.

use std::sync::OnceLock;

use gotmpl::size::{Layout, check_printed_size};
use gotmpl::{FuncError, FuncMap, Map, Runtime, Value};

use crate::values;

/// Markers Helm wraps `required`/`fail` messages in, so the error cleanup can
/// find the user's message inside Go's error chain.
pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";
/// Helm's `recursionMaxNums` for `include`.
const RECURSION_MAX: usize = 1000;
/// The name Helm gives its template set; `tpl` parses its text under this name.
pub const ROOT_NAME: &str = "gotpl";

fn warn_wrap(msg: &str) -> String {
    format!("{WARN_START}{msg}{WARN_END}")
}

fn one<'a>(name: &str, args: &'a [Value]) -> Result<&'a Value, FuncError> {
    match args {
        [v] => Ok(v),
        _ => Err(FuncError::wrong_args(name, 1, args.len())),
    }
}

/// A Go `string` parameter as text: bytes that are not UTF-8 read as U+FFFD, as Go's
/// decoders see them (the YAML and TOML readers check them first, see
/// [`raw_yaml_error`] and `fromToml`).
fn string_arg(args: &[Value], i: usize) -> Result<&str, FuncError> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::RawString(r)) => Ok(r.text()),
        Some(other) => Err(FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
        None => Err(FuncError::new("missing argument")),
    }
}

/// go-yaml's reader error for a string argument that is not UTF-8, which sigs.k8s.io/yaml
/// wraps as a conversion error; `None` when go-yaml reads the document without it.
fn raw_yaml_error(args: &[Value]) -> Option<String> {
    match args.first() {
        Some(Value::RawString(r)) => values::raw_document_error(r.bytes())
            .map(|e| format!("error converting YAML to JSON: {e}")),
        _ => None,
    }
}

/// `json.Unmarshal` of a string argument (`s` is its text), reading the bytes of one
/// that is not UTF-8 as Go's scanner does.
fn decode_json_arg(
    args: &[Value],
    s: &str,
) -> Result<(Value, Option<String>), values::ValuesError> {
    match args.first() {
        Some(Value::RawString(r)) => values::decode_json_bytes(r.bytes()),
        _ => values::decode_json_value(s),
    }
}

fn error_map(msg: String) -> Value {
    let m = Map::new();
    m.insert("Error", Value::str(msg));
    Value::Map(m)
}

/// Options that change function behaviour.
#[derive(Debug, Clone, Copy, Default)]
pub struct FuncOptions {
    /// `helm lint`: `required`/`fail` log instead of failing.
    pub lint_mode: bool,
}

/// [`helm_funcs`], built once per option set: cloning a `FuncMap` shares its tables,
/// so every render takes this instead of building hundreds of closures again.
pub fn shared_helm_funcs(opts: FuncOptions) -> FuncMap {
    static PLAIN: OnceLock<FuncMap> = OnceLock::new();
    static LINT: OnceLock<FuncMap> = OnceLock::new();
    let cell = if opts.lint_mode { &LINT } else { &PLAIN };
    cell.get_or_init(|| helm_funcs(opts)).clone()
}

/// Sprig plus Helm's functions.
pub fn helm_funcs(opts: FuncOptions) -> FuncMap {
    let mut f = gotmpl::sprig::funcs();
    // Helm removes these so charts cannot read the environment. `remove` keeps the
    // other functions' Go signatures, which the executor checks arguments against.
    f.remove("env");
    f.remove("expandenv");

    f.add_with_runtime("toYaml", |rt: &mut dyn Runtime, args: &[Value]| {
        check_printed_size(args, Layout::IndentMaps, rt.max_value_bytes())?;
        Ok(Value::str(
            values::to_yaml(one("toYaml", args)?).unwrap_or_default(),
        ))
    });
    f.add_with_runtime("mustToYaml", |rt: &mut dyn Runtime, args: &[Value]| {
        check_printed_size(args, Layout::IndentMaps, rt.max_value_bytes())?;
        values::to_yaml(one("mustToYaml", args)?)
            .map(Value::str)
            .map_err(|e| FuncError::new(e.yaml_marshal_text()))
    });
    f.add("fromYaml", |args| {
        let s = string_arg(args, 0)?;
        if let Some(e) = raw_yaml_error(args) {
            return Ok(error_map(e));
        }
        Ok(match values::parse_yaml_value(s) {
            Ok(Value::Map(m)) => Value::Map(m),
            Ok(Value::Nil) => Value::Map(Map::new()),
            Ok(other) => error_map(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(format!(
                "error converting YAML to JSON: {}",
                e.go_yaml_text()
            )),
        })
    });
    f.add("fromYamlArray", |args| {
        let s = string_arg(args, 0)?;
        if let Some(e) = raw_yaml_error(args) {
            return Ok(Value::list(vec![Value::str(e)]));
        }
        Ok(match values::parse_yaml_value(s) {
            Ok(Value::List(l)) => Value::List(l),
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(other) => Value::list(vec![Value::str(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::str(format!(
                "error converting YAML to JSON: {}",
                e.go_yaml_text()
            ))]),
        })
    });
    // The JSON writer bounds its own text, so no size walk runs first.
    f.add_with_runtime("toJson", |rt: &mut dyn Runtime, args: &[Value]| {
        match values::to_json_within(one("toJson", args)?, rt.max_value_bytes()) {
            Ok(s) => Ok(Value::from(s)),
            Err(e @ values::PrintError::TooLarge { .. }) => Err(FuncError::new(e.to_string())),
            // Helm's toJson prints nothing for what encoding/json refuses.
            Err(_) => Ok(Value::str("")),
        }
    });
    f.add_with_runtime("mustToJson", |rt: &mut dyn Runtime, args: &[Value]| {
        values::to_json_within(one("mustToJson", args)?, rt.max_value_bytes())
            .map(Value::from)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    f.add("fromJson", |args| {
        let s = string_arg(args, 0)?;
        Ok(match decode_json_arg(args, s) {
            Ok((Value::Map(m), late)) => {
                // Go keeps what it decoded and adds the error.
                if let Some(e) = late {
                    m.insert("Error", Value::str(e));
                }
                Value::Map(m)
            }
            // `null` leaves Go's map nil (JSON `null` again).
            Ok((Value::Nil, _)) => Value::Map(Map::nil_of(gotmpl::Elem::Any)),
            Ok((other, _)) => error_map(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )),
            Err(e) => error_map(e.to_string()),
        })
    });
    f.add("fromJsonArray", |args| {
        let s = string_arg(args, 0)?;
        Ok(match decode_json_arg(args, s) {
            Ok((Value::List(l), None)) => Value::List(l),
            // Sprig returns just the error text for a failed decode.
            Ok((Value::List(_), Some(e))) => Value::list(vec![Value::str(e)]),
            Ok((Value::Nil, _)) => Value::List(gotmpl::List::nil_of(gotmpl::Elem::Any)),
            Ok((other, _)) => Value::list(vec![Value::str(format!(
                "json: cannot unmarshal {} into Go value of type []interface {{}}",
                json_kind(&other)
            ))]),
            Err(e) => Value::list(vec![Value::str(e.to_string())]),
        })
    });
    f.add_with_runtime("toToml", |rt: &mut dyn Runtime, args: &[Value]| {
        check_printed_size(args, Layout::IndentMaps, rt.max_value_bytes())?;
        match values::to_toml_value(one("toToml", args)?) {
            Ok(v) => Ok(v),
            Err(e @ values::PrintError::Panic(_)) => Err(FuncError::new(e.to_string())),
            Err(e) => Ok(Value::str(e.to_string())),
        }
    });
    f.add_with_runtime("mustToToml", |rt: &mut dyn Runtime, args: &[Value]| {
        check_printed_size(args, Layout::IndentMaps, rt.max_value_bytes())?;
        values::to_toml_value(one("mustToToml", args)?).map_err(|e| FuncError::new(e.to_string()))
    });
    f.add_with_runtime("toYamlPretty", |rt: &mut dyn Runtime, args: &[Value]| {
        check_printed_size(args, Layout::IndentMaps, rt.max_value_bytes())?;
        Ok(Value::str(
            values::to_yaml_pretty(one("toYamlPretty", args)?).unwrap_or_default(),
        ))
    });
    // BurntSushi parses offset datetimes with time.ParseInLocation(RFC3339Nano, Local),
    // which is what Sprig's toDate does with that layout.
    let to_date = f.get("toDate").cloned();
    f.add_with_runtime("fromToml", move |rt: &mut dyn Runtime, args: &[Value]| {
        let s = string_arg(args, 0)?;
        let mut datetime = |d: &values::TomlDatetime| -> Value {
            match &to_date {
                Some(to_date) => to_date(
                    rt,
                    &[
                        Value::str("2006-01-02T15:04:05.999999999Z07:00"),
                        Value::str(d.text.as_str()),
                    ],
                )
                .unwrap_or_else(|_| Value::str(d.text.as_str())),
                None => Value::str(d.text.as_str()),
            }
        };
        let parsed = match args.first() {
            Some(Value::RawString(r)) => values::from_toml_bytes(r.bytes(), &mut datetime),
            _ => values::from_toml(s, &mut datetime),
        };
        Ok(match parsed {
            Ok(m) => Value::Map(m),
            Err(e) => error_map(e),
        })
    });
    // Offline: no cluster to look anything up in (Helm's client-less placeholder);
    // `render` replaces it when `RenderOptions::lookup` has a cluster.
    super::lookup::add_offline(&mut f);
    // Helm disables DNS lookups unless asked (--enable-dns).
    f.add("getHostByName", |_args| Ok(Value::str("")));

    f.add_with_runtime("include", |rt: &mut dyn Runtime, args: &[Value]| {
        if args.len() != 2 {
            return Err(FuncError::wrong_args("include", 2, args.len()));
        }
        let name = string_arg(args, 0)?;
        let count = rt.enter_include(name);
        if count - 1 > RECURSION_MAX {
            rt.exit_include(name);
            return Err(FuncError::new(format!(
                "rendering template has a nested reference name: {name}: unable to execute template"
            )));
        }
        let r = rt.execute_template(name, args[1].clone());
        rt.exit_include(name);
        r
    });
    f.add_with_runtime("tpl", |rt: &mut dyn Runtime, args: &[Value]| {
        if args.len() != 2 {
            return Err(FuncError::wrong_args("tpl", 2, args.len()));
        }
        let text = string_arg(args, 0)?;
        match rt.execute_text(ROOT_NAME, text, args[1].clone()) {
            Ok(out) => Ok(out.go_replace_all("<no value>", "").unwrap_or(out)),
            Err(e) => {
                let quoted = gotmpl::sprintf("%q", &[Value::str(text)]);
                if is_parse_error(&e.message) {
                    Err(FuncError::new(format!(
                        "cannot parse template {quoted}: {}",
                        e.message
                    )))
                } else {
                    Err(FuncError::new(format!(
                        "error during tpl function execution for {quoted}: {}",
                        e.message
                    )))
                }
            }
        }
    });
    let lint = opts.lint_mode;
    f.add("required", move |args| {
        if args.len() != 2 {
            return Err(FuncError::wrong_args("required", 2, args.len()));
        }
        let warn = string_arg(args, 0)?;
        let missing = match &args[1] {
            Value::Nil => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if missing {
            if lint {
                return Ok(Value::str(""));
            }
            return Err(FuncError::new(warn_wrap(warn)));
        }
        Ok(args[1].clone())
    });
    f.add("fail", move |args| {
        let msg = string_arg(args, 0)?;
        if lint {
            return Ok(Value::str(""));
        }
        Err(FuncError::new(warn_wrap(msg)))
    });
    // Helm's own functions' Go parameters (adding a function dropped any Sprig
    // signature of the same name), checked by the executor as Go does.
    use gotmpl::func::{Param, Signature};
    for name in [
        "fromYaml",
        "fromYamlArray",
        "fromJson",
        "fromJsonArray",
        "fromToml",
        "fail",
    ] {
        f.signature(name, Signature::new(&[Param::String]));
    }
    for name in ["include", "tpl", "required"] {
        f.signature(name, Signature::new(&[Param::String, Param::Any]));
    }
    f
}

/// A Go parse error reads `template: NAME:LINE: msg` (no column); exec errors carry
/// `NAME:LINE:COL`.
fn is_parse_error(msg: &str) -> bool {
    let Some(rest) = msg.strip_prefix("template: ") else {
        return false;
    };
    let loc = rest.split(": ").next().unwrap_or("");
    loc.matches(':').count() == 1
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        _ => "value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_removed_and_helm_funcs_added() {
        let f = helm_funcs(FuncOptions::default());
        assert!(!f.contains("env"));
        assert!(!f.contains("expandenv"));
        for name in [
            "include",
            "tpl",
            "required",
            "fail",
            "toYaml",
            "fromYaml",
            "lookup",
            "fromToml",
            "toYamlPretty",
            "mustToToml",
        ] {
            assert!(f.contains(name), "{name}");
        }
    }

    #[test]
    fn printers_refuse_values_whose_text_exceeds_the_value_limit() {
        // `$d` holds the previous level twice: 2^40 leaves in 40 maps.
        let big = r#"{{ $d := dict "k" "v" }}{{ range 40 }}{{ $d = dict "a" $d "b" $d }}{{ end }}"#;
        // 200 nested maps: 2 * 199 * 200 / 2 bytes of indentation in YAML and TOML,
        // while compact JSON of the same value fits.
        let deep = r#"{{ $d := dict "k" "v" }}{{ range 200 }}{{ $d = dict "a" $d }}{{ end }}{{ len (toJson $d) }}"#;
        for (setup, call, name) in [
            (big, "toYaml $d", "toYaml"),
            (big, "mustToYaml $d", "mustToYaml"),
            (big, "toJson $d", "toJson"),
            (big, "mustToJson $d", "mustToJson"),
            (big, "toToml $d", "toToml"),
            (big, "mustToToml $d", "mustToToml"),
            (big, "toYamlPretty $d", "toYamlPretty"),
            (deep, "toYaml $d", "toYaml"),
            (deep, "toToml $d", "toToml"),
            (deep, "toYamlPretty $d", "toYamlPretty"),
        ] {
            let mut t = gotmpl::Templates::new();
            t.funcs(helm_funcs(FuncOptions::default()));
            t.set_limits(gotmpl::Limits {
                max_value_bytes: 10_000,
                ..gotmpl::Limits::default()
            });
            let text = format!("{setup}{{{{ {call} }}}}");
            t.parse("t", &text).unwrap_or_else(|e| panic!("{e}"));
            let e = t
                .execute("t", &Value::Nil)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let Err(e) = e else {
                panic!("{call}: printed");
            };
            assert!(
                e.contains(&format!("error calling {name}: result of at least "))
                    && e.contains("exceeds the limit of 10000 bytes"),
                "{call}: {e}"
            );
        }
    }

    #[test]
    fn parse_error_detection() {
        assert!(is_parse_error("template: gotpl:1: missing value for if"));
        assert!(!is_parse_error(
            "template: gotpl:1:3: executing \"gotpl\" at <x>: boom"
        ));
    }
}
