//! List functions (Sprig's list.go and numeric.go's `until`/`seq`). Lists are
//! `[]interface{}`; functions accept any Go slice (here also `[]byte`) and return
//! new lists. The non-`must` variants panic in Go, which templates report as errors,
//! so both variants fail the same way here.

use crate::func::{FuncError, FuncMap};
use crate::value::{Elem, List, Value};

use super::args::{self, MAX_LIST_ITEMS, R, arity, arity_min, too_large};
use super::conv::to_int64;
use super::defaults::is_empty;

/// The items of a Go slice argument, or Sprig's error naming the kind it got.
/// `nil` has no type in Go: `reflect.TypeOf(nil).Kind()` is a nil dereference.
fn slice_items(v: &Value, what: impl FnOnce(&str) -> String) -> Result<Vec<Value>, FuncError> {
    match &*v.reflected() {
        Value::List(l) => Ok(l.to_vec()),
        Value::Bytes(b) => Ok(b.iter().map(|x| Value::Uint8(*x)).collect()),
        Value::Nil => Err(FuncError::new(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        other => Err(FuncError::new(what(other.kind_name()))),
    }
}

/// Register `name` and `mustName` with the same body.
fn both(
    f: &mut FuncMap,
    name: &'static str,
    must: &'static str,
    op: fn(&'static str, &[Value]) -> R,
) {
    f.add(name, move |a| op(name, a));
    f.add(must, move |a| op(must, a));
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("list", |a| Ok(Value::list(a.to_vec())));
    f.add("tuple", |a| Ok(Value::list(a.to_vec())));
    for (name, must) in [("append", "mustAppend"), ("push", "mustPush")] {
        both(f, name, must, |n, a| {
            arity(n, a, 2)?;
            let mut items = slice_items(&a[0], |k| format!("Cannot push on type {k}"))?;
            bound(n, items.len() + 1)?;
            items.push(a[1].clone());
            Ok(Value::list(items))
        });
    }
    both(f, "prepend", "mustPrepend", |n, a| {
        arity(n, a, 2)?;
        let items = slice_items(&a[0], |k| format!("Cannot prepend on type {k}"))?;
        bound(n, items.len() + 1)?;
        let mut out = Vec::with_capacity(items.len() + 1);
        out.push(a[1].clone());
        out.extend(items);
        Ok(Value::list(out))
    });
    f.add("concat", |a| {
        let mut out = Vec::new();
        for v in a {
            let items = slice_items(v, |k| format!("Cannot concat type {k} as list"))?;
            bound("concat", out.len() + items.len())?;
            out.extend(items);
        }
        Ok(Value::list(out))
    });
    both(f, "first", "mustFirst", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find first on type {k}"))?;
        Ok(items.first().cloned().unwrap_or(Value::Nil))
    });
    both(f, "last", "mustLast", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find last on type {k}"))?;
        Ok(items.last().cloned().unwrap_or(Value::Nil))
    });
    both(f, "rest", "mustRest", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find rest on type {k}"))?;
        // Sprig returns a nil []interface{}: "[]" printed, `null` in JSON.
        if items.is_empty() {
            return Ok(Value::List(List::nil_of(Elem::Any)));
        }
        Ok(Value::list(items[1..].to_vec()))
    });
    both(f, "initial", "mustInitial", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find initial on type {k}"))?;
        if items.is_empty() {
            return Ok(Value::List(List::nil_of(Elem::Any)));
        }
        Ok(Value::list(items[..items.len() - 1].to_vec()))
    });
    both(f, "reverse", "mustReverse", |n, a| {
        arity(n, a, 1)?;
        let mut items = slice_items(&a[0], |k| format!("Cannot find reverse on type {k}"))?;
        items.reverse();
        Ok(Value::list(items))
    });
    both(f, "compact", "mustCompact", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot compact on type {k}"))?;
        Ok(Value::list(
            items.into_iter().filter(|v| !is_empty(v)).collect(),
        ))
    });
    both(f, "uniq", "mustUniq", |n, a| {
        arity(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find uniq on type {k}"))?;
        let mut out: Vec<Value> = Vec::new();
        for v in items {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        Ok(Value::list(out))
    });
    both(f, "without", "mustWithout", |n, a| {
        arity_min(n, a, 1)?;
        let items = slice_items(&a[0], |k| format!("Cannot find without on type {k}"))?;
        let omit = &a[1..];
        Ok(Value::list(
            items.into_iter().filter(|v| !omit.contains(v)).collect(),
        ))
    });
    both(f, "has", "mustHas", |n, a| {
        arity(n, a, 2)?;
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let items = slice_items(&a[1], |k| format!("Cannot find has on type {k}"))?;
        Ok(Value::Bool(items.contains(&a[0])))
    });
    both(f, "slice", "mustSlice", |n, a| {
        arity_min(n, a, 1)?;
        let items = slice_items(&a[0], |k| {
            format!("list should be type of slice or array but {k}")
        })?;
        if items.is_empty() {
            return Ok(Value::Nil);
        }
        let len = items.len() as i64;
        let start = a.get(1).map(to_int64).unwrap_or(0);
        let end = if a.len() < 3 { len } else { to_int64(&a[2]) };
        if start < 0 || end < start || end > len {
            return Err(FuncError::new(
                "reflect.Value.Slice: slice index out of bounds",
            ));
        }
        let (lo, hi) = (start as usize, end as usize);
        // reflect's Slice keeps the slice type (`slice (until 5) 1` is `[]int`,
        // a slice of `.Files.GetBytes` stays `[]uint8`).
        if let Value::Bytes(b) = &*a[0].reflected() {
            return Ok(Value::Bytes(b[lo..hi].into()));
        }
        let elem = a[0].as_list().map(List::elem).unwrap_or_default();
        Ok(Value::List(List::typed(items[lo..hi].to_vec(), elem)))
    });
    both(f, "chunk", "mustChunk", |n, a| {
        arity(n, a, 2)?;
        let size = args::int(&a[0])?;
        let items = slice_items(&a[1], |k| format!("Cannot chunk type {k}"))?;
        let bad_len = || FuncError::new("runtime error: makeslice: len out of range");
        if size > 0 {
            // Sprig returns a `[][]interface {}`, a type of its own for reflection.
            return Ok(Value::List(List::typed(
                items
                    .chunks(size as usize)
                    .map(|c| Value::list(c.to_vec()))
                    .collect(),
                Elem::List,
            )));
        }
        // Sprig's float arithmetic on a size <= 0: `floor((l-1)/size) + 1` chunks
        // (Go's int of an infinite or NaN count is out of range); every chunk but
        // the last has `size` items, a negative length (Go's makeslice panic); the
        // last has `l mod size` items (Go's `math.Mod` keeps the dividend's sign),
        // or `size` when that is 0. So only no chunk, or one chunk of one item
        // (l = 1, size <= -2), gets through.
        let count = ((items.len() as f64 - 1.0) / size as f64).floor() + 1.0;
        if !(0.0..=1.0).contains(&count) {
            return Err(bad_len());
        }
        let mut chunks = Vec::new();
        if count == 1.0 {
            let rem = (items.len() as f64 % size as f64).floor();
            if rem <= 0.0 {
                return Err(bad_len());
            }
            chunks.push(Value::list(items[..rem as usize].to_vec()));
        }
        Ok(Value::List(List::typed(chunks, Elem::List)))
    });
    f.add("until", |a| {
        arity("until", a, 1)?;
        let count = args::int(&a[0])?;
        let step = if count < 0 { -1 } else { 1 };
        Ok(int_list(until_step("until", 0, count, step)?))
    });
    f.add("untilStep", |a| {
        arity("untilStep", a, 3)?;
        let (start, stop, step) = (args::int(&a[0])?, args::int(&a[1])?, args::int(&a[2])?);
        Ok(int_list(until_step("untilStep", start, stop, step)?))
    });
    f.add("seq", |a| {
        let params = a.iter().map(args::int).collect::<Result<Vec<_>, _>>()?;
        Ok(Value::from(seq(&params)?))
    });
}

fn bound(name: &str, n: usize) -> Result<(), FuncError> {
    if n > MAX_LIST_ITEMS {
        return Err(too_large(name, "list length", n));
    }
    Ok(())
}

/// A Go `[]int` (`until`, `untilStep`).
fn int_list(v: Vec<i64>) -> Value {
    Value::List(List::typed(
        v.into_iter().map(Value::Int).collect(),
        Elem::Int,
    ))
}

/// Sprig's `untilStep`: [start, stop) by step; an empty list when step points away.
fn until_step(name: &str, start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        (i128::from(start) - i128::from(stop) + i128::from(-step) - 1) / i128::from(-step)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        (i128::from(stop) - i128::from(start) + i128::from(step) - 1) / i128::from(step)
    };
    if count > MAX_LIST_ITEMS as i128 {
        return Err(too_large(name, "list length", count));
    }
    Ok((0..count as i64).map(|i| start + i * step).collect())
}

