//! Helm's `toYaml`: sigs.k8s.io/yaml.Marshal, i.e. encoding/json, then go-yaml v2
//! reading that JSON and printing it with its libyaml-derived emitter.
//!
//! The JSON step decides the numbers (a float64 `1e6` is JSON `1000000`, which go-yaml
//! reads back as an int); the emitter decides everything else: natural key order, block
//! style with sequences not indented under their key, `{}`/`[]` for empty collections,
//! plain/single/double quoting, `|` literals for multi-line strings, and folding of long
//! scalars past column 80.

use std::cmp::Ordering;

use base64::Engine as _;
use gotmpl::gounicode::{is_digit, is_letter};
use gotmpl::stack::{ContainerPath, grow};
use gotmpl::value::{RawString, Value};
use std::sync::Arc;

use super::PrintError;
use super::gofloat::{format_g, format_json};
use super::resolve::{Resolved, is_base60_float, resolve_plain};

/// go-yaml v2 refuses JSON nested deeper than this when sigs.k8s.io/yaml reads it
/// back, so `toYaml` fails there as Helm's does. The other printers take any depth.
pub(crate) const MAX_YAML_DEPTH: usize = 10_000;

/// Values as the JSON round trip leaves them, ready for go-yaml's encoder.
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// A plain scalar already in go-yaml's printed form: an integer or float, or (v3)
    /// a `time.Time` in RFC 3339.
    Number(String),
    /// Shared with the value printed when the text needs no change (no copy).
    Str(Arc<str>),
    /// A Go string that is not UTF-8: goyaml.v3 writes it as `!!binary` base64,
    /// encoding/json with `\ufffd` for each invalid byte.
    Raw(Arc<RawString>),
    Seq(Vec<Node>),
    /// Keys in go-yaml's sort order.
    Map(Vec<(String, Node)>),
}

