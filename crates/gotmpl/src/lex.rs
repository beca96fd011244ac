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
    Space,
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

/// One token: its kind, byte offset, text and line.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub typ: ItemType,
    pub pos: usize,
    /// A slice of the template text (empty for `Error`, whose message is
    /// [`Lexed::error`]): lexing allocates nothing per token, and the parser's
    /// look-ahead copies are plain copies.
    pub val: &'a str,
    pub line: usize,
}

/// The tokens of one text; the last is `Eof` or `Error`.
pub struct Lexed<'a> {
    pub items: Vec<Item<'a>>,
    /// The message of the final `Error` item, if lexing failed.
    pub error: String,
}

impl Item<'_> {
    /// How Go's parser names a token in "unexpected X" errors; `error` is the lexer's
    /// message, shown for an `Error` item.
    pub fn describe<'e>(&'e self, error: &'e str) -> impl std::fmt::Display + 'e {
        Describe { item: self, error }
    }
}

struct Describe<'e, 'a> {
    item: &'e Item<'a>,
    error: &'e str,
}

impl std::fmt::Display for Describe<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let it = self.item;
        match it.typ {
            ItemType::Eof => write!(f, "EOF"),
            ItemType::Error => write!(f, "{}", self.error),
            t if t.is_keyword() => write!(f, "<{}>", it.val),
            _ => {
                if it.val.chars().count() > 10 {
                    // Go's %.10q: quote the first ten runes.
                    let head: String = it.val.chars().take(10).collect();
                    write!(f, "{}...", crate::gofmt::quote(&head))
                } else {
                    write!(f, "{}", crate::gofmt::quote(it.val))
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
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    opts: LexOptions,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    paren_depth: usize,
    items: Vec<Item<'a>>,
    error: String,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_space_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    c.is_alphabetic() || c.is_numeric()
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

/// Number of newlines in `s` (a byte count the compiler vectorises).
fn newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Byte offset of the first `delim` in `hay`: memchr for its first byte, then a
/// comparison of the rest.
fn find_delim(hay: &str, delim: &str) -> Option<usize> {
    let d = delim.as_bytes();
    let Some(&head) = d.first() else {
        return Some(0);
    };
    let h = hay.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr(head, &h[from..]) {
        let at = from + i;
        if starts_at(h, at, d) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space_byte(b[1])
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space_byte(b[0]) && b[1] == b'-'
}

fn left_or_default(left: &str) -> &str {
    if left.is_empty() { "{{" } else { left }
}

/// Tokenizes `input` completely. The last item is `Eof` or `Error`.
pub fn lex<'a>(input: &'a str, left: &'a str, right: &'a str, opts: LexOptions) -> Lexed<'a> {
    let left = left_or_default(left);
    let head = left.as_bytes().first().copied().unwrap_or(b'{');
    let mut l = Lexer {
        input,
        left,
        right: if right.is_empty() { "}}" } else { right },
        opts,
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        paren_depth: 0,
        // Growing the token vector by doubling copied every token several times;
        // an action is rarely more than a dozen tokens.
        items: Vec::with_capacity(2 + 16 * memchr::memchr_iter(head, input.as_bytes()).count()),
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

impl<'a> Lexer<'a> {
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

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        // Template actions are nearly all ASCII: decode a byte without slicing.
        let b = *self.input.as_bytes().get(self.pos)?;
        let c = if b.is_ascii() {
            b as char
        } else {
            self.rest().chars().next()?
        };
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<char> {
        let b = *self.input.as_bytes().get(self.pos)?;
        if b.is_ascii() {
            return Some(b as char);
        }
        self.rest().chars().next()
    }

    fn backup(&mut self, c: char) {
        self.pos -= c.len_utf8();
        if c == '\n' {
            self.line -= 1;
        }
    }

    #[inline]
    fn emit(&mut self, typ: ItemType) {
        let val = &self.input[self.start..self.pos];
        self.emit_val(typ, val);
    }

    #[inline]
    fn emit_val(&mut self, typ: ItemType, val: &'a str) {
        self.items.push(Item {
            typ,
            pos: self.start,
            val,
            line: self.start_line,
        });
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn ignore(&mut self) {
        self.line += newlines(&self.input[self.start..self.pos]);
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn errorf(&mut self, msg: String) -> State {
        self.items.push(Item {
            typ: ItemType::Error,
            pos: self.start,
            val: "",
            line: self.start_line,
        });
        self.error = msg;
        State::Done
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = find_delim(self.rest(), self.left) {
            if x > 0 {
                self.pos += x;
                // Trim trailing spaces before a "{{- ".
                let mut trim = 0;
                let delim_end = self.pos + self.left.len();
                if has_left_trim_marker(&self.input[delim_end..]) {
                    let text = &self.input[self.start..self.pos];
                    trim = text.len() - text.trim_end_matches(is_space).len();
                }
                let text_end = self.pos - trim;
                let val: &'a str = &self.input[self.start..text_end];
                let item_start = self.start;
                let item_line = self.start_line;
                self.line = self.start_line + newlines(val);
                self.start = text_end;
                self.start_line = self.line;
                // Skip the trimmed space, counting its newlines.
                self.ignore();
                if !val.is_empty() {
                    self.items.push(Item {
                        typ: ItemType::Text,
                        pos: item_start,
                        val,
                        line: item_line,
                    });
                }
            }
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += newlines(&self.input[self.start..self.pos]);
            let val = &self.input[self.start..self.pos];
            self.emit_val(ItemType::Text, val);
        }
        self.emit_val(ItemType::Eof, "");
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += self.left.len();
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return State::Comment;
        }
        let val = self.left;
        self.items.push(Item {
            typ: ItemType::LeftDelim,
            pos: self.start,
            val,
            line: self.start_line,
        });
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    /// Whether a right delimiter starts here, and whether it has a trim marker.
    #[inline]
    fn at_right_delim(&self) -> (bool, bool) {
        let input = self.input.as_bytes();
        let right = self.right.as_bytes();
        let at = self.pos;
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
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += self.right.len();
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += self.right.len();
        self.emit(ItemType::RightDelim);
        if trim {
            let rest = self.rest();
            self.pos += rest.len() - rest.trim_start_matches(is_space).len();
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.errorf("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.errorf("unclosed action".into());
        };
        match r {
            c if is_space(c) => {
                self.backup(c);
                return self.lex_space();
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".into());
                }
                self.emit(ItemType::Declare);
            }
            '|' => self.emit(ItemType::Pipe),
            '"' => return self.lex_quote(),
            '`' => return self.lex_raw_quote(),
            '$' => return self.lex_variable(),
            '\'' => return self.lex_char(),
            '.' => {
                // ".field" unless a digit follows (".5" is a number).
                let next = self.rest().as_bytes().first().copied();
                if next.is_none_or(|b| !b.is_ascii_digit()) {
                    return self.lex_field_or_variable(ItemType::Field);
                }
                self.backup(r);
                return self.lex_number();
            }
            '+' | '-' | '0'..='9' => {
                self.backup(r);
                return self.lex_number();
            }
            c if is_alnum(c) => {
                self.backup(c);
                return self.lex_identifier();
            }
            '(' => {
                self.emit(ItemType::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                if self.paren_depth == 0 {
                    return self.errorf("unexpected right paren".into());
                }
                self.emit(ItemType::RightParen);
                self.paren_depth -= 1;
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(ItemType::Char),
            c => {
                return self.errorf(format!(
                    "unrecognized character in action: {}",
                    unicode_plus(c)
                ));
            }
        }
        State::InsideAction
    }

    /// Advances over a run of spaces (counting lines) and returns its length; spaces
    /// are ASCII, so bytes are enough.
    fn skip_spaces(&mut self) -> usize {
        let bytes = self.input.as_bytes();
        let start = self.pos;
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.line += 1,
                _ => break,
            }
            self.pos += 1;
        }
        self.pos - start
    }

    /// Advances over letters, digits and `_`, byte by byte while they are ASCII.
    fn skip_alnum(&mut self) {
        let bytes = self.input.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if b.is_ascii() {
                if ASCII_WORD[usize::from(b)] {
                    self.pos += 1;
                    continue;
                }
                break;
            }
            match self.rest().chars().next() {
                Some(c) if is_alnum(c) => self.pos += c.len_utf8(),
                _ => break,
            }
        }
    }

    fn lex_space(&mut self) -> State {
        let num = self.skip_spaces();
        // A space may begin a " -}}" trim marker.
        let from = self.pos - 1;
        if has_right_trim_marker(&self.input[from..])
            && self.input[from + TRIM_MARKER_LEN..].starts_with(self.right)
        {
            let c = self.input[from..].chars().next().unwrap_or(' ');
            self.backup(c);
            if num == 1 {
                return State::RightDelim;
            }
        }
        self.emit(ItemType::Space);
        State::InsideAction
    }

    fn lex_identifier(&mut self) -> State {
        self.skip_alnum();
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\0');
            return self.errorf(format!("bad character {}", unicode_plus(c)));
        }
        let word = &self.input[self.start..self.pos];
        let typ = match word {
            "block" => ItemType::Block,
            "break" if self.opts.break_ok => ItemType::Break,
            "continue" if self.opts.continue_ok => ItemType::Continue,
            "define" => ItemType::Define,
            "else" => ItemType::Else,
            "end" => ItemType::End,
            "if" => ItemType::If,
            "range" => ItemType::Range,
            "nil" => ItemType::Nil,
            "template" => ItemType::Template,
            "with" => ItemType::With,
            "true" | "false" => ItemType::Bool,
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
        if self.at_terminator() {
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

    fn at_terminator(&self) -> bool {
        let input = self.input.as_bytes();
        match input.get(self.pos) {
            None => true,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            Some(_) => starts_at(input, self.pos, self.right.as_bytes()),
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
        match self.input.as_bytes().get(self.pos) {
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
        let input = self.input.as_bytes();
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
        let input = self.input.as_bytes();
        match memchr::memchr(b'`', &input[self.pos..]) {
            Some(i) => {
                self.line += newlines(&self.input[self.pos..self.pos + i]);
                self.pos += i + 1;
            }
            None => {
                self.line += newlines(self.rest());
                self.pos = input.len();
                return self.errorf("unterminated raw quoted string".into());
            }
        }
        self.emit(ItemType::RawString);
        State::InsideAction
    }
}

/// ASCII bytes that continue an identifier, field or variable name.
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
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
                _ => (i.typ, i.val.to_string()),
            })
            .collect()
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
        let items = kinds("{{$x := .a.b | printf \"%d\" 1.5 'c' `r` nil true}}");
        let types: Vec<_> = items.iter().map(|(t, _)| *t).collect();
        use ItemType::*;
        assert_eq!(
            types,
            vec![
                LeftDelim,
                Variable,
                Space,
                Declare,
                Space,
                Field,
                Field,
                Space,
                Pipe,
                Space,
                Identifier,
                Space,
                String,
                Space,
                Number,
                Space,
                CharConstant,
                Space,
                RawString,
                Space,
                Nil,
                Space,
                Bool,
                RightDelim,
                Eof
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
