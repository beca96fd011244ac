//! String functions: Go's `strings` package, Masterminds/goutils and huandu/xstrings
//! as Sprig wires them (note the swapped argument order for pipelines).

use rand::seq::SliceRandom;

use crate::func::{FuncError, FuncMap, Runtime};
use crate::gounicode;
use crate::size::{self, Layout, check_printed_size};
use crate::value::{Elem, List, Map, MapInner, Value, go_runes};

use super::args::{self, arity};
use super::casing;
use super::conv::{go_v, push_go_quote, strval};

/// Register a `func(string) string`.
fn str_fn(f: &mut FuncMap, name: &'static str, op: fn(&str) -> String) {
    f.add(name, move |a| {
        arity(name, a, 1)?;
        Ok(Value::from(op(args::string(&a[0])?)))
    });
}

/// Register a `func(a, b string) bool` that Go answers on the strings' bytes.
fn str2_bool(f: &mut FuncMap, name: &'static str, op: fn(&[u8], &[u8]) -> bool) {
    f.add(name, move |a| {
        arity(name, a, 2)?;
        Ok(Value::Bool(op(
            args::string_bytes(&a[0])?,
            args::string_bytes(&a[1])?,
        )))
    });
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("hello", |a| {
        arity("hello", a, 0)?;
        Ok(Value::str("Hello!"))
    });
    f.add("trim", |a| {
        arity("trim", a, 1)?;
        if let Value::RawString(r) = &a[0] {
            return Ok(Value::from_go_bytes(go_trim_space_bytes(r.bytes())));
        }
        Ok(Value::from(go_trim_space(args::string(&a[0])?)))
    });
    str_fn(f, "upper", |s| s.chars().map(gounicode::to_upper).collect());
    str_fn(f, "lower", |s| s.chars().map(gounicode::to_lower).collect());
    str_fn(f, "title", title);
    str_fn(f, "untitle", untitle);
    f.add("nospace", |a| {
        arity("nospace", a, 1)?;
        Ok(match delete_white_space(args::string_bytes(&a[0])?) {
            Some(kept) => Value::from(kept),
            None => a[0].clone(),
        })
    });
    f.add("initials", |a| {
        arity("initials", a, 1)?;
        Ok(Value::from(initials(args::string_bytes(&a[0])?)))
    });
    str_fn(f, "swapcase", swapcase);
    str_fn(f, "shuffle", shuffle);
    for (name, connector) in [("snakecase", '_'), ("kebabcase", '-')] {
        f.add(name, move |a| {
            arity(name, a, 1)?;
            let s = args::string_bytes(&a[0])?;
            Ok(Value::from_go_bytes(&casing::to_snake_like(s, connector)))
        });
    }
    str_fn(f, "camelcase", casing::to_camel);
    // Sprig swaps the arguments so that `"$foo" | trimAll "$"` reads naturally.
    for name in ["trimAll", "trimall"] {
        f.add(name, move |a| {
            arity(name, a, 2)?;
            if a.iter().any(|v| matches!(v, Value::RawString(_))) {
                let (cut, s) = (args::string_bytes(&a[0])?, args::string_bytes(&a[1])?);
                return Ok(Value::from_go_bytes(go_trim_bytes(s, cut)));
            }
            let (cut, s) = (args::string(&a[0])?, args::string(&a[1])?);
            Ok(Value::str(s.trim_matches(|c| cut.contains(c))))
        });
    }
    // strings.TrimSuffix/TrimPrefix work on bytes: a string that is not UTF-8 keeps
    // them, and cutting UTF-8 off UTF-8 at its start or end leaves UTF-8.
    type Strip = for<'s> fn(&'s [u8], &[u8]) -> Option<&'s [u8]>;
    let strips: [(&'static str, Strip); 2] = [
        ("trimSuffix", |s, affix| s.strip_suffix(affix)),
        ("trimPrefix", |s, affix| s.strip_prefix(affix)),
    ];
    for (name, strip) in strips {
        f.add(name, move |a| {
            arity(name, a, 2)?;
            let (affix, s) = (args::string_bytes(&a[0])?, args::string_bytes(&a[1])?);
            Ok(match strip(s, affix) {
                Some(rest) => Value::from_go_bytes(rest),
                None => a[1].clone(),
            })
        });
    }
    str2_bool(f, "contains", |sub, s| {
        memchr::memmem::find(s, sub).is_some()
    });
    str2_bool(f, "hasPrefix", |pre, s| s.starts_with(pre));
    str2_bool(f, "hasSuffix", |suf, s| s.ends_with(suf));

    f.add("abbrev", |a| {
        arity("abbrev", a, 2)?;
        let width = args::int(&a[0])?;
        let s = args::string_bytes(&a[1])?;
        if width < 4 {
            return Ok(a[1].clone());
        }
        Ok(Value::from_go_bytes(&abbreviate_full(s, 0, width as usize)))
    });
    f.add("abbrevboth", |a| {
        arity("abbrevboth", a, 3)?;
        let left = args::int(&a[0])?;
        let right = args::int(&a[1])?;
        let s = args::string_bytes(&a[2])?;
        if right < 4 || left > 0 && right < 7 {
            return Ok(a[2].clone());
        }
        Ok(Value::from_go_bytes(&abbreviate_full(
            s,
            left.max(0) as usize,
            right as usize,
        )))
    });
    f.add("trunc", |a| {
        arity("trunc", a, 2)?;
        let c = args::int(&a[0])?;
        let b = args::string_bytes(&a[1])?;
        let len = b.len() as i64;
        let out = if c < 0 && len + c > 0 {
            &b[(len + c) as usize..]
        } else if c >= 0 && len > c {
            &b[..c as usize]
        } else {
            b
        };
        Ok(Value::from_go_bytes(out))
    });
    f.add("substr", |a| {
        arity("substr", a, 3)?;
        let start = args::int(&a[0])?;
        let end = args::int(&a[1])?;
        let s = args::string_bytes(&a[2])?;
        Ok(Value::from_go_bytes(substring(start, end, s)?))
    });
    f.add_with_runtime("repeat", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("repeat", a, 2)?;
        let count = args::int(&a[0])?;
        let s = args::string_bytes(&a[1])?;
        if count < 0 {
            return Err(FuncError::new("strings: negative Repeat count"));
        }
        let total = (count as u128) * (s.len() as u128);
        let max = rt.max_value_bytes();
        if total > max as u128 {
            return Err(size::too_large(total, max));
        }
        let repeated = s.repeat(count as usize);
        Ok(match String::from_utf8(repeated) {
            Ok(text) => Value::from(text),
            Err(e) => Value::from_go_bytes(e.as_bytes()),
        })
    });
    f.add("wrap", |a| {
        arity("wrap", a, 2)?;
        let width = args::int(&a[0])?;
        let s = args::string_bytes(&a[1])?;
        Ok(Value::from_go_bytes(&wrap_custom(s, width, b"", false)))
    });
    f.add_with_runtime("wrapWith", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("wrapWith", a, 3)?;
        let width = args::int(&a[0])?;
        let sep = args::string_bytes(&a[1])?;
        let s = args::string_bytes(&a[2])?;
        // At most one separator per `width` bytes of input.
        let breaks = s.len() as u128 / width.max(1) as u128 + 1;
        let total = s.len() as u128 + breaks * sep.len() as u128;
        let max = rt.max_value_bytes();
        if total > max as u128 {
            return Err(size::too_large(total, max));
        }
        Ok(Value::from_go_bytes(&wrap_custom(s, width, sep, true)))
    });
    f.add_with_runtime("quote", |rt: &mut dyn Runtime, a: &[Value]| {
        check_printed_size(a, Layout::Flat, rt.max_value_bytes())?;
        // One buffer for all the quoted arguments, joined by spaces.
        let mut out = String::new();
        for (i, v) in a.iter().filter(|v| !v.is_nil()).enumerate() {
            if i > 0 {
                out.push(' ');
            }
            match v {
                Value::RawString(r) => out.push_str(&super::conv::go_quote_bytes(r.bytes())),
                Value::String(s) => push_go_quote(&mut out, s),
                v => push_go_quote(&mut out, &strval(v)),
            }
        }
        Ok(Value::from(out))
    });
    f.add_with_runtime("squote", |rt: &mut dyn Runtime, a: &[Value]| {
        check_printed_size(a, Layout::Flat, rt.max_value_bytes())?;
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", go_v(v)))
            .collect();
        if a.iter().any(|v| matches!(v, Value::RawString(_))) {
            // Sprintf("'%v'") copies a string's bytes as they are.
            let kept: Vec<Value> = a.iter().filter(|v| !v.is_nil()).cloned().collect();
            let format = vec!["'%v'"; kept.len()].join(" ");
            return Ok(crate::gofmt::sprintf_go(&format, &kept).into_value());
        }
        Ok(Value::from(out.join(" ")))
    });
    f.add_with_runtime("cat", |rt: &mut dyn Runtime, a: &[Value]| {
        check_printed_size(a, Layout::Flat, rt.max_value_bytes())?;
        let kept: Vec<Value> = a.iter().filter(|v| !v.is_nil()).cloned().collect();
        if kept.iter().any(|v| matches!(v, Value::RawString(_))) {
            // Sprig's Sprintf("%v %v ...") copies a string's bytes as they are.
            let format = vec!["%v"; kept.len()].join(" ");
            return Ok(crate::gofmt::sprintf_go(&format, &kept).into_value());
        }
        let out: Vec<String> = kept.iter().map(go_v).collect();
        Ok(Value::from(out.join(" ")))
    });
    f.add_with_runtime("indent", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("indent", a, 2)?;
        let spaces = args::int(&a[0])?;
        if let Value::RawString(r) = &a[1] {
            return indent_bytes("", spaces, r.bytes(), rt.max_value_bytes());
        }
        Ok(Value::from(indent_into(
            "",
            spaces,
            args::string(&a[1])?,
            rt.max_value_bytes(),
        )?))
    });
    f.add_with_runtime("nindent", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("nindent", a, 2)?;
        let spaces = args::int(&a[0])?;
        if let Value::RawString(r) = &a[1] {
            return indent_bytes("\n", spaces, r.bytes(), rt.max_value_bytes());
        }
        Ok(Value::from(indent_into(
            "\n",
            spaces,
            args::string(&a[1])?,
            rt.max_value_bytes(),
        )?))
    });
    f.add_with_runtime("replace", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("replace", a, 3)?;
        let raw = a.iter().any(|v| matches!(v, Value::RawString(_)));
        if raw && !args::string_bytes(&a[0])?.is_empty() {
            // strings.Replace works on bytes: a string that is not UTF-8 keeps them.
            let (old, new, src) = (
                args::string_bytes(&a[0])?,
                args::string_bytes(&a[1])?,
                args::string_bytes(&a[2])?,
            );
            return go_replace_bytes(src, old, new, rt.max_value_bytes());
        }
        let old = args::string(&a[0])?;
        let new = args::string(&a[1])?;
        let src = args::string(&a[2])?;
        Ok(Value::from(go_replace_all(
            src,
            old,
            new,
            rt.max_value_bytes(),
        )?))
    });
    f.add("plural", |a| {
        arity("plural", a, 3)?;
        args::string(&a[0])?;
        args::string(&a[1])?;
        let n = args::int(&a[2])?;
        Ok(if n == 1 { a[0].clone() } else { a[1].clone() })
    });
    f.add_with_runtime("toString", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("toString", a, 1)?;
        check_printed_size(a, Layout::Flat, rt.max_value_bytes())?;
        // Go's `string(v)` of a string or `[]byte` keeps the bytes, UTF-8 or not.
        Ok(match &a[0] {
            v @ Value::RawString(_) => v.clone(),
            Value::Bytes(b) => Value::from_go_bytes(b),
            other => Value::from(strval(other)),
        })
    });
    f.add("split", |a| {
        arity("split", a, 2)?;
        let (sep, s) = (args::string_bytes(&a[0])?, args::string_bytes(&a[1])?);
        Ok(indexed_map(go_split_n(s, sep, -1)))
    });
    f.add("splitn", |a| {
        arity("splitn", a, 3)?;
        let sep = args::string_bytes(&a[0])?;
        let n = args::int(&a[1])?;
        Ok(indexed_map(go_split_n(args::string_bytes(&a[2])?, sep, n)))
    });
    f.add("splitList", |a| {
        arity("splitList", a, 2)?;
        let (sep, s) = (args::string_bytes(&a[0])?, args::string_bytes(&a[1])?);
        let parts = go_split_n(s, sep, -1);
        Ok(string_list(
            parts.into_iter().map(Value::from_go_bytes).collect(),
        ))
    });
    f.add("toStrings", |a| {
        arity("toStrings", a, 1)?;
        Ok(string_list(strslice_values(&a[0])))
    });
    f.add_with_runtime("join", |rt: &mut dyn Runtime, a: &[Value]| {
        arity("join", a, 2)?;
        let sep = args::string_bytes(&a[0])?;
        // Before the items are printed: a list may hold one big string many times.
        check_printed_size(&a[1..], Layout::Flat, rt.max_value_bytes())?;
        let items = strslice_values(&a[1]);
        let bytes = |v: &Value| v.go_string_bytes().unwrap_or_default().len() as u128;
        let total = items.iter().map(bytes).sum::<u128>()
            + items.len().saturating_sub(1) as u128 * sep.len() as u128;
        let max = rt.max_value_bytes();
        if total > max as u128 {
            return Err(size::too_large(total, max));
        }
        let mut out = Vec::with_capacity(total as usize);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            out.extend_from_slice(item.go_string_bytes().unwrap_or_default());
        }
        Ok(match String::from_utf8(out) {
            Ok(text) => Value::from(text),
            Err(e) => Value::from_go_bytes(e.as_bytes()),
        })
    });
    f.add("sortAlpha", |a| {
        arity("sortAlpha", a, 1)?;
        let mut items = match &*a[0].reflected() {
            Value::List(_) | Value::Bytes(_) => strslice_values(&a[0]),
            _ => vec![strval_value(&a[0])],
        };
        // Go's sort.Strings compares bytes.
        items.sort_by(|x, y| x.go_string_bytes().cmp(&y.go_string_bytes()));
        Ok(string_list(items))
    });
}

