//! Stage 1, config: `site.toml` → validated [`Config`]. Reads one file; every
//! problem in it is a diagnostic with line and column, and the build stops.

pub mod collections;
pub mod deploy;
pub mod editor;
pub mod map;
mod raw;
pub mod search;

use std::path::{Path, PathBuf};

use icu_locale_core::Locale;
use indexmap::IndexMap;

use crate::diag::{
    Diagnostic, Diagnostics, did_you_mean, find_key, find_key_from, pos_of, serde_help,
};
use crate::error::{Error, Result};
use crate::fs;
use crate::model::fields::Collection;
use crate::model::{ImageFormat, Lang, SourcePath};
use raw::RawConfig;

pub const CONFIG_FILE: &str = "site.toml";
/// Data files the config names (the base map): a change to one is a change to
/// every page that shows it, as a change to the config is.
pub const DATA_DIR: &str = "data";

#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    /// Scheme and host, and the base path without its trailing slash:
    /// `https://example.org` or `https://example.org/region`.
    pub base_url: String,
    /// The path part of the base URL, with slashes on both ends: `/` or `/region/`.
    pub base_path: String,
    pub default_language: Lang,
    /// The default language's pages at the root (`/about/`) rather than
    /// under its code (`/en/about/`): what a site that moves from Zola or
    /// Hugo had, so that its URLs stay (issue 20).
    pub default_language_at_root: bool,
    /// The site's languages, the default one first, then in `site.toml` order.
    pub languages: Vec<Language>,
    pub theme: Option<String>,
    pub time_zone: jiff::tz::TimeZone,
    pub paginate_by: usize,
    pub feed_limit: usize,
    pub menu: Vec<String>,
    pub taxonomies: Vec<TaxonomyConfig>,
    /// Sections whose pages have typed fields (`[collections.NAME]`).
    pub collections: Vec<Collection>,
    pub images: ImageConfig,
    pub assets: AssetConfig,
    /// `[search]`: the search index (off when `site.toml` has no `[search]`).
    pub search: search::SearchConfig,
    /// `[deploy]`: where `polis deploy` publishes, and with which headers.
    pub deploy: deploy::DeployConfig,
    /// `[editor]`: the web editor at `/admin/` (off without `[editor]`).
    pub editor: editor::EditorConfig,
    /// `[map]`: the land and waters under the maps' points.
    pub map: map::MapConfig,
    /// `[extra]`: anything, for the templates; plain data until they read it.
    pub extra: serde_json::Value,
}

/// How photos are published: `[images]` in site.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageConfig {
    /// Ascending, without repeats.
    pub widths: Vec<u32>,
    /// The modern formats, in the order browsers are offered them; a JPEG (or,
    /// for images with transparency, PNG) fallback always follows.
    pub formats: Vec<ImageFormat>,
    pub quality: u8,
    /// `quality` unless the site sets its own.
    pub avif_quality: u8,
    /// AVIF variants are made up to this width only: AVIF saves the most
    /// bytes on phones, and costs by far the most time on wide photos.
    pub avif_max_width: u32,
    pub sizes: String,
    pub placeholder: Placeholder,
    pub publish_originals: bool,
    pub max_file_bytes: u64,
    pub max_pixels: u64,
    /// Absolute; never inside a folder `serve` watches.
    pub cache_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// A tiny image, inlined, that the browser scales up (and so blurs).
    Blur,
    /// The photo's average colour.
    Color,
    None,
}

/// Stylesheets and scripts: `[assets]` in site.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetConfig {
    pub integrity: bool,
    pub minify: bool,
}

/// The default folder for cached image variants, relative to the site root.
pub const DEFAULT_CACHE_DIR: &str = ".polis-cache";

/// Folders under the site root whose files are sources (`serve` watches them):
/// nothing polis writes may go into them.
pub const SOURCE_DIRS: &[&str] = &["content", "templates", "themes", "assets", "i18n"];

