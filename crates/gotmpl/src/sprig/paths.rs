//! Go's `path` functions (`base`, `dir`, `clean`, `ext`, `isAbs`) and their
//! `path/filepath` twins (`osBase`, ...), which are identical on Unix.

use crate::func::FuncMap;
use crate::value::Value;

use super::args::{self, arity};

/// Go's `path.Clean`: lexical normalisation of `.`, `..` and repeated slashes.
pub(crate) fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`.
fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
fn dir(p: &str) -> String {
    let cut = p.rfind('/').map(|i| i + 1).unwrap_or(0);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the last dot in the final element.
fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

pub(super) fn register(f: &mut FuncMap) {
    type PathFn = fn(&str) -> String;
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
                Ok(Value::from(op(args::string(&a[0])?)))
            });
        }
    }
    for n in ["isAbs", "osIsAbs"] {
        f.add(n, move |a| {
            arity(n, a, 1)?;
            Ok(Value::Bool(args::string(&a[0])?.starts_with('/')))
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
            assert_eq!(clean(input), want, "clean {input}");
        }
        assert_eq!(base("/foo/bar/"), "bar");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("/foo/bar/baz.js"), "/foo/bar");
        assert_eq!(dir("baz"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(ext("foo.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
