//! Sprig's date functions (date.go) over `gotime`'s Go `time.Time`.

use chrono::Utc;

use crate::func::{FuncError, FuncMap};
use crate::value::Value;

use super::args::{self, arity};
use super::gotime::{GoTime, Loc, duration_string, parse_duration};

/// Sprig's `dateInZone` input: a time, or Unix seconds from an integer; anything
/// else means "now".
fn time_or_now(v: &Value) -> GoTime {
    if let Some(t) = GoTime::from_value(v) {
        return t;
    }
    match v {
        Value::Int(secs) | Value::Int64(secs) => GoTime::from_unix(*secs, Loc::Local),
        _ => GoTime::now(),
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let loc = Loc::load(zone).unwrap_or(Loc::Utc);
    time_or_now(date).in_loc(loc).format(layout)
}

/// A `time.Time` parameter.
fn time_arg(v: &Value) -> Result<GoTime, FuncError> {
    GoTime::from_value(v).ok_or_else(|| {
        if v.is_nil() {
            FuncError::new("invalid value; expected time.Time")
        } else {
            FuncError::new(format!(
                "wrong type for value; expected time.Time; got {}",
                v.type_name()
            ))
        }
    })
}

/// Nanoseconds since `t` (Go's `time.Since`), saturating.
fn since(t: &GoTime) -> i64 {
    (Utc::now() - t.instant)
        .num_nanoseconds()
        .unwrap_or(if t.instant < Utc::now() {
            i64::MAX
        } else {
            i64::MIN
        })
}

/// Go's `Duration.Round(time.Second)`: half away from zero.
fn round_to_second(d: i64) -> i64 {
    let s = 1_000_000_000i64;
    let r = d % s;
    let base = d - r;
    if r.abs() * 2 >= s {
        if d < 0 {
            base.saturating_sub(s)
        } else {
            base.saturating_add(s)
        }
    } else {
        base
    }
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s) of a duration.
fn duration_round(v: &Value) -> String {
    let d: i64 = if let Some(t) = GoTime::from_value(v) {
        since(&t)
    } else {
        match v {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            // Sprig's type switch names `int64` only: a Go `int` is 0.
            Value::Int64(ns) => *ns,
            _ => 0,
        }
    };
    let u = d.unsigned_abs();
    let second = 1_000_000_000u64;
    let minute = 60 * second;
    let hour = 60 * minute;
    let day = 24 * hour;
    let month = 30 * day;
    let year = 365 * day;
    for (unit, suffix) in [
        (year, "y"),
        (month, "mo"),
        (day, "d"),
        (hour, "h"),
        (minute, "m"),
        (second, "s"),
    ] {
        if u > unit {
            return format!("{}{suffix}", u / unit);
        }
    }
    "0s".to_string()
}

pub(super) fn register(f: &mut FuncMap) {
    f.add("now", |a| {
        arity("now", a, 0)?;
        Ok(GoTime::now().value())
    });
    f.add("date", |a| {
        arity("date", a, 2)?;
        Ok(Value::from(date_in_zone(
            args::string(&a[0])?,
            &a[1],
            "Local",
        )))
    });
    for name in ["dateInZone", "date_in_zone"] {
        f.add(name, move |a| {
            arity(name, a, 3)?;
            let layout = args::string(&a[0])?;
            let zone = args::string(&a[2])?;
            Ok(Value::from(date_in_zone(layout, &a[1], zone)))
        });
    }
    f.add("htmlDate", |a| {
        arity("htmlDate", a, 1)?;
        Ok(Value::from(date_in_zone("2006-01-02", &a[0], "Local")))
    });
    f.add("htmlDateInZone", |a| {
        arity("htmlDateInZone", a, 2)?;
        Ok(Value::from(date_in_zone(
            "2006-01-02",
            &a[0],
            args::string(&a[1])?,
        )))
    });
    for (name, must) in [
        ("dateModify", false),
        ("date_modify", false),
        ("mustDateModify", true),
        ("must_date_modify", true),
    ] {
        f.add(name, move |a| {
            arity(name, a, 2)?;
            let spec = args::string(&a[0])?;
            let t = time_arg(&a[1])?;
            match parse_duration(spec) {
                Ok(d) => Ok(GoTime {
                    instant: t.instant + chrono::Duration::nanoseconds(d),
                    loc: t.loc,
                }
                .value()),
                Err(e) if must => Err(FuncError::new(e)),
                Err(_) => Ok(t.value()),
            }
        });
    }
    f.add("ago", |a| {
        arity("ago", a, 1)?;
        let t = match (&a[0], GoTime::from_value(&a[0])) {
            (_, Some(t)) => t,
            (Value::Int(secs) | Value::Int64(secs), None) => GoTime::from_unix(*secs, Loc::Local),
            _ => GoTime::now(),
        };
        Ok(Value::from(duration_string(round_to_second(since(&t)))))
    });
    for (name, must) in [("toDate", false), ("mustToDate", true)] {
        f.add(name, move |a| {
            arity(name, a, 2)?;
            let layout = args::string(&a[0])?;
            let s = args::string(&a[1])?;
            match super::gotime::parse_in(layout, s, &Loc::Local) {
                Ok(t) => Ok(t.value()),
                Err(e) if must => Err(FuncError::new(e)),
                Err(_) => Ok(GoTime::zero().value()),
            }
        });
    }
    f.add("unixEpoch", |a| {
        arity("unixEpoch", a, 1)?;
        Ok(Value::from(time_arg(&a[0])?.unix().to_string()))
    });
    f.add("duration", |a| {
        arity("duration", a, 1)?;
        // Sprig reads strings as seconds and int64 as seconds; other types (Go `int`
        // included, so `duration 60` is "0s") are 0.
        let secs = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(i) => *i,
            _ => 0,
        };
        Ok(Value::from(duration_string(
            secs.wrapping_mul(1_000_000_000),
        )))
    });
    f.add("durationRound", |a| {
        arity("durationRound", a, 1)?;
        Ok(Value::from(duration_round(&a[0])))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprig::testutil::{call, try_call};

    #[test]
    fn formatting_dates() {
        assert_eq!(
            call(
                "dateInZone",
                &[
                    "2006-01-02 15:04:05 MST".into(),
                    Value::Int(1234567890),
                    "UTC".into()
                ]
            ),
            Value::str("2009-02-13 23:31:30 UTC")
        );
        assert_eq!(
            call(
                "dateInZone",
                &["15:04".into(), Value::Int(1234567890), "Asia/Tokyo".into()]
            ),
            Value::str("08:31")
        );
        assert_eq!(
            call(
                "dateInZone",
                &["15:04 MST".into(), Value::Int(0), "No/Such_Zone".into()]
            ),
            Value::str("00:00 UTC")
        );
        assert_eq!(
            call("htmlDateInZone", &[Value::Int(1234567890), "UTC".into()]),
            Value::str("2009-02-13")
        );
        let year = call("date", &["2006".into(), call("now", &[])]);
        assert_eq!(year.as_str().unwrap().len(), 4);
    }

    #[test]
    fn parsing_and_modifying() {
        let t = call(
            "toDate",
            &["2006-01-02 MST".into(), "2017-12-31 UTC".into()],
        );
        assert_eq!(
            call("unixEpoch", std::slice::from_ref(&t)),
            Value::str("1514678400")
        );
        let later = call("dateModify", &["1.5h".into(), t.clone()]);
        assert_eq!(call("unixEpoch", &[later]), Value::str("1514683800"));
        let same = call("dateModify", &["bogus".into(), t.clone()]);
        assert_eq!(call("unixEpoch", &[same]), Value::str("1514678400"));
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "mustDateModify",
                &["bogus".into(), t.clone()]
            )
            .is_err()
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "dateModify",
                &["1h".into(), "x".into()]
            )
            .is_err()
        );
        let zero = call("toDate", &["2006-01-02".into(), "nope".into()]);
        assert_eq!(
            crate::sprig::conv::strval(&zero),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert!(
            try_call(
                &crate::sprig::funcs(),
                "mustToDate",
                &["2006-01-02".into(), "nope".into()]
            )
            .is_err()
        );
        assert_eq!(call("toJson", &[t]), Value::str("\"2017-12-31T00:00:00Z\""));
    }

    #[test]
    fn durations_and_ago() {
        assert_eq!(call("duration", &["95".into()]), Value::str("1m35s"));
        assert_eq!(
            call("duration", &[Value::Int64(3600)]),
            Value::str("1h0m0s")
        );
        // Sprig's type switch has no `int` case.
        assert_eq!(call("duration", &[Value::Int(3600)]), Value::str("0s"));
        assert_eq!(call("durationRound", &["2h10m5s".into()]), Value::str("2h"));
        assert_eq!(
            call("durationRound", &["2400h10m5s".into()]),
            Value::str("3mo")
        );
        assert_eq!(call("durationRound", &["9000h".into()]), Value::str("1y"));
        assert_eq!(call("durationRound", &[Value::Nil]), Value::str("0s"));
        assert_eq!(call("ago", &[call("now", &[])]), Value::str("0s"));
        let hour_ago = Utc::now().timestamp() - 3600;
        // Unix seconds drop the sub-second part of now, so this is 1h0m0s or 1h0m1s.
        let ago = call("ago", &[Value::Int(hour_ago)]);
        assert!(ago.as_str().unwrap().starts_with("1h0m"), "{ago:?}");
        assert_eq!(round_to_second(1_500_000_000), 2_000_000_000);
    }
}
