//! Stage 3, resolve: the whole-site graph, built once and read-only afterwards:
//! sections per language, pages with their URLs, translation groups, sort orders,
//! previous/next, taxonomies, aliases, and the index that internal links resolve
//! against. No Markdown rendering and no I/O here.

mod collections;
mod links;
pub mod translations;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Pos, find_key};
use crate::load::{BundleFile, ContentFile, LoadedSite};
use crate::model::{FileKind, FrontMatter, Lang, PageId, SectionId, SortBy, SourcePath, UrlPath};

pub use collections::CollectionIndex;
pub use links::{LinkError, LinkTarget};
pub use translations::stale_translation_warnings;

#[derive(Debug)]
pub struct Page {
    pub id: PageId,
    /// Index into [`Site::files`].
    pub file: usize,
    pub lang: Lang,
    pub section: SectionId,
    pub slug: String,
    pub url: UrlPath,
    /// Folder of the page's `index.html` relative to the output root.
    pub output_dir: String,
    pub title: String,
    /// Every language version of this page, itself included, in language order.
    pub translations: Vec<PageId>,
    pub prev: Option<PageId>,
    pub next: Option<PageId>,
    /// (taxonomy index, term index) pairs.
    pub terms: Vec<(usize, usize)>,
    /// Indexes into [`Site::bundle_files`].
    pub bundle_files: Vec<usize>,
}

#[derive(Debug)]
pub struct Section {
    pub id: SectionId,
    pub file: Option<usize>,
    pub lang: Lang,
    /// Folder relative to `content/`; `` is the home page.
    pub dir: String,
    pub url: UrlPath,
    pub output_dir: String,
    pub title: String,
    pub parent: Option<SectionId>,
    pub subsections: Vec<SectionId>,
    /// The section's own pages, sorted.
    pub pages: Vec<PageId>,
    pub translations: Vec<SectionId>,
    pub paginate_by: usize,
}

impl Section {
    pub fn is_home(&self) -> bool {
        self.dir.is_empty()
    }

    pub fn pager_count(&self) -> usize {
        self.pages.len().div_ceil(self.paginate_by).max(1)
    }

    /// URL and output folder of pager `n` (1-based).
    pub fn pager(&self, n: usize) -> (UrlPath, String) {
        pager(&self.url, &self.output_dir, n)
    }
}

pub fn pager(url: &UrlPath, output_dir: &str, n: usize) -> (UrlPath, String) {
    if n <= 1 {
        (url.clone(), output_dir.to_string())
    } else {
        (
            pager_url(url, n),
            join_dir(output_dir, &format!("page/{n}")),
        )
    }
}

/// `name` in the output folder `dir`: `en/live` and `housing` make
/// `en/live/housing`; `` (the root, for the default language at the root)
/// and `live` make `live`.
pub fn join_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The URL of pager `n` (1-based) of the listing at `url`.
pub fn pager_url(url: &UrlPath, n: usize) -> UrlPath {
    if n <= 1 {
        url.clone()
    } else {
        UrlPath::new(format!("{url}page/{n}/"))
    }
}

#[derive(Debug)]
pub struct Taxonomy {
    /// Index into `config.taxonomies`.
    pub config: usize,
    pub name: String,
    pub lang: Lang,
    pub url: UrlPath,
    pub output_dir: String,
    pub terms: Vec<Term>,
    pub paginate_by: usize,
    pub feed: bool,
}

#[derive(Debug)]
pub struct Term {
    /// What pairs a term with its translations: a declared term's key, or a
    /// free term's slug.
    pub key: String,
    pub name: String,
    pub slug: String,
    pub url: UrlPath,
    pub output_dir: String,
    /// Newest first.
    pub pages: Vec<PageId>,
}

#[derive(Debug)]
pub struct Alias {
    pub output_path: String,
    pub target: UrlPath,
    pub source: SourcePath,
}

