//! Go's `fmt` printing rules for template values: `Sprint`, `Sprintln`, `Sprintf`.
//!
//! Templates print through `fmt`, and charts depend on its exact output (`1e+06` for a
//! YAML number, `%!d(float64=3)` when `printf "%d"` meets a float, `map[a:1 b:2]`).
//! Values here are the dynamic [`Value`]s, so Go's static types map as follows:
//! `Int` is `int`, `Float` is `float64`, `List` is `[]interface {}`, `Map` is
//! `map[string]interface {}`, `Bytes` is `[]uint8`, `Nil` is the nil interface.

use crate::gostring::GoStringBuf;
use crate::stack::{ContainerPath, grow};
use crate::value::Value;

/// `fmt.Sprint`: operands are printed with `%v`; a space is added between two
/// operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    sprint_go(args).into_text()
}

/// `fmt.Sprint` as Go has it: a string's bytes are copied as they are.
pub fn sprint_go(args: &[Value]) -> GoStringBuf {
    let mut out = GoStringBuf::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_) | Value::RawString(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_value(&mut out, arg, 'v', &Spec::default(), 0);
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands printed with `%v`, always space-separated, newline at the end.
pub fn sprintln(args: &[Value]) -> String {
    sprintln_go(args).into_text()
}

/// `fmt.Sprintln` as Go has it: a string's bytes are copied as they are.
pub fn sprintln_go(args: &[Value]) -> GoStringBuf {
    let mut out = GoStringBuf::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_value(&mut out, arg, 'v', &Spec::default(), 0);
    }
    out.push('\n');
    out
}

/// The `%v` form of one value (`fmt.Sprint(v)` for a single operand).
pub fn format_value(v: &Value) -> String {
    let mut out = GoStringBuf::new();
    write_value(&mut out, v, 'v', &Spec::default(), 0);
    out.into_text()
}

/// Go's type name for a value as `fmt` shows it in `%T` and bad-verb reports.
pub fn go_type_name(v: &Value) -> String {
    v.type_name()
}

/// Formatting flags, width and precision of one verb.
#[derive(Clone, Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    sprintf_go(format, args).into_text()
}

