//! Splitting rendered files into documents and sorting them as Helm 4 does
//! (pkg/release/v1/util: `SplitManifests`, `SortManifests`, kind order, hooks).

use std::collections::BTreeMap;
use std::ops::Range;

use gotmpl::Value;

use crate::kind_order::INSTALL_ORDER;

const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// A rendered, non-hook document.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The template it came from, e.g. `mychart/templates/deploy.yaml`.
    pub source: String,
    pub content: String,
    pub kind: String,
    pub name: String,
    pub api_version: String,
}

/// A hook document (Helm's `release.Hook`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub manifest: String,
    /// Events in annotation order (`pre-install`, ..., `test`).
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
    pub output_log_policies: Vec<String>,
}

/// Go's `\s` in RE2: ASCII whitespace without `\v`.
fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Helm's `SplitManifests`: split on `(?:^|\s*\n)---\s*`, drop empty pieces, trim each
/// document's leading whitespace.
pub fn split_manifests(big: &str) -> Vec<String> {
    // The separators are ASCII, so every range falls on character boundaries.
    split_ranges(big.as_bytes())
        .into_iter()
        .map(|r| big[r].to_string())
        .collect()
}

/// [`split_manifests`] over a Go string's bytes (which need not be UTF-8): the
/// documents' byte ranges.
fn split_ranges(big: &[u8]) -> Vec<Range<usize>> {
    let base = skip_space(big, 0);
    let bytes = &big[base..];
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut search = 0;
    // Leftmost matches, scanning for each separator start.
    while search <= bytes.len() {
        let found = if search == 0 && bytes.starts_with(b"---") {
            Some((0, 3))
        } else {
            find_sep(bytes, search)
        };
        let Some((m_start, dash_end)) = found else {
            break;
        };
        let mut m_end = dash_end;
        while m_end < bytes.len() && is_re_space(bytes[m_end] as char) {
            m_end += 1;
        }
        pieces.push(piece_start..m_start);
        piece_start = m_end;
        search = if m_end > m_start { m_end } else { m_end + 1 };
    }
    pieces.push(piece_start..bytes.len());
    pieces
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| skip_space(big, base + r.start)..base + r.end)
        .collect()
}

/// The index of the first byte at or after `at` that does not begin a Unicode white
/// space character (Go's `unicode.IsSpace`, which bytes that are not UTF-8 are not).
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(&lead) = bytes.get(at) {
        let width = match lead {
            0x00..=0x7F => 1,
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        let space = bytes
            .get(at..at + width)
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_whitespace);
        if !space {
            break;
        }
        at += width;
    }
    at
}

/// Next `\s*\n---` at or after `from`: returns (start of the whitespace run, end of
/// `---`).
fn find_sep(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let hay = bytes.get(from..)?;
    let mut at = 0;
    let nl = loop {
        let nl = at + memchr::memchr(b'\n', &hay[at..])?;
        if hay[nl + 1..].starts_with(b"---") {
            break from + nl;
        }
        at = nl + 1;
    };
    // The match begins at the first whitespace of the run ending in this newline, but
    // not before where the search started.
    let mut start = nl;
    while start > from && is_re_space(bytes[start - 1] as char) {
        start -= 1;
    }
    Some((start, nl + 4))
}

/// The fields Helm reads from each document (`SimpleHead`).
#[derive(Debug, Default, Clone)]
struct Head {
    api_version: String,
    kind: String,
    name: String,
    annotations: Option<Vec<(String, String)>>,
}

/// A scalar bound for a Go `string` field, as sigs.k8s.io/yaml writes it into the
/// JSON it decodes: integers in decimal, floats with `'g'` at 32-bit precision
/// (`1e+06`, `3.1415927`), booleans as words. `None` for null, which leaves the
/// field as it was.
fn scalar_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Nil => return None,
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Float(f) => crate::values::format_g32(*f),
        other => format!("{other:?}"),
    })
}

/// The entries of `m` that encoding/json assigns to `field`, in the order it decodes
/// them: sigs.k8s.io/yaml re-encodes the document with sorted keys, and each key
/// equal to the field's name up to case (`kind`, `KIND`, `Kind`) overwrites it.
fn field_values(m: &gotmpl::Map, field: &str) -> Vec<Value> {
    m.entries()
        .into_iter()
        .filter(|(k, _)| crate::values::json_field_matches(k, field))
        .map(|(_, v)| v)
        .collect()
}