/// The resolved site.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub files: Vec<std::sync::Arc<ContentFile>>,
    pub bundle_files: Vec<BundleFile>,
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    pub taxonomies: Vec<Taxonomy>,
    pub aliases: Vec<Alias>,
    /// The home section of each language, in language order.
    pub homes: Vec<SectionId>,
    /// Collection pages by key, and who refers to whom.
    pub collections: CollectionIndex,
    /// The build clock.
    pub now: jiff::Timestamp,
    /// Per file, its default-language version (see [`Site::translation_source`]).
    translation_sources: Vec<Option<usize>>,
    section_index: FxHashMap<(String, Lang), SectionId>,
    links: links::LinkIndex,
}

impl Site {
    pub fn page(&self, id: PageId) -> &Page {
        &self.pages[id.index()]
    }
    pub fn section(&self, id: SectionId) -> &Section {
        &self.sections[id.index()]
    }
    pub fn page_front(&self, id: PageId) -> &FrontMatter {
        &self.files[self.page(id).file].front
    }
    pub fn page_file(&self, id: PageId) -> &ContentFile {
        &self.files[self.page(id).file]
    }
    pub fn section_front(&self, id: SectionId) -> Option<&FrontMatter> {
        self.section(id).file.map(|f| &self.files[f].front)
    }
    /// The front matter that decides a section's Zola keys: its own file's,
    /// or, in a language without one, the default language's.
    fn section_front_or_default(&self, id: SectionId) -> Option<&FrontMatter> {
        self.section_front(id).or_else(|| {
            let first = *self.section(id).translations.first()?;
            self.section_front(first)
        })
    }
    /// Zola's `redirect_to` of a section: the URL its listing page sends to.
    pub fn section_redirect(&self, id: SectionId) -> Option<&str> {
        self.section_front_or_default(id)?.redirect_to.as_deref()
    }
    /// Whether a section has listing pages (and a feed): not with Zola's
    /// `render = false`, nor when it redirects.
    pub fn section_listed(&self, id: SectionId) -> bool {
        self.section_front_or_default(id)
            .is_none_or(|f| !f.unrendered && f.redirect_to.is_none())
    }
    /// A collection field of a page: its own value, or for a field shared by
    /// the translations, the default language's.
    pub fn field(&self, id: PageId, name: &str) -> Option<&crate::model::Field> {
        collections::field(&self.config, &self.files, &self.pages, id, name)
    }

    pub fn section_by_dir(&self, dir: &str, lang: &Lang) -> Option<SectionId> {
        self.section_index
            .get(&(dir.to_string(), lang.clone()))
            .copied()
    }
    pub fn home(&self, lang: &Lang) -> SectionId {
        let i = self
            .config
            .languages
            .iter()
            .position(|l| &l.code == lang)
            .unwrap_or(0);
        self.homes[i]
    }
    pub fn permalink(&self, url: &UrlPath) -> String {
        self.config.permalink(url.as_str())
    }

    /// The ancestors of a section, from the home page down to its parent.
    pub fn ancestors(&self, mut id: SectionId) -> Vec<SectionId> {
        let mut out = Vec::new();
        while let Some(p) = self.section(id).parent {
            out.push(p);
            id = p;
        }
        out.reverse();
        out
    }

    /// Where the language switcher goes from a page: its translation, or else the
    /// nearest section above it that exists in `lang`. Never a missing page.
    pub fn page_in(&self, id: PageId, lang: &Lang) -> (UrlPath, bool) {
        let page = self.page(id);
        if let Some(t) = page
            .translations
            .iter()
            .find(|t| &self.page(**t).lang == lang)
        {
            return (self.page(*t).url.clone(), true);
        }
        (
            self.section(self.nearest_section(&self.section(page.section).dir, lang))
                .url
                .clone(),
            false,
        )
    }

    pub fn section_in(&self, id: SectionId, lang: &Lang) -> (UrlPath, bool) {
        let dir = &self.section(id).dir;
        let target = self.nearest_section(dir, lang);
        (
            self.section(target).url.clone(),
            &self.section(target).dir == dir,
        )
    }

    fn nearest_section(&self, dir: &str, lang: &Lang) -> SectionId {
        let mut dir = dir;
        loop {
            if let Some(id) = self.section_by_dir(dir, lang) {
                return id;
            }
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None if !dir.is_empty() => dir = "",
                None => return self.home(lang),
            }
        }
    }

    /// Resolves an internal link (`@/live/housing.md` or a relative `.md` path,
    /// already made relative to `content/`) for a page in `lang`.
    pub fn resolve_link(&self, rel: &str, lang: &Lang) -> Result<LinkTarget, LinkError> {
        self.links.resolve(self, rel, lang)
    }
}