/// Whether `dir` (absolute) is inside one of the site's source folders, or is
/// the site root itself.
pub fn is_in_sources(root: &Path, dir: &Path) -> bool {
    let Ok(rel) = dir.strip_prefix(root) else {
        return false;
    };
    match rel.components().next() {
        None => true,
        Some(first) => SOURCE_DIRS
            .iter()
            .any(|d| first.as_os_str() == std::ffi::OsStr::new(d)),
    }
}

/// Normalizes `.` and `..` away without touching the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Checks a cache folder (from site.toml, `--cache-dir` or `POLIS_CACHE_DIR`)
/// and makes it absolute.
pub fn cache_dir_of(root: &Path, dir: &Path) -> std::result::Result<PathBuf, String> {
    let full = lexical(&root.join(dir));
    if is_in_sources(root, &full) {
        return Err(format!(
            "the cache folder `{}` is inside the site's sources; `serve` watches them and would rebuild when the cache changes",
            dir.display()
        ));
    }
    Ok(full)
}

#[derive(Debug, Clone)]
pub struct Language {
    pub code: Lang,
    pub name: String,
    pub title: String,
    pub description: String,
    pub locale: Locale,
    /// The script's direction, `"ltr"` or `"rtl"`, from CLDR's data for the
    /// locale (issue 20): `<html dir>` and the switcher's links.
    pub dir: &'static str,
}

#[derive(Debug, Clone)]
pub struct TaxonomyConfig {
    pub name: String,
    pub feed: bool,
    pub paginate_by: Option<usize>,
    slugs: Vec<(Lang, String)>,
    /// Declared terms (the topics); empty for free terms (tags).
    pub terms: Vec<DeclaredTerm>,
    /// Pages may also use terms that are not declared (issue 21: tags with
    /// Norwegian names on /nb/, new tags still free).
    pub open: bool,
}

/// A term with a stable key and a name and slug per language.
#[derive(Debug, Clone)]
pub struct DeclaredTerm {
    pub key: String,
    names: Vec<(Lang, String)>,
    slugs: Vec<(Lang, String)>,
}

impl DeclaredTerm {
    pub fn name(&self, lang: &Lang) -> &str {
        self.names
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(self.key.as_str(), |(_, n)| n.as_str())
    }

    pub fn slug(&self, lang: &Lang) -> String {
        self.slugs
            .iter()
            .find(|(l, _)| l == lang)
            .map(|(_, s)| slug::slugify(s))
            .unwrap_or_else(|| slug::slugify(self.name(lang)))
    }
}

impl TaxonomyConfig {
    /// The URL segment of this taxonomy in `lang`.
    pub fn slug(&self, lang: &Lang) -> &str {
        self.slugs
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(self.name.as_str(), |(_, s)| s.as_str())
    }
}

impl Config {
    pub fn language(&self, lang: &Lang) -> Option<&Language> {
        self.languages.iter().find(|l| &l.code == lang)
    }

    /// Where `lang`'s pages go, below the base path: `en` (its home is
    /// `/en/`), or `` for the default language at the root.
    pub fn lang_dir<'a>(&self, lang: &'a Lang) -> &'a str {
        if self.default_language_at_root && *lang == self.default_language {
            ""
        } else {
            lang.as_str()
        }
    }

    /// The text direction of `lang` (see [`Language::dir`]); `"ltr"` for a
    /// language the site does not have.
    pub fn dir_of(&self, lang: &Lang) -> &'static str {
        self.language(lang).map_or("ltr", |l| l.dir)
    }

    /// The site's language with this code, if it has one.
    pub fn lang(&self, code: &str) -> Option<Lang> {
        self.languages
            .iter()
            .find(|l| l.code.as_str() == code)
            .map(|l| l.code.clone())
    }

    /// The collection a content file (path relative to `content/`) belongs to.
    pub fn collection_of(&self, rel: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.contains(rel))
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    pub fn taxonomy(&self, name: &str) -> Option<&TaxonomyConfig> {
        self.taxonomies.iter().find(|t| t.name == name)
    }

    /// The absolute URL of a root-relative URL path.
    pub fn permalink(&self, url: &str) -> String {
        let origin_end = self.base_url.len() - (self.base_path.len() - 1);
        format!("{}{url}", &self.base_url[..origin_end])
    }

    pub fn with_base_url(mut self, base_url: &str) -> std::result::Result<Self, String> {
        let (url, path) = split_base_url(base_url)?;
        self.base_url = url;
        self.base_path = path;
        Ok(self)
    }
}

