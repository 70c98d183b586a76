//! Content: pages, sections, nested sections, page bundles, the forms of front
//! matter, summaries, tables of contents and reading time.

use crate::common::{SiteTest, attr_values, element};

#[test]
fn pages_and_sections_are_published_at_their_folders() {
    let site = SiteTest::new("content/sections");
    site.build().assert_clean();
    for file in [
        "en/live/index.html",
        "en/live/housing/index.html",
        "en/live/schools/index.html",
        "en/live/schools/kindergarten/index.html",
        // A folder without `_index.md` is a section all the same.
        "en/work/index.html",
        "en/work/jobs/index.html",
        "nb/live/index.html",
        "nb/live/housing/index.html",
    ] {
        assert!(site.exists(file), "{file} is missing");
    }
    // No Norwegian page below `schools` or `work`: no such Norwegian sections.
    assert!(!site.exists("nb/live/schools"));
    assert!(!site.exists("nb/work"));
}

#[test]
fn section_lists_its_pages_and_subsections() {
    let site = SiteTest::new("content/sections");
    site.build().assert_clean();
    let main = site.main_of("en/live/index.html");
    let links = attr_values(&main, "href");
    assert!(links.contains(&"/en/live/housing/".to_string()), "{main}");
    assert!(links.contains(&"/en/live/schools/".to_string()), "{main}");
    // A nested section's page is listed in the nested section, not above it.
    assert!(!links.contains(&"/en/live/schools/kindergarten/".to_string()));
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(main);
}

#[test]
fn nested_page_has_breadcrumbs_down_from_the_home_page() {
    let site = SiteTest::new("content/sections");
    site.build().assert_clean();
    let html = site.read("en/live/schools/kindergarten/index.html");
    let crumbs = element(&html, "<nav class=\"breadcrumbs\"", "</nav>");
    assert_eq!(
        attr_values(crumbs, "href"),
        ["/en/", "/en/live/", "/en/live/schools/"]
    );
    assert!(crumbs.contains(">Schools</a>"), "{crumbs}");
    assert!(crumbs.contains("<span aria-current=\"page\">Kindergarten</span>"));
    // The folder without `_index.md` is named after the folder.
    assert!(
        site.read("en/work/index.html")
            .contains("<title>Work – Test Region</title>")
    );
}

#[test]
fn bundle_files_are_copied_beside_each_language_version() {
    let site = SiteTest::new("content/bundle");
    site.build().assert_clean();
    let map = std::fs::read(site.root().join("content/places/harbour/map.svg")).unwrap();
    let timetable = std::fs::read(
        site.root()
            .join("content/places/harbour/files/timetable.txt"),
    )
    .unwrap();
    for lang in ["en", "nb"] {
        let dir = format!("{lang}/places/harbour");
        assert_eq!(site.read_bytes(&format!("{dir}/map.svg")), map);
        assert_eq!(
            site.read_bytes(&format!("{dir}/files/timetable.txt")),
            timetable
        );
        // The Markdown files themselves are not copied.
        assert!(!site.exists(&format!("{dir}/index.md")));
        assert!(!site.exists(&format!("{dir}/index.nb.md")));
    }
}

#[test]
fn relative_links_in_a_bundle_go_to_its_files_in_the_pages_language() {
    let site = SiteTest::new("content/bundle");
    site.build().assert_clean();
    for lang in ["en", "nb"] {
        let main = site.main_of(&format!("{lang}/places/harbour/index.html"));
        let src = attr_values(&main, "src");
        assert_eq!(src, [format!("/{lang}/places/harbour/map.svg")]);
        let href = format!("/{lang}/places/harbour/files/timetable.txt");
        assert!(attr_values(&main, "href").contains(&href), "{main}");
        for url in [&src[0], &href] {
            assert!(site.exists(url.trim_start_matches('/')), "{url} is a 404");
        }
    }
}

