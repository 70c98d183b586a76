//! The files of a finished build, as deploy sees them: each with its object
//! key, the headers its kind of file gets, and a digest of both that tells
//! whether the object in the store is the same. Reads the output folder; no
//! network.

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
    /// SHA-256 of the bytes and the headers, hex: what the object's
    /// `polis-digest` metadata must say for it to be up to date.
    pub digest: String,
}

/// Every file under `dir`, sorted by path, hashed in parallel.
pub fn scan(dir: &Path, rules: &CacheControl) -> Result<Vec<LocalFile>> {
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
            let digest = digest_of(&Sha256::digest(&bytes), &content_type, &cache_control);
            Ok(LocalFile {
                phase: phase_of(kind),
                size: bytes.len() as u64,
                rel,
                content_type,
                cache_control,
                digest,
            })
        })
        .collect()
}

/// The digest of an object: its bytes' hash and its headers, so a change of
/// headers alone is deployed too.
pub fn digest_of(content_sha256: &[u8], content_type: &str, cache_control: &str) -> String {
    let mut h = Sha256::new();
    h.update(content_sha256);
    h.update(b"\ncontent-type: ");
    h.update(content_type.as_bytes());
    h.update(b"\ncache-control: ");
    h.update(cache_control.as_bytes());
    let bytes = h.finalize();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
        let a = digest_of(&sha, "text/html; charset=utf-8", "public, max-age=0");
        let b = digest_of(&sha, "text/html; charset=utf-8", "public, max-age=60");
        assert_ne!(a, b);
        assert_eq!(
            a,
            digest_of(&sha, "text/html; charset=utf-8", "public, max-age=0")
        );
    }
}