/// A Go `[]string` result (`keys`, `regexFindAll`, ...).
pub(crate) fn strings_value(items: Vec<String>) -> Value {
    string_list(items.into_iter().map(Value::from).collect())
}

/// A Go `[]string` of values that are each a Go string (either representation).
pub(crate) fn string_list(items: Vec<Value>) -> Value {
    Value::List(List::typed(items, Elem::String))
}

/// `{"_0": parts[0], "_1": ...}`, the shape of Sprig's `split` (a `map[string]string`).
fn indexed_map(parts: Vec<&[u8]>) -> Value {
    let inner: MapInner = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::from_go_bytes(p)))
        .collect();
    Value::Map(Map::typed(inner, Elem::String))
}

/// Sprig's `strslice`: a list's non-nil items through `strval` (see [`strval_value`]);
/// nil is empty; any other value is a one-item list.
fn strslice_values(v: &Value) -> Vec<Value> {
    // A named slice type behind an object (Helm's `VersionSet`, a `[]string`) is
    // reflected on as a slice; a named map type or a struct is one item.
    match &*v.reflected() {
        Value::List(l) => l
            .to_vec()
            .iter()
            .filter(|x| !x.is_nil())
            .map(strval_value)
            .collect(),
        Value::Bytes(b) => b.iter().map(|x| Value::from(x.to_string())).collect(),
        Value::Nil => Vec::new(),
        _ => vec![strval_value(v)],
    }
}

