//! huandu/xstrings v1.5 case conversions (`snakecase`, `kebabcase`, `camelcase`),
//! which split words on case changes, digits, punctuation and connectors.

use crate::gounicode::{is_letter, is_punct, is_upper, to_lower, to_upper};
use crate::value::go_runes;

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || super::strings::is_go_space(c)
}

/// xstrings `isAlphabet`: a letter (Go's category L) outside the CJK ideographs.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    !matches!(c, '\u{3400}'..='\u{4D85}' | '\u{4E00}'..='\u{9FCC}' | '\u{20000}'..='\u{2B81D}')
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    /// Only characters Go decodes as `utf8.RuneError` (invalid bytes, U+FFFD).
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// A character as Go's `utf8.DecodeRuneInString` reads it from the string's bytes:
/// an invalid byte is U+FFFD (`RuneError`) of one byte.
#[derive(Clone, Copy)]
struct Rune {
    c: char,
    start: usize,
    len: usize,
}

impl Rune {
    fn is_error(&self) -> bool {
        self.c == char::REPLACEMENT_CHARACTER
    }
}

/// xstrings `nextValidRune`: the first character of `s` that is not a `RuneError`
/// and how many runes reach it; `prev` and all of `s` when there is none.
fn next_valid(s: &[Rune], prev: char) -> (char, usize) {
    match s.iter().position(|r| !r.is_error()) {
        Some(i) => (s[i].c, i + 1),
        None => (prev, s.len()),
    }
}

