//! U+2028 (LS) and U+2029 (PS), which go-yaml v2 (YAML 1.1) reads as line breaks.
//!
//! For the structure they are exactly `\n` (they end comments and plain scalars, start
//! new lines and count as lines), so the parser is given the text with them replaced.
//! Inside a scalar go-yaml keeps the break character itself: where a `\n` would fold
//! into a space, an LS stays an LS, and a kept break is the character that was there.
//! So a scalar whose source holds one is rebuilt here from the original characters,
//! following libyaml's scanner (`yaml_parser_scan_plain_scalar`, `_flow_scalar`,
//! `_block_scalar`). Everything else about the scalar (its extent, indentation, that
//! it is well formed) is taken from the parser, which already accepted it.

use granit_parser::ScalarStyle;

pub(super) fn is_ls_or_ps(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Read the line break at `*i` as libyaml's `read_line` does: CR LF, CR, LF and NEL
/// become `\n`, LS and PS stay themselves.
fn read_break(chars: &[char], i: &mut usize) -> char {
    let c = chars[*i];
    *i += 1;
    if c == '\r' && chars.get(*i) == Some(&'\n') {
        *i += 1;
    }
    if is_ls_or_ps(c) { c } else { '\n' }
}

/// Append a run of line breaks between two pieces of content: a first `\n` folds to a
/// space when nothing follows it (or vanishes before further breaks); any other first
/// break is kept, as are all the following ones.
fn join_breaks(out: &mut String, leading: Option<char>, trailing: &str) {
    match leading {
        Some('\n') if trailing.is_empty() => out.push(' '),
        Some('\n') | None => {}
        Some(b) => out.push(b),
    }
    out.push_str(trailing);
}

/// The value of the scalar at characters `start..end` of `chars` (the span the parser
/// reported: content for plain and block scalars, quotes included for quoted ones);
/// `None` when the text is not what the parser's span promised.
pub(super) fn scalar_value(
    chars: &[char],
    start: usize,
    end: usize,
    style: ScalarStyle,
    indent: usize,
) -> Option<String> {
    if start > end || end > chars.len() {
        return None;
    }
    match style {
        ScalarStyle::Plain => Some(plain(&chars[start..end])),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            quoted(&chars[start..end], style == ScalarStyle::DoubleQuoted)
        }
        ScalarStyle::Literal | ScalarStyle::Folded => {
            block(chars, start, indent, style == ScalarStyle::Literal)
        }
    }
}

/// A plain scalar's content: blanks inside a line are kept, blanks around line breaks
/// dropped, and each run of breaks joined.
fn plain(chars: &[char]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_blank(c) && !is_break(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let run_start = i;
        let (mut leading, mut trailing) = (None, String::new());
        while i < chars.len() && (is_blank(chars[i]) || is_break(chars[i])) {
            if is_break(chars[i]) {
                let b = read_break(chars, &mut i);
                match leading {
                    None => leading = Some(b),
                    Some(_) => trailing.push(b),
                }
            } else {
                i += 1;
            }
        }
        match leading {
            None => out.extend(&chars[run_start..i]),
            Some(_) => join_breaks(&mut out, leading, &trailing),
        }
    }
    out
}

/// A single- or double-quoted scalar, quotes included.
fn quoted(chars: &[char], double: bool) -> Option<String> {
    let quote = if double { '"' } else { '\'' };
    if chars.len() < 2 || chars[0] != quote || chars[chars.len() - 1] != quote {
        return None;
    }
    let body = &chars[1..chars.len() - 1];
    let mut out = String::new();
    let mut i = 0;
    loop {
        // Characters up to the next blank or break.
        let mut escaped_break = false;
        while i < body.len() && !is_blank(body[i]) && !is_break(body[i]) {
            let c = body[i];
            if !double && c == '\'' {
                // `''` (the span ends at the closing quote, so a lone one cannot occur).
                out.push('\'');
                i += 2;
            } else if double && c == '\\' {
                match body.get(i + 1) {
                    Some(&b) if is_break(b) => {
                        i += 1;
                        read_break(body, &mut i);
                        escaped_break = true;
                        break;
                    }
                    _ => {
                        let (decoded, used) = unescape(&body[i + 1..])?;
                        out.push(decoded);
                        i += 1 + used;
                    }
                }
            } else {
                out.push(c);
                i += 1;
            }
        }
        if i >= body.len() {
            return Some(out);
        }
        // Blanks and breaks up to the next content.
        let (mut leading, mut trailing, mut whitespace) = (None, String::new(), String::new());
        let mut breaks = escaped_break;
        while i < body.len() && (is_blank(body[i]) || is_break(body[i])) {
            if is_blank(body[i]) {
                if !breaks {
                    whitespace.push(body[i]);
                }
                i += 1;
            } else if !breaks {
                whitespace.clear();
                leading = Some(read_break(body, &mut i));
                breaks = true;
            } else {
                trailing.push(read_break(body, &mut i));
            }
        }
        if breaks {
            join_breaks(&mut out, leading, &trailing);
        } else {
            out.push_str(&whitespace);
        }
    }
}

