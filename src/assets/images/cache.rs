//! The image cache folder, `CACHE/images/`: the encoded variants, each under
//! its content-addressed key (`ab/abcdef….webp`), and the probe manifest
//! (`probes.json`), all written atomically; and pruning what the last build did
//! not use. It lies outside every watched folder; nothing here decodes or
//! encodes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Probe;
use crate::error::Result;
use crate::fs;
use crate::model::ImageFormat;

/// Changes whenever the pixels polis writes for the same settings change (a new
/// resize filter, encoder options): part of every cache key.
const PIPELINE_VERSION: u32 = 1;

/// The content hash of a source file (xxh3, 128 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ContentHash(pub u128);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> Self {
        ContentHash(xxhash_rust::xxh3::xxh3_128(bytes))
    }
}

/// The name of one cache entry: a hash of the source's content hash, the
/// operation and the encoder settings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(String);

impl CacheKey {
    /// `base`: the size the variant is resized from (see
    /// [`super::codec::Encoding`]); a variant that is its base keeps the key
    /// it had before bases were named.
    pub(super) fn of(
        hash: ContentHash,
        width: u32,
        height: u32,
        base: (u32, u32),
        format: ImageFormat,
        quality: u8,
    ) -> Self {
        use std::hash::Hash;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        (PIPELINE_VERSION, hash.0, width, height, format, quality).hash(&mut h);
        if base != (width, height) {
            base.hash(&mut h);
        }
        #[cfg(feature = "avif")]
        if format == ImageFormat::Avif {
            (super::codec::AVIF_SPEED, super::codec::AVIF_ENCODER).hash(&mut h);
        }
        if format == ImageFormat::Png {
            super::codec::PNG_DEFLATE.hash(&mut h);
        }
        CacheKey(format!("{:032x}", h.digest128()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A file's size and modification time: while they stay the same, its probe
/// is taken from memory or the manifest without reading the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stamp {
    len: u64,
    mtime_ns: i128,
}

impl Stamp {
    pub(super) fn of(meta: &std::fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        Stamp {
            len: meta.len(),
            mtime_ns,
        }
    }
}

/// The probes of the sources, by path relative to the site root.
pub(super) type Probes = BTreeMap<String, (Stamp, Probe)>;

/// The probes kept in the cache folder, so that a cold process with a warm
/// cache reads no photo.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    /// By path relative to the site root.
    files: Probes,
}

/// The cache folder of images, `CACHE/images`.
#[derive(Debug)]
pub(super) struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The images' part of the cache folder `cache_dir`.
    pub(super) fn new(cache_dir: &Path) -> Self {
        Cache {
            dir: cache_dir.join("images"),
        }
    }

    fn manifest_path(&self) -> PathBuf {
        self.dir.join("probes.json")
    }

    /// The probes saved by an earlier build of the same pipeline version;
    /// none when there are none (or they cannot be read).
    pub(super) fn read_probes(&self) -> Probes {
        match fs::read_to_string(&self.manifest_path()) {
            Ok(text) => match serde_json::from_str::<Manifest>(&text) {
                Ok(m) if m.version == PIPELINE_VERSION => m.files,
                _ => Probes::new(),
            },
            Err(_) => Probes::new(),
        }
    }

    /// Saves `files` as the probe manifest.
    pub(super) fn write_probes(&self, files: Probes) -> Result<()> {
        let m = Manifest {
            version: PIPELINE_VERSION,
            files,
        };
        let path = self.manifest_path();
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string(&m).unwrap_or_default();
        fs::write_atomic(&path, text.as_bytes())
    }

    /// `CACHE/images/ab/abcdef….webp`: two-letter folders keep each small.
    pub(super) fn entry_path(&self, key: &CacheKey, format: ImageFormat) -> PathBuf {
        self.dir
            .join(&key.as_str()[..2])
            .join(format!("{}.{}", key.as_str(), format.extension()))
    }

    pub(super) fn write_entry(
        &self,
        key: &CacheKey,
        format: ImageFormat,
        data: &[u8],
    ) -> Result<()> {
        let path = self.entry_path(key, format);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write_atomic(&path, data)
    }

    /// Removes the entries whose keys are not in `used`; returns how many
    /// files went.
    pub(super) fn prune(&self, used: &BTreeSet<CacheKey>) -> Result<usize> {
        let mut removed = 0;
        if !self.dir.is_dir() {
            return Ok(removed);
        }
        for entry in walkdir::WalkDir::new(&self.dir).min_depth(2).max_depth(2) {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            let key = name.split('.').next().unwrap_or_default().to_string();
            if !used.contains(&CacheKey(key)) {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_change_with_every_setting() {
        let h = ContentHash(1);
        let base = (960, 720);
        let k = CacheKey::of(h, 480, 360, base, ImageFormat::Webp, 75);
        assert_eq!(k, CacheKey::of(h, 480, 360, base, ImageFormat::Webp, 75));
        for other in [
            CacheKey::of(ContentHash(2), 480, 360, base, ImageFormat::Webp, 75),
            CacheKey::of(h, 481, 360, base, ImageFormat::Webp, 75),
            CacheKey::of(h, 480, 360, (1920, 1440), ImageFormat::Webp, 75),
            CacheKey::of(h, 480, 360, (480, 360), ImageFormat::Webp, 75),
            CacheKey::of(h, 480, 360, base, ImageFormat::Jpeg, 75),
            CacheKey::of(h, 480, 360, base, ImageFormat::Webp, 76),
        ] {
            assert_ne!(k, other);
        }
    }
}
