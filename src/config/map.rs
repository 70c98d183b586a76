//! `[map]` in `site.toml`: what the maps polis draws (the overview of the
//! municipalities, a locator on each guide) show under their points.

use serde::Deserialize;

/// The serde shape of `[map]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMap {
    /// A GeoJSON file, relative to the site root, with the land, the lakes and
    /// the place names of the region (`data/map/extract.py` cuts one out of
    /// OpenStreetMap data).
    pub base: Option<String>,
}

/// `[map]`, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapConfig {
    /// The base map, relative to the site root; without one, maps show their
    /// points on a plain background.
    pub base: Option<String>,
}

impl From<Option<RawMap>> for MapConfig {
    fn from(raw: Option<RawMap>) -> Self {
        MapConfig {
            base: raw.and_then(|r| r.base),
        }
    }
}
