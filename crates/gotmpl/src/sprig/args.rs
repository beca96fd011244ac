//! Argument checks shared by every Sprig function.
//!
//! In Go the template executor checks each call against the function's signature
//! (arity, then assignability of each argument). Our functions are untyped closures,
//! so they check for themselves, with the executor's own wording.

use crate::func::FuncError;
use crate::value::{Elem, Map, Value};

pub(crate) type R = Result<Value, FuncError>;

/// Exact arity: Go's "wrong number of args for NAME: want N got M".
pub(crate) fn arity(name: &str, args: &[Value], want: usize) -> Result<(), FuncError> {
    if args.len() != want {
        return Err(FuncError::new(format!(
            "wrong number of args for {name}: want {want} got {}",
            args.len()
        )));
    }
    Ok(())
}

/// Variadic arity: at least `fixed` arguments before the variadic tail.
pub(crate) fn arity_min(name: &str, args: &[Value], fixed: usize) -> Result<(), FuncError> {
    if args.len() < fixed {
        return Err(FuncError::new(format!(
            "wrong number of args for {name}: want at least {fixed} got {}",
            args.len()
        )));
    }
    Ok(())
}

fn type_error(expected: &str, v: &Value) -> FuncError {
    if v.is_nil() {
        FuncError::new(format!("invalid value; expected {expected}"))
    } else {
        FuncError::new(format!(
            "wrong type for value; expected {expected}; got {}",
            v.type_name()
        ))
    }
}

/// A Go `string` parameter.
pub(crate) fn string(v: &Value) -> Result<&str, FuncError> {
    match v {
        Value::String(s) => Ok(s),
        // Functions on text see invalid bytes as U+FFFD, as Go's decoding does.
        Value::RawString(r) => Ok(r.text()),
        other => Err(type_error("string", other)),
    }
}

/// A Go `string` parameter's bytes, which need not be UTF-8 (`.Files.Get` of a
/// binary file): for functions Go implements on bytes, which keep them as they are.
pub(crate) fn string_bytes(v: &Value) -> Result<&[u8], FuncError> {
    match v {
        Value::RawString(r) => Ok(r.bytes()),
        other => string(other).map(str::as_bytes),
    }
}

/// A Go `int` parameter. Through the executor, functions with such parameters have
/// Go signatures (`signatures.rs`) and get Go's checks before the call; this is the
/// check for direct callers, which cannot tell a literal from a value: an `int64` is
/// Go's "wrong type for value; expected int; got int64", and a float with an
/// integral value is accepted as the literal `2.0` would be.
pub(crate) fn int(v: &Value) -> Result<i64, FuncError> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Ok(*f as i64),
        other => Err(type_error("int", other)),
    }
}

/// A Go `bool` parameter.
pub(crate) fn boolean(v: &Value) -> Result<bool, FuncError> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(type_error("bool", other)),
    }
}

/// A Go `float64` parameter.
pub(crate) fn float(v: &Value) -> Result<f64, FuncError> {
    match v {
        Value::Float(f) => Ok(*f),
        // Integer constants (always Go `int`) convert to float64 parameters in Go
        // templates; an `int` value would not, but we cannot tell the two apart.
        // An `int64` is never a constant, so it is rejected as Go does.
        Value::Int(i) => Ok(*i as f64),
        other => Err(type_error("float64", other)),
    }
}

/// A Go `map[string]interface{}` parameter. `nil` is a valid (nil) map: reads see
/// nothing, writes panic in Go ("assignment to entry in nil map").
pub(crate) fn map(v: &Value) -> Result<Option<&Map>, FuncError> {
    match v {
        // A typed map (`map[string]string`) is not assignable to it in Go.
        Value::Map(m) if m.elem() == Elem::Any => Ok(Some(m)),
        Value::Nil => Ok(None),
        other => Err(type_error("map[string]interface {}", other)),
    }
}

/// A `map[string]interface{}` that is written to: a nil map is Go's runtime panic.
pub(crate) fn map_mut<'a>(name: &str, v: &'a Value) -> Result<&'a Map, FuncError> {
    match map(v)? {
        Some(m) => Ok(m),
        None => {
            let _ = name;
            Err(FuncError::new("assignment to entry in nil map"))
        }
    }
}

/// A `[]interface{}` parameter (`nil` is an empty slice).
pub(crate) fn list(v: &Value) -> Result<Vec<Value>, FuncError> {
    match v {
        // A typed slice (`[]string` from `splitList`) is not assignable to it in Go.
        Value::List(l) if l.elem() == Elem::Any => Ok(l.to_vec()),
        Value::Nil => Ok(Vec::new()),
        other => Err(type_error("[]interface {}", other)),
    }
}

/// Upper bound on anything a template can make a function allocate (strings,
/// lists, random data): 16 MiB of output or 1 Mi list items is far beyond any
/// real chart and keeps a hostile template from exhausting memory.
pub(crate) const MAX_OUTPUT_BYTES: usize = 16 << 20;
pub(crate) const MAX_LIST_ITEMS: usize = 1 << 20;

pub(crate) fn too_large(name: &str, what: &str, n: impl std::fmt::Display) -> FuncError {
    FuncError::new(format!(
        "{name}: {what} {n} exceeds the limit of this renderer"
    ))
}
