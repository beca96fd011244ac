//! Lower bounds on how many bytes printing a value takes, computed without printing,
//! so printers (`toJson`, `toYaml`, `%v`, `cat`, ...) can refuse a value whose text
//! would exceed [`crate::Limits::max_value_bytes`] before allocating any of it.
//!
//! Lists and maps are shared: `$d = dict "a" $d "b" $d` in a loop doubles the printed
//! size per level while the value stays linear in memory. The walk therefore visits a
//! shared container (more than one reference) once and reuses its figures, so it costs
//! time linear in the value's size in memory, not in its printed size.

use std::sync::Arc;

use crate::func::{FuncError, NameMap};
use crate::stack::ContainerPath;
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
    let mut walk = Walk::new(layout);
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
        let mut walk = Walk::new(Layout::Flat);
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

/// A step of [`Walk`]'s explicit stack (deep values are walked without recursion:
/// growing the call stack for a 100,000-deep value costs more than the walk).
enum Step {
    /// Measure a list or map; `shared` when more than one reference holds it,
    /// `nested` when its entries are indented below its parent's.
    Enter {
        value: Value,
        shared: bool,
        nested: bool,
    },
    /// The container entered last is measured.
    Exit,
}

/// A container being measured.
struct Open {
    sizes: Sizes,
    nested: bool,
    /// Its id, when shared: its figures are kept for its other references.
    memo: Option<usize>,
}

struct Walk {
    layout: Layout,
    /// Shared containers already measured; `None` while one is being measured (a
    /// value holding itself counts nothing the second time, as printers stop there).
    memo: NameMap<usize, Option<Sizes>>,
    work: Vec<Step>,
    open: Vec<Open>,
}

impl Walk {
    fn new(layout: Layout) -> Self {
        Walk {
            layout,
            memo: NameMap::default(),
            work: Vec::new(),
            open: Vec::new(),
        }
    }

    /// Containers are measured depth first, entries in order, as printers visit
    /// them (which decides what a value holding itself counts).
    fn sizes(&mut self, v: &Value) -> Sizes {
        let Some(shared) = shared(v) else {
            return Sizes {
                bytes: scalar_bytes(v),
                ..Sizes::default()
            };
        };
        let mut result = Sizes::default();
        self.work.push(Step::Enter {
            value: v.clone(),
            shared,
            nested: false,
        });
        while let Some(step) = self.work.pop() {
            match step {
                Step::Enter {
                    value,
                    shared,
                    nested,
                } => {
                    // A container referenced once can be reached only through its one
                    // parent, which is measured once; only shared ones need the table.
                    let memo = match ContainerPath::id(&value) {
                        Some(id) if shared => match self.memo.get(&id) {
                            Some(Some(s)) => {
                                let s = *s;
                                self.join(s, nested, &mut result);
                                continue;
                            }
                            Some(None) => continue,
                            None => {
                                self.memo.insert(id, None);
                                Some(id)
                            }
                        },
                        _ => None,
                    };
                    self.open.push(Open {
                        sizes: Sizes::default(),
                        nested,
                        memo,
                    });
                    self.work.push(Step::Exit);
                    let first = self.work.len();
                    self.entries(&value);
                    // Popped in order.
                    self.work[first..].reverse();
                }
                Step::Exit => {
                    let Some(done) = self.open.pop() else {
                        continue;
                    };
                    if let Some(id) = done.memo {
                        self.memo.insert(id, Some(done.sizes));
                    }
                    self.join(done.sizes, done.nested, &mut result);
                }
            }
        }
        result
    }

    /// Adds a measured container to its parent (or makes it the result).
    fn join(&mut self, c: Sizes, nested: bool, result: &mut Sizes) {
        match self.open.last_mut() {
            Some(parent) if nested => parent.sizes.add_nested(c),
            Some(parent) => parent.sizes.bytes = parent.sizes.bytes.saturating_add(c.bytes),
            None => *result = c,
        }
    }

    /// Counts the scalars of the container being measured and queues its lists and
    /// maps.
    fn entries(&mut self, v: &Value) {
        let Some(out) = self.open.last_mut() else {
            return;
        };
        let out = &mut out.sizes;
        let layout = self.layout;
        let mut queue = |item: &Value, shared: bool, nested: bool| {
            self.work.push(Step::Enter {
                value: item.clone(),
                shared,
                nested,
            });
        };
        match v {
            Value::Map(m) => {
                for (k, item) in m.0.read().iter() {
                    let Some(shared) = shared(item) else {
                        // TOML leaves nil entries out entirely.
                        if layout == Layout::Flat || !item.is_nil() {
                            let b = k.len() as u64 + scalar_bytes(item);
                            out.bytes = out.bytes.saturating_add(b);
                            out.entries += u64::from(layout != Layout::Flat);
                        }
                        continue;
                    };
                    out.bytes = out.bytes.saturating_add(k.len() as u64);
                    out.entries += u64::from(layout != Layout::Flat);
                    // A list below a map may print compactly: only its text counts.
                    let nested = match (layout, item) {
                        (Layout::Flat, _) => false,
                        (_, Value::Map(_)) | (Layout::IndentAll, _) => true,
                        _ => false,
                    };
                    queue(item, shared, nested);
                }
            }
            Value::List(l) => {
                let indent = layout == Layout::IndentAll;
                for item in l.0.read().iter() {
                    out.entries += u64::from(indent);
                    match shared(item) {
                        Some(shared) => queue(item, shared, indent),
                        None => out.bytes = out.bytes.saturating_add(scalar_bytes(item)),
                    }
                }
            }
            _ => {}
        }
    }
}

/// For a list or map, whether more than one reference holds it.
fn shared(v: &Value) -> Option<bool> {
    match v {
        Value::Map(m) => Some(Arc::strong_count(&m.0) > 1),
        Value::List(l) => Some(Arc::strong_count(&l.0) > 1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Map;

    fn bound(v: &Value, layout: Layout) -> u64 {
        let mut w = Walk::new(layout);
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

    /// Figures of a mixed value in each layout (what the recursive walk this one
    /// replaced computed).
    #[test]
    fn mixed_values_in_each_layout() {
        let shared = Value::list(vec![Value::str("zz"), Value::Nil]);
        let b = Map::new();
        b.insert("b", Value::str("xy"));
        b.insert("n", Value::Nil);
        b.insert("s", shared.clone());
        let f = Map::new();
        f.insert("f", Value::str("g"));
        let e = Map::new();
        e.insert("e", Value::Map(f));
        let m = Map::new();
        m.insert("a", Value::list(vec![Value::Int(1), Value::Map(b)]));
        m.insert("c", Value::Nil);
        m.insert("d", Value::Map(e));
        m.insert("s", shared);
        let v = Value::Map(m);
        let got = [Layout::Flat, Layout::IndentMaps, Layout::IndentAll].map(|l| bound(&v, l));
        assert_eq!(got, [17, 18, 32]);
    }

    #[test]
    fn deep_values_are_measured_without_recursion() {
        let mut v = Value::str("x");
        for _ in 0..200_000 {
            v = Value::list(vec![v]);
        }
        let got = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || (bound(&v, Layout::Flat), bound(&v, Layout::IndentAll)))
            .expect("spawn")
            .join()
            .expect("no overflow");
        assert_eq!(got, (1, 1 + 199_999 * 200_000 / 2));
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
