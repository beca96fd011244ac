//! Loading YAML the way Helm loads values files.
//!
//! Helm reads `values.yaml` and `-f` files with sigs.k8s.io/yaml: go-yaml v2 decodes the
//! first document into Go values, those are converted to JSON (non-string keys become
//! strings), and encoding/json decodes the JSON into `map[string]interface{}`. So:
//! YAML 1.1 booleans (`yes`, `on`, `y`...), every number becomes float64, `<<` merges
//! apply in order (a merged key overwrites an earlier one), timestamps stay strings,
//! `.inf`/`.nan` are errors (JSON cannot hold them), and keys like `1`, `true`, `1.5`
//! become the strings "1", "true", "1.5".
//!
//! The text is parsed into a node arena, then decoded with the same aliasing budget
//! go-yaml v2 applies, so alias bombs are rejected. The arena comes from [`fast`] when
//! the text is plain block YAML it reads exactly, else from granit-parser events.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use base64::Engine as _;
use gotmpl::value::{Map, Value};
use granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

mod fast;
mod flow;
mod gocheck;
mod goload;
mod goscan;
mod gosyntax;
mod head;
mod linebreaks;
mod tabs;

pub use head::{json_field_matches, parse_manifest_head};

use super::ValuesError;
use super::gofloat::{format_g, format_g32};
use super::resolve::{Resolved, TAG_PREFIX, resolve_plain, resolve_tagged};

/// Deepest nesting a decoded value may have (go-yaml has no limit, but our decoder and
/// every consumer recurse, so untrusted input is bounded here).
const MAX_DEPTH: u32 = 1000;
/// Hard cap on decoded nodes, on top of go-yaml's alias ratio, to bound memory.
const MAX_DECODE_COUNT: u64 = 20_000_000;

/// Parse a values file (`values.yaml`, `-f FILE`). Helm 4 splits the file into documents
/// at lines starting with `---` (k8s.io/apimachinery's YAMLReader), loads each document
/// and merges them in order (later documents win, maps merge). Every document must be a
/// map or empty; an empty file gives an empty map. `origin` names the file in errors.
/// Errors come in Helm's order: a document is decoded as soon as the line ending it is
/// read, so an invalid separator after a broken document is never reached.
pub fn parse_values(text: &str, origin: &str) -> Result<Map, ValuesError> {
    let mut values = Map::new();
    let mut start = 0;
    let mut start_line = 0;
    // Only lines starting with `---` matter: find those (a substring search) instead
    // of walking every line; line numbers are counted up to each one.
    let (mut n, mut counted) = (0, 0);
    for (line_start, _) in text.match_indices("---") {
        if line_start > 0 && text.as_bytes()[line_start - 1] != b'\n' {
            continue;
        }
        n += text.as_bytes()[counted..line_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = line_start;
        let pos = text[line_start..]
            .find('\n')
            .map_or(text.len(), |end| line_start + end + 1);
        let rest = &text[line_start + 3..pos];
        let trimmed = rest.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Err(ValuesError::Separator {
                origin: origin.to_string(),
                line: n + 1,
                found: trimmed.to_string(),
            });
        }
        // The reader ends a document at a separator only when it holds a line; a
        // separator with nothing before it (the file's first line, or right after
        // another) is the next document's own first line, which go-yaml then reads
        // as `---` (so error lines count it).
        if line_start == start {
            continue;
        }
        load_document(&text[start..line_start], start_line, origin, &mut values)?;
        start = pos;
        start_line = n + 1;
    }
    load_document(&text[start..], start_line, origin, &mut values)?;
    Ok(values)
}

/// Decode one document of a values file (`line_offset` lines into it) and merge it in.
fn load_document(
    chunk: &str,
    line_offset: usize,
    origin: &str,
    values: &mut Map,
) -> Result<(), ValuesError> {
    if chunk.is_empty() {
        return Ok(());
    }
    // Helm's document reader ends every line it hands on, the last one included, with
    // a line break: a block scalar keeps it (`|+`) and errors at the end count it.
    let owned;
    let chunk = if chunk.ends_with('\n') {
        chunk
    } else {
        owned = format!("{chunk}\n");
        owned.as_str()
    };
    let doc = load(chunk, origin).map_err(|mut e| {
        // Our own position counts in the whole file; go-yaml's text keeps the line
        // within the document, as Helm prints it.
        if let ValuesError::Yaml { line, .. } = &mut e {
            *line += line_offset;
        }
        e
    })?;
    match doc {
        Value::Nil => {}
        // A fresh, unshared map: merging it into nothing would only copy it.
        Value::Map(m) if values.is_empty() => *values = m,
        Value::Map(m) => *values = super::coalesce::merge_values(values, &m),
        other => {
            return Err(ValuesError::NotAMap {
                origin: origin.to_string(),
                found: json_kind(&other),
            });
        }
    }
    Ok(())
}

/// Parse any YAML document (Sprig/Helm `fromYaml`, `fromYamlArray`): the first document,
/// with the same typing as values files. An empty document is `Nil`.
pub fn parse_yaml_value(text: &str) -> Result<Value, ValuesError> {
    load(text, "")
}

/// A document as sigs.k8s.io/yaml hands it to a Go struct (Chart.yaml): go-yaml's
/// integers stay integers and `.inf`/`.nan` non-finite floats instead of failing, since
/// a scalar bound for a string field becomes text before JSON sees it (`123456789`,
/// `+Inf`).
pub(crate) fn parse_yaml_struct_value(text: &str) -> Result<Value, ValuesError> {
    load_with(
        text,
        "",
        Rules {
            go_ints: true,
            keep_non_finite: true,
        },
    )
}

/// Parse JSON as Go's encoding/json does into `interface{}` (`fromJson`): numbers are
/// float64.
pub fn parse_json_value(text: &str) -> Result<Value, ValuesError> {
    super::gojson::parse(text).map_err(ValuesError::Json)
}

/// Like [`parse_json_value`], for callers that decode into a typed target as Go does:
/// a number out of float64 range is reported beside the value (where it decoded as
/// nil), since Go checks the target type first.
pub fn decode_json_value(text: &str) -> Result<(Value, Option<String>), ValuesError> {
    super::gojson::decode(text).map_err(ValuesError::Json)
}

/// [`decode_json_value`] of a Go string given as bytes that are not UTF-8.
pub fn decode_json_bytes(bytes: &[u8]) -> Result<(Value, Option<String>), ValuesError> {
    super::gojson::decode_bytes(bytes).map_err(ValuesError::Json)
}

/// The JSON type name encoding/json reports in "cannot unmarshal X into ...".
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Float(_) | Value::Int(_) | Value::Int64(_) => "number",
        Value::Bool(_) => "bool",
        Value::Map(_) => "object",
        _ => "value",
    }
}

fn load(text: &str, origin: &str) -> Result<Value, ValuesError> {
    load_with(text, origin, Rules::default())
}

/// How a document's scalars become values, where callers differ from values files.
#[derive(Debug, Clone, Copy, Default)]
struct Rules {
    /// Keep go-yaml's integers as `int64` (`uint64` past its range) instead of
    /// JSON's float64: manifest heads and Chart.yaml, where sigs.k8s.io/yaml turns an
    /// integer bound for a string field into its decimal text (`1000000`), a float
    /// into `'g'` text (`1e+06`).
    go_ints: bool,
    /// Decode `.inf`/`.nan` as non-finite floats instead of encoding/json's
    /// "unsupported value" error.
    keep_non_finite: bool,
}

/// The text as granit should read it to see what libyaml sees, and the original
/// characters when scalars must be rebuilt from them (LS/PS present).
/// - go-yaml v2 (YAML 1.1) reads U+0085 (NEL) as a line break, exactly like `\n` (its
///   scanner turns it into `\n` in scalars too); granit (YAML 1.2) would keep it.
/// - It reads LS and PS as line breaks too, but keeps them in scalars: granit sees `\n`,
///   and the scalars holding one are rebuilt from the original.
/// - Tabs indenting lines inside flow collections become spaces (see
///   [`detab_flow_indentation`]); positions do not move.
fn granit_input(text: &str) -> (Cow<'_, str>, Option<Vec<char>>) {
    let mut text = Cow::Borrowed(text);
    if text.contains('\u{85}') {
        text = Cow::Owned(text.replace('\u{85}', "\n"));
    }
    let mut original = None;
    // (`contains` of a char is a memchr; of a predicate, a scan by characters.)
    if text.contains('\u{2028}') || text.contains('\u{2029}') {
        original = Some(text.chars().collect::<Vec<char>>());
        text = Cow::Owned(
            text.chars()
                .map(|c| if linebreaks::is_ls_or_ps(c) { '\n' } else { c })
                .collect(),
        );
    }
    if let Some(detabbed) = detab_flow_indentation(&text) {
        text = Cow::Owned(detabbed);
    }
    (text, original)
}

fn load_with(text: &str, origin: &str, rules: Rules) -> Result<Value, ValuesError> {
    if let Some(doc) = fast::build(text)
        && let Ok(value) = decode(&doc, origin, rules)
    {
        return Ok(value);
    }
    // Not for the fast path, or a decoding error: the full path reports it.
    load_full(text, origin, rules)
}

/// The full path: the arena comes from go-yaml's own scanner and parser (replayed), so
/// whatever go-yaml reads is read the same. Where go-yaml fails, the event parser
/// (granit) runs too: its position is our own report's, go-yaml's replay words it.
fn load_full(text: &str, origin: &str, rules: Rules) -> Result<Value, ValuesError> {
    if let Some(doc) = goload::build(text, origin)? {
        return decode(&doc, origin, rules);
    }
    // go-yaml's verdict on the text as it is (granit's input is adjusted).
    let failure = gocheck::go_failure(text);
    let (granit_text, original) = granit_input(text);
    let result = build_and_decode(&granit_text, origin, original.as_deref(), rules);
    match (failure, result) {
        (None, result) => result,
        // Our own position stays granit's where it failed too; the wording is go-yaml's.
        (
            Some(failure),
            Err(ValuesError::Yaml {
                origin,
                line,
                column,
                ..
            }),
        ) => Err(ValuesError::Yaml {
            origin,
            line,
            column,
            message: failure.problem,
            go_text: Some(failure.go_text),
        }),
        (Some(failure), _) => Err(go_failure_error(failure, origin)),
    }
}