fn parse_head(doc: &str, path: &str) -> Result<Head, String> {
    let v = crate::values::parse_manifest_head(doc).map_err(|e| match e {
        // Helm's wording (sigs.k8s.io/yaml over go-yaml).
        crate::values::ValuesError::Yaml { .. } => format!(
            "YAML parse error on {path}: error converting YAML to JSON: {}",
            e.go_yaml_text()
        ),
        other => format!("YAML parse error on {path}: {other}"),
    })?;
    if let Some(problem) = head_type_error(&v) {
        return Err(format!(
            "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: {problem}"
        ));
    }
    let mut head = Head::default();
    let Value::Map(m) = v else {
        return Ok(head);
    };
    // Types were checked above: what is left are scalars, nulls and maps.
    for a in field_values(&m, "apiVersion") {
        if let Some(t) = scalar_text(&a) {
            head.api_version = t;
        }
    }
    for k in field_values(&m, "kind") {
        if let Some(t) = scalar_text(&k) {
            head.kind = t;
        }
    }
    // Several metadata objects decode into the one struct in turn: a later `name`
    // replaces, later annotations are added to the same map, and a null
    // `annotations` makes it nil again.
    let mut annotations: Option<BTreeMap<String, String>> = None;
    for meta in field_values(&m, "metadata") {
        let Value::Map(meta) = meta else {
            continue;
        };
        for n in field_values(&meta, "name") {
            if let Some(t) = scalar_text(&n) {
                head.name = t;
            }
        }
        for ann in field_values(&meta, "annotations") {
            match ann {
                Value::Map(ann) => {
                    let into = annotations.get_or_insert_default();
                    for (k, v) in ann.entries() {
                        into.insert(k, scalar_text(&v).unwrap_or_default());
                    }
                }
                _ => annotations = None,
            }
        }
    }
    head.annotations = annotations.map(|a| a.into_iter().collect());
    Ok(head)
}

/// The JSON type encoding/json names in "cannot unmarshal X into ...".
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "object",
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    }
}

/// The first field of Helm's `SimpleHead` that the document's JSON cannot fill:
/// encoding/json reports the earliest mismatch in (sorted) key order, whatever the
/// case of the key (sigs.k8s.io/yaml has already turned numbers and booleans bound
/// for strings into strings, and null fits anything). Error texts name the field by
/// its JSON name.
/// Whether a head field holding `v` fails to decode into a Go string.
fn not_string(v: &Value) -> bool {
    matches!(v, Value::Map(_) | Value::List(_))
}

/// encoding/json's text for a value of the wrong JSON type in a struct field.
fn mismatch(v: &Value, field: &str, ty: &str) -> String {
    format!(
        "cannot unmarshal {} into Go struct field {field} of type {ty}",
        json_type(v)
    )
}

fn head_type_error(v: &Value) -> Option<String> {
    const META: &str = r#"struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#;
    let m = match v {
        Value::Map(m) => m,
        // A null document decodes into the zero head; any other non-object fails
        // as a whole (`json: cannot unmarshal bool into Go value of type ...`).
        Value::Nil => return None,
        other => {
            return Some(format!(
                "cannot unmarshal {} into Go value of type util.SimpleHead",
                json_type(other)
            ));
        }
    };
    let matches = crate::values::json_field_matches;
    for (key, x) in m.entries() {
        if matches(&key, "apiVersion") || matches(&key, "kind") {
            if not_string(&x) {
                let field = if matches(&key, "kind") {
                    "kind"
                } else {
                    "apiVersion"
                };
                return Some(mismatch(&x, &format!("SimpleHead.{field}"), "string"));
            }
        } else if matches(&key, "metadata") {
            let meta = match x {
                Value::Map(meta) => meta,
                Value::Nil => continue,
                other => return Some(mismatch(&other, "SimpleHead.metadata", META)),
            };
            if let Some(problem) = metadata_type_error(&meta) {
                return Some(problem);
            }
        }
    }
    None
}

