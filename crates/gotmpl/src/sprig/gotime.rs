//! Go's `time.Time` for templates: an instant plus a location, printed and parsed
//! with Go's reference-time layouts ("2006-01-02 15:04:05.999999999 -0700 MST"),
//! and Go's `time.Duration` text form.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};

use crate::func::Param;
use crate::value::{Object, Value};

use super::location::GoLocation;
use super::timeints::GoCalendarInt;

/// A `time.Location`.
#[derive(Clone, Debug)]
pub(crate) enum Loc {
    Utc,
    /// The process's local zone (TZ, then /etc/localtime; UTC if neither resolves).
    Local,
    Named(Tz),
    /// `time.FixedZone(name, offset)`: from parsed numeric offsets.
    Fixed {
        name: String,
        offset: i32,
        /// Which `*time.Location` this is, for `eq`: 0 for a zone Go shares (its
        /// unnamed whole-hour zones, BurntSushi's local-time zones), found by name
        /// and offset; otherwise a fresh number per zone made, as Go allocates one.
        id: usize,
    },
    /// A zero `time.Location{}` (what `deepCopy` makes of a location): no name, no
    /// zones, so Go reads every instant as "UTC" at offset 0. Its own pointer.
    Zero {
        id: usize,
    },
}

/// Go's `FixedZone` returns one shared location per whole hour from -12 to +14
/// when the zone is unnamed, and a new one otherwise.
fn fixed_zone_shared(name: &str, offset: i32) -> bool {
    name.is_empty() && offset % 3600 == 0 && (-12..=14).contains(&(offset / 3600))
}

fn next_zone_id() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn local_tz() -> Option<Tz> {
    static LOCAL: OnceLock<Option<Tz>> = OnceLock::new();
    *LOCAL.get_or_init(|| {
        if let Ok(tz) = std::env::var("TZ") {
            let name = tz.trim_start_matches(':');
            return if name.is_empty() || name == "UTC" {
                None
            } else {
                name.parse().ok()
            };
        }
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let s = target.to_string_lossy();
        let name = s.split("zoneinfo/").nth(1)?;
        name.parse().ok()
    })
}

impl Loc {
    /// Go's `time.FixedZone(name, offset)`.
    pub(crate) fn fixed_zone(name: String, offset: i32) -> Loc {
        let id = if fixed_zone_shared(&name, offset) {
            0
        } else {
            next_zone_id()
        };
        Loc::Fixed { name, offset, id }
    }

    /// A fixed zone made once for the whole process (BurntSushi's package-level
    /// `date-local`, `time-local`, `datetime-local`).
    pub(crate) fn process_fixed_zone(name: String, offset: i32) -> Loc {
        Loc::Fixed {
            name,
            offset,
            id: 0,
        }
    }

    pub(crate) fn zero() -> Loc {
        Loc::Zero { id: next_zone_id() }
    }

    /// Go's `==` on the two `*time.Location` pointers.
    pub(crate) fn same_pointer(&self, other: &Loc) -> bool {
        match (self, other) {
            (Loc::Utc, Loc::Utc) | (Loc::Local, Loc::Local) => true,
            (Loc::Named(a), Loc::Named(b)) => a == b,
            (
                Loc::Fixed {
                    name: n1,
                    offset: o1,
                    id: i1,
                },
                Loc::Fixed {
                    name: n2,
                    offset: o2,
                    id: i2,
                },
            ) => i1 == i2 && (*i1 != 0 || (n1 == n2 && o1 == o2)),
            (Loc::Zero { id: a }, Loc::Zero { id: b }) => a == b,
            _ => false,
        }
    }

    /// `reflect.DeepEqual` on the two locations: the same zone data.
    pub(crate) fn same_zone(&self, other: &Loc) -> bool {
        match (self, other) {
            (
                Loc::Fixed {
                    name: n1,
                    offset: o1,
                    ..
                },
                Loc::Fixed {
                    name: n2,
                    offset: o2,
                    ..
                },
            ) => n1 == n2 && o1 == o2,
            (Loc::Zero { .. }, Loc::Zero { .. }) => true,
            _ => self.same_pointer(other),
        }
    }

    /// Go's `time.LoadLocation`.
    pub(crate) fn load(name: &str) -> Option<Loc> {
        match name {
            "" | "UTC" => Some(Loc::Utc),
            "Local" => Some(Loc::Local),
            other => other.parse::<Tz>().ok().map(Loc::Named),
        }
    }

    pub(crate) fn name(&self) -> String {
        match self {
            Loc::Utc => "UTC".into(),
            Loc::Local => "Local".into(),
            Loc::Named(tz) => tz.name().into(),
            Loc::Fixed { name, .. } => name.clone(),
            Loc::Zero { .. } => String::new(),
        }
    }

    fn tz(&self) -> Option<Tz> {
        match self {
            Loc::Utc | Loc::Fixed { .. } | Loc::Zero { .. } => None,
            Loc::Local => local_tz(),
            Loc::Named(tz) => Some(*tz),
        }
    }

    /// Offset east of UTC in seconds and the zone abbreviation at `t`.
    pub(crate) fn zone_at(&self, t: &DateTime<Utc>) -> (i32, String) {
        if let Loc::Fixed { name, offset, .. } = self {
            return (*offset, name.clone());
        }
        match self.tz() {
            Some(tz) => {
                let off = tz.offset_from_utc_datetime(&t.naive_utc());
                let secs = off.fix().local_minus_utc();
                let abbr = off.abbreviation().map(str::to_string).unwrap_or_default();
                (secs, abbr)
            }
            None => (0, "UTC".into()),
        }
    }

