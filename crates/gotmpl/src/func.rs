//! Template functions: the signature every builtin, Sprig and Helm function shares.

use std::collections::HashMap;
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
    /// returning its output (Helm's `include`). Fails on an unknown name, and when the
    /// nesting depth limit is reached.
    fn execute_template(&mut self, name: &str, data: Value) -> Result<String, FuncError>;
    /// Parse `text` as a new template called `name` that shares the current set's
    /// definitions, then execute it with `data` (Helm's `tpl`). Definitions it makes are
    /// visible to later `include` calls from the same render, as in Helm.
    fn execute_text(&mut self, name: &str, text: &str, data: Value) -> Result<String, FuncError>;
    /// The name of the template being executed (Helm's `.Template.Name` in errors).
    fn current_template(&self) -> String;
}

/// A function callable from a template.
pub type Func = Arc<dyn Fn(&mut dyn Runtime, &[Value]) -> Result<Value, FuncError> + Send + Sync>;

/// Functions by name, as Go's `template.FuncMap`.
#[derive(Clone, Default)]
pub struct FuncMap {
    funcs: HashMap<String, Func>,
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
        self.funcs.insert(
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
        self.funcs.insert(name.to_string(), Arc::new(f));
        self
    }

    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// Merge another map in; its functions win (Helm overrides some Sprig names).
    pub fn extend(&mut self, other: &FuncMap) {
        for (name, f) in &other.funcs {
            self.funcs.insert(name.clone(), f.clone());
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }
}
