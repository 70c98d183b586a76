//! Markdown rendering. File-driven: each `inputs/*.md` is settings (TOML, whose
//! leading comment says what the input shows), a `%%%` line, and a content file.
//! The content file is built in the `render/base` fixture, whose `page.html` shows
//! only the rendered Markdown; the `<main>` is snapshotted, and `contains` and
//! `absent` are checked on the whole page. Then internal links and escaping, which
//! need a site around the page.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::common::{SiteTest, attr_values, element, settings};

mod spec;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSettings {
    /// Where the content file goes in the site.
    #[serde(default = "default_path")]
    path: String,
    /// The output file to check and snapshot.
    #[serde(default = "default_output")]
    output: String,
    /// Text the output page must contain.
    #[serde(default)]
    contains: Vec<String>,
    /// Text the output page must not contain anywhere.
    #[serde(default)]
    absent: Vec<String>,
    /// The input is meant to draw warnings: they are snapshotted beside the
    /// page (`markdown_NAME_warnings`). Without it the build must be clean.
    #[serde(default)]
    warnings: bool,
}

fn default_path() -> String {
    "content/page.md".into()
}

fn default_output() -> String {
    "en/page/index.html".into()
}

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/render/inputs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/render/inputs")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

#[test]
fn markdown_inputs() {
    let files = inputs();
    assert!(files.len() >= 10, "inputs are missing: {files:?}");
    for file in files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let (head, markdown) = text
            .split_once("\n%%%\n")
            .unwrap_or_else(|| panic!("{name}: no `%%%` line after the settings"));
        let input: InputSettings =
            toml::from_str(head).unwrap_or_else(|e| panic!("{name}: bad settings: {e}"));
        let description: Vec<&str> = head
            .lines()
            .map_while(|l| l.strip_prefix('#'))
            .map(str::trim)
            .collect();

        let site = SiteTest::new("render/base");
        site.write(&input.path, markdown);
        let build = site.build();
        let errors = build.items.iter().any(|d| d.is_error());
        assert!(
            build.ok && !errors && (input.warnings || build.diagnostics.is_empty()),
            "{name}: the build has problems:\n{}",
            build.text()
        );
        let mut s = settings();
        s.set_description(description.join(" "));
        s.set_input_file(&file);
        s.set_omit_expression(true);
        s.bind(|| insta::assert_snapshot!(format!("markdown_{name}"), site.main_of(&input.output)));
        if input.warnings {
            assert!(!build.diagnostics.is_empty(), "{name}: no warnings");
            s.bind(|| insta::assert_snapshot!(format!("markdown_{name}_warnings"), build.text()));
        }

        let html = site.read(&input.output);
        for want in &input.contains {
            assert!(html.contains(want), "{name}: no `{want}` in:\n{html}");
        }
        for unwanted in &input.absent {
            assert!(!html.contains(unwanted), "{name}: `{unwanted}` in:\n{html}");
        }
    }
}

/// Every link of the body of a page, in order.
fn links(site: &SiteTest, file: &str) -> Vec<String> {
    let html = site.read(file);
    attr_values(
        element(&html, "<div class=\"prose article-body\">", "</div>"),
        "href",
    )
}

#[test]
fn internal_links_resolve_in_the_linking_pages_language() {
    let site = SiteTest::new("render/links");
    site.build().assert_clean();
    let en = links(&site, "en/live/moving/index.html");
    assert!(
        en == [
            "/en/live/housing/".to_string(),
            "/en/live/housing/".to_string(),
            "/en/work/jobs/".to_string(),
            "/en/live/housing/#deposit".to_string(),
            "/en/live/".to_string(),
            "/en/work/jobs/#work-permits".to_string(),
            "#checklist".to_string(),
            "https://example.com/guide.md".to_string(),
        ],
        "{en:?}"
    );
    let nb = links(&site, "nb/bo/moving/index.html");
    assert!(
        nb == [
            "/nb/bo/bolig/".to_string(),
            "/nb/bo/bolig/".to_string(),
            // Not in Norwegian: the default language's page.
            "/en/work/jobs/".to_string(),
            "/nb/bo/bolig/#depositum".to_string(),
            "/nb/bo/".to_string(),
            "/en/work/jobs/#work-permits".to_string(),
            "#sjekkliste".to_string(),
            "https://example.com/guide.md".to_string(),
        ],
        "{nb:?}"
    );
}

