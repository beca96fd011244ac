//! Helm's `common.Values` (`type Values map[string]interface{}`) as templates see it.
//!
//! The render data `.`, every chart's `.Values` and `.Template` are of this named
//! map type in Helm 4.2.3 (engine.go executes each template with its `Values`,
//! `ToRenderValues` stores `CoalesceValues`' result, a subchart gets
//! `Values.Table(...)` or `make(common.Values)`), while the maps inside them and
//! `.Release`, `.Subcharts` are plain `map[string]interface {}`. Templates see the
//! name (`typeOf`, `%T`, `%#v`, `deepEqual` against a plain map, Sprig's `dig`
//! refusing it) and can call the methods, which Go's field lookup tries before map
//! keys. The type is a property of the reference ([`gotmpl::Map::with_type`]), so
//! the map itself stays shared with every plain view of it.

use gotmpl::func::{Param, Runtime};
use gotmpl::size::{Layout, check_printed_size};
use gotmpl::value::{MapMethod, MapType};
use std::sync::Arc;

use gotmpl::{Elem, Map, Object, Value};

use crate::values::{self, PrintError};

/// `common.Values` (pkg/chart/common/values.go).
pub static COMMON_VALUES: MapType = MapType::new("common.Values", &METHODS);

/// Its exported methods.
static METHODS: [MapMethod; 5] = [
    MapMethod {
        name: "AsMap",
        params: &[],
        call: as_map,
    },
    MapMethod {
        name: "Encode",
        // An interface no template value implements: only nil gets through.
        params: &[Param::Ptr("io.Writer")],
        call: encode,
    },
    MapMethod {
        name: "PathValue",
        params: &[Param::String],
        call: path_value,
    },
    MapMethod {
        name: "Table",
        params: &[Param::String],
        call: table,
    },
    MapMethod {
        name: "YAML",
        params: &[],
        call: yaml,
    },
];

/// `m` as a `common.Values` value.
pub fn values_value(m: &Map) -> Value {
    Value::Map(m.with_type(&COMMON_VALUES))
}

/// `AsMap`: the map itself as `map[string]interface{}`, or a new empty one when it
/// has no entries (so writes to an empty result are not seen through `.Values`).
fn as_map(_: &mut dyn Runtime, recv: &Map, _: &[Value]) -> Result<Value, String> {
    if recv.is_empty() {
        return Ok(Value::empty_map());
    }
    Ok(Value::Map(recv.plain()))
}

/// sigs.k8s.io/yaml's `Marshal` of the map (Helm's `toYaml` text before it trims
/// the final newline). The outer error is the renderer's value size limit.
fn marshal(rt: &mut dyn Runtime, recv: &Map) -> Result<Result<String, PrintError>, String> {
    let v = values_value(recv);
    check_printed_size(
        std::slice::from_ref(&v),
        Layout::IndentMaps,
        rt.max_value_bytes(),
    )
    .map_err(|e| e.message)?;
    Ok(values::to_yaml(&v).map(|mut text| {
        text.push('\n');
        text
    }))
}

/// `YAML() (string, error)`.
fn yaml(rt: &mut dyn Runtime, recv: &Map, _: &[Value]) -> Result<Value, String> {
    match marshal(rt, recv)? {
        Ok(text) => Ok(Value::str(text)),
        Err(e) => Err(e.yaml_marshal_text()),
    }
}

/// `Encode(w io.Writer) error`: only a nil writer can reach it from a template, so
/// after marshalling it is Go's nil dereference. A marshalling error is the
/// method's one result, which text/template takes as a value, not as a failure.
fn encode(rt: &mut dyn Runtime, recv: &Map, _: &[Value]) -> Result<Value, String> {
    match marshal(rt, recv)? {
        Ok(_) => {
            Err("runtime error: invalid memory address or nil pointer dereference".to_string())
        }
        Err(e) => Ok(Value::Object(Arc::new(GoError {
            // `fmt.Errorf("...: %w")` around encoding/json's error; go-yaml's own
            // errors come from `errors.New`.
            type_name: if e.in_json_step() {
                "*fmt.wrapError"
            } else {
                "*errors.errorString"
            },
            text: e.yaml_marshal_text(),
        }))),
    }
}

