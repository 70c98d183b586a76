//! The search index (issue 17): Pagefind, used as a library, fed from memory.
//!
//! After `resolve`, [`plan`] decides which outputs are indexed and what each
//! carries besides its text: title, kind, date (Pagefind's meta) and the
//! filters `[search]` declares, in the page's language. During `render`,
//! [`Indexer`] stands between the renderer and the real [`Output`]: every file
//! goes on to the output as it is, and of a planned page it keeps only the
//! `<main>` element, wrapped with the meta and filters, compressed. After
//! render, [`Indexer::finish`] hands those to Pagefind in URL order (so the
//! index is the same bytes from run to run, whatever order the pages rendered
//! in), one language at a time, and writes Pagefind's files under `pagefind/`
//! through the same output, so they are staged and swapped in with the rest
//! of the site. Each language is an index of its own (the page's `<html
//! lang>`), Norwegian stemmed as Norwegian. `serve` takes the pages instead
//! ([`Indexer::into_pending`]) and makes the index after the pages are
//! served; `check` makes none ([`SearchWork`]).
//!
//! Not indexed: aliases, the 404 page, listing pages after the first, feeds,
//! taxonomy pages, drafts (even in a `--drafts` build), and sections that
//! `[search]` leaves out. This module reads no files and walks no folders.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use bytes::Bytes;
use rustc_hash::FxHashMap;

use crate::config::search::SearchConfig;
use crate::error::{Error, Result};
use crate::model::fields::{FieldType, FieldValue};
use crate::model::{Lang, OutputPath, PageId};
use crate::output::Output;
use crate::render::i18n::{DateStyle, I18n};
use crate::render::templates::escape_html;
use crate::resolve::Site;

/// Where Pagefind's files go, below the site's output root.
pub const BUNDLE_DIR: &str = "pagefind";

/// What one indexed output carries besides its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Root-relative URL, base path included: what a result links to.
    pub url: String,
    pub lang: Lang,
    /// Pagefind meta (`title`, `kind`, `date`), in the page's language.
    pub meta: Vec<(String, String)>,
    /// Filter name → value, both in the page's language, sorted.
    pub filters: Vec<(String, String)>,
}

/// The indexed outputs of a build, by output path.
#[derive(Debug, Default)]
pub struct Plan {
    entries: FxHashMap<OutputPath, Entry>,
    max_fragments: Option<u32>,
}

