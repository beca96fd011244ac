//! Parse trees, after Go's `text/template/parse/node.go`. `Display` renders a node the
//! way Go's `Node.String()` does, because exec errors quote it: `at <.Values.a.b>`.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::value::Value;

/// A piece of a template's source text (a text run, a name, a literal's source)
/// sharing the whole text rather than copying its piece: parsing allocates nothing
/// for it, and the tree keeps the text alive anyway.
#[derive(Clone)]
pub struct Src {
    text: Arc<str>,
    start: usize,
    end: usize,
}

impl Src {
    /// `text[range]`; the range must lie on character boundaries of `text`.
    pub fn new(text: &Arc<str>, start: usize, end: usize) -> Src {
        debug_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        Src {
            text: text.clone(),
            start,
            end,
        }
    }

    /// Where the piece starts in the source text.
    pub fn start(&self) -> usize {
        self.start
    }

    /// All of `text`.
    pub fn whole(text: Arc<str>) -> Src {
        let end = text.len();
        Src {
            text,
            start: 0,
            end,
        }
    }
}

impl Deref for Src {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text[self.start..self.end]
    }
}

impl fmt::Debug for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

/// The names of a field chain `.a.b.c`, kept as their source text `a.b.c` (no name
/// contains a dot): one slice instead of one string per name.
pub fn field_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('.').filter(|_| !path.is_empty())
}

/// A parsed template: one file's top level, or one `define`/`block` body.
#[derive(Debug)]
pub struct Tree {
    /// The template's name (`define "name"` or the file name).
    pub name: String,
    /// The name of the file it was parsed from, used in error locations.
    pub parse_name: Arc<str>,
    /// The whole source text the nodes' positions point into.
    pub text: Arc<str>,
    /// Shared, so that the same parse can be named after another file that holds the
    /// same text (see [`Tree::renamed`]).
    pub root: Arc<List>,
    /// The source's bytes when they are not UTF-8 (`text` is then their lossy
    /// decoding): Go's text nodes hold the bytes themselves.
    pub raw_source: Option<Arc<RawSource>>,
}

/// A template source that is not UTF-8, and where its lossy decoding shifts offsets.
#[derive(Debug)]
pub struct RawSource {
    bytes: Box<[u8]>,
    /// Per invalid sequence: the offset in the decoded text just past its U+FFFD, and
    /// the source offset there (offsets in between shift by the same amount).
    shifts: Vec<(usize, usize)>,
}

impl RawSource {
    /// The source `bytes`, decoded as `String::from_utf8_lossy` decodes them.
    pub fn new(bytes: &[u8]) -> RawSource {
        let (mut text, mut at) = (0, 0);
        let mut shifts = Vec::new();
        for chunk in bytes.utf8_chunks() {
            text += chunk.valid().len();
            at += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                text += char::REPLACEMENT_CHARACTER.len_utf8();
                at += chunk.invalid().len();
                shifts.push((text, at));
            }
        }
        RawSource {
            bytes: bytes.into(),
            shifts,
        }
    }

    /// The source offset of decoded-text offset `pos` (a character boundary there).
    fn source_offset(&self, pos: usize) -> usize {
        let i = self.shifts.partition_point(|&(text, _)| text <= pos);
        let at = match i.checked_sub(1).map(|i| self.shifts[i]) {
            Some((text, at)) => at + (pos - text),
            None => pos,
        };
        at.min(self.bytes.len())
    }
}

impl Tree {
    /// This tree as parsed from a file named `file` holding the same text: error
    /// locations name `file`, and a file's top-level tree takes its name.
    pub fn renamed(&self, file: &Arc<str>, top: bool) -> Tree {
        Tree {
            name: if top {
                file.to_string()
            } else {
                self.name.clone()
            },
            parse_name: file.clone(),
            text: self.text.clone(),
            root: self.root.clone(),
            raw_source: self.raw_source.clone(),
        }
    }

    /// The source bytes behind `text[start..end]` (character boundaries): with a
    /// [`Tree::raw_source`], each U+FFFD that stands for an invalid sequence gives
    /// that sequence's bytes.
    pub fn source_bytes(&self, start: usize, end: usize) -> &[u8] {
        match &self.raw_source {
            None => &self.text.as_bytes()[start..end],
            Some(raw) => {
                let from = raw.source_offset(start);
                &raw.bytes[from..raw.source_offset(end).max(from)]
            }
        }
    }

