//! Stage 5, assets: files that are copied rather than rendered: the theme's
//! `static/` folder, the site's `assets/` folder (which wins over the theme file
//! by file), and the files of each page bundle, beside every language version
//! of the page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::load::is_ignored;
use crate::model::OutputPath;
use crate::output::Output;
use crate::resolve::Site;

pub const ASSETS_DIR: &str = "assets";

/// Every file to copy, by output path (sorted, deduplicated).
pub fn plan_copies(site: &Site, theme_dir: Option<&Path>) -> Result<BTreeMap<OutputPath, PathBuf>> {
    let mut copies = BTreeMap::new();
    let mut dirs = Vec::new();
    if let Some(t) = theme_dir {
        dirs.push(t.join("static"));
    }
    dirs.push(site.config.root.join(ASSETS_DIR));
    for dir in dirs {
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
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path());
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                copies.insert(OutputPath::new(rel), entry.into_path());
            }
        }
    }
    for page in &site.pages {
        for b in &page.bundle_files {
            let f = &site.bundle_files[*b];
            copies.insert(
                OutputPath::new(format!("{}/{}", page.output_dir, f.name)),
                f.path.clone(),
            );
        }
    }
    Ok(copies)
}

pub fn copy_all(copies: &BTreeMap<OutputPath, PathBuf>, output: &dyn Output) -> Result<()> {
    copies
        .par_iter()
        .try_for_each(|(to, from)| output.copy(to, from))
}
