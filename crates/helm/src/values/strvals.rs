//! Helm's `--set` family (pkg/strvals): `a.b=c,d[0].e=f,list={x,y}`.
//!
//! - `--set`: values are typed: `true`/`false` (any case) are booleans, `null` is nil,
//!   `0` and integers not starting with `0` are int64, everything else a string.
//! - `--set-string`: every value is a string.
//! - `--set-json`: every value is a JSON document (numbers float64), `a=` is nil.
//! - `--set-file`: every value is read by a caller-supplied reader (a file's content).
//! - `--set-literal`: one key, and the whole rest of the text is its string value.
//!
//! `\` escapes the next character in keys and values (`a\.b=1` sets key "a.b").
//! List indexes are capped at 65536 and name nesting at 30 levels, as in Helm.

use gotmpl::value::{Map, Value};

/// Largest list index accepted (Helm's MaxIndex).
pub const MAX_INDEX: i64 = 65536;
/// Deepest `a.b.c` nesting accepted (Helm's MaxNestedNameLevel).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Deepest `a[0][0]` list nesting accepted (Helm recurses without a bound; we cap it).
const MAX_LIST_NESTING: usize = 100;

/// A `--set` parse error, worded as Helm words it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Read the value of a `--set-file` entry (the text after `=`), e.g. a file's content.
pub type ValueReader<'a> = dyn FnMut(&str) -> Result<Value, String> + 'a;

/// `--set`: parse into a new map.
pub fn parse_set(s: &str) -> Result<Map, StrvalsError> {
    let m = Map::new();
    parse_set_into(s, &m)?;
    Ok(m)
}

/// `--set` into an existing map (Helm applies each flag onto the merged `-f` values).
pub fn parse_set_into(s: &str, dest: &Map) -> Result<(), StrvalsError> {
    let mut reader = |rs: &str| Ok(typed_val(rs));
    Parser::new(s, Mode::Reader(&mut reader)).parse(dest)
}

/// `--set-string`: parse into a new map; values stay strings.
pub fn parse_set_string(s: &str) -> Result<Map, StrvalsError> {
    let m = Map::new();
    parse_set_string_into(s, &m)?;
    Ok(m)
}

/// `--set-string` into an existing map.
pub fn parse_set_string_into(s: &str, dest: &Map) -> Result<(), StrvalsError> {
    let mut reader = |rs: &str| Ok(Value::str(rs));
    Parser::new(s, Mode::Reader(&mut reader)).parse(dest)
}

/// `--set-json` into an existing map.
pub fn parse_set_json_into(s: &str, dest: &Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Json).parse(dest)
}

/// `--set-file` into an existing map; `reader` turns each value (a path) into a value.
pub fn parse_set_file_into(
    s: &str,
    dest: &Map,
    reader: &mut ValueReader<'_>,
) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Reader(reader)).parse(dest)
}

/// `--set-literal` into an existing map: the value is everything after the first `=`.
pub fn parse_set_literal_into(s: &str, dest: &Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Literal).parse(dest)
}

/// Helm's typedVal: booleans and null case-insensitively, int64 for `0` and for integers
/// that do not start with `0`, strings otherwise.
pub fn typed_val(val: &str) -> Value {
    if val.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if val.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if val.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if val == "0" {
        return Value::Int64(0);
    }
    if !val.is_empty()
        && !val.starts_with('0')
        && let Some(i) = parse_int10(val)
    {
        return Value::Int64(i);
    }
    Value::str(val)
}

/// strconv.ParseInt(val, 10, 64): optional sign, decimal digits, no underscores.
fn parse_int10(val: &str) -> Option<i64> {
    let body = val.strip_prefix(['+', '-']).unwrap_or(val);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    val.parse::<i64>().ok()
}

enum Mode<'a, 'b> {
    Reader(&'a mut ValueReader<'b>),
    Json,
    Literal,
}

/// Why reading stopped.
#[derive(PartialEq)]
enum Stop {
    Rune(char),
    Eof,
}

enum ListErr {
    NotList,
    Eof,
    Err(StrvalsError),
}

