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

/// Issue 20: a real multilingual Zola site, tabi's own documentation (MIT,
/// see `tests/fixtures/migration/zola_real/tabi/README.md`), in English,
/// Spanish, Catalan and Arabic. `polis migrate` moves it; a person then adds
/// what its report lists (`zola_real/tabi-polis/`: the shortcode templates
/// and their arguments, three templates the pages name, the theme's UI
/// strings in three more languages), and it builds, with warnings only where
/// polis differs, each at its line with what to do.
#[test]
fn issue_20_a_real_zola_site_moves_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    copy_dir(&fixtures_dir().join("migration/zola_real/tabi"), &root);
    std::fs::remove_file(root.join("LICENSE")).unwrap();
    std::fs::remove_file(root.join("README.md")).unwrap();
    let root_s = root.to_str().unwrap();

    let run = polis(&["migrate", root_s]);
    assert!(run.status.success(), "{}", stderr(&run));
    let said = stdout(&run);
    assert!(
        said.contains("to do: write a template `shortcodes/NAME.html` and declare its arguments in `shortcodes.toml` for: admonition, aside,"),
        "{said}"
    );

    // What the report leaves for a person.
    copy_dir(
        &fixtures_dir().join("migration/zola_real/tabi-polis"),
        &root,
    );
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(root.join("site.toml"), format!("theme = \"test\"\n{toml}")).unwrap();
    copy_dir(&fixtures_dir().join("_theme"), &root.join("themes/test"));

    let out = dir.path().join("public");
    let build = polis(&["build", "--root", root_s, "--output", out.to_str().unwrap()]);
    let text = stderr(&build);
    assert!(build.status.success(), "{text}");

    // Every warning is at a file and line, and says what to do.
    let lines: Vec<&str> = text.lines().collect();
    let mut warnings = 0;
    for (i, line) in lines.iter().enumerate() {
        if !line.contains("warning:") || line.starts_with("built ") {
            continue;
        }
        warnings += 1;
        let place = line.split(": warning:").next().unwrap();
        let mut parts = place.rsplitn(3, ':');
        let (col, row) = (parts.next().unwrap(), parts.next().unwrap());
        assert!(
            col.parse::<u32>().is_ok() && row.parse::<u32>().is_ok(),
            "no file:line:col in {line}"
        );
        assert!(
            lines[i + 1..]
                .iter()
                .take_while(|l| !l.contains("warning:"))
                .any(|l| l.trim_start().starts_with("= help:")),
            "no help after {line}"
        );
    }
    // Where polis differs: `insert_anchor_links` on 12 sections, and the six
    // `spoiler` calls inside a line of text, which migrate leaves.
    assert_eq!(warnings, 18, "{text}");
    assert_eq!(
        text.matches("warning: Zola shortcode syntax: polis prints `spoiler` as text")
            .count(),
        6,
        "{text}"
    );
    assert!(
        text.contains("content/blog/shortcodes/index.md:489:117: warning: Zola shortcode syntax"),
        "{text}"
    );

    // The default language at the root, the others under their codes; a
    // translation's Zola `path` (`/es/about`) names its language once.
    let read =
        |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    for p in [
        "index.html",
        "blog/markdown/index.html",
        "about/index.html",
        "es/blog/markdown/index.html",
        "es/about/index.html",
        "ca/blog/shortcodes/index.html",
        "ar/blog/markdown/index.html",
        "ar/about/index.html",
        "ar/projects/tabi/index.html",
    ] {
        assert!(out.join(p).is_file(), "{p}");
    }
    assert!(!out.join("en").exists() && !out.join("es/es").exists());

    // hreflang pairs the four translations.
    let en = read("blog/markdown/index.html");
    for (lang, url) in [
        ("en", "https://welpo.github.io/tabi/blog/markdown/"),
        ("es", "https://welpo.github.io/tabi/es/blog/markdown/"),
        ("ca", "https://welpo.github.io/tabi/ca/blog/markdown/"),
        ("ar", "https://welpo.github.io/tabi/ar/blog/markdown/"),
    ] {
        assert!(
            en.contains(&format!(
                r#"<link rel="alternate" hreflang="{lang}" href="{url}">"#
            )),
            "{lang} in {en}"
        );
    }
    let ar = read("ar/blog/markdown/index.html");
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#), "{ar}");
    assert!(ar.contains(r#"hreflang="en" href="https://welpo.github.io/tabi/blog/markdown/""#));
    assert!(read("index.html").contains(r#"<html lang="en" dir="ltr">"#));

    // The shortcodes render through the templates added by hand, a body with
    // a code block in it included.
    let sc = read("blog/shortcodes/index.html");
    assert!(sc.contains(r#"<div dir="rtl">"#), "{sc}");
    assert!(sc.contains("The Eiffel tower"), "{sc}");
}
