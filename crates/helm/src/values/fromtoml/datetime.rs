//! TOML datetimes as BurntSushi/toml reads them: Go's `time.ParseInLocation` tried
//! with seven layouts in turn (TOML 1.1 allows leaving out the seconds), then a check
//! that no field lost its leading zero (Go's parser accepts a one-digit hour).

use gotmpl::sprig::WallClock;

/// A datetime that parsed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Datetime {
    pub wall: WallClock,
    pub kind: DatetimeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DatetimeKind {
    /// Date, time and offset (`Z` is `Some(0)` with `utc`); Go puts these in
    /// `time.Local` when the offset matches it.
    Offset {
        seconds: i32,
        utc: bool,
    },
    LocalDatetime,
    LocalDate,
    LocalTime,
}

#[derive(Clone, Copy)]
enum Field {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// `.999999999`: optional fraction, any number of digits (nanoseconds kept).
    Fraction,
    /// `Z07:00`
    Zone,
    Lit(u8),
}

use Field::*;

/// The layouts, in BurntSushi's order, as Go layout text (for the leading-zero check)
/// and as fields.
const LAYOUTS: [(&str, &[Field], LayoutKind); 7] = [
    (
        "2006-01-02T15:04:05.999999999Z07:00",
        &[
            Year,
            Lit(b'-'),
            Month,
            Lit(b'-'),
            Day,
            Lit(b'T'),
            Hour,
            Lit(b':'),
            Minute,
            Lit(b':'),
            Second,
            Fraction,
            Zone,
        ],
        LayoutKind::Offset,
    ),
    (
        "2006-01-02T15:04:05.999999999",
        &[
            Year,
            Lit(b'-'),
            Month,
            Lit(b'-'),
            Day,
            Lit(b'T'),
            Hour,
            Lit(b':'),
            Minute,
            Lit(b':'),
            Second,
            Fraction,
        ],
        LayoutKind::LocalDatetime,
    ),
    (
        "2006-01-02",
        &[Year, Lit(b'-'), Month, Lit(b'-'), Day],
        LayoutKind::LocalDate,
    ),
    (
        "15:04:05.999999999",
        &[Hour, Lit(b':'), Minute, Lit(b':'), Second, Fraction],
        LayoutKind::LocalTime,
    ),
    (
        "2006-01-02T15:04Z07:00",
        &[
            Year,
            Lit(b'-'),
            Month,
            Lit(b'-'),
            Day,
            Lit(b'T'),
            Hour,
            Lit(b':'),
            Minute,
            Zone,
        ],
        LayoutKind::Offset,
    ),
    (
        "2006-01-02T15:04",
        &[
            Year,
            Lit(b'-'),
            Month,
            Lit(b'-'),
            Day,
            Lit(b'T'),
            Hour,
            Lit(b':'),
            Minute,
        ],
        LayoutKind::LocalDatetime,
    ),
    ("15:04", &[Hour, Lit(b':'), Minute], LayoutKind::LocalTime),
];

#[derive(Clone, Copy)]
enum LayoutKind {
    Offset,
    LocalDatetime,
    LocalDate,
    LocalTime,
}

/// How the datetime text parses. `text` is the lexed token; `z`, `t` and space are
/// normalised first, as BurntSushi does, and the error (its "invalid datetime") carries
/// that normalised text.
pub(super) fn parse(text: &str) -> Result<Datetime, String> {
    let value: String = text
        .chars()
        .map(|c| match c {
            'z' => 'Z',
            't' | ' ' => 'T',
            c => c,
        })
        .collect();
    for (layout, fields, kind) in LAYOUTS {
        if let Some(dt) = parse_layout(value.as_bytes(), fields, kind) {
            if missing_leading_zero(value.as_bytes(), layout.as_bytes()) {
                return Err(value);
            }
            return Ok(dt);
        }
    }
    Err(value)
}

/// Go's check: every separator of the layout (before any fraction or zone) sits at the
/// same index in the value.
fn missing_leading_zero(d: &[u8], layout: &[u8]) -> bool {
    for (i, &c) in layout.iter().enumerate() {
        if c == b'.' || c == b'Z' {
            return false;
        }
        if !c.is_ascii_digit() && d.get(i) != Some(&c) {
            return true;
        }
    }
    false
}

/// Digits at the start of `v`: exactly `n`, or (for the hour) one or two.
fn num(v: &[u8], fixed: bool) -> Option<(u32, usize)> {
    let d0 = v.first().filter(|c| c.is_ascii_digit())?;
    match v.get(1).filter(|c| c.is_ascii_digit()) {
        Some(d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), 2)),
        None if fixed => None,
        None => Some((u32::from(d0 - b'0'), 1)),
    }
}

