//! The parser, after Go's `text/template/parse/parse.go`: the same grammar, the same
//! error messages (`template: NAME:LINE: unexpected ...`), the same `define` and
//! `block` handling (definitions land in a tree set next to the top-level tree).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{Arg, Branch, Command, List, Node, Number, Pipe, Src, Tree, Variable};
use crate::lex::{Item, ItemType, LexOptions, lex};
use crate::stack::{STACK_GROW, STACK_RED_ZONE};
use crate::value::Value;

/// What the parser needs from its caller.
pub struct ParseConfig<'a> {
    pub left_delim: &'a str,
    pub right_delim: &'a str,
    /// Whether a function name is defined (builtins included).
    pub has_function: &'a dyn Fn(&str) -> bool,
    /// Maximum nesting of parentheses and control structures.
    pub max_depth: usize,
}

/// What [`parse_file`] returns.
pub struct ParsedFile {
    /// Every tree the text defines: the top level under the file's name, plus each
    /// `define`/`block`, in definition order.
    pub trees: Vec<Arc<Tree>>,
    /// Whether no `define`/`block` took the file's own name: then the parse depends
    /// on the name only through the top-level tree's name and every tree's
    /// `parse_name`, and the top-level tree is the last one.
    pub top_alone: bool,
}

/// Parses `text` as template `name`.
pub fn parse_file(name: &str, text: &str, cfg: &ParseConfig<'_>) -> Result<ParsedFile, String> {
    let opts = LexOptions {
        break_ok: !(cfg.has_function)("break"),
        continue_ok: !(cfg.has_function)("continue"),
    };
    let lexed = lex(text, cfg.left_delim, cfg.right_delim, opts);
    let shared: Arc<str> = Arc::from(text);
    let parse_name: Arc<str> = Arc::from(name);
    let mut p = Parser {
        items: lexed.items,
        input: text,
        lex_error: lexed.error,
        idx: 0,
        hi: 0,
        parse_name: parse_name.clone(),
        cfg,
        vars: vec!["$"],
        range_depth: 0,
        depth: 0,
        action_line: 0,
        set: Vec::new(),
        index: HashMap::new(),
        text: shared.clone(),
        node_stack: Vec::new(),
        cmd_stack: Vec::new(),
        arg_stack: Vec::new(),
        decl_stack: Vec::new(),
    };
    let root = p.parse_top()?;
    let top_alone = !p.index.contains_key(name);
    p.add(Tree {
        name: name.to_string(),
        parse_name,
        text: shared,
        root: Arc::new(root),
        raw_source: None,
    })?;
    Ok(ParsedFile {
        trees: p.set.into_iter().map(Arc::new).collect(),
        top_alone,
    })
}

/// An item list ends at `{{end}}` or `{{else}}`; the parser reports which.
enum Stop {
    End,
    Else,
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

struct Parser<'a> {
    items: Vec<Item>,
    /// The template text the items' offsets point into.
    input: &'a str,
    /// The message of the final `Error` item, if any.
    lex_error: String,
    idx: usize,
    /// Highest token index looked at: Go reports the line of the last lexed token.
    hi: usize,
    parse_name: Arc<str>,
    cfg: &'a ParseConfig<'a>,
    vars: Vec<&'a str>,
    range_depth: usize,
    depth: usize,
    action_line: usize,
    set: Vec<Tree>,
    index: HashMap<String, usize>,
    text: Arc<str>,
    // Sequences under construction, innermost last: a finished sequence is moved
    // off the top into a boxed slice of its exact size.
    node_stack: Vec<Node>,
    cmd_stack: Vec<Command>,
    arg_stack: Vec<Arg>,
    decl_stack: Vec<Variable>,
}

type PResult<T> = Result<T, String>;

impl<'a> Parser<'a> {
    // ---- token access -------------------------------------------------------------

    fn item(&self, i: usize) -> &Item {
        // The lexer always ends with Eof or Error, and the parser stops at either.
        let last = self.items.len() - 1;
        &self.items[i.min(last)]
    }

    fn next(&mut self) -> Item {
        let it = *self.item(self.idx);
        self.hi = self.hi.max(self.idx.min(self.items.len() - 1));
        if self.idx < self.items.len() {
            self.idx += 1;
        }
        it
    }

