//! Go's `regexp/syntax` parser, as far as its errors go: which patterns it refuses
//! and the text it names (`invalid escape sequence: \u`, `invalid nested repetition
//! operator: **`, `invalid repeat count: {1001}`, ...). Rust's engines accept some of
//! what Go refuses (`\u0041`, `a**`, `x*+`, `x{1001}`, `[[:foo:]]`) and word the rest
//! differently, so every pattern is checked here first, left to right as Go parses,
//! and only a pattern Go accepts reaches them. It also reports where a capture name
//! repeats an earlier group's: Go allows that, Rust does not, so the caller renames.

/// A Go syntax error: the error code's text and the part of the pattern it names.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub code: &'static str,
    pub expr: String,
}

const INVALID_ESCAPE: &str = "invalid escape sequence";
const INVALID_CHAR_RANGE: &str = "invalid character class range";
const INVALID_NAMED_CAPTURE: &str = "invalid named capture";
const INVALID_PERL_OP: &str = "invalid or unsupported Perl syntax";
const INVALID_REPEAT_OP: &str = "invalid nested repetition operator";
const INVALID_REPEAT_SIZE: &str = "invalid repeat count";
const MISSING_BRACKET: &str = "missing closing ]";
const MISSING_PAREN: &str = "missing closing )";
const MISSING_REPEAT_ARGUMENT: &str = "missing argument to repetition operator";
const TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const UNEXPECTED_PAREN: &str = "unexpected )";

/// Go's repeat count limit (`{n,m}` and nested products of them).
const MAX_REPEAT: u64 = 1000;

fn error(code: &'static str, expr: &str) -> SyntaxError {
    SyntaxError {
        code,
        expr: expr.to_string(),
    }
}

/// One open group: the largest repeat need of what it holds so far, and that of its
/// last operand (`None` when a repetition would have nothing to apply to).
struct Group {
    need: u64,
    last: Option<u64>,
}

impl Group {
    fn operand(&mut self, need: u64) {
        self.fold();
        self.last = Some(need);
    }

    fn fold(&mut self) {
        if let Some(last) = self.last.take() {
            self.need = self.need.max(last);
        }
    }
}

/// Checks `pattern` as Go's `regexp.Compile` parses it; `Ok` holds where each capture
/// group's name is, in order, for names given to an earlier group too.
pub(super) fn check(pattern: &str) -> Result<Vec<std::ops::Range<usize>>, SyntaxError> {
    let s = pattern;
    let mut groups = vec![Group {
        need: 0,
        last: None,
    }];
    let mut names: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut last_repeat: Option<usize> = None;
    let mut i = 0;
    while i < s.len() {
        let mut repeat = None;
        let rest = &s[i..];
        let c = rest.chars().next().unwrap_or_default();
        let top = groups.len() - 1;
        match c {
            '(' if rest.starts_with("(?") => {
                let (next, opened, name) = perl_group(rest)?;
                if let Some((name, span)) = name {
                    names.push((name, i + span.start..i + span.end));
                }
                if opened {
                    groups.push(Group {
                        need: 0,
                        last: None,
                    });
                }
                i += next;
            }
            '(' => {
                groups.push(Group {
                    need: 0,
                    last: None,
                });
                i += 1;
            }
            '|' => {
                groups[top].fold();
                i += 1;
            }
            ')' => {
                if groups.len() < 2 {
                    return Err(error(UNEXPECTED_PAREN, s));
                }
                let mut group = groups.pop().unwrap_or(Group {
                    need: 0,
                    last: None,
                });
                group.fold();
                groups[top - 1].operand(group.need);
                i += 1;
            }
            '[' => {
                i += class(rest)?;
                groups[top].operand(0);
            }
            '*' | '+' | '?' | '{' => {
                let (min, max, mut after) = if c == '{' {
                    match repeat_counts(rest) {
                        Some((min, max, len)) => {
                            let too_big =
                                min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || min > m);
                            if too_big {
                                return Err(error(INVALID_REPEAT_SIZE, &rest[..len]));
                            }
                            (min, max, len)
                        }
                        None => {
                            // Not a repeat: a literal brace.
                            groups[top].operand(0);
                            i += 1;
                            last_repeat = None;
                            continue;
                        }
                    }
                } else {
                    (0, None, 1)
                };
                if rest[after..].starts_with('?') {
                    after += 1;
                }
                if let Some(start) = last_repeat {
                    return Err(error(INVALID_REPEAT_OP, &s[start..i + after]));
                }
                let Some(sub) = groups[top].last else {
                    return Err(error(MISSING_REPEAT_ARGUMENT, &rest[..after]));
                };
                if c == '{' {
                    // Go's repeatIsValid: nested counts multiply up to 1000.
                    let m = match max {
                        Some(0) => 0,
                        Some(m) => m,
                        None => min,
                    };
                    let need = if m == 0 {
                        sub
                    } else {
                        m.saturating_mul(sub.max(1))
                    };
                    let counted = min >= 2 || max.is_some_and(|m| m >= 2);
                    if counted && max != Some(0) && need > MAX_REPEAT {
                        return Err(error(INVALID_REPEAT_SIZE, &rest[..after]));
                    }
                    groups[top].last = Some(if max == Some(0) { 0 } else { need });
                }
                repeat = Some(i);
                i += after;
            }
            '\\' => {
                let len = escape_operand(rest)?;
                groups[top].operand(0);
                i += len;
            }
            c => {
                groups[top].operand(0);
                i += c.len_utf8();
            }
        }
        last_repeat = repeat;
    }
    if groups.len() != 1 {
        return Err(error(MISSING_PAREN, s));
    }
    let mut seen = std::collections::HashSet::new();
    Ok(names
        .into_iter()
        .filter(|(name, _)| !seen.insert(name.clone()))
        .map(|(_, span)| span)
        .collect())
}

