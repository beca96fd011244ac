//! Regular expression functions over Go's RE2 syntax. Rust's `regex` crate is also
//! RE2-like; the differences that matter are translated: Go's `\d`, `\w`, `\s`, `\b`
//! are ASCII-only while Rust's are Unicode-aware.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;

use crate::func::{FuncError, FuncMap};
use crate::value::Value;

use super::args::{self, MAX_OUTPUT_BYTES, arity, too_large};
use super::strings::strings_value;

/// Length in chars of a Go repeat operator (`{n}`, `{n,}`, `{n,m}`) starting at the
/// `{` in `chars`, or `None` when Go would read that `{` as a literal.
fn repeat_len(chars: &[char]) -> Option<usize> {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1)
}

/// Rewrite Go-only escapes into their Rust equivalents (ASCII classes), and escape
/// braces Go reads as literals (`{x}`, a lone `}`), which Rust rejects or misreads.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let all: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while let Some(&c) = all.get(i) {
        i += 1;
        if c != '\\' {
            match c {
                '[' if !in_class => {
                    in_class = true;
                    out.push(c);
                    // `]` first in a class (after an optional `^`) is a literal.
                    if all.get(i) == Some(&'^') {
                        out.push('^');
                        i += 1;
                    }
                    if all.get(i) == Some(&']') {
                        out.push_str("\\]");
                        i += 1;
                    }
                    continue;
                }
                ']' if in_class => in_class = false,
                '{' if !in_class => {
                    if let Some(n) = repeat_len(&all[i - 1..]) {
                        out.extend(&all[i - 1..i - 1 + n]);
                        i += n - 1;
                    } else {
                        out.push_str("\\{");
                    }
                    continue;
                }
                '}' if !in_class => {
                    out.push_str("\\}");
                    continue;
                }
                _ => {}
            }
            out.push(c);
            continue;
        }
        let next = all.get(i).copied();
        i += 1;
        match next {
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// How many compiled patterns [`compile`] keeps.
const CACHE_CAPACITY: usize = 256;

/// Compile as Go's `regexp.Compile` would accept, with a Go-like error. Charts call
/// `regexMatch` and friends with a handful of constant patterns many times per
/// render, and compiling costs far more than matching: compiled patterns are kept
/// (shared, so their match caches stay warm too); errors are not.
fn compile(pattern: &str) -> Result<Arc<Regex>, FuncError> {
    let cache = compiled();
    if let Some(re) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(pattern) {
        return Ok(re.clone());
    }
    let re = Arc::new(compile_uncached(pattern)?);
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CACHE_CAPACITY {
        cache.clear();
    }
    cache.insert(pattern.to_string(), re.clone());
    Ok(re)
}

fn compiled() -> &'static Mutex<HashMap<String, Arc<Regex>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Forgets every compiled pattern (cold-render benchmarks).
pub(super) fn clear_cache() {
    compiled().lock().unwrap_or_else(|p| p.into_inner()).clear();
}

fn compile_uncached(pattern: &str) -> Result<Regex, FuncError> {
    Regex::new(&translate(pattern))
        .or_else(|_| Regex::new(pattern))
        .map_err(|e| {
            let detail = match &e {
                regex::Error::Syntax(s) => go_error_code(s),
                other => other.to_string(),
            };
            FuncError::new(format!("error parsing regexp: {detail}: `{pattern}`"))
        })
}

/// Go's `syntax.ErrorCode` text for the common errors the Rust parser reports.
fn go_error_code(rust_msg: &str) -> String {
    let last = rust_msg.lines().last().unwrap_or(rust_msg).trim();
    let last = last.strip_prefix("error: ").unwrap_or(last);
    for (needle, code) in [
        ("unclosed group", "missing closing )"),
        ("unclosed character class", "missing closing ]"),
        ("unopened group", "unexpected )"),
        (
            "repetition operator missing expression",
            "missing argument to repetition operator",
        ),
        ("unrecognized escape", "invalid escape sequence"),
        (
            "incomplete escape",
            "trailing backslash at end of expression",
        ),
        (
            "invalid character class range",
            "invalid character class range",
        ),
        ("repetition quantifier", "invalid repeat count"),
        ("exceeds", "expression too large"),
    ] {
        if last.contains(needle) {
            return code.to_string();
        }
    }
    last.to_string()
}

/// `regexp.MustCompile` panics; the template reports the panic text.
fn must_compile(pattern: &str) -> Result<Arc<Regex>, FuncError> {
    compile(pattern)
        .map_err(|e| FuncError::new(format!("regexp: Compile(`{pattern}`): {}", e.message)))
}

/// Go's `FindAllString(s, n)`: n < 0 for all.
fn find_all(re: &Regex, s: &str, n: i64) -> Vec<String> {
    let it = re.find_iter(s).map(|m| m.as_str().to_string());
    if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    }
}