/// Walks up from `start` to the first folder holding `site.toml`.
pub fn find_root(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NoSiteRoot(start.to_path_buf()))
}

/// Reads and validates `root/site.toml`. Problems go to `diags`; the result is
/// `Err(Error::Diagnostics)` when there were any errors.
pub fn load_config(root: &Path, diags: &mut Diagnostics) -> Result<Config> {
    let text = fs::read_to_string(&root.join(CONFIG_FILE))?;
    let before = diags.error_count();
    let config = parse_config(root, &text, diags);
    match config {
        Some(c) if diags.error_count() == before => Ok(c),
        _ => Err(Error::Diagnostics),
    }
}

pub(crate) fn parse_config(root: &Path, text: &str, diags: &mut Diagnostics) -> Option<Config> {
    let path = SourcePath::new(CONFIG_FILE);
    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let pos = e.span().map(|s| pos_of(text, s.start));
            let message = e.message().to_string();
            let mut d = Diagnostic::error(&path, pos, message.clone());
            if let Some(help) = serde_help(&message) {
                d = d.with_help(help);
            }
            // `[[languages]]` where `[languages.en]` is meant: a list of tables
            // for a table of tables.
            let line = e.span().and_then(|s| text[s.start..].lines().next());
            if let Some(name) = line
                .and_then(|l| l.trim().strip_prefix("[["))
                .and_then(|l| l.strip_suffix("]]"))
                .filter(|_| message.contains("expected a map"))
            {
                let example = if name == "languages" {
                    " such as `[languages.en]`"
                } else {
                    ""
                };
                d = d.with_help(format!(
                    "write each entry as a table named by its key, `[{name}.KEY]`{example}, not `[[{name}]]`"
                ));
            }
            diags.push(d);
            return None;
        }
    };
    let at = |key: &str| find_key(text, key, 1);
    let mut ok = true;
    let mut error = |d: Diagnostic| {
        ok = false;
        diags.push(d);
    };

    let (base_url, base_path) = match split_base_url(&raw.base_url) {
        Ok(v) => v,
        Err(msg) => {
            error(Diagnostic::error(&path, at("base_url"), msg));
            (String::new(), "/".into())
        }
    };

    let site_title = raw.title.clone().unwrap_or_default();
    let site_description = raw.description.clone().unwrap_or_default();
    let mut languages = Vec::new();
    let mut raw_langs: Vec<(String, raw::RawLanguage)> = raw.languages.into_iter().collect();
    if !raw_langs
        .iter()
        .any(|(code, _)| *code == raw.default_language)
    {
        if raw_langs.is_empty() {
            raw_langs.push((
                raw.default_language.clone(),
                raw::RawLanguage {
                    name: None,
                    title: None,
                    description: None,
                    locale: None,
                },
            ));
        } else {
            let codes: Vec<&str> = raw_langs.iter().map(|(c, _)| c.as_str()).collect();
            let mut d = Diagnostic::error(
                &path,
                at("default_language"),
                format!(
                    "`default_language` is `{}`, but `[languages]` has no such language",
                    raw.default_language
                ),
            );
            if let Some(best) = did_you_mean(&raw.default_language, codes.iter().copied()) {
                d = d.with_help(format!("did you mean `{best}`?"));
            }
            error(d.with_help(format!(
                "add a `[languages.{}]` table",
                raw.default_language
            )));
        }
    }
    // The default language first, the others in file order.
    raw_langs.sort_by_key(|(code, _)| *code != raw.default_language);
    for (code, lang) in raw_langs {
        if !is_language_code(&code) {
            error(
                Diagnostic::error(
                    &path,
                    find_key(text, &format!("[languages.{code}]"), 1).or(at("languages")),
                    format!("`{code}` is not a language code"),
                )
                .with_help("use a BCP 47 code such as `en`, `nb` or `pt-BR`"),
            );
            continue;
        }
        let locale_str = lang.locale.clone().unwrap_or_else(|| code.clone());
        let locale = match locale_str.parse::<Locale>() {
            Ok(l) => l,
            Err(_) => {
                error(Diagnostic::error(
                    &path,
                    at("locale"),
                    format!("`{locale_str}` is not a locale"),
                ));
                Locale::UNKNOWN
            }
        };
        languages.push(Language {
            code: Lang::new(&code),
            name: lang.name.unwrap_or_else(|| code.clone()),
            title: lang.title.unwrap_or_else(|| site_title.clone()),
            description: lang.description.unwrap_or_else(|| site_description.clone()),
            dir: text_direction(&locale),
            locale,
        });
    }

    let time_zone_name = raw.time_zone.as_deref().unwrap_or("Europe/Oslo");
    let time_zone = match jiff::tz::TimeZone::get(time_zone_name) {
        Ok(tz) => tz,
        Err(_) => {
            error(
                Diagnostic::error(
                    &path,
                    at("time_zone"),
                    format!("`{time_zone_name}` is not a known time zone"),
                )
                .with_help("use an IANA name such as `Europe/Oslo`"),
            );
            jiff::tz::TimeZone::UTC
        }
    };

    let mut taxonomies: Vec<TaxonomyConfig> = Vec::new();
    for t in raw.taxonomies {
        if slug::slugify(&t.name) != t.name {
            error(
                Diagnostic::error(
                    &path,
                    find_key(text, "name", 1),
                    format!("taxonomy name `{}` must be a lowercase slug", t.name),
                )
                .with_help(format!("use `{}`", slug::slugify(&t.name))),
            );
        }
        let mut slugs = Vec::new();
        for (code, s) in t.slug {
            match languages.iter().find(|l| l.code.as_str() == code) {
                Some(l) => slugs.push((l.code.clone(), s)),
                None => error(Diagnostic::error(
                    &path,
                    find_key(text, "slug", 1),
                    format!(
                        "taxonomy `{}` has a slug for `{code}`, which is not a language of the site",
                        t.name
                    ),
                )),
            }
        }
        let mut terms = Vec::new();
        for (key, term) in t.terms {
            let mut per_lang = |map: IndexMap<String, String>, what: &str| {
                let mut out = Vec::new();
                for (code, v) in map {
                    match languages.iter().find(|l| l.code.as_str() == code) {
                        Some(l) => out.push((l.code.clone(), v)),
                        None => error(Diagnostic::error(
                            &path,
                            find_key(text, &format!("[taxonomies.terms.{key}]"), 1)
                                .or_else(|| find_key(text, what, 1)),
                            format!(
                                "the term `{key}` has a {what} for `{code}`, which is not a language of the site"
                            ),
                        )),
                    }
                }
                out
            };
            let names = per_lang(term.name, "name");
            let slugs = per_lang(term.slug, "slug");
            terms.push(DeclaredTerm { key, names, slugs });
        }
        taxonomies.push(TaxonomyConfig {
            name: t.name,
            feed: t.feed,
            paginate_by: t.paginate_by,
            slugs,
            terms,
            open: t.open,
        });
    }

    if raw.paginate_by == Some(0) {
        error(
            Diagnostic::error(&path, at("paginate_by"), "`paginate_by` must be at least 1")
                .with_help("remove the key to use the default of 10"),
        );
    }

    let (collections, schema_errors) =
        collections::collections_from_raw(raw.collections, &time_zone);
    for (name, e) in schema_errors {
        let header = format!("[collections.{name}");
        let start = text.find(&header).unwrap_or(0);
        let key = e.key.rsplit('.').next().unwrap_or(&e.key);
        let pos = find_key_from(text, start, key).or(Some(pos_of(text, start)));
        let mut d = Diagnostic::error(&path, pos, format!("collection `{name}`: {}", e.message));
        if let Some(h) = e.help {
            d = d.with_help(h);
        }
        error(d);
    }
    for (i, c) in collections.iter().enumerate() {
        if collections[..i].iter().any(|o| o.folder == c.folder) {
            error(Diagnostic::error(
                &path,
                find_key(text, "folder", 1),
                format!("two collections use the folder `content/{}`", c.folder),
            ));
        }
    }
    let (search, search_errors) = search::search_from_raw(raw.search, &taxonomies, &collections);
    for e in search_errors {
        // Every mistake `[search]` can have is in a filter.
        let start = text
            .find("[search.filters")
            .or_else(|| text.find("[search"))
            .unwrap_or(0);
        let pos = find_key_from(text, start, &e.key).or(Some(pos_of(text, start)));
        error(Diagnostic::error(&path, pos, e.message).with_help(e.help));
    }
    let images = image_config(root, &raw.images, text, &mut error);
    let assets = AssetConfig {
        integrity: raw.assets.integrity.unwrap_or(false),
        minify: raw.assets.minify.unwrap_or(true),
    };

    let (deploy, deploy_errors) = deploy::deploy_from_raw(raw.deploy);
    for e in deploy_errors {
        let start = match &e.target {
            Some(name) => text.find(&format!("[deploy.targets.{name}]")),
            None => text.find("[deploy"),
        }
        .unwrap_or(0);
        let pos = find_key_from(text, start, e.key).or(Some(pos_of(text, start)));
        let mut d = Diagnostic::error(&path, pos, e.message);
        if let Some(h) = e.help {
            d = d.with_help(h);
        }
        error(d);
    }

    let (editor, editor_errors) = editor::editor_from_raw(raw.editor);
    for e in editor_errors {
        let start = text.find("[editor]").unwrap_or(0);
        let pos = find_key_from(text, start, e.key).or(Some(pos_of(text, start)));
        let mut d = Diagnostic::error(&path, pos, e.message);
        if let Some(h) = e.help {
            d = d.with_help(h);
        }
        error(d);
    }

    let default_language = Lang::new(&raw.default_language);
    ok.then(|| Config {
        root: root.to_path_buf(),
        base_url,
        base_path,
        default_language,
        default_language_at_root: raw.default_language_at_root,
        languages,
        theme: raw.theme,
        time_zone,
        paginate_by: raw.paginate_by.unwrap_or(10),
        feed_limit: raw.feed_limit.unwrap_or(20),
        menu: raw.menu,
        taxonomies,
        collections,
        images,
        assets,
        search,
        deploy,
        editor,
        map: raw.map.into(),
        extra: raw.extra,
    })
}

