//! go-yaml v2's scanner (libyaml's design), reduced to what decides *where* and *how* a
//! document fails and what it reads: token kinds and marks, simple keys, indentation and
//! flow levels, every scanner error with go-yaml's problem text, and the values of
//! scalars (line folding, escapes, chomping), tags and anchors as go-yaml's scanner
//! produces them.
//!
//! Behaviour follows go-yaml v2.4 (the one under sigs.k8s.io/yaml) where it differs
//! from C libyaml: simple keys are checked lazily (when the parser wants the token that
//! could start one, or at a `:`), a negative insertion point appends a token, and a
//! `:` ends a plain scalar only before white space, in flow context too.

use std::collections::{HashMap, VecDeque};

/// A position: character index, 0-based line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Mark {
    pub index: usize,
    pub line: usize,
    pub column: usize,
}

/// A syntax error as go-yaml reports it: the problem and where the scanner or parser
/// stood (`problem_mark`); context marks never decide the printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub scanner: bool,
    pub problem: &'static str,
    pub mark: Mark,
}

pub(super) type Scan<T> = Result<T, SyntaxError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    StreamStart,
    StreamEnd,
    VersionDirective { major: u8, minor: u8 },
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: Tok,
    pub start: Mark,
    pub end: Mark,
    /// Alias/anchor name, a tag's or %TAG directive's handle, a scalar's value.
    pub value: String,
    /// A tag's suffix, a %TAG directive's prefix.
    pub suffix: String,
    /// A scalar written plain (no quotes, no block indicator).
    pub plain: bool,
}