/// A group's name and where it is in the group's text.
type Named = Option<(String, std::ops::Range<usize>)>;

/// A `(?` group at the start of `t`: a named capture or flags. Returns how much it
/// takes, whether it opens a group (`(?i)` sets flags only) and a capture's name.
fn perl_group(t: &str) -> Result<(usize, bool, Named), SyntaxError> {
    let name_start = if t.len() > 4 && t[2..].starts_with("P<") {
        Some(4)
    } else if t.len() > 3 && t[2..].starts_with('<') {
        Some(3)
    } else {
        None
    };
    if let Some(begin) = name_start {
        let Some(end) = t.find('>') else {
            return Err(error(INVALID_NAMED_CAPTURE, t));
        };
        let name = &t[begin..end];
        let valid = !name.is_empty()
            && name.chars().all(|c| {
                c == '_' || crate::gounicode::is_letter(c) || crate::gounicode::is_digit(c)
            });
        if !valid {
            return Err(error(INVALID_NAMED_CAPTURE, &t[..=end]));
        }
        return Ok((end + 1, true, Some((name.to_string(), begin..end))));
    }
    // Flags: `(?flags)` or `(?flags:re)`, with at most one `-` and a flag after it.
    let mut negated = false;
    let mut saw_flag = false;
    let mut at = 2;
    for c in t[2..].chars() {
        at += c.len_utf8();
        match c {
            'i' | 'm' | 's' | 'U' => saw_flag = true,
            '-' if !negated => {
                negated = true;
                saw_flag = false;
            }
            ':' | ')' if !negated || saw_flag => return Ok((at, c == ':', None)),
            _ => break,
        }
    }
    Err(error(INVALID_PERL_OP, &t[..at]))
}

/// Go's `parseRepeat` on `{n}`, `{n,}` or `{n,m}` at the start of `s`: the counts
/// (`None` for no maximum) and the length, or `None` when Go reads a literal `{`.
/// Counts too large to read are kept past the limit so the caller refuses them.
fn repeat_counts(s: &str) -> Option<(u64, Option<u64>, usize)> {
    let b = s.as_bytes();
    let number = |at: &mut usize| -> Option<u64> {
        let start = *at;
        while *at < b.len() && b[*at].is_ascii_digit() {
            *at += 1;
        }
        if *at == start {
            return None;
        }
        // Go refuses a number with a leading zero but "0" itself.
        if b[start] == b'0' && *at - start > 1 {
            return None;
        }
        Some(s[start..*at].parse::<u64>().unwrap_or(u64::MAX))
    };
    let mut at = 1;
    let min = number(&mut at)?;
    let max = if b.get(at) == Some(&b',') {
        at += 1;
        if b.get(at) == Some(&b'}') {
            None
        } else {
            Some(number(&mut at)?)
        }
    } else {
        Some(min)
    };
    (b.get(at) == Some(&b'}')).then_some((min, max, at + 1))
}

