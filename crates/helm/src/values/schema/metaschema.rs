//! Whether a `values.schema.json` is valid against its draft's metaschema, without
//! boon's own check.
//!
//! boon validates every schema it compiles against the draft's metaschema, and the
//! first time it does so in a process it compiles the metaschemas of all five drafts
//! into a private static: 13M instructions (~3 ms), more than rendering a small chart.
//! boon skips that check for schemas whose URL is on `json-schema.org` (the
//! metaschemas themselves), so a schema shown valid here is compiled under such a URL
//! instead. Two ways to show it:
//!
//! * [`Proof::Valid`]: the keywords of drafts 7 and 2020-12 that charts use, checked
//!   against the constraints their metaschema puts on them (types, non-negative
//!   integers, non-empty schema arrays, unique `required` names, patterns in the
//!   plain subset `quick` translates). A keyword whose check needs more (any other
//!   `pattern` must still be an ECMA regex) leaves it to the metaschema.
//! * [`Proof::Metaschema`]: the draft's metaschema alone, compiled once per process
//!   here (2020-12: ~4M instructions, draft 7: ~2.5M) with the format assertions
//!   boon's own set uses.
//!
//! Moving the schema to another URL changes nothing but the URLs boon reports, as long
//! as the schema resolves nothing against its own URL: only fragment references, no
//! `$id`, anchors or dynamic references ([`base_independent`]). Anything else, and
//! every schema that fails to compile or to validate, takes boon's normal path, so
//! errors keep their exact text.

use super::quick::translate;
use boon::{Compiler, Draft, SchemaIndex, Schemas};
use serde_json::Value;
use std::sync::OnceLock;

/// What is known about a schema before compiling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proof {
    /// Valid against the metaschema of this draft (checked keyword by keyword).
    Valid(Draft),
    /// Base-independent, but only the metaschema of this draft can tell.
    Metaschema(Draft),
    /// Needs boon's normal path (own URL, boon's metaschema check).
    Unknown,
}

/// What can be shown about `schema` cheaply.
pub(super) fn prove(schema: &Value) -> Proof {
    let draft = match schema {
        Value::Object(m) => match m.get("$schema") {
            // boon's default draft (capstan never sets another).
            None => Draft::V2020_12,
            Some(Value::String(url)) => match known_draft(url) {
                Some(d) => d,
                None => return Proof::Unknown,
            },
            Some(_) => return Proof::Unknown,
        },
        Value::Bool(_) => Draft::V2020_12,
        // Refused by every metaschema; boon says so in its words.
        _ => return Proof::Unknown,
    };
    if !base_independent(schema, true) {
        return Proof::Unknown;
    }
    match draft {
        Draft::V7 | Draft::V2020_12 if schema_ok(schema, draft) == Check::Valid => {
            Proof::Valid(draft)
        }
        _ => Proof::Metaschema(draft),
    }
}

/// A `$schema` naming one of the drafts boon has, written as an absolute URL (the
/// metaschemas check `$schema` as a `uri`; boon also accepts it without a scheme).
/// Draft 4 is left to boon: its id keyword is `id`, a common property name.
pub(super) fn known_draft(url: &str) -> Option<Draft> {
    let absolute =
        url.starts_with("http://json-schema.org/") || url.starts_with("https://json-schema.org/");
    match Draft::from_url(url) {
        Some(d @ (Draft::V6 | Draft::V7 | Draft::V2019_09 | Draft::V2020_12)) if absolute => {
            Some(d)
        }
        _ => None,
    }
}

/// True when nothing in `v` is resolved against the schema's own URL: every `$ref` is a
/// plain fragment, and no `$id`, anchor, dynamic/recursive reference, vocabulary or
/// nested `$schema` appears anywhere (keys are checked wherever they are, which
/// refuses a few schemas that would be fine, never the opposite). serde_json bounds
/// the nesting to 128 levels, and so this recursion.
fn base_independent(v: &Value, root: bool) -> bool {
    match v {
        Value::Object(m) => m.iter().all(|(k, x)| match k.as_str() {
            "$id" | "$anchor" | "$dynamicAnchor" | "$dynamicRef" | "$recursiveAnchor"
            | "$recursiveRef" | "$vocabulary" => false,
            "$schema" => root,
            "$ref" => matches!(x, Value::String(s) if fragment_ref(s)),
            _ => base_independent(x, false),
        }),
        Value::Array(items) => items.iter().all(|x| base_independent(x, false)),
        _ => true,
    }
}

