//! BurntSushi/toml's parser (v1.6) over [`super::lex`], building Go-shaped values.
//!
//! The document is built the way BurntSushi builds its `map[string]interface{}`:
//! tables are shared maps filled in place, `[[t]]` lists are `[]map[string]interface {}`
//! (`Elem::Map`) whose last element takes later keys, dotted keys and table headers
//! create "implicit" tables that one later definition may claim, and inline tables are
//! written into the document as they are read. Which redefinitions fail, with which
//! message, at which line and with which "last key", all follow from replaying those
//! steps, so they are replayed rather than re-derived. Arrays and inline tables nest on
//! an explicit frame stack: no input makes this recurse.
//!
//! BurntSushi walks from the document's root to the table in scope for every key and
//! keys its facts by dotted text, so each key costs its depth. Here key paths are
//! interned ids ([`super::paths`]) and the tables along the path in scope sit on a
//! stack: entering a table is one step from the one above it. That is exact because
//! nothing changes what a path in scope leads to while it is in scope: definitions
//! only add keys below the table in scope, and `[[array]]` elements are appended only
//! to an array below it (a table header, which may go anywhere, walks from the root).

use gotmpl::value::{Elem, List, Map, Value};

use super::datetime::{self, Datetime};
use super::lex::{Item, Kind, Lexer, go_quote, is_bare_key_char};
use super::paths::{PathId, Paths, ROOT};

/// A parse error as BurntSushi reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ParseError {
    pub line: usize,
    pub last_key: String,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.last_key.is_empty() {
            write!(f, "toml: line {}: {}", self.line, self.message)
        } else {
            write!(
                f,
                "toml: line {} (last key {}): {}",
                self.line,
                go_quote(&self.last_key),
                self.message
            )
        }
    }
}

type PResult<T> = Result<T, ParseError>;

/// Deepest table path accepted (table headers, dotted keys and inline tables together).
/// BurntSushi has no limit; a key's dotted text (in error messages) and a table
/// header's walk from the root cost the path's depth, so the bound keeps hostile input
/// from going quadratic while real documents stay far below it.
pub(super) const MAX_TABLE_DEPTH: usize = 1024;

/// Deepest nesting of arrays and inline tables in one value. BurntSushi has no limit
/// (Helm reads a 100,000-deep array); this one bounds the memory a 64 MiB template
/// string can make the parser hold (about 100 bytes a level).
pub(super) const MAX_VALUE_DEPTH: usize = 200_000;

/// The TOML type BurntSushi records per key; only arrays change later decisions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TomlType {
    Array,
    Other,
}

/// What a key path leads to in the document, as BurntSushi's walk finds it.
#[derive(Clone)]
enum Table {
    Map(Map),
    /// An array of tables without elements (BurntSushi would index out of range).
    EmptyArray,
    /// Something other than a table.
    Other,
}

impl Table {
    /// `hash[k]` as a table: maps directly, `[[arrays]]` through their last element;
    /// `None` when the key is missing.
    fn at(hash: &Map, k: &str) -> Option<Table> {
        Some(match hash.get(k)? {
            Value::Map(m) => Table::Map(m),
            Value::List(l) if l.elem() == Elem::Map => match l.get(l.len().wrapping_sub(1)) {
                Some(Value::Map(m)) => Table::Map(m),
                _ => Table::EmptyArray,
            },
            _ => Table::Other,
        })
    }
}

/// A context to return to: its path and how many tables were on the stack.
#[derive(Clone, Copy)]
struct Saved {
    path: PathId,
    tables: usize,
}

/// An array or inline table being read. Inline tables keep their state on a stack
/// of their own, so that a frame stays small (100,000 nested arrays make as many).
enum Frame {
    Array(Vec<Value>),
    Inline,
}

