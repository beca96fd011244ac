//! Release selectors, helmfile style: `-l tier=api,name!=nova`. Within one
//! selector the comma-separated terms are AND'ed; several `-l` flags are
//! OR'ed. Besides its own labels every release has the implicit labels
//! `name`, `namespace` and `chart` (see [`ReleaseSpec::selector_labels`]).

use super::{ReleaseSpec, StackError};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    key: String,
    value: String,
    negated: bool,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, StackError> {
        let err = |message: String| StackError::Selector {
            selector: text.to_string(),
            message,
        };
        let mut terms = Vec::new();
        for raw in text.split(',') {
            let raw = raw.trim();
            if raw.is_empty() {
                return Err(err("empty term (expected key=value or key!=value)".into()));
            }
            let (key, value, negated) = if let Some((k, v)) = raw.split_once("!=") {
                (k, v, true)
            } else if let Some((k, v)) = raw.split_once('=') {
                (k, v.strip_prefix('=').unwrap_or(v), false)
            } else {
                return Err(err(format!("term {raw:?} is not key=value or key!=value")));
            };
            let key = key.trim();
            let valid_key = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
            if !valid_key {
                return Err(err(format!("invalid label key {key:?}")));
            }
            terms.push(Term {
                key: key.to_string(),
                value: value.trim().to_string(),
                negated,
            });
        }
        Ok(Selector { terms })
    }

    /// Whether every term holds for the release. `key!=value` also holds
    /// when the release has no such label.
    pub fn matches(&self, release: &ReleaseSpec) -> bool {
        let labels = release.selector_labels();
        self.terms.iter().all(|t| {
            let actual = labels.get(&t.key);
            if t.negated {
                actual != Some(&t.value)
            } else {
                actual == Some(&t.value)
            }
        })
    }
}

/// OR over selectors; no selectors selects everything.
pub fn matches_any(selectors: &[Selector], release: &ReleaseSpec) -> bool {
    selectors.is_empty() || selectors.iter().any(|s| s.matches(release))
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|t| format!("{}{}{}", t.key, if t.negated { "!=" } else { "=" }, t.value))
            .collect();
        f.write_str(&parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::ChartRef;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn rel(name: &str, tier: &str) -> ReleaseSpec {
        ReleaseSpec {
            name: name.into(),
            namespace: "openstack".into(),
            chart: ChartRef::Repo {
                repo: "osh".into(),
                name: name.into(),
            },
            version: None,
            labels: BTreeMap::from([("tier".to_string(), tier.to_string())]),
            needs: vec![],
            values_sources: vec![],
            set: vec![],
            installed: true,
            wait: true,
            timeout: Duration::from_secs(1),
            create_namespace: true,
            line: 1,
        }
    }

    #[test]
    fn and_within_or_across() {
        let keystone = rel("keystone", "api");
        let nova = rel("nova", "api");
        let mariadb = rel("mariadb", "infra");
        let api_not_nova = Selector::parse("tier=api,name!=nova").unwrap();
        assert!(api_not_nova.matches(&keystone));
        assert!(!api_not_nova.matches(&nova));
        assert!(!api_not_nova.matches(&mariadb));
        let sels = [api_not_nova, Selector::parse("name=mariadb").unwrap()];
        assert!(matches_any(&sels, &mariadb));
        assert!(!matches_any(&sels, &nova));
        assert!(matches_any(&[], &nova));
    }

    #[test]
    fn implicit_labels_and_missing_labels() {
        let k = rel("keystone", "api");
        assert!(Selector::parse("namespace=openstack").unwrap().matches(&k));
        assert!(Selector::parse("chart=keystone").unwrap().matches(&k));
        assert!(Selector::parse("team!=storage").unwrap().matches(&k));
        assert!(!Selector::parse("team=storage").unwrap().matches(&k));
        assert!(Selector::parse("name==keystone").unwrap().matches(&k));
    }

    #[test]
    fn parse_errors() {
        for bad in ["", "tier", "=x", "a=b,", "a b=c"] {
            let err = Selector::parse(bad).unwrap_err();
            assert!(err.to_string().contains("invalid selector"), "{err}");
        }
        assert_eq!(
            Selector::parse("a=b, c!=d").unwrap().to_string(),
            "a=b,c!=d"
        );
    }
}