impl Token {
    fn bare(kind: Tok, start: Mark, end: Mark) -> Self {
        Token {
            kind,
            start,
            end,
            value: String::new(),
            suffix: String::new(),
            plain: false,
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// go-yaml's limits on flow and block nesting.
const MAX_FLOW_LEVEL: usize = 10_000;
const MAX_INDENTS: usize = 10_000;

pub(super) struct Scanner {
    chars: Vec<char>,
    /// The character index from which go-yaml's reader would refuse the input: it
    /// decodes 512-byte chunks as the scanner's look-ahead first reaches into them and
    /// checks every character of a chunk at once. Set once the scanner looked there.
    reader_limit: Option<usize>,
    reader_tripped: std::cell::Cell<bool>,
    /// What the reader says when it refuses the input.
    reader_problem: &'static str,
    pos: usize,
    mark: Mark,
    tokens: VecDeque<Token>,
    tokens_parsed: usize,
    token_available: bool,
    stream_start_produced: bool,
    pub stream_end_produced: bool,
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    keys_by_token: HashMap<usize, usize>,
    flow_level: usize,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `\0` stands for the end of the input (the text has none: see [`Scanner::new`]).
fn is_breakz(c: char) -> bool {
    is_break(c) || c == '\0'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn error<T>(scanner: bool, problem: &'static str, mark: Mark) -> Scan<T> {
    Err(SyntaxError {
        scanner,
        problem,
        mark,
    })
}

impl Scanner {
    /// A scanner over `text`, which must hold no NUL (the reader refuses control
    /// characters before the scanner sees them). A leading BOM is the reader's.
    pub fn new(text: &str) -> Self {
        Scanner::with_reader(text, reader_limit(text), CONTROL_CHARACTERS)
    }

    /// A scanner over the decoded `text` of bytes go-yaml's reader refuses from
    /// character `limit` on (see [`raw_reader_failure`]) with `problem`.
    pub fn with_reader(text: &str, limit: Option<usize>, problem: &'static str) -> Self {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        Scanner {
            chars: text.chars().collect(),
            reader_limit: limit,
            reader_tripped: std::cell::Cell::new(false),
            reader_problem: problem,
            pos: 0,
            mark: Mark::default(),
            tokens: VecDeque::new(),
            tokens_parsed: 0,
            token_available: false,
            stream_start_produced: false,
            stream_end_produced: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            keys_by_token: HashMap::new(),
            flow_level: 0,
        }
    }

    fn ch(&self, ahead: usize) -> char {
        self.cache(ahead + 1);
        self.chars.get(self.pos + ahead).copied().unwrap_or('\0')
    }

    /// go-yaml's `cache(parser, n)`: the next `n` characters are decoded (and checked).
    fn cache(&self, n: usize) {
        if self.reader_limit.is_some_and(|limit| self.pos + n > limit) {
            self.reader_tripped.set(true);
        }
    }

    /// Whether go-yaml's reader has failed by now ("control characters are not
    /// allowed"), which it reports before anything the scanner found since.
    pub fn reader_failed(&self) -> bool {
        self.reader_tripped.get()
    }

    /// The reader's problem once [`Scanner::reader_failed`].
    pub fn reader_problem(&self) -> &'static str {
        self.reader_problem
    }

    fn skip(&mut self) {
        self.pos += 1;
        self.mark.index += 1;
        self.mark.column += 1;
    }

    fn skip_line(&mut self) {
        if self.ch(0) == '\r' && self.ch(1) == '\n' {
            self.pos += 2;
            self.mark.index += 2;
        } else if is_break(self.ch(0)) {
            self.pos += 1;
            self.mark.index += 1;
        } else {
            return;
        }
        self.mark.column = 0;
        self.mark.line += 1;
    }

    fn scan_error<T>(&self, problem: &'static str) -> Scan<T> {
        error(true, problem, self.mark)
    }

    /// The next token, left in the queue.
    pub fn peek(&mut self) -> Scan<&Token> {
        if !self.token_available {
            self.fetch_more_tokens()?;
        }
        match self.tokens.front() {
            Some(t) => Ok(t),
            // fetch_more_tokens always leaves a token; an empty queue would be a bug
            // here, reported as no error rather than a panic on untrusted input.
            None => error(false, "", self.mark),
        }
    }

    pub fn skip_token(&mut self) {
        self.take_token();
    }

    /// The next token (which [`Scanner::peek`] returned), taken out of the queue.
    pub fn take_token(&mut self) -> Option<Token> {
        self.token_available = false;
        self.tokens_parsed += 1;
        let token = self.tokens.pop_front();
        if let Some(t) = &token {
            self.stream_end_produced = t.kind == Tok::StreamEnd;
        }
        token
    }

    fn insert_token(&mut self, pos: isize, token: Token) {
        match usize::try_from(pos) {
            Ok(p) if p <= self.tokens.len() => self.tokens.insert(p, token),
            _ => self.tokens.push_back(token),
        }
    }

    fn push(&mut self, kind: Tok, start: Mark) {
        self.tokens.push_back(Token::bare(kind, start, self.mark));
    }

    fn fetch_more_tokens(&mut self) -> Scan<()> {
        loop {
            if !self.tokens.is_empty() {
                let Some(&i) = self.keys_by_token.get(&self.tokens_parsed) else {
                    break;
                };
                if !self.simple_key_is_valid(i)? {
                    break;
                }
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    fn simple_key_is_valid(&mut self, i: usize) -> Scan<bool> {
        let Some(key) = self.simple_keys.get(i).copied() else {
            return Ok(false);
        };
        if !key.possible {
            return Ok(false);
        }
        if key.mark.line < self.mark.line || key.mark.index + 1024 < self.mark.index {
            if key.required {
                return self.scan_error("could not find expected ':'");
            }
            self.simple_keys[i].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    fn save_simple_key(&mut self) -> Scan<()> {
        let required = self.flow_level == 0 && self.indent == self.mark.column as isize;
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let last = self.simple_keys.len() - 1;
            self.simple_keys[last] = key;
            self.keys_by_token.insert(key.token_number, last);
        }
        Ok(())
    }

    fn remove_simple_key(&mut self) -> Scan<()> {
        let Some(key) = self.simple_keys.last_mut() else {
            return Ok(());
        };
        if key.possible {
            if key.required {
                return self.scan_error("could not find expected ':'");
            }
            key.possible = false;
            let number = key.token_number;
            self.keys_by_token.remove(&number);
        }
        Ok(())
    }

    fn increase_flow_level(&mut self) -> Scan<()> {
        self.simple_keys.push(SimpleKey {
            token_number: self.tokens_parsed + self.tokens.len(),
            mark: self.mark,
            ..SimpleKey::default()
        });
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            return self.scan_error("exceeded max depth of 10000");
        }
        Ok(())
    }

    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(key) = self.simple_keys.pop() {
                self.keys_by_token.remove(&key.token_number);
            }
        }
    }

    /// Opens a block collection at `column` if it is deeper than the current one; the
    /// start token goes before token `number` (absolute), or at the end for `None`.
    fn roll_indent(
        &mut self,
        column: usize,
        number: Option<usize>,
        kind: Tok,
        mark: Mark,
    ) -> Scan<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column as isize {
            self.indents.push(self.indent);
            self.indent = column as isize;
            if self.indents.len() > MAX_INDENTS {
                return self.scan_error("exceeded max depth of 10000");
            }
            let pos = number.map_or(-1, |n| n as isize - self.tokens_parsed as isize);
            self.insert_token(pos, Token::bare(kind, mark, mark));
        }
        Ok(())
    }

    fn unroll_indent(&mut self, column: isize) {
        if self.flow_level > 0 {
            return;
        }
        while self.indent > column {
            self.push(Tok::BlockEnd, self.mark);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    fn fetch_next_token(&mut self) -> Scan<()> {
        self.cache(1);
        if self.reader_failed() {
            return error(false, "", self.mark);
        }
        if !self.stream_start_produced {
            self.indent = -1;
            self.simple_keys.push(SimpleKey::default());
            self.simple_key_allowed = true;
            self.stream_start_produced = true;
            self.push(Tok::StreamStart, self.mark);
            return Ok(());
        }
        self.scan_to_next_token();
        self.unroll_indent(self.mark.column as isize);
        self.cache(4);
        let c = self.ch(0);
        if c == '\0' {
            return self.fetch_stream_end();
        }
        let column0 = self.mark.column == 0;
        if column0 && c == '%' {
            return self.fetch_directive();
        }
        if column0 && is_blankz(self.ch(3)) {
            let three = [self.ch(0), self.ch(1), self.ch(2)];
            if three == ['-'; 3] {
                return self.fetch_document_indicator(Tok::DocumentStart);
            }
            if three == ['.'; 3] {
                return self.fetch_document_indicator(Tok::DocumentEnd);
            }
        }
        let next = self.ch(1);
        let flow = self.flow_level > 0;
        match c {
            '[' => self.fetch_flow_collection_start(Tok::FlowSequenceStart),
            '{' => self.fetch_flow_collection_start(Tok::FlowMappingStart),
            ']' => self.fetch_flow_collection_end(Tok::FlowSequenceEnd),
            '}' => self.fetch_flow_collection_end(Tok::FlowMappingEnd),
            ',' => self.fetch_flow_entry(),
            '-' if is_blankz(next) => self.fetch_block_entry(),
            '?' if flow || is_blankz(next) => self.fetch_key(),
            ':' if flow || is_blankz(next) => self.fetch_value(),
            '*' => self.fetch_anchor(Tok::Alias),
            '&' => self.fetch_anchor(Tok::Anchor),
            '!' => self.fetch_tag(),
            '|' | '>' if !flow => self.fetch_block_scalar(),
            '\'' => self.fetch_flow_scalar(true),
            '"' => self.fetch_flow_scalar(false),
            _ => {
                let indicator = is_blankz(c) || "-?:,[]{}#&*!|>'\"%@`".contains(c);
                if !indicator
                    || (c == '-' && !is_blank(next))
                    || (!flow && (c == '?' || c == ':') && !is_blankz(next))
                {
                    self.fetch_plain_scalar()
                } else {
                    self.scan_error("found character that cannot start any token")
                }
            }
        }
    }

    fn fetch_stream_end(&mut self) -> Scan<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.push(Tok::StreamEnd, self.mark);
        Ok(())
    }

    fn fetch_directive(&mut self) -> Scan<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        self.scan_directive()
    }

    fn fetch_document_indicator(&mut self, kind: Tok) -> Scan<()> {
        self.unroll_indent(-1);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_collection_start(&mut self, kind: Tok) -> Scan<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        self.push_indicator(kind)
    }

    fn fetch_flow_collection_end(&mut self, kind: Tok) -> Scan<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        self.push_indicator(kind)
    }

    /// A one-character indicator's token, starting here.
    fn push_indicator(&mut self, kind: Tok) -> Scan<()> {
        let start = self.mark;
        self.skip();
        self.push(kind, start);
        Ok(())
    }

    fn fetch_flow_entry(&mut self) -> Scan<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        self.push_indicator(Tok::FlowEntry)
    }

    fn fetch_block_entry(&mut self) -> Scan<()> {
        self.fetch_block_indicator(
            "block sequence entries are not allowed in this context",
            Tok::BlockSequenceStart,
            Tok::BlockEntry,
            true,
        )
    }

    fn fetch_key(&mut self) -> Scan<()> {
        let key_allowed_after = self.flow_level == 0;
        self.fetch_block_indicator(
            "mapping keys are not allowed in this context",
            Tok::BlockMappingStart,
            Tok::Key,
            key_allowed_after,
        )
    }

    /// `-` and `?`: in block context they may open a collection at this column (and
    /// are refused where no simple key may start); then the indicator's own token.
    fn fetch_block_indicator(
        &mut self,
        refused: &'static str,
        collection_start: Tok,
        indicator: Tok,
        key_allowed_after: bool,
    ) -> Scan<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return self.scan_error(refused);
            }
            self.roll_indent(self.mark.column, None, collection_start, self.mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = key_allowed_after;
        self.push_indicator(indicator)
    }

