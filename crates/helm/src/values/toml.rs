//! Helm's `toToml`: BurntSushi/toml's encoder over the value.
//!
//! Top-level keys with plain values come first, then tables (`[a]`, `[a.b]`, nested
//! tables indented by two spaces per level) and arrays of tables (`[[a]]`); map keys
//! sort by bytes, Go structs (`.Capabilities`) keep their fields' declaration order
//! and Go names; nulls (and nil maps) are skipped; strings use TOML basic-string
//! escapes; `[]byte` is an array of numbers.

use gotmpl::gostring::GoStringBuf;
use gotmpl::stack::{ContainerPath, grow};
use gotmpl::value::{Value, go_text};

use super::PrintError;
use super::print::{RFC3339_NANO, go_time_format};

/// Helm's `toToml` (Helm prints the error text instead of failing), as text: bytes of
/// strings that are not UTF-8 read as U+FFFD (see [`to_toml_value`]).
pub fn to_toml(value: &Value) -> Result<String, PrintError> {
    encode(value).map(GoStringBuf::into_text)
}

/// Helm's `toToml` as the Go string it returns: BurntSushi copies the bytes of a
/// string that is not UTF-8 as they are.
pub fn to_toml_value(value: &Value) -> Result<Value, PrintError> {
    encode(value).map(GoStringBuf::into_value)
}

fn encode(value: &Value) -> Result<GoStringBuf, PrintError> {
    match value {
        v if is_table(v) => {
            let mut out = GoStringBuf::new();
            write_table(&mut out, &mut Vec::new(), v, &mut ContainerPath::new())?;
            Ok(out)
        }
        // BurntSushi writes a top-level value that is not a table as a bare element
        // (no key, no newline); only a top-level array of tables has no form.
        Value::List(_) if is_table_array(value) => Err(no_key()),
        Value::Bool(_)
        | Value::Int(_)
        | Value::Int64(_)
        | Value::Uint8(_)
        | Value::Uint64(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::RawString(_) => scalar(value),
        // Objects that are not tables (a time, a duration, a month, a semver
        // version, which marshals as text) are written as values.
        Value::Object(_) => scalar(value),
        Value::List(_) | Value::Bytes(_) => scalar(value),
        // BurntSushi asks reflect for the type of an untyped nil, which panics.
        Value::Nil => Err(PrintError::Panic(
            "reflect: call of reflect.Value.Type on zero Value".to_string(),
        )),
        Value::Map(_) => Err(no_key()),
    }
}

fn no_key() -> PrintError {
    PrintError::Toml("top-level values must be Go maps or structs".to_string())
}

/// A TOML table's keys and values: a map's entries (sorted) or a Go struct's fields
/// in declaration order.
/// Named map types (`.Files`) are maps to the encoder.
fn table_entries(v: &Value) -> Option<Vec<(String, Value)>> {
    match v {
        Value::Map(m) => Some(m.entries()),
        Value::Object(o) if o.type_name() == "time.Time" => None,
        Value::Object(o) => match o.collection() {
            Some(Value::Map(m)) => Some(m.entries()),
            _ => o.go_fields(),
        },
        _ => None,
    }
}

fn is_table(v: &Value) -> bool {
    match v {
        Value::Map(_) => true,
        Value::Object(o) => {
            o.type_name() != "time.Time"
                && (matches!(o.collection(), Some(Value::Map(_))) || o.go_fields().is_some())
        }
        _ => false,
    }
}

/// What BurntSushi skips as nil: Go nil (interfaces, pointers), nil maps and slices.
fn is_nil(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Map(m) => m.is_nil_map(),
        Value::List(l) => l.is_nil_slice(),
        _ => false,
    }
}

fn is_table_array(v: &Value) -> bool {
    match v {
        Value::List(l) => {
            let items = l.to_vec();
            !items.is_empty() && items.iter().all(is_table)
        }
        _ => false,
    }
}

fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        quote_string(k)
    }
}

fn quote_string(s: &str) -> String {
    // Escapes replace ASCII bytes only, so UTF-8 in gives UTF-8 out.
    String::from_utf8_lossy(&quote_bytes(s.as_bytes())).into_owned()
}

/// A TOML basic string of a Go string's bytes: ASCII escapes, every other byte as it
/// is (BurntSushi does not decode the string).
fn quote_bytes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b if b < 0x20 || b == 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            b => out.push(b),
        }
    }
    out.push(b'"');
    out
}

fn scalar(v: &Value) -> Result<GoStringBuf, PrintError> {
    let mut out = GoStringBuf::new();
    write_scalar(&mut out, v, &mut ContainerPath::new())?;
    Ok(out)
}

