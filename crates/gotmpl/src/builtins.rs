//! Go's predefined template functions (`funcs.go`) that evaluate their arguments
//! eagerly. `and`, `or` (short-circuit) and `call` (needs the argument's source text)
//! live in `exec`.

use crate::gofmt::{go_type_name, sprint_go, sprintf, sprintf_go, sprintln_go};
use crate::value::{List, Value};

/// Go's predefined functions, resolved once at parse time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    And,
    Call,
    Html,
    Index,
    Slice,
    Js,
    Len,
    Not,
    Or,
    Print,
    Printf,
    Println,
    Urlquery,
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
    Ne,
}

/// Every builtin with its name (the bit index is the position here).
pub const ALL: &[(&str, Builtin)] = &[
    ("and", Builtin::And),
    ("call", Builtin::Call),
    ("html", Builtin::Html),
    ("index", Builtin::Index),
    ("slice", Builtin::Slice),
    ("js", Builtin::Js),
    ("len", Builtin::Len),
    ("not", Builtin::Not),
    ("or", Builtin::Or),
    ("print", Builtin::Print),
    ("printf", Builtin::Printf),
    ("println", Builtin::Println),
    ("urlquery", Builtin::Urlquery),
    ("eq", Builtin::Eq),
    ("ge", Builtin::Ge),
    ("gt", Builtin::Gt),
    ("le", Builtin::Le),
    ("lt", Builtin::Lt),
    ("ne", Builtin::Ne),
];

impl Builtin {
    pub fn from_name(name: &str) -> Option<Builtin> {
        // A match compiles to a length switch; every identifier is looked up when
        // parsed, so a scan of `ALL` cost a dozen string comparisons each.
        Some(match name {
            "and" => Builtin::And,
            "call" => Builtin::Call,
            "html" => Builtin::Html,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "js" => Builtin::Js,
            "len" => Builtin::Len,
            "not" => Builtin::Not,
            "or" => Builtin::Or,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "urlquery" => Builtin::Urlquery,
            "eq" => Builtin::Eq,
            "ge" => Builtin::Ge,
            "gt" => Builtin::Gt,
            "le" => Builtin::Le,
            "lt" => Builtin::Lt,
            "ne" => Builtin::Ne,
            _ => return None,
        })
    }

    /// A bit for "a user function overrides this builtin" masks.
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// How Go names the callee of `call` when it comes from the pipeline: exec uses the
/// final value's `reflect.Value.String()`, which is the string itself for a string
/// and `<T Value>` for anything else.
pub fn pipeline_callee_name(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::RawString(r) => r.text().to_string(),
        other => format!("<{} Value>", crate::gofmt::go_type_name(other)),
    }
}

pub fn is_builtin(name: &str) -> bool {
    Builtin::from_name(name).is_some()
}

/// How a builtin failed: Go reports argument-count and type mismatches without the
/// "error calling X:" prefix, and function errors with it.
#[derive(Debug)]
pub enum BuiltinError {
    /// Reported as is (e.g. `wrong number of args for len: want 1 got 2`).
    Exec(String),
    /// Reported as `error calling NAME: MSG`.
    Call(String),
}

type BResult = Result<Value, BuiltinError>;

fn want_exactly(name: &str, n: usize, args: &[Value]) -> Result<(), BuiltinError> {
    if args.len() != n {
        return Err(BuiltinError::Exec(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        )));
    }
    Ok(())
}

fn want_at_least(name: &str, n: usize, args: &[Value]) -> Result<(), BuiltinError> {
    if args.len() < n {
        return Err(BuiltinError::Exec(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        )));
    }
    Ok(())
}

fn call_err<T>(msg: impl Into<String>) -> Result<T, BuiltinError> {
    Err(BuiltinError::Call(msg.into()))
}

/// Calls the eager builtin `name`; `None` if `name` is not one of them.
#[cfg(test)]
pub fn call(name: &str, args: &[Value]) -> Option<BResult> {
    call_builtin(Builtin::from_name(name)?, args)
}