/// A translation without a `date` has its default-language version's: a
/// scheduled post and its translations appear together, and list alike.
fn inherit_dates(config: &Config, files: &mut [std::sync::Arc<ContentFile>]) {
    let dates: FxHashMap<(String, FileKind), crate::model::Date> = files
        .iter()
        .filter(|f| f.lang == config.default_language && f.kind != FileKind::Section)
        .filter_map(|f| Some(((f.group.clone(), f.kind), f.front.date.clone()?)))
        .collect();
    if dates.is_empty() {
        return;
    }
    for f in files.iter_mut() {
        if f.front.date.is_none()
            && f.lang != config.default_language
            && let Some(d) = dates.get(&(f.group.clone(), f.kind))
        {
            std::sync::Arc::make_mut(f).front.date = Some(d.clone());
        }
    }
}

/// Which pages a build publishes: drafts, and pages dated after `now`, only
/// when asked for.
#[derive(Debug, Clone, Copy)]
pub struct Publish {
    pub drafts: bool,
    pub future: bool,
    /// The build clock.
    pub now: jiff::Timestamp,
}

/// Builds the site graph from the loaded files.
pub fn resolve_site(
    config: Config,
    loaded: LoadedSite,
    options: &Publish,
    diags: &mut Diagnostics,
) -> Site {
    let LoadedSite {
        mut files,
        bundle_files,
    } = loaded;
    inherit_dates(&config, &mut files);
    let lang_order = |l: &Lang| {
        config
            .languages
            .iter()
            .position(|x| &x.code == l)
            .unwrap_or(usize::MAX)
    };

    // Drafts and scheduled pages are left out unless asked for; links to them
    // are reported as such.
    let included: Vec<bool> = files
        .iter()
        .map(|f| {
            f.kind == FileKind::Section
                || (!f.front.unrendered
                    && (options.drafts || !f.front.draft)
                    && (options.future
                        || f.front
                            .date
                            .as_ref()
                            .is_none_or(|d| d.timestamp() <= options.now)))
        })
        .collect();

    // Section folders: those with an `_index` file, and every folder above a page.
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    dirs.insert(String::new());
    for (i, f) in files.iter().enumerate() {
        if !included[i] {
            continue;
        }
        let mut dir = match f.kind {
            FileKind::Section => f.group.clone(),
            FileKind::Page => f.dir().to_string(),
            FileKind::Bundle => f
                .group
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string()),
        };
        loop {
            if !dirs.insert(dir.clone()) {
                break;
            }
            match dir.rsplit_once('/') {
                Some((p, _)) => dir = p.to_string(),
                None => dir.clear(),
            }
        }
    }
    let section_files: FxHashMap<(&str, &Lang), usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FileKind::Section)
        .map(|(i, f)| ((f.group.as_str(), &f.lang), i))
        .collect();
    // Which languages have pages at or below each folder.
    let mut has_pages: BTreeSet<(&str, &Lang)> = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        if !included[i] || f.kind == FileKind::Section {
            continue;
        }
        let mut dir = f.dir();
        if f.kind == FileKind::Bundle {
            dir = f.group.rsplit_once('/').map_or("", |(d, _)| d);
        }
        loop {
            has_pages.insert((dir, &f.lang));
            match dir.rsplit_once('/') {
                Some((p, _)) => dir = p,
                None if !dir.is_empty() => dir = "",
                None => break,
            }
        }
    }

    let mut sections: Vec<Section> = Vec::new();
    let mut section_index: FxHashMap<(String, Lang), SectionId> = FxHashMap::default();
    let mut homes = Vec::new();
    for language in &config.languages {
        let lang = &language.code;
        for dir in &dirs {
            let file = section_files.get(&(dir.as_str(), lang)).copied();
            let exists =
                dir.is_empty() || file.is_some() || has_pages.contains(&(dir.as_str(), lang));
            if !exists {
                continue;
            }
            let parent = if dir.is_empty() {
                None
            } else {
                let pdir = dir.rsplit_once('/').map_or("", |(p, _)| p);
                section_index
                    .get(&(pdir.to_string(), lang.clone()))
                    .copied()
            };
            let front = file.map(|f| &files[f].front);
            let default_front = section_files
                .get(&(dir.as_str(), &config.default_language))
                .map(|f| &files[*f].front);
            let last = dir.rsplit('/').next().unwrap_or(dir);
            let slug = front
                .and_then(|f| f.slug.as_deref())
                .map(slug::slugify)
                .unwrap_or_else(|| slug::slugify(last));
            let (url, output_dir) = match parent {
                None => {
                    let dir = config.lang_dir(lang);
                    let url = match dir {
                        "" => config.base_path.clone(),
                        dir => format!("{}{dir}/", config.base_path),
                    };
                    (UrlPath::new(url), dir.to_string())
                }
                Some(p) => {
                    let p = &sections[p.index()];
                    (
                        UrlPath::new(format!("{}{}/", p.url, slug)),
                        join_dir(&p.output_dir, &slug),
                    )
                }
            };
            let title = front
                .and_then(|f| f.title.clone())
                .or_else(|| default_front.and_then(|f| f.title.clone()))
                .unwrap_or_else(|| {
                    if dir.is_empty() {
                        language.title.clone()
                    } else {
                        humanize(last)
                    }
                });
            let id = SectionId(sections.len() as u32);
            if let Some(p) = parent {
                sections[p.index()].subsections.push(id);
            }
            if dir.is_empty() {
                homes.push(id);
            }
            section_index.insert((dir.clone(), lang.clone()), id);
            sections.push(Section {
                id,
                file,
                lang: lang.clone(),
                dir: dir.clone(),
                url,
                output_dir,
                title,
                parent,
                subsections: Vec::new(),
                pages: Vec::new(),
                translations: Vec::new(),
                paginate_by: front
                    .and_then(|f| f.paginate_by)
                    .or_else(|| default_front.and_then(|f| f.paginate_by))
                    .unwrap_or(config.paginate_by)
                    .max(1),
            });
        }
    }
    // Section translations.
    let mut by_dir: BTreeMap<&str, Vec<SectionId>> = BTreeMap::new();
    for s in &sections {
        by_dir.entry(s.dir.as_str()).or_default().push(s.id);
    }
    let section_translations: Vec<(SectionId, Vec<SectionId>)> = by_dir
        .values()
        .flat_map(|ids| ids.iter().map(move |id| (*id, ids.clone())))
        .collect();
    for (id, t) in section_translations {
        sections[id.index()].translations = t;
    }

    // Pages.
    let mut bundle_index: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, b) in bundle_files.iter().enumerate() {
        bundle_index.entry(b.bundle.as_str()).or_default().push(i);
    }
    let mut pages: Vec<Page> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        if f.kind == FileKind::Section || !included[i] {
            continue;
        }
        let dir = match f.kind {
            FileKind::Bundle => f.group.rsplit_once('/').map_or("", |(d, _)| d),
            _ => f.dir(),
        };
        let Some(&section) = section_index.get(&(dir.to_string(), f.lang.clone())) else {
            continue;
        };
        let stem = f.group.rsplit('/').next().unwrap_or(&f.group);
        let slug = f
            .front
            .slug
            .as_deref()
            .map(slug::slugify)
            .unwrap_or_else(|| slug::slugify(stem));
        let s = &sections[section.index()];
        let (slug, url, output_dir) = match &f.front.path {
            // Zola's `path`: below the language's home, whatever the folders.
            Some(p) => {
                let home = &sections[section_index[&(String::new(), f.lang.clone())].index()];
                // Zola's `path` starts at the site root, so its translations
                // write their language (`/es/about`): that prefix is the home's.
                let p = p.trim_start_matches('/');
                let code = f.lang.as_str();
                let p = p
                    .strip_prefix(code)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .filter(|_| home.url.as_str().ends_with(&format!("/{code}/")))
                    .unwrap_or(p);
                let last = p.rsplit('/').next().unwrap_or(p).to_string();
                (
                    last,
                    UrlPath::new(format!("{}{p}/", home.url)),
                    format!("{}/{p}", home.output_dir)
                        .trim_start_matches('/')
                        .to_string(),
                )
            }
            None => {
                let url = UrlPath::new(format!("{}{}/", s.url, slug));
                let output_dir = join_dir(&s.output_dir, &slug);
                (slug, url, output_dir)
            }
        };
        let title = f.front.title.clone().unwrap_or_else(|| humanize(stem));
        let id = PageId(pages.len() as u32);
        pages.push(Page {
            id,
            file: i,
            lang: f.lang.clone(),
            section,
            slug,
            url,
            output_dir,
            title,
            translations: Vec::new(),
            prev: None,
            next: None,
            terms: Vec::new(),
            bundle_files: if f.kind == FileKind::Bundle {
                bundle_index
                    .get(f.group.as_str())
                    .cloned()
                    .unwrap_or_default()
            } else {
                Vec::new()
            },
        });
    }

    // Translations: pages sharing a group, in language order.
    let mut groups: BTreeMap<&str, Vec<PageId>> = BTreeMap::new();
    for p in &pages {
        groups
            .entry(files[p.file].group.as_str())
            .or_default()
            .push(p.id);
    }
    for ids in groups.values_mut() {
        ids.sort_by_key(|id| lang_order(&pages[id.index()].lang));
    }
    for ids in groups.values() {
        for id in ids {
            pages[id.index()].translations = ids.clone();
        }
    }

    // Section page lists, sorted, with previous/next.
    for p in &pages {
        sections[p.section.index()].pages.push(p.id);
    }
    for s in &mut sections {
        let sort_by = s
            .file
            .and_then(|f| files[f].front.sort_by)
            .or_else(|| {
                section_files
                    .get(&(s.dir.as_str(), &config.default_language))
                    .and_then(|f| files[*f].front.sort_by)
            })
            .unwrap_or_default();
        sort_pages(&mut s.pages, sort_by, &pages, &files);
        for w in s.pages.windows(2) {
            pages[w[0].index()].next = Some(w[1]);
            pages[w[1].index()].prev = Some(w[0]);
        }
    }
    let subsection_keys: Vec<Vec<(i64, String)>> = sections
        .iter()
        .map(|s| {
            s.subsections
                .iter()
                .map(|c| {
                    let c = &sections[c.index()];
                    let w = c
                        .file
                        .and_then(|f| files[f].front.weight)
                        .unwrap_or(i64::MAX);
                    (w, c.dir.clone())
                })
                .collect()
        })
        .collect();
    for (s, keys) in sections.iter_mut().zip(subsection_keys) {
        let mut pairs: Vec<_> = keys
            .into_iter()
            .zip(s.subsections.iter().copied())
            .collect();
        pairs.sort();
        s.subsections = pairs.into_iter().map(|(_, id)| id).collect();
    }

    // Taxonomies, per language.
    let mut taxonomies = Vec::new();
    let mut aliases = Vec::new();
    for (ti, tc) in config.taxonomies.iter().enumerate() {
        for language in &config.languages {
            let lang = &language.code;
            let tax_slug = tc.slug(lang);
            let output_dir = join_dir(config.lang_dir(lang), tax_slug);
            let url = UrlPath::new(format!("{}{output_dir}/", config.base_path));
            // slug → (key, name, pages). A declared term has its own name and
            // slug per language; a free one is named as the page writes it.
            let mut terms: BTreeMap<String, (String, String, Vec<PageId>)> = BTreeMap::new();
            for p in pages.iter().filter(|p| &p.lang == lang) {
                if let Some(names) = files[p.file].front.taxonomies.get(&tc.name) {
                    for name in names {
                        let (key, name, slug) = match tc.terms.iter().find(|t| &t.key == name) {
                            Some(t) => (t.key.clone(), t.name(lang).to_string(), t.slug(lang)),
                            None if !tc.terms.is_empty() && !tc.open => continue,
                            None => (slug::slugify(name), name.clone(), slug::slugify(name)),
                        };
                        if slug.is_empty() {
                            continue;
                        }
                        let entry = terms.entry(slug).or_insert_with(|| (key, name, Vec::new()));
                        if entry.2.last() != Some(&p.id) {
                            entry.2.push(p.id);
                        }
                    }
                }
            }
            let tax_index = taxonomies.len();
            let terms: Vec<Term> = terms
                .into_iter()
                .enumerate()
                .map(|(term_index, (slug, (key, name, mut ids)))| {
                    sort_pages(&mut ids, SortBy::Date, &pages, &files);
                    for id in &ids {
                        pages[id.index()].terms.push((tax_index, term_index));
                    }
                    Term {
                        key,
                        url: UrlPath::new(format!("{url}{slug}/")),
                        output_dir: join_dir(&output_dir, &slug),
                        name,
                        slug,
                        pages: ids,
                    }
                })
                .collect();
            // A declared term addressed in a language by a slug of its own
            // was addressed by its key before (`/nb/stikkord/culture/` before
            // `/nb/stikkord/kultur/`): the old address keeps working.
            for t in &terms {
                let old = slug::slugify(&t.key);
                if tc.terms.iter().any(|d| d.key == t.key)
                    && old != t.slug
                    && !old.is_empty()
                    && !terms.iter().any(|o| o.slug == old)
                {
                    aliases.push(Alias {
                        output_path: join_dir(&join_dir(&output_dir, &old), "index.html"),
                        target: t.url.clone(),
                        source: SourcePath::new(crate::config::CONFIG_FILE),
                    });
                }
            }
            taxonomies.push(Taxonomy {
                config: ti,
                name: tc.name.clone(),
                lang: lang.clone(),
                url,
                output_dir,
                terms,
                paginate_by: tc.paginate_by.unwrap_or(config.paginate_by).max(1),
                feed: tc.feed,
            });
        }
    }

    // Aliases: redirect pages at old URLs.
    for p in &pages {
        let f = &files[p.file];
        for alias in &f.front.aliases {
            let clean = alias.trim_start_matches('/');
            if clean.split('/').any(|seg| seg == ".." || seg == ".")
                || clean.contains('\\')
                || clean.is_empty()
            {
                diags.push(
                    Diagnostic::error(
                        &f.source,
                        find_key(&f.text, "aliases", 1),
                        format!("alias `{alias}` must be a path inside the site"),
                    )
                    .with_help("write the old URL's path, such as `aliases = [\"/en/old-name/\"]`"),
                );
                continue;
            }
            let output_path = if clean.ends_with(".html") {
                clean.to_string()
            } else {
                format!("{}/index.html", clean.trim_end_matches('/'))
            };
            aliases.push(Alias {
                output_path,
                target: p.url.clone(),
                source: f.source.clone(),
            });
        }
    }

    let collections = collections::index(&config, &files, &pages, options.now, diags);
    let links = links::LinkIndex::new(&files, &included, &pages);
    let translation_sources = translations::sources(&config, &files);
    let site = Site {
        config,
        files,
        bundle_files,
        pages,
        sections,
        taxonomies,
        aliases,
        homes,
        collections,
        now: options.now,
        translation_sources,
        section_index,
        links,
    };
    check_output_collisions(&site, diags);
    site
}

