//! The repository's own site, built as CI builds it: the region's content in
//! use (collections, the takeover of the week, events, reports), and the
//! metadata search engines and social sites read. And its theme on the fixture
//! sites, which have what the example site does not.

use std::path::Path;

use polis::BuildOptions;
use polis::diag::Diagnostics;

use crate::common::{
    NOW, SiteTest, copy_dir, element, file_of_url, list_files, polis, repo_dir, stderr, stdout,
};

/// The example site built into a temp folder at the fixed clock, with
/// warnings denied. Its photos are read and checked but not encoded: these
/// tests look at pages, and encoding sixty photos in AVIF in a debug build
/// takes many minutes (CI builds them in release, with the site).
fn build() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("a temp folder");
    let out = dir.path().join("public");
    let mut options = BuildOptions::new(repo_dir());
    options.now = NOW.parse().unwrap();
    options.images = polis::pipeline::ImageWork::Skip;
    let mut diags = Diagnostics::default();
    let result = polis::build_to_dir(&options, &out, true, &mut diags);
    assert!(
        result.is_ok() && diags.is_empty(),
        "{:?}",
        diags
            .sorted()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    (dir, out)
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every JSON-LD object of a page, parsed.
fn json_ld(html: &str) -> Vec<serde_json::Value> {
    const OPEN: &str = r#"<script type="application/ld+json">"#;
    html.match_indices(OPEN)
        .map(|(i, _)| {
            let rest = &html[i + OPEN.len()..];
            let json = &rest[..rest.find("</script>").expect("closed")];
            serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("JSON-LD is not JSON: {e}\n{json}"))
        })
        .collect()
}

fn has(v: &serde_json::Value, path: &[&str]) -> bool {
    let mut v = v;
    for key in path {
        match v.get(key) {
            Some(x) if !x.is_null() && x != "" => v = x,
            _ => return false,
        }
    }
    true
}

#[test]
fn every_page_has_json_ld_with_what_its_type_requires() {
    let (_dir, out) = build();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for rel in list_files(&out)
        .into_keys()
        .filter(|f| f.ends_with("index.html"))
    {
        let html = read(&out, &rel);
        for ld in json_ld(&html) {
            let ty = ld["@type"].as_str().unwrap_or_default().to_string();
            assert_eq!(ld["@context"], "https://schema.org", "{rel}");
            // What schema.org and Google's rich results ask for, per type.
            let required: &[&[&str]] = match ty.as_str() {
                "Article" => &[
                    &["headline"],
                    &["datePublished"],
                    &["author", "name"],
                    &["url"],
                ],
                // A page without a date (about us) is a web page, not an article.
                "WebPage" => &[&["headline"], &["url"]],
                "Event" => &[
                    &["name"],
                    &["startDate"],
                    &["endDate"],
                    &["location", "name"],
                    &["location", "address"],
                    &["organizer", "name"],
                    &["eventAttendanceMode"],
                    &["inLanguage"],
                ],
                "Place" => &[
                    &["name"],
                    &["geo", "latitude"],
                    &["geo", "longitude"],
                    &["url"],
                ],
                _ => &[],
            };
            for path in required {
                assert!(has(&ld, path), "{rel}: {ty} without {path:?}: {ld}");
            }
            *seen.entry(ty).or_default() += 1;
        }
    }
    for ty in ["Article", "Event", "Place"] {
        assert!(
            seen.get(ty).copied().unwrap_or(0) > 0,
            "no {ty} anywhere: {seen:?}"
        );
    }
}

#[test]
fn every_page_has_open_graph_and_twitter_cards() {
    let (_dir, out) = build();
    for rel in [
        "en/index.html",
        "nb/index.html",
        "en/takeover/2026-w48-kenji-watanabe/index.html",
        "nb/kommuner/drammen/index.html",
        "en/events/index.html",
    ] {
        let html = read(&out, rel);
        for tag in [
            r#"property="og:title""#,
            r#"property="og:url""#,
            r#"property="og:locale""#,
            r#"name="twitter:card""#,
        ] {
            assert!(html.contains(tag), "{rel} lacks {tag}");
        }
    }
}

