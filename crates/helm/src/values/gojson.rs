//! JSON decoding as Go's encoding/json does it into `interface{}` (`fromJson`,
//! `fromJsonArray`), with Go's error texts.
//!
//! `json.Unmarshal` first checks the whole input with its byte-at-a-time scanner and
//! reports the first syntax error as `invalid character 'x' <context>` or
//! `unexpected end of JSON input`; only valid input is decoded (numbers become float64,
//! a number out of float64 range is an unmarshal error). Both passes here are
//! iterative with an explicit stack, bounded by Go's own nesting limit.

use gotmpl::func::NameMap;
use std::sync::{Mutex, OnceLock};

use gotmpl::value::{List, Map, MapInner, Value};

/// encoding/json's `maxNestingDepth`.
const MAX_NESTING_DEPTH: usize = 10_000;

/// Parse `text` as encoding/json would decode it into `interface{}`; the error is the
/// text of Go's error.
pub fn parse(text: &str) -> Result<Value, String> {
    match decode(text)? {
        (v, None) => Ok(v),
        (_, Some(e)) => Err(e),
    }
}

type Decoded = (Value, Option<String>);

/// Successful decodes by text, and the bytes of text held. Texts of kilobytes are
/// hashed on every `fromJson`: word-at-a-time, not SipHash (charts choose these
/// texts, and gain nothing by colliding their own).
type DecodeCache = (NameMap<String, Decoded>, usize);

fn decoded() -> &'static Mutex<DecodeCache> {
    static CACHE: OnceLock<Mutex<DecodeCache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Forgets every kept decode (cold-render benchmarks).
pub(super) fn clear_cache() {
    *decoded().lock().unwrap_or_else(|p| p.into_inner()) = Default::default();
}

/// Like [`parse`], but a number out of float64 range (which Go reports only after
/// decoding everything else) comes back beside the value, where it decodes as nil.
///
/// Charts decode the same texts over and over (helm-toolkit's endpoint lookups run
/// `include ... | fromJson` on one of a few maps hundreds of times per render), so
/// successful decodes are kept and each call gets a deep copy: new maps and lists as
/// a fresh decode gives, sharing only the immutable strings.
pub fn decode(text: &str) -> Result<(Value, Option<String>), String> {
    /// How many bytes of JSON text the cache holds before it starts over.
    const CACHE_BYTES: usize = 8 << 20;
    let cache = decoded();
    let hit = cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .0
        .get(text)
        .cloned();
    if let Some((master, late)) = hit {
        // Nothing else holds the master's maps and lists, so reading them without
        // the cache lock is safe.
        return Ok((master.deep_copy(), late));
    }
    let depth = validate(text.as_bytes())?;
    let (value, late) = build(text)?;
    // `deep_copy` recurses: only shallow documents are kept (endpoint maps are a few
    // levels deep); deeper ones are decoded iteratively each time.
    if text.len() <= CACHE_BYTES && depth <= MAX_CACHED_DEPTH {
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.1 + text.len() > CACHE_BYTES {
            *cache = Default::default();
        }
        cache.1 += text.len();
        cache
            .0
            .insert(text.to_string(), (value.deep_copy(), late.clone()));
    }
    Ok((value, late))
}

/// The deepest nesting a cached decode may have (see [`decode`]).
const MAX_CACHED_DEPTH: usize = 64;

/// What an open container expects next (Go's `parseState` values).
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

/// The scanner's step functions (Go's `stateXxx`).
#[derive(Clone, Copy, PartialEq)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    EndTop,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    /// Inside a literal: the literal's name and how many bytes of it were read.
    Literal(&'static str, usize),
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: the byte as a rune, quoted as `strconv.Quote` would, in single
/// quotes.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\\' => "'\\\\'".to_string(),
        0x07 => "'\\a'".to_string(),
        0x08 => "'\\b'".to_string(),
        0x0c => "'\\f'".to_string(),
        b'\n' => "'\\n'".to_string(),
        b'\r' => "'\\r'".to_string(),
        b'\t' => "'\\t'".to_string(),
        0x0b => "'\\v'".to_string(),
        0x00..=0x1f | 0x7f => format!("'\\x{c:02x}'"),
        // C1 controls, no-break space and soft hyphen are not printable in Go.
        0x80..=0xa0 | 0xad => format!("'\\u{c:04x}'"),
        _ => format!("'{}'", char::from(c)),
    }
}