/// An escape outside a class at the start of `t` (which begins with `\`): its length.
fn escape_operand(t: &str) -> Result<usize, SyntaxError> {
    match t[1..].chars().next() {
        Some('A' | 'z' | 'b' | 'B' | 'd' | 's' | 'w' | 'D' | 'S' | 'W') => Ok(2),
        Some('C') => Err(error(INVALID_ESCAPE, &t[..2])),
        Some('Q') => {
            // Literal text up to `\E` or the end.
            Ok(t[2..].find("\\E").map_or(t.len(), |end| end + 4))
        }
        Some('p' | 'P') => unicode_class(t),
        _ => escape(t),
    }
}

/// Go's `parseEscape` at the start of `t`: the length of a valid escape.
fn escape(t: &str) -> Result<usize, SyntaxError> {
    let mut chars = t[1..].char_indices().map(|(at, c)| (at + 1, c));
    let Some((_, c)) = chars.next() else {
        return Err(error(TRAILING_BACKSLASH, ""));
    };
    let mut consumed = 1 + c.len_utf8();
    let octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    let bytes = t.as_bytes();
    match c {
        // A lone non-zero digit is a back-reference, which Go refuses.
        '1'..='7' if !octal(bytes.get(2)) => {}
        '0'..='7' => {
            let mut at = 2;
            while at < 4 && octal(bytes.get(at)) {
                at += 1;
            }
            return Ok(at);
        }
        'x' => {
            let Some((_, first)) = chars.next() else {
                return Err(error(INVALID_ESCAPE, &t[..consumed]));
            };
            consumed += first.len_utf8();
            if first == '{' {
                let mut value: u32 = 0;
                for (digits, (at, c)) in chars.enumerate() {
                    consumed = at + c.len_utf8();
                    if c == '}' {
                        if digits == 0 {
                            break;
                        }
                        return Ok(consumed);
                    }
                    let Some(v) = c.to_digit(16) else { break };
                    value = value.saturating_mul(16).saturating_add(v);
                    if value > 0x10FFFF {
                        break;
                    }
                }
                return Err(error(INVALID_ESCAPE, &t[..consumed]));
            }
            let second = chars.next();
            if let Some((_, c)) = second {
                consumed += c.len_utf8();
            }
            if first.is_ascii_hexdigit() && second.is_some_and(|(_, c)| c.is_ascii_hexdigit()) {
                return Ok(consumed);
            }
        }
        'a' | 'f' | 'n' | 'r' | 't' | 'v' => return Ok(consumed),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => return Ok(consumed),
        _ => {}
    }
    Err(error(INVALID_ESCAPE, &t[..consumed]))
}

/// Go's Unicode category names (`unicode.Categories`) and `Any`; other names (scripts)
/// are left to the engine, whose refusal is reported as Go's.
fn is_go_category(name: &str) -> bool {
    matches!(
        name,
        "Any"
            | "C"
            | "Cc"
            | "Cf"
            | "Co"
            | "Cs"
            | "L"
            | "Ll"
            | "Lm"
            | "Lo"
            | "Lt"
            | "Lu"
            | "M"
            | "Mc"
            | "Me"
            | "Mn"
            | "N"
            | "Nd"
            | "Nl"
            | "No"
            | "P"
            | "Pc"
            | "Pd"
            | "Pe"
            | "Pf"
            | "Pi"
            | "Po"
            | "Ps"
            | "S"
            | "Sc"
            | "Sk"
            | "Sm"
            | "So"
            | "Z"
            | "Zl"
            | "Zp"
            | "Zs"
    )
}

/// `\pN`, `\p{Name}` (or `\P`) at the start of `t`: its length. A name Go does not
/// know is refused where it is checked (categories here, scripts by the engine).
fn unicode_class(t: &str) -> Result<usize, SyntaxError> {
    let Some(c) = t[2..].chars().next() else {
        return Err(error(INVALID_CHAR_RANGE, t));
    };
    let (seq_len, name) = if c == '{' {
        let Some(end) = t.find('}') else {
            return Err(error(INVALID_CHAR_RANGE, t));
        };
        (end + 1, &t[3..end])
    } else {
        (2 + c.len_utf8(), &t[2..2 + c.len_utf8()])
    };
    let name = name.strip_prefix('^').unwrap_or(name);
    let single_letter = c != '{';
    if single_letter && !is_go_category(name) {
        return Err(error(INVALID_CHAR_RANGE, &t[..seq_len]));
    }
    if name.is_empty() {
        return Err(error(INVALID_CHAR_RANGE, &t[..seq_len]));
    }
    Ok(seq_len)
}

