//! Stage 4, render: Markdown of every page and section (comrak, in parallel),
//! then every output file through the templates (minijinja, in parallel).
//! Each finished file goes to the [`Output`]; render never touches the disk.
//!
//! One module per kind of file: [`page`], [`listing`] (sections, taxonomies,
//! terms), [`feed`] (Atom and iCalendar), [`site_files`] (sitemap, robots,
//! redirects, 404); [`job`] lists a site's files and computes each one's path.
//! [`bodies`] renders the Markdown; [`records`] keeps what a rebuild reuses,
//! and [`deps`] what each output read.

mod bodies;
pub mod calendar;
pub mod csp;
pub mod deps;
mod feed;
mod head;
mod host_files;
pub mod i18n;
mod job;
mod listing;
pub mod map;
pub mod markdown;
pub mod objects;
mod page;
mod picture;
mod raw_html;
mod records;
pub mod shortcodes;
mod site_files;
pub mod templates;

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::assets::images::{ImageSet, Images};
use crate::assets::styles::Assets;
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::Result;
use crate::model::{Lang, OutputPath, PageId, SectionId, UrlPath};
use crate::output::{Held, Output};
use crate::resolve::Site;
use i18n::I18n;
use job::Job;
use markdown::Rendered;
pub use records::RenderState;
use records::{LastBuild, Record};
use templates::TemplateDirs;

