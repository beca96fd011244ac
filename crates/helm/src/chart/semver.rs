//! The slice of Masterminds/semver v3 that chart loading needs: lenient version
//! parsing (`v` prefix, partial versions) and constraint checks (`||`, `,`/space AND,
//! `=`, `!=`, `>`, `>=`, `<`, `<=`, `~`, `^`, hyphen ranges, `x`/`*` wildcards), used
//! by Helm to validate Chart.yaml versions and to match dependencies to subcharts.

use semver::{Prerelease, Version};

/// A parsed version, remembering which parts were written (partials act as wildcards).
#[derive(Debug, Clone)]
struct Partial {
    version: Version,
    /// Number of numeric parts given (1..=3); `x`/`*` parts count as missing.
    given: usize,
}

fn parse_partial(s: &str, allow_wildcards: bool) -> Option<Partial> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    if s.is_empty() {
        return None;
    }
    let (core, build) = match s.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let mut nums = [0u64; 3];
    let mut given = 0;
    let mut wildcard_seen = false;
    for (i, part) in core.split('.').enumerate() {
        if i >= 3 {
            return None;
        }
        if allow_wildcards && matches!(part, "x" | "X" | "*") {
            wildcard_seen = true;
            continue;
        }
        if wildcard_seen || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Masterminds rejects leading zeros only in strict mode; NewVersion accepts them.
        nums[i] = part.parse().ok()?;
        given = i + 1;
    }
    let valid_ident = |x: &str| {
        !x.is_empty()
            && x.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    let mut version = Version::new(nums[0], nums[1], nums[2]);
    if let Some(p) = pre {
        if !valid_ident(p) {
            return None;
        }
        version.pre = Prerelease::new(p).ok()?;
    }
    if let Some(b) = build
        && !valid_ident(b)
    {
        return None;
    }
    Some(Partial { version, given })
}

