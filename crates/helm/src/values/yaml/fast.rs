//! A fast path for the plain block YAML that rendered manifests and most values files
//! are written in: block mappings and sequences, one-line plain and quoted scalars,
//! `|`/`>` block scalars, empty `{}`/`[]`, comments.
//!
//! It reads the text line by line and builds the same node arena the event parser
//! does, at a fraction of the cost (the event parser spends thousands of instructions
//! per line). It only accepts what it is sure to read exactly as go-yaml v2 (and our
//! event parser) would: anything else (flow collections, multi-line plain or quoted
//! scalars, anchors, tags, tabs, odd indentation, unusual characters, every syntax
//! error) makes it give up with `None`, and the caller parses the text in full. So
//! errors, and their texts, always come from the full parser.

use std::borrow::Cow;

use super::{Document, Kind, MAX_DECODE_COUNT, Node};

/// Deepest nesting the fast path builds (well below the decoder's depth limit, so a
/// document it accepts never hits that limit).
const MAX_NESTING: usize = 500;
/// The indentation recorded for a flow collection while it is open: it is closed
/// before the next line is looked at.
const FLOW: usize = usize::MAX;
/// Longest key taken here: libyaml refuses simple keys over 1024 characters.
const MAX_KEY_LEN: usize = 1000;

/// The arena of `text`'s first and only document, or `None` when the text is not in
/// the subset this module reads.
pub(super) fn build(text: &str) -> Option<Document<'_>> {
    if !simple_chars(text) {
        return None;
    }
    let mut b = Builder {
        text,
        lines: text.split('\n').collect(),
        cur: 0,
        // About a key and a value per line.
        nodes: Vec::with_capacity(text.len() / 16),
        stack: Vec::with_capacity(16),
        pending: false,
        root: None,
    };
    let mut started = false;
    while b.cur < b.lines.len() {
        let line = b.lines[b.cur];
        b.cur += 1;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if indent == 0 {
            // Helm's reader keeps the `---` that opens a document in the document's
            // text, and openstack-helm's values files close theirs with `...`: both
            // markers alone on their line, the start before any content and the end
            // followed by nothing but comments, read as go-yaml reads them.
            if let Some(after) = rest.strip_prefix("---") {
                if started || b.root.is_some() || !is_line_end(after) {
                    return None;
                }
                started = true;
                continue;
            }
            if let Some(after) = rest.strip_prefix("...") {
                // (Alone, with no document open, go-yaml finds no node content.)
                if !(started || b.root.is_some())
                    || !is_line_end(after)
                    || !b.lines[b.cur..].iter().all(|l| is_comment_line(l))
                {
                    return None;
                }
                break;
            }
            if rest.starts_with('%') {
                return None;
            }
        }
        b.content_line(indent, rest)?;
        if b.nodes.len() as u64 >= MAX_DECODE_COUNT / 2 {
            return None;
        }
    }
    if b.pending {
        b.null_value();
    }
    Some(Document {
        nodes: b.nodes,
        root: b.root,
    })
}

/// Only printable characters that are not line breaks in YAML 1.1 (go-yaml reads
/// U+0085, U+2028 and U+2029 as breaks), no tabs, no carriage returns, no BOM.
fn simple_chars(text: &str) -> bool {
    // Without an early exit, so that it vectorises.
    let bad_byte = text.bytes().fold(false, |bad, b| {
        bad | ((b < 0x20) & (b != b'\n')) | (b == 0x7f)
    });
    !bad_byte
        && (text.is_ascii()
            || text.chars().all(|c| {
                c.is_ascii()
                    || matches!(c, '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
                        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
            }))
}

#[derive(Clone, Copy)]
struct Open {
    node: usize,
    indent: usize,
    seq: bool,
    /// A sequence at its parent mapping's indentation (`key:\n- a`): a key at that
    /// indentation ends it.
    indentless: bool,
}

struct Builder<'a> {
    text: &'a str,
    lines: Vec<&'a str>,
    /// Index of the next line to read.
    cur: usize,
    nodes: Vec<Node<'a>>,
    stack: Vec<Open>,
    /// The last key (or `-`) of the innermost collection still waits for its value.
    pending: bool,
    root: Option<usize>,
}

/// A blank line or a comment line.
fn is_comment_line(line: &str) -> bool {
    let rest = line.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('#')
}

fn is_seq_entry(rest: &str) -> bool {
    rest == "-" || rest.starts_with("- ")
}