#[test]
fn link_to_a_missing_page_is_an_error_at_its_line_and_column() {
    let site = SiteTest::new("render/links");
    site.write(
        "content/live/broken.md",
        "+++\ntitle = \"Broken\"\n+++\n\nRead the [guide](@/live/nowhere.md) and [this](../work/gone.md).\n",
    );
    let build = site.build();
    build.assert_failed();
    assert!(
        build.diagnostics[0].starts_with("content/live/broken.md:5:10: error:"),
        "{}",
        build.text()
    );
    assert_eq!(build.errors, 2, "{}", build.text());
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn link_to_a_missing_anchor_is_an_error() {
    let site = SiteTest::new("render/links");
    site.write(
        "content/live/broken.md",
        "+++\ntitle = \"Broken\"\n+++\n\n## Here\n\n[deposit](@/live/housing.md#depost)\n\n[self](#nowhere)\n",
    );
    let build = site.build();
    build.assert_failed();
    assert!(
        build.diagnostics[0].starts_with("content/live/broken.md:7:1: error:"),
        "{}",
        build.text()
    );
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

#[test]
fn front_matter_text_is_escaped_in_every_output() {
    let site = SiteTest::new("render/escaping");
    site.build().assert_clean();
    let page = site.read("en/live/tricky/index.html");
    assert!(
        page.contains(
            "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</h1>"
        ),
        "{page}"
    );
    assert!(page.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; – Test Region</title>"));
    assert!(page.contains(
        r#"<meta name="description" content="Quotes &quot; and &lt;img src=x onerror=alert(2)&gt;">"#
    ));
    for file in [
        "en/live/tricky/index.html",
        "en/live/index.html",
        "en/atom.xml",
        "en/live/atom.xml",
        "sitemap.xml",
    ] {
        let mut text = site.read(file);
        // JSON-LD is the one script: its JSON escapes `<`, so nothing inside
        // can end it or open a tag.
        while let Some(start) = text.find(r#"<script type="application/ld+json">"#) {
            let end = start + text[start..].find("</script>").expect("closed") + "</script>".len();
            let json = &text
                [start + r#"<script type="application/ld+json">"#.len()..end - "</script>".len()];
            assert!(!json.contains('<'), "{file}: {json}");
            serde_json::from_str::<serde_json::Value>(json).expect("JSON-LD is JSON");
            text.replace_range(start..end, "");
        }
        assert!(!text.contains("<script"), "{file}: {text}");
        assert!(!text.contains("<b>"), "{file}: {text}");
        assert!(!text.contains("<img"), "{file}: {text}");
    }
}

#[test]
fn extra_tables_reach_templates_from_site_section_and_page() {
    let site = SiteTest::new("render/base");
    site.write(
        "site.toml",
        std::fs::read_to_string(site.root().join("site.toml")).expect("site.toml")
            + "\n[extra]\nregion = \"Viken\"\nnumbers = [1, 2]\n",
    );
    site.write(
        "content/live/_index.md",
        "+++\ntitle = \"Live\"\n[extra]\nicon = \"house\"\n+++\n",
    );
    site.write(
        "content/live/moving.md",
        "---\ntitle: Moving\ntemplate: extra.html\nextra:\n  nested:\n    colour: teal\n  count: 3\n---\nBody.\n",
    );
    site.write(
        "templates/extra.html",
        "{{ site.extra.region }}|{{ site.extra.numbers | join(',') }}|\
         {{ page.section.extra.icon }}|{{ page.extra.nested.colour }}|{{ page.extra.count + 1 }}|\
         {{ page.extra.missing is undefined }}",
    );
    site.build().assert_clean();
    assert_eq!(
        site.read("en/live/moving/index.html"),
        "Viken|1,2|house|teal|4|True"
    );
}
