//! Numbers written and read without core's float printer and parser: serde_json's (the zmij
//! printer, its own reader) are in every build anyway, and core's would add about 25 KB of
//! code and tables to the citizen's download (issue 17). One place for the engine, the
//! expressions and the receiver.

use serde_json::{Number, Value};

/// The shortest decimal digits that read back as `|n|` (finite, not zero) and where the
/// decimal point goes: `|n| = 0.DIGITS × 10^point`, e.g. 12.5 is `("125", 2)`.
pub(crate) fn shortest_digits(n: f64) -> (String, i64) {
    // serde_json writes the shortest round-tripping digits; only the layout varies
    // ("1e21", "123.0", "1e-7"). Take the digits and the exponent.
    let text = Number::from_f64(n.abs()).map_or_else(String::new, |j| j.to_string());
    let (mantissa, exp) = text.split_once(['e', 'E']).unwrap_or((&text, "0"));
    let exp = exp.trim_start_matches('+').parse::<i64>().unwrap_or(0);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut all = String::from(int);
    all.push_str(frac);
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0').to_owned();
    let point = int.len() as i64 + exp - lead as i64;
    (digits, point)
}

/// `n` exactly as Rust's `Display` writes it: the shortest digits that read back as `n`,
/// never an exponent (`1e21` is `1000000000000000000000`, `1e-7` is `0.0000001`), `-0`,
/// `NaN`, `inf` and `-inf`.
pub fn display(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    let mut out = String::new();
    if n.is_sign_negative() {
        out.push('-');
    }
    if n.is_infinite() {
        out.push_str("inf");
        return out;
    }
    if n == 0.0 {
        out.push('0');
        return out;
    }
    let (digits, point) = shortest_digits(n);
    let k = digits.len() as i64;
    let zeros = |out: &mut String, count: i64| out.extend((0..count).map(|_| '0'));
    if point >= k {
        out.push_str(&digits);
        zeros(&mut out, point - k);
    } else if point > 0 {
        let (a, b) = digits.split_at(point as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else {
        out.push_str("0.");
        zeros(&mut out, -point);
        out.push_str(&digits);
    }
    out
}

/// A decimal literal — an optional sign, digits with an optional point (digits on at least
/// one side), an optional exponent `e`/`E` with its own sign — as the nearest `f64`;
/// beyond `f64`'s range it is ±infinity. The caller has checked the syntax.
///
/// serde_json reads it once rewritten in JSON's stricter syntax (`+.5` as `0.5`, `007.` as
/// `7`). Without serde_json's `float_roundtrip` feature, a number with more than 15
/// significant digits or a large exponent may be off by one unit in the last place; numbers
/// as citizens type them (up to 15 digits, exponent within ±22) are exact.
pub fn decimal(literal: &str) -> f64 {
    let (sign, rest) = match literal.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, literal.strip_prefix('+').unwrap_or(literal)),
    };
    let (mantissa, exp) = rest.split_once(['e', 'E']).unwrap_or((rest, ""));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let int = int.trim_start_matches('0');
    let mut json = String::with_capacity(literal.len() + 2);
    if sign < 0.0 {
        json.push('-');
    }
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if !exp.is_empty() {
        json.push('e');
        json.push_str(exp);
    }
    // serde_json refuses numbers beyond f64's range, which are infinite here.
    match serde_json::from_str::<Value>(&json) {
        Ok(v) => v.as_f64().unwrap_or(f64::NAN),
        Err(_) => sign * f64::INFINITY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_is_rusts_display() {
        for n in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            12.5,
            100.0,
            1234.5678,
            1e15,
            1e16,
            1e21,
            1e22,
            1.5e300,
            1e-6,
            1e-7,
            1.25e-10,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.3,
            123456789012345680.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(display(n), n.to_string(), "{n:?}");
        }
    }

    #[test]
    fn decimal_reads_what_citizens_type() {
        for (text, n) in [
            ("12", 12.0),
            ("-3", -3.0),
            ("12.5", 12.5),
            ("+.5", 0.5),
            ("007.", 7.0),
            ("0.1", 0.1),
            ("1e3", 1000.0),
            ("2.5E-3", 0.0025),
            ("-0", -0.0),
            ("123456789012345", 123_456_789_012_345.0),
            ("1e400", f64::INFINITY),
            ("-1e400", f64::NEG_INFINITY),
        ] {
            assert_eq!(decimal(text).to_bits(), n.to_bits(), "{text}");
        }
    }

    proptest! {
        #[test]
        fn display_matches_rust_for_any_float(bits in any::<u64>()) {
            let n = f64::from_bits(bits);
            prop_assert_eq!(display(n), n.to_string());
        }

        #[test]
        fn decimal_is_exact_for_typed_numbers(int in 0u64..1_000_000_000, frac in 0u32..100_000, places in 0usize..6) {
            let text = if places == 0 {
                int.to_string()
            } else {
                format!("{int}.{:0places$}", u64::from(frac) % 10u64.pow(places as u32))
            };
            prop_assert_eq!(decimal(&text), text.parse::<f64>().unwrap_or(f64::NAN), "{}", text);
        }

        #[test]
        fn decimal_reads_back_what_display_writes(bits in any::<u64>()) {
            let n = f64::from_bits(bits);
            if n.is_finite() {
                // Close, not always exact: see `decimal`'s note on long numbers.
                let back = decimal(&display(n));
                prop_assert!(back == n || (back - n).abs() <= n.abs() * 4.0 * f64::EPSILON, "{n:?} {back:?}");
            }
        }
    }
}
