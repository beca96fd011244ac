//! Rendered manifests (Helm's multi-document YAML with `# Source:` comments) to objects.

use serde_json::Value;
use thiserror::Error;

use crate::objref::ObjectRef;

/// Nesting allowed in one document. serde-saphyr's default (64) is too small for large
/// CustomResourceDefinition schemas; this stays a hard bound against hostile input.
const MAX_DEPTH: usize = 256;

/// Documents allowed in one manifest: a release of 40 charts stays far below it.
const MAX_DOCUMENTS: usize = 20_000;

/// Items allowed in a `kind: List` document.
const MAX_LIST_ITEMS: usize = 10_000;

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("{location}: invalid YAML: {message}")]
    Yaml { location: String, message: String },
    #[error("{location}: {message}")]
    Invalid { location: String, message: String },
    #[error("manifest has more than {MAX_DOCUMENTS} documents")]
    TooManyDocuments,
}

/// One object of a manifest, as JSON, with the template it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectYaml {
    /// The object (apiVersion, kind and metadata.name are present and are strings).
    pub object: Value,
    /// The `# Source:` path of the document, when the manifest carries one.
    pub source: Option<String>,
}

impl ObjectYaml {
    /// Builds from a JSON object, checking it names an apiVersion, kind and name.
    pub fn new(object: Value, source: Option<String>) -> Result<Self, ManifestError> {
        let location = source.clone().unwrap_or_else(|| "object".to_string());
        identity(&object, &location)?;
        Ok(ObjectYaml { object, source })
    }

    /// apiVersion, kind, metadata.namespace (if set) and metadata.name.
    pub fn object_ref(&self) -> ObjectRef {
        let s = |ptr: &str| {
            self.object
                .pointer(ptr)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        ObjectRef::new(
            s("/apiVersion"),
            s("/kind"),
            Some(s("/metadata/namespace")),
            s("/metadata/name"),
        )
    }

    pub fn kind(&self) -> &str {
        self.object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Parses a rendered manifest into its objects, in document order. Empty documents
/// and documents holding only comments are skipped; `kind: List` documents (e.g.
/// `ConfigMapList`) are flattened into their items like kubectl and Helm do.
pub fn parse_manifest(manifest: &str) -> Result<Vec<ObjectYaml>, ManifestError> {
    let mut out = Vec::new();
    for (index, doc) in split_documents(manifest)?.into_iter().enumerate() {
        let source = source_of(doc);
        let location = match &source {
            Some(path) => path.clone(),
            None => format!("document {}", index + 1),
        };
        let Some(value) = parse_document(doc, &location)? else {
            continue;
        };
        push_object(value, source, &location, &mut out)?;
    }
    Ok(out)
}

/// The objects a manifest names (what a previous revision installed: the input of prune).
pub fn objects_in_manifest(manifest: &str) -> Result<Vec<ObjectRef>, ManifestError> {
    Ok(parse_manifest(manifest)?
        .iter()
        .map(ObjectYaml::object_ref)
        .collect())
}

/// Parses one YAML document (no `---` separators inside) into JSON. `None` for an empty
/// or null document.
pub fn parse_document(doc: &str, location: &str) -> Result<Option<Value>, ManifestError> {
    if doc
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(None);
    }
    let mut options = serde_saphyr::Options::default();
    let mut budget = options.budget.clone().unwrap_or_default();
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    // Kubernetes decodes manifests with go-yaml v2 (through sigs.k8s.io/yaml): `0644` is
    // octal (file modes!) and the last of duplicate keys wins.
    options.legacy_octal_numbers = true;
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
    options.with_snippet = false;
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(doc, options).map_err(|e| {
        ManifestError::Yaml {
            location: location.to_string(),
            message: e.to_string(),
        }
    })?;
    let mut docs = docs.into_iter().filter(|v| !v.is_null());
    let first = docs.next();
    if docs.next().is_some() {
        return Err(ManifestError::Invalid {
            location: location.to_string(),
            message: "more than one YAML document where one was expected".to_string(),
        });
    }
    Ok(first)
}

fn push_object(
    value: Value,
    source: Option<String>,
    location: &str,
    out: &mut Vec<ObjectYaml>,
) -> Result<(), ManifestError> {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
    let is_list = kind == "List" || (kind.ends_with("List") && value.get("items").is_some());
    if is_list {
        let Some(items) = value.get("items").and_then(Value::as_array) else {
            return Err(invalid(location, "a List without items"));
        };
        if items.len() > MAX_LIST_ITEMS {
            return Err(invalid(location, "a List with too many items"));
        }
        for item in items {
            identity(item, location)?;
            out.push(ObjectYaml {
                object: item.clone(),
                source: source.clone(),
            });
        }
        return Ok(());
    }
    identity(&value, location)?;
    out.push(ObjectYaml {
        object: value,
        source,
    });
    Ok(())
}

/// Checks the fields every object needs, naming what is missing.
fn identity(value: &Value, location: &str) -> Result<(), ManifestError> {
    if !value.is_object() {
        return Err(invalid(location, "a document is not a YAML mapping"));
    }
    for (ptr, what) in [
        ("/apiVersion", "apiVersion"),
        ("/kind", "kind"),
        ("/metadata/name", "metadata.name"),
    ] {
        match value.pointer(ptr) {
            Some(Value::String(s)) if !s.is_empty() => {}
            _ => return Err(invalid(location, &format!("object has no {what}"))),
        }
    }
    Ok(())
}

fn invalid(location: &str, message: &str) -> ManifestError {
    ManifestError::Invalid {
        location: location.to_string(),
        message: message.to_string(),
    }
}

/// Splits at `---` lines (document markers at column 0), like Helm's SplitManifests.
fn split_documents(manifest: &str) -> Result<Vec<&str>, ManifestError> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in manifest.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let is_marker = content.trim_end() == "---" || content.starts_with("--- ");
        if is_marker {
            docs.push(&manifest[start..offset]);
            if docs.len() > MAX_DOCUMENTS {
                return Err(ManifestError::TooManyDocuments);
            }
            // A marker may carry a comment after it; the parser skips `# ...` text.
            start = offset + 3;
        }
        offset += line.len();
    }
    docs.push(&manifest[start..]);
    Ok(docs)
}