/// An inline table being read.
struct Inline {
    outer_context: Saved,
    outer_key: String,
    prev_context: Saved,
    /// The table's own value (what an enclosing array holds).
    top: Map,
    /// Dotted-key parents of the key whose value is being read.
    parents: Vec<String>,
}

pub(super) struct Parser<'a, 'f> {
    lx: Lexer<'a>,
    /// Key path of the table in scope (BurntSushi's `p.context`).
    context: PathId,
    /// What each prefix of the context leads to, the document first (`tables[i]` for
    /// the prefix of `i` parts). Below the top every entry is a table: a path is
    /// entered only through a table.
    tables: Vec<Table>,
    /// Interned key paths with BurntSushi's per-key facts (type, implicit).
    paths: Paths,
    /// Last part of the key being defined (raw, as BurntSushi prints it).
    current_key: String,
    /// Line of the last key or table name read (BurntSushi's `p.pos`).
    pos_line: usize,
    mapping: Map,
    datetime: &'f mut dyn FnMut(&Datetime) -> Value,
}

impl<'a, 'f> Parser<'a, 'f> {
    /// `invalid`: where `input` holds U+FFFD for a byte that is not UTF-8 (see
    /// [`Lexer::new`]).
    pub(super) fn new(
        input: &'a str,
        invalid: &'a [(usize, u8)],
        datetime: &'f mut dyn FnMut(&Datetime) -> Value,
    ) -> Self {
        let mapping = Map::new();
        Parser {
            lx: Lexer::new(input, invalid),
            context: ROOT,
            tables: vec![Table::Map(mapping.clone())],
            paths: Paths::new(),
            current_key: String::new(),
            pos_line: 1,
            mapping,
            datetime,
        }
    }

    pub(super) fn parse(mut self) -> PResult<Map> {
        loop {
            let item = self.next()?;
            if item.kind == Kind::Eof {
                return Ok(self.mapping);
            }
            self.top_level(item)?;
        }
    }

