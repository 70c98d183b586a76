//! Search (issue 17): `polis build` makes a Pagefind index per language from
//! the pages it renders, with the meta and filters `[search]` declares, and
//! leaves out what is no page of its own (aliases, later listing pages, drafts).
//! The index's fragment files (gzipped JSON, one per page) say what went in.

use std::collections::BTreeMap;
use std::io::Read;

use crate::common::{SiteTest, list_files};

/// One indexed page, as Pagefind's fragment file has it.
#[derive(Debug, serde::Deserialize)]
struct Fragment {
    url: String,
    content: String,
    meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
}

/// Pagefind's gzipped files start, once unzipped, with this signature.
const SIGNATURE: &[u8] = b"pagefind_dcd";

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzipped file");
    out.strip_prefix(SIGNATURE)
        .map(<[u8]>::to_vec)
        .unwrap_or(out)
}

/// Every indexed page of `lang`, by URL.
fn fragments(site: &SiteTest, lang: &str) -> BTreeMap<String, Fragment> {
    list_files(&site.out().join("pagefind/fragment"))
        .into_iter()
        .filter(|(name, _)| name.starts_with(&format!("{lang}_")))
        .map(|(_, bytes)| {
            let f: Fragment = serde_json::from_slice(&gunzip(&bytes)).expect("fragment JSON");
            (f.url.clone(), f)
        })
        .collect()
}

fn built() -> SiteTest {
    let site = SiteTest::new("search/basic");
    site.build().assert_clean();
    site
}

#[test]
fn each_language_has_its_own_index_of_its_own_pages() {
    let site = built();
    let entry: serde_json::Value =
        serde_json::from_str(&site.read("pagefind/pagefind-entry.json")).unwrap();
    let langs: Vec<&String> = entry["languages"].as_object().unwrap().keys().collect();
    assert_eq!(langs, ["en", "nb"]);
    let en: Vec<String> = fragments(&site, "en").into_keys().collect();
    // No draft, no alias, no second page of the news listing, no feed.
    assert_eq!(
        en,
        [
            "/en/",
            "/en/live/",
            "/en/live/housing/",
            "/en/news/",
            "/en/news/ferry/",
            "/en/news/market/",
            "/en/places/",
            "/en/places/asker/",
        ]
    );
    let nb: Vec<String> = fragments(&site, "nb").into_keys().collect();
    assert_eq!(
        nb,
        [
            "/nb/",
            "/nb/bo/",
            "/nb/bo/bolig/",
            "/nb/nyheter/",
            "/nb/nyheter/ferry/",
            "/nb/steder/",
            "/nb/steder/asker/",
        ]
    );
    assert!(site.exists("en/news/page/2/index.html"));
    assert!(site.exists("pagefind/pagefind.js"));
    assert!(site.exists("pagefind/wasm.nb.pagefind"));
}

#[test]
fn a_page_is_indexed_by_its_main_text_only() {
    let site = built();
    let nb = fragments(&site, "nb");
    let bolig = &nb["/nb/bo/bolig/"];
    assert!(bolig.content.contains("skattekortet"), "{}", bolig.content);
    // The header and footer every page repeats are not the page's text.
    assert!(
        !bolig.content.contains("Hopp til innhold"),
        "{}",
        bolig.content
    );
}

#[test]
fn filters_and_meta_carry_the_front_matter_values_in_the_pages_language() {
    let site = built();
    let en = fragments(&site, "en");
    let ferry = &en["/en/news/ferry/"];
    assert_eq!(ferry.meta["title"], "New ferry");
    assert_eq!(ferry.meta["kind"], "News");
    assert!(ferry.meta.contains_key("date"), "{:?}", ferry.meta);
    assert_eq!(ferry.filters["Kind"], ["News"]);
    // A ref field: the title of the page it refers to.
    assert_eq!(ferry.filters["Place"], ["Asker"]);
    // A taxonomy term from the front matter.
    assert_eq!(en["/en/news/market/"].filters["Topic"], ["Live"]);
    // A collection's page is its own value.
    assert_eq!(en["/en/places/asker/"].filters["Place"], ["Asker"]);
    assert_eq!(en["/en/places/asker/"].filters["Kind"], ["Place guide"]);

    let nb = fragments(&site, "nb");
    // The section a page is in gives its topic; names are Norwegian.
    assert_eq!(nb["/nb/bo/bolig/"].filters["Tema"], ["Bo"]);
    assert_eq!(nb["/nb/bo/bolig/"].filters["Type"], ["Artikkel"]);
    // A shared ref: the Norwegian title of the page it refers to.
    assert_eq!(nb["/nb/nyheter/ferry/"].filters["Sted"], ["Asker kommune"]);
}

#[test]
fn a_page_moved_to_draft_leaves_the_index() {
    let site = built();
    assert!(fragments(&site, "en").contains_key("/en/live/housing/"));
    site.write(
        "content/live/housing.md",
        "+++\ntitle = \"Housing\"\ndraft = true\n+++\nRenting a flat.\n",
    );
    site.build().assert_clean();
    assert!(!fragments(&site, "en").contains_key("/en/live/housing/"));
    // Drafts stay out of a build that publishes them, too.
    site.build_with(|o| o.drafts = true).assert_clean();
    let en = fragments(&site, "en");
    assert!(site.exists("en/live/secret/index.html"));
    assert!(!en.contains_key("/en/live/secret/"));
}

#[test]
fn the_index_is_the_same_bytes_from_run_to_run() {
    let site = built();
    let first = list_files(site.out());
    let again = site.temp_path("again");
    site.build_into(&again, false, |_| {}).assert_clean();
    let second = list_files(&again);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(&second[name] == bytes, "{name} differs between two builds");
    }
    assert!(first.keys().any(|k| k.ends_with(".pf_index")));
}

#[test]
fn a_filter_field_no_collection_has_is_an_error_at_its_line() {
    let site = SiteTest::new("search/basic");
    let config = site
        .read_source("site.toml")
        .replace("field = \"place\"", "field = \"plaec\"");
    site.write("site.toml", config);
    let build = site.build();
    build.assert_failed();
    insta::assert_snapshot!(build.text());
}

#[test]
fn without_search_there_is_no_index() {
    let site = SiteTest::new("search/basic");
    let config = site.read_source("site.toml");
    let config = &config[..config.find("[search]").unwrap()];
    site.write("site.toml", config);
    site.build().assert_clean();
    assert!(!site.exists("pagefind"));
}
