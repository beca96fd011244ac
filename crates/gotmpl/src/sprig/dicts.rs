//! Dictionary functions (Sprig's dict.go) and mergo-style merging. Dicts are shared
//! references: `set`, `unset`, `merge` and `mergeOverwrite` change the caller's map.

use crate::func::{FuncError, FuncMap};
use crate::stack::{ContainerPath, grow};
use crate::value::{Elem, Map, MapInner, Object, Value};

use super::args::{self, R, arity, arity_min};
use super::conv::strval;
use super::defaults::is_empty;
use super::strings::strings_value;

pub(super) fn register(f: &mut FuncMap) {
    f.add("dict", |a| {
        let mut inner = MapInner::new();
        for pair in a.chunks(2) {
            let key = strval(&pair[0]);
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
            inner.insert(key, value);
        }
        Ok(Value::map(inner))
    });
    f.add("get", |a| {
        arity("get", a, 2)?;
        let d = args::map(&a[0])?;
        let key = args::string(&a[1])?;
        Ok(d.and_then(|m| m.get(key)).unwrap_or_else(|| Value::str("")))
    });
    f.add("set", |a| {
        arity("set", a, 3)?;
        let d = args::map_mut("set", &a[0])?;
        d.insert(args::string(&a[1])?, a[2].clone());
        // The parameter is `map[string]interface{}`: a named map comes back plain.
        Ok(Value::Map(d.plain()))
    });
    f.add("unset", |a| {
        arity("unset", a, 2)?;
        let key = args::string(&a[1])?;
        match args::map(&a[0])? {
            Some(d) => {
                d.remove(key);
                Ok(Value::Map(d.plain()))
            }
            // A nil map[string]interface{}, which prints as "map[]".
            None => Ok(Value::empty_map()),
        }
    });
    f.add("hasKey", |a| {
        arity("hasKey", a, 2)?;
        let d = args::map(&a[0])?;
        let key = args::string(&a[1])?;
        Ok(Value::Bool(d.is_some_and(|m| m.contains_key(key))))
    });
    f.add("pluck", |a| {
        arity_min("pluck", a, 1)?;
        let key = args::string(&a[0])?;
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = args::map(d)?.and_then(|m| m.get(key)) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    // Go ranges maps in random order, so Sprig's `keys` and `values` are unordered;
    // ours come out sorted by key, which is one of the orders Go may produce.
    f.add("keys", |a| {
        let mut out = Vec::new();
        for d in a {
            if let Some(m) = args::map(d)? {
                out.extend(m.keys());
            }
        }
        Ok(strings_value(out))
    });
    f.add("values", |a| {
        arity("values", a, 1)?;
        let vals = args::map(&a[0])?
            .map(|m| m.entries().into_iter().map(|(_, v)| v).collect())
            .unwrap_or_default();
        Ok(Value::list(vals))
    });
    f.add("pick", |a| {
        arity_min("pick", a, 1)?;
        let d = args::map(&a[0])?;
        let mut out = MapInner::new();
        for k in &a[1..] {
            let k = args::string(k)?;
            if let Some(v) = d.and_then(|m| m.get(k)) {
                out.insert(k.to_string(), v);
            }
        }
        Ok(Value::map(out))
    });
    f.add("omit", |a| {
        arity_min("omit", a, 1)?;
        let d = args::map(&a[0])?;
        let omit = a[1..]
            .iter()
            .map(args::string)
            .collect::<Result<Vec<_>, _>>()?;
        let out: MapInner = d
            .map(|m| m.entries())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| !omit.contains(&k.as_str()))
            .collect();
        Ok(Value::map(out))
    });
    f.add("dig", |a| {
        if a.len() < 3 {
            return Err(FuncError::new("dig needs at least three arguments"));
        }
        let dict = a[a.len() - 1].clone();
        // Sprig asserts the dict's type before the keys'.
        if !is_plain_map(&dict) {
            return Err(assertion_error(&dict, "map[string]interface {}"));
        }
        let default = a[a.len() - 2].clone();
        let keys = a[..a.len() - 2]
            .iter()
            .map(|k| {
                k.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| assertion_error(k, "string"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        dig(&dict, default, &keys)
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        f.add(name, move |a| {
            arity_min(name, a, 1)?;
            let dst = args::map(&a[0])?;
            let srcs = a[1..]
                .iter()
                .map(args::map)
                .collect::<Result<Vec<_>, _>>()?;
            // mergo replaces a nil destination map with a new one.
            let (dst, result) = match dst {
                Some(d) => (d.clone(), Value::Map(d.plain())),
                None => {
                    let m = crate::value::Map::new();
                    (m.clone(), Value::Map(m))
                }
            };
            let must = name.starts_with("must");
            for src in srcs.into_iter().flatten() {
                match merge_into(&dst, src, overwrite, &mut ContainerPath::new()) {
                    Ok(()) => {}
                    // Sprig's `merge` swallows mergo's errors and returns "".
                    Err(MergeStop::Mergo(m)) if must => return Err(FuncError::new(m)),
                    Err(MergeStop::Mergo(_)) => return Ok(Value::str("")),
                    Err(MergeStop::Panic(m)) => return Err(FuncError::new(m)),
                }
            }
            Ok(result)
        });
    }
}

/// Whether `v.(map[string]interface{})` succeeds in Go: not for a typed map
/// (`map[string]string`) nor a named map type (`common.Values`), whose dynamic
/// types differ even where a parameter of that type would accept them.
fn is_plain_map(v: &Value) -> bool {
    matches!(v, Value::Map(m) if m.elem() == Elem::Any && m.named().is_none())
}

/// Go's failed type assertion on an `interface {}` holding `v`.
fn assertion_error(v: &Value, want: &str) -> FuncError {
    let got = match v {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    FuncError::new(format!(
        "interface conversion: interface {{}} is {got}, not {want}"
    ))
}

fn dig(dict: &Value, default: Value, keys: &[String]) -> R {
    let mut cur = dict.clone();
    for (i, key) in keys.iter().enumerate() {
        // Sprig asserts `map[string]interface{}`; a typed map fails the assertion.
        let m = match &cur {
            Value::Map(m) if is_plain_map(&cur) => m,
            _ => return Err(assertion_error(&cur, "map[string]interface {}")),
        };
        let Some(step) = m.get(key) else {
            return Ok(default);
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        cur = step;
    }
    Ok(default)
}

/// Why a merge stopped early.
pub(crate) enum MergeStop {
    /// mergo's own error: Sprig's `merge` then returns "", `mustMerge` fails.
    Mergo(&'static str),
    /// A reflect panic inside mergo, which fails the call either way.
    Panic(String),
}

/// mergo's `ErrDifferentArgumentsTypes`: a pointer (`*semver.Version`) met by a map
/// or struct it cannot merge into, without `WithOverride`.
const DIFFERENT_TYPES: &str = "src and dst must be of same type";
/// Setting an `interface {}` element of a `map[string]interface {}` source into a
/// `map[string]string` destination (`split`'s result, `.Chart.Annotations`).
const STRING_MAP_SET: &str =
    "reflect.Value.SetMapIndex: value of type interface {} is not assignable to type string";
/// A struct with exported fields (`genCA`'s certificate, `KubeVersion`) met by a
/// map: mergo walks the struct's fields and asks the map for the same field.
const FIELD_OF_MAP: &str = "reflect: call of reflect.Value.Field on map Value";

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "map",
        Value::Object(o) => o.kind_name(),
        _ => "",
    }
}

/// A Go struct whose exported fields mergo merges one by one.
fn has_mergeable_fields(v: &Value) -> bool {
    matches!(v, Value::Object(o) if o.kind_name() == "struct"
        && o.go_fields().is_some_and(|f| !f.is_empty()))
}

/// mergo on two pointers merges what they point at. A struct with exported fields
/// (`*common.Capabilities`) is walked field by field against the source struct's
/// fields, which fails on the first field unless the source has the same type; one
/// without (`*semver.Version`, `*time.Location`) is assigned whole, but only when
/// overwriting: `*dst = *src`, seen through every holder of the pointer.
fn pointer_into_pointer(d: &dyn Object, s: &dyn Object, overwrite: bool) -> Result<(), MergeStop> {
    let same = d
        .go_equal(s, false)
        .unwrap_or_else(|| std::ptr::addr_eq(d as *const dyn Object, s as *const dyn Object));
    if same || d.type_name() == s.type_name() && d.go_fields().is_some_and(|f| !f.is_empty()) {
        return Ok(());
    }
    let pointee = |o: &dyn Object| o.type_name().trim_start_matches('*').to_string();
    if d.go_fields().is_some_and(|f| !f.is_empty()) {
        // The first fields: semver.Version's `major uint64`, time.Location's
        // `name string`.
        let first = match s.type_name() {
            "*semver.Version" => "uint64",
            "*time.Location" => "string",
            _ => return Ok(()),
        };
        return Err(MergeStop::Panic(format!(
            "reflect: call of reflect.Value.Field on {first} Value"
        )));
    }
    if !overwrite {
        return Ok(());
    }
    if d.type_name() != s.type_name() {
        return Err(MergeStop::Panic(format!(
            "reflect.Set: value of type {} is not assignable to type {}",
            pointee(s),
            pointee(d)
        )));
    }
    // Two different locations would overwrite one of Go's zones, shared by the
    // whole process (`Local`, `UTC`): not modelled (see the README's known gaps).
    super::semver::overwrite_version(d, s);
    Ok(())
}

/// mergo's `Merge(&dst, src)` on `map[string]interface{}` (with `WithOverride` when
/// `overwrite`): nested maps merge recursively in place; otherwise a source value
/// lands only where the destination is missing or empty (Go zero value), or
/// everywhere when overwriting (nil sources only when overwriting). Any depth
/// merges; a destination map met again inside itself is left alone (mergo would
/// follow it forever).
pub(crate) fn merge_into(
    dst: &Map,
    src: &Map,
    overwrite: bool,
    path: &mut ContainerPath,
) -> Result<(), MergeStop> {
    if dst.ptr_eq(src) && !path.is_empty() {
        return Ok(());
    }
    let dst_value = Value::Map(dst.clone());
    if !ContainerPath::id(&dst_value).is_some_and(|id| path.enter(id)) {
        return Ok(());
    }
    let merged = grow(|| merge_entries(dst, src, overwrite, path));
    path.leave();
    merged
}

fn merge_entries(
    dst: &Map,
    src: &Map,
    overwrite: bool,
    path: &mut ContainerPath,
) -> Result<(), MergeStop> {
    // Only strings go into a `map[string]string`; a `map[string]interface {}`
    // source's elements are interfaces, which reflect refuses to set there.
    let set = |key: String, v: Value| {
        if dst.elem() == Elem::String && src.elem() != Elem::String {
            return Err(MergeStop::Panic(STRING_MAP_SET.to_string()));
        }
        dst.insert(key, v);
        Ok(())
    };
    for (key, s) in src.entries() {
        let d = dst.get(&key);
        if let (Some(Value::Object(dp)), Value::Object(sp)) = (&d, &s)
            && dp.kind_name() == "ptr"
            && sp.kind_name() == "ptr"
        {
            pointer_into_pointer(dp.as_ref(), sp.as_ref(), overwrite)?;
        }
        // mergo merges a map, struct or pointer source into the destination value
        // first; that is where a pointer or a struct with fields objects.
        if matches!(kind(&s), "map" | "struct")
            && let Some(dv) = &d
        {
            if kind(dv) == "ptr" && !overwrite {
                return Err(MergeStop::Mergo(DIFFERENT_TYPES));
            }
            if has_mergeable_fields(dv) && kind(&s) == "map" {
                return Err(MergeStop::Panic(FIELD_OF_MAP.to_string()));
            }
        }
        match &s {
            Value::Nil => {
                if overwrite {
                    set(key, Value::Nil)?;
                }
            }
            Value::Map(sm) => match &d {
                // A nil map (`.Chart.Annotations` when absent) cannot take keys:
                // mergo leaves it and then sets the source map in its place.
                Some(Value::Map(dm)) if dm.is_nil_map() => set(key, s.clone())?,
                Some(Value::Map(dm)) => {
                    if !dm.ptr_eq(sm) {
                        merge_into(dm, sm, overwrite, path)?;
                    }
                    if dm.is_empty() {
                        set(key, s.clone())?;
                    }
                }
                Some(dv) if !is_empty(dv) && !overwrite => {}
                _ => set(key, s.clone())?,
            },
            _ => {
                let keep = matches!(&d, Some(dv) if !is_empty(dv)) && !overwrite;
                if !keep {
                    set(key, s.clone())?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    /// Helm's `map[string]string` (`.Chart.Annotations`), nil or not: reads like a
    /// map of strings, encodes nil as null, and is refused where Sprig wants
    /// `map[string]interface {}`.
    #[test]
    fn typed_string_maps_behave_like_go() {
        let render = |src: &str, ann: Map| {
            let mut t = crate::template::Templates::new();
            t.option_missing_key(crate::template::MissingKey::Zero);
            t.add_funcs(&crate::sprig::funcs());
            t.parse("t", src).map_err(|e| e.to_string())?;
            let mut data = MapInner::new();
            data.insert("A".into(), Value::Map(ann));
            t.execute("t", &Value::map(data)).map_err(|e| e.to_string())
        };
        let nil = || Map::nil_of(Elem::String);
        let set = || {
            let inner = [("a".to_string(), Value::str("1"))].into_iter().collect();
            Map::typed(inner, Elem::String)
        };
        let src = "{{ .A }}|{{ len .A }}|{{ typeOf .A }}|{{ .A.zz | quote }}|\
                   {{ index .A \"zz\" | quote }}|{{ toJson .A }}|{{ printf \"%#v\" .A }}";
        assert_eq!(
            render(src, nil()).unwrap(),
            r#"map[]|0|map[string]string|""|""|null|map[string]string(nil)"#
        );
        assert_eq!(
            render(src, set()).unwrap(),
            r#"map[a:1]|1|map[string]string|""|""|{"a":"1"}|map[string]string{"a":"1"}"#
        );
        assert_eq!(
            render("{{ deepCopy .A | toJson }}|{{ deepEqual .A dict }}", nil()).unwrap(),
            "null|false"
        );
        for src in [
            "{{ hasKey .A \"a\" }}",
            "{{ keys .A }}",
            "{{ get .A \"a\" }}",
        ] {
            let e = render(src, set()).unwrap_err();
            assert!(
                e.contains("expected map[string]interface {}; got map[string]string"),
                "{src}: {e}"
            );
        }
        let e = render("{{ dig \"a\" 1 .A }}", set()).unwrap_err();
        assert!(
            e.contains("interface {} is map[string]string, not map"),
            "{e}"
        );
    }

    fn m(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn dict_access() {
        let d = call(
            "dict",
            &[
                "a".into(),
                Value::Int(1),
                Value::Int(2),
                "two".into(),
                "odd".into(),
            ],
        );
        let map = d.as_map().unwrap();
        assert_eq!(map.get("a"), Some(Value::Int(1)));
        assert_eq!(map.get("2"), Some(Value::str("two")));
        assert_eq!(map.get("odd"), Some(Value::str("")));
        assert_eq!(call("get", &[d.clone(), "a".into()]), Value::Int(1));
        assert_eq!(call("get", &[d.clone(), "zz".into()]), Value::str(""));
        assert_eq!(call("hasKey", &[d.clone(), "a".into()]), Value::Bool(true));
        // set mutates the caller's dict and returns it.
        let r = call("set", &[d.clone(), "b".into(), Value::Bool(true)]);
        assert!(r.as_map().unwrap().ptr_eq(map));
        assert_eq!(map.get("b"), Some(Value::Bool(true)));
        call("unset", &[d.clone(), "b".into()]);
        assert!(!map.contains_key("b"));
        assert_eq!(
            call("keys", std::slice::from_ref(&d)),
            crate::sprig::strings::strings_value(vec!["2".into(), "a".into(), "odd".into()])
        );
        assert_eq!(
            call("pick", &[d.clone(), "a".into(), "nope".into()]),
            m(&[("a", Value::Int(1))])
        );
        assert_eq!(
            call("omit", &[d.clone(), "2".into(), "odd".into()]),
            m(&[("a", Value::Int(1))])
        );
        assert_eq!(
            call(
                "pluck",
                &["a".into(), d.clone(), m(&[("a", Value::Int(5))]), m(&[])]
            ),
            Value::list(vec![Value::Int(1), Value::Int(5)])
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "set",
                &[Value::Nil, "a".into(), Value::Int(1)]
            )
            .is_err()
        );
    }

    #[test]
    fn dig_walks_nested_dicts() {
        let d = m(&[("a", m(&[("b", m(&[("c", "found".into())]))]))]);
        assert_eq!(
            call(
                "dig",
                &["a".into(), "b".into(), "c".into(), "dflt".into(), d.clone()]
            ),
            Value::str("found")
        );
        assert_eq!(
            call("dig", &["a".into(), "x".into(), "dflt".into(), d.clone()]),
            Value::str("dflt")
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "dig",
                &[
                    "a".into(),
                    "b".into(),
                    "c".into(),
                    "d".into(),
                    "x".into(),
                    d
                ]
            )
            .is_err()
        );
    }

    #[test]
    fn merge_keeps_destination_values() {
        let dst = m(&[
            ("keep", "dst".into()),
            ("empty", "".into()),
            ("nested", m(&[("x", Value::Int(1))])),
            ("list", Value::list(vec![Value::Int(1)])),
        ]);
        let src = m(&[
            ("keep", "src".into()),
            ("empty", "filled".into()),
            ("new", Value::Bool(true)),
            ("nested", m(&[("x", Value::Int(2)), ("y", Value::Int(3))])),
            ("list", Value::list(vec![Value::Int(9)])),
            ("nil", Value::Nil),
        ]);
        let r = call("merge", &[dst.clone(), src.clone()]);
        assert!(r.as_map().unwrap().ptr_eq(dst.as_map().unwrap()));
        let want = m(&[
            ("keep", "dst".into()),
            ("empty", "filled".into()),
            ("new", Value::Bool(true)),
            ("nested", m(&[("x", Value::Int(1)), ("y", Value::Int(3))])),
            ("list", Value::list(vec![Value::Int(1)])),
        ]);
        assert_eq!(dst, want);
    }

    #[test]
    fn merge_overwrite_prefers_source() {
        let dst = m(&[
            ("a", "dst".into()),
            ("n", m(&[("x", Value::Int(1)), ("z", Value::Int(0))])),
        ]);
        let src = m(&[
            ("a", "src".into()),
            ("n", m(&[("x", Value::Int(2))])),
            ("b", Value::Nil),
        ]);
        call("mergeOverwrite", &[dst.clone(), src]);
        assert_eq!(
            dst,
            m(&[
                ("a", "src".into()),
                ("b", Value::Nil),
                ("n", m(&[("x", Value::Int(2)), ("z", Value::Int(0))]))
            ])
        );
    }

    #[test]
    fn merges_follow_mergo_on_go_types() {
        let funcs = crate::sprig::funcs();
        let string_map = || call("split", &[",".into(), "a".into()]);
        // An `interface {}` element cannot be set into a `map[string]string`...
        let dst = m(&[("k", string_map())]);
        let src = m(&[("k", m(&[("x", "y".into())]))]);
        let err = try_call(&funcs, "merge", &[dst, src]).unwrap_err();
        assert_eq!(err.message, STRING_MAP_SET);
        // ...but a string from another `map[string]string` can.
        let dst = m(&[("k", string_map())]);
        let other = call("split", &[",".into(), "b,c".into()]);
        call("merge", &[dst.clone(), m(&[("k", other)])]);
        assert_eq!(
            dst.as_map().and_then(|d| d.get("k")).map(|k| k.type_name()),
            Some("map[string]string".to_string())
        );
        // A nil `map[string]string` is replaced by the source map.
        let dst = m(&[("k", Value::Map(Map::nil_of(Elem::String)))]);
        let src_map = m(&[("x", "y".into())]);
        call("merge", &[dst.clone(), m(&[("k", src_map.clone())])]);
        assert_eq!(dst.as_map().and_then(|d| d.get("k")), Some(src_map));
        // A pointer met by a map: `merge` returns "", `mustMerge` fails.
        let version = || call("semver", &["1.2.3".into()]);
        let src = || m(&[("k", m(&[]))]);
        assert_eq!(
            call("merge", &[m(&[("k", version())]), src()]),
            Value::str("")
        );
        let err = try_call(&funcs, "mustMerge", &[m(&[("k", version())]), src()]).unwrap_err();
        assert_eq!(err.message, DIFFERENT_TYPES);
        // With WithOverride mergo replaces it instead.
        let over = call("mergeOverwrite", &[m(&[("k", version())]), src()]);
        assert_eq!(over, m(&[("k", m(&[]))]));
    }

    #[test]
    fn merging_pointers_merges_what_they_point_at() {
        let funcs = crate::sprig::funcs();
        let v = |s: &str| call("semver", &[s.into()]);
        let (a, b) = (v("1.2.3"), v("2.0.0"));
        // Without WithOverride mergo leaves the destination's version alone...
        call("merge", &[m(&[("k", a.clone())]), m(&[("k", b.clone())])]);
        assert_eq!(
            crate::gofmt::sprintf("%v", std::slice::from_ref(&a)),
            "1.2.3"
        );
        // ...with it, `*dst = *src`: the earlier value itself changes.
        call("mergeOverwrite", &[m(&[("k", a.clone())]), m(&[("k", b)])]);
        assert_eq!(
            crate::gofmt::sprintf("%v", std::slice::from_ref(&a)),
            "2.0.0"
        );
        // Pointers to different types cannot be assigned.
        let t = call("toDate", &["2006".into(), "2020".into()]);
        let Value::Object(t) = t else {
            panic!("not a time")
        };
        let loc = t.field("Location").unwrap();
        let err = try_call(
            &funcs,
            "mergeOverwrite",
            &[m(&[("k", a)]), m(&[("k", loc)])],
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "reflect.Set: value of type time.Location is not assignable to type semver.Version"
        );
    }
}
