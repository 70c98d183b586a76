//! Failures that stop a stage: I/O on our own folders, an unusable config, a
//! template environment that cannot be set up. Problems in the author's content are
//! not errors but diagnostics (`diag.rs`), collected so one run shows them all.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{op} `{path}`: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no `site.toml` found in `{0}` or any folder above it")]
    NoSiteRoot(PathBuf),
    #[error("the site has errors; see the diagnostics above")]
    Diagnostics,
    #[error("invalid build option: {0}")]
    Option(String),
    /// A command was asked for what it cannot do (mark a file that is no
    /// translation, compare a folder that is not there): the message says why.
    #[error("{0}")]
    Usage(String),
    /// Pagefind could not build the search index.
    #[error("search index: {0}")]
    Search(String),
    /// `polis deploy` could not make the store match the build: the message
    /// says what failed and what state the store is left in.
    #[error("{0}")]
    Deploy(String),
    #[error("walking `{path}`: {source}")]
    Walk {
        path: PathBuf,
        #[source]
        source: walkdir::Error,
    },
}

impl Error {
    /// Whether this is an I/O error for a file or folder that is not there:
    /// for callers to whom a missing file means something else than a broken
    /// one.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
