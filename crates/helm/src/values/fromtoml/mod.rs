//! Helm's `fromToml`: BurntSushi/toml's `Unmarshal` into `map[string]interface{}`.
//!
//! Helm 4.2.3 links BurntSushi/toml v1.6 (TOML 1.1: newlines and trailing commas in
//! inline tables, `\e` and `\xHH` escapes, times without seconds). Its lexer and parser
//! are reproduced in [`lex`] and [`parse`], because templates see their exact error
//! texts (`toml: line N (last key "k"): ...`) and their leniencies (inline tables may be
//! extended later). Integers become Go `int64`, floats `float64` (`inf`/`nan` included),
//! tables maps, arrays lists (`[[tables]]` typed `[]map[string]interface {}`). Offset
//! datetimes are handed to the caller, which builds Go `time.Time` values in
//! `time.Local`; local ones become times in BurntSushi's `*-local` zones here.

mod datetime;
#[cfg(test)]
mod fuzz_tests;
mod lex;
mod parse;
mod paths;

use gotmpl::sprig::fixed_zone_time;
use gotmpl::value::{Map, Value};

use datetime::{Datetime, DatetimeKind};

/// An offset datetime, as RFC 3339 text with seconds (`2006-01-02T15:04:05Z07:00`,
/// fraction kept to nanoseconds), for the caller to turn into a Go time.
pub struct TomlDatetime {
    pub text: String,
}

/// Parse a TOML document into a map; `datetime` turns each offset datetime into a
/// value. The error is BurntSushi's text.
pub fn from_toml(
    text: &str,
    datetime: &mut dyn FnMut(&TomlDatetime) -> Value,
) -> Result<Map, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    refuse_utf16(text.as_bytes())?;
    parse_document(text, &[], datetime)
}

/// BurntSushi refuses NUL bytes near the start of the document (UTF-16).
fn refuse_utf16(bytes: &[u8]) -> Result<(), String> {
    if bytes.iter().take(6).any(|&b| b == 0) {
        return Err(
            "toml: line 1: files cannot contain NULL bytes; probably using UTF-16; \
                    TOML files must be UTF-8"
                .to_string(),
        );
    }
    Ok(())
}

/// [`from_toml`] of a Go string whose bytes are not UTF-8: BurntSushi's lexer fails
/// on the first invalid byte it reads (`invalid UTF-8 byte: 0xff`).
pub fn from_toml_bytes(
    bytes: &[u8],
    datetime: &mut dyn FnMut(&TomlDatetime) -> Value,
) -> Result<Map, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    refuse_utf16(bytes)?;
    let text = gotmpl::value::go_text(bytes);
    let invalid = gotmpl::value::invalid_in_go_text(bytes);
    parse_document(&text, &invalid, datetime)
}

/// `text` without its byte-order mark; `invalid` as [`parse::Parser::new`] takes it.
fn parse_document(
    text: &str,
    invalid: &[(usize, u8)],
    datetime: &mut dyn FnMut(&TomlDatetime) -> Value,
) -> Result<Map, String> {
    let mut convert = |d: &Datetime| -> Value {
        match d.kind {
            DatetimeKind::Offset { seconds, utc } => datetime(&TomlDatetime {
                text: rfc3339(d, seconds, utc),
            }),
            DatetimeKind::LocalDatetime => local(d, "datetime-local"),
            DatetimeKind::LocalDate => local(d, "date-local"),
            DatetimeKind::LocalTime => local(d, "time-local"),
        }
    };
    parse::Parser::new(text, invalid, &mut convert)
        .parse()
        .map_err(|e| e.to_string())
}

/// A datetime without an offset as BurntSushi gives it: a `time.Time` at UTC+0 in a
/// zone named for its kind, a bare time falling on January 1 of year 0.
fn local(d: &Datetime, zone: &str) -> Value {
    // The wall clock was validated, so the time exists.
    fixed_zone_time(&d.wall, zone, 0).unwrap_or(Value::Nil)
}

