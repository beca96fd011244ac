//! Helm's `toJson`, `toPrettyJson` and `toRawJson`: Go's encoding/json.
//!
//! Map keys sort by bytes, `<`, `>`, `&`, U+2028 and U+2029 are escaped (except in
//! `toRawJson`, which disables HTML escaping), floats use encoding/json's format
//! (`1e+21`, `1e-7`, otherwise plain decimals) and NaN/Inf are errors.

use gotmpl::value::Value;

use std::fmt::Write as _;

use gotmpl::stack::{ContainerPath, grow};

use super::PrintError;
use super::gofloat::{format_g, format_json};
use super::print::{Node, to_node, within_container};

/// Helm's `toJson` (encoding/json.Marshal).
pub fn to_json(value: &Value) -> Result<String, PrintError> {
    let mut out = String::new();
    write_value(value, true, &mut ContainerPath::new(), &mut out)?;
    Ok(out)
}

/// Sprig's `toRawJson`: like `toJson` without HTML escaping.
pub fn to_raw_json(value: &Value) -> Result<String, PrintError> {
    let mut out = String::new();
    write_value(value, false, &mut ContainerPath::new(), &mut out)?;
    Ok(out)
}

/// Compact JSON straight from a value (no intermediate tree: charts such as
/// helm-toolkit's endpoint lookups call `toJson` thousands of times per render).
/// Walks and fails exactly as [`to_node`] does: any depth, the same cycle check,
/// the first unsupported float in key order. A `BTreeMap`'s `String` keys iterate in
/// byte order, which is encoding/json's key order.
fn write_value(
    value: &Value,
    html: bool,
    stack: &mut ContainerPath,
    out: &mut String,
) -> Result<(), PrintError> {
    match value {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Uint8(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Uint64(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(PrintError::UnsupportedValue(format_g(*f)));
            }
            out.push_str(&format_json(*f));
        }
        Value::String(s) => write_string(s, html, out),
        Value::RawString(r) => write_raw_string(r.bytes(), html, out),
        Value::Bytes(_) | Value::Object(_) => {
            let node = to_node(value, stack, false)?;
            write_compact(&node, html, out);
        }
        // Go's nil slice (`regexFindAll` finding nothing) encodes as null.
        Value::List(l) if l.is_nil_slice() => out.push_str("null"),
        Value::List(l) => within_container(stack, value, |stack| {
            out.push('[');
            for (i, item) in l.0.read().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, html, stack, out)?;
            }
            out.push(']');
            Ok(())
        })?,
        // Go's nil map (an absent `.Chart.Annotations`) encodes as null.
        Value::Map(m) if m.is_nil_map() => out.push_str("null"),
        Value::Map(m) => within_container(stack, value, |stack| {
            out.push('{');
            for (i, (k, v)) in m.0.read().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, html, out);
                out.push(':');
                write_value(v, html, stack, out)?;
            }
            out.push('}');
            Ok(())
        })?,
    }
    Ok(())
}

/// Sprig's `toPrettyJson` (json.MarshalIndent with two spaces).
///
/// `to_node(.., false)` already gives encoding/json's key order: maps sorted by
/// bytes, struct fields in declaration order.
pub fn to_pretty_json(value: &Value) -> Result<String, PrintError> {
    let node = to_node(value, &mut ContainerPath::new(), false)?;
    let mut out = String::new();
    write_pretty(&node, 0, &mut out);
    Ok(out)
}

fn write_compact(node: &Node, html: bool, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(n),
        Node::Str(s) => write_string(s, html, out),
        Node::Raw(r) => write_raw_string(r.bytes(), html, out),
        Node::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                grow(|| write_compact(item, html, out));
            }
            out.push(']');
        }
        Node::Map(pairs) => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, html, out);
                out.push(':');
                grow(|| write_compact(v, html, out));
            }
            out.push('}');
        }
    }
}

fn newline_indent(depth: usize, out: &mut String) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_pretty(node: &Node, depth: usize, out: &mut String) {
    match node {
        Node::Seq(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(depth + 1, out);
                grow(|| write_pretty(item, depth + 1, out));
            }
            newline_indent(depth, out);
            out.push(']');
        }
        Node::Map(pairs) if !pairs.is_empty() => {
            out.push('{');
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(depth + 1, out);
                write_string(k, true, out);
                out.push_str(": ");
                grow(|| write_pretty(v, depth + 1, out));
            }
            newline_indent(depth, out);
            out.push('}');
        }
        other => write_compact(other, true, out),
    }
}

const PLAIN: u8 = 0;
const HTML: u8 = 2;