/// Sprig's `strval` as a Go string value: of a string or `[]byte` it is Go's
/// `string(v)`, which keeps bytes that are not UTF-8.
fn strval_value(v: &Value) -> Value {
    match v {
        Value::String(_) | Value::RawString(_) => v.clone(),
        Value::Bytes(b) => Value::from_go_bytes(b),
        other => Value::from(strval(other)),
    }
}

/// Sprig's `substring` on bytes, with Go's slice-bounds panics as errors. A cut
/// through a multi-byte character keeps the broken bytes, as in Go.
fn substring(start: i64, end: i64, b: &[u8]) -> Result<&[u8], FuncError> {
    let len = b.len() as i64;
    let oob = |m: String| FuncError::new(format!("runtime error: slice bounds out of range {m}"));
    if start < 0 {
        if end < 0 {
            return Err(oob(format!("[:{end}]")));
        }
        if end > len {
            return Err(oob(format!("[:{end}] with length {len}")));
        }
        return Ok(&b[..end as usize]);
    }
    if end < 0 || end > len {
        if start > len {
            return Err(oob(format!("[{start}:{len}]")));
        }
        return Ok(&b[start as usize..]);
    }
    if start > end {
        return Err(oob(format!("[{start}:{end}]")));
    }
    Ok(&b[start as usize..end as usize])
}

