//! Helm's `toToml`: BurntSushi/toml's encoder over the value.
//!
//! Top-level keys with plain values come first, then tables (`[a]`, `[a.b]`, nested
//! tables indented by two spaces per level) and arrays of tables (`[[a]]`); map keys
//! sort by bytes, Go structs (`.Capabilities`) keep their fields' declaration order
//! and Go names; nulls (and nil maps) are skipped; strings use TOML basic-string
//! escapes; `[]byte` is an array of numbers.

use gotmpl::value::Value;

use super::PrintError;
use super::print::{MAX_PRINT_DEPTH, RFC3339_NANO, go_time_format};

/// Helm's `toToml` (Helm prints the error text instead of failing).
pub fn to_toml(value: &Value) -> Result<String, PrintError> {
    match value {
        v if is_table(v) => {
            let mut out = String::new();
            write_table(&mut out, &[], v, 0)?;
            Ok(out)
        }
        // BurntSushi writes a top-level value that is not a table as a bare element
        // (no key, no newline); only a top-level array of tables has no form.
        Value::List(_) if is_table_array(value) => Err(no_key()),
        Value::Bool(_) | Value::Int(_) | Value::Int64(_) | Value::Float(_) | Value::String(_) => {
            scalar(value, 0)
        }
        Value::List(_) => scalar(value, 0),
        _ => Err(no_key()),
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

/// What BurntSushi skips as nil: Go nil (interfaces, pointers) and nil maps.
fn is_nil(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Map(m) => m.is_nil_map(),
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
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(v: &Value, depth: usize) -> Result<String, PrintError> {
    if depth > MAX_PRINT_DEPTH {
        return Err(PrintError::Toml("value nested too deeply".to_string()));
    }
    Ok(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint8(u) => u.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                // BurntSushi keeps the sign of a NaN (TOML's `-nan`).
                if f.is_sign_negative() { "-nan" } else { "nan" }.to_string()
            } else if f.is_infinite() {
                if *f > 0.0 { "inf" } else { "-inf" }.to_string()
            } else {
                // strconv.FormatFloat(f, 'g', -1, 64), with ".0" added to integral text.
                let s = super::gofloat::format_g(*f);
                if s.contains(['.', 'e']) {
                    s
                } else {
                    format!("{s}.0")
                }
            }
        }
        Value::String(s) => quote_string(s),
        Value::Bytes(b) => format!(
            "[{}]",
            b.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
        ),
        Value::List(l) => {
            let items = l.to_vec();
            if items.iter().any(Value::is_nil) {
                return Err(PrintError::Toml(
                    "cannot encode array with nil element".to_string(),
                ));
            }
            let items: Result<Vec<String>, PrintError> =
                items.iter().map(|x| scalar(x, depth + 1)).collect();
            format!("[{}]", items?.join(", "))
        }
        Value::Map(m) => {
            let mut parts = Vec::new();
            for (k, v) in m.entries() {
                if is_nil(&v) {
                    continue;
                }
                parts.push(format!("{} = {}", quote_key(&k), scalar(&v, depth + 1)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Nil => String::new(),
        Value::Object(o) if o.type_name() == "time.Time" => toml_time(o.as_ref()),
        Value::Object(o) if let Some(inner @ (Value::Map(_) | Value::List(_))) = o.collection() => {
            scalar(&inner, depth + 1)?
        }
        // An inline struct: plain fields, then tables, each in declaration order.
        Value::Object(o) if let Some(fields) = o.go_fields() => {
            let (subs, direct): (Vec<_>, Vec<_>) = fields
                .into_iter()
                .filter(|(_, v)| !is_nil(v))
                .partition(|(_, v)| is_table(v) || is_table_array(v));
            let mut parts = Vec::new();
            for (k, v) in direct.iter().chain(&subs) {
                parts.push(format!("{} = {}", quote_key(k), scalar(v, depth + 1)?));
            }
            format!("{{{}}}", parts.join(", "))
        }
        Value::Object(o) => match o.to_value() {
            Some(v) => scalar(&v, depth + 1)?,
            None => quote_string(&o.display()),
        },
    })
}

/// A `time.Time` as BurntSushi writes it: bare, RFC 3339 with nanoseconds in the
/// time's own zone, except that its TOML local kinds (fromToml's `*-local` zones) print
/// as a local datetime, date or time.
fn toml_time(t: &dyn gotmpl::Object) -> String {
    let zone = t.field("Location");
    let local_layout = match zone.as_ref().and_then(Value::as_str) {
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
fn write_table(
    out: &mut String,
    path: &[String],
    table: &Value,
    depth: usize,
) -> Result<(), PrintError> {
    if depth > MAX_PRINT_DEPTH {
        return Err(PrintError::Toml("value nested too deeply".to_string()));
    }
    let Some(entries) = table_entries(table) else {
        return Ok(());
    };
    let entries: Vec<(String, Value)> = entries.into_iter().filter(|(_, v)| !is_nil(v)).collect();
    let indent = "  ".repeat(path.len());
    for (k, v) in &entries {
        if is_table(v) || is_table_array(v) {
            continue;
        }
        out.push_str(&format!(
            "{indent}{} = {}\n",
            quote_key(k),
            scalar(v, depth)?
        ));
    }
    for (k, v) in &entries {
        let mut sub = path.to_vec();
        sub.push(quote_key(k));
        let header_indent = "  ".repeat(sub.len() - 1);
        if is_table(v) {
            if sub.len() == 1 && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{header_indent}[{}]\n", sub.join(".")));
            write_table(out, &sub, v, depth + 1)?;
        } else if is_table_array(v)
            && let Value::List(l) = v
        {
            for item in l.to_vec() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{header_indent}[[{}]]\n", sub.join(".")));
                write_table(out, &sub, &item, depth + 1)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::parse_values;

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
}
