//! Package time's named integer types that templates reach through `time.Time`:
//! `time.Duration` (`Sub`), `time.Month` (`Month`) and `time.Weekday` (`Weekday`).
//! Each has a `String` method, so templates print text (`24h0m0s`, `March`) and
//! `%d` the number; encoding/json writes the number. goyaml.v3 (`toYamlPretty`)
//! writes a duration's text and the others' numbers. Sprig's casts (spf13/cast)
//! know `Month` and `Weekday` but not `Duration`, which they, like Sprig's type
//! switches (`durationRound`), read as 0.

use std::sync::Arc;

use crate::func::Param;
use crate::value::{Object, Value};

use super::gotime::{LONG_DAYS, LONG_MONTHS, duration_string};

const SECOND: i64 = 1_000_000_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// A `time.Duration` in nanoseconds.
pub(crate) struct GoDuration(pub(crate) i64);

impl GoDuration {
    pub(crate) fn value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// The nanoseconds of a `time.Duration` argument: a duration, or an integer
    /// (a literal converts to the parameter's type in Go templates).
    pub(crate) fn nanos_of(v: &Value) -> Option<i64> {
        match v {
            Value::Object(o) if o.type_name() == "time.Duration" => o.go_int(),
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// Go's `Duration.Round`.
    fn round(self, m: i64) -> i64 {
        let d = self.0;
        if m <= 0 {
            return d;
        }
        let mut r = d % m;
        if d < 0 {
            r = -r;
            if r.saturating_add(r) < m {
                return d + r;
            }
            return d.checked_sub(m - r).unwrap_or(i64::MIN);
        }
        if r.saturating_add(r) < m {
            return d - r;
        }
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }

    /// Go's `Duration.Truncate`.
    fn truncate(self, m: i64) -> i64 {
        if m <= 0 { self.0 } else { self.0 - self.0 % m }
    }
}

/// `whole + part / unit` as Go's `Hours`/`Minutes`/`Seconds` compute it.
fn in_units(d: i64, unit: i64) -> f64 {
    (d / unit) as f64 + (d % unit) as f64 / unit as f64
}

impl Object for GoDuration {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let d = self.0;
        Some(match name {
            "Hours" => Value::Float(in_units(d, HOUR)),
            "Minutes" => Value::Float(in_units(d, MINUTE)),
            "Seconds" => Value::Float(in_units(d, SECOND)),
            "Milliseconds" => Value::Int64(d / 1_000_000),
            "Microseconds" => Value::Int64(d / 1_000),
            "Nanoseconds" => Value::Int64(d),
            "String" => Value::from(duration_string(d)),
            // Go's Abs saturates at the most negative duration.
            "Abs" => GoDuration(d.checked_abs().unwrap_or(i64::MAX)).value(),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if !self.has_method(name) {
            return None;
        }
        let [m] = args else {
            return Some(Err(format!(
                "wrong number of args for {name}: want 1 got {}",
                args.len()
            )));
        };
        let Some(m) = GoDuration::nanos_of(m) else {
            return Some(Err(format!(
                "wrong type for value; expected time.Duration; got {}",
                m.type_name()
            )));
        };
        let d = GoDuration(self.0);
        Some(Ok(GoDuration(match name {
            "Round" => d.round(m),
            _ => d.truncate(m),
        })
        .value()))
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(name, "Round" | "Truncate")
    }

    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        Some(match name {
            "Round" | "Truncate" => &[Param::Duration],
            "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds" | "Nanoseconds"
            | "String" | "Abs" => &[],
            _ => return None,
        })
    }

    fn display(&self) -> String {
        duration_string(self.0)
    }

    fn truthy(&self) -> bool {
        self.0 != 0
    }

    fn kind_name(&self) -> &'static str {
        "int64"
    }

    fn go_int(&self) -> Option<i64> {
        Some(self.0)
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::Int64(self.0))
    }

    fn with_go_int(&self, n: i64) -> Option<Value> {
        Some(GoDuration(n).value())
    }

    fn yaml_v3(&self) -> Option<Value> {
        Some(Value::from(duration_string(self.0)))
    }
}

/// `time.Month` or `time.Weekday`: kind `int`, printed by name.
pub(crate) struct GoCalendarInt {
    type_name: &'static str,
    number: i64,
}