fn parse_layout(value: &[u8], fields: &[Field], kind: LayoutKind) -> Option<Datetime> {
    let mut v = value;
    let mut wall = WallClock {
        year: 0,
        month: 1,
        day: 1,
        ..WallClock::default()
    };
    let mut zone: Option<(i32, bool)> = None;
    for field in fields {
        match *field {
            Year => {
                let digits = v.get(..4)?;
                if !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                wall.year = digits
                    .iter()
                    .fold(0, |acc, d| acc * 10 + i32::from(d - b'0'));
                v = &v[4..];
            }
            Month | Day | Minute | Second | Hour => {
                let (n, used) = num(v, !matches!(field, Hour))?;
                let ok = match field {
                    Month => (1..=12).contains(&n),
                    Hour => n < 24,
                    Minute | Second => n < 60,
                    _ => true,
                };
                if !ok {
                    return None;
                }
                match field {
                    Month => wall.month = n,
                    Day => wall.day = n,
                    Hour => wall.hour = n,
                    Minute => wall.minute = n,
                    _ => wall.second = n,
                }
                v = &v[used..];
            }
            Fraction => {
                if v.len() >= 2 && v[0] == b'.' && v[1].is_ascii_digit() {
                    let digits = v[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    // Go keeps nanoseconds and drops further digits.
                    let mut ns = 0u32;
                    for i in 0..9 {
                        ns = ns * 10
                            + v.get(1 + i)
                                .filter(|_| i < digits)
                                .map_or(0, |d| u32::from(d - b'0'));
                    }
                    wall.nanosecond = ns;
                    v = &v[1 + digits..];
                }
            }
            Zone => {
                if v.first() == Some(&b'Z') {
                    zone = Some((0, true));
                    v = &v[1..];
                } else {
                    if v.len() < 6 || v[3] != b':' {
                        return None;
                    }
                    let (hr, _) = num(&v[1..3], true)?;
                    let (mm, _) = num(&v[4..6], true)?;
                    if hr > 24 || mm > 60 {
                        return None;
                    }
                    let secs = i32::try_from((hr * 60 + mm) * 60).ok()?;
                    let secs = match v[0] {
                        b'+' => secs,
                        b'-' => -secs,
                        _ => return None,
                    };
                    zone = Some((secs, false));
                    v = &v[6..];
                }
            }
            Lit(c) => {
                if v.first() != Some(&c) {
                    return None;
                }
                v = &v[1..];
            }
        }
    }
    if !v.is_empty() || !day_exists(wall.year, wall.month, wall.day) {
        return None;
    }
    let kind = match kind {
        LayoutKind::Offset => {
            let (seconds, utc) = zone?;
            DatetimeKind::Offset { seconds, utc }
        }
        LayoutKind::LocalDatetime => DatetimeKind::LocalDatetime,
        LayoutKind::LocalDate => DatetimeKind::LocalDate,
        LayoutKind::LocalTime => DatetimeKind::LocalTime,
    };
    Some(Datetime { wall, kind })
}

fn day_exists(year: i32, month: u32, day: u32) -> bool {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Datetime {
        parse(s).unwrap_or_else(|e| panic!("{s} should parse: {e}"))
    }

    #[test]
    fn layouts() {
        let d = ok("1979-05-27T07:32:00.1234567891Z");
        assert_eq!(d.wall.nanosecond, 123_456_789);
        assert_eq!(
            d.kind,
            DatetimeKind::Offset {
                seconds: 0,
                utc: true
            }
        );
        let d = ok("1979-05-27 07:32-07:00");
        assert_eq!(
            d.kind,
            DatetimeKind::Offset {
                seconds: -25200,
                utc: false
            }
        );
        assert_eq!(ok("1979-05-27t07:32").kind, DatetimeKind::LocalDatetime);
        assert_eq!(ok("1979-05-27").kind, DatetimeKind::LocalDate);
        assert_eq!(ok("07:32").kind, DatetimeKind::LocalTime);
        assert_eq!(ok("07:32:00.5").wall.nanosecond, 500_000_000);
        // Go allows offsets up to 24:00 and 60 minutes.
        assert_eq!(
            ok("1979-05-27T07:32:00+23:60").kind,
            DatetimeKind::Offset {
                seconds: 86400,
                utc: false
            }
        );
        assert_eq!(ok("2000-02-29").wall.day, 29);
    }

    #[test]
    fn invalid() {
        for s in [
            "1979-13-01",
            "1979-02-30",
            "1900-02-29",
            "1979-5-27",
            "07:32:60",
            "24:00:00",
            "7:32",
            "1979-05-27T7:32:00Z",
            "1979-05-27T07:32:00.",
            "1979-05-27T07:32:00.Z",
            "07:32:00.5Z",
            "1979-05-27T07:32:00+25:00",
            "1979-05-27T07:32:00+01",
            "1979-05-27T",
        ] {
            assert!(parse(s).is_err(), "{s}");
        }
    }
}