struct Scanner {
    state: State,
    stack: Vec<Expect>,
}

impl Scanner {
    fn error(&self, c: u8, context: &str) -> Result<(), String> {
        Err(format!("invalid character {} {context}", quote_char(c)))
    }

    fn push(&mut self, c: u8, expect: Expect, next: State) -> Result<(), String> {
        self.stack.push(expect);
        if self.stack.len() > MAX_NESTING_DEPTH {
            return self.error(c, "exceeded max depth");
        }
        self.state = next;
        Ok(())
    }

    fn pop(&mut self) {
        self.stack.pop();
        self.state = if self.stack.is_empty() {
            State::EndTop
        } else {
            State::EndValue
        };
    }

    fn step(&mut self, c: u8) -> Result<(), String> {
        match self.state {
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b']' {
                    self.end_value(c)
                } else {
                    self.begin_value(c)
                }
            }
            State::BeginValue => self.begin_value(c),
            State::BeginStringOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b'}' {
                    if let Some(top) = self.stack.last_mut() {
                        *top = Expect::ObjectValue;
                    }
                    self.end_value(c)
                } else {
                    self.begin_string(c)
                }
            }
            State::BeginString => self.begin_string(c),
            State::EndValue => self.end_value(c),
            State::EndTop => {
                if is_space(c) {
                    Ok(())
                } else {
                    self.error(c, "after top-level value")
                }
            }
            State::InString => {
                match c {
                    b'"' => self.state = State::EndValue,
                    b'\\' => self.state = State::InStringEsc,
                    0x00..=0x1f => return self.error(c, "in string literal"),
                    _ => {}
                }
                Ok(())
            }
            State::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                    self.state = State::InString;
                    Ok(())
                }
                b'u' => {
                    self.state = State::InStringEscU(0);
                    Ok(())
                }
                _ => self.error(c, "in string escape code"),
            },
            State::InStringEscU(n) => {
                if !c.is_ascii_hexdigit() {
                    return self.error(c, "in \\u hexadecimal character escape");
                }
                self.state = if n == 3 {
                    State::InString
                } else {
                    State::InStringEscU(n + 1)
                };
                Ok(())
            }
            State::Neg => match c {
                b'0' => {
                    self.state = State::Zero;
                    Ok(())
                }
                b'1'..=b'9' => {
                    self.state = State::One;
                    Ok(())
                }
                _ => self.error(c, "in numeric literal"),
            },
            State::One => {
                if c.is_ascii_digit() {
                    Ok(())
                } else {
                    self.zero(c)
                }
            }
            State::Zero => self.zero(c),
            State::Dot => {
                if c.is_ascii_digit() {
                    self.state = State::Dot0;
                    Ok(())
                } else {
                    self.error(c, "after decimal point in numeric literal")
                }
            }
            State::Dot0 => {
                if c.is_ascii_digit() {
                    Ok(())
                } else if c == b'e' || c == b'E' {
                    self.state = State::E;
                    Ok(())
                } else {
                    self.end_value(c)
                }
            }
            State::E => {
                if c == b'+' || c == b'-' {
                    self.state = State::ESign;
                    Ok(())
                } else {
                    self.e_sign(c)
                }
            }
            State::ESign => self.e_sign(c),
            State::E0 => {
                if c.is_ascii_digit() {
                    Ok(())
                } else {
                    self.end_value(c)
                }
            }
            State::Literal(name, read) => {
                let want = name.as_bytes()[read];
                if c != want {
                    return self.error(
                        c,
                        &format!("in literal {name} (expecting {})", quote_char(want)),
                    );
                }
                self.state = if read + 1 == name.len() {
                    State::EndValue
                } else {
                    State::Literal(name, read + 1)
                };
                Ok(())
            }
        }
    }

    fn begin_value(&mut self, c: u8) -> Result<(), String> {
        self.state = match c {
            _ if is_space(c) => return Ok(()),
            b'{' => return self.push(c, Expect::ObjectKey, State::BeginStringOrEmpty),
            b'[' => return self.push(c, Expect::ArrayValue, State::BeginValueOrEmpty),
            b'"' => State::InString,
            b'-' => State::Neg,
            b'0' => State::Zero,
            b'1'..=b'9' => State::One,
            b't' => State::Literal("true", 1),
            b'f' => State::Literal("false", 1),
            b'n' => State::Literal("null", 1),
            _ => return self.error(c, "looking for beginning of value"),
        };
        Ok(())
    }

    fn begin_string(&mut self, c: u8) -> Result<(), String> {
        if is_space(c) {
            return Ok(());
        }
        if c == b'"' {
            self.state = State::InString;
            return Ok(());
        }
        self.error(c, "looking for beginning of object key string")
    }

    fn end_value(&mut self, c: u8) -> Result<(), String> {
        let Some(&top) = self.stack.last() else {
            self.state = State::EndTop;
            return self.step(c);
        };
        if is_space(c) {
            self.state = State::EndValue;
            return Ok(());
        }
        match (top, c) {
            (Expect::ObjectKey, b':') => {
                if let Some(t) = self.stack.last_mut() {
                    *t = Expect::ObjectValue;
                }
                self.state = State::BeginValue;
                Ok(())
            }
            (Expect::ObjectKey, _) => self.error(c, "after object key"),
            (Expect::ObjectValue, b',') => {
                if let Some(t) = self.stack.last_mut() {
                    *t = Expect::ObjectKey;
                }
                self.state = State::BeginString;
                Ok(())
            }
            (Expect::ObjectValue, b'}') | (Expect::ArrayValue, b']') => {
                self.pop();
                Ok(())
            }
            (Expect::ObjectValue, _) => self.error(c, "after object key:value pair"),
            (Expect::ArrayValue, b',') => {
                self.state = State::BeginValue;
                Ok(())
            }
            (Expect::ArrayValue, _) => self.error(c, "after array element"),
        }
    }

    fn zero(&mut self, c: u8) -> Result<(), String> {
        match c {
            b'.' => {
                self.state = State::Dot;
                Ok(())
            }
            b'e' | b'E' => {
                self.state = State::E;
                Ok(())
            }
            _ => self.end_value(c),
        }
    }

    fn e_sign(&mut self, c: u8) -> Result<(), String> {
        if c.is_ascii_digit() {
            self.state = State::E0;
            Ok(())
        } else {
            self.error(c, "in exponent of numeric literal")
        }
    }
}

