//! What each output read while it was rendered, and fingerprints of those parts
//! of the site, so that a rebuild renders again only the outputs whose inputs
//! changed.
//!
//! Templates reach the site through the lazy objects in [`super::objects`];
//! every field they hand out is noted as a [`Read`] of a part of the site in
//! the [`Recorder`] of the output being rendered, which is passed along with
//! it. A [`Fingerprints`] table hashes each part as of one build.
//! An output whose reads all have the same fingerprints in the next build would
//! render to the same bytes, and is reused.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use minijinja::State;

use rustc_hash::FxHashSet;
use xxhash_rust::xxh3::Xxh3;

use super::RenderCtx;
use super::markdown::Rendered;
use crate::assets::images::ImageUse;
use crate::assets::styles::AssetUse;
use crate::model::{Lang, PageId, SectionId};
use crate::resolve::Site;

/// A part of the site an output depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Read {
    /// Everything about a page except its rendered Markdown: front matter,
    /// URL, title, terms, neighbours, translations.
    PageMeta(PageId),
    /// Summary, word count, table of contents: derived from the body.
    PageSummary(PageId),
    PageBody(PageId),
    /// A section's front matter, URL, pages (with their dates), subsections,
    /// translations, feed.
    SectionMeta(SectionId),
    SectionBody(SectionId),
    /// A term's name, URL, and pages (with their dates).
    Term(u32, u32),
    /// A taxonomy's URL and its terms.
    Taxonomy(u32),
    Alias(u32),
    /// Every page of a language with its date (the home feed picks from them).
    LangPages(u16),
    /// The UI strings of a language.
    I18n(u16),
    /// The site's shape: which pages and sections exist at which URLs in which
    /// languages (links, menus, `get_section`, the language switcher).
    Structure,
    /// What the sitemap lists: every URL with its dates and alternates.
    Sitemap,
    /// Every collection page's front matter: what references between pages
    /// resolve to, and who refers to whom.
    Collections,
}

#[derive(Debug, Default)]
struct Tracker {
    reads: FxHashSet<Read>,
    missing: Vec<(Lang, String)>,
    templates: Vec<String>,
    images: Vec<ImageUse>,
    assets: Vec<AssetUse>,
}

/// What one output reads, noted while it renders. One recorder per output,
/// passed along with what renders it: the lazy objects of
/// [`super::objects`] carry it in their [`super::objects::View`], and
/// template functions reach it through the render's [`minijinja::State`]
/// ([`Recorder::of_state`]). The lock is only ever taken by the one thread
/// rendering the output, so it costs no waiting.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Tracker>);

impl Recorder {
    fn with(&self, f: impl FnOnce(&mut Tracker)) {
        // A poisoned lock means a render panicked; what it read is moot.
        if let Ok(mut t) = self.0.lock() {
            f(&mut t);
        }
    }

    /// Notes that the output read `r`.
    pub fn read(&self, r: Read) {
        self.with(|t| {
            t.reads.insert(r);
        });
    }

    /// Notes a UI string the output asked for and no file had.
    pub fn missing_string(&self, lang: &Lang, key: &str) {
        self.with(|t| t.missing.push((lang.clone(), key.to_string())));
    }

    /// Notes the template the output is rendered with.
    pub fn template(&self, name: &str) {
        self.with(|t| t.templates.push(name.to_string()));
    }

    /// Notes an image the output (or Markdown) showed, and what it got.
    pub fn image(&self, u: ImageUse) {
        self.with(|t| {
            if !t.images.contains(&u) {
                t.images.push(u);
            }
        });
    }

    /// Notes a stylesheet or script URL (or integrity hash) a template asked for.
    pub fn asset(&self, u: AssetUse) {
        self.with(|t| {
            if !t.assets.contains(&u) {
                t.assets.push(u);
            }
        });
    }

    /// Adds what `other` noted to this recorder, leaving `other` empty.
    pub fn absorb(&self, other: &Recorder) {
        let Ok(mut o) = other.0.lock() else {
            return;
        };
        let o = std::mem::take(&mut *o);
        self.with(|t| {
            t.reads.extend(o.reads);
            t.missing.extend(o.missing);
            t.templates.extend(o.templates);
            for u in o.images {
                if !t.images.contains(&u) {
                    t.images.push(u);
                }
            }
            for u in o.assets {
                if !t.assets.contains(&u) {
                    t.assets.push(u);
                }
            }
        });
    }