/// One escape after a backslash in a double-quoted scalar (go-yaml v2's set): the
/// character and how many characters the escape used.
fn unescape(rest: &[char]) -> Option<(char, usize)> {
    let c = *rest.first()?;
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{b}'),
        'f' => Some('\u{c}'),
        'r' => Some('\r'),
        'e' => Some('\u{1b}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\'' => Some('\''),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(s) = simple {
        return Some((s, 1));
    }
    let width = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex: String = rest.get(1..=width)?.iter().collect();
    let code = u32::from_str_radix(&hex, 16).ok()?;
    Some((char::from_u32(code)?, 1 + width))
}

/// A block scalar whose first content character is at `start`, indented by `indent`
/// columns (where the parser found the content). The header is the line before the
/// content's leading blank lines.
fn block(chars: &[char], start: usize, indent: usize, literal: bool) -> Option<String> {
    // Back over the indentation and leading blank lines to the header's last character.
    let mut h = start;
    while h > 0 && (chars[h - 1] == ' ' || is_break(chars[h - 1])) {
        h -= 1;
    }
    let header_end = h;
    let mut line_start = header_end;
    while line_start > 0 && !is_break(chars[line_start - 1]) {
        line_start -= 1;
    }
    let header: String = chars[line_start..header_end].iter().collect();
    let chomping = chomping_of(&header)?;
    // The body starts after the header's line break.
    let mut i = header_end;
    while i < chars.len() && !is_break(chars[i]) {
        i += 1;
    }
    if i >= chars.len() {
        return None;
    }
    read_break(chars, &mut i);

    let mut out = String::new();
    let mut trailing = String::new();
    let mut leading: Option<char> = None;
    let mut leading_blank = false;
    let mut col = block_breaks(chars, &mut i, indent, &mut trailing);
    while i < chars.len() && col == indent {
        let trailing_blank = is_blank(chars[i]);
        if !literal && leading == Some('\n') && !leading_blank && !trailing_blank {
            if trailing.is_empty() {
                out.push(' ');
            }
        } else if let Some(b) = leading {
            out.push(b);
        }
        leading = None;
        out.push_str(&trailing);
        trailing.clear();
        leading_blank = is_blank(chars[i]);
        while i < chars.len() && !is_break(chars[i]) {
            out.push(chars[i]);
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        leading = Some(read_break(chars, &mut i));
        col = block_breaks(chars, &mut i, indent, &mut trailing);
    }
    if chomping != Chomping::Strip
        && let Some(b) = leading
    {
        out.push(b);
    }
    if chomping == Chomping::Keep {
        out.push_str(&trailing);
    }
    Some(out)
}

/// Blank lines (and the indentation of the next line) inside a block scalar, from the
/// start of a line; returns the column reached.
fn block_breaks(chars: &[char], i: &mut usize, indent: usize, trailing: &mut String) -> usize {
    loop {
        let mut col = 0;
        while *i < chars.len() && chars[*i] == ' ' && col < indent {
            *i += 1;
            col += 1;
        }
        if *i >= chars.len() || !is_break(chars[*i]) {
            return col;
        }
        trailing.push(read_break(chars, i));
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Chomping {
    Strip,
    Clip,
    Keep,
}

/// The chomping indicator of a block scalar header line (`key: |-2 # comment`).
fn chomping_of(header: &str) -> Option<Chomping> {
    let without_comment = match header.find(" #") {
        Some(n) => &header[..n],
        None => header,
    };
    let tail = without_comment.trim_end();
    let indicators: String = tail
        .chars()
        .rev()
        .take_while(|c| matches!(c, '+' | '-' | '1'..='9'))
        .collect();
    let before = tail[..tail.len() - indicators.len()].chars().last()?;
    if before != '|' && before != '>' {
        return None;
    }
    Some(if indicators.contains('-') {
        Chomping::Strip
    } else if indicators.contains('+') {
        Chomping::Keep
    } else {
        Chomping::Clip
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use granit_parser::{Event, Parser};

    /// Without LS/PS the rebuilt value must be the parser's own, for every scalar.
    #[test]
    fn rebuilding_agrees_with_the_parser() {
        let docs = [
            "a: x\n  y\n\n\n  z  w\nb: 'p  q\n   \n  r''s'\nc: \"e\\t\\x41\\u00e9\\\n   f \\\n\n g\"\n",
            "a: |\n  x\n\n   y\n\n\nb: |-\n  x\n\nc: |+\n  x\n\n\nd: >\n  x\n  y\n\n  z\n   more\n  w\n",
            "- >-\n  folded\n  text\n- |2\n   indented\n  less\n- \"q \\\"x\\\" \\L\\N\\_\"\n- >+\n\n  a\n\n",
            "k: |  # comment\n  body\n  \n  end\nl: >1\n  two\n z\n",
            "top:\n  nested:\n    - |\n      deep\n        deeper\n      back\n    - plain\n      cont\n",
        ];
        for doc in docs {
            let chars: Vec<char> = doc.chars().collect();
            let mut parser = Parser::new_from_str(doc);
            while let Some(event) = parser.next_event() {
                let (event, span) = event.unwrap_or_else(|e| panic!("{doc:?}: {e}"));
                if let Event::Scalar(value, style, ..) = event {
                    let rebuilt = scalar_value(
                        &chars,
                        span.start.index(),
                        span.end.index(),
                        style,
                        span.start.col(),
                    );
                    assert_eq!(rebuilt.as_deref(), Some(&*value), "{doc:?} {style:?}");
                }
            }
        }
    }
}
