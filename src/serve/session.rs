//! A site kept in memory between builds: what `serve` rebuilds after each change.
//!
//! The session owns the pipeline's [`Caches`] and hands each edit to
//! [`pipeline::run`], which reuses what the edit left valid (see
//! [`pipeline::edit`]). Each rebuild gives the whole site's files and which of
//! them changed since the last good build; a failed rebuild keeps the last
//! good files.

use std::path::PathBuf;
use std::sync::Arc;

use crate::assets::images::Images;
use crate::diag::Diagnostics;
use crate::error::{Error, Result};
use crate::model::OutputPath;
use crate::output::{Files, MemoryOutput};
use crate::pipeline::{self, BuildOptions, BuildSummary, Caches, Edit, Goal};

#[derive(Debug)]
pub struct Session {
    options: BuildOptions,
    files: Arc<Files>,
    caches: Caches,
    /// Whether the next rebuild must start from nothing.
    fresh: bool,
    /// The last search index made, served until the next one is ready.
    index: Arc<super::search::Index>,
}

/// What a good rebuild produced.
#[derive(Debug)]
pub struct Rebuilt {
    pub files: Arc<Files>,
    /// Output paths whose bytes differ from the last good build, removed ones
    /// included, sorted.
    pub changed: Vec<OutputPath>,
    pub summary: BuildSummary,
    /// Whether only Markdown bodies changed, so `resolve` was skipped.
    pub bodies_only: bool,
    /// Makes the image variants the build left for when a browser asks.
    pub images: Arc<Images>,
    /// The pages to index, when the build left its index to the caller
    /// ([`pipeline::SearchWork::Deferred`]); meanwhile `files` has the last
    /// index made.
    pub search: Option<crate::search::Pending>,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Session {
            options,
            files: Arc::default(),
            caches: Caches::incremental(),
            fresh: true,
            index: Arc::default(),
        }
    }

    /// The search index that rebuilds carry over until their own is made.
    pub fn search_index(&self) -> &Arc<super::search::Index> {
        &self.index
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The files of the last good build.
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// Builds the whole site again, reusing nothing.
    pub fn rebuild(&mut self, diags: &mut Diagnostics) -> Result<Rebuilt> {
        self.fresh = true;
        self.rebuild_changed(&[], diags)
    }

    /// Builds the site again after the source files `changed` (absolute paths)
    /// were edited, created or removed. Problems go to `diags`; with errors among
    /// them the result is `Err(Error::Diagnostics)` and the last good files stay.
    pub fn rebuild_changed(
        &mut self,
        changed: &[PathBuf],
        diags: &mut Diagnostics,
    ) -> Result<Rebuilt> {
        let edit = if std::mem::take(&mut self.fresh) {
            Edit::Everything
        } else {
            Edit::Paths(changed.to_vec())
        };
        let output = MemoryOutput::with_capacity(self.files.len());
        let goal = Goal::Output {
            output: &output,
            lint: None,
        };
        let result = pipeline::run(&self.options, &mut self.caches, &edit, goal, diags);
        if result.is_err() && !matches!(result, Err(Error::Diagnostics)) {
            // A failure of the tool itself: trust no cache next time.
            self.fresh = true;
        }
        let mut built = result?.into_built();
        if diags.has_errors() {
            return Err(Error::Diagnostics);
        }
        let mut timer = crate::timing::Timer::new();
        let mut files = output.into_files();
        let search = built.search.take();
        if search.is_none() {
            self.index.clear();
        }
        self.index.carry_into(&mut files);
        let changed = changed_paths(&self.files, &files);
        self.files = Arc::new(files);
        timer.lap("diff");
        Ok(Rebuilt {
            files: self.files.clone(),
            changed,
            images: built.images().clone(),
            summary: built.summary,
            bodies_only: built.bodies_only,
            search,
        })
    }
}

/// The paths that are new, gone or different in `new`, but for the search
/// index's: a rebuild carries the last index along as it is, and the index
/// made after it names its own changed files when it is served
/// (`search::Reindexer`). Compared here, the index made after the build
/// before looked changed by this one (every file of it, after the first).
fn changed_paths(old: &Files, new: &Files) -> Vec<OutputPath> {
    let mut changed: Vec<OutputPath> = new
        .iter()
        .filter(|(path, held)| old.get(*path) != Some(*held))
        .map(|(path, _)| path.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .filter(|path| !super::search::in_bundle(path))
        .collect();
    changed.sort_unstable();
    changed
}