/// Frees a tree of any depth without recursing (the derived drop would recurse once
/// per level).
impl Drop for Node {
    fn drop(&mut self) {
        let mut work = match self {
            Node::Seq(items) if items.iter().any(Node::nests) => std::mem::take(items),
            Node::Map(pairs) if pairs.iter().any(|(_, v)| v.nests()) => {
                std::mem::take(pairs).into_iter().map(|(_, v)| v).collect()
            }
            _ => return,
        };
        while let Some(mut node) = work.pop() {
            match &mut node {
                Node::Seq(items) => work.append(items),
                Node::Map(pairs) => work.extend(std::mem::take(pairs).into_iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }
}

impl Node {
    fn nests(&self) -> bool {
        matches!(self, Node::Seq(items) if !items.is_empty())
            || matches!(self, Node::Map(pairs) if !pairs.is_empty())
    }
}

/// Helm's `toYaml` (`mustToYaml` returns the error; `toYaml` prints "" on error).
pub fn to_yaml(value: &Value) -> Result<String, PrintError> {
    let node = to_node(value, &mut ContainerPath::new(), true)?;
    Ok(emit(&node, Dialect::V2))
}

/// Helm's `toYamlPretty`: goyaml.v3's encoder with `SetIndent(2)` straight over the
/// Go values (no JSON step), so numbers keep their Go type (a float64 `1e7` prints
/// `1e+07`), sequences are indented under their key and long scalars are not folded.
/// Helm prints "" when the encoder fails (here: a cycle or too deep nesting).
pub fn to_yaml_pretty(value: &Value) -> Result<String, PrintError> {
    let node = to_node_v3(value, &mut ContainerPath::new())?;
    Ok(emit(&node, Dialect::V3))
}

fn emit(node: &Node, dialect: Dialect) -> String {
    let mut emitter = Emitter::new(dialect);
    emitter.node(node, false, false);
    emitter.document_end();
    let mut out = emitter.out;
    // Helm: strings.TrimSuffix(string(data), "\n")
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Runs `body` with the list or map `value` on the path from the root (on a stack
/// that grows as needed): finding it on the path already means the value contains
/// itself, which Go's encoders reject rather than recurse forever.
pub(crate) fn within_container<T>(
    path: &mut ContainerPath,
    value: &Value,
    body: impl FnOnce(&mut ContainerPath) -> Result<T, PrintError>,
) -> Result<T, PrintError> {
    if !ContainerPath::id(value).is_some_and(|id| path.enter(id)) {
        return Err(PrintError::Cycle(value.type_name()));
    }
    let result = grow(|| body(path));
    path.leave();
    result
}

/// Go's `time.RFC3339Nano` layout.
pub(crate) const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// `t.Format(layout)` of a `time.Time` object.
pub(crate) fn go_time_format(t: &dyn gotmpl::Object, layout: &str) -> Option<String> {
    t.call_method("Format", &[Value::str(layout)])
        .and_then(Result::ok)
        .and_then(|v| v.as_str().map(str::to_string))
}

/// A value as goyaml.v3 encodes it from Go values: ints in decimal, floats with
/// `'g'` and `.inf`/`.nan`, map keys in v3's natural order.
fn to_node_v3(value: &Value, stack: &mut ContainerPath) -> Result<Node, PrintError> {
    Ok(match value {
        Value::Nil => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Node::Number(i.to_string()),
        Value::Uint8(u) => Node::Number(u.to_string()),
        Value::Uint64(u) => Node::Number(u.to_string()),
        Value::Float(f) => Node::Number(match format_g(*f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        }),
        Value::String(s) => Node::Str(s.clone()),
        Value::RawString(r) => Node::Raw(r.clone()),
        // goyaml.v3 has no special case for `[]byte`: a sequence of `uint8`s.
        Value::Bytes(b) => Node::Seq(b.iter().map(|x| Node::Number(x.to_string())).collect()),
        Value::List(l) => within_container(stack, value, |stack| {
            let items = l.to_vec();
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                out.push(to_node_v3(item, stack)?);
            }
            Ok(Node::Seq(out))
        })?,
        Value::Map(m) => within_container(stack, value, |stack| {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m.entries() {
                out.push((k, to_node_v3(&v, stack)?));
            }
            out.sort_by(|a, b| natural_cmp_by(&a.0, &b.0, Dialect::V3));
            Ok(Node::Map(out))
        })?,
        Value::Object(o) if let Some(v) = o.yaml_v3() => grow(|| to_node_v3(&v, stack))?,
        // goyaml.v3 writes a time.Time as a plain RFC 3339 scalar (never quoted).
        Value::Object(o) if o.type_name() == "time.Time" => {
            Node::Number(go_time_format(o.as_ref(), RFC3339_NANO).unwrap_or_default())
        }
        // goyaml.v3 keys a struct by its lowercased Go field names, in declaration order.
        Value::Object(o) => match o.go_fields() {
            Some(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for (k, v) in fields {
                    out.push((k.to_lowercase(), grow(|| to_node_v3(&v, stack))?));
                }
                Node::Map(out)
            }
            None => match o.to_value() {
                Some(v) => grow(|| to_node_v3(&v, stack))?,
                None => Node::Null,
            },
        },
    })
}

/// Convert a value as encoding/json would serialise it (shared with `toJson`).
/// `yaml_numbers` applies go-yaml's reading of the JSON number text.
pub(crate) fn to_node(
    value: &Value,
    stack: &mut ContainerPath,
    yaml_numbers: bool,
) -> Result<Node, PrintError> {
    if let Some(leaf) = leaf_node(value, yaml_numbers) {
        return leaf;
    }
    if yaml_numbers && value.is_container() && stack.len() >= MAX_YAML_DEPTH {
        return Err(PrintError::YamlDepth(MAX_YAML_DEPTH));
    }
    Ok(match value {
        Value::List(l) => within_container(stack, value, |stack| {
            let items = l.to_vec();
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                out.push(to_node(item, stack, yaml_numbers)?);
            }
            Ok(Node::Seq(out))
        })?,
        Value::Map(m) => within_container(stack, value, |stack| {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m.entries() {
                if yaml_numbers && k.contains('\u{85}') {
                    // sigs.k8s.io/yaml re-reads the JSON with go-yaml, which takes the raw
                    // NEL for a line break inside an implicit key and fails.
                    return Err(PrintError::Yaml(
                        "a map key contains U+0085 (NEL), which go-yaml reads as a line break"
                            .to_string(),
                    ));
                }
                if yaml_numbers && k.chars().any(yaml_v2_rejects) {
                    return Err(control_characters());
                }
                out.push((k, to_node(&v, stack, yaml_numbers)?));
            }
            if yaml_numbers {
                out.sort_by(|a, b| natural_cmp(&a.0, &b.0));
            }
            Ok(Node::Map(out))
        })?,
        // encoding/json writes a struct's fields in declaration order; sigs.k8s.io/yaml
        // then sorts them with the other map keys.
        Value::Object(o) => match o.json_fields() {
            Some(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for (k, v) in fields {
                    out.push((k, grow(|| to_node(&v, stack, yaml_numbers))?));
                }
                if yaml_numbers {
                    out.sort_by(|a, b| natural_cmp(&a.0, &b.0));
                }
                Node::Map(out)
            }
            None => match o.to_value() {
                Some(v) => grow(|| to_node(&v, stack, yaml_numbers))?,
                None => Node::Null,
            },
        },
        // `leaf_node` took every value that holds no others.
        other => return Err(PrintError::UnsupportedValue(other.type_name())),
    })
}

/// [`to_node`] of a value that holds no others (or `None`). Kept out of line so the
/// recursion's frames stay small: deeply nested values must print within a thread's
/// stack.
#[inline(never)]
fn leaf_node(value: &Value, yaml_numbers: bool) -> Option<Result<Node, PrintError>> {
    Some(Ok(match value {
        Value::Nil => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Node::Number(i.to_string()),
        Value::Uint8(u) => Node::Number(u.to_string()),
        Value::Uint64(u) => Node::Number(u.to_string()),
        Value::Float(f) => {
            if !f.is_finite() {
                return Some(Err(PrintError::UnsupportedValue(format_g(*f))));
            }
            let json = format_json(*f);
            if yaml_numbers {
                Node::Number(yaml_number(&json))
            } else {
                Node::Number(json)
            }
        }
        Value::String(s) if yaml_numbers && s.chars().any(yaml_v2_rejects) => {
            return Some(Err(control_characters()));
        }
        Value::String(s) if yaml_numbers && s.contains('\u{85}') => {
            Node::Str(fold_raw_breaks(s).into())
        }
        Value::String(s) => Node::Str(s.clone()),
        // encoding/json writes each invalid byte as `\ufffd`, which go-yaml reads back
        // as U+FFFD: from there on it is the decoded text.
        Value::RawString(r) if yaml_numbers => {
            let text = r.text();
            if text.chars().any(yaml_v2_rejects) {
                return Some(Err(control_characters()));
            }
            Node::Str(fold_raw_breaks(text).into())
        }
        Value::RawString(r) => Node::Raw(r.clone()),
        Value::Bytes(b) => Node::Str(base64::engine::general_purpose::STANDARD.encode(b).into()),
        // encoding/json writes Go's nil map as null (an absent `.Chart.Annotations`).
        Value::Map(m) if m.is_nil_map() => Node::Null,
        Value::List(l) if l.is_nil_slice() => Node::Null,
        Value::Object(o)
            if o.type_name() == "time.Time"
                && let Some(e) = gotmpl::sprig::json_time_error(o.as_ref()) =>
        {
            return Some(Err(PrintError::Marshal(e)));
        }
        _ => return None,
    }))
}

/// goyaml.v3's `encodeBase64`: standard base64 in lines of 70 characters, each
/// ending in a line break, unless the whole text fits on one line (no break then).
fn binary_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        // Base64 is ASCII, so any index is a character boundary.
        let (line, tail) = rest.split_at(rest.len().min(LINE));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out
}

/// Characters encoding/json writes raw that go-yaml v2's reader refuses when
/// sigs.k8s.io/yaml reads the JSON back (DEL, C1 controls but NEL, U+FFFE/U+FFFF).
fn yaml_v2_rejects(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

fn control_characters() -> PrintError {
    PrintError::Yaml("control characters are not allowed".to_string())
}

/// What go-yaml makes of a JSON string it reads back: encoding/json leaves NEL (U+0085)
/// unescaped, and go-yaml (YAML 1.1) takes a raw NEL inside a quoted scalar for a line
/// break and folds it: spaces around the run vanish, a lone break becomes a space, and
/// each further break becomes a newline.
fn fold_raw_breaks(s: &str) -> String {
    if !s.contains('\u{85}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != ' ' && chars[i] != '\u{85}' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            i += 1;
        }
        let run = &chars[start..i];
        let breaks = run.iter().filter(|&&c| c == '\u{85}').count();
        match breaks {
            0 => out.extend(run),
            1 => out.push(' '),
            n => out.extend(std::iter::repeat_n('\n', n - 1)),
        }
    }
    out
}

/// How go-yaml prints the number it reads from JSON text.
fn yaml_number(json: &str) -> String {
    match resolve_plain(json) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => match format_g(f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            s => s.to_string(),
        },
        _ => json.to_string(),
    }
}

/// go-yaml's key order: runs of digits compare as numbers, letters sort before
/// non-letters, and otherwise by code point.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp_by(a, b, Dialect::V2)
}

