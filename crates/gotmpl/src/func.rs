//! Template functions: the signature every builtin, Sprig and Helm function shares.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::value::Value;

/// What a function says when it fails; exec wraps it as Go does:
/// `template: NAME:LINE:COL: executing "NAME" at <FN>: error calling FN: MESSAGE`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct FuncError {
    pub message: String,
}

impl FuncError {
    pub fn new(message: impl Into<String>) -> Self {
        FuncError {
            message: message.into(),
        }
    }
}

impl FuncError {
    /// Go's argument-count error (`wrong number of args for NAME: want N got M`), which
    /// exec reports without the "error calling NAME:" prefix, as Go does.
    pub fn wrong_args(name: &str, want: usize, got: usize) -> Self {
        FuncError::new(format!(
            "wrong number of args for {name}: want {want} got {got}"
        ))
    }

    /// Go's error for a variadic function given too few arguments.
    pub fn wrong_args_at_least(name: &str, want: usize, got: usize) -> Self {
        FuncError::new(format!(
            "wrong number of args for {name}: want at least {want} got {got}"
        ))
    }
}

impl From<String> for FuncError {
    fn from(message: String) -> Self {
        FuncError { message }
    }
}

impl From<&str> for FuncError {
    fn from(message: &str) -> Self {
        FuncError::new(message)
    }
}

/// The running template, as seen by a function that needs it (Helm's `include` and `tpl`).
/// Implemented by the executor; plain functions ignore it.
pub trait Runtime {
    /// Execute a template defined in the current set by `name` with `data` as dot,
    /// returning its output (Helm's `include`): a Go string, `Value::RawString` when
    /// bytes that are not UTF-8 were written. Fails on an unknown name, and when the
    /// nesting depth limit is reached.
    fn execute_template(&mut self, name: &str, data: Value) -> Result<Value, FuncError>;
    /// Parse `text` as a new template called `name` that shares the current set's
    /// definitions, then execute it with `data` (Helm's `tpl`). Definitions it makes are
    /// visible while it executes (including to `include` calls made from it) but not
    /// afterwards: Helm's `tpl` parses into a clone of the template set.
    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<Value, FuncError>;
    /// Parse `text` as `execute_text` would, without executing it, so a caller can tell
    /// parse errors from execution errors (Helm's `tpl` words them differently:
    /// "cannot parse template %q" / "error during tpl function execution for %q").
    /// The next `execute_text` of the same name and text reuses this parse.
    fn parse_text(&mut self, name: &str, text: &str) -> Result<(), FuncError> {
        let _ = (name, text);
        Ok(())
    }
    /// The name of the template being executed (Helm's `.Template.Name` in errors).
    fn current_template(&self) -> String;

    /// Per-execution count of how deeply `name` is nested through `include` right now
    /// (Helm's `includedNames`): increments and returns the new count. Helm refuses when
    /// the count before the increment exceeds 1000 ("rendering template has a nested
    /// reference name: NAME: unable to execute template"); pair every call with
    /// [`Runtime::exit_include`].
    fn enter_include(&mut self, name: &str) -> usize {
        let _ = name;
        0
    }

    /// Undoes one [`Runtime::enter_include`].
    fn exit_include(&mut self, name: &str) {
        let _ = name;
    }

    /// How many templates (`template`, `include`, `tpl`) are nested at this point.
    fn depth(&self) -> usize {
        0
    }

    /// The largest string a function may build ([`crate::Limits::max_value_bytes`]);
    /// functions that could build a larger one in one call fail before allocating.
    fn max_value_bytes(&self) -> usize {
        crate::template::DEFAULT_MAX_VALUE_BYTES
    }
}

/// FNV-1a: function names are short, and every template call looks one up, so a
/// cheap hash beats SipHash here (names come from chart authors, not attackers
/// who could pick colliding keys at render time).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A function callable from a template.
pub type Func = Arc<dyn Fn(&mut dyn Runtime, &[Value]) -> Result<Value, FuncError> + Send + Sync>;

type Table<T> = HashMap<String, T, BuildHasherDefault<Fnv>>;

/// Functions by name, as Go's `template.FuncMap`.
///
/// The tables are shared copy-on-write: a Helm render clones the map it built once
/// (hundreds of Sprig entries), so a clone must not copy them.
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: Arc<Table<Func>>,
    sigs: Arc<Table<Signature>>,
}

