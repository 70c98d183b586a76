//! Responsive images: every photo the site shows is published as a few
//! re-encoded variants (the widths and formats of `[images]` in site.toml), never
//! as the file the contributor sent, so no metadata (GPS position, camera serial,
//! author tags) reaches the published site. EXIF orientation is applied first.
//!
//! Render asks [`Images::responsive`] for an image and gets its URLs, sizes and
//! placeholder at once; that needs only a cheap *probe* of the source (its hash,
//! size and a tiny placeholder), itself kept between builds. The variants are
//! made later, by [`Images::publish`]: deduplicated over the whole site, in
//! parallel, and only when the cache folder does not have them yet. Cache
//! entries are content-addressed (source bytes + operation + encoder settings),
//! so a warm build decodes nothing.
//!
//! Everything from the author's files (corrupt data, unsupported formats,
//! decompression bombs, paths leaving the site) is an [`ImageError`], turned
//! into a diagnostic by the caller, who knows the file and line.
//!
//! This module answers questions and records nothing: render notes which
//! images each output used, and writes the `<picture>` element. The work is
//! split in two:
//!
//! - [`cache`]: the cache folder, its content-addressed entries and manifest;
//! - [`codec`]: decoding, resizing and encoding, bytes in and bytes out.

mod cache;
mod codec;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use cache::{Cache, Stamp};
pub use cache::{CacheKey, ContentHash};
use codec::Encoding;

use crate::config::{ImageConfig, Placeholder};
use crate::diag::{Diagnostic, Pos};
use crate::error::Result;
use crate::fs;
use crate::model::{ImageFormat, OutputPath, SourcePath, UrlPath};
use crate::output::Output;
use crate::progress::{Progress, Show};

/// The output folder of image variants.
pub const IMAGE_DIR: &str = "img";

/// Quality of the full-size copies `publish_originals` writes.
const ORIGINAL_QUALITY: u8 = 90;

/// File name extensions of photos: published only as re-encoded variants.
const PHOTO_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];
/// Photo formats polis cannot read: never published as they are either.
const UNREADABLE_EXTENSIONS: &[&str] =
    &["heic", "heif", "avif", "tif", "tiff", "bmp", "dng", "raw"];

/// Whether a file is a photo polis publishes only through [`Images`] (by name).
pub fn is_photo(name: &str) -> bool {
    let ext = extension(name);
    PHOTO_EXTENSIONS.contains(&ext.as_str()) || UNREADABLE_EXTENSIONS.contains(&ext.as_str())
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// A source image, by its path relative to the site root
/// (`content/municipalities/drammen/photos/market.jpg`, `assets/images/logo.png`).
/// Nothing is checked when it is made: [`Images::responsive`] checks that the
/// file exists and stays inside the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageSource {
    pub rel: SourcePath,
}

impl ImageSource {
    pub fn new(rel: impl AsRef<str>) -> Self {
        ImageSource {
            rel: SourcePath::new(rel),
        }
    }
}

/// What a caller may ask beyond the site's `[images]` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ImageOptions {
    /// Widths in pixels; the site's `widths` when `None`.
    pub widths: Option<Vec<u32>>,
    /// Modern formats before the fallback; the site's `formats` when `None`.
    pub formats: Option<Vec<ImageFormat>>,
    /// JPEG and WebP quality; the site's `quality` when `None`.
    pub quality: Option<u8>,
}

/// One published file of an image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Variant {
    pub url: UrlPath,
    pub width: u32,
    pub height: u32,
    pub format: ImageFormat,
    pub(crate) output: OutputPath,
    pub(crate) key: CacheKey,
    pub(crate) quality: u8,
    /// The size it is resized from: its set's largest.
    pub(crate) base: (u32, u32),
}

impl Variant {
    fn encoding(&self) -> Encoding {
        Encoding {
            width: self.width,
            height: self.height,
            base: self.base,
            format: self.format,
            quality: self.quality,
        }
    }
}

