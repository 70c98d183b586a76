//! Bad input: each broken file is a diagnostic with its path and line, the build
//! fails, and nothing panics. Files that only look odd (a byte order mark, CRLF
//! line ends, an empty file) build fine. Each test adds one file to the good site
//! `bad_input/base`; the bytes are in the test so that no editor or Git setting
//! can change them.

use crate::common::{Build, SiteTest};

const BROKEN: &str = "content/live/broken.md";

fn build_with_file(path: &str, contents: impl AsRef<[u8]>) -> (SiteTest, Build) {
    let site = SiteTest::new("bad_input/base");
    site.write(path, contents);
    let build = site.build();
    (site, build)
}

/// Whether a diagnostic starts with `path:line:col: error: `.
fn has_line_and_column(diagnostic: &str) -> bool {
    let mut parts = diagnostic.splitn(4, ':');
    let (_, line, col, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
    let number =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    number(line) && number(col) && rest.is_some_and(|r| r.starts_with(" error: "))
}

/// Builds the base site with `content/live/broken.md`; expects the build to
/// fail with the first diagnostic starting with `at` (`path:line:` or
/// `path:line:col`) and having a line and column.
#[track_caller]
fn assert_fails_at(contents: impl AsRef<[u8]>, at: &str) -> Build {
    let (site, build) = build_with_file(BROKEN, contents);
    build.assert_failed();
    let prefix = if at.ends_with(':') {
        at.to_string()
    } else {
        format!("{at}:")
    };
    assert!(
        build.diagnostics[0].starts_with(&prefix) && has_line_and_column(&build.diagnostics[0]),
        "expected the first diagnostic at {at}:\n{}",
        build.text()
    );
    assert!(
        !site.out().exists(),
        "a failed build wrote its output folder"
    );
    build
}

/// Snapshots the diagnostics under the calling test's name.
macro_rules! snapshot {
    ($build:expr) => {{
        let _guard = crate::common::settings().bind_to_scope();
        insta::assert_snapshot!($build.text());
    }};
}

#[test]
fn invalid_utf8_is_an_error_where_the_bad_byte_is() {
    let build = assert_fails_at(
        b"+++\ntitle = \"Bytes\"\n+++\n\nabc \xff def\n",
        "content/live/broken.md:5:5",
    );
    snapshot!(build);
}

#[test]
fn byte_order_mark_is_ignored() {
    let (site, build) = build_with_file(
        BROKEN,
        "\u{feff}+++\ntitle = \"With a BOM\"\n+++\n\nBody after a BOM.\n",
    );
    build.assert_clean();
    let main = site.main_of("en/live/broken/index.html");
    assert!(main.contains("<h1>With a BOM</h1>"), "{main}");
    assert!(main.contains("<p>Body after a BOM.</p>"), "{main}");
    assert!(
        !main.contains("+++") && !main.contains('\u{feff}'),
        "{main}"
    );
}

#[test]
fn byte_order_mark_in_yaml_and_plain_files_is_ignored() {
    let site = SiteTest::new("bad_input/base");
    site.write(
        "content/live/yaml.md",
        "\u{feff}---\ntitle: YAML with a BOM\n---\n\nBody.\n",
    );
    site.write("content/live/plain.md", "\u{feff}# Plain with a BOM\n");
    site.build().assert_clean();
    assert!(
        site.main_of("en/live/yaml/index.html")
            .contains("<h1>YAML with a BOM</h1>")
    );
    let plain = site.main_of("en/live/plain/index.html");
    assert!(
        plain.contains("<h1 id=\"plain-with-a-bom\">Plain with a BOM</h1>"),
        "{plain}"
    );
}

#[test]
fn byte_order_mark_in_site_toml_is_ignored() {
    let site = SiteTest::new("bad_input/base");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", format!("\u{feff}{config}"));
    site.build().assert_clean();
    assert!(site.exists("en/live/housing/index.html"));
}

#[test]
fn crlf_line_ends_work() {
    let (site, build) = build_with_file(
        BROKEN,
        "+++\r\ntitle = \"Windows\"\r\ndate = 2026-11-01\r\n+++\r\n\r\n## Før du flytter\r\n\r\nText.\r\n",
    );
    build.assert_clean();
    let main = site.main_of("en/live/broken/index.html");
    assert!(main.contains("<h1>Windows</h1>"), "{main}");
    assert!(main.contains("<time datetime=\"2026-11-01\">"), "{main}");
    assert!(
        main.contains("<h2 id=\"for-du-flytter\">Før du flytter</h2>"),
        "{main}"
    );
    assert!(!main.contains('\r'), "{main:?}");
}

#[test]
fn crlf_line_ends_keep_error_lines_right() {
    let build = assert_fails_at(
        "+++\r\ntitle = \"Windows\"\r\n\r\ntitel = \"typo\"\r\n+++\r\n\r\nText with a [link](@/nowhere.md).\r\n",
        "content/live/broken.md:4:1",
    );
    assert!(
        build.diagnostics.iter().any(|d| d.starts_with(
            "content/live/broken.md:4:1: error: invalid front matter: unknown field `titel`"
        )),
        "{}",
        build.text()
    );
}

#[test]
fn empty_file_is_a_page_named_after_the_file_with_a_warning() {
    let (site, build) = build_with_file(BROKEN, "");
    assert!(build.ok, "{}", build.text());
    assert_eq!(
        build.diagnostics,
        [
            "content/live/broken.md: warning: the file is empty: it makes a page with no text\n  = help: write its front matter and text, or delete the file; `draft = true` in the front matter keeps a page out of the site until it is ready"
        ],
    );
    assert!(
        site.main_of("en/live/broken/index.html")
            .contains("<h1>Broken</h1>")
    );
}

#[test]
fn front_matter_alone_is_a_page() {
    let site = SiteTest::new("bad_input/base");
    site.write("content/live/toml.md", "+++\n+++\n");
    site.write("content/live/yaml.md", "---\n---");
    site.write("content/live/blank.md", "\n\n   \n");
    let build = site.build();
    assert!(build.ok, "{}", build.text());
    // Front matter alone is a page like any; only the blank file is worth a word.
    assert_eq!(build.diagnostics.len(), 1, "{}", build.text());
    assert!(build.diagnostics[0].starts_with("content/live/blank.md: warning: the file is empty"));
    for slug in ["toml", "yaml", "blank"] {
        assert!(site.exists(&format!("en/live/{slug}/index.html")), "{slug}");
    }
}

#[test]
fn unterminated_front_matter_is_an_error() {
    let build = assert_fails_at(
        "+++\ntitle = \"Open\"\n\nThe body, but the front matter never ends.\n",
        "content/live/broken.md:1:1",
    );
    snapshot!(build);
}

#[test]
fn a_page_whose_front_matter_never_ends_is_still_a_link_target() {
    // One mistake, one error: the pages linking to it say nothing.
    let (site, _) = build_with_file(BROKEN, "+++\ntitle = \"Open\"\n\nBody.\n");
    site.write(
        "content/live/linker.md",
        "+++\ntitle = \"Linker\"\n+++\n\nSee [the open page](@/live/broken.md).\n",
    );
    let build = site.build();
    build.assert_failed();
    assert_eq!(build.diagnostics.len(), 1, "{}", build.text());
    assert!(
        build.diagnostics[0].contains("never closed"),
        "{}",
        build.text()
    );
}

/// A page naming a template nobody has is an error at the page's `template`
/// line that says where templates go. Regression: it was one error under
/// `templates`, without the page's line (found moving tabi's docs from Zola,
/// whose pages name `cards.html`).
#[test]
fn a_template_nobody_has_says_where_templates_go() {
    let build = assert_fails_at(
        "+++\ntitle = \"Own layout\"\ntemplate = \"gallery-wide.html\"\n+++\n\nBody.\n",
        "content/live/broken.md:3:1",
    );
    let text = build.text();
    assert!(
        text.contains("`template = \"gallery-wide.html\"`: there is no such template"),
        "{text}"
    );
    assert!(text.contains("add `templates/gallery-wide.html`"), "{text}");
    assert_eq!(build.errors, 1, "{text}");
}

#[test]
fn invalid_toml_is_an_error_at_its_line() {
    let build = assert_fails_at(
        "+++\ntitle = \"Unclosed\nweight = 1\n+++\n\nBody.\n",
        "content/live/broken.md:2:",
    );
    snapshot!(build);
}

#[test]
fn invalid_yaml_is_an_error_at_its_line() {
    // libyaml notices the unclosed quote at the end of the front matter.
    let build = assert_fails_at(
        "---\ntitle: ok\ndescription: \"unclosed\n---\n\nBody.\n",
        "content/live/broken.md:4:1",
    );
    snapshot!(build);
}

#[test]
fn invalid_yaml_says_where_the_broken_value_starts() {
    let build = assert_fails_at(
        "---\ntitle: ok\ndescription: \"unclosed\n---\n\nBody.\n",
        "content/live/broken.md:",
    );
    let text = build.text();
    assert!(text.contains("while scanning a quoted scalar"), "{text}");
    // The place in the file, not in the front matter: line 3, column 14.
    assert!(
        text.contains("3:14") || text.contains("line 3 column 14"),
        "{text}"
    );
}

#[test]
fn wrong_field_type_in_yaml_is_an_error_at_its_line() {
    let build = assert_fails_at(
        "---\ntitle: ok\nweight: [1, 2]\n---\n\nBody.\n",
        "content/live/broken.md:3:",
    );
    snapshot!(build);
}

#[test]
fn wrong_field_type_is_an_error_at_the_value() {
    let build = assert_fails_at("+++\ntitle = 5\n+++\n", "content/live/broken.md:2:9");
    snapshot!(build);
}

#[test]
fn unknown_field_suggests_the_closest_one() {
    let build = assert_fails_at(
        "+++\ntitle = \"Typo\"\ndraftt = true\n+++\n",
        "content/live/broken.md:3:1",
    );
    assert!(
        build.text().contains("did you mean `draft`?"),
        "{}",
        build.text()
    );
    snapshot!(build);
}

#[test]
fn date_that_is_no_date_is_an_error_at_its_key() {
    let build = assert_fails_at(
        "+++\ntitle = \"When?\"\ndate = \"next tuesday\"\n+++\n",
        "content/live/broken.md:3:1",
    );
    snapshot!(build);
}

#[test]
fn impossible_date_in_yaml_is_an_error_at_its_key() {
    let build = assert_fails_at(
        "---\ntitle: When?\nupdated: 2026-13-45\n---\n",
        "content/live/broken.md:3:1",
    );
    snapshot!(build);
}

#[test]
fn two_pages_on_one_url_is_an_error_naming_both() {
    let site = SiteTest::new("bad_input/base");
    site.write(
        "content/live/renting.md",
        "+++\ntitle = \"Renting\"\nslug = \"housing\"\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    let text = build.text();
    // At the `slug` that moved the page there.
    assert!(
        text.starts_with("content/live/renting.md:3:1: error: "),
        "{text}"
    );
    assert!(text.contains("content/live/housing.md"), "{text}");
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(text);
}

#[test]
fn page_and_section_on_one_url_is_an_error_naming_both() {
    let site = SiteTest::new("bad_input/base");
    site.write(
        "content/live/housing/_index.md",
        "+++\ntitle = \"Housing section\"\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    let text = build.text();
    assert!(text.contains("content/live/housing.md"), "{text}");
    assert!(text.contains("content/live/housing/_index.md"), "{text}");
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(text);
}

#[test]
fn alias_on_a_pages_url_is_an_error_naming_both() {
    let site = SiteTest::new("bad_input/base");
    site.write(
        "content/live/renting.md",
        "+++\ntitle = \"Renting\"\naliases = [\"/en/live/housing/\"]\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    let text = build.text();
    assert!(text.contains("content/live/housing.md"), "{text}");
    assert!(text.contains("content/live/renting.md"), "{text}");
}

#[test]
fn unknown_taxonomy_is_an_error_with_a_suggestion() {
    let build = assert_fails_at(
        "---\ntitle: Tagged\ntaxonomies:\n  tag: [housing]\n---\n",
        "content/live/broken.md:4:3",
    );
    assert!(
        build.text().contains("did you mean `tags`?"),
        "{}",
        build.text()
    );
    snapshot!(build);
}

#[test]
fn unknown_taxonomy_in_a_toml_table_is_an_error_at_its_line() {
    let build = assert_fails_at(
        "+++\ntitle = \"Tagged\"\n\n[taxonomies]\ntag = [\"housing\"]\n+++\n",
        "content/live/broken.md:5:1",
    );
    assert!(
        build.text().contains("did you mean `tags`?"),
        "{}",
        build.text()
    );
}

#[test]
fn unknown_key_in_site_toml_suggests_the_closest_one() {
    let site = SiteTest::new("bad_input/base");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write("site.toml", config.replace("time_zone = ", "timezone = "));
    let build = site.build();
    build.assert_failed();
    assert!(
        build.diagnostics[0].starts_with("site.toml:6:1: error: "),
        "{}",
        build.text()
    );
    assert!(
        build.text().contains("did you mean `time_zone`?"),
        "{}",
        build.text()
    );
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn every_problem_of_a_build_is_reported_at_once() {
    let site = SiteTest::new("bad_input/base");
    site.write("content/live/a.md", "+++\ntitle = 5\n+++\n");
    site.write("content/live/b.md", b"\xff\xfe");
    site.write(
        "content/live/c.md",
        "+++\ntitle = \"C\"\n+++\n\n[x](@/nope.md)\n",
    );
    site.write("content/live/d.de.md", "+++\ntitle = \"D\"\n+++\n");
    let build = site.build();
    build.assert_failed();
    let files: Vec<&str> = build
        .diagnostics
        .iter()
        .map(|d| d.split(':').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "content/live/a.md",
            "content/live/b.md",
            "content/live/c.md",
            "content/live/d.de.md"
        ],
        "{}",
        build.text()
    );
}

/// A site with neither a theme nor templates of its own is told so once, at
/// `site.toml`, not with a missing template for every page.
#[test]
fn a_site_without_a_theme_is_told_so_once() {
    let site = SiteTest::new("bad_input/base");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    assert!(config.contains("theme = \"test\"\n"), "{config}");
    site.write("site.toml", config.replace("theme = \"test\"\n", ""));

    let build = site.build();
    build.assert_failed();
    assert_eq!(build.diagnostics.len(), 1, "{}", build.text());
    let text = build.text();
    assert!(
        text.starts_with("site.toml: error: the site has no theme"),
        "{text}"
    );
    // The theme that is there is named.
    assert!(text.contains("set `theme = \"test\"`"), "{text}");

    std::fs::remove_dir_all(site.root().join("themes")).unwrap();
    let build = site.build();
    build.assert_failed();
    assert_eq!(build.diagnostics.len(), 1, "{}", build.text());
    let text = build.text();
    assert!(text.contains("set `theme = \"...\"`"), "{text}");
    assert!(text.contains("polis init"), "{text}");
}
