//! Listings and site-wide files: pagination, sort orders, previous/next,
//! taxonomies, Atom feeds, the sitemap, robots.txt, the root redirect, the 404
//! page and alias redirects.

use crate::common::{SiteTest, assert_well_formed_xml, attr_values, element, tags};

/// Titles of the page cards in the `<main>` of a listing, in order.
fn card_titles(site: &SiteTest, file: &str) -> Vec<String> {
    let main = site.main_of(file);
    main.split("class=\"card-title\"><a href=\"")
        .skip(1)
        .map(|s| {
            let title = &s[s.find('>').unwrap() + 1..];
            title[..title.find("</a>").unwrap()].to_string()
        })
        .collect()
}

/// The `rel="prev"` and `rel="next"` links of a page's `<main>`.
fn prev_next(site: &SiteTest, file: &str) -> (Option<String>, Option<String>) {
    let main = site.main_of(file);
    let find = |rel: &str| {
        tags(&main, "<a href=")
            .into_iter()
            .find(|t| t.contains(&format!("rel=\"{rel}\"")))
            .map(|t| attr_values(&t, "href").remove(0))
    };
    (find("prev"), find("next"))
}

#[test]
fn section_is_paginated_newest_first() {
    let site = SiteTest::new("listings/pagination");
    site.build().assert_clean();
    assert_eq!(card_titles(&site, "en/news/index.html"), ["Day 5", "Day 4"]);
    assert_eq!(
        card_titles(&site, "en/news/page/2/index.html"),
        ["Day 3", "Day 2"]
    );
    assert_eq!(card_titles(&site, "en/news/page/3/index.html"), ["Day 1"]);
    assert!(!site.exists("en/news/page/4"));
    // `page/1/` is the section itself.
    assert!(!site.exists("en/news/page/1"));
    // One Norwegian page: one pager, with the section's `paginate_by` all the same.
    assert_eq!(card_titles(&site, "nb/news/index.html"), ["Dag 5"]);
    assert!(!site.exists("nb/news/page/2"));
}

#[test]
fn pagers_link_to_their_neighbours() {
    let site = SiteTest::new("listings/pagination");
    site.build().assert_clean();
    assert_eq!(
        prev_next(&site, "en/news/index.html"),
        (None, Some("/en/news/page/2/".into()))
    );
    assert_eq!(
        prev_next(&site, "en/news/page/2/index.html"),
        (Some("/en/news/".into()), Some("/en/news/page/3/".into()))
    );
    assert_eq!(
        prev_next(&site, "en/news/page/3/index.html"),
        (Some("/en/news/page/2/".into()), None)
    );
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(site.main_of("en/news/page/2/index.html"));
}

#[test]
fn pages_sorted_by_date_link_to_their_neighbours() {
    let site = SiteTest::new("listings/pagination");
    site.build().assert_clean();
    assert_eq!(
        prev_next(&site, "en/news/day-5/index.html"),
        (None, Some("/en/news/day-4/".into()))
    );
    assert_eq!(
        prev_next(&site, "en/news/day-3/index.html"),
        (
            Some("/en/news/day-4/".into()),
            Some("/en/news/day-2/".into())
        )
    );
    assert_eq!(
        prev_next(&site, "en/news/day-1/index.html"),
        (Some("/en/news/day-2/".into()), None)
    );
    // Alone in its language: no neighbours.
    assert_eq!(prev_next(&site, "nb/news/day-5/index.html"), (None, None));
}

#[test]
fn section_sorted_by_weight_lists_and_links_in_weight_order() {
    let site = SiteTest::new("listings/sort_weight");
    site.build().assert_clean();
    assert_eq!(
        card_titles(&site, "en/guide/index.html"),
        ["Move in", "Register your address", "Apply for a permit"]
    );
    assert_eq!(
        prev_next(&site, "en/guide/move/index.html"),
        (None, Some("/en/guide/register/".into()))
    );
    assert_eq!(
        prev_next(&site, "en/guide/register/index.html"),
        (
            Some("/en/guide/move/".into()),
            Some("/en/guide/apply/".into())
        )
    );
    assert_eq!(
        prev_next(&site, "en/guide/apply/index.html"),
        (Some("/en/guide/register/".into()), None)
    );
    // Norwegian has no `register`: its neighbours are its own language's pages.
    assert_eq!(
        card_titles(&site, "nb/guide/index.html"),
        ["Flytt inn", "Søk om tillatelse"]
    );
    assert_eq!(
        prev_next(&site, "nb/guide/move/index.html"),
        (None, Some("/nb/guide/apply/".into()))
    );
}