/// Enters the map or list `v` for a nested walk; a value met again inside itself is
/// an error (BurntSushi's encoder would recurse until Go's stack ran out).
fn enter(v: &Value, path: &mut ContainerPath) -> Result<(), PrintError> {
    if ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
        Ok(())
    } else {
        Err(PrintError::Toml(format!(
            "cannot encode a {} that contains itself",
            v.type_name()
        )))
    }
}

/// An inline value, written straight into `out` (building each level's text and
/// copying it into the level above would be quadratic in the depth).
fn write_scalar(
    out: &mut GoStringBuf,
    v: &Value,
    path: &mut ContainerPath,
) -> Result<(), PrintError> {
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        Value::Uint8(u) => out.push_str(&u.to_string()),
        Value::Uint64(u) => out.push_str(&u.to_string()),
        Value::Float(f) => {
            if f.is_nan() {
                // BurntSushi keeps the sign of a NaN (TOML's `-nan`).
                out.push_str(if f.is_sign_negative() { "-nan" } else { "nan" });
            } else if f.is_infinite() {
                out.push_str(if *f > 0.0 { "inf" } else { "-inf" });
            } else {
                // strconv.FormatFloat(f, 'g', -1, 64), with ".0" added to integral text.
                let s = super::gofloat::format_g(*f);
                out.push_str(&s);
                if !s.contains(['.', 'e']) {
                    out.push_str(".0");
                }
            }
        }
        Value::String(s) => out.push_str(&quote_string(s)),
        Value::RawString(r) => {
            let quoted = quote_bytes(r.bytes());
            out.push_go(&quoted, &go_text(&quoted));
        }
        Value::Bytes(b) => {
            out.push('[');
            out.push_str(&b.iter().map(u8::to_string).collect::<Vec<_>>().join(", "));
            out.push(']');
        }
        Value::List(l) => {
            let items = l.to_vec();
            if items.iter().any(Value::is_nil) {
                return Err(PrintError::Toml(
                    "cannot encode array with nil element".to_string(),
                ));
            }
            enter(v, path)?;
            let written = grow(|| {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_scalar(out, item, path)?;
                }
                out.push(']');
                Ok(())
            });
            path.leave();
            written?;
        }
        Value::Map(m) => {
            enter(v, path)?;
            let written = grow(|| write_inline_table(out, m.entries(), path));
            path.leave();
            written?;
        }
        Value::Nil => {}
        Value::Object(o) if o.type_name() == "time.Time" => out.push_str(&toml_time(o.as_ref())),
        // BurntSushi writes a `time.Duration` as its text, quoted.
        Value::Object(o) if o.type_name() == "time.Duration" => {
            out.push_str(&quote_string(&o.display()))
        }
        Value::Object(o) if let Some(inner @ (Value::Map(_) | Value::List(_))) = o.collection() => {
            grow(|| write_scalar(out, &inner, path))?
        }
        // An inline struct: plain fields, then tables, each in declaration order.
        Value::Object(o) if let Some(fields) = o.go_fields() => {
            let (subs, direct): (Vec<_>, Vec<_>) = fields
                .into_iter()
                .partition(|(_, v)| is_table(v) || is_table_array(v));
            grow(|| write_inline_table(out, direct.into_iter().chain(subs).collect(), path))?;
        }
        Value::Object(o) => match o.to_value() {
            Some(v) => grow(|| write_scalar(out, &v, path))?,
            None => out.push_str(&quote_string(&o.display())),
        },
    }
    Ok(())
}

