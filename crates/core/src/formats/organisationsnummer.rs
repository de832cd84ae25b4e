//! Swedish organisationsnummer for legal entities (juridiska personer).
//!
//! Accepted input (after trimming and removing spaces): `NNNNNN-NNNN` or
//! `NNNNNNNNNN`, optionally with the `16` prefix used in 12-digit registers
//! (`16NNNNNN-NNNN`, `16NNNNNNNNNN`). The first digit is the group number
//! (e.g. 2 for the state, regions and municipalities, 5 for limited
//! companies, 7 for economic associations, 8 for non-profit associations and
//! foundations, 9 for partnerships). The third digit is always 2 or higher,
//! which is what tells an organisationsnummer apart from a personnummer
//! (whose third digit is the first digit of the month). The last digit is a
//! Luhn check digit over the ten digits.
//!
//! Sole traders (enskild firma) have no organisationsnummer of their own: they
//! use the owner's personnummer, so forms that must accept them should use the
//! `personnummer` field type instead (or as well).

use super::luhn::luhn_valid;

/// Why an organisationsnummer was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationsnummerError {
    /// Not one of the accepted shapes (wrong length, letters, wrong separator or prefix).
    Format,
    /// The third digit is below 2, so it is a personnummer rather than a legal entity.
    NotAnOrganisation,
    /// The check digit does not match (Luhn).
    Checksum,
}

/// Checks an organisationsnummer and returns its canonical form `NNNNNN-NNNN`.
pub fn parse_organisationsnummer(input: &str) -> Result<String, OrganisationsnummerError> {
    let compact: Vec<char> = input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let body: &[char] = match compact.as_slice() {
        ['1', '6', rest @ ..] if rest.len() == 10 || rest.len() == 11 => rest,
        other => other,
    };
    let digit_chars: Vec<char> = match body {
        [date @ .., '-', a, b, c, d] if date.len() == 6 => {
            date.iter().chain([a, b, c, d]).copied().collect()
        }
        all if all.len() == 10 => all.to_vec(),
        _ => return Err(OrganisationsnummerError::Format),
    };
    let mut digits = [0u8; 10];
    for (slot, &c) in digits.iter_mut().zip(&digit_chars) {
        if !c.is_ascii_digit() {
            return Err(OrganisationsnummerError::Format);
        }
        *slot = c as u8 - b'0';
    }
    if digits[2] < 2 {
        return Err(OrganisationsnummerError::NotAnOrganisation);
    }
    if !luhn_valid(&digits) {
        return Err(OrganisationsnummerError::Checksum);
    }
    let text: String = digit_chars.iter().collect();
    Ok(format!("{}-{}", &text[..6], &text[6..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrganisationsnummerError::*;

    #[test]
    fn valid_numbers() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "202100-5448",
                "202100-5448",
                "Skatteverket (group 2, state)",
            ),
            ("2021005448", "202100-5448", "no separator"),
            ("16202100-5448", "202100-5448", "16 prefix with separator"),
            ("162021005448", "202100-5448", "16 prefix without separator"),
            ("212000-0142", "212000-0142", "a municipality (group 2)"),
            ("232100-0016", "232100-0016", "a region (group 2)"),
            ("556016-0680", "556016-0680", "a limited company (group 5)"),
            ("556012-5790", "556012-5790", "another limited company"),
            (
                "  556016-0680 ",
                "556016-0680",
                "surrounding whitespace trimmed",
            ),
            (
                "556016 0680",
                "556016-0680",
                "space instead of the separator",
            ),
            ("556 016-0680", "556016-0680", "grouping spaces removed"),
        ];
        for &(input, canonical, reason) in cases {
            assert_eq!(
                parse_organisationsnummer(input).as_deref(),
                Ok(canonical),
                "{input:?}: {reason}"
            );
        }
    }

    #[test]
    fn invalid_numbers() {
        let cases: &[(&str, OrganisationsnummerError, &str)] = &[
            ("", Format, "empty"),
            ("556016-068", Format, "too short"),
            ("556016-06800", Format, "too long"),
            ("55601-60680", Format, "separator in the wrong place"),
            ("556016+0680", Format, "+ is only for personnummer"),
            ("556016/0680", Format, "unknown separator"),
            ("55601A-0680", Format, "letter"),
            (
                "SE556016068001",
                Format,
                "VAT number, not an organisationsnummer",
            ),
            ("19556016-0680", Format, "only the 16 prefix is allowed"),
            ("1655601606800", Format, "16 prefix with too many digits"),
            ("16-556016-0680", Format, "dash after the prefix"),
            ("５５６０１６-０６８０", Format, "full-width digits"),
            (
                "811228-9874",
                NotAnOrganisation,
                "a personnummer (third digit 1)",
            ),
            (
                "8112289874",
                NotAnOrganisation,
                "a personnummer without separator",
            ),
            (
                "670919-9530",
                NotAnOrganisation,
                "a personnummer (third digit 0)",
            ),
            (
                "16811228-9874",
                NotAnOrganisation,
                "a personnummer with the 16 prefix",
            ),
            ("556016-0681", Checksum, "wrong check digit"),
            ("202100-5449", Checksum, "wrong check digit"),
        ];
        for &(input, expected, reason) in cases {
            assert_eq!(
                parse_organisationsnummer(input),
                Err(expected),
                "{input:?}: {reason}"
            );
        }
    }
}
