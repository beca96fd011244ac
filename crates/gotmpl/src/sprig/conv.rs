//! Go's value conversions as Sprig uses them: `strval` (fmt `%v`, from the engine's
//! `gofmt`), Go's shortest float formatting for JSON, spf13/cast's
//! `ToInt64`/`ToFloat64`, and `strconv.Quote`.

use crate::value::Value;

use super::timeints::GoCalendarInt;

/// Sprig's `strval`/`toString`: strings as-is, `[]byte` as text, else fmt `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => go_v(other),
    }
}

/// Go's `fmt.Sprint("%v", v)` for a template value (the engine's `fmt`).
pub(crate) fn go_v(v: &Value) -> String {
    crate::gofmt::format_value(v)
}

/// Shortest decimal digits and decimal exponent of a finite, non-zero float:
/// `(digits, exp)` with value = 0.d1d2d3... × 10^exp (Go's `decimal.dp`).
fn shortest_digits(f: f64) -> (String, i32) {
    // Rust's `{:e}` prints the shortest round-trip digits, as Go's strconv does.
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = digits.trim_end_matches('0').to_string();
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits
    };
    (digits, exp + 1)
}

/// Go float formatting in shortest mode. `verb` is 'g' (exponent when exp < -4 or
/// exp >= `eprec`), 'e' or 'f'.
pub(crate) fn format_float(f: f64, verb: char, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    let neg = f.is_sign_negative();
    let sign = if neg { "-" } else { "" };
    if f == 0.0 {
        return match verb {
            'e' => format!("{sign}0e+00"),
            _ => format!("{sign}0"),
        };
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    let use_e = match verb {
        'e' => true,
        'f' => false,
        _ => exp < -4 || exp >= eprec,
    };
    if use_e {
        let mut m = String::new();
        m.push_str(&digits[..1]);
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let (es, ea) = if exp < 0 { ('-', -exp) } else { ('+', exp) };
        format!("{sign}{m}e{es}{ea:02}")
    } else if dp <= 0 {
        format!("{sign}0.{}{}", "0".repeat((-dp) as usize), digits)
    } else if dp as usize >= digits.len() {
        format!("{sign}{}{}", digits, "0".repeat(dp as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(dp as usize);
        format!("{sign}{a}.{b}")
    }
}

/// spf13/cast `ToInt64` (errors become 0): ints, floats truncated, bools 1/0,
/// strings parsed with base prefixes after dropping a zero decimal part, nil 0.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint8(u) => i64::from(*u),
        // cast converts with int64(u), wrapping above i64::MAX.
        Value::Uint64(u) => *u as i64,
        Value::Float(f) => float_to_int(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        other => GoCalendarInt::cast_int(other).unwrap_or(0),
    }
}

/// Go's `int64(f)` conversion; out-of-range values are implementation-defined in Go
/// (amd64 gives i64::MIN), which is what we return.
pub(crate) fn float_to_int(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// spf13/cast `ToFloat64` (errors become 0).
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint8(u) => f64::from(*u),
        Value::Uint64(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        other => GoCalendarInt::cast_int(other).map_or(0.0, |n| n as f64),
    }
}

/// cast's `trimZeroDecimal`: "12.000" → "12" (so it parses as an integer). Read from
/// the end: a dot after at least one zero cuts there ("5." and "1.5" stay, and then
/// fail to parse as integers).
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.bytes().enumerate().rev() {
        match c {
            b'.' if found_zero => return &s[..i],
            b'.' => {}
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// `strconv.ParseInt(s, 0, 64)`: optional sign, `0x`/`0o`/`0b`/leading-`0` octal
/// prefixes, underscores only between digits when a prefix is used.
pub(crate) fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string())
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string())
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string())
    } else {
        (10, lower.clone())
    };
    // Base 0 parsing allows underscores between digits ("1_000", "0x_1f").
    if digits.contains('_') && !underscores_ok(&lower) {
        return None;
    }
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return None;
    }
    let mag = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if mag > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((mag as i64).wrapping_neg())
        }
    } else {
        i64::try_from(mag).ok()
    }
}

/// Go's `underscoreOK`: underscores must separate digits (a base prefix counts as
/// one); any other character just ends a run of digits.
fn underscores_ok(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = '^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'x' | b'o' | b'b') {
        i = 2;
        saw = '0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || hex && c.is_ascii_hexdigit() {
            saw = '0';
        } else if c == b'_' {
            if saw != '0' {
                return false;
            }
            saw = '_';
        } else if saw == '_' {
            return false;
        } else {
            saw = '!';
        }
    }
    saw != '_'
}

/// `strconv.ParseFloat(s, 64)` when it succeeds: decimal and exponent forms, `inf`,
/// `infinity` and `nan` in any case (a sign only before the infinities), hex floats
/// (`0x` mantissa, `p` exponent required), underscores between digits (and after a
/// base prefix). Out of range is an error there (cast then gives 0), underflow is 0.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (neg, body) = match b.first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let sign = if neg { -1.0 } else { 1.0 };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(sign * f64::INFINITY);
    }
    if lower == "nan" {
        // Go reads a sign only before an infinity.
        return (body.len() == s.len()).then_some(f64::NAN);
    }
    let value = match lower.strip_prefix("0x") {
        Some(hex) => parse_hex_float(hex)?,
        None => parse_decimal_float(&lower)?,
    };
    if body.contains('_') && !underscores_ok(body) {
        return None;
    }
    // An overflow is strconv's range error.
    value.is_finite().then_some(sign * value)
}

