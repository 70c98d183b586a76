//! Translation status: whether each translation was made from its
//! default-language version as that version is now (up to date), from an
//! older one (stale), or says nothing about it (untracked); and which
//! default-language files have no translation yet (missing).
//!
//! A translation records the [digest](crate::load::digest) of the version it
//! was translated from as `translated_from`; `polis translations mark` writes
//! it. Read-only over the resolved site: no I/O here.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::Site;
use crate::config::Config;
use crate::diag::{Diagnostic, find_key};
use crate::load::ContentFile;
use crate::model::{FileKind, Lang, SourcePath};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Translated from the default-language version as it is now.
    Current,
    /// Translated from an older version.
    Stale,
    /// No `translated_from`: nobody recorded what it was translated from.
    Untracked,
    /// No file in this language.
    Missing,
    /// A translation without a default-language version (renamed or removed
    /// since): it has nothing to be translated from.
    Orphan,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Current => "up to date",
            Status::Stale => "stale",
            Status::Untracked => "untracked",
            Status::Missing => "missing",
            Status::Orphan => "orphan",
        }
    }
}

/// Per file, the index of its default-language version: `None` for files in
/// the default language and translations that have none.
pub(crate) fn sources(
    config: &Config,
    files: &[std::sync::Arc<ContentFile>],
) -> Vec<Option<usize>> {
    let defaults: FxHashMap<(&str, bool), usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.lang == config.default_language)
        .map(|(i, f)| ((f.group.as_str(), f.kind == FileKind::Section), i))
        .collect();
    files
        .iter()
        .map(|f| {
            if f.lang == config.default_language {
                return None;
            }
            defaults
                .get(&(f.group.as_str(), f.kind == FileKind::Section))
                .copied()
        })
        .collect()
}

/// The status of `translation`, translated from `source`.
pub fn status(config: &Config, source: &ContentFile, translation: &ContentFile) -> Status {
    match &translation.front.translated_from {
        None => Status::Untracked,
        Some(d) if d == source.digest(config) => Status::Current,
        Some(_) => Status::Stale,
    }
}

impl Site {
    /// The default-language version of the file `file` (an index into
    /// [`Site::files`]), when `file` is a translation that has one.
    pub fn translation_source(&self, file: usize) -> Option<usize> {
        self.translation_sources.get(file).copied().flatten()
    }

    /// The status of the file `file` as a translation; `None` for a file in
    /// the default language or without a default-language version.
    pub fn translation_status(&self, file: usize) -> Option<Status> {
        let source = self.translation_source(file)?;
        Some(status(&self.config, &self.files[source], &self.files[file]))
    }
}

/// A warning for each stale translation (for `polis check`), at its
/// `translated_from` line; and for a `translated_from` that has nothing to
/// refer to.
pub fn stale_translation_warnings(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, f) in site.files.iter().enumerate() {
        if f.front.translated_from.is_none() {
            continue;
        }
        let pos = find_key(&f.text[..f.body_start], "translated_from", 1);
        match site.translation_source(i) {
            Some(s) => {
                if site.translation_status(i) != Some(Status::Stale) {
                    continue;
                }
                let source = &site.files[s].source;
                out.push(
                    Diagnostic::warning(
                        &f.source,
                        pos,
                        format!("`{source}` has changed since this translation was made from it"),
                    )
                    .with_help(format!(
                        "update the translation from `{source}`, then run `polis translations mark {}`",
                        f.source
                    )),
                );
            }
            None if f.lang == site.config.default_language => out.push(
                Diagnostic::warning(
                    &f.source,
                    pos,
                    "`translated_from` is for translations, and this file is in the default language",
                )
                .with_help("remove the line"),
            ),
            None => out.push(
                Diagnostic::warning(
                    &f.source,
                    pos,
                    format!(
                        "`translated_from` has nothing to refer to: there is no `{}`",
                        default_path(f)
                    ),
                )
                .with_help("remove the line, or add the default-language version"),
            ),
        }
    }
    out
}

/// Where the default-language version of a translation is, or would be:
/// `content/live/housing.nb.md` → `content/live/housing.md`.
fn default_path(f: &ContentFile) -> String {
    let suffix = format!(".{}.md", f.lang);
    match f.source.as_str().strip_suffix(&suffix) {
        Some(base) => format!("{base}.md"),
        None => f.source.to_string(),
    }
}

/// Where the translation of `source` into `lang` goes:
/// `content/live/housing.md` → `content/live/housing.nb.md`.
pub fn translation_path(source: &SourcePath, lang: &Lang) -> SourcePath {
    let s = source.as_str();
    SourcePath::new(format!("{}.{lang}.md", s.strip_suffix(".md").unwrap_or(s)))
}