/// `{k = v, ...}` over the entries that are not nil, in the order given.
fn write_inline_table(
    out: &mut GoStringBuf,
    entries: Vec<(String, Value)>,
    path: &mut ContainerPath,
) -> Result<(), PrintError> {
    out.push('{');
    let mut first = true;
    for (k, v) in entries {
        if is_nil(&v) {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(&quote_key(&k));
        out.push_str(" = ");
        write_scalar(out, &v, path)?;
    }
    out.push('}');
    Ok(())
}

/// A `time.Time` as BurntSushi writes it: bare, RFC 3339 with nanoseconds in the
/// time's own zone, except that its TOML local kinds (fromToml's `*-local` zones) print
/// as a local datetime, date or time.
fn toml_time(t: &dyn gotmpl::Object) -> String {
    // The zone's name, through the `*time.Location`'s `String` method.
    let zone = match t.field("Location") {
        Some(Value::Object(loc)) => Some(loc.display()),
        _ => None,
    };
    let local_layout = match zone.as_deref() {
        Some("datetime-local") => Some("2006-01-02T15:04:05.999999999"),
        Some("date-local") => Some("2006-01-02"),
        Some("time-local") => Some("15:04:05.999999999"),
        _ => None,
    };
    match (local_layout, t.field("UTC")) {
        (Some(layout), Some(Value::Object(utc))) => go_time_format(utc.as_ref(), layout),
        _ => go_time_format(t, RFC3339_NANO),
    }
    .unwrap_or_default()
}

/// BurntSushi's eTable/eMap: direct keys first, then sub-tables and arrays of tables,
/// each group sorted; a blank line before top-level tables and every `[[array]]`.
/// `path` holds the quoted keys of the tables above, shared by every level (a copy
/// per level would make memory quadratic in the depth).
fn write_table(
    out: &mut GoStringBuf,
    path: &mut Vec<String>,
    table: &Value,
    within: &mut ContainerPath,
) -> Result<(), PrintError> {
    let Some(entries) = table_entries(table) else {
        return Ok(());
    };
    let tracked = table.is_container();
    if tracked {
        enter(table, within)?;
    }
    let written = grow(|| write_table_entries(out, path, entries, within));
    if tracked {
        within.leave();
    }
    written
}

fn write_table_entries(
    out: &mut GoStringBuf,
    path: &mut Vec<String>,
    entries: Vec<(String, Value)>,
    within: &mut ContainerPath,
) -> Result<(), PrintError> {
    let entries: Vec<(String, Value)> = entries.into_iter().filter(|(_, v)| !is_nil(v)).collect();
    for (k, v) in &entries {
        if is_table(v) || is_table_array(v) {
            continue;
        }
        indent(out, path.len());
        out.push_str(&quote_key(k));
        out.push_str(" = ");
        write_scalar(out, v, within)?;
        out.push('\n');
    }
    for (k, v) in &entries {
        let table = is_table(v);
        if !table && !is_table_array(v) {
            continue;
        }
        path.push(quote_key(k));
        let written = if table {
            if path.len() == 1 && !out.is_empty() {
                out.push('\n');
            }
            header(out, path, "[", "]");
            write_table(out, path, v, within)
        } else {
            let items = v.as_list().map(|l| l.to_vec()).unwrap_or_default();
            items.iter().try_for_each(|item| {
                if !out.is_empty() {
                    out.push('\n');
                }
                header(out, path, "[[", "]]");
                write_table(out, path, item, within)
            })
        };
        path.pop();
        written?;
    }
    Ok(())
}

fn indent(out: &mut GoStringBuf, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// `[a.b]` (or `[[a.b]]`) on its own line, indented one level less than its keys.
fn header(out: &mut GoStringBuf, path: &[String], open: &str, close: &str) {
    indent(out, path.len().saturating_sub(1));
    out.push_str(open);
    for (i, key) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(key);
    }
    out.push_str(close);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_values;

    #[test]
    fn strings_that_are_not_utf8_keep_their_bytes() {
        let m = gotmpl::Map::new();
        m.insert("k", Value::from_go_bytes(b"a\xff\"\n"));
        let out = to_toml_value(&Value::Map(m)).unwrap();
        assert_eq!(out.go_string_bytes(), Some(&b"k = \"a\xff\\\"\\n\"\n"[..]));
    }

    #[test]
    fn tables_and_scalars() {
        let m = parse_values(
            "a: 1\nb: x\nc: {d: true, e: {f: [1, 2]}}\ng: [{h: 1}, {h: 2}]\nn: null\n",
            "t",
        )
        .unwrap();
        assert_eq!(
            to_toml(&Value::Map(m)).unwrap(),
            "a = 1.0\nb = \"x\"\n\n[c]\n  d = true\n  [c.e]\n    f = [1.0, 2.0]\n\n[[g]]\n  h = 1.0\n\n[[g]]\n  h = 2.0\n"
        );
    }

    #[test]
    fn untyped_nil_is_a_reflect_panic_and_nested_nils_are_skipped() {
        assert!(matches!(
            to_toml(&Value::Nil),
            Err(PrintError::Panic(m)) if m == "reflect: call of reflect.Value.Type on zero Value"
        ));
        let m = parse_values(
            "a: null
b: 1
",
            "t",
        )
        .unwrap();
        assert_eq!(to_toml(&Value::Map(m)).unwrap(), "b = 1.0\n");
    }

    #[test]
    fn go_typed_scalars_are_values_at_any_level() {
        assert_eq!(to_toml(&Value::Uint64(3)).unwrap(), "3");
        assert_eq!(to_toml(&Value::Uint8(65)).unwrap(), "65");
        let bytes = Value::Bytes(std::sync::Arc::from(&b"AB"[..]));
        assert_eq!(to_toml(&bytes).unwrap(), "[65, 66]");
    }
}
