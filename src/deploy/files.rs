//! The files of a finished build, as deploy sees them: each with its object
//! key, the headers its kind of file gets, and a digest of both that tells
//! whether the object in the store is the same. A small page that is a
//! redirect (an alias, the root `/`) is recognised by its zero-delay
//! `<meta http-equiv="refresh">`, for S3's website redirect (issue 19).
//! Reads the output folder; no network.

use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::assets::images::IMAGE_DIR;
use crate::config::deploy::CacheControl;
use crate::error::{Error, Result};
use crate::fs;
use crate::output::content_type_of;

/// The order objects go up in, so a reader never gets a page whose
/// stylesheet or photo is not there yet, nor a feed entry whose page is not:
/// assets and images, then pages, then feeds and the sitemap. Deletions come
/// after all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Assets,
    Pages,
    Feeds,
}

/// Which `Cache-Control` rule a file gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A fingerprinted stylesheet or script, an image variant: its name
    /// changes when its bytes do.
    Immutable,
    Page,
    Feed,
    Other,
}

/// One file of the build.
#[derive(Debug, Clone)]
pub struct LocalFile {
    /// Relative to the output folder, with `/`: `en/live/index.html`.
    pub rel: String,
    pub size: u64,
    pub phase: Phase,
    pub content_type: String,
    pub cache_control: String,
    /// With `website_redirects`, a redirect page's
    /// `x-amz-website-redirect-location`: a path from the bucket's top
    /// (`/en/about/`) or an `http(s)://` address.
    pub redirect: Option<String>,
    /// SHA-256 of the bytes and the headers, hex: what the object's
    /// `polis-digest` metadata must say for it to be up to date.
    pub digest: String,
}

/// A page at least this big is not read for a redirect: polis's redirect
/// pages are under 1 KiB, and a page with content of its own is not one.
const REDIRECT_PAGE_MAX: usize = 8 * 1024;

/// Every file under `dir`, sorted by path, hashed in parallel. With
/// `website_redirects` (`Some` of the bucket folder the site goes under),
/// redirect pages get their [`LocalFile::redirect`], relative targets
/// resolved against the page's own place in the bucket.
pub fn scan(
    dir: &Path,
    rules: &CacheControl,
    website_redirects: Option<&str>,
) -> Result<Vec<LocalFile>> {
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|source| Error::Walk {
            path: dir.to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        paths.push((rel, entry.into_path()));
    }
    paths
        .into_par_iter()
        .map(|(rel, path)| {
            let bytes = fs::read(&path)?;
            let kind = kind_of(&rel);
            let content_type = content_type_of(&rel);
            let cache_control = match kind {
                Kind::Immutable => &rules.immutable,
                Kind::Page => &rules.pages,
                Kind::Feed => &rules.feeds,
                Kind::Other => &rules.other,
            }
            .clone();
            let redirect = match website_redirects {
                Some(prefix) if kind == Kind::Page => refresh_target_of(&bytes)
                    .and_then(|to| website_location(&format!("{prefix}{rel}"), &to)),
                _ => None,
            };
            let digest = digest_of(
                &Sha256::digest(&bytes),
                &content_type,
                &cache_control,
                redirect.as_deref(),
            );
            Ok(LocalFile {
                phase: phase_of(kind),
                size: bytes.len() as u64,
                rel,
                content_type,
                cache_control,
                redirect,
                digest,
            })
        })
        .collect()
}

/// The digest of an object: its bytes' hash and its headers, so a change of
/// headers alone is deployed too. Without a redirect location it is what it
/// was before there were any, so turning `website_redirects` on uploads the
/// redirect pages again and nothing else.
pub fn digest_of(
    content_sha256: &[u8],
    content_type: &str,
    cache_control: &str,
    redirect: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    h.update(content_sha256);
    h.update(b"\ncontent-type: ");
    h.update(content_type.as_bytes());
    h.update(b"\ncache-control: ");
    h.update(cache_control.as_bytes());
    if let Some(location) = redirect {
        h.update(b"\nx-amz-website-redirect-location: ");
        h.update(location.as_bytes());
    }
    let bytes = h.finalize();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a page sends its reader, if it is a redirect page: the URL of its
/// first `<meta http-equiv="refresh">`, when that has a zero delay, with
/// character references decoded. Pages of [`REDIRECT_PAGE_MAX`] or more are
/// not looked at.
pub fn refresh_target_of(page: &[u8]) -> Option<String> {
    if page.len() >= REDIRECT_PAGE_MAX {
        return None;
    }
    let html = std::str::from_utf8(page).ok()?;
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<meta") {
        let start = from + at + "<meta".len();
        from = start;
        if !html[start..].starts_with(|c: char| c.is_ascii_whitespace() || c == '/') {
            continue;
        }
        let attrs = tag_attributes(&html[start..])?;
        let value = |name: &str| {
            attrs
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| decode_references(v))
        };
        if value("http-equiv").is_some_and(|v| v.trim().eq_ignore_ascii_case("refresh")) {
            return refresh_url(&value("content")?);
        }
    }
    None
}

