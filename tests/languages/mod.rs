//! Languages: URLs and slugs per language, `<html lang>`, hreflang alternates and
//! the language switcher, on a three-language site where some pages are in all
//! three languages, one in two, and some only in English; `four` does the same
//! on four languages, Arabic (right to left) and Ukrainian among them.

use std::collections::BTreeSet;

use crate::common::{SiteTest, attr_values, element, file_of_url, fixtures_dir, repo_dir, tags};

mod four;

fn built() -> SiteTest {
    let site = SiteTest::new("languages/three");
    site.build().assert_clean();
    site
}

#[test]
fn urls_use_each_languages_own_slugs() {
    let site = built();
    for file in [
        "en/live/index.html",
        "nb/bo/index.html",
        "de/leben/index.html",
        "en/live/housing/index.html",
        "nb/bo/bolig/index.html",
        "de/leben/wohnen/index.html",
        // No slug in the Norwegian page: the file name's.
        "nb/bo/transport/index.html",
    ] {
        assert!(site.exists(file), "{file} is missing");
    }
    // A section with a slug is only at its slug.
    assert!(!site.exists("nb/live"));
    assert!(!site.exists("de/live"));
    // Untranslated pages exist in their own language only.
    assert!(!site.exists("nb/bo/healthcare"));
    assert!(!site.exists("de/leben/transport"));
    assert!(!site.exists("nb/bo/schools"));
    assert!(!site.exists("en/live/oktoberfest"));
}

#[test]
fn html_lang_is_the_pages_language() {
    let site = built();
    for (file, lang) in [
        ("en/live/housing/index.html", "en"),
        ("nb/bo/bolig/index.html", "nb"),
        ("de/leben/wohnen/index.html", "de"),
        ("de/leben/index.html", "de"),
        ("nb/index.html", "nb"),
    ] {
        let html = site.read(file);
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"ltr\">")),
            "{file} is not lang={lang}"
        );
    }
}

#[test]
fn alternates_list_every_translation_itself_included_and_x_default() {
    let site = built();
    let expected = [
        r#"<link rel="alternate" hreflang="en" href="https://example.org/en/live/housing/">"#,
        r#"<link rel="alternate" hreflang="nb" href="https://example.org/nb/bo/bolig/">"#,
        r#"<link rel="alternate" hreflang="de" href="https://example.org/de/leben/wohnen/">"#,
        r#"<link rel="alternate" hreflang="x-default" href="https://example.org/en/live/housing/">"#,
    ];
    for file in [
        "en/live/housing/index.html",
        "nb/bo/bolig/index.html",
        "de/leben/wohnen/index.html",
    ] {
        assert_eq!(
            tags(&site.read(file), "<link rel=\"alternate\" hreflang"),
            expected,
            "{file}"
        );
    }
    // Sections too, with their slugs.
    assert_eq!(
        tags(
            &site.read("de/leben/index.html"),
            "<link rel=\"alternate\" hreflang"
        ),
        [
            r#"<link rel="alternate" hreflang="en" href="https://example.org/en/live/">"#,
            r#"<link rel="alternate" hreflang="nb" href="https://example.org/nb/bo/">"#,
            r#"<link rel="alternate" hreflang="de" href="https://example.org/de/leben/">"#,
            r#"<link rel="alternate" hreflang="x-default" href="https://example.org/en/live/">"#,
        ]
    );
}

#[test]
fn untranslated_page_has_only_itself_as_alternate() {
    let site = built();
    assert_eq!(
        tags(
            &site.read("en/live/healthcare/index.html"),
            "<link rel=\"alternate\" hreflang"
        ),
        [
            r#"<link rel="alternate" hreflang="en" href="https://example.org/en/live/healthcare/">"#,
            r#"<link rel="alternate" hreflang="x-default" href="https://example.org/en/live/healthcare/">"#,
        ]
    );
    // A page in two of three languages names those two.
    assert_eq!(
        tags(
            &site.read("nb/bo/transport/index.html"),
            "<link rel=\"alternate\" hreflang"
        ),
        [
            r#"<link rel="alternate" hreflang="en" href="https://example.org/en/live/transport/">"#,
            r#"<link rel="alternate" hreflang="nb" href="https://example.org/nb/bo/transport/">"#,
            r#"<link rel="alternate" hreflang="x-default" href="https://example.org/en/live/transport/">"#,
        ]
    );
}

/// The `href`s of the language switcher of a page, in language order.
fn switcher(site: &SiteTest, file: &str) -> Vec<String> {
    let html = site.read(file);
    attr_values(
        element(&html, "<nav class=\"lang-switcher\"", "</nav>"),
        "href",
    )
}