/// `fmt.Sprintf` as Go has it: `%s` and `%v` copy a string's bytes as they are.
pub fn sprintf_go(format: &str, args: &[Value]) -> GoStringBuf {
    let mut out = GoStringBuf::with_capacity(format.len() + 8 * args.len());
    let bytes = format.as_bytes();
    let mut i = 0;
    let mut arg_num = 0usize;
    let mut reordered = false;
    let end = bytes.len();
    while i < end {
        // Copy literal text up to the next '%'.
        let lit_start = i;
        while i < end && bytes[i] != b'%' {
            i += 1;
        }
        if i > lit_start {
            out.push_str(&format[lit_start..i]);
        }
        if i >= end {
            break;
        }
        i += 1; // skip '%'
        let mut spec = Spec::default();
        // Flags.
        while i < end {
            match bytes[i] {
                b'#' => spec.sharp = true,
                b'0' => spec.zero = !spec.minus,
                b'+' => spec.plus = true,
                b'-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index, then width.
        let mut good_arg_num = true;
        let (ni, na, ok, found) = arg_index(format, i, arg_num, args.len());
        i = ni;
        arg_num = na;
        if found {
            reordered = true;
        }
        good_arg_num &= ok;
        if i < end && bytes[i] == b'*' {
            i += 1;
            match args.get(arg_num) {
                Some(Value::Int(n) | Value::Int64(n)) => {
                    if *n < 0 {
                        spec.minus = true;
                        spec.zero = false;
                    }
                    let w = n.unsigned_abs();
                    if w > 1_000_000 {
                        out.push_str("%!(BADWIDTH)");
                    } else {
                        spec.width = Some(w as usize);
                    }
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            arg_num += 1;
        } else {
            let (w, ni) = parse_num(bytes, i);
            if ni > i {
                spec.width = w;
                if w.is_none() {
                    out.push_str("%!(BADWIDTH)");
                }
                if found {
                    // "%[3]2d": an index before the width is not allowed to be followed by one.
                    good_arg_num = false;
                }
            }
            i = ni;
        }
        // Precision.
        if i < end && bytes[i] == b'.' {
            i += 1;
            if found {
                good_arg_num = false;
            }
            let (ni, na, ok, f2) = arg_index(format, i, arg_num, args.len());
            i = ni;
            arg_num = na;
            good_arg_num &= ok;
            if f2 {
                reordered = true;
            }
            if i < end && bytes[i] == b'*' {
                i += 1;
                match args.get(arg_num) {
                    Some(Value::Int(n) | Value::Int64(n)) if *n >= 0 && *n <= 1_000_000 => {
                        spec.prec = Some(*n as usize)
                    }
                    _ => out.push_str("%!(BADPREC)"),
                }
                arg_num += 1;
            } else {
                let (p, ni) = parse_num(bytes, i);
                spec.prec = Some(p.unwrap_or(0));
                i = ni;
            }
        }
        let (ni, na, ok, f3) = arg_index(format, i, arg_num, args.len());
        i = ni;
        arg_num = na;
        good_arg_num &= ok;
        if f3 {
            reordered = true;
        }
        if i >= end {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = match format[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg_num {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(BADINDEX)");
            continue;
        }
        if arg_num >= args.len() {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(MISSING)");
            continue;
        }
        let arg = &args[arg_num];
        arg_num += 1;
        if verb == 'T' {
            pad(&mut out, &go_type_name(arg), &spec);
            continue;
        }
        if verb == 'w' {
            // Sprintf treats %w like %v.
            write_value(&mut out, arg, 'v', &spec, 0);
            continue;
        }
        if verb == 'v' {
            // For %v, '+' asks for struct field names, not signs.
            spec.plus = false;
        }
        write_value(&mut out, arg, verb, &spec, 0);
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, arg) in args[arg_num..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if arg.is_nil() {
                out.push_str("<nil>");
            } else {
                out.push_str(&go_type_name(arg));
                out.push('=');
                write_value(&mut out, arg, 'v', &Spec::default(), 0);
            }
        }
        out.push(')');
    }
    out
}

/// Parses `[n]` at `i`. Returns (new position, new arg number, ok, found).
fn arg_index(format: &str, i: usize, arg_num: usize, nargs: usize) -> (usize, usize, bool, bool) {
    let bytes = format.as_bytes();
    if i >= bytes.len() || bytes[i] != b'[' {
        return (i, arg_num, true, false);
    }
    // Find the closing bracket.
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != b']' {
        j += 1;
    }
    if j >= bytes.len() {
        // No closing bracket: Go skips the rest of the verb as bad.
        return (bytes.len(), arg_num, false, true);
    }
    let inner = &format[i + 1..j];
    match inner.parse::<usize>() {
        Ok(n) if n >= 1 && n <= nargs && !inner.starts_with('+') => (j + 1, n - 1, true, true),
        _ => (j + 1, arg_num, false, true),
    }
}

/// Parses a decimal number; `None` means it overflowed Go's limit (1e6).
fn parse_num(bytes: &[u8], mut i: usize) -> (Option<usize>, usize) {
    let mut n: usize = 0;
    let mut ok = true;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        if n > 1_000_000 {
            ok = false;
        } else {
            n = n * 10 + (bytes[i] - b'0') as usize;
        }
        i += 1;
    }
    (if ok { Some(n) } else { None }, i)
}

/// Writes `%!verb(type=value)`; the value keeps the verb's width and precision.
fn bad_verb(out: &mut GoStringBuf, v: &Value, verb: char, spec: &Spec) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if v.is_nil() {
        out.push_str("<nil>");
    } else {
        out.push_str(&go_type_name(v));
        out.push('=');
        write_value(out, v, 'v', spec, 0);
    }
    out.push(')');
}

fn write_value(out: &mut GoStringBuf, v: &Value, verb: char, spec: &Spec, depth: usize) {
    write_value_in(out, v, verb, spec, depth, &mut ContainerPath::new());
}

/// Go prints nested values at any depth. A map or list met again inside itself
/// prints as `map[...]`/`[...]` (Go would recurse until its stack ran out).
fn write_value_in(
    out: &mut GoStringBuf,
    v: &Value,
    verb: char,
    spec: &Spec,
    depth: usize,
    path: &mut ContainerPath,
) {
    if verb == 'v' && spec.sharp {
        let mut s = GoStringBuf::new();
        write_go_syntax(&mut s, v, depth, path);
        pad(out, s.text(), spec);
        return;
    }
    match v {
        Value::Nil => {
            if depth > 0 || verb == 'v' {
                pad(out, "<nil>", spec);
            } else {
                bad_verb(out, v, verb, spec);
            }
        }
        Value::Bool(b) => match verb {
            'v' | 't' => pad(out, if *b { "true" } else { "false" }, spec),
            _ => bad_verb(out, v, verb, spec),
        },
        Value::Int(n) | Value::Int64(n) => fmt_int(out, *n, verb, spec, v),
        Value::Uint8(u) => fmt_integer(out, false, u64::from(*u), verb, spec, v),
        Value::Uint64(u) => fmt_integer(out, false, *u, verb, spec, v),
        Value::Float(f) => {
            // Fast path: %v of a small integral float prints as its integer digits.
            if verb == 'v'
                && spec.width.is_none()
                && spec.prec.is_none()
                && !spec.plus
                && !spec.space
                && f.fract() == 0.0
                && f.abs() < 1e6
                && !(*f == 0.0 && f.is_sign_negative())
            {
                out.push_str(&(*f as i64).to_string());
                return;
            }
            fmt_float(out, *f, verb, spec, v)
        }
        Value::String(s) => fmt_str(out, s.as_bytes(), s, verb, spec, v),
        Value::RawString(r) => fmt_str(out, r.bytes(), r.text(), verb, spec, v),
        Value::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => {
                let s = String::from_utf8_lossy(b);
                fmt_str(out, b, &s, verb, spec, v)
            }
            _ => {
                out.push('[');
                for (k, byte) in b.iter().enumerate() {
                    if k > 0 {
                        out.push(' ');
                    }
                    fmt_integer(
                        out,
                        false,
                        u64::from(*byte),
                        verb,
                        spec,
                        &Value::Uint8(*byte),
                    );
                }
                out.push(']');
            }
        },
        Value::List(l) => {
            if !ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
                out.push_str("[...]");
                return;
            }
            let items = l.to_vec();
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                grow(|| write_value_in(out, item, verb, spec, depth + 1, path));
            }
            out.push(']');
            path.leave();
        }
        Value::Map(m) => {
            if !ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
                out.push_str("map[...]");
                return;
            }
            let entries = m.entries();
            out.push_str("map[");
            for (k, (key, val)) in entries.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                fmt_str(out, key.as_bytes(), key, verb, spec, &Value::str(key));
                out.push(':');
                grow(|| write_value_in(out, val, verb, spec, depth + 1, path));
            }
            out.push(']');
            path.leave();
        }
        // A named integer with a `String` method (`time.Duration`): the string verbs
        // print the method's text, the integer verbs the number.
        Value::Object(o) if let Some(n) = o.go_int() => match verb {
            'v' => pad(out, &o.display(), spec),
            's' | 'q' | 'x' | 'X' => {
                let text = o.display();
                fmt_str(out, text.as_bytes(), &text, verb, spec, v)
            }
            _ => fmt_int(out, n, verb, spec, v),
        },
        // fmt's handleMethods: a `fmt.Stringer` formats its `String` text with the
        // string verbs (quoted by %q, hex by %x, cut by a precision).
        Value::Object(o) if o.go_stringer() && matches!(verb, 'v' | 's' | 'q' | 'x' | 'X') => {
            let text = o.display();
            fmt_str(out, text.as_bytes(), &text, verb, spec, v)
        }
        Value::Object(o) => pad(out, &o.display(), spec),
    }
}

