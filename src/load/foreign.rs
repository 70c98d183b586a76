//! Front-matter keys that Zola sites write (`path`, `render`, `redirect_to`,
//! `authors`, `transparent`, `in_search_index`, `insert_anchor_links`, ...):
//! each is taken with the meaning it has in Zola or becomes a warning that
//! says what polis does instead, so that a migrated site never changes a URL
//! or publishes what was hidden without a word (issue 20). Part of load: reads
//! the parsed front matter of one file, writes no files.

use serde::de::IgnoredAny;

use crate::diag::{Diagnostic, Pos};
use crate::model::{FileKind, FrontMatter, SourcePath};

/// The Zola keys as `RawFrontMatter` read them.
#[derive(Debug, Default)]
pub(super) struct RawZola {
    pub path: Option<String>,
    pub render: Option<bool>,
    pub redirect_to: Option<String>,
    pub authors: Option<Vec<String>>,
    pub transparent: Option<bool>,
    pub in_search_index: Option<bool>,
    pub insert_anchor_links: Option<String>,
    pub page_template: Option<String>,
    pub paginate_path: Option<String>,
    pub paginate_reversed: Option<bool>,
    pub generate_feeds: Option<IgnoredAny>,
    pub generate_feed: Option<IgnoredAny>,
}

/// Takes the Zola keys into `front`, with a diagnostic for each that polis
/// reads differently. `at` finds a key's line.
pub(super) fn apply(
    path: &SourcePath,
    kind: FileKind,
    raw: RawZola,
    at: &dyn Fn(&str) -> Option<Pos>,
    front: &mut FrontMatter,
    diags: &mut Vec<Diagnostic>,
) {
    let section = kind == FileKind::Section;
    let warn = |key: &str, message: String, help: &str| {
        Diagnostic::warning(path, at(key), message).with_help(help)
    };
    if let Some(p) = raw.path {
        if section {
            diags.push(warn(
                "path",
                "`path`: a section's URL comes from its folder, not from `path`".into(),
                "rename the folder, or give the section a `slug`; keep the old URL working with `aliases = [\"/old/url/\"]`",
            ));
        } else {
            match normal_path(&p) {
                Some(p) => front.path = Some(p),
                None => diags.push(
                    Diagnostic::error(path, at("path"), format!("`path` is not a URL path: `{p}`"))
                        .with_help("write the page's URL below its language's home, such as `path = \"about/team\"`, without `..`, `?` or `#`"),
                ),
            }
        }
    }
    if raw.render == Some(false) {
        front.unrendered = true;
        if !section {
            diags.push(warn(
                "render",
                "`render = false`: polis leaves this page out of the site entirely; templates cannot list it either, as they can in Zola".into(),
                "to keep it unpublished, write `draft = true`, which says the same to a polis reader; to publish it, remove `render`",
            ));
        }
    }
    if let Some(to) = raw.redirect_to {
        if section {
            front.redirect_to = Some(to);
        } else {
            diags.push(warn(
                "redirect_to",
                "`redirect_to` works on sections only: this page is published as it is".into(),
                "to send readers from this page's URL to another page, remove this file and put its URL in the other page's `aliases`",
            ));
        }
    }
    if let Some(a) = raw.authors {
        front.authors = a;
    }
    if raw.in_search_index == Some(false) {
        front.unsearchable = true;
    }
    if raw.transparent == Some(true) {
        diags.push(warn(
            "transparent",
            "`transparent`: polis lists each page only in its own section, not in the parent section as well".into(),
            "move the pages into the parent section's folder, or list them in the parent's template with `get_section`",
        ));
    }
    if let Some(v) = raw.insert_anchor_links
        && v != "none"
    {
        diags.push(warn(
            "insert_anchor_links",
            format!("`insert_anchor_links = \"{v}\"`: polis adds no link symbol to headings; every heading has an `id` that links can point at"),
            "remove it; a theme that wants the symbol adds it in its `page.html`",
        ));
    }
    if raw.page_template.is_some() {
        diags.push(warn(
            "page_template",
            "`page_template`: polis gives this section's pages `page.html` unless a page names its own `template`".into(),
            "write `template = \"...\"` in the pages' front matter instead",
        ));
    }
    if let Some(p) = raw.paginate_path
        && p != "page"
    {
        diags.push(warn(
            "paginate_path",
            format!("`paginate_path = \"{p}\"`: polis's listing pages are always at `page/2/`, `page/3/`, ..."),
            "remove it; links to the old listing pages will not be found",
        ));
    }
    if raw.paginate_reversed == Some(true) {
        diags.push(warn(
            "paginate_reversed",
            "`paginate_reversed`: polis lists pages in the order `sort_by` gives, never reversed"
                .into(),
            "remove it, and choose the order with `sort_by` (`date` is newest first)",
        ));
    }
    for key in ["generate_feeds", "generate_feed"] {
        let given = match key {
            "generate_feeds" => raw.generate_feeds.is_some(),
            _ => raw.generate_feed.is_some(),
        };
        if given {
            diags.push(warn(
                key,
                format!("`{key}`: polis writes a feed for every section that has dated pages, whatever this says"),
                "remove it",
            ));
        }
    }
}

/// `path` as Zola takes it (slashes at either end optional), checked to stay
/// below the language's home: `None` when it would not.
fn normal_path(p: &str) -> Option<String> {
    let p = p.trim().trim_matches('/');
    let ok = !p.is_empty()
        && p.split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '?', '#']));
    ok.then(|| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_path_trims_slashes_and_refuses_leaving_the_site() {
        assert_eq!(normal_path("/about/team/").as_deref(), Some("about/team"));
        assert_eq!(normal_path("about").as_deref(), Some("about"));
        for bad in ["", "/", "../x", "a//b", "a/./b", "a?b", "a\\b"] {
            assert_eq!(normal_path(bad), None, "{bad:?}");
        }
    }
}