#[test]
fn switcher_goes_to_the_translation_when_there_is_one() {
    let site = built();
    assert_eq!(
        switcher(&site, "en/live/housing/index.html"),
        ["/nb/bo/bolig/", "/de/leben/wohnen/"]
    );
    assert_eq!(
        switcher(&site, "de/leben/wohnen/index.html"),
        ["/en/live/housing/", "/nb/bo/bolig/"]
    );
}

#[test]
fn switcher_on_untranslated_page_goes_to_the_nearest_translated_ancestor() {
    let site = built();
    // Only in English, in a section that is in all three languages.
    assert_eq!(
        switcher(&site, "en/live/healthcare/index.html"),
        ["/nb/bo/", "/de/leben/"]
    );
    // Only in English, in a section that is only in English: one level further up.
    assert_eq!(
        switcher(&site, "en/live/schools/kindergarten/index.html"),
        ["/nb/bo/", "/de/leben/"]
    );
    assert_eq!(
        switcher(&site, "en/live/schools/index.html"),
        ["/nb/bo/", "/de/leben/"]
    );
    // In English and Norwegian: the translation, and the section for German.
    assert_eq!(
        switcher(&site, "en/live/transport/index.html"),
        ["/nb/bo/transport/", "/de/leben/"]
    );
    for url in switcher(&site, "en/live/schools/kindergarten/index.html") {
        assert!(
            site.exists(&file_of_url(&url)),
            "switcher goes to a 404: {url}"
        );
    }
}

