//! E-mail addresses, checked by hand (no regular expressions, to keep the
//! browser build small).
//!
//! The check is deliberately practical rather than full RFC 5322: quoted local
//! parts, comments and IP-literal domains are not accepted, internationalized
//! (Unicode) local parts and domains are.

/// The longest address allowed, in characters.
const MAX_LEN: usize = 254;
/// The longest local part allowed, in bytes (UTF-8).
const MAX_LOCAL_BYTES: usize = 64;
/// The longest domain label allowed, in characters.
const MAX_LABEL_LEN: usize = 63;
/// Characters that may not appear in an unquoted local part (RFC 5322 specials).
const SPECIALS: [char; 11] = ['(', ')', '<', '>', '[', ']', '\\', ',', ';', ':', '"'];

/// Whether `input`, exactly as given (the caller trims), is a plausible e-mail address.
pub fn is_valid_email(input: &str) -> bool {
    if input.chars().count() > MAX_LEN {
        return false;
    }
    let Some((local, domain)) = input.split_once('@') else {
        return false;
    };
    !domain.contains('@') && valid_local(local) && valid_domain(domain)
}

/// The part before `@`: no spaces, control or invisible characters, no stray dots.
fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_BYTES
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            !c.is_whitespace() && !c.is_control() && !is_invisible(c) && !SPECIALS.contains(&c)
        })
}

/// The part after `@`: dot-separated labels of letters, digits and hyphens.
fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(top) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels.iter().all(|l| valid_label(l))
        && top.chars().count() >= 2
        && !top.chars().all(|c| c.is_ascii_digit())
}

/// One domain label: 1–63 letters (any script), digits or hyphens, no hyphen at either end.
fn valid_label(label: &str) -> bool {
    (1..=MAX_LABEL_LEN).contains(&label.chars().count())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_alphabetic() || c.is_ascii_digit() || c == '-')
}

/// Zero-width and direction-control characters that slip in through copy and paste.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses() {
        let long_local = format!("{}@exempel.se", "a".repeat(64));
        let long_label = format!("a@{}.se", "b".repeat(63));
        let long_total = format!(
            "{}@{}.{}.{}.{}",
            "a".repeat(64),
            "b".repeat(61),
            "c".repeat(61),
            "d".repeat(62),
            "se"
        );
        assert_eq!(long_total.len(), 254);
        let cases: &[(&str, &str)] = &[
            ("anna@exempel.se", "ordinary address"),
            ("anna.andersson@exempel.se", "dot in the local part"),
            ("anna+kommun@exempel.se", "plus addressing"),
            (
                "a_b-c'd!#$%&*/=?^`{|}~@exempel.se",
                "RFC 5322 atext characters",
            ),
            ("ANNA@EXEMPEL.SE", "upper case"),
            ("a@b.se", "shortest realistic address"),
            ("anna@post.exempel.kommun.se", "several subdomains"),
            ("anna@exempel-kommun.se", "hyphen inside a label"),
            ("anna@123.se", "all-digit label below the top"),
            ("anna@exempel.museum", "long top-level domain"),
            ("anna@xn--rksmrgs-5wao1o.se", "punycode domain"),
            ("åsa@räksmörgås.se", "Unicode local part and domain"),
            ("user@例え.jp", "non-Latin letters in the domain"),
            ("иван@пример.рф", "Cyrillic address and top-level domain"),
            (&long_local, "64-byte local part"),
            (&long_label, "63-character label"),
            (&long_total, "254 characters in all"),
        ];
        for &(input, reason) in cases {
            assert!(is_valid_email(input), "{input:?}: {reason}");
        }
    }

    #[test]
    fn invalid_addresses() {
        let too_long_local = format!("{}@exempel.se", "a".repeat(65));
        let too_long_local_bytes = format!("{}@exempel.se", "å".repeat(33)); // 66 bytes
        let too_long_label = format!("a@{}.se", "b".repeat(64));
        let too_long_total = format!(
            "{}@{}.{}.{}.{}",
            "a".repeat(64),
            "b".repeat(61),
            "c".repeat(61),
            "d".repeat(62),
            "sex"
        );
        assert_eq!(too_long_total.chars().count(), 255);
        let cases: &[(&str, &str)] = &[
            ("", "empty"),
            ("anna", "no @"),
            ("anna.exempel.se", "no @, only dots"),
            ("@exempel.se", "empty local part"),
            ("anna@", "empty domain"),
            ("anna@@exempel.se", "two @ in a row"),
            ("anna@kommun@exempel.se", "two @"),
            ("anna@localhost", "domain without a dot"),
            ("anna@exempel.s", "one-letter top-level domain"),
            ("anna@exempel.123", "all-digit top-level domain"),
            ("anna@192.168.0.1", "IP address"),
            ("anna@[192.168.0.1]", "IP literal"),
            ("anna@.exempel.se", "domain starts with a dot"),
            ("anna@exempel.se.", "domain ends with a dot"),
            ("anna@exempel..se", "empty label"),
            ("anna@-exempel.se", "label starts with a hyphen"),
            ("anna@exempel-.se", "label ends with a hyphen"),
            ("anna@exem_pel.se", "underscore in the domain"),
            ("anna@exempel.se ", "trailing space (not trimmed here)"),
            (" anna@exempel.se", "leading space (not trimmed here)"),
            ("anna andersson@exempel.se", "space in the local part"),
            ("anna@exem pel.se", "space in the domain"),
            ("anna\t@exempel.se", "tab"),
            ("anna\u{7}@exempel.se", "control character"),
            ("an\u{200B}na@exempel.se", "zero-width space"),
            ("anna\u{00A0}@exempel.se", "non-breaking space"),
            (".anna@exempel.se", "local part starts with a dot"),
            ("anna.@exempel.se", "local part ends with a dot"),
            ("anna..andersson@exempel.se", "double dot in the local part"),
            ("\"anna\"@exempel.se", "quoted local part"),
            ("anna,b@exempel.se", "comma (typo for a dot)"),
            ("anna;b@exempel.se", "semicolon"),
            ("Anna <anna@exempel.se>", "display name"),
            ("anna(kommentar)@exempel.se", "comment"),
            ("anna@exempel.se,", "trailing comma"),
            ("anna@exempel!.se", "punctuation in the domain"),
            (
                "anna@exempel.s²",
                "superscript digit is neither a letter nor an ASCII digit",
            ),
            (&too_long_local, "65-byte local part"),
            (
                &too_long_local_bytes,
                "33 characters but 66 bytes in the local part",
            ),
            (&too_long_label, "64-character label"),
            (&too_long_total, "255 characters in all"),
        ];
        for &(input, reason) in cases {
            assert!(!is_valid_email(input), "{input:?}: {reason}");
        }
    }
}
