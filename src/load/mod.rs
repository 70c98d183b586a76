//! Stage 2, load: walk `content/`, read and split each Markdown file, parse its
//! front matter and find its language, in parallel. No file knows about any other
//! here: sections, translations and links are `resolve`'s work.

pub mod digest;
pub mod fields;
mod foreign;
pub mod front_matter;
pub(crate) mod shortcode_syntax;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::{Config, is_language_code};
use crate::diag::{Diagnostic, Diagnostics, Pos};
use crate::error::{Error, Result};
use crate::fs;
use crate::model::{FileKind, FrontMatter, Lang, SourcePath};

pub const CONTENT_DIR: &str = "content";

/// One Markdown file, read and parsed.
#[derive(Debug, Clone)]
pub struct ContentFile {
    pub source: SourcePath,
    /// Path relative to `content/`: `live/housing.nb.md`.
    pub rel: String,
    pub kind: FileKind,
    pub lang: Lang,
    /// What translations share: the section's folder (`live`, `` for the home
    /// page), the page's path without language and extension (`live/housing`),
    /// or the bundle's folder (`municipalities/drammen`).
    pub group: String,
    pub front: FrontMatter,
    /// The whole file, without a byte order mark. Shared: a rebuild that reuses
    /// the file does not copy it. Only the front matter when the load left the
    /// body on disk ([`ContentFile::with_body`] reads it again).
    pub text: std::sync::Arc<str>,
    /// Byte offset where the Markdown body starts in `text`.
    pub body_start: usize,
    /// Where the body is when `text` stops at `body_start`.
    pub(crate) on_disk: Option<std::sync::Arc<OnDisk>>,
    /// [`ContentFile::digest`], worked out when first asked for: only the
    /// default-language versions of translated files need one.
    pub(crate) digest: std::sync::OnceLock<String>,
}

/// A body a one-shot load left on disk, and what it read there, so that
/// reading it again gets the same text or says it changed.
#[derive(Debug)]
pub(crate) struct OnDisk {
    path: PathBuf,
    /// Length and hash of the whole text, as `text` had it.
    len: usize,
    hash: u64,
}

impl ContentFile {
    /// The Markdown body; empty when the load left it on disk (see
    /// [`ContentFile::with_body`]).
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The file with its whole text: itself, or, when the load left the body
    /// on disk, a copy with the file read again. A file that changed since
    /// it was loaded is an error at it: the build would mix two versions.
    pub fn with_body(&self) -> std::result::Result<Cow<'_, ContentFile>, Diagnostic> {
        let Some(disk) = &self.on_disk else {
            return Ok(Cow::Borrowed(self));
        };
        let changed = || {
            Diagnostic::error(&self.source, None, "the file changed while polis read it")
                .with_help("build again once the file is saved")
        };
        let text = match fs::read(&disk.path).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => return Err(changed()),
            Err(e) => {
                return Err(Diagnostic::error(
                    &self.source,
                    None,
                    format!("cannot read the file: {e}"),
                ));
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if text.len() != disk.len || xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != disk.hash {
            return Err(changed());
        }
        Ok(Cow::Owned(ContentFile {
            text: text.into(),
            on_disk: None,
            ..self.clone()
        }))
    }

    /// The 1-based file line of the body's first line.
    pub fn body_line(&self) -> usize {
        crate::diag::pos_of(&self.text, self.body_start).line
    }

    /// What a translation of this file records as `translated_from`: see
    /// [`digest`].
    pub fn digest(&self, config: &Config) -> &str {
        self.digest.get_or_init(|| digest::digest(config, self))
    }

    /// The file's folder relative to `content/` (`live`, `` at the top).
    pub fn dir(&self) -> &str {
        self.rel.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// A non-Markdown file of a page bundle: copied beside the bundle's pages.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// The bundle's folder relative to `content/`.
    pub bundle: String,
    /// Path inside the bundle folder: `photos/harbour.jpg`.
    pub name: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Default)]
pub struct LoadedSite {
    /// Sorted by `rel`.
    pub files: Vec<std::sync::Arc<ContentFile>>,
    pub bundle_files: Vec<BundleFile>,
}

