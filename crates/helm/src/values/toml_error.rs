//! BurntSushi/toml's wording for the common syntax errors `fromToml` reports.
//!
//! Only consulted after `toml_edit` rejected the text: one forward pass (no recursion,
//! linear time) re-reads it the way BurntSushi's lexer and parser do and names the first
//! error of a known class, with the line it was met on and the key being parsed
//! (`(last key "t.a")`: the current table, any inline-table keys, the key of the value).
//! `None` means the pass found no error it knows; the caller then words it generically.

use std::collections::HashMap;

/// Helm's text for the first error in `text`, when it is one of the known classes.
pub fn burntsushi_error(text: &str) -> Option<String> {
    let mut s = Scanner {
        b: text.as_bytes(),
        text,
        pos: 0,
        line: 1,
        context: Vec::new(),
        key: Vec::new(),
        context_node: 0,
        nodes: vec![Node::default()],
        children: HashMap::new(),
    };
    match s.document() {
        Err(Found(line, last_key, msg)) => Some(match last_key {
            Some(k) if !k.is_empty() => format!("toml: line {line} (last key {k:?}): {msg}"),
            _ => format!("toml: line {line}: {msg}"),
        }),
        Ok(()) => None,
    }
}

/// An error: line, last key (None when BurntSushi reports none), message.
struct Found(usize, Option<String>, String);

/// `Ok(())` also stands for "stopped at something this pass does not model".
type Step<T> = Result<T, Found>;

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    line: usize,
    /// Key path of the current `[table]`.
    context: Vec<String>,
    /// Key path of the key/value being parsed (inline-table keys included).
    key: Vec<String>,
    /// Node of `context` in the key tree below.
    context_node: usize,
    /// Every key path seen, as a tree of interned parts: walking a path costs its own
    /// length, never the length of the context it extends.
    nodes: Vec<Node>,
    children: HashMap<(usize, String), usize>,
}

#[derive(Default, Clone, Copy)]
struct Node {
    value: bool,
    table: bool,
}

enum Value {
    Done,
    /// Something this pass does not model: stop looking.
    Unknown,
}

