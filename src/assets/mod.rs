//! Stage 5, assets: files that are not rendered from Markdown.
//!
//! - [`images`]: photos, published only as resized, re-encoded variants without
//!   metadata; render asks for them and gets their URLs at once, the work is
//!   done after rendering, in parallel, with a cache outside the sources.
//! - [`styles`]: stylesheets and scripts, bundled, minified and fingerprinted.
//! - everything else is copied: the theme's `static/` folder, the site's
//!   `assets/` folder (which wins over the theme file by file), and the files
//!   of each page bundle, beside every language version of the page.
//!
//! Photos (JPEG, PNG, WebP and the formats polis cannot read, such as HEIC) in
//! page bundles and in `assets/` are never copied as they are: their metadata
//! can give away where a contributor lives. `[images] publish_originals = true`
//! publishes a full-size copy without metadata in their place.

pub mod images;
pub mod styles;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::load::is_ignored;
use crate::model::OutputPath;
use crate::output::Output;
use crate::resolve::Site;
use images::{ImageSource, is_photo};

pub const ASSETS_DIR: &str = "assets";

/// What the assets stage has to do for a site.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to copy as they are, by output path (sorted, deduplicated).
    pub copies: BTreeMap<OutputPath, PathBuf>,
    /// Stylesheets and scripts to process, by path under `static/` or `assets/`.
    pub styles: BTreeMap<String, PathBuf>,
    /// Photos to publish under their own name without metadata, when
    /// `publish_originals` is on.
    pub originals: Vec<(OutputPath, ImageSource)>,
}

/// Sorts the site's static files into copies, stylesheets and photos.
pub fn plan(site: &Site, theme_dir: Option<&Path>) -> Result<Plan> {
    let root = &site.config.root;
    let originals = site.config.images.publish_originals;
    let mut plan = Plan::default();
    let mut dirs = Vec::new();
    if let Some(t) = theme_dir {
        dirs.push((t.join("static"), false));
    }
    dirs.push((root.join(ASSETS_DIR), true));
    for (dir, site_assets) in dirs {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()))
        {
            let entry = entry.map_err(|source| Error::Walk {
                path: dir.clone(),
                source,
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            // A site file replaces the theme's file of the same name, whatever
            // becomes of it.
            plan.copies.remove(&OutputPath::new(rel.clone()));
            plan.styles.remove(&rel);
            plan.originals.retain(|(p, _)| p.as_str() != rel);
            if styles::is_processed(&rel) {
                plan.styles.insert(rel, entry.into_path());
            } else if site_assets && is_photo(&rel) {
                if originals {
                    plan.originals.push((
                        OutputPath::new(rel.clone()),
                        ImageSource::new(format!("{ASSETS_DIR}/{rel}")),
                    ));
                }
            } else {
                plan.copies.insert(OutputPath::new(rel), entry.into_path());
            }
        }
    }
    for page in &site.pages {
        for b in &page.bundle_files {
            let f = &site.bundle_files[*b];
            let out = OutputPath::new(crate::resolve::join_dir(&page.output_dir, &f.name));
            if is_photo(&f.name) {
                if originals {
                    plan.originals.push((
                        out,
                        ImageSource::new(format!(
                            "{}/{}/{}",
                            crate::load::CONTENT_DIR,
                            f.bundle,
                            f.name
                        )),
                    ));
                }
            } else {
                plan.copies.insert(out, f.path.clone());
            }
        }
    }
    plan.originals.sort();
    Ok(plan)
}

pub fn copy_all(copies: &BTreeMap<OutputPath, PathBuf>, output: &dyn Output) -> Result<()> {
    copies
        .par_iter()
        .try_for_each(|(to, from)| output.copy(to, from))
}

/// The full-size copies `publish_originals` publishes: each photo's image
/// set, to be written under its own name. A photo polis cannot read is a warning.
pub fn originals(
    images: &images::Images,
    wanted: &[(OutputPath, ImageSource)],
    diags: &mut crate::diag::Diagnostics,
) -> Vec<(OutputPath, std::sync::Arc<images::ImageSet>)> {
    let mut out = Vec::new();
    for (path, source) in wanted {
        match images.original(source) {
            Ok(set) => out.push((path.clone(), set)),
            Err(e) => {
                let (message, help) = e.describe(source.rel.as_str());
                diags.push(
                    crate::diag::Diagnostic::warning(
                        &source.rel,
                        None,
                        format!("{message}; its original is not published"),
                    )
                    .with_help(help),
                );
            }
        }
    }
    out
}

/// Writes the processed stylesheets and scripts.
pub fn write_styles(assets: &styles::Assets, output: &dyn Output) -> Result<()> {
    for (path, bytes) in assets.files() {
        output.write_shared(path, bytes.clone())?;
    }
    Ok(())
}