/// What the last load read, for the next one to reuse: per Markdown file, the
/// bundle it was read as part of, the result and its diagnostics.
#[derive(Debug, Default)]
pub struct LoadCache {
    files: rustc_hash::FxHashMap<PathBuf, CachedFile>,
    /// The Markdown files of the last walk, in walk order.
    order: Vec<PathBuf>,
    bundle_files: Vec<BundleFile>,
    /// Leave the bodies on disk (the builds, which read a body once more
    /// when they render it, rather than hold them all).
    bodies_on_disk: bool,
}

impl LoadCache {
    /// For the builds: files keep their front matter, not their bodies.
    pub fn bodies_on_disk() -> Self {
        LoadCache {
            bodies_on_disk: true,
            ..LoadCache::default()
        }
    }

    /// Empty, for a load that reads everything again, as this one loads.
    pub fn emptied(&self) -> Self {
        LoadCache {
            bodies_on_disk: self.bodies_on_disk,
            ..LoadCache::default()
        }
    }
}

#[derive(Debug, Clone)]
struct CachedFile {
    bundle: Option<String>,
    file: Option<std::sync::Arc<ContentFile>>,
    diags: Vec<Diagnostic>,
}

/// Which files a load must read again rather than take from its cache.
#[derive(Debug, Clone, Copy)]
pub enum Reread<'a> {
    All,
    /// These paths (absolute), and everything under those that are folders.
    Paths(&'a [PathBuf]),
}

impl Reread<'_> {
    fn covers(&self, path: &Path) -> bool {
        match self {
            Reread::All => true,
            Reread::Paths(paths) => paths.iter().any(|p| path.starts_with(p)),
        }
    }
}

/// Reads every content file of the site.
pub fn load_site(config: &Config, diags: &mut Diagnostics) -> Result<LoadedSite> {
    load_site_cached(config, diags, &mut LoadCache::default(), Reread::All)
}

