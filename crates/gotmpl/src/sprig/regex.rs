//! Regular expression functions over Go's RE2 syntax. Rust's `regex` crate is also
//! RE2-like; the differences that matter are translated: Go's `\d`, `\w`, `\s`, `\b`
//! are ASCII-only while Rust's are Unicode-aware.
//!
//! Patterns are compiled by `regex-lite` when it reads them as Go does, and by
//! `regex-automata`'s meta engine (what `regex` wraps) otherwise. Helm compiles every
//! pattern afresh on every call, and a template calls each with short strings, so
//! compile cost is what a render pays: `regex` builds byte-level UTF-8 automata
//! (forward and reverse, for its lazy DFA) and a small pattern costs 0.1M-1M
//! instructions, `regex-lite` matches code point by code point and costs about 25k,
//! which is Go's order. The meta engine is first built without the lazy DFA (3-6x
//! cheaper), and with it only for patterns that scan long haystacks. `regex-lite`
//! lacks Unicode classes, nested classes and class set operations (it refuses those,
//! so they go to the meta engine), and its `(?i)` folds ASCII only where Go folds
//! Unicode (those patterns go to the meta engine before it is tried).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use regex_automata::util::syntax;
use regex_automata::{MatchKind, meta};

use crate::func::{FuncError, FuncMap};
use crate::gounicode;
use crate::value::{Elem, List, Value, go_runes, invalid_in_go_text};

use super::args::{self, MAX_OUTPUT_BYTES, arity, too_large};
use super::strings::string_list;