/// `[images]` checked, with defaults for what it leaves out.
fn image_config(
    root: &Path,
    raw: &raw::RawImages,
    text: &str,
    error: &mut impl FnMut(Diagnostic),
) -> ImageConfig {
    let path = SourcePath::new(CONFIG_FILE);
    let at = |key: &str| find_key(text, key, 1);
    let mut widths = raw.widths.clone().unwrap_or_else(|| vec![480, 960, 1920]);
    if widths.is_empty() || widths.iter().any(|w| !(16..=8192).contains(w)) {
        error(
            Diagnostic::error(
                &path,
                at("widths"),
                "`images.widths` must list widths from 16 to 8192 pixels",
            )
            .with_help("for example `widths = [480, 960, 1920]`"),
        );
        widths = vec![480, 960, 1920];
    }
    widths.sort_unstable();
    widths.dedup();
    let mut formats = Vec::new();
    let default_formats: &[&str] = if cfg!(feature = "avif") {
        &["avif", "webp"]
    } else {
        &["webp"]
    };
    let names: Vec<String> = raw
        .formats
        .clone()
        .unwrap_or_else(|| default_formats.iter().map(|s| s.to_string()).collect());
    for name in &names {
        let format = match name.as_str() {
            "webp" => ImageFormat::Webp,
            "avif" if cfg!(feature = "avif") => ImageFormat::Avif,
            "avif" => {
                error(
                    Diagnostic::error(
                        &path,
                        at("formats"),
                        "this polis was built without AVIF support",
                    )
                    .with_help("remove `avif` from `images.formats`, or build polis with its default features"),
                );
                continue;
            }
            other => {
                error(
                    Diagnostic::error(
                        &path,
                        at("formats"),
                        format!(
                            "`{other}` is not an image format polis writes as a modern variant"
                        ),
                    )
                    .with_help("use `avif` and `webp`; a JPEG or PNG fallback is always written"),
                );
                continue;
            }
        };
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    // Read as any integer, so that 300 or -5 gets this message rather than
    // serde's "expected u8".
    let mut quality_of = |key: &str, v: Option<i64>, default: u8| match v {
        Some(q @ 1..=100) => q as u8,
        None => default,
        Some(q) => {
            error(Diagnostic::error(
                &path,
                at(key),
                format!("`images.{key}` must be from 1 to 100, found {q}"),
            ));
            default
        }
    };
    let quality = quality_of("quality", raw.quality, 75);
    // ravif's scale is close to libwebp's: on photographs, AVIF at a quality
    // scores what WebP at the same quality scores (SSIM within 1 from 60 to
    // 90, butteraugli better by 3 to 6; bench/quality_map.py). So one number
    // gives every reader the same picture, whichever format the browser takes.
    let avif_quality = quality_of("avif_quality", raw.avif_quality, quality);
    let placeholder = match raw.placeholder.as_deref() {
        None | Some("blur") => Placeholder::Blur,
        Some("color") => Placeholder::Color,
        Some("none") => Placeholder::None,
        Some(other) => {
            error(Diagnostic::error(
                &path,
                at("placeholder"),
                format!("`images.placeholder` is `{other}`; use `blur`, `color` or `none`"),
            ));
            Placeholder::Blur
        }
    };
    let mut positive = |key: &str, v: Option<f64>, default: f64| match v {
        Some(x) if x > 0.0 && x.is_finite() => x,
        None => default,
        Some(x) => {
            error(Diagnostic::error(
                &path,
                at(key),
                format!("`images.{key}` must be more than 0, found {x}"),
            ));
            default
        }
    };
    let max_file_bytes = (positive("max_file_mb", raw.max_file_mb, 10.0) * 1e6) as u64;
    let max_pixels = (positive("max_megapixels", raw.max_megapixels, 40.0) * 1e6) as u64;
    let cache = raw.cache_dir.as_deref().unwrap_or(DEFAULT_CACHE_DIR);
    let cache_dir = match cache_dir_of(root, Path::new(cache)) {
        Ok(dir) => dir,
        Err(msg) => {
            error(
                Diagnostic::error(&path, at("cache_dir"), msg).with_help(format!(
                    "use a folder of its own, such as `{DEFAULT_CACHE_DIR}`"
                )),
            );
            root.join(DEFAULT_CACHE_DIR)
        }
    };
    ImageConfig {
        widths,
        formats,
        quality,
        avif_quality,
        avif_max_width: raw.avif_max_width.unwrap_or(1280),
        sizes: raw
            .sizes
            .clone()
            .unwrap_or_else(|| "(min-width: 48rem) 44rem, 100vw".into()),
        placeholder,
        publish_originals: raw.publish_originals.unwrap_or(false),
        max_file_bytes,
        max_pixels,
        cache_dir,
    }
}

/// `https://example.org/region/` → (`https://example.org/region`, `/region/`).
fn split_base_url(url: &str) -> std::result::Result<(String, String), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            format!("`base_url` must start with `https://` or `http://`, found `{url}`")
        })?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return Err(format!("`base_url` has no host: `{url}`"));
    }
    let path = path.trim_matches('/');
    let base_path = if path.is_empty() {
        "/".to_string()
    } else {
        format!("/{path}/")
    };
    let trimmed = url.trim_end_matches('/').to_string();
    Ok((trimmed, base_path))
}

