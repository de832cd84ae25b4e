//! Compressed copies of the built files, made once at build time: `NAME.br` (brotli,
//! quality 11) and `NAME.gz` (gzip -9) beside each file the receiver serves from `dist/`,
//! so it sends the smallest one the browser accepts without compressing on every request.

use std::io::Write as _;
use std::path::Path;

/// The endings of the files worth compressing (text and wasm; images are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "wasm", "js", "mjs", "css", "json", "svg", "html", "xml", "txt",
];

/// `data` gzip-compressed at the best level.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// `data` brotli-compressed at quality 11 with a 4 MiB window.
pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    out
}

/// Writes `NAME.br` and `NAME.gz` beside every compressible file under `dir` (a copy that
/// would not be smaller is not written, and a stale one is removed); returns how many files
/// got copies.
pub fn write_precompressed(dir: &Path) -> Result<usize, String> {
    let mut count = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += write_precompressed(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible {
            continue;
        }
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (ending, packed) in [("br", brotli(&data)), ("gz", gzip(&data))] {
            let mut name = path.as_os_str().to_owned();
            name.push(".");
            name.push(ending);
            let out = std::path::PathBuf::from(name);
            if packed.len() < data.len() {
                std::fs::write(&out, &packed).map_err(|e| format!("{}: {e}", out.display()))?;
            } else if out.exists() {
                std::fs::remove_file(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            }
        }
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly on purpose
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn copies_decompress_to_the_file_and_small_files_get_none() {
        let dir = std::env::temp_dir().join(format!("blankett-precompress-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("dev")).unwrap();
        let text = "const form = 'blankett';\n".repeat(200);
        std::fs::write(dir.join("app-0123456789abcdef.js"), &text).unwrap();
        std::fs::write(dir.join("dev/page.html"), &text).unwrap();
        std::fs::write(dir.join("tiny.json"), "{}").unwrap();
        std::fs::write(dir.join("logo.png"), &text).unwrap();
        assert_eq!(write_precompressed(&dir), Ok(3));
        let br = std::fs::read(dir.join("app-0123456789abcdef.js.br")).unwrap();
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let gz = std::fs::read(dir.join("dev/page.html.gz")).unwrap();
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(
            !dir.join("tiny.json.br").exists(),
            "not smaller: not written"
        );
        assert!(!dir.join("logo.png.br").exists(), "images are left alone");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
