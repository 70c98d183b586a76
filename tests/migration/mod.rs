//! Sites that come from Zola and Hugo (issue 20): their front-matter keys,
//! their shortcode syntax, and messages that a migrated site repeats.

use crate::common::{SiteTest, attr_values};

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