/// Text after a scalar: only spaces, then the end of the line or a comment.
fn is_line_end(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

/// Characters that may not start a plain scalar here (`-` is handled by the caller).
fn starts_with_indicator(s: &str) -> bool {
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    match first {
        b'-' => s.len() == 1 || s.as_bytes()[1] == b' ',
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => true,
        _ => false,
    }
}

/// A one-line quoted scalar at the start of `s`: its value and the length it takes.
fn quoted(s: &str) -> Option<(Cow<'_, str>, usize)> {
    // One line only (a root flow collection hands over the rest of the text).
    let s = s.find('\n').map_or(s, |end| &s[..end]);
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'\'' => {
            let mut i = 1;
            let mut escaped = false;
            loop {
                let j = i + s[i..].find('\'')?;
                if bytes.get(j + 1) == Some(&b'\'') {
                    escaped = true;
                    i = j + 2;
                    continue;
                }
                let inner = &s[1..j];
                let value = if escaped {
                    Cow::Owned(inner.replace("''", "'"))
                } else {
                    Cow::Borrowed(inner)
                };
                return Some((value, j + 1));
            }
        }
        b'"' => {
            let end = 1 + s[1..].find(['"', '\\'])?;
            if bytes[end] == b'"' {
                return Some((Cow::Borrowed(&s[1..end]), end + 1));
            }
            // Escapes: only the unambiguous common ones; others go to the full parser
            // (`\/` among them: JSON's, which go-yaml v2 refuses).
            let mut out = String::from(&s[1..end]);
            let mut i = end;
            loop {
                match *bytes.get(i)? {
                    b'"' => return Some((Cow::Owned(out), i + 1)),
                    b'\\' => {
                        let (c, len) = match *bytes.get(i + 1)? {
                            b'\\' => ('\\', 2),
                            b'"' => ('"', 2),
                            b'n' => ('\n', 2),
                            b't' => ('\t', 2),
                            b'r' => ('\r', 2),
                            b'b' => ('\u{8}', 2),
                            b'0' => ('\0', 2),
                            b'x' => (hex_char(s.get(i + 2..i + 4)?)?, 4),
                            b'u' => (hex_char(s.get(i + 2..i + 6)?)?, 6),
                            _ => return None,
                        };
                        out.push(c);
                        i += len;
                    }
                    _ => {
                        let next = i + s[i..].find(['"', '\\'])?;
                        out.push_str(&s[i..next]);
                        i = next;
                    }
                }
            }
        }
        _ => None,
    }
}

/// A one-line plain value: the text up to a comment, without trailing spaces; `None`
/// when a `: ` or a final `:` makes it a mapping (an error here).
fn plain_value(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b':' if bytes.get(i + 1).is_none_or(|&n| n == b' ') => return None,
            b'#' if i > 0 && bytes[i - 1] == b' ' => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    Some(text[..end].trim_end_matches(' '))
}

/// The character of a `\x` or `\u` escape's hex digits (surrogates are not one).
fn hex_char(digits: &str) -> Option<char> {
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(digits, 16).ok()?)
}

/// A mapping entry's key: (key, plain, text after the `:`), or `None` when `rest` is
/// not a simple one-line `key:` entry.
fn split_key(rest: &str) -> Option<(Cow<'_, str>, bool, &str)> {
    if rest.starts_with(['\'', '"']) {
        let (key, len) = quoted(rest)?;
        let after = rest[len..].strip_prefix(':')?;
        if !(after.is_empty() || after.starts_with(' ')) || len > MAX_KEY_LEN {
            return None;
        }
        return Some((key, false, after));
    }
    let bytes = rest.as_bytes();
    let mut colon = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b':' if bytes.get(i + 1).is_none_or(|&n| n == b' ') => {
                colon = Some(i);
                break;
            }
            b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    let colon = colon?;
    let key = &rest[..colon];
    if key.is_empty() || key.ends_with(' ') || starts_with_indicator(key) || colon > MAX_KEY_LEN {
        return None;
    }
    Some((Cow::Borrowed(key), true, &rest[colon + 1..]))
}

impl<'a> Builder<'a> {
    fn line_no(&self) -> usize {
        self.cur
    }