/// Calls an eager builtin; `None` for `and`, `or` and `call`, which exec evaluates.
pub fn call_builtin(b: Builtin, args: &[Value]) -> Option<BResult> {
    Some(match b {
        Builtin::Not => want_exactly("not", 1, args).map(|_| Value::Bool(!args[0].truthy())),
        Builtin::Len => want_exactly("len", 1, args).and_then(|_| length(&args[0])),
        Builtin::Index => want_at_least("index", 1, args).and_then(|_| index(&args[0], &args[1..])),
        Builtin::Slice => want_at_least("slice", 1, args).and_then(|_| slice(&args[0], &args[1..])),
        Builtin::Eq => {
            want_at_least("eq", 1, args).and_then(|_| eq(&args[0], &args[1..]).map(Value::Bool))
        }
        Builtin::Ne => want_exactly("ne", 2, args)
            .and_then(|_| eq(&args[0], &args[1..]).map(|b| Value::Bool(!b))),
        Builtin::Lt => {
            want_exactly("lt", 2, args).and_then(|_| lt(&args[0], &args[1]).map(Value::Bool))
        }
        Builtin::Le => {
            want_exactly("le", 2, args).and_then(|_| le(&args[0], &args[1]).map(Value::Bool))
        }
        Builtin::Gt => want_exactly("gt", 2, args)
            .and_then(|_| le(&args[0], &args[1]).map(|b| Value::Bool(!b))),
        Builtin::Ge => want_exactly("ge", 2, args)
            .and_then(|_| lt(&args[0], &args[1]).map(|b| Value::Bool(!b))),
        Builtin::Print => Ok(match args {
            // A lone string prints as itself: hand back the same shared text.
            [v @ (Value::String(_) | Value::RawString(_))] => v.clone(),
            _ => sprint_go(args).into_value(),
        }),
        Builtin::Println => Ok(sprintln_go(args).into_value()),
        Builtin::Printf => want_at_least("printf", 1, args).and_then(|_| match &args[0] {
            Value::String(f) => Ok(sprintf_go(f, &args[1..]).into_value()),
            // The format's own bytes that are not UTF-8 are read as U+FFFD here.
            Value::RawString(f) => Ok(sprintf_go(f.text(), &args[1..]).into_value()),
            Value::Nil => Err(BuiltinError::Exec("invalid value; expected string".into())),
            other => Err(BuiltinError::Exec(format!(
                "wrong type for value; expected string; got {}",
                go_type_name(other)
            ))),
        }),
        Builtin::Html => Ok(Value::from_go_bytes(&html_escape(&eval_args(args)))),
        Builtin::Js => Ok(Value::from_go_bytes(&js_escape(&eval_args(args)))),
        Builtin::Urlquery => Ok(Value::from(query_escape(&eval_args(args)))),
        Builtin::And | Builtin::Or | Builtin::Call => return None,
    })
}