/// Everything a page needs to show an image: what [`Images::responsive`] gives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageSet {
    pub source: SourcePath,
    /// The size of the largest variant: the `width` and `height` attributes.
    pub width: u32,
    pub height: u32,
    /// The original's size (after orientation) and file size.
    pub original_width: u32,
    pub original_height: u32,
    pub original_bytes: u64,
    /// The modern formats, each with its variants in ascending width.
    pub sources: Vec<(ImageFormat, Vec<Variant>)>,
    /// JPEG (PNG for images with transparency), ascending width.
    pub fallback: Vec<Variant>,
    /// A `data:` URL of a tiny version of the image, for a blurred preview.
    pub placeholder: Option<String>,
    /// The average colour, `#rrggbb`; `None` for images with transparency.
    pub color: Option<String>,
    pub(crate) path: PathBuf,
    pub(crate) hash: ContentHash,
}

impl ImageSet {
    /// `url 480w, url 960w` for `srcset`.
    pub fn srcset(variants: &[Variant]) -> String {
        variants
            .iter()
            .map(|v| format!("{} {}w", v.url, v.width))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fallback `src`: the variant nearest 1000 px wide, for browsers without
    /// `srcset`.
    pub fn src(&self) -> &Variant {
        self.fallback
            .iter()
            .rev()
            .find(|v| v.width <= 1024)
            .or(self.fallback.first())
            .expect("an image set has at least one variant")
    }

    /// The largest fallback variant: what a link to the photo opens.
    pub fn largest(&self) -> &Variant {
        self.fallback
            .last()
            .expect("an image set has at least one variant")
    }

    fn variants(&self) -> impl Iterator<Item = &Variant> {
        self.sources
            .iter()
            .flat_map(|(_, v)| v.iter())
            .chain(&self.fallback)
    }

    /// A warning when the original is bigger than `[images]` allows.
    pub fn oversize(&self, config: &ImageConfig) -> Option<String> {
        let pixels = self.original_width as u64 * self.original_height as u64;
        if self.original_bytes > config.max_file_bytes {
            Some(format!(
                "`{}` is {:.1} MB, more than the {} MB `images.max_file_mb` allows",
                self.source,
                self.original_bytes as f64 / 1e6,
                config.max_file_bytes as f64 / 1e6
            ))
        } else if pixels > config.max_pixels {
            Some(format!(
                "`{}` has {:.1} megapixels ({}×{}), more than the {} `images.max_megapixels` allows",
                self.source,
                pixels as f64 / 1e6,
                self.original_width,
                self.original_height,
                config.max_pixels as f64 / 1e6
            ))
        } else {
            None
        }
    }
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageError {
    NotFound,
    /// The path leaves the site, through `..` or a symbolic link.
    OutsideSite,
    /// A format polis does not read (HEIC, TIFF, ...), by name.
    Unsupported(String),
    /// The decoder failed: a damaged or truncated file.
    Corrupt(String),
    /// More pixels than polis decodes: a decompression bomb, or a huge scan.
    TooLarge {
        width: u32,
        height: u32,
    },
    Unreadable(String),
}

impl ImageError {
    /// The diagnostic for an image referenced as `shown` at `path:pos`.
    pub fn diagnostic(&self, shown: &str, path: &SourcePath, pos: Option<Pos>) -> Diagnostic {
        let (message, help) = self.describe(shown);
        Diagnostic::error(path, pos, message).with_help(help)
    }

    /// (message, help) for an image referenced as `shown`.
    pub fn describe(&self, shown: &str) -> (String, String) {
        match self {
            ImageError::NotFound => (
                format!("image `{shown}` not found"),
                "paths are relative to the page's folder (its bundle), or start with `/` for a file in `assets/`".into(),
            ),
            ImageError::OutsideSite => (
                format!("image `{shown}` is outside the site"),
                "put the image in the page's bundle folder or in `assets/`; paths may not leave the site, not even through a symbolic link".into(),
            ),
            ImageError::Unsupported(format) => (
                format!("image `{shown}` is {format}, which polis cannot read"),
                "export it as JPEG (photos) or PNG (drawings, screenshots)".into(),
            ),
            ImageError::Corrupt(reason) => (
                format!("image `{shown}` cannot be decoded: {reason}"),
                "the file is damaged or not an image; export it again from the original".into(),
            ),
            ImageError::TooLarge { width, height } => (
                format!(
                    "image `{shown}` declares {width}×{height} pixels, more than polis decodes ({} megapixels)",
                    codec::MAX_DECODE_PIXELS / 1_000_000
                ),
                "scale the image down before adding it; a file this size is often a decompression bomb".into(),
            ),
            ImageError::Unreadable(e) => (
                format!("image `{shown}` cannot be read: {e}"),
                "check the file's permissions".into(),
            ),
        }
    }
}

/// What the build learned about a source without making any variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Probe {
    hash: ContentHash,
    /// After EXIF orientation.
    width: u32,
    height: u32,
    alpha: bool,
    bytes: u64,
    placeholder: Option<String>,
    color: Option<String>,
}

type ProbeResult = std::result::Result<Arc<Probe>, ImageError>;
type Answer = std::result::Result<Arc<ImageSet>, ImageError>;

#[derive(Debug, Clone)]
struct Known {
    stamp: Stamp,
    probe: ProbeResult,
}

/// What the image work of one build came to (the build summary shows it).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImageStats {
    /// Distinct source images the site shows.
    pub sources: usize,
    /// Distinct variant files published.
    pub variants: usize,
    /// Sources read and decoded to learn their size and placeholder.
    pub probed: usize,
    /// Sources decoded to make variants.
    pub decoded: usize,
    /// Variants encoded (the rest came from the cache).
    pub encoded: usize,
    /// Variants left to make when a browser asks for them (`serve`).
    pub pending: usize,
    /// Cache files removed as unused (after a successful build).
    pub pruned: usize,
}

