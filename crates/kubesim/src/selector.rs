//! Label and field selectors, as in `?labelSelector=` and `?fieldSelector=`.

use serde_json::{Map, Value};

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
    Gt(String, i64),
    Lt(String, i64),
}

/// A conjunction of label requirements; empty matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    pub requirements: Vec<Requirement>,
}

/// Longest selector string accepted; bounds parsing work on untrusted input.
const MAX_SELECTOR_LEN: usize = 16 * 1024;

impl LabelSelector {
    /// Parses the string form (`a=b,c!=d,e in (f,g),h notin (i),j,!k`).
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        if s.len() > MAX_SELECTOR_LEN {
            return Err("label selector too long".into());
        }
        let mut requirements = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(LabelSelector { requirements })
    }

    /// Builds a selector from a `metav1.LabelSelector` JSON object
    /// (`matchLabels` + `matchExpressions`).
    pub fn from_json(v: &Value) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        if let Some(ml) = v.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in ml {
                requirements.push(Requirement::Eq(k.clone(), value_str(v)));
            }
        }
        if let Some(exprs) = v.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e
                    .get("key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let values: Vec<String> = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(value_str).collect())
                    .unwrap_or_default();
                let op = e
                    .get("operator")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                requirements.push(match op {
                    "In" => Requirement::In(key, values),
                    "NotIn" => Requirement::NotIn(key, values),
                    "Exists" => Requirement::Exists(key),
                    "DoesNotExist" => Requirement::NotExists(key),
                    other => return Err(format!("unknown selector operator {other:?}")),
                });
            }
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether the labels of an object satisfy every requirement.
    pub fn matches_map(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).map(value_str);
        self.requirements.iter().all(|r| match r {
            Requirement::Eq(k, v) => get(k).as_deref() == Some(v.as_str()),
            Requirement::NotEq(k, v) => get(k).as_deref() != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.contains(&x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(&x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
            Requirement::Gt(k, n) => get(k)
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > *n),
            Requirement::Lt(k, n) => get(k)
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x < *n),
        })
    }

    /// Whether an object's `metadata.labels` satisfy the selector.
    pub fn matches(&self, obj: &Value) -> bool {
        self.matches_map(obj.pointer("/metadata/labels").and_then(Value::as_object))
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

fn value_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn parse_set(s: &str) -> Result<Vec<String>, String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .ok_or_else(|| format!("expected (values) in {s:?}"))?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

fn check_key(k: &str) -> Result<String, String> {
    let k = k.trim();
    let ok = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(k.to_string())
    } else {
        Err(format!("invalid label key {k:?}"))
    }
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    if let Some(k) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(check_key(k)?));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Requirement::NotEq(check_key(k)?, v.trim().to_string()));
    }
    if let Some((k, v)) = part.split_once("==") {
        return Ok(Requirement::Eq(check_key(k)?, v.trim().to_string()));
    }
    if let Some((k, v)) = part.split_once('=') {
        return Ok(Requirement::Eq(check_key(k)?, v.trim().to_string()));
    }
    // Set-based forms need whitespace around the operator: `key in (a,b)`.
    let words: Vec<&str> = part.splitn(3, char::is_whitespace).collect();
    if words.len() >= 2 {
        let rest = part[words[0].len()..].trim_start();
        if let Some(set) = rest.strip_prefix("notin") {
            return Ok(Requirement::NotIn(check_key(words[0])?, parse_set(set)?));
        }
        if let Some(set) = rest.strip_prefix("in") {
            return Ok(Requirement::In(check_key(words[0])?, parse_set(set)?));
        }
    }
    if let Some((k, v)) = part.split_once('>') {
        let n = v
            .trim()
            .parse()
            .map_err(|_| format!("bad number in {part:?}"))?;
        return Ok(Requirement::Gt(check_key(k)?, n));
    }
    if let Some((k, v)) = part.split_once('<') {
        let n = v
            .trim()
            .parse()
            .map_err(|_| format!("bad number in {part:?}"))?;
        return Ok(Requirement::Lt(check_key(k)?, n));
    }
    Ok(Requirement::Exists(check_key(part)?))
}