/// Go's `evalArgs`, as the Go string's bytes (the escapers keep bytes that are not
/// UTF-8): one string argument as is, otherwise `fmt.Sprint` with nil arguments
/// shown as `<no value>`.
fn eval_args(args: &[Value]) -> std::borrow::Cow<'_, [u8]> {
    if let [v] = args
        && let Some(bytes) = v.go_string_bytes()
    {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::str("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    std::borrow::Cow::Owned(sprint_go(&printable).into_bytes())
}

/// Go's `index` checks `0 <= i <= len` itself, so an index equal to the length
/// reaches reflect's `Index`, whose panic text is the error.
const SLICE_INDEX_PANIC: &str = "reflect: slice index out of range";

/// The type `len` and `index` name in errors: they look through a pointer first
/// (`*time.Location` is reported as `time.Location`).
fn indirect_type_name(v: &Value) -> String {
    let name = go_type_name(v);
    match name.strip_prefix('*') {
        Some(elem) if matches!(v, Value::Object(_)) => elem.to_string(),
        _ => name,
    }
}

fn length(v: &Value) -> BResult {
    // A host object of a Go map or slice type has the length of that collection.
    if let Value::Object(o) = v
        && let Some(c) = o.collection()
    {
        return length(&c);
    }
    Ok(Value::Int(match v {
        Value::String(s) => s.len() as i64,
        Value::RawString(r) => r.bytes().len() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(m) => m.len() as i64,
        Value::Nil => return call_err("len of nil pointer"),
        other => return call_err(format!("len of type {}", indirect_type_name(other))),
    }))
}

/// Go's `indexArg`: an integer index within `0..=cap`.
fn index_arg(idx: &Value, cap: usize) -> Result<usize, BuiltinError> {
    let x = match idx {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint8(u) => i64::from(*u),
        // Go converts with int64(u): a huge one wraps negative and is out of range.
        Value::Uint64(u) => *u as i64,
        Value::Nil => return call_err("cannot index slice/array with nil"),
        other => {
            return call_err(format!(
                "cannot index slice/array with type {}",
                go_type_name(other)
            ));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return call_err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> BResult {
    if item.is_nil() {
        return call_err("index of untyped nil");
    }
    let mut cur = item.clone();
    for idx in indexes {
        if let Value::Object(o) = &cur
            && let Some(c) = o.collection()
        {
            cur = c;
        }
        cur = match &cur {
            Value::List(l) => {
                let len = l.len();
                let i = index_arg(idx, len)?;
                if i == len {
                    return call_err(SLICE_INDEX_PANIC);
                }
                l.get(i).unwrap_or(Value::Nil)
            }
            Value::String(_) | Value::RawString(_) => {
                let bytes = cur.go_string_bytes().unwrap_or_default();
                let i = index_arg(idx, bytes.len())?;
                if i == bytes.len() {
                    return call_err("reflect: string index out of range");
                }
                // Go indexes a string's bytes: a `uint8`.
                Value::Uint8(bytes[i])
            }
            Value::Bytes(b) => {
                let i = index_arg(idx, b.len())?;
                if i == b.len() {
                    return call_err(SLICE_INDEX_PANIC);
                }
                Value::Uint8(b[i])
            }
            Value::Map(m) => match idx {
                Value::String(k) => m.get(k).unwrap_or_else(|| m.zero_value()),
                Value::Nil => m.get("").unwrap_or_else(|| m.zero_value()),
                other => {
                    return call_err(format!(
                        "value has type {}; should be string",
                        go_type_name(other)
                    ));
                }
            },
            Value::Nil => return call_err("index of nil pointer"),
            other => {
                return call_err(format!(
                    "can't index item of type {}",
                    indirect_type_name(other)
                ));
            }
        };
    }
    Ok(cur)
}

fn slice(item: &Value, indexes: &[Value]) -> BResult {
    if item.is_nil() {
        return call_err("slice of untyped nil");
    }
    if indexes.len() > 3 {
        return call_err(format!("too many slice indexes: {}", indexes.len()));
    }
    let len = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return call_err("cannot 3-index slice a string");
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => return call_err(format!("can't slice item of type {}", go_type_name(other))),
    };
    let mut idx = [0, len, len];
    for (i, x) in indexes.iter().enumerate() {
        idx[i] = index_arg(x, len)?;
    }
    if idx[0] > idx[1] {
        return call_err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return call_err(format!("invalid slice index: {} > {}", idx[1], idx[2]));
    }
    let (lo, hi) = (idx[0], idx[1]);
    Ok(match item {
        Value::String(s) => {
            Value::from(String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned())
        }
        Value::Bytes(b) => Value::Bytes(b[lo..hi].to_vec().into()),
        Value::List(l) => Value::List(List::typed(l.0.read()[lo..hi].to_vec(), l.elem())),
        _ => Value::Nil,
    })
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    String,
    /// Not a basic kind: nil, maps, slices, objects.
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        // Go compares every integer kind together (`eq 1 (int64 1)` is true), signed
        // with unsigned by value.
        Value::Int(_) | Value::Int64(_) | Value::Uint8(_) | Value::Uint64(_) => Kind::Int,
        Value::Object(o) if o.go_int().is_some() => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) | Value::RawString(_) => Kind::String,
        _ => Kind::Other,
    }
}

/// Go's `eq`: true if `a` equals any of `rest`, by basic kind.
pub fn eq(a: &Value, rest: &[Value]) -> Result<bool, BuiltinError> {
    if rest.is_empty() {
        return call_err("missing argument for comparison");
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !a.is_nil() && !b.is_nil() {
                return Err(incompatible(a, b));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                _ if k1 == Kind::String => a.go_string_bytes() == b.go_string_bytes(),
                _ if k1 == Kind::Int => a.go_integer() == b.go_integer(),
                _ => compare_other(a, b)?,
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `eq` on non-basic values: nil compares with anything; maps and slices are not
/// comparable; objects compare by identity.
fn compare_other(a: &Value, b: &Value) -> Result<bool, BuiltinError> {
    let same_kind = std::mem::discriminant(a) == std::mem::discriminant(b);
    if !same_kind && !a.is_nil() && !b.is_nil() {
        return call_err(format!(
            "non-comparable types {}: {}, {}: {}",
            sprintf("%s", std::slice::from_ref(a)),
            go_type_name(a),
            go_type_name(b),
            crate::gofmt::format_value(b)
        ));
    }
    if a.is_nil() || b.is_nil() {
        return Ok(a.is_nil() == b.is_nil());
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => Ok(x
            .go_equal(y.as_ref(), false)
            .unwrap_or_else(|| std::sync::Arc::ptr_eq(x, y))),
        _ => call_err(format!(
            "non-comparable type {}: {}",
            sprintf("%s", std::slice::from_ref(b)),
            go_type_name(b)
        )),
    }
}

fn lt(a: &Value, b: &Value) -> Result<bool, BuiltinError> {
    let k1 = basic_kind(a);
    let k2 = basic_kind(b);
    if k1 == Kind::Other || k2 == Kind::Other {
        return call_err("invalid type for comparison");
    }
    if k1 != k2 {
        return Err(incompatible(a, b));
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x < y,
        _ if k1 == Kind::String => a.go_string_bytes() < b.go_string_bytes(),
        _ if k1 == Kind::Int => a.go_integer() < b.go_integer(),
        _ => return call_err("invalid type for comparison"),
    })
}

fn incompatible(a: &Value, b: &Value) -> BuiltinError {
    BuiltinError::Call(format!(
        "incompatible types for comparison: {} and {}",
        go_type_name(a),
        go_type_name(b)
    ))
}

fn le(a: &Value, b: &Value) -> Result<bool, BuiltinError> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

/// Go's `template.HTMLEscapeString`, which works byte by byte.
pub fn html_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 16);
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"&#34;"),
            b'\'' => out.extend_from_slice(b"&#39;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            0 => out.extend_from_slice("\u{FFFD}".as_bytes()),
            b => out.push(b),
        }
    }
    out
}

