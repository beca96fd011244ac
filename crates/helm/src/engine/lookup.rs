//! Helm's `lookup` template function. Rendering offline (`helm template`, a client
//! dry-run) gets Helm's placeholder, which always returns an empty map; rendering for a
//! cluster (`helm install`/`upgrade`) queries it. The query itself is behind the
//! [`Lookup`] trait so this crate stays free of any Kubernetes client: capstan-cluster
//! implements it, and the engine only adds the per-render bound on the number of calls.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use gotmpl::{FuncError, FuncMap, Map, MapInner, Param, Signature, Value};

/// At most this many `lookup` calls per render: a template looping over a large range
/// cannot turn one render into an unbounded number of API requests.
pub const MAX_LOOKUPS_PER_RENDER: usize = 512;

/// Queries a cluster for `lookup apiVersion kind namespace name`, with Helm's meaning:
/// the object as a map (`.metadata.name`, `.data.password`); an empty map when it does
/// not exist; a list object (a map with `items`) when `name` is empty; `namespace`
/// empty for cluster-scoped kinds or all namespaces. `Err` carries the message the
/// render fails with (after `error calling lookup: `).
///
/// Rendering is synchronous: an implementation that talks to an async client must
/// be called on a thread where it may block (capstan renders in `spawn_blocking`).
pub trait Lookup: Send + Sync + fmt::Debug {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String>;
}

/// Helm's Go signature, `func(string, string, string, string)`: the executor checks
/// argument count and types before the call, with Go's messages.
fn signature() -> Signature {
    Signature::new(&[Param::String; 4])
}

