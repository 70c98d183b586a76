//! iCalendar (RFC 5545) for collections with `calendar = true`: one `.ics`
//! file per event page, and a calendar feed per language of the collection's
//! section, which calendar applications can subscribe to.
//!
//! Times are written in UTC, which every client reads without a `VTIMEZONE`
//! block; the event page shows the local time with its zone.

use icalendar::{Calendar, Component, Event, EventLike};

use crate::model::fields::FieldValue;
use crate::model::{PageId, SectionId};
use crate::resolve::Site;

/// The file name of an event's iCalendar file, beside its `index.html`.
pub const EVENT_FILE: &str = "event.ics";
/// The file name of a section's calendar feed.
pub const CALENDAR_FILE: &str = "calendar.ics";

/// Whether a page is an event of a calendar collection.
pub fn is_event(site: &Site, id: PageId) -> bool {
    site.collections
        .collection_of(id)
        .is_some_and(|c| site.config.collections[c].calendar)
}

/// Whether a section is the top of a calendar collection.
pub fn is_calendar(site: &Site, id: SectionId) -> bool {
    let dir = &site.section(id).dir;
    site.config
        .collections
        .iter()
        .any(|c| c.calendar && &c.folder == dir)
}

/// The events of a calendar section, in start order.
pub fn events(site: &Site, id: SectionId) -> Vec<PageId> {
    let s = site.section(id);
    let Some(c) = site
        .config
        .collections
        .iter()
        .position(|c| c.calendar && c.folder == s.dir)
    else {
        return Vec::new();
    };
    let mut ids = site.collections.pages(c, &s.lang, &site.pages);
    ids.sort_by_key(|id| (start(site, *id), *id));
    ids
}

pub fn start(site: &Site, id: PageId) -> Option<jiff::Timestamp> {
    time(site, id, "start")
}

pub fn end(site: &Site, id: PageId) -> Option<jiff::Timestamp> {
    time(site, id, "end").or_else(|| start(site, id))
}

fn time(site: &Site, id: PageId, field: &str) -> Option<jiff::Timestamp> {
    match &site.field(id, field)?.value {
        FieldValue::DateTime(z) => Some(z.timestamp()),
        _ => None,
    }
}

fn text(site: &Site, id: PageId, field: &str) -> Option<String> {
    match &site.field(id, field)?.value {
        FieldValue::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn utc(ts: jiff::Timestamp) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().max(0) as u32)
        .unwrap_or_default()
}

fn event(site: &Site, id: PageId) -> Option<Event> {
    let page = site.page(id);
    let front = site.page_front(id);
    let (start, end) = (start(site, id)?, end(site, id)?);
    let permalink = site.permalink(&page.url);
    // Stable across builds, and one per event and language.
    let uid = format!(
        "{}@{}",
        page.url.as_str().trim_matches('/').replace('/', "-"),
        site.config
            .base_url
            .split("://")
            .nth(1)
            .unwrap_or(&site.config.base_url)
            .split('/')
            .next()
            .unwrap_or_default()
    );
    // When this version of the event was written: the page's own dates, never
    // the clock, so that the file is the same from build to build.
    let stamp = front
        .updated
        .as_ref()
        .or(front.date.as_ref())
        .map_or(start, |d| d.timestamp());
    let mut e = Event::new();
    e.uid(&uid)
        .summary(&page.title)
        .starts(utc(start))
        .ends(utc(end))
        .url(&permalink)
        .timestamp(utc(stamp));
    if let Some(d) = &front.description {
        e.description(d);
    }
    let location: Vec<String> = ["venue", "address"]
        .iter()
        .filter_map(|f| text(site, id, f))
        .collect();
    if !location.is_empty() {
        e.location(&location.join(", "));
    }
    Some(e.done())
}

fn calendar(name: &str) -> Calendar {
    let mut cal = Calendar::new();
    cal.name(name);
    cal
}

/// The `.ics` file of one event.
pub fn event_file(site: &Site, id: PageId) -> Option<Vec<u8>> {
    let mut cal = calendar(&site.page(id).title);
    cal.push(event(site, id)?);
    Some(cal.done().to_string().into_bytes())
}

/// The calendar feed of a section: every event in its language.
pub fn section_file(site: &Site, id: SectionId) -> Vec<u8> {
    let s = site.section(id);
    let lang_title = site
        .config
        .language(&s.lang)
        .map_or(site.config.languages[0].title.as_str(), |l| {
            l.title.as_str()
        });
    let mut cal = calendar(&format!("{lang_title}: {}", s.title));
    for e in events(site, id) {
        if let Some(ev) = event(site, e) {
            cal.push(ev);
        }
    }
    cal.done().to_string().into_bytes()
}