impl Plan {
    pub fn get(&self, path: &OutputPath) -> Option<&Entry> {
        self.entries.get(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Which outputs of `site` go into the index, with their meta and filters;
/// `None` when `[search]` is off.
pub fn plan(site: &Site, i18n: &I18n) -> Option<Plan> {
    let search = &site.config.search;
    if !search.enabled {
        return None;
    }
    let base = site.config.base_path.trim_end_matches('/');
    let url_of = |url: &str| format!("{base}{url}");
    let mut entries = FxHashMap::default();
    for page in &site.pages {
        let section = site.section(page.section);
        let top = top_dir(&section.dir);
        let front = site.page_front(page.id);
        if front.draft || front.unsearchable || !search.indexes(top) {
            continue;
        }
        let date = site
            .page_front(page.id)
            .date
            .as_ref()
            .map(|d| i18n.format_date(d, &page.lang, DateStyle::Long));
        let entry = Entry {
            url: url_of(page.url.as_str()),
            lang: page.lang.clone(),
            meta: meta(i18n, search, &page.lang, &page.title, top, date),
            filters: filters(site, i18n, search, &page.lang, top, Some(page.id)),
        };
        entries.insert(OutputPath::index_of(&page.output_dir), entry);
    }
    for section in &site.sections {
        let top = top_dir(&section.dir);
        let draft = site
            .section_front(section.id)
            .is_some_and(|f| f.draft || f.unsearchable);
        if draft || !site.section_listed(section.id) || !search.indexes(top) {
            continue;
        }
        let entry = Entry {
            url: url_of(section.url.as_str()),
            lang: section.lang.clone(),
            meta: meta(i18n, search, &section.lang, &section.title, top, None),
            filters: filters(site, i18n, search, &section.lang, top, None),
        };
        // The first listing page only: the later ones list the same pages.
        entries.insert(OutputPath::index_of(&section.pager(1).1), entry);
    }
    Some(Plan {
        entries,
        max_fragments: search.max_fragments,
    })
}

/// The top section's folder of a section folder: `live` of `live/moving`.
fn top_dir(dir: &str) -> &str {
    dir.split('/').next().unwrap_or("")
}

/// A UI string of the theme, or `fallback` where the i18n files have none.
fn ui(i18n: &I18n, lang: &Lang, key: &str, fallback: &str) -> String {
    i18n.get(lang, key).unwrap_or(fallback).to_string()
}

fn meta(
    i18n: &I18n,
    search: &SearchConfig,
    lang: &Lang,
    title: &str,
    top: &str,
    date: Option<String>,
) -> Vec<(String, String)> {
    let kind = search.kind_of(top);
    let mut meta = vec![
        ("title".to_string(), title.to_string()),
        (
            "kind".to_string(),
            ui(i18n, lang, &format!("search_kind_{kind}"), kind),
        ),
    ];
    if let Some(date) = date {
        meta.push(("date".to_string(), date));
    }
    meta
}

fn filters(
    site: &Site,
    i18n: &I18n,
    search: &SearchConfig,
    lang: &Lang,
    top: &str,
    page: Option<PageId>,
) -> Vec<(String, String)> {
    let kind = search.kind_of(top);
    let mut out = vec![(
        ui(i18n, lang, "search_filter_kind", "kind"),
        ui(i18n, lang, &format!("search_kind_{kind}"), kind),
    )];
    for f in &search.filters {
        let label = ui(i18n, lang, &format!("search_filter_{}", f.name), &f.name);
        let mut values = Vec::new();
        if let Some(t) = f.taxonomy {
            if let Some(id) = page {
                values.extend(
                    site.page(id)
                        .terms
                        .iter()
                        .filter(|(ti, _)| site.taxonomies[*ti].config == t)
                        .map(|(ti, i)| site.taxonomies[*ti].terms[*i].name.clone()),
                );
            }
            if f.section
                && let Some(term) = site.config.taxonomies[t]
                    .terms
                    .iter()
                    .find(|term| term.key == top)
            {
                values.push(term.name(lang).to_string());
            }
        }
        if let Some(id) = page {
            if let Some(field) = &f.field {
                values.extend(field_values(site, id, field));
            }
            if f.collection.is_some() && site.collections.collection_of(id) == f.collection {
                values.push(site.page(id).title.clone());
            }
        }
        out.extend(values.into_iter().map(|v| (label.clone(), v)));
    }
    out.sort();
    out.dedup();
    out
}

/// The values a page's collection field gives a filter: strings as they are,
/// a reference as the title of the page it refers to (in the page's language).
fn field_values(site: &Site, id: PageId, name: &str) -> Vec<String> {
    let Some(field) = site.field(id, name) else {
        return Vec::new();
    };
    let def = site
        .collections
        .collection_of(id)
        .and_then(|c| site.config.collections[c].field(name));
    let target = match def.map(|d| &d.ty) {
        Some(FieldType::Ref { collection }) => site
            .config
            .collections
            .iter()
            .position(|c| &c.name == collection),
        Some(FieldType::List(of)) => match of.as_ref() {
            FieldType::Ref { collection } => site
                .config
                .collections
                .iter()
                .position(|c| &c.name == collection),
            _ => None,
        },
        _ => None,
    };
    let lang = &site.page(id).lang;
    let mut out = Vec::new();
    let mut add = |v: &FieldValue| match v {
        FieldValue::Ref(key) => {
            let title = target
                .and_then(|c| site.collections.target(c, key, lang, &site.pages))
                .map_or_else(|| key.clone(), |p| site.page(p).title.clone());
            out.push(title);
        }
        FieldValue::String(s) | FieldValue::Enum(s) => out.push(s.clone()),
        FieldValue::Integer(n) => out.push(n.to_string()),
        FieldValue::Bool(b) => out.push(b.to_string()),
        _ => {}
    };
    match &field.value {
        FieldValue::List(items) => items.iter().for_each(&mut add),
        v => add(v),
    }
    out
}

/// The document Pagefind reads for one page: its language, the meta and
/// filters as Pagefind's attributes, and the page's `<main>` as the text.
fn document(entry: &Entry, main: &str) -> String {
    let mut doc = format!(
        "<!doctype html><html lang=\"{}\"><body><div data-pagefind-body>",
        escape_html(entry.lang.as_str())
    );
    for (k, v) in &entry.meta {
        doc.push_str(&format!(
            "<span data-pagefind-meta=\"{}:{}\"></span>",
            escape_html(k),
            escape_html(v)
        ));
    }
    for (k, v) in &entry.filters {
        doc.push_str(&format!(
            "<span data-pagefind-filter=\"{}:{}\"></span>",
            escape_html(k),
            escape_html(v)
        ));
    }
    doc.push_str(main);
    doc.push_str("</div></body></html>");
    doc
}

/// The `<main>` element of a rendered page (the whole page where it has none):
/// what the reader came for, without the header, menus and footer that every
/// page repeats.
fn main_of(html: &str) -> &str {
    match (html.find("<main"), html.rfind("</main>")) {
        (Some(start), Some(end)) if start < end => &html[start..end + "</main>".len()],
        _ => html,
    }
}

/// When a build makes its search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchWork {
    /// Before the build ends, written with the rest of the output (`build`).
    Inline,
    /// After the build, by the caller: the build hands back a [`Pending`]
    /// index (`serve`, which serves the pages first and the index when it is
    /// ready).
    Deferred,
    /// Not at all (`check`, which writes nothing).
    Skip,
}

/// An [`Output`] that passes every file on to `inner` and keeps, of each
/// planned page, the document Pagefind will read, compressed: a page's
/// `<main>` is held from when it is rendered until the index is built, and
/// on a big site those add up (issue 17, "Scale").
pub struct Indexer<'a> {
    inner: &'a dyn Output,
    plan: Plan,
    /// Language → URL → compressed document: sorted, so the index does not
    /// depend on the order pages rendered in.
    docs: Mutex<Docs>,
    /// The documents of the build before (`serve`), and this build's, which
    /// take their place when it hands its pages over.
    cache: Option<(&'a DocCache, Mutex<CachedDocs>)>,
}

type Docs = BTreeMap<Lang, BTreeMap<String, Doc>>;

/// What `serve` keeps of one build's documents for the next: a page whose
/// HTML and entry did not change gets its document back, not extracted and
/// compressed again. A rebuild writes every page again (the unchanged ones
/// from memory), so without it each one cost the whole site's documents.
#[derive(Debug, Default)]
pub struct DocCache {
    docs: Mutex<CachedDocs>,
}

type CachedDocs = FxHashMap<OutputPath, CachedDoc>;

#[derive(Debug, Clone)]
struct CachedDoc {
    /// The page's HTML, hashed.
    html: u128,
    entry: Entry,
    doc: Doc,
}

impl<'a> Indexer<'a> {
    /// `cache`: documents a build before left, to reuse (`serve`).
    pub fn new(inner: &'a dyn Output, plan: Plan, cache: Option<&'a DocCache>) -> Self {
        Indexer {
            inner,
            plan,
            docs: Mutex::new(BTreeMap::new()),
            cache: cache.map(|c| (c, Mutex::new(CachedDocs::default()))),
        }
    }

    fn keep(&self, path: &OutputPath, bytes: &[u8]) {
        let Some(entry) = self.plan.get(path) else {
            return;
        };
        let html = self
            .cache
            .as_ref()
            .map(|_| xxhash_rust::xxh3::xxh3_128(bytes));
        let cached = self
            .cache
            .as_ref()
            .zip(html)
            .and_then(|((cache, _), html)| {
                let docs = cache.docs.lock().unwrap_or_else(|e| e.into_inner());
                docs.get(path)
                    .filter(|c| c.html == html && c.entry == *entry)
                    .map(|c| c.doc.clone())
            });
        let doc = match cached {
            Some(doc) => doc,
            None => {
                let Ok(text) = std::str::from_utf8(bytes) else {
                    return;
                };
                Doc::deflate(document(entry, main_of(text)).as_bytes())
            }
        };
        if let (Some((_, fresh)), Some(html)) = (&self.cache, html) {
            let kept = CachedDoc {
                html,
                entry: entry.clone(),
                doc: doc.clone(),
            };
            let mut fresh = fresh.lock().unwrap_or_else(|e| e.into_inner());
            fresh.insert(path.clone(), kept);
        }
        let mut docs = self.docs.lock().unwrap_or_else(|e| e.into_inner());
        docs.entry(entry.lang.clone())
            .or_default()
            .insert(entry.url.clone(), doc);
    }

    /// The pages kept, for [`Pending::build`] to index later; this build's
    /// documents replace the last build's in the cache.
    pub fn into_pending(self) -> Pending {
        if let Some((cache, fresh)) = self.cache {
            let fresh = fresh.into_inner().unwrap_or_else(|e| e.into_inner());
            *cache.docs.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        }
        Pending {
            docs: self.docs.into_inner().unwrap_or_else(|e| e.into_inner()),
            max_fragments: self.plan.max_fragments,
        }
    }

    /// Builds the index of every page kept and writes Pagefind's files (its
    /// scripts, and per language the index, fragments, filters and meta) to
    /// the output under [`BUNDLE_DIR`]. Returns how many pages it indexed.
    pub fn finish(self) -> Result<usize> {
        let inner = self.inner;
        let pending = self.into_pending();
        let count = pending.len();
        for (path, bytes) in pending.build()? {
            inner.write(&path, bytes)?;
        }
        Ok(count)
    }
}

impl Output for Indexer<'_> {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> Result<()> {
        self.keep(path, &bytes);
        self.inner.write(path, bytes)
    }