#[test]
fn link_to_a_file_the_bundle_does_not_have_is_an_error() {
    let site = SiteTest::new("content/bundle");
    site.write(
        "content/places/harbour/index.md",
        "+++\ntitle = \"The harbour\"\n+++\n\nSee the [old map](old-map.svg).\n",
    );
    let build = site.build();
    build.assert_failed();
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn toml_yaml_and_no_front_matter_all_make_pages() {
    let site = SiteTest::new("content/front_matter");
    site.build().assert_clean();
    let toml = site.read("en/notes/toml-page/index.html");
    assert!(toml.contains("<h1>Written in TOML</h1>"));
    assert!(
        toml.contains(r#"<meta name="description" content="Front matter between +++ lines.">"#)
    );
    assert!(toml.contains(r#"<time datetime="2026-11-02">2 November 2026</time>"#));
    let yaml = site.read("en/notes/yaml-page/index.html");
    assert!(yaml.contains("<h1>Written in YAML</h1>"));
    assert!(
        yaml.contains(r#"<meta name="description" content="Front matter between --- lines.">"#)
    );
    assert!(yaml.contains(r#"<time datetime="2026-11-03">3 November 2026</time>"#));
    // No front matter: the title from the file name, the whole file is the body.
    let plain = site.read("en/notes/plain-notes/index.html");
    assert!(plain.contains("<h1>Plain notes</h1>"));
    assert!(plain.contains("<p>No front matter at all: the title comes from the file name.</p>"));
}

#[test]
fn summary_is_up_to_the_more_marker_or_the_first_paragraph() {
    let site = SiteTest::new("content/summary");
    site.build().assert_clean();
    let main = site.main_of("en/news/index.html");
    let marked = element(&main, "<a href=\"/en/news/with-more/\">", "</li>");
    assert!(marked.contains("First paragraph of the marked page."));
    assert!(marked.contains("Second paragraph, still in the summary."));
    assert!(!marked.contains("Third paragraph"), "{marked}");
    let first = element(&main, "<a href=\"/en/news/first-paragraph/\">", "</li>");
    assert!(first.contains("Only this paragraph is the summary"));
    assert!(!first.contains("This one is not."), "{first}");
    // The footnote reference stays on the page, not in the summary, and a link
    // to a heading goes to the page's heading from wherever the summary is shown.
    assert!(!first.contains("fnref"), "{first}");
    assert!(
        first.contains("<a href=\"/en/news/first-paragraph/#details\">details</a>"),
        "{first}"
    );
    // The page itself has everything.
    let page = site.main_of("en/news/with-more/index.html");
    assert!(page.contains("Third paragraph, after the marker."));
    assert!(!page.contains("<!-- more -->"));
    let nb = site.main_of("nb/news/index.html");
    assert!(nb.contains("Første avsnitt.") && !nb.contains("Andre avsnitt"));
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(main);
}

#[test]
fn table_of_contents_nests_headings_and_links_to_their_ids() {
    let site = SiteTest::new("content/toc");
    site.build().assert_clean();
    let html = site.read("en/live/moving/index.html");
    let toc = element(&html, "<nav class=\"toc\"", "</nav>");
    assert_eq!(
        attr_values(toc, "href"),
        [
            "#before-you-move",
            "#documents",
            "#money",
            "#when-you-arrive",
            "#your-first-year"
        ]
    );
    for id in attr_values(toc, "href") {
        let heading = format!(" id=\"{}\"", &id[1..]);
        assert!(html.contains(&heading), "no heading with {heading}");
    }
    // Two headings make no table of contents in this theme.
    assert!(
        !site
            .read("en/live/short/index.html")
            .contains("<nav class=\"toc\"")
    );
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(toc);
}

#[test]
fn reading_time_is_words_over_two_hundred_rounded_up() {
    let site = SiteTest::new("content/reading_time");
    site.build().assert_clean();
    // 430 words of text and 20 in a code block.
    assert!(
        site.read("en/live/long/index.html")
            .contains(r#"<span class="meta-item">3 minutes read</span>"#)
    );
    assert!(
        site.read("nb/live/long/index.html")
            .contains(r#"<span class="meta-item">3 minutters lesing</span>"#)
    );
    assert!(
        site.read("en/live/short/index.html")
            .contains(r#"<span class="meta-item">1 minute read</span>"#)
    );
}

#[test]
fn file_names_with_spaces_and_letters_beyond_ascii_make_clean_urls() {
    // Written here rather than kept in the fixture, so that no file system's
    // Unicode normalization changes the names.
    let site = SiteTest::new("content/bundle");
    site.write(
        "content/places/før du flytter.md",
        "+++\ntitle = \"Før du flytter\"\n+++\n\nSee [the harbour](harbour/index.md) and [this page](<før du flytter.md>).\n",
    );
    site.write("content/places/harbour/kart over ø.svg", "<svg/>");
    site.write(
        "content/places/harbour/index.md",
        "+++\ntitle = \"The harbour\"\n+++\n\n![Kart](<kart over ø.svg>) [back](<../før du flytter.md>)\n",
    );
    site.build().assert_clean();
    let main = site.main_of("en/places/for-du-flytter/index.html");
    assert_eq!(
        attr_values(
            element(&main, "<div class=\"prose article-body\">", "</div>"),
            "href"
        ),
        ["/en/places/harbour/", "/en/places/for-du-flytter/"]
    );
    let main = site.main_of("en/places/harbour/index.html");
    assert!(
        main.contains("<img src=\"/en/places/harbour/kart%20over%20%C3%B8.svg\""),
        "{main}"
    );
    assert!(
        main.contains("href=\"/en/places/for-du-flytter/\""),
        "{main}"
    );
    assert!(site.exists("en/places/harbour/kart over ø.svg"));
}