    /// Add a node under the innermost open collection (or as the root).
    fn push(&mut self, kind: Kind<'a>, col: usize) -> usize {
        let idx = self.nodes.len();
        let line = self.line_no();
        self.nodes.push(Node { kind, line, col });
        match self.stack.last() {
            Some(open) => {
                if let Kind::Seq(items) | Kind::Map(items) = &mut self.nodes[open.node].kind {
                    items.push(idx);
                }
            }
            None => self.root = Some(idx),
        }
        idx
    }

    fn open(&mut self, seq: bool, indent: usize, indentless: bool) -> Option<()> {
        if self.stack.len() >= MAX_NESTING {
            return None;
        }
        // Most collections hold a few entries: saves reallocations.
        let items = Vec::with_capacity(8);
        let kind = if seq {
            Kind::Seq(items)
        } else {
            Kind::Map(items)
        };
        let col = if indent == FLOW { 0 } else { indent };
        let node = self.push(kind, col);
        self.stack.push(Open {
            node,
            indent,
            seq,
            indentless,
        });
        Some(())
    }

    fn null_value(&mut self) {
        self.pending = false;
        self.push(
            Kind::Scalar {
                value: Cow::Borrowed(""),
                plain: true,
                tag: None,
            },
            0,
        );
    }

    fn content_line(&mut self, indent: usize, rest: &'a str) -> Option<()> {
        let seq_entry = is_seq_entry(rest);
        if self.pending {
            let owner = *self.stack.last()?;
            if indent > owner.indent {
                self.pending = false;
                if !seq_entry && split_key(rest).is_none() {
                    // A one-line scalar on the next line: a line after it indented
                    // more than `owner` would continue it, and finds no open
                    // collection at its indentation, so it is declined.
                    return self.value(rest, indent);
                }
                // The value is a collection on the following lines.
                self.open(seq_entry, indent, false)?;
                return self.entry(indent, rest);
            }
            if indent == owner.indent && !owner.seq && seq_entry {
                self.pending = false;
                self.open(true, indent, true)?;
                return self.entry(indent, rest);
            }
            self.null_value();
        }
        while let Some(top) = self.stack.last() {
            if top.indent > indent || (top.indent == indent && top.indentless && !seq_entry) {
                self.stack.pop();
            } else {
                break;
            }
        }
        match self.stack.last() {
            Some(top) if top.indent == indent => {}
            Some(_) => return None,
            // A JSON document: a flow collection over many lines.
            None if self.root.is_none() && rest.starts_with(['{', '[']) => {
                return self.flow_value(rest, true);
            }
            None if self.root.is_none() => self.open(seq_entry, indent, false)?,
            // Content after the root collection ended.
            None => return None,
        }
        self.entry(indent, rest)
    }

    /// An entry of the innermost collection, which sits at column `col`.
    fn entry(&mut self, mut col: usize, mut rest: &'a str) -> Option<()> {
        loop {
            let top = *self.stack.last()?;
            if top.seq {
                if !is_seq_entry(rest) {
                    return None;
                }
                let after = &rest[1..];
                let item = after.trim_start_matches(' ');
                let item_col = col + 1 + (after.len() - item.len());
                if item.is_empty() || item.starts_with('#') {
                    self.pending = true;
                    return Some(());
                }
                if is_seq_entry(item) {
                    self.open(true, item_col, false)?;
                } else if split_key(item).is_some() {
                    self.open(false, item_col, false)?;
                } else {
                    return self.value(item, item_col);
                }
                (col, rest) = (item_col, item);
            } else {
                let (key, plain, after) = split_key(rest)?;
                self.push(
                    Kind::Scalar {
                        value: key,
                        plain,
                        tag: None,
                    },
                    col,
                );
                let value = after.trim_start_matches(' ');
                if value.is_empty() || value.starts_with('#') {
                    self.pending = true;
                    return Some(());
                }
                let value_col = col + (rest.len() - value.len());
                return self.value(value, value_col);
            }
        }
    }