    /// The instant whose wall clock in this location is `naive` (earliest if ambiguous).
    fn instant_of_wall(&self, naive: &NaiveDateTime) -> DateTime<Utc> {
        match self {
            Loc::Fixed { offset, .. } => {
                naive.and_utc() - chrono::Duration::seconds(i64::from(*offset))
            }
            _ => match self.tz() {
                Some(tz) => match tz.from_local_datetime(naive) {
                    chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                        t.with_timezone(&Utc)
                    }
                    chrono::LocalResult::None => {
                        // In a spring-forward gap Go moves forward by the jump.
                        let later = *naive + chrono::Duration::hours(1);
                        tz.from_local_datetime(&later)
                            .earliest()
                            .map(|t| t.with_timezone(&Utc))
                            .unwrap_or_else(|| naive.and_utc())
                    }
                },
                None => naive.and_utc(),
            },
        }
    }
}

/// A wall clock reading, as Go's `time.Date` takes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WallClock {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanosecond: u32,
}

/// A `time.Time` value for host code: `time.Date(wall..., time.FixedZone(zone, offset))`
/// (BurntSushi/toml gives TOML local dates and times the zones "date-local",
/// "time-local" and "datetime-local"). `None` when the date does not exist.
pub fn fixed_zone_time(wall: &WallClock, zone: &str, offset: i32) -> Option<Value> {
    GoTime::fixed_wall(wall, zone, offset).map(GoTime::value)
}

/// Why Go's `Time.MarshalJSON` refuses `t` (a `time.Time` object), if it does: strict
/// RFC 3339 has four-digit years and zone offsets under 24 hours (a TOML datetime may
/// carry `+24:00`). The text is what encoding/json reports after "json: ".
pub fn json_time_error(t: &dyn Object) -> Option<String> {
    let text = t
        .call_method(
            "Format",
            &[Value::from("2006-01-02T15:04:05.999999999Z07:00")],
        )?
        .ok()?;
    let text = text.as_str()?;
    let why = if text.as_bytes().get(4) != Some(&b'-') {
        "year outside of range [0,9999]"
    } else if !text.ends_with('Z')
        && text
            .get(text.len().checked_sub(5)?..text.len().checked_sub(3)?)?
            .parse::<u32>()
            .map_or(true, |h| h >= 24)
    {
        "timezone hour outside of range [0,23]"
    } else {
        return None;
    };
    Some(format!(
        "error calling MarshalJSON for type time.Time: Time.MarshalJSON: {why}"
    ))
}

/// A Go `time.Time`.
#[derive(Clone, Debug)]
pub(crate) struct GoTime {
    pub instant: DateTime<Utc>,
    pub loc: Loc,
}

impl GoTime {
    pub(crate) fn now() -> GoTime {
        GoTime {
            instant: Utc::now(),
            loc: Loc::Local,
        }
    }

    pub(crate) fn from_unix(secs: i64, loc: Loc) -> GoTime {
        GoTime {
            instant: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            loc,
        }
    }

