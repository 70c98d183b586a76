//! The incremental records: what a build leaves for the next one (rendered
//! Markdown, and each output with its bytes and what it read), and whether an
//! output of the last build can be reused as it is. A one-shot build keeps
//! nothing (see [`RenderState::incremental`]).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::bodies::MarkdownCache;
use super::deps::{self, Fingerprints, Read};
use super::job::Job;
use super::markdown::Rendered;
use super::templates::TemplateDirs;
use super::{Change, RenderCtx};
use crate::model::{OutputPath, PageId, SectionId, SourcePath};
use crate::resolve::Site;

/// What a build leaves for the next one: rendered Markdown, and each output
/// with its bytes and what it read.
#[derive(Debug, Default)]
pub struct RenderState {
    pub(crate) markdown: MarkdownCache,
    pub(crate) last: Option<LastBuild>,
    /// Whether a next build will come (`serve`): only then are fingerprints
    /// worth computing.
    pub(crate) incremental: bool,
}

#[derive(Debug)]
pub(crate) struct LastBuild {
    /// `None` once [`RenderState::take_site`] took the site out.
    pub(crate) ctx: Option<Arc<RenderCtx>>,
    pub(crate) pages_md: Vec<Arc<Rendered>>,
    pub(crate) sections_md: Vec<Arc<Rendered>>,
    pub(crate) fingerprints: Fingerprints,
    pub(crate) templates: FxHashMap<String, u64>,
    pub(crate) outputs: FxHashMap<OutputPath, Record>,
    /// Jobs that failed with a template error: tried again every time.
    pub(crate) failed: Vec<Job>,
}

#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) job: Job,
    /// Compressed when a next build keeps it (see [`crate::output::Held`]).
    pub(crate) bytes: crate::output::Held,
    pub(crate) trace: Arc<deps::Trace>,
}

impl RenderState {
    /// State for a series of builds, each reusing what the last one left.
    pub fn incremental() -> Self {
        RenderState {
            incremental: true,
            ..RenderState::default()
        }
    }

    /// The site as last rendered.
    pub fn site(&self) -> Option<&Site> {
        Some(&self.last.as_ref()?.ctx.as_ref()?.site)
    }

    /// The site as last rendered, taken out so a caller can patch it (see
    /// [`Change::BodiesOnly`]); `None` without a last build or while it is shared.
    pub fn take_site(&mut self) -> Option<Site> {
        let last = self.last.as_mut()?;
        match Arc::try_unwrap(last.ctx.take()?) {
            Ok(ctx) => Some(ctx.site),
            Err(ctx) => {
                last.ctx = Some(ctx);
                None
            }
        }
    }

    pub fn clear(&mut self) {
        *self = RenderState {
            incremental: self.incremental,
            ..RenderState::default()
        };
    }
}

/// Where the ids of the last build's site went in this one.
pub(crate) enum Remap {
    /// No last build: nothing to reuse.
    None,
    Identity,
    ByKey {
        pages: Vec<Option<PageId>>,
        sections: Vec<Option<SectionId>>,
        taxonomies: Vec<Option<u32>>,
        terms: Vec<Vec<Option<u32>>>,
        aliases: Vec<Option<u32>>,
        langs: Vec<Option<u16>>,
    },
}

impl Remap {
    /// Matches pages by source file, sections by folder and language, terms by
    /// taxonomy, language and slug, aliases by output path.
    pub(crate) fn by_key(old: &RenderCtx, new: &RenderCtx) -> Self {
        let (o, n) = (&old.site, &new.site);
        let pages_by_file: FxHashMap<&SourcePath, PageId> = n
            .pages
            .iter()
            .map(|p| (&n.files[p.file].source, p.id))
            .collect();
        let pages = o
            .pages
            .iter()
            .map(|p| pages_by_file.get(&o.files[p.file].source).copied())
            .collect();
        let sections = o
            .sections
            .iter()
            .map(|s| n.section_by_dir(&s.dir, &s.lang))
            .collect();
        let tax_key = |t: &crate::resolve::Taxonomy| (t.name.clone(), t.lang.clone());
        let new_tax: FxHashMap<_, usize> = n
            .taxonomies
            .iter()
            .enumerate()
            .map(|(i, t)| (tax_key(t), i))
            .collect();
        let taxonomies: Vec<Option<u32>> = o
            .taxonomies
            .iter()
            .map(|t| new_tax.get(&tax_key(t)).map(|i| *i as u32))
            .collect();
        let terms = o
            .taxonomies
            .iter()
            .zip(&taxonomies)
            .map(|(t, nt)| {
                let by_slug: FxHashMap<&str, u32> = nt
                    .map(|nt| {
                        n.taxonomies[nt as usize]
                            .terms
                            .iter()
                            .enumerate()
                            .map(|(i, term)| (term.slug.as_str(), i as u32))
                            .collect()
                    })
                    .unwrap_or_default();
                t.terms
                    .iter()
                    .map(|term| by_slug.get(term.slug.as_str()).copied())
                    .collect()
            })
            .collect();
        let new_aliases: FxHashMap<&str, u32> = n
            .aliases
            .iter()
            .enumerate()
            .map(|(i, a)| (a.output_path.as_str(), i as u32))
            .collect();
        let aliases = o
            .aliases
            .iter()
            .map(|a| new_aliases.get(a.output_path.as_str()).copied())
            .collect();
        let langs = o
            .config
            .languages
            .iter()
            .map(|l| {
                n.config
                    .languages
                    .iter()
                    .position(|x| x.code == l.code)
                    .map(|i| i as u16)
            })
            .collect();
        Remap::ByKey {
            pages,
            sections,
            taxonomies,
            terms,
            aliases,
            langs,
        }
    }

