//! The output as a whole: a failed build leaves the previous folder as it was, a
//! good build replaces it whole, the same site always builds to the same bytes,
//! and every internal link resolves, with or without a base path.

use crate::common::{SiteTest, file_of_url, list_files};

#[test]
fn failed_build_leaves_the_previous_output_intact() {
    let site = SiteTest::new("languages/three");
    site.build().assert_clean();
    let before = list_files(site.out());
    assert!(before.contains_key("en/live/housing/index.html"));

    site.write(
        "content/live/housing.md",
        "+++\ntitle = 5\n+++\n\nBroken now.\n",
    );
    site.build().assert_failed();
    assert_eq!(
        list_files(site.out()),
        before,
        "the failed build changed the output"
    );
    // No staging folder left behind beside the output.
    let parent = site.out().parent().unwrap();
    let names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| *n != "site" && *n != "public")
            .count(),
        0,
        "{names:?}"
    );
}

#[test]
fn build_failing_on_warnings_leaves_the_previous_output_intact() {
    let site = SiteTest::new("cli/missing_ui_string");
    let build = site.build();
    assert!(
        build.ok && build.errors == 0 && build.warnings > 0,
        "{}",
        build.text()
    );
    let before = list_files(site.out());
    let build = site.build_into(site.out(), true, |_| {});
    assert!(!build.ok && build.errors == 0 && build.warnings > 0);
    assert_eq!(list_files(site.out()), before);
}

#[test]
fn good_build_replaces_the_whole_output() {
    let site = SiteTest::new("languages/three");
    site.build().assert_clean();
    std::fs::write(site.out().join("stale.html"), "left over").unwrap();
    std::fs::remove_file(site.root().join("content/live/healthcare.md")).unwrap();
    site.build().assert_clean();
    assert!(!site.exists("stale.html"));
    assert!(!site.exists("en/live/healthcare/index.html"));
    assert!(site.exists("en/live/housing/index.html"));
}

#[test]
fn same_site_builds_to_the_same_bytes() {
    for fixture in [
        "languages/three",
        "listings/taxonomies",
        "listings/feeds",
        "content/bundle",
    ] {
        let site = SiteTest::new(fixture);
        let (a, b) = (site.temp_path("first"), site.temp_path("second"));
        site.build_into(&a, true, |_| {}).assert_clean();
        site.build_into(&b, true, |_| {}).assert_clean();
        let (a, b) = (list_files(&a), list_files(&b));
        assert!(!a.is_empty());
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{fixture}: different files"
        );
        for (path, bytes) in &a {
            assert!(
                bytes == &b[path],
                "{fixture}: `{path}` differs between builds"
            );
        }
    }
}

#[test]
fn every_internal_link_of_every_fixture_resolves() {
    // Each fixture with a link it is about (from Markdown, a listing, the
    // language switcher, a pager, a feed link), so that the test fails when
    // links are missing rather than passing on nothing to check.
    for (fixture, (page, link)) in [
        (
            "languages/three",
            ("en/live/housing/index.html", "/nb/bo/bolig/"),
        ),
        (
            "content/sections",
            ("en/live/index.html", "/en/live/schools/"),
        ),
        (
            "content/bundle",
            (
                "en/places/harbour/index.html",
                "/en/places/harbour/files/timetable.txt",
            ),
        ),
        (
            "listings/pagination",
            ("en/news/index.html", "/en/news/page/2/"),
        ),
        (
            "listings/taxonomies",
            ("en/tags/index.html", "/en/tags/housing/"),
        ),
        (
            "listings/feeds",
            ("en/news/index.html", "/en/news/atom.xml"),
        ),
        (
            "listings/aliases",
            ("en/live/index.html", "/en/live/housing/"),
        ),
        (
            "render/links",
            ("nb/bo/moving/index.html", "/nb/bo/bolig/#depositum"),
        ),
    ] {
        let site = SiteTest::new(fixture);
        site.build().assert_clean();
        let urls = site.internal_urls();
        assert!(
            urls.iter().any(|(f, u)| f == page && u == link),
            "{fixture}: {page} has no link to {link}; it has:\n{urls:#?}"
        );
        for (file, url) in urls {
            assert!(
                site.exists(&file_of_url(&url)),
                "{fixture}: {file} links to {url}, which is a 404"
            );
        }
    }
}

#[test]
fn base_path_prefixes_every_url() {
    let site = SiteTest::new("listings/taxonomies");
    site.build_with(|o| o.base_url = Some("https://example.org/region/".into()))
        .assert_clean();
    // Files stay at the top of the output folder.
    assert!(site.exists("en/live/housing/index.html"));
    let urls = site.internal_urls();
    // The theme's own files too.
    assert!(
        urls.iter()
            .any(|(_, u)| u.starts_with("/region/css/style.") && u.ends_with(".css"))
    );
    for (file, url) in urls {
        let inside = url
            .strip_prefix("/region")
            .unwrap_or_else(|| panic!("{file}: {url} is outside /region/"));
        assert!(site.exists(&file_of_url(inside)), "{file}: {url} is a 404");
    }
    assert!(
        site.read("en/live/housing/index.html").contains(
            "<link rel=\"canonical\" href=\"https://example.org/region/en/live/housing/\">"
        )
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.org/region/sitemap.xml")
    );
    assert!(
        site.read("sitemap.xml")
            .contains("<loc>https://example.org/region/nb/stikkord/bolig/</loc>")
    );
    assert!(
        site.read("en/tags/housing/atom.xml")
            .contains("href=\"https://example.org/region/en/tags/housing/atom.xml\"")
    );
}