    fn fetch_value(&mut self) -> Scan<()> {
        let last = self.simple_keys.len() - 1;
        if self.simple_key_is_valid(last)? {
            let key = self.simple_keys[last];
            let pos = key.token_number as isize - self.tokens_parsed as isize;
            self.insert_token(pos, Token::bare(Tok::Key, key.mark, key.mark));
            self.roll_indent(
                key.mark.column,
                Some(key.token_number),
                Tok::BlockMappingStart,
                key.mark,
            )?;
            self.simple_keys[last].possible = false;
            self.keys_by_token.remove(&key.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return self.scan_error("mapping values are not allowed in this context");
                }
                self.roll_indent(self.mark.column, None, Tok::BlockMappingStart, self.mark)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        self.push_indicator(Tok::Value)
    }

    /// The run of alphanumerics (and `-`, `_`) here: an anchor or directive name.
    fn scan_alpha_run(&mut self) -> String {
        let mut name = String::new();
        while is_alpha(self.ch(0)) {
            name.push(self.ch(0));
            self.skip();
        }
        name
    }

    fn fetch_anchor(&mut self, kind: Tok) -> Scan<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        let name = self.scan_alpha_run();
        let c = self.ch(0);
        if name.is_empty() || !(is_blankz(c) || "?:,]}%@`".contains(c)) {
            return self.scan_error("did not find expected alphabetic or numeric character");
        }
        let mut token = Token::bare(kind, start, self.mark);
        token.value = name;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_tag(&mut self) -> Scan<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        let (handle, suffix);
        if self.ch(1) == '<' {
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri("")?;
            if self.ch(0) != '>' {
                return self.scan_error("did not find the expected '>'");
            }
            self.skip();
            handle = String::new();
        } else {
            let first = self.scan_tag_handle(false)?;
            if first.len() > 1 && first.ends_with('!') {
                suffix = self.scan_tag_uri("")?;
                handle = first;
            } else {
                // Not a handle after all: part of the suffix, after the primary handle;
                // `!` alone is handle '' and suffix '!'.
                let rest = self.scan_tag_uri(&first)?;
                (handle, suffix) = if rest.is_empty() {
                    (String::new(), "!".to_string())
                } else {
                    ("!".to_string(), rest)
                };
            }
        }
        if !is_blankz(self.ch(0)) {
            return self.scan_error("did not find expected whitespace or line break");
        }
        let mut token = Token::bare(Tok::Tag, start, self.mark);
        token.value = handle;
        token.suffix = suffix;
        self.tokens.push_back(token);
        Ok(())
    }

