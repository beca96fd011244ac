//! Environment values: the `values` of the selected environment, merged into
//! one map for capstan's own templating (`{{ values.x }}`). They are never
//! handed to Helm, so YAML 1.2 typing (serde-saphyr) is fine here.

use serde_json::{Map, Value};

/// Nesting bound for merging, matching the YAML tree's.
const MAX_DEPTH: usize = 128;

/// Merges `over` into `base`: maps merge key by key, anything else replaces.
pub(crate) fn deep_merge(base: &mut Value, over: Value) {
    merge_at(base, over, 0);
}

fn merge_at(base: &mut Value, over: Value, depth: usize) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) if depth < MAX_DEPTH => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge_at(existing, v, depth + 1),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

pub(crate) fn empty() -> Value {
    Value::Object(Map::new())
}

/// Renders every string containing template syntax in an inline environment
/// values map, with `render` (which carries the error context).
pub(crate) fn render_strings<E>(
    value: &mut Value,
    render: &mut dyn FnMut(&str) -> Result<String, E>,
) -> Result<(), E> {
    match value {
        Value::String(s) if super::template::is_template(s) => {
            *s = render(s)?;
        }
        Value::Array(items) => {
            for item in items {
                render_strings(item, render)?;
            }
        }
        Value::Object(map) => {
            for v in map.values_mut() {
                render_strings(v, render)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_maps_merge_over_earlier() {
        let mut base = json!({"a": {"x": 1, "y": [1, 2]}, "b": 1});
        deep_merge(&mut base, json!({"a": {"y": [3], "z": 2}, "c": 3}));
        assert_eq!(
            base,
            json!({"a": {"x": 1, "y": [3], "z": 2}, "b": 1, "c": 3})
        );
    }

    #[test]
    fn renders_nested_strings() {
        let mut v = json!({"a": ["{{ x }}", "plain"], "b": {"c": "{{ y }}"}});
        render_strings(&mut v, &mut |s: &str| -> Result<String, ()> {
            Ok(s.replace("{{ x }}", "1").replace("{{ y }}", "2"))
        })
        .unwrap();
        assert_eq!(v, json!({"a": ["1", "plain"], "b": {"c": "2"}}));
    }
}
