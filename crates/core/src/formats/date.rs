//! Calendar dates in the proleptic Gregorian calendar, without time zones.

use std::fmt;

/// A valid calendar date; ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or `None` if it is not a real calendar date (e.g. 1900-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if day >= 1 && day <= Date::days_in_month(year, month) {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// Parses exactly `YYYY-MM-DD` with a four-digit year in 1000..=9999.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Date::within_years(
            i64::from(digits_value(&b[0..4])?),
            i64::from(digits_value(&b[5..7])?),
            i64::from(digits_value(&b[8..10])?),
        )
    }

    /// The year, e.g. 2026.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The number of days in `month` of `year` (0 if `month` is not 1..=12).
    pub fn days_in_month(year: i32, month: u8) -> u8 {
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Date::is_leap_year(year) => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// Whether `year` is a Gregorian leap year (divisible by 4, centuries only by 400).
    pub fn is_leap_year(year: i32) -> bool {
        year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`), for date arithmetic.
    pub fn day_number(self) -> i64 {
        let (m, day) = (i64::from(self.month()), i64::from(self.day()));
        let y = i64::from(self.year()) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `z` days after 1970-01-01 (Hinnant's `civil_from_days`), within the years
    /// 1000..=9999 that dates are parsed in.
    pub fn from_day_number(z: i64) -> Option<Date> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Date::within_years(yoe + era * 400 + i64::from(month <= 2), month, day)
    }

    /// The date, if it exists and its year is in 1000..=9999 (the years ISO dates are read in).
    pub(crate) fn within_years(year: i64, month: i64, day: i64) -> Option<Date> {
        if !(1000..=9999).contains(&year) {
            return None;
        }
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Full years completed from `self` (a birth date) to `on`; negative if `on` is earlier.
    ///
    /// Someone born on 29 February completes a year on 1 March in common years.
    pub fn age_on(self, on: Date) -> i32 {
        let years = on.year.saturating_sub(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            years.saturating_sub(1)
        } else {
            years
        }
    }
}

impl fmt::Display for Date {
    /// Formats as `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The value of a run of ASCII digits, or `None` if any byte is not a digit.
fn digits_value(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // reason: tests
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// (year, month, day)
    type Ymd = (i32, u8, u8);

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn new_accepts_and_rejects_calendar_dates() {
        // (year, month, day, valid, reason)
        let cases: &[(i32, u8, u8, bool, &str)] = &[
            (2026, 1, 1, true, "ordinary date"),
            (2026, 12, 31, true, "last day of the year"),
            (2000, 2, 29, true, "2000 is a leap year (divisible by 400)"),
            (2024, 2, 29, true, "2024 is a leap year (divisible by 4)"),
            (
                1900,
                2,
                29,
                false,
                "1900 is not a leap year (century not divisible by 400)",
            ),
            (2023, 2, 29, false, "2023 is not a leap year"),
            (1990, 2, 30, false, "February never has 30 days"),
            (2026, 4, 31, false, "April has 30 days"),
            (2026, 6, 31, false, "June has 30 days"),
            (2026, 9, 31, false, "September has 30 days"),
            (2026, 11, 31, false, "November has 30 days"),
            (2026, 7, 31, true, "July has 31 days"),
            (2026, 0, 10, false, "month 0"),
            (2026, 13, 10, false, "month 13"),
            (2026, 1, 0, false, "day 0"),
            (2026, 1, 32, false, "day 32"),
        ];
        for &(y, m, day, valid, reason) in cases {
            assert_eq!(
                Date::new(y, m, day).is_some(),
                valid,
                "{y}-{m}-{day}: {reason}"
            );
        }
    }

    #[test]
    fn leap_years() {
        let cases: &[(i32, bool, &str)] = &[
            (2000, true, "divisible by 400"),
            (1600, true, "divisible by 400"),
            (1900, false, "century not divisible by 400"),
            (2100, false, "century not divisible by 400"),
            (2024, true, "divisible by 4"),
            (2026, false, "not divisible by 4"),
            (0, true, "year 0 is divisible by 400"),
            (-4, true, "proleptic: negative years divisible by 4"),
            (-100, false, "proleptic: negative century"),
        ];
        for &(y, leap, reason) in cases {
            assert_eq!(Date::is_leap_year(y), leap, "{y}: {reason}");
        }
    }

    #[test]
    fn days_in_month_table() {
        let cases: &[(i32, u8, u8)] = &[
            (2026, 1, 31),
            (2026, 2, 28),
            (2024, 2, 29),
            (2026, 3, 31),
            (2026, 4, 30),
            (2026, 5, 31),
            (2026, 6, 30),
            (2026, 7, 31),
            (2026, 8, 31),
            (2026, 9, 30),
            (2026, 10, 31),
            (2026, 11, 30),
            (2026, 12, 31),
            (2026, 0, 0),
            (2026, 13, 0),
        ];
        for &(y, m, n) in cases {
            assert_eq!(Date::days_in_month(y, m), n, "{y}-{m}");
        }
    }

    #[test]
    fn parse_iso_table() {
        let valid: &[(&str, (i32, u8, u8), &str)] = &[
            ("2026-11-23", (2026, 11, 23), "ordinary date"),
            ("2000-02-29", (2000, 2, 29), "leap day in a leap century"),
            ("1000-01-01", (1000, 1, 1), "smallest four-digit year"),
            ("9999-12-31", (9999, 12, 31), "largest four-digit year"),
        ];
        for &(s, (y, m, day), reason) in valid {
            assert_eq!(Date::parse_iso(s), Some(d(y, m, day)), "{s}: {reason}");
        }
        let invalid: &[(&str, &str)] = &[
            ("", "empty"),
            ("1900-02-29", "1900 is not a leap year"),
            ("2026-02-30", "no 30 February"),
            ("2026-13-01", "month 13"),
            ("2026-00-01", "month 0"),
            ("2026-01-00", "day 0"),
            ("0999-01-01", "year below 1000"),
            ("26-11-23", "two-digit year"),
            ("2026-1-23", "one-digit month"),
            ("2026-11-3", "one-digit day"),
            ("20261123", "no separators"),
            ("2026/11/23", "wrong separators"),
            (" 2026-11-23", "leading space (not trimmed)"),
            ("2026-11-23 ", "trailing space (not trimmed)"),
            ("2026-11-23T00:00", "time part"),
            ("+026-11-23", "sign in the year"),
            ("2026-+1-23", "sign in the month"),
            ("２０２６-11-23", "full-width digits"),
            ("23/11/2026", "Swedish everyday format is not ISO"),
        ];
        for &(s, reason) in invalid {
            assert_eq!(Date::parse_iso(s), None, "{s:?}: {reason}");
        }
    }

    #[test]
    fn display_is_iso() {
        assert_eq!(d(2026, 1, 5).to_string(), "2026-01-05");
        assert_eq!(d(1912, 12, 12).to_string(), "1912-12-12");
        assert_eq!(d(999, 1, 1).to_string(), "0999-01-01");
    }

    #[test]
    fn accessors() {
        let x = d(1990, 1, 31);
        assert_eq!((x.year(), x.month(), x.day()), (1990, 1, 31));
    }

    #[test]
    fn ordering_is_chronological() {
        assert!(d(2025, 12, 31) < d(2026, 1, 1));
        assert!(d(2026, 1, 31) < d(2026, 2, 1));
        assert!(d(2026, 2, 1) < d(2026, 2, 2));
        assert_eq!(d(2026, 2, 2).cmp(&d(2026, 2, 2)), std::cmp::Ordering::Equal);
    }

    #[test]
    fn age_on_table() {
        // (birth, on, age, reason)
        let cases: &[(Ymd, Ymd, i32, &str)] = &[
            ((1990, 5, 15), (2026, 5, 15), 36, "on the birthday"),
            (
                (1990, 5, 15),
                (2026, 5, 14),
                35,
                "the day before the birthday",
            ),
            (
                (1990, 5, 15),
                (2026, 5, 16),
                36,
                "the day after the birthday",
            ),
            ((1990, 5, 15), (2026, 4, 30), 35, "earlier month"),
            ((2008, 11, 23), (2026, 11, 23), 18, "turns 18 today"),
            ((2008, 11, 24), (2026, 11, 23), 17, "turns 18 tomorrow"),
            ((2026, 11, 23), (2026, 11, 23), 0, "born today"),
            (
                (2000, 2, 29),
                (2001, 2, 28),
                0,
                "leap-day birth: not yet on 28 February",
            ),
            (
                (2000, 2, 29),
                (2001, 3, 1),
                1,
                "leap-day birth: a year on 1 March",
            ),
            (
                (2000, 2, 29),
                (2004, 2, 29),
                4,
                "leap-day birth on a leap day",
            ),
            ((1912, 12, 12), (2026, 11, 23), 113, "over a hundred"),
            ((2026, 11, 24), (2026, 11, 23), -1, "born after `on`"),
        ];
        for &((by, bm, bd), (oy, om, od), age, reason) in cases {
            assert_eq!(d(by, bm, bd).age_on(d(oy, om, od)), age, "{reason}");
        }
    }

    #[test]
    fn age_on_does_not_overflow() {
        let min = d(i32::MIN, 12, 31);
        let max = d(i32::MAX, 1, 1);
        assert_eq!(min.age_on(max), i32::MAX - 1);
        assert!(max.age_on(min) < 0);
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip(y in 1000i32..=9999, m in 1u8..=12, day in 1u8..=31) {
            if let Some(date) = Date::new(y, m, day) {
                prop_assert_eq!(Date::parse_iso(&date.to_string()), Some(date));
            }
        }

        #[test]
        fn ordering_matches_tuples(
            a in (1000i32..=9999, 1u8..=12, 1u8..=28),
            b in (1000i32..=9999, 1u8..=12, 1u8..=28),
        ) {
            let (da, db) = (d(a.0, a.1, a.2), d(b.0, b.1, b.2));
            prop_assert_eq!(da.cmp(&db), a.cmp(&b));
        }

        #[test]
        fn age_is_year_difference_or_one_less(
            a in (1900i32..=2100, 1u8..=12, 1u8..=28),
            b in (1900i32..=2100, 1u8..=12, 1u8..=28),
        ) {
            let age = d(a.0, a.1, a.2).age_on(d(b.0, b.1, b.2));
            let diff = b.0 - a.0;
            prop_assert!(age == diff || age == diff - 1);
        }
    }
}
