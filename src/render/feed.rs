//! Feeds and calendars: the Atom feed of a section (the home section's takes
//! every dated page of its language) and of a term, and the iCalendar files
//! of event pages and calendar sections (see [`super::calendar`]).

use minijinja::Value;

use super::calendar;
use super::deps::Read;
use super::head::{render_template, site_value};
use super::job::JobResult;
use super::objects::{self, View};
use crate::model::{Lang, PageId, SectionId, UrlPath};
use crate::resolve::Site;

/// The URL of the Atom feed of the listing at `url`.
pub(crate) fn feed_url(url: &UrlPath) -> UrlPath {
    UrlPath::new(format!("{url}atom.xml"))
}

pub(crate) fn section_feed(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    id: SectionId,
) -> JobResult {
    let site = &ctx.site;
    let config = &site.config;
    let s = site.section(id);
    ctx.read(Read::SectionMeta(id));
    if s.is_home() {
        ctx.read(Read::LangPages(lang_index(site, &s.lang)));
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
    let site_title = config.language(&s.lang).map_or("", |l| l.title.as_str());
    let title = if s.is_home() {
        site_title.to_string()
    } else {
        format!("{} | {site_title}", s.title)
    };
    render_feed(ctx, env, &s.lang, title, &s.url, &entries)
}

pub(crate) fn term_feed(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    ti: usize,
    i: usize,
) -> JobResult {
    let site = &ctx.site;
    let config = &site.config;
    let t = &site.taxonomies[ti];
    let term = &t.terms[i];
    ctx.read(Read::Term(ti as u32, i as u32));
    let mut entries = term.pages.clone();
    entries.retain(|p| site.page_front(*p).date.is_some());
    entries.truncate(config.feed_limit);
    let site_title = config.language(&t.lang).map_or("", |l| l.title.as_str());
    let title = format!("{} | {site_title}", term.name);
    render_feed(ctx, env, &t.lang, title, &term.url, &entries)
}

/// The iCalendar file of an event page, when it has a start.
pub(crate) fn event_file(ctx: &View, id: PageId) -> Option<Vec<u8>> {
    ctx.read_all([Read::PageMeta(id), Read::Collections]);
    calendar::event_file(&ctx.site, id)
}

/// The calendar feed of a calendar collection's section.
pub(crate) fn calendar_feed(ctx: &View, id: SectionId) -> Vec<u8> {
    ctx.read_all([Read::SectionMeta(id), Read::Collections]);
    calendar::section_file(&ctx.site, id)
}

/// The Atom feed of the listing at `html_url`, with `entries` in that order.
fn render_feed(
    ctx: &View,
    env: &minijinja::Environment<'static>,
    lang: &Lang,
    title: String,
    html_url: &UrlPath,
    entries: &[PageId],
) -> JobResult {
    let site = &ctx.site;
    let feed_url = feed_url(html_url);
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
        ("self_url", Value::from(site.permalink(&feed_url))),
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
        ("site", site_value(ctx, lang)),
        ("feed", feed),
    ];
    render_template(ctx, env, "atom.xml", vars, || {
        format!("the feed `{feed_url}`")
    })
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
