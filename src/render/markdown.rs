//! Markdown → HTML for one content file (comrak): heading ids, table of contents,
//! summary, word count, internal links resolved against the site graph, and raw
//! HTML sanitized. Anchor targets are only recorded here; they are checked once
//! every page is rendered (`render::check_anchors`).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue, TableAlignment};
use comrak::{Arena, Options, create_formatter, parse_document};
use rustc_hash::FxHashSet;

use crate::diag::{Diagnostic, Pos};
use crate::load::ContentFile;
use crate::model::{FileKind, Lang, UrlPath};
use crate::resolve::{LinkError, LinkTarget, Site};

/// One heading of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub content: String,
    pub summary: String,
    /// True when the summary is shorter than the content.
    pub has_more: bool,
    pub toc: Vec<Heading>,
    pub word_count: usize,
    /// Every `id` a link may point at: headings and footnotes.
    pub anchors: FxHashSet<String>,
}

/// A link to `#anchor` on another (or the same) page, checked after rendering
/// (when every page's headings are known).
#[derive(Debug, Clone)]
pub struct AnchorRef {
    /// The target's path under `content/`, resolved in the page's language.
    pub rel: String,
    pub anchor: String,
    pub pos: Pos,
}

/// What a page's Markdown asked of the rest of the site: its rendering stays
/// valid as long as these links resolve to the same URLs.
#[derive(Debug, Clone, Default)]
pub struct Refs {
    pub anchors: Vec<AnchorRef>,
    /// (path under `content/`, what it resolved to).
    pub links: Vec<(String, std::result::Result<UrlPath, LinkError>)>,
    /// The Markdown used a shortcode (rendered again when they change).
    pub shortcodes: bool,
}

impl Refs {
    fn resolve(
        &mut self,
        site: &Site,
        rel: &str,
        lang: &Lang,
    ) -> std::result::Result<LinkTarget, LinkError> {
        let r = site.resolve_link(rel, lang);
        self.links.push((
            rel.to_string(),
            r.as_ref()
                .map(|t| t.url(site).clone())
                .map_err(Clone::clone),
        ));
        r
    }

    /// Whether every link still resolves as it did.
    pub fn still_valid(&self, site: &Site, lang: &Lang) -> bool {
        self.links.iter().all(|(rel, was)| {
            let now = site.resolve_link(rel, lang).map(|t| t.url(site).clone());
            now == *was
        })
    }
}

create_formatter!(HtmlFormatter<VecDeque<String>>, {
    NodeValue::Heading(ref nh) => |context, node, entering| {
        if entering {
            context.cr()?;
            match context.user.pop_front() {
                Some(id) if !id.is_empty() => write!(context, "<h{} id=\"{}\"", nh.level, id)?,
                _ => write!(context, "<h{}", nh.level)?,
            }
            comrak::html::render_sourcepos(context, node)?;
            context.write_str(">")?;
        } else {
            write!(context, "</h{}>", nh.level)?;
            context.lf()?;
        }
    },
    // Classes instead of the obsolete `align` attribute.
    NodeValue::TableCell => |context, node, entering| {
        let row = node.parent();
        let header = row.is_some_and(|r| matches!(r.data().value, NodeValue::TableRow(true)));
        let tag = if header { "th" } else { "td" };
        if entering {
            let index = node.preceding_siblings().count() - 1;
            let align = row
                .and_then(|r| r.parent())
                .and_then(|t| match &t.data().value {
                    NodeValue::Table(nt) => nt.alignments.get(index).copied(),
                    _ => None,
                });
            context.cr()?;
            write!(context, "<{tag}")?;
            match align {
                Some(TableAlignment::Left) => context.write_str(" class=\"align-left\"")?,
                Some(TableAlignment::Right) => context.write_str(" class=\"align-right\"")?,
                Some(TableAlignment::Center) => context.write_str(" class=\"align-center\"")?,
                _ => {}
            }
            context.write_str(">")?;
        } else {
            write!(context, "</{tag}>")?;
        }
    },
    // A task's checkbox is labelled by the task's text (WCAG 1.3.1, 4.1.2).
    NodeValue::TaskItem(ref task) => |context, node, entering| {
        let tight = node.parent().is_some_and(|p| matches!(p.data().value, NodeValue::List(l) if l.tight));
        let checked = if task.symbol.is_some() { " checked" } else { "" };
        if entering {
            context.cr()?;
            context.write_str("<li class=\"task-list-item\">")?;
            if tight {
                write!(context, "<label><input type=\"checkbox\" disabled{checked}> ")?;
            } else {
                write!(context, "<input type=\"checkbox\" disabled{checked} aria-hidden=\"true\"> ")?;
            }
        } else {
            if tight {
                context.write_str("</label>")?;
            }
            context.write_str("</li>")?;
            context.lf()?;
        }
    },
});

