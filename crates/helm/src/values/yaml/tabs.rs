//! Lines that start with a tab (after any spaces), which libyaml refuses where YAML 1.2
//! (and so granit) takes the tab as separation space, e.g. on a blank line.
//!
//! In block context libyaml skips only spaces at the start of a line, so a tab there
//! "cannot start any token", unless a scalar's own scanner reaches the line first:
//! inside a quoted scalar or a flow collection tabs are blanks; after a plain scalar
//! (whose scanner runs on over blank lines) a tab left of the scalar's indentation
//! "violates indentation"; in a block scalar a tab left of the content's indentation
//! (or any tab before that indentation is known) is "where an indentation space is
//! expected". The tokens granit reported tell which case a line is in.

use granit_parser::{Event, ScalarStyle, StructureStyle};

/// What a token is, for the lines after it.
#[derive(Clone, Copy, Debug)]
pub(super) enum TokenKind {
    /// A plain scalar; the indentation its continuation lines need (libyaml's
    /// `parser.indent + 1`: one more than the enclosing block collection's column).
    Plain { indent: isize },
    /// A single- or double-quoted scalar.
    Quoted,
    /// A block scalar whose content is indented `indent` columns.
    Block { indent: usize },
    /// A flow collection (from its opening to its closing bracket).
    Flow,
    /// Anything else (block collections).
    Other,
}

/// A token's character range in the text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

/// A line whose first character that is not a space is a tab.
#[derive(Clone, Copy, Debug)]
pub(super) struct TabLine {
    /// 0-based line number.
    line: usize,
    /// Character index of the line's start.
    start: usize,
    /// Column of the tab.
    col: usize,
}

/// Every line of `text` that starts with spaces and then a tab.
pub(super) fn tab_led_lines(text: &str) -> Vec<TabLine> {
    let mut out = Vec::new();
    if !text.contains('\t') {
        return out;
    }
    let mut index = 0;
    for (line, content) in text.split('\n').enumerate() {
        let spaces = content.chars().take_while(|c| *c == ' ').count();
        if content[spaces..].starts_with('\t') {
            out.push(TabLine {
                line,
                start: index,
                col: spaces,
            });
        }
        index += content.chars().count() + 1;
    }
    out
}

/// libyaml's error for the first tab-led line before character `limit`, as the 0-based
/// line of the tab and the problem (all are scanner errors). Linear in the text and
/// the tokens, plus a binary search per line.
pub(super) fn first_error(
    text: &[char],
    lines: &[TabLine],
    tokens: &[Token],
    limit: usize,
) -> Option<(usize, &'static str)> {
    // Where tabs are plain blanks: quoted scalars and flow collections (merged).
    let mut covered: Vec<(usize, usize)> = tokens
        .iter()
        .filter(|t| matches!(t.kind, TokenKind::Flow | TokenKind::Quoted))
        .map(|t| (t.start, t.end))
        .collect();
    covered.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(covered.len());
    for (start, end) in covered {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    // Scalars, in the order they start.
    let mut scalars: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t.kind, TokenKind::Flow | TokenKind::Other))
        .collect();
    scalars.sort_by_key(|t| t.start);
    // Where each block scalar's region ends, computed once.
    let mut block_ends: Vec<Option<usize>> = vec![None; scalars.len()];
    // The last character before the current line that is not white space, found by one
    // pass over the text as the lines go by; and whether its line is a block header.
    let (mut scanned, mut last_solid): (usize, Option<usize>) = (0, None);
    let mut header: Option<(usize, bool)> = None;
    lines.iter().take_while(|l| l.start < limit).find_map(|l| {
        let p = l.start;
        while scanned < p.min(text.len()) {
            if !text[scanned].is_whitespace() {
                last_solid = Some(scanned);
            }
            scanned += 1;
        }
        let n = merged.partition_point(|r| r.0 < p);
        if n > 0 && p < merged[n - 1].1 {
            return None;
        }
        let last = scalars
            .partition_point(|t| t.start < p)
            .checked_sub(1)
            .map(|k| (k, scalars[k]));
        let reaches = match last {
            Some((k, t)) => match t.kind {
                TokenKind::Block { indent } => {
                    p < *block_ends[k]
                        .get_or_insert_with(|| block_region_end(text, t.start, indent))
                }
                _ => false,
            },
            None => false,
        };
        let last = last.map(|(_, t)| t);
        // Only white space since the last token, or since its end.
        let blank_since = |from: usize| last_solid.is_none_or(|q| q < from);
        let after_header = match last_solid {
            Some(q) if !blank_since(last.map_or(0, |t| t.end)) => match header {
                Some((at, is)) if at == q => is,
                _ => {
                    let is = ends_with_block_header(text, q);
                    header = Some((q, is));
                    is
                }
            },
            _ => false,
        };
        let context = Context {
            last,
            block_reaches: reaches,
            after_header,
            blank_after_last: last.is_some_and(|t| t.end > p || blank_since(t.end)),
        };
        error_at(l, &context).map(|problem| (l.line, problem))
    })
}

/// What the lines before a tab-led line hold.
struct Context<'a> {
    /// The last scalar starting before it.
    last: Option<&'a Token>,
    /// That scalar is a block scalar whose scanner reaches the line.
    block_reaches: bool,
    /// The last content before the line (after `last`) is a block scalar header.
    after_header: bool,
    /// Only white space lies between `last` and the line (or the line is inside it).
    blank_after_last: bool,
}