#[test]
fn taxonomy_lists_its_terms_per_language() {
    let site = SiteTest::new("listings/taxonomies");
    site.build().assert_clean();
    let en = site.main_of("en/tags/index.html");
    assert_eq!(
        attr_values(element(&en, "<ul class=\"term-list\">", "</ul>"), "href"),
        ["/en/tags/housing/", "/en/tags/welcome/"]
    );
    assert!(en.contains("Housing</a> <span class=\"term-count\">3 pages</span>"));
    assert!(en.contains("Welcome</a> <span class=\"term-count\">1 page</span>"));
    let nb = site.main_of("nb/stikkord/index.html");
    assert_eq!(
        attr_values(element(&nb, "<ul class=\"term-list\">", "</ul>"), "href"),
        ["/nb/stikkord/bolig/", "/nb/stikkord/for-flytting/"]
    );
    // Each language under its own segment only.
    assert!(!site.exists("nb/tags"));
    assert!(!site.exists("en/stikkord"));
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(nb);
}

#[test]
fn term_pages_are_paginated_and_pages_link_to_their_terms() {
    let site = SiteTest::new("listings/taxonomies");
    site.build().assert_clean();
    assert_eq!(
        card_titles(&site, "en/tags/housing/index.html"),
        ["The deposit", "Paying rent"]
    );
    assert_eq!(
        card_titles(&site, "en/tags/housing/page/2/index.html"),
        ["Finding a home"]
    );
    assert_eq!(
        card_titles(&site, "nb/stikkord/for-flytting/index.html"),
        ["Finne bolig"]
    );
    let html = site.read("en/live/housing/index.html");
    assert_eq!(
        attr_values(element(&html, "<ul class=\"tag-list\">", "</ul>"), "href"),
        ["/en/tags/housing/", "/en/tags/welcome/"]
    );
    let html = site.read("nb/live/housing/index.html");
    assert_eq!(
        attr_values(element(&html, "<ul class=\"tag-list\">", "</ul>"), "href"),
        ["/nb/stikkord/bolig/", "/nb/stikkord/for-flytting/"]
    );
}

#[test]
fn term_feeds_are_well_formed_atom() {
    let site = SiteTest::new("listings/taxonomies");
    site.build().assert_clean();
    let feed = site.read("en/tags/housing/atom.xml");
    assert_well_formed_xml(&feed);
    assert_eq!(feed.matches("<entry").count(), 3);
    assert!(feed.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/en/tags/housing/atom.xml\"/>"));
    let feed = site.read("nb/stikkord/bolig/atom.xml");
    assert_well_formed_xml(&feed);
    assert_eq!(entry_titles(&feed), ["Finne bolig"]);
}

/// The entry titles of an Atom feed, in order.
fn entry_titles(feed: &str) -> Vec<String> {
    feed.split("<entry")
        .skip(1)
        .map(|e| element(e, "<title>", "</title>").to_string())
        .map(|t| t["<title>".len()..t.len() - "</title>".len()].to_string())
        .collect()
}

#[test]
fn feeds_hold_the_newest_dated_pages_up_to_feed_limit() {
    let site = SiteTest::new("listings/feeds");
    site.build().assert_clean();
    // feed_limit = 3.
    for (file, titles) in [
        ("en/atom.xml", vec!["Job fair", "News 5", "News 4"]),
        ("en/news/atom.xml", vec!["News 5", "News 4", "News 3"]),
        ("en/events/atom.xml", vec!["Job fair"]),
        ("nb/atom.xml", vec!["Nyhet 2", "Nyhet 1"]),
        ("nb/news/atom.xml", vec!["Nyhet 2", "Nyhet 1"]),
    ] {
        let feed = site.read(file);
        assert_well_formed_xml(&feed);
        assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
        assert_eq!(entry_titles(&feed), titles, "{file}");
    }
    // Undated pages are in no feed, and a section of only undated pages has none.
    assert!(!site.exists("en/live/atom.xml"));
    assert!(!site.read("en/atom.xml").contains("Undated guide"));
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(site.read("en/events/atom.xml"));
}

#[test]
fn pages_advertise_their_feeds() {
    let site = SiteTest::new("listings/feeds");
    site.build().assert_clean();
    assert_eq!(
        tags(
            &site.read("en/news/index.html"),
            "<link rel=\"alternate\" type=\"application/atom+xml\""
        ),
        [
            r#"<link rel="alternate" type="application/atom+xml" title="Test Region" href="/en/atom.xml">"#,
            r#"<link rel="alternate" type="application/atom+xml" title="News" href="/en/news/atom.xml">"#,
        ]
    );
    for (_, html) in site.html_files() {
        for tag in tags(
            &html,
            "<link rel=\"alternate\" type=\"application/atom+xml\"",
        ) {
            let url = &attr_values(&tag, "href")[0];
            assert!(site.exists(url.trim_start_matches('/')), "{tag} is a 404");
        }
    }
}

#[test]
fn sitemap_has_every_page_with_its_alternates() {
    let site = SiteTest::new("listings/site_files");
    site.build().assert_clean();
    let sitemap = site.read("sitemap.xml");
    assert_well_formed_xml(&sitemap);
    let locs: Vec<String> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s[..s.find("</loc>").unwrap()].to_string())
        .collect();
    let mut pages: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.ends_with("/index.html"))
        .map(|f| format!("https://example.org/{}", f.trim_end_matches("index.html")))
        .collect();
    pages.sort();
    assert_eq!(locs, pages);
    let housing = element(
        &sitemap,
        "<loc>https://example.org/nb/live/housing/</loc>",
        "</url>",
    );
    assert_eq!(tags(housing, "<xhtml:link").len(), 2, "{housing}");
    let healthcare = element(
        &sitemap,
        "<loc>https://example.org/en/live/healthcare/</loc>",
        "</url>",
    );
    assert!(!healthcare.contains("<xhtml:link"), "{healthcare}");
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(sitemap);
}

