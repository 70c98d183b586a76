//! The checks of collection fields that need the whole site: references to
//! pages of other collections, values that must be unique, shared fields that
//! no default-language file gives; and the index of who refers to whom.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::Page;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Pos, did_you_mean};
use crate::load::ContentFile;
use crate::model::fields::{FieldType, FieldValue};
use crate::model::{Field, Lang, PageId};

#[derive(Debug, Default)]
pub struct CollectionIndex {
    /// Per collection (in `config.collections` order): each page's key (its
    /// file name below the collection's folder: `drammen`) → every language
    /// version, in language order.
    keys: Vec<BTreeMap<String, Vec<PageId>>>,
    /// Per page, the collection it belongs to.
    page_collection: FxHashMap<PageId, usize>,
    /// A page → the pages whose ref fields point at it (same language), in
    /// page order.
    referrers: FxHashMap<PageId, Vec<PageId>>,
}

impl CollectionIndex {
    /// The collection (index into `config.collections`) a page belongs to.
    pub fn collection_of(&self, page: PageId) -> Option<usize> {
        self.page_collection.get(&page).copied()
    }

    /// The pages of collection `c` in `lang`, in key order.
    pub fn pages(&self, c: usize, lang: &Lang, pages: &[Page]) -> Vec<PageId> {
        self.keys.get(c).map_or_else(Vec::new, |keys| {
            keys.values()
                .filter_map(|ids| ids.iter().find(|id| &pages[id.index()].lang == lang))
                .copied()
                .collect()
        })
    }

    /// The page a `ref` value names, in `lang` or else the default language.
    pub fn target(&self, c: usize, key: &str, lang: &Lang, pages: &[Page]) -> Option<PageId> {
        let ids = self.keys.get(c)?.get(key)?;
        ids.iter()
            .find(|id| &pages[id.index()].lang == lang)
            .or_else(|| ids.first())
            .copied()
    }

    /// The pages whose ref fields name `page`.
    pub fn referrers(&self, page: PageId) -> &[PageId] {
        self.referrers.get(&page).map_or(&[], Vec::as_slice)
    }
}

/// The value of a page's field: its own, or for a shared field, the default
/// language's version's.
pub fn field<'a>(
    config: &Config,
    files: &'a [std::sync::Arc<ContentFile>],
    pages: &[Page],
    page: PageId,
    name: &str,
) -> Option<&'a Field> {
    let p = &pages[page.index()];
    if let Some(f) = files[p.file].front.fields.get(name) {
        return Some(f);
    }
    let default = p
        .translations
        .iter()
        .find(|t| pages[t.index()].lang == config.default_language)?;
    files[pages[default.index()].file].front.fields.get(name)
}

