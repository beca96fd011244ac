//! A small YAML node tree that keeps what serde throws away: scalar styles,
//! tags and positions.
//!
//! The typed schema is read with serde-saphyr; this tree is built from the same
//! text with granit-parser (the parser serde-saphyr itself uses) for three jobs
//! serde cannot do: turning an error location into a field path
//! (`releases[4].needs`), keeping inline values exactly as written (a plain
//! `yes` must stay plain so Helm's YAML 1.1 loader still reads a boolean), and
//! reading `set` values as their source text.

use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deepest nesting accepted; real stack files stay far below it.
const MAX_DEPTH: usize = 128;
/// Upper bound on nodes, counting alias expansions (guards against
/// "billion laughs" documents).
const MAX_NODES: usize = 500_000;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Scalar {
        text: String,
        style: ScalarStyle,
        /// Tag as written in short form (`!!str`), if any.
        tag: Option<String>,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub kind: Kind,
    /// 1-based line of the node's first character.
    pub line: usize,
    /// 1-based column of the node's first character.
    pub col: usize,
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Renders a path the way users write it: `releases[4].set["a.b"]`.
pub(crate) fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(k) => {
                let plain = !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                } else {
                    out.push_str(&format!("[{k:?}]"));
                }
            }
        }
    }
    out
}

#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub(crate) struct TreeError {
    pub line: usize,
    pub message: String,
}

