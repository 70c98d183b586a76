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

#[test]
fn check_renders_every_page_but_makes_no_index() {
    // `polis check` writes nothing, so an index would be work thrown away.
    let site = built();
    let index_files = list_files(&site.out().join("pagefind")).len();
    assert!(index_files > 0);
    let all_files = list_files(site.out()).len();
    let mut options = polis::BuildOptions::new(site.root());
    options.now = crate::common::now();
    let mut diags = polis::diag::Diagnostics::default();
    let summary =
        polis::check::check_site(&options, &polis::check::CheckOptions::default(), &mut diags)
            .expect("the check runs");
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    assert_eq!(summary.files, all_files - index_files);
}

/// The fragments of `lang` that `server` serves now, by URL.
fn served_fragments(server: &polis::serve::Server, lang: &str) -> BTreeMap<String, Fragment> {
    server
        .files()
        .iter()
        .filter(|(path, _)| {
            path.as_str()
                .starts_with(&format!("pagefind/fragment/{lang}_"))
        })
        .map(|(_, held)| {
            let bytes = held.bytes().expect("the fragment");
            let f: Fragment = serde_json::from_slice(&gunzip(&bytes)).expect("fragment JSON");
            (f.url.clone(), f)
        })
        .collect()
}

#[test]
fn serve_finds_an_edited_page_by_its_new_words() {
    let site = SiteTest::new("search/basic");
    let mut build = polis::BuildOptions::new(site.root());
    build.now = crate::common::now();
    let (server, first) = polis::serve::Server::start(polis::serve::ServeOptions {
        build,
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        quiet: true,
    })
    .expect("the server starts");
    assert!(!first.diagnostics.has_errors());
    // Search works from the first page on.
    let before = served_fragments(&server, "nb");
    assert!(before["/nb/bo/bolig/"].content.contains("skattekortet"));
    assert!(!before["/nb/bo/bolig/"].content.contains("sebrafink"));
    assert!(
        server
            .files()
            .contains_key(&polis::model::OutputPath::new("pagefind/pagefind.js"))
    );

    let page = site.root().join("content/live/housing.nb.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text + "\nEn sebrafink i hagen.\n").unwrap();
    // The page first (the index is made after it is served), then the index.
    let patience = std::time::Duration::from_secs(120);
    let start = std::time::Instant::now();
    loop {
        let fragments = served_fragments(&server, "nb");
        if fragments["/nb/bo/bolig/"].content.contains("sebrafink") {
            let page = &server.files()[&polis::model::OutputPath::new("nb/bo/bolig/index.html")];
            assert!(String::from_utf8_lossy(&page.bytes().unwrap()).contains("sebrafink"));
            // The other language's index is whole too.
            assert!(served_fragments(&server, "en").contains_key("/en/live/housing/"));
            break;
        }
        assert!(
            start.elapsed() < patience,
            "the served index never had the edited page's new word"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn an_index_made_on_one_thread_is_the_same_bytes_as_the_builds() {
    // `serve` makes its index after an edit on a one-thread pool, a build on
    // every core: the reader must get the same index either way.
    let site = built();
    let mut options = polis::BuildOptions::new(site.root());
    options.now = crate::common::now();
    options.search = polis::pipeline::SearchWork::Deferred;
    let output = polis::output::MemoryOutput::new();
    let mut diags = polis::diag::Diagnostics::default();
    let built =
        polis::pipeline::run_once(&options, &output, None, &mut diags).expect("the build runs");
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let pending = built.search.expect("the pages to index");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let files = pending.build_on(Some(&pool)).expect("the index is made");
    let on_disk = list_files(&site.out().join("pagefind"));
    assert_eq!(files.len(), on_disk.len());
    for (path, bytes) in files {
        let name = path.as_str().strip_prefix("pagefind/").unwrap();
        assert!(on_disk[name] == bytes, "{name} differs from the build's");
    }
}