/// The first mismatch inside one `metadata` object, in its key order.
fn metadata_type_error(meta: &gotmpl::Map) -> Option<String> {
    let matches = crate::values::json_field_matches;
    for (key, x) in meta.entries() {
        if matches(&key, "annotations") {
            match x {
                Value::Map(ann) => {
                    let bad = ann.entries().into_iter().find(|(_, x)| not_string(x));
                    if let Some((_, x)) = bad {
                        return Some(mismatch(&x, ".metadata.annotations", "string"));
                    }
                }
                Value::Nil => {}
                other => {
                    return Some(mismatch(
                        &other,
                        ".metadata.annotations",
                        "map[string]string",
                    ));
                }
            }
        } else if matches(&key, "name") && not_string(&x) {
            return Some(mismatch(&x, ".metadata.name", "string"));
        }
    }
    None
}

fn hook_event(s: &str) -> Option<&'static str> {
    Some(match s {
        "pre-install" => "pre-install",
        "post-install" => "post-install",
        "pre-delete" => "pre-delete",
        "post-delete" => "post-delete",
        "pre-upgrade" => "pre-upgrade",
        "post-upgrade" => "post-upgrade",
        "pre-rollback" => "pre-rollback",
        "post-rollback" => "post-rollback",
        "test" | "test-success" => "test",
        _ => return None,
    })
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// Helm's `lessByKind` as a total order for a stable sort.
fn kind_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (kind_rank(a), kind_rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Less,
        (None, Some(_)) => Greater,
        (None, None) => a.cmp(b),
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',').map(|p| p.trim().to_lowercase()).collect()
}

/// Helm's `SortManifests`: files in path order, documents in file order; hooks split
/// out (unknown hook events drop the document); both sorted by kind. `raw` holds the
/// bytes of the files whose output is not UTF-8 (a binary string written raw): a
/// document holding such bytes fails as go-yaml's reader refuses it.
pub fn sort_manifests(
    files: &[(String, String)],
    raw: &BTreeMap<String, Vec<u8>>,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Sorted::default();
    for (path, content) in sorted {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        let Some(bytes) = raw.get(path) else {
            for doc in split_manifests(content) {
                out.add(path, doc)?;
            }
            continue;
        };
        for range in split_ranges(bytes) {
            let doc = &bytes[range];
            let text = match std::str::from_utf8(doc) {
                Ok(text) => text.to_string(),
                Err(_) => {
                    if let Some(e) = crate::values::raw_document_error(doc) {
                        return Err(format!(
                            "YAML parse error on {path}: error converting YAML to JSON: {e}"
                        ));
                    }
                    // go-yaml stopped before the bytes (after `...`).
                    gotmpl::value::go_text(doc).into_owned()
                }
            };
            out.add(path, text)?;
        }
    }
    let Sorted {
        mut hooks,
        mut generic,
    } = out;
    generic.sort_by(|a, b| kind_cmp(&a.kind, &b.kind));
    hooks.sort_by(|a, b| kind_cmp(&a.kind, &b.kind));
    Ok((hooks, generic))
}

#[derive(Default)]
struct Sorted {
    hooks: Vec<Hook>,
    generic: Vec<Manifest>,
}

