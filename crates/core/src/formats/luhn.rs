//! The Luhn (mod 10) check digit, as Skatteverket uses it for the ten-digit form
//! of personnummer, samordningsnummer and organisationsnummer.

/// Whether `digits` (values 0..=9, check digit last) pass the Luhn check; false if empty or any value is above 9.
pub fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum: u32 = 0;
    // From the right: the check digit counts once, the digit before it twice, and so on.
    for (i, &d) in digits.iter().rev().enumerate() {
        if d > 9 {
            return false;
        }
        let v = u32::from(d);
        sum += if i % 2 == 1 {
            let doubled = v * 2;
            if doubled > 9 { doubled - 9 } else { doubled }
        } else {
            v
        };
    }
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Turns "811228-9874" into digit values, skipping everything that is not a digit.
    fn digits(s: &str) -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect()
    }

    #[test]
    fn luhn_table() {
        let cases: &[(&str, bool, &str)] = &[
            (
                "121212-1212",
                true,
                "Skatteverket's classic test personnummer",
            ),
            ("811228-9874", true, "widely used test personnummer"),
            ("670919-9530", true, "widely used test personnummer"),
            (
                "701063-2391",
                true,
                "samordningsnummer: Luhn over the day as written (63)",
            ),
            (
                "556016-0680",
                true,
                "organisationsnummer of a limited company",
            ),
            ("212000-0142", true, "organisationsnummer of a municipality"),
            (
                "79927398713",
                true,
                "the textbook Luhn example (odd length)",
            ),
            ("0", true, "single zero sums to 0"),
            ("121212-1213", false, "check digit off by one"),
            ("811228-9875", false, "check digit off by one"),
            ("670919-9531", false, "check digit off by one"),
            (
                "811282-9874",
                false,
                "two adjacent digits swapped (28 -> 82)",
            ),
            (
                "556016-0681",
                false,
                "organisationsnummer with a wrong check digit",
            ),
            (
                "79927398710",
                false,
                "textbook example with a wrong check digit",
            ),
        ];
        for &(s, valid, reason) in cases {
            assert_eq!(luhn_valid(&digits(s)), valid, "{s}: {reason}");
        }
    }

    #[test]
    fn rejects_empty_and_non_digits() {
        assert!(!luhn_valid(&[]), "empty input has no check digit");
        assert!(!luhn_valid(&[1, 10, 9]), "value 10 is not a digit");
        assert!(!luhn_valid(b"0"), "ASCII '0' (48) is not the value 0");
    }

    proptest! {
        #[test]
        fn exactly_one_check_digit_fits(body in proptest::collection::vec(0u8..=9, 1..20)) {
            let fitting = (0u8..=9)
                .filter(|&c| {
                    let mut all = body.clone();
                    all.push(c);
                    luhn_valid(&all)
                })
                .count();
            prop_assert_eq!(fitting, 1);
        }

        #[test]
        fn detects_every_single_digit_error(
            body in proptest::collection::vec(0u8..=9, 10),
            pos in 0usize..10,
            delta in 1u8..=9,
        ) {
            // Make `body` valid by choosing its last digit, then change one digit.
            let mut v = body;
            let last = v.len() - 1;
            let fix = (0u8..=9).find(|&c| { v[last] = c; luhn_valid(&v) });
            prop_assert!(fix.is_some());
            v[pos] = (v[pos] + delta) % 10;
            prop_assert!(!luhn_valid(&v));
        }
    }
}
