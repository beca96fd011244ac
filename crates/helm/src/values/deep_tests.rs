//! Printing values nested far deeper than a thread stack could recurse through, on a
//! stack smaller than any capstan renders on. Lengths and limits are what Helm 4.2.3
//! prints for the same values (docs/architecture.md, "Deep values").

use gotmpl::value::{Map, MapInner, Value};

use super::{PrintError, to_json, to_pretty_json, to_raw_json, to_toml, to_yaml, to_yaml_pretty};

const DEEP: usize = 100_000;

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

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow")
}

fn len(r: Result<String, PrintError>) -> usize {
    r.map(|s| s.len()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn json_prints_any_depth() {
    on_small_stack(|| {
        let (m, l) = (deep_map(DEEP), deep_list(DEEP));
        assert_eq!(len(to_json(&m)), 600_002);
        assert_eq!(len(to_raw_json(&m)), 600_002);
        assert_eq!(len(to_json(&l)), 200_002);
        // Indented output grows with the square of the depth.
        assert_eq!(len(to_pretty_json(&deep_map(3000))), 18_027_002);
    });
}

#[test]
fn yaml_fails_past_go_yamls_depth_as_helm_does() {
    on_small_stack(|| {
        // 10,000 nested lists print; one more is go-yaml v2's "exceeded max depth".
        assert_eq!(len(to_yaml(&deep_list(9_999))), 20_000);
        let e = to_yaml(&deep_list(10_000)).unwrap_err();
        assert_eq!(e.to_string(), "yaml: exceeded max depth of 10000");
        assert!(to_yaml(&deep_map(DEEP)).is_err());
        assert_eq!(len(to_yaml(&deep_map(3000))), 9_006_002);
        // goyaml.v3 and BurntSushi have no such limit.
        assert_eq!(len(to_yaml_pretty(&deep_list(DEEP))), 200_002);
        assert_eq!(len(to_yaml_pretty(&deep_map(3000))), 9_006_002);
        assert_eq!(len(to_toml(&deep_list(DEEP))), 200_002);
        assert_eq!(len(to_toml(&deep_map(3000))), 18_006_000);
    });
}

#[test]
fn self_containing_values_are_errors_not_loops() {
    let m = Map::new();
    m.insert("self", Value::Map(m.clone()));
    let v = Value::Map(m.clone());
    for printed in [
        to_json(&v),
        to_yaml(&v),
        to_yaml_pretty(&v),
        to_pretty_json(&v),
    ] {
        assert!(matches!(printed, Err(PrintError::Cycle(_))), "{printed:?}");
    }
    assert_eq!(
        to_toml(&v).unwrap_err().to_string(),
        "toml: cannot encode a map[string]interface {} that contains itself"
    );
    m.remove("self");
}
