"""Cut the region's base map out of world-wide OpenStreetMap extracts.

The inputs are the GeoJSON files of the npm packages @geo-maps/earth-lands-1km
and @geo-maps/earth-lakes-1km 0.6.0 (OpenStreetMap data, ODbL 1.0, land
polygons and lakes at 1 km resolution). Run it again to change the region:

    npm pack @geo-maps/earth-lands-1km@0.6.0 @geo-maps/earth-lakes-1km@0.6.0
    for f in geo-maps-earth-*.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
    pip install shapely
    python3 data/map/extract.py geo-maps-earth-lands-1km-0.6.0/package/map.geo.json \
        geo-maps-earth-lakes-1km-0.6.0/package/map.geo.json > data/map/oslo-region.geojson

The place names at the end (cities and waters, with their names per language)
are written here by hand; polis draws them as labels and describes the
municipalities' positions from the cities.
"""

import json
import sys

from shapely.geometry import Polygon, box, mapping, shape
from shapely.ops import unary_union
from shapely.validation import make_valid

# West, south, east, north: the member municipalities with room around them.
BBOX = (8.9, 58.85, 12.0, 61.2)
# About 300 m: below what the overview map shows at any screen size.
TOLERANCE = 0.003
# Lakes smaller than this (in square degrees, about 19 km² here) are left
# out: the overview shows the big ones, not every pond.
MIN_LAKE = 0.003

PLACES = [
    {"kind": "city", "name": "Oslo", "lat": 59.9133, "lon": 10.7389},
    {"kind": "water", "name": "Oslofjord", "name:nb": "Oslofjorden", "lat": 59.52, "lon": 10.62},
    {"kind": "water", "name": "Mjøsa", "lat": 60.6, "lon": 11.12},
    {"kind": "water", "name": "Tyrifjorden", "lat": 60.03, "lon": 10.17},
]


def load(path, area):
    """The polygons of the file at `path` that meet `area`, cut to it."""
    with open(path) as f:
        data = json.load(f)
    geoms = data["geometries"] if data["type"] == "GeometryCollection" else [
        feature["geometry"] for feature in data["features"]
    ]
    polys = []
    for g in geoms:
        for coords in g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]:
            poly = shape({"type": "Polygon", "coordinates": coords})
            if poly.intersects(area):
                polys.append(make_valid(poly).intersection(area))
    return unary_union(polys)


def rounded(geometry):
    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], 4), round(c[1], 4)]
        return [walk(x) for x in c]

    g = mapping(geometry)
    return {"type": g["type"], "coordinates": walk(g["coordinates"])}


def parts(geometry, min_area=0.0):
    """The polygons of `geometry` of at least `min_area`, without the holes
    (lakes in the land) smaller than `MIN_LAKE`."""
    polys = [geometry] if geometry.geom_type == "Polygon" else list(geometry.geoms)
    return [
        without_small_holes(p)
        for p in polys
        if p.geom_type == "Polygon" and p.area >= min_area
    ]


def without_small_holes(poly):
    holes = [h for h in poly.interiors if Polygon(h).area >= MIN_LAKE]
    return Polygon(poly.exterior, holes)


def main(lands_path, lakes_path):
    area = box(*BBOX)
    features = []
    for kind, path, min_area in (("land", lands_path, 0.0), ("water", lakes_path, MIN_LAKE)):
        cut = load(path, area).simplify(TOLERANCE, preserve_topology=True)
        for poly in parts(cut, min_area):
            features.append(
                {"type": "Feature", "properties": {"kind": kind}, "geometry": rounded(poly)}
            )
    for place in PLACES:
        props = {k: v for k, v in place.items() if k not in ("lat", "lon")}
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
            }
        )
    out = {
        "type": "FeatureCollection",
        "attribution": "© OpenStreetMap contributors (ODbL)",
        "features": features,
    }
    json.dump(out, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
