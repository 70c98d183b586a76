//! Sites that come from Zola and Hugo (issue 20): their front-matter keys,
//! their shortcode syntax, and messages that a migrated site repeats.

use crate::common::{SiteTest, attr_values, copy_dir, fixtures_dir, polis, stderr, stdout};

/// Regression, issue 20: serde stopped at the first unknown key, so a
/// migration took one rebuild per key.
#[test]
fn issue_20_every_unknown_front_matter_key_is_reported_in_one_run() {
    let site = SiteTest::new("migration/zola_keys");
    site.write(
        "content/typos.md",
        "+++\ntitle = \"Typos\"\ntitel = \"x\"\ncategories = [\"a\"]\nlastmod = 2026-01-01\n+++\nBody.\n",
    );
    let build = site.build();
    build.assert_failed();
    let text = build.text();
    for (line, key) in [(3, "titel"), (4, "categories"), (5, "lastmod")] {
        assert!(
            text.contains(&format!(
                "content/typos.md:{line}:1: error: invalid front matter: unknown field `{key}`"
            )),
            "{text}"
        );
    }
    assert!(text.contains("did you mean `title`?"), "{text}");
    assert!(text.contains("Hugo's `lastmod`: write `updated`"), "{text}");
    assert_eq!(build.errors, 3, "{text}");
}

/// Regression, issue 20: Zola's keys were errors that said "remove", which
/// changed URLs and published what was hidden.
#[test]
fn issue_20_zola_keys_keep_their_meaning_or_say_what_polis_does() {
    let site = SiteTest::new("migration/zola_keys");
    let build = site.build();
    assert!(build.ok && build.errors == 0, "{}", build.text());
    // `path`: the URL Zola gave, below the language's home.
    assert!(site.exists("en/getting-started/index.html"));
    assert!(!site.exists("en/docs/alpha/index.html"));
    // `render = false` on a page: not published; on a section: no listing,
    // its pages are.
    assert!(!site.exists("en/docs/secret/index.html"));
    assert!(!site.exists("en/hidden/index.html"));
    assert!(site.exists("en/hidden/shown/index.html"));
    assert!(!site.read("sitemap.xml").contains("/en/hidden/<"));
    // `redirect_to`: the section's URL sends readers on.
    let old = site.read("en/old/index.html");
    assert!(old.contains("https://example.org/en/docs/"), "{old}");
    // `sort_by = "slug"`: alpha (at its `path`) before zeta, whatever the titles.
    let links = attr_values(&site.main_of("en/docs/index.html"), "href");
    let at = |u: &str| links.iter().position(|l| l == u);
    assert!(
        at("/en/getting-started/") < at("/en/docs/zeta/") && at("/en/docs/zeta/").is_some(),
        "{links:?}"
    );
    // `authors`: in the feed.
    assert!(
        site.read("en/docs/atom.xml")
            .contains("<author><name>Ada Lovelace</name></author>")
    );
    // The keys polis reads differently: a warning at their line each.
    let text = build.text();
    for expected in [
        "content/docs/_index.md:4:1: warning: `transparent`",
        "content/docs/_index.md:5:1: warning: `insert_anchor_links = \"right\"`",
        "content/docs/secret.md:3:1: warning: `render = false`",
    ] {
        assert!(text.contains(expected), "{expected} in:\n{text}");
    }
    assert_eq!(build.warnings, 3, "{text}");
}

/// Issue 20: `polis migrate` does the mechanical part of the move. A Zola
/// site of two languages gets a site.toml that keeps its URLs, shortcode calls
/// on their own lines become fenced blocks, `static/` becomes `assets/`, and
/// with a theme the site builds: the default language at the root, as before.
#[test]
fn issue_20_polis_migrate_moves_a_zola_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&fixtures_dir().join("migration/zola_site"), &root);
    let root_s = root.to_str().unwrap();

    // A dry run says what it would do and changes nothing.
    let dry = polis(&["migrate", root_s, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let said = stdout(&dry);
    assert!(
        said.contains("Zola site: would write site.toml from config.toml"),
        "{said}"
    );
    assert!(
        said.contains("content/docs/arrival.md: would rewrite 1 shortcode call as fenced blocks"),
        "{said}"
    );
    assert!(
        said.contains("content/docs/arrival.md:12: a shortcode inside a line of text"),
        "{said}"
    );
    assert!(
        said.contains(
            "not carried over from the config: compile_sass, build_search_index, markdown"
        ),
        "{said}"
    );
    assert!(!root.join("site.toml").exists() && root.join("static").is_dir());

    let run = polis(&["migrate", root_s]);
    assert!(run.status.success(), "{}", stderr(&run));
    let config: toml::Table = std::fs::read_to_string(root.join("site.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(config["default_language_at_root"].as_bool(), Some(true));
    assert_eq!(
        config["languages"]["nb"]["title"].as_str(),
        Some("Feltguide")
    );
    assert_eq!(config["extra"]["author"].as_str(), Some("The guide team"));
    let page = std::fs::read_to_string(root.join("content/docs/arrival.md")).unwrap();
    assert!(
        page.contains("```{callout}\nvariant = \"tip\"\ntext = \"Keep a copy of your passport.\"\n```\n\nThe year is {{ year() }}"),
        "{page}"
    );
    assert!(root.join("assets/robots-extra.txt").is_file() && !root.join("static").exists());

    // Never over a site.toml.
    let again = polis(&["migrate", root_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );

    // With a theme and the shortcode the report asks for, it builds; what is
    // left is a warning at its line.
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), format!("theme = \"test\"\n{toml}")).unwrap();
    copy_dir(&fixtures_dir().join("_theme"), &root.join("themes/test"));
    std::fs::write(
        root.join("shortcodes.toml"),
        "[callout.args]\nvariant = { type = \"string\" }\ntext = { type = \"text\", required = true }\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("templates/shortcodes")).unwrap();
    std::fs::write(
        root.join("templates/shortcodes/callout.html"),
        "<aside class=\"{{ args.variant }}\">{{ args.text }}</aside>",
    )
    .unwrap();
    let out = dir.path().join("public");
    let build = polis(&["build", "--root", root_s, "--output", out.to_str().unwrap()]);
    let text = stderr(&build);
    assert!(build.status.success(), "{text}");
    assert!(
        text.contains("content/docs/arrival.md:15:13: warning: Zola shortcode syntax"),
        "{text}"
    );
    let en = std::fs::read_to_string(out.join("docs/arrival/index.html")).unwrap();
    assert!(
        en.contains(r#"<aside class="tip">Keep a copy of your passport.</aside>"#),
        "{en}"
    );
    assert!(
        std::fs::read_to_string(out.join("nb/docs/arrival/index.html"))
            .unwrap()
            .contains("Ta med en kopi av passet.")
    );
    assert!(out.join("robots-extra.txt").is_file());
}
