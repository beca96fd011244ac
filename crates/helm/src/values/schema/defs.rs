//! Draft 6/7 schemas that keep their definitions under `$defs` (cert-manager's
//! generated `values.schema.json` does: `"$ref": "#/$defs/helm-values.x"` for every
//! value).
//!
//! `$defs` is no keyword before draft 2019-09, so boon does not know its entries as
//! subschemas: each `$ref` into it checks the target against the draft's metaschema
//! and registers it again on every compile, about half of a cold render of such a
//! chart (callgrind, a 90-definition schema: 9M instructions per compile). A
//! `$ref` resolves a JSON pointer to the same object whatever the container is
//! called, so moving the root `$defs` to `definitions` (a draft 6/7 keyword) and
//! pointing the references there validates every instance the same way. This is done
//! only for the schema compiled on the proven path (see `metaschema`), which
//! decides only that values pass; every failure is reported from the original
//! schema on boon's path, so error texts keep naming `$defs`.

use boon::Draft;
use serde_json::Value;

const FROM: &str = "#/$defs/";
const TO: &str = "#/definitions/";

/// Moves the root `$defs` of `schema` to `definitions` and rewrites the references
/// into it, when it is a draft 6/7 schema that has `$defs` and no `definitions`
/// (in place: a schema may be large); `None` (and `schema` as it was) when nothing
/// applies.
pub(super) fn defs_as_definitions(schema: &mut Value) -> Option<()> {
    let root = schema.as_object()?;
    let draft = match root.get("$schema") {
        Some(Value::String(url)) => super::metaschema::known_draft(url)?,
        _ => return None,
    };
    if !matches!(draft, Draft::V6 | Draft::V7)
        || root.contains_key("definitions")
        || !root.get("$defs").is_some_and(Value::is_object)
    {
        return None;
    }
    let map = schema.as_object_mut()?;
    let defs = map.remove("$defs")?;
    map.insert("definitions".to_string(), defs);
    rewrite_schema(schema);
    Some(())
}

/// Rewrites the `$ref`s of a schema and of the subschemas draft 7 knows (keywords
/// holding data, such as `const`, `enum` or `default`, are left alone: an object
/// there is a value, not a schema). A reference into `$defs` this walk misses is left
/// dangling and fails to compile, which sends the schema to boon's path: never a
/// different verdict. The walk keeps its own stack; serde_json bounds the nesting.
fn rewrite_schema(schema: &mut Value) {
    let mut work = vec![schema];
    while let Some(v) = work.pop() {
        let Value::Object(m) = v else { continue };
        // Keywords beside a `$ref` do not validate in draft 6/7, but a pointer may
        // still lead into them, so they are rewritten too.
        if let Some(Value::String(r)) = m.get_mut("$ref")
            && let Some(rest) = r.strip_prefix(FROM)
        {
            *r = format!("{TO}{rest}");
        }
        for (key, x) in m.iter_mut() {
            match key.as_str() {
                "additionalProperties"
                | "additionalItems"
                | "propertyNames"
                | "contains"
                | "not"
                | "if"
                | "then"
                | "else" => work.push(x),
                "items" => match x {
                    Value::Array(items) => work.extend(items.iter_mut()),
                    other => work.push(other),
                },
                "allOf" | "anyOf" | "oneOf" => {
                    if let Value::Array(items) = x {
                        work.extend(items.iter_mut());
                    }
                }
                "properties" | "patternProperties" | "definitions" => {
                    if let Value::Object(defs) = x {
                        work.extend(defs.values_mut());
                    }
                }
                "dependencies" => {
                    if let Value::Object(deps) = x {
                        work.extend(deps.values_mut().filter(|d| d.is_object()));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn draft7_defs_move_to_definitions_with_their_references() {
        let s = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": "#/$defs/root",
            "$defs": {
                "root": {"type": "object", "properties": {
                    "a": {"$ref": "#/$defs/a"},
                    "c": {"const": {"$ref": "#/$defs/a"}},
                    "l": {"items": [{"$ref": "#/$defs/a"}], "anyOf": [{"$ref": "#/$defs/a/x"}]}
                }},
                "a": {"type": "string", "x": {"$ref": "#/$defs/root"}}
            }
        });
        let mut out = s;
        defs_as_definitions(&mut out).unwrap();
        // The root is a `$ref`: draft 7 ignores its siblings, but boon still resolves
        // pointers into them, so the definitions move all the same.
        assert_eq!(out["$ref"], "#/definitions/root");
        assert!(out.get("$defs").is_none());
        let root = &out["definitions"]["root"]["properties"];
        assert_eq!(root["a"]["$ref"], "#/definitions/a");
        assert_eq!(root["l"]["items"][0]["$ref"], "#/definitions/a");
        assert_eq!(root["l"]["anyOf"][0]["$ref"], "#/definitions/a/x");
        // Data keeps its text; unknown keywords are no schemas in draft 7.
        assert_eq!(root["c"]["const"]["$ref"], "#/$defs/a");
        assert_eq!(out["definitions"]["a"]["x"]["$ref"], "#/$defs/root");
    }

    #[test]
    fn other_drafts_and_clashing_schemas_are_left_alone() {
        for s in [
            json!({"$defs": {"a": {}}, "$ref": "#/$defs/a"}),
            json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {}}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#", "$defs": {}, "definitions": {}}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#", "$defs": true}),
            json!({"$schema": "http://json-schema.org/draft-07/schema#"}),
        ] {
            let mut moved = s.clone();
            assert!(defs_as_definitions(&mut moved).is_none(), "{s}");
            assert_eq!(moved, s);
        }
    }
}
