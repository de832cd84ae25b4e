//! The date operators for forms: `age`, `days_between` and `date_add`.

use crate::formats::{Date, parse_personnummer};

use super::value::{V, str_to_number};

/// An ISO date (`YYYY-MM-DD`) argument.
fn iso(v: &V<'_>) -> Option<Date> {
    match v {
        V::Str(s) => Date::parse_iso(s),
        _ => None,
    }
}

/// Full years from a birth date (ISO, or a personnummer or samordningsnummer) to `today`;
/// negative for an ISO date after today.
pub(super) fn age(v: &V<'_>, today: Date) -> Option<f64> {
    let V::Str(s) = v else {
        return None;
    };
    let born = Date::parse_iso(s).or_else(|| {
        parse_personnummer(s, today, true)
            .ok()
            .map(|p| p.birth_date())
    })?;
    Some(f64::from(born.age_on(today)))
}

/// Days from `a` to `b`, both ISO dates.
pub(super) fn days_between(a: &V<'_>, b: &V<'_>) -> Option<f64> {
    Some((iso(b)?.day_number() - iso(a)?.day_number()) as f64)
}

/// `date` plus `n` days, months or years; month and year steps keep the day of the month
/// where it exists and otherwise take the last day (31 Jan + 1 month = 28 or 29 Feb).
pub(super) fn add(date: &V<'_>, n: &V<'_>, unit: &V<'_>) -> Option<Date> {
    let date = iso(date)?;
    let n = match n {
        V::Num(n) => *n,
        V::Str(s) => str_to_number(s),
        _ => return None,
    };
    // Whole, and small enough for exact i64 arithmetic (larger leaves 1000..=9999 anyway).
    if n.fract() != 0.0 || n.abs() > 1e9 {
        return None;
    }
    let n = n as i64;
    let (year, month) = (i64::from(date.year()), i64::from(date.month()));
    let (year, month, day) = match unit {
        V::Str(u) if u == "days" => return Date::from_day_number(date.day_number() + n),
        V::Str(u) if u == "months" => {
            let months = year * 12 + month - 1 + n;
            (months.div_euclid(12), months.rem_euclid(12) + 1, date.day())
        }
        V::Str(u) if u == "years" => (year + n, month, date.day()),
        _ => return None,
    };
    checked(year, month, i64::from(day))
}

/// A date in the range ISO dates are parsed in, clamping the day to the month's last.
fn checked(year: i64, month: i64, day: i64) -> Option<Date> {
    let last = Date::days_in_month(i32::try_from(year).ok()?, u8::try_from(month).ok()?);
    Date::within_years(year, month, day.min(i64::from(last)))
}
