//! Helm's `fromToml`: BurntSushi/toml's `Unmarshal` into `map[string]interface{}`.
//!
//! Integers become Go `int64`, floats `float64` (`inf`/`nan` included), tables maps,
//! arrays lists. Datetimes are handed to the caller, which builds Go `time.Time`
//! values. Parsing uses `toml_edit`, whose own nesting limit bounds recursion on
//! untrusted text; its error text differs from BurntSushi's (see docs/architecture.md).

use gotmpl::value::{Map, Value};
use toml_edit::{DocumentMut, Item, Table, Value as TomlValue};

/// A TOML datetime as written (RFC 3339 style, `T` or space separated).
pub struct TomlDatetime {
    pub text: String,
    /// Whether it carries a date, a time and a UTC offset (an "offset datetime").
    pub has_offset: bool,
}

/// Parse a TOML document into a map; `datetime` turns each datetime into a value.
pub fn from_toml(
    text: &str,
    datetime: &mut dyn FnMut(&TomlDatetime) -> Value,
) -> Result<Map, String> {
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        format!("toml: line {line}: {}", e.message().trim_end())
    })?;
    Ok(table(doc.as_table(), datetime))
}

fn table(t: &Table, datetime: &mut dyn FnMut(&TomlDatetime) -> Value) -> Map {
    let m = Map::new();
    for (k, item) in t.iter() {
        if let Some(v) = item_value(item, datetime) {
            m.insert(k, v);
        }
    }
    m
}

fn item_value(item: &Item, datetime: &mut dyn FnMut(&TomlDatetime) -> Value) -> Option<Value> {
    Some(match item {
        Item::None => return None,
        Item::Value(v) => value(v, datetime),
        Item::Table(t) => Value::Map(table(t, datetime)),
        Item::ArrayOfTables(a) => {
            Value::list(a.iter().map(|t| Value::Map(table(t, datetime))).collect())
        }
    })
}

fn value(v: &TomlValue, datetime: &mut dyn FnMut(&TomlDatetime) -> Value) -> Value {
    match v {
        TomlValue::String(s) => Value::str(s.value().as_str()),
        TomlValue::Integer(i) => Value::Int64(*i.value()),
        TomlValue::Float(f) => Value::Float(*f.value()),
        TomlValue::Boolean(b) => Value::Bool(*b.value()),
        TomlValue::Datetime(d) => {
            let d = d.value();
            datetime(&TomlDatetime {
                text: d.to_string(),
                has_offset: d.date.is_some() && d.time.is_some() && d.offset.is_some(),
            })
        }
        TomlValue::Array(a) => Value::list(a.iter().map(|v| value(v, datetime)).collect()),
        TomlValue::InlineTable(t) => {
            let m = Map::new();
            for (k, v) in t.iter() {
                m.insert(k, value(v, datetime));
            }
            Value::Map(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Map, String> {
        from_toml(text, &mut |d| Value::str(format!("time:{}", d.text)))
    }

    #[test]
    fn types_like_burntsushi() {
        let m = parse(
            "a = 1\nb = 1.5\nc = true\nd = \"s\"\ne = [1, \"x\"]\nf = { g = 2 }\n\
             [t]\nu = -3\n[[arr]]\nn = 1\n[[arr]]\nn = 2\n",
        )
        .unwrap();
        assert!(matches!(m.get("a"), Some(Value::Int64(1))));
        assert!(matches!(m.get("b"), Some(Value::Float(f)) if f == 1.5));
        assert!(matches!(m.get("c"), Some(Value::Bool(true))));
        let Some(Value::Map(t)) = m.get("t") else {
            panic!("t")
        };
        assert!(matches!(t.get("u"), Some(Value::Int64(-3))));
        let Some(Value::List(arr)) = m.get("arr") else {
            panic!("arr")
        };
        assert_eq!(arr.to_vec().len(), 2);
        let Some(Value::Map(f)) = m.get("f") else {
            panic!("f")
        };
        assert!(matches!(f.get("g"), Some(Value::Int64(2))));
    }

    #[test]
    fn datetimes_go_to_the_caller() {
        let m = parse("when = 1979-05-27T07:32:00-08:00\nday = 1979-05-27\n").unwrap();
        let text = |k: &str| m.get(k).and_then(|v| v.as_str().map(str::to_string));
        assert_eq!(
            text("when").as_deref(),
            Some("time:1979-05-27T07:32:00-08:00")
        );
        assert_eq!(text("day").as_deref(), Some("time:1979-05-27"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("a = 1\nb = \n").unwrap_err();
        assert!(e.starts_with("toml: line 2: "), "{e}");
        assert!(parse("a = 1\na = 2\n").is_err());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&text).is_err());
    }
}
