//! The lexer: splits template text into text runs and action tokens, after Go's
//! `text/template/parse/lex.go` (trim markers, comments, custom delimiters).
//!
//! Tokens are produced eagerly into a vector; a lexing error becomes the last token
//! (an `Error` item, its message in [`Lexed::error`]), which the parser reports when it
//! reaches it, as Go does.

/// Kinds of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    String,
    Text,
    Variable,
    // Keywords (printed as `<word>` in errors).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// One token: its kind, byte range in the template text, and line. The token's text
/// is `input[pos..end]` ([`Item::val`]); tokens hold no reference, so the lexer's
/// inner loop only records offsets and the parser's look-ahead copies are small.
///
/// Go's lexer emits runs of spaces inside actions as tokens of their own, which its
/// parser skips everywhere but between operands; here a token records that spaces
/// preceded it instead ([`Item::space`]), which spares a token for about every
/// other one of an action.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    pub typ: ItemType,
    /// Whether a run of spaces inside the action comes right before this token.
    pub space: bool,
    pub pos: usize,
    /// End of the token's text (equal to `pos` for `Eof` and `Error`, whose message
    /// is [`Lexed::error`]).
    pub end: usize,
    pub line: usize,
}

/// The tokens of one text; the last is `Eof` or `Error`.
pub struct Lexed {
    pub items: Vec<Item>,
    /// The message of the final `Error` item, if lexing failed.
    pub error: String,
}

impl Item {
    /// The token's text within the `input` it was lexed from.
    #[inline]
    pub fn val<'a>(&self, input: &'a str) -> &'a str {
        &input[self.pos..self.end]
    }

    /// How Go's parser names a token in "unexpected X" errors; `error` is the lexer's
    /// message, shown for an `Error` item.
    pub fn describe<'e>(&'e self, input: &'e str, error: &'e str) -> impl std::fmt::Display + 'e {
        Describe {
            item: self,
            input,
            error,
        }
    }
}

struct Describe<'e> {
    item: &'e Item,
    input: &'e str,
    error: &'e str,
}

impl std::fmt::Display for Describe<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let it = self.item;
        let val = it.val(self.input);
        match it.typ {
            ItemType::Eof => write!(f, "EOF"),
            ItemType::Error => write!(f, "{}", self.error),
            t if t.is_keyword() => write!(f, "<{val}>"),
            _ => {
                if val.chars().count() > 10 {
                    // Go's %.10q: quote the first ten runes.
                    let head: String = val.chars().take(10).collect();
                    write!(f, "{}...", crate::gofmt::quote(&head))
                } else {
                    write!(f, "{}", crate::gofmt::quote(val))
                }
            }
        }
    }
}

/// Options that depend on the function map.
#[derive(Debug, Clone, Copy)]
pub struct LexOptions {
    /// `break` is a keyword unless a function of that name exists.
    pub break_ok: bool,
    pub continue_ok: bool,
}

const TRIM_MARKER_LEN: usize = 2;
const LEFT_COMMENT: &[u8] = b"/*";
const RIGHT_COMMENT: &str = "*/";

struct Lexer<'a> {
    input: &'a str,
    bytes: &'a [u8],
    left: &'a [u8],
    right: &'a [u8],
    /// `right[0]`.
    right_head: u8,
    opts: LexOptions,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    paren_depth: usize,
    /// Whether spaces were skipped since the last token (see [`Item::space`]).
    space: bool,
    items: Vec<Item>,
    error: String,
}

#[inline]
fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `isAlphaNumeric`: `_`, `unicode.IsLetter` or `unicode.IsDigit` (categories
/// L and Nd: `Ⅻ` and `²` end an identifier).
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    crate::gounicode::is_letter(c) || crate::gounicode::is_digit(c)
}

/// Whether `hay[at..]` starts with `needle`. Delimiters are a few bytes: a short loop
/// costs less than the `memcmp` call `starts_with` makes.
#[inline]
fn starts_at(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    match hay.get(at..at + needle.len()) {
        Some(s) => s.iter().zip(needle).all(|(a, b)| a == b),
        None => false,
    }
}

