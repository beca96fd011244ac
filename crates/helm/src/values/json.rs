//! Helm's `toJson`, `toPrettyJson` and `toRawJson`: Go's encoding/json.
//!
//! Map keys sort by bytes, `<`, `>`, `&`, U+2028 and U+2029 are escaped (except in
//! `toRawJson`, which disables HTML escaping), floats use encoding/json's format
//! (`1e+21`, `1e-7`, otherwise plain decimals) and NaN/Inf are errors.

use gotmpl::value::{List, Map, Value};

use std::fmt::Write as _;
use std::ops::Bound;
use std::sync::Arc;

use gotmpl::stack::{ContainerPath, grow};

use super::PrintError;
use super::gofloat::{format_g, format_json};
use super::print::{Node, to_node};

/// Helm's `toJson` (encoding/json.Marshal).
pub fn to_json(value: &Value) -> Result<String, PrintError> {
    to_json_within(value, usize::MAX)
}

/// [`to_json`] that fails with [`PrintError::TooLarge`] as soon as its text passes
/// `max` bytes. Templates share maps and lists, so a value small in memory can print
/// to far more than `max` (`$d = dict "a" $d "b" $d` doubles per level): the writer
/// stops there, having held at most `max` bytes and one more entry.
pub fn to_json_within(value: &Value, max: usize) -> Result<String, PrintError> {
    let mut out = String::new();
    write_value(value, true, max, &mut ContainerPath::new(), &mut out)?;
    Ok(out)
}

/// Sprig's `toRawJson`: like `toJson` without HTML escaping.
pub fn to_raw_json(value: &Value) -> Result<String, PrintError> {
    let mut out = String::new();
    write_value(
        value,
        false,
        usize::MAX,
        &mut ContainerPath::new(),
        &mut out,
    )?;
    Ok(out)
}

/// A list or map being written by [`write_value`].
struct Open {
    entries: Entries,
    /// Whether it is on the container path (see [`enter`]).
    on_path: bool,
}

enum Entries {
    List {
        list: List,
        /// The next item.
        next: usize,
    },
    Map {
        map: Map,
        /// The key of the entry being written, once one was.
        at: Option<String>,
    },
}

/// Compact JSON straight from a value (no intermediate tree: charts such as
/// helm-toolkit's endpoint lookups call `toJson` thousands of times per render).
/// Walks and fails exactly as [`to_node`] does: any depth, the same cycle check,
/// the first unsupported float in key order. A `BTreeMap`'s `String` keys iterate in
/// byte order, which is encoding/json's key order.
///
/// Open containers sit on an explicit stack, not on the call stack: recursion into a
/// 100,000-deep value (`fromToml` reads one) would map and fault in tens of megabytes
/// of fresh stack segments, which cost more than the writing.
fn write_value(
    value: &Value,
    html: bool,
    max: usize,
    path: &mut ContainerPath,
    out: &mut String,
) -> Result<(), PrintError> {
    let mut open = Vec::new();
    let result = write_nested(value, html, max, path, &mut open, out);
    // After an error the path is left as it was found.
    for o in &open {
        if o.on_path {
            path.leave();
        }
    }
    result
}

fn write_nested(
    value: &Value,
    html: bool,
    max: usize,
    path: &mut ContainerPath,
    open: &mut Vec<Open>,
    out: &mut String,
) -> Result<(), PrintError> {
    if !nests(value) {
        write_leaf(value, html, path, out)?;
        return within(out, max);
    }
    enter(value, held_once(value), path, open, out)?;
    while let Some(top) = open.last_mut() {
        // Write the top container's entries up to one that nests, which is entered.
        let inner = match &mut top.entries {
            Entries::List { list, next } => {
                let items = list.0.read();
                let mut inner = None;
                while let Some(item) = items.get(*next) {
                    if *next > 0 {
                        out.push(',');
                    }
                    *next += 1;
                    if nests(item) {
                        let once = held_once(item);
                        inner = Some((item.clone(), once));
                        break;
                    }
                    write_leaf(item, html, path, out)?;
                    within(out, max)?;
                }
                inner
            }
            Entries::Map { map, at } => {
                let entries = map.0.read();
                let rest = match at.as_deref() {
                    None => entries.range::<str, _>(..),
                    Some(k) => entries.range::<str, _>((Bound::Excluded(k), Bound::Unbounded)),
                };
                let mut inner = None;
                for (k, v) in rest {
                    if at.is_some() {
                        out.push(',');
                    }
                    write_string(k, html, out);
                    out.push(':');
                    if nests(v) {
                        *at = Some(k.clone());
                        let once = held_once(v);
                        inner = Some((v.clone(), once));
                        break;
                    }
                    write_leaf(v, html, path, out)?;
                    within(out, max)?;
                    // Only whether one was written counts until one nests.
                    if at.is_none() {
                        *at = Some(String::new());
                    }
                }
                inner
            }
        };
        // Keys and brackets alone grow the text too (maps of empty maps).
        within(out, max)?;
        match inner {
            Some((v, once)) => enter(&v, once, path, open, out)?,
            None => {
                if let Some(done) = open.pop() {
                    out.push(match done.entries {
                        Entries::List { .. } => ']',
                        Entries::Map { .. } => '}',
                    });
                    if done.on_path {
                        path.leave();
                    }
                }
            }
        }
    }
    Ok(())
}

/// Fails once the text is longer than `max` bytes.
#[inline]
fn within(out: &str, max: usize) -> Result<(), PrintError> {
    if out.len() > max {
        return Err(PrintError::TooLarge {
            written: out.len(),
            max,
        });
    }
    Ok(())
}

