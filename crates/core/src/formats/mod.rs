//! Validators for Swedish identity numbers and basic input formats.
//!
//! Everything here is pure: no I/O and no clock. Functions that depend on the
//! current date (such as [`parse_personnummer`]) take `today` as an argument.
//!
//! - [`Date`]: calendar dates (`YYYY-MM-DD`), leap years and ages.
//! - [`luhn_valid`]: the Luhn (mod 10) check digit used by Skatteverket.
//! - [`parse_personnummer`]: personnummer and samordningsnummer.
//! - [`parse_organisationsnummer`]: organisationsnummer for legal entities.
//! - [`normalize_postal_code`]: Swedish postal codes (`NNN NN`).
//! - [`normalize_phone`]: Swedish and international telephone numbers.
//! - [`is_valid_email`]: e-mail addresses, without regular expressions.

mod date;
mod email;
mod luhn;
mod organisationsnummer;
mod personnummer;
mod phone;
mod postal_code;

pub use date::Date;
pub use email::is_valid_email;
pub use luhn::luhn_valid;
pub use organisationsnummer::{OrganisationsnummerError, parse_organisationsnummer};
pub use personnummer::{Personnummer, PersonnummerError, parse_personnummer};
pub use phone::normalize_phone;
pub use postal_code::normalize_postal_code;
