//! An overview map drawn at build time: an SVG with a point per page, placed by
//! the page's `geo` field. No tiles, scripts or requests to other hosts. Each
//! point is a link with the page's title as its text, so keyboard users tab
//! through the points and screen readers read them as a list of links.

use std::fmt::Write;

use crate::model::PageId;
use crate::model::fields::FieldValue;
use crate::resolve::Site;

/// The map's width in SVG units; the height follows from the points' extent.
const WIDTH: f64 = 640.0;
const MARGIN: f64 = 48.0;
/// The width of a label's character, about, at the theme's label size.
const LABEL_EM: f64 = 10.5;

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

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG markup. `title` names the map for assistive technology; `id`
/// makes its element ids unique on the page.
pub fn svg(site: &Site, points: &[Point], title: &str, id: &str) -> String {
    let mut out = String::new();
    let title_id = format!("{id}-title");
    if points.is_empty() {
        return out;
    }
    // Equirectangular, with longitude shortened by the cosine of the mean
    // latitude: right for a region a few hundred kilometres across.
    let (mut min_lat, mut max_lat, mut min_lon, mut max_lon) =
        (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for p in points {
        min_lat = min_lat.min(p.lat);
        max_lat = max_lat.max(p.lat);
        min_lon = min_lon.min(p.lon);
        max_lon = max_lon.max(p.lon);
    }
    let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let span_x = ((max_lon - min_lon) * k).max(0.01);
    let span_y = (max_lat - min_lat).max(0.01);
    let scale = (WIDTH - 2.0 * MARGIN) / span_x;
    let height = (span_y * scale + 2.0 * MARGIN).clamp(160.0, 900.0);
    let scale = scale.min((height - 2.0 * MARGIN) / span_y);
    // Centred both ways when one side of the extent is the limit.
    let left = (WIDTH - span_x * scale) / 2.0;
    let bottom = (height - span_y * scale) / 2.0;
    let x = |lon: f64| left + (lon - min_lon) * k * scale;
    let y = |lat: f64| height - bottom - (lat - min_lat) * scale;

    let _ = write!(
        out,
        r#"<svg class="map" viewBox="0 0 {WIDTH} {height:.0}" role="group" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg"><title id="{title_id}">{}</title><rect class="map-bg" x="0" y="0" width="{WIDTH}" height="{height:.0}" rx="8"/>"#,
        escape(title)
    );
    // Points in a fixed order (by title), so the tab order is predictable.
    let mut sorted: Vec<&Point> = points.iter().collect();
    sorted.sort_by(|a, b| {
        site.page(a.id)
            .title
            .cmp(&site.page(b.id).title)
            .then(a.id.cmp(&b.id))
    });
    // Label boxes placed so far, to keep labels of close points apart.
    // The points themselves are in the way too.
    let mut placed: Vec<(f64, f64, f64, f64)> = points
        .iter()
        .map(|p| {
            let (px, py) = (x(p.lon), y(p.lat));
            (px - 8.0, px + 8.0, py - 8.0, py + 8.0)
        })
        .collect();
    for p in sorted {
        let page = site.page(p.id);
        let (px, py) = (x(p.lon), y(p.lat));
        // Labels go to the side with more room, and up or down when another
        // label is in the way.
        let (tx, anchor) = if px > WIDTH / 2.0 {
            (px - 10.0, "end")
        } else {
            (px + 10.0, "start")
        };
        let width = page.title.chars().count() as f64 * LABEL_EM;
        let (x0, x1) = if anchor == "end" {
            (tx - width, tx)
        } else {
            (tx, tx + width)
        };
        let overlaps = |ty: f64| {
            placed
                .iter()
                .any(|&(a0, a1, b0, b1)| x0 < a1 && a0 < x1 && ty - 16.0 < b1 && b0 < ty + 4.0)
        };
        let ty = [0.0, 20.0, -20.0, 40.0, -40.0]
            .iter()
            .map(|d| py + 5.0 + d)
            .find(|ty| !overlaps(*ty))
            .unwrap_or(py + 5.0);
        placed.push((x0, x1, ty - 16.0, ty + 4.0));
        let _ = write!(
            out,
            r#"<a class="map-point" href="{}"><circle cx="{px:.1}" cy="{py:.1}" r="7"/><text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}">{}</text></a>"#,
            escape(page.url.as_str()),
            ty,
            escape(&page.title)
        );
    }
    out.push_str("</svg>");
    out
}
