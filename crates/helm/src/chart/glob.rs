//! Go's `path/filepath.Match` on `/`-separated paths: `*` and `?` never cross `/`,
//! `[...]` classes with `^` negation and ranges, `\` escapes. Helm uses it for
//! `.helmignore`, `.Files.Glob` and `helm template --show-only`.

/// A malformed pattern (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

#[derive(Debug, Clone)]
enum Token {
    Literal(char),
    AnyChar,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled pattern; compile once, match many names.
#[derive(Debug, Clone)]
pub struct Pattern {
    tokens: Vec<Token>,
}

impl Pattern {
    pub fn new(pattern: &str) -> Result<Pattern, BadPattern> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    // Consecutive stars behave as one.
                    if !matches!(tokens.last(), Some(Token::Star)) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::AnyChar);
                    i += 1;
                }
                '\\' => {
                    let c = *chars.get(i + 1).ok_or(BadPattern)?;
                    tokens.push(Token::Literal(c));
                    i += 2;
                }
                '[' => {
                    i += 1;
                    let negated = chars.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let c = *chars.get(i).ok_or(BadPattern)?;
                        if c == ']' && !first {
                            i += 1;
                            break;
                        }
                        let lo = class_char(&chars, &mut i)?;
                        let mut hi = lo;
                        if chars.get(i) == Some(&'-') {
                            i += 1;
                            hi = class_char(&chars, &mut i)?;
                            if hi < lo {
                                return Err(BadPattern);
                            }
                        }
                        ranges.push((lo, hi));
                        first = false;
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => {
                    tokens.push(Token::Literal(c));
                    i += 1;
                }
            }
        }
        Ok(Pattern { tokens })
    }

    pub fn matches(&self, name: &str) -> bool {
        // Most patterns start with literal text (`templates/`, `docs/`): a name that
        // does not share it cannot match, and one that is only literals is compared
        // directly. Helm checks every chart file against every rule, so this is hot.
        let mut rest = name;
        let mut first = 0;
        for tok in &self.tokens {
            let Token::Literal(c) = tok else { break };
            match rest.strip_prefix(*c) {
                Some(r) => rest = r,
                None => return false,
            }
            first += 1;
        }
        if first == self.tokens.len() {
            return rest.is_empty();
        }
        let name: Vec<char> = rest.chars().collect();
        // Dynamic programming over (token, char) positions: O(tokens * chars), no
        // exponential backtracking on hostile patterns. Two rows, reused.
        let n = name.len();
        let mut cur = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        cur[0] = true;
        for tok in &self.tokens[first..] {
            next.fill(false);
            match tok {
                Token::Star => {
                    for j in 0..=n {
                        if cur[j] || (j > 0 && next[j - 1] && name[j - 1] != '/') {
                            next[j] = true;
                        }
                    }
                }
                _ => {
                    for j in 0..n {
                        if cur[j] && single_matches(tok, name[j]) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            std::mem::swap(&mut cur, &mut next);
        }
        cur[n]
    }
}

fn class_char(chars: &[char], i: &mut usize) -> Result<char, BadPattern> {
    let c = *chars.get(*i).ok_or(BadPattern)?;
    match c {
        '-' | ']' => Err(BadPattern),
        '\\' => {
            let e = *chars.get(*i + 1).ok_or(BadPattern)?;
            *i += 2;
            Ok(e)
        }
        _ => {
            *i += 1;
            Ok(c)
        }
    }
}

fn single_matches(tok: &Token, c: char) -> bool {
    match tok {
        Token::Literal(l) => *l == c,
        Token::AnyChar => c != '/',
        Token::Class { negated, ranges } => {
            if c == '/' {
                return false;
            }
            let inside = ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi);
            inside != *negated
        }
        Token::Star => false,
    }
}

/// One-shot match, as Go's `filepath.Match`.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    Ok(Pattern::new(pattern)?.matches(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_do_not_cross_separators() {
        assert!(go_match("*.yaml", "a.yaml").unwrap());
        assert!(!go_match("*.yaml", "dir/a.yaml").unwrap());
        assert!(go_match("dir/*", "dir/a.yaml").unwrap());
        assert!(!go_match("dir/*", "dir/sub/a.yaml").unwrap());
        assert!(go_match("*", "").unwrap());
        assert!(go_match("a*b*c", "axxbyyc").unwrap());
        assert!(!go_match("a*b*c", "axxbyy").unwrap());
    }

    #[test]
    fn literal_prefixes_and_literal_patterns() {
        assert!(go_match("templates/a.yaml", "templates/a.yaml").unwrap());
        assert!(!go_match("templates/a.yaml", "templates/a.yaml2").unwrap());
        assert!(!go_match("templates/a.yaml", "templates/a.yam").unwrap());
        assert!(go_match("docs/*.md", "docs/x.md").unwrap());
        assert!(!go_match("docs/*.md", "doc/x.md").unwrap());
        assert!(go_match("é?*", "éa").unwrap());
        assert!(!go_match("é?*", "e").unwrap());
        assert!(go_match("", "").unwrap());
        assert!(!go_match("", "a").unwrap());
    }

    /// Go's matching rules written as plain backtracking, to check the matcher.
    fn reference(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len())
                .take_while(|&i| i == 0 || n[i - 1] != '/')
                .any(|i| reference(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && n[0] != '/' && reference(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && reference(rest, &n[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_backtracking(p in "[ab/*?]{0,8}", n in "[ab/]{0,8}") {
            let pc: Vec<char> = p.chars().collect();
            let nc: Vec<char> = n.chars().collect();
            proptest::prop_assert_eq!(go_match(&p, &n).unwrap(), reference(&pc, &nc));
        }
    }

    #[test]
    fn classes_and_escapes() {
        assert!(go_match("[abc].txt", "b.txt").unwrap());
        assert!(!go_match("[^abc].txt", "b.txt").unwrap());
        assert!(go_match("[a-c]?", "cz").unwrap());
        assert!(go_match("\\*", "*").unwrap());
        assert!(!go_match("\\*", "x").unwrap());
        assert_eq!(go_match("[", "x"), Err(BadPattern));
        assert_eq!(go_match("a\\", "a"), Err(BadPattern));
        assert_eq!(go_match("[z-a]", "a"), Err(BadPattern));
    }
}