fn natural_cmp_by(a: &str, b: &str, dialect: Dialect) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if natural_less(a, b, dialect) {
        Ordering::Less
    } else if natural_less(b, a, dialect) {
        Ordering::Greater
    } else {
        a.cmp(b)
    }
}

/// v3 differs in one place: right after a common digit, a letter sorts before a
/// non-letter (`1a` < `1-`), where v2 puts the non-letter first.
fn natural_less(a: &str, b: &str, dialect: Dialect) -> bool {
    // Keys are nearly always ASCII: compare their bytes, no decoding.
    if a.is_ascii() && b.is_ascii() {
        natural_less_units(a.as_bytes(), b.as_bytes(), dialect)
    } else {
        let ar: Vec<char> = a.chars().collect();
        let br: Vec<char> = b.chars().collect();
        natural_less_units(&ar, &br, dialect)
    }
}

/// [`natural_less`] over the characters of two keys (ASCII bytes or chars).
fn natural_less_units<C: Copy + Into<char> + PartialOrd>(
    ar: &[C],
    br: &[C],
    dialect: Dialect,
) -> bool {
    let ch = |c: C| -> char { c.into() };
    let mut i = 0;
    let mut after_digit = false;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            after_digit = is_digit(ch(ar[i]));
            i += 1;
            continue;
        }
        let al = is_letter(ch(ar[i]));
        let bl = is_letter(ch(br[i]));
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if dialect == Dialect::V3 && after_digit {
                al
            } else {
                bl
            };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ch(ar[i]) == '0' || ch(br[i]) == '0' {
            let mut j = i;
            while j > 0 && is_digit(ch(ar[j - 1])) {
                j -= 1;
                if ch(ar[j]) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ch(ar[ai])) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(ch(ar[ai]) as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(ch(br[bi])) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(ch(br[bi]) as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// What libyaml's scalar analysis allows for a value in block context (toYaml never
/// emits non-empty flow collections, so flow-context rules are not needed).
struct Analysis {
    multiline: bool,
    block_plain: bool,
    single: bool,
    block: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}
fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain: true,
            single: true,
            block: false,
        };
    }
    // Indicators that forbid a plain scalar in block context.
    let mut indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_ws = true;
    let mut chars = value.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let followed_by_ws = next.is_none_or(is_blank);
        let last = next.is_none();
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => indicators = true,
                '?' | ':' | '-' if followed_by_ws => indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => indicators = true,
                '#' if preceded_by_ws => indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blankz(c);
    }
    let edge_ws = leading_space || leading_break || trailing_space || trailing_break;
    Analysis {
        multiline: line_breaks,
        block_plain: !(edge_ws
            || break_space
            || space_break
            || special
            || line_breaks
            || indicators),
        single: !(break_space || space_break || special),
        block: !(trailing_space || space_break || special),
    }
}