/// The POSIX class names Go knows inside `[...]`.
fn is_posix_class(name: &str) -> bool {
    let name = name.strip_prefix('^').unwrap_or(name);
    matches!(
        name,
        "alnum"
            | "alpha"
            | "ascii"
            | "blank"
            | "cntrl"
            | "digit"
            | "graph"
            | "lower"
            | "print"
            | "punct"
            | "space"
            | "upper"
            | "word"
            | "xdigit"
    )
}

/// A class `[...]` at the start of `s`: its length, as Go's `parseClass` reads it.
fn class(s: &str) -> Result<usize, SyntaxError> {
    let mut t = 1;
    if s[t..].starts_with('^') {
        t += 1;
    }
    let mut first = true;
    loop {
        let rest = &s[t..];
        if rest.starts_with(']') && !first {
            return Ok(t + 1);
        }
        first = false;
        if rest.starts_with("[:")
            && let Some(end) = rest[2..].find(":]")
        {
            let name = &rest[..end + 4];
            if !is_posix_class(&name[2..name.len() - 2]) {
                return Err(error(INVALID_CHAR_RANGE, name));
            }
            t += name.len();
            continue;
        }
        if rest.starts_with("\\p") || rest.starts_with("\\P") {
            t += unicode_class(rest)?;
            continue;
        }
        if let Some("\\d" | "\\s" | "\\w" | "\\D" | "\\S" | "\\W") = rest.get(..2) {
            t += 2;
            continue;
        }
        let (lo, len) = class_char(rest, s)?;
        t += len;
        let after = &s[t..];
        if after.len() >= 2 && after.starts_with('-') && !after[1..].starts_with(']') {
            let (hi, hi_len) = class_char(&after[1..], s)?;
            if hi < lo {
                return Err(error(INVALID_CHAR_RANGE, &rest[..len + 1 + hi_len]));
            }
            t += 1 + hi_len;
        }
    }
}

/// One character of a class (literal or escaped) at the start of `t`: its value (for
/// range order) and length; `whole` is the class, named when it does not close.
fn class_char(t: &str, whole: &str) -> Result<(u32, usize), SyntaxError> {
    let Some(c) = t.chars().next() else {
        return Err(error(MISSING_BRACKET, whole));
    };
    if c != '\\' {
        return Ok((c as u32, c.len_utf8()));
    }
    let len = escape(t)?;
    Ok((escape_value(&t[..len]), len))
}