/// When a build makes the variants of the images it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageWork {
    /// Before the build ends (`build`).
    Make,
    /// When a browser asks for one ([`Images::requested`]), and meanwhile in
    /// the background ([`Images::make_in_background`]): `serve` shows its
    /// first page at once, whatever the photos.
    OnRequest,
    /// Not at all (`check`): every image is still read and checked, but
    /// nothing is encoded for an output nobody keeps.
    Skip,
}

/// The variants the last publish showed but did not make (`serve`).
#[derive(Debug, Default)]
struct Pending {
    /// Counts publishes: a background maker of an older one stops.
    generation: u64,
    by_output: FxHashMap<OutputPath, Arc<Unmade>>,
}

/// One variant to make when asked for: from which file, and its bytes once
/// made (`None` when the file can no longer be read: it changed since it was
/// probed, and the next build reports it where it is shown).
#[derive(Debug)]
struct Unmade {
    variant: Variant,
    source: PathBuf,
    made: OnceLock<Option<Bytes>>,
}

/// The image service of a build, and what it keeps for the next one (`serve`
/// holds one for its whole session).
#[derive(Debug)]
pub struct Images {
    config: ImageConfig,
    cache: Cache,
    root: PathBuf,
    /// `root` with its symbolic links resolved, to check where paths lead.
    real_root: PathBuf,
    base_path: String,
    known: Mutex<FxHashMap<PathBuf, Known>>,
    /// Per build: what `responsive` already answered.
    answers: Mutex<FxHashMap<(ImageSource, ImageOptions), Answer>>,
    /// Variant bytes kept in memory for an in-memory output (`serve`).
    memory: Mutex<FxHashMap<CacheKey, Bytes>>,
    /// The cache keys the last publish used (what pruning keeps).
    used: Mutex<BTreeSet<CacheKey>>,
    pending: Mutex<Pending>,
    /// The threads [`Images::make_in_background`] started, for
    /// [`Images::stop_background`] to wait for.
    background: Mutex<Vec<std::thread::JoinHandle<()>>>,
    manifest_dirty: std::sync::atomic::AtomicBool,
    probed: AtomicUsize,
}

