//! Stage 6, output: where rendered files go. [`DiskOutput`] writes into a staging
//! folder beside the target and swaps it in only when the build succeeded, so a
//! failed build never leaves a half-written site.

mod content_type;
pub mod diff;
mod held;

pub use content_type::content_type_of;
pub use held::Held;

use std::path::{Path, PathBuf};

use bytes::Bytes;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::Result;
use crate::fs;
use crate::model::OutputPath;

/// A sink for output files; written to from many threads at once.
pub trait Output: Sync {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> Result<()>;
    fn copy(&self, path: &OutputPath, from: &Path) -> Result<()>;
    /// Writes bytes that may be shared with an earlier build.
    fn write_shared(&self, path: &OutputPath, bytes: Bytes) -> Result<()> {
        self.write(path, bytes.to_vec())
    }
    /// Writes a file as `serve` holds it (see [`Held`]); an output that keeps
    /// files elsewhere gets their bytes.
    fn write_held(&self, path: &OutputPath, held: Held) -> Result<()> {
        self.write_shared(path, held.bytes()?)
    }
    /// Files written so far.
    fn count(&self) -> usize;
    /// Whether files end up in memory (`serve`): then bytes that are already in
    /// memory are better written with [`Output::write_shared`] than copied.
    fn in_memory(&self) -> bool {
        false
    }
}

#[derive(Debug)]
pub struct DiskOutput {
    staging: PathBuf,
    target: PathBuf,
    count: AtomicUsize,
}

impl DiskOutput {
    /// Starts a fresh staging folder next to `target`.
    pub fn begin(target: &Path) -> Result<Self> {
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let parent = target.parent().unwrap_or(Path::new("."));
        let staging = parent.join(format!(".{name}.staging"));
        fs::remove_dir_all(&staging)?;
        fs::create_dir_all(&staging)?;
        Ok(DiskOutput {
            staging,
            target: target.to_path_buf(),
            count: AtomicUsize::new(0),
        })
    }

    fn full(&self, path: &OutputPath) -> Result<PathBuf> {
        let full = self.staging.join(path.as_str());
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir)?;
        }
        Ok(full)
    }

    /// Replaces the target folder with the staged one.
    pub fn commit(self) -> Result<PathBuf> {
        let name = self
            .target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let old = self.target.with_file_name(format!(".{name}.old"));
        fs::remove_dir_all(&old)?;
        if self.target.exists() {
            fs::rename(&self.target, &old)?;
        }
        fs::rename(&self.staging, &self.target)?;
        // The new site is in place: a leftover old copy is not worth failing the
        // build for; the next build removes it before its own swap.
        let _ = fs::remove_dir_all(&old);
        Ok(self.target)
    }

    /// Throws the staged files away; the target folder stays as it was.
    pub fn abort(self) -> Result<()> {
        fs::remove_dir_all(&self.staging)
    }
}

impl Output for DiskOutput {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> Result<()> {
        self.write_shared(path, bytes.into())
    }

    fn write_shared(&self, path: &OutputPath, bytes: Bytes) -> Result<()> {
        fs::write(&self.full(path)?, &bytes)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn copy(&self, path: &OutputPath, from: &Path) -> Result<()> {
        fs::copy(from, &self.full(path)?)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// The files of a site held in memory, by output path (`en/live/index.html`),
/// text compressed ([`Held`]). Clones are cheap, so a rebuild shares unchanged
/// files with the last one.
pub type Files = rustc_hash::FxHashMap<OutputPath, Held>;

/// Keeps every file in memory: what `serve` renders into.
#[derive(Debug, Default)]
pub struct MemoryOutput {
    files: std::sync::Mutex<Files>,
}

impl MemoryOutput {
    pub fn new() -> Self {
        MemoryOutput::default()
    }

    /// Room for `n` files up front (a rebuild knows about how many).
    pub fn with_capacity(n: usize) -> Self {
        MemoryOutput {
            files: std::sync::Mutex::new(Files::with_capacity_and_hasher(n, Default::default())),
        }
    }

    pub fn into_files(self) -> Files {
        self.files.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, path: &OutputPath, held: Held) {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(path.clone(), held);
    }
}

impl Output for MemoryOutput {
    fn write_shared(&self, path: &OutputPath, bytes: Bytes) -> Result<()> {
        self.insert(path, Held::pack(path, bytes));
        Ok(())
    }

    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> Result<()> {
        self.insert(path, Held::pack(path, bytes));
        Ok(())
    }

    fn write_held(&self, path: &OutputPath, held: Held) -> Result<()> {
        self.insert(path, held.packed(path));
        Ok(())
    }

    fn copy(&self, path: &OutputPath, from: &Path) -> Result<()> {
        self.insert(path, Held::pack(path, fs::read(from)?));
        Ok(())
    }

    fn count(&self) -> usize {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn in_memory(&self) -> bool {
        true
    }
}

/// Keeps nothing, counts the files: what `check` builds into, since it writes
/// nothing.
#[derive(Debug, Default)]
pub struct NullOutput {
    count: AtomicUsize,
}

impl Output for NullOutput {
    fn write(&self, _path: &OutputPath, _bytes: Vec<u8>) -> Result<()> {
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn copy(&self, _path: &OutputPath, _from: &Path) -> Result<()> {
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}
