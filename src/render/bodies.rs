//! The Markdown of every page and section (comrak, in parallel), kept between
//! builds by source file, and the check that every `#anchor` a link names is
//! a heading of its target.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::RenderCtx;
use super::deps::Recorder;
use super::markdown::{self, Refs, Rendered, Source};
use super::shortcodes;
use crate::assets::images::{ImageUse, Images};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Lang, PageId, SourcePath, UrlPath};
use crate::resolve::Site;

/// Rendered Markdown kept between builds, by source file: a file is rendered
/// again only when its text, language, URL or bundle changed, or a link in it
/// now resolves elsewhere.
#[derive(Debug, Default)]
pub struct MarkdownCache {
    entries: FxHashMap<SourcePath, CachedMarkdown>,
    /// The shortcodes' fingerprint the entries were rendered with.
    shortcodes: u64,
}

impl MarkdownCache {
    /// The images the cached Markdown shows, with what each got.
    pub(crate) fn images(&self) -> impl Iterator<Item = &ImageUse> {
        self.entries.values().flat_map(|c| c.images.iter())
    }
}

#[derive(Debug, Clone)]
struct CachedMarkdown {
    text: Arc<str>,
    lang: Lang,
    url: UrlPath,
    bundle_files: Vec<String>,
    rendered: Arc<Rendered>,
    refs: Arc<Refs>,
    diags: Arc<Vec<Diagnostic>>,
    /// The images the Markdown shows, with what each got.
    images: Arc<Vec<ImageUse>>,
}

/// (file, its language, what its links ask for) for the anchor check.
pub(crate) type AnchorCheck = (SourcePath, Lang, Arc<Refs>);

pub(crate) struct MarkdownAll {
    pub pages: Vec<Arc<Rendered>>,
    pub sections: Vec<Arc<Rendered>>,
    pub anchor_checks: Vec<AnchorCheck>,
}