    fn write_shared(&self, path: &OutputPath, bytes: Bytes) -> Result<()> {
        self.keep(path, &bytes);
        self.inner.write_shared(path, bytes)
    }

    fn write_held(&self, path: &OutputPath, held: crate::output::Held) -> Result<()> {
        if self.plan.get(path).is_some() {
            self.keep(path, &held.bytes()?);
        }
        self.inner.write_held(path, held)
    }

    fn copy(&self, path: &OutputPath, from: &Path) -> Result<()> {
        self.inner.copy(path, from)
    }

    fn count(&self) -> usize {
        self.inner.count()
    }

    fn in_memory(&self) -> bool {
        self.inner.in_memory()
    }
}

/// The pages of a build, ready to be indexed: what a build that defers its
/// index ([`SearchWork::Deferred`]) hands back.
#[derive(Debug)]
pub struct Pending {
    docs: Docs,
    max_fragments: Option<u32>,
}

impl Pending {
    /// How many pages it indexes.
    pub fn len(&self) -> usize {
        self.docs.values().map(BTreeMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs Pagefind over the pages and returns its files, by their output
    /// path under [`BUNDLE_DIR`], sorted.
    ///
    /// One language at a time, each in a Pagefind index of its own, dropped
    /// before the next: Pagefind keeps every page it has read and copies
    /// them again when it builds, so a site's peak memory is that of its
    /// largest language, not of all of them. Pagefind splits its index by
    /// language anyway, so the files are the ones a single index over every
    /// language makes; only `pagefind-entry.json`, which lists the
    /// languages, is put together here from each index's own.
    pub fn build(self) -> Result<Vec<(OutputPath, Vec<u8>)>> {
        self.build_on(None)
    }

    /// [`Self::build`], with Pagefind's parallel work on `pool` instead of
    /// every core: `serve` indexes in the background on one thread, so that
    /// the next rebuild has a core of its own.
    pub fn build_on(self, pool: Option<&rayon::ThreadPool>) -> Result<Vec<(OutputPath, Vec<u8>)>> {
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut entry: Option<EntryFile> = None;
        for (_, docs) in self.docs {
            for (name, bytes) in build_index(docs, self.max_fragments, pool)? {
                if name == ENTRY_FILE {
                    let one: EntryFile = serde_json::from_slice(&bytes)
                        .map_err(|e| Error::Search(format!("reading `{ENTRY_FILE}`: {e}")))?;
                    match &mut entry {
                        Some(all) => all.languages.extend(one.languages),
                        None => entry = Some(one),
                    }
                } else {
                    files.insert(name, bytes);
                }
            }
        }
        if let Some(entry) = entry {
            let bytes = serde_json::to_vec(&entry)
                .map_err(|e| Error::Search(format!("writing `{ENTRY_FILE}`: {e}")))?;
            files.insert(ENTRY_FILE.to_string(), bytes);
        }
        Ok(files
            .into_iter()
            .map(|(name, bytes)| (OutputPath::new(format!("{BUNDLE_DIR}/{name}")), bytes))
            .collect())
    }
}

/// The file that tells Pagefind's script which languages the bundle has.
const ENTRY_FILE: &str = "pagefind-entry.json";

/// `pagefind-entry.json`, its fields in Pagefind's order, so that the file
/// put together from one index per language has the bytes one index makes.
#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct EntryFile {
    version: String,
    languages: BTreeMap<String, EntryLanguage>,
    include_characters: Vec<char>,
}

#[derive(Debug, serde::Deserialize, serde::Serialize)]
struct EntryLanguage {
    hash: String,
    wasm: Option<String>,
    page_count: usize,
}

/// A document as held until Pagefind reads it: deflated by libdeflate at its
/// fastest level, since HTML shrinks to about a quarter there already, with
/// its length, so that it comes back in one step into a buffer of its size.
/// (zlib-rs's fastest level, with a compressor made for each page and a
/// stream read back through a buffer, took 6 % of an indexed build's time.)
#[derive(Debug, Clone)]
struct Doc {
    deflated: Bytes,
    len: usize,
}

impl Doc {
    fn deflate(doc: &[u8]) -> Doc {
        thread_local! {
            static COMPRESSOR: std::cell::RefCell<libdeflater::Compressor> =
                std::cell::RefCell::new(libdeflater::Compressor::new(libdeflater::CompressionLvl::fastest()));
        }
        let deflated = COMPRESSOR.with_borrow_mut(|compressor| {
            let mut out = vec![0; compressor.deflate_compress_bound(doc.len())];
            // The buffer is the bound libdeflate gives for the input: enough.
            let written = compressor
                .deflate_compress(doc, &mut out)
                .unwrap_or_default();
            // A copy of the length written: the buffer is bigger than the
            // input, and every page's document is held until the index is built.
            out[..written].to_vec()
        });
        Doc {
            deflated: deflated.into(),
            len: doc.len(),
        }
    }

