//! Go's `path` functions (`base`, `dir`, `clean`, `ext`, `isAbs`) and their
//! `path/filepath` twins (`osBase`, ...), which are identical on Unix.

use crate::func::FuncMap;
use crate::value::Value;

use super::args::{self, arity};

// Go's path functions work on a string's bytes, cutting only at ASCII `/` and `.`,
// so a path that is not UTF-8 keeps its bytes.

/// Go's `path.Clean`: lexical normalisation of `.`, `..` and repeated slashes.
fn clean(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let rooted = p.starts_with(b"/");
    let mut parts: Vec<&[u8]> = Vec::new();
    for seg in p.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|l| *l != b"..") {
                    parts.pop();
                } else if !rooted {
                    parts.push(b"..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join(&b'/');
    match (rooted, joined.is_empty()) {
        (true, _) => [b"/".as_slice(), &joined].concat(),
        (false, true) => b".".to_vec(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
fn base(p: &[u8]) -> Vec<u8> {
    if p.is_empty() {
        return b".".to_vec();
    }
    let end = p.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    let trimmed = &p[..end];
    if trimmed.is_empty() {
        return b"/".to_vec();
    }
    let start = trimmed
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |i| i + 1);
    trimmed[start..].to_vec()
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
fn dir(p: &[u8]) -> Vec<u8> {
    let cut = p.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the last dot in the final element.
fn ext(p: &[u8]) -> Vec<u8> {
    for (i, &b) in p.iter().enumerate().rev() {
        if b == b'/' {
            break;
        }
        if b == b'.' {
            return p[i..].to_vec();
        }
    }
    Vec::new()
}

pub(super) fn register(f: &mut FuncMap) {
    type PathFn = fn(&[u8]) -> Vec<u8>;
    let table: [(&'static str, &'static str, PathFn); 4] = [
        ("base", "osBase", base),
        ("dir", "osDir", dir),
        ("clean", "osClean", clean),
        ("ext", "osExt", ext),
    ];
    for (name, os_name, op) in table {
        for n in [name, os_name] {
            f.add(n, move |a| {
                arity(n, a, 1)?;
                Ok(Value::from_go_bytes(&op(args::string_bytes(&a[0])?)))
            });
        }
    }
    for n in ["isAbs", "osIsAbs"] {
        f.add(n, move |a| {
            arity(n, a, 1)?;
            Ok(Value::Bool(args::string_bytes(&a[0])?.starts_with(b"/")))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_semantics() {
        for (input, want) in [
            ("a/b/../c", "a/c"),
            ("/../a//b/./", "/a/b"),
            ("", "."),
            ("../../x", "../../x"),
            ("a/..", "."),
        ] {
            assert_eq!(clean(input.as_bytes()), want.as_bytes(), "clean {input}");
        }
        assert_eq!(base(b"/foo/bar/"), b"bar");
        assert_eq!(base(b"///"), b"/");
        assert_eq!(base(b""), b".");
        assert_eq!(dir(b"/foo/bar/baz.js"), b"/foo/bar");
        assert_eq!(dir(b"baz"), b".");
        assert_eq!(dir(b"/"), b"/");
        assert_eq!(ext(b"foo.tar.gz"), b".gz");
        assert_eq!(ext(b"a.b/c"), b"");
        // Bytes that are not UTF-8 are kept.
        assert_eq!(base(b"/a/\xffb.\xfe"), b"\xffb.\xfe");
        assert_eq!(ext(b"/a/\xffb.\xfe"), b".\xfe");
        assert_eq!(clean(b"/a/../\xff//"), b"/\xff");
    }
}
