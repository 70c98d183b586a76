//! Maps drawn at build time: an SVG with a point per page, placed by the
//! page's `geo` field, over the region's land, lakes and place names from the
//! base map (`[map] base` in `site.toml`, a GeoJSON file). No tiles, scripts
//! or requests to other hosts.
//!
//! Two kinds: the overview, where each point is a link with the page's title
//! as its text (keyboard users tab through them, screen readers read a list of
//! links); and the locator, which marks one page among the others. Both are
//! described for screen readers: where each place lies from the nearest city
//! of the base map ("Asker: 20 km south-west of Oslo").

use std::fmt::Write;
use std::sync::Arc;

use geojson::{FeatureCollection, GeometryValue, JsonObject, PolygonType};

use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, Pos, pos_of};
use crate::model::fields::FieldValue;
use crate::model::{PageId, SourcePath};
use crate::resolve::Site;

/// The map's width in SVG units; the height follows from the points' extent.
const WIDTH: f64 = 480.0;
/// The tallest a map gets, as a multiple of its width: a region longer from
/// north to south than wide shows more of its sides instead.
const MAX_ASPECT: f64 = 1.4;
const MARGIN: f64 = 40.0;
/// Label sizes in SVG units (the overview is shown about 360 px wide on a
/// phone, the locator about 260 px: both come out at 12 px or more).
const OVERVIEW_FONT: f64 = 17.0;
const LOCATOR_FONT: f64 = 26.0;
/// A label's character is about this wide, in ems, in the theme's bold face.
const CHAR_EM: f64 = 0.6;
/// A point's link is at least this tall (24 CSS px on a phone, WCAG 2.5.8).
const MIN_TARGET: f64 = 32.0;
/// The least a map shows each way, in degrees of latitude (about 22 km).
const MIN_SPAN: f64 = 0.2;
/// Kilometres per degree of latitude.
const KM_PER_DEGREE: f64 = 111.2;

pub struct Point {
    pub id: PageId,
    pub lat: f64,
    pub lon: f64,
}

/// The pages' points from their `field` (a geo field); pages without one are
/// left out.
pub fn points(site: &Site, ids: &[PageId], field: &str) -> Vec<Point> {
    ids.iter()
        .filter_map(|id| match site.field(*id, field).map(|f| &f.value) {
            Some(FieldValue::Geo { lat, lon }) => Some(Point {
                id: *id,
                lat: *lat,
                lon: *lon,
            }),
            _ => None,
        })
        .collect()
}

/// The region under the points: land and lakes as polygons, and named places.
#[derive(Debug, Default)]
pub struct BaseMap {
    areas: Vec<Area>,
    places: Vec<Place>,
    /// Whom the data is credited to, shown under each map (OpenStreetMap's
    /// licence asks for it).
    attribution: Option<String>,
}

#[derive(Debug)]
struct Area {
    water: bool,
    /// Outer ring first, then holes; each `[lon, lat]`.
    rings: Vec<Vec<[f64; 2]>>,
    bounds: Bounds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceKind {
    City,
    Water,
    Country,
}

#[derive(Debug)]
struct Place {
    kind: PlaceKind,
    /// `name`, and `name:<lang>` for the languages that call it otherwise.
    name: String,
    names: Vec<(String, String)>,
    lat: f64,
    lon: f64,
}

impl Place {
    fn name(&self, lang: &str) -> &str {
        self.names
            .iter()
            .find(|(l, _)| l == lang)
            .map_or(&self.name, |(_, n)| n)
    }
}

/// A box in degrees.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Bounds {
    fn of(points: impl IntoIterator<Item = [f64; 2]>) -> Bounds {
        let mut b = Bounds {
            west: f64::INFINITY,
            south: f64::INFINITY,
            east: f64::NEG_INFINITY,
            north: f64::NEG_INFINITY,
        };
        for [lon, lat] in points {
            b.west = b.west.min(lon);
            b.east = b.east.max(lon);
            b.south = b.south.min(lat);
            b.north = b.north.max(lat);
        }
        b
    }

