//! Lower bounds on how many bytes printing a value takes, computed without printing,
//! so printers (`toJson`, `toYaml`, `%v`, `cat`, ...) can refuse a value whose text
//! would exceed [`crate::Limits::max_value_bytes`] before allocating any of it.
//!
//! Lists and maps are shared: `$d = dict "a" $d "b" $d` in a loop doubles the printed
//! size per level while the value stays linear in memory. The walk therefore visits a
//! shared container (more than one reference) once and reuses its figures, so it costs
//! time linear in the value's size in memory, not in its printed size.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::func::{Fnv, FuncError};
use crate::stack::grow;
use crate::value::Value;

/// How a printer lays out nested containers, which decides whether its indentation
/// (quadratic in the depth) counts towards the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One line, no indentation (`toJson`, `%v`, `toString`, `print`).
    Flat,
    /// Entries of a map nested in a map are indented at least one byte per level;
    /// lists may print compactly (`toYaml`, `toYamlPretty`, `toToml`).
    IndentMaps,
    /// Every nested entry and item is indented at least one byte per level
    /// (`toPrettyJson`).
    IndentAll,
}

/// Fails when printing `values` in `layout` takes more than `max` bytes.
/// Exec prefixes the message with "error calling NAME:".
pub fn check_printed_size(values: &[Value], layout: Layout, max: usize) -> Result<(), FuncError> {
    let mut walk = Walk {
        layout,
        memo: HashMap::default(),
    };
    let mut total: u64 = 0;
    for v in values {
        let s = walk.sizes(v);
        total = total.saturating_add(s.bytes).saturating_add(s.depth_sum);
    }
    if total > max as u64 {
        return Err(too_large(total, max));
    }
    Ok(())
}

/// Fails when `printf FORMAT ARGS` would print more than `max` bytes: the format's
/// own text and widths (Go pads each verb to at most 1,000,000), plus the arguments'
/// text when no verb can shorten or skip one (precision, `[n]` indexes, `*`).
pub fn check_printf_size(format: &str, args: &[Value], max: usize) -> Result<(), FuncError> {
    let b = format.as_bytes();
    let mut total: u128 = 0;
    let mut args_print_whole = true;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            total += 1;
            i += 1;
            continue;
        }
        i += 1;
        while i < b.len() && matches!(b[i], b'+' | b'-' | b'#' | b' ' | b'0') {
            i += 1;
        }
        let mut width: u128 = 0;
        while i < b.len() && b[i].is_ascii_digit() {
            width = (width * 10 + u128::from(b[i] - b'0')).min(10_000_000);
            i += 1;
        }
        // Go ignores a width over 1e6 (%!(BADWIDTH)).
        if width <= 1_000_000 {
            total += width;
        }
        while i < b.len() && !b[i].is_ascii_alphabetic() && b[i] != b'%' {
            if matches!(b[i], b'.' | b'[' | b'*') {
                args_print_whole = false;
            }
            i += 1;
        }
        i += 1;
    }
    if args_print_whole {
        let mut walk = Walk {
            layout: Layout::Flat,
            memo: HashMap::default(),
        };
        for v in args {
            total = total.saturating_add(u128::from(walk.sizes(v).bytes));
        }
    }
    if total > max as u128 {
        return Err(too_large(total, max));
    }
    Ok(())
}

/// The error for a result that would take `n` bytes (at least) over `max`.
pub fn too_large(n: impl std::fmt::Display, max: usize) -> FuncError {
    FuncError::new(format!(
        "result of at least {n} bytes exceeds the limit of {max} bytes"
    ))
}

/// Figures for one value, relative to its own position: bytes of keys and scalars,
/// how many indented entries it holds, and the sum of their depths below it.
/// `u64` saturating: the limit is far below where they would saturate.
#[derive(Debug, Clone, Copy, Default)]
struct Sizes {
    bytes: u64,
    entries: u64,
    depth_sum: u64,
}

impl Sizes {
    /// Adds a child one level below (its entries are indented one more).
    fn add_nested(&mut self, c: Sizes) {
        self.bytes = self.bytes.saturating_add(c.bytes);
        self.entries = self.entries.saturating_add(c.entries);
        self.depth_sum = self
            .depth_sum
            .saturating_add(c.depth_sum)
            .saturating_add(c.entries);
    }
}

/// Bytes a value that holds no others prints at least.
#[inline]
fn scalar_bytes(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.len() as u64,
        Value::Bytes(b) => b.len() as u64,
        Value::RawString(r) => r.bytes().len() as u64,
        Value::Bool(_) => 4,
        Value::Int(_) | Value::Int64(_) | Value::Uint8(_) | Value::Uint64(_) | Value::Float(_) => 1,
        Value::Nil | Value::Object(_) | Value::Map(_) | Value::List(_) => 0,
    }
}

/// Levels walked between checks for stack room (`stack::grow` costs a thread-local
/// read; a few dozen frames of this walk fit easily in its red zone).
const GROW_EVERY: u32 = 32;

struct Walk {
    layout: Layout,
    /// Shared containers already measured; `None` while one is being measured (a
    /// value holding itself counts nothing the second time, as printers stop there).
    memo: HashMap<usize, Option<Sizes>, BuildHasherDefault<Fnv>>,
}

impl Walk {
    fn sizes(&mut self, v: &Value) -> Sizes {
        self.at(v, 0)
    }

    fn at(&mut self, v: &Value, depth: u32) -> Sizes {
        match v {
            Value::Map(m) => self.shared(&m.0, depth, |w, d| w.map(v, d)),
            Value::List(l) => self.shared(&l.0, depth, |w, d| w.list(v, d)),
            _ => Sizes {
                bytes: scalar_bytes(v),
                ..Sizes::default()
            },
        }
    }

