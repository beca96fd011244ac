//! Timestamps as Go's encoding/json writes a time.Time: RFC 3339 with nanoseconds,
//! trailing zeros of the fraction dropped, `Z` for UTC or the `+hh:mm` offset.

use std::fmt;

use chrono::{DateTime, FixedOffset, Local, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GoTime(pub DateTime<FixedOffset>);

impl GoTime {
    /// Now, in the local time zone like Helm's `time.Now()`.
    pub fn now() -> Self {
        GoTime(Local::now().fixed_offset())
    }

    /// Parses RFC 3339 (any fraction length, `Z` or an offset).
    pub fn parse(s: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(s).ok().map(GoTime)
    }

    /// Go's zero time (`0001-01-01T00:00:00Z`), which Helm treats as "unset".
    pub fn is_go_zero(&self) -> bool {
        self.0.timestamp() == -62_135_596_800 && self.0.nanosecond() == 0
    }
}

impl fmt::Display for GoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.0;
        write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S"))?;
        let nanos = t.nanosecond() % 1_000_000_000;
        if nanos != 0 {
            let digits = format!("{nanos:09}");
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        let offset = t.offset().local_minus_utc();
        if offset == 0 {
            write!(f, "Z")
        } else {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)
        }
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        GoTime::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid time {s:?}")))
    }
}

/// For optional times: Helm 3 wrote unset times as `""` and Go's zero time means unset
/// too; both read as `None`.
pub fn deserialize_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<GoTime>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref() {
        None | Some("") => Ok(None),
        Some(s) => {
            let t = GoTime::parse(s)
                .ok_or_else(|| serde::de::Error::custom(format!("invalid time {s:?}")))?;
            Ok((!t.is_go_zero()).then_some(t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go_rfc3339nano() {
        let t = GoTime::parse("2026-11-24T17:20:03.120000000+09:00").unwrap();
        assert_eq!(t.to_string(), "2026-11-24T17:20:03.12+09:00");
        let t = GoTime::parse("2026-11-24T08:20:03Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-24T08:20:03Z");
        let t = GoTime::parse("2026-11-24T08:20:03.000000001-05:30").unwrap();
        assert_eq!(t.to_string(), "2026-11-24T08:20:03.000000001-05:30");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2026-11-24T08:20:03.000000001-05:30\""
        );
    }

    #[test]
    fn zero_and_empty_times_are_unset() {
        #[derive(Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "deserialize_opt")]
            t: Option<GoTime>,
        }
        let p = |s: &str| serde_json::from_str::<T>(s).unwrap().t;
        assert_eq!(p(r#"{"t": ""}"#), None);
        assert_eq!(p(r#"{"t": "0001-01-01T00:00:00Z"}"#), None);
        assert_eq!(p(r#"{}"#), None);
        assert!(p(r#"{"t": "2024-01-01T00:00:00Z"}"#).is_some());
        assert!(serde_json::from_str::<T>(r#"{"t": "yesterday"}"#).is_err());
    }
}
