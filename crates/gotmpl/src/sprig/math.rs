//! Numeric functions (Sprig's numeric.go and functions.go arithmetic). Integer math
//! goes through cast.ToInt64 and returns Go `int64` with Go's wrapping; `atoi`,
//! `int` and `randInt` return Go `int`, `int64` and `toDecimal` `int64`; the `*f` family
//! works in shopspring/decimal, so `addf 1.1 2.2` is 3.3, not 3.3000000000000003.

use rand::Rng;

use crate::func::{FuncError, FuncMap};
use crate::value::Value;

use super::args::{self, arity, arity_min};
use super::conv::{go_v, to_float64, to_int64};

fn divide_by_zero() -> FuncError {
    FuncError::new("runtime error: integer divide by zero")
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("atoi", |a| {
        arity("atoi", a, 1)?;
        Ok(Value::Int(go_atoi(args::string(&a[0])?).unwrap_or(0)))
    });
    f.add("int", |a| {
        arity("int", a, 1)?;
        Ok(Value::Int(to_int64(&a[0])))
    });
    f.add("int64", |a| {
        arity("int64", a, 1)?;
        Ok(Value::Int64(to_int64(&a[0])))
    });
    f.add("float64", |a| {
        arity("float64", a, 1)?;
        Ok(Value::Float(to_float64(&a[0])))
    });
    f.add("toDecimal", |a| {
        arity("toDecimal", a, 1)?;
        Ok(Value::Int64(parse_octal(&go_v(&a[0])).unwrap_or(0)))
    });
    f.add("add1", |a| {
        arity("add1", a, 1)?;
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    f.add("add", |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
        ))
    });
    f.add("sub", |a| {
        arity("sub", a, 2)?;
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    f.add("div", |a| {
        arity("div", a, 2)?;
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    f.add("mod", |a| {
        arity("mod", a, 2)?;
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    f.add("mul", |a| {
        arity_min("mul", a, 1)?;
        Ok(Value::Int64(
            a[1..]
                .iter()
                .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v))),
        ))
    });
    for name in ["max", "biggest"] {
        f.add(name, move |a| {
            arity_min(name, a, 1)?;
            Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
        });
    }
    f.add("min", |a| {
        arity_min("min", a, 1)?;
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
    f.add("maxf", |a| {
        arity_min("maxf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, v| go_max(acc, to_float64(v))),
        ))
    });
    f.add("minf", |a| {
        arity_min("minf", a, 1)?;
        Ok(Value::Float(
            a[1..]
                .iter()
                .fold(to_float64(&a[0]), |acc, v| go_min(acc, to_float64(v))),
        ))
    });
    f.add("randInt", |a| {
        arity("randInt", a, 2)?;
        let (lo, hi) = (args::int(&a[0])?, args::int(&a[1])?);
        let n = hi.wrapping_sub(lo);
        if n <= 0 {
            return Err(FuncError::new("invalid argument to Intn"));
        }
        Ok(Value::Int(rand::rng().random_range(0..n) + lo))
    });
    f.add("floor", |a| {
        arity("floor", a, 1)?;
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    f.add("ceil", |a| {
        arity("ceil", a, 1)?;
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    f.add("round", |a| {
        arity_min("round", a, 2)?;
        let places = args::int(&a[1])?;
        let round_on = match a.get(2) {
            Some(v) => args::float(v)?,
            None => 0.5,
        };
        Ok(Value::Float(round(to_float64(&a[0]), places, round_on)))
    });
    f.add("add1f", |a| {
        arity("add1f", a, 1)?;
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    f.add("addf", |a| decimal_op(&Value::Float(0.0), a, Op::Add));
    for (name, op) in [("subf", Op::Sub), ("mulf", Op::Mul), ("divf", Op::Div)] {
        f.add(name, move |a| {
            arity_min(name, a, 1)?;
            decimal_op(&a[0], &a[1..], op)
        });
    }
}

/// `math.Max`: NaN wins, and +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b && a == 0.0 {
        if a.is_sign_positive() { a } else { b }
    } else {
        a.max(b)
    }
}

/// `math.Min`: NaN wins, and -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b && a == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else {
        a.min(b)
    }
}

/// `strconv.Atoi`: optional sign and decimal digits only.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Out of range, strconv returns the nearest int64 with its error, and Sprig
    // keeps the value.
    Some(s.parse::<i64>().unwrap_or(if s.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    }))
}

/// `strconv.ParseInt(s, 8, 64)`: optional sign and octal digits, no prefix.
fn parse_octal(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    let mag = i128::from_str_radix(digits, 8).ok()?;
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// Sprig's `round`: round half (or at `round_on`) away from floor at `places` decimals.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * val;
    let frac = digit.fract();
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// A decimal `mant × 10^exp` (shopspring/decimal's value model, bounded to i128).
#[derive(Clone, Copy, Debug)]
struct Dec {
    mant: i128,
    exp: i32,
}

impl Dec {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to `f`.
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Dec { mant: 0, exp: 0 });
        }
        let s = format!("{:e}", f);
        let (m, e) = s.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let (int_part, frac) = m.split_once('.').unwrap_or((m, ""));
        let mant: i128 = format!("{int_part}{frac}").parse().ok()?;
        Some(Dec {
            mant,
            exp: e - frac.len() as i32,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mant, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Both operands at the smaller exponent, if that fits.
    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let exp = a.exp.min(b.exp);
        let scale = |d: Dec| -> Option<i128> {
            let shift = u32::try_from(d.exp - exp).ok()?;
            d.mant.checked_mul(10i128.checked_pow(shift)?)
        };
        Some((scale(a)?, scale(b)?, exp))
    }

    fn apply(self, op: Op, other: Dec) -> Result<Option<Dec>, FuncError> {
        Ok(match op {
            Op::Add => Dec::align(self, other).and_then(|(a, b, exp)| {
                Some(Dec {
                    mant: a.checked_add(b)?,
                    exp,
                })
            }),
            Op::Sub => Dec::align(self, other).and_then(|(a, b, exp)| {
                Some(Dec {
                    mant: a.checked_sub(b)?,
                    exp,
                })
            }),
            Op::Mul => self.mant.checked_mul(other.mant).map(|mant| Dec {
                mant,
                exp: self.exp + other.exp,
            }),
            Op::Div => {
                if other.mant == 0 {
                    return Err(FuncError::new("decimal division by 0"));
                }
                // decimal.Div rounds to 16 places after the point, half away from zero.
                let shift = self.exp - other.exp + 16;
                let num = if shift >= 0 {
                    10i128
                        .checked_pow(shift as u32)
                        .and_then(|p| self.mant.checked_mul(p))
                } else {
                    10i128.checked_pow((-shift) as u32).map(|p| self.mant / p)
                };
                num.map(|n| {
                    let q = n / other.mant;
                    let r = n % other.mant;
                    let q = if 2 * r.abs() >= other.mant.abs() {
                        q + if (n < 0) != (other.mant < 0) { -1 } else { 1 }
                    } else {
                        q
                    };
                    Dec { mant: q, exp: -16 }
                })
            }
        })
    }
}

fn float_op(op: Op, a: f64, b: f64) -> Result<f64, FuncError> {
    Ok(match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => {
            if b == 0.0 {
                return Err(FuncError::new("decimal division by 0"));
            }
            a / b
        }
    })
}

/// Sprig's `execDecimalOp`: fold the operands with `op` in decimal arithmetic and
/// return the nearest float64. Values beyond i128 decimal range fall back to floats.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<Value, FuncError> {
    // shopspring/decimal's NewFromFloat panics on what has no decimal form.
    let decimal_operand = |v: &Value| {
        let x = to_float64(v);
        if x.is_finite() {
            Ok(x)
        } else {
            Err(FuncError::new(format!(
                "Cannot create a Decimal from {}",
                crate::gofmt::format_value(&Value::Float(x))
            )))
        }
    };
    let mut acc_f = decimal_operand(first)?;
    let mut acc = Dec::from_f64(acc_f);
    for v in rest {
        let x = decimal_operand(v)?;
        let next = match (acc, Dec::from_f64(x)) {
            (Some(a), Some(b)) => a.apply(op, b)?,
            _ => None,
        };
        match next {
            Some(d) => {
                acc_f = d.to_f64();
                acc = Some(d);
            }
            None => {
                acc_f = float_op(op, acc_f, x)?;
                acc = Dec::from_f64(acc_f);
            }
        }
    }
    Ok(Value::Float(acc_f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    #[test]
    fn integer_math_uses_cast() {
        assert_eq!(
            call("add", &[Value::Int(1), "2".into(), Value::Float(3.9)]),
            Value::Int64(6)
        );
        assert_eq!(call("add", &[]), Value::Int64(0));
        assert_eq!(call("add1", &["41".into()]), Value::Int64(42));
        assert_eq!(
            call("sub", &[Value::Int(1), Value::Int(3)]),
            Value::Int64(-2)
        );
        assert_eq!(
            call("div", &[Value::Int(7), Value::Int(2)]),
            Value::Int64(3)
        );
        assert_eq!(
            call("div", &[Value::Int(-7), Value::Int(2)]),
            Value::Int64(-3)
        );
        assert_eq!(
            call("mod", &[Value::Int(-7), Value::Int(3)]),
            Value::Int64(-1)
        );
        assert_eq!(
            call("mul", &[Value::Int(2), Value::Int(3), Value::Int(4)]),
            Value::Int64(24)
        );
        assert_eq!(
            call("max", &[Value::Int(1), Value::Int(5), "3".into()]),
            Value::Int64(5)
        );
        assert_eq!(
            call("min", &[Value::Int(1), Value::Int(-5)]),
            Value::Int64(-5)
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "div",
                &[Value::Int(1), Value::Int(0)]
            )
            .is_err()
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(call("atoi", &["42".into()]), Value::Int(42));
        assert_eq!(call("atoi", &["x".into()]), Value::Int(0));
        assert_eq!(call("atoi", &["0x10".into()]), Value::Int(0));
        assert_eq!(
            call("atoi", &["99999999999999999999".into()]),
            Value::Int(i64::MAX)
        );
        assert_eq!(
            call("atoi", &["-99999999999999999999".into()]),
            Value::Int(i64::MIN)
        );
        assert_eq!(call("int", &["5.".into()]), Value::Int(0));
        assert_eq!(call("int", &["5.00".into()]), Value::Int(5));
        assert_eq!(call("float64", &["0x1F".into()]), Value::Float(0.0));
        assert_eq!(
            call("float64", &["0x_1p-1074".into()]),
            Value::Float(5e-324)
        );
        assert_eq!(call("float64", &["1_0.5".into()]), Value::Float(10.5));
        assert_eq!(
            call("float64", &["1.7976931348623159e308".into()]),
            Value::Float(0.0)
        );
        assert!(try_call(&crate::sprig::funcs(), "addf", &["inf".into()]).is_err());
        assert_eq!(call("int", &["0x10".into()]), Value::Int(16));
        assert_eq!(call("int64", &[Value::Float(2.7)]), Value::Int64(2));
        assert_eq!(call("float64", &["1.5".into()]), Value::Float(1.5));
        assert_eq!(call("toDecimal", &["0777".into()]), Value::Int64(511));
        assert_eq!(call("toDecimal", &[Value::Int(777)]), Value::Int64(511));
        assert_eq!(call("toDecimal", &["9".into()]), Value::Int64(0));
    }

    #[test]
    fn float_math_is_decimal() {
        assert_eq!(
            call("addf", &[Value::Float(1.1), Value::Float(2.2)]),
            Value::Float(3.3)
        );
        assert_eq!(call("add1f", &[Value::Float(1.1)]), Value::Float(2.1));
        assert_eq!(
            call("subf", &[Value::Float(1.5), Value::Int(1)]),
            Value::Float(0.5)
        );
        assert_eq!(
            call("mulf", &[Value::Float(1.1), Value::Int(3)]),
            Value::Float(3.3)
        );
        assert_eq!(
            call("divf", &[Value::Int(10), Value::Int(3)]),
            Value::Float(3.3333333333333335)
        );
        assert_eq!(
            call("divf", &[Value::Int(1), Value::Int(3)]),
            Value::Float(0.3333333333333333)
        );
        assert_eq!(
            call("maxf", &[Value::Float(1.5), Value::Int(2)]),
            Value::Float(2.0)
        );
        assert_eq!(
            call("minf", &[Value::Float(1.5), Value::Int(2)]),
            Value::Float(1.5)
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "divf",
                &[Value::Int(1), Value::Int(0)]
            )
            .is_err()
        );
    }

    #[test]
    fn rounding() {
        assert_eq!(
            call("round", &[Value::Float(123.5555), Value::Int(3)]),
            Value::Float(123.556)
        );
        assert_eq!(
            call("round", &[Value::Float(123.5555), Value::Int(0)]),
            Value::Float(124.0)
        );
        assert_eq!(
            call(
                "round",
                &[Value::Float(123.49), Value::Int(0), Value::Float(0.4)]
            ),
            Value::Float(124.0)
        );
        assert_eq!(call("floor", &["1.7".into()]), Value::Float(1.0));
        assert_eq!(call("ceil", &[Value::Int(1)]), Value::Float(1.0));
    }

    #[test]
    fn rand_int_in_range() {
        for _ in 0..50 {
            let Value::Int(v) = call("randInt", &[Value::Int(5), Value::Int(8)]) else {
                panic!()
            };
            assert!((5..8).contains(&v));
        }
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "randInt",
                &[Value::Int(5), Value::Int(5)]
            )
            .is_err()
        );
    }
}
