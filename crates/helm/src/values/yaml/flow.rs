//! Where libyaml's parser gives up on a broken flow collection, for go-yaml's error text.
//!
//! granit reports an unclosed `[`/`{` at the bracket and a `:` after a line break inside
//! one as a misplaced indicator; libyaml's flow parser fails at the first token that
//! cannot follow what came before: a node where a `,` or the closing bracket belongs
//! ("did not find expected ',' or ']'"), or the stream end where an entry belongs
//! ("did not find expected node content"). This walks the tokens from the opening
//! bracket the way that parser does. It is only consulted once granit has failed, so
//! it need not validate anything else.

/// What the walk expects next at one nesting level.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    /// An entry (after the bracket or a `,`).
    Entry,
    /// A `,`, `:` or the closing bracket (after a node).
    Separator,
    /// A value, `,` or the closing bracket (after a `:`).
    Value,
}

struct Level {
    close: char,
    want: Want,
}

/// The 0-based line of libyaml's error and its problem, for the flow collection opened
/// at character `open` of `text`; `None` if the walk finds nothing wrong.
pub(super) fn flow_failure(text: &str, open: usize) -> Option<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut line = chars.iter().take(open).filter(|c| **c == '\n').count();
    let mut i = open;
    let mut stack: Vec<Level> = Vec::new();
    // Line of the last node's start and whether it stayed on one line (a simple key).
    let mut key_line: Option<usize> = None;
    let expected = |stack: &[Level]| {
        let close = stack.last().map_or(']', |l| l.close);
        format!("did not find expected ',' or '{close}'")
    };
    let no_node = || "did not find expected node content".to_string();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied().unwrap_or('\n');
        match c {
            '\n' => {
                line += 1;
                i += 1;
                continue;
            }
            ' ' | '\t' | '\r' => {
                i += 1;
                continue;
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        let want = stack.last().map(|l| l.want);
        match c {
            '[' | '{' => {
                if want == Some(Want::Separator) {
                    return Some((line, expected(&stack)));
                }
                stack.push(Level {
                    close: if c == '[' { ']' } else { '}' },
                    want: Want::Entry,
                });
                key_line = None;
                i += 1;
                continue;
            }
            ']' | '}' => {
                let level = stack.pop()?;
                if level.close != c {
                    let want = level.want;
                    stack.push(level);
                    // Where a node may come, libyaml tries to read one from it.
                    return Some(if want == Want::Separator {
                        (line, expected(&stack))
                    } else {
                        (line, no_node())
                    });
                }
                match stack.last_mut() {
                    Some(parent) => parent.want = Want::Separator,
                    None => return None,
                }
                // A collection is a node, but never a simple key spanning its lines.
                key_line = Some(usize::MAX);
                i += 1;
                continue;
            }
            ',' => {
                if want == Some(Want::Entry) {
                    return Some((line, no_node()));
                }
                if let Some(level) = stack.last_mut() {
                    level.want = Want::Entry;
                }
                key_line = None;
                i += 1;
                continue;
            }
            ':' if matches!(next, ' ' | '\t' | '\r' | '\n' | ',' | '[' | ']' | '{' | '}') => {
                if want == Some(Want::Separator) && key_line != Some(line) {
                    // No single-line key before it: a value indicator out of place.
                    return Some((line, expected(&stack)));
                }
                if matches!(want, Some(Want::Entry | Want::Value)) {
                    // libyaml takes no empty key in a flow collection.
                    return Some((line, no_node()));
                }
                if let Some(level) = stack.last_mut() {
                    level.want = Want::Value;
                }
                key_line = None;
                i += 1;
                continue;
            }
            '-' if matches!(next, ' ' | '\t' | '\r' | '\n') => {
                // A block entry indicator, which no flow collection takes.
                return Some(if want == Some(Want::Separator) {
                    (line, expected(&stack))
                } else {
                    (line, no_node())
                });
            }
            _ => {}
        }
        // A node: a quoted or plain scalar (plain ones run on across line breaks).
        if want == Some(Want::Separator) {
            return Some((line, expected(&stack)));
        }
        let start_line = line;
        if c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() {
                let q = chars[i];
                if q == '\n' {
                    line += 1;
                } else if c == '"' && q == '\\' {
                    i += 1;
                } else if q == c {
                    if c == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                i += 1;
            }
            i += 1;
        } else {
            // Plain: up to a flow indicator, `: `, ` #`; line breaks fold into it.
            let mut last_content_line = line;
            while i < chars.len() {
                let p = chars[i];
                let after = chars.get(i + 1).copied().unwrap_or('\n');
                if matches!(p, ',' | '[' | ']' | '{' | '}')
                    || (p == ':'
                        && matches!(
                            after,
                            ' ' | '\t' | '\r' | '\n' | ',' | '[' | ']' | '{' | '}'
                        ))
                    || (p == '#' && i > 0 && matches!(chars[i - 1], ' ' | '\t' | '\n'))
                {
                    break;
                }
                if p == '\n' {
                    line += 1;
                } else if !matches!(p, ' ' | '\t' | '\r') {
                    last_content_line = line;
                }
                i += 1;
            }
            // Trailing line breaks are not part of the scalar.
            line = last_content_line;
            let consumed: usize = chars[..i]
                .iter()
                .rev()
                .take_while(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
                .count();
            i -= consumed;
        }
        key_line = (line == start_line).then_some(start_line);
        if let Some(level) = stack.last_mut() {
            level.want = Want::Separator;
        }
    }
    // The stream ends inside the collection (libyaml's last line: the one it ends on).
    let eof_line = line + usize::from(!text.ends_with('\n') && !text.is_empty());
    match stack.last().map(|l| l.want) {
        Some(Want::Separator) => Some((eof_line, expected(&stack))),
        Some(_) => Some((eof_line, no_node())),
        None => None,
    }
}
