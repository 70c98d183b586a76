//! A site kept in memory between builds: what `serve` rebuilds after each change.
//!
//! Each stage keeps what the next build can reuse: `load` the files it read,
//! `render` the Markdown it rendered and every output with what it read (see
//! [`crate::render::deps`]). A change to Markdown bodies only, the common edit,
//! skips `resolve` and renders only the outputs that show those bodies. Each
//! rebuild gives the whole site's files and which of them changed since the last
//! good build; a failed rebuild keeps the last good files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::assets::images::Images;
use crate::assets::styles::AssetCache;
use crate::diag::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::load::{LoadCache, LoadedSite, Reread};
use crate::model::OutputPath;
use crate::output::{Files, MemoryOutput, Output};
use crate::render::{Change, RenderState};
use crate::{BuildOptions, BuildSummary, assets, config, load, render, resolve};

#[derive(Debug)]
pub struct Session {
    options: BuildOptions,
    files: Arc<Files>,
    load: LoadCache,
    render: RenderState,
    /// What `resolve` reported last time it ran (a bodies-only rebuild skips it).
    resolve_diags: Vec<Diagnostic>,
    /// Whether the next rebuild must start from nothing.
    fresh: bool,
    /// Probes and variants of images, kept while `[images]` stays the same.
    images: Option<Arc<Images>>,
    styles: AssetCache,
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
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Session {
            options,
            files: Arc::default(),
            load: LoadCache::default(),
            render: RenderState::incremental(),
            resolve_diags: Vec::new(),
            fresh: true,
            images: None,
            styles: AssetCache::default(),
        }
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
        let root = self.options.root.clone();
        if self.fresh || changed.iter().any(|p| p == &root.join(config::CONFIG_FILE)) {
            // The config shapes everything: start from nothing.
            self.load = LoadCache::default();
            self.render.clear();
            self.fresh = false;
        }
        let result = self.build(&root, changed, diags);
        if result.is_err() && !matches!(result, Err(Error::Diagnostics)) {
            // A failure of the tool itself: trust no cache next time.
            self.fresh = true;
        }
        let (output, summary, bodies_only) = result?;
        if diags.has_errors() {
            return Err(Error::Diagnostics);
        }
        let mut timer = crate::Timer::new();
        let files = output.into_files();
        let changed = changed_paths(&self.files, &files);
        self.files = Arc::new(files);
        timer.lap("diff");
        Ok(Rebuilt {
            files: self.files.clone(),
            changed,
            summary,
            bodies_only,
        })
    }

    fn build(
        &mut self,
        root: &Path,
        changed: &[PathBuf],
        diags: &mut Diagnostics,
    ) -> Result<(MemoryOutput, BuildSummary, bool)> {
        let mut timer = crate::Timer::new();
        let config = self.options.apply(config::load_config(root, diags)?)?;
        let theme_dir = crate::theme_dir(&config, diags);
        render::templates::require_templates(&config, theme_dir.as_deref(), diags)?;
        timer.lap("config");
        let content = root.join(load::CONTENT_DIR);
        let markdown_only = changed
            .iter()
            .all(|p| p.starts_with(&content) && p.extension().is_some_and(|e| e == "md"));
        // A file added to or removed from a page bundle changes what its pages'
        // fields and shortcodes may name: read the bundle's Markdown again.
        let mut reread: Vec<PathBuf> = changed.to_vec();
        reread.extend(
            changed
                .iter()
                .filter(|p| p.starts_with(&content) && p.extension().is_none_or(|e| e != "md"))
                .filter_map(|p| p.parent().map(Path::to_path_buf)),
        );
        let loaded =
            load::load_site_cached(&config, diags, &mut self.load, Reread::Paths(&reread))?;

        timer.lap("load");
        let patchable = markdown_only
            && !changed.is_empty()
            && self
                .render
                .site()
                .is_some_and(|site| only_bodies_differ(site, &loaded));
        let patched = if patchable {
            self.render.take_site().map(|mut site| {
                for (old, new) in site.files.iter_mut().zip(&loaded.files) {
                    if !Arc::ptr_eq(old, new) {
                        *old = new.clone();
                    }
                }
                site
            })
        } else {
            None
        };
        let bodies_only = patched.is_some();
        let site = match patched {
            Some(site) => {
                diags.extend(self.resolve_diags.iter().cloned());
                site
            }
            None => {
                let mut resolve_diags = Diagnostics::default();
                let site = resolve::resolve_site(config, loaded, &self.options, &mut resolve_diags);
                self.resolve_diags = resolve_diags.sorted();
                diags.extend(self.resolve_diags.iter().cloned());
                site
            }
        };
        timer.lap("resolve");
        let i18n = render::i18n::I18n::load(&site.config, theme_dir.as_deref(), diags);
        let change = if bodies_only {
            Change::BodiesOnly
        } else {
            Change::Any {
                i18n: i18n.fingerprints(),
            }
        };
        let dirs = render::templates::TemplateDirs::new(root, theme_dir.as_deref());
        let plan = assets::plan(&site, theme_dir.as_deref())?;
        let images = match &self.images {
            Some(i) if i.fits(&site.config.images, &site.config.base_path) => i.clone(),
            _ => Arc::new(Images::new(
                &site.config.images,
                root,
                &site.config.base_path,
            )),
        };
        images.begin_build();
        self.images = Some(images.clone());
        let styles = Arc::new(assets::styles::build(
            &plan.styles,
            root,
            &site.config.base_path,
            self.options.style_options(&site.config),
            &self.styles,
            diags,
        ));
        timer.lap("i18n, plan, styles");
        let output = MemoryOutput::with_capacity(self.files.len());
        let inputs = render::Inputs {
            site,
            i18n,
            images: images.clone(),
            assets: styles.clone(),
        };
        let stats =
            render::render_site_with(inputs, &dirs, &output, diags, &mut self.render, change)?;
        timer.lap("render");
        let originals = assets::originals(&images, &plan.originals, diags);
        let image_stats = images.publish(&stats.images, &originals, &output)?;
        assets::write_styles(&styles, &output)?;
        assets::copy_all(&plan.copies, &output)?;
        timer.lap("assets");
        let summary = BuildSummary {
            pages: stats.pages,
            files: output.count(),
            images: image_stats,
        };
        Ok((output, summary, bodies_only))
    }
}

