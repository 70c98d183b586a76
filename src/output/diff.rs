//! `polis diff`: what a change does to the published site, from two builds'
//! output folders (before and after): the pages added, removed and changed,
//! by URL; and a warning for each address that the new build no longer
//! serves and that no alias redirects from, since links and bookmarks to it
//! would break. Reads the two folders; writes nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

use crate::error::{Error, Result};

/// One HTML file of a build, as far as comparing builds needs.
#[derive(Debug, Clone)]
struct PageFile {
    path: PathBuf,
    /// Of the whole file, and of its `<main>` element (the whole file without one).
    hash: u64,
    main_hash: u64,
    lang: String,
    title: String,
    h1: String,
    /// Where a redirect page (an alias) sends the reader.
    redirect: Option<String>,
    /// `hreflang` → URL of the page's language versions.
    alternates: BTreeMap<String, String>,
}

/// A page the new build no longer has.
#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub url: String,
    /// It was a redirect (an alias) rather than a page.
    pub redirect: bool,
    /// Where the new build redirects it, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirected_to: Option<String>,
    /// A new page that looks like the same page at a new URL, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<Moved>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub url: String,
    /// `translation`, `heading`, `title` or `content`.
    pub because: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub url: String,
    pub message: String,
    pub help: String,
}

/// What changed between two builds, URLs sorted.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    pub old_pages: usize,
    pub new_pages: usize,
    pub added: Vec<String>,
    pub removed: Vec<Removed>,
    /// Pages whose main content changed.
    pub changed: Vec<String>,
    /// Pages that changed only outside their main content (menus, footers,
    /// links to other pages in the header).
    pub changed_around: Vec<String>,
    pub redirects_added: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// Compares the builds in `old` and `new`.
pub fn diff(old: &Path, new: &Path) -> Result<Diff> {
    let a = read_build(old)?;
    let b = read_build(new)?;
    let is_page = |p: &PageFile| p.redirect.is_none();
    let mut d = Diff {
        old_pages: a.values().filter(|p| is_page(p)).count(),
        new_pages: b.values().filter(|p| is_page(p)).count(),
        ..Diff::default()
    };
    for (url, p) in &b {
        match a.get(url) {
            None if is_page(p) => d.added.push(url.clone()),
            None => d.redirects_added.push(url.clone()),
            Some(o) if o.hash != p.hash && is_page(p) && is_page(o) => {
                if o.main_hash != p.main_hash {
                    d.changed.push(url.clone());
                } else {
                    d.changed_around.push(url.clone());
                }
            }
            Some(_) => {}
        }
    }
    let added: BTreeSet<&str> = d.added.iter().map(String::as_str).collect();
    for (url, o) in &a {
        let now = b.get(url);
        if now.is_some_and(is_page) {
            continue;
        }
        let redirected_to = now.and_then(|p| p.redirect.clone());
        if redirected_to.is_some() && is_page(o) {
            // Now an alias of the page that took its place: nothing breaks.
            d.removed.push(Removed {
                url: url.clone(),
                redirect: false,
                redirected_to,
                moved_to: None,
            });
            continue;
        }
        if now.is_some() {
            continue;
        }
        let moved_to = if is_page(o) {
            moved_to(url, o, &b, &added)
        } else {
            // An alias that went: its page may still be where it pointed.
            o.redirect
                .as_deref()
                .map(|t| url_path(t, &b))
                .filter(|t| b.get(t).is_some_and(is_page))
                .map(|t| Moved {
                    url: t,
                    because: "redirect",
                })
        };
        if !is_pager(url) {
            let alias = format!("aliases = [\"{url}\"]");
            let (message, help) = match (&moved_to, is_page(o)) {
                (Some(m), true) => (
                    format!(
                        "`{url}` is gone and nothing redirects from it; it seems to be at `{}` now (same {})",
                        m.url, m.because
                    ),
                    format!(
                        "add `{alias}` to the front matter of the page at `{}`, so that links to the old address still work",
                        m.url
                    ),
                ),
                (Some(m), false) => (
                    format!("the redirect from `{url}` to `{}` is gone", m.url),
                    format!(
                        "keep `{alias}` in the front matter of the page at `{}`",
                        m.url
                    ),
                ),
                (None, true) => (
                    format!("`{url}` is gone and nothing redirects from it"),
                    format!(
                        "if the page moved, add `{alias}` to the front matter of its new version; if it is gone for good, links to it will break"
                    ),
                ),
                (None, false) => (
                    format!("the redirect from `{url}` is gone"),
                    format!(
                        "if its page moved, add `{alias}` to the front matter of its new version"
                    ),
                ),
            };
            d.warnings.push(Warning {
                url: url.clone(),
                message,
                help,
            });
        }
        d.removed.push(Removed {
            url: url.clone(),
            redirect: !is_page(o),
            redirected_to: None,
            moved_to,
        });
    }
    Ok(d)
}

