//! Issue 20: four languages with the example theme, one of them written right
//! to left: English (the default), Norwegian, Arabic and Ukrainian.
//! `live/housing` is in all four, `live/healthcare` in English and Arabic,
//! `live/transport` in all but Arabic, `live/schools` only in English.

use std::collections::BTreeSet;

use crate::common::{SiteTest, element, file_of_url, tags};

fn built() -> SiteTest {
    let site = SiteTest::new("languages/four");
    site.build().assert_clean();
    site
}

/// The pages of `live/housing`, one per language.
const HOUSING: [&str; 4] = [
    "en/live/housing/index.html",
    "nb/bo/bolig/index.html",
    "ar/lhy/skn/index.html",
    "uk/zhittia/zhitlo/index.html",
];

#[test]
fn issue_20_every_page_has_its_languages_lang_and_only_arabic_is_rtl() {
    let site = built();
    let mut langs = BTreeSet::new();
    for (file, html) in site.html_files() {
        // The root's redirect and the 404 page are in no one language.
        let Some((lang, _)) = file.split_once('/') else {
            continue;
        };
        let dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{file} is not lang={lang} dir={dir}"
        );
        langs.insert(lang.to_string());
    }
    assert_eq!(
        langs.into_iter().collect::<Vec<_>>(),
        ["ar", "en", "nb", "uk"]
    );
    // On an Arabic page, the links to the other languages' versions are left
    // to right, so that their names are not reordered by the Arabic around them.
    let ar = site.read("ar/lhy/skn/index.html");
    let footer = element(&ar, "<p class=\"translations\">", "</p>");
    for (url, lang, name) in [
        ("/en/live/housing/", "en", "English"),
        ("/nb/bo/bolig/", "nb", "Norsk bokmål"),
        ("/uk/zhittia/zhitlo/", "uk", "Українська"),
    ] {
        let link =
            format!(r#"<a href="{url}" hreflang="{lang}" lang="{lang}" dir="ltr">{name}</a>"#);
        assert!(footer.contains(&link), "{link} missing from {footer}");
    }
}

/// Slugs written in Arabic or Cyrillic script become ASCII URL segments, as
/// every other slug does (`slug::slugify`, as Zola's default); a page without
/// a slug takes its file name's.
#[test]
fn issue_20_arabic_and_ukrainian_slugs_are_transliterated() {
    let site = built();
    for file in [
        // `slug = "الحياة"` and `slug = "سكن"`
        "ar/lhy/index.html",
        "ar/lhy/skn/index.html",
        "ar/lhy/healthcare/index.html",
        "ar/about/index.html",
        // `slug = "життя"`, `slug = "житло"` and `slug = "про-нас"`
        "uk/zhittia/index.html",
        "uk/zhittia/zhitlo/index.html",
        "uk/zhittia/transport/index.html",
        "uk/pro-nas/index.html",
    ] {
        assert!(site.exists(file), "{file} is missing");
    }
    // Untranslated pages exist in their own languages only.
    assert!(!site.exists("ar/lhy/transport"));
    assert!(!site.exists("uk/zhittia/healthcare"));
    assert!(!site.exists("ar/lhy/schools") && !site.exists("uk/zhittia/schools"));
    // Every internal link of every page is a page of the site.
    for (file, url) in site.internal_urls() {
        if url.ends_with('/') {
            assert!(
                site.exists(&file_of_url(&url)),
                "{file} links {url}, which is not there"
            );
        }
    }
}

/// The hreflang alternates of a page as `lang path` pairs.
fn alternates(site: &SiteTest, file: &str) -> Vec<String> {
    tags(&site.read(file), "<link rel=\"alternate\" hreflang")
        .iter()
        .map(|t| {
            let attr = |name: &str| {
                crate::common::attr_values(t, name)
                    .pop()
                    .unwrap_or_default()
            };
            let href = attr("href");
            format!(
                "{} {}",
                attr("hreflang"),
                href.trim_start_matches("https://example.org")
            )
        })
        .collect()
}