fn rfc3339(d: &Datetime, seconds: i32, utc: bool) -> String {
    let w = &d.wall;
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        w.year, w.month, w.day, w.hour, w.minute, w.second
    );
    if w.nanosecond != 0 {
        s.push_str(&format!(".{:09}", w.nanosecond));
    }
    if utc {
        s.push('Z');
    } else {
        let sign = if seconds < 0 { '-' } else { '+' };
        let m = seconds.unsigned_abs() / 60;
        s.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
    }
    s
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
    fn invalid_bytes_fail_where_the_lexer_reads_them() {
        let raw = |b: &[u8]| from_toml_bytes(b, &mut |_| Value::Nil);
        assert_eq!(
            raw(b"a = \"x\xffy\"\n").unwrap_err(),
            "toml: line 1 (last key \"a\"): invalid UTF-8 byte: 0xff"
        );
        assert_eq!(
            raw(b"a = 1\nb = 2 # \xfe\n").unwrap_err(),
            "toml: line 2: invalid UTF-8 byte: 0xfe"
        );
        // A real U+FFFD is text like any other.
        let m = raw("a = \"\u{fffd}\"\n".as_bytes()).unwrap();
        assert_eq!(m.get("a"), Some(Value::str("\u{fffd}")));
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
        assert!(e.starts_with("toml: line 2 "), "{e}");
        assert!(parse("a = 1\na = 2\n").is_err());
    }

    /// Texts checked against Helm 4.2.3 (cases 143 and 160-163 hold more).
    #[test]
    fn helm_texts() {
        let cases = [
            (
                "a = \"x",
                "toml: line 1 (last key \"a\"): unexpected EOF; expected '\"'",
            ),
            (
                "a = [\n  1,\n  2\n",
                "toml: line 3 (last key \"a\"): expected a comma (',') or array terminator (']'), but got end of file",
            ),
            (
                "a = \"x\r\ny\"",
                "toml: line 0 (last key \"a\"): strings cannot contain newlines",
            ),
            (
                "a\n= 1",
                "toml: line 1: expected '.' or '=', but got '\\n' instead",
            ),
            (
                "a = {\n",
                "toml: line 2 (last key \"a\"): unexpected '=': key name appears blank",
            ),
            (
                "[t.u]\n[t.u]",
                "toml: line 2 (last key \"t\"): Key 't.u' has already been defined.",
            ),
            (
                "a = 1\na = {\nb = 1\n}",
                "toml: line 3 (last key \"a.b\"): Key 'a' has already been defined.",
            ),
            (
                "a = [1]\na = [2]",
                "toml: line 2 (last key \"a\"): Key 'a' has already been defined.",
            ),
            (
                "a.b = [{c=1}]\na.b = [{d=1}]",
                "toml: line 2 (last key \"a\"): Key 'a.b' was already created and cannot be used as an array.",
            ),
            (
                "a = 1\n[a.b]",
                "toml: line 2: Key 'a' was already created as a hash.",
            ),
            (
                "[\"a b\".c]\nd = xyz",
                "toml: line 2 (last key \"\\\"a b\\\".c.d\"): expected value but found \"xyz\" instead",
            ),
            (
                "a = int",
                "toml: line 1 (last key \"a\"): expected value but found \"nt\" instead",
            ),
            (
                "a = 0o8",
                "toml: line 1 (last key \"a\"): not an octal number: '0o8'",
            ),
            (
                "a = +0x10",
                "toml: line 1 (last key \"a\"): cannot use sign with non-decimal numbers: '+0x'",
            ),
            (
                "a = 9223372036854775808",
                "toml: line 1 (last key \"a\"): 9223372036854775808 is out of range for int64",
            ),
            (
                "a = 1e400",
                "toml: line 1 (last key \"a\"): 1e400 is out of range for float64",
            ),
            (
                "a = 1979-05-27 07:32:60",
                "toml: line 1 (last key \"a\"): invalid datetime: \"1979-05-27T07:32:60\"",
            ),
            (
                "a = \"\\uD800\"",
                "toml: line 1 (last key \"a\"): Escaped character '\\uD800' is not valid UTF-8.",
            ),
            (
                "a = \"\"\"x\"\"\"\"\"\"",
                "toml: line 1 (last key \"a\"): unexpected '\"\"\"\"\"\"'",
            ),
            (
                "a = {b=1 c=2}",
                "toml: line 1 (last key \"a.b\"): expected a comma or an inline table terminator '}', but got 'c' instead",
            ),
            (
                "a\u{0} = 1",
                "toml: line 1: files cannot contain NULL bytes; probably using UTF-16; TOML files must be UTF-8",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).unwrap_err(), want, "{input:?}");
        }
    }

    #[test]
    fn toml_1_1_and_leniencies() {
        let m = parse("a = {b = 1,\nc = 2,}\nt = 07:32\nx = \"\\x41\\e\"\n[a.d]\n").unwrap();
        let shown = gotmpl::sprint(&[Value::Map(m)]);
        assert_eq!(
            shown,
            "map[a:map[b:1 c:2 d:map[]] t:0000-01-01 07:32:00 +0000 time-local x:A\u{1b}]"
        );
        let m = parse("a = -nan\nb = -0.0\nc = 0xff\nd = 1_000").unwrap();
        assert!(matches!(m.get("a"), Some(Value::Float(f)) if f.is_nan() && f.is_sign_negative()));
        assert!(matches!(m.get("b"), Some(Value::Float(f)) if f == 0.0 && f.is_sign_negative()));
        assert!(matches!(m.get("c"), Some(Value::Int64(255))));
        assert!(matches!(m.get("d"), Some(Value::Int64(1000))));
    }

    /// An implicit table gives way to an array defined later (BurntSushi keeps the
    /// type it recorded for the key); the empty key, whose type BurntSushi files under
    /// the same text as the root's, behaves like any other.
    #[test]
    fn implicit_tables_give_way_to_arrays() {
        for key in ["a", "\"\""] {
            let m = parse(&format!("{key}.x = 1\n{key} = [2]\n")).unwrap();
            let shown = gotmpl::sprint(&[Value::Map(m)]);
            assert_eq!(shown, format!("map[{}:[2]]", key.trim_matches('"')));
            // A table may claim it once, and the inline table's own definition is
            // the second claim.
            let e = parse(&format!("{key}.x = 1\n{key} = {{y = 2}}\n")).unwrap_err();
            let at = if key == "a" { " (last key \"a\")" } else { "" };
            assert_eq!(
                e,
                format!("toml: line 2{at}: Key '{key}' has already been defined.")
            );
        }
    }

    /// Tables entered through arrays of tables, dotted keys and inline tables at once.
    #[test]
    fn nested_contexts_find_their_tables() {
        let m = parse(
            "[[t]]\na.b = {c = [{d.e = 1}, {d = {f = 2}}]}\n[[t]]\nx = 1\n[t.y]\nz = [{w = {}}]\n",
        )
        .unwrap();
        assert_eq!(
            gotmpl::sprint(&[Value::Map(m)]),
            "map[t:[map[a:map[b:map[c:[map[d:map[e:1]] map[d:map[f:2]]]]]] map[x:1 y:map[z:[map[w:map[]]]]]]]"
        );
        let e = parse("a = {b = 1, b.c = 2}").unwrap_err();
        assert_eq!(
            e,
            "toml: line 1 (last key \"a.b.c\"): Key 'a.b' has already been defined."
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = parse::MAX_VALUE_DEPTH;
        let text = format!("a = {}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&text).is_ok());
        let text = format!("a = {}{}", "[".repeat(depth + 1), "]".repeat(depth + 1));
        let e = parse(&text).unwrap_err();
        assert!(e.contains(" nested deeper than "), "{e}");
        // What Helm 4.2.3 says for the same deep, unfinished documents.
        for text in [
            format!("a = {}", "[".repeat(100_000)),
            format!("a = {}", "[{b = [".repeat(1000)),
        ] {
            let e = parse(&text).unwrap_err();
            assert!(e.ends_with("unexpected EOF; expected value"), "{e}");
        }
        let text = format!("a = {}1{}", "{b = ".repeat(300), "}".repeat(300));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn deep_tables_are_refused() {
        let deep = parse::MAX_TABLE_DEPTH + 1;
        for text in [
            format!("a = {}1{}", "{b = ".repeat(deep), "}".repeat(deep)),
            format!("a = {}", "[{b = ".repeat(50_000)),
            format!("{} = 1", vec!["k"; 50_000].join(".")),
            format!("[{}]", vec!["k"; 50_000].join(".")),
        ] {
            let e = parse(&text).unwrap_err();
            assert!(e.contains("nested deeper than 1024"), "{e}");
        }
    }
}