/// Go's `template.JSEscapeString`. A byte that is not UTF-8 reads as U+FFFD, which
/// is printable, so it is kept as it is.
pub fn js_escape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 16);
    for (at, c, width) in crate::value::go_runes(s) {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '\'' => out.extend_from_slice(b"\\'"),
            '"' => out.extend_from_slice(b"\\\""),
            '<' => out.extend_from_slice(b"\\u003C"),
            '>' => out.extend_from_slice(b"\\u003E"),
            '&' => out.extend_from_slice(b"\\u0026"),
            '=' => out.extend_from_slice(b"\\u003D"),
            c if (c as u32) >= 0x20 && (c.is_ascii() || crate::gofmt::is_print(c)) => {
                out.extend_from_slice(&s[at..at + width]);
            }
            c => out.extend_from_slice(format!("\\u{:04X}", c as u32).as_bytes()),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub fn query_escape(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes index to `uint8`; Go compares signed and unsigned integers by value.
    #[test]
    fn escapers_keep_bytes_that_are_not_utf8() {
        assert_eq!(html_escape(b"<\xff>"), b"&lt;\xff&gt;");
        assert_eq!(js_escape(b"'\xff\x01\xc2\xa0"), b"\\'\xff\\u0001\\u00A0");
        assert_eq!(query_escape(b"a b\xff"), "a+b%FF");
    }

    #[test]
    fn from_name_knows_every_builtin() {
        for (name, b) in ALL {
            assert_eq!(Builtin::from_name(name), Some(*b));
        }
        assert_eq!(Builtin::from_name("include"), None);
        assert_eq!(Builtin::from_name(""), None);
    }

    #[test]
    fn bytes_index_to_uint8_and_compare_with_ints() {
        let b = Value::Bytes(b"hi"[..].into());
        let c = index(&b, &[Value::Int(0)]).unwrap();
        assert_eq!(c, Value::Uint8(104));
        assert_eq!(
            index(&Value::str("hi"), &[Value::Uint8(1)]).unwrap(),
            Value::Uint8(105)
        );
        assert!(eq(&c, &[Value::Int(104)]).unwrap());
        assert!(eq(&Value::Uint64(u64::MAX), &[Value::Uint64(u64::MAX)]).unwrap());
        assert!(!eq(&Value::Int(-1), &[Value::Uint64(u64::MAX)]).unwrap());
        assert!(lt(&Value::Int(-1), &Value::Uint8(0)).unwrap());
        assert!(eq(&c, &[Value::str("h")]).is_err());
        assert_eq!(
            slice(&b, &[Value::Int(1)]).unwrap(),
            Value::Bytes(b"i"[..].into())
        );
    }

    #[test]
    fn call_names_a_pipeline_callee_like_reflect_value_string() {
        assert_eq!(pipeline_callee_name(&Value::str("hello")), "hello");
        assert_eq!(pipeline_callee_name(&Value::Int(3)), "<int Value>");
        assert_eq!(pipeline_callee_name(&Value::Float(1.5)), "<float64 Value>");
    }

    fn ok(name: &str, args: &[Value]) -> Value {
        match call(name, args) {
            Some(Ok(v)) => v,
            Some(Err(e)) => panic!("{name}: {e:?}"),
            None => panic!("no builtin {name}"),
        }
    }

    fn call_error(name: &str, args: &[Value]) -> String {
        match call(name, args) {
            Some(Err(BuiltinError::Call(m))) | Some(Err(BuiltinError::Exec(m))) => m,
            other => panic!("{name}: expected error, got {other:?}"),
        }
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            ok("eq", &[Value::Int(1), Value::Int(2), Value::Int(1)]),
            Value::Bool(true)
        );
        assert_eq!(ok("eq", &[Value::Nil, Value::Nil]), Value::Bool(true));
        assert_eq!(ok("eq", &[Value::str("a"), Value::Nil]), Value::Bool(false));
        assert_eq!(
            call_error("eq", &[Value::Int(1), Value::Float(1.0)]),
            "incompatible types for comparison: int and float64"
        );
        assert_eq!(
            call_error("eq", &[Value::Int(1)]),
            "missing argument for comparison"
        );
        assert_eq!(
            call_error("lt", &[Value::Nil, Value::Int(1)]),
            "invalid type for comparison"
        );
        assert_eq!(
            call_error("lt", &[Value::Bool(true), Value::Bool(false)]),
            "invalid type for comparison"
        );
        assert_eq!(
            ok("ge", &[Value::str("b"), Value::str("a")]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("le", &[Value::Float(2.0), Value::Float(2.0)]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("gt", &[Value::Int(2), Value::Int(3)]),
            Value::Bool(false)
        );
        assert_eq!(
            call_error("ne", &[Value::Int(1)]),
            "wrong number of args for ne: want 2 got 1"
        );
        let m = Value::empty_map();
        assert_eq!(
            call_error("eq", &[m.clone(), m]),
            "non-comparable type map[]: map[string]interface {}"
        );
    }

    #[test]
    fn indexing() {
        let l = Value::list(vec![Value::str("a"), Value::list(vec![Value::Int(7)])]);
        assert_eq!(
            ok("index", &[l.clone(), Value::Int(1), Value::Int(0)]),
            Value::Int(7)
        );
        // Go checks `i <= len` only; `i == len` is reflect's panic (as Helm prints).
        assert_eq!(
            call_error("index", &[l.clone(), Value::Int(2)]),
            "reflect: slice index out of range"
        );
        assert_eq!(
            call_error("index", &[l.clone(), Value::Int(3)]),
            "index out of range: 3"
        );
        assert_eq!(
            call_error("index", &[Value::str("ab"), Value::Int(2)]),
            "reflect: string index out of range"
        );
        assert_eq!(
            call_error(
                "index",
                &[Value::Bytes(std::sync::Arc::from(&b""[..])), Value::Int(0)]
            ),
            "reflect: slice index out of range"
        );
        assert_eq!(
            call_error("index", &[Value::Nil, Value::Int(2)]),
            "index of untyped nil"
        );
        assert_eq!(
            call_error("index", &[l.clone(), Value::Float(1.0)]),
            "cannot index slice/array with type float64"
        );
        assert_eq!(
            ok("index", &[Value::str("abc"), Value::Int(1)]),
            Value::Uint8(98)
        );
        assert_eq!(
            ok("index", &[Value::empty_map(), Value::str("x")]),
            Value::Nil
        );
        assert_eq!(
            ok("slice", &[Value::str("abcd"), Value::Int(1), Value::Int(3)]),
            Value::str("bc")
        );
        assert_eq!(
            ok("slice", &[l.clone(), Value::Int(1)])
                .as_list()
                .map(|l| l.len()),
            Some(1)
        );
        assert_eq!(
            call_error("slice", &[Value::str("ab"), Value::Int(2), Value::Int(1)]),
            "invalid slice index: 2 > 1"
        );
        assert_eq!(ok("len", &[l]), Value::Int(2));
        assert_eq!(call_error("len", &[Value::Nil]), "len of nil pointer");
        assert_eq!(call_error("len", &[Value::Int(3)]), "len of type int");
    }

    #[test]
    fn escapers() {
        assert_eq!(
            ok("html", &[Value::str("<a href=\"x\">'&'</a>")]),
            Value::str("&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        );
        assert_eq!(
            ok("js", &[Value::str("a'b\"<=>\n")]),
            Value::str("a\\'b\\\"\\u003C\\u003D\\u003E\\u000A")
        );
        assert_eq!(
            ok("urlquery", &[Value::str("a b&c=d/é")]),
            Value::str("a+b%26c%3Dd%2F%C3%A9")
        );
        assert_eq!(ok("html", &[Value::Nil]), Value::str("&lt;no value&gt;"));
        assert_eq!(
            ok("print", &[Value::Int(1), Value::Int(2)]),
            Value::str("1 2")
        );
        assert_eq!(
            ok("printf", &[Value::str("%05.1f"), Value::Float(3.25159)]),
            Value::str("003.3")
        );
    }
}