/// A Go `error` value a template holds: printed by its `Error` method, a pointer
/// to a struct without exported fields to the encoders (`{}`).
struct GoError {
    type_name: &'static str,
    text: String,
}

impl Object for GoError {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn field(&self, name: &str) -> Option<Value> {
        (name == "Error").then(|| Value::str(&self.text))
    }
    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        (name == "Error").then_some(&[][..])
    }
    fn display(&self) -> String {
        self.text.clone()
    }
    fn go_stringer(&self) -> bool {
        true
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn json_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(Vec::new())
    }
    fn go_fields(&self) -> Option<Vec<(String, Value)>> {
        Some(Vec::new())
    }
}

/// `NoTableError`.
fn no_table(key: &str) -> String {
    format!("{} is not a table", gotmpl::gofmt::quote(key))
}

/// `NoValueError`.
fn no_value(key: &str) -> String {
    format!("{} is not a value", gotmpl::gofmt::quote(key))
}

/// `tableLookup`: a `map[string]interface{}` or a `common.Values` under `key`.
fn table_lookup(m: &Map, key: &str) -> Result<Map, String> {
    match m.get(key) {
        Some(Value::Map(t))
            if t.elem() == Elem::Any && t.named().is_none_or(|n| n.name == COMMON_VALUES.name) =>
        {
            Ok(t.with_type(&COMMON_VALUES))
        }
        _ => Err(no_table(key)),
    }
}

/// `Table(name string) (Values, error)`: dotted names walk nested tables.
fn table_path(recv: &Map, name: &str) -> Result<Map, String> {
    let mut table = recv.with_type(&COMMON_VALUES);
    for part in name.split('.') {
        table = table_lookup(&table, part)?;
    }
    Ok(table)
}

fn table(_: &mut dyn Runtime, recv: &Map, args: &[Value]) -> Result<Value, String> {
    let name = args.first().and_then(Value::as_str).unwrap_or_default();
    table_path(recv, name).map(Value::Map)
}

/// `istable`: only a plain `map[string]interface{}` is a table here, so a value
/// that is itself a `common.Values` (`.Values` under `.`) is returned as a value.
fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(m) if m.elem() == Elem::Any && m.named().is_none())
}