    /// Go's `ErrorContext` location: `FILE:LINE:COL` (COL is a 0-based byte offset).
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let before = &self.text.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let col = match before.iter().rposition(|b| *b == b'\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// A sequence of nodes. Node, command, argument and declaration sequences are boxed
/// slices: the parser collects each on a shared stack and allocates it once at its
/// final size (no growth by doubling), and a tree is never changed after parsing.
#[derive(Debug, Default)]
pub struct List {
    pub nodes: Box<[Node]>,
}

impl List {
    /// Go's `IsEmptyTree`: nothing but space and comments.
    pub fn is_empty_tree(&self) -> bool {
        self.nodes.iter().all(|n| match n {
            Node::Text { text, .. } => text.trim().is_empty(),
            _ => false,
        })
    }
}

#[derive(Debug)]
pub enum Node {
    Text {
        pos: usize,
        text: Src,
    },
    Action {
        pos: usize,
        pipe: Pipe,
    },
    If(Branch),
    Range(Branch),
    With(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

/// The shared shape of if/range/with.
#[derive(Debug)]
pub struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: List,
    pub else_list: Option<List>,
}

/// A pipeline with optional variable declarations.
#[derive(Debug)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Box<[Variable]>,
    pub cmds: Box<[Command]>,
}

#[derive(Debug)]
pub struct Variable {
    pub pos: usize,
    /// `$x` or `$`; field names follow in `Arg::Variable` uses.
    pub name: Src,
}

#[derive(Debug)]
pub struct Command {
    pub pos: usize,
    pub args: Box<[Arg]>,
}

/// A parsed number literal, with the interpretations Go's `NumberNode` records.
#[derive(Debug, Clone)]
pub struct Number {
    pub text: Src,
    pub int: Option<i64>,
    pub float: Option<f64>,
    /// Whether the literal, used untyped, is a float (`1.0`, `1e3`) rather than an int.
    pub is_float_syntax: bool,
    /// Fits in uint64 but not int64.
    pub uint_only: bool,
}

/// An operand.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`: `idents` is `a.b` (see [`field_names`]).
    Field {
        pos: usize,
        idents: Src,
    },
    /// `$x.a.b`: `name` is `$x`, `fields` the rest (`a.b`, or empty).
    Variable {
        pos: usize,
        name: Src,
        fields: Src,
    },
    /// `(pipe).a.b` or `fn.a` (the latter fails at exec time); `fields` is `a.b`.
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Src,
    },
    Identifier {
        pos: usize,
        name: Src,
        /// The builtin of this name, if any (a user function may still override it).
        builtin: Option<crate::builtins::Builtin>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        val: bool,
    },
    Number {
        pos: usize,
        num: Number,
    },
    String {
        pos: usize,
        quoted: Src,
        /// The unquoted text, ready to hand out without allocating.
        val: Value,
    },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => write!(f, ".{idents}"),
            Arg::Variable { name, fields, .. } => {
                write!(f, "{name}")?;
                if !fields.is_empty() {
                    write!(f, ".{fields}")?;
                }
                Ok(())
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                write!(f, ".{fields}")
            }
            Arg::Identifier { name, .. } => write!(f, "{name}"),
            Arg::Dot { .. } => write!(f, "."),
            Arg::Nil { .. } => write!(f, "nil"),
            Arg::Bool { val, .. } => write!(f, "{val}"),
            Arg::Number { num, .. } => write!(f, "{}", num.text),
            Arg::String { quoted, .. } => write!(f, "{quoted}"),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{}", v.name)?;
            }
            write!(f, " {} ", if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                write!(f, " | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

fn write_branch(f: &mut fmt::Formatter<'_>, kw: &str, b: &Branch) -> fmt::Result {
    write!(f, "{{{{{kw} {}}}}}{}", b.pipe, b.list)?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{e}")?;
    }
    write!(f, "{{{{end}}}}")
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text { text, .. } => write!(f, "{}", crate::gofmt::quote(text)),
            Node::Action { pipe, .. } => write!(f, "{{{{{pipe}}}}}"),
            Node::If(b) => write_branch(f, "if", b),
            Node::Range(b) => write_branch(f, "range", b),
            Node::With(b) => write_branch(f, "with", b),
            Node::Template { name, pipe, .. } => {
                write!(f, "{{{{template {}", crate::gofmt::quote(name))?;
                if let Some(p) = pipe {
                    write!(f, " {p}")?;
                }
                write!(f, "}}}}")
            }
            Node::Break => write!(f, "{{{{break}}}}"),
            Node::Continue => write!(f, "{{{{continue}}}}"),
        }
    }
}

// Trees from untrusted text can nest thousands of levels deep; dropping them
// recursively would overflow the stack, so both recursive shapes drop iteratively.

impl Drop for List {
    fn drop(&mut self) {
        // Most lists hold no control structure: the plain drop cannot recurse through
        // them, and costs less than moving every node through the stack below.
        if !self
            .nodes
            .iter()
            .any(|n| matches!(n, Node::If(_) | Node::Range(_) | Node::With(_)))
        {
            return;
        }
        let mut stack: Vec<Node> = std::mem::take(&mut self.nodes).into_vec();
        while let Some(node) = stack.pop() {
            if let Node::If(mut b) | Node::Range(mut b) | Node::With(mut b) = node {
                stack.extend(std::mem::take(&mut b.list.nodes).into_vec());
                if let Some(e) = b.else_list.as_mut() {
                    stack.extend(std::mem::take(&mut e.nodes).into_vec());
                }
            }
        }
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // Most pipelines hold no nested pipeline, so the plain drop cannot recurse.
        let nests = |arg: &Arg| matches!(arg, Arg::Pipe(_) | Arg::Chain { .. });
        if !self.cmds.iter().any(|c| c.args.iter().any(nests)) {
            return;
        }
        let mut cmds: Vec<Command> = std::mem::take(&mut self.cmds).into_vec();
        while let Some(mut cmd) = cmds.pop() {
            for arg in std::mem::take(&mut cmd.args).into_vec() {
                let mut arg = arg;
                // Unwrap chains down to their base operand.
                while let Arg::Chain { node, .. } = arg {
                    arg = *node;
                }
                if let Arg::Pipe(mut p) = arg {
                    cmds.extend(std::mem::take(&mut p.cmds).into_vec());
                }
            }
        }
    }
}