/// The Markdown of every page and section, in parallel, from `cache` where it
/// is still valid; the cache then holds this build's results.
/// `links_same`: every link resolves as in the last build (only bodies changed).
/// Front-matter images are published as responsive images: one that cannot
/// be read (damaged, too large, a format polis does not read) is an error at
/// its field. Run with the file's Markdown, so the uses are cached with it.
fn check_field_images(
    file: &crate::load::ContentFile,
    images: &Images,
    rec: &Recorder,
    diags: &mut Vec<crate::diag::Diagnostic>,
) {
    for (name, field) in &file.front.fields {
        for src in shortcodes::image_sources(&field.value) {
            let source = shortcodes::bundle_image(&file.group, src);
            if let Err(e) = super::picture::responsive(images, rec, &source, &Default::default()) {
                let (message, help) = e.describe(src);
                diags.push(
                    crate::diag::Diagnostic::error(
                        &file.source,
                        field.pos,
                        format!("`{name}`: {message}"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

pub(crate) fn render_markdown_all(
    site: &Site,
    shortcodes: &shortcodes::Shortcodes,
    images: &Images,
    cache: &mut MarkdownCache,
    links_same: bool,
    pages: bool,
    diags: &mut Diagnostics,
) -> MarkdownAll {
    let shortcodes_same = cache.shortcodes == shortcodes.fingerprint;
    cache.shortcodes = shortcodes.fingerprint;
    // (file, language, URL, bundle files) of every page (unless they are
    // streamed), then every section.
    let mut jobs: Vec<(usize, &Lang, &UrlPath, Vec<&str>)> = site
        .pages
        .iter()
        .filter(|_| pages)
        .map(|p| (p.file, &p.lang, &p.url, bundle_names(site, p)))
        .collect();
    jobs.extend(
        site.sections
            .iter()
            .filter_map(|s| s.file.map(|f| (f, &s.lang, &s.url, Vec::new()))),
    );
    // Render what is not in the cache or no longer valid; `None` keeps the entry.
    let fresh: Vec<Option<CachedMarkdown>> = jobs
        .par_iter()
        .map(|(f, lang, url, bundle)| {
            let file = &site.files[*f];
            if let Some(c) = cache.entries.get(&file.source)
                && Arc::ptr_eq(&c.text, &file.text)
                && c.lang == **lang
                && c.url == **url
                && c.bundle_files
                    .iter()
                    .map(String::as_str)
                    .eq(bundle.iter().copied())
                && (links_same
                    || (c.refs.still_valid(site, lang)
                        && c.images.iter().all(|u| images.still_same(u))))
                && (shortcodes_same || !c.refs.shortcodes)
            {
                return None;
            }
            Some(render_file(
                site, shortcodes, images, file, lang, url, bundle,
            ))
        })
        .collect();

    let mut out = MarkdownAll {
        pages: Vec::with_capacity(if pages { site.pages.len() } else { 0 }),
        sections: Vec::with_capacity(site.sections.len()),
        anchor_checks: Vec::new(),
    };
    let mut rendered = Vec::with_capacity(jobs.len());
    for ((f, ..), entry) in jobs.iter().zip(fresh) {
        let source = &site.files[*f].source;
        if let Some(entry) = entry {
            cache.entries.insert(source.clone(), entry);
        }
        let Some(c) = cache.entries.get(source) else {
            continue;
        };
        diags.extend(c.diags.iter().cloned());
        if !c.refs.anchors.is_empty() {
            out.anchor_checks
                .push((source.clone(), c.lang.clone(), c.refs.clone()));
        }
        rendered.push(c.rendered.clone());
    }
    if cache.entries.len() > jobs.len() {
        let live: rustc_hash::FxHashSet<&SourcePath> =
            jobs.iter().map(|(f, ..)| &site.files[*f].source).collect();
        cache.entries.retain(|k, _| live.contains(k));
    }
    let mut rendered = rendered.into_iter();
    if pages {
        out.pages.extend(rendered.by_ref().take(site.pages.len()));
    }
    for s in &site.sections {
        out.sections.push(match s.file {
            Some(_) => rendered.next().unwrap_or_default(),
            None => Arc::default(),
        });
    }
    out
}

/// The names of a page's bundle files, as its Markdown may link them.
fn bundle_names<'a>(site: &'a Site, page: &crate::resolve::Page) -> Vec<&'a str> {
    page.bundle_files
        .iter()
        .map(|b| site.bundle_files[*b].name.as_str())
        .collect()
}

/// One file's Markdown, with what rendering it found: its diagnostics, the
/// links and anchors it asks for, the images it shows.
fn render_file(
    site: &Site,
    shortcodes: &shortcodes::Shortcodes,
    images: &Images,
    file: &crate::load::ContentFile,
    lang: &Lang,
    url: &UrlPath,
    bundle: &[&str],
) -> CachedMarkdown {
    let mut d = Vec::new();
    // What the cache entry is checked against next time: the loaded file's
    // own text, not the copy with its body read again.
    let loaded_text = file.text.clone();
    // The load left the body on disk: read it again.
    let with_body = file.with_body().unwrap_or_else(|e| {
        d.push(e);
        std::borrow::Cow::Borrowed(file)
    });
    let file = &*with_body;
    let rec = Recorder::default();
    let src = Source {
        file,
        lang,
        url,
        bundle_files: bundle.to_vec(),
        shortcodes: Some(shortcodes),
        bundle_dir: (file.kind == crate::model::FileKind::Bundle).then(|| {
            site.config
                .root
                .join(crate::load::CONTENT_DIR)
                .join(&file.group)
        }),
        images,
        rec: &rec,
    };
    check_field_images(file, images, &rec, &mut d);
    let (rendered, refs) = markdown::render_markdown(site, &src, &mut d);
    let trace = rec.finish();
    CachedMarkdown {
        text: loaded_text,
        lang: lang.clone(),
        url: url.clone(),
        bundle_files: bundle.iter().map(|b| b.to_string()).collect(),
        rendered: Arc::new(rendered),
        refs: Arc::new(refs),
        diags: Arc::new(d),
        images: Arc::new(trace.images),
    }
}

/// What a template needs of a page's Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The body's HTML.
    Content,
    /// Summary, table of contents, word count, anchors: what stays once the
    /// page is written.
    Summary,
}

/// The pages' Markdown in a one-shot build: each rendered when first read
/// (most by the page's own output) and its HTML let go of once that output
/// is written, so a build never holds every page's body at once. Listings
/// keep reading the summaries; a later read of a written page's HTML (a
/// feed's entries) renders it again, without reporting twice what it found.
pub(crate) struct Streamed {
    shortcodes: shortcodes::Shortcodes,
    slots: Vec<std::sync::Mutex<Slot>>,
    found: std::sync::Mutex<Found>,
}

#[derive(Debug, Clone, Default)]
enum Slot {
    #[default]
    Unread,
    Full(Arc<Rendered>),
    /// The page is written: its HTML is gone, the rest stays.
    Written(Arc<Rendered>),
}

/// What rendering the pages found, by page index (each page reports once).
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub diags: Vec<(usize, Arc<Vec<Diagnostic>>)>,
    pub anchor_checks: Vec<(usize, AnchorCheck)>,
    pub images: Vec<ImageUse>,
}

impl std::fmt::Debug for Streamed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamed")
            .field("pages", &self.slots.len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Streamed {
    pub(crate) fn new(shortcodes: shortcodes::Shortcodes, pages: usize) -> Self {
        Streamed {
            shortcodes,
            slots: (0..pages).map(|_| Default::default()).collect(),
            found: Default::default(),
        }
    }

    /// Page `id`'s Markdown, rendered now if it has not been (or if its HTML
    /// is asked for after its page was written).
    pub(crate) fn page(&self, ctx: &RenderCtx, id: PageId, need: Need) -> Arc<Rendered> {
        let Some(slot) = self.slots.get(id.index()) else {
            return Arc::default();
        };
        let first = match &*lock(slot) {
            Slot::Full(r) => return r.clone(),
            Slot::Written(r) if need == Need::Summary => return r.clone(),
            Slot::Written(_) => false,
            Slot::Unread => true,
        };
        // Rendered without the lock: two threads may render the same page at
        // once, and the first to finish keeps it.
        let site = &ctx.site;
        let page = site.page(id);
        let bundle = bundle_names(site, page);
        let file = &site.files[page.file];
        let md = render_file(
            site,
            &self.shortcodes,
            &ctx.images,
            file,
            &page.lang,
            &page.url,
            &bundle,
        );
        if !first {
            return md.rendered;
        }
        let mut slot = lock(slot);
        if let Slot::Full(r) | Slot::Written(r) = &*slot {
            return r.clone();
        }
        *slot = Slot::Full(md.rendered.clone());
        drop(slot);
        let mut found = lock(&self.found);
        let i = id.index();
        if !md.diags.is_empty() {
            found.diags.push((i, md.diags));
        }
        if !md.refs.anchors.is_empty() {
            found
                .anchor_checks
                .push((i, (file.source.clone(), page.lang.clone(), md.refs)));
        }
        found.images.extend(md.images.iter().cloned());
        md.rendered
    }

    /// Page `id` is written: its HTML goes, its summary stays.
    pub(crate) fn written(&self, id: PageId) {
        if let Some(slot) = self.slots.get(id.index()) {
            let mut slot = lock(slot);
            if let Slot::Full(mut r) = std::mem::take(&mut *slot) {
                // Nothing else holds it once its page is written, as a rule.
                match Arc::get_mut(&mut r) {
                    Some(md) => md.content = Default::default(),
                    None => {
                        r = Arc::new(Rendered {
                            content: Default::default(),
                            ..(*r).clone()
                        })
                    }
                }
                *slot = Slot::Written(r);
            } else {
                // Unread or already written: as it was.
            }
        }
    }

    /// What rendering the pages found, in page order.
    pub(crate) fn take_found(&self) -> Found {
        let mut found = std::mem::take(&mut *lock(&self.found));
        found.diags.sort_by_key(|(i, _)| *i);
        found.anchor_checks.sort_by_key(|(i, _)| *i);
        found
    }
}

pub(crate) fn check_anchors(ctx: &RenderCtx, checks: Vec<AnchorCheck>, diags: &mut Diagnostics) {
    let site = &ctx.site;
    for (source, lang, refs) in checks {
        for r in &refs.anchors {
            let Ok(target) = site.resolve_link(&r.rel, &lang) else {
                continue;
            };
            let url = target.url(site);
            let md = match target {
                crate::resolve::LinkTarget::Page(id) => ctx.page_md(id, Need::Summary),
                crate::resolve::LinkTarget::Section(id) => ctx.sections_md[id.index()].clone(),
            };
            let anchors = &md.anchors;
            if !anchors.contains(&r.anchor) {
                let mut known: Vec<&str> = anchors.iter().map(String::as_str).collect();
                known.sort_unstable();
                let mut d = Diagnostic::error(
                    &source,
                    Some(r.pos),
                    format!(
                        "link to `#{}`: `{url}` has no heading with that id",
                        r.anchor
                    ),
                );
                d = match crate::diag::did_you_mean(&r.anchor, known.iter().copied()) {
                    Some(best) => d.with_help(format!("did you mean `#{best}`?")),
                    None if known.is_empty() => {
                        d.with_help("the page has no headings; link to the page without `#...`")
                    }
                    None => d.with_help(format!(
                        "the page's headings have the ids {}",
                        known
                            .iter()
                            .filter(|k| !k.starts_with("fn"))
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                diags.push(d);
            }
        }
    }
}