/// `/en/news/page/2/`: pagers come and go with the number of pages.
fn is_pager(url: &str) -> bool {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let n = parts.next().unwrap_or("");
    parts.next() == Some("page") && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
}

/// The new page that the removed page `url` seems to have become: its
/// translation's translation in its language; else the only new page with
/// its heading, or its title; else a new page with nearly the same text.
fn moved_to(
    url: &str,
    old: &PageFile,
    b: &BTreeMap<String, PageFile>,
    added: &BTreeSet<&str>,
) -> Option<Moved> {
    let moved = |url: &str, because| Moved {
        url: url.to_string(),
        because,
    };
    for (lang, alt) in &old.alternates {
        if lang == &old.lang || lang == "x-default" || alt == url {
            continue;
        }
        if let Some(t) = b
            .get(alt)
            .and_then(|p| p.alternates.get(&old.lang))
            .filter(|t| added.contains(t.as_str()))
        {
            return Some(moved(t, "translation"));
        }
    }
    let only = |f: &dyn Fn(&PageFile) -> bool| {
        let mut found = added.iter().filter(|u| b.get(**u).is_some_and(f));
        match (found.next(), found.next()) {
            (Some(u), None) => Some(*u),
            _ => None,
        }
    };
    if !old.h1.is_empty()
        && let Some(u) = only(&|p| p.h1 == old.h1 && p.lang == old.lang)
    {
        return Some(moved(u, "heading"));
    }
    if !old.title.is_empty()
        && let Some(u) = only(&|p| p.title == old.title && p.lang == old.lang)
    {
        return Some(moved(u, "title"));
    }
    // Comparing texts is the slow way: only for a handful of candidates.
    let candidates: Vec<&&str> = added
        .iter()
        .filter(|u| b.get(**u).is_some_and(|p| p.lang == old.lang))
        .collect();
    if candidates.is_empty() || candidates.len() > 200 {
        return None;
    }
    let words_of = |p: &PageFile| -> BTreeSet<String> {
        // Only a guess at a move: a page that cannot be read matches nothing.
        let html = crate::fs::read_to_string(&p.path).unwrap_or_default();
        text_words(element(&html, "<main", "</main>").unwrap_or(&html))
    };
    let before = words_of(old);
    if before.len() < 20 {
        return None;
    }
    candidates
        .into_iter()
        .filter_map(|u| {
            let after = words_of(b.get(*u)?);
            let common = before.intersection(&after).count();
            let all = before.union(&after).count().max(1);
            let score = common as f64 / all as f64;
            (score >= 0.8).then_some((score, *u))
        })
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, u)| moved(u, "content"))
}