    /// The recorder of the template functions of one render: kept in the
    /// render's state, which minijinja carries through includes, blocks and
    /// macro calls (imported macros included, which see no context). Made at
    /// the first call; the caller of the render adds it to the output's own
    /// with [`Recorder::absorb_state`].
    pub fn of_state(state: &mut State) -> Arc<Recorder> {
        state
            .get_or_insert_extension_with(|| StateRecorder(Arc::default()))
            .0
            .clone()
    }

    /// Adds what the template functions of a finished render noted.
    pub fn absorb_state(&self, state: &State) {
        if let Some(r) = state.get_extension::<StateRecorder>() {
            self.absorb(&r.0);
        }
    }

    /// What the output read: sorted, without repeats.
    pub fn finish(&self) -> Trace {
        let Ok(mut t) = self.0.lock() else {
            return Trace::default();
        };
        let t = std::mem::take(&mut *t);
        let mut reads: Vec<Read> = t.reads.into_iter().collect();
        reads.sort_unstable();
        Trace {
            reads,
            missing: t.missing,
            templates: t.templates,
            images: t.images,
            assets: t.assets,
            inline: Default::default(),
        }
    }
}

/// The render-state slot of [`Recorder::of_state`].
struct StateRecorder(Arc<Recorder>);

/// What one output read: sorted, without repeats.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub reads: Vec<Read>,
    pub missing: Vec<(Lang, String)>,
    pub templates: Vec<String>,
    /// Images and assets are checked by asking again: an output is reused only
    /// while every answer is the same.
    pub images: Vec<ImageUse>,
    pub assets: Vec<AssetUse>,
    /// What the output has inline, hashed for its Content-Security-Policy.
    pub inline: super::csp::Inline,
}

fn hash_of(f: impl FnOnce(&mut Xxh3)) -> u64 {
    let mut h = Xxh3::new();
    f(&mut h);
    h.finish()
}

/// Each part of the site hashed, as of one build.
#[derive(Debug, Default, Clone)]
pub struct Fingerprints {
    pub page_meta: Vec<u64>,
    pub page_summary: Vec<u64>,
    pub page_body: Vec<u64>,
    pub section_meta: Vec<u64>,
    pub section_body: Vec<u64>,
    pub terms: Vec<Vec<u64>>,
    pub taxonomies: Vec<u64>,
    pub aliases: Vec<u64>,
    pub lang_pages: Vec<u64>,
    pub i18n: Vec<u64>,
    pub structure: u64,
    pub sitemap: u64,
    pub collections: u64,
}

impl Fingerprints {
    pub fn get(&self, r: Read) -> Option<u64> {
        match r {
            Read::PageMeta(p) => self.page_meta.get(p.index()).copied(),
            Read::PageSummary(p) => self.page_summary.get(p.index()).copied(),
            Read::PageBody(p) => self.page_body.get(p.index()).copied(),
            Read::SectionMeta(s) => self.section_meta.get(s.index()).copied(),
            Read::SectionBody(s) => self.section_body.get(s.index()).copied(),
            Read::Term(t, i) => self
                .terms
                .get(t as usize)
                .and_then(|v| v.get(i as usize))
                .copied(),
            Read::Taxonomy(t) => self.taxonomies.get(t as usize).copied(),
            Read::Alias(a) => self.aliases.get(a as usize).copied(),
            Read::LangPages(l) => self.lang_pages.get(l as usize).copied(),
            Read::I18n(l) => self.i18n.get(l as usize).copied(),
            Read::Structure => Some(self.structure),
            Read::Sitemap => Some(self.sitemap),
            Read::Collections => Some(self.collections),
        }
    }

