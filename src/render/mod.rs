//! Stage 4, render: Markdown of every page and section (comrak, in parallel),
//! then every output file through the templates (minijinja, in parallel): pages,
//! paginated listings, taxonomies, feeds, sitemap, 404, redirects. Each finished
//! file goes straight to the [`Output`]; render never touches the disk itself.

pub mod calendar;
pub mod deps;
pub mod i18n;
mod map;
pub mod markdown;
pub mod objects;
mod picture;
pub mod shortcodes;
pub mod templates;

use std::sync::Arc;

use minijinja::Value;
use rayon::prelude::*;

use crate::assets::images::{ImageSet, ImageUse, Images};
use crate::assets::styles::Assets;
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::Result;
use crate::model::{Lang, OutputPath, PageId, SectionId, SourcePath, UrlPath};
use crate::output::Output;
use crate::resolve::Site;
use deps::{Fingerprints, Read};
use i18n::I18n;
use markdown::{Refs, Rendered, Source};
use objects::{SiteObj, page_value, paginator_value, section_value, term_value};
use rustc_hash::FxHashMap;
use templates::TemplateDirs;

/// Everything templates can reach: the site graph and its rendered Markdown.
#[derive(Debug)]
pub struct RenderCtx {
    pub site: Site,
    pub pages_md: Vec<Arc<Rendered>>,
    pub sections_md: Vec<Arc<Rendered>>,
    /// Shared with the shortcodes' templates, which render before the rest.
    pub i18n: Arc<I18n>,
    pub images: Arc<Images>,
    pub assets: Arc<Assets>,
    /// Per section: whether it has dated pages for an Atom feed. Every page asks
    /// for its home feed, so this is worked out once, not per output.
    has_feed: Vec<bool>,
}

impl RenderCtx {
    fn new(
        inputs: Inputs,
        i18n: Arc<I18n>,
        pages_md: Vec<Arc<Rendered>>,
        sections_md: Vec<Arc<Rendered>>,
    ) -> Self {
        let Inputs {
            site,
            i18n: _,
            images,
            assets,
        } = inputs;
        let dated = |p: &PageId| site.page_front(*p).date.is_some();
        let mut lang_has_dated: Vec<&Lang> = site
            .pages
            .iter()
            .filter(|p| dated(&p.id))
            .map(|p| &p.lang)
            .collect();
        lang_has_dated.sort();
        lang_has_dated.dedup();
        let has_feed = site
            .sections
            .iter()
            .map(|s| {
                if s.is_home() {
                    lang_has_dated.contains(&&s.lang)
                } else {
                    s.pages.iter().any(dated)
                }
            })
            .collect();
        RenderCtx {
            site,
            pages_md,
            sections_md,
            i18n,
            images,
            assets,
            has_feed,
        }
    }

    /// A section's Atom feed, when it has dated pages to put in one.
    pub fn section_feed(&self, id: SectionId) -> Option<UrlPath> {
        self.has_feed[id.index()]
            .then(|| UrlPath::new(format!("{}atom.xml", self.site.section(id).url)))
    }

    fn home_feed(&self, lang: &Lang) -> Option<UrlPath> {
        self.section_feed(self.site.home(lang))
    }
}

/// One file to produce.
#[derive(Debug, Clone, Copy)]
enum Job {
    Page(PageId),
    Section(SectionId, usize),
    SectionFeed(SectionId),
    TaxonomyList(usize),
    Term(usize, usize, usize),
    TermFeed(usize, usize),
    Alias(usize),
    /// The iCalendar file of an event page.
    EventFile(PageId),
    /// The calendar feed of a calendar collection's section.
    CalendarFeed(SectionId),
    NotFound,
    Root,
    Sitemap,
    Robots,
}

#[derive(Debug, Default, Clone)]
pub struct RenderStats {
    /// Pages per language, in language order.
    pub pages: Vec<(Lang, usize)>,
    /// Every image the site shows (Markdown and templates, reused outputs
    /// included): what the assets stage publishes.
    pub images: Vec<Arc<ImageSet>>,
}

/// What render works from: the site, its UI strings, and the services that
/// answer for images and stylesheets.
#[derive(Debug)]
pub struct Inputs {
    pub site: Site,
    pub i18n: I18n,
    pub images: Arc<Images>,
    pub assets: Arc<Assets>,
}

/// Renders the whole site into `output`.
pub fn render_site(
    inputs: Inputs,
    dirs: &TemplateDirs,
    output: &dyn Output,
    diags: &mut Diagnostics,
) -> Result<RenderStats> {
    render_site_with(
        inputs,
        dirs,
        output,
        diags,
        &mut RenderState::default(),
        Change::Any { i18n: Vec::new() },
    )
}