impl Images {
    /// The service for a site; reads the probe manifest from the cache folder.
    pub fn new(config: &ImageConfig, root: &Path, base_path: &str) -> Self {
        // Fails only for a root that is not there (or not searchable), where
        // no image is found either.
        let real_root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let cache = Cache::new(&config.cache_dir);
        let known = cache
            .read_probes()
            .into_iter()
            .map(|(rel, (stamp, probe))| {
                let known = Known {
                    stamp,
                    probe: Ok(Arc::new(probe)),
                };
                (root.join(rel), known)
            })
            .collect();
        Images {
            config: config.clone(),
            cache,
            root: root.to_path_buf(),
            real_root,
            base_path: base_path.to_string(),
            known: Mutex::new(known),
            answers: Mutex::default(),
            memory: Mutex::default(),
            used: Mutex::default(),
            pending: Mutex::default(),
            background: Mutex::default(),
            manifest_dirty: Default::default(),
            probed: AtomicUsize::new(0),
        }
    }

    /// Whether this service can serve a site with `config` and `base_path`
    /// (otherwise the session makes a new one).
    pub fn fits(&self, config: &ImageConfig, base_path: &str) -> bool {
        self.config == *config && self.base_path == base_path
    }

    pub fn config(&self) -> &ImageConfig {
        &self.config
    }

    /// Starts a build: forgets the last build's answers, keeps the probes.
    pub fn begin_build(&self) {
        lock(&self.answers).clear();
        self.probed.store(0, Ordering::Relaxed);
    }

    /// The responsive image for `source`: URLs, sizes and placeholder, at
    /// once. The variants are made by [`Images::publish`] after rendering, for
    /// every image an output used.
    ///
    /// This is the API for every place that shows an image: Markdown,
    /// the `image()` template function, front-matter image fields. It records
    /// nothing; render notes the use (an [`ImageUse`]) for incremental rebuilds.
    pub fn responsive(
        &self,
        source: &ImageSource,
        options: &ImageOptions,
    ) -> std::result::Result<Arc<ImageSet>, ImageError> {
        let key = (source.clone(), options.clone());
        if let Some(r) = lock(&self.answers).get(&key) {
            return r.clone();
        }
        let result = self
            .probe(source)
            .map(|(path, probe)| Arc::new(self.plan(source, &path, &probe, options)));
        lock(&self.answers).insert(key, result.clone());
        result
    }

    /// Whether a use recorded by an earlier build would get the same answer now.
    pub fn still_same(&self, u: &ImageUse) -> bool {
        self.responsive(&u.source, &u.options) == u.result
    }