fn options(allow_html: bool) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    // GitHub's `> [!NOTE]` callouts, which read the same on GitHub.
    o.extension.alerts = true;
    o.render.r#unsafe = allow_html;
    o
}

/// The options pages are parsed with; `check` parses with them too, so its lints
/// see the very tree that is rendered.
pub(crate) static SAFE_OPTIONS: LazyLock<Options<'static>> = LazyLock::new(|| options(false));
static RAW_OPTIONS: LazyLock<Options<'static>> = LazyLock::new(|| options(true));

/// The allowlist for contributors' raw HTML: formatting and structure, no
/// scripts, styles, event handlers, forms, frames or `javascript:` URLs.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags([
        "section",
        "figure",
        "figcaption",
        "details",
        "summary",
        "input",
        "label",
        "mark",
        "abbr",
    ])
    .add_generic_attributes(["id", "class", "aria-label", "aria-hidden", "dir", "role"])
    .add_tag_attributes("input", ["type", "checked", "disabled"])
    .add_tag_attributes(
        "a",
        [
            "data-footnote-ref",
            "data-footnote-backref",
            "data-footnote-backref-idx",
        ],
    )
    .add_tag_attributes("section", ["data-footnotes"])
    .add_tag_attributes("td", ["align"])
    .add_tag_attributes("th", ["align"])
    .link_rel(None)
    .url_relative(ammonia::UrlRelative::PassThrough);
    b
});

/// What a render needs to know about the file and where it is published.
pub struct Source<'a> {
    pub file: &'a ContentFile,
    pub lang: &'a Lang,
    /// The URL the content is published at (its page or section).
    pub url: &'a UrlPath,
    /// Names of the bundle's own files, for relative links to them.
    pub bundle_files: Vec<&'a str>,
    pub shortcodes: Option<&'a super::shortcodes::Shortcodes>,
    /// The page bundle's folder, for shortcodes' file arguments.
    pub bundle_dir: Option<std::path::PathBuf>,
}

