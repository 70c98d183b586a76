//! What an edit invalidates: which files a rebuild reads again, and whether
//! it may skip `resolve` and patch the last site with new Markdown bodies.
//! Pure functions over paths and loaded files, so each rule has a unit test.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::load::{self, LoadedSite, Reread};
use crate::render::RenderState;
use crate::resolve::Site;

/// What changed since the last build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Anything: the first build, or the one after polis itself failed.
    Everything,
    /// These source files (absolute paths) were edited, created or removed.
    Paths(Vec<PathBuf>),
}

/// What an [`Edit`] lets a build reuse.
#[derive(Debug, PartialEq, Eq)]
pub struct Scope {
    /// Nothing can be reused: the caches start empty.
    pub everything: bool,
    /// The files and folders to read again.
    pub reread: Vec<PathBuf>,
    /// Every changed file is Markdown under `content/`: when only bodies
    /// differ, `resolve` can be skipped.
    pub markdown_only: bool,
}

impl Edit {
    /// What this edit invalidates in the site at `root`.
    pub fn scope(&self, root: &Path) -> Scope {
        let changed = match self {
            Edit::Everything => {
                return Scope {
                    everything: true,
                    reread: Vec::new(),
                    markdown_only: false,
                };
            }
            Edit::Paths(paths) => paths,
        };
        let content = root.join(load::CONTENT_DIR);
        let is_markdown = |p: &PathBuf| p.extension().is_some_and(|e| e == "md");
        // A file added to or removed from a page bundle changes what its pages'
        // fields and shortcodes may name: read the bundle's Markdown again.
        let mut reread = changed.clone();
        reread.extend(
            changed
                .iter()
                .filter(|p| p.starts_with(&content) && !is_markdown(p))
                .filter_map(|p| p.parent().map(Path::to_path_buf)),
        );
        Scope {
            // The config shapes everything, and so do the data files it names.
            everything: changed.contains(&root.join(crate::config::CONFIG_FILE))
                || changed
                    .iter()
                    .any(|p| p.starts_with(root.join(crate::config::DATA_DIR))),
            reread,
            markdown_only: !changed.is_empty()
                && changed
                    .iter()
                    .all(|p| p.starts_with(&content) && is_markdown(p)),
        }
    }
}

impl Scope {
    pub fn reread(&self) -> Reread<'_> {
        if self.everything {
            Reread::All
        } else {
            Reread::Paths(&self.reread)
        }
    }
}

/// The last build's site with the new texts of `loaded`, when the edit
/// changed Markdown bodies only: then every page keeps its id, URL and links,
/// and `resolve` need not run. `None` when anything else may have changed.
pub fn patch_bodies(scope: &Scope, render: &mut RenderState, loaded: &LoadedSite) -> Option<Site> {
    if scope.everything
        || !scope.markdown_only
        || !render
            .site()
            .is_some_and(|site| only_bodies_differ(site, loaded))
    {
        return None;
    }
    let mut site = render.take_site()?;
    for (old, new) in site.files.iter_mut().zip(&loaded.files) {
        if !Arc::ptr_eq(old, new) {
            *old = new.clone();
        }
    }
    Some(site)
}

/// Whether the files of `loaded` differ from the site's only in Markdown
/// bodies: same files in the same order, same front matter, same bundle files.
fn only_bodies_differ(site: &Site, loaded: &LoadedSite) -> bool {
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
fn translations_flip(site: &Site, i: usize, new: &load::ContentFile) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(changed: &[&str]) -> Scope {
        let root = Path::new("/site");
        Edit::Paths(changed.iter().map(|p| root.join(p)).collect()).scope(root)
    }

    #[test]
    fn everything_starts_from_nothing() {
        let s = Edit::Everything.scope(Path::new("/site"));
        assert!(s.everything && !s.markdown_only && s.reread.is_empty());
        assert!(matches!(s.reread(), Reread::All));
    }

    #[test]
    fn markdown_edits_may_skip_resolve() {
        let s = scope(&["content/live/housing.md", "content/live/housing.nb.md"]);
        assert!(!s.everything);
        assert!(s.markdown_only);
        assert_eq!(
            s.reread,
            vec![
                PathBuf::from("/site/content/live/housing.md"),
                PathBuf::from("/site/content/live/housing.nb.md")
            ]
        );
    }

    #[test]
    fn a_bundle_photo_rereads_its_folder_and_resolves_again() {
        let s = scope(&["content/municipalities/asker/harbour.jpg"]);
        assert!(!s.everything && !s.markdown_only);
        assert_eq!(
            s.reread,
            vec![
                PathBuf::from("/site/content/municipalities/asker/harbour.jpg"),
                PathBuf::from("/site/content/municipalities/asker"),
            ]
        );
    }

    #[test]
    fn the_config_invalidates_everything() {
        let s = scope(&["content/news/a.md", "site.toml"]);
        assert!(s.everything && matches!(s.reread(), Reread::All));
    }

    #[test]
    fn a_data_file_invalidates_everything() {
        let s = scope(&["data/map/oslo-region.geojson"]);
        assert!(s.everything && matches!(s.reread(), Reread::All));
    }

    #[test]
    fn templates_and_styles_are_not_markdown_edits() {
        for path in [
            "themes/t/templates/page.html",
            "assets/main.css",
            "i18n/nb.toml",
        ] {
            let s = scope(&[path]);
            assert!(!s.everything && !s.markdown_only, "{path}");
            assert_eq!(s.reread, vec![PathBuf::from("/site").join(path)], "{path}");
        }
    }

    #[test]
    fn no_change_patches_nothing() {
        assert!(!scope(&[]).markdown_only);
    }
}
