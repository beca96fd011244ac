//! The executor, after Go's `text/template/exec.go`: walks a tree with a dot value,
//! evaluates pipelines, resolves fields and calls functions, and reports errors in
//! Go's form: `template: FILE:LINE:COL: executing "NAME" at <NODE>: MESSAGE`.

use std::fmt::Display;
use std::sync::Arc;

use crate::ast::{Arg, Branch, Command, List, Node, Number, Pipe, Src, Tree, field_names};
use crate::builtins::{self, Builtin, BuiltinError};
use crate::func::{FuncError, NameMap, Param, Runtime, Signature};
use crate::gofmt;
use crate::gostring::GoStringBuf;
use crate::size::{self, Layout};
use crate::stack::{STACK_GROW, STACK_RED_ZONE};
use crate::template::{MissingKey, Templates};
use crate::value::{Map, MapMethod, Object, Value};

/// Largest `include` output buffer kept for reuse.
const OUT_POOL_MAX_CAPACITY: usize = 1 << 20;

/// A value during evaluation. Go distinguishes "no value at all" (an invalid
/// `reflect.Value`: a missing map key, nil data) from an `interface{}` slot that holds
/// something, possibly nil (a map or slice element). The difference decides whether
/// `.a.b` on a nil `a` yields `<no value>` or "nil pointer evaluating interface {}.b".
#[derive(Clone, Debug)]
pub(crate) enum Slot {
    /// No value (Go's invalid `reflect.Value`).
    Invalid,
    /// A value read out of an `interface{}` element (map value, list item).
    Iface(Value),
    /// A concrete value (literal, function result, pipeline result).
    Val(Value),
}

impl Slot {
    /// What a pipeline stage leaves behind: Go digs into `interface{}` values.
    fn dig(self) -> Slot {
        match self {
            Slot::Iface(Value::Nil) | Slot::Val(Value::Nil) => Slot::Invalid,
            Slot::Iface(v) => Slot::Val(v),
            other => other,
        }
    }

    /// The value handed to functions (nil for "no value").
    fn value(&self) -> Value {
        match self {
            Slot::Invalid => Value::Nil,
            Slot::Iface(v) | Slot::Val(v) => v.clone(),
        }
    }

    /// [`Slot::value`] of a slot no longer needed (no reference count traffic).
    fn into_value(self) -> Value {
        match self {
            Slot::Invalid => Value::Nil,
            Slot::Iface(v) | Slot::Val(v) => v,
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Slot::Invalid => false,
            Slot::Iface(v) | Slot::Val(v) => v.truthy(),
        }
    }

    /// A function result: nil behaves as an empty `interface{}`.
    fn from_result(v: Value) -> Slot {
        if v.is_nil() {
            Slot::Iface(v)
        } else {
            Slot::Val(v)
        }
    }
}

/// Why evaluation stopped early.
#[derive(Debug)]
pub(crate) enum Flow {
    Error(String),
    Break,
    Continue,
}

type R<T> = Result<T, Flow>;

/// One execution: the template set, variables, output and bookkeeping.
pub(crate) struct State<'a> {
    set: &'a Templates,
    /// Definitions made by `tpl` texts being executed (innermost last).
    overlays: Vec<NameMap<String, Arc<Tree>>>,
    /// One stack of variables; a template call starts a frame at `frame` (templates
    /// see only their own variables, as in Go).
    vars: Vec<(Src, Slot)>,
    frame: usize,
    tmpl: Arc<Tree>,
    depth: usize,
    out: GoStringBuf,
    /// Bytes written so far in this execution, across nested outputs.
    written: usize,
    /// Nodes and iterations evaluated so far (bounded by `Limits::max_steps`).
    steps: u64,
    /// Helm's `includedNames`: how deeply each name is nested through `include`.
    /// Looked up by `&str`, so only a name's first include allocates its key.
    include_counts: NameMap<Box<str>, usize>,
    /// The last text `parse_text` parsed, reused by the next `execute_text` of it.
    parsed_text: Option<ParsedText>,
    /// Spare argument vectors, reused across calls to avoid an allocation per call.
    arg_pool: Vec<Vec<Value>>,
    /// Spare output buffers for `include`: its output is copied into a value anyway,
    /// so the buffer (grown to the size of earlier outputs) serves the next one.
    out_pool: Vec<GoStringBuf>,
    dollar: Src,
    /// The last `and`/`or` evaluated: its argument list and the index of the argument
    /// that decided it, where Go's executor stopped (error positions, see
    /// [`State::last_visited`]).
    and_or_stop: Option<(*const Arg, usize)>,
}

struct ParsedText {
    name: String,
    text: String,
    trees: Vec<Arc<Tree>>,
}

impl<'a> State<'a> {
    pub(crate) fn new(set: &'a Templates, tmpl: Arc<Tree>) -> Self {
        State {
            set,
            overlays: Vec::new(),
            vars: Vec::new(),
            frame: 0,
            tmpl,
            depth: 0,
            out: GoStringBuf::new(),
            written: 0,
            steps: 0,
            include_counts: NameMap::default(),
            parsed_text: None,
            arg_pool: Vec::new(),
            out_pool: Vec::new(),
            dollar: Src::whole(Arc::from("$")),
            and_or_stop: None,
        }
    }

    /// Executes the state's template with `data` as dot, returning the output (a Go
    /// string, which may hold bytes that are not UTF-8).
    pub(crate) fn run(&mut self, data: &Value) -> Result<GoStringBuf, String> {
        let dot = if data.is_nil() {
            Slot::Invalid
        } else {
            Slot::Val(data.clone())
        };
        self.vars = vec![(self.dollar.clone(), dot.clone())];
        let tree = self.tmpl.clone();
        match self.walk_list(&dot, &tree.root) {
            Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => Ok(std::mem::take(&mut self.out)),
            Err(Flow::Error(e)) => Err(e),
        }
    }

    /// Starts a template call's variable frame holding only `$`; returns the old frame.
    fn push_frame(&mut self, dot: Slot) -> usize {
        let saved = self.frame;
        self.frame = self.vars.len();
        self.vars.push((self.dollar.clone(), dot));
        saved
    }

    fn pop_frame(&mut self, saved: usize) {
        self.vars.truncate(self.frame);
        self.frame = saved;
    }

    fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.tree(name)
    }

    // ---- errors ---------------------------------------------------------------------

    fn err_at(&self, pos: usize, ctx: &dyn Display, msg: impl Display) -> Flow {
        Flow::Error(format!(
            "template: {}: executing {} at <{}>: {}",
            self.tmpl.location(pos),
            gofmt::quote(&self.tmpl.name),
            ctx,
            msg
        ))
    }

    // ---- output ---------------------------------------------------------------------

    fn write(&mut self, s: &str, pos: usize, ctx: &dyn Display) -> R<()> {
        self.count_written(s.len(), pos, ctx)?;
        self.out.push_str(s);
        Ok(())
    }

    /// Writes a Go string's bytes (text that is not UTF-8 stays bytes, as in Go).
    fn write_go(&mut self, bytes: &[u8], text: &str, pos: usize, ctx: &dyn Display) -> R<()> {
        self.count_written(text.len(), pos, ctx)?;
        self.out.push_go(bytes, text);
        Ok(())
    }

    fn count_written(&mut self, n: usize, pos: usize, ctx: &dyn Display) -> R<()> {
        self.written += n;
        if self.written > self.set.limits.max_output_bytes {
            return Err(self.err_at(
                pos,
                ctx,
                format!(
                    "output exceeds the limit of {} bytes",
                    self.set.limits.max_output_bytes
                ),
            ));
        }
        Ok(())
    }

    // ---- walking --------------------------------------------------------------------

    fn walk_list(&mut self, dot: &Slot, list: &List) -> R<()> {
        self.steps += list.nodes.len() as u64 + 1;
        if self.steps > self.set.limits.max_steps {
            let max = self.set.limits.max_steps;
            return Err(match list.nodes.first() {
                Some(n) => self.err_at(
                    n_pos(n),
                    n,
                    format!("execution exceeds the limit of {max} steps"),
                ),
                None => Flow::Error(format!(
                    "template: {}: execution exceeds the limit of {max} steps",
                    self.tmpl.name
                )),
            });
        }
        for node in &list.nodes {
            self.walk(dot, node)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Slot, node: &Node) -> R<()> {
        match node {
            Node::Text { pos, text } => match &self.tmpl.raw_source {
                None => self.write(text, *pos, node),
                // A source file that is not UTF-8: Go writes the text's own bytes.
                Some(_) => {
                    let tmpl = self.tmpl.clone();
                    let bytes = tmpl.source_bytes(text.start(), text.start() + text.len());
                    self.write_go(bytes, text, *pos, node)
                }
            },
            Node::Action { pos, pipe } => {
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.print_value(&val, *pos, node)?;
                }
                Ok(())
            }
            Node::If(b) => self.nested(|s| s.walk_if_or_with(dot, b, false)),
            Node::With(b) => self.nested(|s| s.walk_if_or_with(dot, b, true)),
            Node::Range(b) => self.nested(|s| s.walk_range(dot, b, node)),
            Node::Template { pos, name, pipe } => {
                self.walk_template(dot, *pos, name, pipe.as_ref(), node)
            }
            Node::Break => Err(Flow::Break),
            Node::Continue => Err(Flow::Continue),
        }
    }

    /// Runs `f` with enough stack for deep (but bounded) nesting.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROW, || f(self))
    }

    fn print_value(&mut self, val: &Slot, pos: usize, node: &Node) -> R<()> {
        match val {
            Slot::Invalid => self.write("<no value>", pos, node),
            Slot::Iface(v) | Slot::Val(v) => match v {
                Value::String(s) => self.write(s, pos, node),
                // Go writes the bytes themselves.
                Value::RawString(r) => self.write_go(r.bytes(), r.text(), pos, node),
                Value::Nil => self.write("<nil>", pos, node),
                Value::Object(o) => self.write(&o.action_display(), pos, node),
                other => {
                    let s = gofmt::format_value(other);
                    self.write(&s, pos, node)
                }
            },
        }
    }

    fn walk_if_or_with(&mut self, dot: &Slot, b: &Branch, with: bool) -> R<()> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let r = if val.truthy() {
            if with {
                self.walk_list(&val, &b.list)
            } else {
                self.walk_list(dot, &b.list)
            }
        } else if let Some(e) = &b.else_list {
            self.walk_list(dot, e)
        } else {
            Ok(())
        };
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Slot, b: &Branch, node: &Node) -> R<()> {
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, &b.pipe)?;
        let body_mark = self.vars.len();
        // Go reports range errors at the last node it evaluated.
        let (last_pos, last): (usize, &dyn Display) = match last_evaluated(&b.pipe) {
            Some(a) => (a.pos(), a),
            None => (b.pos, node),
        };
        let ndecl = b.pipe.decl.len();
        // Collections are snapshotted (Go ranges over the value as it was when the range
        // began); `range N` counts without materializing anything.
        let mut count: Option<i64> = None;
        // `range N` yields values of N's own type (reflect's `Seq`): `int` for a
        // literal, `int64` for `range (add 1 2)`, `uint8` for a byte, `uint64` for
        // semver's `Major`.
        let mut count_kind = CountKind::Int;
        // A host object of a Go map or slice type ranges over that collection.
        let val = match &val {
            Slot::Iface(Value::Object(o)) | Slot::Val(Value::Object(o)) => {
                o.collection().map(Slot::Val).unwrap_or(val)
            }
            _ => val,
        };
        if let Slot::Iface(v) | Slot::Val(v) = &val
            && let Some((n, kind)) = CountKind::of(v)
        {
            if ndecl > 1 {
                return Err(self.err_at(
                    last_pos,
                    last,
                    format!(
                        "can't use {} to iterate over more than one variable",
                        gofmt::format_value(v)
                    ),
                ));
            }
            if n > i128::from(self.set.limits.max_range_int) {
                return Err(self.err_at(
                    b.pos,
                    node,
                    format!(
                        "range over {n} exceeds the limit of {}",
                        self.set.limits.max_range_int
                    ),
                ));
            }
            // At most the limit, so it fits an i64.
            count = Some(n.max(0) as i64);
            count_kind = kind;
        }
        let items: Vec<(Slot, Slot)> = match &val {
            _ if count.is_some() => Vec::new(),
            Slot::Invalid => Vec::new(),
            Slot::Iface(v) | Slot::Val(v) => match v {
                Value::List(l) => {
                    l.0.read()
                        .iter()
                        .enumerate()
                        .map(|(i, e)| (Slot::Val(Value::Int(i as i64)), Slot::Iface(e.clone())))
                        .collect()
                }
                Value::Bytes(bytes) => bytes
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Slot::Val(Value::Int(i as i64)), Slot::Val(Value::Uint8(*e))))
                    .collect(),
                // A key becomes a value only for a `$k, $v` range (a string each).
                Value::Map(m) if ndecl > 1 => {
                    m.0.read()
                        .iter()
                        .map(|(k, e)| (Slot::Val(Value::str(k)), Slot::Iface(e.clone())))
                        .collect()
                }
                Value::Map(m) => {
                    m.0.read()
                        .values()
                        .map(|e| (Slot::Invalid, Slot::Iface(e.clone())))
                        .collect()
                }
                Value::Nil => Vec::new(),
                other => {
                    return Err(self.err_at(
                        last_pos,
                        last,
                        format!("range can't iterate over {}", gofmt::format_value(other)),
                    ));
                }
            },
        };
        let len = count.unwrap_or(items.len() as i64);
        if len == 0 {
            let r = match &b.else_list {
                Some(e) => self.walk_list(dot, e),
                None => Ok(()),
            };
            self.vars.truncate(mark);
            return r;
        }
        let decl = &b.pipe.decl;
        let mut pairs = items.into_iter();
        for i in 0..len {
            let (index, elem) = match count {
                Some(_) => (Slot::Invalid, Slot::Val(count_kind.value(i))),
                None => match pairs.next() {
                    Some(p) => p,
                    None => break,
                },
            };
            if b.pipe.is_assign {
                // `range $i, $v = ...` assigns existing variables (Go 1.22+).
                match decl.len() {
                    0 => {}
                    1 => self.set_var(&decl[0].name, elem.clone(), decl[0].pos, &b.pipe)?,
                    _ => {
                        self.set_var(&decl[0].name, index, decl[0].pos, &b.pipe)?;
                        self.set_var(&decl[1].name, elem.clone(), decl[1].pos, &b.pipe)?;
                    }
                }
            } else {
                if ndecl > 0 {
                    self.vars[body_mark - 1].1 = elem.clone();
                }
                if ndecl > 1 {
                    self.vars[body_mark - 2].1 = index;
                }
            }
            let r = self.walk_list(&elem, &b.list);
            self.vars.truncate(body_mark);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => return Err(e),
            }
        }
        self.vars.truncate(mark);
        Ok(())
    }

    fn walk_template(
        &mut self,
        dot: &Slot,
        pos: usize,
        name: &str,
        pipe: Option<&Pipe>,
        node: &Node,
    ) -> R<()> {
        let Some(tree) = self.lookup(name) else {
            return Err(self.err_at(
                pos,
                node,
                format!("template {} not defined", gofmt::quote(name)),
            ));
        };
        if self.depth >= self.set.limits.max_exec_depth {
            return Err(self.err_at(
                pos,
                node,
                format!(
                    "exceeded maximum template depth ({})",
                    self.set.limits.max_exec_depth
                ),
            ));
        }
        let new_dot = match pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Slot::Invalid,
        };
        let saved_frame = self.push_frame(new_dot.clone());
        let saved_tmpl = std::mem::replace(&mut self.tmpl, tree.clone());
        self.depth += 1;
        let r = self.nested(|s| s.walk_list(&new_dot, &tree.root));
        self.depth -= 1;
        self.tmpl = saved_tmpl;
        self.pop_frame(saved_frame);
        r
    }

    // ---- evaluation -----------------------------------------------------------------

    fn eval_pipeline(&mut self, dot: &Slot, pipe: &Pipe) -> R<Slot> {
        let mut value: Option<Slot> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?.dig());
        }
        let value = value.unwrap_or(Slot::Invalid);
        for v in &pipe.decl {
            if pipe.is_assign {
                self.set_var(&v.name, value.clone(), v.pos, pipe)?;
            } else {
                self.vars.push((v.name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Slot, pos: usize, pipe: &Pipe) -> R<()> {
        for (n, v) in self.vars[self.frame..].iter_mut().rev() {
            if &**n == name {
                *v = value;
                return Ok(());
            }
        }
        match last_evaluated(pipe) {
            Some(a) => Err(self.err_at(a.pos(), a, format!("undefined variable: {name}"))),
            None => Err(self.err_at(pos, pipe, format!("undefined variable: {name}"))),
        }
    }

    fn var_value(&self, name: &str, pos: usize, ctx: &dyn Display) -> R<Slot> {
        for (n, v) in self.vars[self.frame..].iter().rev() {
            if &**n == name {
                return Ok(v.clone());
            }
        }
        Err(self.err_at(pos, ctx, format!("undefined variable: {name}")))
    }

    fn not_a_function(&self, args: &[Arg], has_final: bool) -> R<()> {
        if args.len() > 1 || has_final {
            return Err(self.err_at(
                args[0].pos(),
                &args[0],
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Slot, cmd: &Command, fin: Option<Slot>) -> R<Slot> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { pos, idents } => self.eval_field_chain(
                dot,
                dot.clone(),
                (*pos, first),
                (*pos, first),
                idents,
                &cmd.args,
                fin,
            ),
            Arg::Chain { .. } => self.eval_chain(dot, first, &cmd.args, fin),
            Arg::Identifier { pos, name, builtin } => self.call_function(
                dot,
                *pos,
                name,
                *builtin,
                CommandRef::Cmd(cmd),
                &cmd.args,
                fin,
            ),
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                self.nested(|s| s.eval_pipeline(dot, p))
            }
            Arg::Variable { .. } => self.eval_variable(dot, first, &cmd.args, fin),
            _ => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                match first {
                    Arg::Bool { val, .. } => Ok(Slot::Val(Value::Bool(*val))),
                    Arg::Dot { .. } => Ok(dot.clone()),
                    Arg::Nil { pos } => Err(self.err_at(*pos, first, "nil is not a command")),
                    Arg::Number { pos, num } => self.ideal_constant(*pos, first, num),
                    Arg::String { val, .. } => Ok(Slot::Val(val.clone())),
                    _ => Err(self.err_at(first.pos(), first, "can't evaluate command")),
                }
            }
        }
    }

    fn ideal_constant(&self, pos: usize, node: &Arg, num: &Number) -> R<Slot> {
        if num.is_float_syntax
            && let Some(f) = num.float
        {
            return Ok(Slot::Val(Value::Float(f)));
        }
        if let Some(i) = num.int {
            return Ok(Slot::Val(Value::Int(i)));
        }
        Err(self.err_at(pos, node, format!("{} overflows int", num.text)))
    }

    fn eval_variable(
        &mut self,
        dot: &Slot,
        node: &Arg,
        args: &[Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        let Arg::Variable { pos, name, fields } = node else {
            return Err(self.err_at(node.pos(), node, "internal error: not a variable"));
        };
        let value = self.var_value(name, *pos, node)?;
        if fields.is_empty() {
            self.not_a_function(args, fin.is_some())?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, (*pos, node), (*pos, node), fields, args, fin)
    }

    fn eval_chain(&mut self, dot: &Slot, node: &Arg, args: &[Arg], fin: Option<Slot>) -> R<Slot> {
        let Arg::Chain {
            pos,
            node: inner,
            fields,
        } = node
        else {
            return Err(self.err_at(node.pos(), node, "internal error: not a chain"));
        };
        if let Arg::Nil { .. } = inner.as_ref() {
            return Err(self.err_at(
                *pos,
                node,
                format!("indirection through explicit nil in {node}"),
            ));
        }
        let recv = self.eval_arg(dot, inner)?;
        // Go reports field errors of `(pipe).x` at the last node evaluated in the pipe.
        if let Arg::Pipe(p) = inner.as_ref()
            && let Some(at) = last_evaluated(p)
        {
            // ...but a method's own error at the chain.
            return self.eval_field_chain(
                dot,
                recv,
                (at.pos(), at),
                (*pos, node),
                fields,
                args,
                fin,
            );
        }
        self.eval_field_chain(dot, recv, (*pos, node), (*pos, node), fields, args, fin)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Slot,
        mut recv: Slot,
        (pos, node): (usize, &Arg),
        call: (usize, &Arg),
        idents: &str,
        args: &[Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        // Only the last name of the chain receives the arguments.
        let mut names = field_names(idents);
        let mut name = names.next().unwrap_or_default();
        for next in names {
            recv = self.eval_field(dot, name, (pos, node), call, &[], None, recv)?;
            name = next;
        }
        self.eval_field(dot, name, (pos, node), call, args, fin, recv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Slot,
        name: &str,
        (pos, node): (usize, &Arg),
        call: (usize, &Arg),
        args: &[Arg],
        fin: Option<Slot>,
        recv: Slot,
    ) -> R<Slot> {
        let (value, iface) = match recv {
            Slot::Invalid | Slot::Val(Value::Nil) => {
                if self.set.missing_key == MissingKey::Error {
                    return Err(self.err_at(
                        pos,
                        node,
                        format!("nil data; no entry for key {}", gofmt::quote(name)),
                    ));
                }
                return Ok(Slot::Invalid);
            }
            Slot::Iface(Value::Nil) => {
                return Err(self.err_at(
                    pos,
                    node,
                    format!("nil pointer evaluating interface {{}}.{name}"),
                ));
            }
            Slot::Iface(v) => (v, true),
            Slot::Val(v) => (v, false),
        };
        let has_args = args.len() > 1 || fin.is_some();
        let type_name = |v: &Value| {
            if iface {
                "interface {}".to_string()
            } else {
                gofmt::go_type_name(v)
            }
        };
        match &value {
            Value::Map(m) => {
                // Go looks for a method before it reads a key of a named map type.
                if let Some(method) = m.named().and_then(|t| t.method(name)) {
                    return self.call_map_method(dot, m, method, (pos, node), call, args, &fin);
                }
                let key = self.map_key(m, name, has_args, pos, node)?;
                Ok(key.map_or(Slot::Invalid, Slot::Iface))
            }
            Value::Object(o) => {
                if let Some(params) = o.method_params(name) {
                    let mut argv = Vec::with_capacity(params.len());
                    if has_args || !params.is_empty() {
                        let sig = Signature::new(params);
                        self.typed_args(dot, pos, node, name, &sig, args, fin, &mut argv)?;
                    }
                    let r = if params.is_empty() {
                        o.field(name).map(Ok)
                    } else {
                        o.call_method(name, &argv)
                    };
                    return match r {
                        Some(Ok(v)) => Ok(Slot::from_result(v)),
                        // Go reports a method's own error at the field or chain.
                        Some(Err(msg)) => {
                            Err(self.err_at(call.0, call.1, format!("error calling {name}: {msg}")))
                        }
                        None => Err(self.err_at(
                            pos,
                            node,
                            format!("can't evaluate field {name} in type {}", type_name(&value)),
                        )),
                    };
                }
                if o.has_method(name) {
                    let mut argv = Vec::with_capacity(args.len());
                    for a in args.iter().skip(1) {
                        argv.push(self.eval_arg(dot, a)?.into_value());
                    }
                    if let Some(f) = fin {
                        argv.push(f.into_value());
                    }
                    return match o.call_method(name, &argv) {
                        Some(Ok(v)) => Ok(Slot::from_result(v)),
                        Some(Err(msg)) => Err(self.method_error(pos, node, name, msg)),
                        None => Err(self.err_at(
                            pos,
                            node,
                            format!("can't evaluate field {name} in type {}", type_name(&value)),
                        )),
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.err_at(
                                pos,
                                node,
                                format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        Ok(Slot::from_result(v))
                    }
                    // A named map type (`engine.files`) without such a method: Go
                    // reads the key, as on any map.
                    None if let Some(Value::Map(m)) = o.collection() => {
                        let key = self.map_key(&m, name, has_args, pos, node)?;
                        Ok(key.map_or(Slot::Invalid, Slot::Val))
                    }
                    None => Err(self.err_at(
                        pos,
                        node,
                        format!("can't evaluate field {name} in type {}", type_name(&value)),
                    )),
                }
            }
            other => Err(self.err_at(
                pos,
                node,
                format!("can't evaluate field {name} in type {}", type_name(other)),
            )),
        }
    }

    /// A method of a named map type (`.Values.Table "a"`): arguments checked as
    /// reflection checks them (count, literals, types) at the argument, the method's
    /// own error reported at the field or chain.
    // Out of line and cold: templates call these methods rarely, while the map-key
    // path of `eval_field` beside it runs for every `.Values.x`.
    #[cold]
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn call_map_method(
        &mut self,
        dot: &Slot,
        recv: &Map,
        method: &MapMethod,
        (pos, node): (usize, &Arg),
        call: (usize, &Arg),
        args: &[Arg],
        // By reference: moving it would give the caller's hot path a drop flag.
        fin: &Option<Slot>,
    ) -> R<Slot> {
        let mut argv = Vec::with_capacity(method.params.len());
        if args.len() > 1 || fin.is_some() || !method.params.is_empty() {
            let sig = Signature::new(method.params);
            self.typed_args(
                dot,
                pos,
                node,
                method.name,
                &sig,
                args,
                fin.clone(),
                &mut argv,
            )?;
        }
        match (method.call)(self, recv, &argv) {
            Ok(v) => Ok(Slot::from_result(v)),
            Err(msg) => Err(self.err_at(
                call.0,
                call.1,
                format!("error calling {}: {msg}", method.name),
            )),
        }
    }

    /// The error of a method that checks its own arguments (no `method_params`):
    /// reflection's argument errors come without "error calling", as Go reports
    /// checks made before the call.
    /// A field name read as a key of a map (a plain map, or a named map type without
    /// such a method): `None` is Go's invalid value for a missing key under
    /// `missingkey=default`.
    fn map_key(
        &self,
        m: &Map,
        name: &str,
        has_args: bool,
        pos: usize,
        node: &dyn Display,
    ) -> R<Option<Value>> {
        if has_args {
            return Err(self.err_at(
                pos,
                node,
                format!("{name} is not a method but has arguments"),
            ));
        }
        match m.get(name) {
            Some(v) => Ok(Some(v)),
            None => match self.set.missing_key {
                MissingKey::Default => Ok(None),
                MissingKey::Zero => Ok(Some(m.zero_value())),
                MissingKey::Error => Err(self.err_at(
                    pos,
                    node,
                    format!("map has no entry for key {}", gofmt::quote(name)),
                )),
            },
        }
    }

    fn method_error(&self, pos: usize, node: &dyn Display, name: &str, msg: String) -> Flow {
        if msg.starts_with("wrong number of args for ")
            || msg.starts_with("wrong type for value; expected ")
        {
            return self.err_at(pos, node, msg);
        }
        self.err_at(pos, node, format!("error calling {name}: {msg}"))
    }

    /// Evaluates an argument to a function or method.
    fn eval_arg(&mut self, dot: &Slot, arg: &Arg) -> R<Slot> {
        match arg {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Slot::Invalid),
            Arg::Field { pos, idents } => self.eval_field_chain(
                dot,
                dot.clone(),
                (*pos, arg),
                (*pos, arg),
                idents,
                std::slice::from_ref(arg),
                None,
            ),
            Arg::Variable { .. } => self.eval_variable(dot, arg, &[], None),
            Arg::Pipe(p) => self.nested(|s| s.eval_pipeline(dot, p)),
            Arg::Identifier { pos, name, builtin } => {
                let cmd = CommandRef::Arg(arg);
                self.call_function(
                    dot,
                    *pos,
                    name,
                    *builtin,
                    cmd,
                    std::slice::from_ref(arg),
                    None,
                )
            }
            Arg::Chain { .. } => self.eval_chain(dot, arg, &[], None),
            Arg::Bool { val, .. } => Ok(Slot::Val(Value::Bool(*val))),
            Arg::Number { pos, num } => self.ideal_constant(*pos, arg, num),
            Arg::String { val, .. } => Ok(Slot::Val(val.clone())),
        }
    }

    /// Calls function `name`; `args[0]` is the function's own node.
    #[allow(clippy::too_many_arguments)]
    fn call_function(
        &mut self,
        dot: &Slot,
        pos: usize,
        name: &str,
        builtin: Option<Builtin>,
        cmd: CommandRef<'_>,
        args: &[Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        // User functions win over builtins of the same name (Sprig's `slice`).
        let user = match builtin {
            Some(b) if !self.set.overrides(b) => None,
            _ => self.set.funcs_ref().get_with_signature(name),
        };
        let builtin = if user.is_some() { None } else { builtin };
        match builtin {
            Some(Builtin::And | Builtin::Or) => return self.and_or(dot, pos, name, args, fin),
            Some(Builtin::Call) => return self.builtin_call(dot, pos, args, fin, cmd),
            _ => {}
        }
        if user.is_none() && builtin.is_none() {
            return Err(self.err_at(
                pos,
                &args[0],
                format!("{} is not a defined function", gofmt::quote(name)),
            ));
        }
        let mut argv = self.arg_pool.pop().unwrap_or_default();
        let r = self.call_with(dot, pos, name, user, builtin, cmd, args, fin, &mut argv);
        argv.clear();
        self.arg_pool.push(argv);
        let r = r?;
        self.check_value_size(name, cmd, &r)?;
        Ok(r)
    }

    /// `print`, `println` and `printf` refuse, before printing, arguments whose text
    /// would exceed `max_value_bytes` (a list holding one big string many times, a map
    /// sharing itself at every level, `printf` widths).
    fn check_print_size(
        &self,
        b: Builtin,
        name: &str,
        cmd: CommandRef<'_>,
        argv: &[Value],
    ) -> R<()> {
        let max = self.set.limits.max_value_bytes;
        let r = match (b, argv.first()) {
            (Builtin::Print | Builtin::Println, _) => {
                size::check_printed_size(argv, Layout::Flat, max)
            }
            (Builtin::Printf, Some(Value::String(f))) => {
                size::check_printf_size(f, &argv[1..], max)
            }
            _ => Ok(()),
        };
        r.map_err(|e| self.err_at(cmd.pos(), &cmd, format!("error calling {name}: {e}")))
    }

    /// Fails when a function handed back a string longer than `max_value_bytes`: a
    /// loop such as `$s = print $s $s` writes nothing, so only this stops it, one
    /// doubling past the limit.
    fn check_value_size(&self, name: &str, cmd: CommandRef<'_>, r: &Slot) -> R<()> {
        let len = match r {
            Slot::Val(Value::String(s)) | Slot::Iface(Value::String(s)) => s.len(),
            Slot::Val(Value::Bytes(b)) | Slot::Iface(Value::Bytes(b)) => b.len(),
            Slot::Val(Value::RawString(r)) | Slot::Iface(Value::RawString(r)) => r.bytes().len(),
            _ => return Ok(()),
        };
        let max = self.set.limits.max_value_bytes;
        if len <= max {
            return Ok(());
        }
        Err(self.err_at(
            cmd.pos(),
            &cmd,
            format!("error calling {name}: result of {len} bytes exceeds the limit of {max} bytes"),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn call_with(
        &mut self,
        dot: &Slot,
        pos: usize,
        name: &str,
        user: Option<(&crate::func::Func, Option<&Signature>)>,
        builtin: Option<Builtin>,
        cmd: CommandRef<'_>,
        args: &[Arg],
        fin: Option<Slot>,
        argv: &mut Vec<Value>,
    ) -> R<Slot> {
        let ident = &args[0];
        if let Some((f, Some(sig))) = user {
            self.typed_args(dot, pos, ident, name, sig, args, fin, argv)?;
            return match f(self, argv) {
                Ok(v) => Ok(Slot::from_result(v)),
                Err(e) => Err(self.func_error(pos, ident, name, cmd, e)),
            };
        }
        // `len` of Go's zero reflect.Value (`nil`, a variable holding no value) asks
        // it for its type, a panic; a nil interface is "len of nil pointer".
        let mut zero_arg = false;
        for (i, a) in args[1..].iter().enumerate() {
            let slot = self.eval_arg(dot, a)?;
            if i == 0 && builtin == Some(Builtin::Printf) {
                self.check_string_param(a, &slot)?;
            }
            zero_arg |= matches!(slot, Slot::Invalid | Slot::Val(Value::Nil));
            argv.push(slot.into_value());
        }
        if let Some(f) = fin {
            zero_arg |= matches!(f, Slot::Invalid | Slot::Val(Value::Nil));
            argv.push(f.into_value());
        }
        if builtin == Some(Builtin::Len) && user.is_none() && zero_arg && argv.len() == 1 {
            return Err(self.err_at(
                cmd.pos(),
                &cmd,
                format!("error calling {name}: reflect: call of reflect.Value.Type on zero Value"),
            ));
        }
        if let Some((f, _)) = user {
            return match f(self, argv) {
                Ok(v) => Ok(Slot::from_result(v)),
                Err(e) => Err(self.func_error(pos, ident, name, cmd, e)),
            };
        }
        let not_defined = || format!("{} is not a defined function", gofmt::quote(name));
        let Some(b) = builtin else {
            return Err(self.err_at(pos, &args[0], not_defined()));
        };
        self.check_print_size(b, name, cmd, argv)?;
        match builtins::call_builtin(b, argv) {
            Some(Ok(v)) => Ok(Slot::from_result(v)),
            Some(Err(BuiltinError::Exec(m))) => Err(self.err_at(pos, &args[0], m)),
            Some(Err(BuiltinError::Call(m))) => {
                Err(self.err_at(cmd.pos(), &cmd, format!("error calling {name}: {m}")))
            }
            None => Err(self.err_at(pos, &args[0], not_defined())),
        }
    }

    /// Evaluates arguments for a function with a declared signature, making Go's
    /// argument-count and type checks (`evalCall`, `evalArg`, `validateType`).
    #[allow(clippy::too_many_arguments)]
    fn typed_args(
        &mut self,
        dot: &Slot,
        pos: usize,
        at: &Arg,
        name: &str,
        sig: &Signature,
        args: &[Arg],
        fin: Option<Slot>,
        argv: &mut Vec<Value>,
    ) -> R<()> {
        // `args[0]` is the command's own node; a field inside a chain (`$t.In.Year`)
        // is called with no command at all.
        let nargs = args.len().saturating_sub(1);
        let n = nargs + usize::from(fin.is_some());
        let fixed = sig.params.len() - usize::from(sig.variadic);
        if sig.variadic && n < fixed {
            return Err(self.err_at(
                pos,
                at,
                format!("wrong number of args for {name}: want at least {fixed} got {nargs}"),
            ));
        }
        if !sig.variadic && n != fixed {
            return Err(self.err_at(
                pos,
                at,
                format!("wrong number of args for {name}: want {fixed} got {n}"),
            ));
        }
        for (i, a) in args.get(1..).unwrap_or_default().iter().enumerate() {
            let param = sig.param(i).unwrap_or(Param::Any);
            let v = self.typed_arg(dot, a, param)?;
            argv.push(v);
        }
        if let Some(f) = fin {
            let param = sig.param(n - 1).unwrap_or(Param::Any);
            // Go reports this at the node it evaluated last.
            let at = match args {
                [_, .., last] => last,
                _ => at,
            };
            let v = validate_type(f, param).map_err(|m| self.err_at(at.pos(), at, m))?;
            argv.push(v);
        }
        Ok(())
    }

    fn typed_arg(&mut self, dot: &Slot, node: &Arg, param: Param) -> R<Value> {
        if param == Param::Any {
            return Ok(self.eval_arg(dot, node)?.into_value());
        }
        let tname = param.go_name();
        let literal = match (node, param) {
            (Arg::Nil { .. }, Param::List | Param::Map | Param::Ptr(_)) => Some(Ok(Value::Nil)),
            (Arg::Nil { .. }, _) => Some(Err(format!("cannot assign nil to {tname}"))),
            (Arg::Bool { val, .. }, Param::Bool) => Some(Ok(Value::Bool(*val))),
            (Arg::String { val, .. }, Param::String) => Some(Ok(val.clone())),
            (Arg::Number { num, .. }, Param::Int | Param::Int64 | Param::Duration) => Some(
                num.int
                    .map(|i| match param {
                        Param::Int64 => Value::Int64(i),
                        _ => Value::Int(i),
                    })
                    .ok_or_else(|| format!("expected integer; found {node}")),
            ),
            (Arg::Number { num, .. }, Param::Float64) => Some(
                num.float
                    .map(Value::Float)
                    .ok_or_else(|| format!("expected float; found {node}")),
            ),
            (Arg::Bool { .. } | Arg::String { .. } | Arg::Number { .. }, _) => {
                Some(Err(match param {
                    Param::Bool => format!("expected bool; found {node}"),
                    Param::String => format!("expected string; found {node}"),
                    Param::Int | Param::Int64 | Param::Duration => {
                        format!("expected integer; found {node}")
                    }
                    Param::Float64 => format!("expected float; found {node}"),
                    _ => format!("can't handle {node} for arg of type {tname}"),
                }))
            }
            _ => None,
        };
        match literal {
            Some(r) => r.map_err(|m| self.err_at(node.pos(), node, m)),
            None => {
                let slot = self.eval_arg(dot, node)?;
                // Go reports a mismatch at the node it evaluated last: inside a
                // parenthesized pipeline, that pipeline's last operand (or the
                // argument a short-circuited `and`/`or` stopped at).
                let at = match node {
                    Arg::Pipe(p) => self.last_visited(p).unwrap_or(node),
                    _ => node,
                };
                validate_type(slot, param).map_err(|m| self.err_at(at.pos(), at, m))
            }
        }
    }

    /// Go's checks of an argument passed to a `string` parameter (printf's format).
    fn check_string_param(&self, node: &Arg, v: &Slot) -> R<()> {
        let msg = match (node, v) {
            (Arg::Number { .. } | Arg::Bool { .. }, _) => format!("expected string; found {node}"),
            (Arg::Nil { .. }, _) => "cannot assign nil to string".to_string(),
            (
                _,
                Slot::Iface(Value::String(_) | Value::RawString(_))
                | Slot::Val(Value::String(_) | Value::RawString(_)),
            ) => return Ok(()),
            (_, Slot::Invalid | Slot::Val(Value::Nil)) => {
                "invalid value; expected string".to_string()
            }
            (_, Slot::Iface(Value::Nil)) => {
                "wrong type for value; expected string; got interface {}".to_string()
            }
            (_, Slot::Iface(other) | Slot::Val(other)) => format!(
                "wrong type for value; expected string; got {}",
                gofmt::go_type_name(other)
            ),
        };
        Err(self.err_at(node.pos(), node, msg))
    }

    fn func_error(
        &self,
        pos: usize,
        ident: &Arg,
        name: &str,
        cmd: CommandRef<'_>,
        e: FuncError,
    ) -> Flow {
        // Argument-count and argument-type problems are reported without the
        // "error calling" prefix, as Go's reflection-based checks do.
        if e.message.starts_with("wrong number of args for ")
            || e.message.starts_with("invalid value; expected ")
            || e.message.starts_with("wrong type for value; expected ")
        {
            return self.err_at(pos, ident, e.message);
        }
        self.err_at(
            cmd.pos(),
            &cmd,
            format!("error calling {name}: {}", e.message),
        )
    }

    /// `and`/`or`: evaluate arguments left to right, stop at the deciding one.
    fn and_or(
        &mut self,
        dot: &Slot,
        pos: usize,
        name: &str,
        args: &[Arg],
        fin: Option<Slot>,
    ) -> R<Slot> {
        let n = args.len() - 1 + usize::from(fin.is_some());
        if n < 1 {
            return Err(self.err_at(
                pos,
                &args[0],
                format!("wrong number of args for {name}: want at least 1 got 0"),
            ));
        }
        let is_or = name == "or";
        let mut v = Slot::Invalid;
        for (i, a) in args.iter().enumerate().skip(1) {
            v = self.eval_arg(dot, a)?;
            if v.truthy() == is_or {
                self.and_or_stop = Some((args.as_ptr(), i));
                return Ok(v);
            }
        }
        self.and_or_stop = Some((args.as_ptr(), args.len() - 1));
        if let Some(f) = fin {
            v = f;
        }
        Ok(v)
    }

    /// `call`: template values never hold functions, so this reports Go's errors.
    fn builtin_call(
        &mut self,
        dot: &Slot,
        pos: usize,
        args: &[Arg],
        fin: Option<Slot>,
        cmd: CommandRef<'_>,
    ) -> R<Slot> {
        if args.len() < 2 && fin.is_none() {
            return Err(self.err_at(
                pos,
                &args[0],
                "wrong number of args for call: want at least 1 got 0",
            ));
        }
        let (fn_val, fn_name) = if args.len() >= 2 {
            (self.eval_arg(dot, &args[1])?, args[1].to_string())
        } else {
            let fin = fin.unwrap_or(Slot::Invalid);
            let name = builtins::pipeline_callee_name(&fin.value());
            (fin, name)
        };
        let msg = match fn_val.value() {
            Value::Nil => "call of nil".to_string(),
            v => format!("non-function {fn_name} of type {}", gofmt::go_type_name(&v)),
        };
        Err(self.err_at(cmd.pos(), &cmd, format!("error calling call: {msg}")))
    }
}

/// A node's position for error reports.
fn n_pos(n: &Node) -> usize {
    match n {
        Node::Text { pos, .. } | Node::Action { pos, .. } | Node::Template { pos, .. } => *pos,
        Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
        Node::Break | Node::Continue => 0,
    }
}

/// Go's `validateType`: whether an evaluated value may be passed as `param`.
fn validate_type(slot: Slot, param: Param) -> Result<Value, String> {
    let tname = param.go_name();
    match slot {
        Slot::Invalid | Slot::Val(Value::Nil) => match param {
            Param::Any | Param::List | Param::Map | Param::Ptr(_) => Ok(Value::Nil),
            _ => Err(format!("invalid value; expected {tname}")),
        },
        Slot::Iface(Value::Nil) => match param {
            Param::Any => Ok(Value::Nil),
            _ => Err(format!(
                "wrong type for value; expected {tname}; got interface {{}}"
            )),
        },
        Slot::Iface(v) | Slot::Val(v) => {
            let ok = match (param, &v) {
                (Param::Any, _)
                | (Param::String, Value::String(_) | Value::RawString(_))
                | (Param::Int, Value::Int(_))
                | (Param::Int64, Value::Int64(_))
                | (Param::Float64, Value::Float(_))
                | (Param::Bool, Value::Bool(_)) => true,
                // A typed slice (`[]string`) or map (`map[string]string`) is not
                // assignable to `[]interface{}` / `map[string]interface{}`.
                (Param::List, Value::List(l)) => l.elem() == crate::value::Elem::Any,
                (Param::Map, Value::Map(m)) => m.elem() == crate::value::Elem::Any,
                (Param::Time, Value::Object(o)) => o.type_name() == "time.Time",
                (Param::Duration, Value::Object(o)) => o.type_name() == "time.Duration",
                (Param::Ptr(name), Value::Object(o)) => o.type_name() == name,
                _ => false,
            };
            if ok {
                Ok(match (param, &v) {
                    // Go's assignability: a named map type passes as its plain
                    // type, so what the function returns of it is plain too.
                    (Param::Map, Value::Map(m)) if m.named().is_some() => Value::Map(m.plain()),
                    _ => v,
                })
            } else {
                Err(format!(
                    "wrong type for value; expected {tname}; got {}",
                    gofmt::go_type_name(&v)
                ))
            }
        }
    }
}

impl State<'_> {
    /// [`last_evaluated`] with what the run decided: where a pipeline (at any depth of
    /// the walk) ends in an `and` or `or` just evaluated, Go's executor last visited
    /// the argument that decided it, not the last one.
    fn last_visited<'p>(&self, pipe: &'p Pipe) -> Option<&'p Arg> {
        let cmd = pipe.cmds.last()?;
        let node = match (&cmd.args[..], self.and_or_stop) {
            (
                [
                    Arg::Identifier {
                        builtin: Some(Builtin::And | Builtin::Or),
                        ..
                    },
                    ..,
                ],
                Some((args, i)),
            ) if std::ptr::eq(args, cmd.args.as_ptr()) => cmd.args.get(i)?,
            ([Arg::Identifier { .. }, .., last], _) => last,
            ([first, ..], _) => first,
            ([], _) => return None,
        };
        let inner = match node {
            Arg::Chain { node: inner, .. } => inner.as_ref(),
            _ => node,
        };
        match inner {
            Arg::Pipe(p) => self.last_visited(p).or(Some(inner)),
            _ => Some(node),
        }
    }
}

/// The node Go's executor visited last while evaluating `pipe`: errors raised right
/// after it (range, assignment, `(pipe).field`) are reported there.
fn last_evaluated(pipe: &Pipe) -> Option<&Arg> {
    let cmd = pipe.cmds.last()?;
    let node = match &cmd.args[..] {
        [Arg::Identifier { .. }, .., last] => last,
        [first, ..] => first,
        [] => return None,
    };
    // `(pipe).Field` evaluates its pipeline last; Go's field walk moves no mark.
    let inner = match node {
        Arg::Chain { node: inner, .. } => inner.as_ref(),
        _ => node,
    };
    match inner {
        Arg::Pipe(p) => last_evaluated(p).or(Some(inner)),
        _ => Some(node),
    }
}

/// The integer type `range N` counts in: reflect's `Seq` yields N's own type.
#[derive(Clone)]
enum CountKind {
    Int,
    Int64,
    Uint8,
    Uint64,
    /// A named integer type (`time.Month`, `time.Duration`).
    Named(Arc<dyn Object>),
}

impl CountKind {
    /// N and its type when `v` is an integer `range` counts to.
    fn of(v: &Value) -> Option<(i128, CountKind)> {
        Some(match v {
            Value::Int(n) => (i128::from(*n), CountKind::Int),
            Value::Int64(n) => (i128::from(*n), CountKind::Int64),
            Value::Uint8(n) => (i128::from(*n), CountKind::Uint8),
            Value::Uint64(n) => (i128::from(*n), CountKind::Uint64),
            Value::Object(o) => {
                let n = o.go_int()?;
                o.with_go_int(n)?;
                (i128::from(n), CountKind::Named(o.clone()))
            }
            _ => return None,
        })
    }

    /// The `i`th value; `i` is below N, so it fits N's type.
    fn value(&self, i: i64) -> Value {
        match self {
            CountKind::Int => Value::Int(i),
            CountKind::Int64 => Value::Int64(i),
            CountKind::Uint8 => Value::Uint8(i as u8),
            CountKind::Uint64 => Value::Uint64(i as u64),
            CountKind::Named(o) => o.with_go_int(i).unwrap_or(Value::Int(i)),
        }
    }
}

/// The node a function-call error points at: the whole command, or the bare
/// identifier when the function is an argument of another call.
#[derive(Clone, Copy)]
enum CommandRef<'a> {
    Cmd(&'a Command),
    Arg(&'a Arg),
}

impl CommandRef<'_> {
    fn pos(&self) -> usize {
        match self {
            CommandRef::Cmd(c) => c.pos,
            CommandRef::Arg(a) => a.pos(),
        }
    }
}

impl Display for CommandRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandRef::Cmd(c) => write!(f, "{c}"),
            CommandRef::Arg(a) => write!(f, "{a}"),
        }
    }
}

impl Runtime for State<'_> {
    fn execute_template(&mut self, name: &str, data: Value) -> Result<Value, FuncError> {
        let Some(tree) = self.lookup(name) else {
            return Err(FuncError::new(format!(
                "template: no template {} associated with template {}",
                gofmt::quote(name),
                gofmt::quote(self.set.root_name())
            )));
        };
        if self.depth >= self.set.limits.max_exec_depth {
            return Err(FuncError::new(format!(
                "template: {}: exceeded maximum template depth ({})",
                name, self.set.limits.max_exec_depth
            )));
        }
        let dot = if data.is_nil() {
            Slot::Invalid
        } else {
            Slot::Val(data)
        };
        let buf = self.out_pool.pop().unwrap_or_default();
        let saved_out = std::mem::replace(&mut self.out, buf);
        let saved_frame = self.push_frame(dot.clone());
        let saved_tmpl = std::mem::replace(&mut self.tmpl, tree.clone());
        self.depth += 1;
        let r = self.nested(|s| s.walk_list(&dot, &tree.root));
        self.depth -= 1;
        self.tmpl = saved_tmpl;
        self.pop_frame(saved_frame);
        let mut out = std::mem::replace(&mut self.out, saved_out);
        let r = match r {
            Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => Ok(out.take_value()),
            Err(Flow::Error(e)) => Err(FuncError::new(e)),
        };
        // A buffer grown by one huge output is not kept for the small ones.
        if out.capacity() <= OUT_POOL_MAX_CAPACITY {
            out.clear();
            self.out_pool.push(out);
        }
        r
    }

    fn parse_text(&mut self, name: &str, text: &str) -> Result<(), FuncError> {
        let trees = self
            .set
            .parse_trees_cached(name, text)
            .map_err(FuncError::new)?;
        self.parsed_text = Some(ParsedText {
            name: name.to_string(),
            text: text.to_string(),
            trees,
        });
        Ok(())
    }

    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<Value, FuncError> {
        let cached = match self.parsed_text.take() {
            Some(p) if p.name == name && p.text == text => Some(p.trees),
            _ => None,
        };
        let trees = match cached {
            Some(t) => t,
            None => self
                .set
                .parse_trees_cached(name, text)
                .map_err(FuncError::new)?,
        };
        let mut overlay: NameMap<String, Arc<Tree>> = NameMap::default();
        for t in trees {
            // Go's associate(): an empty definition never replaces an existing one.
            if t.root.is_empty_tree()
                && (overlay.contains_key(&t.name) || self.lookup(&t.name).is_some())
                && t.name != name
            {
                continue;
            }
            overlay.insert(t.name.clone(), t);
        }
        self.overlays.push(overlay);
        let r = self.execute_template(name, data);
        self.overlays.pop();
        r
    }

    fn current_template(&self) -> String {
        self.tmpl.name.clone()
    }

    fn enter_include(&mut self, name: &str) -> usize {
        if let Some(c) = self.include_counts.get_mut(name) {
            *c += 1;
            return *c;
        }
        self.include_counts.insert(name.into(), 1);
        1
    }

    fn exit_include(&mut self, name: &str) {
        if let Some(c) = self.include_counts.get_mut(name) {
            *c = c.saturating_sub(1);
        }
    }

    fn depth(&self) -> usize {
        self.depth
    }

    fn max_value_bytes(&self) -> usize {
        self.set.limits.max_value_bytes
    }
}
