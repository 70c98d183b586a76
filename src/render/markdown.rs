//! Markdown → HTML for one content file (comrak): heading ids, table of contents,
//! summary, word count, internal links resolved against the site graph, and raw
//! HTML sanitized. Anchor targets are only recorded here; they are checked once
//! every page is rendered (`render::check_anchors`).

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue, Sourcepos, TableAlignment};
use comrak::{Arena, Options, create_formatter, parse_document};
use rustc_hash::FxHashSet;

use super::deps::Recorder;
use super::picture::{picture_html, responsive};
use crate::assets::images::{ImageOptions, ImageSet, ImageSource, Images, is_photo};
use crate::diag::{Diagnostic, LineIndex, Pos};
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
    pub content: Html,
    pub summary: Html,
    /// True when the summary is shorter than the content.
    pub has_more: bool,
    pub toc: Vec<Heading>,
    pub word_count: usize,
    /// Every `id` a link may point at: headings and footnotes.
    pub anchors: FxHashSet<String>,
}

/// Rendered HTML, kept as the template value it becomes (a string marked safe),
/// so that the page, listings and feeds share one copy of it: a page's body is
/// shown once and summarised many times, and copying it for every use was a
/// twentieth of a build.
#[derive(Debug, Clone)]
pub struct Html(minijinja::Value);

impl Html {
    pub fn new(html: String) -> Self {
        Html(minijinja::Value::from_safe_string(html))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().unwrap_or_default()
    }

    /// The template value: a clone of a reference, not of the text.
    pub fn value(&self) -> minijinja::Value {
        self.0.clone()
    }
}

impl Default for Html {
    fn default() -> Self {
        Html::new(String::new())
    }
}