/// `prefix` followed by `v` with every line indented: one exactly sized buffer, as
/// `nindent` of an `include` is the most common pipeline in charts.
fn indent_into(prefix: &str, spaces: i64, v: &str, max: usize) -> Result<String, FuncError> {
    if spaces < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let newlines = v.matches('\n').count() as u128;
    let total = v.len() as u128 + (newlines + 1) * spaces as u128;
    if total > max as u128 {
        return Err(size::too_large(total, max));
    }
    let pad = " ".repeat(spaces as usize);
    let mut out = String::with_capacity(prefix.len() + total as usize);
    out.push_str(prefix);
    for (i, line) in v.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&pad);
        out.push_str(line);
    }
    Ok(out)
}

/// [`indent_into`] of a Go string that is not UTF-8: its bytes are kept as they are.
fn indent_bytes(prefix: &str, spaces: i64, v: &[u8], max: usize) -> Result<Value, FuncError> {
    if spaces < 0 {
        return Err(FuncError::new("strings: negative Repeat count"));
    }
    let newlines = v.iter().filter(|&&b| b == b'\n').count() as u128;
    let total = v.len() as u128 + (newlines + 1) * spaces as u128;
    if total > max as u128 {
        return Err(size::too_large(total, max));
    }
    let pad = " ".repeat(spaces as usize);
    let mut out = Vec::with_capacity(prefix.len() + total as usize);
    out.extend_from_slice(prefix.as_bytes());
    for (i, line) in v.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        out.extend_from_slice(pad.as_bytes());
        out.extend_from_slice(line);
    }
    Ok(Value::from_go_bytes(&out))
}