    pub(crate) fn map(&self, r: Read) -> Option<Read> {
        let Remap::ByKey {
            pages,
            sections,
            taxonomies,
            terms,
            aliases,
            langs,
        } = self
        else {
            return match self {
                Remap::Identity => Some(r),
                _ => None,
            };
        };
        let page = |p: PageId| pages.get(p.index()).copied().flatten();
        let section = |s: SectionId| sections.get(s.index()).copied().flatten();
        let lang = |l: u16| langs.get(l as usize).copied().flatten();
        Some(match r {
            Read::PageMeta(p) => Read::PageMeta(page(p)?),
            Read::PageSummary(p) => Read::PageSummary(page(p)?),
            Read::PageBody(p) => Read::PageBody(page(p)?),
            Read::SectionMeta(s) => Read::SectionMeta(section(s)?),
            Read::SectionBody(s) => Read::SectionBody(section(s)?),
            Read::Term(t, i) => Read::Term(
                taxonomies.get(t as usize).copied().flatten()?,
                terms.get(t as usize)?.get(i as usize).copied().flatten()?,
            ),
            Read::Taxonomy(t) => Read::Taxonomy(taxonomies.get(t as usize).copied().flatten()?),
            Read::Alias(a) => Read::Alias(aliases.get(a as usize).copied().flatten()?),
            Read::LangPages(l) => Read::LangPages(lang(l)?),
            Read::I18n(l) => Read::I18n(lang(l)?),
            Read::Structure => Read::Structure,
            Read::Sitemap => Read::Sitemap,
            Read::Collections => Read::Collections,
        })
    }
}

/// The last build's record of the output at `path` when it is still valid:
/// every template, image, stylesheet and part of the site it read is as it
/// was. Its reads are moved to this build's ids.
pub(crate) fn reusable(
    last: &LastBuild,
    path: &OutputPath,
    ctx: &RenderCtx,
    templates: &FxHashMap<String, u64>,
    fingerprints: &Fingerprints,
    remap: &Remap,
) -> Option<Record> {
    let record = last.outputs.get(path)?;
    let templates_same = record
        .trace
        .templates
        .iter()
        .all(|t| last.templates.contains_key(t) && last.templates.get(t) == templates.get(t));
    if !templates_same {
        return None;
    }
    let media_same = record.trace.images.iter().all(|u| ctx.images.still_same(u))
        && record.trace.assets.iter().all(|u| ctx.assets.still_same(u));
    if !media_same {
        return None;
    }
    if let Remap::Identity = remap {
        let same = record
            .trace
            .reads
            .iter()
            .all(|r| last.fingerprints.get(*r) == fingerprints.get(*r));
        return same.then(|| record.clone());
    }
    let mut moved = false;
    for r in &record.trace.reads {
        let now = remap.map(*r)?;
        moved |= now != *r;
        if fingerprints.get(now)? != last.fingerprints.get(*r)? {
            return None;
        }
    }
    if !moved {
        return Some(record.clone());
    }
    let mut reads: Vec<Read> = record
        .trace
        .reads
        .iter()
        .filter_map(|r| remap.map(*r))
        .collect();
    reads.sort_unstable();
    Some(Record {
        job: record.job,
        bytes: record.bytes.clone(),
        trace: Arc::new(deps::Trace {
            reads,
            ..(*record.trace).clone()
        }),
    })
}

/// After an edit of Markdown bodies only: the jobs whose outputs show a
/// changed body, and those that failed last time (tried again every time).
pub(crate) fn jobs_showing_changed_bodies(
    last: &LastBuild,
    fingerprints: &Fingerprints,
) -> Vec<Job> {
    let dirty = deps::changed_bodies(&last.fingerprints, fingerprints);
    let mut todo: Vec<Job> = last
        .outputs
        .values()
        .filter(|r| r.trace.reads.iter().any(|x| dirty.contains(x)))
        .map(|r| r.job)
        .collect();
    todo.extend(last.failed.iter().copied());
    todo
}

/// This build's fingerprints, and where the last build's ids went in it.
pub(crate) fn compare(
    change: Change,
    last: Option<&LastBuild>,
    ctx: &RenderCtx,
    incremental: bool,
) -> (Fingerprints, Remap) {
    match (change, last) {
        (Change::BodiesOnly, Some(last)) => (
            last.fingerprints
                .patched(&last.pages_md, &last.sections_md, ctx),
            Remap::Identity,
        ),
        // A single build has no next one to compare with.
        (Change::Any, _) if !incremental => (Fingerprints::default(), Remap::None),
        (Change::Any, _) => (
            Fingerprints::compute(ctx, ctx.i18n.fingerprints()),
            match last.and_then(|l| l.ctx.as_ref()) {
                Some(old) => Remap::by_key(old, ctx),
                None => Remap::None,
            },
        ),
        (Change::BodiesOnly, None) => (
            Fingerprints::compute(ctx, ctx.i18n.fingerprints()),
            Remap::None,
        ),
    }
}

/// The templates the last build's outputs used, hashed as they are now
/// (with their includes, imports and parents).
pub(crate) fn template_hashes(
    change: Change,
    last: Option<&LastBuild>,
    dirs: &TemplateDirs,
) -> FxHashMap<String, u64> {
    if let (Change::BodiesOnly, Some(last)) = (change, last) {
        return last.templates.clone();
    }
    let mut names: Vec<&str> = last
        .iter()
        .flat_map(|l| l.outputs.values())
        .flat_map(|r| r.trace.templates.iter().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|n| (n.to_string(), dirs.closure_fingerprint(n)))
        .collect()
}