/// What a build leaves for the next one: rendered Markdown, and each output
/// with its bytes and what it read.
#[derive(Debug, Default)]
pub struct RenderState {
    markdown: MarkdownCache,
    last: Option<LastBuild>,
    /// Whether a next build will come (`serve`): only then are fingerprints
    /// worth computing.
    incremental: bool,
}

#[derive(Debug)]
struct LastBuild {
    /// `None` once [`RenderState::take_site`] took the site out.
    ctx: Option<Arc<RenderCtx>>,
    pages_md: Vec<Arc<Rendered>>,
    sections_md: Vec<Arc<Rendered>>,
    fingerprints: Fingerprints,
    templates: FxHashMap<String, u64>,
    outputs: FxHashMap<OutputPath, Record>,
    /// Jobs that failed with a template error: tried again every time.
    failed: Vec<Job>,
}

#[derive(Debug, Clone)]
struct Record {
    job: Job,
    bytes: bytes::Bytes,
    trace: Arc<deps::Trace>,
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

/// What changed since the last build, as far as the caller knows.
#[derive(Debug)]
pub enum Change {
    /// Anything: every output's reads are checked against new fingerprints.
    /// `i18n` is a hash of each language's UI strings.
    Any { i18n: Vec<u64> },
    /// Only the Markdown bodies of existing files: the site is the last one
    /// (from [`RenderState::take_site`]) with new file texts, every page and
    /// section keeps its id, and only outputs that read a changed body render.
    BodiesOnly,
}

/// Renders the site into `output`, reusing from `state` every output whose
/// inputs are unchanged, and leaves this build in `state`.
pub fn render_site_with(
    inputs: Inputs,
    dirs: &TemplateDirs,
    output: &dyn Output,
    diags: &mut Diagnostics,
    state: &mut RenderState,
    change: Change,
) -> Result<RenderStats> {
    let mut timer = crate::Timer::new();
    // Only Markdown files changed: links and images are as they were.
    let links_same = matches!(change, Change::BodiesOnly);
    let mut inputs = inputs;
    let i18n = Arc::new(std::mem::replace(&mut inputs.i18n, I18n::empty()));
    let theme_dir = dirs.dirs.get(1).and_then(|d| d.parent());
    let shortcodes = shortcodes::Shortcodes::load(dirs, theme_dir, &inputs.site, &i18n, diags);
    let md = render_markdown_all(
        &inputs.site,
        &shortcodes,
        &inputs.images,
        &mut state.markdown,
        links_same,
        diags,
    );
    timer.lap("  markdown");
    let ctx = Arc::new(RenderCtx::new(inputs, i18n, md.pages, md.sections));
    check_anchors(&ctx, md.anchor_checks, diags);
    timer.lap("  anchors");

    let last = state.last.take();
    let (fingerprints, remap) = match (&change, &last) {
        (Change::BodiesOnly, Some(last)) => (
            last.fingerprints
                .patched(&last.pages_md, &last.sections_md, &ctx),
            Remap::Identity,
        ),
        // A single build has no next one to compare with.
        (Change::Any { .. }, _) if !state.incremental => (Fingerprints::default(), Remap::None),
        (Change::Any { i18n }, _) => (
            Fingerprints::compute(&ctx, i18n.clone()),
            match last.as_ref().and_then(|l| l.ctx.as_ref()) {
                Some(old) => Remap::by_key(old, &ctx),
                None => Remap::None,
            },
        ),
        (Change::BodiesOnly, None) => (Fingerprints::compute(&ctx, Vec::new()), Remap::None),
    };

    timer.lap("  fingerprints");
    let env = templates::environment(&ctx, dirs);
    let jobs = jobs(&ctx);
    // The templates the last build's outputs used, hashed as they are now.
    let mut templates: FxHashMap<String, u64> = match (&change, &last) {
        (Change::BodiesOnly, Some(last)) => last.templates.clone(),
        _ => {
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
    };
    let mut outputs: FxHashMap<OutputPath, Record>;
    let results: Vec<Outcome> = match (&change, last) {
        (Change::BodiesOnly, Some(last)) => {
            // Only bodies changed: render what shows a changed body (and what
            // failed last time), keep everything else as it is.
            let dirty = deps::changed_bodies(&last.fingerprints, &fingerprints);
            let mut todo: Vec<Job> = last
                .outputs
                .values()
                .filter(|r| r.trace.reads.iter().any(|x| dirty.contains(x)))
                .map(|r| r.job)
                .collect();
            todo.extend(last.failed.iter().copied());
            outputs = last.outputs;
            for job in &todo {
                if let Some(path) = job_path(&ctx, *job) {
                    outputs.remove(&path);
                }
            }
            todo.par_iter()
                .map(|job| render_tracked(&ctx, &env, dirs, *job))
                .collect()
        }
        (_, last) => {
            let reusable = |path: &OutputPath| -> Option<Record> {
                let last = last.as_ref()?;
                let record = last.outputs.get(path)?;
                let templates_same = record.trace.templates.iter().all(|t| {
                    last.templates.contains_key(t) && last.templates.get(t) == templates.get(t)
                });
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
                        missing: record.trace.missing.clone(),
                        templates: record.trace.templates.clone(),
                        images: record.trace.images.clone(),
                        assets: record.trace.assets.clone(),
                    }),
                })
            };