/// The words of an HTML fragment's text, tags left out.
fn text_words(html: &str) -> BTreeSet<String> {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Every HTML file of a build by URL path (`/en/live/`, `/404.html`).
fn read_build(dir: &Path) -> Result<BTreeMap<String, PageFile>> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "`{}` is not a folder with a built site",
            dir.display()
        )));
    }
    let mut pages = BTreeMap::new();
    let mut base_path: Option<String> = None;
    let mut pending: Vec<(String, PageFile)> = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|source| Error::Walk {
            path: dir.to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let url = match rel.strip_suffix("index.html") {
            Some(d) if d.is_empty() || d.ends_with('/') => format!("/{d}"),
            _ => format!("/{rel}"),
        };
        let bytes = crate::fs::read(entry.path())?;
        let html = String::from_utf8_lossy(&bytes);
        let main = element(&html, "<main", "</main>");
        let hash = |s: &[u8]| {
            let mut h = Xxh3::new();
            h.write(s);
            h.finish()
        };
        let redirect = meta_refresh(&html);
        // Learn the base path (a site under `/polis/`) from a page's canonical
        // link: its URL as readers see it ends with the file's own.
        if base_path.is_none()
            && redirect.is_none()
            && let Some(c) = attr_of(&html, "<link rel=\"canonical\"", "href")
        {
            let path = strip_origin(&c);
            if let Some(prefix) = path.strip_suffix(&url) {
                base_path = Some(prefix.to_string());
            }
        }
        let mut alternates = BTreeMap::new();
        for tag in tags(&html, "<link rel=\"alternate\" hreflang=\"") {
            if let (Some(l), Some(h)) = (attr(tag, "hreflang"), attr(tag, "href")) {
                alternates.insert(l, h);
            }
        }
        pending.push((
            url,
            PageFile {
                path: entry.path().to_path_buf(),
                hash: hash(&bytes),
                main_hash: hash(main.unwrap_or(&html).as_bytes()),
                lang: attr_of(&html, "<html", "lang").unwrap_or_default(),
                title: element(&html, "<title>", "</title>")
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                h1: element(&html, "<h1", "</h1>")
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                redirect,
                alternates,
            },
        ));
    }
    let base = base_path.unwrap_or_default();
    let local = |u: &str| {
        let p = strip_origin(u);
        p.strip_prefix(&base).unwrap_or(&p).to_string()
    };
    for (url, mut p) in pending {
        p.redirect = p.redirect.map(|r| local(&r));
        p.alternates = p
            .alternates
            .into_iter()
            .map(|(l, h)| (l, local(&h)))
            .collect();
        pages.insert(url, p);
    }
    Ok(pages)
}

/// A URL's path in `b`'s terms: `https://x.example/en/a/` → `/en/a/`.
fn url_path(u: &str, b: &BTreeMap<String, PageFile>) -> String {
    let p = strip_origin(u);
    if b.contains_key(&p) {
        return p;
    }
    // Under a base path: the longest known URL that it ends with.
    b.keys()
        .filter(|k| k.len() > 1 && p.ends_with(k.as_str()))
        .max_by_key(|k| k.len())
        .cloned()
        .unwrap_or(p)
}

fn strip_origin(u: &str) -> String {
    match u.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/".into(), |i| rest[i..].to_string()),
        None => u.to_string(),
    }
}

/// The inside of the first `start ...>` ... `end` element.
fn element<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let s = html.find(start)?;
    let open_end = html[s..].find('>')? + s + 1;
    let e = html[open_end..].find(end)? + open_end;
    Some(html[open_end..e].trim())
}

/// Every tag starting with `prefix`, up to its `>`.
fn tags<'a>(html: &'a str, prefix: &str) -> Vec<&'a str> {
    html.match_indices(prefix)
        .filter_map(|(i, _)| html[i..].find('>').map(|e| &html[i..=i + e]))
        .collect()
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let s = tag.find(&needle)? + needle.len();
    let e = tag[s..].find('"')? + s;
    Some(unescape(&tag[s..e]))
}

fn attr_of(html: &str, prefix: &str, name: &str) -> Option<String> {
    tags(html, prefix).first().and_then(|t| attr(t, name))
}

/// The target of `<meta http-equiv="refresh" content="0; url=...">`.
fn meta_refresh(html: &str) -> Option<String> {
    let content = attr_of(html, "<meta http-equiv=\"refresh\"", "content")?;
    let (_, url) = content.split_once("url=")?;
    Some(url.trim().to_string())
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_are_recognised() {
        assert!(is_pager("/en/news/page/2/"));
        assert!(!is_pager("/en/news/page/"));
        assert!(!is_pager("/en/page/two/"));
        assert!(!is_pager("/en/news/"));
    }

    #[test]
    fn origins_are_stripped() {
        assert_eq!(strip_origin("https://x.example/en/a/"), "/en/a/");
        assert_eq!(strip_origin("https://x.example"), "/");
        assert_eq!(strip_origin("/en/a/"), "/en/a/");
    }

    #[test]
    fn meta_refresh_gives_the_target() {
        let html =
            "<head><meta http-equiv=\"refresh\" content=\"0; url=https://x.example/en/a/\"></head>";
        assert_eq!(
            meta_refresh(html).as_deref(),
            Some("https://x.example/en/a/")
        );
        assert_eq!(meta_refresh("<p>no</p>"), None);
    }
}