    fn meets(&self, o: &Bounds) -> bool {
        self.west <= o.east && o.west <= self.east && self.south <= o.north && o.south <= self.north
    }
}

const FORMAT_HELP: &str = "a base map is a GeoJSON FeatureCollection: polygons with \
    `\"kind\": \"land\"` or `\"kind\": \"water\"`, and points with a `name` and a `kind` \
    (`city`, `water` or `country`); data/map/extract.py writes one";

impl BaseMap {
    /// The base map `[map] base` names, or `None` (with a diagnostic when the
    /// file is missing or broken: the maps are then drawn without it).
    pub fn load(config: &Config, diags: &mut Diagnostics) -> Option<Arc<BaseMap>> {
        let rel = config.map.base.as_deref()?;
        let source = SourcePath::new(rel);
        match crate::fs::read_to_string(&config.root.join(rel)) {
            Ok(text) => BaseMap::parse(&text, &source, diags).map(Arc::new),
            Err(e) => {
                diags.push(
                    Diagnostic::error(&source, None, format!("cannot read the base map: {e}"))
                        .with_help("check `base` under [map] in site.toml"),
                );
                None
            }
        }
    }

    fn parse(text: &str, source: &SourcePath, diags: &mut Diagnostics) -> Option<BaseMap> {
        let collection: FeatureCollection = match serde_json::from_str(text) {
            Ok(c) => c,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        source,
                        Some(Pos::new(e.line(), e.column())),
                        // The position is the diagnostic's own: serde's
                        // message without its " at line L column C".
                        format!(
                            "the base map is not GeoJSON that polis reads: {}",
                            e.to_string()
                                .rsplit_once(" at line ")
                                .map_or(e.to_string(), |(m, _)| m.to_string())
                        ),
                    )
                    .with_help(FORMAT_HELP),
                );
                return None;
            }
        };
        // Features carry no positions once parsed: a mistake is shown where
        // its text first appears.
        let near = |needle: &str| text.find(needle).map(|at| pos_of(text, at));
        let mut warn = |needle: &str, message: String| {
            diags.push(Diagnostic::warning(source, near(needle), message).with_help(FORMAT_HELP));
        };
        let mut map = BaseMap {
            attribution: collection
                .foreign_members
                .as_ref()
                .and_then(|m| m.get("attribution"))
                .and_then(|a| a.as_str())
                .map(str::to_string),
            ..BaseMap::default()
        };
        for feature in collection.features {
            let props = feature.properties.unwrap_or_default();
            let kind = props.get("kind").and_then(|k| k.as_str()).unwrap_or("");
            let Some(geometry) = feature.geometry else {
                continue;
            };
            match geometry.value {
                GeometryValue::Polygon { coordinates } => {
                    map.add_area(kind, &[coordinates], &mut warn);
                }
                GeometryValue::MultiPolygon { coordinates } => {
                    map.add_area(kind, &coordinates, &mut warn);
                }
                GeometryValue::Point { coordinates } if coordinates.len() >= 2 => {
                    map.add_place(kind, &props, [coordinates[0], coordinates[1]], &mut warn);
                }
                other => warn(
                    &format!("\"{}\"", other.type_name()),
                    format!(
                        "the base map has a {}, which polis does not draw: it is left out",
                        other.type_name()
                    ),
                ),
            }
        }
        Some(map)
    }

    fn add_area(
        &mut self,
        kind: &str,
        polygons: &[PolygonType],
        warn: &mut impl FnMut(&str, String),
    ) {
        let water = match kind {
            "land" => false,
            "water" => true,
            _ => {
                warn(
                    &format!("\"{kind}\""),
                    format!(
                        "a polygon of the base map has the kind `{kind}`: polis draws `land` and `water`, so it is left out"
                    ),
                );
                return;
            }
        };
        for polygon in polygons {
            let rings: Vec<Vec<[f64; 2]>> = polygon
                .iter()
                .map(|ring| {
                    ring.iter()
                        .filter(|p| p.len() >= 2)
                        .map(|p| [p[0], p[1]])
                        .collect::<Vec<_>>()
                })
                .filter(|ring| ring.len() >= 3)
                .collect();
            let Some(outer) = rings.first() else {
                continue;
            };
            let bounds = Bounds::of(outer.iter().copied());
            self.areas.push(Area {
                water,
                rings,
                bounds,
            });
        }
    }

    fn add_place(
        &mut self,
        kind: &str,
        props: &JsonObject,
        [lon, lat]: [f64; 2],
        warn: &mut impl FnMut(&str, String),
    ) {
        let kind = match kind {
            "city" => PlaceKind::City,
            "water" => PlaceKind::Water,
            "country" => PlaceKind::Country,
            _ => {
                warn(
                    &format!("\"{kind}\""),
                    format!(
                        "a point of the base map has the kind `{kind}`: polis names `city`, `water` and `country` places, so it is left out"
                    ),
                );
                return;
            }
        };
        let Some(name) = props.get("name").and_then(|n| n.as_str()) else {
            warn(
                "\"Point\"",
                "a place of the base map has no `name`: it is left out".to_string(),
            );
            return;
        };
        let names = props
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.strip_prefix("name:")?.to_string(),
                    v.as_str()?.to_string(),
                ))
            })
            .collect();
        self.places.push(Place {
            kind,
            name: name.to_string(),
            names,
            lat,
            lon,
        });
    }
}