    /// Go's zero time (January 1, year 1, 00:00:00 UTC).
    pub(crate) fn zero() -> GoTime {
        let naive = NaiveDate::from_ymd_opt(1, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        GoTime {
            instant: naive.and_utc(),
            loc: Loc::Utc,
        }
    }

    /// `time.Date(...)` in `time.FixedZone(zone, offset)`; `None` for an invalid date.
    pub(crate) fn fixed_wall(wall: &WallClock, zone: &str, offset: i32) -> Option<GoTime> {
        let naive = NaiveDate::from_ymd_opt(wall.year, wall.month, wall.day)?.and_hms_nano_opt(
            wall.hour,
            wall.minute,
            wall.second,
            wall.nanosecond,
        )?;
        let loc = Loc::process_fixed_zone(zone.to_string(), offset);
        Some(GoTime {
            instant: loc.instant_of_wall(&naive),
            loc,
        })
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.instant == GoTime::zero().instant
    }

    pub(crate) fn in_loc(&self, loc: Loc) -> GoTime {
        GoTime {
            instant: self.instant,
            loc,
        }
    }

    /// Wall clock in the time's own location, offset seconds and zone abbreviation.
    fn wall(&self) -> (NaiveDateTime, i32, String) {
        let (off, abbr) = self.loc.zone_at(&self.instant);
        let wall = self.instant.naive_utc() + chrono::Duration::seconds(i64::from(off));
        (wall, off, abbr)
    }

    pub(crate) fn unix(&self) -> i64 {
        self.instant.timestamp()
    }

    pub(crate) fn value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    /// The `time.Time` inside a template value, if it is one.
    pub(crate) fn from_value(v: &Value) -> Option<GoTime> {
        let Value::Object(o) = v else { return None };
        let any: &dyn std::any::Any = o.as_ref();
        any.downcast_ref::<GoTime>().cloned()
    }

    /// Go's `Time.Format(layout)`.
    pub(crate) fn format(&self, layout: &str) -> String {
        let (wall, offset, abbr) = self.wall();
        format_layout(
            &wall,
            offset,
            &abbr,
            self.instant.timestamp_subsec_nanos(),
            layout,
        )
    }

    /// Go's `Time.String()`.
    pub(crate) fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }
}

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let (wall, _, _) = self.wall();
        Some(match name {
            "Year" => Value::Int(i64::from(wall.year())),
            "Month" => GoCalendarInt::month(i64::from(wall.month())),
            "Day" => Value::Int(i64::from(wall.day())),
            "Hour" => Value::Int(i64::from(wall.hour())),
            "Minute" => Value::Int(i64::from(wall.minute())),
            "Second" => Value::Int(i64::from(wall.second())),
            "Nanosecond" => Value::Int(i64::from(self.instant.timestamp_subsec_nanos())),
            "YearDay" => Value::Int(i64::from(wall.ordinal())),
            "Weekday" => {
                let day = wall.weekday().num_days_from_sunday();
                GoCalendarInt::weekday(i64::from(day))
            }
            // Go's `Unix*` methods return int64; the calendar fields above are int.
            "Unix" => Value::Int64(self.unix()),
            "UnixMilli" => Value::Int64(self.instant.timestamp_millis()),
            "UnixMicro" => Value::Int64(self.instant.timestamp_micros()),
            "UnixNano" => Value::Int64(self.instant.timestamp_nanos_opt().unwrap_or(i64::MIN)),
            "String" => Value::from(self.go_string()),
            "Location" => GoLocation::value(self.loc.clone()),
            "UTC" => self.in_loc(Loc::Utc).value(),
            "Local" => self.in_loc(Loc::Local).value(),
            "IsZero" => Value::Bool(self.is_zero()),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let want = |n: usize| -> Result<(), String> {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    args.len()
                ))
            }
        };
        let other = |i: usize| -> Result<GoTime, String> {
            GoTime::from_value(&args[i]).ok_or_else(|| {
                format!(
                    "wrong type for value; expected time.Time; got {}",
                    args[i].type_name()
                )
            })
        };
        Some((|| match name {
            "Format" => {
                want(1)?;
                match &args[0] {
                    Value::String(l) => Ok(Value::from(self.format(l))),
                    v => Err(format!(
                        "wrong type for value; expected string; got {}",
                        v.type_name()
                    )),
                }
            }
            "Add" => {
                want(1)?;
                // A `time.Duration` (from `Sub`) or an integer literal.
                let Some(ns) = super::timeints::GoDuration::nanos_of(&args[0]) else {
                    return Err(format!(
                        "wrong type for value; expected time.Duration; got {}",
                        args[0].type_name()
                    ));
                };
                Ok(GoTime {
                    instant: self.instant + chrono::Duration::nanoseconds(ns),
                    loc: self.loc.clone(),
                }
                .value())
            }
            "AddDate" => {
                want(3)?;
                let mut n = [0i64; 3];
                for (i, v) in args.iter().enumerate() {
                    let Value::Int(x) = v else {
                        return Err(format!(
                            "wrong type for value; expected int; got {}",
                            v.type_name()
                        ));
                    };
                    n[i] = *x;
                }
                Ok(self.add_date(n[0], n[1], n[2]).value())
            }
            "Sub" => {
                want(1)?;
                let o = other(0)?;
                // Go saturates a difference beyond the int64 range.
                let d = (self.instant - o.instant).num_nanoseconds().unwrap_or(
                    if self.instant > o.instant {
                        i64::MAX
                    } else {
                        i64::MIN
                    },
                );
                Ok(super::timeints::GoDuration(d).value())
            }
            "Before" => {
                want(1)?;
                Ok(Value::Bool(self.instant < other(0)?.instant))
            }
            "After" => {
                want(1)?;
                Ok(Value::Bool(self.instant > other(0)?.instant))
            }
            "Equal" => {
                want(1)?;
                Ok(Value::Bool(self.instant == other(0)?.instant))
            }
            "In" => {
                want(1)?;
                match GoLocation::from_value(&args[0]) {
                    Some(l) => Ok(self.in_loc(l).value()),
                    // Go's `In` panics on a nil location.
                    None if args[0].is_nil() => {
                        Err("time: missing Location in call to Time.In".to_string())
                    }
                    None => Err(format!(
                        "wrong type for value; expected *time.Location; got {}",
                        args[0].type_name()
                    )),
                }
            }
            _ => Err(String::new()),
        })())
        .filter(|r| !matches!(r, Err(e) if e.is_empty()))
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Format" | "Add" | "AddDate" | "Sub" | "Before" | "After" | "Equal" | "In"
        )
    }

    fn method_params(&self, name: &str) -> Option<&'static [Param]> {
        Some(match name {
            "Format" => &[Param::String],
            "Add" => &[Param::Duration],
            "AddDate" => &[Param::Int, Param::Int, Param::Int],
            "Sub" | "Before" | "After" | "Equal" => &[Param::Time],
            "In" => &[Param::Ptr("*time.Location")],
            "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay"
            | "Weekday" | "Unix" | "UnixMilli" | "UnixMicro" | "UnixNano" | "String"
            | "Location" | "UTC" | "Local" | "IsZero" => &[],
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.go_string()
    }

    fn go_stringer(&self) -> bool {
        true
    }

    fn go_syntax(&self) -> Option<String> {
        // Go's `Time.GoString`.
        let (wall, _, _) = self.wall();
        let loc = match &self.loc {
            Loc::Utc => "time.UTC".to_string(),
            Loc::Local => "time.Local".to_string(),
            other => format!("time.Location({})", crate::gofmt::quote(&other.name())),
        };
        Some(format!(
            "time.Date({}, time.{}, {}, {}, {}, {}, {}, {loc})",
            wall.year(),
            LONG_MONTHS[wall.month0() as usize],
            wall.day(),
            wall.hour(),
            wall.minute(),
            wall.second(),
            self.instant.timestamp_subsec_nanos(),
        ))
    }

    fn to_value(&self) -> Option<Value> {
        // encoding/json marshals a time as RFC 3339 with nanoseconds.
        Some(Value::from(
            self.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }
}

impl GoTime {
    /// Go's `AddDate`: normalises overflowing months and days like `time.Date`.
    fn add_date(&self, years: i64, months: i64, days: i64) -> GoTime {
        let (wall, _, _) = self.wall();
        let total_months =
            i64::from(wall.year()) * 12 + i64::from(wall.month0()) + years * 12 + months;
        let (y, m0) = (total_months.div_euclid(12), total_months.rem_euclid(12));
        let first = NaiveDate::from_ymd_opt(y as i32, m0 as u32 + 1, 1).unwrap_or_default();
        let date = first + chrono::Duration::days(i64::from(wall.day()) - 1 + days);
        let naive = date.and_time(wall.time());
        GoTime {
            instant: self.loc.instant_of_wall(&naive),
            loc: self.loc.clone(),
        }
    }
}

pub(crate) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(crate) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a Go layout.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    /// Numeric zone: `iso` prints Z for UTC, `colon` separates, `secs` adds seconds,
    /// `short` prints hours only.
    NumTz {
        iso: bool,
        colon: bool,
        secs: bool,
        short: bool,
    },
    /// Fractional seconds with `n` digits; `trim` for the 9s form; `sep` is . or ,.
    Frac {
        n: usize,
        trim: bool,
        sep: char,
    },
}

/// Go's `nextStdChunk`: literal prefix, the element, and the rest of the layout.
fn next_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let starts_lower = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_lowercase());
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let hit = |len: usize, std: Std| Some((&layout[..i], Some(std), &layout[i + len..]));
        let found = match b[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    hit(7, Std::LongMonth)
                } else if !starts_lower(i + 3) {
                    hit(3, Std::Month)
                } else {
                    None
                }
            }
            b'M' if at(i, "Mon") => {
                if at(i, "Monday") {
                    hit(6, Std::LongWeekDay)
                } else if !starts_lower(i + 3) {
                    hit(3, Std::WeekDay)
                } else {
                    None
                }
            }
            b'M' if at(i, "MST") => hit(3, Std::Tz),
            b'0' if b.get(i + 1).is_some_and(|c| (b'1'..=b'6').contains(c)) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][(b[i + 1] - b'1') as usize];
                hit(2, std)
            }
            b'0' if at(i, "002") => hit(3, Std::ZeroYearDay),
            b'1' if at(i, "15") => hit(2, Std::Hour),
            b'1' => hit(1, Std::NumMonth),
            b'2' if at(i, "2006") => hit(4, Std::LongYear),
            b'2' => hit(1, Std::Day),
            b'_' if at(i, "_2") => {
                if at(i + 1, "2006") {
                    return (&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]);
                }
                hit(2, Std::UnderDay)
            }
            b'_' if at(i, "__2") => hit(3, Std::UnderYearDay),
            b'3' => hit(1, Std::Hour12),
            b'4' => hit(1, Std::Minute),
            b'5' => hit(1, Std::Second),
            b'P' if at(i, "PM") => hit(2, Std::PM),
            b'p' if at(i, "pm") => hit(2, Std::Pm),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let tz = |colon, secs, short| Std::NumTz {
                    iso,
                    colon,
                    secs,
                    short,
                };
                if at(i + 1, "070000") {
                    hit(7, tz(false, true, false))
                } else if at(i + 1, "07:00:00") {
                    hit(9, tz(true, true, false))
                } else if at(i + 1, "0700") {
                    hit(5, tz(false, false, false))
                } else if at(i + 1, "07:00") {
                    hit(6, tz(true, false, false))
                } else if at(i + 1, "07") {
                    hit(3, tz(false, false, true))
                } else {
                    None
                }
            }
            b'.' | b',' if matches!(b.get(i + 1), Some(b'0') | Some(b'9')) => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    hit(
                        j - i,
                        Std::Frac {
                            n: j - i - 1,
                            trim: ch == b'9',
                            sep: char::from(b[i]),
                        },
                    )
                }
            }
            _ => None,
        };
        if let Some(f) = found {
            return f;
        }
    }
    (layout, None, "")
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
        out.push_str(&format!("{:0width$}", -v));
    } else {
        out.push_str(&format!("{v:0width$}"));
    }
}