    fn text(&self, item: &Item) -> &'a str {
        self.lx.input().get(item.start..item.end).unwrap_or("")
    }

    /// `p.current()`: the context path (parts quoted as needed) and the raw current key.
    fn current(&self) -> String {
        if self.current_key.is_empty() {
            return self.paths.text(self.context, None);
        }
        if self.context == ROOT {
            return self.current_key.clone();
        }
        format!(
            "{}.{}",
            self.paths.text(self.context, None),
            self.current_key
        )
    }

    fn save_context(&self) -> Saved {
        Saved {
            path: self.context,
            tables: self.tables.len(),
        }
    }

    /// Back to a context saved earlier; it is a prefix of the current one.
    fn restore_context(&mut self, saved: Saved) {
        self.context = saved.path;
        self.tables.truncate(saved.tables);
    }

    fn fail<T>(&self, line: usize, message: String) -> PResult<T> {
        Err(ParseError {
            line,
            last_key: self.current(),
            message,
        })
    }

    /// An error at the last key read (`p.panicf`).
    fn failf<T>(&self, message: String) -> PResult<T> {
        self.fail(self.pos_line, message)
    }

    fn next(&mut self) -> PResult<Item> {
        let item = self.lx.next_item();
        if item.kind == Kind::Error {
            let msg = item.error.clone().unwrap_or_default();
            return self.fail(item.line, msg);
        }
        Ok(item)
    }

    fn next_pos(&mut self) -> PResult<Item> {
        let item = self.next()?;
        self.pos_line = item.line;
        Ok(item)
    }

    fn expect(&mut self, kind: Kind) -> PResult<Item> {
        let item = self.next()?;
        self.assert_kind(kind, item.kind)?;
        Ok(item)
    }

    fn assert_kind(&self, want: Kind, got: Kind) -> PResult<()> {
        if want != got {
            return self.fail(
                self.pos_line,
                format!("BUG: Expected '{want:?}' but got '{got:?}'."),
            );
        }
        Ok(())
    }

    fn top_level(&mut self, item: Item) -> PResult<()> {
        match item.kind {
            Kind::CommentStart => {
                self.expect(Kind::Text)?;
            }
            Kind::TableStart | Kind::ArrayTableStart => {
                let array = item.kind == Kind::ArrayTableStart;
                let end = if array {
                    Kind::ArrayTableEnd
                } else {
                    Kind::TableEnd
                };
                let mut name = self.next_pos()?;
                let mut key = Vec::new();
                while name.kind != end && name.kind != Kind::Eof {
                    key.push(self.key_part(&name)?);
                    name = self.next()?;
                }
                self.assert_kind(end, name.kind)?;
                self.add_context_from_root(&key, array)?;
                self.set_type("", TomlType::Other);
            }
            Kind::KeyStart => {
                let outer_context = self.save_context();
                self.read_key()?;
                let v_item = self.next()?;
                let (val, typ) = self.value(v_item, false)?;
                let key = self.current_key.clone();
                self.set_value(&key, val)?;
                self.set_type(&key, typ);
                self.restore_context(outer_context);
                self.current_key.clear();
            }
            other => {
                return self.failf(format!("BUG: Unexpected type at top level: {other:?}"));
            }
        }
        Ok(())
    }

    /// Reads `a.b.c =` (after KeyStart): sets the current key to the last part and makes
    /// each earlier part an implicit table in turn; returns those parts.
    fn read_key(&mut self) -> PResult<Vec<String>> {
        let mut k = self.next_pos()?;
        let mut key = Vec::new();
        while k.kind != Kind::KeyEnd && k.kind != Kind::Eof {
            key.push(self.key_part(&k)?);
            k = self.next()?;
        }
        self.assert_kind(Kind::KeyEnd, k.kind)?;
        let Some(last) = key.pop() else {
            return self.failf("BUG: empty key".into());
        };
        self.current_key = last;
        for part in &key {
            let path = self.paths.child(self.context, part);
            self.paths.set_implicit(path);
            self.add_context_child(self.context, part, false)?;
        }
        Ok(key)
    }

    fn key_part(&self, item: &Item) -> PResult<String> {
        let text = self.text(item);
        match item.kind {
            Kind::Text | Kind::RawString => Ok(text.to_string()),
            Kind::String => self.replace_escapes(item, text),
            Kind::MultilineString | Kind::RawMultilineString => {
                // The lexer never produces these for keys; BurntSushi would accept them.
                self.scalar_string(item)
            }
            other => self.failf(format!("BUG: Unexpected key type: {other:?}")),
        }
    }

    /// A value: scalars at once, arrays and inline tables through the frame stack.
    fn value(&mut self, first: Item, parent_is_array: bool) -> PResult<(Value, TomlType)> {
        let mut frames: Vec<Frame> = Vec::new();
        let mut inlines: Vec<Inline> = Vec::new();
        let mut item = first;
        let mut in_array = parent_is_array;
        loop {
            if frames.len() >= MAX_VALUE_DEPTH
                && matches!(item.kind, Kind::Array | Kind::InlineTableStart)
            {
                return self.fail(
                    item.line,
                    format!(
                        "arrays and inline tables nested deeper than {MAX_VALUE_DEPTH} levels are not supported"
                    ),
                );
            }
            // Produce a value for `item`, or open a frame and read its first element.
            let mut done = match item.kind {
                Kind::Array => {
                    // Arrays nested in arrays set the same key's type once per level.
                    record_type(
                        &mut self.paths,
                        self.context,
                        &self.current_key,
                        TomlType::Array,
                    );
                    frames.push(Frame::Array(Vec::new()));
                    match self.next_array_item()? {
                        Some(next) => {
                            item = next;
                            in_array = true;
                            continue;
                        }
                        None => None,
                    }
                }
                Kind::InlineTableStart => {
                    let outer_context = self.save_context();
                    let outer_key = std::mem::take(&mut self.current_key);
                    let parent = self.context;
                    self.context = self.paths.child(parent, &outer_key);
                    self.paths.set_implicit(self.context);
                    self.add_context_child(parent, &outer_key, in_array)?;
                    let prev_context = self.save_context();
                    frames.push(Frame::Inline);
                    inlines.push(Inline {
                        outer_context,
                        outer_key,
                        prev_context,
                        top: Map::new(),
                        parents: Vec::new(),
                    });
                    match self.next_inline_item(&mut inlines)? {
                        Some(next) => {
                            item = next;
                            in_array = false;
                            continue;
                        }
                        None => None,
                    }
                }
                _ => Some((self.scalar(&item)?, TomlType::Other)),
            };
            // Hand finished values to the enclosing frames, closing those that end.
            loop {
                let (val, typ) = match done.take() {
                    Some(v) => v,
                    None => match frames.pop() {
                        Some(Frame::Array(items)) => (Value::list(items), TomlType::Array),
                        Some(Frame::Inline) => {
                            let Some(Inline {
                                outer_context,
                                outer_key,
                                top,
                                ..
                            }) = inlines.pop()
                            else {
                                return self.failf("BUG: no inline table".into());
                            };
                            self.restore_context(outer_context);
                            self.current_key = outer_key;
                            (Value::Map(top), TomlType::Other)
                        }
                        None => return self.failf("BUG: no value".into()),
                    },
                };
                match frames.last_mut() {
                    None => return Ok((val, typ)),
                    Some(Frame::Array(items)) => {
                        items.push(val);
                        if let Some(next) = self.next_array_item()? {
                            item = next;
                            in_array = true;
                            break;
                        }
                    }
                    Some(Frame::Inline) => {
                        let Some(open) = inlines.last_mut() else {
                            return self.failf("BUG: no inline table".into());
                        };
                        let key = self.current_key.clone();
                        let (prev_context, top, parents) = (
                            open.prev_context,
                            open.top.clone(),
                            std::mem::take(&mut open.parents),
                        );
                        self.set_value(&key, val.clone())?;
                        self.set_type(&key, typ);
                        let mut hash = top;
                        for p in &parents {
                            let h = match hash.get(p) {
                                Some(h) => h,
                                None => {
                                    let h = Value::Map(Map::new());
                                    hash.insert(p.clone(), h.clone());
                                    h
                                }
                            };
                            match h {
                                Value::Map(m) => hash = m,
                                _ => {
                                    let ctx = go_quote(&self.paths.text(self.context, None));
                                    return self.failf(format!("{ctx} is not a table"));
                                }
                            }
                        }
                        hash.insert(key, val);
                        self.restore_context(prev_context);
                        if let Some(next) = self.next_inline_item(&mut inlines)? {
                            item = next;
                            in_array = false;
                            break;
                        }
                    }
                }
            }
        }
    }

    /// The next array element's first item, or None at `]`.
    fn next_array_item(&mut self) -> PResult<Option<Item>> {
        loop {
            let item = self.next()?;
            match item.kind {
                Kind::ArrayEnd => return Ok(None),
                Kind::CommentStart => {
                    self.expect(Kind::Text)?;
                }
                _ => return Ok(Some(item)),
            }
        }
    }

    /// Reads the next `key =` of the inline table on top of `inlines` and returns the
    /// value's first item, or None at `}`.
    fn next_inline_item(&mut self, inlines: &mut [Inline]) -> PResult<Option<Item>> {
        loop {
            let item = self.next()?;
            match item.kind {
                Kind::InlineTableEnd => return Ok(None),
                Kind::CommentStart => {
                    self.expect(Kind::Text)?;
                }
                _ => {
                    let parents = self.read_key()?;
                    if let Some(open) = inlines.last_mut() {
                        open.parents = parents;
                    }
                    return self.next().map(Some);
                }
            }
        }
    }

    fn scalar(&mut self, item: &Item) -> PResult<Value> {
        let text = self.text(item);
        match item.kind {
            Kind::String => Ok(Value::str(self.replace_escapes(item, text)?)),
            Kind::MultilineString | Kind::RawString | Kind::RawMultilineString => {
                Ok(Value::str(self.scalar_string(item)?))
            }
            Kind::Integer => self.integer(item, text),
            Kind::Float => self.float(item, text),
            Kind::Bool => Ok(Value::Bool(text == "true")),
            Kind::Datetime => match datetime::parse(text) {
                Ok(dt) => Ok((self.datetime)(&dt)),
                Err(normalised) => self.fail(
                    item.line,
                    format!("invalid datetime: {}", go_quote(&normalised)),
                ),
            },
            other => self.fail(item.line, format!("BUG: Unexpected value type: {other:?}")),
        }
    }

    fn scalar_string(&self, item: &Item) -> PResult<String> {
        let text = self.text(item);
        match item.kind {
            Kind::MultilineString => {
                let stripped = strip_escaped_newlines(strip_first_newline(text));
                self.replace_escapes(item, &stripped)
            }
            Kind::RawMultilineString => Ok(strip_first_newline(text).to_string()),
            _ => Ok(text.to_string()),
        }
    }

    fn integer(&self, item: &Item, text: &str) -> PResult<Value> {
        if !underscores_ok(text) {
            return self.fail(
                item.line,
                format!(
                    "Invalid integer {}: underscores must be surrounded by digits",
                    go_quote(text)
                ),
            );
        }
        if has_leading_zero(text) {
            return self.fail(
                item.line,
                format!(
                    "Invalid integer {}: cannot have leading zeroes",
                    go_quote(text)
                ),
            );
        }
        match parse_go_int(text) {
            Some(Ok(n)) => Ok(Value::Int64(n)),
            Some(Err(())) => self.fail(item.line, format!("{text} is out of range for int64")),
            None => self.fail(
                item.line,
                format!("BUG: Expected integer value, but got '{text}'."),
            ),
        }
    }

    fn float(&self, item: &Item, text: &str) -> PResult<Value> {
        let parts: Vec<&str> = text
            .split(['.', 'e', 'E'])
            .filter(|p| !p.is_empty())
            .collect();
        if !parts.iter().all(|p| underscores_ok(p)) {
            return self.fail(
                item.line,
                format!(
                    "Invalid float {}: underscores must be surrounded by digits",
                    go_quote(text)
                ),
            );
        }
        if parts.first().is_some_and(|p| has_leading_zero(p)) {
            return self.fail(
                item.line,
                format!(
                    "Invalid float {}: cannot have leading zeroes",
                    go_quote(text)
                ),
            );
        }
        if !periods_ok(text) {
            return self.fail(
                item.line,
                format!(
                    "Invalid float {}: '.' must be followed by one or more digits",
                    go_quote(text)
                ),
            );
        }
        let val = text.replace('_', "");
        let (val, negative_nan) = match val.as_str() {
            "+nan" => ("nan".to_string(), false),
            "-nan" => ("nan".to_string(), true),
            _ => (val, false),
        };
        match parse_go_float(&val) {
            Some(f) if f.is_infinite() && !val.contains("inf") => {
                self.fail(item.line, format!("{text} is out of range for float64"))
            }
            Some(f) => Ok(Value::Float(if negative_nan { -f } else { f })),
            None => self.fail(
                item.line,
                format!("Invalid float value: {}", go_quote(text)),
            ),
        }
    }

    /// Escapes of a basic string (the lexer has checked their shape).
    fn replace_escapes(&self, item: &Item, s: &str) -> PResult<String> {
        let mut out = String::with_capacity(s.len());
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else {
                return self.fail(item.line, "BUG: Escape sequence at end of string.".into());
            };
            let hex_len = match e {
                'b' => {
                    out.push('\u{8}');
                    continue;
                }
                't' => {
                    out.push('\t');
                    continue;
                }
                'n' => {
                    out.push('\n');
                    continue;
                }
                'f' => {
                    out.push('\u{c}');
                    continue;
                }
                'r' => {
                    out.push('\r');
                    continue;
                }
                'e' => {
                    out.push('\u{1b}');
                    continue;
                }
                '"' | '\\' => {
                    out.push(e);
                    continue;
                }
                ' ' | '\t' => {
                    return self.fail(item.line, format!("invalid escape: '\\{e}'"));
                }
                'x' => 2,
                'u' => 4,
                'U' => 8,
                other => {
                    return self.fail(
                        item.line,
                        format!(
                            "BUG: Expected valid escape code after \\, but got {}.",
                            gotmpl::gofmt::quote_char(other)
                        ),
                    );
                }
            };
            let hex = s.get(i + 2..i + 2 + hex_len).unwrap_or("");
            let code = u32::from_str_radix(hex, 16).ok();
            match code.and_then(char::from_u32) {
                Some(ch) => out.push(ch),
                None => {
                    return self.fail(
                        item.line,
                        format!("Escaped character '\\u{hex}' is not valid UTF-8."),
                    );
                }
            }
            for _ in 0..hex_len {
                chars.next();
            }
        }
        Ok(out)
    }

    // --- the document tree, as BurntSushi's maps ---

    /// `addContext` for a table header: makes `key` (from the root) the table in scope
    /// (a new `[[array]]` element when `array`), creating implicit parents.
    fn add_context_from_root(&mut self, key: &[String], array: bool) -> PResult<()> {
        let Some((last, parents)) = key.split_last() else {
            return self.failf("BUG: empty table name".into());
        };
        if key.len() > MAX_TABLE_DEPTH {
            return self.failf(format!(
                "tables nested deeper than {MAX_TABLE_DEPTH} levels are not supported"
            ));
        }
        let mut hash = self.mapping.clone();
        let mut tables = Vec::with_capacity(key.len() + 1);
        tables.push(Table::Map(hash.clone()));
        let mut path = ROOT;
        for k in parents {
            path = self.paths.child(path, k);
            if !hash.contains_key(k) {
                self.paths.set_implicit(path);
                hash.insert(k.clone(), Value::Map(Map::new()));
            }
            hash = match Table::at(&hash, k) {
                Some(Table::Map(m)) => m,
                Some(Table::EmptyArray) => return self.failf("BUG: empty array of tables".into()),
                _ => {
                    let shown = self.paths.text(path, None);
                    return self.failf(format!("Key '{shown}' was already created as a hash."));
                }
            };
            tables.push(Table::Map(hash.clone()));
        }
        self.context = path;
        self.tables = tables;
        self.enter_table(last, array)
    }

    /// `addContext` for `parent` + `last` (a dotted key's part, an inline table), when
    /// `parent`'s tables are on the stack: its parents were walked when it was entered.
    fn add_context_child(&mut self, parent: PathId, last: &str, array: bool) -> PResult<()> {
        if self.paths.depth(parent) + 1 > MAX_TABLE_DEPTH {
            return self.failf(format!(
                "tables nested deeper than {MAX_TABLE_DEPTH} levels are not supported"
            ));
        }
        // Only the top of the stack can be something other than a table.
        match self.tables.last() {
            Some(Table::Map(_)) => {}
            Some(Table::EmptyArray) => return self.failf("BUG: empty array of tables".into()),
            _ => {
                let shown = self.paths.text(parent, None);
                return self.failf(format!("Key '{shown}' was already created as a hash."));
            }
        }
        self.context = parent;
        self.enter_table(last, array)
    }

    /// The end of `addContext`, with the context at the parents of `last` and their
    /// tables on the stack: defines `last` there and enters it.
    fn enter_table(&mut self, last: &str, array: bool) -> PResult<()> {
        #[cfg(test)]
        self.check_tables();
        let hash = match self.tables.last() {
            Some(Table::Map(m)) => m.clone(),
            _ => return self.failf("BUG: no table in scope".into()),
        };
        if array {
            if !hash.contains_key(last) {
                hash.insert(last, Value::List(List::typed(Vec::new(), Elem::Map)));
            }
            match hash.get(last) {
                Some(Value::List(l)) if l.elem() == Elem::Map => l.push(Value::Map(Map::new())),
                _ => {
                    let shown = self.paths.text(self.context, Some(last));
                    return self.failf(format!(
                        "Key '{shown}' was already created and cannot be used as an array."
                    ));
                }
            }
        } else {
            self.set_value(last, Value::Map(Map::new()))?;
        }
        // The key was just defined, or was there already.
        let table = Table::at(&hash, last).unwrap_or(Table::Other);
        self.context = self.paths.child(self.context, last);
        self.tables.push(table);
        Ok(())
    }

    /// `setValue`: defines `key` in the table in scope. An existing key is an error
    /// unless it was implicit (a table claimed once), or an array this value replaces.
    fn set_value(&mut self, key: &str, value: Value) -> PResult<()> {
        #[cfg(test)]
        self.check_tables();
        let hash = match self.tables.last() {
            Some(Table::Map(m)) => m.clone(),
            _ => {
                // BurntSushi's walk stops at the first prefix that is no table.
                let depth = self
                    .tables
                    .iter()
                    .position(|t| !matches!(t, Table::Map(_)))
                    .unwrap_or(self.tables.len() - 1);
                let bad = self.paths.ancestor(self.context, depth);
                let shown = self.paths.text(bad, None);
                return self.failf(format!("Key '{shown}' has already been defined."));
            }
        };
        if hash.contains_key(key) {
            let path = self.paths.find(self.context, key);
            if let Some(path) = path
                && self.paths.take_implicit(path)
            {
                if self.paths.is_array(path) {
                    hash.insert(key, value);
                }
                return Ok(());
            }
            let shown = self.paths.text(self.context, Some(key));
            return self.failf(format!("Key '{shown}' has already been defined."));
        }
        hash.insert(key, value);
        Ok(())
    }

    /// `setType`: the type of `key` in the table in scope, or of the table in scope
    /// itself when `key` is empty (BurntSushi files the root's under `""`).
    fn set_type(&mut self, key: &str, typ: TomlType) {
        record_type(&mut self.paths, self.context, key, typ);
    }

    /// Tests: the stack holds what walking the context from the root finds.
    #[cfg(test)]
    fn check_tables(&self) {
        let mut parts = Vec::new();
        let mut at = self.context;
        while at != ROOT {
            parts.push(at);
            at = self.paths.ancestor(at, self.paths.depth(at) - 1);
        }
        parts.reverse();
        assert_eq!(self.tables.len(), parts.len() + 1, "one table per prefix");
        let mut hash = Some(self.mapping.clone());
        for (i, table) in self.tables.iter().enumerate() {
            let walked = match (i, &hash) {
                (0, Some(h)) => Table::Map(h.clone()),
                (_, Some(h)) => {
                    let part = self.paths.part(parts[i - 1]);
                    Table::at(h, part).expect("every part of the context exists")
                }
                (_, None) => panic!("a prefix below one that is no table"),
            };
            match (table, &walked) {
                (Table::Map(a), Table::Map(b)) => assert!(a.ptr_eq(b), "same table"),
                (Table::EmptyArray, Table::EmptyArray) | (Table::Other, Table::Other) => {}
                _ => panic!("stack and walk differ at {i}"),
            }
            hash = match walked {
                Table::Map(m) => Some(m),
                _ => None,
            };
        }
    }
}