/// Length in chars of a Go repeat operator (`{n}`, `{n,}`, `{n,m}`) starting at the
/// `{` in `chars`, or `None` when Go would read that `{` as a literal.
fn repeat_len(chars: &[char]) -> Option<usize> {
    let mut i = 1;
    // Go refuses a count with a leading zero ("01"), which makes the brace literal.
    let digits = |i: &mut usize| {
        let start = *i;
        while chars.get(*i).is_some_and(|c| c.is_ascii_digit()) {
            *i += 1;
        }
        *i > start && !(*i - start > 1 && chars[start] == '0')
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

/// Which crate a translated pattern is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Lite,
    Full,
}

/// Rewrite Go-only escapes into their Rust equivalents (ASCII classes), and escape
/// braces Go reads as literals (`{x}`, a lone `}`), which Rust rejects or misreads.
/// `regex-lite`'s `\b`/`\B` are already ASCII (and it has no `u` flag to turn off).
fn translate(pattern: &str, dialect: Dialect) -> String {
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
            // Go's quoting: everything up to `\E` (or the end) is literal.
            Some('Q') if !in_class => {
                let rest = &all[i..];
                let len = rest
                    .windows(2)
                    .position(|w| w == ['\\', 'E'])
                    .unwrap_or(rest.len());
                for &c in &rest[..len] {
                    if "\\.+*?()|[]{}^$#&-~".contains(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
                i += (len + 2).min(rest.len());
            }
            // Go's octal codes: `\0` and up to two more digits, or a non-zero digit
            // followed by at least one more (a lone `\1` is a back-reference, refused).
            Some(d @ '0'..='7')
                if d == '0' || all.get(i).is_some_and(|c| ('0'..='7').contains(c)) =>
            {
                let mut code = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match all.get(i).and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            code = code * 8 + digit;
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push_str(&format!("\\x{{{code:x}}}"));
            }
            // Inside a class the ranges themselves, so no nested class is needed
            // (regex-lite has none).
            Some('d') if in_class => out.push_str("0-9"),
            Some('w') if in_class => out.push_str("0-9A-Za-z_"),
            Some('s') if in_class => out.push_str("\\t\\n\\f\\r "),
            Some('d') => out.push_str("[0-9]"),
            Some('D') => out.push_str("[^0-9]"),
            Some('w') => out.push_str("[0-9A-Za-z_]"),
            Some('W') => out.push_str("[^0-9A-Za-z_]"),
            Some('s') => out.push_str("[\\t\\n\\f\\r ]"),
            Some('S') => out.push_str("[^\\t\\n\\f\\r ]"),
            Some('b') if dialect == Dialect::Lite => out.push_str("\\b"),
            Some('B') if dialect == Dialect::Lite => out.push_str("\\B"),
            Some('b') => out.push_str("(?-u:\\b)"),
            // A Unicode class name is copied whole (its braces are no repeat), and
            // Go's `\p{^Greek}` is Rust's `\P{Greek}` (`\P{^X}` is `\p{X}`).
            Some(p @ ('p' | 'P')) if all.get(i) == Some(&'{') && all[i..].contains(&'}') => {
                let close = i + all[i..].iter().position(|c| *c == '}').unwrap_or(0);
                let mut name = &all[i + 1..close];
                let mut p = p;
                if name.first() == Some(&'^') {
                    name = &name[1..];
                    p = if p == 'p' { 'P' } else { 'p' };
                }
                out.push('\\');
                out.push(p);
                out.push('{');
                out.extend(name);
                out.push('}');
                i = close + 1;
            }
            Some('B') => out.push_str("(?-u:\\B)"),
            // Go reads any other escaped ASCII non-alphanumeric as itself; Rust gives
            // some a meaning (`\<` and `\>` are word boundaries) or refuses them
            // (`\_`), so only its own metacharacters keep the backslash.
            Some(c)
                if c.is_ascii()
                    && !c.is_ascii_alphanumeric()
                    && !"\\.+*?()|[]{}^$#&-~".contains(c) =>
            {
                out.push(c);
            }
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
fn compile(pattern: &str) -> Result<Arc<GoRegex>, FuncError> {
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

fn compiled() -> &'static Mutex<HashMap<String, Arc<GoRegex>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<GoRegex>>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// [`compile_uncached`] for other modules' tests.
#[cfg(test)]
pub(super) fn compile_for_tests(pattern: &str) -> Result<(), FuncError> {
    compile_uncached(pattern).map(|_| ())
}

/// Forgets every compiled pattern (cold-render benchmarks).
pub(super) fn clear_cache() {
    compiled().lock().unwrap_or_else(|p| p.into_inner()).clear();
}

/// How many haystack bytes a pattern `regex-lite` reads is matched with it before
/// the meta engine is built for it too. `regex-lite` compiles 20-50x cheaper, but its
/// Pike VM costs up to ~400 instructions a byte (`[^}]*\}\}$` over the 1.4 KB of
/// `.Capabilities | toString`): past ~1 KiB the meta build has paid for itself.
const LITE_SCAN_BUDGET: usize = 1024;

/// How many haystack bytes a pattern matches with the meta engine built without its
/// lazy DFA before the build with it is made. The lazy DFA needs a reverse NFA and
/// its own set-up, which make a build 3-6x dearer (`\] \{[^}]*\}\}$`: ~110 us against
/// ~18 us), but it then scans at a few instructions a byte where the backtracker and
/// Pike VM need tens to hundreds (and the backtracker restarts per match, so many
/// matches over a long haystack cost more per byte).
const NFA_SCAN_BUDGET: usize = 4096;

/// A compiled Go pattern.
struct GoRegex {
    pattern: String,
    compiled: Compiled,
}

enum Compiled {
    /// `regex-lite` reads the pattern as Go does; the meta engine is built too once
    /// `lite` has scanned [`LITE_SCAN_BUDGET`] bytes. Both read such patterns alike
    /// (unit-tested), so the switch never changes a result.
    Lite {
        lite: regex_lite::Regex,
        full: OnceLock<Option<FullRegex>>,
        scanned: AtomicUsize,
    },
    Full(FullRegex),
}

/// A pattern built by `regex-automata`'s meta engine (what `regex::Regex` wraps, with
/// `regex`'s own settings), first without the lazy DFA, then with it once the pattern
/// has scanned [`NFA_SCAN_BUDGET`] bytes. Both builds come from the same syntax tree
/// with the same match semantics, so which one runs never changes a result.
struct FullRegex {
    /// The pattern text the meta engine accepted (Go's translated, or as written).
    source: String,
    without_dfa: meta::Regex,
    with_dfa: OnceLock<Option<meta::Regex>>,
    scanned: AtomicUsize,
}

/// `regex::Regex`'s configuration of the meta engine (`regex`'s builders), so a
/// pattern compiles, matches and hits its size limit exactly as `regex::Regex::new`.
fn meta_config(lazy_dfa: bool) -> meta::Config {
    meta::Config::new()
        .nfa_size_limit(Some(10 * (1 << 20)))
        .hybrid_cache_capacity(2 * (1 << 20))
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(true)
        .hybrid(lazy_dfa)
}

fn build_meta(source: &str, lazy_dfa: bool) -> Result<meta::Regex, Box<meta::BuildError>> {
    meta::Builder::new()
        .configure(meta_config(lazy_dfa))
        .syntax(syntax::Config::new().utf8(true))
        .build(source)
        .map_err(Box::new)
}

impl FullRegex {
    fn for_haystack(&self, haystack: &str) -> &meta::Regex {
        if !scan_past(&self.scanned, haystack, NFA_SCAN_BUDGET) {
            return &self.without_dfa;
        }
        self.with_dfa
            .get_or_init(|| build_meta(&self.source, true).ok())
            .as_ref()
            .unwrap_or(&self.without_dfa)
    }
}

/// Counts `haystack` into a tier's `scanned` bytes; whether the total is now past
/// `budget`, so the next tier has paid for its build.
fn scan_past(scanned: &AtomicUsize, haystack: &str, budget: usize) -> bool {
    let total = scanned
        .fetch_add(haystack.len(), Ordering::Relaxed)
        .saturating_add(haystack.len());
    total > budget
}

/// The compiled form one call uses.
enum Matcher<'r> {
    Lite(&'r regex_lite::Regex),
    Full(&'r meta::Regex),
}

impl GoRegex {
    fn matcher(&self, haystack: &str) -> Matcher<'_> {
        match &self.compiled {
            Compiled::Full(full) => Matcher::Full(full.for_haystack(haystack)),
            Compiled::Lite {
                lite,
                full,
                scanned,
            } => {
                if !scan_past(scanned, haystack, LITE_SCAN_BUDGET) {
                    return Matcher::Lite(lite);
                }
                // The meta engine may refuse what `regex-lite` took (its size limit):
                // keep lite.
                match full.get_or_init(|| compile_full(&self.pattern).ok()) {
                    Some(full) => Matcher::Full(full.for_haystack(haystack)),
                    None => Matcher::Lite(lite),
                }
            }
        }
    }

    fn is_match(&self, s: &str) -> bool {
        match self.matcher(s) {
            Matcher::Lite(re) => re.is_match(s),
            Matcher::Full(re) => re.is_match(s),
        }
    }

    /// Go's `FindAllStringIndex(s, -1)`: leftmost-first, non-overlapping, an empty
    /// match right after a match skipped (both crates iterate as Go does).
    fn spans(&self, s: &str) -> Vec<Range<usize>> {
        match self.matcher(s) {
            Matcher::Lite(re) => re.find_iter(s).map(|m| m.range()).collect(),
            Matcher::Full(re) => re.find_iter(s).map(|m| m.range()).collect(),
        }
    }

    fn find(&self, s: &str) -> Option<Range<usize>> {
        match self.matcher(s) {
            Matcher::Lite(re) => re.find(s).map(|m| m.range()),
            Matcher::Full(re) => re.find(s).map(|m| m.range()),
        }
    }

    /// Every match's capture groups (group 0 is the match), and the groups' names.
    fn captures(&self, s: &str) -> (Vec<Groups>, Vec<Option<String>>) {
        match self.matcher(s) {
            Matcher::Lite(re) => (
                re.captures_iter(s)
                    .map(|caps| {
                        (0..caps.len())
                            .map(|i| caps.get(i).map(|m| m.range()))
                            .collect()
                    })
                    .collect(),
                re.capture_names().map(|n| n.map(str::to_string)).collect(),
            ),
            Matcher::Full(re) => (
                re.captures_iter(s)
                    .map(|caps| {
                        (0..caps.group_len())
                            .map(|i| caps.get_group(i).map(|m| m.range()))
                            .collect()
                    })
                    .collect(),
                re.group_info()
                    .pattern_names(regex_automata::PatternID::ZERO)
                    .map(|n| n.map(str::to_string))
                    .collect(),
            ),
        }
    }

    /// Go's `ReplaceAllString` (`$1`, `${name}` expanded) or `ReplaceAllLiteralString`.
    fn replace_all(&self, s: &str, repl: &str, literal: bool) -> String {
        match (self.matcher(s), literal) {
            (Matcher::Lite(re), true) => re.replace_all(s, regex_lite::NoExpand(repl)).into_owned(),
            (Matcher::Lite(re), false) => re.replace_all(s, repl).into_owned(),
            (Matcher::Full(re), literal) => replace_all_meta(re, s, repl, literal),
        }
    }

    /// Whether the Go expression is empty (`Split` treats that specially).
    fn pattern_is_empty(&self) -> bool {
        self.pattern.is_empty()
    }
}

/// `regex::Regex::replace_all` over the meta engine: literal replacements at every
/// match, or `$1`/`${name}` expanded by the same interpolation `regex` uses.
fn replace_all_meta(re: &meta::Regex, s: &str, repl: &str, literal: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    if literal {
        for m in re.find_iter(s) {
            out.push_str(&s[last..m.start()]);
            out.push_str(repl);
            last = m.end();
        }
    } else {
        for caps in re.captures_iter(s) {
            let Some(m) = caps.get_match() else {
                continue;
            };
            out.push_str(&s[last..m.start()]);
            caps.interpolate_string_into(s, repl, &mut out);
            last = m.end();
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Whether `translated` sets the `i` flag anywhere (`(?i)`, `(?i:`, `(?-i)`, `(?si)`):
/// Go folds case over Unicode (`(?i)k` matches the Kelvin sign), `regex-lite` over
/// ASCII only.
fn sets_case_flag(translated: &str) -> bool {
    translated.match_indices("(?").any(|(at, _)| {
        translated[at + 2..]
            .chars()
            .take_while(|c| *c != ')' && *c != ':')
            .any(|c| c == 'i')
    })
}

fn compile_uncached(pattern: &str) -> Result<GoRegex, FuncError> {
    let duplicates = super::gore2::check(pattern)
        .map_err(|e| FuncError::new(format!("error parsing regexp: {}: `{}`", e.code, e.expr)))?;
    let renamed;
    let pattern = if duplicates.is_empty() {
        pattern
    } else {
        renamed = rename_duplicate_groups(pattern, &duplicates);
        renamed.as_str()
    };
    let translated = translate(pattern, Dialect::Lite);
    let lite = if sets_case_flag(&translated) {
        None
    } else {
        regex_lite::Regex::new(&translated).ok()
    };
    let compiled = match lite {
        Some(lite) => Compiled::Lite {
            lite,
            full: OnceLock::new(),
            scanned: AtomicUsize::new(0),
        },
        None => Compiled::Full(compile_full(pattern).map_err(|e| {
            let detail = match &e {
                regex::Error::Syntax(s) => go_error_code(s),
                other => other.to_string(),
            };
            FuncError::new(format!("error parsing regexp: {detail}: `{pattern}`"))
        })?),
    };
    Ok(GoRegex {
        pattern: pattern.to_string(),
        compiled,
    })
}

/// Go allows one name on several groups and `$name` means the first; Rust refuses
/// that, so later ones get a name no reference can spell (Go's `$` names are
/// letters, digits and `_`; a `.` ends them).
fn rename_duplicate_groups(pattern: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(pattern.len() + 8 * spans.len());
    let mut last = 0;
    for (i, span) in spans.iter().enumerate() {
        out.push_str(&pattern[last..span.end]);
        out.push_str(&format!(".{i}"));
        last = span.end;
    }
    out.push_str(&pattern[last..]);
    out
}

fn compile_full(pattern: &str) -> Result<FullRegex, regex::Error> {
    let translated = translate(pattern, Dialect::Full);
    let built = match build_meta(&translated, false) {
        Ok(re) => Ok((translated, re)),
        Err(_) => build_meta(pattern, false).map(|re| (pattern.to_string(), re)),
    };
    match built {
        Ok((source, without_dfa)) => Ok(FullRegex {
            source,
            without_dfa,
            with_dfa: OnceLock::new(),
            scanned: AtomicUsize::new(0),
        }),
        // `regex` words the error (the Go error text is derived from its wording); it
        // refuses what the same meta configuration refused.
        Err(e) => Err(Regex::new(pattern)
            .err()
            .unwrap_or_else(|| regex::Error::Syntax(e.to_string()))),
    }
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
fn must_compile(pattern: &str) -> Result<Arc<GoRegex>, FuncError> {
    compile(pattern)
        .map_err(|e| FuncError::new(format!("regexp: Compile(`{pattern}`): {}", e.message)))
}

/// One match's capture groups (spans in the text), group 0 the match itself.
type Groups = Vec<Option<Range<usize>>>;

/// A string argument as the engines read it: Go's decoded text (each byte that is not
/// UTF-8 one U+FFFD, as Go's regexp reads it) and, for a Go string that is not UTF-8,
/// its bytes, which the pieces Go returns keep.
struct Haystack<'a> {
    text: &'a str,
    raw: Option<RawHaystack<'a>>,
}

/// The bytes of a Go string that is not UTF-8, and where its text holds a U+FFFD
/// standing for an invalid byte.
struct RawHaystack<'a> {
    bytes: &'a [u8],
    invalid: Vec<(usize, u8)>,
}

impl<'a> Haystack<'a> {
    fn of(v: &'a Value) -> Result<Self, FuncError> {
        Ok(match v {
            Value::RawString(r) => Haystack {
                text: r.text(),
                raw: Some(RawHaystack {
                    bytes: r.bytes(),
                    invalid: invalid_in_go_text(r.bytes()),
                }),
            },
            other => Haystack {
                text: args::string(other)?,
                raw: None,
            },
        })
    }

    /// The bytes `text[span]` stands for.
    fn bytes(&self, span: Range<usize>) -> &'a [u8] {
        match &self.raw {
            None => &self.text.as_bytes()[span],
            Some(RawHaystack { bytes, invalid }) => {
                // Each U+FFFD before an offset is 3 bytes of text for 1 of the string
                // (matches start and end on character boundaries, never inside one).
                let to_byte = |at: usize| {
                    let before = invalid.partition_point(|&(i, _)| i < at);
                    at - 2 * before
                };
                &bytes[to_byte(span.start)..to_byte(span.end)]
            }
        }
    }

    /// The Go string `text[span]` stands for.
    fn piece(&self, span: Range<usize>) -> Value {
        match self.raw {
            None => Value::str(&self.text[span]),
            Some(_) => Value::from_go_bytes(self.bytes(span)),
        }
    }
}

/// Go's `FindAllString(s, n)`: n < 0 for all.
fn find_all(re: &GoRegex, s: &Haystack, n: i64) -> Vec<Value> {
    let it = re.spans(s.text).into_iter().map(|m| s.piece(m));
    if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    }
}

/// Go's `Regexp.Split(s, n)`.
fn split(re: &GoRegex, s: &Haystack, n: i64) -> Vec<Value> {
    if n == 0 {
        return Vec::new();
    }
    let text = s.text;
    if !re.pattern_is_empty() && text.is_empty() {
        return vec![Value::str("")];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for Range { start: ms, end: me } in re.spans(text) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = ms;
        if me != 0 {
            out.push(s.piece(beg..end));
        }
        beg = me;
    }
    if end != text.len() {
        out.push(s.piece(beg..text.len()));
    }
    out
}

/// Go's `ReplaceAllString` / `ReplaceAllLiteralString` on the bytes of a Go string
/// that is not UTF-8 (or with such a replacement): the text between matches and the
/// groups `$1`/`${name}` name keep their bytes.
fn replace_all_bytes(re: &GoRegex, s: &Haystack, repl: &[u8], literal: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.text.len());
    let mut last = 0;
    let (matches, names) = re.captures(s.text);
    for groups in &matches {
        let Some(Some(m)) = groups.first() else {
            continue;
        };
        out.extend_from_slice(s.bytes(last..m.start));
        if literal {
            out.extend_from_slice(repl);
        } else {
            expand(&mut out, repl, groups, &names, s);
        }
        last = m.end;
    }
    out.extend_from_slice(s.bytes(last..s.text.len()));
    out
}

/// Go's `Regexp.expand`: `$$` is a dollar, `$name`/`${name}` (letters, digits, `_`)
/// a group by number or name (nothing when it did not take part or does not
/// exist), and a `$` starting neither is kept as it is.
fn expand(
    out: &mut Vec<u8>,
    template: &[u8],
    groups: &[Option<Range<usize>>],
    names: &[Option<String>],
    s: &Haystack,
) {
    let mut rest = template;
    while let Some(at) = memchr::memchr(b'$', rest) {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + 1..];
        if rest.first() == Some(&b'$') {
            out.push(b'$');
            rest = &rest[1..];
            continue;
        }
        let Some((name, after)) = group_reference(rest) else {
            out.push(b'$');
            continue;
        };
        rest = after;
        let group = match group_number(name) {
            Some(n) => groups.get(n),
            None => names
                .iter()
                .position(|n| n.as_deref().map(str::as_bytes) == Some(name))
                .and_then(|i| groups.get(i)),
        };
        if let Some(Some(span)) = group {
            out.extend_from_slice(s.bytes(span.clone()));
        }
    }
    out.extend_from_slice(rest);
}

/// Go's `extract`: the name after a `$` (`name` or `{name}`) and what follows it.
fn group_reference(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let brace = s.first() == Some(&b'{');
    let body = if brace { &s[1..] } else { s };
    let mut len = 0;
    for (at, c, width) in go_runes(body) {
        // An invalid byte reads as U+FFFD, which is neither.
        if !(gounicode::is_letter(c) || gounicode::is_digit(c) || c == '_') {
            break;
        }
        len = at + width;
    }
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at(len);
    if !brace {
        return Some((name, after));
    }
    after.strip_prefix(b"}").map(|after| (name, after))
}

/// A group name that is a number (Go: digits only, no leading zero, below 1e8).
fn group_number(name: &[u8]) -> Option<usize> {
    if name.len() > 1 && name[0] == b'0' {
        return None;
    }
    let mut n: usize = 0;
    for &b in name {
        if !b.is_ascii_digit() || n >= 100_000_000 {
            return None;
        }
        n = n * 10 + usize::from(b - b'0');
    }
    Some(n)
}

/// Go's `regexp.QuoteMeta`: escapes exactly `\.+*?()|[]{}^$`.
fn quote_meta(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2);
    for &b in s {
        if b"\\.+*?()|[]{}^$".contains(&b) {
            out.push(b'\\');
        }
        out.push(b);
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
            // Go's FindAllString returns a nil slice when nothing matched.
            let found = find_all(&re, &Haystack::of(&a[1])?, args::int(&a[2])?);
            Ok(if found.is_empty() {
                Value::List(List::nil_of(Elem::String))
            } else {
                string_list(found)
            })
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
            let s = Haystack::of(&a[1])?;
            Ok(re.find(s.text).map_or(Value::str(""), |m| s.piece(m)))
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
            let hay = Haystack::of(&a[1])?;
            let s = hay.text;
            let repl = args::string_bytes(&a[2])?;
            // Bound the output before building it: each match becomes the replacement
            // with every `$` reference expanded to at most the match itself.
            let refs = if literal {
                0
            } else {
                memchr::memchr_iter(b'$', repl).count() as u128
            };
            let total = re.spans(s).iter().fold(s.len() as u128, |acc, m| {
                acc + repl.len() as u128 + refs * m.len() as u128
            });
            if total > MAX_OUTPUT_BYTES as u128 {
                return Err(too_large(name, "result size", total));
            }
            if hay.raw.is_some() || matches!(a[2], Value::RawString(_)) {
                let out = replace_all_bytes(&re, &hay, repl, literal);
                return Ok(Value::from_go_bytes(&out));
            }
            Ok(Value::from(re.replace_all(
                s,
                args::string(&a[2])?,
                literal,
            )))
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
            let n = args::int(&a[2])?;
            // Go's Split(s, 0) returns a nil slice.
            Ok(if n == 0 {
                Value::List(List::nil_of(Elem::String))
            } else {
                string_list(split(&re, &Haystack::of(&a[1])?, n))
            })
        });
    }
    f.add("regexQuoteMeta", |a| {
        arity("regexQuoteMeta", a, 1)?;
        Ok(Value::from_go_bytes(&quote_meta(args::string_bytes(
            &a[0],
        )?)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::strings::strings_value;
    use crate::sprig::testutil::{call, try_call};

    /// A Go `[]string`, as `regexFindAll` and `regexSplit` return.
    fn strs(v: &[&str]) -> Value {
        strings_value(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn braces_go_reads_as_literals() {
        let full = |p| translate(p, Dialect::Full);
        assert_eq!(full("{(v[0-9])*[^}]*}}$"), "\\{(v[0-9])*[^}]*\\}\\}$");
        assert_eq!(full("a{2,3}b{4}c{5,}"), "a{2,3}b{4}c{5,}");
        assert_eq!(full("x{,3}"), "x\\{,3\\}");
        assert_eq!(full("[]a]{"), "[\\]a]\\{");
        assert_eq!(
            call(
                "regexMatch",
                &["{(v[0-9])*[^}]*}}$".into(), "&{{v1 1} [v1] {v4.2}}".into()]
            ),
            Value::Bool(true)
        );
    }

    /// Go's regexp reads a byte that is not UTF-8 as U+FFFD and returns the bytes it
    /// matched, so pieces of a binary string keep them.
    #[test]
    fn pieces_of_strings_that_are_not_utf8_keep_their_bytes() {
        let raw = Value::from_go_bytes(b"ab\xffcd,x\x80y");
        let bytes = |v: Value| v.go_string_bytes().map(<[u8]>::to_vec);
        assert_eq!(
            bytes(call("regexFind", &["b.c".into(), raw.clone()])),
            Some(b"b\xffc".to_vec())
        );
        assert_eq!(
            bytes(call("regexFind", &["\u{fffd}".into(), raw.clone()])),
            Some(b"\xff".to_vec())
        );
        let split = call("regexSplit", &[",".into(), raw.clone(), Value::Int(-1)]);
        let split = crate::sprig::testutil::list_bytes(&split);
        assert_eq!(
            split,
            [Some(b"ab\xffcd".to_vec()), Some(b"x\x80y".to_vec())]
        );
        assert_eq!(
            bytes(call(
                "regexReplaceAll",
                &["(?P<l>.)(,)".into(), raw.clone(), "[${2}$l$$$x]".into()]
            )),
            Some(b"ab\xffc[,d$]x\x80y".to_vec())
        );
        assert_eq!(
            bytes(call(
                "regexReplaceAllLiteral",
                &["d".into(), raw, Value::from_go_bytes(b"$1\xfe")]
            )),
            Some(b"ab\xffc$1\xfe,x\x80y".to_vec())
        );
    }

    #[test]
    fn group_references_read_as_go_extracts_them() {
        assert_eq!(group_reference(b"1x"), Some((&b"1x"[..], &b""[..])));
        assert_eq!(group_reference(b"{1}x"), Some((&b"1"[..], &b"x"[..])));
        assert_eq!(group_reference(b"{1x"), None);
        assert_eq!(group_reference(b"]"), None);
        assert_eq!(group_reference(b"\xff"), None);
        // Go's letters and digits are categories L and Nd: '²' (No) ends a name.
        assert_eq!(
            group_reference("1²".as_bytes()),
            Some((&b"1"[..], "²".as_bytes()))
        );
        assert_eq!(group_number(b"12"), Some(12));
        assert_eq!(group_number(b"012"), None);
        assert_eq!(group_number(b"1x"), None);
        assert_eq!(group_number(b"999999999999"), None);
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
    fn each_pattern_goes_to_the_crate_that_reads_it_as_go() {
        let lite =
            |p| compile_uncached(p).is_ok_and(|re| matches!(re.compiled, Compiled::Lite { .. }));
        assert!(lite("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
        assert!(lite("\\bfoo\\b"));
        assert!(lite("(?m)^x$"));
        assert!(!lite("(?i)k"), "Go folds Unicode case");
        assert!(!lite("(?mi:k)"));
        assert!(!lite("\\pL+"), "Unicode classes");
        assert!(!lite("[a-z&&[^aeiou]]"), "class set operations");
        // Go's (?i) is Unicode: `k` matches the Kelvin sign.
        assert_eq!(
            call("regexMatch", &["(?i)^k$".into(), "\u{212A}".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("regexMatch", &["^\\pL+$".into(), "héllo".into()]),
            Value::Bool(true)
        );
    }

    #[test]
    fn long_input_moves_a_pattern_to_regex_with_the_same_results() {
        let re = compile_uncached("b[^,]*,").unwrap();
        let long = "ab1,".repeat(LITE_SCAN_BUDGET / 4 + 1);
        let first = re.spans("ab1,ab2,");
        assert!(matches!(re.matcher("x"), Matcher::Lite(_)));
        assert_eq!(re.spans(&long).len(), LITE_SCAN_BUDGET / 4 + 1);
        assert!(matches!(re.matcher("x"), Matcher::Full(_)));
        assert_eq!(re.spans("ab1,ab2,"), first);
    }

    #[test]
    fn long_input_moves_a_pattern_to_the_lazy_dfa_with_the_same_results() {
        let re = compile_uncached("\\pL[^,]*,").unwrap();
        let Compiled::Full(full) = &re.compiled else {
            panic!("Unicode classes go to the meta engine");
        };
        let first = re.spans("ab1,ab2,");
        assert!(full.with_dfa.get().is_none());
        let long = "ab1,".repeat(NFA_SCAN_BUDGET / 4 + 1);
        assert_eq!(re.spans(&long).len(), NFA_SCAN_BUDGET / 4 + 1);
        assert!(full.with_dfa.get().is_some_and(|b| b.is_some()));
        assert_eq!(re.spans("ab1,ab2,"), first);
    }

    /// The meta engine with `regex`'s settings, built with or without the lazy DFA,
    /// finds and replaces exactly as `regex::Regex` (which capstan used before).
    #[test]
    fn meta_builds_agree_with_regex() {
        let patterns = [
            "",
            "a*",
            "[^}]*\\}\\}$",
            "\\] \\{[^}]*\\}\\}$",
            "(?i)straße|k",
            "\\pL+",
            "(?P<word>\\w+)@(\\w+)\\.com",
            "(a|ab)(c|bcd)",
            "(?m)^.*$",
            "[^a-zA-Z0-9-]",
            "\\b\\d{2,3}\\b",
            "(?U)a+",
            "é*",
        ];
        let long = "ab x@y.com {v3.1 x}} \u{212A}é ".repeat(400);
        let hays = [
            "",
            "aab abcd",
            "x{y}} z",
            "héllo wörld 12 345",
            "Straße K \u{212A}",
            "bob@host.com, al@b.com",
            "line1\nline2\n",
            long.as_str(),
        ];
        let repls = ["<$0>", "${1}-$2", "$word!", "$$", "plain"];
        for p in patterns {
            let source = translate(p, Dialect::Full);
            let reference = Regex::new(&source).unwrap();
            for lazy_dfa in [false, true] {
                let re = build_meta(&source, lazy_dfa).unwrap();
                for h in hays {
                    let a: Vec<_> = reference.find_iter(h).map(|m| m.range()).collect();
                    let b: Vec<_> = re.find_iter(h).map(|m| m.range()).collect();
                    assert_eq!(a, b, "pattern {p:?} dfa {lazy_dfa} on {h:?}");
                    assert_eq!(reference.is_match(h), re.is_match(h));
                    for r in repls {
                        assert_eq!(
                            reference.replace_all(h, r),
                            replace_all_meta(&re, h, r, false),
                            "pattern {p:?} dfa {lazy_dfa} on {h:?} with {r:?}"
                        );
                        assert_eq!(
                            reference.replace_all(h, regex::NoExpand(r)),
                            replace_all_meta(&re, h, r, true)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn refused_patterns_keep_regex_wording() {
        let unclosed = String::from("(ab");
        let Err(e) = compile_full(&unclosed) else {
            panic!("unclosed group accepted");
        };
        assert_eq!(
            e.to_string(),
            Regex::new(&unclosed).unwrap_err().to_string()
        );
        // Over the NFA size limit, as `regex` refuses it.
        let Err(e) = compile_full("(\\pL{100}){100}") else {
            panic!("huge pattern accepted");
        };
        assert!(matches!(e, regex::Error::CompiledTooBig(_)), "{e}");
    }

    /// Both crates read the patterns `regex-lite` takes alike: same spans on the same
    /// strings, non-ASCII and empty matches included.
    #[test]
    fn lite_and_full_agree_where_lite_is_used() {
        let patterns = [
            "",
            "a*",
            "x*",
            "[^}]*",
            ".",
            "(?s).",
            "\\b",
            "\\B",
            "\\w+",
            "\\d{2,3}",
            "\\s+",
            "^",
            "$",
            "(?m)^.*$",
            "a|ab|abc",
            "(a|ab)(c|bcd)",
            "é+",
            "[α-ω]+",
            "(?U)a+",
            "a{2}",
            "[[:alpha:]]+",
            "\\x{1F600}",
            "[^a-z]",
            "\\.",
            "a??b",
            "(?:ab)*?c",
            "\\A\\w",
            "\\w\\z",
        ];
        let hays = [
            "",
            "a",
            "abc",
            "aab abcd",
            "x{y}} z",
            "héllo wörld 12 345",
            "α βγ\nδ",
            "😀😀",
            "a.b..c",
            " \t\nx ",
            "aaa",
            "abcd",
        ];
        let mut compared = 0;
        for p in patterns {
            // Patterns regex-lite refuses (here `\\x{...}`) go to `regex` whole.
            let Ok(lite) = regex_lite::Regex::new(&translate(p, Dialect::Lite)) else {
                continue;
            };
            compared += 1;
            let full = Regex::new(&translate(p, Dialect::Full)).unwrap();
            for h in hays {
                let a: Vec<_> = lite.find_iter(h).map(|m| m.range()).collect();
                let b: Vec<_> = full.find_iter(h).map(|m| m.range()).collect();
                assert_eq!(a, b, "pattern {p:?} on {h:?}");
                assert_eq!(
                    lite.replace_all(h, "<$0>"),
                    full.replace_all(h, "<$0>"),
                    "pattern {p:?} on {h:?}"
                );
            }
        }
        assert_eq!(compared, patterns.len() - 1);
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