impl PartialEq for Html {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::hash::Hash for Html {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
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

/// What the pre-pass hands the formatter, in document order.
#[derive(Default)]
struct Labels {
    /// The id and class of each heading.
    headings: VecDeque<(String, String)>,
    /// The accessible name of each table's scrolling region.
    tables: VecDeque<String>,
}

create_formatter!(HtmlFormatter<Labels>, {
    NodeValue::Heading(ref nh) => |context, node, entering| {
        if entering {
            context.cr()?;
            let (id, class) = context.user.headings.pop_front().unwrap_or_default();
            write!(context, "<h{}", nh.level)?;
            if !id.is_empty() {
                write!(context, " id=\"{id}\"")?;
            }
            if !class.is_empty() {
                context.write_str(" class=\"")?;
                comrak::html::escape(context, &class)?;
                context.write_str("\"")?;
            }
            comrak::html::render_sourcepos(context, node)?;
            context.write_str(">")?;
        } else {
            write!(context, "</h{}>", nh.level)?;
            context.lf()?;
        }
    },
    // A table scrolls sideways inside a region of its own, so a phone shows
    // it whole without widening the page; the region is focusable, so a
    // keyboard can scroll it too, and named, so a screen reader says what
    // it holds (issue 21: axe `scrollable-region-focusable`).
    NodeValue::Table(_) => |context, node, entering| {
        if entering {
            let label = match context.user.tables.pop_front() {
                Some(l) => l,
                None => table_header_text(node),
            };
            context.cr()?;
            context.write_str("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"")?;
            context.escape(&label)?;
            context.write_str("\">")?;
            context.lf()?;
            context.write_str("<table")?;
            comrak::html::render_sourcepos(context, node)?;
            context.write_str(">")?;
            context.lf()?;
        } else {
            // As comrak closes a table: `<tbody>` when there are body rows.
            if node.last_child().is_some_and(|row| row.previous_sibling().is_some()) {
                context.cr()?;
                context.write_str("</tbody>")?;
                context.lf()?;
            }
            context.cr()?;
            context.write_str("</table>")?;
            context.lf()?;
            context.write_str("</div>")?;
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
    // A task's checkbox is labelled by the task's text (WCAG 1.3.1, 4.1.2): the
    // label holds the item's first paragraph only, never a nested list or
    // another task's label (issue 20: that was invalid HTML).
    NodeValue::TaskItem(ref task) => |context, node, entering| {
        let checked = if task.symbol.is_some() { " checked" } else { "" };
        if entering {
            context.cr()?;
            context.write_str("<li class=\"task-list-item\">")?;
            if labelled_task(node) {
                write!(context, "<label><input type=\"checkbox\" disabled{checked}> ")?;
            } else {
                write!(context, "<input type=\"checkbox\" disabled{checked} aria-hidden=\"true\"> ")?;
            }
        } else {
            context.write_str("</li>")?;
            context.lf()?;
        }
    },
    NodeValue::Paragraph => |context, node, entering| {
        let rendering = comrak::html::format_node_default(context, node, entering)?;
        let first_of_task = node.parent().is_some_and(|p| {
            labelled_task(p) && p.first_child().is_some_and(|c| std::ptr::eq(c, node))
        });
        if !entering && first_of_task {
            context.write_str("</label>")?;
        }
        return Ok(rendering);
    },
});

/// Whether a task item's checkbox is labelled by its text: in a tight list,
/// whose first block is a paragraph (shown without `<p>`).
fn labelled_task<'a>(node: &'a AstNode<'a>) -> bool {
    matches!(node.data().value, NodeValue::TaskItem(_))
        && node
            .parent()
            .is_some_and(|p| matches!(p.data().value, NodeValue::List(l) if l.tight))
        && node
            .first_child()
            .is_some_and(|c| matches!(c.data().value, NodeValue::Paragraph))
}

/// A table's header cells, as a name for its region when no heading is
/// above it: "Question, Oslo, Rest of the region".
fn table_header_text<'a>(table: &'a AstNode<'a>) -> String {
    table
        .first_child()
        .filter(|row| matches!(row.data().value, NodeValue::TableRow(true)))
        .map(|row| {
            row.children()
                .map(|cell| cell.collect_text().trim().to_string())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// The name of each table's region, in document order: the heading the
/// table sits under, or its header cells when it sits under none. A second
/// table under one heading takes its header cells after the heading, as
/// two regions of one name cannot be told apart (axe `landmark-unique`).
fn table_labels<'a>(root: &'a AstNode<'a>) -> VecDeque<String> {
    let mut labels = VecDeque::new();
    let mut heading: Option<String> = None;
    let mut used = FxHashSet::default();
    for node in root.descendants() {
        match node.data().value {
            NodeValue::Heading(_) => heading = Some(node.collect_text().trim().to_string()),
            NodeValue::Table(_) => {
                let header = table_header_text(node);
                let mut label = match &heading {
                    Some(h) if !h.is_empty() => h.clone(),
                    _ => header.clone(),
                };
                if used.contains(&label) && !header.is_empty() && label != header {
                    label = format!("{label}: {header}");
                }
                let mut n = 2;
                let base = label.clone();
                while used.contains(&label) {
                    label = format!("{base} ({n})");
                    n += 1;
                }
                used.insert(label.clone());
                labels.push_back(label);
            }
            _ => {}
        }
    }
    labels
}

fn options(allow_html: bool) -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    // GitHub's `> [!NOTE]` callouts, which read the same on GitHub.
    o.extension.alerts = true;
    o.extension.header_attributes = true;
    o.render.r#unsafe = allow_html;
    o
}

/// The options pages are parsed with; `check` parses with them too, so its lints
/// see the very tree that is rendered.
pub(crate) static SAFE_OPTIONS: LazyLock<Options<'static>> = LazyLock::new(|| options(false));
static RAW_OPTIONS: LazyLock<Options<'static>> = LazyLock::new(|| options(true));

/// The comrak options pages are parsed with, for tools that must read Markdown
/// as polis does (`examples/comrak_floor.rs`).
pub fn page_options() -> Options<'static> {
    SAFE_OPTIONS.clone()
}

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
    // The focusable region a table scrolls in (the formatter's own; an
    // author's `tabindex` other than 0 would change the tab order).
    .add_tag_attributes("div", ["tabindex"])
    .attribute_filter(|_, attr, value| match attr {
        "tabindex" if value != "0" => None,
        _ => Some(value.into()),
    })
    .add_tag_attributes("td", ["align"])
    .add_tag_attributes("th", ["align"])
    .link_rel(None)
    .url_relative(ammonia::UrlRelative::PassThrough);
    b
});

/// Sanitizes HTML with the allowlist contributors' raw HTML goes through; the
/// CommonMark spec tests apply it to the spec's expected HTML too, as one
/// deliberate difference (`tests/spec/README.md`).
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

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
    /// Where photos become responsive images.
    pub images: &'a Images,
    /// Notes the photos the Markdown shows, and what the image service said
    /// of each: the cached Markdown is valid while the answers stay the same.
    pub rec: &'a Recorder,
}