/// xstrings `nextWord`: the kind and length (in runes) of the next word of `s`, which
/// is not empty. Invalid bytes belong to the word of the character after them (or,
/// at the end, before them).
fn next_word(s: &[Rune]) -> (Word, usize) {
    let (mut r, size) = next_valid(s, char::REPLACEMENT_CHARACTER);
    let mut offset = size;
    if r == char::REPLACEMENT_CHARACTER {
        return (Word::Invalid, offset);
    }
    let mut rest = &s[size..];
    /// Extends the word over the following characters `more` accepts; `r` ends as
    /// the last character looked at.
    fn extend(r: &mut char, offset: &mut usize, rest: &mut &[Rune], more: &dyn Fn(char) -> bool) {
        while !rest.is_empty() {
            let (next, size) = next_valid(rest, *r);
            *r = next;
            if !more(next) {
                break;
            }
            *offset += size;
            *rest = &rest[size..];
        }
    }
    let kind = if is_connector(r) {
        extend(&mut r, &mut offset, &mut rest, &is_connector);
        Word::Connector
    } else if is_punct(r) {
        extend(&mut r, &mut offset, &mut rest, &is_punct);
        Word::Punct
    } else if is_upper(r) {
        if !rest.is_empty() {
            let (next, size) = next_valid(rest, r);
            r = next;
            if is_upper(r) {
                let mut prev_size = size;
                offset += size;
                rest = &rest[size..];
                while !rest.is_empty() {
                    let (next, size) = next_valid(rest, r);
                    r = next;
                    if !is_upper(r) {
                        break;
                    }
                    prev_size = size;
                    offset += size;
                    rest = &rest[size..];
                }
                // "HTTPStatus" splits as "HTTP" + "Status": the last capital starts
                // the next word when letters follow it.
                if !rest.is_empty() && is_alphabet(r) {
                    offset -= prev_size;
                }
            } else if is_alphabet(r) {
                offset += size;
                rest = &rest[size..];
                extend(&mut r, &mut offset, &mut rest, &|c| {
                    is_alphabet(c) && !is_upper(c)
                });
            }
        }
        Word::Upper
    } else if is_alphabet(r) {
        extend(&mut r, &mut offset, &mut rest, &|c| {
            is_alphabet(c) && !is_upper(c)
        });
        Word::Alphabet
    } else if r.is_numeric() {
        extend(&mut r, &mut offset, &mut rest, &char::is_numeric);
        Word::Number
    } else {
        extend(&mut r, &mut offset, &mut rest, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
        Word::Other
    };
    (kind, offset)
}

/// xstrings `toLower`: capitals and connectors words are rewritten character by
/// character (a `RuneError` written as U+FFFD), other words copied as bytes.
fn write_lower(out: &mut Vec<u8>, kind: Word, word: &[Rune], src: &[u8], connector: char) {
    let (Some(first), Some(last)) = (word.first(), word.last()) else {
        return;
    };
    if kind != Word::Upper && kind != Word::Connector {
        out.extend_from_slice(&src[first.start..last.start + last.len]);
        return;
    }
    let mut buf = [0u8; 4];
    for r in word {
        let c = if is_connector(r.c) {
            connector
        } else {
            to_lower(r.c)
        };
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
}

/// A cursor over the words of a string.
struct Words<'a> {
    rest: &'a [Rune],
}

impl<'a> Words<'a> {
    /// The next word, or `None` at the end (xstrings' empty `invalidWord`).
    fn next(&mut self) -> Option<(Word, &'a [Rune])> {
        if self.rest.is_empty() {
            return None;
        }
        let (kind, n) = next_word(self.rest);
        let (word, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some((kind, word))
    }
}

/// xstrings `camelCaseToLowerCase` over a Go string's bytes: `ToSnakeCase` with '_',
/// `ToKebabCase` with '-'.
pub(crate) fn to_snake_like(src: &[u8], connector: char) -> Vec<u8> {
    let runes: Vec<Rune> = go_runes(src)
        .into_iter()
        .map(|(start, c, len)| Rune { c, start, len })
        .collect();
    let mut out = Vec::with_capacity(src.len() + 4);
    let push_connector = |out: &mut Vec<u8>| {
        out.extend_from_slice(connector.encode_utf8(&mut [0u8; 4]).as_bytes());
    };
    let mut words = Words { rest: &runes };
    let mut cur = words.next();
    // Where xstrings tests `wt != invalidWord` too, a word of invalid bytes (always
    // the last) gets no connector before it; elsewhere it does.
    let joins = |k: Word| k != Word::Punct && k != Word::Connector;
    while !words.rest.is_empty() {
        let Some((kind, word)) = cur else { break };
        if kind != Word::Connector {
            write_lower(&mut out, kind, word, src, connector);
        }
        let prev = kind;
        let last = word;
        cur = words.next();
        let cur_kind = cur.map(|(k, _)| k);
        match prev {
            Word::Number => {
                while let Some((k, w)) = cur {
                    if k != Word::Alphabet && k != Word::Number {
                        break;
                    }
                    write_lower(&mut out, k, w, src, connector);
                    cur = words.next();
                }
                if let Some((k, _)) = cur
                    && joins(k)
                    && k != Word::Invalid
                {
                    push_connector(&mut out);
                }
            }
            Word::Connector => write_lower(&mut out, prev, last, src, connector),
            Word::Punct => {}
            _ => {
                if cur_kind != Some(Word::Number) {
                    if let Some(k) = cur_kind
                        && joins(k)
                    {
                        push_connector(&mut out);
                    }
                    continue;
                }
                if words.rest.is_empty() {
                    continue;
                }
                let num = cur.map(|(_, w)| w).unwrap_or(&[]);
                cur = words.next();
                let after = cur.map(|(k, _)| k);
                if after != Some(Word::Alphabet) {
                    // A number after a word belongs to it: "Bld4Floor" → "bld4_floor".
                    write_lower(&mut out, Word::Number, num, src, connector);
                    if let Some(k) = after
                        && joins(k)
                    {
                        push_connector(&mut out);
                    }
                    continue;
                }
                // Lower-case letters after a number start a new word: "HTTP2xx" → "http_2xx".
                push_connector(&mut out);
                write_lower(&mut out, Word::Number, num, src, connector);
                while let Some((k, w)) = cur {
                    if k != Word::Alphabet && k != Word::Number {
                        break;
                    }
                    write_lower(&mut out, k, w, src, connector);
                    cur = words.next();
                }
                if let Some((k, _)) = cur
                    && joins(k)
                    && k != Word::Invalid
                {
                    push_connector(&mut out);
                }
            }
        }
    }
    if let Some((kind, word)) = cur {
        write_lower(&mut out, kind, word, src, connector);
    }
    out
}

/// xstrings `ToCamelCase`: connectors removed, the letter after them upper-cased,
/// runs of capitals after a capital lower-cased ("GOLANG_IS_GREAT" → "GolangIsGreat").
pub(crate) fn to_camel(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() && is_connector(chars[i]) {
        out.push(chars[i]);
        i += 1;
    }
    if i == chars.len() {
        // xstrings writes the last rune once more here (its one-rune special case
        // also catches strings made only of connectors): "__" → "___".
        if let Some(last) = chars.last() {
            out.push(*last);
        }
        return out;
    }
    let mut first_upper = is_upper(chars[i]);
    let mut r0 = to_upper(chars[i]);
    i += 1;
    while i < chars.len() {
        let r1 = r0;
        r0 = chars[i];
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_like_xstrings() {
        for (input, want) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("a", "a"),
            ("", ""),
        ] {
            assert_eq!(
                to_snake_like(input.as_bytes(), '_'),
                want.as_bytes(),
                "input {input}"
            );
        }
        assert_eq!(to_snake_like(b"FirstName", '-'), b"first-name");
        // Letters are Go's category L (not only ASCII), capitals category Lu.
        assert_eq!(
            to_snake_like("caféBar".as_bytes(), '_'),
            "café_bar".as_bytes()
        );
        assert_eq!(
            to_snake_like("ΑλφαΒήτα".as_bytes(), '_'),
            "αλφα_βήτα".as_bytes()
        );
        assert_eq!(to_snake_like("Ⅻnum".as_bytes(), '_'), "Ⅻnum".as_bytes());
        // Invalid bytes go with the word after them (or the one before, at the end)
        // and are copied, except in words of capitals and connectors, which are
        // rewritten with U+FFFD.
        assert_eq!(
            to_snake_like(b"ab\xffcd z \xff ", '_'),
            b"ab\xffcd_z_\xef\xbf\xbd_"
        );
        assert_eq!(to_snake_like(b"A\xffB", '_'), b"a\xef\xbf\xbdb");
    }

    #[test]
    fn camel_case_like_xstrings() {
        for (input, want) in [
            ("some_words", "SomeWords"),
            ("http_server", "HttpServer"),
            ("no_https", "NoHttps"),
            ("_complex__case_", "_Complex_Case_"),
            ("some words", "SomeWords"),
            ("GOLANG_IS_GREAT", "GolangIsGreat"),
            ("x", "X"),
            ("__", "___"),
        ] {
            assert_eq!(to_camel(input), want, "input {input}");
        }
    }
}