/// Go's `Regexp.Split(s, n)`.
fn split(re: &Regex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let matches: Vec<(usize, usize)> = re.find_iter(s).map(|m| (m.start(), m.end())).collect();
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = me;
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`: escapes exactly `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("regexMatch", |a| {
        arity("regexMatch", a, 2)?;
        let s = args::string(&a[1])?;
        Ok(Value::Bool(
            compile(args::string(&a[0])?).is_ok_and(|re| re.is_match(s)),
        ))
    });
    f.add("mustRegexMatch", |a| {
        arity("mustRegexMatch", a, 2)?;
        let re = compile(args::string(&a[0])?)?;
        Ok(Value::Bool(re.is_match(args::string(&a[1])?)))
    });
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        f.add(name, move |a| {
            arity(name, a, 3)?;
            let pat = args::string(&a[0])?;
            let re = if must {
                compile(pat)?
            } else {
                must_compile(pat)?
            };
            Ok(strings_value(find_all(
                &re,
                args::string(&a[1])?,
                args::int(&a[2])?,
            )))
        });
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        f.add(name, move |a| {
            arity(name, a, 2)?;
            let pat = args::string(&a[0])?;
            let re = if must {
                compile(pat)?
            } else {
                must_compile(pat)?
            };
            let s = args::string(&a[1])?;
            Ok(Value::str(re.find(s).map(|m| m.as_str()).unwrap_or("")))
        });
    }
    for (name, must, literal) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", true, false),
        ("regexReplaceAllLiteral", false, true),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        f.add(name, move |a| {
            arity(name, a, 3)?;
            let pat = args::string(&a[0])?;
            let re = if must {
                compile(pat)?
            } else {
                must_compile(pat)?
            };
            let s = args::string(&a[1])?;
            let repl = args::string(&a[2])?;
            // Bound the output before building it: each match becomes the replacement
            // with every `$` reference expanded to at most the match itself.
            let refs = if literal {
                0
            } else {
                repl.matches('$').count() as u128
            };
            let total = re.find_iter(s).fold(s.len() as u128, |acc, m| {
                acc + repl.len() as u128 + refs * m.len() as u128
            });
            if total > MAX_OUTPUT_BYTES as u128 {
                return Err(too_large(name, "result size", total));
            }
            let out = if literal {
                re.replace_all(s, regex::NoExpand(repl))
            } else {
                re.replace_all(s, repl)
            };
            Ok(Value::from(out.into_owned()))
        });
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        f.add(name, move |a| {
            arity(name, a, 3)?;
            let pat = args::string(&a[0])?;
            let re = if must {
                compile(pat)?
            } else {
                must_compile(pat)?
            };
            Ok(strings_value(split(
                &re,
                args::string(&a[1])?,
                args::int(&a[2])?,
            )))
        });
    }
    f.add("regexQuoteMeta", |a| {
        arity("regexQuoteMeta", a, 1)?;
        Ok(Value::from(quote_meta(args::string(&a[0])?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    /// A Go `[]string`, as `regexFindAll` and `regexSplit` return.
    fn strs(v: &[&str]) -> Value {
        strings_value(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn braces_go_reads_as_literals() {
        assert_eq!(translate("{(v[0-9])*[^}]*}}$"), "\\{(v[0-9])*[^}]*\\}\\}$");
        assert_eq!(translate("a{2,3}b{4}c{5,}"), "a{2,3}b{4}c{5,}");
        assert_eq!(translate("x{,3}"), "x\\{,3\\}");
        assert_eq!(translate("[]a]{"), "[\\]a]\\{");
        assert_eq!(
            call(
                "regexMatch",
                &["{(v[0-9])*[^}]*}}$".into(), "&{{v1 1} [v1] {v4.2}}".into()]
            ),
            Value::Bool(true)
        );
    }

    #[test]
    fn matching_and_finding() {
        assert_eq!(
            call("regexMatch", &["^[a-z]+\\d$".into(), "abc1".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("regexMatch", &["\\d".into(), "٣".into()]),
            Value::Bool(false),
            "Go's \\d is ASCII"
        );
        assert_eq!(
            call("regexMatch", &["(".into(), "x".into()]),
            Value::Bool(false)
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "mustRegexMatch",
                &["(".into(), "x".into()]
            )
            .is_err()
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "regexFind",
                &["(".into(), "x".into()]
            )
            .is_err()
        );
        assert_eq!(
            call(
                "regexFindAll",
                &["[2,4,6,8]".into(), "123456789".into(), Value::Int(-1)]
            ),
            strs(&["2", "4", "6", "8"])
        );
        assert_eq!(
            call(
                "regexFindAll",
                &["[2,4,6,8]".into(), "123456789".into(), Value::Int(3)]
            ),
            strs(&["2", "4", "6"])
        );
        assert_eq!(
            call("regexFind", &["[a-zA-Z][1-9]".into(), "abcd1234".into()]),
            Value::str("d1")
        );
        assert_eq!(
            call("regexMatch", &["\\bfoo\\b".into(), "a foo b".into()]),
            Value::Bool(true)
        );
    }

    #[test]
    fn replacing_and_splitting() {
        assert_eq!(
            call(
                "regexReplaceAll",
                &["a(x*)b".into(), "-ab-axxb-".into(), "${1}W".into()]
            ),
            Value::str("-W-xxW-")
        );
        assert_eq!(
            call(
                "regexReplaceAllLiteral",
                &["a(x*)b".into(), "-ab-axxb-".into(), "${1}".into()]
            ),
            Value::str("-${1}-${1}-")
        );
        assert_eq!(
            call("regexSplit", &["z+".into(), "pizza".into(), Value::Int(-1)]),
            strs(&["pi", "a"])
        );
        assert_eq!(
            call("regexSplit", &["z+".into(), "pizza".into(), Value::Int(1)]),
            strs(&["pizza"])
        );
        assert_eq!(
            call("regexSplit", &["".into(), "abc".into(), Value::Int(-1)]),
            strs(&["a", "b", "c"])
        );
        assert_eq!(
            call("regexSplit", &["a".into(), "".into(), Value::Int(-1)]),
            strs(&[""])
        );
        assert_eq!(
            call("regexQuoteMeta", &["1.2-3[x]".into()]),
            Value::str("1\\.2-3\\[x\\]")
        );
    }
}