/// Number of newlines in `s`, eight bytes at a time: text runs and comments are long.
#[inline]
fn newlines(s: &[u8]) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = s.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Bytes equal to '\n' become zero; the high bit of each byte of `zero` is set
        // exactly for those (no carries cross bytes: each byte's low seven bits plus
        // 0x7f stay below 0x100).
        let x = u64::from_le_bytes(word) ^ 0x0a0a_0a0a_0a0a_0a0a;
        let zero = !(((x & LOW7) + LOW7) | x | LOW7);
        n += zero.count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Byte offset of the first `delim` in `hay`: memchr for its first byte, then a
/// comparison of the rest.
fn find_delim(hay: &[u8], delim: &[u8]) -> Option<usize> {
    let Some(&head) = delim.first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = memchr::memchr(head, &hay[from..]) {
        let at = from + i;
        if starts_at(hay, at, delim) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn has_left_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == b'-' && is_space_byte(b[1])
}

fn has_right_trim_marker(b: &[u8]) -> bool {
    b.len() >= 2 && is_space_byte(b[0]) && b[1] == b'-'
}

/// Tokenizes `input` completely. The last item is `Eof` or `Error`.
pub fn lex(input: &str, left: &str, right: &str, opts: LexOptions) -> Lexed {
    let left = if left.is_empty() { "{{" } else { left }.as_bytes();
    let right = if right.is_empty() { "}}" } else { right }.as_bytes();
    let head = left.first().copied().unwrap_or(b'{');
    let mut l = Lexer {
        input,
        bytes: input.as_bytes(),
        left,
        right,
        right_head: right.first().copied().unwrap_or(b'}'),
        opts,
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        paren_depth: 0,
        space: false,
        // Growing the token vector by doubling copied every token several times; an
        // action (two `{` bytes) is rarely more than a dozen tokens, and there are
        // never more tokens than bytes.
        items: Vec::with_capacity(
            (2 + 8 * memchr::memchr_iter(head, input.as_bytes()).count()).min(input.len() + 2),
        ),
        error: String::new(),
    };
    l.run();
    Lexed {
        items: l.items,
        error: l.error,
    }
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Done,
}

impl Lexer<'_> {
    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Done => return,
            };
        }
    }

    /// The character at `pos` (template actions are nearly all ASCII: one byte is
    /// decoded without slicing).
    #[inline]
    fn char_at(&self, pos: usize) -> Option<char> {
        let b = *self.bytes.get(pos)?;
        if b.is_ascii() {
            return Some(b as char);
        }
        self.input[pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.char_at(self.pos)?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        self.char_at(self.pos)
    }

    #[inline]
    fn emit(&mut self, typ: ItemType) {
        self.items.push(Item {
            typ,
            space: std::mem::take(&mut self.space),
            pos: self.start,
            end: self.pos,
            line: self.start_line,
        });
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn ignore(&mut self) {
        // Usually nothing or a trim marker lies between: skip the counting loop.
        if self.pos > self.start {
            self.line += newlines(&self.bytes[self.start..self.pos]);
        }
        self.start = self.pos;
        self.start_line = self.line;
    }

    #[cold]
    fn errorf(&mut self, msg: String) -> State {
        self.items.push(Item {
            typ: ItemType::Error,
            space: std::mem::take(&mut self.space),
            pos: self.start,
            end: self.start,
            line: self.start_line,
        });
        self.error = msg;
        State::Done
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = find_delim(&self.bytes[self.pos..], self.left) {
            if x > 0 {
                self.pos += x;
                // Trim trailing spaces before a "{{- ".
                let mut trim = 0;
                let delim_end = self.pos + self.left.len();
                if has_left_trim_marker(&self.bytes[delim_end..]) {
                    let text = &self.bytes[self.start..self.pos];
                    trim = text.len()
                        - text
                            .iter()
                            .rposition(|&b| !is_space_byte(b))
                            .map_or(0, |i| i + 1);
                }
                let text_end = self.pos - trim;
                let item_start = self.start;
                let item_line = self.start_line;
                self.line = self.start_line + newlines(&self.bytes[item_start..text_end]);
                self.start = text_end;
                self.start_line = self.line;
                // Skip the trimmed space, counting its newlines.
                self.ignore();
                if text_end > item_start {
                    self.items.push(Item {
                        typ: ItemType::Text,
                        space: false,
                        pos: item_start,
                        end: text_end,
                        line: item_line,
                    });
                }
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += newlines(&self.bytes[self.start..self.pos]);
            self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += self.left.len();
        let trim = has_left_trim_marker(&self.bytes[self.pos..]);
        let after = if trim { TRIM_MARKER_LEN } else { 0 };
        if starts_at(self.bytes, self.pos + after, LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return State::Comment;
        }
        // The delimiter's own newlines (custom delimiters may hold some) are counted
        // by `ignore` below, with the trim marker's.
        self.items.push(Item {
            typ: ItemType::LeftDelim,
            space: false,
            pos: self.start,
            end: self.start + self.left.len(),
            line: self.start_line,
        });
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    /// Whether a right delimiter starts at `at`, and whether it has a trim marker.
    #[inline]
    fn at_right_delim(&self, at: usize) -> (bool, bool) {
        let input = self.bytes;
        let right = self.right;
        let Some(&b) = input.get(at) else {
            return (false, false);
        };
        // Most calls are in the middle of an action: one byte rules them out.
        if is_space_byte(b)
            && input.get(at + 1) == Some(&b'-')
            && starts_at(input, at + TRIM_MARKER_LEN, right)
        {
            return (true, true);
        }
        if right.first() == Some(&b) && starts_at(input, at, right) {
            return (true, false);
        }
        (false, false)
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.input[self.pos..].find(RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim(self.pos);
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.right.len();
        if trim {
            self.skip_trimmed_space();
        }
        self.ignore();
        State::Text
    }

    /// Advances over the spaces after a " -}}" (their newlines are counted by the
    /// caller's `ignore`).
    fn skip_trimmed_space(&mut self) {
        let rest = &self.bytes[self.pos..];
        self.pos += rest
            .iter()
            .position(|&b| !is_space_byte(b))
            .unwrap_or(rest.len());
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim(self.pos);
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.right.len();
        self.emit(ItemType::RightDelim);
        if trim {
            self.skip_trimmed_space();
            self.ignore();
        }
        State::Text
    }

    /// The tokens of one action, up to its right delimiter: a loop here rather than a
    /// trip through [`Lexer::run`] per token.
    fn lex_inside_action(&mut self) -> State {
        loop {
            let at = self.pos;
            let Some(&b) = self.bytes.get(at) else {
                return self.errorf("unclosed action".into());
            };
            // Only a space or the delimiter's first byte can start a right delimiter.
            if (b == self.right_head || is_space_byte(b)) && self.at_right_delim(at).0 {
                if self.paren_depth == 0 {
                    return State::RightDelim;
                }
                return self.errorf("unclosed left paren".into());
            }
            self.pos = at + 1;
            let state = match b {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.pos = at;
                    self.lex_space()
                }
                b'=' => {
                    self.emit(ItemType::Assign);
                    State::InsideAction
                }
                b':' => {
                    if self.bytes.get(self.pos) != Some(&b'=') {
                        return self.errorf("expected :=".into());
                    }
                    self.pos += 1;
                    self.emit(ItemType::Declare);
                    State::InsideAction
                }
                b'|' => {
                    self.emit(ItemType::Pipe);
                    State::InsideAction
                }
                b'"' => self.lex_quote(),
                b'`' => self.lex_raw_quote(),
                b'$' => self.lex_variable(),
                b'\'' => self.lex_char(),
                b'.' => {
                    // ".field" unless a digit follows (".5" is a number).
                    if self.bytes.get(self.pos).is_none_or(|b| !b.is_ascii_digit()) {
                        self.lex_field_or_variable(ItemType::Field)
                    } else {
                        self.pos = at;
                        self.lex_number()
                    }
                }
                b'+' | b'-' | b'0'..=b'9' => {
                    self.pos = at;
                    self.lex_number()
                }
                b'(' => {
                    self.emit(ItemType::LeftParen);
                    self.paren_depth += 1;
                    State::InsideAction
                }
                b')' => {
                    if self.paren_depth == 0 {
                        return self.errorf("unexpected right paren".into());
                    }
                    self.emit(ItemType::RightParen);
                    self.paren_depth -= 1;
                    State::InsideAction
                }
                b if b.is_ascii() => {
                    if WORD_BYTE[usize::from(b)] {
                        self.pos = at;
                        self.lex_identifier()
                    } else if !b.is_ascii_control() {
                        self.emit(ItemType::Char);
                        State::InsideAction
                    } else {
                        return self.errorf(format!(
                            "unrecognized character in action: {}",
                            unicode_plus(b as char)
                        ));
                    }
                }
                _ => {
                    self.pos = at;
                    let c = self.char_at(at).unwrap_or('\u{FFFD}');
                    if is_alnum(c) {
                        self.lex_identifier()
                    } else {
                        self.pos = at + c.len_utf8();
                        return self.errorf(format!(
                            "unrecognized character in action: {}",
                            unicode_plus(c)
                        ));
                    }
                }
            };
            if !matches!(state, State::InsideAction) {
                return state;
            }
        }
    }

    /// Advances over a run of spaces (counting lines) and returns its length; spaces
    /// are ASCII, so bytes are enough.
    fn skip_spaces(&mut self) -> usize {
        let bytes = self.bytes;
        let start = self.pos;
        // Mostly one blank between words.
        if bytes.get(start) == Some(&b' ')
            && bytes.get(start + 1).is_none_or(|&b| !is_space_byte(b))
        {
            self.pos = start + 1;
            return 1;
        }
        let mut pos = start;
        while let Some(&b) = bytes.get(pos) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.line += 1,
                _ => break,
            }
            pos += 1;
        }
        self.pos = pos;
        pos - start
    }

    /// Advances over letters, digits and `_`: a table scan over ASCII bytes, a
    /// character decode only where a non-ASCII byte stops it.
    #[inline(always)]
    fn skip_alnum(&mut self) {
        let bytes = self.bytes;
        let mut pos = self.pos;
        loop {
            let rest = &bytes[pos..];
            pos += rest
                .iter()
                .position(|&b| !WORD_BYTE[usize::from(b)])
                .unwrap_or(rest.len());
            if bytes.get(pos).is_none_or(u8::is_ascii) {
                break;
            }
            match self.input[pos..].chars().next() {
                Some(c) if is_alnum(c) => pos += c.len_utf8(),
                _ => break,
            }
        }
        self.pos = pos;
    }

    fn lex_space(&mut self) -> State {
        let num = self.skip_spaces();
        // A space may begin a " -}}" trim marker.
        let from = self.pos - 1;
        if has_right_trim_marker(&self.bytes[from..])
            && starts_at(self.bytes, from + TRIM_MARKER_LEN, self.right)
        {
            // Back up over the marker's space (one byte: spaces are ASCII).
            self.pos = from;
            if self.bytes[from] == b'\n' {
                self.line -= 1;
            }
            if num == 1 {
                return State::RightDelim;
            }
        }
        // Skipped as Go's parser skips its space token, but remembered on the next one.
        self.space = true;
        self.start = self.pos;
        self.start_line = self.line;
        State::InsideAction
    }

    fn lex_identifier(&mut self) -> State {
        self.skip_alnum();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\0');
            return self.errorf(format!("bad character {}", unicode_plus(c)));
        }
        let word = &self.bytes[self.start..self.pos];
        let typ = match word {
            b"block" => ItemType::Block,
            b"break" if self.opts.break_ok => ItemType::Break,
            b"continue" if self.opts.continue_ok => ItemType::Continue,
            b"define" => ItemType::Define,
            b"else" => ItemType::Else,
            b"end" => ItemType::End,
            b"if" => ItemType::If,
            b"range" => ItemType::Range,
            b"nil" => ItemType::Nil,
            b"template" => ItemType::Template,
            b"with" => ItemType::With,
            b"true" | b"false" => ItemType::Bool,
            _ => ItemType::Identifier,
        };
        self.emit(typ);
        State::InsideAction
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(ItemType::Variable);
            return State::InsideAction;
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> State {
        // Usually a name follows: then this cannot be a terminator (unless the right
        // delimiter starts like a name), and one check after the name is enough.
        let named = self
            .bytes
            .get(self.pos)
            .is_some_and(|&b| WORD_BYTE[usize::from(b)])
            && !WORD_BYTE[usize::from(self.right_head)];
        if !named && self.at_terminator() {
            self.emit(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            });
            return State::InsideAction;
        }
        self.skip_alnum();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\0');
            return self.errorf(format!("bad character {}", unicode_plus(c)));
        }
        self.emit(typ);
        State::InsideAction
    }

    #[inline]
    fn at_terminator(&self) -> bool {
        let input = self.bytes;
        match input.get(self.pos) {
            None => true,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            Some(_) => starts_at(input, self.pos, self.right),
        }
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.errorf("unterminated character constant".into());
                    }
                    _ => {}
                },
                Some('\n') | None => return self.errorf("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(ItemType::CharConstant);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let bad = self.input[self.start..self.pos].to_string();
            return self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&bad)));
        }
        if let Some('+' | '-') = self.peek() {
            // Complex: 1+2i.
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let bad = self.input[self.start..self.pos].to_string();
                return self.errorf(format!("bad number syntax: {}", crate::gofmt::quote(&bad)));
            }
            self.emit(ItemType::Complex);
        } else {
            self.emit(ItemType::Number);
        }
        State::InsideAction
    }

    /// Consumes the next byte if it is one of `valid` (ASCII, no newline).
    fn accept(&mut self, valid: &str) -> bool {
        match self.bytes.get(self.pos) {
            Some(b) if valid.as_bytes().contains(b) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 10 + 1 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 16 + 6 + 1 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        // Bytes suffice: the quote, backslash and newline are ASCII, and a multi-byte
        // character's bytes are never ASCII.
        let input = self.bytes;
        loop {
            match memchr::memchr3(b'"', b'\\', b'\n', &input[self.pos..]) {
                Some(i) => {
                    self.pos += i + 1;
                    match input[self.pos - 1] {
                        b'"' => break,
                        b'\\' => match input.get(self.pos) {
                            Some(b'\n') | None => {
                                return self.errorf("unterminated quoted string".into());
                            }
                            // Skip the escaped character (whole, if it is multi-byte).
                            Some(_) => {
                                self.next();
                            }
                        },
                        _ => {
                            self.line += 1;
                            return self.errorf("unterminated quoted string".into());
                        }
                    }
                }
                None => {
                    self.pos = input.len();
                    return self.errorf("unterminated quoted string".into());
                }
            }
        }
        self.emit(ItemType::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        let input = self.bytes;
        match memchr::memchr(b'`', &input[self.pos..]) {
            Some(i) => {
                self.line += newlines(&input[self.pos..self.pos + i]);
                self.pos += i + 1;
            }
            None => {
                self.line += newlines(&input[self.pos..]);
                self.pos = input.len();
                return self.errorf("unterminated raw quoted string".into());
            }
        }
        self.emit(ItemType::RawString);
        State::InsideAction
    }
}

/// Bytes that continue an identifier, field or variable name: ASCII letters, digits
/// and `_` (non-ASCII bytes are false and decoded by the caller).
const WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b == b'_' || b.is_ascii_alphanumeric();
        i += 1;
    }
    t
};

