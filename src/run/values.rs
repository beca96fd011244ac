//! A release's user-supplied values, assembled from the stack the way Helm assembles
//! `-f a.yaml -f b.yaml --set k=v`: each source parsed with Helm's YAML rules, later
//! sources merged over earlier ones, `set` entries applied last with strvals typing.

use capstan_helm::values::{merge_values, parse_values, strvals};
use gotmpl::Map;

use crate::stack::{ReleaseSpec, ValuesSource};

#[derive(Debug, thiserror::Error)]
pub enum ValuesAssemblyError {
    #[error("release {release}: values {origin}: {message}")]
    Source {
        release: String,
        origin: String,
        message: String,
    },
    #[error("release {release}: set {key}: {message}")]
    Set {
        release: String,
        key: String,
        message: String,
    },
}

/// The values a user gave a release (Helm's release `config`), before chart defaults.
pub fn user_values(spec: &ReleaseSpec) -> Result<Map, ValuesAssemblyError> {
    let mut merged = Map::new();
    for source in &spec.values_sources {
        let (origin, text) = match source {
            ValuesSource::File {
                path,
                rendered_text,
            } => (path.display().to_string(), rendered_text.as_str()),
            ValuesSource::Inline { origin, yaml_text } => (origin.clone(), yaml_text.as_str()),
        };
        let parsed = parse_values(text, &origin).map_err(|e| ValuesAssemblyError::Source {
            release: spec.name.clone(),
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        merged = merge_values(&merged, &parsed);
    }
    for (key, value) in &spec.set {
        // One `--set` per entry, with the value escaped so commas and backslashes in
        // it stay part of the value (strvals would otherwise split on them).
        let expression = format!("{key}={}", escape_set_value(value));
        strvals::parse_set_into(&expression, &merged).map_err(|e| ValuesAssemblyError::Set {
            release: spec.name.clone(),
            key: key.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(merged)
}

fn escape_set_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::ChartRef;
    use gotmpl::Value;
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::time::Duration;

    fn spec(sources: Vec<ValuesSource>, set: Vec<(&str, &str)>) -> ReleaseSpec {
        ReleaseSpec {
            name: "keystone".into(),
            namespace: "openstack".into(),
            chart: ChartRef::Local(PathBuf::from("charts/keystone")),
            version: None,
            labels: BTreeMap::new(),
            needs: vec![],
            values_sources: sources,
            set: set
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            installed: true,
            wait: true,
            timeout: Duration::from_secs(60),
            create_namespace: true,
            line: 1,
        }
    }

    fn inline(text: &str) -> ValuesSource {
        ValuesSource::Inline {
            origin: "stack.yaml:3".into(),
            yaml_text: text.into(),
        }
    }

    #[test]
    fn later_sources_win_and_maps_merge() {
        let s = spec(
            vec![
                inline("pod: {replicas: {api: 1, worker: 1}}\nenabled: yes\n"),
                inline("pod: {replicas: {api: 3}}\n"),
            ],
            vec![],
        );
        let v = Value::Map(user_values(&s).unwrap());
        let replicas = v.as_map().unwrap().get("pod").unwrap();
        let replicas = replicas.as_map().unwrap().get("replicas").unwrap();
        assert_eq!(
            replicas.as_map().unwrap().get("api"),
            Some(Value::Float(3.0))
        );
        assert_eq!(
            replicas.as_map().unwrap().get("worker"),
            Some(Value::Float(1.0))
        );
        // Helm's YAML: `yes` is a boolean.
        assert_eq!(v.as_map().unwrap().get("enabled"), Some(Value::Bool(true)));
    }

    #[test]
    fn set_entries_come_last_typed_like_helm_set() {
        let s = spec(
            vec![inline("conf: {token: {expiration: 10}}\n")],
            vec![("conf.token.expiration", "3600"), ("motd", "a,b\\c")],
        );
        let v = user_values(&s).unwrap();
        let conf = v.get("conf").unwrap();
        let token = conf.as_map().unwrap().get("token").unwrap();
        assert_eq!(
            token.as_map().unwrap().get("expiration"),
            Some(Value::Int64(3600))
        );
        assert_eq!(v.get("motd"), Some(Value::str("a,b\\c")));
    }

    #[test]
    fn a_bad_source_names_the_release_and_origin() {
        let s = spec(vec![inline("a: [1, 2\n")], vec![]);
        let err = user_values(&s).unwrap_err().to_string();
        assert!(err.contains("release keystone"), "{err}");
        assert!(err.contains("stack.yaml:3"), "{err}");
    }
}
