//! Sprig's defaults.go: `default`, `empty`, `coalesce`, `all`, `any`, `ternary`,
//! `deepCopy` and the JSON functions, plus `fail`.

use crate::func::{FuncError, FuncMap, Runtime};
use crate::size::{Layout, check_printed_size};
use crate::value::Value;

use super::args::{self, arity, arity_min};
use super::json::{JsonStyle, encode};

/// Sprig's `empty`: the Go zero value of the value's type (structs never are).
pub(crate) fn is_empty(v: &Value) -> bool {
    match &*v.reflected() {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) | Value::Int64(i) => *i == 0,
        Value::Uint8(u) => *u == 0,
        Value::Uint64(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::RawString(_) => false,
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        // Slice and map types behind an object were reflected above; named integers
        // are empty at zero; structs never are.
        Value::Object(o) => o.go_int() == Some(0),
    }
}

const PLAIN: JsonStyle = JsonStyle {
    escape_html: true,
    pretty: false,
};
const PRETTY: JsonStyle = JsonStyle {
    escape_html: true,
    pretty: true,
};
const RAW: JsonStyle = JsonStyle {
    escape_html: false,
    pretty: false,
};

/// copystructure panics on an untyped nil; the template reports the panic.
const NIL_COPY: &str = "reflect: call of reflect.Value.Type on zero Value";