pub fn render_markdown(
    site: &Site,
    src: &Source<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Rendered, Refs) {
    let file = src.file;
    let body = file.body();
    let line_offset = file.body_line() - 1;
    let arena = Arena::new();
    let root = parse_document(&arena, body, &SAFE_OPTIONS);
    let pos_of = |node: &AstNode<'_>| {
        let sp = node.data().sourcepos;
        Pos::new(sp.start.line + line_offset, sp.start.column)
    };

    let mut ids: VecDeque<String> = VecDeque::new();
    // Ids the theme's page frame uses itself: a heading never takes one.
    let mut used_ids: FxHashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let mut toc = Vec::new();
    let mut anchors = FxHashSet::default();
    let mut refs = Refs::default();
    let mut word_count = 0;
    let mut has_raw_html = false;
    let mut more: Option<&AstNode<'_>> = None;
    let mut expanded: Vec<String> = Vec::new();

    for node in root.descendants() {
        let mut data = node.data_mut();
        match &mut data.value {
            NodeValue::Heading(h) => {
                let level = h.level;
                drop(data);
                let title = node.collect_text();
                let id = unique_id(&title, &mut used_ids);
                anchors.insert(id.clone());
                toc.push(Heading {
                    level,
                    id: id.clone(),
                    title,
                });
                ids.push_back(id);
            }
            NodeValue::Text(t) => word_count += t.split_whitespace().count(),
            NodeValue::Code(c) => word_count += c.literal.split_whitespace().count(),
            NodeValue::CodeBlock(c) if shortcode_name(&c.info).is_some() => {
                let name = shortcode_name(&c.info).unwrap_or_default().to_string();
                let args = std::mem::take(&mut c.literal);
                let line = data.sourcepos.start.line + line_offset;
                refs.shortcodes = true;
                let html = src.shortcodes.and_then(|sc| {
                    sc.expand(
                        &name,
                        &args,
                        &super::shortcodes::Use {
                            source: &file.source,
                            line,
                            lang: src.lang.as_str(),
                            page_url: src.url.as_str(),
                            page_title: file.front.title.as_deref().unwrap_or_default(),
                            bundle_dir: src.bundle_dir.as_deref(),
                        },
                        diags,
                    )
                });
                // A paragraph holding a token, swapped for the shortcode's HTML
                // once the page is rendered (and sanitized: the theme's HTML is
                // trusted, the author's is not).
                data.value = NodeValue::Paragraph;
                drop(data);
                let token = format!("{SHORTCODE_MARK}{}{SHORTCODE_MARK}", expanded.len());
                expanded.push(html.unwrap_or_default());
                node.append(arena.alloc(AstNode::from(NodeValue::Text(token.into()))));
            }
            NodeValue::CodeBlock(c) => word_count += c.literal.split_whitespace().count(),
            NodeValue::HtmlBlock(h) => {
                if h.literal.trim() == "<!-- more -->" {
                    if more.is_none() && node.parent().is_some_and(|p| std::ptr::eq(p, root)) {
                        more = Some(node);
                    }
                } else {
                    has_raw_html = true;
                }
            }
            NodeValue::HtmlInline(_) => has_raw_html = true,
            NodeValue::FootnoteDefinition(f) => {
                anchors.insert(format!("fn-{}", f.name));
            }
            NodeValue::FootnoteReference(f) => {
                anchors.insert(format!("fnref-{}", f.name));
            }
            NodeValue::Link(link) | NodeValue::Image(link) => {
                let url = std::mem::take(&mut link.url);
                drop(data);
                let pos = pos_of(node);
                let new = rewrite_url(site, src, &url, pos, diags, &mut refs);
                if let NodeValue::Link(link) | NodeValue::Image(link) = &mut node.data_mut().value {
                    link.url = new;
                }
            }
            _ => {}
        }
    }

    let options: &Options<'_> = if has_raw_html {
        &RAW_OPTIONS
    } else {
        &SAFE_OPTIONS
    };
    let mut content = String::with_capacity(body.len() + body.len() / 4);
    // Writing into a String cannot fail.
    let _ = HtmlFormatter::format_document(root, options, &mut content, ids);
    footnotes_as_endnotes(&mut content);

    // The summary: everything before `<!-- more -->`, or else the first paragraph.
    // It is shown on other pages, so fragment links get the page's URL, headings no
    // ids and footnote references are dropped.
    let (summary_nodes, has_more): (Vec<&AstNode<'_>>, bool) = match more {
        Some(m) => {
            let before: Vec<_> = root
                .children()
                .take_while(|c| !std::ptr::eq(*c, m))
                .collect();
            (before, true)
        }
        None => {
            let first = root
                .children()
                .find(|c| matches!(c.data().value, NodeValue::Paragraph));
            let more_blocks = root
                .children()
                .filter(|c| !matches!(c.data().value, NodeValue::FootnoteDefinition(_)))
                .count()
                > 1;
            (first.into_iter().collect(), more_blocks)
        }
    };
    let summary_root = arena.alloc(AstNode::from(NodeValue::Document));
    for n in summary_nodes {
        n.detach();
        summary_root.append(n);
    }
    let mut dropped = Vec::new();
    for node in summary_root.descendants() {
        match &mut node.data_mut().value {
            NodeValue::FootnoteReference(_) => dropped.push(node),
            NodeValue::Link(l) if l.url.starts_with('#') => {
                l.url = format!("{}{}", src.url, l.url);
            }
            _ => {}
        }
    }
    for node in dropped {
        node.detach();
    }
    let mut summary = String::new();
    let _ = HtmlFormatter::format_document(summary_root, options, &mut summary, VecDeque::new());

    if has_raw_html {
        content = SANITIZER.clean(&content).to_string();
        summary = SANITIZER.clean(&summary).to_string();
    }
    for (i, html) in expanded.iter().enumerate() {
        let placeholder = format!("<p>{SHORTCODE_MARK}{i}{SHORTCODE_MARK}</p>");
        content = content.replacen(&placeholder, html, 1);
        summary = summary.replacen(&placeholder, "", 1);
    }
    (
        Rendered {
            content,
            summary,
            has_more,
            toc,
            word_count,
            anchors,
        },
        refs,
    )
}

/// Marks a shortcode's place in the rendered HTML: a private-use character,
/// which no sanitizer or escaper touches.
const SHORTCODE_MARK: char = '\u{F8FF}';

/// `{video}` → `video`: the info string of a shortcode block.
fn shortcode_name(info: &str) -> Option<&str> {
    let name = info.trim().strip_prefix('{')?.strip_suffix('}')?.trim();
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    .then_some(name)
}

/// comrak puts footnotes in a `<section>` without a heading; a `div` with the
/// endnotes role says the same to assistive technology and validates cleanly.
fn footnotes_as_endnotes(html: &mut String) {
    const OPEN: &str = "<section class=\"footnotes\" data-footnotes>";
    if let Some(start) = html.find(OPEN)
        && let Some(end) = html.rfind("</section>")
        && end > start
    {
        html.replace_range(end..end + "</section>".len(), "</div>");
        html.replace_range(
            start..start + OPEN.len(),
            "<div class=\"footnotes\" role=\"doc-endnotes\">",
        );
    }
}