struct Parser<'a, 'b> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a, 'b>,
}

fn err(msg: impl Into<String>) -> StrvalsError {
    StrvalsError(msg.into())
}

/// Result of one key: `Eof` ends parsing cleanly.
enum KeyEnd {
    More,
    Eof,
}

impl<'a, 'b> Parser<'a, 'b> {
    fn new(s: &str, mode: Mode<'a, 'b>) -> Self {
        Parser {
            chars: s.chars().collect(),
            pos: 0,
            mode,
        }
    }

    fn parse(mut self, data: &Map) -> Result<(), StrvalsError> {
        loop {
            match self.key(data, 0)? {
                KeyEnd::More => continue,
                KeyEnd::Eof => return Ok(()),
            }
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Read until one of `stop`; `\` escapes the next rune.
    fn runes_until(&mut self, stop: &[char]) -> (String, Stop) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, Stop::Eof),
                Some(r) if stop.contains(&r) => return (v, Stop::Rune(r)),
                Some('\\') => match self.read() {
                    None => return (v, Stop::Eof),
                    Some(next) => v.push(next),
                },
                Some(r) => v.push(r),
            }
        }
    }

    fn read_value(&mut self, rs: &str) -> Result<Value, StrvalsError> {
        match &mut self.mode {
            Mode::Reader(reader) => reader(rs).map_err(StrvalsError),
            Mode::Json | Mode::Literal => Ok(Value::str(rs)),
        }
    }

    /// Parse one `key...=value` entry into `data`.
    fn key(&mut self, data: &Map, level: usize) -> Result<KeyEnd, StrvalsError> {
        if matches!(self.mode, Mode::Literal) {
            return self.literal_key(data, level);
        }
        let (k, last) = self.runes_until(&['=', '[', ',', '.']);
        match last {
            Stop::Eof => {
                if k.is_empty() {
                    Ok(KeyEnd::Eof)
                } else {
                    Err(err(format!("key \"{k}\" has no value")))
                }
            }
            Stop::Rune('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| err(format!("error parsing index: {}", e.0)))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => return Err(not_a(&other, "[]interface {}")),
                };
                let (list, result) = self.list_item(list, i, level, 0);
                set(data, &k, Value::list(list));
                result
            }
            Stop::Rune('=') => {
                if matches!(self.mode, Mode::Json) {
                    let v = self.json_value()?;
                    set(data, &k, v);
                    return Ok(KeyEnd::More);
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::list(vl));
                        Ok(KeyEnd::More)
                    }
                    Err(ListErr::Eof) => {
                        set(data, &k, Value::str(""));
                        Ok(KeyEnd::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let (rs, _) = self.runes_until(&[',']);
                        let v = self.read_value(&rs)?;
                        set(data, &k, v);
                        Ok(KeyEnd::More)
                    }
                    Err(ListErr::Err(e)) => Err(e),
                }
            }
            Stop::Rune(',') => {
                set(data, &k, Value::str(""));
                Err(err(format!("key \"{k}\" has no value (cannot end with ,)")))
            }
            Stop::Rune(_) => {
                // '.'
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(not_a(&other, "map[string]interface {}")),
                };
                let result = self.key(&inner, level);
                if matches!(result, Ok(KeyEnd::More)) && inner.is_empty() {
                    return Err(err(format!("key map \"{k}\" has no value")));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                result
            }
        }
    }

    /// `--set-literal`: keys as usual, then the rest of the input is the value.
    fn literal_key(&mut self, data: &Map, level: usize) -> Result<KeyEnd, StrvalsError> {
        let mut k = String::new();
        loop {
            match self.read() {
                None => {
                    return if k.is_empty() {
                        Ok(KeyEnd::Eof)
                    } else {
                        Err(err(format!("key \"{k}\" has no value")))
                    };
                }
                Some('=') => {
                    let rest: String = self.chars[self.pos..].iter().collect();
                    self.pos = self.chars.len();
                    set(data, &k, Value::str(rest));
                    return Ok(KeyEnd::Eof);
                }
                Some('.') => {
                    let level = level + 1;
                    if level > MAX_NESTED_NAME_LEVEL {
                        return Err(err(format!(
                            "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                        )));
                    }
                    let inner = match data.get(&k) {
                        None => Map::new(),
                        Some(Value::Map(m)) => m,
                        Some(other) => return Err(not_a(&other, "map[string]interface {}")),
                    };
                    let result = self.literal_key(&inner, level);
                    if !inner.is_empty() {
                        set(data, &k, Value::Map(inner));
                    }
                    return result;
                }
                Some('[') => {
                    let i = self
                        .key_index()
                        .map_err(|e| err(format!("error parsing index: {}", e.0)))?;
                    let list = match data.get(&k) {
                        None => Vec::new(),
                        Some(Value::List(l)) => l.to_vec(),
                        Some(other) => return Err(not_a(&other, "[]interface {}")),
                    };
                    let (list, result) = self.list_item(list, i, level, 0);
                    set(data, &k, Value::list(list));
                    return result;
                }
                Some(c) => k.push(c),
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, StrvalsError> {
        let (v, last) = self.runes_until(&[']']);
        if last == Stop::Eof {
            return Err(err("EOF"));
        }
        atoi(&v)
    }

    /// Whatever follows `name[i]`: `=value`, `[j]...` or `.key...`.
    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
        list_depth: usize,
    ) -> (Vec<Value>, Result<KeyEnd, StrvalsError>) {
        if i < 0 {
            return (list, Err(err(format!("negative {i} index not allowed"))));
        }
        if list_depth > MAX_LIST_NESTING {
            return (
                list,
                Err(err(format!(
                    "list nesting is greater than the maximum supported of {MAX_LIST_NESTING}"
                ))),
            );
        }
        if matches!(self.mode, Mode::Literal) {
            return self.literal_list_item(list, i, level, list_depth);
        }
        let (k, last) = self.runes_until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Err(err(format!(
                    "unexpected data at end of array index: \"{k}\""
                ))),
            );
        }
        match last {
            Stop::Eof => (list, Ok(KeyEnd::Eof)),
            Stop::Rune('=') => {
                if matches!(self.mode, Mode::Json) {
                    return match self.json_value() {
                        Ok(v) => match set_index(list, i, v) {
                            Ok(l) => (l, Ok(KeyEnd::More)),
                            Err((l, e)) => (l, Err(e)),
                        },
                        Err(e) => (list, Err(e)),
                    };
                }
                let value = match self.val_list() {
                    Ok(vl) => Value::list(vl),
                    Err(ListErr::Eof) => Value::str(""),
                    Err(ListErr::NotList) => {
                        let (rs, _) = self.runes_until(&[',']);
                        match self.read_value(&rs) {
                            Ok(v) => v,
                            Err(e) => return (list, Err(e)),
                        }
                    }
                    Err(ListErr::Err(e)) => return (list, Err(e)),
                };
                match set_index(list, i, value) {
                    Ok(l) => (l, Ok(KeyEnd::More)),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Stop::Rune('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(err(format!("error parsing index: {}", e.0)))),
                };
                let current = match list.get(i as usize) {
                    Some(Value::List(l)) => l.to_vec(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(other) => return (list.clone(), Err(not_a(other, "[]interface {}"))),
                };
                let (inner, result) = self.list_item(current, next, level, list_depth + 1);
                if let Err(e) = result {
                    return (list, Err(e));
                }
                match set_index(list, i, Value::list(inner)) {
                    Ok(l) => (l, result),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Stop::Rune(_) => {
                // '.': a map inside the list.
                let inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.clone(),
                    Some(_) => {
                        // Indices out of order: start an empty map there.
                        let m = Map::new();
                        list[i as usize] = Value::Map(m.clone());
                        m
                    }
                    None => Map::new(),
                };
                let result = self.key(&inner, level);
                if let Err(e) = result {
                    return (list, Err(e));
                }
                match set_index(list, i, Value::Map(inner)) {
                    Ok(l) => (l, result),
                    Err((l, e)) => (l, Err(e)),
                }
            }
        }
    }

    fn literal_list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        level: usize,
        list_depth: usize,
    ) -> (Vec<Value>, Result<KeyEnd, StrvalsError>) {
        match self.read() {
            Some('=') => {
                let rest: String = self.chars[self.pos..].iter().collect();
                self.pos = self.chars.len();
                match set_index(list, i, Value::str(rest)) {
                    Ok(l) => (l, Ok(KeyEnd::Eof)),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(err(format!("error parsing index: {}", e.0)))),
                };
                let current = match list.get(i as usize) {
                    Some(Value::List(l)) => l.to_vec(),
                    _ => Vec::new(),
                };
                let (inner, result) = self.list_item(current, next, level, list_depth + 1);
                match set_index(list, i, Value::list(inner)) {
                    Ok(l) => (l, result),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Some('.') => {
                let inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => Map::new(),
                };
                let result = self.literal_key(&inner, level);
                match set_index(list, i, Value::Map(inner)) {
                    Ok(l) => (l, result),
                    Err((l, e)) => (l, Err(e)),
                }
            }
            Some(c) => (
                list,
                Err(err(format!(
                    "unexpected data at end of array index: \"{c}\""
                ))),
            ),
            None => (list, Ok(KeyEnd::Eof)),
        }
    }

    /// `{a,b,c}` list syntax; `NotList` (nothing consumed) if the value is not a list.
    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        match self.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.pos -= 1;
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.runes_until(&[',', '}']);
            match last {
                Stop::Eof => {
                    return Err(ListErr::Err(err("list must terminate with '}'")));
                }
                Stop::Rune('}') => {
                    if let Some(r) = self.read()
                        && r != ','
                    {
                        self.pos -= 1;
                    }
                    list.push(self.read_value(&rs).map_err(ListErr::Err)?);
                    return Ok(list);
                }
                Stop::Rune(_) => list.push(self.read_value(&rs).map_err(ListErr::Err)?),
            }
        }
    }

    /// Skip blanks and one comma; true if the value is empty (comma or end reached).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.pos -= 1;
                    return false;
                }
            }
        }
    }

    /// A JSON document at the cursor (`--set-json`), then blanks and a comma.
    fn json_value(&mut self) -> Result<Value, StrvalsError> {
        if self.empty_val() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let json = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(err(e.to_string())),
            None => return Err(err("EOF")),
        };
        let consumed_bytes = stream.byte_offset();
        self.pos += rest[..consumed_bytes].chars().count();
        self.empty_val();
        Ok(Value::from_json(&json, false))
    }
}

fn set(data: &Map, key: &str, value: Value) {
    if key.is_empty() {
        return;
    }
    data.insert(key, value);
}

fn not_a(found: &Value, want: &str) -> StrvalsError {
    let found = match found {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    err(format!(
        "unable to parse key: interface conversion: interface {{}} is {found}, not {want}"
    ))
}

fn atoi(s: &str) -> Result<i64, StrvalsError> {
    parse_int10(s).ok_or_else(|| {
        let body = s.strip_prefix(['+', '-']).unwrap_or(s);
        let kind = if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        err(format!("strconv.Atoi: parsing \"{s}\": {kind}"))
    })
}

fn set_index(
    mut list: Vec<Value>,
    index: i64,
    value: Value,
) -> Result<Vec<Value>, (Vec<Value>, StrvalsError)> {
    if index < 0 {
        return Err((list, err(format!("negative {index} index not allowed"))));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            err(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )),
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = value;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::to_json;

    fn json(s: &str) -> String {
        to_json(&Value::Map(
            parse_set(s).unwrap_or_else(|e| panic!("{s}: {e}")),
        ))
        .unwrap()
    }

    #[test]
    fn basic_and_typed() {
        assert_eq!(
            json("a=1,b=two,c=true,d=FALSE,e=null,f=0,g=007,h=-3"),
            r#"{"a":1,"b":"two","c":true,"d":false,"e":null,"f":0,"g":"007","h":-3}"#
        );
        assert_eq!(json("a.b.c=x"), r#"{"a":{"b":{"c":"x"}}}"#);
        assert_eq!(json("a=1.5,b=1e3"), r#"{"a":"1.5","b":"1e3"}"#);
        assert_eq!(
            json("name=value with spaces"),
            r#"{"name":"value with spaces"}"#
        );
        // Int64, not float: it stays an integer (template printing shows it as such).
        assert_eq!(parse_set("a=1").unwrap().get("a"), Some(Value::Int64(1)));
    }

    #[test]
    fn lists() {
        assert_eq!(json("a={x,y,3}"), r#"{"a":["x","y",3]}"#);
        assert_eq!(json("a[0]=x,a[2]=z"), r#"{"a":["x",null,"z"]}"#);
        assert_eq!(json("a[0].b=y,a[0].c=z"), r#"{"a":[{"b":"y","c":"z"}]}"#);
        assert_eq!(json("a[1][0]=n"), r#"{"a":[null,["n"]]}"#);
        assert_eq!(json("a={}"), r#"{"a":[""]}"#);
        assert_eq!(json("a={x},b=1"), r#"{"a":["x"],"b":1}"#);
    }

    #[test]
    fn escapes() {
        assert_eq!(json(r"a\.b=1"), r#"{"a.b":1}"#);
        assert_eq!(json(r"a=x\,y"), r#"{"a":"x,y"}"#);
        assert_eq!(
            json(r"nodeSelector.kubernetes\.io/role=master"),
            r#"{"nodeSelector":{"kubernetes.io/role":"master"}}"#
        );
    }

    #[test]
    fn empty_and_errors() {
        assert_eq!(json("a="), r#"{"a":""}"#);
        assert_eq!(json(""), "{}");
        assert_eq!(parse_set("a").unwrap_err().0, "key \"a\" has no value");
        assert_eq!(
            parse_set("a,b=1").unwrap_err().0,
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            parse_set("a[x]=1").unwrap_err().0,
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse_set("a[-1]=1").unwrap_err().0,
            "negative -1 index not allowed"
        );
        assert_eq!(
            parse_set("a[65537]=1").unwrap_err().0,
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            parse_set("a={x").unwrap_err().0,
            "list must terminate with '}'"
        );
        assert!(
            parse_set("a=1,a.b=2")
                .unwrap_err()
                .0
                .contains("interface conversion")
        );
        let deep = (0..32)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".")
            + "=1";
        assert!(parse_set(&deep).unwrap_err().0.contains("nested level"));
        let deep_list = "a".to_string() + &"[0]".repeat(200) + "=1";
        assert!(parse_set(&deep_list).is_err());
    }

    #[test]
    fn string_json_literal_file() {
        let m = parse_set_string("a=1,b=true,c=null").unwrap();
        assert_eq!(
            to_json(&Value::Map(m)).unwrap(),
            r#"{"a":"1","b":"true","c":"null"}"#
        );
        let m = Map::new();
        parse_set_json_into(r#"a={"b":[1,2]},c="x",d=,e=null"#, &m).unwrap();
        assert_eq!(
            to_json(&Value::Map(m)).unwrap(),
            r#"{"a":{"b":[1,2]},"c":"x","d":null,"e":null}"#
        );
        let m = Map::new();
        parse_set_literal_into("a.b=x,y=z", &m).unwrap();
        assert_eq!(to_json(&Value::Map(m)).unwrap(), r#"{"a":{"b":"x,y=z"}}"#);
        let m = Map::new();
        let mut reader = |path: &str| Ok(Value::str(format!("content of {path}")));
        parse_set_file_into("cert=tls.crt", &m, &mut reader).unwrap();
        assert_eq!(m.get("cert"), Some(Value::str("content of tls.crt")));
    }

    #[test]
    fn into_existing_maps() {
        let m = parse_set("a.b=1,a.c=2").unwrap();
        parse_set_into("a.b=3,d[0]=x", &m).unwrap();
        assert_eq!(
            to_json(&Value::Map(m)).unwrap(),
            r#"{"a":{"b":3,"c":2},"d":["x"]}"#
        );
    }
}