/// How a map is labelled, in the reader's language.
pub struct Labels<'a> {
    /// Names the map for assistive technology.
    pub title: &'a str,
    /// Makes the map's element ids unique on the page.
    pub id: &'a str,
    /// The page's language: the base map's `name:<lang>` names.
    pub lang: &'a str,
    /// A UI string by key (`map_position`, `map_in`, `map_dir_n`…).
    pub text: &'a dyn Fn(&str) -> String,
}

/// Equirectangular, with longitude shortened by the cosine of the mean
/// latitude: right for a region a few hundred kilometres across.
struct Projection {
    west: f64,
    south: f64,
    k: f64,
    scale: f64,
    left: f64,
    bottom: f64,
    height: f64,
}

impl Projection {
    fn fit(points: &[Point]) -> Projection {
        let mut b = Bounds::of(points.iter().map(|p| [p.lon, p.lat]));
        let k = ((b.south + b.north) / 2.0).to_radians().cos();
        // A point or two close together still show their surroundings.
        let pad_lon = (MIN_SPAN / k - (b.east - b.west)).max(0.0) / 2.0;
        let pad_lat = (MIN_SPAN - (b.north - b.south)).max(0.0) / 2.0;
        b.west -= pad_lon;
        b.east += pad_lon;
        b.south -= pad_lat;
        b.north += pad_lat;
        let span_x = (b.east - b.west) * k;
        let span_y = b.north - b.south;
        let scale = (WIDTH - 2.0 * MARGIN) / span_x;
        let height = (span_y * scale + 2.0 * MARGIN).clamp(WIDTH * 0.5, WIDTH * MAX_ASPECT);
        let scale = scale.min((height - 2.0 * MARGIN) / span_y);
        // Centred both ways when one side of the extent is the limit.
        Projection {
            west: b.west,
            south: b.south,
            k,
            scale,
            left: (WIDTH - span_x * scale) / 2.0,
            bottom: (height - span_y * scale) / 2.0,
            height: height.round(),
        }
    }

    fn x(&self, lon: f64) -> f64 {
        self.left + (lon - self.west) * self.k * self.scale
    }

    fn y(&self, lat: f64) -> f64 {
        self.height - self.bottom - (lat - self.south) * self.scale
    }