/// Resolves internal links (`@/path.md`, relative `.md` paths) to URLs in the
/// page's language, and links to a bundle's own files to their published place.
fn rewrite_url(
    site: &Site,
    src: &Source<'_>,
    url: &str,
    pos: Pos,
    diags: &mut Vec<Diagnostic>,
    refs: &mut Refs,
) -> String {
    let file = src.file;
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let is_external = url.contains("://")
        || url.starts_with("mailto:")
        || url.starts_with("tel:")
        || url.starts_with("//");
    if is_external || path.starts_with('/') {
        return url.to_string();
    }
    if path.is_empty() {
        // `#anchor` on this very page.
        if let Some(f) = fragment {
            refs.anchors.push(AnchorRef {
                rel: file.rel.clone(),
                anchor: f.to_string(),
                pos,
            });
        }
        return url.to_string();
    }
    let rel = if let Some(rest) = path.strip_prefix("@/") {
        Some(rest.to_string())
    } else if path.ends_with(".md") {
        normalize(file.dir(), path)
    } else if file.kind == FileKind::Bundle {
        // A file of the page bundle, copied beside the page.
        let decoded = path.replace("%20", " ");
        let name = normalize("", &decoded);
        match name {
            Some(n) if src.bundle_files.contains(&n.as_str()) => {
                return format!(
                    "{}{}{}",
                    src.url,
                    path,
                    fragment.map(|f| format!("#{f}")).unwrap_or_default()
                );
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        &file.source,
                        Some(pos),
                        format!("`{path}` is not a file of this page's bundle"),
                    )
                    .with_help(format!(
                        "put the file in `content/{}/` or fix the name",
                        file.group
                    )),
                );
                return url.to_string();
            }
        }
    } else {
        return url.to_string();
    };
    let Some(rel) = rel else {
        diags.push(
            Diagnostic::error(
                &file.source,
                Some(pos),
                format!("link `{url}` points outside `content/`"),
            )
            .with_help("link to a Markdown file inside `content/`, such as `@/live/housing.md`"),
        );
        return url.to_string();
    };
    match refs.resolve(site, &rel, src.lang) {
        Ok(target) => {
            let mut out = target.url(site).to_string();
            if let Some(f) = fragment {
                out.push('#');
                out.push_str(f);
                refs.anchors.push(AnchorRef {
                    rel,
                    anchor: f.to_string(),
                    pos,
                });
            }
            out
        }
        Err(e) => {
            let (message, help) = match e {
                LinkError::Missing => (
                    format!("link to `{url}` has no target: there is no `content/{rel}`"),
                    "check the file name; `@/` paths start at `content/`, other paths at this file's folder",
                ),
                LinkError::NotPublished => (
                    format!("link to `{url}` goes to a draft or a page scheduled for later"),
                    "publish the target first, or build with `--drafts` / `--future`",
                ),
            };
            diags.push(Diagnostic::error(&file.source, Some(pos), message).with_help(help));
            url.to_string()
        }
    }
}

/// Joins a relative path to a folder and removes `.` and `..`; `None` when it
/// leaves the top.
fn normalize(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Ids of the page around the content (skip link target, landmark headings).
const RESERVED_IDS: &[&str] = &[
    "main",
    "content",
    "top",
    "topics-heading",
    "news-heading",
    "takeover-heading",
    "municipalities-heading",
    "subsections-heading",
    "pages-heading",
    "toc-heading",
    "footer-nav-heading",
];

/// A heading id: the text as a URL slug (æ → ae, ø → o, å → a), made unique on
/// the page with `-1`, `-2`, ...
fn unique_id(text: &str, used: &mut FxHashSet<String>) -> String {
    let mut base = slug::slugify(text);
    if base.is_empty() {
        base = "section".into();
    }
    let mut id = base.clone();
    let mut n = 1;
    while used.contains(&id) || id.starts_with("fn-") || id.starts_with("fnref-") {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_ids_are_transliterated_and_unique() {
        let mut used = FxHashSet::default();
        let ids: Vec<String> = [
            "Før du flytter",
            "Før du flytter",
            "Ærlig talt: Åsane!",
            "???",
            "",
        ]
        .iter()
        .map(|t| unique_id(t, &mut used))
        .collect();
        assert_eq!(
            ids,
            [
                "for-du-flytter",
                "for-du-flytter-1",
                "aerlig-talt-asane",
                "section",
                "section-1"
            ]
        );
    }

    #[test]
    fn normalize_joins_and_refuses_to_leave_content() {
        assert_eq!(
            normalize("live", "housing.md").as_deref(),
            Some("live/housing.md")
        );
        assert_eq!(
            normalize("live", "../work/./jobs.md").as_deref(),
            Some("work/jobs.md")
        );
        assert_eq!(normalize("", "../x.md"), None);
    }
}
