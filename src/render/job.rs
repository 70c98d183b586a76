//! The files render makes, as jobs: which jobs a site has, the one place where
//! each job's output path is computed, and which module renders it.

use super::objects::View;
use super::{RenderCtx, calendar, feed, host_files, listing, page, site_files};
use crate::model::{OutputPath, PageId, SectionId, UrlPath};

/// One file to produce.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Job {
    Page(PageId),
    /// A section's listing page `n` (1-based).
    Section(SectionId, usize),
    SectionFeed(SectionId),
    TaxonomyList(usize),
    /// Listing page `n` of term `.1` of taxonomy `.0`.
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
    /// `_redirects` and `_headers`, with `[deploy] host_files = true`.
    Redirects,
    /// Never rendered as a job: see [`Job::all`].
    Headers,
}

/// A job's bytes (`None`: it has nothing to write, like a 404 page without a
/// template), or why it failed.
pub(crate) type JobResult = std::result::Result<Option<Vec<u8>>, JobError>;

/// Why a job failed.
#[derive(Debug)]
pub(crate) enum JobError {
    /// A template failed, with what was being rendered.
    Template(minijinja::Error, String),
    /// A mistake in the content itself, at its line: a page that names a
    /// template there is not.
    Content(crate::diag::Diagnostic),
}

impl Job {
    /// Every file the site has, pages first.
    pub(crate) fn all(ctx: &RenderCtx) -> Vec<Job> {
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
            if site.section_redirect(s.id).is_some() {
                jobs.push(Job::Section(s.id, 1));
                continue;
            }
            if !site.section_listed(s.id) {
                continue;
            }
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
        jobs.extend([Job::NotFound, Job::Sitemap, Job::Robots]);
        // The root redirects to the default language's home, unless that
        // home is the root.
        if !site.config.default_language_at_root {
            jobs.push(Job::Root);
        }
        // `_headers` is not among them: it is written after them all, with
        // what their pages have inline (`render_site`).
        if site.config.deploy.host_files {
            jobs.push(Job::Redirects);
        }
        jobs
    }

    /// The file this job writes: computed here and nowhere else.
    pub(crate) fn path(self, ctx: &RenderCtx) -> OutputPath {
        let site = &ctx.site;
        let feed_path = |url: &UrlPath| {
            let feed = feed::feed_url(url);
            OutputPath::new(
                feed.as_str()
                    .strip_prefix(site.config.base_path.as_str())
                    .unwrap_or(feed.as_str())
                    .to_string(),
            )
        };
        match self {
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
            Job::EventFile(id) => OutputPath::new(crate::resolve::join_dir(
                &site.page(id).output_dir,
                calendar::EVENT_FILE,
            )),
            Job::CalendarFeed(id) => OutputPath::new(crate::resolve::join_dir(
                &site.section(id).output_dir,
                calendar::CALENDAR_FILE,
            )),
            Job::NotFound => OutputPath::new("404.html"),
            Job::Root => OutputPath::new("index.html"),
            Job::Sitemap => OutputPath::new("sitemap.xml"),
            Job::Robots => OutputPath::new("robots.txt"),
            Job::Redirects => OutputPath::new("_redirects"),
            Job::Headers => OutputPath::new("_headers"),
        }
    }

    /// Renders the job's bytes with the module that makes that kind of file.
    pub(crate) fn render(self, ctx: &View, env: &minijinja::Environment<'static>) -> JobResult {
        match self {
            Job::Page(id) => page::page(ctx, env, id),
            Job::Section(id, n) => listing::section(ctx, env, id, n),
            Job::TaxonomyList(ti) => listing::taxonomy(ctx, env, ti),
            Job::Term(ti, i, n) => listing::term(ctx, env, ti, i, n),
            Job::SectionFeed(id) => feed::section_feed(ctx, env, id),
            Job::TermFeed(ti, i) => feed::term_feed(ctx, env, ti, i),
            Job::EventFile(id) => Ok(feed::event_file(ctx, id)),
            Job::CalendarFeed(id) => Ok(Some(feed::calendar_feed(ctx, id))),
            Job::Alias(i) => site_files::alias(ctx, env, i),
            Job::Root => site_files::root(ctx, env),
            Job::NotFound => site_files::not_found(ctx, env),
            Job::Sitemap => site_files::sitemap(ctx, env),
            Job::Robots => site_files::robots(ctx, env),
            Job::Redirects => Ok(Some(host_files::redirects(ctx))),
            Job::Headers => Ok(None),
        }
    }
}