/// Per byte: `PLAIN` never needs an escape, `HTML` only with HTML escaping, anything
/// else is looked at (control characters, quote, backslash, and 0xE2, which starts
/// U+2028 and U+2029).
static ESCAPE_CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 1;
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t[0xe2] = 1;
    t[b'<' as usize] = HTML;
    t[b'>' as usize] = HTML;
    t[b'&' as usize] = HTML;
    t
};

/// encoding/json string escaping. Runs of bytes that need no escape are copied
/// whole.
/// A Go string that is not UTF-8, as encoding/json writes it: every byte that does
/// not start a valid sequence becomes the escape `\ufffd`.
fn write_raw_string(bytes: &[u8], html: bool, out: &mut String) {
    let mut text = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        text.clear();
        write_string(chunk.valid(), html, &mut text);
        out.push_str(&text[1..text.len() - 1]);
        for _ in chunk.invalid() {
            out.push_str("\\ufffd");
        }
    }
    out.push('"');
}

pub(crate) fn write_string(s: &str, html: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(s.len() + 2);
    out.push('"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = ESCAPE_CLASS[usize::from(b)];
        if class == PLAIN || (class == HTML && !html) {
            i += 1;
            continue;
        }
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            b'<' | b'>' | b'&' if html => Some(""),
            0x00..=0x1f => Some(""),
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            0xe2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9)) =>
            {
                Some(if bytes[i + 2] == 0xa8 {
                    "\\u2028"
                } else {
                    "\\u2029"
                })
            }
            _ => None,
        };
        let Some(escape) = escape else {
            i += 1;
            continue;
        };
        out.push_str(&s[run..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xF)] as char);
            i += 1;
        } else if b == 0xe2 {
            out.push_str(escape);
            i += 3;
        } else {
            out.push_str(escape);
            i += 1;
        }
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_values;

    #[test]
    fn json_like_encoding_json() {
        let m = parse_values(
            "b: 1000000\na: [1, two, 3.0]\nc: 3.0e-7\nd: \"<a&b>\"\ne: ~\nt: 12345678901234567890\n",
            "t",
        )
        .unwrap();
        assert_eq!(
            to_json(&Value::Map(m.clone())).unwrap(),
            r#"{"a":[1,"two",3],"b":1000000,"c":3e-7,"d":"\u003ca\u0026b\u003e","e":null,"t":12345678901234567000}"#
        );
        assert_eq!(
            to_raw_json(&Value::Map(m)).unwrap(),
            r#"{"a":[1,"two",3],"b":1000000,"c":3e-7,"d":"<a&b>","e":null,"t":12345678901234567000}"#
        );
    }

    #[test]
    fn pretty_json() {
        let m = parse_values("a: {b: [1, 2], c: {}}\nd: []\n", "t").unwrap();
        assert_eq!(
            to_pretty_json(&Value::Map(m)).unwrap(),
            "{\n  \"a\": {\n    \"b\": [\n      1,\n      2\n    ],\n    \"c\": {}\n  },\n  \"d\": []\n}"
        );
    }

    /// The direct writer against the tree-based one it replaces for compact output.
    fn via_node(v: &Value, html: bool) -> Result<String, PrintError> {
        let node = to_node(v, &mut ContainerPath::new(), false)?;
        let mut out = String::new();
        write_compact(&node, html, &mut out);
        Ok(out)
    }

    #[test]
    fn direct_writer_matches_the_tree_writer() {
        let m = parse_values(
            "s: \"q\\\" b\\\\ \\n\\r\\t\\b\\f \\u0001\\u001f\\u007f <&> \\u2028\\u2029 é 😀\"\nl: [1, 2.5, 1e21, 1e-7, -0.0, true, ~, {z: 1, a: [x]}]\n\"\": empty\nB: {}\n",
            "t",
        )
        .unwrap();
        m.insert(
            "bytes",
            Value::Bytes(std::sync::Arc::from(&b"\x00\xffab"[..])),
        );
        m.insert("i64", Value::Int64(-7));
        let v = Value::Map(m.clone());
        for html in [true, false] {
            let mut out = String::new();
            write_value(&v, html, &mut ContainerPath::new(), &mut out).unwrap();
            assert_eq!(out, via_node(&v, html).unwrap());
        }
        m.insert("nan", Value::Float(f64::NAN));
        assert_eq!(to_json(&v), via_node(&v, true));
        m.remove("nan");
        m.insert("self", v.clone());
        assert_eq!(to_json(&v), via_node(&v, true));
        assert!(to_json(&v).is_err());
    }

    #[test]
    fn keys_sort_by_bytes_and_ints_stay_ints() {
        let m = gotmpl::value::Map::new();
        m.insert("x2", Value::Int(2));
        m.insert("x10", Value::Int(10));
        m.insert("B", Value::str("\u{1}"));
        assert_eq!(
            to_json(&Value::Map(m)).unwrap(),
            r#"{"B":"\u0001","x10":10,"x2":2}"#
        );
    }
}
