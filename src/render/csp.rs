//! The Content-Security-Policy of the pages render writes, with
//! `[deploy] csp = true` (issue 19, item 3): each HTML output is read back
//! once, right after it is rendered, for what it has inline (`<script>`
//! elements the browser would run, `<style>` elements, `style` attributes);
//! their SHA-256 hashes go into a `<meta http-equiv="Content-Security-Policy">`
//! after the page's `<meta charset>`, which is what hosts without headers
//! (GitHub Pages) can give, and into the site-wide policy of `_headers`.
//!
//! Scripts and styles from files are `'self'`; the search's WebAssembly needs
//! `'wasm-unsafe-eval'`; the click-to-load video player is the only frame
//! from elsewhere. JSON-LD (`<script type="application/ld+json">`) is a data
//! block the browser never runs, and the policy does not apply to it, so it
//! needs no hash. Works on rendered bytes only; reads and writes no files.

use std::cell::RefCell;
use std::collections::BTreeSet;

use base64::Engine as _;
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer,
};
use sha2::{Digest, Sha256};

/// The only origins a page frames, and only after a click: the players of
/// the video embeds (`render::objects`, `video`).
pub(crate) const FRAME_SOURCES: &[&str] = &[
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
];

/// The hashes of what a page (or the whole site) has inline, each as a CSP
/// source: `'sha256-…'`. Sorted, so the policy is the same on every build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline {
    pub scripts: BTreeSet<String>,
    pub styles: BTreeSet<String>,
    pub style_attrs: BTreeSet<String>,
}

impl Inline {
    pub(crate) fn extend(&mut self, other: &Inline) {
        self.scripts.extend(other.scripts.iter().cloned());
        self.styles.extend(other.styles.iter().cloned());
        self.style_attrs.extend(other.style_attrs.iter().cloned());
    }
}

/// Where a policy goes: a `<meta>` cannot carry `frame-ancestors`, and the
/// site-wide header cannot list every page's `style` attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Meta,
    Header,
}

/// The policy for `inline`, with `'wasm-unsafe-eval'` when the site has a
/// search (Pagefind compiles WebAssembly).
pub(crate) fn policy(inline: &Inline, search: bool, delivery: Delivery) -> String {
    let list = |first: &str, hashes: &BTreeSet<String>| {
        let mut s = first.to_string();
        for h in hashes {
            s.push(' ');
            s.push_str(h);
        }
        s
    };
    let script_first = if search {
        "'self' 'wasm-unsafe-eval'"
    } else {
        "'self'"
    };
    // Both the header and the page's `<meta>` are enforced, each on its own:
    // the header lets `style` attributes be, the page's own policy names
    // each one it has by hash.
    let attrs = match delivery {
        Delivery::Header => "'unsafe-inline'".to_string(),
        Delivery::Meta if inline.style_attrs.is_empty() => "'none'".to_string(),
        Delivery::Meta => list("'unsafe-hashes'", &inline.style_attrs),
    };
    let mut directives = vec![
        "default-src 'self'".to_string(),
        format!("script-src {}", list(script_first, &inline.scripts)),
        format!("style-src {}", list("'self'", &inline.styles)),
        format!("style-src-attr {attrs}"),
        // The blurred placeholders of photos are `data:` URLs.
        "img-src 'self' data:".to_string(),
        format!("frame-src {}", FRAME_SOURCES.join(" ")),
        "object-src 'none'".to_string(),
        "base-uri 'self'".to_string(),
        "form-action 'self'".to_string(),
    ];
    if delivery == Delivery::Header {
        directives.push("frame-ancestors 'self'".to_string());
    }
    directives.join("; ")
}

/// `'sha256-…'` of some text, as the browser hashes it (its UTF-8 bytes).
pub(crate) fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// What `html` has inline, hashed.
pub(crate) fn inline_of(html: &str) -> Inline {
    #[derive(Default)]
    struct State {
        inline: Inline,
        /// Inside an inline `<script>` that runs or a `<style>`: which, and
        /// its text so far.
        open: Option<(bool, String)>,
    }
    struct Sink(RefCell<State>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let mut s = self.0.borrow_mut();
            match token {
                Token::TagToken(tag) if tag.kind == TagKind::StartTag => {
                    if let Some(style) = attr(&tag, "style") {
                        s.inline.style_attrs.insert(hash_source(style));
                    }
                    match &*tag.name {
                        "script" => {
                            if attr(&tag, "src").is_none() && runs(attr(&tag, "type")) {
                                s.open = Some((true, String::new()));
                            }
                            TokenSinkResult::RawData(RawKind::ScriptData)
                        }
                        "style" => {
                            s.open = Some((false, String::new()));
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "xmp" | "iframe" | "noembed" | "noframes" => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => TokenSinkResult::Continue,
                    }
                }
                Token::TagToken(tag) if tag.kind == TagKind::EndTag => {
                    if matches!(&*tag.name, "script" | "style")
                        && let Some((script, text)) = s.open.take()
                    {
                        let h = hash_source(&text);
                        if script {
                            s.inline.scripts.insert(h);
                        } else {
                            s.inline.styles.insert(h);
                        }
                    }
                    TokenSinkResult::Continue
                }
                Token::CharacterTokens(t) => {
                    if let Some((_, text)) = &mut s.open {
                        text.push_str(&t);
                    }
                    TokenSinkResult::Continue
                }
                _ => TokenSinkResult::Continue,
            }
        }
    }
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(Sink(RefCell::new(State::default())), Default::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner().inline
}

fn attr<'a>(tag: &'a Tag, name: &str) -> Option<&'a str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// Whether a `<script type>` is one the browser runs (and the policy
/// governs), as HTML's "prepare the script element" decides: no type, an
/// empty one, a JavaScript MIME type, `module` or `importmap`. Anything else
/// (`application/ld+json`) is a data block.
fn runs(ty: Option<&str>) -> bool {
    let Some(ty) = ty.map(|t| t.trim().to_ascii_lowercase()) else {
        return true;
    };
    let essence = ty.split(';').next().unwrap_or("").trim();
    ty.is_empty()
        || matches!(essence, "module" | "importmap")
        || matches!(
            essence,
            "text/javascript"
                | "application/javascript"
                | "application/ecmascript"
                | "application/x-ecmascript"
                | "application/x-javascript"
                | "text/ecmascript"
                | "text/javascript1.0"
                | "text/javascript1.1"
                | "text/javascript1.2"
                | "text/javascript1.3"
                | "text/javascript1.4"
                | "text/javascript1.5"
                | "text/jscript"
                | "text/livescript"
                | "text/x-ecmascript"
                | "text/x-javascript"
        )
}