/// `strings.Replace(s, old, new, -1)`: an empty `old` inserts `new` around every rune.
fn go_replace_all(s: &str, old: &str, new: &str, max: usize) -> Result<String, FuncError> {
    if old.is_empty() {
        let n = s.chars().count() as u128 + 1;
        let total = s.len() as u128 + n * new.len() as u128;
        if total > max as u128 {
            return Err(size::too_large(total, max));
        }
        let mut out = String::from(new);
        for c in s.chars() {
            out.push(c);
            out.push_str(new);
        }
        return Ok(out);
    }
    let n = s.matches(old).count() as u128;
    if new.len() > old.len() {
        let total = s.len() as u128 + n * (new.len() - old.len()) as u128;
        if total > max as u128 {
            return Err(size::too_large(total, max));
        }
    }
    Ok(s.replace(old, new))
}

/// `strings.SplitN(s, sep, n)` on bytes; n < 0 means all, n == 0 nothing; an empty
/// separator splits into characters as Go reads them (an invalid byte alone).
fn go_split_n<'a>(s: &'a [u8], sep: &[u8], n: i64) -> Vec<&'a [u8]> {
    if n == 0 {
        return Vec::new();
    }
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    if sep.is_empty() {
        let runes = go_runes(s);
        let limit = limit.min(runes.len());
        let mut out: Vec<&[u8]> = Vec::with_capacity(limit);
        for (i, &(at, _, width)) in runes.iter().enumerate().take(limit) {
            if i + 1 == limit {
                out.push(&s[at..]);
            } else {
                out.push(&s[at..at + width]);
            }
        }
        return out;
    }
    let finder = memchr::memmem::Finder::new(sep);
    let mut out = Vec::new();
    let mut rest = s;
    while out.len() + 1 < limit {
        let Some(i) = finder.find(rest) else { break };
        out.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    out.push(rest);
    out
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

fn go_trim_space(s: &str) -> &str {
    s.trim_matches(is_go_space)
}

/// [`go_trim_space`] over bytes that need not be UTF-8: an invalid byte is no space.
fn go_trim_space_bytes(b: &[u8]) -> &[u8] {
    let char_at = |s: &[u8]| std::str::from_utf8(s).ok().and_then(|t| t.chars().next());
    let mut start = 0;
    while start < b.len() {
        let width = (1..=4.min(b.len() - start)).find(|w| char_at(&b[start..start + w]).is_some());
        match width {
            Some(w) if char_at(&b[start..start + w]).is_some_and(is_go_space) => start += w,
            _ => break,
        }
    }
    let mut end = b.len();
    while end > start {
        let width = (1..=4.min(end - start)).find(|w| char_at(&b[end - w..end]).is_some());
        match width {
            Some(w) if char_at(&b[end - w..end]).is_some_and(is_go_space) => end -= w,
            _ => break,
        }
    }
    &b[start..end]
}

/// `strings.Trim(s, cutset)` over bytes that need not be UTF-8: both are read as Go
/// reads characters, so an invalid byte is U+FFFD, which a cutset holding U+FFFD or
/// an invalid byte of its own trims.
fn go_trim_bytes<'a>(s: &'a [u8], cutset: &[u8]) -> &'a [u8] {
    let cut: Vec<char> = go_runes(cutset).into_iter().map(|(_, c, _)| c).collect();
    let runes = go_runes(s);
    let kept = |&&(_, c, _): &&(usize, char, usize)| !cut.contains(&c);
    let Some(&(start, _, _)) = runes.iter().find(kept) else {
        return &s[s.len()..];
    };
    let end = runes
        .iter()
        .rev()
        .find(kept)
        .map_or(s.len(), |&(at, _, w)| at + w);
    &s[start..end]
}

/// `strings.Replace(s, old, new, -1)` over bytes, for a non-empty `old`.
fn go_replace_bytes(s: &[u8], old: &[u8], new: &[u8], max: usize) -> Result<Value, FuncError> {
    let mut out = Vec::with_capacity(s.len());
    let mut at = 0;
    while at < s.len() {
        if s[at..].starts_with(old) {
            out.extend_from_slice(new);
            at += old.len();
        } else {
            out.push(s[at]);
            at += 1;
        }
        if out.len() > max {
            return Err(size::too_large(out.len() as u128, max));
        }
    }
    Ok(Value::from_go_bytes(&out))
}