/// Go's `%#U` of a rune: `U+0023 '#'`.
fn unicode_plus(c: char) -> String {
    if crate::gofmt::is_print(c) {
        format!("U+{:04X} '{}'", c as u32, c)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each token's kind and text (an error's text is the lexer's message).
    fn kinds(s: &str) -> Vec<(ItemType, String)> {
        let lexed = lex(
            s,
            "",
            "",
            LexOptions {
                break_ok: true,
                continue_ok: true,
            },
        );
        lexed
            .items
            .iter()
            .map(|i| match i.typ {
                ItemType::Error => (i.typ, lexed.error.clone()),
                _ => (i.typ, i.val(s).to_string()),
            })
            .collect()
    }

    /// Each token's kind and whether spaces preceded it.
    fn spaced(s: &str) -> Vec<(ItemType, bool)> {
        let opts = LexOptions {
            break_ok: true,
            continue_ok: true,
        };
        let lexed = lex(s, "", "", opts);
        lexed.items.iter().map(|i| (i.typ, i.space)).collect()
    }

    #[test]
    fn counts_newlines_like_a_byte_loop() {
        let texts: [&[u8]; 5] = [
            b"",
            b"\n",
            b"a\nb\n\n\ncdefgh\n",
            b"\n\n\n\n\n\n\n\n\n",
            b"\x8a\x0a\xff\n\x0b\x09\xc3\xa9\n\n\x7f\x0a\x8a\x0a\x0b\x09\x1a\x0a",
        ];
        for t in texts {
            for start in 0..t.len() {
                let b = &t[start..];
                let want = b.iter().filter(|&&c| c == b'\n').count();
                assert_eq!(newlines(b), want, "{t:?}[{start}..]");
            }
        }
    }

    #[test]
    fn trims_and_comments() {
        let items = kinds("a  {{- .x -}}  b{{/* c */}}d {{- /* e */ -}} f");
        let texts: Vec<_> = items
            .iter()
            .filter(|(t, _)| *t == ItemType::Text)
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(texts, vec!["a", "b", "d", "f"]);
    }

    #[test]
    fn tokens() {
        let types = spaced("{{$x := .a.b | printf \"%d\" 1.5 'c' `r` nil true }}");
        use ItemType::*;
        assert_eq!(
            types,
            vec![
                (LeftDelim, false),
                (Variable, false),
                (Declare, true),
                (Field, true),
                (Field, false),
                (Pipe, true),
                (Identifier, true),
                (String, true),
                (Number, true),
                (CharConstant, true),
                (RawString, true),
                (Nil, true),
                (Bool, true),
                (RightDelim, true),
                (Eof, false)
            ]
        );
        // Spaces before a trim marker's own space, and across lines.
        assert_eq!(
            spaced("{{ .a  -}}{{- \n .b\n}}"),
            vec![
                (LeftDelim, false),
                (Field, true),
                (RightDelim, true),
                (LeftDelim, false),
                // The trim marker takes one space; the rest is a run of its own.
                (Field, true),
                (RightDelim, true),
                (Eof, false)
            ]
        );
    }

    #[test]
    fn errors() {
        let last = |s: &str| kinds(s).pop().map(|(_, v)| v).unwrap_or_default();
        assert_eq!(last("{{"), "unclosed action");
        assert_eq!(last("{{ \"abc }}"), "unterminated quoted string");
        assert_eq!(last("{{ ) }}"), "unexpected right paren");
        assert_eq!(last("{{ ( }}"), "unclosed left paren");
        assert_eq!(last("{{/* x }}"), "unclosed comment");
        assert_eq!(
            last("{{/* x */ }}"),
            "comment ends before closing delimiter"
        );
        assert_eq!(last("{{ 3k }}"), "bad number syntax: \"3k\"");
        assert_eq!(
            last("{{ \u{1} }}"),
            "unrecognized character in action: U+0001"
        );
    }
}