impl GoCalendarInt {
    pub(crate) fn month(number: i64) -> Value {
        Value::Object(Arc::new(GoCalendarInt {
            type_name: "time.Month",
            number,
        }))
    }

    pub(crate) fn weekday(number: i64) -> Value {
        Value::Object(Arc::new(GoCalendarInt {
            type_name: "time.Weekday",
            number,
        }))
    }

    /// Go's `String`: the name, or `%!Month(13)` outside the calendar (`range`
    /// over a month counts from 0).
    fn name(&self) -> String {
        let (names, short): (&[&str], &str) = if self.type_name == "time.Month" {
            (&LONG_MONTHS, "Month")
        } else {
            (&LONG_DAYS, "Weekday")
        };
        let first = i64::from(self.type_name == "time.Month");
        usize::try_from(self.number - first)
            .ok()
            .and_then(|i| names.get(i))
            .map_or_else(|| format!("%!{short}({})", self.number), |n| n.to_string())
    }

    /// spf13/cast's `toInt` special-cases these two types: Sprig's `int`, `add`, ...
    /// see their numbers.
    pub(crate) fn cast_int(v: &Value) -> Option<i64> {
        match v {
            Value::Object(o) if matches!(o.type_name(), "time.Month" | "time.Weekday") => {
                o.go_int()
            }
            _ => None,
        }
    }
}

impl Object for GoCalendarInt {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn field(&self, name: &str) -> Option<Value> {
        (name == "String").then(|| Value::from(self.name()))
    }

    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        (name == "String").then_some(&[])
    }

    fn display(&self) -> String {
        self.name()
    }

    fn truthy(&self) -> bool {
        self.number != 0
    }

    fn kind_name(&self) -> &'static str {
        "int"
    }

    fn go_int(&self) -> Option<i64> {
        Some(self.number)
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::Int(self.number))
    }

    fn with_go_int(&self, n: i64) -> Option<Value> {
        Some(Value::Object(Arc::new(GoCalendarInt {
            type_name: self.type_name,
            number: n,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_weekdays_print_by_name_and_cast_to_numbers() {
        let m = GoCalendarInt::month(3);
        assert_eq!(m.type_name(), "time.Month");
        assert_eq!(
            crate::gofmt::sprintf("%v|%d|%s", &[m.clone(), m.clone(), m.clone()]),
            "March|3|March"
        );
        assert_eq!(GoCalendarInt::cast_int(&m), Some(3));
        let sunday = GoCalendarInt::weekday(0);
        assert_eq!(
            crate::gofmt::sprintf("%v", std::slice::from_ref(&sunday)),
            "Sunday"
        );
        // `range` over a month starts at 0, outside the calendar.
        let zero = GoCalendarInt::month(0);
        assert_eq!(
            crate::gofmt::sprintf("%v|%d", &[zero.clone(), zero]),
            "%!Month(0)|0"
        );
        assert_eq!(
            crate::gofmt::sprintf("%v", &[GoCalendarInt::weekday(7)]),
            "%!Weekday(7)"
        );
        assert!(!sunday.truthy());
        assert_eq!(GoCalendarInt::cast_int(&GoDuration(5).value()), None);
    }

    #[test]
    fn methods_follow_go() {
        let d = GoDuration(HOUR + 30 * MINUTE + 500_000_000);
        assert_eq!(d.display(), "1h30m0.5s");
        assert_eq!(d.field("Hours"), Some(Value::Float(1.0 + 1800.5 / 3600.0)));
        assert_eq!(d.field("Seconds"), Some(Value::Float(5400.5)));
        assert_eq!(d.field("Milliseconds"), Some(Value::Int64(5_400_500)));
        let round = d
            .call_method("Round", &[Value::Int(SECOND)])
            .unwrap()
            .unwrap();
        let Value::Object(r) = round else { panic!() };
        assert_eq!(r.display(), "1h30m1s");
        let trunc = d
            .call_method("Truncate", &[Value::Int(MINUTE)])
            .unwrap()
            .unwrap();
        let Value::Object(t) = trunc else { panic!() };
        assert_eq!(t.go_int(), Some(HOUR + 30 * MINUTE));
        assert_eq!(GoDuration(-7).round(2), -8);
        assert_eq!(
            GoDuration(i64::MIN).field("Abs").map(|a| a.type_name()),
            Some("time.Duration".into())
        );
        assert!(d.call_method("Round", &["x".into()]).unwrap().is_err());
    }
}