    /// These fingerprints with the Markdown-derived ones of pages and sections
    /// whose rendered Markdown is not the same as `old_*` (same ids).
    pub fn patched(
        &self,
        old_pages: &[std::sync::Arc<Rendered>],
        old_sections: &[std::sync::Arc<Rendered>],
        ctx: &RenderCtx,
    ) -> Self {
        let mut f = self.clone();
        let same = |old: &[std::sync::Arc<Rendered>], i: usize, md: &std::sync::Arc<Rendered>| {
            old.get(i).is_some_and(|o| std::sync::Arc::ptr_eq(o, md))
        };
        for (i, md) in ctx.pages_md.iter().enumerate() {
            if !same(old_pages, i, md)
                && let (Some(s), Some(b)) = (f.page_summary.get_mut(i), f.page_body.get_mut(i))
            {
                *s = summary_fp(md);
                *b = hash_of(|h| md.content.hash(h));
            }
        }
        for (i, md) in ctx.sections_md.iter().enumerate() {
            if !same(old_sections, i, md)
                && let Some(b) = f.section_body.get_mut(i)
            {
                *b = section_body_fp(md);
            }
        }
        f
    }

    /// Hashes every part of the site in `ctx`. `i18n` is one hash per language.
    pub fn compute(ctx: &RenderCtx, i18n: Vec<u64>) -> Self {
        use rayon::prelude::*;
        let site = &ctx.site;
        let page_meta = site
            .pages
            .par_iter()
            .map(|p| hash_of(|h| page_meta(ctx, p.id, h)))
            .collect();
        let page_summary = ctx.pages_md.par_iter().map(|md| summary_fp(md)).collect();
        let page_body = ctx
            .pages_md
            .par_iter()
            .map(|md| hash_of(|h| md.content.hash(h)))
            .collect();
        let section_meta = site
            .sections
            .iter()
            .map(|s| hash_of(|h| section_meta(ctx, s.id, h)))
            .collect();
        let section_body = ctx
            .sections_md
            .iter()
            .map(|md| section_body_fp(md))
            .collect();
        let terms = site
            .taxonomies
            .iter()
            .map(|t| {
                t.terms
                    .iter()
                    .map(|term| {
                        hash_of(|h| {
                            (&term.name, &term.slug, &term.url, t.feed).hash(h);
                            for p in &term.pages {
                                page_key_dated(site, *p, h);
                            }
                        })
                    })
                    .collect()
            })
            .collect();
        let taxonomies = site
            .taxonomies
            .iter()
            .map(|t| {
                hash_of(|h| {
                    (&t.name, &t.lang, &t.url, t.feed, t.paginate_by).hash(h);
                    for term in &t.terms {
                        (&term.slug, &term.name, &term.url, term.pages.len()).hash(h);
                    }
                })
            })
            .collect();
        let aliases = site
            .aliases
            .iter()
            .map(|a| hash_of(|h| (&a.output_path, &a.target, &a.source).hash(h)))
            .collect();
        let lang_pages = site
            .config
            .languages
            .iter()
            .map(|l| {
                hash_of(|h| {
                    for p in site.pages.iter().filter(|p| p.lang == l.code) {
                        page_key_dated(site, p.id, h);
                    }
                })
            })
            .collect();
        Fingerprints {
            page_meta,
            page_summary,
            page_body,
            section_meta,
            section_body,
            terms,
            taxonomies,
            aliases,
            lang_pages,
            i18n,
            structure: hash_of(|h| structure(site, h)),
            sitemap: hash_of(|h| sitemap(site, h)),
            collections: hash_of(|h| collections(site, h)),
        }
    }
}

fn summary_fp(md: &Rendered) -> u64 {
    hash_of(|h| {
        md.summary.hash(h);
        md.has_more.hash(h);
        md.word_count.hash(h);
        md.toc.hash(h);
    })
}

fn section_body_fp(md: &Rendered) -> u64 {
    hash_of(|h| {
        md.content.hash(h);
        md.summary.hash(h);
    })
}

fn front_text(site: &Site, file: usize) -> &str {
    let f = &site.files[file];
    &f.text[..f.body_start]
}

fn page_key_dated(site: &Site, id: PageId, h: &mut Xxh3) {
    let p = site.page(id);
    let f = site.page_front(id);
    let ts = |d: &Option<crate::model::Date>| d.as_ref().map(|d| d.timestamp());
    (&site.files[p.file].source, ts(&f.date), ts(&f.updated)).hash(h);
}

