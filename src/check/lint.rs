//! Content lints: what a careful reviewer would otherwise look for by hand in a
//! page, found on comrak's tree of its Markdown body (the same tree `render`
//! renders) and in its front matter. Runs over the resolved site, after
//! `resolve` and before `render`; reads no files and renders nothing.
//!
//! Each lint is a warning with a stable code (`alt-missing`, `heading-skip`,
//! `link-text`, `link-empty`, `description-missing`, `title-long`) and a hint
//! that says what to write instead.

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, parse_document};
use rayon::prelude::*;

use crate::diag::{Diagnostic, LineIndex, Pos, find_key};
use crate::load::ContentFile;
use crate::model::Lang;
use crate::render::markdown::SAFE_OPTIONS;
use crate::resolve::Site;

/// Titles longer than this are cut off in search results and browser tabs.
pub const TITLE_LIMIT: usize = 70;

/// An external link (`https://…`) found in a page, for `--external`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExternalLink {
    pub url: String,
    pub file: crate::model::SourcePath,
    pub pos: Pos,
}

/// What the lints found.
#[derive(Debug, Default)]
pub struct Findings {
    pub diagnostics: Vec<Diagnostic>,
    /// Every external link of every published page, in file order.
    pub external: Vec<ExternalLink>,
}

/// Lints every published page and section of `site`, in parallel.
pub fn lint_site(site: &Site) -> Findings {
    let mut files: Vec<(usize, &Lang)> = site.pages.iter().map(|p| (p.file, &p.lang)).collect();
    files.extend(
        site.sections
            .iter()
            .filter_map(|s| s.file.map(|f| (f, &s.lang))),
    );
    files.sort_unstable();
    files.dedup();
    let per_file: Vec<Findings> = files
        .par_iter()
        .map(|&(i, lang)| lint_file(&site.files[i], lang))
        .collect();
    let mut all = Findings::default();
    for f in per_file {
        all.diagnostics.extend(f.diagnostics);
        all.external.extend(f.external);
    }
    all
}

/// Lints one content file: its front matter, then its Markdown body.
pub fn lint_file(file: &ContentFile, lang: &Lang) -> Findings {
    let mut out = Findings::default();
    let header = &file.text[..file.body_start];
    let warn = |pos: Option<Pos>, code: &'static str, message: String, help: String| {
        Diagnostic::warning(&file.source, pos, message)
            .with_help(help)
            .with_code(code)
    };

    if let Some(title) = &file.front.title {
        let n = title.chars().count();
        if n > TITLE_LIMIT {
            out.diagnostics.push(warn(
                find_key(header, "title", 1),
                "title-long",
                format!("the title is {n} characters long, more than the {TITLE_LIMIT} that search results and browser tabs show"),
                format!("shorten `title` to {TITLE_LIMIT} characters or fewer; the rest can go in `description`"),
            ));
        }
    }
    if file
        .front
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        let pos = find_key(header, "title", 1).or(Some(Pos::new(1, 1)));
        out.diagnostics.push(warn(
            pos,
            "description-missing",
            "the page has no `description`".into(),
            "add `description = \"…\"` to the front matter: one sentence on what the page offers; search results and link previews show it".into(),
        ));
    }

    // Rendering reports a body that cannot be read again.
    let Ok(file) = file.with_body() else {
        return out;
    };
    let file = &*file;
    let body = file.body();
    let index = LineIndex::new(&file.text);
    let pos_of = |node: &AstNode<'_>| {
        let sp = node.data().sourcepos.start;
        index.pos_at_from(&file.text, file.body_start, sp.line, sp.column)
    };
    let arena = Arena::new();
    let root = parse_document(&arena, body, &SAFE_OPTIONS);
    // The theme shows the page's title as the one `<h1>`.
    let mut last_level = 1;
    for node in root.descendants() {
        let value = node.data().value.clone();
        match value {
            NodeValue::Heading(h) => {
                if h.level > last_level + 1 {
                    let want = last_level + 1;
                    out.diagnostics.push(warn(
                        Some(pos_of(node)),
                        "heading-skip",
                        format!(
                            "the heading jumps from level {last_level} to level {}: screen readers navigate by these levels",
                            h.level
                        ),
                        format!(
                            "make it level {want} (`{} `), or add the level {want} heading it belongs under",
                            "#".repeat(usize::from(want))
                        ),
                    ));
                }
                last_level = h.level;
            }
            NodeValue::Image(link) => {
                let alt = node.collect_text();
                if let Some(why) = placeholder_alt(&alt, &link.url) {
                    out.diagnostics.push(warn(
                        Some(pos_of(node)),
                        "alt-missing",
                        format!("the image `{}` has no real alt text: `{alt}` {why}", link.url),
                        format!(
                            "describe what the image shows: `![Snow over the market square]({})`; a purely decorative image is marked `![decorative]({})`",
                            link.url, link.url
                        ),
                    ));
                }
            }
            NodeValue::Link(link) => {
                let text = node.collect_text();
                let label = trim_label(&text);
                let has_image = node
                    .descendants()
                    .any(|n| matches!(n.data().value, NodeValue::Image(_)));
                if link.url.trim().is_empty() {
                    out.diagnostics.push(warn(
                        Some(pos_of(node)),
                        "link-empty",
                        format!("the link `{}` goes nowhere: its address is empty", text.trim()),
                        "write the address between the parentheses: `[text](https://…)` or `[text](@/live/housing.md)`".into(),
                    ));
                } else if label.is_empty() && !has_image {
                    out.diagnostics.push(warn(
                        Some(pos_of(node)),
                        "link-empty",
                        format!("the link to `{}` has no text, so screen readers read out its address", link.url),
                        format!("write what it links to between the brackets: `[the housing guide]({})`", link.url),
                    ));
                } else if vague_link_text(&label, lang) {
                    out.diagnostics.push(warn(
                        Some(pos_of(node)),
                        "link-text",
                        format!("the link text `{}` does not say where the link goes", text.trim()),
                        "name the target in the link, as in `read [the housing guide](…)`: many readers jump from link to link and hear only the link's text".into(),
                    ));
                }
                if is_checkable_external(&link.url) {
                    out.external.push(ExternalLink {
                        url: link.url.clone(),
                        file: file.source.clone(),
                        pos: pos_of(node),
                    });
                }
            }
            NodeValue::HtmlInline(html) => {
                lint_html_images(file, &html, pos_of(node), &mut out.diagnostics);
            }
            NodeValue::HtmlBlock(block) => {
                lint_html_images(file, &block.literal, pos_of(node), &mut out.diagnostics);
            }
            _ => {}
        }
    }
    out
}

