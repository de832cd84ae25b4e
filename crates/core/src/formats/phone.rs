//! Telephone numbers as Swedish municipal e-services accept them.
//!
//! Allowed characters are digits, whitespace, `-`, parentheses and a single
//! leading `+`. Three kinds of number are accepted:
//!
//! - national: starts with `0` (trunk prefix), 7–10 digits in all, e.g.
//!   `08-123 45`, `070-123 45 67`, `0980-123 45`;
//! - Swedish international: `+46` (or `0046`), optionally `(0)`, then 6–9
//!   digits not starting with 0, e.g. `+46 70 123 45 67`, `+46 (0)8 123 456 78`;
//! - other international: `+` (or `00`) and 8–15 digits in all (E.164).
//!
//! A `-` must stand between digits (or parenthesized groups), and parentheses
//! must be balanced, not nested and end with a digit. The citizen's grouping is
//! kept; only surrounding whitespace is trimmed and runs of whitespace become
//! one space.

/// Checks a telephone number and returns it trimmed with whitespace runs collapsed; `None` if invalid.
pub fn normalize_phone(input: &str) -> Option<String> {
    let trimmed = input.trim();
    let parsed = scan(trimmed)?;
    if !valid_digits(&parsed) {
        return None;
    }
    Some(trimmed.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The digits of a number and what surrounded them.
struct Scanned {
    /// Whether the number started with `+`.
    plus: bool,
    /// The digit values in order.
    digits: Vec<u8>,
    /// Parenthesized groups as half-open ranges of indices into `digits`.
    groups: Vec<(usize, usize)>,
}

/// Checks the characters and punctuation and collects the digits.
fn scan(s: &str) -> Option<Scanned> {
    let mut out = Scanned {
        plus: false,
        digits: Vec::new(),
        groups: Vec::new(),
    };
    let mut open: Option<usize> = None;
    // The last character that was not whitespace.
    let mut last: Option<char> = None;
    for (i, c) in s.chars().enumerate() {
        match c {
            '+' if i == 0 => out.plus = true,
            '0'..='9' => out.digits.push(c as u8 - b'0'),
            '(' => {
                if open.is_some() {
                    return None;
                }
                open = Some(out.digits.len());
            }
            ')' => {
                let start = open.take()?;
                if !last.is_some_and(|l| l.is_ascii_digit()) {
                    return None;
                }
                out.groups.push((start, out.digits.len()));
            }
            '-' => {
                if !last.is_some_and(|l| l.is_ascii_digit() || l == ')') {
                    return None;
                }
            }
            c if c.is_whitespace() => continue,
            _ => return None,
        }
        last = Some(c);
    }
    let ends_well = last.is_some_and(|l| l.is_ascii_digit() || l == ')');
    (open.is_none() && ends_well).then_some(out)
}

/// Checks the number of digits and the prefixes.
fn valid_digits(n: &Scanned) -> bool {
    let d = &n.digits;
    let start = if n.plus {
        0
    } else if d.starts_with(&[0, 0]) {
        2
    } else {
        // National: trunk prefix 0, then the area code and subscriber number.
        return d.first() == Some(&0) && (7..=10).contains(&d.len());
    };
    let international = &d[start..];
    match international {
        [0, ..] | [] => false,
        [4, 6, ..] => {
            // Sweden: skip an optional "(0)" written right after the country code.
            let mut nsn_start = start + 2;
            if d.get(nsn_start) == Some(&0) && n.groups.contains(&(nsn_start, nsn_start + 1)) {
                nsn_start += 1;
            }
            let nsn = &d[nsn_start..];
            nsn.first().is_some_and(|&first| first != 0) && (6..=9).contains(&nsn.len())
        }
        _ => (8..=15).contains(&international.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "08-123 45",
                "08-123 45",
                "Stockholm, short subscriber number",
            ),
            (
                "08-123 456 78",
                "08-123 456 78",
                "Stockholm, long subscriber number",
            ),
            ("08-12345678", "08-12345678", "Stockholm without grouping"),
            ("070-123 45 67", "070-123 45 67", "mobile"),
            ("0701234567", "0701234567", "mobile without grouping"),
            ("070 123 45 67", "070 123 45 67", "mobile with spaces only"),
            ("0980-123 45", "0980-123 45", "Kiruna"),
            ("031-123 45 67", "031-123 45 67", "Gothenburg"),
            (
                "(08) 123 45 67",
                "(08) 123 45 67",
                "area code in parentheses",
            ),
            ("0771-567 567", "0771-567 567", "non-geographic number"),
            (
                "  070-123  45   67 ",
                "070-123 45 67",
                "whitespace trimmed and collapsed",
            ),
            (
                "070\t123\u{a0}45 67",
                "070 123 45 67",
                "tab and non-breaking space collapsed",
            ),
            (
                "+46 70 123 45 67",
                "+46 70 123 45 67",
                "Swedish mobile, international",
            ),
            ("+46701234567", "+46701234567", "Swedish mobile, E.164"),
            (
                "+46 (0)8 123 456 78",
                "+46 (0)8 123 456 78",
                "Swedish with (0)",
            ),
            (
                "+46(0)70-123 45 67",
                "+46(0)70-123 45 67",
                "Swedish mobile with (0)",
            ),
            (
                "+46 8 123 45",
                "+46 8 123 45",
                "Stockholm short number, international",
            ),
            ("+46 980 123 45", "+46 980 123 45", "Kiruna, international"),
            ("0046 70 123 45 67", "0046 70 123 45 67", "00 instead of +"),
            (
                "0046 (0)8 123 456 78",
                "0046 (0)8 123 456 78",
                "00 with (0)",
            ),
            (
                "+47 22 12 34 56",
                "+47 22 12 34 56",
                "Norway, 10 digits in all",
            ),
            ("+358 40 123 4567", "+358 40 123 4567", "Finland"),
            (
                "+44 (0)20 7946 0958",
                "+44 (0)20 7946 0958",
                "UK with (0): 13 digits",
            ),
            ("+1 (202) 555-0123", "+1 (202) 555-0123", "USA"),
            ("0045 32 12 34 56", "0045 32 12 34 56", "Denmark with 00"),
            ("+49 30 12345678", "+49 30 12345678", "Germany"),
            (
                "+123 456 789 012 345",
                "+123 456 789 012 345",
                "15 digits, the E.164 maximum",
            ),
            ("+1 234 5678", "+1 234 5678", "8 digits, the minimum"),
            ("+ 46 70 123 45 67", "+ 46 70 123 45 67", "space after +"),
        ];
        for &(input, expected, reason) in cases {
            assert_eq!(
                normalize_phone(input).as_deref(),
                Some(expected),
                "{input:?}: {reason}"
            );
        }
    }

    #[test]
    fn invalid_numbers() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("   ", "only whitespace"),
            ("08-123 4", "national, 6 digits"),
            ("070-123 45 678", "national, 11 digits"),
            ("70-123 45 67", "national without the leading 0"),
            ("123 45 67", "no area code"),
            ("+46 70 123 45 678", "Swedish, 10 digits after +46"),
            ("+46 8 123 4", "Swedish, 5 digits after +46"),
            (
                "+46 070-123 45 67",
                "Swedish international with the trunk 0",
            ),
            ("+46 (070) 123 45 67", "trunk 0 inside a longer group"),
            ("+46 (0)070 123 45 67", "(0) and the trunk 0"),
            ("0046 070 123 45 67", "00 form with the trunk 0"),
            ("+46 (0)", "(0) and nothing else"),
            ("+47 1234 5", "international, 7 digits"),
            ("+1234 5678 9012 3456", "international, 16 digits"),
            ("+0 123 456 789", "country code starting with 0"),
            ("000 123 456 789", "00 followed by 0"),
            ("00", "only the prefix"),
            ("+", "only the plus"),
            ("070+123 45 67", "+ not at the start"),
            ("++46 70 123 45 67", "two pluses"),
            ("070-123 45 67 ext 12", "letters"),
            ("070.123.45.67", "dots"),
            ("070/123 45 67", "slash"),
            ("070–123 45 67", "en dash"),
            ("-070 123 45 67", "leading hyphen"),
            ("070 123 45 67-", "trailing hyphen"),
            ("070--123 45 67", "double hyphen"),
            ("070- -123 45 67", "two hyphens separated by a space"),
            ("(08 123 45 67", "unbalanced ("),
            ("08) 123 45 67", "unbalanced )"),
            ("((08)) 123 45 67", "nested parentheses"),
            ("() 08 123 45 67", "empty parentheses"),
            ("(08-) 123 45 67", "hyphen before )"),
            ("０７０-１２３ ４５ ６７", "full-width digits"),
            ("tel: 070-123 45 67", "prefix text"),
        ];
        for &(input, reason) in cases {
            assert_eq!(normalize_phone(input), None, "{input:?}: {reason}");
        }
    }
}
