//! Values nested far deeper than a thread stack could recurse through: every walk
//! (printing, JSON, copying, comparing, merging, dropping) must finish on a small
//! worker stack, as Go's do on its growable stacks (docs/architecture.md, "Deep
//! values").

use crate::sprig::testutil::{call, try_call};
use crate::stack::ContainerPath;
use crate::{Map, MapInner, Templates, Value};

const DEEP: usize = 100_000;

/// `{"a": {"a": ... {}}}`, `depth` maps inside the outer one.
fn deep_map(depth: usize) -> Value {
    let mut v = Value::empty_map();
    for _ in 0..depth {
        v = Value::map(MapInner::from([("a".to_string(), v)]));
    }
    v
}

fn deep_list(depth: usize) -> Value {
    let mut v = Value::list(Vec::new());
    for _ in 0..depth {
        v = Value::list(vec![v]);
    }
    v
}

/// Runs `f` on a 256 KiB stack (smaller than any worker capstan renders on).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow")
}

#[test]
fn printing_prints_every_level() {
    on_small_stack(|| {
        let v = deep_map(DEEP);
        let s = crate::sprint(std::slice::from_ref(&v));
        assert_eq!(s.len(), DEEP * "map[a:]".len() + "map[]".len());
        assert!(
            s.starts_with("map[a:map[a:") && s.ends_with(&format!("map[]{}", "]".repeat(DEEP)))
        );
        let go = crate::sprintf("%#v", std::slice::from_ref(&v));
        let innermost = format!("map[string]interface {{}}{{}}{}", "}".repeat(DEEP));
        assert!(go.ends_with(&innermost));
        let l = crate::sprintf("%+v", &[deep_list(DEEP)]);
        assert_eq!(l.len(), 2 * (DEEP + 1));
        assert!(format!("{v:?}").len() > DEEP);
    });
}

#[test]
fn json_encodes_any_depth_and_refuses_cycles() {
    on_small_stack(|| {
        let v = deep_list(DEEP);
        let json = call("toJson", std::slice::from_ref(&v));
        assert_eq!(json.as_str().map(str::len), Some(2 * (DEEP + 1)));
        assert_eq!(call("toRawJson", std::slice::from_ref(&v)), json);
        // Pretty output grows with the square of the depth; a few thousand levels
        // already need far more stack than 256 KiB without growing it.
        let pretty = call("toPrettyJson", &[deep_map(3000)]);
        let pretty = pretty.as_str().unwrap_or_default();
        assert_eq!(pretty.matches('\n').count(), 2 * 3000);
        assert!(pretty.contains("\"a\": {}") && pretty.ends_with("\n}"));
        let back = call("fromJson", &[call("toJson", &[deep_map(120)])]);
        assert_eq!(back, deep_map(120));

        let cyclic = Map::new();
        cyclic.insert("self", Value::Map(cyclic.clone()));
        let e = try_call(
            &crate::sprig::funcs(),
            "mustToJson",
            &[Value::Map(cyclic.clone())],
        )
        .err()
        .map(|e| e.message);
        assert_eq!(
            e.as_deref(),
            Some("json: unsupported value: encountered a cycle via map[string]interface {}")
        );
        assert_eq!(
            crate::sprint(&[Value::Map(cyclic.clone())]),
            "map[self:map[...]]"
        );
        cyclic.remove("self");
    });
}

#[test]
fn copy_compare_merge_and_convert_at_any_depth() {
    on_small_stack(|| {
        let v = deep_map(DEEP);
        let copy = v.deep_copy();
        assert!(!copy.as_map().unwrap().ptr_eq(v.as_map().unwrap()));
        assert!(copy == v);
        assert_eq!(
            call("deepEqual", &[copy.clone(), v.clone()]),
            Value::Bool(true)
        );
        assert_ne!(deep_map(DEEP - 1), v);
        // serde_json's own drop and serialiser recurse, so JSON trees stay as deep as
        // values files may nest (1000); converting both ways grows the stack.
        let shallower = deep_map(1000);
        let json = shallower.to_json();
        assert_eq!(Value::from_json(&json, false), shallower);

        // mergeOverwrite walks down both maps together.
        let (dst, src) = (deep_map(DEEP), deep_list(1));
        let src = Value::map(MapInner::from([
            ("a".to_string(), deep_map(DEEP - 1)),
            ("b".to_string(), src),
        ]));
        let merged = call("mergeOverwrite", &[dst, src]);
        assert_eq!(merged.as_map().map(Map::len), Some(2));
    });
}

#[test]
fn cyclic_values_copy_and_compare_without_looping() {
    let a = Map::new();
    a.insert("self", Value::Map(a.clone()));
    let b = Map::new();
    b.insert("self", Value::Map(b.clone()));
    assert_eq!(Value::Map(a.clone()), Value::Map(b.clone()));
    let copy = Value::Map(a.clone()).deep_copy();
    assert!(copy.as_map().unwrap().get("self").is_some());
    assert_eq!(
        Value::Map(a.clone()).to_json(),
        serde_json::json!({"self": null})
    );
    let merged = call("merge", &[Value::Map(a.clone()), Value::Map(b.clone())]);
    assert!(merged.as_map().is_some());
    let mut path = ContainerPath::new();
    assert!(path.enter(1) && path.len() == 1);
    // Break the cycles so the maps can be freed.
    a.remove("self");
    b.remove("self");
}

/// The colleague's report: a template loop builds the value, each printer prints it,
/// the value is dropped, all on a small stack.
#[test]
fn templates_build_print_and_drop_deep_values() {
    let out = on_small_stack(|| {
        let mut t = Templates::new();
        t.add_funcs(&crate::sprig::funcs());
        t.parse(
            "t",
            r#"{{ $d := dict }}{{ $l := list }}{{ range until 20000 }}{{ $d = dict "a" $d }}{{ $l = list $l }}{{ end -}}
{{ toJson $d | len }} {{ toRawJson $l | len }} {{ toString $d | len }} {{ printf "%#v" $l | len }} {{ deepCopy $d | toJson | len }} {{ eq (toJson $d) (toJson (deepCopy $d)) }}"#,
        )
        .map_err(|e| e.to_string())?;
        t.execute("t", &Value::Nil).map_err(|e| e.to_string())
    });
    assert_eq!(
        out.as_deref(),
        // What Helm 4.2.3 renders for the same template.
        Ok("120002 40002 140005 320016 120002 true"),
        "{out:?}"
    );
}
