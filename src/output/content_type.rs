//! The `Content-Type` of an output file, by its extension: one table for
//! every place that hands files out, `polis serve` and `polis deploy` (and
//! through deploy the object store), so a file is the same type in both.

/// The `Content-Type` of a file by its extension, with `charset=utf-8` for
/// text (polis writes all text as UTF-8). `mime_guess` knows most; the
/// exceptions are where it differs from what browsers and the current RFCs
/// expect: `application/xml` for feeds and the sitemap (RFC 7303 prefers it
/// to `text/xml`), `text/javascript` (RFC 9239), and types it lacks.
pub fn content_type_of(rel: &str) -> String {
    let ext = rel
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map_or("", |(_, e)| e);
    let mime = match ext {
        "html" => "text/html".to_string(),
        "ics" => "text/calendar".to_string(),
        "webmanifest" => "application/manifest+json".to_string(),
        "avif" => "image/avif".to_string(),
        "wasm" => "application/wasm".to_string(),
        "xml" => "application/xml".to_string(),
        "js" | "mjs" => "text/javascript".to_string(),
        _ => mime_guess::from_ext(ext)
            .first()
            .map_or_else(|| "application/octet-stream".to_string(), |m| m.to_string()),
    };
    let text = mime.starts_with("text/")
        || mime.ends_with("+xml")
        || mime.ends_with("+json")
        || matches!(mime.as_str(), "application/xml" | "application/json");
    if text {
        format!("{mime}; charset=utf-8")
    } else {
        mime
    }
}