    /// Measures a container once however often it is referenced.
    fn shared<T>(
        &mut self,
        arc: &Arc<T>,
        depth: u32,
        f: impl FnOnce(&mut Self, u32) -> Sizes,
    ) -> Sizes {
        let depth = depth + 1;
        let run = |w: &mut Self| {
            if depth.is_multiple_of(GROW_EVERY) {
                grow(|| f(w, depth))
            } else {
                f(w, depth)
            }
        };
        // A container referenced once can be reached only through its one parent,
        // which is measured once; only shared ones need the table.
        if Arc::strong_count(arc) == 1 {
            return run(self);
        }
        let id = Arc::as_ptr(arc).cast::<()>() as usize;
        match self.memo.get(&id) {
            Some(Some(s)) => return *s,
            Some(None) => return Sizes::default(),
            None => {}
        }
        self.memo.insert(id, None);
        let s = run(self);
        self.memo.insert(id, Some(s));
        s
    }

    fn map(&mut self, v: &Value, depth: u32) -> Sizes {
        let Value::Map(m) = v else {
            return Sizes::default();
        };
        let mut out = Sizes::default();
        let entries = m.0.read();
        if self.layout == Layout::Flat {
            for (k, item) in entries.iter() {
                let b = if item.is_container() {
                    self.at(item, depth).bytes
                } else {
                    scalar_bytes(item)
                };
                out.bytes = out.bytes.saturating_add(k.len() as u64).saturating_add(b);
            }
            return out;
        }
        for (k, item) in entries.iter() {
            if !item.is_container() {
                // TOML leaves nil entries out entirely.
                if !item.is_nil() {
                    out.entries += 1;
                    let b = k.len() as u64 + scalar_bytes(item);
                    out.bytes = out.bytes.saturating_add(b);
                }
                continue;
            }
            let c = self.at(item, depth);
            out.bytes = out.bytes.saturating_add(k.len() as u64);
            out.entries += 1;
            match (self.layout, item) {
                (_, Value::Map(_)) | (Layout::IndentAll, Value::List(_)) => out.add_nested(c),
                // A list below a map may print compactly: only its text counts.
                _ => out.bytes = out.bytes.saturating_add(c.bytes),
            }
        }
        out
    }

    fn list(&mut self, v: &Value, depth: u32) -> Sizes {
        let Value::List(l) = v else {
            return Sizes::default();
        };
        let mut out = Sizes::default();
        for item in l.0.read().iter() {
            let c = self.at(item, depth);
            if self.layout == Layout::IndentAll {
                out.entries += 1;
                out.add_nested(c);
            } else {
                out.bytes = out.bytes.saturating_add(c.bytes);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn bound(v: &Value, layout: Layout) -> u64 {
        let mut w = Walk {
            layout,
            memo: HashMap::default(),
        };
        let s = w.sizes(v);
        s.bytes + s.depth_sum
    }

    #[test]
    fn scalars_and_keys_count_their_bytes() {
        let m = Map::new();
        m.insert("key", Value::str("value"));
        m.insert("n", Value::Int(12));
        m.insert("gone", Value::Nil);
        // One-line printers write nil entries too; indented ones may leave them out.
        let v = Value::Map(m);
        assert_eq!(bound(&v, Layout::Flat), 3 + 5 + 1 + 1 + 4);
        assert_eq!(bound(&v, Layout::IndentMaps), 3 + 5 + 1 + 1);
    }

    #[test]
    fn shared_values_double_per_level_without_walking_twice() {
        let mut d = Value::Map(Map::new());
        for _ in 0..100 {
            let m = Map::new();
            m.insert("a", d.clone());
            m.insert("b", d.clone());
            d = Value::Map(m);
        }
        // 2^100 keys: far past any limit (the count saturates), measured in 100 steps.
        assert_eq!(bound(&d, Layout::Flat), u64::MAX);
        assert!(check_printed_size(&[d], Layout::Flat, 64 << 20).is_err());
    }

    #[test]
    fn indented_layouts_count_depth() {
        let mut d = Value::str("x");
        for _ in 0..1000 {
            let m = Map::new();
            m.insert("a", d);
            d = Value::Map(m);
        }
        let flat = bound(&d, Layout::Flat);
        assert_eq!(flat, 1001);
        // Entry k levels down is indented at least k bytes: 0 + 1 + ... + 999.
        assert_eq!(bound(&d, Layout::IndentMaps), flat + 999 * 1000 / 2);
        let mut l = Value::str("x");
        for _ in 0..1000 {
            l = Value::list(vec![l]);
        }
        assert_eq!(bound(&l, Layout::IndentMaps), 1);
        assert_eq!(bound(&l, Layout::IndentAll), 1 + 999 * 1000 / 2);
    }

    #[test]
    fn printf_counts_widths_and_whole_arguments() {
        let big = Value::str("y".repeat(100));
        assert!(check_printf_size("%2000d", &[], 1000).is_err());
        assert!(check_printf_size("%500d%500d|", &[], 1000).is_err());
        // Over Go's 1e6 the width is ignored.
        assert!(check_printf_size("%2000000000d", &[], 1000).is_ok());
        assert!(check_printf_size("%s", std::slice::from_ref(&big), 99).is_err());
        // A precision may cut the argument short: only the format counts.
        assert!(check_printf_size("%.3s", &[big], 99).is_ok());
    }

    #[test]
    fn a_value_holding_itself_ends() {
        let m = Map::new();
        m.insert("x", Value::str("abc"));
        let v = Value::Map(m.clone());
        m.insert("self", v.clone());
        assert_eq!(bound(&v, Layout::Flat), 1 + 3 + 4);
    }
}
