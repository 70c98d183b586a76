//! The index internal links resolve against: every content file's path relative
//! to `content/`, whichever language it is in, maps to its translation group.

use rustc_hash::FxHashMap;

use super::{Page, Site};
use crate::load::ContentFile;
use crate::model::{FileKind, Lang, PageId, SectionId, UrlPath};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Page(PageId),
    Section(SectionId),
}

impl LinkTarget {
    pub fn url<'a>(&self, site: &'a Site) -> &'a UrlPath {
        match self {
            LinkTarget::Page(id) => &site.page(*id).url,
            LinkTarget::Section(id) => &site.section(*id).url,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// No content file has that path.
    Missing,
    /// The file exists but is a draft or scheduled for later.
    NotPublished,
}

#[derive(Debug, Default)]
pub(super) struct LinkIndex {
    /// `live/housing.md` → (kind, group, published).
    files: FxHashMap<String, (FileKind, String, bool)>,
    /// Translation group → one of its published pages.
    groups: FxHashMap<String, PageId>,
}

impl LinkIndex {
    pub(super) fn new(
        files: &[std::sync::Arc<ContentFile>],
        included: &[bool],
        pages: &[Page],
    ) -> Self {
        let groups = pages
            .iter()
            .map(|p| (files[p.file].group.clone(), p.id))
            .collect();
        let files = files
            .iter()
            .zip(included)
            .map(|(f, inc)| (f.rel.clone(), (f.kind, f.group.clone(), *inc)))
            .collect();
        LinkIndex { files, groups }
    }

    pub(super) fn resolve(
        &self,
        site: &Site,
        rel: &str,
        lang: &Lang,
    ) -> Result<LinkTarget, LinkError> {
        let (kind, group, _) = self.files.get(rel).ok_or(LinkError::Missing)?;
        match kind {
            FileKind::Section => site
                .section_by_dir(group, lang)
                .or_else(|| site.section_by_dir(group, &site.config.default_language))
                .map(LinkTarget::Section)
                .ok_or(LinkError::NotPublished),
            _ => {
                // A group is published when any of its languages is.
                let any = self.groups.get(group).ok_or(LinkError::NotPublished)?;
                let pages = &site.page(*any).translations;
                let pick = |l: &Lang| pages.iter().copied().find(|p| &site.page(*p).lang == l);
                let id = pick(lang)
                    .or_else(|| pick(&site.config.default_language))
                    .unwrap_or(*any);
                Ok(LinkTarget::Page(id))
            }
        }
    }
}