fn page_meta(ctx: &RenderCtx, id: PageId, h: &mut Xxh3) {
    let site = &ctx.site;
    let p = site.page(id);
    front_text(site, p.file).hash(h);
    // A translation's status changes with its default-language version's text.
    site.translation_status(p.file).hash(h);
    // A translation may take its date from another file.
    site.page_front(id)
        .date
        .as_ref()
        .map(|d| d.timestamp())
        .hash(h);
    (
        &site.files[p.file].source,
        &p.lang,
        &p.slug,
        &p.url,
        &p.title,
    )
        .hash(h);
    let s = site.section(p.section);
    (&s.dir, &s.lang).hash(h);
    for a in site.ancestors(p.section) {
        site.section(a).dir.hash(h);
    }
    for n in [p.prev, p.next] {
        n.map(|n| &site.files[site.page(n).file].source).hash(h);
    }
    for t in &p.translations {
        let tp = site.page(*t);
        (&tp.lang, &tp.url, &tp.title).hash(h);
    }
    for (t, i) in &p.terms {
        let tax = &site.taxonomies[*t];
        let term = &tax.terms[*i];
        (&tax.name, &term.slug, &term.name, &term.url).hash(h);
    }
    for b in &p.bundle_files {
        site.bundle_files[*b].name.hash(h);
    }
}

fn section_meta(ctx: &RenderCtx, id: SectionId, h: &mut Xxh3) {
    let site = &ctx.site;
    let s = site.section(id);
    s.file.map(|f| front_text(site, f)).hash(h);
    s.file.and_then(|f| site.translation_status(f)).hash(h);
    (&s.dir, &s.lang, &s.url, &s.title, s.paginate_by).hash(h);
    ctx.section_feed(id).hash(h);
    for p in &s.pages {
        page_key_dated(site, *p, h);
    }
    for c in &s.subsections {
        site.section(*c).dir.hash(h);
    }
    for t in &s.translations {
        let ts = site.section(*t);
        (&ts.lang, &ts.url).hash(h);
    }
    for a in site.ancestors(id) {
        site.section(a).dir.hash(h);
    }
}

fn structure(site: &Site, h: &mut Xxh3) {
    for f in &site.files {
        (&f.rel, &f.group, &f.lang, f.kind as u8).hash(h);
    }
    for s in &site.sections {
        (&s.dir, &s.lang, &s.url, &s.translations).hash(h);
    }
    for p in &site.pages {
        (&p.url, &p.translations, p.section).hash(h);
    }
}

fn collections(site: &Site, h: &mut Xxh3) {
    if site.config.collections.is_empty() {
        return;
    }
    for p in &site.pages {
        if site.collections.collection_of(p.id).is_some() {
            (
                &site.files[p.file].source,
                &p.lang,
                &p.url,
                front_text(site, p.file),
            )
                .hash(h);
        }
    }
}

fn sitemap(site: &Site, h: &mut Xxh3) {
    for p in &site.pages {
        page_key_dated(site, p.id, h);
        (&p.url, &p.translations).hash(h);
    }
    for s in &site.sections {
        (&s.url, &s.translations).hash(h);
    }
    for t in &site.taxonomies {
        t.url.hash(h);
        for term in &t.terms {
            term.url.hash(h);
        }
    }
}

/// The Markdown-derived reads whose fingerprints differ between two builds of
/// the same site shape.
pub fn changed_bodies(old: &Fingerprints, new: &Fingerprints) -> FxHashSet<Read> {
    let mut dirty = FxHashSet::default();
    for (i, (a, b)) in old.page_summary.iter().zip(&new.page_summary).enumerate() {
        if a != b {
            dirty.insert(Read::PageSummary(PageId(i as u32)));
        }
    }
    for (i, (a, b)) in old.page_body.iter().zip(&new.page_body).enumerate() {
        if a != b {
            dirty.insert(Read::PageBody(PageId(i as u32)));
        }
    }
    for (i, (a, b)) in old.section_body.iter().zip(&new.section_body).enumerate() {
        if a != b {
            dirty.insert(Read::SectionBody(SectionId(i as u32)));
        }
    }
    dirty
}