/// The Go type of a function parameter, for the checks Go's executor makes before a
/// call (`wrong type for value; expected string; got float64`, `invalid value;
/// expected string`, `expected integer; found "x"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything, nil included.
    Any,
    /// `string`
    String,
    /// `int`
    Int,
    /// `int64`
    Int64,
    /// `float64`
    Float64,
    /// `bool`
    Bool,
    /// `[]interface{}` (nil allowed)
    List,
    /// `map[string]interface{}` (nil allowed)
    Map,
    /// `time.Time` (a struct: no nil, literals refused)
    Time,
    /// `time.Duration` (kind int64: integer literals convert, values must be one)
    Duration,
    /// A pointer type by Go name (`*time.Location`): nil allowed, values of that type.
    /// Also an interface type with methods that no template value implements
    /// (`io.Writer`): nil is allowed, every value is refused, literals are
    /// "can't handle".
    Ptr(&'static str),
}

impl Param {
    /// Go's name for the type, as errors print it.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::String => "string",
            Param::Int => "int",
            Param::Int64 => "int64",
            Param::Float64 => "float64",
            Param::Bool => "bool",
            Param::List => "[]interface {}",
            Param::Map => "map[string]interface {}",
            Param::Time => "time.Time",
            Param::Duration => "time.Duration",
            Param::Ptr(name) => name,
        }
    }
}

/// A function's Go parameter list. With `variadic`, the last parameter repeats
/// (`func(string, ...interface{})` is `[String, Any]` + variadic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub params: Vec<Param>,
    pub variadic: bool,
}

impl Signature {
    pub fn new(params: &[Param]) -> Self {
        Signature {
            params: params.to_vec(),
            variadic: false,
        }
    }

    pub fn variadic(params: &[Param]) -> Self {
        Signature {
            params: params.to_vec(),
            variadic: true,
        }
    }

    /// The parameter type of argument `i`, or `None` past the end.
    pub fn param(&self, i: usize) -> Option<Param> {
        match self.params.get(i) {
            Some(p) => Some(*p),
            None if self.variadic => self.params.last().copied(),
            None => None,
        }
    }
}

impl FuncMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) a function that does not need the runtime.
    pub fn add(
        &mut self,
        name: &str,
        f: impl Fn(&[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
    ) -> &mut Self {
        self.remove_sig(name);
        Arc::make_mut(&mut self.funcs).insert(
            name.to_string(),
            Arc::new(move |_rt: &mut dyn Runtime, args: &[Value]| f(args)),
        );
        self
    }

    /// Add (or replace) a function that needs the runtime (`include`, `tpl`).
    pub fn add_with_runtime(
        &mut self,
        name: &str,
        f: impl Fn(&mut dyn Runtime, &[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
    ) -> &mut Self {
        self.remove_sig(name);
        Arc::make_mut(&mut self.funcs).insert(name.to_string(), Arc::new(f));
        self
    }

    /// Declares the Go parameter types of function `name` (added before or after).
    /// The executor then checks argument count and types before calling, with Go's
    /// messages, and converts untyped number literals (`1` to a `float64` parameter
    /// arrives as `Float(1.0)`). Functions without a signature get every argument as is.
    pub fn signature(&mut self, name: &str, sig: Signature) -> &mut Self {
        Arc::make_mut(&mut self.sigs).insert(name.to_string(), sig);
        self
    }

    pub fn get_signature(&self, name: &str) -> Option<&Signature> {
        self.sigs.get(name)
    }

    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// Removes a function and its signature (Helm drops Sprig's `env`).
    pub fn remove(&mut self, name: &str) -> Option<Func> {
        self.remove_sig(name);
        if !self.funcs.contains_key(name) {
            return None;
        }
        Arc::make_mut(&mut self.funcs).remove(name)
    }

    /// Drops `name`'s signature without unsharing the table when it has none.
    fn remove_sig(&mut self, name: &str) {
        if self.sigs.contains_key(name) {
            Arc::make_mut(&mut self.sigs).remove(name);
        }
    }

    /// Merge another map in; its functions (and their signatures) win (Helm overrides
    /// some Sprig names).
    pub fn extend(&mut self, other: &FuncMap) {
        if self.funcs.is_empty() && self.sigs.is_empty() {
            *self = other.clone();
            return;
        }
        for (name, f) in other.funcs.iter() {
            Arc::make_mut(&mut self.funcs).insert(name.clone(), f.clone());
            match other.sigs.get(name) {
                Some(sig) => {
                    Arc::make_mut(&mut self.sigs).insert(name.clone(), sig.clone());
                }
                None => self.remove_sig(name),
            }
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }
}
