//! Planning errors: unknown needs (with a suggestion), cycles (with the
//! cycle's path), selections that match nothing.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "release {release} needs {need:?}, which is not in the stack{}",
        suggestion_text(suggestion)
    )]
    UnknownNeed {
        release: String,
        need: String,
        suggestion: Option<String>,
    },
    #[error("release {release} needs {need:?}, but release {name} is in namespace {namespace:?}")]
    NamespaceMismatch {
        release: String,
        need: String,
        name: String,
        namespace: String,
    },
    /// `path` starts and ends with the same release; each needs the next.
    #[error("dependency cycle: {} (each release needs the next)", path.join(" → "))]
    Cycle { path: Vec<String> },
    #[error("no installed release matches the selector(s) {selectors}")]
    NothingSelected { selectors: String },
}

fn suggestion_text(s: &Option<String>) -> String {
    match s {
        Some(s) => format!("; did you mean {s:?}?"),
        None => String::new(),
    }
}

/// The closest name by normalised Levenshtein similarity, if close enough
/// to be a plausible typo.
pub(crate) fn closest<'a>(
    target: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .map(|c| (strsim::normalized_levenshtein(target, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["keystone", "nova", "mariadb"];
        assert_eq!(
            closest("keyston", names.into_iter()),
            Some("keystone".into())
        );
        assert_eq!(
            closest("maria-db", names.into_iter()),
            Some("mariadb".into())
        );
        assert_eq!(closest("glance", names.into_iter()), None);
    }

    #[test]
    fn messages() {
        let e = PlanError::UnknownNeed {
            release: "nova".into(),
            need: "keyston".into(),
            suggestion: Some("keystone".into()),
        };
        assert_eq!(
            e.to_string(),
            "release nova needs \"keyston\", which is not in the stack; did you mean \"keystone\"?"
        );
        let e = PlanError::Cycle {
            path: vec!["a".into(), "b".into(), "a".into()],
        };
        assert_eq!(
            e.to_string(),
            "dependency cycle: a → b → a (each release needs the next)"
        );
    }
}
