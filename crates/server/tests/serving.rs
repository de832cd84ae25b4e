//! How the receiver serves the app and the definitions to browsers (issue 17, part 1):
//! compressed by `Accept-Encoding` (the build's `.br`/`.gz` copies as they are, the rest
//! compressed as sent), `Vary: accept-encoding`, hashed files cached for a year as
//! immutable, the rest revalidated (`no-cache`, `Last-Modified`, `304` on a repeat).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::io::{Read as _, Write as _};

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, IF_MODIFIED_SINCE,
    LAST_MODIFIED, VARY,
};

const WASM: &str = "blankett-0123456789abcdef_bg.wasm";
const GLUE: &str = "blankett-0123456789abcdef.js";

fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &data[..], &mut out).unwrap();
    out
}

fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A built app as `cargo xtask build` leaves it: hashed files with their compressed copies.
fn write_dist(dist: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    // Repetitive enough to compress, like code.
    let wasm: Vec<u8> = (0..200_000u32)
        .map(|i| (i % 251) as u8 ^ (i / 997) as u8)
        .collect();
    let glue = "export function run() { return 'blankett'; }\n"
        .repeat(400)
        .into_bytes();
    let sw = "self.addEventListener('fetch', () => {});\n"
        .repeat(50)
        .into_bytes();
    let files = vec![
        (WASM.to_owned(), wasm),
        (GLUE.to_owned(), glue),
        ("sw.js".to_owned(), sw),
    ];
    for (name, data) in &files {
        std::fs::write(dist.join(name), data).unwrap();
        std::fs::write(dist.join(format!("{name}.br")), brotli(data)).unwrap();
        std::fs::write(dist.join(format!("{name}.gz")), gzip(data)).unwrap();
    }
    files
}

async fn get(server: &common::TestServer, path: &str, encoding: Option<&str>) -> reqwest::Response {
    let mut request = server.client.get(server.url(path));
    if let Some(encoding) = encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn built_files_are_sent_compressed_by_accept_encoding_and_cached_by_name() {
    let server = common::start(common::Options {
        with_dist: true,
        ..common::Options::default()
    })
    .await;
    let files = write_dist(&server.dist);
    for (name, data) in &files {
        let path = format!("/{name}");
        let hashed = name != "sw.js";
        for (encoding, expected) in [
            (None, None),
            (Some("gzip, deflate, br, zstd"), Some("br")),
            (Some("gzip"), Some("gzip")),
            (Some("identity"), None),
        ] {
            let response = get(&server, &path, encoding).await;
            assert_eq!(response.status(), 200, "{path} {encoding:?}");
            assert_eq!(
                response
                    .headers()
                    .get(CONTENT_ENCODING)
                    .map(|v| v.to_str().unwrap()),
                expected,
                "{path} {encoding:?}"
            );
            let vary = header(&response, VARY).to_ascii_lowercase();
            assert!(vary.contains("accept-encoding"), "{path}: Vary {vary}");
            assert_eq!(
                vary.matches("accept-encoding").count(),
                1,
                "{path}: Vary {vary}"
            );
            let cache = header(&response, CACHE_CONTROL);
            if hashed {
                assert_eq!(cache, "public, max-age=31536000, immutable", "{path}");
            } else {
                assert_eq!(cache, "no-cache", "{path}");
            }
            let content_type = header(&response, CONTENT_TYPE);
            let body = response.bytes().await.unwrap();
            let plain = match expected {
                Some("br") => unbrotli(&body),
                Some("gzip") => gunzip(&body),
                _ => body.to_vec(),
            };
            assert_eq!(&plain, data, "{path} {encoding:?}: the bytes");
            if expected == Some("br") {
                assert!(
                    body.len() * 2 < data.len(),
                    "{path}: {} of {}",
                    body.len(),
                    data.len()
                );
            }
            assert!(
                content_type.contains(if name.ends_with(".wasm") {
                    "application/wasm"
                } else {
                    "javascript"
                }),
                "{path}: {content_type}"
            );
        }
    }
}

#[tokio::test]
async fn definitions_and_revalidated_files_answer_304_on_a_repeat() {
    let server = common::start(common::Options {
        with_dist: true,
        ..common::Options::default()
    })
    .await;
    write_dist(&server.dist);
    let definition = std::fs::read(server.forms.join("test.json")).unwrap();
    // A definition has no compressed copy: it is compressed as it is sent.
    let response = get(&server, "/forms/test.json", Some("br")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, CONTENT_ENCODING), "br");
    assert_eq!(header(&response, CACHE_CONTROL), "no-cache");
    assert!(
        header(&response, VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let modified = header(&response, LAST_MODIFIED);
    assert!(!modified.is_empty(), "a definition says when it changed");
    assert_eq!(unbrotli(&response.bytes().await.unwrap()), definition);
    let plain = get(&server, "/forms/test.json", None).await;
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert_eq!(plain.bytes().await.unwrap().to_vec(), definition);
    // A repeat with the date it was given: 304, no body.
    for path in ["/forms/test.json", "/sw.js", &format!("/{WASM}")] {
        let first = get(&server, path, Some("br")).await;
        let modified = header(&first, LAST_MODIFIED);
        let again = server
            .client
            .get(server.url(path))
            .header(ACCEPT_ENCODING, "br")
            .header(IF_MODIFIED_SINCE, &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty(), "{path}");
    }
    // The app's page carries a new CSP nonce each time, so it is never the same twice: it is
    // compressed as sent and revalidated in full.
    let page = get(&server, "/", Some("gzip")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, CONTENT_ENCODING), "gzip");
    assert_eq!(header(&page, CACHE_CONTROL), "no-cache");
    let html = String::from_utf8(gunzip(&page.bytes().await.unwrap())).unwrap();
    assert!(
        html.contains("nonce=\"") && !html.contains("{{__TRUNK NONCE__}}"),
        "{html}"
    );
    // The API's answers are never compressed.
    let jwks = get(&server, blankett_server::JWKS_PATH, Some("br, gzip")).await;
    assert_eq!(header(&jwks, CONTENT_ENCODING), "");
    let api = get(&server, "/api/forms", Some("br, gzip")).await;
    assert_eq!(header(&api, CONTENT_ENCODING), "");
}