/// The attributes of a tag, from just after its name up to its `>`, values
/// as written (not decoded); `None` if the tag does not end.
fn tag_attributes(s: &str) -> Option<Vec<(&str, &str)>> {
    let mut attrs = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.starts_with('>') {
            return Some(attrs);
        }
        if rest.is_empty() {
            return None;
        }
        // The first character is the name's even if it is `=`, as the HTML
        // tokenizer has it.
        let end = rest
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '='))
            .map_or(rest.len(), |(i, _)| i);
        let name = &rest[..end];
        rest = rest[end..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let mut value = "";
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
            if let Some(q) = after.chars().next().filter(|c| matches!(c, '"' | '\'')) {
                let close = after[1..].find(q)?;
                value = &after[1..1 + close];
                rest = &after[close + 2..];
            } else {
                let end = after
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(after.len());
                value = &after[..end];
                rest = &after[end..];
            }
        }
        attrs.push((name, value));
    }
}

/// The URL of a refresh's `content` (`0; url=/en/`), when the delay is zero,
/// as browsers read it (HTML's "shared declarative refresh steps"): the
/// delay's fraction is ignored, `url=` and quotes are optional.
fn refresh_url(content: &str) -> Option<String> {
    let s = content.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 && !s.starts_with('.') {
        return None;
    }
    if !s[..digits].bytes().all(|b| b == b'0') {
        return None;
    }
    let s = s[digits..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_whitespace() || c == ';' || c == ',') {
        return None;
    }
    let s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let s = s.strip_prefix([';', ',']).unwrap_or(s);
    let mut s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    if s.len() >= 3 && s[..3].eq_ignore_ascii_case("url") {
        let after = s[3..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(v) = after.strip_prefix('=') {
            s = v.trim_start_matches(|c: char| c.is_ascii_whitespace());
        }
    }
    let url = match s.chars().next() {
        Some(q @ ('"' | '\'')) => s[1..].split(q).next().unwrap_or_default(),
        _ => s,
    };
    let url = url.trim();
    // No URL: the page reloads itself, which is not a redirect.
    (!url.is_empty()).then(|| url.to_string())
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric references
/// (`&#x2f;`, `&#47;`) decoded: what minijinja's escaping writes.
fn decode_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let n = name.strip_prefix('#')?;
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => n.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What S3 takes as the website redirect of the object at `key` to
/// `target`: a path from the bucket's top or an `http(s)://` address. A
/// relative target is resolved against the page's own place (`key`), as a
/// browser does; non-ASCII and spaces are percent-encoded, since a header
/// carries ASCII only. `None` for what S3 cannot take (`mailto:`, `//host`).
pub fn website_location(key: &str, target: &str) -> Option<String> {
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return url::Url::parse(target).ok().map(String::from);
    }
    // The page's own URL in the bucket, with what a file name may hold and
    // a URL may not (`?`, `#`, `%`) escaped.
    const IN_KEY: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'%')
        .add(b'?')
        .add(b'#')
        .add(b'\\');
    let base = url::Url::parse(&format!(
        "http://bucket.invalid/{}",
        percent_encoding::utf8_percent_encode(key, IN_KEY)
    ))
    .ok()?;
    let resolved = base.join(target).ok()?;
    if resolved.scheme() != "http" || resolved.host_str() != Some("bucket.invalid") {
        return None;
    }
    Some(resolved[url::Position::BeforePath..].to_string())
}

pub fn kind_of(rel: &str) -> Kind {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    if rel.starts_with(&format!("{IMAGE_DIR}/")) || is_fingerprinted(name) {
        Kind::Immutable
    } else if ext == "html" {
        Kind::Page
    } else if matches!(ext, "xml" | "ics" | "rss" | "atom") {
        Kind::Feed
    } else {
        Kind::Other
    }
}

fn phase_of(kind: Kind) -> Phase {
    match kind {
        Kind::Immutable | Kind::Other => Phase::Assets,
        Kind::Page => Phase::Pages,
        Kind::Feed => Phase::Feeds,
    }
}