/// Comments right after a closing bracket or quote that are blanked out and retried
/// before giving up (each retry parses the document again).
const MAX_ADJACENT_COMMENTS: usize = 16;

/// [`build`] and [`decode`]. libyaml starts a comment at a `#` right after a flow
/// collection or a quoted scalar (`list: []# note`), where granit wants white space
/// first: such a comment is blanked out (same length, so positions hold) and the text
/// parsed again.
fn build_and_decode(
    text: &str,
    origin: &str,
    original: Option<&[char]>,
    rules: Rules,
) -> Result<Value, ValuesError> {
    let mut blanked: Option<String> = None;
    let mut retries = 0;
    let doc = loop {
        let current = blanked.as_deref().unwrap_or(text);
        match build(current, origin, original) {
            Ok(doc) => break doc,
            Err(e) => match blank_adjacent_comment(current, &e) {
                Some(next) if retries < MAX_ADJACENT_COMMENTS => {
                    blanked = Some(next);
                    retries += 1;
                }
                _ => return Err(in_go_words(e, text)),
            },
        }
    };
    // granit reads some texts go-yaml refuses (an anchor name holding `:`, a `?` in a
    // flow scalar...): go-yaml's own scanner and parser have the last word. Only on
    // the full parser's path: the fast reader takes no text go-yaml could refuse.
    if let Some(failure) = gocheck::go_failure(text) {
        return Err(go_failure_error(failure, origin));
    }
    decode(&doc, origin, rules)
}

/// A syntax error granit found, worded and placed as go-yaml's own scanner and parser
/// (replayed over `text`) fail; granit's mapped wording stays where they find no
/// error (a text go-yaml reads but granit cannot).
fn in_go_words(error: ValuesError, text: &str) -> ValuesError {
    match error {
        // Our own position stays granit's (where the text went wrong, which a stack
        // file's error points at); the wording is go-yaml's.
        ValuesError::Yaml {
            origin,
            line,
            column,
            message,
            go_text,
        } => match gocheck::go_failure(text) {
            Some(failure) => ValuesError::Yaml {
                origin,
                line,
                column,
                message: failure.problem,
                go_text: Some(failure.go_text),
            },
            None => ValuesError::Yaml {
                origin,
                line,
                column,
                message,
                go_text,
            },
        },
        other => other,
    }
}

fn go_failure_error(failure: gocheck::GoFailure, origin: &str) -> ValuesError {
    ValuesError::Yaml {
        origin: origin.to_string(),
        line: failure.line,
        column: failure.column,
        message: failure.problem,
        go_text: Some(failure.go_text),
    }
}

/// The text with the comment granit refused (`error`) replaced by spaces, if that is
/// what it refused.
fn blank_adjacent_comment(text: &str, error: &ValuesError) -> Option<String> {
    let ValuesError::Yaml {
        line,
        column,
        message,
        ..
    } = error
    else {
        return None;
    };
    if !message.starts_with("comments must be separated") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 != *line {
            out.push_str(l);
            continue;
        }
        for (col, c) in l.chars().enumerate() {
            let in_comment = col + 1 >= *column && !matches!(c, '\n' | '\r');
            if col + 1 == *column && c != '#' {
                return None;
            }
            out.push(if in_comment { ' ' } else { c });
            changed |= in_comment;
        }
    }
    changed.then_some(out)
}

fn decode(doc: &Document<'_>, origin: &str, rules: Rules) -> Result<Value, ValuesError> {
    let Some(root) = doc.root else {
        return Ok(Value::Nil);
    };
    let mut decoder = Decoder::with_rules(doc, origin, rules);
    let result = decoder.value(root);
    decoder.finish(result)
}

#[derive(Debug)]
enum Kind<'a> {
    Scalar {
        /// Borrowed from the input where the text is the scalar as written.
        value: Cow<'a, str>,
        plain: bool,
        /// (handle, suffix) of an explicit tag.
        /// Boxed: tags are rare, and this keeps every node small.
        tag: Option<Box<(String, String)>>,
    },
    Seq(Vec<usize>),
    /// Keys and values alternating.
    Map(Vec<usize>),
    Alias(usize),
}

#[derive(Debug)]
struct Node<'a> {
    kind: Kind<'a>,
    line: usize,
    col: usize,
}

struct Document<'a> {
    nodes: Vec<Node<'a>>,
    root: Option<usize>,
}

/// go-yaml v2's text for a syntax error granit reported at 1-based `line` (and
/// character `index`) of `text`. go-yaml prints only libyaml's problem (granit adds a
/// "while ..." context and words a few problems its own way), and its line rule is
/// quirky: scanner errors show the 1-based line, parser errors the 0-based one, and a
/// zero line is left out.
/// go-yaml's error (`yaml: ...`) for a document whose bytes are not UTF-8, as Helm's
/// SortManifests meets one when a binary string is written raw into a manifest;
/// `None` if go-yaml would read its first document without reaching them.
pub fn raw_document_error(bytes: &[u8]) -> Option<String> {
    gocheck::go_failure_bytes(bytes).map(|f| f.go_text)
}

pub(super) fn go_syntax_text(text: &str, line: usize, index: usize, message: &str) -> String {
    // The 0-based line libyaml's stream end sits on (it forces a line break).
    let newlines = text.matches('\n').count();
    let eof_line = newlines + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let mut parser_error = [
        "while parsing a block",
        "while parsing a flow",
        "while parsing a node",
    ]
    .iter()
    .any(|p| message.starts_with(p))
        || message.starts_with("did not find expected <document start>");
    let mut line = line;
    let problem = match message.strip_prefix("while ") {
        Some(rest) => rest.split_once(", ").map_or(message, |(_, p)| p),
        None => message,
    };
    // Inside a flow collection, where libyaml's flow parser fails decides the text for
    // every structural complaint (granit notices some of them elsewhere or not at all).
    let structural = parser_error
        || problem.starts_with("unexpected EOF while parsing")
        || problem.starts_with("mismatched bracket")
        || problem.starts_with("unclosed bracket")
        || problem.starts_with("did not find expected")
        || problem.starts_with("invalid trailing content after")
        || problem.starts_with("comments must be separated")
        || problem == r#""-" is only valid inside a block"#
        || matches!(
            problem,
            "misplaced bracket" | "illegal placement of ':' indicator" | "expected ',' or ']'"
        );
    if structural && let Some(open) = outermost_flow_open(text, index + 1) {
        if let Some(next_line) = unclosed_flow_key(text, open) {
            return go_text_at(next_line, "could not find expected ':'");
        }
        if let Some((go_line, flow_problem)) = flow::flow_failure(text, open) {
            return go_text_at(go_line, &flow_problem);
        }
    }
    let problem = match problem {
        "expected ',' or ']'" => "did not find expected ',' or ']'".to_string(),
        "misplaced bracket" => {
            // A closing bracket where a block collection wants a node (after `key:` or
            // `-` on the same line) or its next key or entry.
            parser_error = true;
            let before: String = text.chars().take(index).collect();
            // The content before the bracket, over blank and comment lines.
            let previous = before
                .rsplit('\n')
                .enumerate()
                .map(|(n, l)| {
                    let l = if n == 0 {
                        l
                    } else {
                        l.split(" #").next().unwrap_or(l)
                    };
                    l.trim()
                })
                .find(|l| !l.is_empty() && !l.starts_with('#'));
            if previous.is_none_or(|l| l.ends_with([':', '-', '?'])) {
                return go_text_at(line.saturating_sub(1), "did not find expected node content");
            }
            let entry = before
                .rsplit('\n')
                .skip(1)
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .is_some_and(|l| l.trim_start().starts_with("- "));
            if entry {
                "did not find expected '-' indicator".to_string()
            } else {
                "did not find expected key".to_string()
            }
        }
        // granit names the bracket that closed the wrong collection; libyaml's flow
        // parser expects a separator or the right bracket there.
        mismatched if mismatched.starts_with("mismatched bracket '") => {
            parser_error = true;
            let close = if mismatched.starts_with("mismatched bracket '['") {
                ']'
            } else {
                '}'
            };
            format!("did not find expected ',' or '{close}'")
        }
        "simple key expected ':'" => {
            // go-yaml notices the missing ':' on the next line that is not blank (a
            // comment counts), or at the stream end, as a scanner error.
            line = text
                .split('\n')
                .enumerate()
                .skip(line)
                .find(|(_, l)| !l.trim_start_matches([' ', '\t', '\r']).is_empty())
                .map_or(eof_line + 1, |(n, _)| n + 1);
            "could not find expected ':'".to_string()
        }
        "unclosed quote" => {
            // A scanner error at the end of the input, which ends with a line break
            // (libyaml adds one when the text has none).
            line = eof_line + 1;
            "found unexpected end of stream".to_string()
        }
        "found a tab" => {
            // granit marks the scalar's start; libyaml the tab, on the following line.
            line += 1;
            "found a tab character that violates indentation".to_string()
        }
        // In a flow collection, a `:` after a line break ends no key for libyaml (the
        // flow parser finds a value indicator where it wants a separator), and an
        // unclosed collection fails at the first token that cannot continue it.
        "illegal placement of ':' indicator" | "unclosed bracket '['" | "unclosed bracket '{'" => {
            let failure = outermost_flow_open(text, index + 1)
                .and_then(|open| flow::flow_failure(text, open));
            match failure {
                Some((go_line, problem)) => return go_text_at(go_line, &problem),
                None => problem.to_string(),
            }
        }
        "invalid trailing content after double-quoted scalar"
        | "invalid trailing content after single-quoted scalar" => {
            match trailing_after_quoted(text, index) {
                Some((problem, is_parser_error)) => {
                    parser_error = is_parser_error;
                    problem.to_string()
                }
                None => problem.to_string(),
            }
        }
        "a block scalar content cannot start with a tab" => {
            // libyaml fails at the tab itself, on a later line.
            if let Some(n) = text
                .split('\n')
                .enumerate()
                .skip(line.saturating_sub(1))
                .find(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
                .map(|(n, _)| n)
            {
                line = n + 1;
            }
            "found a tab character where an indentation space is expected".to_string()
        }
        "tabs disallowed within this context (block indentation)" => {
            "found character that cannot start any token".to_string()
        }
        "did not find expected hexadecimal number" => {
            // libyaml's spelling.
            "did not find expected hexdecimal number".to_string()
        }
        unexpected if unexpected.starts_with("unexpected character: ") => {
            // granit names the character with Rust's `escape_default`.
            let shown = unexpected
                .trim_start_matches("unexpected character: `")
                .trim_end_matches('\'');
            let c = match shown.strip_prefix("\\u{") {
                Some(hex) => u32::from_str_radix(hex.trim_end_matches('}'), 16)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\0'),
                None => shown.chars().last().unwrap_or(' '),
            };
            if is_libyaml_printable(c) {
                "found character that cannot start any token".to_string()
            } else {
                // A reader error: go-yaml has no position for it.
                return "yaml: control characters are not allowed".to_string();
            }
        }
        "found unknown anchor" => {
            // go-yaml's decoder reports this one, by name and without a line.
            return format!(
                "yaml: unknown anchor '{}' referenced",
                alias_name(text, index)
            );
        }
        other => other.to_string(),
    };
    let go_line = if parser_error {
        line.saturating_sub(1)
    } else if line > 1 {
        line
    } else {
        0
    };
    go_text_at(go_line, &problem)
}

/// `yaml: line N: problem`, without the line when it is 0 (as go-yaml prints it).
fn go_text_at(go_line: usize, problem: &str) -> String {
    if go_line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {go_line}: {problem}")
    }
}

