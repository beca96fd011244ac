//! Helm's `fromToml`: BurntSushi/toml's `Unmarshal` into `map[string]interface{}`.
//!
//! Integers become Go `int64`, floats `float64` (`inf`/`nan` included), tables maps,
//! arrays lists (`[[tables]]` typed `[]map[string]interface {}`). Offset datetimes
//! are handed to the caller, which builds Go `time.Time` values; local ones become
//! times in BurntSushi's `*-local` zones here. Parsing uses `toml_edit`, whose own nesting limit bounds recursion on
//! untrusted text; when it rejects the text, `toml_error` words the common errors as
//! BurntSushi does (others keep toml_edit's wording, see docs/architecture.md).

use gotmpl::sprig::{WallClock, fixed_zone_time};
use gotmpl::value::{Elem, List, Map, Value};
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
        if let Some(helm) = super::toml_error::burntsushi_error(text) {
            return helm;
        }
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
        // BurntSushi decodes `[[name]]` into a `[]map[string]interface {}`.
        Item::ArrayOfTables(a) => Value::List(List::typed(
            a.iter().map(|t| Value::Map(table(t, datetime))).collect(),
            Elem::Map,
        )),
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
            if d.offset.is_none()
                && let Some(v) = local_datetime(d)
            {
                return v;
            }
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

/// A datetime without an offset as BurntSushi gives it: a `time.Time` at UTC+0 in a
/// zone named for its kind, a bare time falling on January 1 of year 0.
fn local_datetime(d: &toml_edit::Datetime) -> Option<Value> {
    let mut wall = WallClock {
        year: 0,
        month: 1,
        day: 1,
        ..WallClock::default()
    };
    if let Some(date) = d.date {
        wall.year = i32::from(date.year);
        wall.month = u32::from(date.month);
        wall.day = u32::from(date.day);
    }
    if let Some(time) = d.time {
        wall.hour = u32::from(time.hour);
        wall.minute = u32::from(time.minute);
        wall.second = u32::from(time.second.unwrap_or(0));
        wall.nanosecond = time.nanosecond.unwrap_or(0);
    }
    let zone = match (d.date.is_some(), d.time.is_some()) {
        (true, true) => "datetime-local",
        (true, false) => "date-local",
        (false, true) => "time-local",
        (false, false) => return None,
    };
    fixed_zone_time(&wall, zone, 0)
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
    fn offset_datetimes_go_to_the_caller() {
        let m = parse("when = 1979-05-27T07:32:00-08:00\n").unwrap();
        let text = m.get("when").and_then(|v| v.as_str().map(str::to_string));
        assert_eq!(text.as_deref(), Some("time:1979-05-27T07:32:00-08:00"));
    }

    #[test]
    fn local_datetimes_are_times_in_named_zones() {
        let m = parse("d = 1979-05-27\nt = 07:32:00.5\ndt = 1979-05-27T07:32:00\n").unwrap();
        let shown = |k: &str| gotmpl::sprint(&[m.get(k).unwrap_or(Value::Nil)]);
        assert_eq!(shown("d"), "1979-05-27 00:00:00 +0000 date-local");
        assert_eq!(shown("t"), "0000-01-01 07:32:00.5 +0000 time-local");
        assert_eq!(shown("dt"), "1979-05-27 07:32:00 +0000 datetime-local");
        assert_eq!(
            m.get("d").map(|v| v.type_name()).as_deref(),
            Some("time.Time")
        );
    }

    #[test]
    fn arrays_of_tables_are_typed() {
        let m = parse("a = [{x = 1}]\n[[arr]]\nx = 1\n").unwrap();
        let ty = |k: &str| m.get(k).map(|v| v.type_name());
        assert_eq!(ty("arr").as_deref(), Some("[]map[string]interface {}"));
        assert_eq!(ty("a").as_deref(), Some("[]interface {}"));
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
