//! BurntSushi/toml's lexer (v1.6, TOML 1.1 rules), as a pull-driven state machine.
//!
//! The parser asks for one item at a time and the lexer runs states only until an item
//! is queued, exactly like BurntSushi's channel-fed lexer. That laziness is observable:
//! an error item is met only after the parser has acted on every item before it, so the
//! "last key" it reports and which of two errors wins depend on it. Nesting (arrays,
//! inline tables, comments, key parts) lives on an explicit state stack, so no input
//! makes this recurse. Quirks kept on purpose because Helm shows them: `backup` can
//! only undo what `next` recorded (so `a = int` reports "nt"), errors at end of input
//! name the line of the last byte, and several number checks emit an error and keep
//! lexing (the parser stops at the first error anyway).

use std::collections::VecDeque;

use gotmpl::gounicode::is_letter;

/// What the lexer emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Error,
    Eof,
    Text,
    String,
    RawString,
    MultilineString,
    RawMultilineString,
    Bool,
    Integer,
    Float,
    Datetime,
    Array,
    ArrayEnd,
    TableStart,
    TableEnd,
    ArrayTableStart,
    ArrayTableEnd,
    KeyStart,
    KeyEnd,
    CommentStart,
    InlineTableStart,
    InlineTableEnd,
}

/// One lexed item: its text is `input[start..end]`, `line` is where it was emitted
/// (for multi-line tokens, the line the token ends on). Errors carry their message.
#[derive(Clone, Debug)]
pub(super) struct Item {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub error: Option<String>,
}

/// BurntSushi's rune for end of input.
const EOF: char = '\0';

/// The lexer's states (one per BurntSushi state function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Top,
    TopEnd,
    TableStart,
    TableEnd,
    ArrayTableEnd,
    TableNameStart,
    TableNameEnd,
    BareName,
    QuotedName,
    KeyStart,
    KeyNameStart,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    InlineTableValue,
    InlineTableValueEnd,
    InlineTableEnd,
    String,
    MultilineString,
    RawString,
    MultilineRawString,
    MultilineStringEscape,
    StringEscape,
    HexEscape,
    ShortUnicodeEscape,
    LongUnicodeEscape,
    NumberOrDateStart,
    NumberOrDate,
    Datetime,
    HexInteger,
    OctalInteger,
    BinaryInteger,
    DecimalNumber,
    DecimalNumberStart,
    BaseNumberOrDate,
    Float,
    Bool,
    CommentStart,
    Comment,
}

