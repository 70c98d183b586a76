//! Plain data shared by the stages: path types, ids, languages, dates and the
//! validated front matter. No I/O and no rendering here.
//!
//! - [`fields`]: collections, their typed fields and the checked values.

pub mod fields;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A path relative to the site root, with `/` separators: `content/live/housing.md`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SourcePath(Arc<str>);

impl SourcePath {
    pub fn new(path: impl AsRef<str>) -> Self {
        SourcePath(path.as_ref().replace('\\', "/").into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for SourcePath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for SourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A root-relative URL path as readers see it, base path included: `/en/live/housing/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UrlPath(String);

impl UrlPath {
    pub fn new(path: impl Into<String>) -> Self {
        UrlPath(path.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file path relative to the output folder, `/` separators: `en/live/housing/index.html`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OutputPath(String);

impl OutputPath {
    pub fn new(path: impl Into<String>) -> Self {
        OutputPath(path.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The `index.html` of a pretty URL's folder (`en/live/` → `en/live/index.html`).
    pub fn index_of(dir: &str) -> Self {
        let dir = dir.trim_matches('/');
        if dir.is_empty() {
            OutputPath("index.html".into())
        } else {
            OutputPath(format!("{dir}/index.html"))
        }
    }
}

impl fmt::Display for OutputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A language code of the site (`en`, `nb`), validated against `site.toml` when
/// the config loads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lang(Arc<str>);

impl Lang {
    pub fn new(code: &str) -> Self {
        Lang(code.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SectionId(pub u32);

impl PageId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SectionId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A point in time from front matter, kept in the site's time zone so that its
/// calendar date is the one the author meant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub jiff::Zoned);

impl Date {
    pub fn timestamp(&self) -> jiff::Timestamp {
        self.0.timestamp()
    }
    pub fn civil(&self) -> jiff::civil::Date {
        self.0.date()
    }
    /// RFC 3339 with the site's offset: `2026-11-23T09:00:00+01:00`.
    pub fn rfc3339(&self) -> String {
        self.0.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    Date,
    Weight,
    Title,
    None,
    /// Zola's orders: by slug, by `updated` (newest first), and by title as
    /// bytes (capitals first).
    Slug,
    #[serde(rename = "update_date")]
    UpdateDate,
    #[serde(rename = "title_bytes")]
    TitleBytes,
}

/// What kind of content file a Markdown file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `_index.md`: a section.
    Section,
    /// `name.md`: a page.
    Page,
    /// `name/index.md`: a page bundle, whose folder's other files belong to it.
    Bundle,
}

/// Validated front matter of one content file.
#[derive(Debug, Clone, Default)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub draft: bool,
    pub slug: Option<String>,
    pub aliases: Vec<String>,
    pub weight: Option<i64>,
    pub template: Option<String>,
    /// Taxonomy name → terms, `tags` at top level merged in.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// `[extra]`: anything, for the templates; plain data until they read it.
    pub extra: serde_json::Value,
    pub sort_by: Option<SortBy>,
    pub paginate_by: Option<usize>,
    /// In a translation: the digest of its default-language version as it was
    /// when translated (`polis translations mark` writes it), so that a later
    /// change to that version shows the translation is stale.
    pub translated_from: Option<String>,
    /// A collection page's own fields, checked against its schema, by name.
    pub fields: BTreeMap<String, Field>,
    /// Zola's `path`: the page's URL below its language's home, instead of
    /// section folders and slug (`about/team`), checked and without slashes
    /// at either end.
    pub path: Option<String>,
    /// Zola's `render = false`: a page left out of the site, a section without
    /// a listing page.
    pub unrendered: bool,
    /// Zola's `redirect_to` on a section: its URL sends readers there.
    pub redirect_to: Option<String>,
    /// Zola's `authors`: in the templates and the feeds.
    pub authors: Vec<String>,
    /// Zola's `in_search_index = false`: not in the search index.
    pub unsearchable: bool,
}

/// Keys that Zola sites write in front matter, read by load/foreign.rs: each
/// either means what it means in Zola or is a warning that says what polis
/// does instead (issue 20).
pub const ZOLA_KEYS: &[&str] = &[
    "path",
    "render",
    "redirect_to",
    "authors",
    "transparent",
    "in_search_index",
    "insert_anchor_links",
    "page_template",
    "paginate_path",
    "paginate_reversed",
    "generate_feeds",
    "generate_feed",
];

/// The front matter fields every page has; a collection's own fields come on
/// top of these.
pub const CORE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "draft",
    "slug",
    "aliases",
    "weight",
    "template",
    "tags",
    "taxonomies",
    "extra",
    "sort_by",
    "paginate_by",
    "translated_from",
];

/// A collection field's value and where it was written.
#[derive(Debug, Clone)]
pub struct Field {
    pub value: fields::FieldValue,
    pub pos: Option<crate::diag::Pos>,
}

/// An image file format polis reads or writes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Avif,
    Webp,
    Jpeg,
    Png,
}

impl ImageFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Avif => "avif",
            ImageFormat::Webp => "webp",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Avif => "image/avif",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }
}