    fn backup(&mut self) {
        self.idx -= 1;
    }

    fn peek(&mut self) -> Item {
        self.hi = self.hi.max(self.idx.min(self.items.len() - 1));
        *self.item(self.idx)
    }

    fn peek_type(&mut self) -> ItemType {
        self.hi = self.hi.max(self.idx.min(self.items.len() - 1));
        self.item(self.idx).typ
    }

    /// Go's `nextNonSpace`: no token is a space here (see [`Item::space`]).
    fn next_non_space(&mut self) -> Item {
        self.next()
    }

    fn peek_non_space(&mut self) -> Item {
        self.peek()
    }

    /// The token's text.
    #[inline]
    fn val(&self, tok: &Item) -> &'a str {
        tok.val(self.input)
    }

    /// The token's text as a node keeps it: a slice of the shared source.
    fn src(&self, tok: &Item) -> Src {
        Src::new(&self.text, tok.pos, tok.end)
    }

    // ---- errors -------------------------------------------------------------------

    fn errorf(&self, msg: impl std::fmt::Display) -> String {
        let line = self.item(self.hi).line;
        format!("template: {}:{}: {}", self.parse_name, line, msg)
    }

    fn unexpected(&self, tok: &Item, context: &str) -> String {
        if tok.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != tok.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if self.lex_error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{extra}", self.lex_error));
        }
        self.errorf(format!(
            "unexpected {} in {context}",
            tok.describe(self.input, &self.lex_error)
        ))
    }

    fn expect(&mut self, typ: ItemType, context: &str) -> PResult<Item> {
        let tok = self.next_non_space();
        if tok.typ != typ {
            return Err(self.unexpected(&tok, context));
        }
        Ok(tok)
    }

    // ---- tree set -----------------------------------------------------------------

    /// Go's `Tree.add`: a second non-empty definition in one parse is an error; an
    /// empty one never replaces.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        match self.index.get(&tree.name) {
            None => {
                self.index.insert(tree.name.clone(), self.set.len());
                self.set.push(tree);
            }
            Some(&i) => {
                if self.set[i].root.is_empty_tree() {
                    self.set[i] = tree;
                } else if !tree.root.is_empty_tree() {
                    return Err(self.errorf(format!(
                        "template: multiple definition of template {}",
                        crate::gofmt::quote(&tree.name)
                    )));
                }
            }
        }
        Ok(())
    }

    // ---- grammar ------------------------------------------------------------------

    /// The nodes pushed since `mark`, as a list.
    fn list_from(&mut self, mark: usize) -> List {
        List {
            nodes: self.node_stack.split_off(mark).into_boxed_slice(),
        }
    }

    fn parse_top(&mut self) -> PResult<List> {
        let mark = self.node_stack.len();
        while self.peek_type() != ItemType::Eof {
            if self.peek_type() == ItemType::LeftDelim {
                let mark = self.idx;
                self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = mark;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => self.node_stack.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(self.list_from(mark))
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let tok = self.next_non_space();
        if tok.typ != ItemType::String && tok.typ != ItemType::RawString {
            return Err(self.unexpected(&tok, CONTEXT));
        }
        let name = unquote(self.val(&tok))
            .map_err(|e| self.errorf(e))?
            .into_owned();
        self.expect(ItemType::RightDelim, CONTEXT)?;
        // A definition has its own variable scope.
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, stop) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let Stop::Else = stop {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add(Tree {
            name,
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: Arc::new(list),
            raw_source: None,
        })
    }

    fn item_list(&mut self) -> PResult<(List, Stop)> {
        let mark = self.node_stack.len();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => self.node_stack.push(n),
                Parsed::End => return Ok((self.list_from(mark), Stop::End)),
                Parsed::Else => return Ok((self.list_from(mark), Stop::Else)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text {
                pos: tok.pos,
                text: self.src(&tok),
            })),
            ItemType::LeftDelim => {
                self.action_line = tok.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => Err(self.unexpected(&tok, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break | ItemType::Continue => {
                let what = if tok.typ == ItemType::Break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.typ != ItemType::RightDelim {
                    return Err(self.unexpected(&t, what));
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{what} outside {{{{range}}}}")));
                }
                return Ok(Parsed::Node(if tok.typ == ItemType::Break {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.control("if").map(Parsed::Node),
            ItemType::Range => return self.control("range").map(Parsed::Node),
            ItemType::With => return self.control("with").map(Parsed::Node),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pos = self.peek().pos;
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action { pos, pipe }))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            // "{{else if" is "{{else}}{{if": leave the keyword for the caller.
            return Ok(Parsed::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn enter(&mut self, what: &str) -> PResult<()> {
        if self.depth >= self.cfg.max_depth {
            return Err(self.errorf(format!("max {what} depth exceeded")));
        }
        self.depth += 1;
        Ok(())
    }

    fn control(&mut self, context: &str) -> PResult<Node> {
        self.enter("nesting")?;
        let r = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.control_inner(context));
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Node> {
        let mark = self.vars.len();
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, stop) = listed?;
        let mut else_list = None;
        if let Stop::Else = stop {
            let pt = self.peek_type();
            if context == "if" && pt == ItemType::If {
                self.next();
                let n = self.control("if")?;
                else_list = Some(List {
                    nodes: Box::new([n]),
                });
            } else if context == "with" && pt == ItemType::With {
                self.next();
                let n = self.control("with")?;
                else_list = Some(List {
                    nodes: Box::new([n]),
                });
            } else {
                let (el, stop2) = self.item_list()?;
                if let Stop::Else = stop2 {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(el);
            }
        }
        self.vars.truncate(mark);
        let branch = Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        };
        Ok(match context {
            "if" => Node::If(branch),
            "range" => Node::Range(branch),
            _ => Node::With(branch),
        })
    }

    fn parse_template_name(&mut self, tok: &Item, context: &str) -> PResult<String> {
        match tok.typ {
            ItemType::String | ItemType::RawString => unquote(self.val(tok))
                .map(Cow::into_owned)
                .map_err(|e| self.errorf(e)),
            _ => Err(self.unexpected(tok, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let tok = self.next_non_space();
        let name = self.parse_template_name(&tok, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let tok = self.next_non_space();
        let name = self.parse_template_name(&tok, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        self.enter("nesting")?;
        let listed = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || self.item_list());
        self.depth -= 1;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, stop) = listed?;
        if let Stop::Else = stop {
            return Err(self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        self.add(Tree {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: Arc::new(list),
            raw_source: None,
        })?;
        Ok(Node::Template {
            pos: tok.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let pos = self.peek_non_space().pos;
        let mut is_assign = false;
        let decl_mark = self.decl_stack.len();
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            let start = self.idx;
            self.next_non_space();
            let next = self.peek_non_space();
            match next.typ {
                ItemType::Assign | ItemType::Declare => {
                    is_assign = next.typ == ItemType::Assign;
                    self.next_non_space();
                    self.decl_stack.push(Variable {
                        pos: v.pos,
                        name: self.src(&v),
                    });
                    self.vars.push(self.val(&v));
                    break;
                }
                ItemType::Char if self.val(&next) == "," => {
                    self.next_non_space();
                    self.decl_stack.push(Variable {
                        pos: v.pos,
                        name: self.src(&v),
                    });
                    self.vars.push(self.val(&v));
                    if context == "range" && self.decl_stack.len() - decl_mark < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue;
                            }
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format!("too many declarations in {context}")));
                }
                _ => {
                    self.idx = start;
                    break;
                }
            }
        }
        let cmd_mark = self.cmd_stack.len();
        loop {
            let tok = self.next_non_space();
            match tok.typ {
                t if t == end => {
                    self.check_pipeline(&self.cmd_stack[cmd_mark..], context)?;
                    return Ok(Pipe {
                        pos,
                        is_assign,
                        decl: self.decl_stack.split_off(decl_mark).into_boxed_slice(),
                        cmds: self.cmd_stack.split_off(cmd_mark).into_boxed_slice(),
                    });
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    self.cmd_stack.push(cmd);
                }
                _ => return Err(self.unexpected(&tok, context)),
            }
        }
    }

    fn check_pipeline(&self, cmds: &[Command], context: &str) -> PResult<()> {
        if cmds.is_empty() {
            return Err(self.errorf(format!("missing value for {context}")));
        }
        for (i, c) in cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(
                    Arg::Bool { .. }
                        | Arg::Dot { .. }
                        | Arg::Nil { .. }
                        | Arg::Number { .. }
                        | Arg::String { .. }
                )
            ) {
                return Err(self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mark = self.arg_stack.len();
        loop {
            let operand = self.operand()?;
            let found = operand.is_some();
            if let Some(op) = operand {
                self.arg_stack.push(op);
            }
            let tok = self.next();
            match tok.typ {
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                // Go's parser sees a space token here and goes on to the next operand.
                _ if found && tok.space => {
                    self.backup();
                    continue;
                }
                _ => return Err(self.unexpected(&tok, "operand")),
            }
            break;
        }
        if self.arg_stack.len() == mark {
            return Err(self.errorf("empty command"));
        }
        Ok(Command {
            pos,
            args: self.arg_stack.split_off(mark).into_boxed_slice(),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek_adjacent_field() {
            let pos = self.peek().pos;
            // The field tokens are adjacent: `.a.b` is one run of source text.
            let (mut end, mut line) = (pos, 0);
            while self.peek_adjacent_field() {
                let f = self.next();
                (end, line) = (f.end, f.line);
            }
            let fields = Src::new(&self.text, pos + 1, end);
            return Ok(Some(match node {
                // `.x` followed by `.a.b`, or `$v[.x]` followed by `.a.b`: extend the
                // existing run to the new end.
                Arg::Field { idents, .. } => Arg::Field {
                    pos,
                    idents: self.extend_run(&idents, end),
                },
                Arg::Variable {
                    name, fields: vf, ..
                } => {
                    let fields = if vf.is_empty() {
                        fields
                    } else {
                        self.extend_run(&vf, end)
                    };
                    Arg::Variable { pos, name, fields }
                }
                Arg::Bool { .. }
                | Arg::String { .. }
                | Arg::Number { .. }
                | Arg::Nil { .. }
                | Arg::Dot { .. } => {
                    let msg = format!(
                        "unexpected . after term {}",
                        crate::gofmt::quote(&node.to_string())
                    );
                    // Go's parser stopped on the space token after the last field, if
                    // any: the one place it errs with a space as its furthest token.
                    // The space starts on the line the field ends on.
                    if self.peek().space {
                        return Err(format!("template: {}:{line}: {msg}", self.parse_name));
                    }
                    return Err(self.errorf(msg));
                }
                other => Arg::Chain {
                    pos,
                    node: Box::new(other),
                    fields,
                },
            }));
        }
        Ok(Some(node))
    }

    /// Whether a field follows with no space between: it continues the operand.
    fn peek_adjacent_field(&mut self) -> bool {
        let tok = self.peek();
        tok.typ == ItemType::Field && !tok.space
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let tok = self.next_non_space();
        Ok(Some(match tok.typ {
            ItemType::Identifier => {
                // A builtin is always defined: the `match` in `from_name` is cheaper
                // than the function-map lookup it spares.
                let name = self.val(&tok);
                let builtin = crate::builtins::Builtin::from_name(name);
                if builtin.is_none() && !(self.cfg.has_function)(name) {
                    return Err(self.errorf(format!(
                        "function {} not defined",
                        crate::gofmt::quote(name)
                    )));
                }
                Arg::Identifier {
                    pos: tok.pos,
                    name: self.src(&tok),
                    builtin,
                }
            }
            ItemType::Dot => Arg::Dot { pos: tok.pos },
            ItemType::Nil => Arg::Nil { pos: tok.pos },
            ItemType::Variable => self.use_var(&tok)?,
            ItemType::Field => Arg::Field {
                pos: tok.pos,
                idents: Src::new(&self.text, tok.pos + 1, tok.end),
            },
            ItemType::Bool => Arg::Bool {
                pos: tok.pos,
                val: self.val(&tok) == "true",
            },
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let num = parse_number(self.src(&tok), tok.typ).map_err(|e| self.errorf(e))?;
                Arg::Number { pos: tok.pos, num }
            }
            ItemType::LeftParen => {
                self.enter("expression")?;
                let r = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || {
                    self.pipeline("parenthesized pipeline", ItemType::RightParen)
                });
                self.depth -= 1;
                Arg::Pipe(Box::new(r?))
            }
            ItemType::String | ItemType::RawString => {
                let val = literal_value(self.val(&tok)).map_err(|e| self.errorf(e))?;
                Arg::String {
                    pos: tok.pos,
                    quoted: self.src(&tok),
                    val,
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    /// A source run that starts where `run` starts and ends at `end`.
    fn extend_run(&self, run: &Src, end: usize) -> Src {
        Src::new(&self.text, run.start(), end)
    }

    fn use_var(&mut self, tok: &Item) -> PResult<Arg> {
        // `$x` (the lexer ends a variable token at a dot; the split is defensive).
        let (name, fields) = match self.val(tok).find('.') {
            Some(dot) => (
                Src::new(&self.text, tok.pos, tok.pos + dot),
                Src::new(&self.text, tok.pos + dot + 1, tok.end),
            ),
            None => (self.src(tok), Src::new(&self.text, tok.pos, tok.pos)),
        };
        // Most uses name a recent declaration: search from the innermost.
        if !self.vars.iter().rev().any(|v| *v == &*name) {
            return Err(self.errorf(format!("undefined variable {}", crate::gofmt::quote(&name))));
        }
        Ok(Arg::Variable {
            pos: tok.pos,
            name,
            fields,
        })
    }
}

// ---- literals -------------------------------------------------------------------------

/// Go's `strconv.Unquote` for "..." and `...` literals (borrowed when nothing needs
/// decoding), as text: bytes that are not UTF-8 (`"\xff"`) read as U+FFFD.
pub fn unquote(s: &str) -> Result<Cow<'_, str>, String> {
    Ok(match unquote_go(s)? {
        GoLiteral::Text(text) => text,
        GoLiteral::Bytes(bytes) => Cow::Owned(crate::value::go_text(&bytes).into_owned()),
    })
}

/// A decoded string literal: text, or the bytes of a Go string that is not UTF-8
/// (`\x` and octal escapes write single bytes).
enum GoLiteral<'a> {
    Text(Cow<'a, str>),
    Bytes(Vec<u8>),
}

/// A string literal as the Go string value it denotes.
fn literal_value(s: &str) -> Result<Value, String> {
    Ok(match unquote_go(s)? {
        GoLiteral::Text(text) => Value::String(Arc::from(text.as_ref())),
        GoLiteral::Bytes(bytes) => Value::from_go_bytes(&bytes),
    })
}

fn unquote_go(s: &str) -> Result<GoLiteral<'_>, String> {
    let syntax = || "invalid syntax".to_string();
    if s.len() < 2 {
        return Err(syntax());
    }
    let quote = s.as_bytes()[0];
    if s.as_bytes()[s.len() - 1] != quote {
        return Err(syntax());
    }
    let body = &s[1..s.len() - 1];
    match quote {
        b'`' => {
            if body.contains('`') {
                return Err(syntax());
            }
            // Go drops carriage returns from raw strings.
            if body.contains('\r') {
                return Ok(GoLiteral::Text(Cow::Owned(body.replace('\r', ""))));
            }
            Ok(GoLiteral::Text(Cow::Borrowed(body)))
        }
        b'"' => {
            let bytes = body.as_bytes();
            let Some(first) = memchr::memchr3(b'\\', b'"', b'\n', bytes) else {
                return Ok(GoLiteral::Text(Cow::Borrowed(body)));
            };
            // Runs without a backslash are copied whole; only escapes are decoded.
            let mut out: Vec<u8> = Vec::with_capacity(body.len());
            let mut at = first;
            out.extend_from_slice(&bytes[..at]);
            while at < body.len() {
                if bytes[at] != b'\\' {
                    // An unescaped quote or newline.
                    return Err(syntax());
                }
                let (piece, tail) = unquote_char(&body[at..], '"')?;
                match piece {
                    CharPiece::Char(c) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    CharPiece::Byte(b) => out.push(b),
                }
                at = body.len() - tail.len();
                let run =
                    memchr::memchr3(b'\\', b'"', b'\n', &bytes[at..]).unwrap_or(body.len() - at);
                out.extend_from_slice(&bytes[at..at + run]);
                at += run;
            }
            Ok(match String::from_utf8(out) {
                Ok(text) => GoLiteral::Text(Cow::Owned(text)),
                Err(e) => GoLiteral::Bytes(e.into_bytes()),
            })
        }
        _ => Err(syntax()),
    }
}

enum CharPiece {
    Char(char),
    Byte(u8),
}

/// Go's `strconv.UnquoteChar`: decodes one (possibly escaped) character.
fn unquote_char(s: &str, quote: char) -> Result<(CharPiece, &str), String> {
    let syntax = || "invalid syntax".to_string();
    let mut chars = s.chars();
    let c = chars.next().ok_or_else(syntax)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(syntax());
    }
    if c != '\\' {
        return Ok((CharPiece::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or_else(syntax)?;
    let rest = chars.as_str();
    let simple = |c: char| Ok((CharPiece::Char(c), rest));
    match e {
        'a' => simple('\u{7}'),
        'b' => simple('\u{8}'),
        'f' => simple('\u{c}'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\u{b}'),
        '\\' => simple('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(syntax());
            }
            simple(e)
        }
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(syntax());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| syntax())?;
            if e == 'x' {
                return Ok((CharPiece::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or_else(syntax)?;
            Ok((CharPiece::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(syntax());
            }
            let digits = format!("{e}{}", &rest[..2]);
            let v = u32::from_str_radix(&digits, 8).map_err(|_| syntax())?;
            if v > 255 {
                return Err(syntax());
            }
            Ok((CharPiece::Byte(v as u8), &rest[2..]))
        }
        _ => Err(syntax()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`-style parsing into i128 (to see uint64 range).
fn parse_go_int(text: &str) -> Option<i128> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if !underscores_ok(&lower, prefixed) {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return None;
    }
    let v = u128::from_str_radix(&clean, radix).ok()?;
    if v > u128::from(u64::MAX) {
        return None;
    }
    let v = v as i128;
    Some(if neg { -v } else { v })
}

/// Go's rule: underscores only between digits (or after a base prefix).
fn underscores_ok(s: &str, prefixed: bool) -> bool {
    if !s.contains('_') {
        return true;
    }
    let b = s.as_bytes();
    let mut start = 0;
    if prefixed && b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_alphabetic() {
        start = 2;
    }
    let mut prev_us = start == 2; // "0x_1" is fine
    let mut prev_digit = false;
    if start == 0 && b.first() == Some(&b'_') {
        return false;
    }
    for &c in &b[start..] {
        if c == b'_' {
            if !(prev_digit || prev_us && start == 2) {
                return false;
            }
            prev_us = true;
            prev_digit = false;
        } else {
            prev_us = false;
            prev_digit = c.is_ascii_hexdigit();
        }
    }
    !prev_us || b.len() == start
}

fn parse_go_float(text: &str) -> Option<f64> {
    let lower = text.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let neg = lower.starts_with('-');
    if let Some(hex) = body.strip_prefix("0x") {
        // Hex float: mantissa p exponent.
        let (mant, exp) = hex.split_once('p')?;
        let exp: i32 = exp.replace('_', "").parse().ok()?;
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        let mut v = 0f64;
        for c in ip.chars().chain(fp.chars()).filter(|c| *c != '_') {
            v = v * 16.0 + f64::from(c.to_digit(16)?);
        }
        let frac_digits = fp.chars().filter(|c| *c != '_').count() as i32;
        let v = v * 2f64.powi(exp - 4 * frac_digits);
        return Some(if neg { -v } else { v });
    }
    if body.starts_with("inf") || body.starts_with("nan") || body.is_empty() {
        return None;
    }
    if lower.contains('_') && !underscores_ok(body, false) {
        return None;
    }
    lower.replace('_', "").parse::<f64>().ok()
}

/// Go's `newNumber`: the interpretations a number literal admits.
fn parse_number(src: Src, typ: ItemType) -> Result<Number, String> {
    let source = src.clone();
    let text: &str = &source;
    let mut n = Number {
        text: src,
        int: None,
        float: None,
        is_float_syntax: false,
        uint_only: false,
    };
    match typ {
        ItemType::CharConstant => {
            let inner = &text[1..];
            let (piece, tail) = unquote_char(inner, '\'')?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            let v = match piece {
                CharPiece::Char(c) => i64::from(c as u32),
                CharPiece::Byte(b) => i64::from(b),
            };
            n.int = Some(v);
            n.float = Some(v as f64);
            return Ok(n);
        }
        ItemType::Complex => {
            return Err(format!("complex constants are not supported: {text}"));
        }
        _ => {}
    }
    if text.ends_with('i') {
        return Err(format!("complex constants are not supported: {text}"));
    }
    if let Some(v) = parse_go_int(text) {
        if let Ok(i) = i64::try_from(v) {
            n.int = Some(i);
        } else {
            n.uint_only = true;
        }
        n.float = Some(v as f64);
    } else if let Some(f) = parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", crate::gofmt::quote(text)));
        }
        n.float = Some(f);
        if f.fract() == 0.0 && f.abs() < 9.2e18 {
            n.int = Some(f as i64);
        }
    } else {
        return Err(format!(
            "illegal number syntax: {}",
            crate::gofmt::quote(text)
        ));
    }
    let lower = text.to_ascii_lowercase();
    let hex_int = lower.trim_start_matches(['+', '-']).starts_with("0x") && !lower.contains('p');
    n.is_float_syntax = !hex_int && text.contains(['.', 'e', 'E', 'p', 'P']);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Vec<Arc<Tree>>, String> {
        let has = |n: &str| matches!(n, "printf" | "len" | "and" | "not" | "index");
        let cfg = ParseConfig {
            left_delim: "",
            right_delim: "",
            has_function: &has,
            max_depth: 100,
        };
        parse_file("t", text, &cfg).map(|f| f.trees)
    }

    fn round_trip(text: &str) -> String {
        let set = p(text).unwrap_or_else(|e| panic!("{e}"));
        set.iter()
            .find(|t| t.name == "t")
            .map(|t| t.root.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn round_trips_like_go() {
        assert_eq!(round_trip("{{.X}}"), "{{.X}}");
        assert_eq!(
            round_trip("{{$x := .Y | printf \"%d\"}}"),
            "{{$x := .Y | printf \"%d\"}}"
        );
        assert_eq!(
            round_trip("{{if .X}}a{{else if .Y}}b{{else}}c{{end}}"),
            "{{if .X}}\"a\"{{else}}{{if .Y}}\"b\"{{else}}\"c\"{{end}}{{end}}"
        );
        assert_eq!(
            round_trip("{{range $i, $v := .}}{{$v}}{{end}}"),
            "{{range $i, $v := .}}{{$v}}{{end}}"
        );
        assert_eq!(round_trip("{{(index . 1).a.b}}"), "{{(index . 1).a.b}}");
        assert_eq!(
            round_trip("{{with .X}}{{.}}{{else with .Y}}y{{end}}"),
            "{{with .X}}{{.}}{{else}}{{with .Y}}\"y\"{{end}}{{end}}"
        );
        assert_eq!(round_trip("{{template `x` .}}"), "{{template \"x\" .}}");
    }

    #[test]
    fn defines_and_blocks() {
        let set = p("{{define \"a\"}}A{{end}}{{block \"b\" .}}B{{end}}").unwrap_or_default();
        let names: Vec<_> = set.iter().map(|t| t.name.clone()).collect();
        assert_eq!(names, vec!["a", "b", "t"]);
    }

    #[test]
    fn errors_match_go() {
        let err = |s: &str| p(s).err().unwrap_or_default();
        assert_eq!(err("{{end}}"), "template: t:1: unexpected {{end}}");
        assert_eq!(err("{{if .X}}"), "template: t:1: unexpected EOF");
        assert_eq!(
            err("\n{{nosuch}}"),
            "template: t:2: function \"nosuch\" not defined"
        );
        assert_eq!(err("{{$x}}"), "template: t:1: undefined variable \"$x\"");
        assert_eq!(
            err("{{.X | 3}}"),
            "template: t:1: non executable command in pipeline stage 2"
        );
        assert_eq!(err("{{}}"), "template: t:1: missing value for command");
        assert_eq!(
            err("{{break}}"),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            err("{{range .}}{{else}}{{else}}{{end}}"),
            "template: t:1: expected end; found {{else}}"
        );
        assert_eq!(
            err("{{\"x\".y}}"),
            "template: t:1: unexpected . after term \"\\\"x\\\"\""
        );
        assert_eq!(
            err("{{range $a, $b, $c := .}}{{end}}"),
            "template: t:1: too many declarations in range"
        );
        assert_eq!(
            err("{{define \"a\"}}a{{end}}{{define \"a\"}}b{{end}}"),
            "template: t:1: template: multiple definition of template \"a\""
        );
        assert_eq!(
            err("{{.X\n"),
            "template: t:2: unclosed action started at t:1"
        );
        assert_eq!(err("{{if}}{{end}}"), "template: t:1: missing value for if");
        assert_eq!(err("{{ 08 }}"), "template: t:1: integer overflow: \"08\"");
        assert_eq!(
            err("{{ 1 2 }}x{{ ( }}"),
            "template: t:1: unclosed left paren"
        );
        assert_eq!(err("{{ .X ) }}"), "template: t:1: unexpected right paren");
        assert_eq!(
            err("{{template .X}}"),
            "template: t:1: unexpected \".X\" in template clause"
        );
    }

    #[test]
    fn error_after_a_field_chain_is_on_the_line_of_the_space_after_it() {
        let err = |s: &str| p(s).err().unwrap_or_default();
        let msg = "unexpected . after term \"true\"";
        // Go's parser stops on the space token after `.b`, which starts on line 1.
        assert_eq!(err("{{ true.b\n}}"), format!("template: t:1: {msg}"));
        assert_eq!(err("\n{{ true.b\n\n"), format!("template: t:2: {msg}"));
        // Without a space it stops on the token after the chain.
        assert_eq!(err("{{ true.b}}"), format!("template: t:1: {msg}"));
        assert_eq!(err("{{ true.b\n.c}}"), format!("template: t:1: {msg}"));
    }

    #[test]
    fn error_in_multiline_action_names_start() {
        let e = p("{{ .X\n\n \"abc }}").err().unwrap_or_default();
        assert_eq!(
            e,
            "template: t:3: unterminated quoted string in action started at t:1"
        );
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "{{".to_string() + &"(".repeat(200) + "1" + &")".repeat(200) + "}}";
        assert_eq!(
            p(&deep).err().unwrap_or_default(),
            "template: t:1: max expression depth exceeded"
        );
        let nested = "{{if 1}}".repeat(200) + &"{{end}}".repeat(200);
        assert!(
            p(&nested)
                .err()
                .unwrap_or_default()
                .contains("max nesting depth exceeded")
        );
    }

    #[test]
    fn numbers() {
        let src = |s: &str| Src::whole(Arc::from(s));
        let n = |s: &str| parse_number(src(s), ItemType::Number);
        assert_eq!(n("0x1F").map(|n| n.int), Ok(Some(31)));
        assert_eq!(n("0o17").map(|n| n.int), Ok(Some(15)));
        assert_eq!(n("017").map(|n| n.int), Ok(Some(15)));
        assert_eq!(n("1_000").map(|n| n.int), Ok(Some(1000)));
        assert_eq!(n("0b101").map(|n| n.int), Ok(Some(5)));
        assert_eq!(
            n("1.5").map(|n| (n.float, n.is_float_syntax)),
            Ok((Some(1.5), true))
        );
        assert_eq!(
            n("1e3").map(|n| (n.int, n.is_float_syntax)),
            Ok((Some(1000), true))
        );
        assert_eq!(n("0x1p-2").map(|n| n.float), Ok(Some(0.25)));
        assert!(n("99999999999999999999").is_err());
        assert_eq!(
            parse_number(src("'a'"), ItemType::CharConstant).map(|n| n.int),
            Ok(Some(97))
        );
        assert_eq!(
            parse_number(src("'\\n'"), ItemType::CharConstant).map(|n| n.int),
            Ok(Some(10))
        );
        assert_eq!(
            unquote("\"a\\tb\\u00e9\\x41\\101\"").map(Cow::into_owned),
            Ok("a\tbéAA".to_string())
        );
        assert_eq!(
            unquote("`a\r\nb`").map(Cow::into_owned),
            Ok("a\nb".to_string())
        );
        // `\x` and octal escapes write bytes, so a constant may not be UTF-8.
        assert_eq!(
            literal_value("\"a\\xffb\\303\""),
            Ok(Value::from_go_bytes(b"a\xffb\xc3"))
        );
        assert_eq!(literal_value("\"\\xc3\\xa9\""), Ok(Value::str("é")));
        assert_eq!(
            unquote("\"\\xff\"").map(Cow::into_owned),
            Ok("\u{fffd}".to_string())
        );
    }
}
