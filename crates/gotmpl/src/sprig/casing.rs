//! huandu/xstrings v1.5 case conversions (`snakecase`, `kebabcase`, `camelcase`),
//! which split words on case changes, digits, punctuation and connectors.

use super::strings::{lower_rune, upper_rune};

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || super::strings::is_go_space(c)
}

fn is_alphabet(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Go's `unicode.IsPunct` (category P): exact for ASCII, the common blocks beyond.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$+<=>^`|~".contains(c);
    }
    matches!(c as u32,
        0xa1 | 0xa7 | 0xab | 0xb6 | 0xb7 | 0xbb | 0xbf | 0x2010..=0x2027 | 0x2030..=0x205e
        | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301f | 0xff01..=0xff0f)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord`: the kind and length (in chars) of the next word of `s`.
fn next_word(s: &[char]) -> (Word, usize) {
    let r = s[0];
    let mut n = 1;
    let kind;
    if is_connector(r) {
        kind = Word::Connector;
        while n < s.len() && is_connector(s[n]) {
            n += 1;
        }
    } else if is_punct(r) {
        kind = Word::Punct;
        while n < s.len() && is_punct(s[n]) {
            n += 1;
        }
    } else if r.is_uppercase() {
        kind = Word::Upper;
        if n < s.len() {
            let c = s[n];
            if c.is_uppercase() {
                while n < s.len() && s[n].is_uppercase() {
                    n += 1;
                }
                // "HTTPStatus" splits as "HTTP" + "Status": the last capital starts
                // the next word when letters follow it.
                if n < s.len() && is_alphabet(s[n]) {
                    n -= 1;
                }
            } else if is_alphabet(c) {
                while n < s.len() && is_alphabet(s[n]) && !s[n].is_uppercase() {
                    n += 1;
                }
            }
        }
    } else if is_alphabet(r) {
        kind = Word::Alphabet;
        while n < s.len() && is_alphabet(s[n]) && !s[n].is_uppercase() {
            n += 1;
        }
    } else if r.is_numeric() {
        kind = Word::Number;
        while n < s.len() && s[n].is_numeric() {
            n += 1;
        }
    } else {
        kind = Word::Other;
        while n < s.len() {
            let c = s[n];
            if is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c) {
                break;
            }
            n += 1;
        }
    }
    (kind, n)
}

fn write_lower(out: &mut String, kind: Word, word: &[char], connector: char) {
    if kind != Word::Upper && kind != Word::Connector {
        out.extend(word.iter());
        return;
    }
    for &c in word {
        if is_connector(c) {
            out.push(connector);
        } else {
            out.push(lower_rune(c));
        }
    }
}

/// A cursor over the words of a string.
struct Words<'a> {
    rest: &'a [char],
}

impl<'a> Words<'a> {
    /// The next word, or `None` at the end (xstrings' `invalidWord`).
    fn next(&mut self) -> Option<(Word, &'a [char])> {
        if self.rest.is_empty() {
            return None;
        }
        let (kind, n) = next_word(self.rest);
        let (word, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some((kind, word))
    }
}

/// xstrings `camelCaseToLowerCase`: `ToSnakeCase` with '_', `ToKebabCase` with '-'.
pub(crate) fn to_snake_like(s: &str, connector: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 4);
    let mut words = Words { rest: &chars };
    let mut cur = words.next();
    while !words.rest.is_empty() {
        let Some((kind, word)) = cur else { break };
        if kind != Word::Connector {
            write_lower(&mut out, kind, word, connector);
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
                    write_lower(&mut out, k, w, connector);
                    cur = words.next();
                }
                if let Some((k, _)) = cur
                    && k != Word::Punct
                    && k != Word::Connector
                {
                    out.push(connector);
                }
            }
            Word::Connector => write_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if cur_kind != Some(Word::Number) {
                    if let Some(k) = cur_kind
                        && k != Word::Connector
                        && k != Word::Punct
                    {
                        out.push(connector);
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
                    write_lower(&mut out, Word::Number, num, connector);
                    if let Some(k) = after
                        && k != Word::Connector
                        && k != Word::Punct
                    {
                        out.push(connector);
                    }
                    continue;
                }
                // Lower-case letters after a number start a new word: "HTTP2xx" → "http_2xx".
                out.push(connector);
                write_lower(&mut out, Word::Number, num, connector);
                while let Some((k, w)) = cur {
                    if k != Word::Alphabet && k != Word::Number {
                        break;
                    }
                    write_lower(&mut out, k, w, connector);
                    cur = words.next();
                }
                if let Some((k, _)) = cur
                    && k != Word::Connector
                    && k != Word::Punct
                {
                    out.push(connector);
                }
            }
        }
    }
    if let Some((kind, word)) = cur {
        write_lower(&mut out, kind, word, connector);
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
    let mut first_upper = chars[i].is_uppercase();
    let mut r0 = upper_rune(chars[i]);
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
            first_upper = r0.is_uppercase();
            r0 = upper_rune(r0);
        } else {
            if first_upper {
                if r0.is_uppercase() {
                    r0 = lower_rune(r0);
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
            assert_eq!(to_snake_like(input, '_'), want, "input {input}");
        }
        assert_eq!(to_snake_like("FirstName", '-'), "first-name");
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