/// Reads the content files of the site, taking from `cache` every file that
/// `reread` does not cover and that is still part of the same bundle; the
/// cache then holds this load's files.
pub fn load_site_cached(
    config: &Config,
    diags: &mut Diagnostics,
    cache: &mut LoadCache,
    reread: Reread<'_>,
) -> Result<LoadedSite> {
    if let Reread::Paths(paths) = reread
        && let Some(loaded) = reload_known(config, diags, cache, paths)
    {
        return Ok(loaded);
    }
    let content = config.root.join(CONTENT_DIR);
    if !content.is_dir() {
        return Ok(LoadedSite::default());
    }
    let mut markdown = Vec::new();
    let mut others = Vec::new();
    let walker = walkdir::WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    for entry in walker {
        let entry = entry.map_err(|source| Error::Walk {
            path: content.clone(),
            source,
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(&content, entry.path());
        if rel.ends_with(".md") {
            markdown.push((rel, entry.into_path()));
        } else {
            others.push((rel, entry.into_path()));
        }
    }

    // A folder with an `index.md` (in any language) is a page bundle.
    let bundles: std::collections::BTreeSet<String> = markdown
        .iter()
        .filter(|(rel, _)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            name == "index.md" || (name.starts_with("index.") && split_lang(name).is_some())
        })
        .map(|(rel, _)| {
            rel.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string())
        })
        .filter(|d| !d.is_empty())
        .collect();
    let bundle_of = |rel: &str| -> Option<String> {
        let mut dir = rel;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if bundles.contains(parent) {
                return Some(parent.to_string());
            }
            dir = parent;
        }
        None
    };

    let old = std::mem::take(&mut cache.files);
    cache.order = markdown.iter().map(|(_, p)| p.clone()).collect();
    let results: Vec<(PathBuf, CachedFile)> = markdown
        .into_par_iter()
        .map(|(rel, path)| {
            let bundle = bundle_of(&rel);
            let cached = old
                .get(&path)
                .filter(|c| c.bundle == bundle && !reread.covers(&path));
            let entry = match cached {
                Some(c) => c.clone(),
                None => {
                    let mut d = Vec::new();
                    let on_disk = cache.bodies_on_disk;
                    let file = load_file(config, &rel, &path, bundle.as_deref(), on_disk, &mut d)
                        .map(std::sync::Arc::new);
                    CachedFile {
                        bundle,
                        file,
                        diags: d,
                    }
                }
            };
            (path, entry)
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for (path, entry) in results {
        diags.extend(entry.diags.iter().cloned());
        files.extend(entry.file.clone());
        cache.files.insert(path, entry);
    }

    let bundle_files = others
        .into_iter()
        .filter_map(|(rel, path)| {
            let bundle = bundle_of(&rel)?;
            let name = rel[bundle.len() + 1..].to_string();
            Some(BundleFile { bundle, name, path })
        })
        .collect();
    cache.bundle_files.clone_from(&bundle_files);
    Ok(LoadedSite {
        files,
        bundle_files,
    })
}

/// Without walking: when every changed path is a Markdown file the last load
/// read and it is still there, the site has the same files, and only those
/// are read again. `None` when the walk is needed.
fn reload_known(
    config: &Config,
    diags: &mut Diagnostics,
    cache: &mut LoadCache,
    paths: &[PathBuf],
) -> Option<LoadedSite> {
    let content = config.root.join(CONTENT_DIR);
    let known = !cache.order.is_empty()
        && paths.iter().all(|p| {
            p.extension().is_some_and(|e| e == "md") && cache.files.contains_key(p) && p.is_file()
        });
    if !known {
        return None;
    }
    for path in paths {
        let rel = rel_path(&content, path);
        let entry = cache.files.get_mut(path)?;
        let mut d = Vec::new();
        entry.file = load_file(
            config,
            &rel,
            path,
            entry.bundle.as_deref(),
            cache.bodies_on_disk,
            &mut d,
        )
        .map(std::sync::Arc::new);
        entry.diags = d;
    }
    let mut files = Vec::with_capacity(cache.order.len());
    for path in &cache.order {
        let entry = cache.files.get(path)?;
        diags.extend(entry.diags.iter().cloned());
        files.extend(entry.file.clone());
    }
    Some(LoadedSite {
        files,
        bundle_files: cache.bundle_files.clone(),
    })
}

/// Hidden files, editors' swap and backup files: never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `housing.nb.md` → (`housing`, Some("nb")); `housing.md` → (`housing`, None).
/// The suffix is only a language when it has a language code's shape.
fn split_lang(name: &str) -> Option<(&str, Option<&str>)> {
    let stem = name.strip_suffix(".md")?;
    match stem.rsplit_once('.') {
        Some((base, suffix)) if is_language_code(suffix) => Some((base, Some(suffix))),
        _ => Some((stem, None)),
    }
}

fn load_file(
    config: &Config,
    rel: &str,
    path: &Path,
    bundle: Option<&str>,
    body_on_disk: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<ContentFile> {
    let source = SourcePath::new(format!("{CONTENT_DIR}/{rel}"));
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let (stem, suffix) = split_lang(name)?;
    let lang = match suffix {
        None => config.default_language.clone(),
        Some(code) => match config.lang(code) {
            Some(lang) => lang,
            None => {
                let codes: Vec<&str> = config.languages.iter().map(|l| l.code.as_str()).collect();
                diags.push(
                    Diagnostic::error(
                        &source,
                        None,
                        format!("`{code}` in the file name is not a language of the site"),
                    )
                    .with_help(format!(
                        "the site's languages are {}; rename the file or add `[languages.{code}]` to site.toml",
                        codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
                return None;
            }
        },
    };
    let (kind, group) = match (stem, bundle) {
        ("_index", _) if bundle.is_some_and(|b| b == dir) => {
            diags.push(
                Diagnostic::error(&source, None, "a page bundle cannot also be a section")
                    .with_help("a folder has either `index.md` (a page with its files) or `_index.md` (a section), not both"),
            );
            return None;
        }
        ("_index", _) => (FileKind::Section, dir.to_string()),
        ("index", Some(b)) if b == dir => (FileKind::Bundle, dir.to_string()),
        (_, Some(b)) => {
            diags.push(
                Diagnostic::warning(
                    &source,
                    None,
                    format!("this file is inside the page bundle `content/{b}` and is not a page"),
                )
                .with_help("move it out of the bundle's folder to make it a page"),
            );
            return None;
        }
        _ => (
            FileKind::Page,
            if dir.is_empty() {
                stem.to_string()
            } else {
                format!("{dir}/{stem}")
            },
        ),
    };

    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::error(
                &source,
                None,
                format!("cannot read the file: {e}"),
            ));
            return None;
        }
    };
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bytes = e.as_bytes();
            let valid = e.utf8_error().valid_up_to();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            let pos = crate::diag::pos_of(&before, before.len());
            diags.push(
                Diagnostic::error(&source, Some(pos), "the file is not valid UTF-8")
                    .with_help("save the file with UTF-8 encoding in your editor"),
            );
            return None;
        }
    };
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    // A page file saved empty (a new file not written yet, or one emptied
    // by mistake) still makes a page, titled after its file name, with
    // nothing on it: say so. An empty `_index.md` is a common way to make a
    // section and is not worth a word.
    if kind != FileKind::Section && text.trim().is_empty() {
        diags.push(
            Diagnostic::warning(&source, None, "the file is empty: it makes a page with no text")
                .with_help("write its front matter and text, or delete the file; `draft = true` in the front matter keeps a page out of the site until it is ready"),
        );
    }
    let (split, front_closed) = match front_matter::split(&text) {
        Ok(s) => (s, true),
        Err(u) => {
            diags.push(
                Diagnostic::error(
                    &source,
                    Some(Pos::new(1, 1)),
                    format!(
                        "the front matter opened with `{}` is never closed",
                        u.delimiter
                    ),
                )
                .with_help(format!(
                    "add a line with only `{}` after the front matter",
                    u.delimiter
                )),
            );
            // The page still exists (links to it are not errors too), with
            // neither front matter nor a body: all of it is the broken part.
            let split = front_matter::Split {
                format: None,
                front: "",
                front_start: 0,
                body: "",
                body_start: text.len(),
            };
            (split, false)
        }
    };
    // Broken front matter is already an error; the file still takes part with
    // empty front matter, so links to it don't cascade into "no such page".
    let default_file = match kind {
        FileKind::Bundle => "index.md".to_string(),
        _ => format!("{stem}.md"),
    };
    let expect = front_matter::Expect {
        tz: &config.time_zone,
        collection: match kind {
            FileKind::Section => None,
            _ => config.collection_of(rel),
        },
        default_lang: lang == config.default_language,
        default_file: &default_file,
        kind,
        bundle_dir: match kind {
            FileKind::Bundle => path.parent(),
            _ => None,
        },
    };
    let front = if front_closed {
        let body_line = text[..split.body_start].matches('\n').count() + 1;
        shortcode_syntax::check(&source, split.body, body_line, diags);
        front_matter::parse(&source, &text, &split, expect, diags).unwrap_or_default()
    } else {
        crate::model::FrontMatter::default()
    };
    for (name, values) in &front.taxonomies {
        if let Some(tc) = config.taxonomy(name)
            && !tc.terms.is_empty()
            && !tc.open
        {
            for v in values {
                if tc.terms.iter().any(|t| &t.key == v) {
                    continue;
                }
                let first_line = text[..split.front_start].matches('\n').count() + 1;
                let keys = tc.terms.iter().map(|t| t.key.as_str());
                let mut d = Diagnostic::error(
                    &source,
                    crate::diag::find_key(split.front, name, first_line),
                    format!("`{v}` is not one of the {name} of this site"),
                );
                d = match crate::diag::did_you_mean(v, keys.clone()) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None => d.with_help(format!(
                        "use {}",
                        keys.map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                diags.push(d);
            }
        }
        if config.taxonomy(name).is_none() {
            let known: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
            let first_line = text[..split.front_start].matches('\n').count() + 1;
            let pos = crate::diag::find_key(split.front, name, first_line)
                .or_else(|| crate::diag::find_key(split.front, "taxonomies", first_line));
            let mut d = Diagnostic::error(
                &source,
                pos,
                format!("the taxonomy `{name}` is not declared in site.toml"),
            );
            d = match crate::diag::did_you_mean(name, known.iter().copied()) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!(
                    "add `[[taxonomies]]` with `name = \"{name}\"` to site.toml"
                )),
            };
            diags.push(d);
        }
    }
    let body_start = split.body_start;
    let on_disk = (body_on_disk && body_start < text.len()).then(|| {
        let disk = OnDisk {
            path: path.to_path_buf(),
            len: text.len(),
            hash: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        };
        text.truncate(body_start);
        std::sync::Arc::new(disk)
    });
    Some(ContentFile {
        source,
        rel: rel.to_string(),
        kind,
        lang,
        group,
        front,
        text: text.into(),
        body_start,
        on_disk,
        digest: std::sync::OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site in a temp folder with `files` (path below `content/`, text).
    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "base_url = \"https://x.example/\"\ntitle = \"X\"\n",
        )
        .unwrap();
        for (path, text) in files {
            let path = dir.path().join(CONTENT_DIR).join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    /// A site in a temp folder with one page, loaded with its body left on disk.
    fn loaded(body: &str) -> (tempfile::TempDir, std::sync::Arc<ContentFile>) {
        let text = format!("\u{feff}+++\ntitle = \"A\"\n+++\n{body}");
        let dir = site_with(&[("a.md", &text)]);
        let mut diags = Diagnostics::default();
        let config = crate::config::load_config(dir.path(), &mut diags).unwrap();
        let mut cache = LoadCache::bodies_on_disk();
        let site = load_site_cached(&config, &mut diags, &mut cache, Reread::All).unwrap();
        assert!(!diags.has_errors(), "{:?}", diags.sorted());
        (dir, site.files[0].clone())
    }

    /// Regression (stop 26): an empty page file built a page with no text
    /// and no word about it.
    #[test]
    fn an_empty_page_file_is_a_warning_an_empty_section_file_is_not() {
        let dir = site_with(&[
            ("live/_index.md", ""),
            ("live/new-page.md", "\n  \n"),
            ("live/ok.md", "Rent a flat.\n"),
        ]);
        let mut diags = Diagnostics::default();
        let config = crate::config::load_config(dir.path(), &mut diags).unwrap();
        let site = load_site(&config, &mut diags).unwrap();
        assert_eq!(site.files.len(), 3, "the empty page is still a page");
        let shown: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with("content/live/new-page.md: warning: the file is empty"),
            "{shown:?}"
        );
        assert!(shown[0].contains("delete the file"), "{shown:?}");
        assert!(!diags.has_errors());
    }

    #[test]
    fn a_body_left_on_disk_is_read_again_as_it_was() {
        let (_dir, file) = loaded("Rent a flat.\n");
        // Held: the front matter only.
        assert_eq!(&*file.text, "+++\ntitle = \"A\"\n+++\n");
        assert_eq!(file.body(), "");
        let whole = file.with_body().unwrap();
        assert_eq!(whole.body(), "Rent a flat.\n");
        assert_eq!(
            &whole.text[..whole.body_start],
            &file.text[..file.body_start]
        );
        assert_eq!(whole.front.title.as_deref(), Some("A"));
    }

    #[test]
    fn a_body_that_changed_after_the_load_is_an_error_not_a_mix() {
        let (dir, file) = loaded("Rent a flat.\n");
        let path = dir.path().join("content/a.md");
        // Same length, other text: the hash tells them apart.
        std::fs::write(&path, "\u{feff}+++\ntitle = \"A\"\n+++\nRent a flag.\n").unwrap();
        let e = file.with_body().unwrap_err();
        assert_eq!(e.path.as_str(), "content/a.md");
        assert!(e.message.contains("changed while polis read it"), "{e}");
        std::fs::remove_file(&path).unwrap();
        let e = file.with_body().unwrap_err();
        assert!(e.message.contains("cannot read the file"), "{e}");
    }
}