            timer.lap("  templates");
            outputs = FxHashMap::default();
            let incremental = state.incremental;
            jobs.par_iter()
                .map(|job| {
                    match job_path(&ctx, *job).and_then(|p| Some((reusable(&p)?, p))) {
                        // The job's ids are this build's, not the record's.
                        Some((record, path)) => Ok(Outcome::Done(
                            path,
                            Record {
                                job: *job,
                                ..record
                            },
                        )),
                        None => match render_tracked(&ctx, &env, dirs, *job) {
                            // Without a next build to keep them for, the bytes
                            // go out at once rather than pile up in memory.
                            Outcome::Done(path, mut record) if !incremental => {
                                output.write_shared(&path, std::mem::take(&mut record.bytes))?;
                                Ok(Outcome::Written(record.trace))
                            }
                            outcome => Ok(outcome),
                        },
                    }
                })
                .collect::<Result<_>>()?
        }
    };
    timer.lap("  outputs");
    drop(env);
    let mut failed = Vec::new();
    let mut written = Vec::new();
    for outcome in results {
        match outcome {
            Outcome::Done(path, record) => {
                outputs.insert(path, record);
            }
            Outcome::Written(trace) => written.push(trace),
            Outcome::Nothing => {}
            Outcome::Failed(job, d) => {
                failed.push(job);
                diags.push(d);
            }
        }
    }
    outputs
        .par_iter()
        .try_for_each(|(path, record)| output.write_shared(path, record.bytes.clone()))?;
    timer.lap("  write");
    for trace in &written {
        ctx.i18n.add_missing(trace.missing.iter().cloned());
    }
    for record in outputs.values() {
        ctx.i18n.add_missing(record.trace.missing.iter().cloned());
        for t in record.trace.templates.iter().filter(|_| state.incremental) {
            if !templates.contains_key(t) {
                templates.insert(t.clone(), dirs.closure_fingerprint(t));
            }
        }
    }
    ctx.i18n.report_missing(&ctx.site.config, diags);
    timer.lap("  records");

    let mut images: Vec<Arc<ImageSet>> = state
        .markdown
        .entries
        .values()
        .flat_map(|c| c.images.iter())
        .chain(outputs.values().flat_map(|r| r.trace.images.iter()))
        // Outputs written at once (one-shot builds) keep only their traces.
        .chain(written.iter().flat_map(|t| t.images.iter()))
        .filter_map(|u| u.result.as_ref().ok().cloned())
        .collect();
    images.sort_by(|a, b| a.source.cmp(&b.source));
    images.dedup();
    let stats = RenderStats {
        images,
        pages: ctx
            .site
            .config
            .languages
            .iter()
            .map(|l| {
                (
                    l.code.clone(),
                    ctx.site.pages.iter().filter(|p| p.lang == l.code).count(),
                )
            })
            .collect(),
    };
    if !state.incremental {
        return Ok(stats);
    }
    state.last = Some(LastBuild {
        pages_md: ctx.pages_md.clone(),
        sections_md: ctx.sections_md.clone(),
        ctx: Some(ctx),
        fingerprints,
        templates,
        outputs,
        failed,
    });
    Ok(stats)
}

/// What rendering one job came to.
enum Outcome {
    Done(OutputPath, Record),
    /// Written out already; what the job read.
    Written(Arc<deps::Trace>),
    /// The job has nothing to write (a 404 page without a template).
    Nothing,
    Failed(Job, Diagnostic),
}

fn render_tracked(
    ctx: &Arc<RenderCtx>,
    env: &minijinja::Environment<'static>,
    dirs: &TemplateDirs,
    job: Job,
) -> Outcome {
    let (result, trace) = deps::track(|| render_job(ctx, env, job));
    match result {
        Ok(Some((path, bytes))) => Outcome::Done(
            path,
            Record {
                job,
                bytes: bytes.into(),
                trace: Arc::new(trace),
            },
        ),
        Ok(None) => Outcome::Nothing,
        Err((err, what)) => Outcome::Failed(job, templates::template_diagnostic(&err, dirs, &what)),
    }
}