/// Whether libyaml's reader accepts `c` (else "control characters are not allowed").
fn is_libyaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Where (character index) the outermost flow collection still open before character
/// `index` of `text` starts, if any.
fn outermost_flow_open(text: &str, index: usize) -> Option<usize> {
    flow_scan(text, index, |_, _, _| {})
}

/// A light re-scan for flow collections: quoted scalars and comments are skipped, and
/// `[`/`{` only open a collection where a node can start (not inside a plain scalar
/// like `a[0]`). Calls `line_start(index, inside_flow, last)` at the start of every line
/// (`last`: the last character outside comments that is not white space) and returns
/// the start of the outermost collection still open at character `limit`.
fn flow_scan(
    text: &str,
    limit: usize,
    mut line_start: impl FnMut(usize, bool, Option<char>),
) -> Option<usize> {
    let mut stack: Vec<usize> = Vec::new();
    let mut last: Option<char> = None;
    // The last character that is not a space on this line ('\n' at a line start).
    let mut prev = '\n';
    let mut chars = text.chars().take(limit).enumerate().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\n' => {
                prev = '\n';
                line_start(at + 1, !stack.is_empty(), last);
                continue;
            }
            ' ' | '\t' | '\r' => continue,
            '#' if prev == '\n' || stack.is_empty() || matches!(prev, ',' | '[' | '{') => {
                // A comment runs to the end of the line.
                for (at, c) in chars.by_ref() {
                    if c == '\n' {
                        line_start(at + 1, !stack.is_empty(), last);
                        break;
                    }
                }
                prev = '\n';
                continue;
            }
            '"' | '\'' if matches!(prev, '\n' | ':' | '-' | ',' | '[' | '{' | '?') => {
                let quote = c;
                while let Some((at, q)) = chars.next() {
                    if q == '\n' {
                        line_start(at + 1, !stack.is_empty(), last);
                    } else if quote == '"' && q == '\\' {
                        chars.next();
                    } else if q == quote {
                        if quote == '\'' && chars.peek().map(|p| p.1) == Some('\'') {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
            }
            '[' | '{' if matches!(prev, '\n' | ':' | '-' | ',' | '[' | '{' | '?') => {
                stack.push(at);
            }
            ']' | '}' if !stack.is_empty() => {
                stack.pop();
            }
            _ => {}
        }
        prev = c;
        last = Some(c);
    }
    stack.first().copied()
}

/// For a flow collection opened at character `open` where a block mapping wants its
/// next key (first on its line, at the column of an earlier sibling line) and not
/// closed on that line: libyaml takes it as a required simple key and fails when the
/// scanner reaches the next line with content (a comment counts), or the stream end.
/// Returns go-yaml's line for that scanner error.
fn unclosed_flow_key(text: &str, open: usize) -> Option<usize> {
    let before: String = text.chars().take(open).collect();
    let mut lines = before.rsplit('\n');
    let lead = lines.next()?;
    if !lead.chars().all(|c| c == ' ') {
        return None;
    }
    let sibling = lines
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .is_some_and(|l| l.len() - l.trim_start().len() == lead.len());
    if !sibling {
        return None;
    }
    let open_line = before.matches('\n').count();
    let line_end = open + text.chars().skip(open).take_while(|c| *c != '\n').count();
    if outermost_flow_open(text, line_end) != Some(open) {
        return None;
    }
    let newlines = text.matches('\n').count();
    let eof_line = newlines + usize::from(!text.is_empty() && !text.ends_with('\n'));
    Some(
        text.split('\n')
            .enumerate()
            .skip(open_line + 1)
            .find(|(_, l)| !l.trim().is_empty())
            .map_or(eof_line + 1, |(n, _)| n + 1),
    )
}

/// The text with tabs in the indentation of lines inside flow collections turned into
/// spaces (same characters count, so positions hold), or `None` if there are none.
/// libyaml takes any white space there; granit wants spaces for indentation even in a
/// flow collection, and the white space is dropped from the values either way.
fn detab_flow_indentation(text: &str) -> Option<String> {
    if !text.contains("\n\t") && !text.contains(" \t") {
        return None;
    }
    let mut starts: Vec<usize> = Vec::new();
    flow_scan(text, usize::MAX, |at, inside, last| {
        // A line going on with a plain scalar keeps its tab: there libyaml's plain
        // scanner checks the indentation (left as granit's error).
        if inside
            && matches!(
                last,
                Some(',' | '[' | '{' | ':' | '"' | '\'' | ']' | '}') | None
            )
        {
            starts.push(at);
        }
    });
    let mut out: Vec<char> = text.chars().collect();
    let mut changed = false;
    for start in starts {
        let mut i = start;
        while i < out.len() && matches!(out[i], ' ' | '\t') {
            if out[i] == '\t' {
                out[i] = ' ';
                changed = true;
            }
            i += 1;
        }
    }
    changed.then(|| out.into_iter().collect())
}

/// libyaml's problem for content right after a quoted scalar (granit's marker at
/// character `index`), and whether it is a parser error. A `:` there ends a quoted key
/// that ran over a line break, which libyaml cannot take as a key: if a key was due at
/// that indentation (an earlier sibling line starts there) the scanner wants a `:` on
/// the key's line, else the `:` is out of place. Anything else is a second node where
/// the block collection wants its next key or entry.
fn trailing_after_quoted(text: &str, index: usize) -> Option<(&'static str, bool)> {
    let before: String = text.chars().take(index).collect();
    let at = text.chars().nth(index)?;
    if at == ':' {
        let mut lines = before.rsplit('\n');
        // Back to the line the key starts on: the line of its opening quote.
        let quote_line = lines
            .by_ref()
            .find(|l| l.trim_start().starts_with(['"', '\'']))?;
        let key_col = quote_line.len() - quote_line.trim_start().len();
        let sibling = lines
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l.len() - l.trim_start().len() == key_col);
        return Some(if sibling {
            ("could not find expected ':'", false)
        } else {
            ("mapping values are not allowed in this context", false)
        });
    }
    let line = before.rsplit('\n').next().unwrap_or("");
    let content = line.trim_start();
    if content.starts_with("- ") && !content.contains(": ") {
        Some(("did not find expected '-' indicator", true))
    } else if content.contains(": ") {
        Some(("did not find expected key", true))
    } else if content.starts_with(['"', '\'']) {
        // A quoted key with more after it, when the line goes on to a `:`.
        let rest: String = text
            .chars()
            .skip(index)
            .take_while(|c| *c != '\n')
            .collect();
        (rest.contains(": ") || rest.trim_end().ends_with(':'))
            .then_some(("did not find expected key", true))
    } else {
        None
    }
}

/// The character index where the line of the first token after character `from`
/// ends (white space, line breaks and comments skipped), or the text's end.
fn next_token_line_end(text: &str, cursor: &mut CharCursor<'_>, from: usize) -> usize {
    let Some(start) = cursor.byte_of(from) else {
        return usize::MAX;
    };
    let mut in_comment = false;
    let mut found = false;
    for (index, c) in (from..).zip(text[start..].chars()) {
        if c == '\n' {
            if found {
                return index;
            }
            in_comment = false;
        } else if !found && !in_comment && c == '#' {
            in_comment = true;
        } else if !in_comment && !c.is_whitespace() {
            found = true;
        }
    }
    usize::MAX
}

/// Byte offsets of character indices that mostly grow (parser events come in order),
/// in linear time overall.
struct CharCursor<'t> {
    text: &'t str,
    chars: usize,
    bytes: usize,
}

impl<'t> CharCursor<'t> {
    fn new(text: &'t str) -> Self {
        CharCursor {
            text,
            chars: 0,
            bytes: 0,
        }
    }