    /// Resolves `source` inside the site and probes it.
    fn probe(
        &self,
        source: &ImageSource,
    ) -> std::result::Result<(PathBuf, Arc<Probe>), ImageError> {
        let rel = source.rel.as_str();
        if rel.split('/').any(|s| s == "..") || Path::new(rel).is_absolute() {
            return Err(ImageError::OutsideSite);
        }
        let path = self.root.join(rel);
        let meta = match fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Err(ImageError::NotFound),
            Err(e) if e.is_not_found() => return Err(ImageError::NotFound),
            Err(e) => return Err(ImageError::Unreadable(e.to_string())),
        };
        // A symbolic link may point anywhere: the real file must be in the site.
        let real = fs::canonicalize(&path).map_err(|e| ImageError::Unreadable(e.to_string()))?;
        if !real.starts_with(&self.real_root) {
            return Err(ImageError::OutsideSite);
        }
        let ext = extension(rel);
        if UNREADABLE_EXTENSIONS.contains(&ext.as_str()) {
            return Err(ImageError::Unsupported(ext.to_ascii_uppercase()));
        }
        let stamp = Stamp::of(&meta);
        if let Some(k) = lock(&self.known).get(&path)
            && k.stamp == stamp
        {
            return k.probe.clone().map(|p| (path, p));
        }
        let probe = self.probe_file(&path, meta.len());
        if probe.is_ok() {
            self.manifest_dirty.store(true, Ordering::Relaxed);
        }
        lock(&self.known).insert(
            path.clone(),
            Known {
                stamp,
                probe: probe.clone(),
            },
        );
        probe.map(|p| (path, p))
    }

    fn probe_file(&self, path: &Path, len: u64) -> ProbeResult {
        let bytes = fs::read(path).map_err(|e| ImageError::Unreadable(e.to_string()))?;
        let hash = ContentHash::of(&bytes);
        // The same bytes under another name or time: no need to decode again.
        for k in lock(&self.known).values() {
            if let Ok(p) = &k.probe
                && p.hash == hash
            {
                return Ok(p.clone());
            }
        }
        self.probed.fetch_add(1, Ordering::Relaxed);
        let decoded = codec::decode(&bytes)?;
        let (placeholder, color) = codec::placeholder_of(&decoded, self.config.placeholder);
        Ok(Arc::new(Probe {
            hash,
            width: decoded.width(),
            height: decoded.height(),
            alpha: decoded.color().has_alpha(),
            bytes: len,
            placeholder,
            color,
        }))
    }

    /// The variants of a probed source: the requested widths that are not
    /// wider than the original (the original's width when none is), in each
    /// format.
    fn plan(
        &self,
        source: &ImageSource,
        path: &Path,
        probe: &Probe,
        options: &ImageOptions,
    ) -> ImageSet {
        let c = &self.config;
        let mut widths: Vec<u32> = options
            .widths
            .as_deref()
            .unwrap_or(&c.widths)
            .iter()
            .map(|w| (*w).min(probe.width))
            .collect();
        widths.sort_unstable();
        widths.dedup();
        if widths.is_empty() {
            widths.push(probe.width);
        }
        let quality = options.quality.unwrap_or(c.quality);
        let stem = source
            .rel
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("image")
            .rsplit_once('.')
            .map_or("image", |(s, _)| s);
        let mut stem = slug::slugify(stem);
        if stem.is_empty() {
            stem = "image".into();
        }
        // Every variant is resized from the largest size of the set.
        let base_width = widths.last().copied().unwrap_or(probe.width);
        let base = (
            base_width,
            codec::scaled_height((probe.width, probe.height), base_width),
        );
        let variants = |format: ImageFormat| -> Vec<Variant> {
            let q = match format {
                // A template's quality is for this image in every format.
                ImageFormat::Avif => options.quality.unwrap_or(c.avif_quality),
                ImageFormat::Png => 0,
                _ => quality,
            };
            // AVIF up to its own limit (at least the narrowest variant).
            let limit = match format {
                ImageFormat::Avif => c.avif_max_width.max(widths[0]),
                _ => u32::MAX,
            };
            widths
                .iter()
                .filter(|&&w| w <= limit)
                .map(|&w| {
                    let h = codec::scaled_height((probe.width, probe.height), w);
                    let key = CacheKey::of(probe.hash, w, h, base, format, q);
                    let file = format!(
                        "{IMAGE_DIR}/{stem}-{w}.{}.{}",
                        &key.as_str()[..10],
                        format.extension()
                    );
                    Variant {
                        url: UrlPath::new(format!("{}{file}", self.base_path)),
                        width: w,
                        height: h,
                        format,
                        output: OutputPath::new(file),
                        key,
                        quality: q,
                        base,
                    }
                })
                .collect()
        };
        let formats = options.formats.as_deref().unwrap_or(&c.formats);
        let fallback = variants(if probe.alpha {
            ImageFormat::Png
        } else {
            ImageFormat::Jpeg
        });
        let largest = fallback
            .last()
            .map_or((probe.width, probe.height), |v| (v.width, v.height));
        ImageSet {
            source: source.rel.clone(),
            width: largest.0,
            height: largest.1,
            original_width: probe.width,
            original_height: probe.height,
            original_bytes: probe.bytes,
            sources: formats
                .iter()
                .filter(|f| matches!(f, ImageFormat::Avif | ImageFormat::Webp))
                .map(|f| (*f, variants(*f)))
                .collect(),
            fallback,
            placeholder: match c.placeholder {
                Placeholder::Blur => probe.placeholder.clone(),
                _ => None,
            },
            color: match c.placeholder {
                Placeholder::None => None,
                _ => probe.color.clone(),
            },
            path: path.to_path_buf(),
            hash: probe.hash,
        }
    }

    /// The full-size, metadata-free copy of a bundle photo that
    /// `publish_originals` publishes in place of the file itself.
    pub fn original(&self, source: &ImageSource) -> std::result::Result<Arc<ImageSet>, ImageError> {
        let (path, probe) = self.probe(source)?;
        let options = ImageOptions {
            widths: Some(vec![probe.width]),
            formats: Some(Vec::new()),
            quality: Some(ORIGINAL_QUALITY),
        };
        Ok(Arc::new(self.plan(source, &path, &probe, &options)))
    }

    /// Makes every variant of `sets` that the cache lacks (each source decoded
    /// once, sources in parallel), writes them all to `output`, and saves the
    /// probe manifest. `extra` are files to write under other names
    /// (`publish_originals`): (output path, variant of a set). With
    /// [`ImageWork::OnRequest`] what the cache lacks is not made here but left
    /// for [`Images::requested`] and [`Images::make_in_background`], and not
    /// written to `output`.
    pub fn publish(
        &self,
        sets: &[Arc<ImageSet>],
        extra: &[(OutputPath, Arc<ImageSet>)],
        output: &dyn Output,
        work: ImageWork,
        show: Show,
    ) -> Result<ImageStats> {
        // Every distinct variant, by cache key, with the source it comes from.
        let mut by_key: BTreeMap<&CacheKey, (&Variant, &ImageSet)> = BTreeMap::new();
        for set in sets
            .iter()
            .map(|s| &**s)
            .chain(extra.iter().map(|(_, s)| &**s))
        {
            for v in set.variants() {
                by_key.entry(&v.key).or_insert((v, set));
            }
        }
        // Variants published under their own name (not only as originals), by
        // output path: two files with the same bytes share their encoding, but
        // each is published under its own name.
        let shown: BTreeMap<&OutputPath, &Variant> = sets
            .iter()
            .flat_map(|s| s.variants())
            .map(|v| (&v.output, v))
            .collect();
        let in_memory = output.in_memory();
        let memory = lock(&self.memory).clone();
        // What is missing, grouped by source file.
        let mut todo: BTreeMap<&Path, (&ImageSet, Vec<&Variant>)> = BTreeMap::new();
        for (key, (v, set)) in &by_key {
            let have = (in_memory && memory.contains_key(*key))
                || self.cache.entry_path(key, v.format).is_file();
            if !have {
                todo.entry(set.path.as_path())
                    .or_insert((set, Vec::new()))
                    .1
                    .push(v);
            }
        }
        let decoded = AtomicUsize::new(0);
        let encoded = AtomicUsize::new(0);
        let todo: Vec<_> = todo.into_values().collect();
        let later = work == ImageWork::OnRequest;
        let pending = if later {
            self.leave_for_later(&todo, &shown, extra)
        } else {
            0
        };
        let todo = if later { Vec::new() } else { todo };
        let count = todo.iter().map(|(_, v)| v.len() as u64).sum();
        let progress = Progress::new(show, "image variants", count);
        todo.par_iter()
            .try_for_each(|(set, variants)| -> Result<()> {
                let bytes = fs::read(&set.path)?;
                let image = match codec::decode(&bytes) {
                    Ok(i) => i,
                    // The file changed since it was probed and is now broken: the
                    // next build reports it where it is used.
                    Err(_) => return Ok(()),
                };
                decoded.fetch_add(1, Ordering::Relaxed);
                let wanted: Vec<Encoding> = variants.iter().map(|v| v.encoding()).collect();
                let made = codec::encode_all(&image, &wanted);
                progress.inc(wanted.len() as u64);
                for (v, data) in variants.iter().zip(made) {
                    // Its encoder failed: nothing to write.
                    let Some(data) = data else { continue };
                    self.cache.write_entry(&v.key, v.format, &data)?;
                    encoded.fetch_add(1, Ordering::Relaxed);
                    if in_memory {
                        lock(&self.memory).insert(v.key.clone(), Bytes::from(data));
                    }
                }
                Ok(())
            })?;

        progress.finish();

        // Publish: from memory for `serve`, as file copies otherwise.
        let write = |path: &OutputPath, v: &Variant| -> Result<()> {
            let file = self.cache.entry_path(&v.key, v.format);
            let in_cache = file.is_file();
            if in_memory {
                let cached = lock(&self.memory).get(&v.key).cloned();
                let bytes = match cached {
                    Some(b) => b,
                    // Its encoder failed: nothing to publish.
                    None if !in_cache => return Ok(()),
                    None => {
                        let b = Bytes::from(fs::read(&file)?);
                        lock(&self.memory).insert(v.key.clone(), b.clone());
                        b
                    }
                };
                output.write_shared(path, bytes)
            } else if in_cache {
                output.copy(path, &file)
            } else {
                Ok(())
            }
        };
        shown.par_iter().try_for_each(|(path, v)| write(path, v))?;
        extra
            .par_iter()
            .try_for_each(|(path, set)| write(path, set.largest()))?;

        let used: BTreeSet<CacheKey> = by_key.keys().map(|k| (*k).clone()).collect();
        if in_memory {
            lock(&self.memory).retain(|k, _| used.contains(k));
        }
        let mut sources: Vec<&Path> = sets.iter().map(|s| s.path.as_path()).collect();
        sources.sort_unstable();
        sources.dedup();
        let stats = ImageStats {
            sources: sources.len(),
            variants: used.len(),
            probed: self.probed.load(Ordering::Relaxed),
            decoded: decoded.into_inner(),
            encoded: encoded.into_inner(),
            pending,
            pruned: 0,
        };
        *lock(&self.used) = used;
        if self.manifest_dirty.swap(false, Ordering::Relaxed) {
            self.save_manifest(None)?;
        }
        Ok(stats)
    }

    /// Notes the variants of `todo` as made on request, by every output path
    /// they are shown at; returns how many there are.
    fn leave_for_later(
        &self,
        todo: &[(&ImageSet, Vec<&Variant>)],
        shown: &BTreeMap<&OutputPath, &Variant>,
        extra: &[(OutputPath, Arc<ImageSet>)],
    ) -> usize {
        let unmade: FxHashMap<&CacheKey, Arc<Unmade>> = todo
            .iter()
            .flat_map(|(set, variants)| {
                variants.iter().map(|v| {
                    let u = Unmade {
                        variant: (*v).clone(),
                        source: set.path.clone(),
                        made: OnceLock::new(),
                    };
                    (&v.key, Arc::new(u))
                })
            })
            .collect();
        let mut pending = lock(&self.pending);
        pending.generation += 1;
        pending.by_output = shown
            .iter()
            .map(|(path, v)| (*path, *v))
            .chain(extra.iter().map(|(path, set)| (path, set.largest())))
            .filter_map(|(path, v)| Some((path.clone(), unmade.get(&v.key)?.clone())))
            .collect();
        unmade.len()
    }

    /// The bytes of an output file the last publish left to be made on
    /// request, made now (or by the background maker, waited for); `None`
    /// when `path` is no such file. `Some(None)` when it cannot be made: its
    /// source changed since it was probed.
    pub fn requested(&self, path: &OutputPath) -> Option<Option<Bytes>> {
        let unmade = lock(&self.pending).by_output.get(path)?.clone();
        Some(self.make(&unmade, None))
    }

    /// Makes, on a thread of its own, what the last publish left to make,
    /// source by source (each decoded once), until a newer publish replaces
    /// the list. One thread: the other cores answer browsers first.
    pub fn make_in_background(self: &Arc<Self>, show: Show) -> Result<()> {
        let (generation, work) = {
            let pending = lock(&self.pending);
            let mut work: BTreeMap<PathBuf, Vec<Arc<Unmade>>> = BTreeMap::new();
            for u in pending.by_output.values() {
                let list = work.entry(u.source.clone()).or_default();
                if !list.iter().any(|o| Arc::ptr_eq(o, u)) {
                    list.push(u.clone());
                }
            }
            (pending.generation, work)
        };
        if work.is_empty() {
            return Ok(());
        }
        let images = self.clone();
        let count = work.values().map(|u| u.len() as u64).sum();
        let thread = std::thread::Builder::new()
            .name("polis-images".into())
            .spawn(move || {
                let progress = Progress::new(show, "image variants, made in the background", count);
                for (source, mut unmade) in work {
                    let before = unmade.len() as u64;
                    unmade.retain(|u| u.made.get().is_none());
                    progress.inc(before - unmade.len() as u64);
                    if unmade.is_empty() {
                        continue;
                    }
                    // Widest first: the others are resized from it.
                    unmade.sort_by_key(|u| std::cmp::Reverse(u.variant.width));
                    let Some(image) = fs::read(&source).ok().and_then(|b| codec::decode(&b).ok())
                    else {
                        progress.inc(unmade.len() as u64);
                        continue;
                    };
                    for u in &unmade {
                        // A newer publish has a list of its own.
                        if lock(&images.pending).generation != generation {
                            return;
                        }
                        images.make(u, Some(&image));
                        progress.inc(1);
                    }
                }
                progress.finish();
            })
            .map_err(|source| crate::error::Error::Io {
                op: "starting the thread that makes images",
                path: self.root.clone(),
                source,
            })?;
        let mut background = lock(&self.background);
        background.retain(|t| !t.is_finished());
        background.push(thread);
        Ok(())
    }

    /// Tells the background maker to stop after the variant it is making,
    /// without waiting for it.
    pub fn cancel_background(&self) {
        lock(&self.pending).generation += 1;
    }

    /// Stops the background maker (after the variant it is making, which it
    /// writes to the cache as usual) and waits for it: once this returns,
    /// nothing of this service writes to the cache folder on its own. For
    /// `serve`'s stop, which a caller may follow by removing the site.
    pub fn stop_background(&self) {
        self.cancel_background();
        let threads = std::mem::take(&mut *lock(&self.background));
        for thread in threads {
            // A panic in the maker has been reported on stderr already.
            let _ = thread.join();
        }
    }

    /// Makes one variant left for later, once: a second caller waits for
    /// the first. `image` is its source, decoded, when the caller has it.
    fn make(&self, u: &Unmade, image: Option<&image::DynamicImage>) -> Option<Bytes> {
        u.made
            .get_or_init(|| {
                let decoded;
                let image = match image {
                    Some(i) => i,
                    None => {
                        decoded = codec::decode(&fs::read(&u.source).ok()?).ok()?;
                        &decoded
                    }
                };
                let v = &u.variant;
                let data = codec::encode_all(image, &[v.encoding()]).pop().flatten()?;
                if let Err(e) = self.cache.write_entry(&v.key, v.format, &data) {
                    // Served all the same; the next build makes it again.
                    eprintln!("warning: {e}");
                }
                let bytes = Bytes::from(data);
                lock(&self.memory).insert(v.key.clone(), bytes.clone());
                Some(bytes)
            })
            .clone()
    }

    /// Removes cache entries the last publish did not use, and probes of files
    /// it did not show. Only after a successful full build: a failed build may
    /// have seen only part of the site. Returns how many files went.
    pub fn prune(&self, shown: &[Arc<ImageSet>]) -> Result<usize> {
        let used = lock(&self.used).clone();
        let removed = self.cache.prune(&used)?;
        let keep: BTreeSet<&Path> = shown.iter().map(|s| s.path.as_path()).collect();
        self.save_manifest(Some(&keep))?;
        Ok(removed)
    }

    /// Writes the probes (only those of `keep`, when given) to the cache folder.
    fn save_manifest(&self, keep: Option<&BTreeSet<&Path>>) -> Result<()> {
        let mut files = BTreeMap::new();
        for (path, k) in lock(&self.known).iter() {
            let Ok(probe) = &k.probe else { continue };
            if keep.is_some_and(|keep| !keep.contains(path.as_path())) {
                continue;
            }
            let Ok(rel) = path.strip_prefix(&self.root) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            files.insert(rel, (k.stamp, (**probe).clone()));
        }
        self.cache.write_probes(files)
    }
}

/// One image an output (or a page's Markdown) used, and what it got: a later
/// build reuses the output only while the answer is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUse {
    pub source: ImageSource,
    pub options: ImageOptions,
    pub result: std::result::Result<Arc<ImageSet>, ImageError>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_known_by_extension() {
        for name in ["a.jpg", "b.JPEG", "c.png", "d.webp", "e.heic", "f.tiff"] {
            assert!(is_photo(name), "{name}");
        }
        for name in ["a.svg", "b.gif", "c.pdf", "d.txt", "jpg"] {
            assert!(!is_photo(name), "{name}");
        }
    }
}