/// Masterminds `NewVersion` acceptance (lenient: `v1`, `1.2`, `1.2.3-rc.1+build`).
pub fn is_valid_version(s: &str) -> bool {
    parse_partial(s, false).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Single {
    op: Op,
    p: Partial,
}

fn cmp_core(a: &Version, b: &Version) -> std::cmp::Ordering {
    a.cmp_precedence(b)
}

fn bump(p: &Partial, level: usize) -> Version {
    let v = &p.version;
    match level {
        0 => Version::new(v.major + 1, 0, 0),
        1 => Version::new(v.major, v.minor + 1, 0),
        _ => Version::new(v.major, v.minor, v.patch + 1),
    }
}

impl Single {
    fn check(&self, v: &Version) -> bool {
        use std::cmp::Ordering::*;
        // Pre-releases only satisfy constraints that name a pre-release themselves.
        if !v.pre.is_empty() && self.p.version.pre.is_empty() {
            return false;
        }
        let c = &self.p.version;
        let given = self.p.given;
        // Range [lo, hi) covered by a partial version.
        let lo = Version {
            pre: c.pre.clone(),
            ..Version::new(c.major, c.minor, c.patch)
        };
        let hi = if given == 0 {
            None
        } else if given < 3 {
            Some(bump(&self.p, given - 1))
        } else {
            None
        };
        let in_partial = |v: &Version| match &hi {
            Some(h) => cmp_core(v, &lo) != Less && cmp_core(v, h) == Less,
            None if given == 0 => true,
            None => cmp_core(v, c) == Equal,
        };
        match self.op {
            Op::Eq => in_partial(v),
            Op::Ne => !in_partial(v),
            Op::Gt => match &hi {
                Some(h) => cmp_core(v, h) != Less,
                None if given == 0 => false,
                None => cmp_core(v, c) == Greater,
            },
            Op::Ge => cmp_core(v, &lo) != Less,
            Op::Lt => cmp_core(v, &lo) == Less,
            Op::Le => match &hi {
                Some(h) => cmp_core(v, h) == Less,
                None if given == 0 => true,
                None => cmp_core(v, c) != Greater,
            },
            Op::Tilde => {
                let upper = if given <= 1 {
                    bump(&self.p, 0)
                } else {
                    bump(&self.p, 1)
                };
                cmp_core(v, &lo) != Less && cmp_core(v, &upper) == Less
            }
            Op::Caret => {
                let upper = if c.major > 0 || given <= 1 {
                    bump(&self.p, 0)
                } else if c.minor > 0 || given == 2 {
                    bump(&self.p, 1)
                } else {
                    bump(&self.p, 2)
                };
                cmp_core(v, &lo) != Less && cmp_core(v, &upper) == Less
            }
        }
    }
}

fn parse_single(s: &str) -> Option<Single> {
    let s = s.trim();
    let ops: [(&str, Op); 11] = [
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("!=", Op::Ne),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    for (prefix, op) in ops {
        if let Some(rest) = s.strip_prefix(prefix) {
            return Some(Single {
                op,
                p: parse_partial(rest, true)?,
            });
        }
    }
    Some(Single {
        op: Op::Eq,
        p: parse_partial(s, true)?,
    })
}

/// Split an AND group into its constraints: commas and whitespace separate them,
/// but an operator may be followed by spaces (`>= 1.2`).
fn and_terms(group: &str) -> Option<Vec<Single>> {
    let mut terms = Vec::new();
    let normalized = group.replace(',', " ");
    let words: Vec<&str> = normalized.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        // Hyphen range: `A - B`.
        if i + 2 < words.len() && words[i + 1] == "-" {
            let lo = parse_partial(w, true)?;
            let hi = parse_partial(words[i + 2], true)?;
            terms.push(Single { op: Op::Ge, p: lo });
            terms.push(Single { op: Op::Le, p: hi });
            i += 3;
            continue;
        }
        if w.chars().all(|c| "<>=!~^".contains(c)) {
            let next = words.get(i + 1)?;
            terms.push(parse_single(&format!("{w}{next}"))?);
            i += 2;
            continue;
        }
        terms.push(parse_single(w)?);
        i += 1;
    }
    if terms.is_empty() {
        return None;
    }
    Some(terms)
}

/// Helm's `IsCompatibleRange(constraint, version)`: false when either fails to parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_partial(version, false) else {
        return false;
    };
    let mut groups = Vec::new();
    for group in constraint.split("||") {
        match and_terms(group) {
            Some(t) => groups.push(t),
            None => return false,
        }
    }
    groups
        .iter()
        .any(|terms| terms.iter().all(|t| t.check(&v.version)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_versions() {
        assert!(is_valid_version("1.2.3"));
        assert!(is_valid_version("v1.2"));
        assert!(is_valid_version("1"));
        assert!(is_valid_version("1.2.3-rc.1+b5"));
        assert!(!is_valid_version("banana"));
        assert!(!is_valid_version("1.2.3.4"));
        assert!(!is_valid_version(""));
    }

    #[test]
    fn constraints() {
        assert!(is_compatible_range("0.2.0", "0.2.0"));
        assert!(!is_compatible_range("0.2.0", "0.2.1"));
        assert!(is_compatible_range("~0.2", "0.2.9"));
        assert!(!is_compatible_range("~0.2", "0.3.0"));
        assert!(is_compatible_range("^1.2.3", "1.9.0"));
        assert!(!is_compatible_range("^1.2.3", "2.0.0"));
        assert!(is_compatible_range("^0.2.3", "0.2.9"));
        assert!(!is_compatible_range("^0.2.3", "0.3.0"));
        assert!(is_compatible_range(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(is_compatible_range(">= 1.0, < 2", "1.5.0"));
        assert!(is_compatible_range("1.x", "1.7.3"));
        assert!(is_compatible_range("*", "3.0.0"));
        assert!(is_compatible_range("1.0 - 1.4", "1.4.7"));
        assert!(is_compatible_range("<1.0.0 || >=2.0.0", "2.1.0"));
        assert!(!is_compatible_range("<1.0.0 || >=2.0.0", "1.1.0"));
        assert!(!is_compatible_range(">1.0.0", "1.5.0-rc.1"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(!is_compatible_range("garbage", "1.0.0"));
    }
}
