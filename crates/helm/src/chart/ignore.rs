//! `.helmignore` as Helm reads it (pkg/ignore), which is *not* gitignore:
//! no `**`, a rule without `/` matches the base name only, a rule with `/` must match
//! the whole relative path, a trailing `/` restricts the rule to directories, and a
//! `!` rule ignores everything it does *not* match.

use super::glob::Pattern;

/// The file name Helm looks for at the chart root.
pub const HELM_IGNORE: &str = ".helmignore";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    #[error("syntax error in pattern")]
    BadPattern,
}

#[derive(Debug, Clone)]
enum Scope {
    /// Pattern has a leading `/`: match the whole path from the root.
    Rooted,
    /// Pattern contains `/`: match the whole relative path.
    Path,
    /// No `/`: match the base name only.
    Base,
}

#[derive(Debug, Clone)]
struct Rule {
    pattern: Pattern,
    negate: bool,
    must_dir: bool,
    scope: Scope,
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        match self.scope {
            Scope::Rooted | Scope::Path => self.pattern.matches(path),
            Scope::Base => self
                .pattern
                .matches(path.rsplit('/').next().unwrap_or(path)),
        }
    }
}

/// An ordered list of ignore rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    pub fn empty() -> Rules {
        Rules::default()
    }

    /// Parse a `.helmignore` body: one rule per line, `#` comments, blank lines skipped.
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let mut rules = Rules::empty();
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Helm always ignores dot files inside `templates/`.
    pub fn add_defaults(&mut self) {
        // Compiled once per process: every chart load adds it.
        static DEFAULTS: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
        let defaults = DEFAULTS.get_or_init(|| {
            let mut rules = Rules::empty();
            // The pattern is a constant that always compiles.
            if let Err(e) = rules.add("templates/.?*") {
                debug_assert!(false, "default helmignore rule failed: {e}");
            }
            rules
        });
        self.rules.extend(defaults.rules.iter().cloned());
    }

    pub fn add(&mut self, line: &str) -> Result<(), IgnoreError> {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        // Helm validates the raw rule (with any `!` or `/`) as a glob first.
        Pattern::new(rule).map_err(|_| IgnoreError::BadPattern)?;
        let mut rest = rule;
        let negate = rest.starts_with('!');
        if negate {
            rest = &rest[1..];
        }
        let must_dir = rest.ends_with('/');
        if must_dir {
            rest = &rest[..rest.len() - 1];
        }
        let (scope, pat) = if let Some(stripped) = rest.strip_prefix('/') {
            (Scope::Rooted, stripped)
        } else if rest.contains('/') {
            (Scope::Path, rest)
        } else {
            (Scope::Base, rest)
        };
        let pattern = Pattern::new(pat).map_err(|_| IgnoreError::BadPattern)?;
        self.rules.push(Rule {
            pattern,
            negate,
            must_dir,
            scope,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            if rule.negate {
                // Helm's negation: anything the rule does not match is ignored.
                if rule.must_dir && !is_dir {
                    return true;
                }
                if !rule.matches(path) {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if rule.matches(path) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_name_rules_match_anywhere() {
        let r = Rules::parse("*.bak\n# comment\n\n").unwrap();
        assert!(r.ignore("a.bak", false));
        assert!(r.ignore("templates/x/a.bak", false));
        assert!(!r.ignore("a.yaml", false));
    }

    #[test]
    fn path_rules_match_whole_path() {
        let r = Rules::parse("docs/*.md\n/root.txt").unwrap();
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("x/docs/a.md", false));
        assert!(r.ignore("root.txt", false));
        assert!(!r.ignore("sub/root.txt", false));
    }

    #[test]
    fn dir_rules_need_directories() {
        let r = Rules::parse("secret/").unwrap();
        assert!(r.ignore("secret", true));
        assert!(!r.ignore("secret", false));
    }

    #[test]
    fn negation_ignores_non_matches() {
        let r = Rules::parse("!*.yaml").unwrap();
        assert!(r.ignore("README.md", false));
        assert!(!r.ignore("values.yaml", false));
    }

    #[test]
    fn defaults_hide_template_dotfiles() {
        let mut r = Rules::empty();
        r.add_defaults();
        assert!(r.ignore("templates/.swp", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(!r.ignore(".helmignore", false));
    }

    #[test]
    fn double_star_is_rejected() {
        assert_eq!(Rules::parse("a/**/b").unwrap_err(), IgnoreError::DoubleStar);
    }
}