    fn scan_tag_handle(&mut self, directive: bool) -> Scan<String> {
        if self.ch(0) != '!' {
            return self.scan_error("did not find expected '!'");
        }
        let mut s = String::from("!");
        self.skip();
        while is_alpha(self.ch(0)) {
            s.push(self.ch(0));
            self.skip();
        }
        if self.ch(0) == '!' {
            s.push('!');
            self.skip();
        } else if directive && s != "!" {
            return self.scan_error("did not find expected '!'");
        }
        Ok(s)
    }

    /// Scans a tag URI after `head` (a would-be handle that is part of it, its `!`
    /// left out of the result); `%` escapes are decoded.
    fn scan_tag_uri(&mut self, head: &str) -> Scan<String> {
        let mut bytes: Vec<u8> = head.get(1..).unwrap_or("").as_bytes().to_vec();
        let mut has_tag = !head.is_empty();
        loop {
            let c = self.ch(0);
            if !(is_alpha(c) || ";/?:@&=+$,.!~*'()[]%".contains(c)) {
                break;
            }
            if c == '%' {
                self.scan_uri_escapes(&mut bytes)?;
            } else {
                let mut buf = [0; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                self.skip();
            }
            has_tag = true;
        }
        if !has_tag {
            return self.scan_error("did not find expected tag URI");
        }
        // The escapes' octets were checked as UTF-8 leads and trailers only, as
        // go-yaml checks them; Go strings may hold the rest.
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn scan_uri_escapes(&mut self, out: &mut Vec<u8>) -> Scan<()> {
        let mut width = 1024;
        while width > 0 {
            let hex = |c: char| c.to_digit(16);
            let octet = match (self.ch(0), hex(self.ch(1)), hex(self.ch(2))) {
                ('%', Some(h), Some(l)) => (h << 4) + l,
                _ => return self.scan_error("did not find URI escaped octet"),
            };
            if width == 1024 {
                width = match octet {
                    o if o & 0x80 == 0 => 1,
                    o if o & 0xE0 == 0xC0 => 2,
                    o if o & 0xF0 == 0xE0 => 3,
                    o if o & 0xF8 == 0xF0 => 4,
                    _ => return self.scan_error("found an incorrect leading UTF-8 octet"),
                };
            } else if octet & 0xC0 != 0x80 {
                return self.scan_error("found an incorrect trailing UTF-8 octet");
            }
            // Two hex digits: below 256.
            out.push(octet as u8);
            self.skip();
            self.skip();
            self.skip();
            width -= 1;
        }
        Ok(())
    }

    fn scan_to_next_token(&mut self) {
        loop {
            if self.mark.column == 0 && self.ch(0) == '\u{FEFF}' {
                self.skip();
            }
            while self.ch(0) == ' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.ch(0) == '\t')
            {
                self.skip();
            }
            if self.ch(0) == '#' {
                while !is_breakz(self.ch(0)) {
                    self.skip();
                }
            }
            if is_break(self.ch(0)) {
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break;
            }
        }
    }

    /// White space, then a comment, then the line break that must end a directive or
    /// a block scalar header.
    fn finish_line(&mut self) -> Scan<()> {
        while is_blank(self.ch(0)) {
            self.skip();
        }
        if self.ch(0) == '#' {
            while !is_breakz(self.ch(0)) {
                self.skip();
            }
        }
        if !is_breakz(self.ch(0)) {
            return self.scan_error("did not find expected comment or line break");
        }
        self.skip_line();
        Ok(())
    }

    fn scan_directive(&mut self) -> Scan<()> {
        let start = self.mark;
        self.skip();
        let name = self.scan_alpha_run();
        if name.is_empty() {
            return self.scan_error("could not find expected directive name");
        }
        if !is_blankz(self.ch(0)) {
            return self.scan_error("found unexpected non-alphabetical character");
        }
        let (kind, value, suffix) = match name.as_str() {
            "YAML" => {
                while is_blank(self.ch(0)) {
                    self.skip();
                }
                let major = self.scan_version_number()?;
                if self.ch(0) != '.' {
                    return self.scan_error("did not find expected digit or '.' character");
                }
                self.skip();
                let minor = self.scan_version_number()?;
                (
                    Tok::VersionDirective { major, minor },
                    String::new(),
                    String::new(),
                )
            }
            "TAG" => {
                while is_blank(self.ch(0)) {
                    self.skip();
                }
                let handle = self.scan_tag_handle(true)?;
                if !is_blank(self.ch(0)) {
                    return self.scan_error("did not find expected whitespace");
                }
                while is_blank(self.ch(0)) {
                    self.skip();
                }
                let prefix = self.scan_tag_uri("")?;
                if !is_blankz(self.ch(0)) {
                    return self.scan_error("did not find expected whitespace or line break");
                }
                (Tok::TagDirective, handle, prefix)
            }
            _ => return self.scan_error("found unknown directive name"),
        };
        let mut token = Token::bare(kind, start, self.mark);
        token.value = value;
        token.suffix = suffix;
        self.finish_line()?;
        self.tokens.push_back(token);
        Ok(())
    }

    fn scan_version_number(&mut self) -> Scan<u8> {
        let mut value: u8 = 0;
        let mut length = 0;
        while let Some(d) = self.ch(0).to_digit(10) {
            length += 1;
            if length > 2 {
                return self.scan_error("found extremely long version number");
            }
            value = value * 10 + d as u8;
            self.skip();
        }
        if length == 0 {
            return self.scan_error("did not find expected version number");
        }
        Ok(value)
    }

    fn fetch_block_scalar(&mut self) -> Scan<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        let literal = self.ch(0) == '|';
        self.skip();
        // -1 strip, 0 clip, 1 keep.
        let mut chomping = 0;
        let chomp = |c: char| if c == '+' { 1 } else { -1 };
        let mut increment = 0;
        let c = self.ch(0);
        if c == '+' || c == '-' {
            chomping = chomp(c);
            self.skip();
            if let Some(d) = self.ch(0).to_digit(10) {
                if d == 0 {
                    return self.scan_error("found an indentation indicator equal to 0");
                }
                increment = d as isize;
                self.skip();
            }
        } else if let Some(d) = c.to_digit(10) {
            if d == 0 {
                return self.scan_error("found an indentation indicator equal to 0");
            }
            increment = d as isize;
            self.skip();
            if matches!(self.ch(0), '+' | '-') {
                chomping = chomp(self.ch(0));
                self.skip();
            }
        }
        self.finish_line()?;
        let mut indent = if increment > 0 {
            if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            }
        } else {
            0
        };
        let mut value = String::new();
        let mut leading_break = String::new();
        let mut trailing_breaks = String::new();
        let mut leading_blank = false;
        self.block_scalar_breaks(&mut indent, &mut trailing_breaks)?;
        while self.mark.column as isize == indent && self.ch(0) != '\0' {
            // A line break between two lines that start with no blank is folded
            // into a space (none when empty lines follow it).
            let trailing_blank = is_blank(self.ch(0));
            if !literal && leading_break.starts_with('\n') && !leading_blank && !trailing_blank {
                if trailing_breaks.is_empty() {
                    value.push(' ');
                }
            } else {
                value.push_str(&leading_break);
            }
            leading_break.clear();
            value.push_str(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = trailing_blank;
            while !is_breakz(self.ch(0)) {
                value.push(self.ch(0));
                self.skip();
            }
            self.read_line(&mut leading_break);
            self.block_scalar_breaks(&mut indent, &mut trailing_breaks)?;
        }
        if chomping != -1 {
            value.push_str(&leading_break);
        }
        if chomping == 1 {
            value.push_str(&trailing_breaks);
        }
        let mut token = Token::bare(Tok::Scalar, start, self.mark);
        token.value = value;
        self.tokens.push_back(token);
        Ok(())
    }

    fn block_scalar_breaks(&mut self, indent: &mut isize, breaks: &mut String) -> Scan<()> {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || (self.mark.column as isize) < *indent) && self.ch(0) == ' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.mark.column as isize);
            if (*indent == 0 || (self.mark.column as isize) < *indent) && self.ch(0) == '\t' {
                return self
                    .scan_error("found a tab character where an indentation space is expected");
            }
            if !is_break(self.ch(0)) {
                break;
            }
            self.read_line(breaks);
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
        Ok(())
    }