#[test]
fn issue_20_alternates_list_exactly_the_translations_there_are() {
    let site = built();
    for file in HOUSING {
        assert_eq!(
            alternates(&site, file),
            [
                "en /en/live/housing/",
                "nb /nb/bo/bolig/",
                "ar /ar/lhy/skn/",
                "uk /uk/zhittia/zhitlo/",
                "x-default /en/live/housing/",
            ],
            "{file}"
        );
    }
    for file in [
        "en/live/healthcare/index.html",
        "ar/lhy/healthcare/index.html",
    ] {
        assert_eq!(
            alternates(&site, file),
            [
                "en /en/live/healthcare/",
                "ar /ar/lhy/healthcare/",
                "x-default /en/live/healthcare/",
            ],
            "{file}"
        );
    }
    for file in [
        "en/live/transport/index.html",
        "nb/bo/transport/index.html",
        "uk/zhittia/transport/index.html",
    ] {
        assert_eq!(
            alternates(&site, file),
            [
                "en /en/live/transport/",
                "nb /nb/bo/transport/",
                "uk /uk/zhittia/transport/",
                "x-default /en/live/transport/",
            ],
            "{file}"
        );
    }
    assert_eq!(
        alternates(&site, "en/live/schools/index.html"),
        ["en /en/live/schools/", "x-default /en/live/schools/"]
    );
}

/// The language switcher of a page, one link per line.
fn switcher_lines(site: &SiteTest, file: &str) -> String {
    let html = site.read(file);
    let nav = element(&html, "<nav class=\"lang-switcher\"", "</nav>");
    nav.split("<li>")
        .skip(1)
        .map(|li| li.split("</li>").next().unwrap_or_default().trim())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The switcher names each language in that language (and direction), goes
/// to the translation where there is one, and says in the page's language
/// when there is none; the section it then goes to says why, in its own.
#[test]
fn issue_20_switcher_names_languages_in_their_own_and_marks_untranslated_pages() {
    let site = built();
    let _guard = site.settings().bind_to_scope();
    // In English and Arabic: Norwegian and Ukrainian are missing.
    insta::assert_snapshot!(
        "switcher_en_healthcare",
        switcher_lines(&site, "en/live/healthcare/index.html")
    );
    insta::assert_snapshot!(
        "switcher_ar_healthcare",
        switcher_lines(&site, "ar/lhy/healthcare/index.html")
    );
    // In all but Arabic.
    insta::assert_snapshot!(
        "switcher_uk_transport",
        switcher_lines(&site, "uk/zhittia/transport/index.html")
    );

    for (file, notice) in [
        (
            "ar/lhy/index.html",
            "الصفحة التي جئت منها غير متوفرة بالعربية",
        ),
        (
            "uk/zhittia/index.html",
            "Сторінки, з якої ви прийшли, немає українською",
        ),
    ] {
        let html = site.read(file);
        let landing = element(
            &html,
            "<div class=\"wrap untranslated-notice\" id=\"untranslated\">",
            "</div>",
        );
        assert!(landing.contains(notice), "{file}: {landing}");
    }
}

#[test]
fn issue_20_dates_are_written_in_each_languages_own_form() {
    let site = built();
    for (file, date) in HOUSING.into_iter().zip([
        "5 March 2026",
        "5. mars 2026",
        "5 مارس 2026",
        // CLDR puts a narrow no-break space before "р." (рік, year).
        "5 березня 2026\u{202f}р.",
    ]) {
        let html = site.read(file);
        let time = format!("<time datetime=\"2026-03-05\">{date}</time>");
        assert!(html.contains(&time), "{file} has no {time}");
    }
}

/// Ukrainian has the plural forms one, few and many; Arabic also zero and
/// two. The reading time (one minute per 200 words) takes the right one.
#[test]
fn issue_20_reading_time_uses_the_languages_plural_forms() {
    let site = SiteTest::new("languages/four");
    let cases = [
        ("uk", 1, "1 хвилина читання"),
        ("uk", 3, "3 хвилини читання"),
        ("uk", 5, "5 хвилин читання"),
        ("uk", 21, "21 хвилина читання"),
        ("ar", 1, "دقيقة واحدة للقراءة"),
        ("ar", 2, "دقيقتان للقراءة"),
        ("ar", 3, "3 دقائق للقراءة"),
        ("ar", 11, "11 دقيقة للقراءة"),
        ("nb", 5, "5 minutters lesing"),
    ];
    for (lang, minutes, _) in cases {
        site.write(
            &format!("content/read-{minutes}.{lang}.md"),
            format!(
                "+++\ntitle = \"{minutes}\"\n+++\n\n{}\n",
                "word ".repeat(200 * minutes)
            ),
        );
    }
    site.build().assert_clean();
    for (lang, minutes, text) in cases {
        let file = format!("{lang}/read-{minutes}/index.html");
        let html = site.read(&file);
        let span = format!("<span class=\"meta-item\">{text}</span>");
        assert!(html.contains(&span), "{file} has no {span}");
    }
}