/// A BCP 47-shaped code: a 2-3 letter lowercase language, optionally a region or
/// script (`en`, `nb`, `pt-BR`, `zh-Hant`).
pub fn is_language_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// `"rtl"` for a locale whose script is written right to left (Arabic,
/// Hebrew, Persian, Urdu… as CLDR says, the script inferred from the
/// language where the locale names none), else `"ltr"`.
fn text_direction(locale: &Locale) -> &'static str {
    if icu_locale::LocaleDirectionality::new_common().is_right_to_left(&locale.id) {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<Config>, Vec<String>) {
        let mut diags = Diagnostics::default();
        let c = parse_config(Path::new("/site"), text, &mut diags);
        (c, diags.sorted().iter().map(ToString::to_string).collect())
    }

    /// Regression: a quality of 300 or -5 got serde's "expected u8" and no
    /// word of the range the setting takes.
    #[test]
    fn an_image_quality_out_of_range_names_the_range_at_its_line() {
        for value in ["300", "-5", "0"] {
            let (_, d) = parse(&format!(
                "base_url = \"https://x.example/\"\ntitle = \"X\"\n[images]\nquality = {value}\n"
            ));
            assert_eq!(
                d,
                [format!(
                    "site.toml:4:1: error: `images.quality` must be from 1 to 100, found {value}"
                )],
            );
        }
    }

    #[test]
    fn base_url_splits_into_origin_and_path() {
        assert_eq!(
            split_base_url("https://example.org/").unwrap(),
            ("https://example.org".into(), "/".into())
        );
        assert_eq!(
            split_base_url("https://example.org/region").unwrap(),
            ("https://example.org/region".into(), "/region/".into())
        );
        assert!(split_base_url("example.org").is_err());
    }

    #[test]
    fn permalink_keeps_the_base_path_once() {
        let (c, _) = parse("base_url = \"https://x.org/region/\"\n");
        let c = c.unwrap();
        assert_eq!(c.permalink("/region/en/"), "https://x.org/region/en/");
    }

    #[test]
    fn unknown_key_is_an_error_with_a_suggestion() {
        let (c, d) = parse("base_url = \"https://x.org\"\ntitel = \"x\"\n");
        assert!(c.is_none());
        assert_eq!(d.len(), 1);
        assert!(
            d[0].starts_with("site.toml:2:1: error: unknown field `titel`"),
            "{}",
            d[0]
        );
        assert!(d[0].contains("did you mean `title`?"), "{}", d[0]);
    }

    #[test]
    fn a_list_of_languages_says_how_to_write_them() {
        let (c, d) = parse(
            "base_url = \"https://x.org\"\ndefault_language = \"en\"\n[[languages]]\ncode = \"en\"\n",
        );
        assert!(c.is_none());
        assert!(
            d[0].starts_with("site.toml:3:1: error: invalid type"),
            "{}",
            d[0]
        );
        assert!(d[0].contains("`[languages.KEY]`"), "{}", d[0]);
    }

    #[test]
    fn default_language_must_be_declared() {
        let (c, d) = parse(
            "base_url = \"https://x.org\"\ndefault_language = \"eng\"\n[languages.en]\nname = \"English\"\n",
        );
        assert!(c.is_none());
        assert!(
            d[0].contains("site.toml:2:1: error: `default_language` is `eng`"),
            "{}",
            d[0]
        );
        assert!(d[0].contains("did you mean `en`?"), "{}", d[0]);
    }

    #[test]
    fn languages_keep_the_default_first() {
        let (c, d) = parse(
            "base_url = \"https://x.org\"\ndefault_language = \"nb\"\n[languages.en]\n[languages.nb]\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let codes: Vec<_> = c
            .unwrap()
            .languages
            .iter()
            .map(|l| l.code.to_string())
            .collect();
        assert_eq!(codes, ["nb", "en"]);
    }

    #[test]
    fn avif_looks_like_webp_unless_the_site_says_otherwise() {
        let images = |table: &str| {
            let (c, d) = parse(&format!("base_url = \"https://x.org\"\n[images]\n{table}"));
            assert!(d.is_empty(), "{d:?}");
            let i = c.unwrap().images;
            (i.quality, i.avif_quality)
        };
        assert_eq!(images(""), (75, 75));
        assert_eq!(images("quality = 82\n"), (82, 82));
        assert_eq!(images("quality = 82\navif_quality = 60\n"), (82, 60));
    }

    #[test]
    fn language_codes_are_checked() {
        for ok in ["en", "nb", "pt-BR", "zh-Hant"] {
            assert!(is_language_code(ok), "{ok}");
        }
        for bad in ["", "e", "EN", "english", "en-", "2"] {
            assert!(!is_language_code(bad), "{bad}");
        }
    }
}