/// `html` with its policy in a `<meta>` right after its `<meta charset>` (so
/// the charset stays within the first bytes and the policy comes before
/// anything it governs), or after `<head>`; and what it has inline. A page
/// with neither is returned as it is.
pub(crate) fn protect(html: Vec<u8>, search: bool) -> (Vec<u8>, Inline) {
    let Ok(text) = std::str::from_utf8(&html) else {
        return (html, Inline::default());
    };
    let inline = inline_of(text);
    let Some(at) = insertion_point(text) else {
        return (html, inline);
    };
    let meta = format!(
        "\n<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy(&inline, search, Delivery::Meta)
    );
    let mut out = Vec::with_capacity(html.len() + meta.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(meta.as_bytes());
    out.extend_from_slice(&html[at..]);
    (out, inline)
}

/// Just after the end of `<meta charset…>`, else of `<head>`, in the first
/// kilobytes of the page (where both belong).
fn insertion_point(text: &str) -> Option<usize> {
    let head = &text[..text.floor_char_boundary(4096)];
    let lower = head.to_ascii_lowercase();
    let after = |start: usize| lower[start..].find('>').map(|e| start + e + 1);
    lower
        .find("<meta charset")
        .and_then(after)
        .or_else(|| lower.find("<head>").map(|s| s + "<head>".len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_styles_and_style_attributes_are_hashed_data_blocks_are_not() {
        let html = r#"<!doctype html><html><head><meta charset="utf-8">
<script type="application/ld+json">{"@type":"WebPage"}</script>
<script>alert(1)</script><script src="/js/a.js"></script>
<script type="module">import "/x.js";</script>
<style>p{color:red}</style></head>
<body><img style="background:#abc" alt=""><p style="background:#abc">&lt;script&gt;</p></body></html>"#;
        let inline = inline_of(html);
        assert_eq!(
            inline.scripts,
            BTreeSet::from([hash_source("alert(1)"), hash_source("import \"/x.js\";")])
        );
        assert_eq!(inline.styles, BTreeSet::from([hash_source("p{color:red}")]));
        assert_eq!(
            inline.style_attrs,
            BTreeSet::from([hash_source("background:#abc")])
        );
    }

    #[test]
    fn the_hash_is_the_one_browsers_compute() {
        // The example of CSP Level 3, section 8.3 ("alert('Hello, world.');").
        assert_eq!(
            hash_source("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn the_meta_goes_after_the_charset_and_names_what_the_page_has() {
        let html = b"<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head>\
<body><p style=\"color:red\">x</p></body></html>"
            .to_vec();
        let (out, inline) = protect(html, true);
        let out = String::from_utf8(out).unwrap();
        let expected = format!(
            "<head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" \
content=\"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
style-src-attr 'unsafe-hashes' {}; img-src 'self' data:; frame-src \
https://www.youtube-nocookie.com https://player.vimeo.com; object-src 'none'; \
base-uri 'self'; form-action 'self'\"><title>",
            hash_source("color:red")
        );
        assert!(out.contains(&expected), "{out}");
        assert_eq!(inline.style_attrs.len(), 1);
        assert!(!out.contains("frame-ancestors"));
    }

    #[test]
    fn the_header_policy_keeps_frame_ancestors_and_leaves_attributes_to_the_pages() {
        let p = policy(&Inline::default(), false, Delivery::Header);
        assert!(p.contains("script-src 'self';"), "{p}");
        assert!(p.contains("style-src-attr 'unsafe-inline'"), "{p}");
        assert!(p.ends_with("frame-ancestors 'self'"), "{p}");
        let m = policy(&Inline::default(), false, Delivery::Meta);
        assert!(m.contains("style-src-attr 'none'"), "{m}");
    }

    #[test]
    fn a_page_without_head_is_left_as_it_is() {
        let (out, _) = protect(b"<p>fragment</p>".to_vec(), false);
        assert_eq!(out, b"<p>fragment</p>");
    }
}