    /// Takes the line break here into `out` as go-yaml's scanner keeps it: CR LF, CR,
    /// LF and NEL become `\n`, LS and PS stay themselves.
    fn read_line(&mut self, out: &mut String) {
        match self.ch(0) {
            '\r' | '\n' | '\u{85}' => out.push('\n'),
            c @ ('\u{2028}' | '\u{2029}') => out.push(c),
            _ => return,
        }
        self.skip_line();
    }

    /// The blanks and line breaks between two runs of a flow or plain scalar's text,
    /// into `lines`. A plain scalar passes its indentation: a tab before it on a
    /// continuation line is an error there.
    fn read_blanks_and_breaks(
        &mut self,
        lines: &mut ScalarLines,
        tab_indent: Option<isize>,
    ) -> Scan<()> {
        while is_blank(self.ch(0)) || is_break(self.ch(0)) {
            if is_blank(self.ch(0)) {
                if lines.leading_blanks
                    && tab_indent.is_some_and(|indent| (self.mark.column as isize) < indent)
                    && self.ch(0) == '\t'
                {
                    return self.scan_error("found a tab character that violates indentation");
                }
                if !lines.leading_blanks {
                    lines.whitespaces.push(self.ch(0));
                }
                self.skip();
            } else if !lines.leading_blanks {
                lines.whitespaces.clear();
                self.read_line(&mut lines.leading_break);
                lines.leading_blanks = true;
            } else {
                self.read_line(&mut lines.trailing_breaks);
            }
        }
        Ok(())
    }