pub(super) struct Lexer<'a> {
    input: &'a str,
    /// Offsets in `input` where a U+FFFD stands for a byte of the Go string that is
    /// not UTF-8, and that byte, in offset order.
    invalid: &'a [(usize, u8)],
    start: usize,
    pos: usize,
    line: usize,
    /// Byte widths of the last runes read, newest first, for `backup`.
    prev_widths: [usize; 4],
    nprev: usize,
    at_eof: bool,
    state: Option<St>,
    stack: Vec<St>,
    items: VecDeque<Item>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(input: &'a str, invalid: &'a [(usize, u8)]) -> Self {
        Lexer {
            input,
            invalid,
            start: 0,
            pos: 0,
            line: 1,
            prev_widths: [0; 4],
            nprev: 0,
            at_eof: false,
            state: Some(St::Top),
            stack: Vec::new(),
            items: VecDeque::new(),
        }
    }

    pub(super) fn input(&self) -> &'a str {
        self.input
    }

    /// The next item. After an error or EOF item the parser stops asking; should it
    /// ask anyway, the lexer keeps answering EOF rather than failing.
    pub(super) fn next_item(&mut self) -> Item {
        loop {
            if let Some(item) = self.items.pop_front() {
                return item;
            }
            match self.state {
                Some(st) => self.state = self.step(st),
                None => {
                    return Item {
                        kind: Kind::Eof,
                        start: self.pos,
                        end: self.pos,
                        line: self.line,
                        error: None,
                    };
                }
            }
        }
    }

    fn push(&mut self, st: St) {
        self.stack.push(st);
    }

    fn pop(&mut self) -> Option<St> {
        match self.stack.pop() {
            Some(st) => Some(st),
            None => self.errorf("BUG in lexer: no states to pop".into()),
        }
    }

    fn current(&self) -> &'a str {
        self.input.get(self.start..self.pos).unwrap_or("")
    }

    fn emit(&mut self, kind: Kind) {
        self.emit_range(kind, self.start, self.pos);
        self.start = self.pos;
    }

    /// `emitTrim`: the item's text without surrounding spaces (datetimes may end in one).
    fn emit_trim(&mut self, kind: Kind) {
        let text = self.current();
        let lead = text.len() - text.trim_start().len();
        let trail = text.len() - text.trim_end().len();
        let (s, e) = if lead == text.len() {
            (self.start, self.start)
        } else {
            (self.start + lead, self.pos - trail)
        };
        self.emit_range(kind, s, e);
        self.start = self.pos;
    }

    fn emit_range(&mut self, kind: Kind, start: usize, end: usize) {
        self.items.push_back(Item {
            kind,
            start,
            end: end.max(start),
            line: self.line,
            error: None,
        });
    }

    fn next(&mut self) -> char {
        if self.at_eof || self.pos >= self.input.len() {
            self.at_eof = true;
            return EOF;
        }
        let rest = &self.input[self.pos..];
        if rest.as_bytes()[0] == b'\n' {
            self.line += 1;
        }
        self.prev_widths = [
            self.prev_widths[0],
            self.prev_widths[0],
            self.prev_widths[1],
            self.prev_widths[2],
        ];
        self.nprev = (self.nprev + 1).min(4);
        let Some(r) = rest.chars().next() else {
            self.at_eof = true;
            return EOF;
        };
        if r == char::REPLACEMENT_CHARACTER
            && let Ok(i) = self.invalid.binary_search_by_key(&self.pos, |&(at, _)| at)
        {
            // BurntSushi decodes the bytes: like a control character, an invalid byte
            // is reported and read as a replacement rune without moving.
            self.error(format!("invalid UTF-8 byte: 0x{:02x}", self.invalid[i].1));
            return char::REPLACEMENT_CHARACTER;
        }
        let lone_cr = r == '\r' && rest.as_bytes().get(1) != Some(&b'\n');
        if is_control(r) || lone_cr {
            // Like BurntSushi: report, and hand back a replacement rune without moving.
            self.error(format!(
                "TOML files cannot contain control characters: '0x{:02x}'",
                r as u32
            ));
            return char::REPLACEMENT_CHARACTER;
        }
        self.prev_widths[0] = r.len_utf8();
        self.pos += r.len_utf8();
        r
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn backup(&mut self) {
        if self.at_eof {
            self.at_eof = false;
            return;
        }
        if self.nprev < 1 {
            return;
        }
        let w = self.prev_widths[0];
        self.prev_widths = [
            self.prev_widths[1],
            self.prev_widths[2],
            self.prev_widths[3],
            self.prev_widths[3],
        ];
        self.nprev -= 1;
        self.pos = self.pos.saturating_sub(w);
        if self.input.as_bytes().get(self.pos) == Some(&b'\n') {
            self.line -= 1;
        }
    }

    fn accept(&mut self, valid: char) -> bool {
        if self.next() == valid {
            return true;
        }
        self.backup();
        false
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    fn skip_whitespace(&mut self) {
        loop {
            let r = self.next();
            if is_whitespace(r) {
                continue;
            }
            self.backup();
            self.ignore();
            return;
        }
    }

    /// The line of the last byte read: where BurntSushi reports errors found at the end
    /// of input or right after a newline.
    fn prev_line(&self) -> usize {
        if self.pos > 0 && self.input.as_bytes().get(self.pos - 1) == Some(&b'\n') {
            self.line - 1
        } else {
            self.line
        }
    }

    fn push_error(&mut self, line: usize, msg: String) {
        self.items.push_back(Item {
            kind: Kind::Error,
            start: self.start.min(self.pos),
            end: self.pos,
            line,
            error: Some(msg),
        });
    }

    fn error(&mut self, msg: String) -> Option<St> {
        let line = if self.at_eof {
            self.prev_line()
        } else {
            self.line
        };
        self.push_error(line, msg);
        None
    }

    /// Newlines in strings: one line up from the current one, even when a `\r` of a
    /// CRLF is what was read (BurntSushi then reports line 0 for the first line).
    fn error_prev_line(&mut self, msg: String) -> Option<St> {
        let line = self.line - 1;
        self.push_error(line, msg);
        None
    }

    fn errorf(&mut self, msg: String) -> Option<St> {
        self.error(msg)
    }

    /// Runs one state; `None` stops the lexer (after an error or at EOF).
    fn step(&mut self, st: St) -> Option<St> {
        match st {
            St::Top => self.top(),
            St::TopEnd => self.top_end(),
            St::TableStart => {
                if self.peek() == '[' {
                    self.next();
                    self.emit(Kind::ArrayTableStart);
                    self.push(St::ArrayTableEnd);
                } else {
                    self.emit(Kind::TableStart);
                    self.push(St::TableEnd);
                }
                Some(St::TableNameStart)
            }
            St::TableEnd => {
                self.emit(Kind::TableEnd);
                Some(St::TopEnd)
            }
            St::ArrayTableEnd => {
                let r = self.next();
                if r != ']' {
                    return self.errorf(format!(
                        "expected end of table array name delimiter ']', but got {} instead",
                        quote_rune(r)
                    ));
                }
                self.emit(Kind::ArrayTableEnd);
                Some(St::TopEnd)
            }
            St::TableNameStart => {
                self.skip_whitespace();
                match self.peek() {
                    ']' | EOF => self.errorf(
                        "unexpected end of table name (table names cannot be empty)".into(),
                    ),
                    '.' => self
                        .errorf("unexpected table separator (table names cannot be empty)".into()),
                    '"' | '\'' => {
                        self.ignore();
                        self.push(St::TableNameEnd);
                        Some(St::QuotedName)
                    }
                    _ => {
                        self.push(St::TableNameEnd);
                        Some(St::BareName)
                    }
                }
            }
            St::TableNameEnd => {
                self.skip_whitespace();
                match self.next() {
                    r if is_whitespace(r) => Some(St::TableNameEnd),
                    '.' => {
                        self.ignore();
                        Some(St::TableNameStart)
                    }
                    ']' => self.pop(),
                    r => self.errorf(format!(
                        "expected '.' or ']' to end table name, but got {} instead",
                        quote_rune(r)
                    )),
                }
            }
            St::BareName => {
                let r = self.next();
                if is_bare_key_char(r) {
                    return Some(St::BareName);
                }
                self.backup();
                self.emit(Kind::Text);
                self.pop()
            }
            St::QuotedName => match self.next() {
                r if is_whitespace(r) => {
                    self.ignore();
                    Some(St::Value)
                }
                '"' => {
                    self.ignore();
                    Some(St::String)
                }
                '\'' => {
                    self.ignore();
                    Some(St::RawString)
                }
                EOF => self.errorf("unexpected EOF; expected value".into()),
                r => self.errorf(format!(
                    "expected value but found {} instead",
                    quote_rune(r)
                )),
            },
            St::KeyStart => {
                self.skip_whitespace();
                match self.peek() {
                    '=' | EOF => self.errorf("unexpected '=': key name appears blank".into()),
                    '.' => self.errorf("unexpected '.': keys cannot start with a '.'".into()),
                    r => {
                        if r == '"' || r == '\'' {
                            self.ignore();
                        }
                        self.emit(Kind::KeyStart);
                        Some(St::KeyNameStart)
                    }
                }
            }
            St::KeyNameStart => {
                self.skip_whitespace();
                match self.peek() {
                    '=' | EOF => self.errorf("unexpected '='".into()),
                    '.' => self.errorf("unexpected '.'".into()),
                    '"' | '\'' => {
                        self.ignore();
                        self.push(St::KeyEnd);
                        Some(St::QuotedName)
                    }
                    _ => {
                        self.push(St::KeyEnd);
                        Some(St::BareName)
                    }
                }
            }
            St::KeyEnd => {
                self.skip_whitespace();
                match self.next() {
                    r if is_whitespace(r) => {
                        self.ignore();
                        Some(St::KeyEnd)
                    }
                    EOF => self.errorf("unexpected EOF; expected key separator '='".into()),
                    r if is_nl(r) => {
                        // Reported on the key's line (Helm 4.2.3 shows line 1 for "a\n").
                        self.backup();
                        self.errorf(format!(
                            "expected '.' or '=', but got {} instead",
                            quote_rune(r)
                        ))
                    }
                    '.' => {
                        self.ignore();
                        Some(St::KeyNameStart)
                    }
                    '=' => {
                        self.emit(Kind::KeyEnd);
                        self.ignore();
                        Some(St::Value)
                    }
                    r => self.errorf(format!(
                        "expected '.' or '=', but got {} instead",
                        quote_rune(r)
                    )),
                }
            }
            St::Value => self.value(),
            St::ArrayValue => match self.next() {
                r if is_whitespace(r) || is_nl(r) => {
                    self.ignore();
                    Some(St::ArrayValue)
                }
                '#' => {
                    self.push(St::ArrayValue);
                    Some(St::CommentStart)
                }
                ',' => self.errorf("unexpected comma".into()),
                ']' => Some(St::ArrayEnd),
                _ => {
                    self.backup();
                    self.push(St::ArrayValueEnd);
                    Some(St::Value)
                }
            },
            St::ArrayValueEnd => match self.next() {
                r if is_whitespace(r) || is_nl(r) => {
                    self.ignore();
                    Some(St::ArrayValueEnd)
                }
                '#' => {
                    self.push(St::ArrayValueEnd);
                    Some(St::CommentStart)
                }
                ',' => {
                    self.ignore();
                    Some(St::ArrayValue)
                }
                ']' => Some(St::ArrayEnd),
                r => self.errorf(format!(
                    "expected a comma (',') or array terminator (']'), but got {}",
                    rune_or_eof(r)
                )),
            },
            St::ArrayEnd => {
                self.ignore();
                self.emit(Kind::ArrayEnd);
                self.pop()
            }
            St::InlineTableValue => match self.next() {
                r if is_whitespace(r) || is_nl(r) => {
                    self.ignore();
                    Some(St::InlineTableValue)
                }
                '#' => {
                    self.push(St::InlineTableValue);
                    Some(St::CommentStart)
                }
                ',' => self.errorf("unexpected comma".into()),
                '}' => Some(St::InlineTableEnd),
                _ => {
                    self.backup();
                    self.push(St::InlineTableValueEnd);
                    Some(St::KeyStart)
                }
            },
            St::InlineTableValueEnd => match self.next() {
                r if is_whitespace(r) || is_nl(r) => {
                    self.ignore();
                    Some(St::InlineTableValueEnd)
                }
                '#' => {
                    self.push(St::InlineTableValueEnd);
                    Some(St::CommentStart)
                }
                ',' => {
                    self.ignore();
                    self.skip_whitespace();
                    if self.peek() == '}' {
                        // TOML 1.1 allows a trailing comma.
                        return Some(St::InlineTableValueEnd);
                    }
                    Some(St::InlineTableValue)
                }
                '}' => Some(St::InlineTableEnd),
                r => self.errorf(format!(
                    "expected a comma or an inline table terminator '}}', but got {} instead",
                    rune_or_eof(r)
                )),
            },
            St::InlineTableEnd => {
                self.ignore();
                self.emit(Kind::InlineTableEnd);
                self.pop()
            }
            St::String => match self.next() {
                EOF => self.errorf("unexpected EOF; expected '\"'".into()),
                r if is_nl(r) => self.error_prev_line("strings cannot contain newlines".into()),
                '\\' => {
                    self.push(St::String);
                    Some(St::StringEscape)
                }
                '"' => {
                    self.backup();
                    self.emit(Kind::String);
                    self.next();
                    self.ignore();
                    self.pop()
                }
                _ => Some(St::String),
            },
            St::MultilineString => self.multiline('"'),
            St::RawString => match self.next() {
                EOF => self.errorf("unexpected EOF; expected \"'\"".into()),
                r if is_nl(r) => self.error_prev_line("strings cannot contain newlines".into()),
                '\'' => {
                    self.backup();
                    self.emit(Kind::RawString);
                    self.next();
                    self.ignore();
                    self.pop()
                }
                _ => Some(St::RawString),
            },
            St::MultilineRawString => self.multiline('\''),
            St::MultilineStringEscape => {
                if is_nl(self.next()) {
                    return Some(St::MultilineString);
                }
                self.backup();
                self.push(St::MultilineString);
                Some(St::StringEscape)
            }
            St::StringEscape => match self.next() {
                'e' | 'b' | 't' | 'n' | 'f' | 'r' | '"' | ' ' | '\t' | '\\' => self.pop(),
                'x' => Some(St::HexEscape),
                'u' => Some(St::ShortUnicodeEscape),
                'U' => Some(St::LongUnicodeEscape),
                r => self.error(format!("invalid escape in string '\\{r}'")),
            },
            St::HexEscape => self.hex_escape(2, "two", 'x'),
            St::ShortUnicodeEscape => self.hex_escape(4, "four", 'u'),
            St::LongUnicodeEscape => self.hex_escape(8, "eight", 'U'),
            St::NumberOrDateStart => {
                let r = self.next();
                if r == '0' {
                    return Some(St::BaseNumberOrDate);
                }
                if !r.is_ascii_digit() {
                    return self.errorf(format!("expected a digit but got {}", quote_rune(r)));
                }
                Some(St::NumberOrDate)
            }
            St::NumberOrDate => match self.next() {
                r if r.is_ascii_digit() => Some(St::NumberOrDate),
                '-' | ':' => Some(St::Datetime),
                '_' => Some(St::DecimalNumber),
                '.' | 'e' | 'E' => Some(St::Float),
                _ => {
                    self.backup();
                    self.emit(Kind::Integer);
                    self.pop()
                }
            },
            St::Datetime => match self.next() {
                r if r.is_ascii_digit() => Some(St::Datetime),
                '-' | ':' | 'T' | 't' | ' ' | '.' | 'Z' | 'z' | '+' => Some(St::Datetime),
                _ => {
                    self.backup();
                    self.emit_trim(Kind::Datetime);
                    self.pop()
                }
            },
            St::HexInteger => self.radix_integer(St::HexInteger, |r| r.is_ascii_hexdigit()),
            St::OctalInteger => self.radix_integer(St::OctalInteger, |r| matches!(r, '0'..='7')),
            St::BinaryInteger => self.radix_integer(St::BinaryInteger, |r| matches!(r, '0' | '1')),
            St::DecimalNumber => match self.next() {
                r if r.is_ascii_digit() => Some(St::DecimalNumber),
                '.' | 'e' | 'E' => Some(St::Float),
                '_' => Some(St::DecimalNumber),
                _ => {
                    self.backup();
                    self.emit(Kind::Integer);
                    self.pop()
                }
            },
            St::DecimalNumberStart => self.decimal_number_start(),
            St::BaseNumberOrDate => self.base_number_or_date(),
            St::Float => match self.next() {
                r if r.is_ascii_digit() => Some(St::Float),
                '_' | '.' | '-' | '+' | 'e' | 'E' => Some(St::Float),
                _ => {
                    self.backup();
                    self.emit(Kind::Float);
                    self.pop()
                }
            },
            St::Bool => {
                let mut word = String::new();
                loop {
                    let r = self.next();
                    if !is_letter(r) {
                        self.backup();
                        break;
                    }
                    word.push(r);
                }
                if word == "true" || word == "false" {
                    self.emit(Kind::Bool);
                    return self.pop();
                }
                self.errorf(format!(
                    "expected value but found {} instead",
                    go_quote(&word)
                ))
            }
            St::CommentStart => {
                self.ignore();
                self.emit(Kind::CommentStart);
                Some(St::Comment)
            }
            St::Comment => {
                let r = self.next();
                if is_nl(r) || r == EOF {
                    self.backup();
                    self.emit(Kind::Text);
                    return self.pop();
                }
                Some(St::Comment)
            }
        }
    }

    fn top(&mut self) -> Option<St> {
        let r = self.next();
        if is_whitespace(r) || is_nl(r) {
            self.ignore();
            return Some(St::Top);
        }
        match r {
            '#' => {
                self.push(St::Top);
                return Some(St::CommentStart);
            }
            '[' => return Some(St::TableStart),
            EOF => {
                if self.pos > self.start {
                    return self.errorf("unexpected EOF".into());
                }
                self.emit(Kind::Eof);
                return None;
            }
            _ => {}
        }
        self.backup();
        self.push(St::TopEnd);
        Some(St::KeyStart)
    }

    fn top_end(&mut self) -> Option<St> {
        match self.next() {
            '#' => {
                self.push(St::Top);
                Some(St::CommentStart)
            }
            r if is_whitespace(r) => Some(St::TopEnd),
            r if is_nl(r) => {
                self.ignore();
                Some(St::Top)
            }
            EOF => {
                self.emit(Kind::Eof);
                None
            }
            r => self.errorf(format!(
                "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                quote_rune(r)
            )),
        }
    }

    fn value(&mut self) -> Option<St> {
        let r = self.next();
        if is_whitespace(r) {
            self.ignore();
            return Some(St::Value);
        }
        if r.is_ascii_digit() {
            self.backup();
            return Some(St::NumberOrDateStart);
        }
        // `inf` and `nan`; on a mismatch the letters read stay read (see `backup`).
        if matches!(r, 'i' | 'n')
            && ((self.accept('n') && self.accept('f')) || (self.accept('a') && self.accept('n')))
        {
            self.emit(Kind::Float);
            return self.pop();
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(Kind::Array);
                return Some(St::ArrayValue);
            }
            '{' => {
                self.ignore();
                self.emit(Kind::InlineTableStart);
                return Some(St::InlineTableValue);
            }
            '"' => {
                if self.accept('"') {
                    if self.accept('"') {
                        self.ignore();
                        return Some(St::MultilineString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(St::String);
            }
            '\'' => {
                if self.accept('\'') {
                    if self.accept('\'') {
                        self.ignore();
                        return Some(St::MultilineRawString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(St::RawString);
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".into()),
            '-' | '+' => return Some(St::DecimalNumberStart),
            _ => {}
        }
        if is_letter(r) {
            self.backup();
            return Some(St::Bool);
        }
        if r == EOF {
            return self.errorf("unexpected EOF; expected value".into());
        }
        if is_nl(r) {
            // Reported on the line of the `=` (Helm 4.2.3 shows line 1 for "b =\n").
            self.backup();
        }
        self.errorf(format!(
            "expected value but found {} instead",
            quote_rune(r)
        ))
    }

    /// `"""` and `'''` strings: up to two extra quotes may end the string, six in a
    /// row are an error.
    fn multiline(&mut self, q: char) -> Option<St> {
        let (this, kind) = if q == '"' {
            (St::MultilineString, Kind::MultilineString)
        } else {
            (St::MultilineRawString, Kind::RawMultilineString)
        };
        let r = self.next();
        if r == EOF {
            return self.errorf(if q == '"' {
                "unexpected EOF; expected '\"\"\"'".into()
            } else {
                "unexpected EOF; expected \"'''\"".into()
            });
        }
        if r == '\\' && q == '"' {
            return Some(St::MultilineStringEscape);
        }
        if r != q {
            return Some(this);
        }
        if self.accept(q) {
            if self.accept(q) {
                if self.peek() == q {
                    let cur = self.current();
                    let five: String = std::iter::repeat_n(q, 5).collect();
                    let too_many = if q == '"' {
                        cur.ends_with(&five) && !cur.ends_with("\\\"\"\"\"\"")
                    } else {
                        cur.ends_with(&five)
                    };
                    if too_many {
                        return self.errorf(if q == '"' {
                            "unexpected '\"\"\"\"\"\"'".into()
                        } else {
                            "unexpected \"''''''\"".into()
                        });
                    }
                    self.backup();
                    self.backup();
                    return Some(this);
                }
                self.backup();
                self.backup();
                self.backup();
                self.emit(kind);
                self.next();
                self.next();
                self.next();
                self.ignore();
                return self.pop();
            }
            self.backup();
        }
        Some(this)
    }

    fn hex_escape(&mut self, n: usize, count: &str, letter: char) -> Option<St> {
        for _ in 0..n {
            let r = self.next();
            if !r.is_ascii_hexdigit() {
                let cur = self.current().to_string();
                return self.errorf(format!(
                    "expected {count} hexadecimal digits after '\\{letter}', but got {} instead",
                    go_quote(&cur)
                ));
            }
        }
        self.pop()
    }

    fn radix_integer(&mut self, this: St, digit: fn(char) -> bool) -> Option<St> {
        let r = self.next();
        if digit(r) || r == '_' {
            return Some(this);
        }
        self.backup();
        self.emit(Kind::Integer);
        self.pop()
    }

    fn decimal_number_start(&mut self) -> Option<St> {
        let r = self.next();
        match r {
            'i' => {
                if !self.accept('n') || !self.accept('f') {
                    let cur = self.current();
                    return self.errorf(format!("invalid float: '{cur}'"));
                }
                self.emit(Kind::Float);
                return self.pop();
            }
            'n' => {
                if !self.accept('a') || !self.accept('n') {
                    let cur = self.current();
                    return self.errorf(format!("invalid float: '{cur}'"));
                }
                self.emit(Kind::Float);
                return self.pop();
            }
            '0' => {
                let p = self.peek();
                if matches!(p, 'b' | 'o' | 'x') {
                    let cur = self.current();
                    return self.errorf(format!(
                        "cannot use sign with non-decimal numbers: '{cur}{p}'"
                    ));
                }
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".into()),
            _ => {}
        }
        if r.is_ascii_digit() {
            return Some(St::DecimalNumber);
        }
        self.errorf(format!("expected a digit but got {}", quote_rune(r)))
    }

    fn base_number_or_date(&mut self) -> Option<St> {
        let r = self.next();
        if r.is_ascii_digit() {
            return Some(St::NumberOrDate);
        }
        let (next, ok, what): (St, fn(char) -> bool, &str) = match r {
            '_' => return Some(St::DecimalNumber),
            '.' | 'e' | 'E' => return Some(St::Float),
            'b' => (St::BinaryInteger, |c| matches!(c, '0' | '1'), "binary"),
            'o' => (St::OctalInteger, |c| matches!(c, '0'..='7'), "octal"),
            'x' => (St::HexInteger, |c| c.is_ascii_hexdigit(), "hexadecimal"),
            _ => {
                self.backup();
                self.emit(Kind::Integer);
                return self.pop();
            }
        };
        let p = self.peek();
        if !ok(p) {
            // BurntSushi reports this and keeps lexing; the parser stops at the error.
            let cur = self.current();
            let article = if what == "octal" { "an" } else { "a" };
            self.errorf(format!("not {article} {what} number: '{cur}{p}'"));
        }
        Some(next)
    }
}

fn is_whitespace(r: char) -> bool {
    r == '\t' || r == ' '
}

fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}

/// Control characters other than tab, CR and LF.
fn is_control(r: char) -> bool {
    !matches!(r, '\t' | '\r' | '\n') && ((r as u32) <= 0x1f || r as u32 == 0x7f)
}

/// TOML 1.1 bare keys: ASCII letters, digits, `_` and `-`.
pub(super) fn is_bare_key_char(r: char) -> bool {
    r.is_ascii_alphanumeric() || r == '_' || r == '-'
}

/// `%q` of a rune.
fn quote_rune(r: char) -> String {
    gotmpl::gofmt::quote_char(r)
}

/// `%q` of a string.
pub(super) fn go_quote(s: &str) -> String {
    gotmpl::gofmt::quote(s)
}

fn rune_or_eof(r: char) -> String {
    if r == EOF {
        "end of file".to_string()
    } else {
        format!("'{r}'")
    }
}
