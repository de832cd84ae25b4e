//! Swedish postal codes (postnummer): five digits, written `NNN NN`.

/// Normalizes `NNNNN` or `NNN NN` (trimmed, first digit 1–9) to `NNN NN`; `None` if invalid.
pub fn normalize_postal_code(input: &str) -> Option<String> {
    let bytes = input.trim().as_bytes();
    let digits: [u8; 5] = match *bytes {
        [a, b, c, d, e] => [a, b, c, d, e],
        [a, b, c, b' ', d, e] => [a, b, c, d, e],
        _ => return None,
    };
    if !digits.iter().all(u8::is_ascii_digit) || digits[0] == b'0' {
        return None;
    }
    let [a, b, c, d, e] = digits.map(char::from);
    Some(format!("{a}{b}{c} {d}{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_postal_codes() {
        let cases: &[(&str, &str, &str)] = &[
            ("111 22", "111 22", "Stockholm, already canonical"),
            ("11122", "111 22", "without the space"),
            ("981 31", "981 31", "Kiruna"),
            ("98131", "981 31", "Kiruna without the space"),
            ("  412 58 ", "412 58", "surrounding whitespace trimmed"),
            ("\t41258\n", "412 58", "tabs and newlines trimmed"),
            ("100 05", "100 05", "first digit 1 is the lowest allowed"),
        ];
        for &(input, expected, reason) in cases {
            assert_eq!(
                normalize_postal_code(input).as_deref(),
                Some(expected),
                "{input:?}: {reason}"
            );
        }
    }

    #[test]
    fn invalid_postal_codes() {
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("   ", "only whitespace"),
            ("012 34", "first digit 0"),
            ("01234", "first digit 0, no space"),
            ("1234", "four digits"),
            ("123456", "six digits"),
            ("123 456", "six digits with a space"),
            ("12 345", "space in the wrong place"),
            ("1234 5", "space in the wrong place"),
            ("123  45", "two spaces"),
            ("123-45", "hyphen instead of space"),
            ("SE-123 45", "country prefix"),
            ("S-123 45", "old country prefix"),
            ("12a 45", "letter"),
            ("123\u{a0}45", "non-breaking space inside"),
            ("１２３ ４５", "full-width digits"),
            ("123 45 Stockholm", "with the town"),
        ];
        for &(input, reason) in cases {
            assert_eq!(normalize_postal_code(input), None, "{input:?}: {reason}");
        }
    }
}