/// Go's `checkValid`: the first syntax error of the whole input.
/// Checks `bytes` as Go's scanner does; returns the deepest nesting seen.
fn validate(bytes: &[u8]) -> Result<usize, String> {
    let mut s = Scanner {
        state: State::BeginValue,
        stack: Vec::new(),
    };
    let mut i = 0;
    let mut depth = 0;
    while i < bytes.len() {
        if s.state == State::InString {
            // Plain string bytes leave the state as it is: skip them in one go.
            while i < bytes.len() && !matches!(bytes[i], b'"' | b'\\' | 0x00..=0x1f) {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
        }
        s.step(bytes[i])?;
        depth = depth.max(s.stack.len());
        i += 1;
    }
    if s.state == State::EndTop {
        return Ok(depth);
    }
    // At the end Go feeds one space: it ends a top-level number, or reports an error
    // of its own ("invalid character ' ' in numeric literal").
    s.step(b' ')?;
    if s.state == State::EndTop {
        return Ok(depth);
    }
    Err("unexpected end of JSON input".to_string())
}

/// [`decode`] of a Go string whose bytes are not UTF-8: Go's scanner reads bytes, so a
/// stray byte outside a string literal fails with its own text (`invalid character
/// 'ÿ'`), and inside one each invalid byte decodes as U+FFFD.
pub fn decode_bytes(bytes: &[u8]) -> Result<(Value, Option<String>), String> {
    validate(bytes)?;
    decode(&gotmpl::value::go_text(bytes))
}

/// A container being built, with the key its next value goes under.
enum Open {
    Array(Vec<Value>),
    /// Built without the shared map's lock; wrapped when it closes.
    Object(MapInner, Option<String>),
}

/// Decode input `validate` accepted.
fn build(text: &str) -> Result<(Value, Option<String>), String> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut stack: Vec<Open> = Vec::new();
    let mut first_error: Option<String> = None;
    loop {
        while pos < bytes.len()
            && (is_space(bytes[pos]) || bytes[pos] == b',' || bytes[pos] == b':')
        {
            pos += 1;
        }
        let Some(&c) = bytes.get(pos) else {
            return Err("unexpected end of JSON input".to_string());
        };
        // A finished value (scalar or closed container), if this token completes one.
        let done: Value = match c {
            b'{' => {
                pos += 1;
                stack.push(Open::Object(MapInner::new(), None));
                continue;
            }
            b'[' => {
                pos += 1;
                stack.push(Open::Array(Vec::new()));
                continue;
            }
            b'}' | b']' => {
                pos += 1;
                match stack.pop() {
                    Some(Open::Array(items)) => Value::List(List::from_vec(items)),
                    Some(Open::Object(m, _)) => Value::Map(Map::from_inner(m)),
                    None => return Err("unexpected end of JSON input".to_string()),
                }
            }
            b'"' => {
                // A string directly inside an object with no pending key is a key.
                if let Some(Open::Object(_, key @ None)) = stack.last_mut() {
                    let (s, next) = unquote(text, pos);
                    pos = next;
                    *key = Some(s);
                    continue;
                }
                // Most strings have no escapes: share the input's bytes directly.
                let end = bytes[pos + 1..]
                    .iter()
                    .position(|b| matches!(b, b'"' | b'\\'))
                    .map(|n| pos + 1 + n);
                match end {
                    Some(end) if bytes[end] == b'"' => {
                        let v = Value::str(&text[pos + 1..end]);
                        pos = end + 1;
                        v
                    }
                    _ => {
                        let (s, next) = unquote(text, pos);
                        pos = next;
                        Value::from(s)
                    }
                }
            }
            b't' => {
                pos += 4;
                Value::Bool(true)
            }
            b'f' => {
                pos += 5;
                Value::Bool(false)
            }
            b'n' => {
                pos += 4;
                Value::Nil
            }
            _ => {
                let start = pos;
                while pos < bytes.len()
                    && matches!(bytes[pos], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    pos += 1;
                }
                let literal = &text[start..pos];
                match literal.parse::<f64>() {
                    Ok(f) if f.is_finite() => Value::Float(f),
                    _ => {
                        // Go keeps decoding and reports the first such error at the end.
                        first_error.get_or_insert_with(|| {
                            format!(
                                "json: cannot unmarshal number {literal} into Go value of type float64"
                            )
                        });
                        Value::Nil
                    }
                }
            }
        };
        match stack.last_mut() {
            None => {
                return Ok(match (first_error, &done) {
                    // Go checks the target type first: a top-level number out of range
                    // stays a number, so callers report "cannot unmarshal number into ..".
                    (Some(_), Value::Nil) => (Value::Float(f64::INFINITY), None),
                    (e, _) => (done, e),
                });
            }
            Some(Open::Array(items)) => items.push(done),
            Some(Open::Object(m, key)) => {
                let k = key.take().unwrap_or_default();
                m.insert(k, done);
            }
        }
    }
}