/// The status of every translation, per language and section.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub default_language: Lang,
    pub languages: Vec<LangReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LangReport {
    pub lang: Lang,
    pub name: String,
    pub counts: Counts,
    pub sections: Vec<SectionReport>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub current: usize,
    pub stale: usize,
    pub untracked: usize,
    pub missing: usize,
    pub orphan: usize,
}

impl Counts {
    fn add(&mut self, s: Status) {
        match s {
            Status::Current => self.current += 1,
            Status::Stale => self.stale += 1,
            Status::Untracked => self.untracked += 1,
            Status::Missing => self.missing += 1,
            Status::Orphan => self.orphan += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionReport {
    /// The section's folder: `content/live/`.
    pub section: String,
    pub counts: Counts,
    /// Sorted by status (stale first), then file.
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub status: Status,
    /// The translation, or where it would go.
    pub file: SourcePath,
    /// Its default-language version (for an orphan, where it would be).
    pub source: SourcePath,
    /// What the translation records, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_from: Option<String>,
    /// The default-language version's digest now (none for an orphan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_digest: Option<String>,
}

/// The status of every translation of every default-language file (drafts
/// and scheduled pages included: they are files), per language (`only`, or
/// all but the default) and section.
pub fn report(site: &Site, only: Option<&Lang>) -> Report {
    let config = &site.config;
    let mut by_lang: FxHashMap<(&str, bool, &Lang), usize> = FxHashMap::default();
    for (i, f) in site.files.iter().enumerate() {
        by_lang.insert((f.group.as_str(), f.kind == FileKind::Section, &f.lang), i);
    }
    let languages = config
        .languages
        .iter()
        .filter(|l| l.code != config.default_language)
        .filter(|l| only.is_none_or(|o| o == &l.code))
        .map(|l| {
            let mut sections: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
            for source in site
                .files
                .iter()
                .filter(|f| f.lang == config.default_language)
            {
                let key = (
                    source.group.as_str(),
                    source.kind == FileKind::Section,
                    &l.code,
                );
                let (status, file, translated_from) = match by_lang.get(&key) {
                    Some(&t) => {
                        let t = &site.files[t];
                        (
                            status(config, source, t),
                            t.source.clone(),
                            t.front.translated_from.clone(),
                        )
                    }
                    None => (
                        Status::Missing,
                        translation_path(&source.source, &l.code),
                        None,
                    ),
                };
                sections
                    .entry(section_dir(source))
                    .or_default()
                    .push(Entry {
                        status,
                        file,
                        source: source.source.clone(),
                        translated_from,
                        source_digest: Some(source.digest(config).to_string()),
                    });
            }
            let orphans = site
                .files
                .iter()
                .enumerate()
                .filter(|(i, f)| f.lang == l.code && site.translation_source(*i).is_none());
            for (_, f) in orphans {
                sections.entry(section_dir(f)).or_default().push(Entry {
                    status: Status::Orphan,
                    file: f.source.clone(),
                    source: SourcePath::new(default_path(f)),
                    translated_from: f.front.translated_from.clone(),
                    source_digest: None,
                });
            }
            let mut counts = Counts::default();
            let sections = sections
                .into_iter()
                .map(|(section, mut entries)| {
                    entries.sort_by(|a, b| {
                        rank(a.status)
                            .cmp(&rank(b.status))
                            .then_with(|| a.file.cmp(&b.file))
                    });
                    let mut c = Counts::default();
                    for e in &entries {
                        c.add(e.status);
                        counts.add(e.status);
                    }
                    SectionReport {
                        section,
                        counts: c,
                        entries,
                    }
                })
                .collect();
            LangReport {
                lang: l.code.clone(),
                name: l.name.clone(),
                counts,
                sections,
            }
        })
        .collect();
    Report {
        default_language: config.default_language.clone(),
        languages,
    }
}

/// What needs doing first comes first.
fn rank(s: Status) -> u8 {
    match s {
        Status::Stale => 0,
        Status::Orphan => 1,
        Status::Missing => 2,
        Status::Untracked => 3,
        Status::Current => 4,
    }
}

/// The folder of the section a file lists in (a section's own file: that
/// section), as `content/live/`.
fn section_dir(f: &ContentFile) -> String {
    let dir = match f.kind {
        FileKind::Section => f.group.as_str(),
        FileKind::Page => f.dir(),
        FileKind::Bundle => f.group.rsplit_once('/').map_or("", |(d, _)| d),
    };
    if dir.is_empty() {
        "content/".to_string()
    } else {
        format!("content/{dir}/")
    }
}
