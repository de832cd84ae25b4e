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
    Some((day_number(iso(b)?) - day_number(iso(a)?)) as f64)
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
        V::Str(u) if u == "days" => return from_day_number(day_number(date) + n),
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
    if !(1000..=9999).contains(&year) {
        return None;
    }
    let year = i32::try_from(year).ok()?;
    let month = u8::try_from(month).ok()?;
    let day = u8::try_from(day)
        .ok()?
        .min(Date::days_in_month(year, month));
    Date::new(year, month, day)
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn day_number(d: Date) -> i64 {
    let (m, day) = (i64::from(d.month()), i64::from(d.day()));
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `z` days after 1970-01-01 (Hinnant's `civil_from_days`), within 1000..=9999.
fn from_day_number(z: i64) -> Option<Date> {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    checked(yoe + era * 400 + i64::from(month <= 2), month, day)
}