/// `style.3f9a2c1b7e.css`: a part between dots, before the extension, of
/// eight or more hex digits (what `assets::styles` writes).
fn is_fingerprinted(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 8 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_get_their_kind_and_content_type() {
        let cases = [
            (
                "css/style.3f9a2c1b7e.css",
                Kind::Immutable,
                "text/css; charset=utf-8",
            ),
            ("img/ab/photo-640.avif", Kind::Immutable, "image/avif"),
            ("en/live/index.html", Kind::Page, "text/html; charset=utf-8"),
            ("sitemap.xml", Kind::Feed, "application/xml; charset=utf-8"),
            (
                "en/events/fair.ics",
                Kind::Feed,
                "text/calendar; charset=utf-8",
            ),
            ("robots.txt", Kind::Other, "text/plain; charset=utf-8"),
            ("js/menu.js", Kind::Other, "text/javascript; charset=utf-8"),
            ("photos/harbour.jpg", Kind::Other, "image/jpeg"),
            (
                "site.webmanifest",
                Kind::Other,
                "application/manifest+json; charset=utf-8",
            ),
            ("data.bin2", Kind::Other, "application/octet-stream"),
        ];
        for (rel, kind, ct) in cases {
            assert_eq!(kind_of(rel), kind, "{rel}");
            assert_eq!(content_type_of(rel), ct, "{rel}");
        }
    }

    #[test]
    fn a_header_change_changes_the_digest() {
        let sha = Sha256::digest(b"body");
        let html = "text/html; charset=utf-8";
        let a = digest_of(&sha, html, "public, max-age=0", None);
        let b = digest_of(&sha, html, "public, max-age=60", None);
        assert_ne!(a, b);
        assert_eq!(a, digest_of(&sha, html, "public, max-age=0", None));
        let to_en = digest_of(&sha, html, "public, max-age=0", Some("/en/"));
        assert_ne!(a, to_en);
        assert_ne!(
            to_en,
            digest_of(&sha, html, "public, max-age=0", Some("/nb/"))
        );
    }

    /// A page as `render/builtin/redirect.html` writes it, with minijinja's
    /// escaping of the URL.
    fn redirect_page(url: &str) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>x</title>\n<meta name=\"robots\" content=\"noindex\">\n\
             <meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body></body>\n</html>\n"
        )
    }

    #[test]
    fn redirect_pages_are_recognised_by_a_zero_delay_refresh() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                &redirect_page("&#x2f;en&#x2f;about&#x2f;"),
                Some("/en/about/"),
            ),
            (&redirect_page("/en/"), Some("/en/")),
            (
                &redirect_page("https:&#x2f;&#x2f;example.org&#x2f;a?x=1&amp;y=2"),
                Some("https://example.org/a?x=1&y=2"),
            ),
            (&redirect_page("..&#x2f;en&#x2f;"), Some("../en/")),
            (&redirect_page("&#47;nb&#47;bo&#47;"), Some("/nb/bo/")),
            // As browsers read it: no `url=`, quotes, other case, a comma.
            (
                "<META HTTP-EQUIV=Refresh CONTENT=\"0,URL='/x/'\">",
                Some("/x/"),
            ),
            ("<meta content='0;/y/' http-equiv='refresh'/>", Some("/y/")),
            (
                "<meta http-equiv=\"refresh\" content=\"0.5; url=/z/\">",
                Some("/z/"),
            ),
            // Not redirects.
            (&redirect_page("/en/").replace("\"0; ", "\"5; "), None),
            ("<meta http-equiv=\"refresh\" content=\"0\">", None),
            (
                "<meta http-equiv=\"refresh\" content=\"30; url=/news/\">",
                None,
            ),
            ("<meta name=\"refresh\" content=\"0; url=/a/\">", None),
            (
                "<metadata http-equiv=\"refresh\" content=\"0; url=/a/\">",
                None,
            ),
            (
                "<p>&lt;meta http-equiv=\"refresh\" content=\"0; url=/a/\"&gt;</p>",
                None,
            ),
            ("<meta http-equiv=\"refresh\" content=\"0; url=/a/", None),
            ("<html><body>text</body></html>", None),
        ];
        for (page, want) in cases {
            assert_eq!(
                refresh_target_of(page.as_bytes()).as_deref(),
                *want,
                "{page}"
            );
        }
    }

    #[test]
    fn a_big_page_is_not_read_for_a_redirect() {
        let small = redirect_page("/en/");
        assert!(refresh_target_of(small.as_bytes()).is_some());
        let big = small.replace(
            "<body>",
            &format!("<body>{}", "x".repeat(REDIRECT_PAGE_MAX)),
        );
        assert_eq!(refresh_target_of(big.as_bytes()), None);
    }

    #[test]
    fn website_locations_are_paths_from_the_bucket_top_or_http_addresses() {
        let cases = [
            ("old-about/index.html", "/en/about/", Some("/en/about/")),
            ("old-about/index.html", "../en/about/", Some("/en/about/")),
            ("pr-3/old-about/index.html", "../en/", Some("/pr-3/en/")),
            ("pr-3/a/b/index.html", "c/", Some("/pr-3/a/b/c/")),
            ("index.html", "en/", Some("/en/")),
            ("a/index.html", "?p=2#top", Some("/a/index.html?p=2#top")),
            ("a/index.html", "/nb/bø/", Some("/nb/b%C3%B8/")),
            ("a/index.html", "/a b/", Some("/a%20b/")),
            ("100%/index.html", "x/", Some("/100%25/x/")),
            (
                "a/index.html",
                "HTTPS://Example.org/x",
                Some("https://example.org/x"),
            ),
            (
                "a/index.html",
                "http://example.org",
                Some("http://example.org/"),
            ),
            ("a/index.html", "//example.org/x", None),
            ("a/index.html", "mailto:a@example.org", None),
            ("a/index.html", "javascript:alert(1)", None),
            ("a/index.html", "ftp://example.org/", None),
        ];
        for (key, target, want) in cases {
            assert_eq!(
                website_location(key, target).as_deref(),
                want,
                "{key} -> {target}"
            );
        }
    }
}