/// Decode the string literal starting at the quote at `start` (already validated);
/// returns the text and the position after the closing quote. Lone surrogates in
/// `\u` escapes become U+FFFD, as in Go.
fn unquote(text: &str, start: usize) -> (String, usize) {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut pos = start + 1;
    let mut run = pos;
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => {
                out.push_str(&text[run..pos]);
                return (out, pos + 1);
            }
            b'\\' => {
                out.push_str(&text[run..pos]);
                let esc = bytes.get(pos + 1).copied().unwrap_or(b'\\');
                pos += 2;
                match esc {
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let hi = hex4(text, pos);
                        pos += 4;
                        let ch = if (0xd800..0xdc00).contains(&hi)
                            && bytes.get(pos) == Some(&b'\\')
                            && bytes.get(pos + 1) == Some(&b'u')
                        {
                            let lo = hex4(text, pos + 2);
                            if (0xdc00..0xe000).contains(&lo) {
                                pos += 6;
                                char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                            } else {
                                None
                            }
                        } else {
                            char::from_u32(hi)
                        };
                        out.push(ch.unwrap_or('\u{fffd}'));
                    }
                    other => out.push(char::from(other)),
                }
                run = pos;
            }
            _ => pos += 1,
        }
    }
    out.push_str(&text[run.min(bytes.len())..]);
    (out, pos)
}