/// `%#v`: a Go-syntax representation.
fn write_go_syntax(out: &mut GoStringBuf, v: &Value, depth: usize, path: &mut ContainerPath) {
    match v {
        Value::Nil => out.push_str(if depth > 0 {
            "interface {}(nil)"
        } else {
            "<nil>"
        }),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Int64(i) => out.push_str(&i.to_string()),
        // Go writes unsigned integers in hex for %#v.
        Value::Uint8(u) => out.push_str(&format!("0x{u:x}")),
        Value::Uint64(u) => out.push_str(&format!("0x{u:x}")),
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(&quote(s)),
        Value::RawString(r) => out.push_str(&quote_bytes_with(r.bytes(), false)),
        Value::Bytes(b) => {
            out.push_str("[]byte{");
            for (k, byte) in b.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("0x{byte:x}"));
            }
            out.push('}');
        }
        Value::List(l) if l.is_nil_slice() => {
            out.push_str(&v.type_name());
            out.push_str("(nil)");
        }
        Value::List(l) => {
            out.push_str(&v.type_name());
            out.push('{');
            if ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
                for (k, item) in l.to_vec().iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    grow(|| write_go_syntax(out, item, depth + 1, path));
                }
                path.leave();
            }
            out.push('}');
        }
        Value::Map(m) if m.is_nil_map() => {
            out.push_str(&v.type_name());
            out.push_str("(nil)");
        }
        Value::Map(m) => {
            out.push_str(&v.type_name());
            out.push('{');
            if ContainerPath::id(v).is_some_and(|id| path.enter(id)) {
                for (k, (key, val)) in m.entries().iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(key));
                    out.push(':');
                    grow(|| write_go_syntax(out, val, depth + 1, path));
                }
                path.leave();
            }
            out.push('}');
        }
        // A named integer (`time.Duration`) has no GoString: its number.
        Value::Object(o) if let Some(n) = o.go_int() => out.push_str(&n.to_string()),
        Value::Object(o) => match o.go_syntax() {
            Some(s) => out.push_str(&s),
            None => out.push_str(&o.display()),
        },
    }
}