/// Which go-yaml's emitter: v2 (toYaml) or v3 with `SetIndent(2)` (toYamlPretty).
#[derive(Clone, Copy, PartialEq, Debug)]
enum Dialect {
    V2,
    V3,
}

/// The subset of libyaml's emitter state that block-style output needs.
struct Emitter {
    out: String,
    /// v3 indents a sequence under its mapping key; v2 writes it "indentless".
    indentless_sequences: bool,
    /// Column past which scalars fold: 80 in v2, unlimited in v3 (width -1).
    width: usize,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

impl Emitter {
    fn new(dialect: Dialect) -> Self {
        Emitter {
            out: String::new(),
            indentless_sequences: dialect == Dialect::V2,
            width: if dialect == Dialect::V2 {
                BEST_WIDTH
            } else {
                usize::MAX
            },
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }
    fn write_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }
    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, s: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        self.write_str(s);
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn document_end(&mut self) {
        self.write_indent();
    }

    fn node(&mut self, node: &Node, mapping: bool, simple_key: bool) {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Null => self.scalar("null", Style::Plain),
            Node::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain),
            Node::Number(n) => self.scalar(n, Style::Plain),
            Node::Str(s) => self.string(s, None),
            Node::Raw(r) => {
                // goyaml.v3's encoder: `!!binary` and the base64 text, broken into
                // lines (then a literal block) once it is longer than one line.
                let text = binary_base64(r.bytes());
                self.write_indicator("!!binary", true, false, false);
                let style = if text.contains('\n') {
                    Style::Literal
                } else {
                    Style::Plain
                };
                self.scalar(&text, style);
            }
            Node::Seq(items) if items.is_empty() => self.empty_flow("[", "]"),
            Node::Map(pairs) if pairs.is_empty() => self.empty_flow("{", "}"),
            Node::Seq(items) => grow(|| self.block_sequence(items)),
            Node::Map(pairs) => grow(|| self.block_mapping(pairs)),
        }
    }

    /// A string scalar (`analysis`: of `s`, when the caller has it already).
    fn string(&mut self, s: &str, analysis: Option<Analysis>) {
        // "<<" resolves to the merge tag, yet Helm prints it plain.
        let can_plain =
            matches!(resolve_plain(s), Resolved::Str | Resolved::Merge) && !is_base60_float(s);
        let style = if s.contains('\n') {
            Style::Literal
        } else if can_plain {
            Style::Plain
        } else {
            Style::Double
        };
        let analysis = analysis.unwrap_or_else(|| analyze(s));
        self.scalar_analyzed(s, style, analysis);
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Node]) {
        let indentless = self.indentless_sequences && self.mapping_context && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false, false);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, pairs: &[(String, Node)]) {
        self.increase_indent(false, false);
        for (key, value) in pairs {
            self.write_indent();
            let analysis = analyze(key);
            if !analysis.multiline && key.len() <= 128 {
                self.mapping_context = true;
                self.simple_key_context = true;
                self.string(key, Some(analysis));
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.mapping_context = true;
                self.simple_key_context = false;
                self.string(key, Some(analysis));
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, true, false);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style) {
        self.scalar_analyzed(value, requested, analyze(value));
    }

    fn scalar_analyzed(&mut self, value: &str, requested: Style, a: Analysis) {
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if !a.block_plain {
                style = Style::Single;
            }
            if value.is_empty() && self.simple_key_context {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block || self.simple_key_context) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            let next_space = chars.peek() == Some(&' ');
            if c == ' ' {
                if allow_breaks && !spaces && self.column > self.width && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<(usize, char)> = value.char_indices().collect();
        let (mut spaces, mut breaks) = (false, false);
        for (n, &(i, c)) in chars.iter().enumerate() {
            let next_space = chars.get(n + 1).map(|x| x.1) == Some(' ');
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && i > 0
                    && i < value.len() - 1
                    && !next_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<(usize, char)> = value.char_indices().collect();
        let mut spaces = false;
        // libyaml's is_bom looks at the first bytes of the value whatever the position,
        // so a value starting with U+FEFF has every character escaped.
        let bom_start = value.starts_with('\u{FEFF}');
        for (n, &(i, c)) in chars.iter().enumerate() {
            if bom_start || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{07}' => self.put('a'),
                    '\u{08}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{0b}' => self.put('v'),
                    '\u{0c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{A0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let v = c as u32;
                        let (letter, width) = if v <= 0xFF {
                            ('x', 2)
                        } else if v <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        self.write_str(&format!("{v:0width$X}"));
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.width
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if chars.get(n + 1).map(|x| x.1) == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if let Some(&first) = chars.first()
            && (first == ' ' || is_break(first))
        {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.len() {
            0 => Some("-"),
            n if !is_break(chars[n - 1]) => Some("-"),
            1 => Some("+"),
            n if is_break(chars[n - 2]) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_values;

    #[test]
    fn go_yaml_v2_refuses_raw_controls_json_keeps() {
        for c in ['\u{7f}', '\u{80}', '\u{9f}', '\u{fffe}'] {
            let m = gotmpl::Map::new();
            m.insert("a", Value::str(format!("x{c}")));
            assert!(
                matches!(to_yaml(&Value::Map(m)), Err(PrintError::Yaml(_))),
                "{c:?}"
            );
            let m = gotmpl::Map::new();
            m.insert(format!("k{c}"), Value::Int(1));
            assert!(
                matches!(to_yaml(&Value::Map(m)), Err(PrintError::Yaml(_))),
                "{c:?}"
            );
        }
        let m = gotmpl::Map::new();
        m.insert("a", Value::str("\u{85}\u{a0}\u{feff}"));
        assert!(to_yaml(&Value::Map(m)).is_ok());
    }

    fn yaml_of(text: &str) -> String {
        to_yaml(&Value::Map(parse_values(text, "t").unwrap())).unwrap()
    }

    #[test]
    fn prints_like_helm() {
        // Expected output observed from Helm 4.2.3's toYaml.
        let got = yaml_of(
            "a: 1\nb: 1000000\nc: 1.5\nd: yes\ne: \"true\"\nf: 0755\nh: 2001-12-14\n\
             j: \"line1\\nline2\\n\"\nk: \"\"\nl: \"1.0\"\nm: \"- dash\"\nnn: \"key: value\"\n\
             p: [1, \"two\", 3.0]\nq: {}\nr: []\nx10: 1\nx2: 2\nw: \"tab\\there\"\nv: 3.0e-7\n",
        );
        let want = "a: 1\nb: 1000000\nc: 1.5\nd: true\ne: \"true\"\nf: 493\nh: \"2001-12-14\"\n\
                    j: |\n  line1\n  line2\nk: \"\"\nl: \"1.0\"\nm: '- dash'\nnn: 'key: value'\n\
                    p:\n- 1\n- two\n- 3\nq: {}\nr: []\nv: 3e-07\nw: \"tab\\there\"\nx2: 2\nx10: 1";
        assert_eq!(got, want);
    }

    #[test]
    fn folds_long_plain_strings_at_80() {
        let got = yaml_of(
            "i: a very long string with many many words in it so that it exceeds the eighty \
             character line width for sure yes\n",
        );
        assert_eq!(
            got,
            "i: a very long string with many many words in it so that it exceeds the eighty character\n  line width for sure yes"
        );
    }

    #[test]
    fn scalars_at_root() {
        assert_eq!(to_yaml(&Value::str("foo")).unwrap(), "foo");
        assert_eq!(to_yaml(&Value::Int(3)).unwrap(), "3");
        assert_eq!(to_yaml(&Value::str("true")).unwrap(), "\"true\"");
        assert_eq!(to_yaml(&Value::list(vec![])).unwrap(), "[]");
        assert_eq!(to_yaml(&Value::Nil).unwrap(), "null");
        assert_eq!(to_yaml(&Value::Float(1e20)).unwrap(), "1e+20");
        assert_eq!(to_yaml(&Value::Float(1234567.5)).unwrap(), "1.2345675e+06");
        assert!(to_yaml(&Value::Float(f64::NAN)).is_err());
    }

    #[test]
    fn nested_sequences_and_maps() {
        let got = yaml_of("a:\n- b: 1\n  c: [x, [yy, z]]\n- - 1\n  - 2\n");
        assert_eq!(
            got,
            "a:\n- b: 1\n  c:\n  - x\n  - - yy\n    - z\n- - 1\n  - 2"
        );
    }

    #[test]
    fn strings_that_are_not_utf8_print_as_binary_in_v3_and_decoded_in_v2() {
        let raw = |b: &[u8]| Value::from_go_bytes(b);
        assert_eq!(to_yaml_pretty(&raw(b"\xff")).unwrap(), "!!binary /w==");
        // 51 bytes are 68 base64 characters: one line; 52 bytes break after 70.
        let one = to_yaml_pretty(&raw(&[0xfe; 51])).unwrap();
        assert!(one.starts_with("!!binary /v7+") && !one.contains('\n'));
        let two = to_yaml_pretty(&raw(&[0xfe; 52])).unwrap();
        let lines: Vec<&str> = two.lines().collect();
        assert_eq!(lines[0], "!!binary |");
        assert_eq!((lines[1].len(), lines[2].len(), lines.len()), (72, 4, 3));
        // toYaml sees encoding/json's U+FFFD.
        assert_eq!(to_yaml(&raw(b"a\xffb")).unwrap(), "a\u{fffd}b");
    }

    #[test]
    fn cycles_are_errors() {
        let m = gotmpl::value::Map::new();
        m.insert("self", Value::Map(m.clone()));
        assert!(matches!(
            to_yaml(&Value::Map(m.clone())),
            Err(PrintError::Cycle(_))
        ));
        m.remove("self");
    }

    #[test]
    fn pretty_indents_sequences_and_keeps_go_numbers() {
        // Expected output observed from Helm 4.2.3's toYamlPretty.
        let v = Value::Map(
            parse_values(
                "l: [a, {c: 1, d: [x]}]\nbig: 10000000\ns: \"yes\"\nlong: \"aaaaaaaaaa bbbbbbbbbb cccccccccc \
                 dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\"\n",
                "t",
            )
            .unwrap(),
        );
        assert_eq!(
            to_yaml_pretty(&v).unwrap(),
            "big: 1e+07\nl:\n  - a\n  - c: 1\n    d:\n      - x\nlong: aaaaaaaaaa bbbbbbbbbb \
             cccccccccc dddddddddd eeeeeeeeee ffffffffff gggggggggg hhhhhhhhhh\ns: \"yes\""
        );
        assert_eq!(
            to_yaml_pretty(&Value::Float(f64::INFINITY)).unwrap(),
            ".inf"
        );
        assert_eq!(to_yaml_pretty(&Value::Int(3)).unwrap(), "3");
    }

    #[test]
    fn v3_puts_letters_first_after_a_digit() {
        let mut keys = vec!["1-", "1a", "a1-", "a1b", "a-", "ab"];
        keys.sort_by(|a, b| natural_cmp_by(a, b, Dialect::V3));
        assert_eq!(keys, vec!["1a", "1-", "a-", "a1b", "a1-", "ab"]);
        keys.sort_by(|a, b| natural_cmp_by(a, b, Dialect::V2));
        assert_eq!(keys, vec!["1-", "1a", "a-", "a1-", "a1b", "ab"]);
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec!["x10", "x2", "b", "a1", "A", "_z", "1", "10", "9"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            keys,
            vec!["_z", "1", "9", "10", "A", "a1", "b", "x2", "x10"]
        );
    }

    #[test]
    fn ascii_keys_order_as_their_characters_do() {
        let alphabet = ['0', '1', '9', 'a', 'B', '-', '_', '.'];
        let mut seed = 1u64;
        let mut key = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let n = (seed >> 60) as usize % 5;
            (0..n)
                .map(|i| alphabet[(seed >> (8 * i + 3)) as usize % alphabet.len()])
                .collect::<String>()
        };
        for _ in 0..5000 {
            let (a, b) = (key(), key());
            let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            for dialect in [Dialect::V2, Dialect::V3] {
                assert_eq!(
                    natural_less_units(a.as_bytes(), b.as_bytes(), dialect),
                    natural_less_units(&ac, &bc, dialect),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