fn format_layout(
    wall: &NaiveDateTime,
    offset: i32,
    abbr: &str,
    nanos: u32,
    layout: &str,
) -> String {
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    let year = i64::from(wall.year());
    let hour = wall.hour() as i64;
    while !rest.is_empty() {
        let (lit, std, tail) = next_chunk(rest);
        out.push_str(lit);
        rest = tail;
        let Some(std) = std else { break };
        match std {
            Std::LongYear => pad(&mut out, year, 4),
            Std::Year => pad(&mut out, year.rem_euclid(100), 2),
            Std::LongMonth => out.push_str(LONG_MONTHS[wall.month0() as usize]),
            Std::Month => out.push_str(&LONG_MONTHS[wall.month0() as usize][..3]),
            Std::NumMonth => pad(&mut out, i64::from(wall.month()), 0),
            Std::ZeroMonth => pad(&mut out, i64::from(wall.month()), 2),
            Std::LongWeekDay => {
                out.push_str(LONG_DAYS[wall.weekday().num_days_from_sunday() as usize])
            }
            Std::WeekDay => {
                out.push_str(&LONG_DAYS[wall.weekday().num_days_from_sunday() as usize][..3])
            }
            Std::Day => pad(&mut out, i64::from(wall.day()), 0),
            Std::UnderDay => out.push_str(&format!("{:>2}", wall.day())),
            Std::ZeroDay => pad(&mut out, i64::from(wall.day()), 2),
            Std::UnderYearDay => out.push_str(&format!("{:>3}", wall.ordinal())),
            Std::ZeroYearDay => pad(&mut out, i64::from(wall.ordinal()), 3),
            Std::Hour => pad(&mut out, hour, 2),
            Std::Hour12 | Std::ZeroHour12 => {
                let h = if hour % 12 == 0 { 12 } else { hour % 12 };
                pad(&mut out, h, if std == Std::ZeroHour12 { 2 } else { 0 });
            }
            Std::Minute => pad(&mut out, i64::from(wall.minute()), 0),
            Std::ZeroMinute => pad(&mut out, i64::from(wall.minute()), 2),
            Std::Second => pad(&mut out, i64::from(wall.second()), 0),
            Std::ZeroSecond => pad(&mut out, i64::from(wall.second()), 2),
            Std::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Std::Tz => {
                if abbr.is_empty() {
                    let z = offset / 60;
                    out.push(if z < 0 { '-' } else { '+' });
                    pad(&mut out, i64::from((z / 60).abs()), 2);
                    pad(&mut out, i64::from((z % 60).abs()), 2);
                } else {
                    out.push_str(abbr);
                }
            }
            Std::NumTz {
                iso,
                colon,
                secs,
                short,
            } => {
                if offset == 0 && iso {
                    out.push('Z');
                    continue;
                }
                let abs = offset.abs();
                out.push(if offset < 0 { '-' } else { '+' });
                pad(&mut out, i64::from(abs / 3600), 2);
                if !short {
                    if colon {
                        out.push(':');
                    }
                    pad(&mut out, i64::from(abs / 60 % 60), 2);
                }
                if secs {
                    if colon {
                        out.push(':');
                    }
                    pad(&mut out, i64::from(abs % 60), 2);
                }
            }
            Std::Frac { n, trim, sep } => {
                let digits = format!("{nanos:09}");
                let mut d = &digits[..n.min(9)];
                if trim {
                    d = d.trim_end_matches('0');
                    if d.is_empty() {
                        continue;
                    }
                }
                out.push(sep);
                out.push_str(d);
            }
        }
    }
    out
}