    fn fetch_flow_scalar(&mut self, single: bool) -> Scan<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        let mut value = String::new();
        let mut lines = ScalarLines::default();
        loop {
            self.cache(4);
            if self.mark.column == 0 && is_blankz(self.ch(3)) {
                let three = [self.ch(0), self.ch(1), self.ch(2)];
                if three == ['-'; 3] || three == ['.'; 3] {
                    return self.scan_error("found unexpected document indicator");
                }
            }
            if self.ch(0) == '\0' {
                return self.scan_error("found unexpected end of stream");
            }
            lines.leading_blanks = false;
            while !is_blankz(self.ch(0)) {
                let (c, next) = (self.ch(0), self.ch(1));
                if single && c == '\'' && next == '\'' {
                    value.push('\'');
                    self.skip();
                    self.skip();
                } else if (single && c == '\'') || (!single && c == '"') {
                    break;
                } else if !single && c == '\\' && is_break(next) {
                    // An escaped line break: joined without a space.
                    self.skip();
                    self.skip_line();
                    lines.leading_blanks = true;
                    break;
                } else if !single && c == '\\' {
                    let (code_length, unescaped) = match next {
                        '0' => (0, '\0'),
                        'a' => (0, '\u{7}'),
                        'b' => (0, '\u{8}'),
                        't' | '\t' => (0, '\t'),
                        'n' => (0, '\n'),
                        'v' => (0, '\u{b}'),
                        'f' => (0, '\u{c}'),
                        'r' => (0, '\r'),
                        'e' => (0, '\u{1b}'),
                        ' ' => (0, ' '),
                        '"' => (0, '"'),
                        '\'' => (0, '\''),
                        '\\' => (0, '\\'),
                        'N' => (0, '\u{85}'),
                        '_' => (0, '\u{a0}'),
                        'L' => (0, '\u{2028}'),
                        'P' => (0, '\u{2029}'),
                        'x' => (2, '\0'),
                        'u' => (4, '\0'),
                        'U' => (8, '\0'),
                        _ => return self.scan_error("found unknown escape character"),
                    };
                    self.skip();
                    self.skip();
                    if code_length == 0 {
                        value.push(unescaped);
                    } else {
                        let mut code: u32 = 0;
                        for k in 0..code_length {
                            match self.ch(k).to_digit(16) {
                                Some(d) => code = (code << 4) + d,
                                None => {
                                    return self
                                        .scan_error("did not find expected hexdecimal number");
                                }
                            }
                        }
                        let Some(c) = char::from_u32(code) else {
                            // Surrogates and values past U+10FFFF.
                            return self.scan_error("found invalid Unicode character escape code");
                        };
                        value.push(c);
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    value.push(c);
                    self.skip();
                }
            }
            let c = self.ch(0);
            if (single && c == '\'') || (!single && c == '"') {
                break;
            }
            self.read_blanks_and_breaks(&mut lines, None)?;
            lines.join_into(&mut value);
        }
        self.skip();
        let mut token = Token::bare(Tok::Scalar, start, self.mark);
        token.value = value;
        self.tokens.push_back(token);
        Ok(())
    }