/// Sprig's `seq`, like the Unix command: `seq END`, `seq START END`, `seq START STEP END`.
fn seq(params: &[i64]) -> Result<String, FuncError> {
    let list = match params {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            until_step("seq", 1, end + inc, inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step("seq", *start, end + step, step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(String::new());
                }
            }
            until_step("seq", *start, end + inc, *step)?
        }
        _ => return Ok(String::new()),
    };
    Ok(list
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    /// A template-built `[]interface{}` of ints.
    fn ints(v: &[i64]) -> Value {
        Value::list(v.iter().copied().map(Value::Int).collect())
    }

    #[test]
    fn list_building() {
        let l = ints(&[1, 2, 3]);
        assert_eq!(
            call("append", &[l.clone(), Value::Int(4)]),
            ints(&[1, 2, 3, 4])
        );
        assert_eq!(l, ints(&[1, 2, 3]), "append must not mutate its input");
        assert_eq!(
            call("prepend", &[l.clone(), Value::Int(0)]),
            ints(&[0, 1, 2, 3])
        );
        assert_eq!(
            call("concat", &[l.clone(), ints(&[4]), ints(&[])]),
            ints(&[1, 2, 3, 4])
        );
        assert_eq!(call("first", std::slice::from_ref(&l)), Value::Int(1));
        assert_eq!(call("last", std::slice::from_ref(&l)), Value::Int(3));
        assert_eq!(call("rest", std::slice::from_ref(&l)), ints(&[2, 3]));
        assert_eq!(call("initial", std::slice::from_ref(&l)), ints(&[1, 2]));
        assert_eq!(call("first", &[ints(&[])]), Value::Nil);
        // Of an empty list, a nil slice in Go (JSON `null`), not an empty one.
        for name in ["rest", "initial"] {
            let empty = call(name, &[ints(&[])]);
            assert!(
                matches!(&empty, Value::List(l) if l.is_nil_slice()),
                "{name}"
            );
        }
        assert_eq!(call("reverse", std::slice::from_ref(&l)), ints(&[3, 2, 1]));
        assert_eq!(call("uniq", &[ints(&[1, 1, 2, 1])]), ints(&[1, 2]));
        assert_eq!(
            call("without", &[l.clone(), Value::Int(2), Value::Int(9)]),
            ints(&[1, 3])
        );
        assert_eq!(call("has", &[Value::Int(2), l.clone()]), Value::Bool(true));
        assert_eq!(
            call("has", &[Value::Int(2), Value::Nil]),
            Value::Bool(false)
        );
        assert_eq!(call("slice", &[l.clone(), Value::Int(1)]), ints(&[2, 3]));
        assert_eq!(
            call("slice", &[l.clone(), Value::Int(1), Value::Int(2)]),
            ints(&[2])
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "slice",
                &[l.clone(), Value::Int(2), Value::Int(9)]
            )
            .is_err()
        );
        let c = call(
            "compact",
            &[Value::list(vec![
                Value::Int(0),
                "".into(),
                "a".into(),
                Value::Nil,
                Value::Bool(false),
            ])],
        );
        assert_eq!(c, Value::list(vec!["a".into()]));
        let chunks = call("chunk", &[Value::Int(2), ints(&[1, 2, 3])]);
        assert_eq!(
            chunks,
            Value::List(List::typed(vec![ints(&[1, 2]), ints(&[3])], Elem::List))
        );
        // `[][]interface {}` is its own type: not deeply equal to a list of lists.
        assert_eq!(chunks.type_name(), "[][]interface {}");
        assert_ne!(chunks, Value::list(vec![ints(&[1, 2]), ints(&[3])]));
        let err = try_call(
            &crate::sprig::funcs(),
            "append",
            &["x".into(), Value::Int(1)],
        )
        .unwrap_err();
        assert_eq!(err.message, "Cannot push on type string");
        let err = try_call(&crate::sprig::funcs(), "first", &[Value::Nil]).unwrap_err();
        assert!(err.message.contains("nil pointer"));
    }

    #[test]
    fn ranges() {
        let u = call("until", &[Value::Int(2)]);
        assert_eq!(u.type_name(), "[]int");
        assert_ne!(
            u,
            ints(&[0, 1]),
            "[]int is not deep-equal to []interface{{}}"
        );
        let s = call("slice", &[u.clone(), Value::Int(1)]);
        assert_eq!(s.type_name(), "[]int", "Sprig's slice keeps the slice type");
        assert_eq!(call("rest", &[u]).type_name(), "[]interface {}");
        assert_eq!(call("until", &[Value::Int(3)]), int_list(vec![0, 1, 2]));
        assert_eq!(call("until", &[Value::Int(-3)]), int_list(vec![0, -1, -2]));
        assert_eq!(
            call("untilStep", &[Value::Int(3), Value::Int(6), Value::Int(2)]),
            int_list(vec![3, 5])
        );
        assert_eq!(
            call("untilStep", &[Value::Int(3), Value::Int(6), Value::Int(-2)]),
            int_list(vec![])
        );
        assert_eq!(call("seq", &[Value::Int(5)]), Value::str("1 2 3 4 5"));
        assert_eq!(call("seq", &[Value::Int(-3)]), Value::str("1 0 -1 -2 -3"));
        assert_eq!(
            call("seq", &[Value::Int(0), Value::Int(2)]),
            Value::str("0 1 2")
        );
        assert_eq!(
            call("seq", &[Value::Int(2), Value::Int(-2)]),
            Value::str("2 1 0 -1 -2")
        );
        assert_eq!(
            call("seq", &[Value::Int(0), Value::Int(3), Value::Int(10)]),
            Value::str("0 3 6 9")
        );
        assert_eq!(
            call("seq", &[Value::Int(10), Value::Int(-3), Value::Int(0)]),
            Value::str("10 7 4 1")
        );
        assert_eq!(
            call("seq", &[Value::Int(10), Value::Int(3), Value::Int(0)]),
            Value::str("")
        );
        let err = try_call(&crate::sprig::funcs(), "until", &[Value::Int(1 << 40)]).unwrap_err();
        assert!(err.message.contains("limit"));
    }
}
