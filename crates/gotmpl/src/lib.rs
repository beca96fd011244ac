//! Go `text/template`, written from Go's lexer/parser/exec design, plus Sprig.
//!
//! ```
//! use gotmpl::{Templates, Value, MissingKey};
//! let mut t = Templates::new();
//! t.option_missing_key(MissingKey::Zero);
//! t.parse("x.yaml", r#"{{define "n"}}{{.name}}{{end}}name: {{template "n" .}}"#).unwrap();
//! let data = Value::map([("name".to_string(), Value::from("web"))].into_iter().collect());
//! assert_eq!(t.execute("x.yaml", &data).unwrap(), "name: web");
//! ```
//!
//! Public API:
//! - [`Templates`]: a template set (`Send + Sync`; execute from many threads).
//!   `new()`, `funcs(FuncMap)`, `add_funcs(&FuncMap)`, `option_missing_key(MissingKey)`
//!   / `option("missingkey=zero")`, `delims(l, r)`, `set_limits(Limits)`,
//!   `set_root_name(name)`, `parse(name, text)`, `execute(name, &data) ->
//!   Result<String, Error>` (bytes that are not UTF-8 as U+FFFD), `execute_go` (the
//!   output as Go has it: a [`gostring::GoStringBuf`] keeping such bytes),
//!   `lookup(name)`, `names()`.
//! - [`Error`]: `Display` prints exactly Go's message (`template: NAME:LINE: ...` for
//!   parse errors, `template: FILE:LINE:COL: executing "NAME" at <NODE>: ...` for
//!   execution errors).
//! - [`Runtime`] (implemented by the executor and handed to every function):
//!   `execute_template` (Helm `include`), `parse_text` + `execute_text` (Helm `tpl`;
//!   definitions made by the text are visible only while it runs, as with Helm's
//!   clone), `current_template`, `enter_include`/`exit_include` (Helm's per-name include
//!   recursion counter) and `depth`.
//! - [`FuncError::wrong_args`]: argument-count errors that exec reports the way Go does
//!   (without the "error calling X:" prefix).
//! - [`FuncMap::signature`] with [`Signature`]/[`Param`]: declare a function's Go
//!   parameter types so exec makes Go's pre-call checks (`upper .Values.missing` fails
//!   with "wrong type for value; expected string; got interface {}" in Helm) and
//!   converts number literals to the parameter type. [`FuncMap::remove`] drops a
//!   function with its signature.
//! - [`gofmt`]: Go's `fmt` for values: `sprintf`, `sprint`, `sprintln` (and their
//!   `_go` forms, which keep a string's bytes), `format_value`, `quote`,
//!   `format_float_g`, `go_type_name`.
//!
//! Layering with Helm: this engine prints a missing value as `<no value>`, exactly as
//! Go does; Helm's engine (the Helm layer) sets `missingkey=zero` (or `error` when
//! strict), names the set `gotpl`, and replaces `<no value>` with the empty string in
//! each rendered file and in `tpl` output. Helm 4 also rewrites execution errors into
//! an indented traceback and parse errors into `parse error at (FILE:LINE): MSG`; that
//! is the Helm layer's job too (this crate's messages are Go's originals).
//!
//! Deliberate differences from Go: complex-number literals are rejected at parse time;
//! `call` always fails (template values never hold Go functions); limits
//! ([`Limits`]) bound template nesting (10 000 instead of Go's 100 000), output size
//! (64 MiB), parse nesting (10 000), `range N` and the total steps of one execution
//! (10^8), so untrusted templates cannot exhaust the stack, memory or time. Deep
//! nesting, and every walk over a deep value, runs on a growable stack ([`stack`]),
//! so small thread stacks are safe.

mod ast;
#[cfg(test)]
mod bench_tests;
mod builtins;
#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod deep_tests;
mod exec;
#[cfg(test)]
mod exec_tests;
pub mod func;
#[cfg(test)]
mod fuzz_tests;
pub mod gofmt;
pub mod gostring;
pub mod gounicode;
mod lex;
mod parse;
pub mod size;
pub mod sprig;
pub mod stack;
mod template;
pub mod value;

pub use func::{Func, FuncError, FuncMap, Param, Runtime, Signature};
pub use gofmt::{format_value, sprint, sprintf, sprintln};
pub use template::{DEFAULT_MAX_VALUE_BYTES, Error, Limits, MissingKey, Parsed, Templates};
pub use value::{Elem, List, Map, MapInner, Object, Value};
