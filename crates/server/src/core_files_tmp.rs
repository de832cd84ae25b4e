//! TODO(issue 18): a temporary private copy of `blankett_core::files` (the lead's core part,
//! not on main yet: `FileType`, `sniff`, `format_size`, `is_sha256_hex`), so the receiver
//! compiles before it lands. Delete this file and point `crate::core_files` at
//! `blankett_core::files` once main has it.
#![allow(dead_code, clippy::manual_is_multiple_of)]

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

/// Whether `s` is a SHA-256 written as 64 lowercase hexadecimal digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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
        if tenths % 10 == 0 {
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