/// Parses the first document of `text`. An empty document is an empty map.
pub(crate) fn parse(text: &str) -> Result<Node, TreeError> {
    let mut builder = Builder {
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    for item in parser.by_ref() {
        let (event, span) = item.map_err(|e| TreeError {
            line: e.marker().line(),
            message: e.info(),
        })?;
        let line = span.start.line();
        let col = span.start.col() + 1;
        let node = match event {
            Event::StreamEnd | Event::DocumentEnd => break,
            Event::UnresolvedAlias(name) => {
                return Err(TreeError {
                    line,
                    message: format!("unknown alias *{name}"),
                });
            }
            Event::Alias(id) => {
                let target = builder.anchors.get(&id).cloned().ok_or_else(|| TreeError {
                    line,
                    message: "alias refers to an unknown anchor".into(),
                })?;
                builder.count(count_nodes(&target), line)?;
                Node {
                    kind: target.kind,
                    line,
                    col,
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                builder.count(1, line)?;
                let node = Node {
                    kind: Kind::Scalar {
                        text: text.into_owned(),
                        style,
                        tag: tag.map(|t| short_tag(t.handle(), t.suffix())),
                    },
                    line,
                    col,
                };
                if anchor != 0 {
                    builder.anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(TreeError {
                        line,
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                    });
                }
                builder.count(1, line)?;
                let is_map = matches!(event, Event::MappingStart(..));
                stack.push(Frame {
                    node: Node {
                        kind: if is_map {
                            Kind::Map(Vec::new())
                        } else {
                            Kind::Seq(Vec::new())
                        },
                        line,
                        col,
                    },
                    anchor,
                    pending_key: None,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // Invariant: the parser only emits an end event for a
                // collection it opened, and we pushed a frame for each.
                let Some(frame) = stack.pop() else {
                    return Err(TreeError {
                        line,
                        message: "unbalanced collection end".into(),
                    });
                };
                if frame.anchor != 0 {
                    builder.anchors.insert(frame.anchor, frame.node.clone());
                }
                frame.node
            }
            // Stream and document starts, anchors (resolved through node
            // ids) and comments carry no data.
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                root = Some(node);
            }
            Some(frame) => frame.push(node),
        }
    }
    Ok(root.unwrap_or(Node {
        kind: Kind::Map(Vec::new()),
        line: 1,
        col: 1,
    }))
}

struct Builder {
    anchors: HashMap<usize, Node>,
    nodes: usize,
}

impl Builder {
    fn count(&mut self, n: usize, line: usize) -> Result<(), TreeError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(TreeError {
                line,
                message: format!("document expands to more than {MAX_NODES} nodes"),
            });
        }
        Ok(())
    }
}

struct Frame {
    node: Node,
    anchor: usize,
    pending_key: Option<Node>,
}

impl Frame {
    fn push(&mut self, child: Node) {
        match &mut self.node.kind {
            Kind::Seq(items) => items.push(child),
            Kind::Map(entries) => match self.pending_key.take() {
                Some(key) => entries.push((key, child)),
                None => self.pending_key = Some(child),
            },
            // Frames are only ever created for collections.
            Kind::Scalar { .. } => {}
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar { .. } => 1,
        Kind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Kind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
    }
}

fn short_tag(handle: &str, suffix: &str) -> String {
    if handle == "tag:yaml.org,2002:" {
        format!("!!{suffix}")
    } else if handle == "!" {
        format!("!{suffix}")
    } else {
        format!("!<{handle}{suffix}>")
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Looks a key up in a mapping, following `<<` merge keys as YAML does
    /// (explicit keys win over merged ones).
    pub fn get(&self, key: &str) -> Option<&Node> {
        let Kind::Map(entries) = &self.kind else {
            return None;
        };
        if let Some((_, v)) = entries.iter().find(|(k, _)| k.as_str() == Some(key)) {
            return Some(v);
        }
        for (k, v) in entries {
            if k.as_str() == Some("<<") {
                let found = match &v.kind {
                    Kind::Seq(items) => items.iter().find_map(|m| m.get(key)),
                    _ => v.get(key),
                };
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    pub fn index(&self, i: usize) -> Option<&Node> {
        match &self.kind {
            Kind::Seq(items) => items.get(i),
            _ => None,
        }
    }

    /// The path of the deepest node that starts at or before (`line`, `col`),
    /// descending into the last child that starts there. serde-saphyr reports
    /// errors at the start of the offending node, so this names its field.
    pub fn path_at(&self, line: usize, col: usize) -> Vec<Seg> {
        let mut path = Vec::new();
        let mut node = self;
        let before = |n: &Node| (n.line, n.col) <= (line, col);
        loop {
            match &node.kind {
                Kind::Scalar { .. } => break,
                Kind::Seq(items) => match items.iter().rposition(before) {
                    Some(i) => {
                        path.push(Seg::Index(i));
                        node = &items[i];
                    }
                    None => break,
                },
                Kind::Map(entries) => {
                    let Some(i) = entries.iter().rposition(|(k, _)| before(k)) else {
                        break;
                    };
                    let (k, v) = &entries[i];
                    path.push(Seg::Key(k.as_str().unwrap_or("?").to_string()));
                    if before(v) {
                        node = v;
                    } else {
                        break;
                    }
                }
            }
        }
        path
    }
}

/// Renders a tree as block YAML for Helm's values loader (go-yaml v2), keeping
/// every scalar's text and quoting so that the loader, not capstan, decides
/// types. `render` is applied to each scalar: it returns `None` to keep the
/// scalar as written, or `Some(text)` for a templated scalar's output.
pub(crate) fn emit<E>(
    node: &Node,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<String, E> {
    let mut out = String::new();
    match &node.kind {
        Kind::Map(entries) if !entries.is_empty() => emit_map(entries, 0, &mut out, render)?,
        Kind::Seq(items) if !items.is_empty() => emit_seq(items, 0, &mut out, render)?,
        _ => {
            let text = inline(node, render)?;
            out.push_str(&text);
            out.push('\n');
        }
    }
    Ok(out)
}

fn emit_map<E>(
    entries: &[(Node, Node)],
    indent: usize,
    out: &mut String,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<(), E> {
    for (k, v) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(&key_text(k, render)?);
        out.push(':');
        emit_child(v, indent, out, render)?;
    }
    Ok(())
}

fn emit_seq<E>(
    items: &[Node],
    indent: usize,
    out: &mut String,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<(), E> {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        emit_child(item, indent, out, render)?;
    }
    Ok(())
}

/// Emits the value after `key:` or `-`: nested collections go on the next
/// lines, indented; everything else stays on the line.
fn emit_child<E>(
    node: &Node,
    indent: usize,
    out: &mut String,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<(), E> {
    match &node.kind {
        Kind::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            emit_map(entries, indent + 2, out, render)
        }
        Kind::Seq(items) if !items.is_empty() => {
            out.push('\n');
            emit_seq(items, indent + 2, out, render)
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(node, render)?);
            out.push('\n');
            Ok(())
        }
    }
}

fn key_text<E>(
    key: &Node,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<String, E> {
    match &key.kind {
        // A templated key is always a string: quote it.
        Kind::Scalar { .. } => match render(key)? {
            Some(text) => Ok(double_quoted(&text)),
            None => scalar_as_written(key),
        },
        // Complex keys cannot become Helm values keys; keep their flow form.
        _ => inline(key, render),
    }
}

/// A node on one line: scalars as written, empty or nested collections in
/// flow style.
fn inline<E>(
    node: &Node,
    render: &mut dyn FnMut(&Node) -> Result<Option<String>, E>,
) -> Result<String, E> {
    match &node.kind {
        Kind::Scalar { .. } => match render(node)? {
            Some(text) if is_safe_plain(&text) => Ok(text),
            Some(text) => Ok(double_quoted(&text)),
            None => scalar_as_written(node),
        },
        Kind::Seq(items) => {
            let parts = items
                .iter()
                .map(|i| inline(i, render))
                .collect::<Result<Vec<_>, E>>()?;
            Ok(format!("[{}]", parts.join(", ")))
        }
        Kind::Map(entries) => {
            let mut parts = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                parts.push(format!("{}: {}", key_text(k, render)?, inline(v, render)?));
            }
            Ok(format!("{{{}}}", parts.join(", ")))
        }
    }
}

fn scalar_as_written<E>(node: &Node) -> Result<String, E> {
    let Kind::Scalar { text, style, tag } = &node.kind else {
        return Ok(String::new());
    };
    let body = match style {
        // An empty plain scalar (`key:`) is null.
        ScalarStyle::Plain if text.is_empty() => "null".to_string(),
        // Plain text from a flow or block context is still a valid plain
        // scalar on one line unless it folded a blank line into "\n".
        ScalarStyle::Plain if !text.contains('\n') && is_safe_plain(text) => text.clone(),
        // Quoted and block scalars are strings whatever they contain.
        _ => double_quoted(text),
    };
    Ok(match tag {
        Some(t) => format!("{t} {body}"),
        None => body,
    })
}

/// Double-quoted YAML scalar. JSON string escapes are a subset of YAML's
/// double-quoted escapes, and go-yaml v2 accepts all of them.
pub(crate) fn double_quoted(text: &str) -> String {
    // Serialising a &str to JSON cannot fail.
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Whether `text` can be written as a plain scalar in block context and read
/// back as the same text (its type is then the loader's business).
pub(crate) fn is_safe_plain(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.trim() != text || text.chars().any(|c| c.is_control()) {
        return false;
    }
    if "?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    if first == '-' && (text.len() == 1 || text.starts_with("- ") || text.starts_with("---")) {
        return false;
    }
    !(text.contains(": ") || text.contains(" #") || text.ends_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(_: &Node) -> Result<Option<String>, ()> {
        Ok(None)
    }

    #[test]
    fn path_of_error_location() {
        let text =
            "name: x\nreleases:\n  - name: a\n  - name: b\n    needs: [c, d]\n    set: {a.b: 1}\n";
        let root = parse(text).unwrap();
        assert_eq!(path_string(&root.path_at(5, 16)), "releases[1].needs[1]");
        assert_eq!(path_string(&root.path_at(5, 5)), "releases[1].needs");
        assert_eq!(
            path_string(&root.path_at(6, 15)),
            "releases[1].set[\"a.b\"]"
        );
        assert_eq!(path_string(&root.path_at(1, 7)), "name");
    }

    #[test]
    fn emit_keeps_styles_and_types_for_helm() {
        let text = "v:\n  a: yes\n  b: \"3\"\n  c: 'x: y'\n  d: 010\n  e: [1, {f: ~}]\n  g: {}\n  h: |\n    two\n    lines\n  i: !!str 5\n";
        let root = parse(text).unwrap();
        let v = root.get("v").unwrap();
        let yaml = emit(v, &mut keep).unwrap();
        assert_eq!(
            yaml,
            "a: yes\nb: \"3\"\nc: \"x: y\"\nd: 010\ne:\n  - 1\n  -\n    f: ~\ng: {}\nh: \"two\\nlines\\n\"\ni: !!str 5\n"
        );
    }

    #[test]
    fn templated_scalars_become_plain_when_safe() {
        let root = parse("{a: \"{{ n }}\", b: \"{{ s }}\", c: plain}").unwrap();
        let mut render = |n: &Node| -> Result<Option<String>, ()> {
            Ok(match n.as_str() {
                Some("{{ n }}") => Some("3".into()),
                Some("{{ s }}") => Some("a: b".into()),
                _ => None,
            })
        };
        assert_eq!(
            emit(&root, &mut render).unwrap(),
            "a: 3\nb: \"a: b\"\nc: plain\n"
        );
    }

    #[test]
    fn aliases_and_merge_keys_resolve() {
        let root = parse("base: &b {x: 1}\nr:\n  <<: *b\n  y: 2\n").unwrap();
        assert_eq!(root.get("r").unwrap().get("x").unwrap().as_str(), Some("1"));
        assert_eq!(root.get("r").unwrap().get("y").unwrap().as_str(), Some("2"));
    }

    #[test]
    fn billion_laughs_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nodes"), "{err}");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(500) + &"]".repeat(500);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn syntax_error_has_line() {
        let err = parse("a: 1\nb: [1,\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
    }
}