/// The character a valid escape stands for (for class range order).
fn escape_value(e: &str) -> u32 {
    let body = &e[1..];
    match body.as_bytes().first() {
        Some(b'0'..=b'7') => u32::from_str_radix(body, 8).unwrap_or(0),
        Some(b'x') if body.starts_with("x{") => {
            u32::from_str_radix(&body[2..body.len() - 1], 16).unwrap_or(0)
        }
        Some(b'x') => u32::from_str_radix(&body[1..], 16).unwrap_or(0),
        Some(b'a') => 7,
        Some(b'f') => 12,
        Some(b'n') => 10,
        Some(b'r') => 13,
        Some(b't') => 9,
        Some(b'v') => 11,
        _ => body.chars().next().map_or(0, |c| c as u32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(p: &str) -> Option<(&'static str, String)> {
        check(p).err().map(|e| (e.code, e.expr))
    }

    /// Each refusal and its text as Go's regexp/syntax reports them (checked against
    /// Helm 4.2.3's `regexFind`, case 337).
    #[test]
    fn go_refuses_with_its_text() {
        let e = |code: &'static str, expr: &str| Some((code, expr.to_string()));
        assert_eq!(err("a\\u0041"), e(INVALID_ESCAPE, "\\u"));
        assert_eq!(err("a**"), e(INVALID_REPEAT_OP, "**"));
        assert_eq!(err("x*+"), e(INVALID_REPEAT_OP, "*+"));
        assert_eq!(err("x*?*"), e(INVALID_REPEAT_OP, "*?*"));
        assert_eq!(err("\\8"), e(INVALID_ESCAPE, "\\8"));
        assert_eq!(err("\\1"), e(INVALID_ESCAPE, "\\1"));
        assert_eq!(err("x{1001}"), e(INVALID_REPEAT_SIZE, "{1001}"));
        assert_eq!(err("a{2,1}"), e(INVALID_REPEAT_SIZE, "{2,1}"));
        assert_eq!(err("(a{3}){334}"), e(INVALID_REPEAT_SIZE, "{334}"));
        assert_eq!(err("\\pX"), e(INVALID_CHAR_RANGE, "\\pX"));
        assert_eq!(err("a\\"), e(TRAILING_BACKSLASH, ""));
        assert_eq!(err("[z-a]"), e(INVALID_CHAR_RANGE, "z-a"));
        assert_eq!(err("(?i"), e(INVALID_PERL_OP, "(?i"));
        assert_eq!(err("(?z)"), e(INVALID_PERL_OP, "(?z"));
        assert_eq!(err("\\x{110000}"), e(INVALID_ESCAPE, "\\x{110000"));
        assert_eq!(err("\\k<n>"), e(INVALID_ESCAPE, "\\k"));
        assert_eq!(err("[[:foo:]]"), e(INVALID_CHAR_RANGE, "[:foo:]"));
        assert_eq!(err("(?P<>a)"), e(INVALID_NAMED_CAPTURE, "(?P<>"));
        assert_eq!(err("map[]"), e(MISSING_BRACKET, "[]"));
        assert_eq!(err("(abc"), e(MISSING_PAREN, "(abc"));
        assert_eq!(err("a)"), e(UNEXPECTED_PAREN, "a)"));
        assert_eq!(err("*a"), e(MISSING_REPEAT_ARGUMENT, "*"));
        assert_eq!(err("(*a)"), e(MISSING_REPEAT_ARGUMENT, "*"));
        assert_eq!(err("\\C"), e(INVALID_ESCAPE, "\\C"));
        assert_eq!(err("x{0}{1}"), e(INVALID_REPEAT_OP, "{0}{1}"));
    }

    /// Patterns come from templates: no input may panic the checker, and whatever it
    /// accepts must not panic the translation and compilation after it.
    #[test]
    fn random_patterns_never_panic() {
        const ALPHABET: &[&str] = &[
            "a", "\\", "(", ")", "[", "]", "{", "}", "*", "+", "?", "|", "^", "$", ".", "-", ":",
            "<", ">", "P", "p", "x", "Q", "E", "0", "1", "9", ",", "=", "!", "_", "é", "\u{fffd}",
            "[:", ":]", "(?", "\\p{", "\\x{",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut pattern = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for k in 0..(seed % 12) {
                let pick = (seed >> (k * 5)) as usize % ALPHABET.len();
                pattern.push_str(ALPHABET[pick]);
            }
            if check(&pattern).is_ok() {
                let _ = super::super::regex::compile_for_tests(&pattern);
            }
        }
    }

    #[test]
    fn go_accepts() {
        for p in [
            "a{2}b{3,}c{4,5}",
            "x{,3}",
            "{",
            "a{x}",
            "[]a]",
            "[^]a]",
            "[a-]",
            "[\\d-z]",
            "\\0\\12\\123",
            "\\x41\\x{1F600}",
            "(?i)a(?-i:b)(?s:.)",
            "(?P<n>a)(?P<n>b)",
            "(?<n>a)",
            "a??b*?c+?",
            "^*$",
            "a(?i)*",
            "[[:alpha:][:^digit:]]",
            "\\p{Greek}\\pL\\PN\\p{^Lu}",
            "\\Qa*b\\E+",
            "\\.\\-\\_\\<",
            "(a{2}){500}",
            "x{01}",
            "\\{(v[0-9])*[^}]*\\}\\}$",
            "{(v[0-9])*[^}]*}}$",
        ] {
            assert_eq!(err(p), None, "{p}");
        }
        // Go allows a name twice; where the repeats are is reported.
        let spans = check("(?P<n>a)(?:c)(?<m>d)(?P<n>b)");
        assert_eq!(
            spans.map(|s| s.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>()),
            Ok(vec![(24, 25)])
        );
    }
}