/// The path of the `# Source: path` comment heading a document.
fn source_of(doc: &str) -> Option<String> {
    doc.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# Source:"))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "---
# Source: keystone/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: keystone-db
stringData:
  password: s3cret
---
# Source: keystone/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: keystone-api
  namespace: openstack
spec:
  replicas: 2
  template:
    spec:
      volumes:
        - name: c
          configMap: {name: x, defaultMode: 0755}
      containers:
        - name: api
          env:
            - {name: A, value: \"yes\"}
          args:
            - |
              --- not a separator inside a block scalar
---
# Source: keystone/templates/empty.yaml
# nothing rendered here
---
";

    #[test]
    fn parses_documents_with_sources() {
        let objs = parse_manifest(MANIFEST).unwrap();
        assert_eq!(objs.len(), 2);
        assert_eq!(
            objs[0].source.as_deref(),
            Some("keystone/templates/secret.yaml")
        );
        assert_eq!(objs[0].object_ref().to_string(), "Secret/keystone-db");
        assert_eq!(
            objs[1].object_ref().to_string(),
            "Deployment/openstack/keystone-api"
        );
        assert_eq!(objs[1].object["spec"]["replicas"], 2);
        // go-yaml v2 semantics: leading zero is octal
        let mode = &objs[1].object["spec"]["template"]["spec"]["volumes"][0]["configMap"];
        assert_eq!(mode["defaultMode"], 0o755);
        let c = &objs[1].object["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["env"][0]["value"], "yes");
        assert!(
            c["args"][0]
                .as_str()
                .unwrap()
                .contains("--- not a separator")
        );
    }

    #[test]
    fn objects_in_manifest_lists_refs() {
        let refs = objects_in_manifest(MANIFEST).unwrap();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0], ObjectRef::new("v1", "Secret", None, "keystone-db"));
    }

    #[test]
    fn missing_fields_are_named_with_the_source() {
        let err = parse_manifest("# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "c/templates/a.yaml: object has no metadata.name"
        );
        let err = parse_manifest("---\n- a\n- b\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("document 2: a document is not a YAML mapping")
        );
    }

    #[test]
    fn invalid_yaml_is_an_error_not_a_panic() {
        let err = parse_manifest("# Source: x.yaml\na: [b\n").unwrap_err();
        assert!(matches!(err, ManifestError::Yaml { .. }), "{err}");
    }

    #[test]
    fn lists_are_flattened() {
        let m = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
        let refs = objects_in_manifest(m).unwrap();
        assert_eq!(
            refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let deep = format!(
            "apiVersion: v1\nkind: X\nmetadata: {{name: a}}\nd: {}{}",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        assert!(parse_manifest(&deep).is_err());
    }

    #[test]
    fn marker_with_trailing_comment_and_crlf() {
        let m = "--- # first\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n";
        let refs = objects_in_manifest(m).unwrap();
        assert_eq!(refs[0].name, "a");
    }
}