#[test]
fn the_home_page_shows_this_weeks_takeover_and_the_scheduled_one_waits() {
    let (_dir, out) = build();
    let home = read(&out, "en/index.html");
    // 2026-11-23 is in ISO week 48.
    assert!(home.contains(r#"<time datetime="2026-W48">"#), "{home}");
    let files = list_files(&out);
    assert!(
        !files.keys().any(|f| f.contains("2026-w49")),
        "week 49 is not out yet"
    );
    assert!(!read(&out, "sitemap.xml").contains("2026-w49"));
}

/// Issue 21, item 8: the phone's first screen has a photo. The home page's
/// hero shows `[extra] hero` as a decorative picture (empty alt), loaded
/// first, in both languages; and each guide has its locator map.
#[test]
fn issue_21_the_home_page_has_a_photo_and_each_guide_a_locator_map() {
    let (_dir, out) = build();
    for rel in ["en/index.html", "nb/index.html"] {
        let home = read(&out, rel);
        let hero = element(&home, r#"<div class="hero hero-photo">"#, "</picture>");
        assert!(
            hero.contains(r#"alt="""#) && hero.contains(r#"fetchpriority="high""#),
            "{hero}"
        );
        assert!(hero.contains("03-fjord-480."), "{hero}");
    }
    let asker = read(&out, "en/municipalities/asker/index.html");
    let locator = element(&asker, r#"<div class="locator">"#, "</svg>");
    assert!(locator.contains(r#"role="img""#), "{locator}");
    assert!(locator.contains(">Asker</text>") && locator.contains(r#"class="map-land""#));
    assert!(
        locator.contains("Asker: about 19 km south-west of Oslo"),
        "{locator}"
    );
}

/// Issue 21: at the fixed clock (23 November 2026) the language café of
/// 5 November is over: its page says so in both languages and offers neither
/// registration nor a calendar file, and it is listed under past events;
/// the welcome evening of 10 December still offers both.
#[test]
fn issue_21_a_past_event_says_it_has_ended_and_drops_its_calls_to_action() {
    let (_dir, out) = build();
    for (lang, ended, register, calendar) in [
        (
            "en",
            "This event has ended.",
            "Register",
            "Add to your calendar",
        ),
        (
            "nb",
            "Dette arrangementet er over.",
            "Meld deg på",
            "Legg til i kalenderen",
        ),
    ] {
        let (slug, cafe, evening) = if lang == "en" {
            ("events", "language-cafe-moss", "welcome-evening-december")
        } else {
            (
                "arrangementer",
                "sprakkafe-moss",
                "velkomstkveld-i-desember",
            )
        };
        let past = read(&out, &format!("{lang}/{slug}/{cafe}/index.html"));
        assert!(past.contains(ended), "{lang}: {past}");
        assert!(
            !past.contains(register) && !past.contains(calendar),
            "{lang}: {past}"
        );
        assert!(!past.contains("event.ics"), "{lang}");
        let coming = read(&out, &format!("{lang}/{slug}/{evening}/index.html"));
        assert!(!coming.contains(ended), "{lang}");
        assert!(
            coming.contains(calendar) && coming.contains("event.ics"),
            "{lang}"
        );
        let list = read(&out, &format!("{lang}/{slug}/index.html"));
        let past_list = &list[list.find("past-heading").expect("a past section")..];
        assert!(past_list.contains(&format!("{cafe}/")), "{lang}: {list}");
        assert!(!past_list.contains(&format!("{evening}/")), "{lang}");
    }
}

#[test]
fn event_calendars_parse_as_icalendar() {
    let (_dir, out) = build();
    let mut events = 0;
    for rel in list_files(&out).into_keys().filter(|f| f.ends_with(".ics")) {
        let text = read(&out, &rel);
        let cal: icalendar::Calendar = text
            .parse()
            .unwrap_or_else(|e| panic!("{rel} is not iCalendar: {e}"));
        for e in cal.components.iter().filter_map(|c| c.as_event()) {
            use icalendar::Component;
            assert!(e.get_summary().is_some() && e.get_uid().is_some(), "{rel}");
            events += 1;
        }
    }
    assert!(events > 0);
}

/// The fixtures render with the small test theme; here the example site's
/// theme renders those that reach what the example site does not (three
/// languages with a site's own UI strings, pagers, taxonomy pages, the 404
/// page, tables of contents, translations): every page without a template
/// error or a missing UI string, with its skip link, and every internal link
/// published.
#[test]
fn the_theme_renders_the_fixture_sites() {
    for fixture in [
        "languages/three",
        "listings/pagination",
        "listings/taxonomies",
        "listings/site_files",
        "content/toc",
        "translations/site",
    ] {
        let site = SiteTest::with_theme(fixture, "oslopolitan");
        site.build().assert_clean();
        let pages: Vec<(String, String)> = site
            .html_files()
            .into_iter()
            .filter(|(_, html)| html.contains("<main"))
            .collect();
        assert!(pages.len() >= 3, "{fixture}: {pages:?}");
        for (file, html) in &pages {
            assert!(
                html.contains("<a class=\"skip-link\" href=\"#main\">"),
                "{fixture}: {file} has no skip link"
            );
        }
        for (file, url) in site.internal_urls() {
            assert!(
                site.exists(&file_of_url(&url)),
                "{fixture}: {file} links to {url}, which is a 404"
            );
        }
    }
}

/// Issue 21: the welcome centre's details, given once in site.toml, are in
/// the footer of every page of both languages, with the opening hours in
/// the page's language; the contact page says the same as JSON-LD
/// GovernmentOffice with openingHours; every footer links the contact page,
/// the accessibility statement and the privacy page of its language.
#[test]
fn issue_21_contact_data_is_in_the_footer_of_both_languages() {
    let (_dir, out) = build();
    for (lang, page, hours, links) in [
        (
            "en",
            "en/live/housing/index.html",
            "<dt>Monday–Tuesday</dt><dd>10:00–15:00</dd>",
            ["/en/contact/", "/en/accessibility/", "/en/privacy/"],
        ),
        (
            "nb",
            "nb/bo/index.html",
            "<dt>Mandag–tirsdag</dt><dd>10.00–15.00</dd>",
            [
                "/nb/kontakt/",
                "/nb/tilgjengelighetserklaering/",
                "/nb/personvern/",
            ],
        ),
    ] {
        let html = read(&out, page);
        let footer = &html[html
            .find("<footer class=\"site-footer\"")
            .expect("a footer")..];
        assert!(
            footer.contains("Storgata 10<br>2000 Lillestrøm"),
            "{lang}: {footer}"
        );
        assert!(footer.contains(r#"href="tel:+4764000000""#), "{lang}");
        assert!(footer.contains(hours), "{lang}: {footer}");
        for link in links {
            assert!(
                footer.contains(&format!("href=\"{link}\"")),
                "{lang}: {link}"
            );
        }
    }
    let contact = read(&out, "nb/kontakt/index.html");
    let office = json_ld(&contact)
        .into_iter()
        .find(|o| o["@type"] == "GovernmentOffice")
        .expect("a GovernmentOffice");
    assert_eq!(office["name"], "Osloregionens velkomstsenter");
    assert_eq!(
        office["openingHours"],
        serde_json::json!(["Mo-Tu 10:00-15:00", "Th 12:00-19:00", "Fr 10:00-14:00"])
    );
}

/// Issue 18: the web editor's configuration, generated from site.toml's
/// collections and the sections under content/.
#[test]
fn issue_18_the_editor_config_follows_the_schema() {
    let (_dir, out) = build();
    insta::assert_snapshot!("example_editor_config", read(&out, "admin/config.yml"));
    let index = read(&out, "admin/index.html");
    // A classic script (Sveltia starts itself only so), under a name that
    // changes with its content.
    let script = index
        .split("<script src=\"")
        .nth(1)
        .and_then(|s| s.split_once("\"></script>"))
        .map(|(src, _)| src.to_string())
        .unwrap_or_else(|| panic!("no script in {index}"));
    assert!(
        script.starts_with("cms/sveltia-cms.") && script.ends_with(".js") && script.len() == 29,
        "{script}"
    );
    // The page's policy is the only place another host is named, and it
    // names GitHub's API only.
    let policy = index
        .split("http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split_once('"'))
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| panic!("no policy in {index}"));
    assert!(
        policy.contains("connect-src 'self' data: blob: https://api.github.com;"),
        "{policy}"
    );
    assert!(
        !index.replace(&policy, "").contains("//"),
        "the editor page loads nothing from elsewhere: {index}"
    );
    let preview = read(&out, "admin/preview.js");
    assert!(
        preview.contains("registerPreviewStyle(\"/css/style."),
        "{preview}"
    );
    // The script is the pinned one, its fonts pointed at their copies in
    // /admin/cms/: nothing is fetched from a CDN.
    let served = read(&out, &format!("admin/{script}"));
    let pinned =
        std::fs::read_to_string(repo_dir().join("vendor/sveltia-cms/sveltia-cms.js")).unwrap();
    assert!(pinned.contains("https://cdn.jsdelivr.net/fontsource/"));
    assert!(!served.contains("cdn.jsdelivr.net"));
    let fonts: Vec<String> = std::fs::read_dir(out.join("admin/cms"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".woff2"))
        .collect();
    assert_eq!(fonts.len(), 3, "{fonts:?}");
    for font in &fonts {
        assert!(served.contains(&format!("url(cms/{font})")), "{font}");
    }
    let headers = read(&out, "_headers");
    assert!(
        headers.contains("/admin/cms/*\n  Cache-Control: public, max-age=31536000, immutable\n"),
        "{headers}"
    );
}

/// Issue 18: a section's own page as the web editor saves it builds and
/// passes the check. The generated configuration says where the Live
/// section's page and its translation are (the index file of the Live
/// collection: `_index.md`, `_index.nb.md`) and which fields the form has; the two files are written as Sveltia CMS
/// writes TOML front matter (the form's fields in its order, then the keys
/// the form does not show, kept as they were), with a weight in both files
/// and a new Norwegian title and text. polis builds the site with them
/// without a diagnostic, `polis check --deny-warnings` accepts it, and the
/// keys the form does not show still work: the Norwegian slug, and the
/// listing by weight.
#[test]
fn issue_18_a_section_page_as_the_editor_saves_it_builds_and_passes_the_check() {
    let dir = tempfile::tempdir().expect("a temp folder");
    let site = dir.path().join("site");
    for sub in ["content", "themes", "vendor", "data"] {
        copy_dir(&repo_dir().join(sub), &site.join(sub));
    }
    std::fs::copy(repo_dir().join("site.toml"), site.join("site.toml")).unwrap();

    let (_built, out) = build();
    let config: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&read(&out, "admin/config.yml")).unwrap();
    // The section's page is the index file of its collection.
    let collection = config["collections"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "live")
        .expect("the Live collection");
    let live = &collection["index_file"];
    assert_eq!(live["name"], "_index");
    assert_eq!(live["format"], "toml-frontmatter");
    let fields: Vec<&str> = live["fields"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "description", "weight", "body"]);
    // The CMS leaves the default language's suffix out.
    let folder = collection["folder"].as_str().unwrap();
    let en = format!("{folder}/_index.md");
    let nb = format!("{folder}/_index.nb.md");
    assert_eq!(en, "content/live/_index.md");
    // The home page, which has no collection, is a file of its own.
    let home = config["collections"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "section_pages")
        .and_then(|c| c["files"].as_sequence())
        .and_then(|files| files.iter().find(|f| f["name"] == "home"))
        .expect("the home page's file");
    assert_eq!(home["file"], "content/_index.{{locale}}.md");

    // What the form saves: its fields in order, the body below, and the
    // keys it does not show after its own, as they were.
    let save = |rel: &str, form: &[(&str, toml::Value)], body: Option<&str>| {
        let text = std::fs::read_to_string(site.join(rel)).unwrap();
        let (_, rest) = text.split_once("+++\n").unwrap();
        let (front, old_body) = rest.split_once("+++\n").unwrap();
        let mut kept: toml::Table = toml::from_str(front).unwrap();
        let mut saved = String::from("+++\n");
        for (key, value) in form {
            kept.remove(*key);
            saved.push_str(&format!("{key} = {value}\n"));
        }
        for (key, value) in &kept {
            saved.push_str(&format!("{key} = {value}\n"));
        }
        saved.push_str("+++\n");
        saved.push_str(body.unwrap_or(old_body));
        std::fs::write(site.join(rel), saved).unwrap();
    };
    let old_en: toml::Table = toml::from_str(
        std::fs::read_to_string(site.join(&en))
            .unwrap()
            .split("+++\n")
            .nth(1)
            .unwrap(),
    )
    .unwrap();
    save(
        &en,
        &[
            ("title", old_en["title"].clone()),
            ("description", old_en["description"].clone()),
            ("weight", toml::Value::Integer(1)),
        ],
        None,
    );
    save(
        &nb,
        &[
            ("title", "Å bo i Osloregionen".into()),
            (
                "description",
                "Bolig, lege, barnehage og de første stegene i en ny hverdag.".into(),
            ),
            ("weight", toml::Value::Integer(1)),
        ],
        Some("\nAlt om å finne seg til rette, steg for steg.\n"),
    );
    let saved_nb = std::fs::read_to_string(site.join(&nb)).unwrap();
    for kept in ["slug = \"bo\"\n", "sort_by = \"weight\"\n", "weight = 1\n"] {
        assert!(saved_nb.contains(kept), "{kept} missing from\n{saved_nb}");
    }

    let check = polis(&[
        "check",
        "--deny-warnings",
        "--now",
        NOW,
        "--root",
        site.to_str().unwrap(),
    ]);
    assert!(
        check.status.success(),
        "polis check failed:\n{}{}",
        stdout(&check),
        stderr(&check)
    );
    let mut options = BuildOptions::new(&site);
    options.now = NOW.parse().unwrap();
    options.images = polis::pipeline::ImageWork::Skip;
    let mut diags = Diagnostics::default();
    let out = site.join("public");
    let built = polis::build_to_dir(&options, &out, true, &mut diags);
    assert!(built.is_ok() && diags.is_empty(), "{:?}", diags.sorted());
    let page = read(&out, "nb/bo/index.html");
    assert!(page.contains("Å bo i Osloregionen"), "{page}");
    assert!(page.contains("Alt om å finne seg til rette"), "{page}");
    // Still listed by weight: housing (1) before healthcare (2).
    let title_of = |rel: &str| -> String {
        let text = std::fs::read_to_string(site.join(rel)).unwrap();
        let front: toml::Table = toml::from_str(text.split("+++\n").nth(1).unwrap()).unwrap();
        front["title"].as_str().unwrap().to_string()
    };
    let at = |rel: &str| {
        page.find(&title_of(rel))
            .unwrap_or_else(|| panic!("{rel} is not listed in\n{page}"))
    };
    assert!(at("content/live/housing.nb.md") < at("content/live/healthcare.nb.md"));
}

/// Issue 18: `/admin/` is kept out of robots and the sitemap, and no reader's
/// page loads or links the CMS. (The search index is fed by render only; the
/// editor writes past it, see `pipeline::run`.)
#[test]
fn issue_18_admin_is_out_of_robots_sitemap_search_and_pages() {
    let (_dir, out) = build();
    let robots = read(&out, "robots.txt");
    assert!(robots.contains("Disallow: /admin/\n"), "{robots}");
    assert!(!read(&out, "sitemap.xml").contains("/admin/"));
    let mut pages = 0;
    for (rel, bytes) in list_files(&out) {
        if rel.starts_with("admin/") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        if rel.ends_with(".html") {
            pages += 1;
            assert!(!text.contains("sveltia"), "{rel} loads the CMS");
            assert!(!text.contains("/admin/"), "{rel} links the editor");
        }
    }
    assert!(pages > 50, "only {pages} pages were looked at");
}
