//! The `allOf` / `anyOf` / `oneOf` nodes boon leaves out of its error tree.
//!
//! jsonschema/v6 (Helm's validator) reports a failing `allOf`, `anyOf` or `oneOf` as
//! one node (`'allOf' failed`, ...) holding the failing branches, however many fail.
//! boon, its Rust port, adds that node only when several branches fail: a single
//! failing branch's error takes the node's place. The error keeps the schema location
//! it came from, so the missing nodes can be found again: every `allOf/N` (`anyOf/N`,
//! `oneOf/N`) step between the schema that reported the parent error and the schema
//! that reported this one stood for a node of its own.

use boon::{ErrorKind, InstanceToken, ValidationError};

/// Where the parent error's validator stood: the schema it validated against and the
/// instance location it validated.
#[derive(Clone, Copy)]
pub(super) struct Scope<'a, 'v> {
    schema_url: &'a str,
    /// Steps below `schema_url` to the schema the causes were reported against.
    schema_steps: &'static str,
    instance: &'a [InstanceToken<'v>],
    /// The parent is an `allOf`/`anyOf`/`oneOf` node itself: the first branch step of
    /// each child is that node, not a missing one.
    in_branch_node: bool,
}

impl<'a, 'v> Scope<'a, 'v> {
    /// The scope `e`'s causes were reported in.
    pub(super) fn of(e: &'a ValidationError<'a, 'v>) -> Self {
        let (schema_url, schema_steps, instance): (_, _, &[InstanceToken<'v>]) = match &e.kind {
            // A reference's causes come from the schema it points at.
            ErrorKind::Reference { url, .. } => (*url, "", &e.instance_location.tokens),
            // A property name is validated on its own, as a document of its own: its
            // causes are at the root of the name, against the `propertyNames` schema.
            ErrorKind::PropertyName { .. } => (e.schema_url, "/propertyNames", &[]),
            _ => (e.schema_url, "", &e.instance_location.tokens),
        };
        Scope {
            schema_url,
            schema_steps,
            instance,
            in_branch_node: matches!(
                e.kind,
                ErrorKind::AllOf | ErrorKind::AnyOf | ErrorKind::OneOf(None)
            ),
        }
    }
}

/// A node boon left out above an error: its instance location and message.
pub(super) struct MissingNode {
    pub(super) instance_location: String,
    pub(super) message: &'static str,
}

/// The nodes jsonschema/v6 has between the parent (`scope`) and `e`, outermost first.
/// Empty when `e`'s schema location does not lie under the parent's (nothing is
/// guessed then).
pub(super) fn missing_nodes(scope: Scope<'_, '_>, e: &ValidationError<'_, '_>) -> Vec<MissingNode> {
    let Some(rel) = e
        .schema_url
        .strip_prefix(scope.schema_url)
        .and_then(|rel| rel.strip_prefix(scope.schema_steps))
    else {
        return Vec::new();
    };
    let Some(rel) = rel.strip_prefix('/') else {
        return Vec::new();
    };
    let tokens = &e.instance_location.tokens;
    if tokens.len() < scope.instance.len()
        || !tokens
            .iter()
            .zip(scope.instance)
            .all(|(a, b)| same_token(a, b))
    {
        return Vec::new();
    }
    let steps: Vec<&str> = rel.split('/').collect();
    let mut nodes = Vec::new();
    // Instance levels the schema path has gone down so far.
    let mut descended = 0;
    let mut i = 0;
    while i < steps.len() {
        let next_is_index = steps.get(i + 1).is_some_and(|s| is_index(s));
        match steps[i] {
            "properties" | "patternProperties" => {
                descended += 1;
                i += 1;
            }
            "additionalProperties"
            | "additionalItems"
            | "contains"
            | "unevaluatedProperties"
            | "unevaluatedItems" => descended += 1,
            "items" | "prefixItems" => {
                descended += 1;
                if next_is_index {
                    i += 1;
                }
            }
            "definitions" | "$defs" | "dependentSchemas" | "dependencies" => i += 1,
            // Its errors hang below a property-name node (see `Scope::of`).
            "propertyNames" => return Vec::new(),
            kw @ ("allOf" | "anyOf" | "oneOf") if next_is_index => {
                i += 1;
                if !(scope.in_branch_node && i == 1) {
                    let Some(below) =
                        tokens.get(scope.instance.len()..scope.instance.len() + descended)
                    else {
                        return Vec::new();
                    };
                    nodes.push(MissingNode {
                        instance_location: location(&tokens[..scope.instance.len()], below),
                        message: match kw {
                            "allOf" => "'allOf' failed",
                            "anyOf" => "'anyOf' failed",
                            _ => "'oneOf' failed, none matched",
                        },
                    });
                }
            }
            _ => {}
        }
        i += 1;
    }
    if scope.instance.len() + descended > tokens.len() {
        return Vec::new();
    }
    nodes
}

fn same_token(a: &InstanceToken<'_>, b: &InstanceToken<'_>) -> bool {
    match (a, b) {
        (InstanceToken::Prop(a), InstanceToken::Prop(b)) => a == b,
        (InstanceToken::Item(a), InstanceToken::Item(b)) => a == b,
        _ => false,
    }
}

fn is_index(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// An instance location as boon prints it (`/a/0/b~1c`).
fn location(head: &[InstanceToken<'_>], tail: &[InstanceToken<'_>]) -> String {
    let mut out = String::new();
    for token in head.iter().chain(tail) {
        out.push('/');
        match token {
            InstanceToken::Prop(p) => out.push_str(&p.replace('~', "~0").replace('/', "~1")),
            InstanceToken::Item(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::values::parse_values;
    use crate::values::schema::validate_single;

    fn report(schema: &str, values: &str) -> String {
        let values = parse_values(values, "t").unwrap();
        validate_single(&values, schema).unwrap_err()
    }

    #[test]
    fn single_failing_branch_keeps_its_node() {
        // Helm's report for these values, in its (map) order.
        let schema = r#"{"properties": {
            "a": {"allOf": [{"type": "object"}, {"properties": {"b": {"type": "string"}}}]},
            "p": {"items": {"anyOf": [{"type": "integer"}]}},
            "o": {"oneOf": [{"type": "string"}]}}}"#;
        let got = report(schema, "a: {b: 1}\np: [1, x]\no: 1\n");
        let mut lines: Vec<&str> = got.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                "  - at '/a/b': got number, want string",
                "  - at '/o': got number, want string",
                "  - at '/p/1': got string, want integer",
                "- at '/a': 'allOf' failed",
                "- at '/o': 'oneOf' failed, none matched",
                "- at '/p/1': 'anyOf' failed",
            ]
        );
    }

    #[test]
    fn several_failing_branches_are_not_wrapped_twice() {
        let schema = r#"{"allOf": [{"required": ["x"]}, {"required": ["y"]}]}"#;
        assert_eq!(
            report(schema, "z: 1\n"),
            "- at '': 'allOf' failed\n  - at '': missing property 'x'\n  \
             - at '': missing property 'y'\n"
        );
    }

    #[test]
    fn property_name_causes_keep_their_node() {
        let schema = r#"{"propertyNames": {"allOf": [{"maxLength": 2}]}}"#;
        assert_eq!(
            report(schema, "abc: 1\n"),
            "- at '': invalid propertyName 'abc'\n  - at '': 'allOf' failed\n    \
             - at '': maxLength: got 3, want 2\n"
        );
    }

    #[test]
    fn property_named_like_a_keyword_is_a_name() {
        let schema = r#"{"properties": {"allOf": {"type": "integer"}}}"#;
        assert_eq!(
            report(schema, "allOf: x\n"),
            "- at '/allOf': got string, want integer\n"
        );
    }
}