/// Whether `value` is a list or map written with entries (Go's nil ones are `null`).
fn nests(value: &Value) -> bool {
    match value {
        Value::List(l) => !l.is_nil_slice(),
        Value::Map(m) => !m.is_nil_map(),
        _ => false,
    }
}

/// Whether nothing but the one map, list or caller it was found in holds `value`
/// (counted before the writer takes its own reference).
fn held_once(value: &Value) -> bool {
    match value {
        Value::List(l) => Arc::strong_count(&l.0) == 1,
        Value::Map(m) => Arc::strong_count(&m.0) == 1,
        _ => false,
    }
}

/// Opens a list or map that [`nests`]; a value holding itself is an error.
///
/// A container `held_once` skips the path: to be met again below itself it would
/// need a second holder, and one met again is caught at the first container of the
/// loop the walk reached, which has two (the loop's and the way in). Values parsed
/// just now (`fromToml`, `fromJson`) are all held once, so a 100,000-deep one costs
/// no hashing.
fn enter(
    value: &Value,
    held_once: bool,
    path: &mut ContainerPath,
    open: &mut Vec<Open>,
    out: &mut String,
) -> Result<(), PrintError> {
    let (entries, bracket) = match value {
        Value::List(l) => (
            Entries::List {
                list: l.clone(),
                next: 0,
            },
            '[',
        ),
        Value::Map(m) => (
            Entries::Map {
                map: m.clone(),
                at: None,
            },
            '{',
        ),
        _ => return Ok(()),
    };
    let on_path = !held_once;
    if on_path && !ContainerPath::id(value).is_some_and(|id| path.enter(id)) {
        return Err(PrintError::Cycle(value.type_name()));
    }
    out.push(bracket);
    open.push(Open { entries, on_path });
    Ok(())
}

/// A value that does not [`nest`](nests).
fn write_leaf(
    value: &Value,
    html: bool,
    path: &mut ContainerPath,
    out: &mut String,
) -> Result<(), PrintError> {
    match value {
        Value::Nil | Value::List(_) | Value::Map(_) => out.push_str("null"),
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
            let node = to_node(value, path, false)?;
            write_compact(&node, html, out);
        }
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
            write_value(&v, html, usize::MAX, &mut ContainerPath::new(), &mut out).unwrap();
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
    fn entries_after_nested_ones_keep_their_commas() {
        let m = parse_values(
            "a: {x: 1}\nb: 2\nc: [1, {}, [], [{z: {}}], 3]\nd: {}\ne: {f: {g: [x]}, h: 1}\n",
            "t",
        )
        .unwrap();
        let nil = gotmpl::value::Map::nil_of(gotmpl::value::Elem::Any);
        m.insert("nil", Value::Map(nil));
        let v = Value::Map(m);
        let want = r#"{"a":{"x":1},"b":2,"c":[1,{},[],[{"z":{}}],3],"d":{},"e":{"f":{"g":["x"]},"h":1},"nil":null}"#;
        assert_eq!(to_json(&v).unwrap(), want);
        assert_eq!(via_node(&v, true).unwrap(), want);
        // A value shared (not nested in itself) is written at each place.
        let shared = Value::list(vec![Value::Int(1)]);
        let l = Value::list(vec![shared.clone(), Value::list(vec![shared])]);
        assert_eq!(to_json(&l).unwrap(), "[[1],[[1]]]");
    }

    #[test]
    fn deep_values_are_written_without_recursion() {
        let depth = 200_000;
        let mut v = Value::Int(1);
        for i in 0..depth {
            v = if i % 2 == 0 {
                Value::list(vec![v])
            } else {
                let m = gotmpl::value::Map::new();
                m.insert("k", v);
                Value::Map(m)
            };
        }
        let json = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || to_json(&v))
            .expect("spawn")
            .join()
            .expect("no overflow")
            .unwrap();
        assert_eq!(json.len(), 1 + depth / 2 * (2 + 6));
        assert!(json.starts_with("{\"k\":[{\"k\":[") && json.ends_with("]}]}"));
    }

    #[test]
    fn bounded_writer_stops_past_the_limit() {
        let s = Value::str("x".repeat(1000));
        // One string a hundred times: 100 quoted strings of 1,002 bytes, 99 commas
        // and the brackets.
        let v = Value::list(vec![s; 100]);
        let full = to_json(&v).unwrap();
        assert_eq!(full.len(), 100_301);
        assert_eq!(to_json_within(&v, full.len()).unwrap(), full);
        match to_json_within(&v, 5_000) {
            Err(PrintError::TooLarge {
                written,
                max: 5_000,
            }) => {
                assert!((5_001..=5_000 + 1_003).contains(&written), "{written}")
            }
            other => panic!("{other:?}"),
        }
        // Keys and brackets alone count too.
        let mut m = gotmpl::MapInner::new();
        for i in 0..100 {
            m.insert(format!("key{i:03}"), Value::map(gotmpl::MapInner::new()));
        }
        assert!(matches!(
            to_json_within(&Value::map(m), 500),
            Err(PrintError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_deep_value_holding_itself_is_an_error_and_the_path_is_restored() {
        let inner = gotmpl::value::Map::new();
        let mut v = Value::Map(inner.clone());
        for _ in 0..100 {
            v = Value::list(vec![Value::Int(0), v]);
        }
        inner.insert("loop", v.clone());
        let mut path = ContainerPath::new();
        let mut out = String::new();
        assert!(matches!(
            write_value(&v, true, usize::MAX, &mut path, &mut out),
            Err(PrintError::Cycle(_))
        ));
        assert!(path.is_empty());
        inner.insert("loop", Value::Float(f64::INFINITY));
        assert!(matches!(to_json(&v), Err(PrintError::UnsupportedValue(_))));
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