/// Whether the files of `loaded` differ from the site's only in Markdown
/// bodies: same files in the same order, same front matter, same bundle files.
fn only_bodies_differ(site: &resolve::Site, loaded: &LoadedSite) -> bool {
    if site.files.len() != loaded.files.len()
        || site.bundle_files.len() != loaded.bundle_files.len()
        || site
            .bundle_files
            .iter()
            .zip(&loaded.bundle_files)
            .any(|(a, b)| a.path != b.path)
    {
        return false;
    }
    for (i, (old, new)) in site.files.iter().zip(&loaded.files).enumerate() {
        if Arc::ptr_eq(&old.text, &new.text) {
            continue;
        }
        if old.rel != new.rel
            || old.body_start != new.body_start
            || old.text[..old.body_start] != new.text[..new.body_start]
            || translations_flip(site, i, new)
        {
            return false;
        }
    }
    true
}

/// Whether a new text of the file `i` makes a translation of it stale, or up
/// to date again: the translation's pages show that, and resolve must run.
fn translations_flip(site: &resolve::Site, i: usize, new: &load::ContentFile) -> bool {
    let recorded: Vec<&str> = (0..site.files.len())
        .filter(|j| site.translation_source(*j) == Some(i))
        .filter_map(|j| site.files[j].front.translated_from.as_deref())
        .collect();
    if recorded.is_empty() {
        return false;
    }
    let (before, after) = (site.files[i].digest(&site.config), new.digest(&site.config));
    before != after && recorded.iter().any(|d| (*d == before) != (*d == after))
}

/// The paths that are new, gone or different in `new`.
fn changed_paths(old: &Files, new: &Files) -> Vec<OutputPath> {
    let same = |a: &bytes::Bytes, b: &bytes::Bytes| {
        (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
    };
    let mut changed: Vec<OutputPath> = new
        .iter()
        .filter(|(path, bytes)| !old.get(*path).is_some_and(|o| same(o, bytes)))
        .map(|(path, _)| path.clone())
        .chain(old.keys().filter(|p| !new.contains_key(*p)).cloned())
        .collect();
    changed.sort_unstable();
    changed
}