    fn inflate(&self) -> Result<String> {
        let fail = |e: &dyn std::fmt::Display| {
            Error::Search(format!("reading a page kept for the index: {e}"))
        };
        let mut out = vec![0; self.len];
        let read = libdeflater::Decompressor::new()
            .deflate_decompress(&self.deflated, &mut out)
            .map_err(|e| fail(&e))?;
        out.truncate(read);
        String::from_utf8(out).map_err(|e| fail(&e))
    }
}

/// Pages handed to Pagefind at a time.
const BATCH: usize = 256;

/// Runs Pagefind over `docs` (URL → compressed document) in URL order and
/// returns its files, by name relative to the bundle folder. Each document is
/// dropped once Pagefind has read it.
fn build_index(
    docs: BTreeMap<String, Doc>,
    max_fragments: Option<u32>,
    pool: Option<&rayon::ThreadPool>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let fail = |what: &str, e: &dyn std::fmt::Display| Error::Search(format!("{what}: {e}"));
    let options = pagefind::options::PagefindServiceConfig::builder();
    let options = options.keep_index_url(false);
    let options = match max_fragments {
        Some(n) => options.max_fragments(n).build(),
        None => options.build(),
    };
    // Pagefind's API is async; it gets a runtime of its own on a thread of its
    // own (one of `pool`'s, whose threads then do its parallel work), so that
    // a caller already inside one (serve) is no matter.
    let work = move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| fail("starting Pagefind's runtime", &e))?;
        runtime.block_on(async move {
            let mut index = pagefind::api::PagefindIndex::new(Some(options))
                .map_err(|e| fail("setting up Pagefind", &e))?;
            // In batches, which Pagefind parses in parallel (the patch in
            // vendor/pagefind): a batch's pages are held as text at once.
            let mut docs = docs.into_iter().peekable();
            while docs.peek().is_some() {
                let batch = docs
                    .by_ref()
                    .take(BATCH)
                    .map(|(url, doc)| Ok((url, doc.inflate()?)))
                    .collect::<Result<Vec<_>>>()?;
                index
                    .add_html_files(batch)
                    .await
                    .map_err(|e| fail("indexing the pages", &e))?;
            }
            let files = index
                .get_files()
                .await
                .map_err(|e| fail("building the search index", &e))?;
            Ok(files
                .into_iter()
                .map(|f| {
                    let name = f.filename.to_string_lossy().replace('\\', "/");
                    (name, f.contents)
                })
                .collect())
        })
    };
    let panicked = || Error::Search("Pagefind stopped with a panic".into());
    match pool {
        Some(pool) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.install(work)))
            .unwrap_or_else(|_| Err(panicked())),
        None => std::thread::scope(|s| s.spawn(work).join().unwrap_or_else(|_| Err(panicked()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_of_takes_the_main_element() {
        let html = "<html><body><header>menu</header><main id=\"main\">text</main><footer>f</footer></body></html>";
        assert_eq!(main_of(html), "<main id=\"main\">text</main>");
        assert_eq!(main_of("<p>no main</p>"), "<p>no main</p>");
    }

    #[test]
    fn document_carries_meta_and_filters_escaped() {
        let entry = Entry {
            url: "/nb/bo/bolig/".into(),
            lang: Lang::new("nb"),
            meta: vec![("title".into(), "Bolig & leie".into())],
            filters: vec![("Tema".into(), "Bo".into())],
        };
        let doc = document(&entry, "<main>x</main>");
        assert!(doc.starts_with("<!doctype html><html lang=\"nb\">"));
        assert!(doc.contains("data-pagefind-meta=\"title:Bolig &amp; leie\""));
        assert!(doc.contains("data-pagefind-filter=\"Tema:Bo\""));
    }
}

#[cfg(test)]
mod cache_tests {
    use super::*;
    use crate::output::NullOutput;

    fn plan_of(path: &OutputPath, title: &str) -> Plan {
        let entry = Entry {
            url: "/en/live/".into(),
            lang: Lang::new("en"),
            meta: vec![("title".into(), title.into())],
            filters: vec![],
        };
        Plan {
            entries: [(path.clone(), entry)].into_iter().collect(),
            max_fragments: None,
        }
    }

    /// The document `indexer` kept for the one page.
    fn kept(indexer: Indexer) -> Doc {
        let pending = indexer.into_pending();
        let docs = pending.docs.into_values().next().expect("a language");
        docs.into_values().next().expect("a page")
    }

    #[test]
    fn serve_reuses_a_document_while_page_and_entry_stay_the_same() {
        let out = NullOutput::default();
        let cache = DocCache::default();
        let path = OutputPath::new("en/live/index.html");
        let page = b"<html><main>Housing in Asker</main></html>".to_vec();
        let rebuild = |title: &str, html: &[u8]| {
            let indexer = Indexer::new(&out, plan_of(&path, title), Some(&cache));
            indexer.write(&path, html.to_vec()).unwrap();
            kept(indexer)
        };

        let first = rebuild("Live", &page);
        let again = rebuild("Live", &page);
        // The same allocation: taken from the cache, not made again.
        assert_eq!(first.deflated.as_ptr(), again.deflated.as_ptr());

        let edited = rebuild(
            "Live",
            "<html><main>Housing in Bærum</main></html>".as_bytes(),
        );
        assert_ne!(edited.deflated.as_ptr(), again.deflated.as_ptr());
        assert!(edited.inflate().unwrap().contains("Bærum"));

        // Meta changed, page the same: made again, with the new title.
        let retitled = rebuild(
            "Living",
            "<html><main>Housing in Bærum</main></html>".as_bytes(),
        );
        assert_ne!(retitled.deflated.as_ptr(), edited.deflated.as_ptr());
        assert!(retitled.inflate().unwrap().contains("title:Living"));

        // Without a cache (a one-shot build) nothing is kept for later.
        let plain = Indexer::new(&out, plan_of(&path, "Living"), None);
        plain.write(&path, page.clone()).unwrap();
        assert!(kept(plain).inflate().unwrap().contains("Asker"));
        assert_eq!(cache.docs.lock().unwrap().len(), 1);
    }
}