fn error_at(line: &TabLine, context: &Context<'_>) -> Option<&'static str> {
    const CANNOT_START: &str = "found character that cannot start any token";
    const VIOLATES: &str = "found a tab character that violates indentation";
    const BLOCK: &str = "found a tab character where an indentation space is expected";
    // A block scalar header with no content yet: its indentation is not known, and
    // libyaml takes no tab while looking for it.
    if context.after_header {
        return Some(BLOCK);
    }
    let Some(last) = context.last else {
        return Some(CANNOT_START);
    };
    match last.kind {
        TokenKind::Plain { indent } => {
            if !context.blank_after_last {
                Some(CANNOT_START)
            } else if (line.col as isize) < indent {
                Some(VIOLATES)
            } else {
                None
            }
        }
        TokenKind::Block { indent } => {
            if context.block_reaches {
                (line.col < indent).then_some(BLOCK)
            } else {
                Some(CANNOT_START)
            }
        }
        TokenKind::Quoted | TokenKind::Flow | TokenKind::Other => Some(CANNOT_START),
    }
}

/// Where the region a block scalar's scanner reads ends: at the first line after the
/// one its content starts on (at `start`) with something other than spaces left of
/// `indent` (a tab there is the error itself, so the region reaches it).
fn block_region_end(text: &[char], start: usize, indent: usize) -> usize {
    let mut i = start;
    loop {
        while i < text.len() && text[i] != '\n' {
            i += 1;
        }
        if i >= text.len() {
            return text.len();
        }
        let line_start = i + 1;
        let mut j = line_start;
        while j < text.len() && text[j] == ' ' && j - line_start < indent {
            j += 1;
        }
        let short = j - line_start < indent;
        if short && j < text.len() && !matches!(text[j], '\n' | '\r' | '\t' | ' ') {
            return line_start;
        }
        i = j;
    }
}

/// Whether the line holding character `q` ends with a block scalar header (`|` or `>`,
/// chomping and indentation indicators, an optional comment).
fn ends_with_block_header(text: &[char], q: usize) -> bool {
    let mut start = q;
    while start > 0 && text[start - 1] != '\n' {
        start -= 1;
    }
    let mut end = q;
    while end < text.len() && text[end] != '\n' {
        end += 1;
    }
    let line: String = text[start..end].iter().collect();
    let line = match line.find(" #") {
        Some(n) => &line[..n],
        None => &line,
    };
    let tail = line
        .trim_end()
        .trim_end_matches(['+', '-', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    let Some(head) = tail.strip_suffix(['|', '>']) else {
        return false;
    };
    // The indicator starts a node: after `: `, `- `, `? `, a tag/anchor, or alone.
    head.is_empty() || head.ends_with([' ', '\t'])
}

/// Watches the parser's events when the text has tab-led lines (else does nothing).
pub(super) struct TabCheck {
    lines: Vec<TabLine>,
    tokens: Vec<Token>,
    /// Open collections: flow or not, start index, column.
    open: Vec<(bool, usize, usize)>,
}

impl TabCheck {
    pub(super) fn new(text: &str) -> Self {
        TabCheck {
            lines: tab_led_lines(text),
            tokens: Vec::new(),
            open: Vec::new(),
        }
    }

    pub(super) fn active(&self) -> bool {
        !self.lines.is_empty()
    }

    /// Record one parser event spanning characters `start..end` from column `col`.
    pub(super) fn observe(&mut self, event: &Event<'_>, start: usize, end: usize, col: usize) {
        if !self.active() {
            return;
        }
        let kind = match event {
            Event::Scalar(_, style, ..) => match style {
                ScalarStyle::Plain => {
                    // The innermost block collection's column, -1 at the top level.
                    let parent = self
                        .open
                        .iter()
                        .rev()
                        .find(|(flow, ..)| !flow)
                        .map_or(-1, |&(_, _, c)| c as isize);
                    TokenKind::Plain { indent: parent + 1 }
                }
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => TokenKind::Quoted,
                ScalarStyle::Literal | ScalarStyle::Folded => TokenKind::Block { indent: col },
            },
            Event::SequenceStart(style, ..) | Event::MappingStart(style, ..) => {
                self.open.push((*style == StructureStyle::Flow, start, col));
                TokenKind::Other
            }
            Event::SequenceEnd | Event::MappingEnd => match self.open.pop() {
                Some((true, open_start, _)) => {
                    self.tokens.push(Token {
                        start: open_start,
                        end,
                        kind: TokenKind::Flow,
                    });
                    return;
                }
                _ => return,
            },
            _ => return,
        };
        self.tokens.push(Token { start, end, kind });
    }

    /// libyaml's error for the first tab-led line before character `limit` (see
    /// [`first_error`]); a flow collection still open at `limit` covers the rest.
    pub(super) fn error(&mut self, text: &str, limit: usize) -> Option<(usize, &'static str)> {
        if !self.active() {
            return None;
        }
        for &(flow, start, _) in &self.open {
            if flow {
                self.tokens.push(Token {
                    start,
                    end: usize::MAX,
                    kind: TokenKind::Flow,
                });
            }
        }
        let chars: Vec<char> = text.chars().collect();
        first_error(&chars, &self.lines, &self.tokens, limit)
    }
}