/// Pads `s` to the width in `spec` (counting characters, as Go counts runes).
fn pad(out: &mut GoStringBuf, s: &str, spec: &Spec) {
    let width = spec.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        out.push_str(s);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if spec.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.push_str(s);
    }
}

/// Pads a number: zero padding goes after the sign.
fn pad_number(out: &mut GoStringBuf, s: &str, spec: &Spec, zero_ok: bool) {
    let width = spec.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        out.push_str(s);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero && zero_ok {
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') | Some(b'-') | Some(b' ') => s.split_at(1),
            _ => ("", s),
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

fn fmt_int(out: &mut GoStringBuf, n: i64, verb: char, spec: &Spec, v: &Value) {
    fmt_integer(out, n < 0, n.unsigned_abs(), verb, spec, v);
}

/// Go's `fmtInteger` for a signed or unsigned integer, given as sign and magnitude.
fn fmt_integer(out: &mut GoStringBuf, neg: bool, mag: u64, verb: char, spec: &Spec, v: &Value) {
    // The code point for %c/%q/%U (a negative one is invalid).
    let n = if neg {
        -1
    } else {
        i64::try_from(mag).unwrap_or(-1)
    };
    let digits = match verb {
        'v' | 'd' => mag.to_string(),
        'b' => format!("{mag:b}"),
        'o' | 'O' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        'c' => {
            let c = char::from_u32(n as u32).filter(|_| (0..=0x10FFFF).contains(&n));
            pad(out, &c.unwrap_or('\u{FFFD}').to_string(), spec);
            return;
        }
        'q' => {
            let c = char::from_u32(n as u32)
                .filter(|_| (0..=0x10FFFF).contains(&n))
                .unwrap_or('\u{FFFD}');
            pad(out, &quote_rune(c, spec.plus), spec);
            return;
        }
        'U' => {
            let mut s = format!("U+{mag:04X}");
            if spec.sharp
                && let Some(c) = char::from_u32(n as u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            pad(out, &s, spec);
            return;
        }
        _ => {
            bad_verb(out, v, verb, spec);
            return;
        }
    };
    let mut digits = digits;
    if let Some(p) = spec.prec {
        if p == 0 && n == 0 {
            digits.clear();
        } else if digits.len() < p {
            digits = "0".repeat(p - digits.len()) + &digits;
        }
    }
    let mut s = String::new();
    if neg {
        s.push('-');
    } else if spec.plus {
        s.push('+');
    } else if spec.space {
        s.push(' ');
    }
    match verb {
        'b' if spec.sharp => s.push_str("0b"),
        'o' if spec.sharp && !digits.starts_with('0') => s.push('0'),
        'O' => s.push_str("0o"),
        'x' if spec.sharp => s.push_str("0x"),
        'X' if spec.sharp => s.push_str("0X"),
        _ => {}
    }
    s.push_str(&digits);
    pad_number(out, &s, spec, spec.prec.is_none());
}

/// Decimal digits of a float: `digits` without leading zeros and `dp`, the position of
/// the decimal point relative to the first digit (value = 0.digits × 10^dp).
struct Decimal {
    digits: Vec<u8>,
    dp: i32,
}

/// Shortest digits that round-trip (`prec = None`) or `n` significant digits.
fn decimal_digits(f: f64, sig: Option<usize>) -> Decimal {
    let f = f.abs();
    if f == 0.0 {
        return Decimal {
            digits: vec![b'0'],
            dp: 1,
        };
    }
    // Rust's `{:e}` gives the shortest round-trip mantissa; `{:.Ne}` rounds exactly.
    let s = match sig {
        None => format!("{f:e}"),
        Some(n) => format!("{:.*e}", n.saturating_sub(1), f),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    // Trim trailing zeros (Go's decimal type does the same).
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    Decimal {
        digits,
        dp: exp + 1,
    }
}

/// `%e` from digits: d.ddd e±XX with `prec` digits after the point.
fn fmt_e(d: &Decimal, prec: usize, upper: bool) -> String {
    let mut s = String::new();
    s.push(d.digits[0] as char);
    if prec > 0 {
        s.push('.');
        for k in 1..=prec {
            s.push(d.digits.get(k).map(|b| *b as char).unwrap_or('0'));
        }
    }
    s.push(if upper { 'E' } else { 'e' });
    let exp = if d.digits == [b'0'] { 0 } else { d.dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        s.push('0');
    }
    s.push_str(&e.to_string());
    s
}

/// `%f` from digits with `prec` digits after the point.
fn fmt_f(d: &Decimal, prec: usize) -> String {
    let mut s = String::new();
    if d.dp > 0 {
        for k in 0..d.dp as usize {
            s.push(d.digits.get(k).map(|b| *b as char).unwrap_or('0'));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for k in 0..prec as i64 {
            let idx = i64::from(d.dp) + k;
            let c = if idx < 0 {
                '0'
            } else {
                d.digits
                    .get(idx as usize)
                    .map(|b| *b as char)
                    .unwrap_or('0')
            };
            s.push(c);
        }
    }
    s
}

/// strconv.FormatFloat(f, 'g', prec, 64) for the magnitude of `f`.
fn fmt_g(f: f64, prec: Option<usize>, upper: bool) -> String {
    let (d, shortest) = match prec {
        None => (decimal_digits(f, None), true),
        Some(p) => (decimal_digits(f, Some(p.max(1))), false),
    };
    let mut eprec = match prec {
        None => d.digits.len(),
        Some(p) => p.max(1),
    } as i32;
    let nd = d.digits.len() as i32;
    if eprec > nd && nd >= d.dp {
        eprec = nd;
    }
    if shortest {
        eprec = 6;
    }
    let exp = d.dp - 1;
    if exp < -4 || exp >= eprec {
        let p = match prec {
            None => d.digits.len(),
            Some(p) => p.max(1).min(d.digits.len()),
        };
        return fmt_e(&d, p - 1, upper);
    }
    let p = match prec {
        None => d.digits.len() as i32,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > d.dp { nd } else { p }
        }
    };
    fmt_f(&d, (p - d.dp).max(0) as usize)
}

/// strconv.FormatFloat(|f|, 'x', prec, 64): `0x1.8p+01`.
fn fmt_hex_float(f: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    let mut exp = if biased == 0 { 1 - 1023 } else { biased - 1023 };
    if biased != 0 {
        mant |= 1u64 << 52;
    }
    if mant == 0 {
        exp = 0;
    }
    // Put the leading 1 at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec.filter(|p| *p < 15) {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1u64 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1u64 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let digits: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::from(if upper { "0X" } else { "0x" });
    s.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    match prec {
        None if mant != 0 => {
            s.push('.');
            while mant != 0 {
                s.push(digits[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        Some(p) if p > 0 => {
            s.push('.');
            for _ in 0..p {
                s.push(digits[((mant >> 60) & 15) as usize] as char);
                mant <<= 4;
            }
        }
        _ => {}
    }
    s.push(if upper { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        s.push('0');
    }
    s.push_str(&e.to_string());
    s
}

/// strconv.FormatFloat(f, 'g', -1, 64): how `%v` and `print` show a float64.
pub fn format_float_g(f: f64) -> String {
    let mut out = GoStringBuf::new();
    fmt_float(&mut out, f, 'g', &Spec::default(), &Value::Float(f));
    out.into_text()
}

fn fmt_float(out: &mut GoStringBuf, f: f64, verb: char, spec: &Spec, v: &Value) {
    let body = if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        "Inf".to_string()
    } else {
        match verb {
            'v' | 'g' => fmt_g(f, spec.prec, false),
            'G' => fmt_g(f, spec.prec, true),
            'e' | 'E' => {
                let p = spec.prec.unwrap_or(6);
                fmt_e(&decimal_digits(f, Some(p + 1)), p, verb == 'E')
            }
            'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f.abs()),
            'x' | 'X' => fmt_hex_float(f.abs(), spec.prec, verb == 'X'),
            'b' => {
                let bits = f.abs().to_bits();
                let exp = ((bits >> 52) & 0x7ff) as i64;
                let mut mant = bits & ((1u64 << 52) - 1);
                let e = if exp == 0 {
                    1 - 1023 - 52
                } else {
                    mant |= 1u64 << 52;
                    exp - 1023 - 52
                };
                format!("{mant}p{}{}", if e < 0 { '-' } else { '+' }, e.abs())
            }
            _ => {
                bad_verb(out, v, verb, spec);
                return;
            }
        }
    };
    let mut body = body;
    if spec.sharp && !f.is_nan() && !f.is_infinite() && !body.contains('.') {
        // '#' keeps the decimal point.
        match body.find(['e', 'E']) {
            Some(pos) => body.insert(pos, '.'),
            None => body.push('.'),
        }
    }
    let mut s = String::new();
    if f.is_sign_negative() && !f.is_nan() {
        s.push('-');
    } else if spec.plus || (f.is_infinite() && verb == 'v' && !spec.space) {
        // Go prints +Inf for %v.
        s.push('+');
    } else if spec.space {
        s.push(' ');
    }
    s.push_str(&body);
    pad_number(out, &s, spec, f.is_finite());
}

fn fmt_str(out: &mut GoStringBuf, bytes: &[u8], s: &str, verb: char, spec: &Spec, v: &Value) {
    match verb {
        'v' | 's' if bytes != s.as_bytes() => {
            // Go copies the bytes; `s` has one character per invalid byte, as Go's
            // rune count and truncation see them.
            let t = match spec.prec {
                Some(p) => truncate_chars(s, p),
                None => s,
            };
            let kept = go_prefix_bytes(bytes, t.chars().count());
            let mut raw = GoStringBuf::new();
            raw.push_go(kept, t);
            pad_go(out, raw, t.chars().count(), spec);
        }
        'v' | 's' => {
            let t = match spec.prec {
                Some(p) => truncate_chars(s, p),
                None => s,
            };
            pad(out, t, spec);
        }
        'q' => {
            let t = match spec.prec {
                Some(p) => truncate_chars(s, p),
                None => s,
            };
            let q = if spec.sharp && can_backquote(t) {
                format!("`{t}`")
            } else if spec.prec.is_none() && bytes != s.as_bytes() {
                // A string that is not UTF-8: strconv quotes its bytes.
                quote_bytes_with(bytes, spec.plus)
            } else {
                quote_with(t, spec.plus)
            };
            pad(out, &q, spec);
        }
        'x' | 'X' => {
            let b = match spec.prec {
                Some(p) if p < bytes.len() => &bytes[..p],
                _ => bytes,
            };
            let mut h = String::with_capacity(b.len() * 2);
            for (k, byte) in b.iter().enumerate() {
                if spec.space && k > 0 {
                    h.push(' ');
                }
                if spec.sharp && (spec.space || k == 0) {
                    h.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    h.push_str(&format!("{byte:02x}"));
                } else {
                    h.push_str(&format!("{byte:02X}"));
                }
            }
            pad(out, &h, spec);
        }
        _ => bad_verb(out, v, verb, spec),
    }
}

/// The first `n` characters of a Go string's bytes, each invalid byte one character.
fn go_prefix_bytes(bytes: &[u8], n: usize) -> &[u8] {
    let mut at = 0;
    for _ in 0..n {
        let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else {
            break;
        };
        at += match rest.utf8_chunks().next() {
            Some(chunk) if !chunk.valid().is_empty() => {
                chunk.valid().chars().next().map_or(1, char::len_utf8)
            }
            _ => 1,
        };
    }
    &bytes[..at]
}

/// [`pad`] for a piece that may hold raw bytes (`len` characters).
fn pad_go(out: &mut GoStringBuf, piece: GoStringBuf, len: usize, spec: &Spec) {
    let fill = spec.width.unwrap_or(0).saturating_sub(len);
    if spec.minus {
        out.append(piece);
        out.extend(std::iter::repeat_n(' ', fill));
    } else {
        let c = if spec.zero { '0' } else { ' ' };
        out.extend(std::iter::repeat_n(c, fill));
        out.append(piece);
    }
}

fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((idx, _)) => &s[..idx],
        None => s,
    }
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

/// Go's `unicode.IsPrint`.
pub fn is_print(c: char) -> bool {
    crate::gounicode::is_print(c)
}

/// `strconv.QuoteRune` (`%q` of a rune).
pub fn quote_char(c: char) -> String {
    quote_rune(c, false)
}

/// `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s, false)
}

/// `strconv.Quote`, or `strconv.QuoteToASCII` when `ascii`.
fn quote_with(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape_rune(&mut out, c, '"', ascii);
    }
    out.push('"');
    out
}

/// `strconv.Quote` of bytes that need not be UTF-8: each byte that does not start a
/// valid sequence is written as `\xNN`.
fn quote_bytes_with(bytes: &[u8], ascii: bool) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            escape_rune(&mut out, c, '"', ascii);
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

fn quote_rune(c: char, ascii: bool) -> String {
    let mut out = String::from("'");
    escape_rune(&mut out, c, '\'', ascii);
    out.push('\'');
    out
}

/// One character of `strconv.Quote` (or `QuoteToASCII` with `ascii`) inside `quote`s.
pub(crate) fn escape_rune(out: &mut String, c: char, quote: char, ascii: bool) {
    // Fast path: printable ASCII.
    if (' '..='~').contains(&c) && c != quote && c != '\\' {
        out.push(c);
        return;
    }
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::MapInner;

    fn f(format: &str, args: &[Value]) -> String {
        sprintf(format, args)
    }

    #[test]
    fn floats_print_like_strconv_g() {
        let cases = [
            (1e6, "1e+06"),
            (1.5, "1.5"),
            (3e-7, "3e-07"),
            (100000.0, "100000"),
            (123456789.0, "1.23456789e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (3.0, "3"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
            (0.0, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(format_value(&Value::Float(v)), want, "{v}");
        }
    }

    #[test]
    fn float_verbs() {
        assert_eq!(f("%f", &[Value::Float(3.25159)]), "3.251590");
        assert_eq!(f("%.2f", &[Value::Float(2.675)]), "2.67");
        assert_eq!(f("%8.3f|", &[Value::Float(-3.25159)]), "  -3.252|");
        assert_eq!(f("%08.3f", &[Value::Float(-3.25159)]), "-003.252");
        assert_eq!(f("%e", &[Value::Float(1234.5678)]), "1.234568e+03");
        assert_eq!(f("%E", &[Value::Float(0.0)]), "0.000000E+00");
        assert_eq!(f("%g", &[Value::Float(1e21)]), "1e+21");
        assert_eq!(f("%.3g", &[Value::Float(1234.5678)]), "1.23e+03");
        assert_eq!(f("%.3g", &[Value::Float(1.0)]), "1");
        assert_eq!(f("%.10g", &[Value::Float(1234.5678)]), "1234.5678");
        assert_eq!(f("%+.1f", &[Value::Float(2.0)]), "+2.0");
        assert_eq!(f("%d", &[Value::Float(3.0)]), "%!d(float64=3)");
        assert_eq!(f("%5.1f%%", &[Value::Float(99.5)]), " 99.5%");
        assert_eq!(
            f(
                "%x %X %.1x %b",
                &[
                    Value::Float(3.5),
                    Value::Float(3.5),
                    Value::Float(1.0 / 3.0),
                    Value::Float(3.5)
                ]
            ),
            "0x1.cp+01 0X1.CP+01 0x1.5p-02 7881299347898368p-51"
        );
        assert_eq!(f("%x", &[Value::Float(0.0)]), "0x0p+00");
    }

    #[test]
    fn int_verbs() {
        assert_eq!(f("%d", &[Value::Int(-42)]), "-42");
        assert_eq!(
            f(
                "%5d|%-5d|%05d",
                &[Value::Int(42), Value::Int(42), Value::Int(-42)]
            ),
            "   42|42   |-0042"
        );
        assert_eq!(
            f(
                "%x %X %o %b %O",
                &[
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(8),
                    Value::Int(5),
                    Value::Int(8)
                ]
            ),
            "ff FF 10 101 0o10"
        );
        assert_eq!(f("%#x %#o", &[Value::Int(255), Value::Int(8)]), "0xff 010");
        assert_eq!(
            f(
                "%c %q %U",
                &[Value::Int(65), Value::Int(65), Value::Int(0x1F600)]
            ),
            "A 'A' U+1F600"
        );
        assert_eq!(f("%+d % d", &[Value::Int(5), Value::Int(5)]), "+5  5");
        assert_eq!(f("%.3d", &[Value::Int(7)]), "007");
        assert_eq!(f("%s", &[Value::Int(5)]), "%!s(int=5)");
        assert_eq!(f("%f", &[Value::Int(5)]), "%!f(int=5)");
    }

    #[test]
    fn string_verbs() {
        assert_eq!(f("%s-%v", &[Value::str("a"), Value::str("b")]), "a-b");
        assert_eq!(f("%q", &[Value::str("a\"b\n")]), r#""a\"b\n""#);
        assert_eq!(f("%#q", &[Value::str("ab")]), "`ab`");
        assert_eq!(f("%x", &[Value::str("hi")]), "6869");
        assert_eq!(f("% X", &[Value::str("hi")]), "68 69");
        assert_eq!(
            f(
                "%.2s|%5s|%-5s|",
                &[Value::str("héllo"), Value::str("ab"), Value::str("ab")]
            ),
            "hé|   ab|ab   |"
        );
        assert_eq!(f("%d", &[Value::str("x")]), "%!d(string=x)");
        assert_eq!(f("%t", &[Value::Bool(true)]), "true");
    }

    #[test]
    fn missing_extra_and_bad() {
        assert_eq!(f("%s %s", &[Value::str("a")]), "a %!s(MISSING)");
        assert_eq!(
            f("%s", &[Value::str("a"), Value::str("x"), Value::Int(1)]),
            "a%!(EXTRA string=x, int=1)"
        );
        assert_eq!(f("hi", &[Value::Nil]), "hi%!(EXTRA <nil>)");
        assert_eq!(f("%", &[]), "%!(NOVERB)");
        assert_eq!(f("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(f("%v %s", &[Value::Nil, Value::Nil]), "<nil> %!s(<nil>)");
        assert_eq!(f("%[2]s %[1]s", &[Value::str("a"), Value::str("b")]), "b a");
        assert_eq!(f("%[3]s", &[Value::str("a")]), "%!s(BADINDEX)");
        assert_eq!(f("%*d|", &[Value::Int(4), Value::Int(7)]), "   7|");
        assert_eq!(f("%.*f", &[Value::Int(1), Value::Float(2.25)]), "2.2");
        assert_eq!(
            f("%T %T", &[Value::Float(1.0), Value::list(vec![])]),
            "float64 []interface {}"
        );
        assert_eq!(f("100%%", &[]), "100%");
    }

    #[test]
    fn containers() {
        let mut m = MapInner::new();
        m.insert("b".into(), Value::Int(2));
        m.insert("a".into(), Value::Float(1e6));
        let map = Value::map(m);
        assert_eq!(format_value(&map), "map[a:1e+06 b:2]");
        let list = Value::list(vec![
            Value::str("a"),
            Value::Nil,
            Value::Int(3),
            map.clone(),
        ]);
        assert_eq!(format_value(&list), "[a <nil> 3 map[a:1e+06 b:2]]");
        assert_eq!(
            f("%d", &[Value::list(vec![Value::Int(1), Value::Int(2)])]),
            "[1 2]"
        );
        assert_eq!(f("%q", &[Value::list(vec![Value::str("a")])]), r#"["a"]"#);
        assert_eq!(
            format_value(&Value::Bytes(b"hi".to_vec().into())),
            "[104 105]"
        );
        assert_eq!(f("%s", &[Value::Bytes(b"hi".to_vec().into())]), "hi");
        assert_eq!(format_value(&Value::empty_map()), "map[]");
        let l = Value::list(vec![
            Value::str("a"),
            Value::Int(1),
            Value::Nil,
            Value::empty_map(),
        ]);
        assert_eq!(
            f("%#v", &[l]),
            r#"[]interface {}{"a", 1, interface {}(nil), map[string]interface {}{}}"#
        );
        assert_eq!(f("%#v %#v", &[Value::str("x"), Value::Nil]), r#""x" <nil>"#);
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(
            sprint(&[
                Value::str("a"),
                Value::Int(1),
                Value::Int(2),
                Value::str("b")
            ]),
            "a1 2b"
        );
        assert_eq!(sprint(&[Value::Int(1), Value::Nil]), "1 <nil>");
        assert_eq!(sprint(&[Value::str("a"), Value::str("b")]), "ab");
        assert_eq!(sprintln(&[Value::str("a"), Value::str("b")]), "a b\n");
        assert_eq!(sprint(&[]), "");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a\tb\u{1}é😀"), "\"a\\tb\\x01é😀\"");
        assert_eq!(f("%+q", &[Value::str("é")]), "\"\\u00e9\"");
    }
}
