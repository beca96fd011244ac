//! The head of a rendered manifest: what Helm's SortManifests reads from each
//! document (apiVersion, kind, metadata.name, metadata.annotations), without
//! decoding the rest.
//!
//! Helm decodes the whole document (sigs.k8s.io/yaml into its head struct), so a
//! document anywhere invalid fails. The struct's fields are matched as encoding/json
//! matches them, case-insensitively (`KIND`, `Metadata`), so every key that
//! [`json_field_matches`] a field is kept; integers stay `int64` (sigs.k8s.io/yaml
//! writes an integer bound for a string field as its decimal text). Here the rest
//! is only checked for what could fail its decoding; whenever the fast reader does
//! not take the text, or a check is not clearly passed, the whole document is loaded
//! as before, which reports the error.

use std::collections::BTreeMap;

use gotmpl::value::Value;

use super::super::ValuesError;
use super::super::resolve::{Resolved, resolve_plain};
use super::{Decoder, Document, Kind, Rules, fast, load_with};

/// The document as a value holding only the keys that match `apiVersion`, `kind` and
/// `metadata` (itself holding only those matching `name` and `annotations` when it is
/// a map), each exactly as the full load gives it; fails as the full load of the
/// document does.
pub fn parse_manifest_head(text: &str) -> Result<Value, ValuesError> {
    if let Some(doc) = fast::build(text)
        && let Some(head) = head(&doc)
    {
        return Ok(head);
    }
    let rules = Rules {
        go_ints: true,
        ..Rules::default()
    };
    load_with(text, "", rules)
}

/// encoding/json's match of an object key to a struct field's JSON name: exact, or
/// equal under simple case folding. ASCII letters fold to each other; of the other
/// letters only the Kelvin sign (to `k`) and the long s (to `s`) fold to letters of
/// SimpleHead's field names (`ı`, `İ` do not fold to `i`).
pub fn json_field_matches(key: &str, field: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c => c.to_ascii_lowercase(),
        }
    }
    key == field || key.chars().map(fold).eq(field.chars().map(fold))
}

fn head(doc: &Document<'_>) -> Option<Value> {
    let Some(root) = doc.root else {
        return Some(Value::Nil);
    };
    let mut decoder = Decoder::with_go_ints(doc, "");
    let head = pick(&mut decoder, root, &["apiVersion", "kind", "metadata"])?;
    // A failure of the JSON step is reported by the full load, after go-yaml's own.
    (!decoder.has_json_failure()).then_some(head)
}

/// The map at `idx` with only the `wanted` keys decoded (`metadata` itself picked),
/// the other values checked; any other node decoded in full.
fn pick(decoder: &mut Decoder<'_>, idx: usize, wanted: &[&str]) -> Option<Value> {
    let doc = decoder.doc;
    let Kind::Map(items) = &doc.nodes[idx].kind else {
        return decoder.value(idx).ok();
    };
    let mut map = BTreeMap::new();
    for pair in items.chunks(2) {
        let &[k, v] = pair else {
            return None;
        };
        if decoder.is_merge_key(k) {
            return None;
        }
        let key = decoder.key(k, v).ok()?;
        let field = wanted.iter().find(|f| json_field_matches(&key, f));
        let value = match field {
            Some(&"metadata") => pick(decoder, v, &["name", "annotations"])?,
            Some(_) => decoder.value(v).ok()?,
            None => {
                if !decodes(doc, v) {
                    return None;
                }
                continue;
            }
        };
        map.insert(key, value);
    }
    Some(Value::map(map))
}

/// Whether the node at `idx` surely decodes without error. Only for the fast reader's
/// arenas: no aliases or tags, and nesting bounded by it.
fn decodes(doc: &Document<'_>, idx: usize) -> bool {
    match &doc.nodes[idx].kind {
        Kind::Scalar {
            value,
            plain,
            tag: None,
        } => !*plain || !may_fail_as_value(value),
        Kind::Seq(items) => items.iter().all(|&i| decodes(doc, i)),
        Kind::Map(items) => items.chunks(2).all(|pair| match pair {
            &[k, v] => key_decodes(doc, k) && decodes(doc, v),
            _ => false,
        }),
        Kind::Scalar { .. } | Kind::Alias(_) => false,
    }
}

/// A plain value becomes JSON unless it is a non-finite float.
fn may_fail_as_value(s: &str) -> bool {
    // Only these starts resolve to floats.
    if !s.starts_with([
        '.', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
    ]) {
        return false;
    }
    matches!(resolve_plain(s), Resolved::Float(f) | Resolved::BigInt(f) if !f.is_finite())
}

/// A key is a plain or quoted scalar that is not null, a merge key, or an integer
/// sigs.k8s.io/yaml cannot name.
fn key_decodes(doc: &Document<'_>, idx: usize) -> bool {
    match &doc.nodes[idx].kind {
        Kind::Scalar {
            value,
            plain,
            tag: None,
        } => {
            let surely_string = !value.is_empty()
                && !value.starts_with([
                    '~', 'n', 'N', '<', '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
                ]);
            !*plain
                || surely_string
                || !matches!(
                    resolve_plain(value),
                    Resolved::Null | Resolved::Merge | Resolved::Uint(_) | Resolved::BigInt(_)
                )
        }
        _ => false,
    }
}