/// `strings.Title`: upper-case the first letter of every word, where words are
/// separated by spaces and ASCII punctuation.
fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphanumeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) {
                gounicode::to_title(c)
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-case the first letter of every whitespace-separated word.
fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_go_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                gounicode::to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `Initials`: the first byte of every whitespace-separated word (byte-wise,
/// as goutils does; a non-ASCII first byte comes out as its Latin-1 character).
fn initials(s: &[u8]) -> String {
    let mut out = String::new();
    let mut gap = true;
    for &b in s {
        let c = char::from(b);
        if is_go_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// goutils `DeleteWhiteSpace`, which works byte by byte: bytes that are spaces as
/// Latin-1 characters (including 0x85 and 0xA0 inside UTF-8 sequences) are dropped
/// and every other byte >= 0x80 is re-encoded as its Latin-1 character, unless
/// nothing was dropped, in which case the input comes back unchanged (`None`).
fn delete_white_space(s: &[u8]) -> Option<String> {
    let kept: String = s
        .iter()
        .map(|&b| char::from(b))
        .filter(|c| !is_go_space(*c))
        .collect();
    (kept.chars().count() != s.len()).then_some(kept)
}

/// goutils `SwapCase`: capitals and title-case letters go to lower case, a lower-case
/// letter to title case at the start or after a space, else to upper case.
fn swapcase(s: &str) -> String {
    let mut after_space = true;
    s.chars()
        .map(|c| {
            if gounicode::is_upper(c) || gounicode::is_title(c) {
                after_space = false;
                gounicode::to_lower(c)
            } else if gounicode::is_lower(c) {
                let out = if after_space {
                    gounicode::to_title(c)
                } else {
                    gounicode::to_upper(c)
                };
                after_space = false;
                out
            } else {
                after_space = is_go_space(c);
                c
            }
        })
        .collect()
}

/// xstrings `Shuffle`: a random permutation of the runes.
fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.shuffle(&mut rand::rng());
    chars.into_iter().collect()
}

/// goutils `AbbreviateFull` on bytes (its callers already checked the widths).
fn abbreviate_full(s: &[u8], offset: usize, max_width: usize) -> Vec<u8> {
    let dots = |parts: [&[u8]; 2]| parts.concat();
    let len = s.len();
    if len == 0 || len <= max_width {
        return s.to_vec();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return dots([&s[..max_width - 3], b"..."]);
    }
    if max_width < 7 {
        return s.to_vec();
    }
    if offset + max_width - 3 < len {
        let rest = abbreviate_full(&s[offset..], 0, max_width - 3);
        return dots([b"...", &rest]);
    }
    dots([b"...", &s[len - (max_width - 3)..]])
}

/// goutils `WrapCustom` (byte-oriented, breaking at ASCII spaces).
fn wrap_custom(b: &[u8], width: i64, newline: &[u8], wrap_long_words: bool) -> Vec<u8> {
    if b.is_empty() {
        return Vec::new();
    }
    let newline = if newline.is_empty() { b"\n" } else { newline };
    let width = width.max(1) as usize;
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + len / width * newline.len());
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|c| *c == b' ') {
            Some(rel) => {
                let at = offset + rel;
                out.extend_from_slice(&b[offset..at]);
                out.extend_from_slice(newline);
                offset = at + 1;
            }
            None if wrap_long_words => {
                let end = width + offset;
                out.extend_from_slice(&b[offset..end]);
                out.extend_from_slice(newline);
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|c| *c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(rel) => {
                        let at = end + rel;
                        out.extend_from_slice(&b[offset..at]);
                        out.extend_from_slice(newline);
                        offset = at + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::call;

    #[test]
    fn basic_string_functions() {
        assert_eq!(call("trim", &["  hi \n".into()]), Value::str("hi"));
        assert_eq!(call("upper", &["abc".into()]), Value::str("ABC"));
        assert_eq!(
            call("title", &["hello world-foo bar_baz".into()]),
            Value::str("Hello World-Foo Bar_baz")
        );
        assert_eq!(
            call("untitle", &["Hello World".into()]),
            Value::str("hello world")
        );
        assert_eq!(call("nospace", &["h e\tl\nlo".into()]), Value::str("hello"));
        assert_eq!(call("nospace", &["é".into()]), Value::str("é"));
        assert_eq!(
            call("nospace", &["a\u{a0}b".into()]),
            Value::str("a\u{c2}b")
        );
        assert_eq!(call("lower", &["İ".into()]), Value::str("i"));
        assert_eq!(call("initials", &["First Try".into()]), Value::str("FT"));
        assert_eq!(
            call("swapcase", &["This Is A.Test".into()]),
            Value::str("tHIS iS a.tEST")
        );
        assert_eq!(
            call("trimAll", &["$".into(), "$5.00$".into()]),
            Value::str("5.00")
        );
        assert_eq!(
            call("trimSuffix", &["-".into(), "hello-".into()]),
            Value::str("hello")
        );
        assert_eq!(
            call("contains", &["cat".into(), "catch".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("hasPrefix", &["cat".into(), "catch".into()]),
            Value::Bool(true)
        );
        assert_eq!(
            call("repeat", &[Value::Int(3), "ab".into()]),
            Value::str("ababab")
        );
        assert_eq!(
            call("plural", &["one".into(), "many".into(), Value::Int(2)]),
            Value::str("many")
        );
        assert_eq!(
            call("replace", &[" ".into(), "-".into(), "I Am Henry".into()]),
            Value::str("I-Am-Henry")
        );
        assert_eq!(call("hello", &[]), Value::str("Hello!"));
    }

    #[test]
    fn trunc_substr_abbrev() {
        assert_eq!(
            call("trunc", &[Value::Int(5), "hello world".into()]),
            Value::str("hello")
        );
        assert_eq!(
            call("trunc", &[Value::Int(-5), "hello world".into()]),
            Value::str("world")
        );
        assert_eq!(
            call("trunc", &[Value::Int(50), "hi".into()]),
            Value::str("hi")
        );
        assert_eq!(
            call(
                "substr",
                &[Value::Int(0), Value::Int(5), "hello world".into()]
            ),
            Value::str("hello")
        );
        assert_eq!(
            call(
                "substr",
                &[Value::Int(6), Value::Int(-1), "hello world".into()]
            ),
            Value::str("world")
        );
        assert!(super::substring(-1, 50, b"abc").is_err());
        assert_eq!(
            call("abbrev", &[Value::Int(5), "hello world".into()]),
            Value::str("he...")
        );
        assert_eq!(
            call("abbrev", &[Value::Int(3), "hello world".into()]),
            Value::str("hello world")
        );
        assert_eq!(
            call(
                "abbrevboth",
                &[Value::Int(5), Value::Int(10), "1234 5678 9123".into()]
            ),
            Value::str("...5678...")
        );
    }

    #[test]
    fn quoting_and_cat() {
        assert_eq!(
            call("quote", &["a\"b".into(), Value::Nil, Value::Int(3)]),
            Value::str("\"a\\\"b\" \"3\"")
        );
        assert_eq!(
            call("squote", &["a".into(), Value::Float(1e6)]),
            Value::str("'a' '1e+06'")
        );
        assert_eq!(
            call(
                "cat",
                &[
                    "hello".into(),
                    Value::Nil,
                    "beautiful".into(),
                    Value::Int(3)
                ]
            ),
            Value::str("hello beautiful 3")
        );
    }

    #[test]
    fn trim_space_of_bytes_stops_at_invalid_ones() {
        assert_eq!(
            go_trim_space_bytes(b" \xc2\xa0\xff x\xe2\x80\x83\n"),
            b"\xff x"
        );
        assert_eq!(go_trim_space_bytes(b"\xe2\x80 "), b"\xe2\x80");
        assert_eq!(go_trim_space_bytes(b" \t"), b"");
    }

    #[test]
    fn indent_and_wrap() {
        assert_eq!(
            call("indent", &[Value::Int(2), "a\nb".into()]),
            Value::str("  a\n  b")
        );
        assert_eq!(
            call("nindent", &[Value::Int(2), "a".into()]),
            Value::str("\n  a")
        );
        assert_eq!(
            call("wrap", &[Value::Int(5), "Hello World".into()]),
            Value::str("Hello\nWorld")
        );
        assert_eq!(
            call(
                "wrapWith",
                &[Value::Int(5), "\t".into(), "Hello World".into()]
            ),
            Value::str("Hello\tWorld")
        );
        assert_eq!(
            call("wrap", &[Value::Int(3), "abcdefgh ij".into()]),
            Value::str("abcdefgh\nij")
        );
        assert_eq!(
            call("wrapWith", &[Value::Int(3), "|".into(), "abcdefgh".into()]),
            Value::str("abc|def|gh")
        );
    }

    #[test]
    fn splitting_and_joining() {
        let m = call("split", &["$".into(), "foo$bar$baz".into()]);
        assert_eq!(m.as_map().unwrap().get("_2"), Some(Value::str("baz")));
        let m = call("splitn", &["$".into(), Value::Int(2), "foo$bar$baz".into()]);
        assert_eq!(m.as_map().unwrap().get("_1"), Some(Value::str("bar$baz")));
        assert_eq!(
            call("splitList", &[",".into(), "a,b".into()]),
            strings_value(vec!["a".into(), "b".into()])
        );
        assert_eq!(go_split_n(b"abc", b"", -1), [b"a", b"b", b"c"]);
        assert_eq!(go_split_n(b"abc", b"", 2), [&b"a"[..], b"bc"]);
        let l = Value::list(vec![
            Value::Int(1),
            "b".into(),
            Value::Nil,
            Value::Float(2.5),
        ]);
        assert_eq!(
            call("join", &["-".into(), l.clone()]),
            Value::str("1-b-2.5")
        );
        assert_eq!(call("join", &["-".into(), "x".into()]), Value::str("x"));
        assert_eq!(
            call(
                "sortAlpha",
                &[Value::list(vec!["b".into(), "a".into(), Value::Int(3)])]
            ),
            strings_value(vec!["3".into(), "a".into(), "b".into()])
        );
        assert_eq!(call("toStrings", &[l]).as_list().unwrap().len(), 3);
    }

    #[test]
    fn type_and_arity_errors_use_go_wording() {
        let f = crate::sprig::funcs();
        let err = crate::sprig::testutil::try_call(&f, "upper", &[Value::Int(1)]).unwrap_err();
        assert_eq!(
            err.message,
            "wrong type for value; expected string; got int"
        );
        let err = crate::sprig::testutil::try_call(&f, "upper", &[Value::Int64(1)]).unwrap_err();
        assert_eq!(
            err.message,
            "wrong type for value; expected string; got int64"
        );
        let err = crate::sprig::testutil::try_call(&f, "upper", &[]).unwrap_err();
        assert_eq!(err.message, "wrong number of args for upper: want 1 got 0");
        let err =
            crate::sprig::testutil::try_call(&f, "repeat", &[Value::Int(1 << 40), "ab".into()])
                .unwrap_err();
        assert!(err.message.contains("limit"));
        let many = Value::list((0..700_000).map(Value::Int).collect());
        let sep = Value::from("x".repeat(100));
        let err = crate::sprig::testutil::try_call(&f, "join", &[sep, many]).unwrap_err();
        assert!(err.message.contains("limit"));
    }

    /// Go implements these on a string's bytes, so bytes that are not UTF-8 (a binary
    /// file read with `.Files.Get`) come back unchanged, and a cut through a
    /// multi-byte character keeps the broken bytes.
    #[test]
    fn byte_functions_keep_bytes_that_are_not_utf8() {
        let raw = Value::from_go_bytes(b"ab\xffcd\xfe,x\x80y");
        let bytes = |v: Value| v.go_string_bytes().map(<[u8]>::to_vec);
        assert_eq!(
            bytes(call("substr", &[Value::Int(1), Value::Int(4), raw.clone()])),
            Some(b"b\xffc".to_vec())
        );
        assert_eq!(
            bytes(call("trunc", &[Value::Int(1), "é".into()])),
            Some(b"\xc3".to_vec())
        );
        assert_eq!(
            bytes(call("repeat", &[Value::Int(2), raw.clone()])),
            Some(b"ab\xffcd\xfe,x\x80yab\xffcd\xfe,x\x80y".to_vec())
        );
        let parts = call("splitList", &[",".into(), raw.clone()]);
        let parts = crate::sprig::testutil::list_bytes(&parts);
        assert_eq!(
            parts,
            [Some(b"ab\xffcd\xfe".to_vec()), Some(b"x\x80y".to_vec())]
        );
        // An empty separator splits into characters, an invalid byte alone.
        let chars = call(
            "splitList",
            &["".into(), Value::from_go_bytes(b"\xff\xc3\xa9")],
        );
        let chars = crate::sprig::testutil::list_bytes(&chars);
        assert_eq!(
            chars,
            [Some(b"\xff".to_vec()), Some("é".as_bytes().to_vec())]
        );
        assert_eq!(
            bytes(call(
                "join",
                &["-".into(), Value::list(vec![raw.clone(), "q".into()])]
            )),
            Some(b"ab\xffcd\xfe,x\x80y-q".to_vec())
        );
        assert_eq!(
            call("contains", &[Value::from_go_bytes(b"\xffc"), raw.clone()]),
            Value::Bool(true)
        );
        // The cutset's U+FFFD trims invalid bytes, which Go reads as U+FFFD.
        assert_eq!(
            bytes(call("trimAll", &["\u{fffd}y".into(), raw.clone()])),
            Some(b"ab\xffcd\xfe,x".to_vec())
        );
        assert_eq!(
            bytes(call("wrapWith", &[Value::Int(3), "|".into(), raw.clone()])),
            Some(b"ab\xff|cd\xfe|,x\x80|y".to_vec())
        );
        assert_eq!(
            call("initials", std::slice::from_ref(&raw)),
            Value::str("a")
        );
        assert_eq!(call("nospace", std::slice::from_ref(&raw)), raw);
        assert_eq!(
            bytes(call("plural", &["x".into(), raw.clone(), Value::Int(2)])),
            bytes(raw)
        );
    }
}
