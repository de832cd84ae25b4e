//! Attachments: the file types a form may accept, finding a file's type by its content, and
//! the reference to one attached file that a submission carries.
//!
//! The browser and the receiver both decide a file's type with [`sniff`] on its first bytes,
//! so a program renamed `intyg.pdf` is refused on both sides, and they agree on every file.

use serde::{Deserialize, Serialize};

/// The format's ceiling for one file: 100 MiB. A field's `max_file_size` may not exceed it.
pub const MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// How many files one field may take at most (`max_files`).
pub const MAX_FILES: u32 = 20;

/// How many of a file's first bytes [`sniff`] reads.
pub const SNIFF_LEN: usize = 4096;

/// The longest file name a reference keeps, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The closed set of file types a `file` field can accept, each recognised by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileType {
    /// A PDF document.
    Pdf,
    /// A JPEG photo.
    Jpeg,
    /// A PNG image.
    Png,
    /// A GIF image.
    Gif,
    /// A WebP image.
    Webp,
    /// A HEIC/HEIF photo (what iPhones take).
    Heic,
    /// A TIFF image (scanners).
    Tiff,
    /// Plain text (UTF-8).
    Text,
    /// Comma- or semicolon-separated values (UTF-8 text).
    Csv,
    /// A Word document (Office Open XML).
    Docx,
    /// An Excel workbook (Office Open XML).
    Xlsx,
    /// An OpenDocument text.
    Odt,
    /// An OpenDocument spreadsheet.
    Ods,
    /// An old Word document (binary).
    Doc,
    /// An old Excel workbook (binary).
    Xls,
}

impl FileType {
    /// Every type, in documentation order.
    pub const ALL: [FileType; 15] = [
        FileType::Pdf,
        FileType::Jpeg,
        FileType::Png,
        FileType::Gif,
        FileType::Webp,
        FileType::Heic,
        FileType::Tiff,
        FileType::Text,
        FileType::Csv,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Odt,
        FileType::Ods,
        FileType::Doc,
        FileType::Xls,
    ];

    /// The MIME type, as written in a definition, a submission and `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Gif => "image/gif",
            FileType::Webp => "image/webp",
            FileType::Heic => "image/heic",
            FileType::Tiff => "image/tiff",
            FileType::Text => "text/plain",
            FileType::Csv => "text/csv",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileType::Doc => "application/msword",
            FileType::Xls => "application/vnd.ms-excel",
        }
    }

    /// The file name extensions of the type, without the dot, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Png => &["png"],
            FileType::Gif => &["gif"],
            FileType::Webp => &["webp"],
            FileType::Heic => &["heic", "heif"],
            FileType::Tiff => &["tif", "tiff"],
            FileType::Text => &["txt"],
            FileType::Csv => &["csv"],
            FileType::Docx => &["docx"],
            FileType::Xlsx => &["xlsx"],
            FileType::Odt => &["odt"],
            FileType::Ods => &["ods"],
            FileType::Doc => &["doc"],
            FileType::Xls => &["xls"],
        }
    }

    /// The name a citizen knows the type by ("PDF", "JPEG", "Word").
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
            FileType::Gif => "GIF",
            FileType::Webp => "WebP",
            FileType::Heic => "HEIC",
            FileType::Tiff => "TIFF",
            FileType::Text => "TXT",
            FileType::Csv => "CSV",
            FileType::Docx | FileType::Doc => "Word",
            FileType::Xlsx | FileType::Xls => "Excel",
            FileType::Odt => "ODT",
            FileType::Ods => "ODS",
        }
    }

    /// Whether the type is a photo or picture (what `capture` and `downscale` apply to).
    pub fn is_image(self) -> bool {
        matches!(
            self,
            FileType::Jpeg
                | FileType::Png
                | FileType::Gif
                | FileType::Webp
                | FileType::Heic
                | FileType::Tiff
        )
    }

    /// The type with this MIME type (ASCII case ignored).
    pub fn from_mime(mime: &str) -> Option<FileType> {
        let mime = mime.trim();
        FileType::ALL
            .into_iter()
            .find(|t| t.mime().eq_ignore_ascii_case(mime))
            .or_else(|| {
                mime.eq_ignore_ascii_case("image/heif")
                    .then_some(FileType::Heic)
            })
    }

    /// The type with this extension (with or without the dot; ASCII case ignored).
    pub fn from_extension(ext: &str) -> Option<FileType> {
        let ext = ext.trim().trim_start_matches('.');
        FileType::ALL
            .into_iter()
            .find(|t| t.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)))
    }

    /// A definition's `accept` item: a MIME type (`application/pdf`) or an extension (`.pdf`).
    pub fn from_accept(item: &str) -> Option<FileType> {
        if item.trim_start().starts_with('.') {
            FileType::from_extension(item)
        } else {
            FileType::from_mime(item)
        }
    }

    /// The type a file name's extension names, if any.
    pub fn from_name(name: &str) -> Option<FileType> {
        let (_, ext) = name.rsplit_once('.')?;
        FileType::from_extension(ext)
    }
}

