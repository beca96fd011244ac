//! Helm's `toJson`, `toPrettyJson` and `toRawJson`: Go's encoding/json.
//!
//! Map keys sort by bytes, `<`, `>`, `&`, U+2028 and U+2029 are escaped (except in
//! `toRawJson`, which disables HTML escaping), floats use encoding/json's format
//! (`1e+21`, `1e-7`, otherwise plain decimals) and NaN/Inf are errors.

use gotmpl::value::Value;

use super::PrintError;
use super::print::{Node, to_node};

/// Helm's `toJson` (encoding/json.Marshal).
pub fn to_json(value: &Value) -> Result<String, PrintError> {
    let node = to_node(value, &mut Vec::new(), false)?;
    let mut out = String::new();
    write_compact(&node, true, &mut out);
    Ok(out)
}

/// Sprig's `toRawJson`: like `toJson` without HTML escaping.
pub fn to_raw_json(value: &Value) -> Result<String, PrintError> {
    let node = to_node(value, &mut Vec::new(), false)?;
    let mut out = String::new();
    write_compact(&node, false, &mut out);
    Ok(out)
}

/// Sprig's `toPrettyJson` (json.MarshalIndent with two spaces).
pub fn to_pretty_json(value: &Value) -> Result<String, PrintError> {
    let node = to_node(value, &mut Vec::new(), false)?;
    let mut out = String::new();
    write_pretty(&node, 0, &mut out);
    Ok(out)
}

fn sorted(pairs: &[(String, Node)]) -> Vec<&(String, Node)> {
    let mut v: Vec<&(String, Node)> = pairs.iter().collect();
    v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    v
}

fn write_compact(node: &Node, html: bool, out: &mut String) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(n),
        Node::Str(s) => write_string(s, html, out),
        Node::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, html, out);
            }
            out.push(']');
        }
        Node::Map(pairs) => {
            out.push('{');
            for (i, (k, v)) in sorted(pairs).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, html, out);
                out.push(':');
                write_compact(v, html, out);
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
                write_pretty(item, depth + 1, out);
            }
            newline_indent(depth, out);
            out.push(']');
        }
        Node::Map(pairs) if !pairs.is_empty() => {
            out.push('{');
            for (i, (k, v)) in sorted(pairs).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(depth + 1, out);
                write_string(k, true, out);
                out.push_str(": ");
                write_pretty(v, depth + 1, out);
            }
            newline_indent(depth, out);
            out.push('}');
        }
        other => write_compact(other, true, out),
    }
}

/// encoding/json string escaping.
pub(crate) fn write_string(s: &str, html: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '<' | '>' | '&' if html => {
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xF) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let b = c as u32;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xF) as usize] as char);
            }
            c => out.push(c),
        }
    }
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