    /// A scalar (or empty flow collection) value starting at `text`.
    fn value(&mut self, text: &'a str, col: usize) -> Option<()> {
        let scalar = |value: Cow<'a, str>, plain: bool| Kind::Scalar {
            value,
            plain,
            tag: None,
        };
        let kind = match text.as_bytes()[0] {
            b'\'' | b'"' => {
                let (value, len) = quoted(text)?;
                if !is_line_end(&text[len..]) {
                    return None;
                }
                scalar(value, false)
            }
            b'|' | b'>' => scalar(Cow::Owned(self.block_scalar(text)?), false),
            b'[' | b'{' => return self.flow_value(text, false),
            _ => {
                if starts_with_indicator(text) {
                    return None;
                }
                scalar(Cow::Borrowed(plain_value(text)?), true)
            }
        };
        self.push(kind, col);
        Some(())
    }

    /// A `|` or `>` block scalar whose header is `header`: reads its lines and returns
    /// its value. Keep chomping (`+`), indentation indicators, folded leading empty
    /// lines, more-indented folded lines and empty lines with more spaces than the
    /// indentation are left to the full parser.
    fn block_scalar(&mut self, header: &str) -> Option<String> {
        let folded = header.starts_with('>');
        let mut rest = &header[1..];
        let strip = rest.starts_with('-');
        if strip {
            rest = &rest[1..];
        }
        if !(rest.is_empty() || is_line_end(rest)) {
            return None;
        }
        let owner_indent = self.stack.last()?.indent;
        let mut indent: Option<usize> = None;
        let mut out = String::new();
        let mut empties = 0usize;
        let mut leading_spaces = 0;
        let mut last_content = None;
        while self.cur < self.lines.len() {
            let line = self.lines[self.cur];
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if spaces == line.len() {
                match indent {
                    Some(k) if spaces > k => return None,
                    // Leading empty lines: literal only (they are kept as breaks).
                    None if folded => return None,
                    None => leading_spaces = leading_spaces.max(spaces),
                    Some(_) => {}
                }
                empties += 1;
                self.cur += 1;
                continue;
            }
            let k = match indent {
                None => {
                    if spaces < owner_indent + 2 || leading_spaces > spaces {
                        return None;
                    }
                    out.extend(std::iter::repeat_n('\n', empties));
                    empties = 0;
                    indent = Some(spaces);
                    spaces
                }
                Some(k) if spaces < k => break,
                Some(k) => k,
            };
            if folded && spaces > k {
                return None;
            }
            if last_content.is_some() {
                if folded && empties == 0 {
                    out.push(' ');
                } else {
                    let breaks = if folded { empties } else { empties + 1 };
                    out.extend(std::iter::repeat_n('\n', breaks));
                }
            }
            out.push_str(&line[k..]);
            empties = 0;
            last_content = Some(self.cur);
            self.cur += 1;
        }
        // Clipping keeps the final break, if the last line has one: go-yaml adds none
        // where the input ends (Helm's `fromYaml "a: |\n  x"` is `x`).
        let last = last_content?;
        if !strip && last + 1 < self.lines.len() {
            out.push('\n');
        }
        Some(out)
    }

    /// A flow collection starting at `text` (within the current line). Plain scalars
    /// in it are limited to characters with no meaning in flow context, pairs need
    /// `: `, and no trailing commas or comments; only a root collection (a JSON
    /// document) may span lines.
    fn flow_value(&mut self, text: &'a str, multiline: bool) -> Option<()> {
        let start = text.as_ptr() as usize - self.text.as_ptr() as usize;
        let mut flow = Flow {
            text: self.text,
            pos: start,
            multiline,
        };
        let base = self.stack.len();
        self.flow_node(&mut flow)?;
        debug_assert_eq!(self.stack.len(), base);
        let consumed = &self.text[start..flow.pos];
        self.cur += consumed.matches('\n').count();
        let line_end = self.text[flow.pos..]
            .find('\n')
            .map_or(self.text.len(), |n| flow.pos + n);
        is_line_end(&self.text[flow.pos..line_end]).then_some(())
    }

    fn flow_node(&mut self, flow: &mut Flow<'a>) -> Option<()> {
        let bytes = flow.text.as_bytes();
        match *bytes.get(flow.pos)? {
            open @ (b'[' | b'{') => {
                let seq = open == b'[';
                let close = if seq { b']' } else { b'}' };
                self.open(seq, FLOW, false)?;
                flow.pos += 1;
                flow.space()?;
                if bytes.get(flow.pos) == Some(&close) {
                    flow.pos += 1;
                    self.stack.pop();
                    return Some(());
                }
                loop {
                    if seq {
                        self.flow_node(flow)?;
                    } else {
                        self.flow_scalar(flow)?;
                        flow.space()?;
                        if bytes.get(flow.pos) != Some(&b':') {
                            return None;
                        }
                        flow.pos += 1;
                        if !matches!(bytes.get(flow.pos), Some(b' ' | b'\n')) {
                            return None;
                        }
                        flow.space()?;
                        self.flow_node(flow)?;
                    }
                    flow.space()?;
                    match *bytes.get(flow.pos)? {
                        b',' => {
                            flow.pos += 1;
                            flow.space()?;
                            if matches!(bytes.get(flow.pos), Some(b']' | b'}')) {
                                return None;
                            }
                        }
                        b if b == close => {
                            flow.pos += 1;
                            self.stack.pop();
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => self.flow_scalar(flow),
        }
    }

    fn flow_scalar(&mut self, flow: &mut Flow<'a>) -> Option<()> {
        // A `?` ends a plain scalar in flow context for go-yaml v2 (then fails as a
        // misplaced key indicator), so a scalar running into one is declined.
        let rest = &flow.text[flow.pos..];
        let (value, plain, len) = if rest.starts_with(['\'', '"']) {
            let (value, len) = quoted(rest)?;
            (value, false, len)
        } else {
            let len = rest
                .find([',', '[', ']', '{', '}', ':', '#', '\n', '\'', '"', '?'])
                .unwrap_or(rest.len());
            let value = rest[..len].trim_end_matches(' ');
            if value.is_empty() || starts_with_indicator(value) || value.contains("  ") {
                return None;
            }
            (Cow::Borrowed(value), true, len)
        };
        flow.pos += len;
        self.push(
            Kind::Scalar {
                value,
                plain,
                tag: None,
            },
            0,
        );
        Some(())
    }
}

/// A cursor over a flow collection.
struct Flow<'a> {
    text: &'a str,
    pos: usize,
    multiline: bool,
}

impl Flow<'_> {
    /// Skips spaces (and line breaks when multi-line); `None` at a document marker.
    fn space(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b' ' => self.pos += 1,
                b'\n' if self.multiline => {
                    self.pos += 1;
                    let next = &self.text[self.pos..];
                    if next.starts_with("---") || next.starts_with("...") {
                        return None;
                    }
                }
                _ => break,
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use gotmpl::value::Value;
    use proptest::prelude::*;

    use super::super::{
        Rules, decode, head::json_field_matches, head::parse_manifest_head, load, load_full,
    };
    use crate::values::ValuesError;

    /// The full path (go-yaml's replayed events, the event parser for errors).
    fn full(text: &str) -> Result<Value, ValuesError> {
        full_with(text, false)
    }

    fn full_with(text: &str, go_ints: bool) -> Result<Value, ValuesError> {
        let rules = Rules {
            go_ints,
            ..Rules::default()
        };
        load_full(text, "t", rules)
    }

    fn fast(text: &str) -> Option<Result<Value, ValuesError>> {
        super::build(text).map(|doc| decode(&doc, "t", Rules::default()))
    }

    /// What SortManifests reads of a fully loaded document: the keys matching
    /// SimpleHead's fields in any case.
    fn head_of(v: &Value) -> Value {
        let pick = |m: &gotmpl::value::Map, fields: &[&str]| {
            let out = gotmpl::value::Map::new();
            for (k, x) in m.entries() {
                if fields.iter().any(|f| json_field_matches(&k, f)) {
                    out.insert(k, x);
                }
            }
            out
        };
        let Some(m) = v.as_map() else {
            return v.clone();
        };
        let out = pick(m, &["apiVersion", "kind", "metadata"]);
        for (k, meta) in out.entries() {
            if json_field_matches(&k, "metadata")
                && let Some(mm) = meta.as_map()
            {
                out.insert(k, Value::Map(pick(mm, &["name", "annotations"])));
            }
        }
        Value::Map(out)
    }

    /// The fast reader either declines or agrees with the full parser; `load` and the
    /// manifest head always agree with it.
    fn check(text: &str) -> Result<(), TestCaseError> {
        let slow = full(text);
        if let Some(Ok(f)) = fast(text) {
            prop_assert_eq!(Ok(f), slow.clone(), "fast path differs on {:?}", text);
        }
        prop_assert_eq!(load(text, "t"), slow.clone(), "load differs on {:?}", text);
        let head = parse_manifest_head(text);
        // Heads keep go-yaml's integers.
        let slow_head = full_with(text, true);
        match (&slow_head, &head) {
            (Ok(v), Ok(h)) => prop_assert_eq!(head_of(v), head_of(h), "head of {:?}", text),
            (Err(_), Err(_)) => prop_assert_eq!(
                head.clone().map_err(|e| e.to_string()),
                parse_manifest_head_full(text),
                "head error of {:?}",
                text
            ),
            _ => prop_assert!(false, "head {:?} vs full {:?} on {:?}", head, slow, text),
        }
        Ok(())
    }

    fn parse_manifest_head_full(text: &str) -> Result<Value, String> {
        super::super::parse_yaml_value(text).map_err(|e| e.to_string())
    }

    fn accepted(text: &str) -> Value {
        match fast(text) {
            Some(Ok(v)) => {
                assert_eq!(Ok(v.clone()), full(text), "{text:?}");
                v
            }
            other => panic!("fast path declined {text:?}: {other:?}"),
        }
    }

    #[test]
    fn reads_manifest_shapes() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # c\n  \
                    labels:\n    app.kubernetes.io/name: \"web\"\n  annotations: {}\nspec:\n  \
                    replicas: 3\n  template:\n    spec:\n      containers:\n      - name: c\n        \
                    args:\n        - --v=2\n        - 'it''s'\n        env: []\n      - image: \
                    x:1\n        command:\n          - sh\n";
        let v = accepted(text);
        assert!(v.as_map().is_some());
        accepted(
            "a:\n- b: |\n    line1\n\n    line2\n  c: >-\n    folded\n    text\n\n    para\nd: 1\n",
        );
        accepted("- - a\n  - b\n- c:\n  d: e\n-\n- \"x\\\"y\"\n");
        accepted("# only\n\n");
        accepted("  a: 1\n  b:\n");
        accepted("a: [1, 'x', \"y\\u0026\"]\nb: {c: {d: [e, f]}, g: h i}\nk:\n  null\n");
        accepted("{\n  \"a\": {\"b\": [1, 2.5, true, null]},\n  \"c\": \"d\"\n}\n");
        accepted("a: |\n\n  after an empty line\nb: |\n  no final break");
        // Document markers as openstack-helm's values files use them.
        accepted("---\na: 1\nb:\n  - c\n...\n");
        accepted("# licence\n\n--- # start\nkey: |\n  text\n\n...\n# end\n\n");
        accepted("---\nk:\n... # done\n");
        accepted("---\n");
        accepted("a:\n- |-\n  x\n...");
    }

    #[test]
    fn declines_what_it_does_not_read_exactly() {
        for text in [
            "a: 'multi\n  line'\n",
            "a: plain\n  continued\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a:\tb\n",
            "a: b\u{85}c\n",
            "a: b\u{2028}c\n",
            "a: |+\n  keep\n",
            "a: |2\n  x\n",
            "a: >\n  x\n    more\n",
            "---\n---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "--- a: 1\n",
            "---#c\na: 1\n",
            "a: 1\n...\nb: 2\n",
            "a: 1\n... x\n",
            "...\n",
            "# c\n...\n",
            "%YAML 1.1\n---\na: 1\n",
            "a: b: c\n",
            "a: 1\n b: 2\n",
            "- a\nb: 1\n",
            "? a\n: b\n",
            "a: \"\\ud83d\"\n",
            "a: \"\\q\"\n",
            "a: {b: [1, 2],}\n",
            "a: {b: c\n  d: e}\n",
            "a: [b\n",
            "just text\n",
        ] {
            assert!(super::build(text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let deep = "- ".repeat(20_000) + "x\n";
        assert!(super::build(&deep).is_none());
        let mut stairs = String::new();
        for i in 0..2_000 {
            stairs.push_str(&" ".repeat(i));
            stairs.push_str("k:\n");
        }
        assert!(super::build(&stairs).is_none());
        assert!(load(&stairs, "t").is_err() || load(&stairs, "t").is_ok());
        let flows = "a: ".to_string() + &"[".repeat(20_000) + &"]".repeat(20_000) + "\n";
        assert!(super::build(&flows).is_none());
        let json = "[".repeat(20_000) + "\n" + &"]".repeat(20_000);
        assert!(super::build(&json).is_none());
    }

    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "a",
            "b",
            "kind",
            "apiVersion",
            "metadata",
            "name",
            "annotations",
            "helm.sh/hook",
            "1",
            "1.5",
            "0x10",
            "~",
            "null",
            "<<",
            "'q'",
            "'it''s'",
            "\"k\"",
            "\"a\\\"b\"",
            "y",
            "a b",
            "-a",
            "a:b",
            "99999999999999999999",
            "18446744073709551615",
            "x #y",
            "?x",
            "&a b",
            "a ",
            "\"\"",
            "''",
        ])
        .prop_map(String::from)
    }

    fn value() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "",
            "a",
            "yes",
            "1",
            "-1",
            "1e999",
            ".inf",
            "-.Inf",
            ".nan",
            "~",
            "null",
            "<<",
            "a:b",
            "a: b",
            "a:",
            "a #c",
            "a#c",
            "'q''x'",
            "'open",
            "\"d\\n\\t\\/\"",
            "\"e\\u0041\\x42\\ud83d\"",
            "\"\\u00e9\\r\\b\\0\\q\"",
            "|",
            "|-",
            ">",
            ">-",
            "|+",
            "|2",
            "| #c",
            "|x",
            "{}",
            "[]",
            "[a]",
            "{a: 1}",
            "&x a",
            "*x",
            "!!str a",
            "? a",
            "- ",
            "-",
            "#c",
            ": ",
            "%",
            "\t",
            "\u{85}",
            "\u{2028}",
            "ü",
            "0x10",
            "1.5",
            "2001-12-14",
            "99999999999999999999",
            "-9223372036854775809",
            "@x",
            "`x",
            "x  ",
            "- a",
            "'a' b",
            "\"a\" #c",
        ])
        .prop_map(String::from)
    }

    fn line() -> impl Strategy<Value = String> {
        let indent = prop::sample::select(vec![0usize, 0, 0, 1, 2, 2, 2, 3, 4, 4, 6]);
        let shape = prop::sample::select(vec![0u8, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8]);
        (indent, shape, key(), value()).prop_map(|(n, shape, k, v)| {
            let pad = " ".repeat(n);
            match shape {
                0 => format!("{pad}{k}: {v}"),
                1 => format!("{pad}- {v}"),
                2 => format!("{pad}- {k}: {v}"),
                3 => format!("{pad}{k}:"),
                4 => format!("{pad}# {v}"),
                5 => pad,
                // Document markers, sometimes with what may or may not follow them.
                7 => format!("{pad}---{}", if v.is_empty() { "" } else { " #c" }),
                8 => format!(
                    "{pad}...{}",
                    if v.starts_with('#') { v.as_str() } else { "" }
                ),
                _ => format!("{pad}{v}"),
            }
        })
    }

    /// A tree rendered as block YAML in the styles charts and toYaml use.
    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(String),
        Block(String),
        Map(Vec<(String, Tree)>),
        Seq(Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let block = prop::sample::select(vec![
            "|\n#line1\n#line2\n",
            "|-\n#a\n\n#  b\n",
            ">\n#a\n#b\n\n#c\n",
            ">-\n#x\n",
            "|\n#a\n  \n#b\n",
            "|\n#a\n#    more\n",
            "|-\n# lead\n",
        ])
        .prop_map(|s| Tree::Block(s.to_string()));
        let good = prop::sample::select(vec![
            "a",
            "yes",
            "1",
            "-1",
            "~",
            "'q''x'",
            "\"d\\n\"",
            "a #c",
            "x:y",
            "1.5",
            "ü",
            "\"\"",
            "''",
            "2001-12-14",
            "0x10",
            "<<",
            "a b  ",
            "http://x/y?z=1#f",
            "-x",
        ])
        .prop_map(|s| Tree::Scalar(s.to_string()));
        let leaf = prop_oneof![
            8 => good,
            1 => value().prop_map(Tree::Scalar),
            2 => block
        ];
        let good_key = prop::sample::select(vec![
            "a",
            "b",
            "kind",
            "apiVersion",
            "metadata",
            "name",
            "annotations",
            "helm.sh/hook",
            "'q'",
            "\"k\"",
            "y",
            "1",
        ])
        .prop_map(String::from);
        let any_key = prop_oneof![8 => good_key, 1 => key()];
        leaf.prop_recursive(5, 40, 5, move |inner| {
            prop_oneof![
                prop::collection::vec((any_key.clone(), inner.clone()), 0..5).prop_map(Tree::Map),
                prop::collection::vec(inner, 0..5).prop_map(Tree::Seq),
            ]
        })
    }

    /// Renders `t` as the value after `key:` / `-`; `style` picks indent steps and
    /// indentless or compact forms.
    fn render(t: &Tree, indent: usize, style: &[u8], n: &mut usize, out: &mut String) {
        fn pick(style: &[u8], n: &mut usize, m: u8) -> u8 {
            *n += 1;
            style[*n % style.len()] % m
        }
        let step = 1 + pick(style, n, 4) as usize;
        match t {
            Tree::Scalar(s) => {
                out.push(' ');
                out.push_str(s);
                out.push('\n');
            }
            Tree::Block(b) => {
                out.push(' ');
                let pad = " ".repeat(indent + step + 1);
                out.push_str(&b.replace('#', &pad));
            }
            Tree::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
            Tree::Seq(items) if items.is_empty() => out.push_str(" []\n"),
            Tree::Map(entries) => {
                out.push('\n');
                let pad = " ".repeat(indent + step);
                for (k, v) in entries {
                    out.push_str(&format!("{pad}{k}:"));
                    render(v, indent + step, style, n, out);
                }
            }
            Tree::Seq(items) => {
                out.push('\n');
                let inner = if pick(style, n, 2) == 0 {
                    indent
                } else {
                    indent + step
                };
                let pad = " ".repeat(inner);
                for item in items {
                    out.push_str(&format!("{pad}-"));
                    match item {
                        Tree::Map(entries) if !entries.is_empty() && pick(style, n, 3) > 0 => {
                            // Compact: `- k: v` with the rest under it.
                            for (i, (k, v)) in entries.iter().enumerate() {
                                let lead = if i == 0 {
                                    " ".to_string()
                                } else {
                                    " ".repeat(inner + 2)
                                };
                                out.push_str(&format!("{lead}{k}:"));
                                render(v, inner + 2, style, n, out);
                            }
                        }
                        other => render(other, inner, style, n, out),
                    }
                }
            }
        }
    }

    fn structured() -> impl Strategy<Value = String> {
        (
            prop::collection::vec((key(), tree()), 0..6),
            prop::collection::vec(any::<u8>(), 1..16),
            any::<bool>(),
        )
            .prop_map(|(entries, style, trim)| {
                let mut out = String::new();
                // Sometimes inside document markers, as openstack-helm writes values.
                let markers = style[0] % 3 == 0;
                if markers {
                    out.push_str("# header\n---\n");
                }
                let mut n = 0;
                for (k, v) in &entries {
                    out.push_str(&format!("{k}:"));
                    render(v, 0, &style, &mut n, &mut out);
                }
                if trim {
                    out.pop();
                } else if markers {
                    out.push_str("...\n");
                }
                out
            })
    }

    /// Flow collections, one-line under a key or as a multi-line JSON-like root,
    /// sometimes with one character dropped.
    fn flow_document() -> impl Strategy<Value = String> {
        let atom = prop::sample::select(vec![
            "a",
            "a b",
            "-1",
            "1e3",
            "~",
            "true",
            "'q''x'",
            "\"d\\n\\u00e9\"",
            "\"\"",
            "x:y",
            "http://h",
            "a#b",
            "1.5",
            "null",
            "-",
            "? x",
            "!t",
            "&a",
            "*a",
            "'",
            "\"",
        ])
        .prop_map(String::from);
        let tree = atom.clone().prop_recursive(4, 24, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(", "))),
                prop::collection::vec((atom.clone(), inner), 0..4).prop_map(|pairs| {
                    let body: Vec<String> = pairs
                        .into_iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect();
                    format!("{{{}}}", body.join(", "))
                }),
            ]
        });
        (tree, any::<bool>(), any::<Option<prop::sample::Index>>()).prop_map(
            |(flow, root, drop)| {
                let mut text = if root {
                    flow.replace(", ", ",\n  ") + "\n"
                } else {
                    format!("k: {flow}\nafter: 1\n")
                };
                if let Some(i) = drop {
                    let at = i.index(text.len());
                    if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                        text.remove(at);
                    }
                }
                text
            },
        )
    }

    fn document() -> impl Strategy<Value = String> {
        (prop::collection::vec(line(), 0..14), any::<bool>()).prop_map(|(lines, nl)| {
            let mut text = lines.join("\n");
            if nl {
                text.push('\n');
            }
            text
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn agrees_with_the_full_parser(text in document()) {
            check(&text)?;
        }

        #[test]
        fn agrees_on_structured_documents(text in structured()) {
            check(&text)?;
        }

        #[test]
        fn agrees_on_flow_collections(text in flow_document()) {
            check(&text)?;
        }

        #[test]
        fn never_panics_on_any_text(text in "[ -~\n\tü\u{85}\u{2028}]{0,80}") {
            check(&text)?;
        }
    }
}