    fn byte_of(&mut self, index: usize) -> Option<usize> {
        if index < self.chars {
            (self.chars, self.bytes) = (0, 0);
        }
        for c in self.text[self.bytes..].chars() {
            if self.chars == index {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        (self.chars == index).then_some(self.bytes)
    }
}

/// The name of the alias (`*name`) at character `index` of `text`.
fn alias_name(text: &str, index: usize) -> String {
    // libyaml's anchor names: ASCII letters, digits, `_` and `-`.
    text.chars()
        .skip(index)
        .skip_while(|c| *c == '*')
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

/// Build the node tree of the first document from parser events. `original`: the text
/// before LS/PS were replaced by `\n` (same characters otherwise), to rebuild the
/// scalars that held one.
fn build<'a>(
    text: &'a str,
    origin: &str,
    original: Option<&[char]>,
) -> Result<Document<'a>, ValuesError> {
    let options = granit_parser::options! { emit_comments: false };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut anchors: HashMap<usize, usize> = HashMap::new();
    let mut open: HashSet<usize> = HashSet::new();
    let mut flow_maps: HashSet<usize> = HashSet::new();
    let mut cursor = CharCursor::new(text);
    let mut root = None;
    // go-yaml's decoder reports these, without a line.
    let err = |line: usize, col: usize, message: String| ValuesError::Yaml {
        origin: origin.to_string(),
        line,
        column: col + 1,
        go_text: Some(format!("yaml: {message}")),
        message,
    };

    let mut tabs = tabs::TabCheck::new(text);
    // libyaml fails at a tab-led line granit took as blank, if nothing failed before it.
    let tab_error = |tabs: &mut tabs::TabCheck, limit: usize| {
        tabs.error(text, limit)
            .map(|(line0, problem)| ValuesError::Yaml {
                origin: origin.to_string(),
                line: line0 + 1,
                column: 1,
                message: problem.to_string(),
                go_text: Some(go_text_at(if line0 > 0 { line0 + 1 } else { 0 }, problem)),
            })
    };
    // Once the root node is complete, go-yaml's Unmarshal only reads on far enough to
    // see the document end: up to the end of the line of the next token. Whatever
    // lies beyond (another node without `---`, broken text) is never parsed.
    let mut horizon: Option<usize> = None;
    while let Some(event) = parser.next_event() {
        if let Some(h) = horizon {
            let beyond = match &event {
                Ok((Event::DocumentEnd | Event::StreamEnd, _)) => false,
                Ok(_) => true,
                Err(e) => e.marker().index() > h,
            };
            if beyond {
                if let Some(tab) = tab_error(&mut tabs, h) {
                    return Err(tab);
                }
                return Ok(Document { nodes, root });
            }
        }
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(e) => {
                let m = e.marker();
                if let Some(tab) = tab_error(&mut tabs, m.index()) {
                    return Err(tab);
                }
                return Err(ValuesError::Yaml {
                    origin: origin.to_string(),
                    line: m.line(),
                    column: m.col() + 1,
                    go_text: Some(go_syntax_text(text, m.line(), m.index(), &e.info())),
                    message: e.info(),
                });
            }
        };
        let (line, col) = (span.start.line(), span.start.col());
        tabs.observe(&event, span.start.index(), span.end.index(), col);
        let (kind, anchor, opens) = match event {
            Event::StreamStart | Event::DocumentStart(..) => continue,
            Event::StreamEnd => break,
            Event::DocumentEnd => {
                // go-yaml v2's Unmarshal reads the first document only (up to the line
                // of the token after it).
                let limit = horizon.map_or(span.start.index(), |h| h.max(span.start.index()));
                if let Some(tab) = tab_error(&mut tabs, limit) {
                    return Err(tab);
                }
                return Ok(Document { nodes, root });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(done) = stack.pop() {
                    open.remove(&done);
                }
                if stack.is_empty() {
                    horizon = Some(next_token_line_end(text, &mut cursor, span.end.index()));
                }
                continue;
            }
            Event::Alias(id) => {
                let name = alias_name(text, span.start.index());
                let Some(&target) = anchors.get(&id) else {
                    return Err(err(
                        line,
                        col,
                        format!("unknown anchor '{name}' referenced"),
                    ));
                };
                if open.contains(&target) {
                    return Err(err(
                        line,
                        col,
                        format!("anchor '{name}' value contains itself"),
                    ));
                }
                (Kind::Alias(target), 0, false)
            }
            Event::Scalar(value, style, anchor, tag) => {
                let (start, end) = (span.start.index(), span.end.index());
                // granit gives an empty node as a zero-width `~`.
                if start == end
                    && style == ScalarStyle::Plain
                    && tag.is_none()
                    && anchor == 0
                    && let Some(&parent) = stack.last()
                    && matches!(&nodes[parent].kind, Kind::Map(items) if items.len() % 2 == 0)
                    && let Some(at) = cursor.byte_of(start)
                    && text[at..].starts_with(':')
                    && !text[..at].trim_end().ends_with('?')
                {
                    // `: value` with no key: libyaml has no empty implicit keys.
                    let problem = if flow_maps.contains(&parent) {
                        "did not find expected node content"
                    } else {
                        "did not find expected key"
                    };
                    return Err(ValuesError::Yaml {
                        origin: origin.to_string(),
                        line,
                        column: col + 1,
                        message: problem.to_string(),
                        go_text: Some(go_text_at(line.saturating_sub(1), problem)),
                    });
                }
                let tag = tag.map(|t| Box::new((t.handle().to_string(), t.suffix().to_string())));
                let value = match original {
                    Some(chars)
                        if chars
                            .get(start..end)
                            .is_some_and(|s| s.iter().any(|c| linebreaks::is_ls_or_ps(*c))) =>
                    {
                        linebreaks::scalar_value(chars, start, end, style, col)
                            .map_or(value, Cow::Owned)
                    }
                    _ => value,
                };
                (
                    Kind::Scalar {
                        value,
                        plain: style == ScalarStyle::Plain,
                        tag,
                    },
                    anchor,
                    false,
                )
            }
            Event::SequenceStart(_, anchor, _) => (Kind::Seq(Vec::new()), anchor, true),
            Event::MappingStart(style, anchor, _) => {
                if style == StructureStyle::Flow {
                    flow_maps.insert(nodes.len());
                }
                (Kind::Map(Vec::new()), anchor, true)
            }
            _ => continue,
        };
        let idx = nodes.len();
        nodes.push(Node { kind, line, col });
        if anchor != 0 {
            anchors.insert(anchor, idx);
        }
        match stack.last() {
            Some(&parent) => match &mut nodes[parent].kind {
                Kind::Seq(items) | Kind::Map(items) => items.push(idx),
                _ => {}
            },
            None => {
                if root.is_none() {
                    root = Some(idx);
                }
                if !opens {
                    horizon = Some(next_token_line_end(text, &mut cursor, span.end.index()));
                }
            }
        }
        if opens {
            open.insert(idx);
            stack.push(idx);
        }
    }
    if let Some(tab) = tab_error(&mut tabs, usize::MAX) {
        return Err(tab);
    }
    Ok(Document { nodes, root })
}

/// Whether node `idx` is a merge key: `<<` resolved by its text (no tag, or the `!`
/// tag: `plain`) or tagged `!!merge`.
fn is_merge_key(doc: &Document<'_>, idx: usize) -> bool {
    match &doc.nodes[idx].kind {
        Kind::Scalar { value, plain, tag } => {
            value == "<<"
                && (*plain
                    || matches!(tag.as_deref(), Some((h, s)) if h == TAG_PREFIX && s == "merge"))
        }
        _ => false,
    }
}

/// A `!!binary` scalar's bytes as Go's `base64.StdEncoding` decodes its text: line
/// breaks skipped (no other white space), padding required, non-zero trailing bits
/// accepted (`aGl=` is `hi`).
fn go_base64(text: &str) -> Option<Vec<u8>> {
    use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    let cleaned: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    GO_STD.decode(cleaned.as_bytes()).ok()
}

/// Whether a scalar's tag is `!!binary`.
fn is_binary(tag: Option<&(String, String)>) -> bool {
    matches!(tag, Some((h, s)) if h == TAG_PREFIX && s == "binary")
}

struct Decoder<'a> {
    doc: &'a Document<'a>,
    origin: &'a str,
    decode_count: u64,
    alias_count: u64,
    alias_depth: u32,
    depth: u32,
    rules: Rules,
    /// Failures of the JSON step in document order: sigs.k8s.io/yaml converts to JSON
    /// only once go-yaml decoded the whole document, so any go-yaml error (a tag that
    /// does not fit, a collection as a key...) anywhere wins over them, and only those
    /// in what the document decoded to count: a map entry that a later duplicate key
    /// replaces takes its failures with it (`None`).
    json_failures: Vec<Option<ValuesError>>,
}

/// Per key of a map being decoded, the range of [`Decoder::json_failures`] its entry
/// (key and value) added, for the entries that added any.
type FailureSpans = HashMap<String, (usize, usize)>;

