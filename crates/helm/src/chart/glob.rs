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
        let name: Vec<char> = name.chars().collect();
        // Dynamic programming over (token, char) positions: O(tokens * chars), no
        // exponential backtracking on hostile patterns.
        let n = name.len();
        let mut cur = vec![false; n + 1];
        cur[0] = true;
        for tok in &self.tokens {
            let mut next = vec![false; n + 1];
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
            cur = next;
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
