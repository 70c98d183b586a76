//! Drafts and scheduled pages: out of the site (pages, listings, feeds, sitemap,
//! taxonomies) unless the build asks for them, and scheduled pages in once the
//! build clock passes their date.

use crate::common::{SiteTest, card_hrefs};

const DRAFT: &str = "en/news/draft/index.html";
const SCHEDULED: &str = "en/news/scheduled/index.html";

/// Whether a page is anywhere in the site: its file, the section listing, the
/// feeds, the sitemap and its tag's page.
fn everywhere(site: &SiteTest, slug: &str) -> [bool; 5] {
    let url = format!("/en/news/{slug}/");
    [
        site.exists(&format!("en/news/{slug}/index.html")),
        card_hrefs(&site.main_of("en/news/index.html")).contains(&url),
        site.read("en/atom.xml").contains(&url),
        site.read("sitemap.xml").contains(&url),
        card_hrefs(&site.main_of("en/tags/events/index.html")).contains(&url),
    ]
}

#[test]
fn drafts_and_scheduled_pages_are_left_out_by_default() {
    let site = SiteTest::new("scheduling/drafts_and_future");
    site.build().assert_clean();
    assert_eq!(everywhere(&site, "published"), [true; 5]);
    assert_eq!(everywhere(&site, "draft"), [false; 5]);
    assert_eq!(everywhere(&site, "scheduled"), [false; 5]);
    // Terms only they have do not exist.
    assert!(!site.exists("en/tags/drafts"));
    assert!(!site.exists("en/tags/scheduled"));
}

#[test]
fn drafts_are_built_when_asked_for() {
    let site = SiteTest::new("scheduling/drafts_and_future");
    site.build_with(|o| o.drafts = true).assert_clean();
    assert_eq!(everywhere(&site, "draft"), [true; 5]);
    assert!(site.exists("en/tags/drafts/index.html"));
    assert!(!site.exists(SCHEDULED));
}

#[test]
fn scheduled_pages_are_built_when_asked_for() {
    let site = SiteTest::new("scheduling/drafts_and_future");
    site.build_with(|o| o.future = true).assert_clean();
    assert_eq!(everywhere(&site, "scheduled"), [true; 5]);
    assert!(!site.exists(DRAFT));
}

#[test]
fn scheduled_page_is_published_once_the_clock_reaches_its_date() {
    let site = SiteTest::new("scheduling/drafts_and_future");
    // Dated 2026-12-01T09:00:00+01:00.
    site.build_with(|o| o.now = "2026-12-01T07:59:59Z".parse().unwrap())
        .assert_clean();
    assert!(!site.exists(SCHEDULED));
    site.build_with(|o| o.now = "2026-12-01T08:00:00Z".parse().unwrap())
        .assert_clean();
    assert_eq!(everywhere(&site, "scheduled"), [true; 5]);
    assert!(!site.exists(DRAFT));
}

#[test]
fn link_to_a_draft_is_an_error() {
    let site = SiteTest::new("scheduling/drafts_and_future");
    site.write(
        "content/news/teaser.md",
        "+++\ntitle = \"Teaser\"\n+++\n\nComing: [the draft](draft.md), [the scheduled](scheduled.md).\n",
    );
    let build = site.build();
    build.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
    // With both included the links are fine.
    site.build_with(|o| {
        o.drafts = true;
        o.future = true;
    })
    .assert_clean();
}
