//! Go's `encoding/json` encoder for template values (`toJson`, `toPrettyJson`,
//! `toRawJson`): sorted map keys, HTML escaping, Go's float spelling, base64 bytes.

use base64::Engine as _;

use crate::stack::{ContainerPath, grow};
use crate::value::Value;

use super::conv::format_float;

/// How the output is laid out.
#[derive(Clone, Copy)]
pub(crate) struct JsonStyle {
    /// Escape `<`, `>` and `&` as `\u003c` etc. (`json.Marshal` does; `toRawJson` not).
    pub escape_html: bool,
    /// `json.MarshalIndent(v, "", "  ")`.
    pub pretty: bool,
}

/// Encode `v` as Go's encoder would, or Go's error text. Go encodes any depth and
/// fails only on a map or slice that contains itself ("encountered a cycle").
pub(crate) fn encode(v: &Value, style: JsonStyle) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, style, 0, &mut ContainerPath::new())?;
    Ok(out)
}

/// Runs `body` inside the map or list `v`, or fails with Go's text if `v` is already
/// being encoded further up.
fn within(
    v: &Value,
    path: &mut ContainerPath,
    body: impl FnOnce(&mut ContainerPath) -> Result<(), String>,
) -> Result<(), String> {
    if !ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
        return Err(format!(
            "json: unsupported value: encountered a cycle via {}",
            v.type_name()
        ));
    }
    let result = grow(|| body(path));
    path.leave();
    result
}

fn newline(out: &mut String, style: JsonStyle, depth: usize) {
    if style.pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

fn write_value(
    out: &mut String,
    v: &Value,
    style: JsonStyle,
    depth: usize,
    path: &mut ContainerPath,
) -> Result<(), String> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint8(u) => out.push_str(&u.to_string()),
        Value::Uint64(u) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)?),
        Value::String(s) => write_string(out, s, style.escape_html),
        Value::RawString(r) => write_raw_string(out, r.bytes(), style.escape_html),
        Value::Bytes(b) => {
            let enc = base64::engine::general_purpose::STANDARD.encode(b);
            write_string(out, &enc, style.escape_html);
        }
        // Go's nil slice (`regexFindAll` finding nothing) encodes as null.
        Value::List(l) if l.is_nil_slice() => out.push_str("null"),
        Value::List(l) => within(v, path, |path| {
            let items = l.to_vec();
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, style, depth + 1);
                write_value(out, item, style, depth + 1, path)?;
            }
            if !items.is_empty() {
                newline(out, style, depth);
            }
            out.push(']');
            Ok(())
        })?,
        // Go's nil map (an absent `.Chart.Annotations`) encodes as null.
        Value::Map(m) if m.is_nil_map() => out.push_str("null"),
        Value::Map(m) => within(v, path, |path| {
            write_object(out, &m.entries(), style, depth, path)
        })?,
        // A host object stands where its JSON form goes, so it indents at `depth`;
        // host objects are finite trees, which bounds the recursion.
        Value::Object(o)
            if o.type_name() == "time.Time"
                && let Some(e) = super::gotime::json_time_error(o.as_ref()) =>
        {
            return Err(format!("json: {e}"));
        }
        Value::Object(o) => match o.json_fields() {
            Some(fields) => grow(|| write_object(out, &fields, style, depth, path))?,
            None => match o.to_value() {
                Some(inner) => grow(|| write_value(out, &inner, style, depth, path))?,
                None => out.push_str("{}"),
            },
        },
    }
    Ok(())
}

/// A JSON object from `entries` in the order given.
fn write_object(
    out: &mut String,
    entries: &[(String, Value)],
    style: JsonStyle,
    depth: usize,
    path: &mut ContainerPath,
) -> Result<(), String> {
    out.push('{');
    for (i, (k, item)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, style, depth + 1);
        write_string(out, k, style.escape_html);
        out.push(':');
        if style.pretty {
            out.push(' ');
        }
        write_value(out, item, style, depth + 1, path)?;
    }
    if !entries.is_empty() {
        newline(out, style, depth);
    }
    out.push('}');
    Ok(())
}

