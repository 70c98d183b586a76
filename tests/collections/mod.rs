//! Collections: typed front matter fields checked against the schema in
//! `site.toml`, references between collections, fields shared by
//! translations, scheduled weekly posts, event calendars, documents and maps.

use crate::common::{SiteTest, attr_values, polis_cmd, stderr};

fn fixture() -> SiteTest {
    SiteTest::new("collections")
}

#[test]
fn fields_reach_the_templates_typed() {
    let site = fixture();
    site.build().assert_clean();
    let html = site.read("en/municipalities/drammen/index.html");
    assert!(
        html.contains(r#"<p class="collection">municipalities</p>"#),
        "{html}"
    );
    assert!(html.contains("population: 104000"), "{html}");
    assert!(
        html.contains("industries: [&#x27;Logistics&#x27;, &#x27;Health&#x27;]"),
        "{html}"
    );
    assert!(html.contains("last_reviewed: 2026-09-01"), "{html}");
    // YAML front matter takes the same fields.
    let asker = site.read("en/municipalities/asker/index.html");
    assert!(asker.contains("population: 98000"), "{asker}");
}

#[test]
fn shared_fields_come_from_the_default_language() {
    let site = fixture();
    site.build().assert_clean();
    let nb = site.read("nb/municipalities/drammen/index.html");
    // Given once in index.md, shown on the Norwegian page too …
    assert!(nb.contains("population: 104000"), "{nb}");
    assert!(nb.contains("region: Buskerud"), "{nb}");
    // … while per-language fields are the page's own.
    assert!(nb.contains("Logistikk"), "{nb}");
    assert!(!nb.contains("Logistics"), "{nb}");
}

#[test]
fn references_resolve_to_the_page_in_the_same_language_and_back() {
    let site = fixture();
    site.build().assert_clean();
    let en = site.read("en/takeover/2026-w47-lucia/index.html");
    assert!(
        en.contains(r#"<p class="ref"><a href="/en/municipalities/asker/">Asker</a></p>"#),
        "{en}"
    );
    // Asker has no Norwegian page: the reference falls back to the English one.
    let nb = site.read("nb/takeover/2026-w47-lucia/index.html");
    assert!(nb.contains(r#"href="/en/municipalities/asker/""#), "{nb}");
    // Drammen's guide lists who lives there (the scheduled post is not out yet).
    let drammen = site.read("en/municipalities/drammen/index.html");
    assert!(
        drammen.contains(r#"<p class="referrer">Week 48: Ana</p>"#),
        "{drammen}"
    );
    assert!(!drammen.contains("Week 49"), "{drammen}");
}

#[test]
fn a_week_dates_the_post_on_its_monday_and_schedules_it() {
    let site = fixture();
    site.build().assert_clean();
    // 2026-W49 starts on Monday 30 November: not published on the 23rd.
    assert!(!site.exists("en/takeover/2026-w49-kim/index.html"));
    // Its translation takes the date of the English file, and waits with it.
    assert!(!site.exists("nb/takeover/2026-w49-kim/index.html"));
    let list = site.read("en/takeover/index.html");
    assert!(list.contains("Week 48: Ana"), "{list}");
    assert!(!list.contains("Week 49"), "{list}");
    // On its Monday, a daily build publishes it without anyone touching it.
    site.build_with(|o| o.now = "2026-11-29T23:30:00Z".parse().unwrap())
        .assert_clean();
    assert!(site.exists("en/takeover/2026-w49-kim/index.html"));
    assert!(site.exists("nb/takeover/2026-w49-kim/index.html"));
    let list = site.read("en/takeover/index.html");
    let first = list.find("Week 49").expect("the new week is listed");
    assert!(
        first < list.find("Week 48").unwrap(),
        "newest first: {list}"
    );
}

#[test]
fn images_and_videos_become_responsive_images() {
    let site = fixture();
    site.build().assert_clean();
    let html = site.read("en/takeover/2026-w47-lucia/index.html");
    // The portrait field is published as variants without metadata, never as
    // the file itself.
    let portrait = attr_after(&html, "<img src=\"", "portrait");
    assert!(portrait.starts_with("/img/portrait-64."), "{html}");
    assert!(site.exists(&portrait[1..]), "{portrait}");
    assert!(html.contains(r#"alt="Lucía in a red coat""#), "{html}");
    assert!(!site.exists("en/takeover/2026-w47-lucia/portrait.jpg"));
    // A link to the video is cut down to its id; the player URL asks for no
    // cookies and the poster is a variant of the page's own file.
    let video = html
        .split(r#"<p class="video">"#)
        .nth(1)
        .and_then(|v| v.split("</p>").next())
        .unwrap_or_else(|| panic!("{html}"));
    let words: Vec<&str> = video.split(' ').collect();
    assert_eq!(
        &words[..3],
        [
            "youtube",
            "dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
        ]
    );
    assert!(words[3].starts_with("/img/poster-64."), "{video}");
    assert!(site.exists(&words[3][1..]), "{video}");
    assert!(!site.exists("en/takeover/2026-w47-lucia/poster.jpg"));
    // The Norwegian page names its own alt text for the same file.
    let nb = site.read("nb/takeover/2026-w47-lucia/index.html");
    assert_eq!(attr_after(&nb, "<img src=\"", "portrait"), portrait);
    assert!(nb.contains(r#"alt="Lucía i rød kåpe""#), "{nb}");
}

/// The value of the first attribute that starts with `start` and holds `word`.
fn attr_after(html: &str, start: &str, word: &str) -> String {
    html.split(start)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|v| v.contains(word))
        .unwrap_or_else(|| panic!("no {start}…{word} in {html}"))
        .to_string()
}

#[test]
fn a_document_shows_its_size_and_page_count() {
    let site = fixture();
    site.build().assert_clean();
    let html = site.read("en/reports/survey-2026/index.html");
    assert!(
        html.contains(r#"<p class="document">/en/reports/survey-2026/survey.pdf 523 B 3</p>"#),
        "{html}"
    );
}

#[test]
fn events_have_ics_files_and_a_calendar_per_language() {
    let site = fixture();
    site.build().assert_clean();
    let page = site.read("en/events/welcome-evening/index.html");
    assert!(
        page.contains("/en/events/welcome-evening/event.ics"),
        "{page}"
    );
    let ics = site.read("en/events/welcome-evening/event.ics");
    let cal: icalendar::Calendar = ics.parse().expect("a calendar parser reads it");
    let events: Vec<_> = cal.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 1);
    let e = events[0];
    use icalendar::{Component, EventLike};
    assert_eq!(e.get_summary(), Some("Welcome evening"));
    // 18:00 in Oslo in December is 17:00 UTC.
    assert!(ics.contains("DTSTART:20261210T170000Z"), "{ics}");
    assert!(ics.contains("DTEND:20261210T200000Z"), "{ics}");
    assert_eq!(
        e.get_location(),
        Some("Union Scene, Grønland 60, 3045 Drammen")
    );
    assert_eq!(
        e.get_url(),
        Some("https://region.example/en/events/welcome-evening/")
    );
    assert!(ics.contains("\r\n"), "RFC 5545 lines end in CRLF");

    // The feed of each language holds every event in that language.
    let feed: icalendar::Calendar = site.read("en/events/calendar.ics").parse().unwrap();
    assert_eq!(
        feed.components
            .iter()
            .filter(|c| c.as_event().is_some())
            .count(),
        2
    );
    let nb = site.read("nb/events/calendar.ics");
    assert!(nb.contains("SUMMARY:Velkomstkveld"), "{nb}");
    assert!(!nb.contains("Spring fair"), "{nb}");
    // Two builds, the same bytes: no clock in DTSTAMP.
    site.build().assert_clean();
    assert_eq!(site.read("en/events/welcome-evening/event.ics"), ics);
}

#[test]
fn upcoming_and_past_events_by_the_build_clock() {
    let site = fixture();
    site.build().assert_clean();
    let list = site.read("en/events/index.html");
    assert!(
        list.contains(r#"<p class="upcoming">Welcome evening</p>"#),
        "{list}"
    );
    assert!(
        list.contains(r#"<p class="past">Spring fair</p>"#),
        "{list}"
    );
    assert!(
        list.contains(r#"<p class="calendar">/en/events/calendar.ics</p>"#),
        "{list}"
    );
    assert!(
        list.contains(r#"<p class="now">2026-11-23T13:00:00+01:00</p>"#),
        "{list}"
    );
    site.build_with(|o| o.now = "2026-12-11T00:00:00Z".parse().unwrap())
        .assert_clean();
    let list = site.read("en/events/index.html");
    assert!(
        list.contains(r#"<p class="past">Welcome evening</p>"#),
        "{list}"
    );
    assert!(!list.contains("upcoming"), "{list}");
}

/// Issue 21: an event's page says it has ended once the build clock is past
/// its end, and not before; pages that are not events never have.
#[test]
fn issue_21_an_event_after_its_end_renders_as_ended() {
    let site = fixture();
    site.build().assert_clean();
    let ended = r#"<p class="ended">ended</p>"#;
    assert!(
        site.read("en/events/spring-fair/index.html")
            .contains(ended)
    );
    for page in [
        "en/events/welcome-evening/index.html",
        "nb/events/welcome-evening/index.html",
        "en/municipalities/drammen/index.html",
    ] {
        assert!(!site.read(page).contains(ended), "{page}");
    }
    // One second after its end (21:00 in Oslo, UTC+01:00).
    site.build_with(|o| o.now = "2026-12-10T20:00:01Z".parse().unwrap())
        .assert_clean();
    for page in [
        "en/events/welcome-evening/index.html",
        "nb/events/welcome-evening/index.html",
    ] {
        assert!(site.read(page).contains(ended), "{page}");
    }
    site.build_with(|o| o.now = "2026-12-10T20:00:00Z".parse().unwrap())
        .assert_clean();
    assert!(
        !site
            .read("en/events/welcome-evening/index.html")
            .contains(ended)
    );
}

#[test]
fn the_map_links_every_municipality() {
    let site = fixture();
    site.build().assert_clean();
    let list = site.read("en/municipalities/index.html");
    let svg = &list[list.find("<svg").expect("a map")..list.find("</svg>").unwrap()];
    assert!(svg.contains(r#"role="group""#) && svg.contains("<title id=\"map-title\">Map</title>"));
    assert_eq!(
        attr_values(svg, "href"),
        ["/en/municipalities/asker/", "/en/municipalities/drammen/"]
    );
    // Drammen lies south-west of Asker: left of and below it.
    let circle = |name: &str| {
        let a = &svg[svg.find(&format!("/{name}/")).unwrap()..];
        let cx: f64 = a[a.find("cx=\"").unwrap() + 4..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let cy: f64 = a[a.find("cy=\"").unwrap() + 4..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        (cx, cy)
    };
    let (dx, dy) = circle("drammen");
    let (ax, ay) = circle("asker");
    assert!(dx < ax && dy > ay, "drammen {dx},{dy} asker {ax},{ay}");
}

/// A fixture region's base map: land in the west with a lake on it, the sea
/// in the east, a polygon far away, a town between the two guides and the
/// fjord's name in two languages.
const BASE_MAP: &str = r#"{"type":"FeatureCollection","attribution":"© OpenStreetMap contributors","features":[
{"type":"Feature","properties":{"kind":"land"},"geometry":{"type":"Polygon","coordinates":[[[9.5,59.3],[10.38,59.3],[10.38,60.3],[9.5,60.3],[9.5,59.3]]]}},
{"type":"Feature","properties":{"kind":"land"},"geometry":{"type":"Polygon","coordinates":[[[40,10],[41,10],[41,11],[40,10]]]}},
{"type":"Feature","properties":{"kind":"water"},"geometry":{"type":"Polygon","coordinates":[[[10.30,59.77],[10.36,59.77],[10.36,59.80],[10.30,59.77]]]}},
{"type":"Feature","properties":{"kind":"city","name":"Lier"},"geometry":{"type":"Point","coordinates":[10.25,59.79]}},
{"type":"Feature","properties":{"kind":"water","name":"Oslofjord","name:nb":"Oslofjorden"},"geometry":{"type":"Point","coordinates":[10.36,59.69]}}
]}"#;

fn with_base_map() -> SiteTest {
    let site = fixture();
    let config = site.read_source("site.toml");
    site.write("data/region.geojson", BASE_MAP).write(
        "site.toml",
        format!("{config}\n[map]\nbase = \"data/region.geojson\"\n"),
    );
    site
}

fn svg_of(html: &str) -> &str {
    &html[html.find("<svg").expect("a map")..html.find("</svg>").unwrap()]
}

#[test]
fn the_map_draws_the_coastline_lakes_and_places_of_the_base_map() {
    let site = with_base_map();
    site.build().assert_clean();
    let list = site.read("en/municipalities/index.html");
    let svg = svg_of(&list);
    // The sea under everything, the land on it, the lake on the land; the
    // polygon on the other side of the world is left out.
    let (sea, land, water) = (
        svg.find(r#"class="map-sea""#).expect("the sea"),
        svg.find(r#"class="map-land""#).expect("the land"),
        svg.find(r#"class="map-water""#).expect("the lake"),
    );
    assert!(sea < land && land < water, "{svg}");
    assert_eq!(svg.matches("<path").count(), 2, "{svg}");
    let coast = attr_values(svg, "d")[0].clone();
    assert_eq!(coast.matches('M').count(), 1, "{coast}");
    // The base map is under the points and hidden from screen readers, which
    // hear where each place lies instead.
    assert!(svg.find("aria-hidden=\"true\"").unwrap() < svg.find("<a ").unwrap());
    assert!(
        svg.contains(">Lier</text>") && svg.contains(">Oslofjord</text>"),
        "{svg}"
    );
    assert!(
        svg.contains(
            r#"<desc id="map-desc">Asker: about 11 km north-east of Lier. Drammen: about 6 km south-west of Lier</desc>"#
        ),
        "{svg}"
    );
    assert!(svg.contains(r#"aria-describedby="map-desc""#));
    // Each point's link is tall enough to tap: 32 units, 24 px on a phone.
    let targets: Vec<&str> = svg.split(r#"<rect class="map-target""#).skip(1).collect();
    assert_eq!(targets.len(), 2, "{svg}");
    for t in targets {
        let h: f64 = attr_values(t, "height")[0].parse().unwrap();
        assert!(h >= 32.0, "{t}");
    }
    assert!(
        list.contains(
            r#"<figcaption class="map-credit">© OpenStreetMap contributors</figcaption>"#
        )
    );
    // The Norwegian map names the fjord in Norwegian.
    let nb = site.read("nb/municipalities/index.html");
    assert!(svg_of(&nb).contains(">Oslofjorden</text>"), "{nb}");
}

#[test]
fn a_locator_map_marks_its_page_among_the_others() {
    let site = with_base_map();
    let template = site.read_source("templates/section.html").replace(
        r#"{{ municipality_map(section.pages, title="Map") }}"#,
        r#"{{ municipality_map(section.pages, current=section.pages[0], title="Where", id="loc") }}"#,
    );
    site.write("templates/section.html", template);
    site.build().assert_clean();
    let list = site.read("en/municipalities/index.html");
    let svg = svg_of(&list);
    // One picture, not links: the marked page is named, the other is a dot.
    assert!(
        svg.contains(r#"role="img""#) && !svg.contains("<a "),
        "{svg}"
    );
    assert!(svg.contains(r#"<g class="map-point map-here">"#), "{svg}");
    assert_eq!(svg.matches(r#"class="map-dot""#).count(), 1, "{svg}");
    assert!(
        svg.contains(r#"<desc id="loc-desc">Asker: about 11 km north-east of Lier</desc>"#),
        "{svg}"
    );
}

#[test]
fn a_broken_base_map_is_an_error_at_its_line() {
    let site = with_base_map();
    site.write(
        "data/region.geojson",
        "{\"type\": \"FeatureCollection\",\n  \"features\": [}",
    );
    let build = site.build();
    assert!(!build.ok);
    let text = build.text();
    assert!(text.contains("data/region.geojson:2:"), "{text}");
    assert!(text.contains("not GeoJSON"), "{text}");
}

#[test]
fn schema_violations_are_errors_at_their_lines() {
    let site = fixture();
    site.write(
        "content/municipalities/moss/index.md",
        r#"+++
title = "Moss"
region = "Østfold"
population = "about 50000"
coordinates = { lat = 59.43, lon = 10.66 }
website = "www.moss.kommune.no"
industries = ["Port"]
last_reviewed = 2026-09-01
populaton = 1
+++
"#,
    )
    .write(
        "content/municipalities/drammen/index.nb.md",
        "+++\ntitle = \"Drammen\"\npopulation = 5\nindustries = [\"Helse\"]\n+++\n",
    )
    .write(
        "content/takeover/2026-w50-sam/index.md",
        r#"+++
title = "Week 47 again"
week = "2026-W47"
origin = "Chile"
municipality = "dramen"
portrait = { src = "portrait.jpeg" }
videos = [{ youtube = "nope", title = "x", poster = "poster.jpg" }]
+++
"#,
    )
    .write(
        "content/events/broken.md",
        "+++\ntitle = \"Broken\"\nstart = \"next friday\"\nend = \"2026-12-10T21:00:00\"\nvenue = \"Hall\"\nevent_language = \"de\"\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn two_posts_for_one_week_name_both_files() {
    let site = fixture();
    site.write(
        "content/takeover/2026-w48-bo/index.md",
        "+++\ntitle = \"Bo\"\nweek = \"2026-W48\"\ncontributor = \"Bo\"\norigin = \"Sweden\"\nmunicipality = \"drammen\"\nportrait = { src = \"portrait.jpg\", alt = \"Bo\" }\n+++\n",
    )
    .write(
        "content/takeover/2026-w48-bo/portrait.jpg",
        std::fs::read(site.root().join("content/takeover/2026-w48-ana/portrait.jpg")).unwrap(),
    );
    let build = site.build();
    build.assert_failed();
    assert!(
        build.text().contains(
            "content/takeover/2026-w48-bo/index.md:3:1: error: `week = 2026-W48` is already taken by content/takeover/2026-w48-ana/index.md"
        ),
        "{}",
        build.text()
    );
}

#[test]
fn an_old_review_date_is_a_warning_that_says_what_to_do() {
    let site = fixture();
    site.write(
        "content/municipalities/asker/index.md",
        "---\ntitle: Asker\nregion: Akershus\npopulation: 98000\ncoordinates: [59.83, 10.43]\nindustries: [Energy]\nlast_reviewed: \"2025-06-01\"\n---\n",
    );
    let build = site.build();
    assert!(build.ok);
    assert_eq!(build.warnings, 1, "{}", build.text());
    assert!(
        build.text().starts_with(
            "content/municipalities/asker/index.md:7:1: warning: `last_reviewed = 2025-06-01` is 540 days ago, more than the 365 days allowed"
        ),
        "{}",
        build.text()
    );
    assert!(build.text().contains("set `last_reviewed = 2026-11-23`"));
}

#[test]
fn a_broken_schema_in_site_toml_is_an_error_with_a_suggestion() {
    let site = fixture();
    let toml = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        toml.replace(
            r#"population = { type = "integer""#,
            r#"population = { type = "integr""#,
        )
        .replace(
            r#"collection = "municipalities", required = true"#,
            r#"collection = "municipality", required = true"#,
        ),
    );
    let build = site.build();
    build.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn shortcodes_render_their_theme_templates_with_checked_arguments() {
    let site = fixture();
    let rel = "content/takeover/2026-w48-ana/index.md";
    let text = std::fs::read_to_string(crate::common::fixtures_dir().join("collections").join(rel))
        .unwrap();
    site.write(
        rel,
        text.replace("<b>raw</b>", r#"<b onclick="x()">raw</b>"#),
    );
    let build = site.build();
    // The handler the sanitizer removes is a warning (issue 20), and the only one.
    assert!(build.ok && build.diagnostics.len() == 1, "{}", build.text());
    assert!(
        build
            .text()
            .contains(r#"`onclick="x()"` is removed from `<b>`"#),
        "{}",
        build.text()
    );
    let html = site.read("en/takeover/2026-w48-ana/index.html");
    // The theme's HTML stays as it is; the author's raw HTML is sanitized; the
    // arguments are escaped.
    assert!(
        html.contains(r#"<aside class="callout callout-tip" aria-label="Good to know"><p class="callout-title">Good to know</p><p>Trains &lt;run&gt; every 10 minutes.</p><a href="/css/style.css">Skip to content</a></aside>"#),
        "{html}"
    );
    assert!(html.contains("<b>raw</b>"), "{html}");
    assert!(!html.contains("onclick"), "{html}");
    // An image argument is a responsive image, like an image field.
    let figure = html
        .split("<figure>")
        .nth(1)
        .and_then(|f| f.split("</figure>").next())
        .unwrap_or_else(|| panic!("{html}"));
    assert!(
        figure.starts_with(r#"<img src="/img/portrait-64."#)
            && figure
                .ends_with(r#"" alt="Ana by the river"><figcaption>By the river</figcaption>"#),
        "{figure}"
    );
    // Other fenced code stays code.
    assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
}

#[test]
fn shortcode_mistakes_are_errors_at_their_lines() {
    let site = fixture();
    site.write(
        "content/takeover/2026-w48-ana/index.md",
        r#"+++
title = "Week 48: Ana"
week = "2026-W48"
contributor = "Ana Silva"
origin = "Brazil"
municipality = "drammen"
portrait = { src = "portrait.jpg", alt = "Ana by the river" }
+++

```{calout}
title = "x"
```

```{callout}
title = "Good to know"
variant = "hint"
txt = "x"
```

```{figure}
image = "portrait.jpg"
```

```{callout}
title = "unclosed
```
"#,
    );
    let build = site.build();
    build.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn declared_terms_have_a_name_and_slug_per_language_and_pair_by_key() {
    let site = fixture();
    site.build().assert_clean();
    assert!(site.exists("en/topics/work/index.html"));
    assert!(site.exists("en/topics/study/index.html"));
    assert!(site.exists("nb/tema/arbeid/index.html"));
    let nb = site.read("nb/tema/arbeid/index.html");
    assert!(nb.contains("Arbeid"), "{nb}");
    // The language switcher and hreflang links pair the terms by key.
    assert!(
        nb.contains(r#"hreflang="en" href="https://region.example/en/topics/work/""#),
        "{nb}"
    );
    let en = site.read("en/topics/work/index.html");
    assert!(
        en.contains(r#"hreflang="nb" href="https://region.example/nb/tema/arbeid/""#),
        "{en}"
    );
    // Unknown keys are errors with a suggestion.
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n[taxonomies]\ntopics = [\"wrok\"]\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    assert!(
        build.text().contains("content/about.md:4:1: error: `wrok` is not one of the topics of this site\n  = help: did you mean `work`?"),
        "{}",
        build.text()
    );
}

#[test]
fn serve_rechecks_fields_when_a_bundle_file_comes_or_goes() {
    let site = fixture();
    let mut options = polis::BuildOptions::new(site.root());
    options.now = crate::common::now();
    let mut session = polis::serve::session::Session::new(options);
    let mut diags = polis::diag::Diagnostics::default();
    session.rebuild(&mut diags).expect("the first build");
    assert!(!diags.has_errors());

    let photo = site
        .root()
        .join("content/takeover/2026-w48-ana/portrait.jpg");
    let bytes = std::fs::read(&photo).unwrap();
    std::fs::remove_file(&photo).unwrap();
    let mut diags = polis::diag::Diagnostics::default();
    assert!(
        session
            .rebuild_changed(std::slice::from_ref(&photo), &mut diags)
            .is_err()
    );
    let text: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
    assert!(
        text.iter().any(|d| d.starts_with("content/takeover/2026-w48-ana/index.md:7:1: error: `portrait`: there is no file `portrait.jpg`")),
        "{text:?}"
    );

    std::fs::write(&photo, bytes).unwrap();
    let mut diags = polis::diag::Diagnostics::default();
    let rebuilt = session
        .rebuild_changed(std::slice::from_ref(&photo), &mut diags)
        .expect("fixed");
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    // The page is back, and with it the photo's variants.
    assert!(
        rebuilt
            .files
            .keys()
            .any(|p| p.as_str().starts_with("img/portrait-64.")),
        "{:?}",
        rebuilt
            .files
            .keys()
            .filter(|p| p.as_str().starts_with("img/"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn polis_schema_writes_json_schemas_that_accept_good_front_matter_and_reject_bad() {
    let site = fixture();
    let out = site.temp_path("schemas");
    let o = polis_cmd(&["schema", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(&out)
        .output()
        .expect("run polis");
    assert!(o.status.success(), "{}", stderr(&o));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("takeover.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    // The front matter of a real page, as an editor reads it.
    let page =
        std::fs::read_to_string(site.root().join("content/takeover/2026-w47-lucia/index.md"))
            .unwrap();
    let front = page.split("+++").nth(1).unwrap();
    let value: serde_json::Value = toml::from_str::<serde_json::Value>(front).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // A reference lists the pages there are; a misspelt field is caught.
    assert_eq!(
        schema["properties"]["municipality"]["enum"],
        serde_json::json!(["asker", "drammen"])
    );
    let mut bad = value.clone();
    bad["municipality"] = "dramen".into();
    bad["origni"] = "Spain".into();
    bad["portrait"] = serde_json::json!({ "src": "portrait.jpg" });
    let errors: Vec<String> = validator.iter_errors(&bad).map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
}

/// Issue 21: a tag declared once with its translations shows in Norwegian
/// on /nb/ under a Norwegian slug, and an `open` taxonomy still takes tags
/// nobody declared.
#[test]
fn issue_21_a_declared_tag_has_its_norwegian_name_and_slug() {
    let site = fixture();
    let toml = site.read_source("site.toml").replacen(
        "[[taxonomies]]",
        "[[taxonomies]]\nname = \"tags\"\nfeed = false\nslug = { nb = \"stikkord\" }\nopen = true\nterms.culture = { name = { en = \"Culture\", nb = \"Kultur\" } }\n\n[[taxonomies]]",
        1,
    );
    site.write("site.toml", toml);
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\ntags = [\"culture\", \"skiing\"]\n+++\nAbout.\n",
    );
    site.write(
        "content/about.nb.md",
        "+++\ntitle = \"Om\"\ntags = [\"culture\", \"skiing\"]\n+++\nOm.\n",
    );
    site.build().assert_clean();
    let nb = site.read("nb/stikkord/kultur/index.html");
    assert!(nb.contains("Kultur"), "{nb}");
    assert!(
        nb.contains(r#"hreflang="en" href="https://region.example/en/tags/culture/""#),
        "{nb}"
    );
    assert!(site.read("en/tags/culture/index.html").contains("Culture"));
    // The Norwegian tag's address before it had a Norwegian slug redirects
    // to the new one.
    let old = site.read("nb/stikkord/culture/index.html");
    assert!(
        old.contains(r#"http-equiv="refresh""#) && old.contains("/nb/stikkord/kultur/"),
        "{old}"
    );
    // Where the slug did not change, the term's page is the page itself.
    assert!(
        !site
            .read("en/tags/culture/index.html")
            .contains(r#"http-equiv="refresh""#)
    );
    // A tag nobody declared is still a tag, named as written.
    assert!(site.exists("nb/stikkord/skiing/index.html"));
    assert!(site.exists("en/tags/skiing/index.html"));
}

/// Issue 21: a shared field marked `translatable` (an organiser's name is
/// words in a language) may be given again in a translation, and a
/// translation that does not give it gets a warning.
#[test]
fn issue_21_a_translatable_shared_field_left_in_one_language_is_a_warning() {
    let site = fixture();
    let toml = site.read_source("site.toml").replace(
        "venue = { type = \"string\", required = true, shared = true }",
        "venue = { type = \"string\", required = true, shared = true }\norganiser = { type = \"string\", shared = true, translatable = true }",
    );
    site.write("site.toml", toml);
    let en = site
        .read_source("content/events/welcome-evening.md")
        .replace("venue =", "organiser = \"Drammen municipality\"\nvenue =");
    site.write("content/events/welcome-evening.md", en);
    let build = site.build();
    assert!(
        build.text().contains("content/events/welcome-evening.nb.md:1:1: warning: `organiser` is words in `en` only: this `nb` page shows them as they are"),
        "{}",
        build.text()
    );
    site.write(
        "content/events/welcome-evening.nb.md",
        "+++\ntitle = \"Velkomstkveld\"\norganiser = \"Drammen kommune\"\n+++\n\nVelkommen.\n",
    );
    site.build().assert_clean();
}