/// Everything templates can reach: the site graph and its rendered Markdown.
#[derive(Debug)]
pub struct RenderCtx {
    pub site: Site,
    /// Every page's rendered Markdown, when it is held (incremental builds);
    /// empty when it is [`bodies::Streamed`]. Read through [`RenderCtx::page_md`].
    pub(crate) pages_md: Vec<Arc<Rendered>>,
    pub sections_md: Vec<Arc<Rendered>>,
    /// One-shot builds: the pages' Markdown, rendered as it is read.
    stream: Option<bodies::Streamed>,
    /// Shared with the shortcodes' templates, which render before the rest.
    pub i18n: Arc<I18n>,
    pub images: Arc<Images>,
    pub assets: Arc<Assets>,
    /// The land and waters under the maps (`[map] base`).
    pub base_map: Option<Arc<map::BaseMap>>,
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
        stream: Option<bodies::Streamed>,
    ) -> Self {
        let Inputs {
            site,
            i18n: _,
            images,
            assets,
            base_map,
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
                    site.section_listed(s.id) && s.pages.iter().any(dated)
                }
            })
            .collect();
        RenderCtx {
            site,
            pages_md,
            sections_md,
            stream,
            i18n,
            images,
            assets,
            base_map,
            has_feed,
        }
    }

    /// Page `id`'s rendered Markdown, as much of it as `need` says.
    pub(crate) fn page_md(&self, id: PageId, need: bodies::Need) -> Arc<Rendered> {
        match &self.stream {
            Some(stream) => stream.page(self, id, need),
            None => self.pages_md.get(id.index()).cloned().unwrap_or_default(),
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

#[derive(Debug, Default, Clone)]
pub struct RenderStats {
    /// Pages per language, in language order.
    pub pages: Vec<(Lang, usize)>,
    /// Outputs rendered through the templates (reused ones not counted).
    pub rendered: usize,
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
    pub base_map: Option<Arc<map::BaseMap>>,
}

/// What changed since the last build, as far as the caller knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Anything: every output's reads are checked against new fingerprints.
    Any,
    /// Only the Markdown bodies of existing files: the site is the last one
    /// (from [`RenderState::take_site`]) with new file texts, every page and
    /// section keeps its id, and only outputs that read a changed body render.
    BodiesOnly,
}

/// Renders the site into `output`, reusing from `state` every output whose
/// inputs are unchanged, and leaves this build in `state`.
pub fn render_site(
    inputs: Inputs,
    dirs: &TemplateDirs,
    output: &dyn Output,
    diags: &mut Diagnostics,
    state: &mut RenderState,
    change: Change,
) -> Result<RenderStats> {
    let mut timer = crate::timing::Timer::new();
    // Only Markdown bodies changed: links and images are as they were.
    let links_same = change == Change::BodiesOnly;
    let mut inputs = inputs;
    let i18n = Arc::new(std::mem::replace(&mut inputs.i18n, I18n::empty()));
    let theme_dir = dirs.dirs.get(1).and_then(|d| d.parent());
    let shortcodes = shortcodes::Shortcodes::load(dirs, theme_dir, &inputs.site, &i18n, diags);
    // A one-shot build renders each page's Markdown with the page (see
    // [`bodies::Streamed`]); an incremental one keeps them all for the next.
    let streamed = !state.incremental;
    let md = bodies::render_markdown_all(
        &inputs.site,
        &shortcodes,
        &inputs.images,
        &mut state.markdown,
        links_same,
        !streamed,
        diags,
    );
    timer.lap("  markdown");
    let stream = streamed.then(|| bodies::Streamed::new(shortcodes, inputs.site.pages.len()));
    let ctx = Arc::new(RenderCtx::new(inputs, i18n, md.pages, md.sections, stream));
    let mut anchor_checks = md.anchor_checks;
    if !streamed {
        bodies::check_anchors(&ctx, std::mem::take(&mut anchor_checks), diags);
    }
    timer.lap("  anchors");

    let last = state.last.take();
    let (fingerprints, remap) = records::compare(change, last.as_ref(), &ctx, state.incremental);
    timer.lap("  fingerprints");
    let env = templates::environment(&ctx, dirs);
    let mut templates = records::template_hashes(change, last.as_ref(), dirs);
    timer.lap("  templates");
    let mut outputs: FxHashMap<OutputPath, Record>;
    let results: Vec<Outcome> = match (change, last) {
        (Change::BodiesOnly, Some(last)) => {
            // Only bodies changed: render what shows a changed body (and what
            // failed last time), keep everything else as it is.
            let todo = records::jobs_showing_changed_bodies(&last, &fingerprints);
            outputs = last.outputs;
            let todo: Vec<(Job, OutputPath)> = todo
                .into_iter()
                .map(|job| {
                    let path = job.path(&ctx);
                    outputs.remove(&path);
                    (job, path)
                })
                .collect();
            todo.into_par_iter()
                .map(|(job, path)| render_tracked(&ctx, &env, dirs, job, path, true))
                .collect()
        }
        (_, last) => {
            outputs = FxHashMap::default();
            let incremental = state.incremental;
            let reuse = |path: &OutputPath| {
                let last = last.as_ref()?;
                records::reusable(last, path, &ctx, &templates, &fingerprints, &remap)
            };
            let job = |job: &Job| {
                let path = job.path(&ctx);
                if let Some(record) = reuse(&path) {
                    // The job's ids are this build's, not the record's.
                    let record = Record {
                        job: *job,
                        ..record
                    };
                    return Ok(Outcome::Reused(path, record));
                }
                match render_tracked(&ctx, &env, dirs, *job, path, incremental) {
                    // Without a next build to keep them for, the bytes go
                    // out at once rather than pile up in memory.
                    Outcome::Done(path, mut record) if !incremental => {
                        output.write_held(&path, std::mem::take(&mut record.bytes))?;
                        if let (Job::Page(id), Some(stream)) = (job, &ctx.stream) {
                            stream.written(*id);
                        }
                        Ok(Outcome::Written(record.trace))
                    }
                    outcome => Ok(outcome),
                }
            };
            let jobs = Job::all(&ctx);
            // Streamed, the pages go first, all of them, so that each body is
            // let go of before the listings read the summaries.
            let pages = match ctx.stream {
                Some(_) => jobs.partition_point(|j| matches!(j, Job::Page(_))),
                None => 0,
            };
            let mut results: Vec<Outcome> =
                jobs[..pages].par_iter().map(job).collect::<Result<_>>()?;
            results.par_extend(
                jobs[pages..]
                    .par_iter()
                    .map(job)
                    .collect::<Result<Vec<_>>>()?,
            );
            results
        }
    };
    timer.lap("  outputs");
    drop(env);
    let mut failed = Vec::new();
    let mut written = Vec::new();
    let mut rendered = 0;
    for outcome in results {
        match outcome {
            Outcome::Done(path, record) => {
                rendered += 1;
                outputs.insert(path, record);
            }
            Outcome::Reused(path, record) => {
                outputs.insert(path, record);
            }
            Outcome::Written(trace) => {
                rendered += 1;
                written.push(trace);
            }
            Outcome::Nothing => {}
            Outcome::Failed(job, d) => {
                rendered += 1;
                failed.push(job);
                diags.push(d);
            }
        }
    }
    outputs
        .par_iter()
        .try_for_each(|(path, record)| output.write_held(path, record.bytes.clone()))?;
    if ctx.site.config.deploy.host_files {
        // After every page: its policy lists what all of them have inline.
        let mut inline = csp::Inline::default();
        for trace in written.iter().chain(outputs.values().map(|r| &r.trace)) {
            inline.extend(&trace.inline);
        }
        let headers = host_files::headers(&ctx, &inline);
        output.write(&Job::Headers.path(&ctx), headers)?;
    }
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
    let found = ctx.stream.as_ref().map(bodies::Streamed::take_found);
    if let Some(found) = &found {
        for (_, d) in &found.diags {
            diags.extend(d.iter().cloned());
        }
        anchor_checks.extend(found.anchor_checks.iter().map(|(_, c)| c.clone()));
        bodies::check_anchors(&ctx, anchor_checks, diags);
    }
    timer.lap("  records");

    let mut images: Vec<Arc<ImageSet>> = state
        .markdown
        .images()
        .chain(outputs.values().flat_map(|r| r.trace.images.iter()))
        // Outputs written at once (one-shot builds) keep only their traces.
        .chain(written.iter().flat_map(|t| t.images.iter()))
        // Streamed, the pages' Markdown reports its images once.
        .chain(found.iter().flat_map(|f| f.images.iter()))
        .filter_map(|u| u.result.as_ref().ok().cloned())
        .collect();
    images.sort_by(|a, b| a.source.cmp(&b.source));
    images.dedup();
    let stats = RenderStats {
        images,
        rendered,
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

/// What one job came to.
enum Outcome {
    /// Rendered now.
    Done(OutputPath, Record),
    /// Taken from the last build as it was.
    Reused(OutputPath, Record),
    /// Rendered and written out already; what the job read.
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
    path: OutputPath,
    keep: bool,
) -> Outcome {
    let view = objects::View::new(ctx);
    match job.render(&view, env) {
        Ok(Some(bytes)) => {
            let mut trace = view.rec.finish();
            let config = &ctx.site.config;
            let bytes = if config.deploy.csp && path.as_str().ends_with(".html") {
                let (bytes, inline) = csp::protect(bytes, config.search.enabled);
                trace.inline = inline;
                bytes
            } else {
                bytes
            };
            // Kept for the next build: compressed, as serve holds it.
            let bytes = if keep {
                Held::pack(&path, bytes)
            } else {
                Held::plain(bytes)
            };
            Outcome::Done(
                path,
                Record {
                    job,
                    bytes,
                    trace: Arc::new(trace),
                },
            )
        }
        Ok(None) => Outcome::Nothing,
        Err(job::JobError::Template(err, what)) => {
            Outcome::Failed(job, templates::template_diagnostic(&err, dirs, &what))
        }
        Err(job::JobError::Content(d)) => Outcome::Failed(job, d),
    }
}