/// go-yaml v2's tolerated ratio of alias-expanded nodes to all decoded nodes.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: u64 = 400_000;
    const HIGH: u64 = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl<'a> Decoder<'a> {
    fn new(doc: &'a Document<'a>, origin: &'a str) -> Self {
        Decoder {
            doc,
            origin,
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
            depth: 0,
            rules: Rules::default(),
            json_failures: Vec::new(),
        }
    }

    fn with_rules(doc: &'a Document<'a>, origin: &'a str, rules: Rules) -> Self {
        Decoder {
            rules,
            ..Decoder::new(doc, origin)
        }
    }

    /// A decoder that keeps integers as `int64` (see [`Rules::go_ints`]).
    fn with_go_ints(doc: &'a Document<'a>, origin: &'a str) -> Self {
        let rules = Rules {
            go_ints: true,
            ..Rules::default()
        };
        Decoder::with_rules(doc, origin, rules)
    }

    /// A go-yaml decoding error (its text is `yaml: ` and the message).
    fn error(&self, idx: usize, message: impl Into<String>) -> ValuesError {
        let message = message.into();
        let go_text = format!("yaml: {message}");
        self.error_with(idx, message, go_text)
    }

    /// An error sigs.k8s.io/yaml or encoding/json reports after go-yaml decoded the
    /// document (their texts have no `yaml: ` lead-in).
    fn json_error(&self, idx: usize, message: impl Into<String>) -> ValuesError {
        let message = message.into();
        let go_text = message.clone();
        self.error_with(idx, message, go_text)
    }

    /// Notes a failure of the JSON step (see `json_failures`); decoding goes on.
    fn defer_json_error(&mut self, idx: usize, message: impl Into<String>) {
        let failure = self.json_error(idx, message);
        self.json_failures.push(Some(failure));
    }

    /// Whether the JSON step would fail on what was decoded so far.
    fn has_json_failure(&self) -> bool {
        self.json_failures.iter().any(Option::is_some)
    }

    /// The decoded root, or the first failure of the JSON step.
    fn finish(&mut self, result: Result<Value, ValuesError>) -> Result<Value, ValuesError> {
        let value = result?;
        match self.json_failures.iter_mut().find_map(Option::take) {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    fn error_with(&self, idx: usize, message: String, go_text: String) -> ValuesError {
        let node = &self.doc.nodes[idx];
        ValuesError::Yaml {
            origin: self.origin.to_string(),
            line: node.line,
            column: node.col + 1,
            message,
            go_text: Some(go_text),
        }
    }

    /// Account for one decoded node, as go-yaml v2 does, and enforce the budgets.
    fn count(&mut self, idx: usize) -> Result<(), ValuesError> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if (self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count))
            || self.decode_count > MAX_DECODE_COUNT
        {
            return Err(self.error(idx, "document contains excessive aliasing"));
        }
        Ok(())
    }

    fn value(&mut self, idx: usize) -> Result<Value, ValuesError> {
        self.count(idx)?;
        if self.depth >= MAX_DEPTH {
            return Err(self.error(idx, format!("exceeded max depth of {MAX_DEPTH}")));
        }
        self.depth += 1;
        // Up to MAX_DEPTH levels, on whatever thread decodes (fromYaml on a worker).
        let result = gotmpl::stack::grow(|| self.value_inner(idx));
        self.depth -= 1;
        result
    }

    fn value_inner(&mut self, idx: usize) -> Result<Value, ValuesError> {
        let doc = self.doc;
        match &doc.nodes[idx].kind {
            Kind::Scalar { value, plain, tag } => self.scalar(idx, value, *plain, tag.as_deref()),
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.value(item)?);
                }
                Ok(Value::list(out))
            }
            Kind::Map(_) => {
                let mut map = BTreeMap::new();
                self.apply_mapping(idx, &mut map, &mut FailureSpans::new())?;
                Ok(Value::map(map))
            }
            Kind::Alias(target) => {
                self.alias_depth += 1;
                let result = self.value(*target);
                self.alias_depth -= 1;
                result
            }
        }
    }

    /// The Go value of a scalar, then what JSON makes of it.
    fn scalar(
        &mut self,
        idx: usize,
        value: &str,
        plain: bool,
        tag: Option<&(String, String)>,
    ) -> Result<Value, ValuesError> {
        let resolved = self.resolve(idx, value, plain, tag)?;
        if is_binary(tag) {
            return Ok(Value::from(self.binary(idx, value)?));
        }
        match resolved {
            Resolved::Null => Ok(Value::Nil),
            Resolved::Bool(b) => Ok(Value::Bool(b)),
            Resolved::Int(i) if self.rules.go_ints => Ok(Value::Int64(i)),
            Resolved::Int(i) => Ok(Value::Float(i as f64)),
            Resolved::Uint(u) if self.rules.go_ints => Ok(Value::Uint64(u)),
            Resolved::Uint(u) => Ok(Value::Float(u as f64)),
            Resolved::BigInt(f) | Resolved::Float(f) => {
                if !f.is_finite() && !self.rules.keep_non_finite {
                    self.defer_json_error(
                        idx,
                        format!("json: unsupported value: {}", super::gofloat::format_g(f)),
                    );
                }
                Ok(Value::Float(f))
            }
            Resolved::Timestamp | Resolved::Str | Resolved::Merge => Ok(Value::str(value)),
        }
    }

    /// A `!!binary` scalar's bytes as the JSON step makes them text: encoding/json
    /// replaces every byte that is not part of UTF-8 with U+FFFD.
    fn binary(&self, idx: usize, value: &str) -> Result<String, ValuesError> {
        let bytes = go_base64(value)
            .ok_or_else(|| self.error(idx, "!!binary value contains invalid base64 data"))?;
        let mut text = String::with_capacity(bytes.len());
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            text.extend(std::iter::repeat_n('\u{FFFD}', chunk.invalid().len()));
        }
        Ok(text)
    }

    fn resolve(
        &self,
        idx: usize,
        value: &str,
        plain: bool,
        tag: Option<&(String, String)>,
    ) -> Result<Resolved, ValuesError> {
        match tag {
            None if plain => Ok(resolve_plain(value)),
            None => Ok(Resolved::Str),
            Some((handle, suffix)) if handle == TAG_PREFIX => resolve_tagged(suffix, value)
                .ok_or_else(|| {
                    let found = match resolve_plain(value) {
                        Resolved::Bool(_) => "!!bool",
                        Resolved::Int(_) | Resolved::Uint(_) | Resolved::BigInt(_) => "!!int",
                        Resolved::Float(_) => "!!float",
                        Resolved::Null => "!!null",
                        Resolved::Timestamp => "!!timestamp",
                        _ => "!!str",
                    };
                    self.error(
                        idx,
                        format!("cannot decode {found} `{value}` as a !!{suffix}"),
                    )
                }),
            // Local and unknown tags: go-yaml keeps the text.
            Some(_) => Ok(Resolved::Str),
        }
    }

    fn is_merge_key(&self, idx: usize) -> bool {
        is_merge_key(self.doc, idx)
    }

    /// Decode a mapping node's pairs into `map`, in order: later keys (and merges)
    /// overwrite earlier ones, as go-yaml v2 does.
    fn apply_mapping(
        &mut self,
        idx: usize,
        map: &mut BTreeMap<String, Value>,
        spans: &mut FailureSpans,
    ) -> Result<(), ValuesError> {
        let doc = self.doc;
        let Kind::Map(items) = &doc.nodes[idx].kind else {
            return Ok(());
        };
        for pair in items.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge_key(k) {
                self.merge(v, map, spans)?;
                continue;
            }
            let first = self.json_failures.len();
            let key = self.key(k, v)?;
            let value = self.value(v)?;
            // Go's map drops the entry this key replaces, and what it held never
            // reaches the JSON step (`a: {~: 1}` then `a: 2`).
            if !spans.is_empty()
                && map.contains_key(&key)
                && let Some((from, to)) = spans.remove(&key)
            {
                self.json_failures[from..to].fill(None);
            }
            let last = self.json_failures.len();
            if last > first {
                spans.insert(key.clone(), (first, last));
            }
            map.insert(key, value);
        }
        Ok(())
    }

    fn merge_error(&self, idx: usize) -> ValuesError {
        self.error(
            idx,
            "map merge requires map or sequence of maps as the value",
        )
    }

    fn merge(
        &mut self,
        idx: usize,
        map: &mut BTreeMap<String, Value>,
        spans: &mut FailureSpans,
    ) -> Result<(), ValuesError> {
        self.count(idx)?;
        let doc = self.doc;
        match &doc.nodes[idx].kind {
            Kind::Map(_) => self.apply_mapping(idx, map, spans),
            Kind::Alias(target) => {
                if !matches!(doc.nodes[*target].kind, Kind::Map(_)) {
                    return Err(self.merge_error(idx));
                }
                self.alias_depth += 1;
                let r = self.apply_mapping(*target, map, spans);
                self.alias_depth -= 1;
                r
            }
            Kind::Seq(items) => {
                // Earlier maps take precedence: apply from the last to the first.
                for &item in items.iter().rev() {
                    self.count(item)?;
                    match &doc.nodes[item].kind {
                        Kind::Map(_) => self.apply_mapping(item, map, spans)?,
                        Kind::Alias(target) if matches!(doc.nodes[*target].kind, Kind::Map(_)) => {
                            self.alias_depth += 1;
                            let r = self.apply_mapping(*target, map, spans);
                            self.alias_depth -= 1;
                            r?
                        }
                        _ => return Err(self.merge_error(item)),
                    }
                }
                Ok(())
            }
            Kind::Scalar { .. } => Err(self.merge_error(idx)),
        }
    }

    /// A map key as sigs.k8s.io/yaml names it in JSON (`value` is the key's value, which
    /// the error for a key JSON cannot hold prints).
    fn key(&mut self, idx: usize, value_idx: usize) -> Result<String, ValuesError> {
        self.count(idx)?;
        let doc = self.doc;
        let mut target = idx;
        let mut hops = 0;
        while let Kind::Alias(t) = &doc.nodes[target].kind {
            target = *t;
            hops += 1;
            if hops > doc.nodes.len() {
                break;
            }
        }
        match &doc.nodes[target].kind {
            // go-yaml decodes a `!!binary` key to its bytes (a string key).
            Kind::Scalar { tag, value, .. } if is_binary(tag.as_deref()) => {
                self.binary(target, value)
            }
            Kind::Scalar { value, plain, tag } => {
                let resolved = self.resolve(target, value, *plain, tag.as_deref())?;
                match resolved {
                    Resolved::Str | Resolved::Timestamp | Resolved::Merge => Ok(value.to_string()),
                    Resolved::Int(i) => Ok(i.to_string()),
                    Resolved::Bool(b) => Ok(b.to_string()),
                    Resolved::Float(f) => Ok(match format_g32(f).as_str() {
                        "+Inf" => ".inf".to_string(),
                        "-Inf" => "-.inf".to_string(),
                        "NaN" => ".nan".to_string(),
                        s => s.to_string(),
                    }),
                    Resolved::Null | Resolved::Uint(_) | Resolved::BigInt(_) => {
                        // sigs.k8s.io/yaml: `unsupported map key of type: %s, key: %+#v,
                        // value: %+#v` (go-yaml v2 decodes a too large int as a float64,
                        // which would have become a key above).
                        let (kind, key) = match resolved {
                            Resolved::Uint(u) => ("uint64".to_string(), format!("0x{u:x}")),
                            Resolved::BigInt(f) => ("float64".to_string(), format_g(f)),
                            _ => ("%!s(<nil>)".to_string(), "<nil>".to_string()),
                        };
                        let shown = gosyntax::sharp_v(self.doc, value_idx);
                        self.defer_json_error(
                            idx,
                            format!(
                                "unsupported map key of type: {kind}, key: {key}, value: {shown}"
                            ),
                        );
                        Ok(key)
                    }
                }
            }
            // go-yaml v2 itself refuses a collection as a key, once it decoded it (so a
            // collection key inside it fails first).
            Kind::Seq(_) | Kind::Map(_) => {
                self.value(target)?;
                Err(self.error(
                    idx,
                    format!("invalid map key: {}", gosyntax::sharp_v(doc, target)),
                ))
            }
            Kind::Alias(_) => Err(self.error(
                idx,
                format!("invalid map key: {}", gosyntax::sharp_v(doc, target)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_ok(text: &str) -> Map {
        parse_values(text, "values.yaml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn get(m: &Map, path: &str) -> Value {
        let mut cur = Value::Map(m.clone());
        for part in path.split('.') {
            cur = cur.as_map().and_then(|m| m.get(part)).unwrap_or(Value::Nil);
        }
        cur
    }

    #[test]
    fn scalars_are_typed_like_helm() {
        let m = load_ok(
            "a: 1\nb: 1000000\nc: 1.5\nd: yes\ne: \"true\"\nf: 0755\ng: 0x1F\nh: 2001-12-14\n\
             i: off\nj: ~\nk:\nl: 'x'\nm: .5\nnn: Y\n",
        );
        assert_eq!(get(&m, "a"), Value::Float(1.0));
        assert_eq!(get(&m, "b"), Value::Float(1e6));
        assert_eq!(get(&m, "c"), Value::Float(1.5));
        assert_eq!(get(&m, "d"), Value::Bool(true));
        assert_eq!(get(&m, "e"), Value::str("true"));
        assert_eq!(get(&m, "f"), Value::Float(493.0));
        assert_eq!(get(&m, "g"), Value::Float(31.0));
        assert_eq!(get(&m, "h"), Value::str("2001-12-14"));
        assert_eq!(get(&m, "i"), Value::Bool(false));
        assert!(m.contains_key("j") && get(&m, "j").is_nil());
        assert!(m.contains_key("k") && get(&m, "k").is_nil());
        assert_eq!(get(&m, "l"), Value::str("x"));
        assert_eq!(get(&m, "m"), Value::Float(0.5));
        assert_eq!(get(&m, "nn"), Value::Bool(true));
    }

    #[test]
    fn keys_become_strings() {
        let m = load_ok("1: a\ntrue: b\n1.5: c\ny: d\n0x10: e\n");
        assert_eq!(
            m.keys(),
            vec!["1", "1.5", "16", "true"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        );
        // `y` is boolean true too, and later keys win.
        assert_eq!(get(&m, "true"), Value::str("d"));
    }

    #[test]
    fn merge_keys_apply_in_order() {
        let m = load_ok(
            "base: &b {x: 1, z: 2}\nother: &o {x: 9, w: 3}\n\
             s:\n  x: 0\n  <<: *b\n  z: 5\nl:\n  <<: [*b, *o]\n",
        );
        assert_eq!(get(&m, "s.x"), Value::Float(1.0));
        assert_eq!(get(&m, "s.z"), Value::Float(5.0));
        assert_eq!(get(&m, "l.x"), Value::Float(1.0));
        assert_eq!(get(&m, "l.w"), Value::Float(3.0));
        // A quoted "<<" is an ordinary key.
        let q = load_ok("'<<': {a: 1}\n");
        assert!(q.contains_key("<<"));
    }

    #[test]
    fn aliases_are_copies() {
        let m = load_ok("a: &x {k: 1}\nb: *x\n");
        let (a, b) = (get(&m, "a"), get(&m, "b"));
        assert_eq!(a, b);
        // Not the same shared map: changing one must not change the other.
        a.as_map().unwrap().insert("k", Value::Float(2.0));
        assert_eq!(get(&m, "b.k"), Value::Float(1.0));
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        let err = parse_values(&text, "bomb.yaml").unwrap_err();
        assert!(err.to_string().contains("excessive aliasing"), "{err}");
    }

    #[test]
    fn top_level_rules() {
        assert!(load_ok("").is_empty());
        assert!(load_ok("# only a comment\n").is_empty());
        assert!(load_ok("~\n").is_empty());
        assert!(load_ok("---\n").is_empty());
        let err = parse_values("- a\n- b\n", "list.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "list.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \
             array into Go value of type map[string]interface {}"
        );
        assert!(parse_values("just a string", "s.yaml").is_err());
        // Documents merge, later ones winning (Helm 4's LoadValues).
        let m = load_ok("a: {x: 1}\nb: 1\n---\na: {z: 2}\nb: 2\n--- # comment\nc: 3\n");
        assert_eq!(get(&m, "a.x"), Value::Float(1.0));
        assert_eq!(get(&m, "a.z"), Value::Float(2.0));
        assert_eq!(get(&m, "b"), Value::Float(2.0));
        assert_eq!(get(&m, "c"), Value::Float(3.0));
        assert!(parse_values("a: 1\n---\n- x\n", "t").is_err());
        assert!(parse_values("a: 1\n--- b: 2\n", "t").is_err());
        let err = parse_values("a: 1\n---\nb: [\n", "t").unwrap_err();
        assert!(err.to_string().starts_with("t: line 3"), "{err}");
    }

    #[test]
    fn errors_name_origin_line_and_column() {
        let err = parse_values("a: 1\nb: [1, 2\n", "my.yaml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("my.yaml: line "), "{text}");
        let err = parse_values("a: .inf\n", "inf.yaml").unwrap_err();
        assert!(err.to_string().contains("unsupported value: +Inf"), "{err}");
        let err = parse_values("a: 1\n? [x]\n: 2\n", "k.yaml").unwrap_err();
        assert!(err.to_string().contains("invalid map key"), "{err}");
        let err = parse_values("~: 1\n", "k.yaml").unwrap_err();
        assert!(err.to_string().contains("unsupported map key"), "{err}");
        let err = parse_values("a: &x [*x]\n", "self.yaml").unwrap_err();
        assert!(err.to_string().contains("contains itself"), "{err}");
    }

    #[test]
    fn a_separator_with_nothing_before_it_opens_the_next_document() {
        // Texts from Helm 4.2.3's LoadValues: the separator line is part of the
        // document, so error lines count it.
        let e = parse_values("---\na: [\n", "f").unwrap_err();
        assert_eq!(
            e.load_values_text(),
            "cannot unmarshal yaml document: error converting YAML to JSON: \
             yaml: line 2: did not find expected node content"
        );
        let e = parse_values("a: 1\n---\n---\nb: [\n", "f").unwrap_err();
        assert!(
            e.load_values_text()
                .ends_with("yaml: line 2: did not find expected node content"),
            "{e}"
        );
        let m = parse_values("---\n---\na: 1\n", "f").unwrap();
        assert_eq!(m.get("a"), Some(Value::Float(1.0)));
    }

    #[test]
    fn separators_are_lines_starting_with_three_dashes() {
        // Dashes inside a line or after other text separate nothing; the line number
        // of a bad separator counts every line before it.
        let m = parse_values("a: x---y\nb: |\n  ----\n---- \n--- # c\nc: 1\n", "f");
        let e = m.unwrap_err();
        assert!(
            matches!(e, ValuesError::Separator { line: 4, ref found, .. } if found == "-"),
            "{e:?}"
        );
        let m = parse_values("a: x---y\n--- # c\r\nc: 1\n---\nd: 2", "f").unwrap();
        assert_eq!(m.get("a"), Some(Value::str("x---y")));
        assert_eq!(m.get("c"), Some(Value::Float(1.0)));
        assert_eq!(m.get("d"), Some(Value::Float(2.0)));
    }

    #[test]
    fn struct_values_keep_go_numbers() {
        // Block text the fast reader takes, and flow text it leaves to the full parser.
        for text in [
            "a: .inf\nb: -.Inf\nc: .NaN\n",
            "{a: .inf, b: -.Inf, c: .NaN}\n",
        ] {
            assert!(parse_yaml_value(text).is_err(), "{text}");
            let v = parse_yaml_struct_value(text).unwrap();
            let m = v.as_map().unwrap();
            let float = |k: &str| match m.get(k) {
                Some(Value::Float(f)) => f,
                other => panic!("{k}: {other:?}"),
            };
            assert_eq!(float("a"), f64::INFINITY);
            assert_eq!(float("b"), f64::NEG_INFINITY);
            assert!(float("c").is_nan());
        }
        // Integers stay Go's (checked with Helm 4.2.3: `123456789` and
        // `18446744073709551615` land in Chart.yaml string fields as written).
        let v = parse_yaml_struct_value("a: 010\nb: 123456789\nc: 18446744073709551615\n").unwrap();
        let m = v.as_map().unwrap();
        assert!(matches!(m.get("a"), Some(Value::Int64(8))));
        assert!(matches!(m.get("b"), Some(Value::Int64(123_456_789))));
        assert!(matches!(m.get("c"), Some(Value::Uint64(u64::MAX))));
        // Everything else is refused as before.
        assert!(parse_yaml_struct_value("~: 1\n").is_err());
    }

    #[test]
    fn tags_and_block_scalars() {
        let m = load_ok(
            "a: !!str 123\nb: !!int \"12\"\nc: !!float 1\nd: !custom text\n\
             e: !!binary aGVsbG8=\nf: |\n  line1\n  line2\ng: >-\n  folded\n  text\n",
        );
        assert_eq!(get(&m, "a"), Value::str("123"));
        assert_eq!(get(&m, "b"), Value::Float(12.0));
        assert_eq!(get(&m, "c"), Value::Float(1.0));
        assert_eq!(get(&m, "d"), Value::str("text"));
        assert_eq!(get(&m, "e"), Value::str("hello"));
        assert_eq!(get(&m, "f"), Value::str("line1\nline2\n"));
        assert_eq!(get(&m, "g"), Value::str("folded text"));
        assert!(parse_values("a: !!int abc\n", "t.yaml").is_err());
    }

    #[test]
    fn json_parsing_uses_float64() {
        let v = parse_json_value(r#"{"a": 1, "b": [true, null, "x"], "c": 1.5}"#).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(m.get("a"), Some(Value::Float(1.0)));
        assert_eq!(m.get("c"), Some(Value::Float(1.5)));
        assert!(parse_json_value("{").is_err());
    }

    #[test]
    fn syntax_errors_read_like_go_yaml_v2() {
        let text = |y: &str| parse_yaml_value(y).unwrap_err().go_yaml_text();
        // Scanner errors: 1-based line, left out on the first line.
        assert_eq!(
            text("a: b: c"),
            "yaml: mapping values are not allowed in this context"
        );
        assert_eq!(
            text("x: 1\na: b: c\n"),
            "yaml: line 2: mapping values are not allowed in this context"
        );
        // Parser errors: go-yaml shows the 0-based line.
        assert_eq!(
            text("a:\n  b: 1\n c: 2\n"),
            "yaml: line 2: did not find expected key"
        );
        assert_eq!(
            text("a: [1, 2"),
            "yaml: line 1: did not find expected ',' or ']'"
        );
        assert_eq!(
            text("a: {b: 1\n"),
            "yaml: line 1: did not find expected ',' or '}'"
        );
        assert_eq!(
            text("a: 'open\n"),
            "yaml: line 2: found unexpected end of stream"
        );
        assert_eq!(text("a: *nope\n"), "yaml: unknown anchor 'nope' referenced");
        // Helm 4.2.3's texts for a collection closed by the wrong bracket.
        assert_eq!(
            text("a: {b: [1, 2}\n"),
            "yaml: did not find expected ',' or ']'"
        );
        assert_eq!(
            text("a: [1, {b: 2]\n"),
            "yaml: did not find expected ',' or '}'"
        );
        assert_eq!(
            text("x: 1\na: [1, {b: 2]\n"),
            "yaml: line 1: did not find expected ',' or '}'"
        );
        assert_eq!(
            text("x: 1\n\ty: 2\n"),
            "yaml: line 2: found a tab character that violates indentation"
        );
    }

    #[test]
    fn load_values_errors_read_like_helm() {
        // Helm 4.2.3's texts after "cannot load values.yaml: " (chart_values.yaml).
        let text = |y: &str| {
            parse_values(y, "values.yaml")
                .unwrap_err()
                .load_values_text()
        };
        let conv = "cannot unmarshal yaml document: error converting YAML to JSON: ";
        assert_eq!(
            text("a: [1, 2\nb: 3\n"),
            format!("{conv}yaml: line 1: did not find expected ',' or ']'")
        );
        assert_eq!(
            text("x: 1\na: [1,\n  2\nb: 3\n"),
            format!("{conv}yaml: line 3: did not find expected ',' or ']'")
        );
        assert_eq!(
            text("x: 1\na: [1, {b: [x]\nc: 3\n"),
            format!("{conv}yaml: line 2: did not find expected ',' or '}}'")
        );
        // Lines count within the failing document.
        assert_eq!(
            text("a: 1\n---\nb: [1, 2\nc: 3\n"),
            format!("{conv}yaml: line 1: did not find expected ',' or ']'")
        );
        assert_eq!(
            text("a: 1\n--- x\nb: 2\n"),
            "error reading yaml document: invalid Yaml document separator: x"
        );
        // A bad separator fails as it is read, before the document it ends is decoded;
        // a document ended by a good one is decoded first.
        assert_eq!(
            text("a: [\n--- x\n"),
            "error reading yaml document: invalid Yaml document separator: x"
        );
        assert_eq!(
            text("a: [\n---\nb: 1\n--- x\n"),
            format!("{conv}yaml: line 1: did not find expected node content")
        );
        assert_eq!(
            text("- a\n"),
            "cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: \
             cannot unmarshal array into Go value of type map[string]interface {}"
        );
        assert_eq!(
            text("a: .inf\n"),
            format!("{conv}json: unsupported value: +Inf")
        );
        assert_eq!(
            text("a: &x [*x]\n"),
            format!("{conv}yaml: anchor 'x' value contains itself")
        );
        assert_eq!(
            text("a: !!int abc\n"),
            format!("{conv}yaml: cannot decode !!str `abc` as a !!int")
        );
        assert_eq!(
            text("~: {b: 1, a: [x, ~]}\n"),
            format!(
                "{conv}unsupported map key of type: %!s(<nil>), key: <nil>, value: \
                 map[interface {{}}]interface {{}}{{\"a\":[]interface {{}}{{\"x\", interface {{}}(nil)}}, \"b\":1}}"
            )
        );
        assert_eq!(
            text("18446744073709551615: x\n"),
            format!(
                "{conv}unsupported map key of type: uint64, key: 0xffffffffffffffff, value: \"x\""
            )
        );
        assert_eq!(
            text("? [x, 1, ~, 1.5, true]\n: 2\n"),
            format!(
                "{conv}yaml: invalid map key: []interface {{}}{{\"x\", 1, interface {{}}(nil), 1.5, true}}"
            )
        );
        assert_eq!(
            text("x: 1\ny: 2\na: x\u{1}\n"),
            format!("{conv}yaml: control characters are not allowed")
        );
        assert_eq!(
            text("x: 1\ny: `x`\n"),
            format!("{conv}yaml: line 2: found character that cannot start any token")
        );
        assert_eq!(
            text("x: 1\na:\n  b:\n\t\tc: 1\n"),
            format!("{conv}yaml: line 4: found character that cannot start any token")
        );
        assert_eq!(
            text("x: 1\ny: \"a\\xZZ\"\n"),
            format!("{conv}yaml: line 2: did not find expected hexdecimal number")
        );
    }

    #[test]
    fn tab_led_lines_fail_where_libyaml_fails() {
        // Helm 4.2.3's texts (chart values.yaml), and what it accepts.
        let text = |y: &str| parse_values(y, "values.yaml").unwrap_err().go_yaml_text();
        let start = "found character that cannot start any token";
        let violates = "found a tab character that violates indentation";
        let block = "found a tab character where an indentation space is expected";
        assert_eq!(text("a: 1\n\t\nb: 2"), format!("yaml: line 2: {violates}"));
        assert_eq!(
            text("a:\n  b: 1\n  \t\nc: 2"),
            format!("yaml: line 3: {violates}")
        );
        assert_eq!(
            text("a: 1\n\t# c\nb: 2"),
            format!("yaml: line 2: {violates}")
        );
        assert_eq!(text("a: \"x\"\n\t\nb: 1"), format!("yaml: line 2: {start}"));
        assert_eq!(text("a:\n\t\n  b: 1"), format!("yaml: line 2: {start}"));
        assert_eq!(text("a: [1]\n\t\nb: 2"), format!("yaml: line 2: {start}"));
        assert_eq!(
            text("a: 1\n# c\n\t\nb: 1"),
            format!("yaml: line 3: {start}")
        );
        assert_eq!(text("\t\na: 1"), format!("yaml: {start}"));
        assert_eq!(
            text("a: |\n  x\n\t\nb: 2"),
            format!("yaml: line 3: {block}")
        );
        assert_eq!(text("x: 1\na: |\n\tx\n"), format!("yaml: line 3: {block}"));
        assert_eq!(
            text("x: 1\na: |\n  x\n\ty\n"),
            format!("yaml: line 4: {block}")
        );
        for ok in [
            "a:\n  b: 1\n   \t\nc: 2",
            "a: 1\n \t\nb: 2",
            "a: 1 \t\nb: 2",
            "a: [1,\n\t2]\n",
            "a: \"x\n\ty\"\n",
            "a: |\n  x\n  \ty\n",
            "b: {\n\t\"k\":\n\t\t\"v\"\n}\n",
            "b: [\n\t# c\n\t1]\n",
        ] {
            assert!(parse_values(ok, "v").is_ok(), "{ok:?}");
        }
        // go-yaml reads a document only to the line of the token after its root node:
        // an indented root ends at the first key left of it, and the rest is ignored.
        let m = load_ok(" image:\n  repository: nginx\nservice:\n\tport: 80\n");
        assert_eq!(get(&m, "image.repository"), Value::str("nginx"));
        assert!(!m.contains_key("service"));
        assert_eq!(
            text("{a: 1} # c\n\n\tx\n"),
            format!("yaml: line 3: {start}")
        );
        // A comment may follow a closing bracket or quote directly.
        let m = load_ok("a: []#c\nb: \"x\"#d\nc: {k: 1}# e\n");
        assert_eq!(get(&m, "b"), Value::str("x"));
        assert_eq!(get(&m, "c.k"), Value::Float(1.0));
        // Tabs indenting a flow collection are blanks, and gone from the values.
        let m = load_ok("b: [ \"x\",\n\t\"y\" ]\nc: {\n\tk: [\n\t\t1]}\n");
        assert_eq!(
            get(&m, "b"),
            Value::list(vec![Value::str("x"), Value::str("y")])
        );
        assert_eq!(get(&m, "c.k"), Value::list(vec![Value::Float(1.0)]));
    }

    #[test]
    fn empty_keys_and_stray_brackets_read_like_go_yaml() {
        let text = |y: &str| parse_values(y, "values.yaml").unwrap_err().go_yaml_text();
        assert_eq!(text(": 7.5\ni: 10\n"), "yaml: did not find expected key");
        assert_eq!(
            text("version: \"v1\"\n:"),
            "yaml: line 1: did not find expected key"
        );
        assert_eq!(
            text("a: {: {c: deep}}\n"),
            "yaml: did not find expected node content"
        );
        assert!(
            parse_values("? \n: 1\n", "v")
                .is_err_and(|e| e.go_yaml_text().starts_with("unsupported map key"))
        );
        assert_eq!(
            text("x: 1\n]str: \"17\"\n"),
            "yaml: line 1: did not find expected key"
        );
        assert_eq!(
            text("intish: 3\nfloaty: }2.5\n"),
            "yaml: line 1: did not find expected node content"
        );
        assert_eq!(
            text("list: [one, two, - three]\n"),
            "yaml: did not find expected node content"
        );
        assert_eq!(
            text("c: {port: 1,:  size: 2}\n"),
            "yaml: did not find expected node content"
        );
        assert_eq!(text("a: \"x\" y\n"), "yaml: did not find expected key");
        assert_eq!(
            text("x: 1\n'k\ney': 1\n"),
            "yaml: line 3: could not find expected ':'"
        );
        assert_eq!(
            text("*xgreeting: hello\n"),
            "yaml: unknown anchor 'xgreeting' referenced"
        );
        assert_eq!(
            text("x: 1\na: \"x"),
            "yaml: line 3: found unexpected end of stream"
        );
        // Stray closing brackets where a node is due.
        assert_eq!(
            text("# c\n# d).\n]{}\n"),
            "yaml: line 2: did not find expected node content"
        );
        assert_eq!(
            text("defaults:\n  resources:\n   ] limits: {cpu: 500m}\n"),
            "yaml: line 2: did not find expected node content"
        );
        // A flow collection left open where a key is due is a key that never ends.
        assert_eq!(
            text("a: 1\n[b: 2\nc: 3\n"),
            "yaml: line 3: could not find expected ':'"
        );
        assert_eq!(
            text("a:\n  x: 1\n  [b: 2\n\n# c\n  c: 3\n"),
            "yaml: line 5: could not find expected ':'"
        );
        assert_eq!(
            text("a: 1\n[b: 2"),
            "yaml: line 3: could not find expected ':'"
        );
        assert_eq!(
            text("a:\n  [b: 2\n  c: 3\n"),
            "yaml: line 2: did not find expected ',' or ']'"
        );
    }

    #[test]
    fn go_syntax_of_an_alias_bomb_key_is_bounded() {
        // go-yaml decodes the whole document before the JSON step refuses the null key,
        // so the bomb under it fails first (Helm 4.2.3's text).
        let mut text = String::from("~: [&a0 [x, x, x, x, x, x, x, x, x, x]");
        for i in 1..8 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!(", &a{i} [{}]", vec![prev; 10].join(", ")));
        }
        text.push_str("]\n");
        let err = parse_values(&text, "bomb.yaml")
            .unwrap_err()
            .load_values_text();
        assert_eq!(
            err,
            "cannot unmarshal yaml document: error converting YAML to JSON: \
             yaml: document contains excessive aliasing"
        );
        // A large value under a null key is printed up to a bound.
        let text = format!("~: [{}]\n", vec!["x"; 3000].join(", "));
        let err = parse_values(&text, "big.yaml")
            .unwrap_err()
            .load_values_text();
        assert!(err.len() < 5000 && err.ends_with("..."), "{err}");
    }

    #[test]
    fn null_keys_under_replaced_entries_never_reach_json() {
        // Helm 4.2.3 decodes these (go-yaml's map drops the replaced entry).
        let m = load_ok("a:\n  ~: 1\na: 2\nb: {null: x, c: 1}\nb: {c: 2}\n<<: {d: {~: 1}}\nd: 3\n");
        assert_eq!(get(&m, "a"), Value::Float(2.0));
        assert_eq!(get(&m, "b.c"), Value::Float(2.0));
        assert_eq!(get(&m, "d"), Value::Float(3.0));
        // A later null key still fails, printing the value that survived.
        let text = |y: &str| parse_yaml_value(y).unwrap_err().go_yaml_text();
        assert_eq!(
            text("~: 1\nx: 0\n~: 2\n"),
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: 2"
        );
        // Go's `%#v` of a map: merges applied, duplicate keys replaced.
        assert_eq!(
            text("~: {<<: {a: 1}, b: 2, b: 3}\n"),
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \
             map[interface {}]interface {}{\"a\":1, \"b\":3}"
        );
        // A `!!binary` key is its bytes (Helm 4.2.3; invalid base64 fails as a key too).
        let m = load_ok("? !!binary null\n: 1\n");
        assert_eq!(m.keys(), vec!["\u{FFFD}\u{FFFD}e".to_string()]);
        // Go's base64: only line breaks skipped, trailing bits accepted (Helm 4.2.3).
        assert_eq!(
            get(
                &load_ok("a: !!binary \"aGVs\\rbG8=\"\nb: !!binary aGl=\n"),
                "b"
            ),
            Value::str("hi")
        );
        for bad in [
            "a: !!binary \"aGVs bG8=\"\n",
            "a: !!binary \"aGVs\\tbG8=\"\n",
            "a: !!binary aGk\n",
        ] {
            assert!(parse_values(bad, "t").is_err(), "{bad:?}");
        }
        // Each byte outside UTF-8 is one U+FFFD, as encoding/json writes it.
        let m = load_ok("a: !!binary 4oBY\n");
        assert_eq!(get(&m, "a"), Value::str("\u{FFFD}\u{FFFD}X"));
        assert_eq!(
            text("{!!binary 1, [a]: 2}\n"),
            "yaml: !!binary value contains invalid base64 data"
        );
        // A `!!binary` string that is not UTF-8 prints its bytes as Go quotes them.
        assert_eq!(
            text("~: !!binary 0x1F\n"),
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"\\xd3\\x1dE\""
        );
    }

    #[test]
    fn a_collection_key_inside_a_collection_key_fails_first() {
        let text = |y: &str| parse_yaml_value(y).unwrap_err().go_yaml_text();
        // Helm 4.2.3's text (case 264).
        assert_eq!(
            text("? {outer: 1, ? [inner, key] : 2}\n: 3\n"),
            "yaml: invalid map key: []interface {}{\"inner\", \"key\"}"
        );
    }

    #[test]
    fn missing_colon_is_reported_where_libyaml_notices_it() {
        let text = |y: &str| parse_yaml_value(y).unwrap_err().go_yaml_text();
        // Helm 4.2.3's texts.
        assert_eq!(
            text("a: x\ny\n"),
            "yaml: line 3: could not find expected ':'"
        );
        assert_eq!(text("a: x\ny"), "yaml: line 3: could not find expected ':'");
        assert_eq!(
            text("a: x\ny\n\n# c\nb: 1\n"),
            "yaml: line 4: could not find expected ':'"
        );
        assert_eq!(
            text("a: x\ny\n\n\nb: 1\n"),
            "yaml: line 5: could not find expected ':'"
        );
        assert_eq!(
            text("a: x\ny\n\n\n"),
            "yaml: line 5: could not find expected ':'"
        );
        assert_eq!(
            text("a:\n  b: 1\n  c\nd: 2\n"),
            "yaml: line 4: could not find expected ':'"
        );
    }

    #[test]
    fn nel_is_a_line_break_as_in_go_yaml() {
        // What Helm 4.2.3's values_from_yaml gives for these.
        let m = load_ok("a: \"x\u{85}y\"\nb: 1\n");
        assert_eq!(get(&m, "a"), Value::str("x y"));
        let m = load_ok("a: |\n  x\u{85}  y\n");
        assert_eq!(get(&m, "a"), Value::str("x\ny\n"));
        let err = parse_values("a: x\u{85}y\n", "v").unwrap_err();
        assert_eq!(
            err.go_yaml_text(),
            "yaml: line 3: could not find expected ':'"
        );
    }

    #[test]
    fn ls_and_ps_are_line_breaks_kept_in_scalars() {
        // What Helm 4.2.3 loads for these (chart values.yaml).
        let m = load_ok(
            "a: x\u{2028}  y\nb: \"p\u{2029}\n  q\"\nc: |\n  x\u{2028}  y\nd: >-\n  x\n  \
             y\u{2028}  z\n\n  w\u{2029}\u{2029}\ne: [x,\u{2028}y]\n# c\u{2028}f: 1\n",
        );
        assert_eq!(get(&m, "a"), Value::str("x\u{2028}y"));
        assert_eq!(get(&m, "b"), Value::str("p\u{2029}\nq"));
        assert_eq!(get(&m, "c"), Value::str("x\u{2028}y\n"));
        assert_eq!(get(&m, "d"), Value::str("x y\u{2028}z\nw"));
        assert_eq!(
            get(&m, "e"),
            Value::list(vec![Value::str("x"), Value::Bool(true)])
        );
        assert_eq!(get(&m, "f"), Value::Float(1.0));
        let m = load_ok("a: \"x\\\u{2028}  y\"\nb: |+\n  x\u{2028}\u{2028}\nc: 1\n");
        assert_eq!(get(&m, "a"), Value::str("xy"));
        assert_eq!(get(&m, "b"), Value::str("x\u{2028}\u{2028}\n"));
        let err = parse_values("x: 1\na: x\u{2028}y\n", "v").unwrap_err();
        assert_eq!(
            err.go_yaml_text(),
            "yaml: line 4: could not find expected ':'"
        );
    }

    #[test]
    fn yaml_value_any_shape() {
        assert_eq!(
            parse_yaml_value("- 1\n- a\n").unwrap(),
            Value::list(vec![Value::Float(1.0), Value::str("a")])
        );
        assert_eq!(parse_yaml_value("").unwrap(), Value::Nil);
        assert_eq!(parse_yaml_value("hello").unwrap(), Value::str("hello"));
    }
}
