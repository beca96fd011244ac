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

/// A word-at-a-time multiply-rotate hash (FxHash's step) for the executor's name
/// tables: function names, include names, container addresses. FNV's byte loop
/// costs a multiply per byte of `helm-toolkit.endpoints.keystone_endpoint_uri_lookup`,
/// this one a multiply per eight. Not collision-resistant: keys come from chart
/// authors, who gain nothing by slowing their own render.
#[derive(Default, Clone, Copy)]
pub struct NameHasher(u64);

const NAME_HASH_K: u64 = 0xf135_7aea_2e62_a9c5;

impl NameHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(NAME_HASH_K).rotate_left(26);
    }
}

impl Hasher for NameHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown takes bucket bits from the bottom and tag bits from the top: one
        // more multiply spreads the last word into both.
        self.0.wrapping_mul(NAME_HASH_K).rotate_left(20)
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i) | 0x100);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// A hash map keyed by names (or addresses) with [`NameHasher`].
pub type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

/// A function callable from a template.
pub type Func = Arc<dyn Fn(&mut dyn Runtime, &[Value]) -> Result<Value, FuncError> + Send + Sync>;

/// A name's function and its declared Go signature (either may come first).
#[derive(Clone, Default)]
struct Entry {
    func: Option<Func>,
    sig: Option<Signature>,
}

/// Functions by name, as Go's `template.FuncMap`.
///
/// The table is shared copy-on-write: a Helm render clones the map it built once
/// (hundreds of Sprig entries), so a clone must not copy it. A function and its
/// signature live in one entry, so a call hashes its name once.
#[derive(Clone, Default)]
pub struct FuncMap {
    table: Arc<NameMap<String, Entry>>,
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
        self.set_func(
            name,
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
        self.set_func(name, Arc::new(f));
        self
    }

    /// A new function replaces the old one and drops its signature.
    fn set_func(&mut self, name: &str, f: Func) {
        let entry = Arc::make_mut(&mut self.table)
            .entry(name.to_string())
            .or_default();
        entry.func = Some(f);
        entry.sig = None;
    }

    /// Declares the Go parameter types of function `name` (added before or after).
    /// The executor then checks argument count and types before calling, with Go's
    /// messages, and converts untyped number literals (`1` to a `float64` parameter
    /// arrives as `Float(1.0)`). Functions without a signature get every argument as is.
    pub fn signature(&mut self, name: &str, sig: Signature) -> &mut Self {
        Arc::make_mut(&mut self.table)
            .entry(name.to_string())
            .or_default()
            .sig = Some(sig);
        self
    }

    pub fn get_signature(&self, name: &str) -> Option<&Signature> {
        self.table.get(name)?.sig.as_ref()
    }

    pub fn get(&self, name: &str) -> Option<&Func> {
        self.table.get(name)?.func.as_ref()
    }

    /// The function called `name` with its signature, in one lookup (every call).
    pub(crate) fn get_with_signature(&self, name: &str) -> Option<(&Func, Option<&Signature>)> {
        let e = self.table.get(name)?;
        Some((e.func.as_ref()?, e.sig.as_ref()))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Removes a function and its signature (Helm drops Sprig's `env`).
    pub fn remove(&mut self, name: &str) -> Option<Func> {
        if !self.table.contains_key(name) {
            return None;
        }
        Arc::make_mut(&mut self.table).remove(name)?.func
    }

    /// Merge another map in; its functions (and their signatures) win (Helm overrides
    /// some Sprig names).
    pub fn extend(&mut self, other: &FuncMap) {
        if self.table.is_empty() {
            *self = other.clone();
            return;
        }
        for (name, e) in other.table.iter() {
            if e.func.is_some() {
                Arc::make_mut(&mut self.table).insert(name.clone(), e.clone());
            }
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.table
            .iter()
            .filter(|(_, e)| e.func.is_some())
            .map(|(n, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    fn hash(s: &str) -> u64 {
        BuildHasherDefault::<NameHasher>::default().hash_one(s)
    }

    #[test]
    fn names_differing_in_length_or_tail_hash_apart() {
        let names = [
            "",
            "a",
            "a\0",
            "ab",
            "include",
            "include2",
            "12345678",
            "123456789",
            "helm-toolkit.endpoints.keystone_endpoint_uri_lookup",
            "helm-toolkit.endpoints.keystone_endpoint_uri_lookuq",
        ];
        let hashes: std::collections::HashSet<u64> = names.iter().map(|n| hash(n)).collect();
        assert_eq!(hashes.len(), names.len());
    }

    #[test]
    fn one_entry_holds_function_and_signature_in_any_order() {
        let mut f = FuncMap::new();
        f.signature("g", Signature::new(&[Param::String]));
        assert!(f.get("g").is_none() && f.get_with_signature("g").is_none());
        f.add("g", |_| Ok(Value::Nil));
        // A new function drops the signature declared before it.
        assert!(f.get_signature("g").is_none());
        f.signature("g", Signature::new(&[Param::Int]));
        let (_, sig) = f.get_with_signature("g").expect("g");
        assert_eq!(sig, Some(&Signature::new(&[Param::Int])));
        assert_eq!(f.names().collect::<Vec<_>>(), ["g"]);

        let mut other = FuncMap::new();
        other.add("h", |_| Ok(Value::Bool(true)));
        other.add("g", |_| Ok(Value::Int(1)));
        f.extend(&other);
        assert!(f.get_signature("g").is_none() && f.contains("h"));
        assert!(f.remove("g").is_some() && !f.contains("g"));
        assert!(f.remove("g").is_none());
    }
}