/// Issue 21: in the example site's theme, a switcher link to a language the
/// page is not translated into says so, and the section it goes to says why
/// the reader is there; a link to a real translation looks as before. The
/// 404 page, in every language at once, marks none as current.
#[test]
fn issue_21_switcher_link_to_an_untranslated_page_is_marked() {
    let site = SiteTest::with_theme("languages/three", "oslopolitan");
    site.build().assert_clean();
    let html = site.read("en/live/healthcare/index.html");
    let nav = element(&html, "<nav class=\"lang-switcher\"", "</nav>");
    assert_eq!(
        attr_values(nav, "href"),
        ["/nb/bo/#untranslated", "/de/leben/#untranslated"]
    );
    assert!(
        nav.contains(r#"<a class="lang-missing" href="/nb/bo/#untranslated" hreflang="nb"><span lang="nb" dir="ltr">Norsk bokmål</span> <span class="lang-missing-note">(page not translated)</span></a>"#),
        "{nav}"
    );
    let landing = site.read("nb/bo/index.html");
    let notice = element(
        &landing,
        "<div class=\"wrap untranslated-notice\" id=\"untranslated\">",
        "</div>",
    );
    assert!(
        notice.contains("Siden du kom fra finnes ikke på norsk"),
        "{notice}"
    );

    let html = site.read("en/live/transport/index.html");
    let nav = element(&html, "<nav class=\"lang-switcher\"", "</nav>");
    assert!(
        nav.contains(
            r#"<a href="/nb/bo/transport/" hreflang="nb" lang="nb" dir="ltr">Norsk bokmål</a>"#
        ),
        "{nav}"
    );
    assert!(nav.contains(r#"href="/de/leben/#untranslated""#), "{nav}");

    let not_found = site.read("404.html");
    assert!(!not_found.contains("lang-switcher") && !not_found.contains("aria-current=\"true\""));
}

#[test]
fn page_only_in_another_language_switches_to_the_sections() {
    let site = built();
    assert!(site.exists("de/leben/oktoberfest/index.html"));
    assert_eq!(
        switcher(&site, "de/leben/oktoberfest/index.html"),
        ["/en/live/", "/nb/bo/"]
    );
    let alternates = tags(
        &site.read("de/leben/oktoberfest/index.html"),
        "<link rel=\"alternate\" hreflang",
    );
    assert!(
        alternates.contains(
            &r#"<link rel="alternate" hreflang="de" href="https://example.org/de/leben/oktoberfest/">"#
                .to_string()
        ),
        "{alternates:?}"
    );
    assert!(
        !alternates
            .iter()
            .any(|a| a.contains("hreflang=\"en\"") || a.contains("hreflang=\"nb\"")),
        "{alternates:?}"
    );
}

#[test]
fn menu_links_to_each_languages_own_section() {
    let site = built();
    for (file, link) in [
        (
            "en/live/housing/index.html",
            r#"<a href="/en/live/" aria-current="true">Live</a>"#,
        ),
        (
            "nb/bo/bolig/index.html",
            r#"<a href="/nb/bo/" aria-current="true">Bo</a>"#,
        ),
        ("de/index.html", r#"<a href="/de/leben/">Leben</a>"#),
    ] {
        let html = site.read(file);
        let menu = element(&html, "<nav class=\"primary-nav\"", "</nav>");
        assert!(menu.contains(link), "{file}: {menu}");
    }
}

#[test]
fn no_switcher_link_anywhere_is_a_404() {
    let site = built();
    let pages = site.html_files();
    let mut checked = 0;
    for (file, html) in &pages {
        if !html.contains("<nav class=\"lang-switcher\"") {
            continue;
        }
        for url in attr_values(
            element(html, "<nav class=\"lang-switcher\"", "</nav>"),
            "href",
        ) {
            assert!(
                site.exists(&file_of_url(&url)),
                "the switcher of {file} goes to a 404: {url}"
            );
            checked += 1;
        }
    }
    // Every page but the root redirect and the 404 page (which is in every
    // language at once) has a switcher with two links.
    assert_eq!(checked, 2 * (pages.len() - 2));
}

#[test]
fn sitemap_lists_each_language_version_with_its_alternates() {
    let site = built();
    let sitemap = site.read("sitemap.xml");
    let entry = element(
        &sitemap,
        "<loc>https://example.org/nb/bo/bolig/</loc>",
        "</url>",
    );
    assert_eq!(
        tags(entry, "<xhtml:link"),
        [
            r#"<xhtml:link rel="alternate" hreflang="en" href="https://example.org/en/live/housing/"/>"#,
            r#"<xhtml:link rel="alternate" hreflang="nb" href="https://example.org/nb/bo/bolig/"/>"#,
            r#"<xhtml:link rel="alternate" hreflang="de" href="https://example.org/de/leben/wohnen/"/>"#,
        ]
    );
}

#[test]
fn file_in_a_language_the_site_does_not_have_is_an_error() {
    let site = SiteTest::new("languages/three");
    site.write(
        "content/live/housing.fr.md",
        "+++\ntitle = \"Trouver un logement\"\n+++\n",
    );
    let build = site.build();
    build.assert_failed();
    assert!(
        build.diagnostics[0].starts_with("content/live/housing.fr.md: error:"),
        "{}",
        build.text()
    );
    let _guard = site.settings().bind_to_scope();
    insta::assert_snapshot!(build.text());
}

/// Issue 20: a language written right to left, by CLDR's data for its locale
/// (no setting): its pages say `dir="rtl"`, the other languages' pages stay
/// `ltr`, and every switcher link carries the direction of its own language.
#[test]
fn issue_20_arabic_pages_are_right_to_left_and_links_to_them_say_so() {
    let site = SiteTest::new("languages/three");
    let config = std::fs::read_to_string(site.root().join("site.toml")).unwrap();
    site.write(
        "site.toml",
        format!("{config}\n[languages.ar]\nname = \"العربية\"\ntitle = \"منطقة الاختبار\"\n"),
    );
    site.write(
        "content/about.ar.md",
        "+++\ntitle = \"من نحن\"\n+++\n\nمن نحن.\n",
    );
    site.build();
    let ar = site.read("ar/about/index.html");
    assert!(ar.contains("<html lang=\"ar\" dir=\"rtl\">"), "{ar}");
    let en = site.read("en/about/index.html");
    assert!(en.contains("<html lang=\"en\" dir=\"ltr\">"), "{en}");
    let links = tags(&en, "<a ");
    let to_ar = links
        .iter()
        .find(|t| t.contains("hreflang=\"ar\""))
        .expect("a switcher link to the Arabic page");
    assert!(to_ar.contains("dir=\"rtl\""), "{to_ar}");
    let to_nb = links
        .iter()
        .find(|t| t.contains("hreflang=\"nb\""))
        .expect("a switcher link to the Norwegian page");
    assert!(to_nb.contains("dir=\"ltr\""), "{to_nb}");
}

/// Issue 20, item 4: `default_language_at_root` keeps a migrated site's URLs:
/// the default language's pages at the root (`/live/housing/`), the others
/// under their codes; the root is the default language's home (no
/// redirect), and hreflang, x-default, the sitemap, the switcher and the
/// host's redirects follow.
#[test]
fn issue_20_the_default_language_can_stay_at_the_root() {
    let site = at_root("\n[deploy]\nhost_files = true\n");
    site.build().assert_clean();
    for file in [
        "index.html",
        "live/index.html",
        "live/housing/index.html",
        "about/index.html",
        "nb/index.html",
        "nb/bo/bolig/index.html",
        "de/leben/wohnen/index.html",
    ] {
        assert!(site.exists(file), "{file} is missing");
    }
    assert!(!site.exists("en"), "{:?}", site.files());

    let home = site.read("index.html");
    assert!(home.contains("<html lang=\"en\" dir=\"ltr\">"), "{home}");
    assert!(!home.contains("http-equiv=\"refresh\""), "{home}");

    let housing = site.read("live/housing/index.html");
    for link in [
        r#"<link rel="alternate" hreflang="en" href="https://example.org/live/housing/">"#,
        r#"<link rel="alternate" hreflang="nb" href="https://example.org/nb/bo/bolig/">"#,
        r#"<link rel="alternate" hreflang="x-default" href="https://example.org/live/housing/">"#,
    ] {
        assert!(housing.contains(link), "{link} missing from\n{housing}");
    }
    assert_eq!(
        switcher(&site, "nb/bo/bolig/index.html"),
        ["/live/housing/", "/de/leben/wohnen/"]
    );
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/live/housing/</loc>"));
    assert!(!sitemap.contains("https://example.org/en/"), "{sitemap}");
    // No redirect from the root: it is the home page.
    assert!(!site.read("_redirects").contains("/ /en/"));
    // Every internal link of every page is a page of the site.
    for (file, url) in site.internal_urls() {
        assert!(!url.starts_with("/en/"), "{file} links {url}, under /en/");
    }
}

/// Issue 20, item 4: with the default language at the root, a folder of its
/// named like another language's code meets that language's home; the error
/// says why and what to do.
#[test]
fn issue_20_a_root_folder_named_like_a_language_is_an_error_that_says_why() {
    let site = at_root("");
    site.write("content/nb/_index.md", "+++\ntitle = \"Nota bene\"\n+++\n");
    let build = site.build();
    build.assert_failed();
    let text = build.text();
    assert!(
        text.contains("are both published at `/nb/`")
            && text.contains("`default_language_at_root` puts the en pages at the root"),
        "{text}"
    );
}

/// The three-language fixture with `default_language_at_root = true`, and
/// `more` at the end of its site.toml.
fn at_root(more: &str) -> SiteTest {
    let site = SiteTest::new("languages/three");
    let config = site.read_source("site.toml");
    site.write(
        "site.toml",
        config.replace(
            "default_language = \"en\"\n",
            "default_language = \"en\"\ndefault_language_at_root = true\n",
        ) + more,
    );
    site
}

/// Issue 20: every UI string file of a theme has every key of its English
/// file, and each table of plural forms has every form the language's CLDR
/// rules choose from (Ukrainian: one, few, many; Arabic: zero, one, two, few,
/// many), so a string left out fails here rather than on a reader's page.
#[test]
fn issue_20_every_theme_language_has_every_english_ui_string() {
    use icu_plurals::PluralRules;
    let read = |path: &std::path::Path| -> toml::Table {
        let text = std::fs::read_to_string(path).expect("read the UI strings");
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let mut checked = Vec::new();
    for theme in [
        repo_dir().join("themes/oslopolitan"),
        fixtures_dir().join("_theme"),
    ] {
        let dir = theme.join("i18n");
        let en = read(&dir.join("en.toml"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("the theme has i18n/")
            .map(|e| e.expect("list i18n/").path())
            .collect();
        files.sort();
        for path in files {
            let lang = path.file_stem().unwrap().to_string_lossy().to_string();
            let locale: icu_locale_core::Locale = lang.parse().expect("a locale");
            let rules = PluralRules::try_new_cardinal((&locale).into()).expect("plural rules");
            // The CLDR keys are the categories' names in lower case.
            let mut forms: BTreeSet<String> = (0..1000u32)
                .map(|n| format!("{:?}", rules.category_for(n)).to_lowercase())
                .collect();
            // What a form that is not there falls back to.
            forms.insert("other".to_string());
            let strings = read(&path);
            let mut missing = Vec::new();
            for (key, value) in &en {
                match (value, strings.get(key)) {
                    (_, None) => missing.push(key.clone()),
                    (toml::Value::Table(_), Some(toml::Value::Table(have))) => missing.extend(
                        forms
                            .iter()
                            .filter(|f| !have.contains_key(f.as_str()))
                            .map(|f| format!("{key}.{f}")),
                    ),
                    (toml::Value::Table(_), Some(_)) => {
                        missing.push(format!("{key} (plural forms, not one string)"))
                    }
                    _ => {}
                }
            }
            let extra: Vec<&String> = strings.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}; not in en.toml: {extra:?}",
                path.display()
            );
            checked.push(format!(
                "{}/{lang}",
                theme.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    for lang in ["ar", "en", "nb", "uk"] {
        assert!(
            checked.contains(&format!("oslopolitan/{lang}")),
            "{checked:?}"
        );
    }
}
