//! The serde shape of `site.toml`, unvalidated. Unknown keys are rejected here so a
//! typo is an error with its line and column; `config::Config` checks the values.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub base_url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default = "default_language")]
    pub default_language: String,
    #[serde(default)]
    pub default_language_at_root: bool,
    pub theme: Option<String>,
    pub time_zone: Option<String>,
    pub paginate_by: Option<usize>,
    pub feed_limit: Option<usize>,
    #[serde(default)]
    pub menu: Vec<String>,
    #[serde(default)]
    pub languages: IndexMap<String, RawLanguage>,
    #[serde(default)]
    pub taxonomies: Vec<RawTaxonomy>,
    #[serde(default)]
    pub collections: IndexMap<String, super::collections::RawCollection>,
    #[serde(default)]
    pub images: RawImages,
    #[serde(default)]
    pub assets: RawAssets,
    pub search: Option<super::search::RawSearch>,
    #[serde(default)]
    pub deploy: super::deploy::RawDeploy,
    pub editor: Option<super::editor::RawEditor>,
    pub map: Option<super::map::RawMap>,
    #[serde(default)]
    pub extra: serde_json::Value,
}

/// `[images]`: how photos are published (see `assets::images`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawImages {
    /// Widths in pixels of the published variants; never wider than the original.
    pub widths: Option<Vec<u32>>,
    /// Modern formats offered before the JPEG or PNG fallback: `avif`, `webp`.
    pub formats: Option<Vec<String>>,
    /// Quality of JPEG and WebP variants, 1 to 100.
    pub quality: Option<i64>,
    /// Quality of AVIF variants, 1 to 100; `quality` if unset.
    pub avif_quality: Option<i64>,
    /// AVIF variants only up to this width; wider screens get WebP.
    pub avif_max_width: Option<u32>,
    /// The `sizes` attribute of images in Markdown.
    pub sizes: Option<String>,
    /// `blur` (a tiny inline image), `color` (the average colour) or `none`.
    pub placeholder: Option<String>,
    /// Also publish each bundle photo at full size (metadata stripped all the same).
    pub publish_originals: Option<bool>,
    /// An original larger than this many megabytes is a warning.
    pub max_file_mb: Option<f64>,
    /// An original with more than this many megapixels is a warning.
    pub max_megapixels: Option<f64>,
    /// Where resized images are kept between builds, relative to the site root.
    pub cache_dir: Option<String>,
}

/// `[assets]`: stylesheets and scripts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAssets {
    /// `asset_integrity()` gives a Subresource Integrity hash.
    pub integrity: Option<bool>,
    /// Minify CSS and JavaScript (on by default).
    pub minify: Option<bool>,
}

fn default_language() -> String {
    "en".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLanguage {
    pub name: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// BCP 47 locale for dates and plural rules, when it differs from the code
    /// (`en` → `en-GB` for "23 November 2026").
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaxonomy {
    pub name: String,
    #[serde(default = "yes")]
    pub feed: bool,
    pub paginate_by: Option<usize>,
    /// The taxonomy's URL segment per language (`nb = "stikkord"`).
    #[serde(default)]
    pub slug: IndexMap<String, String>,
    /// Declared terms, by stable key: pages may use only these, unless
    /// `open` is set.
    #[serde(default)]
    pub terms: IndexMap<String, RawTerm>,
    /// `open = true`: pages may also use terms that are not declared (tags);
    /// the declared ones still get their name and slug per language.
    #[serde(default)]
    pub open: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTerm {
    /// The term's name per language (`en = "Work", nb = "Arbeid"`).
    #[serde(default)]
    pub name: IndexMap<String, String>,
    /// The term's URL segment per language, when not its name made URL-safe.
    #[serde(default)]
    pub slug: IndexMap<String, String>,
}

fn yes() -> bool {
    true
}
