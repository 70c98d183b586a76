//! A preview of a pull request lives under `pr-N/` of the preview host
//! (issue 19, item 4): the example site built with that base URL must have
//! every internal URL under the sub-path and pointing at a file the build
//! wrote: links, assets, photos' `srcset`, forms, the search's bundle (which
//! `js/search.js` imports `pagefind.js` from), feeds and the sitemap.

use std::cell::RefCell;
use std::path::Path;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer};
use polis::BuildOptions;
use polis::diag::Diagnostics;

use crate::common::{NOW, list_files, repo_dir};

const BASE: &str = "https://preview.example.org/pr-7/";

#[test]
fn a_preview_under_a_sub_path_has_every_internal_url_under_it() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let out = dir.path().join("public");
    let mut options = BuildOptions::new(repo_dir());
    options.now = NOW.parse().unwrap();
    options.base_url = Some(BASE.to_string());
    // Photo variants are named but not made (tests/example does the same).
    options.images = polis::pipeline::ImageWork::Skip;
    let mut diags = Diagnostics::default();
    let result = polis::build_to_dir(&options, &out, false, &mut diags);
    assert!(
        result.is_ok() && !diags.has_errors(),
        "{:?}",
        diags.sorted()
    );

    let files = list_files(&out);
    let mut checked = 0;
    let mut bad = Vec::new();
    let mut bundles = Vec::new();
    for (rel, bytes) in files.iter().filter(|(f, _)| f.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for (attr, url) in urls_in(&html) {
            if attr == "data-bundle" {
                // A folder, checked below by what is read from it.
                bundles.push(url);
                continue;
            }
            checked += 1;
            if let Some(problem) = check(&out, &url) {
                bad.push(format!("{rel}: {attr}=\"{url}\": {problem}"));
            }
        }
    }
    for (rel, bytes) in files
        .iter()
        .filter(|(f, _)| f.ends_with(".xml") && !f.starts_with("pagefind"))
    {
        let xml = String::from_utf8_lossy(bytes);
        for url in xml_urls(&xml) {
            checked += 1;
            if let Some(problem) = check(&out, &url) {
                bad.push(format!("{rel}: {url}: {problem}"));
            }
        }
    }
    assert!(checked > 1000, "only {checked} URLs found");
    assert!(
        bad.is_empty(),
        "{} bad URLs:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // What `js/search.js` imports, under the sub-path.
    assert!(!bundles.is_empty(), "the search page names its bundle");
    for b in bundles {
        assert!(b.starts_with("/pr-7/"), "{b}");
        // The module, and the index it reads first (the rest it finds
        // from there, relative to the bundle).
        for file in ["pagefind.js", "pagefind-entry.json"] {
            assert_eq!(check(&out, &format!("{b}{file}")), None, "{b}{file}");
        }
    }
}

/// Why `url` does not work under the sub-path, if it does not.
fn check(out: &Path, url: &str) -> Option<String> {
    let path = if let Some(rest) = url.strip_prefix("https://preview.example.org") {
        rest
    } else if url.starts_with("http:") || url.starts_with("https:") || url.starts_with("//") {
        return None; // elsewhere
    } else if url.starts_with('/') {
        url
    } else {
        return None; // relative, fragment, data:, mailto:
    };
    let path = path.split(['#', '?']).next().unwrap_or("");
    let Some(rel) = path.strip_prefix("/pr-7/") else {
        return Some("not under /pr-7/".into());
    };
    let rel = percent_encoding::percent_decode_str(rel)
        .decode_utf8_lossy()
        .into_owned();
    // Photo variants are not made in this build; their names are enough.
    if rel.starts_with("img/") {
        return None;
    }
    let file = if rel.is_empty() || rel.ends_with('/') {
        out.join(&rel).join("index.html")
    } else {
        out.join(&rel)
    };
    (!file.is_file()).then(|| format!("no file {}", file.display()))
}

/// The URLs of a page's links, sources, forms and the search's bundle.
fn urls_in(html: &str) -> Vec<(String, String)> {
    struct Sink(RefCell<Vec<(String, String)>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
            {
                for a in &tag.attrs {
                    let name = &*a.name.local;
                    let value = a.value.to_string();
                    match name {
                        "href" | "src" | "action" | "poster" | "data-bundle" => {
                            self.0.borrow_mut().push((name.to_string(), value));
                        }
                        "srcset" => {
                            for part in value.split(',') {
                                if let Some(u) = part.split_whitespace().next() {
                                    self.0.borrow_mut().push((name.to_string(), u.to_string()));
                                }
                            }
                        }
                        "content"
                            if tag.attrs.iter().any(|p| {
                                &*p.name.local == "property" && p.value.ends_with(":url")
                            }) =>
                        {
                            self.0.borrow_mut().push(("og:url".to_string(), value));
                        }
                        _ => {}
                    }
                }
            }
            TokenSinkResult::Continue
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Sink(RefCell::new(Vec::new())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

/// The `<loc>`s of a sitemap and the `href`s of a feed's links.
fn xml_urls(xml: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for part in xml.split("<loc>").skip(1) {
        urls.extend(part.split("</loc>").next().map(str::to_string));
    }
    for part in xml.split("<link ").skip(1) {
        if let Some(h) = part.split("href=\"").nth(1) {
            urls.extend(h.split('"').next().map(|u| u.replace("&amp;", "&")));
        }
    }
    for part in xml.split("<id>").skip(1) {
        let id = part.split("</id>").next().unwrap_or("");
        if id.starts_with("http") {
            urls.push(id.to_string());
        }
    }
    urls
}