impl Scanner<'_> {
    /// The node of `parts` below `from` (created as needed), and the index of the first
    /// part before the last that already holds a value (BurntSushi rejects the key there).
    fn walk(&mut self, from: usize, parts: &[String]) -> (usize, Option<usize>) {
        let mut node = from;
        let mut blocked = None;
        for (i, p) in parts.iter().enumerate() {
            let next = self.nodes.len();
            node = *self.children.entry((node, p.clone())).or_insert(next);
            if node == next {
                self.nodes.push(Node::default());
            }
            if i + 1 < parts.len() && blocked.is_none() && self.nodes[node].value {
                blocked = Some(i);
            }
        }
        (node, blocked)
    }

    /// `[[path]]`: a fresh element node, which later paths through `path` reach.
    fn new_element(&mut self, parent: usize, part: &str) -> usize {
        let next = self.nodes.len();
        self.nodes.push(Node::default());
        self.children.insert((parent, part.to_string()), next);
        next
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some(b'#') {
            while !matches!(self.peek(), None | Some(b'\n')) {
                self.pos += 1;
            }
        }
    }

    fn last_key(&self, with_key: bool) -> String {
        // BurntSushi keeps the key being parsed as a plain string (its last part) beside
        // the context (a key path, printed with quoted parts).
        let mut parts: Vec<String> = self.context.iter().map(|p| maybe_quoted(p)).collect();
        if with_key && let Some((last, rest)) = self.key.split_last() {
            parts.extend(rest.iter().map(|p| maybe_quoted(p)));
            parts.push(last.clone());
        }
        parts.join(".")
    }

    fn err<T>(&self, with_key: bool, msg: String) -> Step<T> {
        // At EOF BurntSushi names the line of the last byte, so a final newline does
        // not count.
        let line = if self.pos >= self.b.len() && self.b.last() == Some(&b'\n') {
            self.line - 1
        } else {
            self.line
        };
        Err(Found(line, Some(self.last_key(with_key)), msg))
    }

    fn document(&mut self) -> Step<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.bump();
            }
            self.skip_comment();
            match self.peek() {
                None => return Ok(()),
                Some(b'\n' | b'\r') => continue,
                Some(b'[') => {
                    if !self.table_header()? {
                        return Ok(());
                    }
                }
                Some(_) => {
                    if !self.key_value()? {
                        return Ok(());
                    }
                    self.skip_spaces();
                    self.skip_comment();
                    match self.peek() {
                        None | Some(b'\n') => {}
                        Some(b'\r') if self.b.get(self.pos + 1) == Some(&b'\n') => {}
                        Some(_) => {
                            let c = self.current_char();
                            return Err(Found(
                                self.line,
                                None,
                                format!(
                                    "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                                    go_rune(c)
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }

    fn current_char(&self) -> char {
        self.text
            .get(self.pos..)
            .and_then(|t| t.chars().next())
            .unwrap_or('\0')
    }

    /// `[a.b]` or `[[a.b]]`; false when not modelled.
    fn table_header(&mut self) -> Step<bool> {
        self.pos += 1;
        let array = self.peek() == Some(b'[');
        if array {
            self.pos += 1;
        }
        let line = self.line;
        let Some(path) = self.key_path() else {
            return Ok(false);
        };
        self.skip_spaces();
        match self.peek() {
            Some(b']') => {}
            // BurntSushi reads EOF as a NUL rune here.
            None if !array => {
                return self.err(
                    false,
                    "expected '.' or ']' to end table name, but got '\\x00' instead".into(),
                );
            }
            _ => return Ok(false),
        }
        self.pos += 1;
        if array {
            if self.peek() != Some(b']') {
                return Ok(false);
            }
            self.pos += 1;
        }
        self.key.clear();
        let (mut node, blocked) = self.walk(0, &path);
        if blocked.is_some() {
            return Ok(false);
        }
        let n = self.nodes[node];
        if array {
            let parent = self.walk(0, &path[..path.len() - 1]).0;
            node = self.new_element(parent, &path[path.len() - 1]);
        } else if n.table || n.value {
            return Err(Found(
                line,
                Some(join_key(&path[..path.len() - 1])),
                format!("Key '{}' has already been defined.", join_key(&path)),
            ));
        } else {
            self.nodes[node].table = true;
        }
        self.context_node = node;
        self.context = path;
        Ok(true)
    }

    /// Dotted key parts (bare or quoted, spaces around dots); None when not modelled.
    fn key_path(&mut self) -> Option<Vec<String>> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            parts.push(self.key_part()?);
            self.skip_spaces();
            if self.peek() == Some(b'.') {
                self.pos += 1;
            } else {
                return Some(parts);
            }
        }
    }

    fn key_part(&mut self) -> Option<String> {
        match self.peek()? {
            q @ (b'"' | b'\'') => {
                let start = self.pos + 1;
                let end = start + self.b[start..].iter().position(|&c| c == q || c == b'\n')?;
                if self.b[end] != q || (q == b'"' && self.text[start..end].contains('\\')) {
                    return None;
                }
                self.pos = end + 1;
                Some(self.text[start..end].to_string())
            }
            c if is_bare(c) => {
                let start = self.pos;
                while self.peek().is_some_and(is_bare) {
                    self.pos += 1;
                }
                Some(self.text[start..self.pos].to_string())
            }
            _ => None,
        }
    }

    /// `key = value` at the top level or in an inline table; false when not modelled.
    fn key_value(&mut self) -> Step<bool> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            let Some(p) = self.key_part() else {
                return Ok(false);
            };
            parts.push(p);
            self.skip_spaces();
            match self.peek() {
                Some(b'.') => self.pos += 1,
                Some(b'=') => break,
                None => {
                    return self.err(false, "unexpected EOF; expected key separator '='".into());
                }
                Some(_) => {
                    let c = self.current_char();
                    return Err(Found(
                        self.line,
                        None,
                        format!("expected '.' or '=', but got {} instead", go_rune(c)),
                    ));
                }
            }
        }
        self.pos += 1;
        let line = self.line;
        let depth = self.key.len();
        self.key.extend(parts);
        match self.value()? {
            Value::Unknown => return Ok(false),
            Value::Done => {}
        }
        let key = std::mem::take(&mut self.key);
        let (node, blocked) = self.walk(self.context_node, &key[depth..]);
        self.key = key;
        let n = self.nodes[node];
        let taken = match blocked {
            Some(i) => Some(depth + i + 1),
            None if n.value || n.table => Some(self.key.len()),
            None => None,
        };
        if let Some(end) = taken {
            let full: Vec<String> = self
                .context
                .iter()
                .chain(&self.key[..end])
                .cloned()
                .collect();
            return Err(Found(
                line,
                Some(self.last_key(true)),
                format!("Key '{}' has already been defined.", join_key(&full)),
            ));
        }
        self.nodes[node].value = true;
        self.key.truncate(depth);
        Ok(true)
    }

    fn value(&mut self) -> Step<Value> {
        self.skip_spaces();
        let Some(c) = self.peek() else {
            return self.err(true, "unexpected EOF; expected value".into());
        };
        match c {
            b'"' | b'\'' => {
                if self.b[self.pos..].starts_with(if c == b'"' { b"\"\"\"" } else { b"'''" }) {
                    return Ok(Value::Unknown);
                }
                self.pos += 1;
                loop {
                    match self.peek() {
                        None => {
                            let q = if c == b'"' { "'\"'" } else { "\"'\"" };
                            return self.err(true, format!("unexpected EOF; expected {q}"));
                        }
                        Some(b'\n') => {
                            return self.err(true, "strings cannot contain newlines".into());
                        }
                        Some(b'\\') if c == b'"' => match self.b.get(self.pos + 1) {
                            Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' | b'e') => {
                                self.pos += 2
                            }
                            // \u, \x and raw control characters: not modelled.
                            Some(e) if e.is_ascii_graphic() => {
                                let e = *e as char;
                                return self.err(true, format!("invalid escape in string '\\{e}'"));
                            }
                            _ => return Ok(Value::Unknown),
                        },
                        Some(q) if q == c => {
                            self.pos += 1;
                            return Ok(Value::Done);
                        }
                        Some(_) => self.pos += 1,
                    }
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                }
                let word = &self.text[start..self.pos];
                match word {
                    "true" | "false" | "inf" | "nan" => Ok(Value::Done),
                    _ => self.err(true, format!("expected value but found {word:?} instead")),
                }
            }
            b'0'..=b'9' | b'+' | b'-' => {
                let start = self.pos;
                if matches!(c, b'+' | b'-') {
                    self.pos += 1;
                    let rest = &self.b[self.pos..];
                    if rest.starts_with(b"inf") || rest.starts_with(b"nan") {
                        self.pos += 3;
                        return Ok(Value::Done);
                    }
                    match self.peek() {
                        Some(d) if d.is_ascii_digit() => {}
                        None => return Ok(Value::Unknown),
                        Some(_) => {
                            let c = self.current_char();
                            return self
                                .err(true, format!("expected a digit but got {}", go_rune(c)));
                        }
                    }
                }
                let rest = &self.b[self.pos..];
                let radix = [b"0x", b"0o", b"0b"].iter().any(|p| rest.starts_with(*p));
                // BurntSushi's lexer ends a decimal number at the first other character.
                while self.peek().is_some_and(|c| {
                    if radix {
                        c.is_ascii_alphanumeric() || c == b'_'
                    } else {
                        c.is_ascii_digit()
                            || matches!(c, b'.' | b'_' | b'+' | b'-' | b'e' | b'E' | b':')
                    }
                }) {
                    self.pos += 1;
                }
                let tok = &self.text[start..self.pos];
                let digits = tok.trim_start_matches(['+', '-']);
                if tok.contains(':') || digits.get(4..5) == Some("-") {
                    // Dates and times: not modelled.
                    return Ok(Value::Unknown);
                }
                if let Some(msg) = number_error(tok, radix) {
                    return self.err(true, msg);
                }
                Ok(Value::Done)
            }
            b'{' => self.inline_table(),
            b'[' => self.flat_array(),
            b'.' | b'#' | b'\n' | b'\r' | b'\t' | b' ' => Ok(Value::Unknown),
            _ => {
                let c = self.current_char();
                self.err(
                    true,
                    format!("expected value but found {} instead", go_rune(c)),
                )
            }
        }
    }

    /// `[v, ...]` holding no arrays or inline tables (those are not modelled, so this
    /// never recurses).
    fn flat_array(&mut self) -> Step<Value> {
        self.pos += 1;
        loop {
            self.skip_array_space();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Done);
                }
                Some(b'[' | b'{') => return Ok(Value::Unknown),
                _ => {}
            }
            if let Value::Unknown = self.value()? {
                return Ok(Value::Unknown);
            }
            self.skip_array_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Done);
                }
                None => {
                    return self.err(
                        true,
                        "expected a comma (',') or array terminator (']'), but got end of file"
                            .into(),
                    );
                }
                Some(_) => return Ok(Value::Unknown),
            }
        }
    }

    fn skip_array_space(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.bump(),
                Some(b'#') => self.skip_comment(),
                _ => return,
            }
        }
    }

    /// `{k = v, ...}`: its keys extend the last key. Nested inline tables and arrays are
    /// not modelled, so this never recurses.
    fn inline_table(&mut self) -> Step<Value> {
        self.pos += 1;
        self.skip_spaces();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Done);
        }
        loop {
            if self.peek() == Some(b'{') || self.peek() == Some(b'[') {
                return Ok(Value::Unknown);
            }
            let mut parts = Vec::new();
            loop {
                self.skip_spaces();
                let Some(p) = self.key_part() else {
                    return Ok(Value::Unknown);
                };
                parts.push(p);
                self.skip_spaces();
                match self.peek() {
                    Some(b'.') => self.pos += 1,
                    Some(b'=') => break,
                    _ => return Ok(Value::Unknown),
                }
            }
            self.pos += 1;
            let depth = self.key.len();
            self.key.extend(parts);
            self.skip_spaces();
            if matches!(self.peek(), Some(b'{' | b'[')) {
                return Ok(Value::Unknown);
            }
            if let Value::Unknown = self.value()? {
                return Ok(Value::Unknown);
            }
            self.key.truncate(depth);
            self.skip_spaces();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_spaces();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Done);
                }
                _ => return Ok(Value::Unknown),
            }
        }
    }
}