/// The digits, point and exponent of a decimal float as strconv's `readFloat` takes
/// them (underscores anywhere among the digits here; `underscores_ok` places them).
fn parse_decimal_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let mut digits = 0;
    let mut dots = 0;
    for c in mant.bytes() {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            b'_' => {}
            _ => return None,
        }
    }
    if digits == 0 || dots > 1 {
        return None;
    }
    if let Some(e) = exp {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if !e.starts_with(|c: char| c.is_ascii_digit())
            || !e.bytes().all(|c| c.is_ascii_digit() || c == b'_')
        {
            return None;
        }
    }
    s.replace('_', "").parse::<f64>().ok()
}

/// A hex float's mantissa (after `0x`) and its required binary exponent.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp = exp.replace('_', "");
    let digits = exp.strip_prefix(['+', '-']).unwrap_or(&exp);
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Exponents past any float's reach are clamped, as strconv's readFloat does.
    let exp: i32 = exp.parse::<i64>().map_or(
        if exp.starts_with('-') {
            -100_000
        } else {
            100_000
        },
        |e| e.clamp(-100_000, 100_000) as i32,
    );
    let mant = mant.replace('_', "");
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((&mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    // Scaled in steps: 2^exp itself over- or underflows where the product does not
    // (0x1p-1074 is the smallest subnormal).
    let mut exp = exp;
    while exp != 0 && v != 0.0 && v.is_finite() {
        let step = exp.clamp(-1000, 1000);
        v *= 2f64.powi(step);
        exp -= step;
    }
    Some(v)
}

/// Go's `strconv.Quote`: double-quoted with Go escapes; printable Unicode kept.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_go_quote(&mut out, s);
    out
}

/// [`go_quote`] appended to `out`.
pub(crate) fn push_go_quote(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_quoted_chars(out, s);
    out.push('"');
}

/// `strconv.Quote` of a Go string that is not UTF-8: each byte that does not start
/// a valid sequence is written as `\xNN`.
pub(crate) fn go_quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        push_quoted_chars(&mut out, chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

fn push_quoted_chars(out: &mut String, s: &str) {
    // Runs of printable ASCII other than `"` and `\` are copied whole (config files
    // quoted by `quote` are mostly that); everything else goes character by character.
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .position(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\')
            .map_or(bytes.len(), |n| i + n);
        out.push_str(&s[i..run]);
        i = run;
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        crate::gofmt::escape_rune(out, c, '"', false);
        i += c.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go_v() {
        let format_float_g = |f| format_float(f, 'g', 6);
        assert_eq!(format_float_g(1000000.0), "1e+06");
        assert_eq!(format_float_g(100000.0), "100000");
        assert_eq!(format_float_g(1.5), "1.5");
        assert_eq!(format_float_g(0.0001), "0.0001");
        assert_eq!(format_float_g(0.00001), "1e-05");
        assert_eq!(format_float_g(123456789.0), "1.23456789e+08");
        assert_eq!(format_float_g(-2.0), "-2");
        assert_eq!(format_float_g(3.0), "3");
        assert_eq!(format_float_g(1e21), "1e+21");
        assert_eq!(format_float_g(f64::INFINITY), "+Inf");
    }

    #[test]
    fn go_v_of_collections() {
        let m = Value::map(
            [
                ("b".to_string(), Value::Int(2)),
                (
                    "a".to_string(),
                    Value::list(vec![Value::str("x"), Value::Nil]),
                ),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(go_v(&m), "map[a:[x <nil>] b:2]");
        assert_eq!(go_v(&Value::Bytes(b"hi"[..].into())), "[104 105]");
        assert_eq!(strval(&Value::Bytes(b"hi"[..].into())), "hi");
    }

    #[test]
    fn cast_semantics() {
        assert_eq!(to_int64(&Value::str("42")), 42);
        assert_eq!(to_int64(&Value::str("0x1F")), 31);
        assert_eq!(to_int64(&Value::str("017")), 15);
        assert_eq!(to_int64(&Value::str("12.00")), 12);
        assert_eq!(to_int64(&Value::str("12.5")), 0);
        assert_eq!(to_int64(&Value::str("abc")), 0);
        assert_eq!(to_int64(&Value::Float(3.99)), 3);
        assert_eq!(to_int64(&Value::Float(-3.99)), -3);
        assert_eq!(to_int64(&Value::Bool(true)), 1);
        assert_eq!(to_int64(&Value::Nil), 0);
        assert_eq!(to_float64(&Value::str("1.5e3")), 1500.0);
        assert_eq!(to_float64(&Value::str("x")), 0.0);
        assert_eq!(to_float64(&Value::Int(7)), 7.0);
        assert_eq!(parse_go_int("1_000"), Some(1000));
        assert_eq!(parse_go_int("1__000"), None);
        assert_eq!(parse_go_int("0x_1f"), Some(31));
        assert_eq!(parse_go_int("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn quote_like_strconv() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(go_quote("héllo"), "\"héllo\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
        assert_eq!(go_quote("\u{2028}"), "\"\\u2028\"");
        // Runs of plain ASCII between escapes and non-ASCII characters.
        assert_eq!(
            go_quote("key = v\x7f é\t\"q\"\u{feff}end \\"),
            "\"key = v\\x7f é\\t\\\"q\\\"\\ufeffend \\\\\""
        );
        assert_eq!(go_quote(""), "\"\"");
    }
}