fn sort_pages(
    ids: &mut [PageId],
    sort_by: SortBy,
    pages: &[Page],
    files: &[std::sync::Arc<ContentFile>],
) {
    let front = |id: &PageId| &files[pages[id.index()].file].front;
    let rel = |id: &PageId| files[pages[id.index()].file].rel.as_str();
    match sort_by {
        SortBy::Date => ids.sort_by(|a, b| {
            // Newest first; undated pages last; ties by path, so the order is stable.
            let (da, db) = (front(a).date.as_ref(), front(b).date.as_ref());
            match (da, db) {
                (Some(x), Some(y)) => y.timestamp().cmp(&x.timestamp()),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| rel(a).cmp(rel(b)))
        }),
        SortBy::Weight => ids.sort_by(|a, b| {
            let (wa, wb) = (
                front(a).weight.unwrap_or(i64::MAX),
                front(b).weight.unwrap_or(i64::MAX),
            );
            wa.cmp(&wb).then_with(|| rel(a).cmp(rel(b)))
        }),
        SortBy::Title => ids.sort_by(|a, b| {
            let (ta, tb) = (&pages[a.index()].title, &pages[b.index()].title);
            ta.to_lowercase()
                .cmp(&tb.to_lowercase())
                .then_with(|| rel(a).cmp(rel(b)))
        }),
        SortBy::None => ids.sort_by(|a, b| rel(a).cmp(rel(b))),
        SortBy::Slug => ids.sort_by(|a, b| {
            let (sa, sb) = (&pages[a.index()].slug, &pages[b.index()].slug);
            sa.cmp(sb).then_with(|| rel(a).cmp(rel(b)))
        }),
        SortBy::TitleBytes => ids.sort_by(|a, b| {
            let (ta, tb) = (&pages[a.index()].title, &pages[b.index()].title);
            ta.cmp(tb).then_with(|| rel(a).cmp(rel(b)))
        }),
        SortBy::UpdateDate => ids.sort_by(|a, b| {
            // Newest `updated` (or `date`) first, as Zola sorts; undated last.
            let when = |id: &PageId| {
                let f = front(id);
                f.updated
                    .as_ref()
                    .or(f.date.as_ref())
                    .map(|d| d.timestamp())
            };
            match (when(a), when(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| rel(a).cmp(rel(b)))
        }),
    }
}

/// Two things on one URL: the error names both files.
fn check_output_collisions(site: &Site, diags: &mut Diagnostics) {
    let mut seen: FxHashMap<String, SourcePath> = FxHashMap::default();
    let config_path = SourcePath::new(crate::config::CONFIG_FILE);
    // Point at the `slug` line of the file, when a slug is what put it there,
    // else at the file's start: its name is what put it there.
    let slug_pos = |source: &SourcePath| {
        site.files
            .iter()
            .find(|f| &f.source == source)
            .map(|f| find_key(&f.text[..f.body_start], "slug", 1).unwrap_or(Pos::new(1, 1)))
    };
    // With the default language at the root, its folders and the other
    // languages' homes share the top level: say so where they meet.
    let config = &site.config;
    let help = |path: &str| match path.split_once('/') {
        Some((top, _))
            if config.default_language_at_root
                && config
                    .lang(top)
                    .is_some_and(|l| l != config.default_language) =>
        {
            format!(
                "`default_language_at_root` puts the {} pages at the root, beside `/{top}/`, \
                 the `{top}` pages' home: give the folder another `slug`, or rename it",
                config.default_language.as_str()
            )
        }
        _ => "give one of them another `slug`, or move it".to_string(),
    };
    let mut claim = |path: String, source: &SourcePath, diags: &mut Diagnostics| {
        if let Some(first) = seen.get(&path) {
            let (a, b) = if first <= source {
                (first, source)
            } else {
                (source, first)
            };
            diags.push(
                Diagnostic::error(
                    b,
                    slug_pos(b),
                    format!(
                        "`{b}` and `{a}` are both published at `/{}`",
                        path.strip_suffix("index.html").unwrap_or(&path)
                    ),
                )
                .with_help(help(&path)),
            );
        } else {
            seen.insert(path, source.clone());
        }
    };
    for s in &site.sections {
        let source = s.file.map_or(&config_path, |f| &site.files[f].source);
        for n in 1..=s.pager_count() {
            claim(join_dir(&s.pager(n).1, "index.html"), source, diags);
        }
    }
    for p in &site.pages {
        claim(
            join_dir(&p.output_dir, "index.html"),
            &site.files[p.file].source,
            diags,
        );
        for b in &p.bundle_files {
            claim(
                join_dir(&p.output_dir, &site.bundle_files[*b].name),
                &site.files[p.file].source,
                diags,
            );
        }
    }
    for t in &site.taxonomies {
        claim(join_dir(&t.output_dir, "index.html"), &config_path, diags);
    }
    for a in &site.aliases {
        claim(a.output_path.clone(), &a.source, diags);
    }
}

/// `find-a-job` → `Find a job`: a title for files that have none.
fn humanize(stem: &str) -> String {
    let s = stem.replace(['-', '_'], " ");
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}