fn string_args(args: &[Value]) -> Result<[&str; 4], FuncError> {
    let s = |i: usize| match args.get(i) {
        Some(Value::String(s)) => Ok(&**s),
        Some(other) => Err(FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
        None => Err(FuncError::wrong_args("lookup", 4, args.len())),
    };
    if args.len() != 4 {
        return Err(FuncError::wrong_args("lookup", 4, args.len()));
    }
    Ok([s(0)?, s(1)?, s(2)?, s(3)?])
}

/// Helm's client-less `lookup`: always an empty map.
pub(crate) fn add_offline(f: &mut FuncMap) {
    f.add("lookup", |args| {
        string_args(args)?;
        Ok(Value::Map(Map::new()))
    });
    f.signature("lookup", signature());
}

/// A function map holding only a `lookup` that queries `client`, counting its calls
/// (built per render, so the count is per render).
pub(crate) fn cluster_funcs(client: Arc<dyn Lookup>) -> FuncMap {
    let calls = AtomicUsize::new(0);
    let mut f = FuncMap::new();
    f.add("lookup", move |args| {
        let [api_version, kind, namespace, name] = string_args(args)?;
        if calls.fetch_add(1, Ordering::Relaxed) >= MAX_LOOKUPS_PER_RENDER {
            return Err(FuncError::new(format!(
                "more than {MAX_LOOKUPS_PER_RENDER} lookups in one render (capstan's limit)"
            )));
        }
        client
            .lookup(api_version, kind, namespace, name)
            .map_err(FuncError::new)
    });
    f.signature("lookup", signature());
    f
}

/// An object decoded as Kubernetes' unstructured JSON decoding types it, which is what
/// Helm's `lookup` hands templates: integers are `int64`, other numbers `float64`
/// (an integer too large for int64 becomes a float too), objects
/// `map[string]interface{}`, arrays `[]interface{}`. The recursion is as deep as the
/// JSON, which serde_json's parser already limits to 128 levels.
pub fn value_from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int64(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(items) => Value::list(items.iter().map(value_from_json).collect()),
        serde_json::Value::Object(fields) => Value::map(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), value_from_json(v)))
                .collect::<MapInner>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_numbers_are_typed_as_unstructured_decoding_does() {
        let v = value_from_json(&json!({
            "replicas": 3, "ratio": 0.5, "whole": 2.0, "big": 18446744073709551615u64,
            "neg": -7, "list": [1, "a", null, true]
        }));
        let Value::Map(m) = v else { panic!("map") };
        assert!(matches!(m.get("replicas"), Some(Value::Int64(3))));
        assert!(matches!(m.get("neg"), Some(Value::Int64(-7))));
        assert!(matches!(m.get("ratio"), Some(Value::Float(f)) if f == 0.5));
        assert!(matches!(m.get("whole"), Some(Value::Float(f)) if f == 2.0));
        assert!(matches!(m.get("big"), Some(Value::Float(_))));
        let Some(Value::List(l)) = m.get("list") else {
            panic!("list")
        };
        assert_eq!(l.len(), 4);
    }

    /// Answers from a fixed object; records what it was asked.
    #[derive(Debug, Default)]
    struct Fake {
        asked: std::sync::Mutex<Vec<String>>,
    }

    impl Lookup for Fake {
        fn lookup(&self, av: &str, kind: &str, ns: &str, name: &str) -> Result<Value, String> {
            self.asked
                .lock()
                .unwrap()
                .push(format!("{av} {kind} {ns} {name}"));
            match name {
                "x" => Ok(value_from_json(&json!({"data": {"password": "c2VjcmV0"}}))),
                "boom" => Err("secrets \"boom\" is forbidden".into()),
                _ => Ok(Value::Map(Map::new())),
            }
        }
    }

    fn chart(template: &str) -> crate::chart::Chart {
        let files = [
            ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("templates/a.yaml", template),
        ];
        crate::chart::Chart::from_files(
            files
                .iter()
                .map(|(n, d)| crate::chart::BufferedFile {
                    name: n.to_string(),
                    data: d.as_bytes().to_vec(),
                })
                .collect(),
        )
        .unwrap()
    }

    fn render_with(template: &str, lookup: Option<Arc<dyn Lookup>>) -> Result<String, String> {
        let opts = crate::engine::RenderOptions {
            lookup,
            ..Default::default()
        };
        crate::engine::render(&chart(template), &Map::new(), &opts)
            .map(|r| r.manifests[0].content.clone())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn cluster_lookup_replaces_the_offline_placeholder() {
        // `.data.password` on the empty map fails in Go (nil pointer), hence `dig`.
        let t = "p: {{ dig \"data\" \"password\" \"\" (lookup \"v1\" \"Secret\" .Release.Namespace \"x\") }}\n\
                 m: {{ lookup \"v1\" \"Secret\" \"\" \"y\" | len }}\n";
        let fake = Arc::new(Fake::default());
        assert_eq!(
            render_with(t, Some(fake.clone())).unwrap(),
            "p: c2VjcmV0\nm: 0\n"
        );
        assert_eq!(
            *fake.asked.lock().unwrap(),
            ["v1 Secret default x", "v1 Secret  y"]
        );
        // The same templates rendered offline (the parsed set is cached) stay empty.
        assert_eq!(render_with(t, None).unwrap(), "p: \nm: 0\n");
    }

    #[test]
    fn lookup_errors_fail_the_render_with_the_clients_message() {
        let e = render_with(
            "{{ lookup \"v1\" \"Secret\" \"ns\" \"boom\" }}",
            Some(Arc::new(Fake::default())),
        )
        .unwrap_err();
        assert!(
            e.ends_with("error calling lookup: secrets \"boom\" is forbidden"),
            "{e}"
        );
        let e = render_with("{{ lookup \"v1\" \"Secret\" 1 \"x\" }}", None).unwrap_err();
        assert!(e.contains("expected string"), "{e}");
    }

    #[test]
    fn lookups_per_render_are_bounded() {
        let t = format!(
            "n: {{{{ range until {} }}}}{{{{ $_ := lookup \"v1\" \"Secret\" \"\" \"\" }}}}{{{{ end }}}}ok",
            MAX_LOOKUPS_PER_RENDER + 1
        );
        let e = render_with(&t, Some(Arc::new(Fake::default()))).unwrap_err();
        assert!(e.contains("lookups in one render"), "{e}");
        let t = format!(
            "n: {{{{ range until {} }}}}{{{{ $_ := lookup \"v1\" \"Secret\" \"\" \"\" }}}}{{{{ end }}}}ok",
            MAX_LOOKUPS_PER_RENDER
        );
        assert!(render_with(&t, Some(Arc::new(Fake::default()))).is_ok());
    }
}