    fn fetch_plain_scalar(&mut self) -> Scan<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        let indent = self.indent + 1;
        let mut end = self.mark;
        let mut value = String::new();
        let mut lines = ScalarLines::default();
        loop {
            self.cache(4);
            if self.mark.column == 0 && is_blankz(self.ch(3)) {
                let three = [self.ch(0), self.ch(1), self.ch(2)];
                if three == ['-'; 3] || three == ['.'; 3] {
                    break;
                }
            }
            if self.ch(0) == '#' {
                break;
            }
            while !is_blankz(self.ch(0)) {
                let (c, next) = (self.ch(0), self.ch(1));
                if (c == ':' && is_blankz(next)) || (self.flow_level > 0 && ",?[]{}".contains(c)) {
                    break;
                }
                lines.join_into(&mut value);
                value.push(c);
                self.skip();
                end = self.mark;
            }
            if !(is_blank(self.ch(0)) || is_break(self.ch(0))) {
                break;
            }
            self.read_blanks_and_breaks(&mut lines, Some(indent))?;
            if self.flow_level == 0 && (self.mark.column as isize) < indent {
                break;
            }
        }
        let mut token = Token::bare(Tok::Scalar, start, end);
        token.value = value;
        token.plain = true;
        self.tokens.push_back(token);
        if lines.leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(())
    }
}

/// What separates two runs of a flow or plain scalar's text: blanks on one line, or
/// the first line break (`leading_break`) and the empty lines after it.
#[derive(Default)]
struct ScalarLines {
    whitespaces: String,
    leading_break: String,
    trailing_breaks: String,
    /// A line break was read since the last run.
    leading_blanks: bool,
}

impl ScalarLines {
    /// Writes the separator into `value` (folded across a line break) and empties it.
    fn join_into(&mut self, value: &mut String) {
        if self.leading_blanks {
            fold_breaks(value, &mut self.leading_break, &mut self.trailing_breaks);
            self.leading_blanks = false;
        } else {
            value.push_str(&self.whitespaces);
            self.whitespaces.clear();
        }
    }
}

/// Joins the lines of a flow or plain scalar across a line break: a `\n` break is
/// folded into a space, or into the empty lines after it; an LS or PS break is kept.
fn fold_breaks(value: &mut String, leading_break: &mut String, trailing_breaks: &mut String) {
    if leading_break.starts_with('\n') {
        if trailing_breaks.is_empty() {
            value.push(' ');
        } else {
            value.push_str(trailing_breaks);
        }
    } else {
        value.push_str(leading_break);
        value.push_str(trailing_breaks);
    }
    leading_break.clear();
    trailing_breaks.clear();
}

/// Raw bytes go-yaml's reader takes from a string at a time.
const READER_CHUNK: usize = 512;

/// The character index (after a leading BOM) where the chunk holding the first
/// character go-yaml's reader refuses begins, if there is one.
fn reader_limit(text: &str) -> Option<usize> {
    let bad = text.char_indices().find(|(_, c)| !reader_accepts(*c))?.0;
    // Each chunk starts where the previous one's last complete character ends.
    let mut start = 0;
    loop {
        let end = start + READER_CHUNK;
        if bad < end {
            break;
        }
        let mut next = end.min(text.len());
        while !text.is_char_boundary(next) {
            next -= 1;
        }
        start = next;
    }
    let bom = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    Some(text[bom.min(start)..start].chars().count())
}

/// The reader's problem with a character it does not let through.
pub(super) const CONTROL_CHARACTERS: &str = "control characters are not allowed";