pub fn index(
    config: &Config,
    files: &[std::sync::Arc<ContentFile>],
    pages: &[Page],
    now: jiff::Timestamp,
    diags: &mut Diagnostics,
) -> CollectionIndex {
    let mut index = CollectionIndex {
        keys: vec![BTreeMap::new(); config.collections.len()],
        ..CollectionIndex::default()
    };
    if config.collections.is_empty() {
        return index;
    }
    for p in pages {
        let f = &files[p.file];
        let Some(ci) = config.collections.iter().position(|c| c.contains(&f.rel)) else {
            continue;
        };
        let Some(key) = config.collections[ci].key_of(&f.group) else {
            continue;
        };
        let key = key.to_string();
        index.keys[ci].entry(key).or_default().push(p.id);
        index.page_collection.insert(p.id, ci);
    }
    for keys in &mut index.keys {
        for ids in keys.values_mut() {
            ids.sort_by_key(|id| {
                config
                    .languages
                    .iter()
                    .position(|l| l.code == pages[id.index()].lang)
            });
        }
    }

    let mut referrers: FxHashMap<PageId, Vec<PageId>> = FxHashMap::default();
    for p in pages {
        let Some(&ci) = index.page_collection.get(&p.id) else {
            continue;
        };
        let c = &config.collections[ci];
        let f = &files[p.file];
        for def in &c.fields {
            let Some(target) = ref_collection(&def.ty) else {
                continue;
            };
            let Some(tc) = config.collections.iter().position(|x| x.name == target) else {
                continue;
            };
            // Shared refs are checked once, on the file that gives them.
            let Some(field) = f.front.fields.get(&def.name) else {
                if def.shared
                    && let Some(field) = field(config, files, pages, p.id, &def.name)
                {
                    for key in ref_keys(&field.value) {
                        if let Some(t) = index.target(tc, key, &p.lang, pages) {
                            referrers.entry(t).or_default().push(p.id);
                        }
                    }
                }
                continue;
            };
            for key in ref_keys(&field.value) {
                match index.target(tc, key, &p.lang, pages) {
                    Some(t) => referrers.entry(t).or_default().push(p.id),
                    None => {
                        let folder = &config.collections[tc].folder;
                        let mut d = Diagnostic::error(
                            &f.source,
                            field.pos,
                            format!(
                                "`{}` names `{key}`, but `{target}` has no such page (content/{folder}/{key}/)",
                                def.name
                            ),
                        );
                        d = match did_you_mean(key, index.keys[tc].keys().map(String::as_str)) {
                            Some(best) => d.with_help(format!("did you mean `{best}`?")),
                            None => d.with_help(format!(
                                "the pages of `{target}` are {}",
                                list(index.keys[tc].keys())
                            )),
                        };
                        diags.push(d);
                    }
                }
            }
        }
    }
    for ids in referrers.values_mut() {
        ids.sort();
        ids.dedup();
    }
    index.referrers = referrers;

    // Dates that say the page needs looking at again.
    let today = now.to_zoned(config.time_zone.clone()).date();
    for p in pages {
        let Some(&ci) = index.page_collection.get(&p.id) else {
            continue;
        };
        let f = &files[p.file];
        for def in &config.collections[ci].fields {
            let (Some(days), Some(field)) = (def.stale_after_days, f.front.fields.get(&def.name))
            else {
                continue;
            };
            let FieldValue::Date(date) = field.value else {
                continue;
            };
            let age = (today - date).get_days() as i64;
            if age > i64::from(days) {
                diags.push(
                    Diagnostic::warning(
                        &f.source,
                        field.pos,
                        format!(
                            "`{} = {date}` is {age} days ago, more than the {days} days allowed",
                            def.name
                        ),
                    )
                    .with_help(format!(
                        "check that the page is still right, then set `{} = {today}`",
                        def.name
                    )),
                );
            }
        }
    }

    // Unique values, per collection and language (shared values: once).
    for (ci, c) in config.collections.iter().enumerate() {
        for def in c.fields.iter().filter(|d| d.unique) {
            let mut seen: BTreeMap<(Lang, String), PageId> = BTreeMap::new();
            for ids in index.keys[ci].values() {
                for id in ids {
                    let p = &pages[id.index()];
                    let f = &files[p.file];
                    let Some(field) = f.front.fields.get(&def.name) else {
                        continue;
                    };
                    let lang = if def.shared {
                        config.default_language.clone()
                    } else {
                        p.lang.clone()
                    };
                    let value = field.value.key();
                    match seen.get(&(lang.clone(), value.clone())) {
                        Some(first) => {
                            let other = &files[pages[first.index()].file].source;
                            diags.push(
                                Diagnostic::error(
                                    &f.source,
                                    field.pos,
                                    format!(
                                        "`{} = {value}` is already taken by {other}: no two pages of `{}` may share it",
                                        def.name, c.name
                                    ),
                                )
                                .with_help(format!(
                                    "give one of the two files another `{}`",
                                    def.name
                                )),
                            );
                        }
                        None => {
                            seen.insert((lang, value), *id);
                        }
                    }
                }
            }
        }
        // A shared field that is words in a language (`translatable`): a
        // translation that gives none of its own shows the default
        // language's words to its readers (issue 21).
        for ids in index.keys[ci].values() {
            for id in ids {
                let p = &pages[id.index()];
                if p.lang == config.default_language {
                    continue;
                }
                let f = &files[p.file];
                for def in c.fields.iter().filter(|d| d.shared && d.translatable) {
                    if f.front.fields.contains_key(&def.name)
                        || field(config, files, pages, *id, &def.name).is_none()
                    {
                        continue;
                    }
                    diags.push(
                        Diagnostic::warning(
                            &f.source,
                            Some(Pos::new(1, 1)),
                            format!(
                                "`{}` is words in `{}` only: this `{}` page shows them as they are",
                                def.name, config.default_language, p.lang
                            ),
                        )
                        .with_help(format!(
                            "give this page its own `{}` in `{}`, the way the default language's file writes it",
                            def.name, p.lang
                        )),
                    );
                }
            }
        }
        // A translation without a default-language file has nobody to take
        // its shared fields from.
        for ids in index.keys[ci].values() {
            let Some(first) = ids.first() else { continue };
            let p = &pages[first.index()];
            if p.lang == config.default_language {
                continue;
            }
            for def in c.fields.iter().filter(|d| d.shared && d.required) {
                let f = &files[p.file];
                if f.front.fields.contains_key(&def.name) {
                    continue;
                }
                diags.push(
                    Diagnostic::error(
                        &f.source,
                        Some(Pos::new(1, 1)),
                        format!(
                            "`{}` is shared by all translations and given in the default language's file, but this page has none",
                            def.name
                        ),
                    )
                    .with_help(format!(
                        "add the {} version of the page beside this file, with `{}`",
                        config.default_language,
                        def.ty.example(&def.name)
                    )),
                );
            }
        }
    }
    index
}

fn ref_collection(ty: &FieldType) -> Option<&str> {
    match ty {
        FieldType::Ref { collection } => Some(collection),
        FieldType::List(item) => ref_collection(item),
        _ => None,
    }
}

fn ref_keys(v: &FieldValue) -> Vec<&str> {
    match v {
        FieldValue::Ref(k) => vec![k.as_str()],
        FieldValue::List(items) => items.iter().flat_map(ref_keys).collect(),
        _ => Vec::new(),
    }
}

fn list<'a>(keys: impl Iterator<Item = &'a String>) -> String {
    let keys: Vec<String> = keys.take(12).map(|k| format!("`{k}`")).collect();
    if keys.is_empty() {
        "none yet".into()
    } else {
        keys.join(", ")
    }
}