/// A key part as BurntSushi prints it: quoted unless it is a bare key.
fn maybe_quoted(p: &str) -> String {
    if !p.is_empty() && p.bytes().all(is_bare) {
        p.to_string()
    } else {
        format!("{p:?}")
    }
}

fn join_key(parts: &[String]) -> String {
    parts
        .iter()
        .map(|p| maybe_quoted(p))
        .collect::<Vec<_>>()
        .join(".")
}

fn is_bare(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// TOML float syntax (sign already stripped): int part, optional fraction, optional
/// exponent; underscores only between digits.
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    digits(int)
        && frac.is_none_or(digits)
        && exp.is_none_or(|e| digits(e.trim_start_matches(['+', '-'])))
}

/// BurntSushi's checks on a lexed number, in its order: underscores, leading zeros,
/// then (floats) a digit after each '.', then the float syntax itself.
fn number_error(tok: &str, radix: bool) -> Option<String> {
    let unsigned = tok.trim_start_matches(['+', '-']);
    let float = !radix && tok.contains(['.', 'e', 'E']);
    let (kind, first) = if float {
        (
            "float",
            unsigned.split(['.', 'e', 'E']).next().unwrap_or(""),
        )
    } else {
        ("integer", unsigned)
    };
    let parts: Vec<&str> = if float {
        tok.split(['.', 'e', 'E'])
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![tok]
    };
    if !parts.iter().all(|p| underscores_ok(p)) {
        return Some(format!(
            "Invalid {kind} {tok:?}: underscores must be surrounded by digits"
        ));
    }
    if !radix && first.len() > 1 && first.starts_with('0') {
        return Some(format!(
            "Invalid {kind} {tok:?}: cannot have leading zeroes"
        ));
    }
    if !float {
        return None;
    }
    let b = tok.as_bytes();
    if b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'.' && !b.get(i + 1).is_some_and(u8::is_ascii_digit))
    {
        return Some(format!(
            "Invalid float {tok:?}: '.' must be followed by one or more digits"
        ));
    }
    (!is_float(unsigned)).then(|| format!("Invalid float value: {tok:?}"))
}