/// Why an image's alt text is no description: the file's name, or a word that
/// only says it is an image. An empty alt text is the build's warning, and
/// `decorative` marks a decorative image (CONTRIBUTING.md, "Alt text").
fn placeholder_alt(alt: &str, url: &str) -> Option<&'static str> {
    let alt = alt.trim();
    if alt.is_empty()
        || ["decorative", "dekorativ"]
            .iter()
            .any(|d| alt.eq_ignore_ascii_case(d))
    {
        return None;
    }
    let lower = alt.to_lowercase();
    let file = url.rsplit('/').next().unwrap_or(url).to_lowercase();
    let stem = file.rsplit_once('.').map_or(file.as_str(), |(s, _)| s);
    if lower == file || lower == stem {
        return Some("is the file's name");
    }
    const GENERIC: &[&str] = &[
        "image",
        "img",
        "photo",
        "picture",
        "pic",
        "alt",
        "alt text",
        "bilde",
        "bildet",
        "foto",
        "fotografi",
    ];
    if GENERIC.contains(&lower.as_str()) {
        return Some("only says that it is an image");
    }
    let camera = ["img_", "img-", "dsc_", "dsc", "dscn", "pxl_", "photo_"];
    if camera.iter().any(|p| {
        lower.strip_prefix(p).is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '_')
        })
    }) {
        return Some("is a camera's file name");
    }
    None
}

/// Link text without surrounding punctuation, spaces and case.
fn trim_label(text: &str) -> String {
    text.trim_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_punctuation() || "«»“”‘’…–—".contains(c)
    })
    .to_lowercase()
}

/// Link texts that say nothing about where they go, per language; a language
/// without its own list uses the English one.
fn vague_link_text(label: &str, lang: &Lang) -> bool {
    const EN: &[&str] = &[
        "click here",
        "here",
        "read more",
        "more",
        "this link",
        "link",
        "click",
        "this page",
    ];
    const NB: &[&str] = &[
        "her",
        "klikk her",
        "les mer",
        "mer",
        "denne lenken",
        "lenke",
        "trykk her",
        "denne siden",
    ];
    let list = match lang.as_str() {
        "nb" | "nn" | "no" => NB,
        _ => EN,
    };
    list.contains(&label)
}

/// An address `--external` can ask: http(s), not this machine's own.
fn is_checkable_external(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `<img>` tags in raw HTML without an `alt` attribute (`alt=""` is a decorative
/// image, and fine).
fn lint_html_images(file: &ContentFile, html: &str, at: Pos, diags: &mut Vec<Diagnostic>) {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<img") {
        let start = from + i;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        from = end;
        if tag.len() > 4 && !tag.as_bytes()[4].is_ascii_whitespace() && tag.as_bytes()[4] != b'/' {
            continue;
        }
        let has_alt = tag
            .split(|c: char| c.is_whitespace())
            .any(|attr| attr == "alt" || attr.starts_with("alt="));
        if !has_alt {
            let pos = at.after(&html[..start]);
            diags.push(
                Diagnostic::warning(&file.source, Some(pos), "the `<img>` has no `alt` attribute")
                    .with_help("describe what the image shows: `<img src=\"…\" alt=\"Snow over the market square\">`; a purely decorative image gets `alt=\"\"`")
                    .with_code("alt-missing"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_alt_finds_file_names_and_generic_words() {
        let cases = [
            ("", "x.jpg", false),
            ("Snow over the market square", "x.jpg", false),
            ("harbour", "photos/harbour.jpg", true),
            ("harbour.jpg", "photos/harbour.jpg", true),
            ("IMG_2041", "a.jpg", true),
            ("Photo", "a.jpg", true),
            ("bilde", "a.jpg", true),
            ("Img of the harbour", "a.jpg", false),
        ];
        for (alt, url, bad) in cases {
            assert_eq!(placeholder_alt(alt, url).is_some(), bad, "{alt:?} {url:?}");
        }
    }

    #[test]
    fn vague_link_text_is_per_language_after_trimming() {
        let en = Lang::new("en");
        let nb = Lang::new("nb");
        let cases = [
            ("Click here!", &en, true),
            ("read more…", &en, true),
            ("the housing guide", &en, false),
            ("Les mer", &nb, true),
            ("«her»", &nb, true),
            ("her", &en, false),
            ("boligguiden", &nb, false),
        ];
        for (text, lang, vague) in cases {
            assert_eq!(
                vague_link_text(&trim_label(text), lang),
                vague,
                "{text:?} {lang}"
            );
        }
    }
}