/// Where the ids of the last build's site went in this one.
enum Remap {
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
    fn by_key(old: &RenderCtx, new: &RenderCtx) -> Self {
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

    fn map(&self, r: Read) -> Option<Read> {
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

/// The file a job writes.
fn job_path(ctx: &RenderCtx, job: Job) -> Option<OutputPath> {
    let site = &ctx.site;
    let feed_path = |url: &UrlPath| {
        let feed = format!("{url}atom.xml");
        OutputPath::new(
            feed.strip_prefix(site.config.base_path.as_str())
                .unwrap_or(&feed)
                .to_string(),
        )
    };
    Some(match job {
        Job::Page(id) => OutputPath::index_of(&site.page(id).output_dir),
        Job::Section(id, n) => OutputPath::index_of(&site.section(id).pager(n).1),
        Job::SectionFeed(id) => feed_path(&site.section(id).url),
        Job::TaxonomyList(ti) => OutputPath::index_of(&site.taxonomies[ti].output_dir),
        Job::Term(ti, i, n) => {
            let term = &site.taxonomies[ti].terms[i];
            OutputPath::index_of(&crate::resolve::pager(&term.url, &term.output_dir, n).1)
        }
        Job::TermFeed(ti, i) => feed_path(&site.taxonomies[ti].terms[i].url),
        Job::Alias(i) => OutputPath::new(site.aliases[i].output_path.clone()),
        Job::EventFile(id) => OutputPath::new(format!(
            "{}/{}",
            site.page(id).output_dir,
            calendar::EVENT_FILE
        )),
        Job::CalendarFeed(id) => OutputPath::new(format!(
            "{}/{}",
            site.section(id).output_dir,
            calendar::CALENDAR_FILE
        )),
        Job::NotFound => OutputPath::new("404.html"),
        Job::Root => OutputPath::new("index.html"),
        Job::Sitemap => OutputPath::new("sitemap.xml"),
        Job::Robots => OutputPath::new("robots.txt"),
    })
}

fn check_anchors(ctx: &RenderCtx, checks: Vec<AnchorCheck>, diags: &mut Diagnostics) {
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

fn jobs(ctx: &RenderCtx) -> Vec<Job> {
    let site = &ctx.site;
    let mut jobs: Vec<Job> = site.pages.iter().map(|p| Job::Page(p.id)).collect();
    if site.config.collections.iter().any(|c| c.calendar) {
        jobs.extend(
            site.pages
                .iter()
                .filter(|p| calendar::is_event(site, p.id))
                .map(|p| Job::EventFile(p.id)),
        );
        jobs.extend(
            site.sections
                .iter()
                .filter(|s| calendar::is_calendar(site, s.id))
                .map(|s| Job::CalendarFeed(s.id)),
        );
    }
    for s in &site.sections {
        jobs.extend((1..=s.pager_count()).map(|n| Job::Section(s.id, n)));
        if ctx.section_feed(s.id).is_some() {
            jobs.push(Job::SectionFeed(s.id));
        }
    }
    for (ti, t) in site.taxonomies.iter().enumerate() {
        jobs.push(Job::TaxonomyList(ti));
        for (i, term) in t.terms.iter().enumerate() {
            let count = term.pages.len().div_ceil(t.paginate_by).max(1);
            jobs.extend((1..=count).map(|n| Job::Term(ti, i, n)));
            if t.feed {
                jobs.push(Job::TermFeed(ti, i));
            }
        }
    }
    jobs.extend((0..site.aliases.len()).map(Job::Alias));
    jobs.extend([Job::NotFound, Job::Root, Job::Sitemap, Job::Robots]);
    jobs
}

type JobResult = std::result::Result<Option<(OutputPath, Vec<u8>)>, (minijinja::Error, String)>;

/// The variables every HTML template gets.
struct Head {
    lang: Lang,
    url: UrlPath,
    /// (language, URL) of each language version, itself included.
    alternates: Vec<(Lang, UrlPath)>,
    /// (language, URL, exact) per language of the site.
    switcher: Vec<(Lang, UrlPath, bool)>,
    feeds: Vec<(String, UrlPath)>,
}

fn globals(ctx: &Arc<RenderCtx>, head: Head) -> Vec<(&'static str, Value)> {
    let site = &ctx.site;
    let config = &site.config;
    let x_default = head
        .alternates
        .iter()
        .find(|(l, _)| *l == config.default_language)
        .map_or(Value::from(()), |(_, u)| Value::from(site.permalink(u)));
    let alternates: Vec<Value> = head
        .alternates
        .iter()
        .map(|(l, u)| {
            Value::from_pairs([
                ("lang", Value::from(l.as_str())),
                ("url", Value::from(u.as_str())),
                ("permalink", Value::from(site.permalink(u))),
            ])
        })
        .collect();
    let switcher: Vec<Value> = head
        .switcher
        .iter()
        .map(|(l, u, exact)| {
            let name = config.language(l).map_or("", |x| x.name.as_str());
            Value::from_pairs([
                ("code", Value::from(l.as_str())),
                ("name", Value::from(name)),
                ("url", Value::from(u.as_str())),
                ("current", Value::from(*l == head.lang)),
                ("exact", Value::from(*exact)),
            ])
        })
        .collect();
    let feeds: Vec<Value> = head
        .feeds
        .iter()
        .map(|(t, u)| {
            Value::from_pairs([
                ("title", Value::from(t.as_str())),
                ("url", Value::from(u.as_str())),
            ])
        })
        .collect();
    vec![
        ("lang", Value::from(head.lang.as_str())),
        (
            "site",
            Value::from_object(SiteObj {
                ctx: ctx.clone(),
                lang: head.lang.clone(),
            }),
        ),
        ("current_url", Value::from(head.url.as_str())),
        ("canonical", Value::from(site.permalink(&head.url))),
        ("alternates", Value::from(alternates)),
        ("x_default", x_default),
        ("switcher", Value::from(switcher)),
        ("feeds", Value::from(feeds)),
    ]
}

fn render_template(
    env: &minijinja::Environment<'static>,
    name: &str,
    vars: Vec<(&'static str, Value)>,
    what: impl Fn() -> String,
) -> std::result::Result<Vec<u8>, (minijinja::Error, String)> {
    deps::template(name);
    let tpl = env.get_template(name).map_err(|e| (e, what()))?;
    tpl.render(Value::from_pairs(vars))
        .map(String::into_bytes)
        .map_err(|e| (e, what()))
}

fn home_feed_link(ctx: &RenderCtx, lang: &Lang) -> Vec<(String, UrlPath)> {
    let title = ctx
        .site
        .config
        .language(lang)
        .map_or(String::new(), |l| l.title.clone());
    ctx.home_feed(lang)
        .map(|u| (title, u))
        .into_iter()
        .collect()
}

fn render_job(ctx: &Arc<RenderCtx>, env: &minijinja::Environment<'static>, job: Job) -> JobResult {
    let site = &ctx.site;
    let config = &site.config;
    let langs = || config.languages.iter().map(|l| l.code.clone());
    match job {
        Job::Page(id) => {
            let page = site.page(id);
            read_all([
                Read::PageMeta(id),
                Read::Structure,
                Read::SectionMeta(site.home(&page.lang)),
                Read::SectionMeta(page.section),
            ]);
            let file = &site.files[page.file];
            let mut feeds = home_feed_link(ctx, &page.lang);
            if let Some(u) = ctx
                .section_feed(page.section)
                .filter(|_| !site.section(page.section).is_home())
            {
                feeds.push((site.section(page.section).title.clone(), u));
            }
            let head = Head {
                lang: page.lang.clone(),
                url: page.url.clone(),
                alternates: page
                    .translations
                    .iter()
                    .map(|t| (site.page(*t).lang.clone(), site.page(*t).url.clone()))
                    .collect(),
                switcher: langs()
                    .map(|l| {
                        let (u, exact) = site.page_in(id, &l);
                        (l, u, exact)
                    })
                    .collect(),
                feeds,
            };
            let mut vars = globals(ctx, head);
            vars.push(("page", page_value(ctx, id)));
            let name = file.front.template.as_deref().unwrap_or("page.html");
            let bytes = render_template(env, name, vars, || file.source.to_string())?;
            Ok(Some((OutputPath::index_of(&page.output_dir), bytes)))
        }
        Job::Section(id, n) => {
            let s = site.section(id);
            read_all([
                Read::SectionMeta(id),
                Read::Structure,
                Read::SectionMeta(site.home(&s.lang)),
            ]);
            let (url, out_dir) = s.pager(n);
            let mut feeds = home_feed_link(ctx, &s.lang);
            if !s.is_home()
                && let Some(u) = ctx.section_feed(id)
            {
                feeds.push((s.title.clone(), u));
            }
            let head = Head {
                lang: s.lang.clone(),
                url: url.clone(),
                alternates: if n == 1 {
                    s.translations
                        .iter()
                        .map(|t| (site.section(*t).lang.clone(), site.section(*t).url.clone()))
                        .collect()
                } else {
                    Vec::new()
                },
                switcher: langs()
                    .map(|l| {
                        let (u, exact) = site.section_in(id, &l);
                        (l, u, exact)
                    })
                    .collect(),
                feeds,
            };
            let mut vars = globals(ctx, head);
            vars.push(("section", section_value(ctx, id)));
            vars.push((
                "paginator",
                paginator_value(ctx, &s.url, &s.pages, s.paginate_by, n),
            ));
            let front = site.section_front(id);
            let default = if s.is_home() {
                "index.html"
            } else {
                "section.html"
            };
            let name = front.and_then(|f| f.template.as_deref()).unwrap_or(default);
            let what = || {
                s.file.map_or_else(
                    || format!("the section `{}`", s.url),
                    |f| site.files[f].source.to_string(),
                )
            };
            let bytes = render_template(env, name, vars, what)?;
            Ok(Some((OutputPath::index_of(&out_dir), bytes)))
        }
        Job::SectionFeed(id) => {
            let s = site.section(id);
            deps::read(Read::SectionMeta(id));
            if s.is_home() {
                deps::read(Read::LangPages(lang_index(site, &s.lang)));
            }
            let mut entries: Vec<PageId> = if s.is_home() {
                site.pages
                    .iter()
                    .filter(|p| p.lang == s.lang)
                    .map(|p| p.id)
                    .collect()
            } else {
                s.pages.clone()
            };
            newest_first_dated(site, &mut entries);
            entries.truncate(config.feed_limit);
            let title = if s.is_home() {
                config
                    .language(&s.lang)
                    .map_or(String::new(), |l| l.title.clone())
            } else {
                let site_title = config.language(&s.lang).map_or("", |l| l.title.as_str());
                format!("{} | {site_title}", s.title)
            };
            let feed_url = UrlPath::new(format!("{}atom.xml", s.url));
            render_feed(ctx, env, &s.lang, title, &s.url, &feed_url, &entries)
        }
        Job::TaxonomyList(ti) => {
            let t = &site.taxonomies[ti];
            read_taxonomies(site, t.config);
            deps::read(Read::SectionMeta(site.home(&t.lang)));
            let head = Head {
                lang: t.lang.clone(),
                url: t.url.clone(),
                alternates: site
                    .taxonomies
                    .iter()
                    .filter(|o| o.config == t.config)
                    .map(|o| (o.lang.clone(), o.url.clone()))
                    .collect(),
                switcher: site
                    .taxonomies
                    .iter()
                    .filter(|o| o.config == t.config)
                    .map(|o| (o.lang.clone(), o.url.clone(), true))
                    .collect(),
                feeds: home_feed_link(ctx, &t.lang),
            };
            let mut vars = globals(ctx, head);
            vars.push(("taxonomy", taxonomy_value(ctx, ti)));
            vars.push((
                "terms",
                Value::from(
                    (0..t.terms.len())
                        .map(|i| term_value(ctx, ti, i))
                        .collect::<Vec<_>>(),
                ),
            ));
            let bytes = render_template(env, "taxonomy_list.html", vars, || {
                format!("the taxonomy `{}`", t.url)
            })?;
            Ok(Some((OutputPath::index_of(&t.output_dir), bytes)))
        }
        Job::Term(ti, i, n) => {
            let t = &site.taxonomies[ti];
            let term = &t.terms[i];
            read_taxonomies(site, t.config);
            deps::read(Read::Term(ti as u32, i as u32));
            deps::read(Read::SectionMeta(site.home(&t.lang)));
            let (url, out_dir) = crate::resolve::pager(&term.url, &term.output_dir, n);
            let others = || {
                site.taxonomies
                    .iter()
                    .filter(move |o| o.config == t.config)
                    .map(move |o| (o, o.terms.iter().find(|x| x.key == term.key)))
            };
            let mut feeds = home_feed_link(ctx, &t.lang);
            if t.feed {
                feeds.push((
                    term.name.clone(),
                    UrlPath::new(format!("{}atom.xml", term.url)),
                ));
            }
            let head = Head {
                lang: t.lang.clone(),
                url: url.clone(),
                alternates: if n == 1 {
                    others()
                        .filter_map(|(o, x)| x.map(|x| (o.lang.clone(), x.url.clone())))
                        .collect()
                } else {
                    Vec::new()
                },
                switcher: others()
                    .map(|(o, x)| match x {
                        Some(x) => (o.lang.clone(), x.url.clone(), true),
                        None => (o.lang.clone(), o.url.clone(), false),
                    })
                    .collect(),
                feeds,
            };
            let mut vars = globals(ctx, head);
            vars.push(("taxonomy", taxonomy_value(ctx, ti)));
            vars.push(("term", term_value(ctx, ti, i)));
            vars.push((
                "paginator",
                paginator_value(ctx, &term.url, &term.pages, t.paginate_by, n),
            ));
            let bytes = render_template(env, "taxonomy_term.html", vars, || {
                format!("the term `{}`", term.url)
            })?;
            Ok(Some((OutputPath::index_of(&out_dir), bytes)))
        }
        Job::TermFeed(ti, i) => {
            let t = &site.taxonomies[ti];
            let term = &t.terms[i];
            deps::read(Read::Term(ti as u32, i as u32));
            let mut entries = term.pages.clone();
            entries.retain(|p| site.page_front(*p).date.is_some());
            entries.truncate(config.feed_limit);
            let site_title = config.language(&t.lang).map_or("", |l| l.title.as_str());
            let feed_url = UrlPath::new(format!("{}atom.xml", term.url));
            render_feed(
                ctx,
                env,
                &t.lang,
                format!("{} | {site_title}", term.name),
                &term.url,
                &feed_url,
                &entries,
            )
        }
        Job::Alias(i) => {
            let a = &site.aliases[i];
            deps::read(Read::Alias(i as u32));
            let vars = vec![
                ("lang", Value::from(config.default_language.as_str())),
                ("target", Value::from(site.permalink(&a.target))),
                ("target_url", Value::from(a.target.as_str())),
                ("languages", Value::from(())),
            ];
            let bytes = render_template(env, "redirect.html", vars, || a.source.to_string())?;
            Ok(Some((OutputPath::new(a.output_path.clone()), bytes)))
        }
        Job::Root => {
            deps::read(Read::Structure);
            let home = site.section(site.home(&config.default_language));
            let languages = objects::languages_value(ctx);
            let vars = vec![
                ("lang", Value::from(config.default_language.as_str())),
                ("target", Value::from(site.permalink(&home.url))),
                ("target_url", Value::from(home.url.as_str())),
                ("languages", languages),
            ];
            let bytes = render_template(env, "redirect.html", vars, || "the root page `/`".into())?;
            Ok(Some((OutputPath::new("index.html"), bytes)))
        }
        Job::NotFound => {
            if !templates_exist(env, "404.html") {
                return Ok(None);
            }
            deps::read(Read::Structure);
            let lang = config.default_language.clone();
            let head = Head {
                lang: lang.clone(),
                url: UrlPath::new(format!("{}404.html", config.base_path)),
                alternates: Vec::new(),
                switcher: langs()
                    .map(|l| (l.clone(), site.section(site.home(&l)).url.clone(), false))
                    .collect(),
                feeds: Vec::new(),
            };
            let vars = globals(ctx, head);
            let bytes = render_template(env, "404.html", vars, || "the 404 page".into())?;
            Ok(Some((OutputPath::new("404.html"), bytes)))
        }
        Job::Sitemap => {
            deps::read(Read::Sitemap);
            let vars = vec![("entries", sitemap_entries(ctx))];
            let bytes = render_template(env, "sitemap.xml", vars, || "the sitemap".into())?;
            Ok(Some((OutputPath::new("sitemap.xml"), bytes)))
        }
        Job::EventFile(id) => {
            read_all([Read::PageMeta(id), Read::Collections]);
            Ok(calendar::event_file(site, id).map(|bytes| {
                (
                    OutputPath::new(format!(
                        "{}/{}",
                        site.page(id).output_dir,
                        calendar::EVENT_FILE
                    )),
                    bytes,
                )
            }))
        }
        Job::CalendarFeed(id) => {
            read_all([Read::SectionMeta(id), Read::Collections]);
            Ok(Some((
                OutputPath::new(format!(
                    "{}/{}",
                    site.section(id).output_dir,
                    calendar::CALENDAR_FILE
                )),
                calendar::section_file(site, id),
            )))
        }
        Job::Robots => {
            let vars = vec![(
                "sitemap",
                Value::from(config.permalink(&format!("{}sitemap.xml", config.base_path))),
            )];
            let bytes = render_template(env, "robots.txt", vars, || "robots.txt".into())?;
            Ok(Some((OutputPath::new("robots.txt"), bytes)))
        }
    }
}

fn read_all(reads: impl IntoIterator<Item = Read>) {
    reads.into_iter().for_each(deps::read);
}

/// Every language's version of a taxonomy (the switcher and `hreflang` links
/// go to them).
fn read_taxonomies(site: &Site, config: usize) {
    for (i, t) in site.taxonomies.iter().enumerate() {
        if t.config == config {
            deps::read(Read::Taxonomy(i as u32));
        }
    }
}

fn lang_index(site: &Site, lang: &Lang) -> u16 {
    site.config
        .languages
        .iter()
        .position(|l| &l.code == lang)
        .unwrap_or(0) as u16
}

/// Keeps the dated pages, newest first (ties by id, so the order is stable).
fn newest_first_dated(site: &Site, ids: &mut Vec<PageId>) {
    ids.retain(|p| site.page_front(*p).date.is_some());
    ids.sort_by(|a, b| {
        let date = |id: &PageId| site.page_front(*id).date.as_ref().map(|d| d.timestamp());
        date(b).cmp(&date(a)).then(a.cmp(b))
    });
}

fn templates_exist(env: &minijinja::Environment<'static>, name: &str) -> bool {
    env.get_template(name).is_ok()
}

fn taxonomy_value(ctx: &Arc<RenderCtx>, ti: usize) -> Value {
    let t = &ctx.site.taxonomies[ti];
    Value::from_pairs([
        ("name", Value::from(t.name.as_str())),
        ("url", Value::from(t.url.as_str())),
        ("permalink", Value::from(ctx.site.permalink(&t.url))),
    ])
}

fn render_feed(
    ctx: &Arc<RenderCtx>,
    env: &minijinja::Environment<'static>,
    lang: &Lang,
    title: String,
    html_url: &UrlPath,
    feed_url: &UrlPath,
    entries: &[PageId],
) -> JobResult {
    let site = &ctx.site;
    let updated = entries
        .iter()
        .filter_map(|p| {
            let f = site.page_front(*p);
            f.updated.as_ref().or(f.date.as_ref())
        })
        .max()
        .map(|d| d.rfc3339());
    let feed = Value::from_pairs([
        ("title", Value::from(title)),
        ("id", Value::from(site.permalink(html_url))),
        ("self_url", Value::from(site.permalink(feed_url))),
        ("alternate", Value::from(site.permalink(html_url))),
        (
            "updated",
            Value::from(updated.unwrap_or_else(|| "1970-01-01T00:00:00Z".into())),
        ),
        ("lang", Value::from(lang.as_str())),
        ("entries", objects::pages_value(ctx, entries)),
    ]);
    let vars = vec![
        ("lang", Value::from(lang.as_str())),
        (
            "site",
            Value::from_object(SiteObj {
                ctx: ctx.clone(),
                lang: lang.clone(),
            }),
        ),
        ("feed", feed),
    ];
    let path = feed_url
        .as_str()
        .strip_prefix(site.config.base_path.as_str())
        .unwrap_or(feed_url.as_str());
    let bytes = render_template(env, "atom.xml", vars, || format!("the feed `{feed_url}`"))?;
    Ok(Some((OutputPath::new(path.to_string()), bytes)))
}

fn sitemap_entries(ctx: &RenderCtx) -> Value {
    let site = &ctx.site;
    let entry =
        |url: &UrlPath, updated: Option<String>, alternates: Vec<&UrlPath>, langs: Vec<&Lang>| {
            let alts: Vec<Value> = if alternates.len() > 1 {
                alternates
                    .iter()
                    .zip(langs)
                    .map(|(u, l)| {
                        Value::from_pairs([
                            ("lang", Value::from(l.as_str())),
                            ("permalink", Value::from(site.permalink(u))),
                        ])
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (
                url.as_str().to_string(),
                Value::from_pairs([
                    ("permalink", Value::from(site.permalink(url))),
                    ("updated", updated.map_or(Value::from(()), Value::from)),
                    ("alternates", Value::from(alts)),
                ]),
            )
        };
    let mut entries: Vec<(String, Value)> = Vec::new();
    for s in &site.sections {
        let ts = &s.translations;
        entries.push(entry(
            &s.url,
            None,
            ts.iter().map(|t| &site.section(*t).url).collect(),
            ts.iter().map(|t| &site.section(*t).lang).collect(),
        ));
    }
    for p in &site.pages {
        let f = site.page_front(p.id);
        let updated = f.updated.as_ref().or(f.date.as_ref()).map(|d| d.rfc3339());
        entries.push(entry(
            &p.url,
            updated,
            p.translations.iter().map(|t| &site.page(*t).url).collect(),
            p.translations.iter().map(|t| &site.page(*t).lang).collect(),
        ));
    }
    for t in &site.taxonomies {
        entries.push(entry(&t.url, None, Vec::new(), Vec::new()));
        for term in &t.terms {
            entries.push(entry(&term.url, None, Vec::new(), Vec::new()));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::from(entries.into_iter().map(|(_, v)| v).collect::<Vec<_>>())
}

/// Rendered Markdown kept between builds, by source file: a file is rendered
/// again only when its text, language, URL or bundle changed, or a link in it
/// now resolves elsewhere.
#[derive(Debug, Default)]
pub struct MarkdownCache {
    entries: FxHashMap<SourcePath, CachedMarkdown>,
    /// The shortcodes' fingerprint the entries were rendered with.
    shortcodes: u64,
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
type AnchorCheck = (SourcePath, Lang, Arc<Refs>);

struct MarkdownAll {
    pages: Vec<Arc<Rendered>>,
    sections: Vec<Arc<Rendered>>,
    anchor_checks: Vec<AnchorCheck>,
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
    diags: &mut Vec<crate::diag::Diagnostic>,
) {
    for (name, field) in &file.front.fields {
        for src in shortcodes::image_sources(&field.value) {
            let source = shortcodes::bundle_image(&file.group, src);
            if let Err(e) = picture::responsive(images, &source, &Default::default()) {
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

fn render_markdown_all(
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
            };
            let mut d = Vec::new();
            let ((rendered, refs), trace) = deps::track(|| {
                check_field_images(file, images, &mut d);
                markdown::render_markdown(site, &src, &mut d)
            });
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
