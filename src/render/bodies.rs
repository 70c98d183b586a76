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
use crate::model::{Lang, SourcePath, UrlPath};
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
    diags: &mut Diagnostics,
) -> MarkdownAll {
    let shortcodes_same = cache.shortcodes == shortcodes.fingerprint;
    cache.shortcodes = shortcodes.fingerprint;
    // (file, language, URL, bundle files) of every page, then every section.
    let mut jobs: Vec<(usize, &Lang, &UrlPath, Vec<&str>)> = site
        .pages
        .iter()
        .map(|p| {
            let bundle = p
                .bundle_files
                .iter()
                .map(|b| site.bundle_files[*b].name.as_str())
                .collect();
            (p.file, &p.lang, &p.url, bundle)
        })
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
            let rec = Recorder::default();
            let src = Source {
                file,
                lang,
                url,
                bundle_files: bundle.clone(),
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
            let mut d = Vec::new();
            check_field_images(file, images, &rec, &mut d);
            let (rendered, refs) = markdown::render_markdown(site, &src, &mut d);
            let trace = rec.finish();
            Some(CachedMarkdown {
                text: file.text.clone(),
                lang: (*lang).clone(),
                url: (*url).clone(),
                bundle_files: bundle.iter().map(|b| b.to_string()).collect(),
                rendered: Arc::new(rendered),
                refs: Arc::new(refs),
                diags: Arc::new(d),
                images: Arc::new(trace.images),
            })
        })
        .collect();

    let mut out = MarkdownAll {
        pages: Vec::with_capacity(site.pages.len()),
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
    out.pages.extend(rendered.by_ref().take(site.pages.len()));
    for s in &site.sections {
        out.sections.push(match s.file {
            Some(_) => rendered.next().unwrap_or_default(),
            None => Arc::default(),
        });
    }
    out
}

pub(crate) fn check_anchors(ctx: &RenderCtx, checks: Vec<AnchorCheck>, diags: &mut Diagnostics) {
    let site = &ctx.site;
    for (source, lang, refs) in checks {
        for r in &refs.anchors {
            let Ok(target) = site.resolve_link(&r.rel, &lang) else {
                continue;
            };
            let url = target.url(site);
            let anchors = match target {
                crate::resolve::LinkTarget::Page(id) => &ctx.pages_md[id.index()].anchors,
                crate::resolve::LinkTarget::Section(id) => &ctx.sections_md[id.index()].anchors,
            };
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
