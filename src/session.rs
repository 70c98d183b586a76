//! A site kept in memory between builds: what `serve` rebuilds after each change.
//!
//! Each rebuild gives the whole site's files and which of them changed since the
//! last good build. A failed rebuild (errors in the content) keeps the last good
//! files, so a reader never sees a half-broken site.

use std::sync::Arc;

use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::model::OutputPath;
use crate::output::{Files, MemoryOutput};
use crate::{BuildOptions, BuildSummary};

#[derive(Debug)]
pub struct Session {
    options: BuildOptions,
    files: Arc<Files>,
}

/// What a good rebuild produced.
#[derive(Debug)]
pub struct Rebuilt {
    pub files: Arc<Files>,
    /// Output paths whose bytes differ from the last good build, removed ones
    /// included, sorted.
    pub changed: Vec<OutputPath>,
    pub summary: BuildSummary,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Session {
            options,
            files: Arc::default(),
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The files of the last good build.
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Builds the site again after the source files `changed` (absolute paths)
    /// were edited, created or removed.
    pub fn rebuild_changed(
        &mut self,
        changed: &[std::path::PathBuf],
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt> {
        let _ = changed;
        self.rebuild(diags)
    }

    /// Builds the site again. Problems go to `diags`; with errors among them the
    /// result is `Err(Error::Diagnostics)` and the last good files stay.
    pub fn rebuild(&mut self, diags: &mut Diagnostics) -> Result<Rebuilt> {
        let output = MemoryOutput::new();
        let summary = crate::build(&self.options, &output, diags)?;
        if diags.has_errors() {
            return Err(Error::Diagnostics);
        }
        let files = output.into_files();
        let changed = changed_paths(&self.files, &files);
        self.files = Arc::new(files);
        Ok(Rebuilt {
            files: self.files.clone(),
            changed,
            summary,
        })
    }
}

/// The paths that are new, gone or different in `new`.
fn changed_paths(old: &Files, new: &Files) -> Vec<OutputPath> {
    let mut changed: Vec<OutputPath> = new
        .iter()
        .filter(|(path, bytes)| old.get(*path) != Some(*bytes))
        .map(|(path, _)| path.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .collect();
    changed.sort_unstable();
    changed
}