/// [`Parser::set_type`] on the parser's parts, for a key the parser holds.
fn record_type(paths: &mut Paths, context: PathId, key: &str, typ: TomlType) {
    let path = if !key.is_empty() || context == ROOT {
        paths.child(context, key)
    } else {
        context
    };
    paths.set_array(path, typ == TomlType::Array);
}

/// A key path as BurntSushi prints it: parts joined by dots, each quoted unless bare.
pub(super) fn key_string<S: AsRef<str>>(parts: &[S]) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        let p = p.as_ref();
        if i > 0 {
            out.push('.');
        }
        if !p.is_empty() && p.chars().all(is_bare_key_char) {
            out.push_str(p);
        } else {
            out.push('"');
            for c in p.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
    }
    out
}

fn strip_first_newline(s: &str) -> &str {
    s.strip_prefix('\n')
        .or_else(|| s.strip_prefix("\r\n"))
        .unwrap_or(s)
}

/// Drops a line-ending backslash and all whitespace after it (multi-line basic strings).
fn strip_escaped_newlines(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(ix) = s[i..].find('\\') {
        i += ix;
        if b.get(i + 1) == Some(&b'\\') {
            i += 2;
            continue;
        }
        let mut j = i + 1;
        while matches!(b.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            j += 1;
        }
        if j == i + 1 || !s[i..j].contains('\n') {
            i += 1;
            continue;
        }
        out.push_str(&s[copied..i]);
        copied = j;
        i = j;
    }
    out.push_str(&s[copied..]);
    out
}