    /// What the map shows, in degrees.
    fn view(&self) -> Bounds {
        let lon = |x: f64| self.west + (x - self.left) / (self.k * self.scale);
        let lat = |y: f64| self.south + (self.height - self.bottom - y) / self.scale;
        Bounds {
            west: lon(0.0),
            east: lon(WIDTH),
            south: lat(self.height),
            north: lat(0.0),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A label's box, in SVG units: x0, x1, y0, y1.
type Box2 = (f64, f64, f64, f64);

fn overlaps(a: &Box2, b: &Box2) -> bool {
    a.0 < b.1 && b.0 < a.1 && a.2 < b.3 && b.2 < a.3
}

/// Where a label of `width` goes beside a mark at (`px`, `py`): right or left
/// of it (the side with more room first), else above or below, wherever it
/// meets no other label or mark and stays inside the map. Returns the text's
/// x, baseline y, anchor and box.
fn place_label(
    px: f64,
    py: f64,
    width: f64,
    font: f64,
    height: f64,
    placed: &[Box2],
) -> (f64, f64, &'static str, Box2) {
    let gap = font * 0.6;
    let half = font * 0.6;
    let right = (
        px + gap,
        py + font * 0.35,
        "start",
        (px + gap, px + gap + width, py - half, py + half),
    );
    let left = (
        px - gap,
        py + font * 0.35,
        "end",
        (px - gap - width, px - gap, py - half, py + half),
    );
    let above = (
        px,
        py - gap,
        "middle",
        (
            px - width / 2.0,
            px + width / 2.0,
            py - gap - font,
            py - gap + 2.0,
        ),
    );
    let below = (
        px,
        py + gap + font * 0.8,
        "middle",
        (
            px - width / 2.0,
            px + width / 2.0,
            py + gap - 2.0,
            py + gap + font,
        ),
    );
    let order = if px > WIDTH / 2.0 {
        [left, right, above, below]
    } else {
        [right, left, above, below]
    };
    let fits = |b: &Box2| {
        b.0 >= 2.0
            && b.1 <= WIDTH - 2.0
            && b.2 >= 2.0
            && b.3 <= height - 2.0
            && !placed.iter().any(|p| overlaps(p, b))
    };
    order.into_iter().find(|c| fits(&c.3)).unwrap_or(order[0])
}

fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * CHAR_EM
}

/// One ring as path data, dropping points closer than `step` units to the
/// last one kept: the data's detail below what the map can show.
fn ring_path(out: &mut String, ring: &[[f64; 2]], proj: &Projection, step: f64) {
    let mut kept: Vec<(f64, f64)> = Vec::with_capacity(ring.len());
    for (i, [lon, lat]) in ring.iter().enumerate() {
        let p = (proj.x(*lon), proj.y(*lat));
        let last = i + 1 == ring.len();
        match kept.last() {
            Some(q) if !last && (p.0 - q.0).hypot(p.1 - q.1) < step => {}
            _ => kept.push(p),
        }
    }
    if kept.len() < 3 {
        return;
    }
    for (i, (x, y)) in kept.iter().enumerate() {
        let cmd = match i {
            0 => "M",
            1 => "L",
            _ => " ",
        };
        let _ = write!(out, "{cmd}{x:.1},{y:.1}");
    }
    out.push('Z');
}

/// Where `p` lies from the nearest city of the base map, as a sentence.
fn position(base: &BaseMap, name: &str, lat: f64, lon: f64, labels: &Labels) -> Option<String> {
    let offset = |c: &Place| {
        let k = c.lat.to_radians().cos();
        (
            (lon - c.lon) * k * KM_PER_DEGREE,
            (lat - c.lat) * KM_PER_DEGREE,
        )
    };
    let city = base
        .places
        .iter()
        .filter(|p| p.kind == PlaceKind::City)
        .min_by(|a, b| {
            let (ax, ay) = offset(a);
            let (bx, by) = offset(b);
            ax.hypot(ay).total_cmp(&bx.hypot(by))
        })?;
    let (dx, dy) = offset(city);
    let km = dx.hypot(dy);
    let place = city.name(labels.lang);
    if km < 5.0 {
        return Some(
            (labels.text)("map_in")
                .replace("{name}", name)
                .replace("{place}", place),
        );
    }
    // Eight compass points, clockwise from north.
    const DIRECTIONS: [&str; 8] = [
        "map_dir_n",
        "map_dir_ne",
        "map_dir_e",
        "map_dir_se",
        "map_dir_s",
        "map_dir_sw",
        "map_dir_w",
        "map_dir_nw",
    ];
    let bearing = dx.atan2(dy).to_degrees().rem_euclid(360.0);
    let direction = DIRECTIONS[((bearing / 45.0).round() as usize) % 8];
    Some(
        (labels.text)("map_position")
            .replace("{name}", name)
            .replace("{km}", &format!("{}", km.round()))
            .replace("{direction}", &(labels.text)(direction))
            .replace("{place}", place),
    )
}

/// The SVG markup of a map of `points` over `base`. With `current`, a locator:
/// that page is marked and named, the others are plain dots; without, an
/// overview whose points are links.
pub fn svg(
    site: &Site,
    base: Option<&BaseMap>,
    points: &[Point],
    current: Option<PageId>,
    labels: &Labels,
) -> String {
    let mut out = String::new();
    if points.is_empty() {
        return out;
    }
    let proj = Projection::fit(points);
    let height = proj.height;
    let font = if current.is_some() {
        LOCATOR_FONT
    } else {
        OVERVIEW_FONT
    };
    let id = labels.id;
    // Points in a fixed order (by title), so the tab order is predictable.
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by(|a, b| {
        site.page(a.id)
            .title
            .cmp(&site.page(b.id).title)
            .then(a.id.cmp(&b.id))
    });

    // The marks first, then the labels that must not cover them: the pages'
    // labels, then the base map's names where there is still room.
    let r = font * 0.42;
    let mut placed: Vec<Box2> = points
        .iter()
        .map(|p| {
            let (px, py) = (proj.x(p.lon), proj.y(p.lat));
            (px - r, px + r, py - r, py + r)
        })
        .collect();
    let view = proj.view();
    let cities: Vec<&Place> = base
        .map(|b| {
            b.places
                .iter()
                .filter(|p| p.kind == PlaceKind::City && view.meets(&Bounds::of([[p.lon, p.lat]])))
                .collect()
        })
        .unwrap_or_default();
    for c in &cities {
        let (cx, cy) = (proj.x(c.lon), proj.y(c.lat));
        placed.push((cx - 5.0, cx + 5.0, cy - 5.0, cy + 5.0));
    }
    let mut marks = String::new();
    for p in &sorted {
        let page = site.page(p.id);
        let (px, py) = (proj.x(p.lon), proj.y(p.lat));
        let here = current == Some(p.id);
        if current.is_some() && !here {
            let _ = write!(
                marks,
                r#"<circle class="map-dot" cx="{px:.1}" cy="{py:.1}" r="{:.1}"/>"#,
                r * 0.6
            );
            continue;
        }
        let width = text_width(&page.title, font);
        let (tx, ty, anchor, b) = place_label(px, py, width, font, height, &placed);
        placed.push(b);
        let text = format!(
            r#"<circle cx="{px:.1}" cy="{py:.1}" r="{r:.1}"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}" font-size="{font}">{}</text>"#,
            escape(&page.title)
        );
        if here {
            let _ = write!(marks, r#"<g class="map-point map-here">{text}</g>"#);
        } else {
            // The link covers the dot and its label, and is tall enough to
            // tap (WCAG 2.5.8).
            let (x0, x1) = (b.0.min(px - r), b.1.max(px + r));
            let (y0, y1) = (b.2.min(py - r), b.3.max(py + r));
            let pad = ((MIN_TARGET - (y1 - y0)) / 2.0).max(0.0);
            let _ = write!(
                marks,
                r#"<a class="map-point" href="{}"><rect class="map-target" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>{text}</a>"#,
                escape(page.url.as_str()),
                x0 - 4.0,
                y0 - pad,
                x1 - x0 + 8.0,
                y1 - y0 + 2.0 * pad,
            );
        }
    }

    let mut descriptions = Vec::new();
    if let Some(base) = base {
        for p in &sorted {
            if current.is_some_and(|c| c != p.id) {
                continue;
            }
            if let Some(s) = position(base, &site.page(p.id).title, p.lat, p.lon, labels) {
                descriptions.push(s);
            }
        }
    }
    // A locator is one picture; an overview holds links, which a picture's
    // role would hide.
    let (class, role) = if current.is_some() {
        ("map map-locator", "img")
    } else {
        ("map", "group")
    };
    let _ = write!(
        out,
        r#"<svg class="{class}" viewBox="0 0 {WIDTH} {height}" role="{role}" aria-labelledby="{id}-title"{} xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        if descriptions.is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{id}-desc""#)
        },
        escape(labels.title)
    );
    if !descriptions.is_empty() {
        let _ = write!(
            out,
            r#"<desc id="{id}-desc">{}</desc>"#,
            escape(&descriptions.join(". "))
        );
    }
    match base {
        None => {
            let _ = write!(
                out,
                r#"<rect class="map-bg" x="0" y="0" width="{WIDTH}" height="{height}"/>"#
            );
        }
        Some(base) => {
            let _ = write!(
                out,
                r#"<g aria-hidden="true"><rect class="map-sea" x="0" y="0" width="{WIDTH}" height="{height}"/>"#
            );
            // Detail finer than a unit is not seen; the locator, shown
            // smaller, needs less.
            let step = if current.is_some() { 3.0 } else { 1.5 };
            for water in [false, true] {
                let mut d = String::new();
                for area in base
                    .areas
                    .iter()
                    .filter(|a| a.water == water && a.bounds.meets(&view))
                {
                    for ring in &area.rings {
                        ring_path(&mut d, ring, &proj, step);
                    }
                }
                if !d.is_empty() {
                    let class = if water { "map-water" } else { "map-land" };
                    let _ = write!(out, r#"<path class="{class}" d="{d}"/>"#);
                }
            }
            let place_font = font * 0.9;
            for place in base
                .places
                .iter()
                .filter(|p| view.meets(&Bounds::of([[p.lon, p.lat]])))
            {
                let name = place.name(labels.lang);
                let (px, py) = (proj.x(place.lon), proj.y(place.lat));
                let width = text_width(name, place_font);
                match place.kind {
                    PlaceKind::City => {
                        let _ = write!(
                            out,
                            r#"<rect class="map-city" x="{:.1}" y="{:.1}" width="9" height="9"/>"#,
                            px - 4.5,
                            py - 4.5
                        );
                        let (tx, ty, anchor, b) =
                            place_label(px, py, width, place_font, height, &placed);
                        if !placed.iter().any(|p| overlaps(p, &b)) {
                            placed.push(b);
                            let _ = write!(
                                out,
                                r#"<text class="map-place map-place-city" x="{tx:.1}" y="{ty:.1}" text-anchor="{anchor}" font-size="{place_font:.1}">{}</text>"#,
                                escape(name)
                            );
                        }
                    }
                    PlaceKind::Water | PlaceKind::Country => {
                        let b = (
                            px - width / 2.0,
                            px + width / 2.0,
                            py - place_font,
                            py + 2.0,
                        );
                        let inside = b.0 >= 0.0 && b.1 <= WIDTH && b.2 >= 0.0 && b.3 <= height;
                        if !inside || placed.iter().any(|p| overlaps(p, &b)) {
                            continue;
                        }
                        placed.push(b);
                        let class = if place.kind == PlaceKind::Water {
                            "map-place-water"
                        } else {
                            "map-place-country"
                        };
                        let _ = write!(
                            out,
                            r#"<text class="map-place {class}" x="{px:.1}" y="{py:.1}" text-anchor="middle" font-size="{place_font:.1}">{}</text>"#,
                            escape(name)
                        );
                    }
                }
            }
            out.push_str("</g>");
        }
    }
    out.push_str(&marks);
    out.push_str("</svg>");
    if let Some(credit) = base.and_then(|b| b.attribution.as_deref()) {
        out = format!(
            r#"<figure class="map-figure">{out}<figcaption class="map-credit">{}</figcaption></figure>"#,
            escape(credit)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<BaseMap>, Diagnostics) {
        let mut d = Diagnostics::default();
        let m = BaseMap::parse(text, &SourcePath::new("data/map.geojson"), &mut d);
        (m, d)
    }

    #[test]
    fn a_base_map_reads_land_water_and_places_with_their_names() {
        let (m, d) = parse(
            r#"{"type":"FeatureCollection","attribution":"© OpenStreetMap contributors","features":[
{"type":"Feature","properties":{"kind":"land"},"geometry":{"type":"Polygon","coordinates":[[[10,59],[11,59],[11,60],[10,59]]]}},
{"type":"Feature","properties":{"kind":"water"},"geometry":{"type":"MultiPolygon","coordinates":[[[[10.2,59.2],[10.3,59.2],[10.3,59.3],[10.2,59.2]]]]}},
{"type":"Feature","properties":{"kind":"water","name":"Oslofjord","name:nb":"Oslofjorden"},"geometry":{"type":"Point","coordinates":[10.6,59.4]}}
]}"#,
        );
        assert!(d.is_empty(), "{:?}", d.sorted());
        let m = m.unwrap();
        assert_eq!(m.areas.len(), 2);
        assert!(!m.areas[0].water && m.areas[1].water);
        assert_eq!(m.places[0].name("nb"), "Oslofjorden");
        assert_eq!(m.places[0].name("en"), "Oslofjord");
        assert_eq!(
            m.attribution.as_deref(),
            Some("© OpenStreetMap contributors")
        );
    }

    #[test]
    fn a_broken_base_map_is_an_error_at_its_line() {
        let (m, d) = parse("{\"type\": \"FeatureCollection\",\n \"features\": [,]}");
        assert!(m.is_none());
        let d = &d.sorted()[0];
        assert!(d.is_error());
        assert_eq!(d.pos.map(|p| p.line), Some(2));
        assert!(!d.message.contains("at line"), "{}", d.message);
    }

    #[test]
    fn an_unknown_kind_is_a_warning_where_it_is_written() {
        let (m, d) = parse(
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"properties\":{\"kind\":\"forest\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[10,59],[11,59],[11,60],[10,59]]]}}]}",
        );
        assert!(m.unwrap().areas.is_empty());
        let d = &d.sorted()[0];
        assert!(!d.is_error());
        assert!(d.message.contains("`forest`"), "{}", d.message);
        assert_eq!(d.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn a_position_is_told_from_the_nearest_city() {
        let (m, _) = parse(
            r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"kind":"city","name":"Oslo"},"geometry":{"type":"Point","coordinates":[10.74,59.91]}},
{"type":"Feature","properties":{"kind":"city","name":"Hamar"},"geometry":{"type":"Point","coordinates":[11.07,60.79]}}]}"#,
        );
        let m = m.unwrap();
        let text = |key: &str| match key {
            "map_position" => "{name}: {km} km {direction} of {place}".to_string(),
            "map_in" => "{name}: in {place}".to_string(),
            other => other.trim_start_matches("map_dir_").to_string(),
        };
        let labels = Labels {
            title: "",
            id: "m",
            lang: "en",
            text: &text,
        };
        // Asker lies south-west of Oslo, about 20 km away.
        assert_eq!(
            position(&m, "Asker", 59.8333, 10.435, &labels).as_deref(),
            Some("Asker: 19 km sw of Oslo")
        );
        assert_eq!(
            position(&m, "Sentrum", 59.912, 10.75, &labels).as_deref(),
            Some("Sentrum: in Oslo")
        );
        // Nearer Hamar than Oslo.
        assert_eq!(
            position(&m, "Stange", 60.72, 11.19, &labels).as_deref(),
            Some("Stange: 10 km se of Hamar")
        );
    }
}