pub fn render_markdown(
    site: &Site,
    src: &Source<'_>,
    diags: &mut Vec<Diagnostic>,
) -> (Rendered, Refs) {
    let file = src.file;
    let body = file.body();
    let arena = Arena::new();
    let root = parse_document(&arena, body, &SAFE_OPTIONS);
    let lines = LineIndex::new(&file.text);
    // comrak's sourcepos: lines of the body, columns in bytes.
    let pos_at = |sp: Sourcepos| {
        lines.pos_at_from(&file.text, file.body_start, sp.start.line, sp.start.column)
    };
    let pos_of = |node: &AstNode<'_>| pos_at(node.data().sourcepos);

    let mut ids: VecDeque<(String, String)> = VecDeque::new();
    // Ids the theme's page frame uses itself: a heading never takes one.
    let mut used_ids: FxHashSet<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let mut toc = Vec::new();
    let mut anchors = FxHashSet::default();
    let mut refs = Refs::default();
    let mut word_count = 0;
    let mut has_raw_html = false;
    let mut more: Option<&AstNode<'_>> = None;
    let mut expanded: Vec<String> = Vec::new();
    let mut images: Vec<(&AstNode<'_>, String, String, Pos)> = Vec::new();
    let mut raw: Vec<&AstNode<'_>> = Vec::new();

    for node in root.descendants() {
        let mut data = node.data_mut();
        match &mut data.value {
            NodeValue::Heading(h) => {
                let level = h.level;
                // `## Comments {#comments .wide}`, as Zola and Hugo write it.
                let (given, class) = match data.attrs.take() {
                    Some(a) => (a.id.filter(|id| !id.is_empty()), a.classes.join(" ")),
                    None => (None, String::new()),
                };
                drop(data);
                let title = node.collect_text();
                let id = match given {
                    Some(id) if used_ids.insert(id.clone()) => id,
                    Some(id) => {
                        diags.push(
                            Diagnostic::warning(
                                &file.source,
                                Some(pos_of(node)),
                                format!("the heading id `{id}` is already used on this page"),
                            )
                            .with_help("give the heading an id of its own: `{#another-id}`"),
                        );
                        unique_id(&id, &mut used_ids)
                    }
                    None => unique_id(&title, &mut used_ids),
                };
                anchors.insert(id.clone());
                toc.push(Heading {
                    level,
                    id: id.clone(),
                    title,
                });
                ids.push_back((id, class));
            }
            NodeValue::Text(t) => word_count += count_words(t),
            NodeValue::Code(c) => word_count += count_words(&c.literal),
            NodeValue::CodeBlock(c) if shortcode_name(&c.info).is_some() => {
                let name = shortcode_name(&c.info).unwrap_or_default().to_string();
                let args = std::mem::take(&mut c.literal);
                let fence = pos_at(data.sourcepos);
                refs.shortcodes = true;
                let html = src.shortcodes.and_then(|sc| {
                    sc.expand(
                        &name,
                        &args,
                        &super::shortcodes::Use {
                            source: &file.source,
                            fence,
                            lang: src.lang.as_str(),
                            page_url: src.url.as_str(),
                            page_title: file.front.title.as_deref().unwrap_or_default(),
                            bundle_dir: src.bundle_dir.as_deref(),
                            bundle: &file.group,
                            images: src.images,
                            rec: src.rec,
                            sizes: &site.config.images.sizes,
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
            NodeValue::CodeBlock(c) => word_count += count_words(&c.literal),
            NodeValue::HtmlBlock(h) => {
                if h.literal.trim() == "<!-- more -->" {
                    if more.is_none() && node.parent().is_some_and(|p| std::ptr::eq(p, root)) {
                        more = Some(node);
                    }
                } else {
                    has_raw_html = true;
                    drop(data);
                    raw.push(node);
                }
            }
            NodeValue::HtmlInline(_) => {
                has_raw_html = true;
                drop(data);
                raw.push(node);
            }
            NodeValue::FootnoteDefinition(f) => {
                anchors.insert(format!("fn-{}", f.name));
            }
            NodeValue::FootnoteReference(f) => {
                anchors.insert(format!("fnref-{}", f.name));
            }
            NodeValue::Image(link) => {
                let (url, title) = (link.url.clone(), link.title.clone());
                drop(data);
                images.push((node, url, title, pos_of(node)));
            }
            NodeValue::Link(link) => {
                let url = std::mem::take(&mut link.url);
                drop(data);
                let pos = pos_of(node);
                if comrak::html::dangerous_url(&url) {
                    diags.push(
                        Diagnostic::warning(
                            &file.source,
                            Some(pos),
                            format!("the link to `{url}` is removed: only its text is shown"),
                        )
                        .with_help("a `javascript:`, `vbscript:` or `data:` address is a script or a file in disguise, and scripts do not run in contributed content: link to an `https://` address or to a page (`@/live/housing.md`)"),
                    );
                }
                let new = rewrite_url(site, src, &url, pos, diags, &mut refs);
                if let NodeValue::Link(link) = &mut node.data_mut().value {
                    link.url = new;
                }
            }
            _ => {}
        }
    }

    if !raw.is_empty() {
        let ctx = super::raw_html::Ctx {
            source: &file.source,
            pos_at,
            sanitizer: &SANITIZER,
        };
        super::raw_html::prepare(&arena, &raw, &ctx, diags);
    }

    // Photos become responsive images. Their probes run in parallel (a gallery
    // has many); the uses are recorded here, on the page's own thread.
    let located: Vec<Located> = images
        .iter()
        .map(|(_, url, ..)| locate_image(site, src, url))
        .collect();
    let answers: Vec<Option<Result<std::sync::Arc<ImageSet>, _>>> = {
        use rayon::prelude::*;
        // Most pages show no photo of the site (or none at all): no tasks then.
        let photos = located
            .iter()
            .filter(|l| matches!(l, Located::Photo(_)))
            .count();
        located
            .par_iter()
            .with_min_len(if photos > 1 { 1 } else { usize::MAX })
            .map(|l| match l {
                Located::Photo(source) => {
                    Some(src.images.responsive(source, &ImageOptions::default()))
                }
                _ => None,
            })
            .collect()
    };
    let mut pictures: Vec<(String, String)> = Vec::new();
    let mut first_photo = true;
    for (((node, url, title, pos), located), answer) in images.iter().zip(located).zip(answers) {
        let alt_text = node.collect_text();
        let alt = alt_of(&alt_text, url, *pos, &file.source, diags);
        match (located, answer) {
            (Located::Photo(source), Some(answer)) => {
                src.rec.image(crate::assets::images::ImageUse {
                    source,
                    options: ImageOptions::default(),
                    result: answer.clone(),
                });
                let set = match answer {
                    Ok(set) => set,
                    Err(e) => {
                        diags.push(e.diagnostic(url, &file.source, Some(*pos)));
                        continue;
                    }
                };
                if let Some(w) = set.oversize(&site.config.images) {
                    diags.push(Diagnostic::warning(&file.source, Some(*pos), w).with_help(
                        "scale the photo down (3000 pixels wide is plenty) before adding it",
                    ));
                }
                // The image at the top of the page is the one readers see
                // first: fetched at once, not lazily.
                let eager = std::mem::take(&mut first_photo) && top_block_index(node) <= 2;
                let sizes = &site.config.images.sizes;
                pictures.push((
                    picture_html(&set, &alt, Some(title.as_str()), sizes, eager),
                    picture_html(&set, &alt, Some(title.as_str()), sizes, false),
                ));
                for child in node.children().collect::<Vec<_>>() {
                    child.detach();
                }
                node.data_mut().value =
                    NodeValue::Text(format!("{MARK_START}{}{MARK_END}", pictures.len() - 1).into());
            }
            (Located::Other, _) => {
                let new = rewrite_url(site, src, url, *pos, diags, &mut refs);
                if let NodeValue::Image(link) = &mut node.data_mut().value {
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
    let labels = Labels {
        tables: table_labels(root),
        headings: ids,
    };
    let _ = HtmlFormatter::format_document(root, options, &mut content, labels);
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
    let labels = Labels {
        tables: table_labels(summary_root),
        headings: VecDeque::new(),
    };
    let _ = HtmlFormatter::format_document(summary_root, options, &mut summary, labels);

    if has_raw_html {
        content = SANITIZER.clean(&content).to_string();
        summary = SANITIZER.clean(&summary).to_string();
    }
    for (i, html) in expanded.iter().enumerate() {
        let placeholder = format!("<p>{SHORTCODE_MARK}{i}{SHORTCODE_MARK}</p>");
        content = content.replacen(&placeholder, html, 1);
        summary = summary.replacen(&placeholder, "", 1);
    }
    // The pictures go in after sanitizing: their markup is polis's own.
    if !pictures.is_empty() {
        content = fill_pictures(&content, |i| pictures.get(i).map(|p| p.0.as_str()));
        summary = fill_pictures(&summary, |i| pictures.get(i).map(|p| p.1.as_str()));
    }
    (
        Rendered {
            content: Html::new(content),
            summary: Html::new(summary),
            has_more,
            toc,
            word_count,
            anchors,
        },
        refs,
    )
}

/// The number of words in `text`, as `text.split_whitespace().count()` counts
/// them, without decoding a character: counting words that way was a tenth of a
/// build. A word starts at the first byte or after a space, at a byte that is no
/// space; that holds as long as the text has no white space beyond ASCII
/// (`U+00A0` and the like, whose UTF-8 starts with one of four bytes), which is
/// rare enough to leave to `split_whitespace`.
fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let unicode_space = memchr::memchr3_iter(0xc2, 0xe2, 0xe3, bytes)
        .chain(memchr::memchr_iter(0xe1, bytes))
        .any(|i| {
            text.get(i..)
                .and_then(|t| t.chars().next())
                .is_some_and(char::is_whitespace)
        });
    if unicode_space {
        return text.split_whitespace().count();
    }
    // `\t \n \x0b \x0c \r` and the space.
    let space = |b: u8| b == b' ' || b.wrapping_sub(b'\t') < 5;
    let Some((first, rest)) = bytes.split_first() else {
        return 0;
    };
    // In chunks of 128 pairs, whose at most 64 word starts fit the byte the
    // compiler can count them in with vector instructions.
    let pairs = bytes.chunks(128).zip(rest.chunks(128));
    usize::from(!space(*first))
        + pairs
            .map(|(a, b)| {
                let starts = a
                    .iter()
                    .zip(b)
                    .fold(0u8, |n, (x, y)| n + u8::from(space(*x) & !space(*y)));
                usize::from(starts)
            })
            .sum::<usize>()
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

/// Stand-ins for pictures in the formatted HTML: private-use characters, which
/// the formatter and the sanitizer leave alone, around the picture's index.
const MARK_START: char = '\u{E000}';
const MARK_END: char = '\u{E001}';

/// Replaces every stand-in with its picture.
fn fill_pictures<'a>(html: &str, picture: impl Fn(usize) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(start) = rest.find(MARK_START) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK_START.len_utf8()..];
        let end = after.find(MARK_END);
        match end.and_then(|e| after[..e].parse::<usize>().ok().map(|i| (e, i))) {
            Some((e, i)) => {
                out.push_str(picture(i).unwrap_or_default());
                rest = &after[e + MARK_END.len_utf8()..];
            }
            None => {
                out.push(MARK_START);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where an image in Markdown comes from.
enum Located {
    /// Another site's image (or a `data:` URL): left as it is.
    External,
    /// A photo of the site: published as a responsive image.
    Photo(ImageSource),
    /// Anything else (SVG, GIF): linked as a file, as before.
    Other,
}

/// Finds the file a Markdown image points at: relative to the page's folder
/// (its bundle, or `../../assets/...` as GitHub shows it), `@/` for `content/`,
/// or `/...` for `assets/` (then the theme's `static/`).
fn locate_image(site: &Site, src: &Source<'_>, url: &str) -> Located {
    let path = url.split(['#', '?']).next().unwrap_or(url);
    if path.starts_with("file:") {
        return Located::Photo(ImageSource::new(format!("../{path}")));
    }
    let external = url.contains("://") || url.starts_with("//") || url.starts_with("data:");
    if external || !is_photo(path) {
        return if external {
            Located::External
        } else {
            Located::Other
        };
    }
    let path = path.replace("%20", " ");
    let rel = if let Some(rest) = path.strip_prefix("@/") {
        normalize(crate::load::CONTENT_DIR, rest)
    } else if let Some(rest) = path.strip_prefix('/') {
        let in_assets = format!("{}/{rest}", crate::assets::ASSETS_DIR);
        let in_theme = site
            .config
            .theme
            .as_ref()
            .map(|t| format!("themes/{t}/static/{rest}"));
        match in_theme {
            Some(t)
                if !site.config.root.join(&in_assets).exists()
                    && site.config.root.join(&t).exists() =>
            {
                normalize("", &t)
            }
            _ => normalize("", &in_assets),
        }
    } else {
        let dir = src.file.dir();
        let base = if dir.is_empty() {
            crate::load::CONTENT_DIR.to_string()
        } else {
            format!("{}/{dir}", crate::load::CONTENT_DIR)
        };
        normalize(&base, &path)
    };
    // `None`: the path climbs above the site root.
    Located::Photo(ImageSource::new(
        rel.unwrap_or_else(|| format!("../{path}")),
    ))
}

/// The `alt` text of an image. Missing alt text is a warning; an image marked
/// `![decorative](...)` (or `![dekorativ](...)`, in Norwegian) is decoration
/// and gets an empty `alt`, which tells screen readers to skip it.
fn alt_of(
    text: &str,
    url: &str,
    pos: Pos,
    source: &crate::model::SourcePath,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let text = text.trim();
    if text.eq_ignore_ascii_case("decorative") || text.eq_ignore_ascii_case("dekorativ") {
        return String::new();
    }
    if text.is_empty() {
        diags.push(
            Diagnostic::warning(source, Some(pos), format!("image `{url}` has no alt text"))
                .with_help("describe what the image shows in the brackets: `![Stalls on the market square](photos/market.jpg)`")
                .with_help("for an image that is only decoration, write `![decorative](...)`: it gets an empty `alt`"),
        );
    }
    text.to_string()
}

/// The position of a node's top-level block in the document (0 for the first).
fn top_block_index<'a>(node: &'a AstNode<'a>) -> usize {
    let mut top = node;
    while let Some(parent) = top.parent() {
        if parent.parent().is_none() {
            return top.preceding_siblings().count() - 1;
        }
        top = parent;
    }
    0
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
        // `#anchor` on this very page; `#` alone is its top (issue 20).
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
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
            Some(n)
                if src.bundle_files.contains(&n.as_str())
                    && is_photo(&n)
                    && !site.config.images.publish_originals =>
            {
                // The photo itself is not published: link to its largest
                // variant, which has no metadata.
                let source =
                    ImageSource::new(format!("{}/{}/{n}", crate::load::CONTENT_DIR, file.group));
                return match responsive(src.images, src.rec, &source, &ImageOptions::default()) {
                    Ok(set) => set.largest().url.to_string(),
                    Err(e) => {
                        diags.push(e.diagnostic(path, &file.source, Some(pos)));
                        url.to_string()
                    }
                };
            }
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
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
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
    fn words_are_counted_as_split_whitespace_counts_them() {
        for text in [
            "",
            "   ",
            "one",
            " two  words ",
            "tab\tand\nnewline\x0bvertical\x0cfeed\rreturn",
            "blåbær og rømmegrøt",
            "no\u{a0}break\u{2003}em\u{3000}ideographic\u{85}next",
            "emoji 🙂 count 🙂🙂",
            "“quoted” – dashes … and\u{2028}separators",
            "\u{a0}",
            "\u{a0}x",
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
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