/// `#` followed by JSON-pointer-like characters that RFC 3986 allows in a fragment
/// (so the metaschema's `uri-reference` format holds), nothing percent-encoded.
fn fragment_ref(s: &str) -> bool {
    s.strip_prefix('#').is_some_and(|frag| {
        frag.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~$/".contains(&b))
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Valid,
    /// Not shown valid here (it may still be).
    Unsure,
}

fn all(mut checks: impl Iterator<Item = Check>) -> Check {
    if checks.all(|c| c == Check::Valid) {
        Check::Valid
    } else {
        Check::Unsure
    }
}

fn holds(b: bool) -> Check {
    if b { Check::Valid } else { Check::Unsure }
}

/// A schema (an object or a boolean) whose keywords meet the metaschema of `draft`.
fn schema_ok(v: &Value, draft: Draft) -> Check {
    match v {
        Value::Bool(_) => Check::Valid,
        Value::Object(m) => all(m.iter().map(|(k, x)| keyword_ok(k, x, draft))),
        _ => Check::Unsure,
    }
}

/// One keyword against what the metaschema of `draft` (7 or 2020-12) requires of it.
/// A key that is no keyword of the draft is unconstrained by its metaschema.
fn keyword_ok(key: &str, v: &Value, draft: Draft) -> Check {
    let v2020 = draft == Draft::V2020_12;
    match key {
        // Checked by `prove` (root) and `base_independent` (string fragment).
        "$schema" | "$ref" => Check::Valid,
        "$comment" | "title" | "description" | "format" | "contentMediaType"
        | "contentEncoding" => holds(v.is_string()),
        "default" | "const" => Check::Valid,
        "readOnly" | "writeOnly" | "uniqueItems" => holds(v.is_boolean()),
        "deprecated" if v2020 => holds(v.is_boolean()),
        "examples" => holds(v.is_array()),
        "enum" if v2020 => holds(v.is_array()),
        "enum" => holds(distinct_scalars(v)),
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => holds(v.is_number()),
        "multipleOf" => holds(v.as_f64().is_some_and(|f| f > 0.0)),
        "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties" | "minProperties" => {
            holds(v.is_u64())
        }
        "maxContains" | "minContains" if v2020 => holds(v.is_u64()),
        "required" => holds(string_array(v)),
        "type" => holds(type_ok(v)),
        "additionalProperties" | "propertyNames" | "contains" | "not" | "if" | "then" | "else" => {
            schema_ok(v, draft)
        }
        "items" if v2020 => schema_ok(v, draft),
        "items" if v.is_array() => schema_array(v, draft),
        "items" | "additionalItems" => schema_ok(v, draft),
        "unevaluatedItems" | "unevaluatedProperties" | "contentSchema" if v2020 => {
            schema_ok(v, draft)
        }
        "allOf" | "anyOf" | "oneOf" => schema_array(v, draft),
        "prefixItems" if v2020 => schema_array(v, draft),
        "properties" | "definitions" => schema_map(v, draft),
        "$defs" | "dependentSchemas" if v2020 => schema_map(v, draft),
        "dependentRequired" if v2020 => match v {
            Value::Object(m) => holds(m.values().all(string_array)),
            _ => Check::Unsure,
        },
        "dependencies" => match v {
            Value::Object(m) => all(m.values().map(|x| {
                if x.is_array() {
                    holds(string_array(x))
                } else {
                    schema_ok(x, draft)
                }
            })),
            _ => Check::Unsure,
        },
        // Regexes must parse as ECMA 262 (the `regex` format, as boon checks it):
        // those of `quick`'s plain subset do; others are left to the metaschema.
        "pattern" => holds(v.as_str().is_some_and(|p| translate(p).is_some())),
        "patternProperties" => match v {
            Value::Object(m) => {
                if m.keys().all(|p| translate(p).is_some()) {
                    schema_map(v, draft)
                } else {
                    Check::Unsure
                }
            }
            _ => Check::Unsure,
        },
        // The keywords `base_independent` refuses never get here.
        _ if is_keyword(key, draft) => Check::Unsure,
        _ => Check::Valid,
    }
}

/// Every keyword the metaschema of `draft` names, so that no keyword reaches the
/// unconstrained default by omission.
fn is_keyword(key: &str, draft: Draft) -> bool {
    const COMMON: &[&str] = &[
        "$id",
        "$schema",
        "$ref",
        "$comment",
        "title",
        "description",
        "default",
        "readOnly",
        "writeOnly",
        "examples",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "items",
        "maxItems",
        "minItems",
        "uniqueItems",
        "contains",
        "maxProperties",
        "minProperties",
        "required",
        "additionalProperties",
        "definitions",
        "properties",
        "patternProperties",
        "dependencies",
        "propertyNames",
        "const",
        "enum",
        "type",
        "format",
        "contentMediaType",
        "contentEncoding",
        "if",
        "then",
        "else",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    ];
    const DRAFT7: &[&str] = &["additionalItems"];
    const DRAFT2020: &[&str] = &[
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$vocabulary",
        "$defs",
        "prefixItems",
        "dependentSchemas",
        "unevaluatedItems",
        "unevaluatedProperties",
        "maxContains",
        "minContains",
        "dependentRequired",
        "deprecated",
        "contentSchema",
        "$recursiveAnchor",
        "$recursiveRef",
    ];
    let extra = if draft == Draft::V2020_12 {
        DRAFT2020
    } else {
        DRAFT7
    };
    COMMON.contains(&key) || extra.contains(&key)
}

/// A non-empty array of schemas.
fn schema_array(v: &Value, draft: Draft) -> Check {
    match v {
        Value::Array(items) if !items.is_empty() => all(items.iter().map(|x| schema_ok(x, draft))),
        _ => Check::Unsure,
    }
}

/// An object whose values are schemas.
fn schema_map(v: &Value, draft: Draft) -> Check {
    match v {
        Value::Object(m) => all(m.values().map(|x| schema_ok(x, draft))),
        _ => Check::Unsure,
    }
}

const SIMPLE_TYPES: &[&str] = &[
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// A simple type name, or a non-empty array of distinct ones.
fn type_ok(v: &Value) -> bool {
    let simple = |x: &Value| x.as_str().is_some_and(|s| SIMPLE_TYPES.contains(&s));
    match v {
        Value::Array(items) => !items.is_empty() && items.iter().all(simple) && distinct(items),
        other => simple(other),
    }
}

/// An array of distinct strings.
fn string_array(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().all(Value::is_string) && distinct(items),
        _ => false,
    }
}

/// Draft 7's `enum`: a non-empty array of distinct items. Only strings, booleans and
/// null are compared here (numbers have several spellings of one value).
fn distinct_scalars(v: &Value) -> bool {
    match v {
        Value::Array(items) => {
            !items.is_empty()
                && items
                    .iter()
                    .all(|x| x.is_string() || x.is_boolean() || x.is_null())
                && distinct(items)
        }
        _ => false,
    }
}

/// No two items equal (strings, booleans, null: equal exactly when serde_json's
/// equality says so). Quadratic, so long arrays are left to the metaschema.
fn distinct(items: &[Value]) -> bool {
    items.len() <= 64
        && items
            .iter()
            .enumerate()
            .all(|(i, x)| items[..i].iter().all(|y| y != x))
}

/// How many objects and booleans `schema` holds: every schema boon compiles from a
/// base-independent document is one of them.
pub(super) fn schema_nodes(schema: &Value) -> usize {
    let mut count = 0;
    let mut work = vec![schema];
    while let Some(v) = work.pop() {
        match v {
            Value::Object(m) => {
                count += 1;
                work.extend(m.values());
            }
            Value::Array(items) => work.extend(items),
            Value::Bool(_) => count += 1,
            _ => {}
        }
    }
    count
}

/// Whether the metaschema of `draft` accepts `schema`. Each metaschema is compiled
/// once per process, with the format assertions boon's own set is compiled with.
pub(super) fn metaschema_accepts(draft: Draft, schema: &Value) -> bool {
    static SETS: [OnceLock<Option<(Schemas, SchemaIndex)>>; 4] = [const { OnceLock::new() }; 4];
    let (slot, url) = match draft {
        Draft::V6 => (0, "http://json-schema.org/draft-06/schema"),
        Draft::V7 => (1, "http://json-schema.org/draft-07/schema"),
        Draft::V2019_09 => (2, "https://json-schema.org/draft/2019-09/schema"),
        Draft::V2020_12 => (3, "https://json-schema.org/draft/2020-12/schema"),
        // `prove` never asks for draft 4.
        _ => return false,
    };
    let compiled = SETS[slot].get_or_init(|| {
        let mut compiler = Compiler::new();
        compiler.enable_format_assertions();
        let mut schemas = Schemas::new();
        let index = compiler.compile(url, &mut schemas).ok()?;
        Some((schemas, index))
    });
    compiled
        .as_ref()
        .is_some_and(|(schemas, index)| schemas.validate(schema, *index).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(text: &str) -> Proof {
        prove(&serde_json::from_str(text).unwrap())
    }

    /// What boon's own path says: does the schema pass its metaschema?
    fn boon_accepts(text: &str) -> bool {
        let mut compiler = Compiler::new();
        compiler
            .add_resource("file:///s.json", serde_json::from_str(text).unwrap())
            .unwrap();
        !matches!(
            compiler.compile("file:///s.json", &mut Schemas::new()),
            Err(boon::CompileError::ValidationError { .. })
        )
    }

    #[test]
    fn common_chart_schemas_are_shown_valid_without_a_metaschema() {
        for text in [
            r##"{"type": "object", "required": ["image"], "properties": {
                "replicaCount": {"type": "integer", "minimum": 1},
                "image": {"type": "object", "properties": {"tag": {"type": ["string", "null"]}}},
                "mode": {"enum": ["a", "b", 3]}, "x": {"$ref": "#/$defs/x"},
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}},
                "patternProperties": {"^x-": true},
                "additionalProperties": false, "$defs": {"x": {"type": "string", "maxLength": 5}}}"##,
            r##"{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Values",
                "definitions": {"p": {"type": "integer", "exclusiveMinimum": 0}},
                "properties": {"port": {"$ref": "#/definitions/p"},
                "list": {"type": "array", "items": [{"type": "string"}], "minItems": 0},
                "mode": {"enum": ["on", "off", null]}, "x-ui": {"anything": 1}}}"##,
            "true",
        ] {
            assert!(matches!(proof(text), Proof::Valid(_)), "{text}");
            assert!(boon_accepts(text), "{text}");
        }
    }

    #[test]
    fn doubtful_keywords_are_left_to_the_metaschema() {
        for (text, draft) in [
            (
                r##"{"properties": {"a": {"pattern": "^[a-z]+\\s$"}}}"##,
                Draft::V2020_12,
            ),
            (r##"{"type": "string", "minLength": 1.0}"##, Draft::V2020_12),
            (
                r##"{"$schema": "http://json-schema.org/draft-07/schema#", "enum": [1, 2]}"##,
                Draft::V7,
            ),
            (
                r##"{"$schema": "https://json-schema.org/draft/2019-09/schema"}"##,
                Draft::V2019_09,
            ),
        ] {
            assert_eq!(proof(text), Proof::Metaschema(draft), "{text}");
            let value = serde_json::from_str(text).unwrap();
            assert!(metaschema_accepts(draft, &value), "{text}");
            assert!(boon_accepts(text), "{text}");
        }
    }

    #[test]
    fn invalid_schemas_are_never_shown_valid() {
        for text in [
            r##"{"type": "object", "properties": {"a": {"items": [{}]}}}"##,
            r##"{"type": "strin"}"##,
            r##"{"type": ["string", "string"]}"##,
            r##"{"type": []}"##,
            r##"{"required": ["a", "a"]}"##,
            r##"{"required": "a"}"##,
            r##"{"minLength": -1}"##,
            r##"{"multipleOf": 0}"##,
            r##"{"allOf": []}"##,
            r##"{"properties": {"a": 1}}"##,
            r##"{"properties": {"a": {"pattern": "(("}}}"##,
            r##"{"$schema": "http://json-schema.org/draft-07/schema#", "enum": []}"##,
            r##"{"$schema": "http://json-schema.org/draft-07/schema#", "enum": ["a", "a"]}"##,
            r##"{"title": 5}"##,
            r##"{"deprecated": "yes"}"##,
        ] {
            let p = proof(text);
            assert!(!matches!(p, Proof::Valid(_)), "{text}");
            let value = serde_json::from_str(text).unwrap();
            if let Proof::Metaschema(draft) = p {
                assert!(!metaschema_accepts(draft, &value), "{text}");
            }
            assert!(!boon_accepts(text), "{text}");
        }
    }

    #[test]
    fn schema_nodes_counts_objects_and_booleans() {
        let v = serde_json::json!({"properties": {"a": true, "b": {"enum": [1, {}]}}});
        assert_eq!(schema_nodes(&v), 5);
    }

    #[test]
    fn schemas_that_resolve_against_their_url_take_boons_path() {
        for text in [
            r##"{"$ref": "other.json"}"##,
            r##"{"$ref": "#/a%20b"}"##,
            r##"{"$id": "http://example.com/s"}"##,
            r##"{"properties": {"a": {"$anchor": "x"}}}"##,
            r##"{"properties": {"a": {"$schema": "http://json-schema.org/draft-07/schema#"}}}"##,
            r##"{"$schema": "json-schema.org/draft-07/schema"}"##,
            r##"{"$schema": "http://json-schema.org/draft-04/schema#"}"##,
            r##"{"$schema": "http://example.com/meta"}"##,
            r##"{"$dynamicRef": "#meta"}"##,
            "5",
        ] {
            assert_eq!(proof(text), Proof::Unknown, "{text}");
        }
    }

    /// Random schemas over the keywords above, with values of the right and the wrong
    /// types: a schema shown valid, or judged by one draft's metaschema, must be judged
    /// the same by boon's own metaschema check.
    mod generated {
        use super::*;
        use proptest::prelude::*;

        const KEYS: &[&str] = &[
            "type",
            "required",
            "enum",
            "const",
            "minimum",
            "multipleOf",
            "minLength",
            "maxItems",
            "uniqueItems",
            "title",
            "default",
            "examples",
            "properties",
            "$defs",
            "definitions",
            "items",
            "additionalProperties",
            "allOf",
            "anyOf",
            "not",
            "if",
            "deprecated",
            "dependencies",
            "dependentRequired",
            "pattern",
            "prefixItems",
            "minContains",
            "additionalItems",
            "format",
            "x-extra",
            "$ref",
        ];

        fn scalar() -> impl Strategy<Value = Value> {
            prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                (-2i64..4).prop_map(Value::from),
                prop::sample::select(vec![0.0, 0.5, 1.0, -1.5]).prop_map(Value::from),
                prop::sample::select(vec![
                    "string",
                    "object",
                    "integer",
                    "strin",
                    "a",
                    "#/$defs/a",
                    "#/definitions/a",
                    "^[a-z]+$",
                    "((",
                ])
                .prop_map(Value::from),
            ]
        }

        fn schema() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                scalar(),
                Just(Value::Bool(true)),
                Just(serde_json::json!({})),
            ];
            leaf.prop_recursive(4, 48, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(
                        |entries| {
                            Value::Object(
                                entries
                                    .into_iter()
                                    .map(|(k, v)| (k.to_string(), v))
                                    .collect(),
                            )
                        }
                    ),
                ]
            })
        }

        fn boon_accepts_value(v: &Value) -> bool {
            let mut compiler = Compiler::new();
            compiler.add_resource("file:///s.json", v.clone()).unwrap();
            !matches!(
                compiler.compile("file:///s.json", &mut Schemas::new()),
                Err(boon::CompileError::ValidationError { .. })
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn judged_as_boon_judges(
                entries in prop::collection::vec((prop::sample::select(KEYS), schema()), 0..6),
                draft7 in any::<bool>(),
            ) {
                let mut v = Value::Object(
                    entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                );
                if draft7 && let Value::Object(m) = &mut v {
                    m.insert("$schema".into(), "http://json-schema.org/draft-07/schema#".into());
                }
                match prove(&v) {
                    Proof::Valid(_) => prop_assert!(boon_accepts_value(&v), "{v}"),
                    Proof::Metaschema(d) => {
                        prop_assert_eq!(metaschema_accepts(d, &v), boon_accepts_value(&v), "{}", v)
                    }
                    Proof::Unknown => {}
                }
            }
        }
    }
}
