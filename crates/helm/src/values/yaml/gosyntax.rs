//! Go's `%#v` of what go-yaml v2 decodes a node into (`interface{}`): Helm's errors for
//! keys JSON cannot hold print the key and its value this way
//! (`invalid map key: []interface {}{"x", 1}`,
//! `unsupported map key of type: %!s(<nil>), key: <nil>, value: "x"`).

use super::super::gofloat::format_g;
use super::super::resolve::{Resolved, TAG_PREFIX, resolve_plain, resolve_tagged};
use super::{Document, Kind, go_base64, is_merge_key};

/// Nesting printed before giving up with `...` (Go has no limit; ours keeps the
/// recursion bounded on hostile input).
const MAX_DEPTH: u32 = 64;
/// Characters printed before the text is cut with `...`.
const MAX_LEN: usize = 4096;
/// Nodes visited at most (aliases expand, so a small document can stand for a huge one).
const MAX_NODES: usize = 4096;

/// A decoded value as Go holds it, enough to print it.
enum GoValue {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A Go string: bytes, not always UTF-8 (`!!binary`).
    Str(Vec<u8>),
    Seq(Vec<GoValue>),
    Map(Vec<(GoValue, GoValue)>),
    /// Beyond the depth limit.
    Elided,
}

/// `%#v` of node `idx`, at the top level (a nil interface prints `<nil>`).
pub(super) fn sharp_v(doc: &Document<'_>, idx: usize) -> String {
    let mut budget = MAX_NODES;
    let value = go_value(doc, idx, 0, &mut budget);
    let mut out = String::new();
    match value {
        GoValue::Nil => out.push_str("<nil>"),
        v => write(&v, &mut out),
    }
    if out.len() > MAX_LEN {
        let mut cut = MAX_LEN;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

fn go_value(doc: &Document<'_>, idx: usize, depth: u32, budget: &mut usize) -> GoValue {
    if depth > MAX_DEPTH || *budget == 0 {
        return GoValue::Elided;
    }
    *budget -= 1;
    match &doc.nodes[idx].kind {
        Kind::Alias(target) => go_value(doc, *target, depth + 1, budget),
        Kind::Seq(items) => GoValue::Seq(
            items
                .iter()
                .map(|&i| go_value(doc, i, depth + 1, budget))
                .collect(),
        ),
        Kind::Map(items) => {
            let mut pairs: Vec<(GoValue, GoValue)> = Vec::new();
            for (k, v) in items.chunks(2).filter_map(|p| Some((p[0], *p.get(1)?))) {
                if is_merge_key(doc, k) {
                    merge(doc, v, depth + 1, budget, &mut pairs);
                    continue;
                }
                let key = go_value(doc, k, depth + 1, budget);
                let value = go_value(doc, v, depth + 1, budget);
                insert(&mut pairs, key, value);
            }
            pairs.sort_by(|a, b| key_order(&a.0, &b.0));
            GoValue::Map(pairs)
        }
        Kind::Scalar { value, plain, tag } => {
            let binary = matches!(tag.as_deref(), Some((h, s)) if h == TAG_PREFIX && s == "binary");
            let resolved = match tag.as_deref() {
                None if *plain => resolve_plain(value),
                Some((h, s)) if h == TAG_PREFIX => {
                    resolve_tagged(s, value).unwrap_or(Resolved::Str)
                }
                _ => Resolved::Str,
            };
            match resolved {
                Resolved::Null => GoValue::Nil,
                Resolved::Bool(b) => GoValue::Bool(b),
                Resolved::Int(i) => GoValue::Int(i),
                Resolved::Uint(u) => GoValue::Uint(u),
                Resolved::BigInt(f) | Resolved::Float(f) => GoValue::Float(f),
                Resolved::Str | Resolved::Timestamp | Resolved::Merge if binary => {
                    GoValue::Str(go_base64(value).unwrap_or_default())
                }
                Resolved::Str | Resolved::Timestamp | Resolved::Merge => {
                    GoValue::Str(value.as_bytes().to_vec())
                }
            }
        }
    }
}

/// fmt's map key order: numbers and strings by value. Keys of different types compare
/// by their type descriptors' addresses in Go, fixed for one Helm binary: Helm 4.2.3
/// prints nil, then strings, uint64, int, float64 and bool keys.
fn key_order(a: &GoValue, b: &GoValue) -> std::cmp::Ordering {
    fn rank(v: &GoValue) -> u8 {
        match v {
            GoValue::Nil => 0,
            GoValue::Str(_) => 1,
            GoValue::Uint(_) => 2,
            GoValue::Int(_) => 3,
            GoValue::Float(_) => 4,
            GoValue::Bool(_) => 5,
            _ => 6,
        }
    }
    match (a, b) {
        (GoValue::Bool(x), GoValue::Bool(y)) => x.cmp(y),
        (GoValue::Int(x), GoValue::Int(y)) => x.cmp(y),
        (GoValue::Uint(x), GoValue::Uint(y)) => x.cmp(y),
        (GoValue::Float(x), GoValue::Float(y)) => x.total_cmp(y),
        (GoValue::Str(x), GoValue::Str(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// A Go map's assignment: a key already there keeps its place and takes the value.
fn insert(pairs: &mut Vec<(GoValue, GoValue)>, key: GoValue, value: GoValue) {
    match pairs.iter_mut().find(|(seen, _)| same_key(seen, &key)) {
        Some(entry) => entry.1 = value,
        None => pairs.push((key, value)),
    }
}

/// A merge (`<<: value`) into `pairs` as go-yaml applies it: a map's entries, or those
/// of a sequence's maps with earlier maps winning. Anything else fails in the decoder
/// before this is printed.
fn merge(
    doc: &Document<'_>,
    idx: usize,
    depth: u32,
    budget: &mut usize,
    pairs: &mut Vec<(GoValue, GoValue)>,
) {
    let target = |i: usize| match &doc.nodes[i].kind {
        Kind::Alias(t) => *t,
        _ => i,
    };
    let maps: Vec<usize> = match &doc.nodes[target(idx)].kind {
        Kind::Map(_) => vec![target(idx)],
        Kind::Seq(items) => items.iter().rev().map(|&i| target(i)).collect(),
        _ => Vec::new(),
    };
    for map in maps {
        if let GoValue::Map(entries) = go_value(doc, map, depth + 1, budget) {
            for (k, v) in entries {
                insert(pairs, k, v);
            }
        }
    }
}

/// `strconv.Quote` of a Go string: bytes that are not UTF-8 print as `\xNN`.
fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let valid = gotmpl::gofmt::quote(chunk.valid());
        // Without its quotes (ASCII, one byte each).
        out.push_str(&valid[1..valid.len() - 1]);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Whether two scalar keys are the same Go map key (same type and value; NaN never).
fn same_key(a: &GoValue, b: &GoValue) -> bool {
    match (a, b) {
        (GoValue::Nil, GoValue::Nil) => true,
        (GoValue::Bool(x), GoValue::Bool(y)) => x == y,
        (GoValue::Int(x), GoValue::Int(y)) => x == y,
        (GoValue::Uint(x), GoValue::Uint(y)) => x == y,
        (GoValue::Float(x), GoValue::Float(y)) => x == y,
        (GoValue::Str(x), GoValue::Str(y)) => x == y,
        _ => false,
    }
}

/// `%#v` inside a container, where a nil interface prints `interface {}(nil)`.
fn write(v: &GoValue, out: &mut String) {
    if out.len() > MAX_LEN {
        return;
    }
    match v {
        GoValue::Nil => out.push_str("interface {}(nil)"),
        GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        GoValue::Int(i) => out.push_str(&i.to_string()),
        GoValue::Uint(u) => out.push_str(&format!("0x{u:x}")),
        GoValue::Float(f) => out.push_str(&format_g(*f)),
        GoValue::Str(s) => out.push_str(&quote_bytes(s)),
        GoValue::Elided => out.push_str("..."),
        GoValue::Seq(items) => {
            out.push_str("[]interface {}{");
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write(item, out);
            }
            out.push('}');
        }
        GoValue::Map(pairs) => {
            out.push_str("map[interface {}]interface {}{");
            for (n, (k, v)) in pairs.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}