/// A field selector: `metadata.name=x,involvedObject.kind!=Pod,type=Warning`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector {
    /// (dotted path, wanted value, equal?)
    pub terms: Vec<(String, String, bool)>,
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        if s.len() > MAX_SELECTOR_LEN {
            return Err("field selector too long".into());
        }
        let mut terms = Vec::new();
        for part in s.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (path, value, eq) = if let Some((k, v)) = part.split_once("!=") {
                (k, v, false)
            } else if let Some((k, v)) = part.split_once("==") {
                (k, v, true)
            } else if let Some((k, v)) = part.split_once('=') {
                (k, v, true)
            } else {
                return Err(format!("invalid field selector term {part:?}"));
            };
            terms.push((path.trim().to_string(), value.trim().to_string(), eq));
        }
        Ok(FieldSelector { terms })
    }

    /// Whether the object's fields satisfy every term. Missing fields compare as "".
    pub fn matches(&self, obj: &Value) -> bool {
        self.terms.iter().all(|(path, want, eq)| {
            let mut cur = Some(obj);
            for seg in path.split('.') {
                cur = cur.and_then(|c| c.get(seg));
            }
            let got = cur.map(value_str).unwrap_or_default();
            (got == *want) == *eq
        })
    }

    /// The value required for `metadata.name`, if the selector pins it.
    pub fn pinned_name(&self) -> Option<&str> {
        self.terms
            .iter()
            .find(|(p, _, eq)| *eq && p == "metadata.name")
            .map(|(_, v, _)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"name": "a", "namespace": "ns", "labels": labels}})
    }

    #[test]
    fn equality_and_sets() {
        let o = obj(json!({"app": "nova", "tier": "api"}));
        let t = |s: &str| LabelSelector::parse(s).unwrap().matches(&o);
        assert!(t("app=nova"));
        assert!(t("app==nova,tier=api"));
        assert!(!t("app=keystone"));
        assert!(t("app!=keystone"));
        assert!(t("tier in (api, db)"));
        assert!(!t("tier notin (api,db)"));
        assert!(t("tier notin (db)"));
        assert!(t("app"));
        assert!(!t("!app"));
        assert!(t("!missing"));
        assert!(t("missing notin (x)"));
        assert!(!t("missing in (x)"));
        assert!(t(""));
        assert!(t("app in (nova),tier,!x"));
    }

    #[test]
    fn bad_selectors_fail() {
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("bad key=1").is_err());
        assert!(LabelSelector::parse("x in (a").is_err());
        assert!(FieldSelector::parse("nonsense").is_err());
    }

    #[test]
    fn from_json_selector() {
        let s = LabelSelector::from_json(&json!({
            "matchLabels": {"app": "nova"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["api"]}]
        }))
        .unwrap();
        assert!(s.matches(&obj(json!({"app": "nova", "tier": "api"}))));
        assert!(!s.matches(&obj(json!({"app": "nova"}))));
    }

    #[test]
    fn field_selectors() {
        let ev = json!({"metadata": {"name": "e1", "namespace": "ns"},
            "involvedObject": {"name": "pod-1", "kind": "Pod"}, "type": "Warning"});
        let t = |s: &str| FieldSelector::parse(s).unwrap().matches(&ev);
        assert!(t("involvedObject.name=pod-1"));
        assert!(t("involvedObject.kind=Pod,type=Warning"));
        assert!(!t("type!=Warning"));
        assert!(t("metadata.namespace=ns"));
        assert!(t("reason="));
        assert_eq!(
            FieldSelector::parse("metadata.name=x")
                .unwrap()
                .pinned_name(),
            Some("x")
        );
    }
}