/// Each underscore sits between two hex digits (a superset of the digits allowed).
fn underscores_ok(s: &str) -> bool {
    if matches!(s, "nan" | "+nan" | "-nan" | "inf" | "-inf" | "+inf") {
        return true;
    }
    let mut accept = false;
    for c in s.chars() {
        if c == '_' && !accept {
            return false;
        }
        accept = c.is_ascii_hexdigit();
    }
    accept
}

fn has_leading_zero(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() > 1 && b[0] == b'0' && !matches!(b[1], b'b' | b'o' | b'x'))
        || (b.len() > 2 && matches!(b[0], b'-' | b'+') && b[1] == b'0')
}

fn periods_ok(s: &str) -> bool {
    let mut period = false;
    for c in s.chars() {
        if period && !c.is_ascii_digit() {
            return false;
        }
        period = c == '.';
    }
    !period
}

/// `strconv.ParseInt(s, 0, 64)`: `None` for bad syntax, `Some(Err)` when out of range.
fn parse_go_int(s: &str) -> Option<Result<i64, ()>> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = match body.get(..2) {
        Some("0x" | "0X") => (16, &body[2..]),
        Some("0o" | "0O") => (8, &body[2..]),
        Some("0b" | "0B") => (2, &body[2..]),
        _ => (10, body),
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let mag = u128::from_str_radix(&digits, radix)
        .ok()
        .unwrap_or(u128::MAX);
    let limit = if neg { 1u128 << 63 } else { (1u128 << 63) - 1 };
    if mag > limit {
        return Some(Err(()));
    }
    let mag = i128::try_from(mag).ok()?;
    i64::try_from(if neg { -mag } else { mag }).ok().map(Ok)
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms the lexer lets through; `None`
/// for bad syntax. Overflow comes back infinite (the caller reports it).
fn parse_go_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    if s.len() - body.len() > 1 {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok();
    }
    // Rust accepts a few spellings Go rejects ("1.", ".5" never get here); guard the
    // shape Go takes: digits, optional fraction, optional exponent.
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits_ok = |d: &str| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit());
    let mant_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (digits_ok(a) || a.is_empty())
                && (digits_ok(b) || b.is_empty())
                && !(a.is_empty() && b.is_empty())
        }
        None => digits_ok(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| digits_ok(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !mant_ok || !exp_ok {
        return None;
    }
    s.parse::<f64>().ok()
}