pub(super) fn register(f: &mut FuncMap) {
    f.add("default", |a| {
        arity_min("default", a, 1)?;
        match a.get(1) {
            Some(given) if !is_empty(given) => Ok(given.clone()),
            _ => Ok(a[0].clone()),
        }
    });
    f.add("empty", |a| {
        arity("empty", a, 1)?;
        Ok(Value::Bool(is_empty(&a[0])))
    });
    f.add("coalesce", |a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    f.add("all", |a| Ok(Value::Bool(a.iter().all(|v| !is_empty(v)))));
    f.add("any", |a| Ok(Value::Bool(a.iter().any(|v| !is_empty(v)))));
    f.add("ternary", |a| {
        arity("ternary", a, 3)?;
        Ok(if args::boolean(&a[2])? {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    f.add("deepCopy", |a| {
        arity("deepCopy", a, 1)?;
        if a[0].is_nil() {
            return Err(FuncError::new(NIL_COPY));
        }
        Ok(a[0].deep_copy())
    });
    f.add("mustDeepCopy", |a| {
        arity("mustDeepCopy", a, 1)?;
        if a[0].is_nil() {
            return Err(FuncError::new(NIL_COPY));
        }
        Ok(a[0].deep_copy())
    });
    for (name, style, layout, must) in [
        ("toJson", PLAIN, Layout::Flat, false),
        ("mustToJson", PLAIN, Layout::Flat, true),
        ("toPrettyJson", PRETTY, Layout::IndentAll, false),
        ("mustToPrettyJson", PRETTY, Layout::IndentAll, true),
        ("toRawJson", RAW, Layout::Flat, false),
        ("mustToRawJson", RAW, Layout::Flat, true),
    ] {
        f.add_with_runtime(name, move |rt: &mut dyn Runtime, a: &[Value]| {
            arity(name, a, 1)?;
            check_printed_size(a, layout, rt.max_value_bytes())?;
            match encode(&a[0], style) {
                Ok(s) => Ok(Value::from(s)),
                Err(e) if must => Err(FuncError::new(e)),
                Err(_) => Ok(Value::str("")),
            }
        });
    }
    f.add("fromJson", |a| {
        arity("fromJson", a, 1)?;
        Ok(from_json(args::string(&a[0])?).unwrap_or(Value::Nil))
    });
    f.add("mustFromJson", |a| {
        arity("mustFromJson", a, 1)?;
        from_json(args::string(&a[0])?).map_err(FuncError::new)
    });
    f.add("fail", |a| {
        arity("fail", a, 1)?;
        Err(FuncError::new(args::string(&a[0])?))
    });
}

/// `json.Unmarshal` into `interface{}`: numbers become float64.
fn from_json(s: &str) -> Result<Value, String> {
    let parsed: serde_json::Value = serde_json::from_str(s).map_err(|e| go_json_error(s, &e))?;
    Ok(Value::from_json(&parsed, false))
}

/// encoding/json's wording for the syntax errors serde_json reports.
fn go_json_error(input: &str, e: &serde_json::Error) -> String {
    if e.is_eof() {
        return "unexpected end of JSON input".to_string();
    }
    // serde points at the offending character (1-based line and column).
    let at = input
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.chars().nth(e.column().saturating_sub(1)));
    let msg = e.to_string();
    let context = if msg.starts_with("key must be a string") {
        "looking for beginning of object key string"
    } else if msg.starts_with("expected value") {
        "looking for beginning of value"
    } else if msg.starts_with("expected `:`") {
        "after object key"
    } else if msg.starts_with("expected `,` or `}`") {
        "after object key:value pair"
    } else if msg.starts_with("expected `,` or `]`") {
        "after array element"
    } else if msg.starts_with("trailing characters") {
        "after top-level value"
    } else if msg.starts_with("trailing comma") {
        if at == Some('}') {
            "looking for beginning of object key string"
        } else {
            "looking for beginning of value"
        }
    } else {
        return msg;
    };
    match at {
        Some(c) => format!("invalid character {} {context}", go_quote_char(c)),
        None => msg,
    }
}

/// Go's `quoteChar` as encoding/json uses it in syntax errors.
fn go_quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '"' => "'\"'".to_string(),
        c => {
            let q = super::conv::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    #[test]
    fn default_uses_go_zero_values() {
        for empty in [
            Value::Nil,
            Value::Int(0),
            Value::Float(0.0),
            Value::str(""),
            Value::Bool(false),
            Value::list(vec![]),
            Value::empty_map(),
        ] {
            assert_eq!(
                call("default", &["d".into(), empty.clone()]),
                Value::str("d")
            );
            assert_eq!(call("empty", &[empty]), Value::Bool(true));
        }
        assert_eq!(call("default", &["d".into()]), Value::str("d"));
        assert_eq!(call("default", &["d".into(), Value::Int(3)]), Value::Int(3));
        assert_eq!(
            call("coalesce", &[Value::Nil, "".into(), "x".into()]),
            Value::str("x")
        );
        assert_eq!(call("coalesce", &[Value::Nil]), Value::Nil);
        assert_eq!(call("all", &[Value::Int(1), "".into()]), Value::Bool(false));
        assert_eq!(call("any", &[Value::Int(0), "a".into()]), Value::Bool(true));
        assert_eq!(call("all", &[]), Value::Bool(true));
        assert_eq!(
            call("ternary", &["y".into(), "n".into(), Value::Bool(false)]),
            Value::str("n")
        );
    }

    #[test]
    fn json_round_trip() {
        let v = call("fromJson", &[r#"{"a":[1,2.5,"x"],"b":{"c":null}}"#.into()]);
        assert_eq!(
            v.as_map()
                .unwrap()
                .get("a")
                .unwrap()
                .as_list()
                .unwrap()
                .get(0),
            Some(Value::Float(1.0))
        );
        assert_eq!(
            call("toJson", std::slice::from_ref(&v)),
            Value::str(r#"{"a":[1,2.5,"x"],"b":{"c":null}}"#)
        );
        assert_eq!(call("fromJson", &["{bad".into()]), Value::Nil);
        let f = crate::sprig::funcs();
        for (input, want) in [
            (
                "{bad",
                "invalid character 'b' looking for beginning of object key string",
            ),
            (
                "[1,]",
                "invalid character ']' looking for beginning of value",
            ),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            ("[1 2]", "invalid character '2' after array element"),
            ("1 x", "invalid character 'x' after top-level value"),
            ("{\"a\":", "unexpected end of JSON input"),
        ] {
            assert_eq!(
                try_call(&f, "mustFromJson", &[input.into()])
                    .unwrap_err()
                    .message,
                want
            );
        }
        assert_eq!(call("toJson", &[Value::Float(f64::NAN)]), Value::str(""));
        assert_eq!(
            try_call(
                &crate::sprig::funcs(),
                "mustToJson",
                &[Value::Float(f64::NAN)]
            )
            .unwrap_err()
            .message,
            "json: unsupported value: NaN"
        );
        assert_eq!(call("toRawJson", &["<&>".into()]), Value::str("\"<&>\""));
        assert_eq!(
            call("toPrettyJson", &[Value::list(vec![Value::Int(1)])]),
            Value::str("[\n  1\n]")
        );
    }

    #[test]
    fn deep_copy_is_independent() {
        let v = call("fromJson", &[r#"{"a":{"b":1}}"#.into()]);
        let c = call("deepCopy", std::slice::from_ref(&v));
        call(
            "set",
            &[
                c.as_map().unwrap().get("a").unwrap(),
                "b".into(),
                Value::Int(2),
            ],
        );
        assert_eq!(
            v.as_map()
                .unwrap()
                .get("a")
                .unwrap()
                .as_map()
                .unwrap()
                .get("b"),
            Some(Value::Float(1.0))
        );
    }

    #[test]
    fn fail_errors_with_message() {
        assert_eq!(
            try_call(&crate::sprig::funcs(), "fail", &["boom".into()])
                .unwrap_err()
                .message,
            "boom"
        );
    }
}