fn hex4(text: &str, pos: usize) -> u32 {
    text.get(pos..pos + 4)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .unwrap_or(0xfffd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        parse(s).unwrap_err()
    }

    #[test]
    fn syntax_errors_read_like_go() {
        assert_eq!(
            err("not json"),
            "invalid character 'o' in literal null (expecting 'u')"
        );
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(err(""), "unexpected end of JSON input");
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(
            err("{\"a\":1 \"b\"}"),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(
            err("{a:1}"),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(err("{} x"), "invalid character 'x' after top-level value");
        assert_eq!(err("[1,"), "unexpected end of JSON input");
        assert_eq!(err("-"), "invalid character ' ' in numeric literal");
        assert_eq!(
            err("1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(err("\"a\nb\""), "invalid character '\\n' in string literal");
        assert_eq!(
            err("\"\\x\""),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(err("01"), "invalid character '1' after top-level value");
        assert_eq!(
            err("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err("\u{feff}{}"),
            "invalid character 'ï' looking for beginning of value"
        );
        assert_eq!(
            err("[1e400]"),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(parse("1e400").unwrap(), Value::Float(f64::INFINITY));
        let deep = "[".repeat(MAX_NESTING_DEPTH + 1);
        assert_eq!(err(&deep), "invalid character '[' exceeded max depth");
    }

    #[test]
    fn repeated_decodes_are_independent_copies() {
        let text = r#"{"m": {"k": [1, "s"]}, "big": 1e999}"#;
        let (a, late_a) = decode(text).unwrap();
        let (b, late_b) = decode(text).unwrap();
        assert_eq!(a, b);
        assert_eq!(late_a, late_b);
        assert!(late_a.is_some());
        let (Value::Map(ma), Value::Map(mb)) = (&a, &b) else {
            panic!("maps expected");
        };
        assert!(!ma.ptr_eq(mb));
        // Changing one result leaves the next decode untouched.
        if let Some(Value::Map(inner)) = ma.get("m") {
            inner.insert("k", Value::Nil);
        }
        let (c, _) = decode(text).unwrap();
        assert_eq!(b, c);
        // Deeper than the cache takes: still decoded correctly.
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse(&deep).unwrap(), parse(&deep).unwrap());
    }

    #[test]
    fn decodes_values() {
        let v = parse(
            r#" {"a": [1, 2.5, "x\u00e9\ud83d\ude00", true, null], "b": {}, "a2": "\ud800"} "#,
        )
        .unwrap();
        let m = v.as_map().unwrap();
        let a = m.get("a").unwrap();
        let a = a.as_list().unwrap().to_vec();
        assert_eq!(a[0], Value::Float(1.0));
        assert_eq!(a[1], Value::Float(2.5));
        assert_eq!(a[2], Value::str("xé😀"));
        assert_eq!(a[3], Value::Bool(true));
        assert_eq!(a[4], Value::Nil);
        assert_eq!(m.get("b"), Some(Value::empty_map()));
        assert_eq!(m.get("a2"), Some(Value::str("\u{fffd}")));
        assert_eq!(parse("[]").unwrap(), Value::list(vec![]));
        assert_eq!(parse("-0.5e1").unwrap(), Value::Float(-5.0));
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(parse(&deep).is_ok());
    }
}