/// Where go-yaml's reader refuses `bytes` (a document that is not UTF-8) and why:
/// the character index (after a leading BOM) from which the scanner's look-ahead
/// trips it, and the reader's problem. `None` when it refuses nothing.
///
/// The reader decodes 512-byte chunks as a whole, checking each sequence as go-yaml
/// does (lead byte, trailing bytes, overlong forms, surrogates and values past
/// U+10FFFF, then the allowed characters), so the first fault of a chunk fails as
/// soon as the scanner reaches into that chunk. A sequence cut short by the end of
/// the input is only found once the scanner needs the character it would be.
pub(super) fn raw_reader_failure(bytes: &[u8]) -> Option<(usize, &'static str)> {
    let (bad, problem) = first_reader_fault(bytes)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bom = bytes.len() - body.len();
    let chars_before = |end: usize| {
        std::str::from_utf8(&bytes[bom.min(end)..end]).map_or(0, |s| s.chars().count())
    };
    if problem == INCOMPLETE {
        return Some((chars_before(bad), problem));
    }
    // Each chunk starts where the previous one's last complete character ends.
    let mut start = 0;
    loop {
        let end = start + READER_CHUNK;
        if bad < end {
            break;
        }
        let mut next = end.min(bytes.len());
        while next < bad && bytes[next] & 0xC0 == 0x80 {
            next -= 1;
        }
        start = next;
    }
    Some((chars_before(start), problem))
}

const INCOMPLETE: &str = "incomplete UTF-8 octet sequence";

/// The byte offset of the first sequence go-yaml's UTF-8 reader refuses, and why.
fn first_reader_fault(bytes: &[u8]) -> Option<(usize, &'static str)> {
    let mut at = 0;
    while at < bytes.len() {
        let lead = bytes[at];
        let width = match lead {
            0x00..=0x7F => 1,
            _ if lead & 0xE0 == 0xC0 => 2,
            _ if lead & 0xF0 == 0xE0 => 3,
            _ if lead & 0xF8 == 0xF0 => 4,
            _ => return Some((at, "invalid leading UTF-8 octet")),
        };
        if at + width > bytes.len() {
            return Some((at, INCOMPLETE));
        }
        let mut value = u32::from(match width {
            1 => lead & 0x7F,
            2 => lead & 0x1F,
            3 => lead & 0x0F,
            _ => lead & 0x07,
        });
        for &trail in &bytes[at + 1..at + width] {
            if trail & 0xC0 != 0x80 {
                return Some((at, "invalid trailing UTF-8 octet"));
            }
            value = (value << 6) | u32::from(trail & 0x3F);
        }
        let shortest = match width {
            1 => true,
            2 => value >= 0x80,
            3 => value >= 0x800,
            _ => value >= 0x10000,
        };
        if !shortest {
            return Some((at, "invalid length of a UTF-8 sequence"));
        }
        let Some(c) = char::from_u32(value).filter(|_| value <= 0x10FFFF) else {
            return Some((at, "invalid Unicode character"));
        };
        if !reader_accepts(c) {
            return Some((at, CONTROL_CHARACTERS));
        }
        at += width;
    }
    None
}

/// The characters go-yaml's reader lets through.
pub(super) fn reader_accepts(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod raw_reader_tests {
    use super::raw_reader_failure;

    #[test]
    fn faults_as_go_yaml_reports_them() {
        let problem = |b: &[u8]| raw_reader_failure(b).map(|f| f.1);
        assert_eq!(problem(b"a: \xff"), Some("invalid leading UTF-8 octet"));
        assert_eq!(
            problem(b"a: \xe2\x82 "),
            Some("invalid trailing UTF-8 octet")
        );
        assert_eq!(
            problem(b"a: \xc0\x80"),
            Some("invalid length of a UTF-8 sequence")
        );
        assert_eq!(
            problem(b"a: \xed\xa0\x80"),
            Some("invalid Unicode character")
        );
        assert_eq!(
            problem(b"a: \xf4\x90\x80\x80"),
            Some("invalid Unicode character")
        );
        assert_eq!(
            problem(b"a: \x01\xff"),
            Some("control characters are not allowed")
        );
        assert_eq!(
            problem(b"a: \xe2\x82"),
            Some("incomplete UTF-8 octet sequence")
        );
        assert_eq!(problem("a: é".as_bytes()), None);
    }

    #[test]
    fn the_reader_trips_at_the_chunk_holding_the_fault() {
        let mut doc = vec![b'a'; 600];
        doc.push(0xff);
        // The second chunk starts at byte 512 (character 512).
        assert_eq!(raw_reader_failure(&doc).map(|f| f.0), Some(512));
        // A character cut by the chunk's end starts the next chunk.
        let mut doc = vec![b'a'; 511];
        doc.extend_from_slice("é".as_bytes());
        doc.extend_from_slice(&[b'b'; 10]);
        doc.push(0xff);
        assert_eq!(raw_reader_failure(&doc).map(|f| f.0), Some(511));
        // A sequence cut by the end trips only when the scanner needs it.
        assert_eq!(raw_reader_failure(b"abc\xe2").map(|f| f.0), Some(3));
    }
}
