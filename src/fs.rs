//! I/O wrappers that always name the operation and the path, so an error message
//! says what failed where. All file system access of polis goes through here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(io("reading", path))
}

pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(io("reading", path))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(io("writing", path))
}

/// Writes through a temporary file beside `path` and a rename, so that a
/// process stopped half-way never leaves a truncated file behind, and readers
/// see the old contents or the new, never part of them. On failure the
/// temporary file is removed again; the error names `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(
        "{name}.{}-{}.tmp",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(io("writing", path))
}

/// Appends `bytes` to the file at `path`, creating it if it is missing.
pub fn append(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(io("appending to", path))
}

pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(io("creating folder", path))
}

pub fn remove_dir_all(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        r => r.map_err(io("removing folder", path)),
    }
}

/// Removes a file. Unlike [`remove_dir_all`], a missing file is an error
/// (see [`Error::is_not_found`]).
pub fn remove_file(path: &Path) -> Result<()> {
    std::fs::remove_file(path).map_err(io("removing", path))
}

pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(io("moving", from))
}

pub fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(io("copying", from))
}

/// The metadata of `path`, following symbolic links.
pub fn metadata(path: &Path) -> Result<std::fs::Metadata> {
    std::fs::metadata(path).map_err(io("looking up", path))
}

/// The metadata of `path` itself: a symbolic link is not followed.
pub fn symlink_metadata(path: &Path) -> Result<std::fs::Metadata> {
    std::fs::symlink_metadata(path).map_err(io("looking up", path))
}

/// The absolute path of `path`, with every symbolic link resolved.
pub fn canonicalize(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(io("resolving", path))
}

/// The entries of a folder, in the order the file system gives them.
pub fn read_dir(path: &Path) -> Result<ReadDir> {
    std::fs::read_dir(path)
        .map(|inner| ReadDir {
            inner,
            path: path.to_path_buf(),
        })
        .map_err(io("reading the folder", path))
}

/// The entries of a folder ([`read_dir`]); an entry's error names the folder.
#[derive(Debug)]
pub struct ReadDir {
    inner: std::fs::ReadDir,
    path: PathBuf,
}

impl Iterator for ReadDir {
    type Item = Result<std::fs::DirEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.inner
                .next()?
                .map_err(io("reading the folder", &self.path)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of an error, which must name the operation and the path.
    fn message<T: std::fmt::Debug>(r: Result<T>) -> String {
        r.expect_err("the operation should fail").to_string()
    }

    #[test]
    fn errors_name_the_operation_and_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let inside = missing.join("file");
        for (op, path, r) in [
            ("looking up", &missing, message(metadata(&missing))),
            ("looking up", &missing, message(symlink_metadata(&missing))),
            ("resolving", &missing, message(canonicalize(&missing))),
            ("reading the folder", &missing, message(read_dir(&missing))),
            ("removing", &missing, message(remove_file(&missing))),
            ("appending to", &inside, message(append(&inside, b"x"))),
            ("writing", &inside, message(write_atomic(&inside, b"x"))),
        ] {
            let shown = format!("`{}`", path.display());
            assert!(r.starts_with(op), "{r:?} should start with {op:?}");
            assert!(r.contains(&shown), "{r:?} should name {shown}");
        }
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(remove_file(&missing).unwrap_err().is_not_found());
        assert!(metadata(&missing).unwrap_err().is_not_found());
        let file = dir.path().join("file");
        write(&file, b"x").unwrap();
        // Not a folder: an error, but not a missing one.
        assert!(
            !create_dir_all(&file.join("sub"))
                .unwrap_err()
                .is_not_found()
        );
    }

    #[test]
    fn read_dir_lists_the_entries() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a"), b"").unwrap();
        create_dir_all(&dir.path().join("b")).unwrap();
        let mut names: Vec<String> = read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn append_creates_then_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        append(&path, b"one\n").unwrap();
        append(&path, b"two\n").unwrap();
        assert_eq!(read_to_string(&path).unwrap(), "one\ntwo\n");
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("probes.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(read(&path).unwrap(), b"new");
        let names: Vec<_> = read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["probes.json"]);
    }

    #[test]
    fn write_atomic_removes_its_temporary_file_when_the_rename_fails() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty folder where the file should go: the rename fails.
        let path = dir.path().join("taken");
        create_dir_all(&path.join("inside")).unwrap();
        let e = write_atomic(&path, b"x").unwrap_err().to_string();
        assert!(e.starts_with("writing"), "{e}");
        assert!(e.contains(&format!("`{}`", path.display())), "{e}");
        let names: Vec<_> = read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["taken"]);
    }
}
