#!/usr/bin/env python3
"""Which AVIF quality looks like which WebP quality, with polis's own encoders:
the table behind the default of `images.avif_quality`.

    bench/quality_map.py [--webp 50,60,...] [--avif 40,50,...] [--polis BIN]

Run bench/images.py --photos kde first: it makes BENCH_DIR (default
/dev/shm/polis-bench-kde), its venv, its photos and its polis binary. This
builds the gallery once for each WebP quality (formats = ["webp"]) and once for
each AVIF quality (formats = ["avif", "webp"]), measures the 960 px variants a
phone takes with bench/image_quality.py, and prints both curves and, for each
WebP quality, the AVIF quality that scores the same (interpolated), by SSIM and
by butteraugli.
"""
import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--webp", default="50,60,70,75,80,85,90")
ap.add_argument("--avif", default="40,50,60,65,70,75,80,85,90")
ap.add_argument("--polis", help="polis binary (default: the one bench/images.py copied)")
a = ap.parse_args()
bench = Path(os.environ.get("BENCH_DIR", "/dev/shm/polis-bench-kde"))
py, photos = bench / "venv/bin/python", bench / "photos-kde"
polis = Path(a.polis) if a.polis else bench / "polis"
names = sorted(p.name for p in photos.glob("photo-*.jpg"))


def build(name, formats, quality, avif_quality):
    site = bench / "map" / name
    shutil.rmtree(site, ignore_errors=True)
    (site / "templates").mkdir(parents=True)
    (site / "templates/page.html").write_text("<!doctype html><title>{{ page.title }}</title><main>{{ page.content | safe }}</main>\n")
    for t in ["index.html", "section.html"]:
        (site / "templates" / t).write_text("<!doctype html><title>Images</title>\n")
    (site / "site.toml").write_text(
        'base_url = "https://bench.example.org/"\ntitle = "Images"\n\n[images]\nwidths = [480, 960, 1920]\n'
        f"formats = {json.dumps(formats)}\nquality = {quality}\navif_quality = {avif_quality}\n")
    gallery = site / "content/gallery"
    gallery.mkdir(parents=True)
    (gallery / "index.md").write_text('+++\ntitle = "Gallery"\n+++\n\n' + "".join(f"![Photo {i}]({n})\n\n" for i, n in enumerate(names)))
    for n in names:
        os.link(photos / n, gallery / n)
    subprocess.run([polis, "build", "--root", site, "--quiet"], check=True)
    return f"{name}={site / 'public'}"


webp = [int(q) for q in a.webp.split(",")]
avif = [int(q) for q in a.avif.split(",")]
pages = [build(f"webp-q{q}", ["webp"], q, 60) for q in webp] + [build(f"avif-q{q}", ["avif", "webp"], 75, q) for q in avif]
out = subprocess.run([py, REPO / "bench/image_quality.py", photos, *pages], check=True, capture_output=True, text=True)
r = json.loads(out.stdout)

print("| 960 px variant | KiB a photo | SSIM | butteraugli |\n| --- | ---: | ---: | ---: |")
for label, v in r.items():
    print(f"| {label} | {v['bytes'] / v['files'] / 1024:.0f} | {v['ssim']:.4f} | {v['ba_max']:.2f} |")


def matching(metric, target, higher_is_better):
    sign = 1 if higher_is_better else -1
    pts = sorted((sign * r[f"avif-q{q}"][metric], q) for q in avif)
    for (m0, q0), (m1, q1) in zip(pts, pts[1:]):
        if m0 <= sign * target <= m1 and m1 > m0:
            return f"{q0 + (q1 - q0) * (sign * target - m0) / (m1 - m0):.0f}"
    return "-"


print("\n| WebP quality | AVIF quality that looks the same, by SSIM | by butteraugli |\n| ---: | ---: | ---: |")
for q in webp:
    v = r[f"webp-q{q}"]
    print(f"| {q} | {matching('ssim', v['ssim'], True)} | {matching('ba_max', v['ba_max'], False)} |")