/// `PathValue(path string) (interface{}, error)`: the non-table value at a dotted
/// path; every failure names the last key.
fn path_value(_: &mut dyn Runtime, recv: &Map, args: &[Value]) -> Result<Value, String> {
    let path = args.first().and_then(Value::as_str).unwrap_or_default();
    if path.is_empty() {
        return Err("YAML path cannot be empty".to_string());
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => match table_path(recv, parent) {
            Ok(t) => (t, key),
            Err(_) => return Err(no_value(key)),
        },
        None => (recv.clone(), path),
    };
    match parent.get(key) {
        Some(v) if !is_table(&v) => Ok(v),
        _ => Err(no_value(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gotmpl::{MapInner, Templates};

    fn render(src: &str, data: &Value) -> Result<String, String> {
        let mut t = Templates::new();
        t.funcs(crate::engine::funcs::helm_funcs(Default::default()));
        t.parse("t", src).map_err(|e| e.to_string())?;
        t.execute("t", data).map_err(|e| e.to_string())
    }

    fn data() -> Value {
        let v = values::parse_yaml_value("a: {b: {c: 1}}\nx: 1\nYAML: key\ne: {}\n").unwrap();
        let Value::Map(m) = v else { unreachable!() };
        let mut top = MapInner::new();
        top.insert("Values".into(), values_value(&m));
        values_value(&Map::from_inner(top))
    }

    #[test]
    fn method_lookup_matches_the_table() {
        for m in &METHODS {
            assert!(std::ptr::eq(COMMON_VALUES.method(m.name).unwrap(), m));
        }
        assert!(COMMON_VALUES.method("Values").is_none());
        assert!(COMMON_VALUES.method("yAML").is_none());
    }

    #[test]
    fn type_is_named_and_sticks_to_the_reference() {
        let d = data();
        assert_eq!(
            render(
                "{{ typeOf . }} {{ typeOf .Values }} {{ typeOf .Values.a }} \
                 {{ $v := .Values }}{{ typeOf $v }} {{ typeOf (index (dict \"k\" .Values) \"k\") }} \
                 {{ typeOf (merge .Values (dict)) }} {{ typeOf (deepCopy .Values) }} {{ kindOf .Values }}",
                &d
            )
            .unwrap(),
            "common.Values common.Values map[string]interface {} common.Values common.Values \
             map[string]interface {} common.Values map"
        );
        assert_eq!(
            render(
                "{{ deepEqual .Values .Values.AsMap }} {{ deepEqual .Values (deepCopy .Values) }} \
                 {{ printf \"%T\" .Values.e }} {{ printf \"%#v\" (.Values.Table \"e\") }}",
                &d
            )
            .unwrap(),
            "false true map[string]interface {} common.Values{}"
        );
    }

    #[test]
    fn methods_win_over_keys_and_share_the_map() {
        let d = data();
        assert_eq!(
            render("{{ index .Values \"YAML\" }}|{{ .Values.YAML }}", &d).unwrap(),
            "key|YAML: key\na:\n  b:\n    c: 1\ne: {}\nx: 1\n"
        );
        assert_eq!(
            render(
                "{{ $_ := set .Values.AsMap \"n\" 2 }}{{ .Values.n }} \
                 {{ $_ := set (.Values.Table \"e\").AsMap \"n\" 2 }}{{ len .Values.e }} \
                 {{ .Values.Table \"a.b\" }} {{ .Values.PathValue \"a.b.c\" }} \
                 {{ typeOf (.PathValue \"Values\") }}",
                &d
            )
            .unwrap(),
            "2 0 map[c:1] 1 common.Values"
        );
    }

    #[test]
    fn method_errors_are_helms() {
        let d = data();
        let err = |src: &str| render(src, &d).unwrap_err();
        assert!(
            err("{{ .Values.Table \"a.z\" }}")
                .ends_with("error calling Table: \"z\" is not a table")
        );
        assert!(
            err("{{ .Values.Table \"x\" }}").ends_with("error calling Table: \"x\" is not a table")
        );
        assert!(
            err("{{ .Values.PathValue \"a.b\" }}")
                .ends_with("error calling PathValue: \"b\" is not a value")
        );
        assert!(
            err("{{ .Values.PathValue \"z.y\" }}")
                .ends_with("error calling PathValue: \"y\" is not a value")
        );
        assert!(
            err("{{ .Values.PathValue \"\" }}")
                .ends_with("error calling PathValue: YAML path cannot be empty")
        );
        assert!(err("{{ .PathValue \"Values.a\" }}").ends_with("\"a\" is not a value"));
        assert!(
            err("{{ .Values.Table }}").ends_with("wrong number of args for Table: want 1 got 0")
        );
        assert!(err("{{ .Values.Table 1 }}").ends_with("expected string; found 1"));
        assert!(
            err("{{ .Values.YAML 1 }}").ends_with("wrong number of args for YAML: want 0 got 1")
        );
        assert!(
            err("{{ .Values.Encode \"x\" }}")
                .ends_with("can't handle \"x\" for arg of type io.Writer")
        );
        assert!(
            err("{{ .Values.Encode . }}")
                .ends_with("wrong type for value; expected io.Writer; got common.Values")
        );
        assert!(err("{{ .Values.Encode nil }}").ends_with(
            "error calling Encode: runtime error: invalid memory address or nil pointer dereference"
        ));
        assert!(err("{{ dig \"a\" 0 .Values }}").ends_with("error calling dig: interface conversion: interface {} is common.Values, not map[string]interface {}"));
        assert!(
            err("{{ eq .Values 1 }}")
                .ends_with("incompatible types for comparison: common.Values and int")
        );
    }
}
