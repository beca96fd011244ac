//! Go's float formatting, as `strconv.FormatFloat` and `encoding/json` write it.
//!
//! Helm's printed numbers go through these: `toJson` uses encoding/json's rules,
//! `toYaml` re-parses that JSON with go-yaml and prints floats with `'g'` and the
//! shortest precision, and sigs.k8s.io/yaml names float map keys with a 32-bit `'g'`.

/// Shortest decimal digits of a finite, non-zero float and its decimal point position
/// (`0.d1d2... x 10^dp`), as Go's `strconv` computes them.
fn shortest_digits(text_e: &str) -> (String, i32) {
    // `text_e` is Rust's `{:e}` form, e.g. "1.2345e6" or "-3e-7": the shortest
    // round-tripping digits, like Go's shortest mode.
    let unsigned = text_e.trim_start_matches('-');
    let (mantissa, exp) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0').to_string();
    let digits = if digits.is_empty() {
        "0".to_string()
    } else {
        digits
    };
    (digits, exp + 1)
}

fn decompose(f: f64, bits32: bool) -> (bool, String, i32) {
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return (neg, "0".to_string(), 1);
    }
    let text = if bits32 {
        format!("{:e}", f as f32)
    } else {
        format!("{f:e}")
    };
    let (digits, dp) = shortest_digits(&text);
    (neg, digits, dp)
}

/// `%e` with the shortest precision: `d.ddde±XX` (at least two exponent digits).
fn fmt_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let mut chars = digits.chars();
    out.push(chars.next().unwrap_or('0'));
    let rest: String = chars.collect();
    if !rest.is_empty() {
        out.push('.');
        out.push_str(&rest);
    }
    let exp = if digits == "0" { 0 } else { dp - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

/// `%f` with the shortest precision: all significant digits, no exponent.
fn fmt_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let nd = digits.len() as i32;
    if dp <= 0 {
        out.push('0');
        if nd > 0 && digits != "0" {
            out.push('.');
            for _ in 0..(-dp) {
                out.push('0');
            }
            out.push_str(digits);
        }
    } else if dp >= nd {
        out.push_str(digits);
        for _ in 0..(dp - nd) {
            out.push('0');
        }
    } else {
        out.push_str(&digits[..dp as usize]);
        out.push('.');
        out.push_str(&digits[dp as usize..]);
    }
    out
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".to_string())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.to_string())
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` (also what `%v` prints for a float64).
pub fn format_g(f: f64) -> String {
    // Below 1e6 (Go's %e threshold for the shortest form) an integral value prints
    // as its digits.
    if let Some(s) = small_integer(f, 1e6) {
        return s;
    }
    format_g_bits(f, false)
}

/// The digits of an integral `f` with `|f| < limit` (at most 1e15, where every
/// integer is exact), skipping the general shortest-digits search; `None` for
/// anything else, negative zero included (Go prints it `-0`).
fn small_integer(f: f64, limit: f64) -> Option<String> {
    if f.fract() == 0.0 && f.abs() < limit && !(f == 0.0 && f.is_sign_negative()) {
        // Exact: |f| < 1e15 fits i64 without rounding.
        Some((f as i64).to_string())
    } else {
        None
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`.
pub fn format_g32(f: f64) -> String {
    format_g_bits(f, true)
}

fn format_g_bits(f: f64, bits32: bool) -> String {
    if let Some(s) = special(if bits32 { f as f32 as f64 } else { f }) {
        return s;
    }
    let (neg, digits, dp) = decompose(f, bits32);
    let exp = dp - 1;
    // With the shortest precision Go decides with precision 6: %e when the decimal
    // exponent is < -4 or >= 6 (zero has exponent 0).
    if digits != "0" && !(-4..6).contains(&exp) {
        fmt_e(neg, &digits, dp)
    } else {
        fmt_f(neg, &digits, dp)
    }
}

/// How `encoding/json` writes a finite float64: `'f'` for 1e-6 <= |f| < 1e21,
/// otherwise `'e'` with a one-digit negative exponent cleaned up (`1e-07` -> `1e-7`).
pub fn format_json(f: f64) -> String {
    if let Some(s) = small_integer(f, 1e15) {
        return s;
    }
    let abs = f.abs();
    let (neg, digits, dp) = decompose(f, false);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = fmt_e(neg, &digits, dp);
        // e-0X -> e-X, as encoding/json does.
        let bytes = s.as_bytes();
        let n = bytes.len();
        if n >= 4 && bytes[n - 4] == b'e' && bytes[n - 3] == b'-' && bytes[n - 2] == b'0' {
            return format!("{}{}", &s[..n - 2], &s[n - 1..]);
        }
        s
    } else {
        fmt_f(neg, &digits, dp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_fast_path_matches_the_general_one() {
        for f in [
            0.0,
            1.0,
            -1.0,
            80.0,
            5000.0,
            999_999.0,
            1e6,
            -1e6,
            123_456_789.0,
            1e14,
            9.99e14,
        ] {
            assert_eq!(
                small_integer(f, 1e15).unwrap(),
                fmt_f(
                    decompose(f, false).0,
                    &decompose(f, false).1,
                    decompose(f, false).2
                ),
                "{f}"
            );
            if f.abs() < 1e6 {
                assert_eq!(format_g(f), format_g_bits(f, false), "{f}");
            }
        }
        assert_eq!(format_json(-0.0), "-0");
        assert_eq!(format_g(-0.0), format_g_bits(-0.0, false));
        assert_eq!(format_g(1e6), "1e+06");
        assert_eq!(format_json(1e21), "1e+21");
        assert_eq!(format_json(2.5), "2.5");
    }

    #[test]
    fn g_format_matches_go() {
        assert_eq!(format_g(1e6), "1e+06");
        assert_eq!(format_g(100000.0), "100000");
        assert_eq!(format_g(1.5), "1.5");
        assert_eq!(format_g(3e-7), "3e-07");
        assert_eq!(format_g(0.0001), "0.0001");
        assert_eq!(format_g(0.00001), "1e-05");
        assert_eq!(format_g(1234567.5), "1.2345675e+06");
        assert_eq!(format_g(12345678901234567890.0), "1.2345678901234567e+19");
        assert_eq!(format_g(0.0), "0");
        assert_eq!(format_g(-0.0), "-0");
        assert_eq!(format_g(-2.5), "-2.5");
        assert_eq!(format_g(f64::INFINITY), "+Inf");
        assert_eq!(format_g(f64::NAN), "NaN");
    }

    #[test]
    fn g32_format_matches_go() {
        assert_eq!(format_g32(1.5), "1.5");
        assert_eq!(format_g32(0.1), "0.1");
        assert_eq!(format_g32(1.23456789012), "1.2345679");
        assert_eq!(format_g32(1e10), "1e+10");
    }

    #[test]
    fn json_format_matches_encoding_json() {
        assert_eq!(format_json(1e6), "1000000");
        assert_eq!(format_json(3e-7), "3e-7");
        assert_eq!(format_json(1e21), "1e+21");
        assert_eq!(format_json(12345678901234567890.0), "12345678901234567000");
        assert_eq!(format_json(0.000001), "0.000001");
        assert_eq!(format_json(1.5), "1.5");
        assert_eq!(format_json(-0.0), "-0");
        assert_eq!(format_json(0.0), "0");
        assert_eq!(format_json(1.2e-10), "1.2e-10");
    }
}
