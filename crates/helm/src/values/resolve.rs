//! go-yaml v2's scalar resolution (YAML 1.1 flavoured): what type a plain scalar
//! becomes. The loader uses it to type values; the printer uses it to decide
//! whether a string must be quoted so it reads back as a string.

/// The Go value go-yaml v2 produces for a scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    /// `int`/`int64`.
    Int(i64),
    /// `uint64` (positive and beyond int64).
    Uint(u64),
    /// `*big.Int` (beyond 64 bits), already converted to the float64 it becomes in JSON.
    BigInt(f64),
    Float(f64),
    /// A timestamp; into `interface{}` go-yaml v2 keeps the original string.
    Timestamp,
    Str,
    /// The `<<` merge key.
    Merge,
}

pub const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// Resolve a plain (unquoted, untagged) scalar.
pub fn resolve_plain(s: &str) -> Resolved {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        "<<" => return Resolved::Merge,
        _ => {}
    }
    let first = s.as_bytes()[0];
    match first {
        b'.' => match parse_go_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'+' | b'-' | b'0'..=b'9' => resolve_number(s, true),
        _ => Resolved::Str,
    }
}

/// Numbers and timestamps (go-yaml's 'D'/'S' hint branch).
fn resolve_number(s: &str, try_timestamp: bool) -> Resolved {
    if try_timestamp && is_timestamp(s) {
        return Resolved::Timestamp;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Ok(i) = parse_go_int(&plain) {
        return Resolved::Int(i);
    }
    let uint_err = match parse_go_uint(&plain) {
        Ok(u) => return Resolved::Uint(u),
        Err(e) => e,
    };
    if is_yaml_style_float(&plain)
        && let Some(f) = parse_go_float(&plain)
    {
        return Resolved::Float(f);
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Ok(i) = i64::from_str_radix(rest, 2)
            && !rest.starts_with(['+', '-'])
        {
            return Resolved::Int(i);
        }
        if let Ok(u) = u64::from_str_radix(rest, 2)
            && !rest.starts_with(['+', '-'])
        {
            return Resolved::Uint(u);
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && !rest.starts_with(['+', '-'])
        && let Ok(i) = i64::from_str_radix(&format!("-{rest}"), 2)
    {
        return Resolved::Int(i);
    }
    // Out of 64-bit range but a valid integer: *big.Int, which JSON turns into float64.
    if uint_err == IntError::Range
        && let Some(f) = big_int_to_f64(&plain)
    {
        return Resolved::BigInt(f);
    }
    Resolved::Str
}

/// Resolve a scalar carrying an explicit core tag (`!!int "12"`); `None` when go-yaml
/// fails with "cannot decode !!x `v` as a !!y".
pub fn resolve_tagged(tag_suffix: &str, s: &str) -> Option<Resolved> {
    match tag_suffix {
        "str" => Some(Resolved::Str),
        "binary" => Some(Resolved::Str),
        "null" | "bool" | "int" | "float" | "timestamp" => {
            let r = if s.is_empty() {
                Resolved::Null
            } else {
                match resolve_plain(s) {
                    // With an explicit !!timestamp, go-yaml still tries timestamps; for other
                    // tags the number branch skips them.
                    Resolved::Timestamp if tag_suffix != "timestamp" => resolve_number(s, false),
                    other => other,
                }
            };
            let ok = matches!(
                (tag_suffix, &r),
                ("null", Resolved::Null)
                    | ("bool", Resolved::Bool(_))
                    | (
                        "int",
                        Resolved::Int(_) | Resolved::Uint(_) | Resolved::BigInt(_)
                    )
                    | ("float", Resolved::Float(_))
                    | ("timestamp", Resolved::Timestamp)
            );
            if ok {
                return Some(r);
            }
            // !!float accepts integers, converting them.
            if tag_suffix == "float" {
                return match r {
                    Resolved::Int(i) => Some(Resolved::Float(i as f64)),
                    _ => None,
                };
            }
            None
        }
        _ => Some(Resolved::Str),
    }
}

#[derive(Debug, PartialEq, Clone, Copy)]
pub enum IntError {
    Syntax,
    Range,
}

/// Go's `strconv.ParseUint(s, 0, 64)` (without underscores, which the caller removed).
pub fn parse_go_uint(s: &str) -> Result<u64, IntError> {
    if s.is_empty() {
        return Err(IntError::Syntax);
    }
    let (radix, digits) = split_base(s);
    if digits.is_empty() {
        return Err(IntError::Syntax);
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or(IntError::Syntax)?;
        match value
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(d as u64))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
    }
    if overflow {
        Err(IntError::Range)
    } else {
        Ok(value)
    }
}

fn split_base(s: &str) -> (u32, &str) {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b'0' {
        match b[1].to_ascii_lowercase() {
            b'x' => return (16, &s[2..]),
            b'b' => return (2, &s[2..]),
            b'o' => return (8, &s[2..]),
            _ => return (8, &s[1..]),
        }
    }
    (10, s)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub fn parse_go_int(s: &str) -> Result<i64, IntError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let u = parse_go_uint(body)?;
    if neg {
        if u <= (i64::MAX as u64) + 1 {
            Ok((u as i128).wrapping_neg() as i64)
        } else {
            Err(IntError::Range)
        }
    } else if u <= i64::MAX as u64 {
        Ok(u as i64)
    } else {
        Err(IntError::Range)
    }
}

/// A valid (signed, base-prefixed) integer of any size, as the float64 JSON makes of it.
fn big_int_to_f64(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = split_base(body);
    if digits.is_empty() {
        return None;
    }
    let mut f = 0.0f64;
    for c in digits.chars() {
        f = f * radix as f64 + c.to_digit(radix)? as f64;
    }
    if radix == 10 {
        // Decimal: let the float parser round exactly as encoding/json would.
        f = digits.parse::<f64>().ok()?;
    }
    Some(if neg { -f } else { f })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
pub fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms YAML can reach; out of range
/// (infinite) results are errors, as in Go.
pub fn parse_go_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        // Go accepts these words; go-yaml only reaches here for '.'/digit/sign-led text,
        // so a sign-led word like "-inf" is possible.
        if lower.len() - unsigned.len() > 1 {
            return None;
        }
        let neg = lower.starts_with('-');
        return Some(match unsigned {
            "nan" => f64::NAN,
            _ if neg => f64::NEG_INFINITY,
            _ => f64::INFINITY,
        });
    }
    // Only plain decimal syntax: digits, one point, optional exponent.
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut mantissa_digits = 0;
    let mut seen_point = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => mantissa_digits += 1,
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

/// go-yaml's timestamp check: `YYYY-M-D`, optionally followed by a time
/// (`T`/`t` with a zone, or a space without one), as Go's time.Parse accepts them.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i != 4 || i == b.len() || b[i] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut p = Cursor { b, i: 5 };
    let Some(month) = p.num12() else { return false };
    if !p.eat(b'-') {
        return false;
    }
    let Some(day) = p.num12() else { return false };
    if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return false;
    }
    if p.i == b.len() {
        return true;
    }
    let sep = b[p.i];
    if sep != b'T' && sep != b't' && sep != b' ' {
        return false;
    }
    p.i += 1;
    let (Some(h), true, Some(m), true, Some(sec)) =
        (p.num12(), p.eat(b':'), p.num12(), p.eat(b':'), p.num12())
    else {
        return false;
    };
    if h >= 24 || m >= 60 || sec >= 60 {
        return false;
    }
    // Optional fractional seconds.
    if p.i + 1 < b.len() && (b[p.i] == b'.' || b[p.i] == b',') && b[p.i + 1].is_ascii_digit() {
        p.i += 1;
        while p.i < b.len() && b[p.i].is_ascii_digit() {
            p.i += 1;
        }
    }
    if sep == b' ' {
        return p.i == b.len();
    }
    // Z07:00: "Z" or ±hh:mm.
    if p.i < b.len() && b[p.i] == b'Z' {
        return p.i + 1 == b.len();
    }
    let rest = &b[p.i..];
    rest.len() == 6
        && (rest[0] == b'+' || rest[0] == b'-')
        && rest[1].is_ascii_digit()
        && rest[2].is_ascii_digit()
        && rest[3] == b':'
        && rest[4].is_ascii_digit()
        && rest[5].is_ascii_digit()
        && (rest[1] - b'0') * 10 + (rest[2] - b'0') < 24
        && (rest[4] - b'0') * 10 + (rest[5] - b'0') < 60
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// One or two digits (Go's non-fixed getnum).
    fn num12(&mut self) -> Option<u32> {
        let start = self.i;
        while self.i < self.b.len() && self.i - start < 2 && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i])
            .ok()?
            .parse()
            .ok()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.i < self.b.len() && self.b[self.i] == c {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// go-yaml's encoder quotes base-60 floats (`1:20`) for YAML 1.1 readers.
pub fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else { return false };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group.len() {
            1 => true,
            2 => group[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_and_nulls() {
        for s in ["y", "Yes", "ON", "true", "True"] {
            assert_eq!(resolve_plain(s), Resolved::Bool(true), "{s}");
        }
        for s in ["n", "NO", "off", "False"] {
            assert_eq!(resolve_plain(s), Resolved::Bool(false), "{s}");
        }
        for s in ["yEs", "tRUE", "oN"] {
            assert_eq!(resolve_plain(s), Resolved::Str, "{s}");
        }
        for s in ["", "~", "null", "NULL"] {
            assert_eq!(resolve_plain(s), Resolved::Null, "{s}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(resolve_plain("0755"), Resolved::Int(493));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("+1"), Resolved::Int(1));
        assert_eq!(
            resolve_plain("12345678901234567890"),
            Resolved::Uint(12345678901234567890)
        );
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(resolve_plain("-"), Resolved::Str);
        assert!(matches!(
            resolve_plain("0x1FFFFFFFFFFFFFFFFF"),
            Resolved::BigInt(_)
        ));
        assert!(matches!(resolve_plain(".inf"), Resolved::Float(f) if f.is_infinite()));
    }

    #[test]
    fn timestamps() {
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-1-4"), Resolved::Timestamp);
        assert_eq!(
            resolve_plain("2001-12-14T21:59:43.10Z"),
            Resolved::Timestamp
        );
        assert_eq!(
            resolve_plain("2001-12-14t21:59:43+05:00"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-02-30"), Resolved::Str);
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10 -5"), Resolved::Str);
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("190:20:30.15"));
        assert!(!is_base60_float("1:70"));
        assert!(!is_base60_float("a:1"));
    }

    #[test]
    fn tagged() {
        assert_eq!(resolve_tagged("str", "123"), Some(Resolved::Str));
        assert_eq!(resolve_tagged("int", "12"), Some(Resolved::Int(12)));
        assert_eq!(resolve_tagged("float", "1"), Some(Resolved::Float(1.0)));
        assert_eq!(resolve_tagged("int", "abc"), None);
        assert_eq!(resolve_tagged("bool", "yes"), Some(Resolved::Bool(true)));
    }
}