#[test]
fn robots_txt_points_to_the_sitemap() {
    let site = SiteTest::new("listings/site_files");
    site.build().assert_clean();
    let robots = site.read("robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots
            .lines()
            .any(|l| l == "Sitemap: https://example.org/sitemap.xml"),
        "{robots}"
    );
}

/// Where a redirect page sends the reader: its meta refresh URL, made
/// root-relative.
fn refresh_target(html: &str) -> String {
    let tag = tags(html, "<meta http-equiv=\"refresh\"");
    assert_eq!(tag.len(), 1, "one meta refresh in:\n{html}");
    let content = &attr_values(&tag[0], "content")[0];
    let url = content
        .split_once("url=")
        .unwrap_or_else(|| panic!("no url= in {content}"))
        .1;
    url.strip_prefix("https://example.org")
        .unwrap_or(url)
        .to_string()
}

#[test]
fn root_redirects_to_the_default_language() {
    let site = SiteTest::new("listings/site_files");
    site.build().assert_clean();
    let root = site.read("index.html");
    assert_eq!(refresh_target(&root), "/en/");
    // For readers without redirects: a link to every language.
    assert_eq!(attr_values(&root, "href")[1..], ["/en/", "/nb/"]);
}

#[test]
fn not_found_page_links_to_every_language_home() {
    let site = SiteTest::new("listings/site_files");
    site.build().assert_clean();
    let html = site.read("404.html");
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"));
    let list = element(&html, "<ul class=\"not-found-languages\">", "</ul>");
    assert_eq!(attr_values(list, "href"), ["/en/", "/nb/"]);
}

#[test]
fn aliases_redirect_to_the_page() {
    let site = SiteTest::new("listings/aliases");
    site.build().assert_clean();
    for (file, target) in [
        ("en/old-housing/index.html", "/en/live/housing/"),
        ("legacy/housing.html", "/en/live/housing/"),
        ("nb/gammel-bolig/index.html", "/nb/live/housing/"),
    ] {
        let html = site.read(file);
        assert_eq!(refresh_target(&html), target, "{file}");
        assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    }
    // Redirects are not pages of the sitemap.
    assert!(!site.read("sitemap.xml").contains("old-housing"));
}

#[test]
fn xml_check_rejects_what_is_not_well_formed() {
    let fails =
        |xml: &'static str| std::panic::catch_unwind(|| assert_well_formed_xml(xml)).is_err();
    assert!(!fails(
        "<?xml version=\"1.0\"?>\n<a><b x=\"1\"/>&amp;</a>\n"
    ));
    assert!(fails("<a></a>"), "no declaration");
    assert!(
        fails("<?xml version=\"1.0\"?><a><b></a></b>"),
        "crossed tags"
    );
    assert!(fails("<?xml version=\"1.0\"?><a>"), "unclosed");
    assert!(fails("<?xml version=\"1.0\"?><a>&nbsp;</a>"), "HTML entity");
    assert!(fails("<?xml version=\"1.0\"?><a>R&D</a>"), "bare ampersand");
    assert!(fails("<?xml version=\"1.0\"?><a/><b/>"), "two roots");
}

/// A one-shot build lets go of a page's body once the page is written, and
/// renders it again for the feeds that show it: the feeds get the whole body,
/// and what the Markdown has wrong is still said once, not once per feed.
#[test]
fn a_feed_shows_the_whole_body_of_a_written_page_and_its_problems_once() {
    let site = SiteTest::new("listings/feeds");
    let body = "Body of News 5, with *emphasis*.\n\nA second paragraph, past the summary.\n";
    site.write(
        "content/news/item-5.md",
        format!("+++\ntitle = \"News 5\"\ndate = 2026-10-05T09:00:00\n+++\n\n{body}"),
    );
    site.build().assert_clean();
    let page = site.main_of("en/news/item-5/index.html");
    assert!(
        page.contains("A second paragraph, past the summary."),
        "{page}"
    );
    for feed in ["en/atom.xml", "en/news/atom.xml"] {
        let feed = site.read(feed);
        assert!(
            feed.contains("&lt;em&gt;emphasis&lt;/em&gt;")
                && feed.contains("A second paragraph, past the summary."),
            "{feed}"
        );
    }

    site.write(
        "content/news/item-5.md",
        format!("+++\ntitle = \"News 5\"\ndate = 2026-10-05T09:00:00\n+++\n\n{body}\nSee [the plan](@/news/no-such-page.md).\n"),
    );
    let build = site.build();
    build.assert_failed();
    let about_link = build
        .diagnostics
        .iter()
        .filter(|d| d.contains("no-such-page"))
        .count();
    assert_eq!(about_link, 1, "{}", build.text());
}