/// Go's float encoding: `'f'` format unless |f| < 1e-6 or >= 1e21, exponents
/// without a leading zero (`1e-7`), and an error for NaN and infinities.
pub(crate) fn json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            crate::gofmt::format_float_g(f)
        ));
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format_float(f, 'e', 0);
        // "1e-07" → "1e-7", as encoding/json cleans up.
        if let Some(pos) = s.find("e-0") {
            return Ok(format!("{}e-{}", &s[..pos], &s[pos + 3..]));
        }
        return Ok(s);
    }
    Ok(format_float(f, 'f', 0))
}

/// A string that is not UTF-8, as encoding/json writes it: every byte that does not
/// start a valid sequence becomes the escape `\ufffd`.
fn write_raw_string(out: &mut String, bytes: &[u8], escape_html: bool) {
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        write_chars(out, chunk.valid(), escape_html);
        for _ in chunk.invalid() {
            out.push_str("\\ufffd");
        }
    }
    out.push('"');
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    write_chars(out, s, escape_html);
    out.push('"');
}

fn write_chars(out: &mut String, s: &str, escape_html: bool) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: JsonStyle = JsonStyle {
        escape_html: true,
        pretty: false,
    };

    fn obj() -> Value {
        Value::map(
            [
                ("b".to_string(), Value::Float(1000000.0)),
                ("a".to_string(), Value::str("<x&y>")),
                (
                    "c".to_string(),
                    Value::list(vec![Value::Int(1), Value::Nil, Value::Bool(true)]),
                ),
                ("d".to_string(), Value::empty_map()),
            ]
            .into_iter()
            .collect(),
        )
    }

    #[test]
    fn marshal_like_go() {
        assert_eq!(
            encode(&obj(), PLAIN).unwrap(),
            r#"{"a":"\u003cx\u0026y\u003e","b":1000000,"c":[1,null,true],"d":{}}"#
        );
        let raw = JsonStyle {
            escape_html: false,
            pretty: false,
        };
        assert_eq!(encode(&Value::str("<a>"), raw).unwrap(), r#""<a>""#);
    }

    /// A struct with fields out of alphabetical order and a plain-data view.
    struct Point;
    impl crate::value::Object for Point {
        fn type_name(&self) -> &str {
            "main.Point"
        }
        fn field(&self, _name: &str) -> Option<Value> {
            None
        }
        fn json_fields(&self) -> Option<Vec<(String, Value)>> {
            Some(vec![
                ("y".into(), Value::Int(2)),
                ("x".into(), Value::Int(1)),
            ])
        }
    }

    #[test]
    fn structs_keep_field_order_and_indent() {
        let v = Value::map(
            [("p".to_string(), Value::Object(std::sync::Arc::new(Point)))]
                .into_iter()
                .collect(),
        );
        assert_eq!(encode(&v, PLAIN).unwrap(), r#"{"p":{"y":2,"x":1}}"#);
        let pretty = JsonStyle {
            escape_html: true,
            pretty: true,
        };
        assert_eq!(
            encode(&v, pretty).unwrap(),
            "{\n  \"p\": {\n    \"y\": 2,\n    \"x\": 1\n  }\n}"
        );
    }

    #[test]
    fn pretty_like_marshal_indent() {
        let style = JsonStyle {
            escape_html: true,
            pretty: true,
        };
        assert_eq!(
            encode(&obj(), style).unwrap(),
            "{\n  \"a\": \"\\u003cx\\u0026y\\u003e\",\n  \"b\": 1000000,\n  \"c\": [\n    1,\n    null,\n    true\n  ],\n  \"d\": {}\n}"
        );
    }

    #[test]
    fn floats() {
        assert_eq!(json_float(1e21).unwrap(), "1e+21");
        assert_eq!(json_float(1e20).unwrap(), "100000000000000000000");
        assert_eq!(json_float(0.0000001).unwrap(), "1e-7");
        assert_eq!(json_float(0.5).unwrap(), "0.5");
        assert_eq!(json_float(-0.0).unwrap(), "-0");
        assert_eq!(
            json_float(f64::NAN).unwrap_err(),
            "json: unsupported value: NaN"
        );
    }
}