/// Types as a citizen reads them: their labels, each once, e.g. `PDF, JPEG, Word`.
pub fn type_labels(types: &[FileType]) -> String {
    let mut labels: Vec<&str> = Vec::new();
    for label in types.iter().map(|t| t.label()) {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels.join(", ")
}

/// The type of a file by its content: the magic bytes at the start of `head` (the first
/// [`SNIFF_LEN`] bytes, or the whole file when shorter). The `name` only tells apart types that
/// share a container: a zip archive is Word or Excel by its extension (an OpenDocument file
/// names its own type inside), an old Office file Word or Excel, UTF-8 text plain text or CSV.
/// `None`: none of the known types (an executable named `intyg.pdf`, an empty file).
pub fn sniff(head: &[u8], name: &str) -> Option<FileType> {
    let head = &head[..head.len().min(SNIFF_LEN)];
    let named = FileType::from_name(name);
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        return Some(FileType::Pdf);
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileType::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some(FileType::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some(FileType::Gif);
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Some(FileType::Webp);
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return Some(FileType::Tiff);
    }
    if head.get(4..8) == Some(b"ftyp") {
        let brand = head.get(8..12)?;
        let heic_brands: [&[u8]; 6] = [b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"];
        return heic_brands.contains(&brand).then_some(FileType::Heic);
    }
    if starts(b"PK\x03\x04") {
        // An OpenDocument file's first entry is `mimetype`, stored, with the type as its content.
        if head.get(30..38) == Some(b"mimetype") {
            let rest = head.get(38..).unwrap_or_default();
            for t in [FileType::Odt, FileType::Ods] {
                if rest.starts_with(t.mime().as_bytes()) {
                    return Some(t);
                }
            }
            return None;
        }
        return named.filter(|t| matches!(t, FileType::Docx | FileType::Xlsx));
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return named.filter(|t| matches!(t, FileType::Doc | FileType::Xls));
    }
    if !head.is_empty() && is_text(head) {
        return Some(match named {
            Some(FileType::Csv) => FileType::Csv,
            _ => FileType::Text,
        });
    }
    None
}

/// Whether bytes read as UTF-8 text (a character cut at the end of the head allowed) without
/// NUL or other control characters than tab, line feed, carriage return and form feed.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A character cut by the end of the head is fine; anything else is not text.
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let valid = valid.strip_prefix('\u{feff}').unwrap_or(valid);
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// One attached file as a submission names it: its name, the type found by content, its size
/// and the SHA-256 of its bytes. The bytes travel beside the submission (see
/// `docs/receiver-api.md`, "Attachments").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// The file's name, without any folder.
    pub name: String,
    /// The MIME type found by [`sniff`].
    #[serde(rename = "type")]
    pub media_type: String,
    /// The size in bytes.
    pub size: u64,
    /// The SHA-256 of the bytes, 64 lowercase hexadecimal digits.
    pub sha256: String,
}

impl FileRef {
    /// The type named by `media_type`, if it is one of the known types.
    pub fn file_type(&self) -> Option<FileType> {
        FileType::from_mime(&self.media_type).filter(|t| t.mime() == self.media_type)
    }
}

/// Whether `s` is a SHA-256 written as 64 lowercase hexadecimal digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A file name as a reference keeps it: the last part of any path (both `/` and `\`), with
/// leading and trailing whitespace removed and at most [`MAX_NAME_CHARS`] characters (the
/// extension kept); `file` when nothing is left.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned = crate::normalize::clean_text(base.trim(), false);
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        return "file".to_owned();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned.to_owned();
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if ext.chars().count() <= 10 => (stem, Some(ext)),
        _ => (cleaned, None),
    };
    let keep = MAX_NAME_CHARS - ext.map_or(0, |e| e.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// A size in bytes as a citizen reads it: `850 kB`, `4,2 MB` (decimal comma in `sv`/`fi`).
pub fn format_size(bytes: u64, decimal_comma: bool) -> String {
    const KB: u64 = 1000;
    const MB: u64 = 1000 * 1000;
    let text = if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} kB", bytes.div_ceil(KB))
    } else {
        // One decimal, rounded up so a limit is never shown smaller than it is.
        let tenths = bytes.div_ceil(MB / 10);
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    };
    if decimal_comma {
        text.replace('.', ",")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_type_by_its_magic_bytes() {
        let cases: [(&[u8], &str, Option<FileType>); 17] = [
            (b"%PDF-1.7\n%\xe2\xe3", "plan.pdf", Some(FileType::Pdf)),
            (b"%PDF-1.4", "no-extension", Some(FileType::Pdf)),
            (
                b"\xff\xd8\xff\xe0\0\x10JFIF",
                "IMG_0001.JPG",
                Some(FileType::Jpeg),
            ),
            (
                b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
                "a.png",
                Some(FileType::Png),
            ),
            (b"GIF89a\x01\0", "a.gif", Some(FileType::Gif)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", "a.webp", Some(FileType::Webp)),
            (
                b"\0\0\0\x18ftypheic\0\0\0\0",
                "IMG.HEIC",
                Some(FileType::Heic),
            ),
            (b"\0\0\0\x18ftypisom\0\0\0\0", "film.heic", None),
            (b"II*\0\x08\0\0\0", "scan.tif", Some(FileType::Tiff)),
            (b"PK\x03\x04\x14\0\x06\0", "brev.docx", Some(FileType::Docx)),
            (
                b"PK\x03\x04\x14\0\x06\0",
                "tabell.xlsx",
                Some(FileType::Xlsx),
            ),
            (b"PK\x03\x04\x14\0\x06\0", "arkiv.zip", None),
            (b"PK\x03\x04\x14\0\x06\0", "brev.pdf", None),
            (
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0",
                "gammal.doc",
                Some(FileType::Doc),
            ),
            (
                b"namn;belopp\r\nAnna;12\r\n",
                "lista.csv",
                Some(FileType::Csv),
            ),
            ("Hej på dig\n".as_bytes(), "notis.txt", Some(FileType::Text)),
            (b"", "tom.txt", None),
        ];
        for (bytes, name, expected) in cases {
            assert_eq!(sniff(bytes, name), expected, "{name}");
        }
    }

    #[test]
    fn an_opendocument_file_says_its_type_itself() {
        let mut odt = b"PK\x03\x04\x0a\0\0\0\0\0".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(sniff(&odt, "brev.docx"), Some(FileType::Odt));
        let mut ods = odt[..38].to_vec();
        ods.extend_from_slice(b"application/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff(&ods, "x"), Some(FileType::Ods));
        let mut other = odt[..38].to_vec();
        other.extend_from_slice(b"application/epub+zip");
        assert_eq!(sniff(&other, "bok.odt"), None);
    }

    #[test]
    fn programs_are_no_known_type_whatever_their_name() {
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
        let pe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
        let script = b"#!/bin/sh\nrm -rf /\n";
        for name in ["intyg.pdf", "foto.jpg", "brev.docx", "lista.txt"] {
            assert_eq!(sniff(elf, name), None, "{name}");
            assert_eq!(sniff(pe, name), None, "{name}");
        }
        // A shell script is text: it passes as .txt only, which the receiver stores, never runs.
        assert_eq!(sniff(script, "a.pdf"), Some(FileType::Text));
    }

    #[test]
    fn text_is_utf8_without_control_characters() {
        assert!(is_text("åäö\tx\r\n".as_bytes()));
        assert!(is_text("\u{feff}bom".as_bytes()));
        // A character cut by the end of the head.
        assert!(is_text(&"aå".as_bytes()[..2]));
        assert!(!is_text(b"a\0b"));
        assert!(!is_text(b"\xff\xfeH\0"));
        assert!(!is_text(b"a\x1b[31m"));
    }

    #[test]
    fn types_read_from_mime_types_and_extensions() {
        assert_eq!(
            FileType::from_accept("application/pdf"),
            Some(FileType::Pdf)
        );
        assert_eq!(FileType::from_accept("IMAGE/JPEG"), Some(FileType::Jpeg));
        assert_eq!(FileType::from_accept(".JPG"), Some(FileType::Jpeg));
        assert_eq!(FileType::from_accept(".heif"), Some(FileType::Heic));
        assert_eq!(FileType::from_accept("image/*"), None);
        assert_eq!(FileType::from_accept(".exe"), None);
        assert_eq!(FileType::from_name("a.b.Docx"), Some(FileType::Docx));
        assert_eq!(FileType::from_name("README"), None);
        for t in FileType::ALL {
            assert_eq!(FileType::from_mime(t.mime()), Some(t));
            for e in t.extensions() {
                assert_eq!(FileType::from_extension(e), Some(t));
            }
        }
    }

    #[test]
    fn names_lose_their_folders_and_stay_short() {
        assert_eq!(clean_name("C:\\Users\\anna\\intyg.pdf"), "intyg.pdf");
        assert_eq!(clean_name("/tmp/../plan.pdf"), "plan.pdf");
        assert_eq!(clean_name("  foto.jpg "), "foto.jpg");
        assert_eq!(clean_name("a/.."), "file");
        assert_eq!(clean_name("x\u{202e}fdp.exe"), "xfdp.exe");
        let long = format!("{}.pdf", "å".repeat(300));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_NAME_CHARS);
        assert!(cleaned.ends_with("å.pdf"));
    }

    #[test]
    fn sizes_read_as_a_citizen_reads_them() {
        assert_eq!(format_size(512, true), "512 B");
        assert_eq!(format_size(850_001, true), "851 kB");
        assert_eq!(format_size(10 * 1024 * 1024, true), "10,5 MB");
        assert_eq!(format_size(10_000_000, false), "10 MB");
        assert_eq!(format_size(4_200_000, false), "4.2 MB");
    }

    #[test]
    fn hashes_are_lowercase_hex() {
        assert!(is_sha256_hex(&"a1".repeat(32)));
        assert!(!is_sha256_hex(&"A1".repeat(32)));
        assert!(!is_sha256_hex("abc"));
    }
}

#[cfg(test)]
#[path = "files/tests_form.rs"]
mod tests_form;
