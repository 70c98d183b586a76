//! `[search]` in `site.toml`: which pages the search index holds and which
//! filters it offers, checked against the collections and taxonomies the site
//! declares (issue 17). The index itself is made by [`crate::search`].

use indexmap::IndexMap;
use serde::Deserialize;

use super::TaxonomyConfig;
use crate::model::fields::Collection;

/// The serde shape of `[search]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    /// Make the index (on when `[search]` is there).
    pub enabled: Option<bool>,
    /// Only pages under these sections (folders under `content/`); all if unset.
    pub sections: Option<Vec<String>>,
    /// Sections (folders under `content/`) whose pages are not indexed.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// At most this many fragment files per language (hosts cap file counts).
    pub max_fragments: Option<u32>,
    /// The kind of a page by its top section's folder: `news = "news"`; a page
    /// of any other section is an `article`.
    #[serde(default)]
    pub kinds: IndexMap<String, String>,
    /// Filters by name: where each takes its values from.
    #[serde(default)]
    pub filters: IndexMap<String, RawFilter>,
}

/// One filter: the terms of a taxonomy, the value of a collection field, or
/// both; `section = true` also takes the taxonomy term named like the page's
/// top section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFilter {
    pub taxonomy: Option<String>,
    /// Also the term whose key is the page's top section (`content/live/` → `live`).
    #[serde(default)]
    pub section: bool,
    /// A collection field (`municipality`): its value, or for a `ref`, the
    /// title of the page it refers to.
    pub field: Option<String>,
    /// The pages of this collection are their own value (a municipality's guide
    /// is filed under the municipality).
    pub collection: Option<String>,
}

/// `[search]`, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchConfig {
    pub enabled: bool,
    pub sections: Option<Vec<String>>,
    pub exclude: Vec<String>,
    pub max_fragments: Option<u32>,
    /// (section folder, kind key), in `site.toml` order.
    pub kinds: Vec<(String, String)>,
    pub filters: Vec<SearchFilter>,
}

/// The kind of every page whose top section has none in `[search.kinds]`.
pub const DEFAULT_KIND: &str = "article";

#[derive(Debug, Clone, PartialEq)]
pub struct SearchFilter {
    pub name: String,
    /// Index into `config.taxonomies`.
    pub taxonomy: Option<usize>,
    pub section: bool,
    pub field: Option<String>,
    /// Index into `config.collections`.
    pub collection: Option<usize>,
}

/// A mistake in `[search]`: what is wrong, with the key to point at and a hint.
#[derive(Debug)]
pub struct SearchError {
    pub key: String,
    pub message: String,
    pub help: String,
}

impl SearchConfig {
    /// The kind key of a page whose top section is `dir`.
    pub fn kind_of(&self, dir: &str) -> &str {
        self.kinds
            .iter()
            .find(|(d, _)| d == dir)
            .map_or(DEFAULT_KIND, |(_, k)| k)
    }

    /// Whether pages under the top section `dir` (`""`: the home page) are indexed.
    pub fn indexes(&self, dir: &str) -> bool {
        if self.exclude.iter().any(|d| d == dir) {
            return false;
        }
        self.sections
            .as_ref()
            .is_none_or(|only| dir.is_empty() || only.iter().any(|d| d == dir))
    }
}

/// Checks `raw` against what the site declares; a missing `[search]` is off.
pub fn search_from_raw(
    raw: Option<RawSearch>,
    taxonomies: &[TaxonomyConfig],
    collections: &[Collection],
) -> (SearchConfig, Vec<SearchError>) {
    let Some(raw) = raw else {
        return (SearchConfig::default(), Vec::new());
    };
    let mut errors = Vec::new();
    let mut filters = Vec::new();
    for (name, f) in raw.filters {
        let mut error = |key: &str, message: String, help: String| {
            errors.push(SearchError {
                key: key.to_string(),
                message,
                help,
            })
        };
        if name == "kind" {
            error(
                "kind",
                "the filter `kind` is made from `[search.kinds]`".into(),
                "remove `[search.filters.kind]`; name the kinds of sections in `[search.kinds]`"
                    .into(),
            );
            continue;
        }
        if f.taxonomy.is_none() && f.field.is_none() && f.collection.is_none() {
            error(
                &name,
                format!("the search filter `{name}` takes its values from nothing"),
                "give it `taxonomy = \"NAME\"`, `field = \"NAME\"` or `collection = \"NAME\"`"
                    .into(),
            );
            continue;
        }
        let taxonomy = match &f.taxonomy {
            None => None,
            Some(t) => match taxonomies.iter().position(|x| &x.name == t) {
                Some(i) => Some(i),
                None => {
                    let names: Vec<String> =
                        taxonomies.iter().map(|x| format!("`{}`", x.name)).collect();
                    error(
                        &name,
                        format!(
                            "the search filter `{name}` names the taxonomy `{t}`, which the site does not declare"
                        ),
                        format!("declared taxonomies: {}", list_or_none(&names)),
                    );
                    continue;
                }
            },
        };
        if f.section && taxonomy.is_none() {
            error(
                &name,
                format!("the search filter `{name}` has `section = true` without a `taxonomy`"),
                "`section` takes the taxonomy's term named like the page's section: add `taxonomy = \"NAME\"`".into(),
            );
            continue;
        }
        let collection = match &f.collection {
            None => None,
            Some(c) => match collections.iter().position(|x| &x.name == c) {
                Some(i) => Some(i),
                None => {
                    let names: Vec<String> = collections
                        .iter()
                        .map(|x| format!("`{}`", x.name))
                        .collect();
                    error(
                        &name,
                        format!(
                            "the search filter `{name}` names the collection `{c}`, which `[collections]` does not declare"
                        ),
                        format!("declared collections: {}", list_or_none(&names)),
                    );
                    continue;
                }
            },
        };
        if let Some(field) = &f.field
            && !collections.iter().any(|c| c.field(field).is_some())
        {
            let mut known: Vec<&str> = collections
                .iter()
                .flat_map(|c| c.fields.iter().map(|d| d.name.as_str()))
                .collect();
            known.sort();
            known.dedup();
            let help = match crate::diag::did_you_mean(field, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => {
                    let names: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
                    format!("fields of the collections: {}", list_or_none(&names))
                }
            };
            error(
                &name,
                format!(
                    "the search filter `{name}` takes the field `{field}`, which no collection has"
                ),
                help,
            );
            continue;
        }
        filters.push(SearchFilter {
            name,
            taxonomy,
            section: f.section,
            field: f.field,
            collection,
        });
    }
    let config = SearchConfig {
        enabled: raw.enabled.unwrap_or(true),
        sections: raw.sections,
        exclude: raw.exclude,
        max_fragments: raw.max_fragments,
        kinds: raw.kinds.into_iter().collect(),
        filters,
    };
    (config, errors)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