impl Sorted {
    /// One document of `path`, as a hook or a plain manifest.
    fn add(&mut self, path: &str, doc: String) -> Result<(), String> {
        let head = parse_head(&doc, path)?;
        let hook_types = head.annotations.as_ref().and_then(|a| {
            a.iter()
                .find(|(k, _)| k == HOOK_ANNOTATION)
                .map(|(_, v)| v.clone())
        });
        let Some(hook_types) = hook_types else {
            self.generic.push(Manifest {
                source: path.to_string(),
                content: doc,
                kind: head.kind,
                name: head.name,
                api_version: head.api_version,
            });
            return Ok(());
        };
        let ann = head.annotations.unwrap_or_default();
        let get = |k: &str| ann.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let mut events = Vec::new();
        let mut unknown = false;
        for t in hook_types.split(',') {
            match hook_event(&t.trim().to_lowercase()) {
                Some(e) => events.push(e.to_string()),
                None => {
                    unknown = true;
                    break;
                }
            }
        }
        if unknown {
            return Ok(());
        }
        // Go's strconv.Atoi: optional sign and decimal digits, else 0.
        let weight = get(HOOK_WEIGHT_ANNOTATION)
            .and_then(|w| w.parse::<i64>().ok())
            .unwrap_or(0);
        self.hooks.push(Hook {
            name: head.name,
            kind: head.kind,
            path: path.to_string(),
            manifest: doc,
            events,
            weight,
            delete_policies: get(HOOK_DELETE_ANNOTATION)
                .map(split_list)
                .unwrap_or_default(),
            output_log_policies: get(HOOK_OUTPUT_LOG_ANNOTATION)
                .map(split_list)
                .unwrap_or_default(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The separator search finds what a plain substring search finds.
        #[test]
        fn separator_search_matches_substring_search(
            text in "[-a \n\t]{0,40}",
            from in 0usize..40,
        ) {
            let from = from.min(text.len());
            let expected = text[from..].find("\n---").map(|i| from + i);
            prop_assert_eq!(find_sep(text.as_bytes(), from).map(|(_, end)| end - 4), expected);
        }
    }

    /// encoding/json's field matching: any case, the last key in sorted order wins,
    /// metadata objects merge; non-strings become sigs.k8s.io/yaml's text.
    #[test]
    fn head_keys_match_fields_case_insensitively() {
        let head = |doc: &str| parse_head(doc, "x").unwrap();
        let h = head("KIND: Service\nMetadata: {NAME: 1e6, Annotations: {a: 5}}\n");
        assert_eq!((h.kind.as_str(), h.name.as_str()), ("Service", "1e+06"));
        assert_eq!(
            h.annotations,
            Some(vec![("a".to_string(), "5".to_string())])
        );
        // "KIND" < "kind": the lowercase key is decoded last.
        assert_eq!(head("kind: Pod\nKIND: Namespace\n").kind, "Pod");
        assert_eq!(head("\"\\u212Aind\": Pod\n").kind, "Pod");
        assert_eq!(head("k\u{131}nd: Pod\n").kind, "");
        assert_eq!(
            head("kind: 1000000\nmetadata: {name: 3.14159265358979}\n").kind,
            "1000000"
        );
        assert_eq!(head("kind: 1e6\n").kind, "1e+06");
        assert_eq!(
            head("metadata: {name: 3.14159265358979}\n").name,
            "3.1415927"
        );
        let h = head("METADATA: {annotations: {h: x}, name: a}\nmetadata: {annotations: {i: y}}\n");
        assert_eq!(h.name, "a");
        assert_eq!(h.annotations.map(|a| a.len()), Some(2));
        let h = head("METADATA: {annotations: {h: x}}\nmetadata: {annotations: null}\n");
        assert_eq!(h.annotations, None);
        assert!(json_field_matches_examples());
    }

    fn json_field_matches_examples() -> bool {
        let m = crate::values::json_field_matches;
        m("ANNOTATIONS", "annotations") && m("\u{17F}ource", "source") && !m("nam", "name")
    }

    #[test]
    fn head_fields_of_the_wrong_type_fail_as_in_helm() {
        let err = |doc: &str| {
            sort_manifests(
                &[("c/templates/x.yaml".to_string(), doc.to_string())],
                &BTreeMap::new(),
            )
            .unwrap_err()
        };
        let prefix = "YAML parse error on c/templates/x.yaml: error unmarshaling JSON: while \
                      decoding JSON: json: cannot unmarshal";
        // Helm 4.2.3's texts: the earliest mismatch in key order.
        assert_eq!(
            err("kind: [x]\napiVersion: {a: 1}\nmetadata:\n  name: [a]\n"),
            format!("{prefix} object into Go struct field SimpleHead.apiVersion of type string")
        );
        assert_eq!(
            err("kind: ConfigMap\nmetadata:\n  name: [a]\n  annotations: {z: [1], a: {b: 1}}\n"),
            format!("{prefix} object into Go struct field .metadata.annotations of type string")
        );
        assert_eq!(
            err("kind: ConfigMap\nmetadata:\n  annotations: [a]\n"),
            format!(
                "{prefix} array into Go struct field .metadata.annotations of type \
                 map[string]string"
            )
        );
        assert_eq!(
            err("kind: ConfigMap\nmetadata:\n  name: {a: 1}\n"),
            format!("{prefix} object into Go struct field .metadata.name of type string")
        );
        // A document that is not an object fails as a whole; a null one is empty.
        for (doc, ty) in [
            ("true\n", "bool"),
            ("42\n", "number"),
            ("hello\n", "string"),
            ("2001-12-14\n", "string"),
            ("- a\n", "array"),
        ] {
            assert_eq!(
                err(doc),
                format!("{prefix} {ty} into Go value of type util.SimpleHead")
            );
        }
        assert!(
            sort_manifests(
                &[("c/templates/x.yaml".to_string(), "~\n".to_string())],
                &BTreeMap::new()
            )
            .is_ok()
        );
        // Scalars bound for strings are converted; null fits anything.
        let ok =
            "kind: ConfigMap\nmetadata:\n  name: 1\n  annotations: {a: null, b: 1.5, c: true}\n";
        assert!(
            sort_manifests(
                &[("c/templates/x.yaml".to_string(), ok.to_string())],
                &BTreeMap::new()
            )
            .is_ok()
        );
    }

    #[test]
    fn splits_like_helm() {
        let docs = split_manifests("a: 1\n---\n# c\n---\nb: 2\n");
        assert_eq!(docs, ["a: 1", "# c", "b: 2\n"]);
        let docs = split_manifests("\n\n---\na: 1  \n  \n---   \n\n  b: 2");
        assert_eq!(docs, ["a: 1", "b: 2"]);
        assert_eq!(split_manifests("---apiVersion: v1"), ["apiVersion: v1"]);
        assert!(split_manifests("   ").is_empty());
        assert_eq!(split_manifests("x: |\n  ---\n"), ["x: |\n  ---\n"]);
    }

    #[test]
    fn raw_documents_fail_as_go_yaml_reads_them() {
        let files = vec![("c/templates/x.yaml".to_string(), String::new())];
        let raw = |bytes: &[u8]| {
            let mut m = BTreeMap::new();
            m.insert("c/templates/x.yaml".to_string(), bytes.to_vec());
            sort_manifests(&files_with(&files, bytes), &m)
        };
        fn files_with(files: &[(String, String)], bytes: &[u8]) -> Vec<(String, String)> {
            let text = gotmpl::value::go_text(bytes).into_owned();
            files
                .iter()
                .map(|(p, _)| (p.clone(), text.clone()))
                .collect()
        }
        // The valid first document is read; the second fails.
        assert_eq!(
            raw(b"a: 1\n---\n\xc2\xa0b: \xff\n").unwrap_err(),
            "YAML parse error on c/templates/x.yaml: error converting YAML to JSON: \
             yaml: invalid leading UTF-8 octet"
        );
        // The reader decodes the whole first 512-byte chunk: `...` before the bytes
        // does not help there, but go-yaml stops at the document's end before it
        // reaches a later chunk.
        assert!(raw(b"kind: A\n...\n\xff").is_err());
        let mut later = b"kind: A\n...\n#".to_vec();
        later.extend_from_slice(&[b'x'; 600]);
        later.extend_from_slice(b"\n\xff\n");
        let (_, manifests) = raw(&later).unwrap();
        assert_eq!(manifests[0].kind, "A");
        assert_eq!(split_ranges(b" \xff\n---\n b"), [1..2, 8..9]);
    }

    #[test]
    fn sorts_by_kind_and_extracts_hooks() {
        let files = vec![
            (
                "c/templates/b.yaml".to_string(),
                "kind: Deployment\nmetadata: {name: d}\n---\nkind: Zed\n---\nkind: Alpha\n".to_string(),
            ),
            (
                "c/templates/a.yaml".to_string(),
                "kind: Service\nmetadata: {name: s}\n---\nkind: Namespace\n".to_string(),
            ),
            (
                "c/templates/hook.yaml".to_string(),
                "kind: Job\nmetadata:\n  name: h\n  annotations:\n    helm.sh/hook: Pre-Install, post-install\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n---\nkind: Pod\nmetadata:\n  name: u\n  annotations: {helm.sh/hook: bogus}\n".to_string(),
            ),
            ("c/templates/_helpers.tpl".to_string(), "kind: Secret".to_string()),
        ];
        let (hooks, manifests) = sort_manifests(&files, &BTreeMap::new()).unwrap();
        let kinds: Vec<&str> = manifests.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["Namespace", "Service", "Deployment", "Alpha", "Zed"]
        );
        assert_eq!(hooks.len(), 1);
        assert_eq!(hooks[0].events, ["pre-install", "post-install"]);
        assert_eq!(hooks[0].weight, -5);
        assert_eq!(
            hooks[0].delete_policies,
            ["before-hook-creation", "hook-succeeded"]
        );
    }
}