/// Go's `time.ParseInLocation(layout, value, loc)`, with Go's error text.
pub(crate) fn parse_in(layout: &str, value: &str, loc: &Loc) -> Result<GoTime, String> {
    let err = |elem: &str, val: &str, msg: &str| {
        if msg.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                super::conv::go_quote(value),
                super::conv::go_quote(layout),
                super::conv::go_quote(val),
                super::conv::go_quote(elem)
            )
        } else {
            format!("parsing time {}{msg}", super::conv::go_quote(value))
        }
    };
    let (mut year, mut month, mut day, mut yday) = (1i64, 1u32, 1u32, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut zone_offset: Option<i32> = None;
    let mut zone_name: Option<String> = None;
    // Go's `z`: a zone fixed by the text itself ("UTC", ISO "Z"), which wins.
    let mut zone_utc = false;
    let mut rest_layout = layout;
    let mut v = value;
    loop {
        let (lit, std, tail) = next_chunk(rest_layout);
        let elem_text = &rest_layout[lit.len()..rest_layout.len() - tail.len()];
        rest_layout = tail;
        // Literal text must match exactly (Go skips leading spaces on both sides).
        match v.strip_prefix(lit) {
            Some(r) => v = r,
            None => return Err(err(lit, v, "")),
        }
        let Some(std) = std else {
            if !v.is_empty() {
                return Err(err(
                    "",
                    v,
                    &format!(": extra text: {}", super::conv::go_quote(v)),
                ));
            }
            break;
        };
        let before = v;
        let bad = |_: ()| err(elem_text, before, "");
        let range_err = || err("", before, ": month out of range");
        match std {
            Std::LongYear => {
                let (n, r) = take_digits(v, 4, 4).ok_or(()).map_err(bad)?;
                year = n;
                v = r;
            }
            Std::Year => {
                let (n, r) = take_digits(v, 2, 2).ok_or(()).map_err(bad)?;
                year = if n >= 69 { 1900 + n } else { 2000 + n };
                v = r;
            }
            Std::LongMonth | Std::Month => {
                let (i, r) = lookup_name(v, &LONG_MONTHS, std == Std::Month)
                    .ok_or(())
                    .map_err(bad)?;
                month = i as u32 + 1;
                v = r;
            }
            Std::NumMonth | Std::ZeroMonth => {
                let min_w = if std == Std::ZeroMonth { 2 } else { 1 };
                let (n, r) = take_digits(v, min_w, 2).ok_or(()).map_err(bad)?;
                if !(1..=12).contains(&n) {
                    return Err(range_err());
                }
                month = n as u32;
                v = r;
            }
            Std::LongWeekDay | Std::WeekDay => {
                let (_, r) = lookup_name(v, &LONG_DAYS, std == Std::WeekDay)
                    .ok_or(())
                    .map_err(bad)?;
                v = r;
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay {
                    v = v.strip_prefix(' ').unwrap_or(v);
                }
                let min_w = if std == Std::ZeroDay { 2 } else { 1 };
                let (n, r) = take_digits(v, min_w, 2).ok_or(()).map_err(bad)?;
                day = n as u32;
                v = r;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                let t = if std == Std::UnderYearDay {
                    v.trim_start_matches(' ')
                } else {
                    v
                };
                let (n, r) = take_digits(t, 3, 3).ok_or(()).map_err(bad)?;
                yday = n;
                v = r;
            }
            Std::Hour => {
                let (n, r) = take_digits(v, 1, 2).ok_or(()).map_err(bad)?;
                if n > 23 {
                    return Err(err("", before, ": hour out of range"));
                }
                hour = n as u32;
                v = r;
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let min_w = if std == Std::ZeroHour12 { 2 } else { 1 };
                let (n, r) = take_digits(v, min_w, 2).ok_or(()).map_err(bad)?;
                if n > 12 {
                    return Err(err("", before, ": hour out of range"));
                }
                hour = n as u32;
                v = r;
            }
            Std::Minute | Std::ZeroMinute => {
                let min_w = if std == Std::ZeroMinute { 2 } else { 1 };
                let (n, r) = take_digits(v, min_w, 2).ok_or(()).map_err(bad)?;
                if n > 59 {
                    return Err(err("", before, ": minute out of range"));
                }
                min = n as u32;
                v = r;
            }
            Std::Second | Std::ZeroSecond => {
                let min_w = if std == Std::ZeroSecond { 2 } else { 1 };
                let (n, r) = take_digits(v, min_w, 2).ok_or(()).map_err(bad)?;
                if n > 59 {
                    return Err(err("", before, ": second out of range"));
                }
                sec = n as u32;
                v = r;
                // Go accepts fractional seconds after a seconds field even if the
                // layout has none, unless the layout itself continues with them.
                let layout_has_frac =
                    matches!(next_chunk(rest_layout), ("", Some(Std::Frac { .. }), _));
                if !layout_has_frac
                    && v.len() >= 2
                    && matches!(v.as_bytes()[0], b'.' | b',')
                    && v.as_bytes()[1].is_ascii_digit()
                {
                    let digits: String = v[1..].chars().take_while(char::is_ascii_digit).collect();
                    nsec = frac_nanos(&digits);
                    v = &v[1 + digits.len()..];
                }
            }
            Std::PM | Std::Pm => {
                let t = v.get(..2).ok_or(()).map_err(bad)?;
                pm = Some(match t.to_ascii_uppercase().as_str() {
                    "PM" => true,
                    "AM" => false,
                    _ => return Err(bad(())),
                });
                v = &v[2..];
            }
            Std::NumTz {
                iso,
                colon,
                secs,
                short,
            } => {
                if iso && v.starts_with('Z') {
                    v = &v[1..];
                    zone_utc = true;
                    continue;
                }
                let b = v.as_bytes();
                let sign = match b.first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad(())),
                };
                let mut i = 1;
                let num = |i: usize| -> Option<i32> {
                    let s = v.get(i..i + 2)?;
                    if s.bytes().all(|c| c.is_ascii_digit()) {
                        s.parse().ok()
                    } else {
                        None
                    }
                };
                let h = num(i).ok_or(()).map_err(bad)?;
                i += 2;
                let mut m = 0;
                let mut s = 0;
                if !short {
                    if colon {
                        if b.get(i) != Some(&b':') {
                            return Err(bad(()));
                        }
                        i += 1;
                    }
                    m = num(i).ok_or(()).map_err(bad)?;
                    i += 2;
                }
                if secs {
                    if colon {
                        if b.get(i) != Some(&b':') {
                            return Err(bad(()));
                        }
                        i += 1;
                    }
                    s = num(i).ok_or(()).map_err(bad)?;
                    i += 2;
                }
                zone_offset = Some(sign * (h * 3600 + m * 60 + s));
                v = &v[i..];
            }
            Std::Tz => {
                if v.len() >= 3 && &v[..3] == "UTC" {
                    zone_utc = true;
                    v = &v[3..];
                    continue;
                }
                let n = time_zone_len(v).ok_or(()).map_err(bad)?;
                zone_name = Some(v[..n].to_string());
                v = &v[n..];
            }
            Std::Frac { n, trim, sep } => {
                if trim {
                    if !v.starts_with(sep) {
                        continue;
                    }
                    let digits: String = v[1..].chars().take_while(char::is_ascii_digit).collect();
                    nsec = frac_nanos(&digits);
                    v = &v[1 + digits.len()..];
                } else {
                    let t = v.get(..n + 1).ok_or(()).map_err(bad)?;
                    if !t.starts_with(sep) || !t[1..].bytes().all(|c| c.is_ascii_digit()) {
                        return Err(bad(()));
                    }
                    nsec = frac_nanos(&t[1..]);
                    v = &v[n + 1..];
                }
            }
        }
    }
    if let Some(is_pm) = pm {
        if is_pm && hour < 12 {
            hour += 12;
        } else if !is_pm && hour == 12 {
            hour = 0;
        }
    }
    let date = if yday >= 0 {
        NaiveDate::from_yo_opt(year as i32, yday as u32)
            .ok_or_else(|| err("", value, ": day-of-year out of range"))?
    } else {
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .ok_or_else(|| err("", value, ": day out of range"))?
    };
    let naive = date
        .and_hms_nano_opt(hour, min, sec, nsec)
        .ok_or_else(|| err("", value, ": time out of range"))?;
    if zone_utc {
        return Ok(GoTime {
            instant: naive.and_utc(),
            loc: Loc::Utc,
        });
    }
    if let Some(off) = zone_offset {
        let instant = naive.and_utc() - chrono::Duration::seconds(i64::from(off));
        // Go keeps the given location when its offset (and name, if any) agree at
        // that instant, else records a fixed zone with the name and offset.
        let t = GoTime {
            instant,
            loc: loc.clone(),
        };
        let (local_off, local_name) = t.loc.zone_at(&instant);
        if local_off == off && zone_name.as_ref().is_none_or(|n| *n == local_name) {
            return Ok(t);
        }
        return Ok(t.in_loc(Loc::fixed_zone(zone_name.unwrap_or_default(), off)));
    }
    if let Some(name) = zone_name {
        // A zone abbreviation: the location's own if it matches, else a zone with
        // that name and an unknown offset (0; `GMT+3` names its hours), the wall
        // clock read as UTC.
        let t = GoTime {
            instant: loc.instant_of_wall(&naive),
            loc: loc.clone(),
        };
        if t.loc.zone_at(&t.instant).1 == name {
            return Ok(t);
        }
        let offset = match name.strip_prefix("GMT") {
            Some(hours) if !hours.is_empty() => hours.parse::<i32>().unwrap_or(0) * 3600,
            _ => 0,
        };
        return Ok(GoTime {
            instant: naive.and_utc(),
            loc: Loc::fixed_zone(name, offset),
        });
    }
    Ok(GoTime {
        instant: loc.instant_of_wall(&naive),
        loc: loc.clone(),
    })
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `v` —
/// `ChST`/`MeST`, `GMT` with an optional signed hour offset, a bare `+hh`/`-hh`,
/// or three to five upper-case letters (four or five only when ending in `T`,
/// and `WITA`).
fn time_zone_len(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if b.len() >= 4 && (&b[..4] == b"ChST" || &b[..4] == b"MeST") {
        return Some(4);
    }
    if &b[..3] == b"GMT" {
        return Some(3 + signed_offset_len(&v[3..]));
    }
    if b[0] == b'+' || b[0] == b'-' {
        return Some(signed_offset_len(v)).filter(|&n| n > 0);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if b[3] == b'T' || &b[..4] == b"WITA" => Some(4),
        5 if b[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: `+h`/`-hh` (hours up to 23); 0 when there is none.
fn signed_offset_len(v: &str) -> usize {
    let b = v.as_bytes();
    if !matches!(b.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    // Go's leadingInt overflows past int64; such text is no offset either.
    match v[1..1 + digits].parse::<u64>() {
        Ok(x) if x <= 23 => 1 + digits,
        _ => 0,
    }
}

fn frac_nanos(digits: &str) -> u32 {
    let mut d: String = digits.chars().take(9).collect();
    while d.len() < 9 {
        d.push('0');
    }
    d.parse().unwrap_or(0)
}

/// Between `min` and `max` leading ASCII digits (Go's getnum/atoi widths).
fn take_digits(s: &str, min: usize, max: usize) -> Option<(i64, &str)> {
    let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// A month or weekday name (case-insensitive, as Go's lookup).
fn lookup_name<'a>(s: &'a str, names: &[&str], short: bool) -> Option<(usize, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if s.len() >= name.len()
            && s.is_char_boundary(name.len())
            && s[..name.len()].eq_ignore_ascii_case(name)
        {
            return Some((i, &s[name.len()..]));
        }
    }
    None
}

/// Go's `Duration.String()` for nanoseconds.
pub(crate) fn duration_string(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".into();
        }
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        out.push_str(&frac_str(u, prec));
        out.push_str(unit);
    } else {
        let secs = frac_str(u, 9);
        u /= 1_000_000_000;
        // frac_str already printed whole seconds; rebuild as h/m/s.
        let frac = secs.split_once('.').map(|(_, f)| f.to_string());
        let s = u % 60;
        u /= 60;
        let mut tail = s.to_string();
        if let Some(f) = frac {
            tail.push('.');
            tail.push_str(&f);
        }
        tail.push('s');
        if u > 0 {
            let m = u % 60;
            u /= 60;
            tail = format!("{m}m{tail}");
            if u > 0 {
                tail = format!("{u}h{tail}");
            }
        }
        out.push_str(&tail);
    }
    if neg { format!("-{out}") } else { out }
}

/// `v / 10^prec` printed with the fraction's trailing zeros removed.
fn frac_str(v: u64, prec: u32) -> String {
    let p = 10u64.pow(prec);
    let (whole, frac) = (v / p, v % p);
    if frac == 0 {
        return whole.to_string();
    }
    let f = format!("{frac:0width$}", width = prec as usize);
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Go's `time.ParseDuration` (nanoseconds), with Go's error text.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let quoted = || super::conv::go_quote(orig);
    let invalid = || format!("time: invalid duration {}", quoted());
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(r) = s.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            s = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", quoted()));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::conv::go_quote(unit),
                    quoted()
                ));
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = whole.checked_mul(scale).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(30)];
            let f: u128 = digits.parse().map_err(|_| invalid())?;
            v += f * scale / 10u128.pow(digits.len() as u32);
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(invalid());
        }
    }
    Ok(if neg {
        (total as i128).wrapping_neg() as i64
    } else {
        total as i64
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64, nanos: u32, loc: Loc) -> GoTime {
        GoTime {
            instant: DateTime::from_timestamp(secs, nanos).unwrap(),
            loc,
        }
    }

    #[test]
    fn formats_reference_layouts() {
        // 2009-02-13 23:31:30 UTC
        let x = t(1234567890, 120_000_000, Loc::Utc);
        assert_eq!(x.format("2006-01-02 15:04:05"), "2009-02-13 23:31:30");
        assert_eq!(x.go_string(), "2009-02-13 23:31:30.12 +0000 UTC");
        assert_eq!(
            x.format("Mon Jan _2 3:4:5 PM 06 .000 ,9 MST"),
            "Fri Feb 13 11:31:30 PM 09 .120 ,1 UTC"
        );
        assert_eq!(
            x.format("Monday January 2 002 __2 Z07:00 -07"),
            "Friday February 13 044  44 Z +00"
        );
        assert_eq!(
            x.format("2006-01-02T15:04:05Z07:00"),
            "2009-02-13T23:31:30Z"
        );
        let ny = x.in_loc(Loc::load("America/New_York").unwrap());
        assert_eq!(
            ny.format("2006-01-02 15:04 MST -07:00"),
            "2009-02-13 18:31 EST -05:00"
        );
        let fixed = x.in_loc(Loc::fixed_zone(String::new(), 5 * 3600 + 1800));
        assert_eq!(fixed.format("15:04 MST"), "05:01 +0530");
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn zone_abbreviations_follow_go() {
        for (text, n) in [
            ("PST", Some(3)),
            ("CEST", Some(4)),
            ("WITA", Some(4)),
            ("ACDT", Some(4)),
            ("ABCD", None),
            ("ABCDT", Some(5)),
            ("ABCDEF", None),
            ("ChST", Some(4)),
            ("GMT+3", Some(5)),
            ("GMT+24", Some(3)),
            ("+05", Some(3)),
            ("AB", None),
        ] {
            assert_eq!(time_zone_len(text), n, "{text}");
        }
        // GMT+h names its offset; the wall clock is read as UTC.
        let t = parse_in("2006 MST", "2020 GMT+3", &Loc::Utc).unwrap();
        assert_eq!(t.unix(), 1_577_836_800);
        assert_eq!(t.go_string(), "2020-01-01 03:00:00 +0300 GMT+3");
        // A name beside a numeric offset names the fixed zone.
        let t = parse_in("2006 MST -0700", "2020 PDT -0700", &Loc::Utc).unwrap();
        assert_eq!(t.loc.name(), "PDT");
        // "UTC" fixes the zone, whatever offset follows.
        let t = parse_in("2006 MST -0700", "2020 UTC +0100", &Loc::Utc).unwrap();
        assert_eq!(t.unix(), 1_577_836_800);
    }

    #[test]
    fn go_strings_name_the_location() {
        let x = t(1234567890, 120_000_000, Loc::Utc);
        assert_eq!(
            x.go_syntax().unwrap(),
            "time.Date(2009, time.February, 13, 23, 31, 30, 120000000, time.UTC)"
        );
        let fixed = x.in_loc(Loc::fixed_zone("PST".into(), 0));
        assert!(
            fixed
                .go_syntax()
                .unwrap()
                .ends_with(r#"time.Location("PST"))"#)
        );
    }

    #[test]
    fn parses_layouts() {
        let p = parse_in("2006-01-02", "2017-12-31", &Loc::Utc).unwrap();
        assert_eq!(p.unix(), 1514678400);
        let p = parse_in(
            "2006-01-02T15:04:05Z07:00",
            "2017-12-31T10:00:00+02:00",
            &Loc::Utc,
        )
        .unwrap();
        assert_eq!(p.unix(), 1514678400 + 8 * 3600);
        assert_eq!(p.format("Z07:00"), "+02:00");
        let p = parse_in("Jan 2 2006 3:04pm", "feb 3 2020 1:05pm", &Loc::Utc).unwrap();
        assert_eq!(p.format("2006-01-02 15:04"), "2020-02-03 13:05");
        let p = parse_in("2006-01-02 15:04:05", "2020-01-01 00:00:01.5", &Loc::Utc).unwrap();
        assert_eq!(p.format(".000"), ".500");
        assert_eq!(
            parse_in("2006-01-02", "2017-1-31", &Loc::Utc).unwrap_err(),
            "parsing time \"2017-1-31\" as \"2006-01-02\": cannot parse \"1-31\" as \"01\""
        );
        assert!(
            parse_in("2006-01-02", "2017-12-31x", &Loc::Utc)
                .unwrap_err()
                .contains("extra text")
        );
    }

    #[test]
    fn fixed_zone_times_keep_wall_clock_and_zone() {
        let wall = WallClock {
            year: 0,
            month: 1,
            day: 1,
            hour: 7,
            minute: 32,
            ..WallClock::default()
        };
        let v = fixed_zone_time(&wall, "time-local", 0).unwrap();
        assert_eq!(crate::sprint(&[v]), "0000-01-01 07:32:00 +0000 time-local");
        let feb30 = WallClock {
            year: 2023,
            month: 2,
            day: 30,
            ..WallClock::default()
        };
        assert!(fixed_zone_time(&feb30, "date-local", 0).is_none());
    }

    #[test]
    fn json_refuses_offsets_of_a_day() {
        let wall = WallClock {
            year: 1979,
            month: 5,
            day: 27,
            ..WallClock::default()
        };
        let json_error = |offset| {
            let Some(Value::Object(t)) = fixed_zone_time(&wall, "", offset) else {
                panic!("time")
            };
            json_time_error(t.as_ref())
        };
        assert_eq!(json_error(-7 * 3600), None);
        assert_eq!(json_error(0), None);
        assert_eq!(
            json_error(24 * 3600).as_deref(),
            Some(
                "error calling MarshalJSON for type time.Time: Time.MarshalJSON: \
                 timezone hour outside of range [0,23]"
            )
        );
    }

    #[test]
    fn durations() {
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_string(95_000_000_000), "1m35s");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration_string(1_500_000_000), "1.5s");
        assert_eq!(duration_string(1_100), "1.1µs");
        assert_eq!(duration_string(-2_000_000), "-2ms");
        assert_eq!(parse_duration("1h10m10.5s").unwrap(), 4_210_500_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert_eq!(
            parse_duration("1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
        assert_eq!(
            parse_duration("1d").unwrap_err(),
            "time: unknown unit \"d\" in duration \"1d\""
        );
        assert_eq!(
            parse_duration("x").unwrap_err(),
            "time: invalid duration \"x\""
        );
    }
}