/// Each underscore follows a hex digit, and the part does not end in one.
fn underscores_ok(s: &str) -> bool {
    let mut accept = false;
    for c in s.bytes() {
        if c == b'_' && !accept {
            return false;
        }
        accept = c.is_ascii_hexdigit();
    }
    accept
}

fn digits(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
        && s.bytes().all(|c| c.is_ascii_digit() || c == b'_')
}

/// A rune as Go's `%q` prints it.
fn go_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        '\n' => "'\\n'".to_string(),
        '\r' => "'\\r'".to_string(),
        '\t' => "'\\t'".to_string(),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::burntsushi_error as e;

    #[test]
    fn helm_texts() {
        let cases = [
            (
                "a = \"x",
                "toml: line 1 (last key \"a\"): unexpected EOF; expected '\"'",
            ),
            (
                "[t]\nb = 1\na = \"x",
                "toml: line 3 (last key \"t.a\"): unexpected EOF; expected '\"'",
            ),
            (
                "a = 'x",
                "toml: line 1 (last key \"a\"): unexpected EOF; expected \"'\"",
            ),
            (
                "a = \"x\ny\"",
                "toml: line 1 (last key \"a\"): strings cannot contain newlines",
            ),
            (
                "t.a = \"x\ny\"",
                "toml: line 1 (last key \"t.a\"): strings cannot contain newlines",
            ),
            (
                "a = 1\na = 2",
                "toml: line 2 (last key \"a\"): Key 'a' has already been defined.",
            ),
            (
                "[t]\na = 1\na = 2",
                "toml: line 3 (last key \"t.a\"): Key 't.a' has already been defined.",
            ),
            (
                "[t]\n[t]",
                "toml: line 2: Key 't' has already been defined.",
            ),
            (
                "[t]\na = 1\n[t]",
                "toml: line 3: Key 't' has already been defined.",
            ),
            (
                "[t.u]\n[t.u]",
                "toml: line 2 (last key \"t\"): Key 't.u' has already been defined.",
            ),
            (
                "a = xyz",
                "toml: line 1 (last key \"a\"): expected value but found \"xyz\" instead",
            ),
            (
                "a = {b = xyz}",
                "toml: line 1 (last key \"a.b\"): expected value but found \"xyz\" instead",
            ),
            (
                "b = 1\na 1",
                "toml: line 2: expected '.' or '=', but got '1' instead",
            ),
            (
                "a",
                "toml: line 1: unexpected EOF; expected key separator '='",
            ),
            (
                "[t]\na",
                "toml: line 2 (last key \"t\"): unexpected EOF; expected key separator '='",
            ),
            (
                "a = 1.2.3",
                "toml: line 1 (last key \"a\"): Invalid float value: \"1.2.3\"",
            ),
            (
                "a =",
                "toml: line 1 (last key \"a\"): unexpected EOF; expected value",
            ),
            (
                "a = 1 b",
                "toml: line 1: expected a top-level item to end with a newline, comment, or EOF, but got 'b' instead",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(e(input).as_deref(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn unmodelled_errors_are_left_to_the_caller() {
        assert_eq!(e("a = [[1], 2"), None);
        assert_eq!(e("[[t"), None);
        assert_eq!(e("a = 1"), None);
    }

    #[test]
    fn hostile_input_is_linear() {
        let deep = "a = ".to_string() + &"{b = ".repeat(100_000);
        assert_eq!(e(&deep), None);
        let many: String = (0..50_000)
            .map(|i| format!("k{i} = 1\n"))
            .collect::<String>()
            + "k7 = 2";
        assert!(e(&many).is_some_and(|m| m.starts_with("toml: line 50001 ")));
    }
}
