#!/usr/bin/env python3
"""What a phone (390 px wide screen at 2x) downloads from built gallery pages, and
how good it looks. Run with the Python of the venv bench/images.py makes.

    bench/image_quality.py PHOTOS LABEL=PUBLIC [LABEL=PUBLIC ...] [--every N]

PHOTOS holds photo-000.jpg, photo-001.jpg, ...; each PUBLIC is a built site whose
gallery page (en/gallery/ or gallery/) shows them in that order, one <picture>
each. A 390 px, 2x phone takes the 960w candidate of the first <source> it
supports (all phones sold now take AVIF and WebP), so that is the file counted.

Every Nth photo is compared with its reference, the original with EXIF
orientation applied and scaled to the variant's size with Lanczos:
  ssim      SSIM on luma (scikit-image), 1 is identical, higher is better;
  ba_max    butteraugli's score (`butteraugli_main` from Debian's libjxl-devtools),
            the worst spot: under 1 no one sees a difference, lower is better;
  ba_3norm  butteraugli's 3-norm, the difference over the whole image.
The butteraugli columns are left out when butteraugli_main is not installed.

Prints JSON: {LABEL: {files, bytes, format, compared, ssim, ba_max, ba_3norm}}.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageOps
from skimage.metrics import structural_similarity

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("photos")
ap.add_argument("pages", nargs="+", metavar="LABEL=PUBLIC")
ap.add_argument("--every", type=int, default=1, help="compare every Nth photo (default: all)")
a = ap.parse_args()

BUTTERAUGLI = shutil.which("butteraugli_main")
tmp = tempfile.mkdtemp(prefix="polis-quality-")


def picked(public):
    """The 960w candidate of each <picture>'s first srcset, in page order."""
    page = os.path.join(public, "en/gallery/index.html")
    if not os.path.exists(page):
        page = os.path.join(public, "gallery/index.html")
    html = open(page, encoding="utf-8").read()
    out = []
    for pic in re.findall(r"<picture>(.*?)</picture>", html, re.S):
        srcset = re.search(r'srcset="([^"]*)"', pic).group(1)
        candidates = [c.strip().split(" ") for c in srcset.split(",")]
        out.append(public + next(url for url, w in candidates if w == "960w"))
    return out


def luma(img):
    return np.asarray(img.convert("L"), dtype=np.float64)


references = {}


def reference(i, size):
    """The original scaled to `size` with Lanczos, and the PNG butteraugli reads."""
    if (i, size) not in references:
        original = ImageOps.exif_transpose(Image.open(os.path.join(a.photos, f"photo-{i:03d}.jpg"))).convert("RGB")
        ref = original.resize(size, Image.LANCZOS)
        path = os.path.join(tmp, f"ref-{i}-{size[0]}x{size[1]}.png")
        ref.save(path)
        references[(i, size)] = (ref, path)
    return references[(i, size)]


def butteraugli(ref_path, img):
    path = os.path.join(tmp, "got.png")
    img.save(path)
    out = subprocess.run([BUTTERAUGLI, ref_path, path], check=True, capture_output=True, text=True).stdout
    return float(out.split()[0]), float(re.search(r"3-norm: ([0-9.]+)", out).group(1))


result = {}
for label, public in (p.split("=", 1) for p in a.pages):
    files = picked(public)
    ssim, ba_max, ba_3 = [], [], []
    for i, path in enumerate(files):
        if i % a.every:
            continue
        got = Image.open(path).convert("RGB")
        ref, ref_path = reference(i, got.size)
        ssim.append(structural_similarity(luma(ref), luma(got), data_range=255))
        if BUTTERAUGLI:
            m, n3 = butteraugli(ref_path, got)
            ba_max.append(m)
            ba_3.append(n3)
    result[label] = {
        "files": len(files),
        "bytes": sum(os.path.getsize(f) for f in files),
        "format": files[0].rsplit(".", 1)[1],
        "compared": len(ssim),
        "ssim": float(np.mean(ssim)),
        "ba_max": float(np.mean(ba_max)) if ba_max else None,
        "ba_3norm": float(np.mean(ba_3)) if ba_3 else None,
    }
shutil.rmtree(tmp, ignore_errors=True)
print(json.dumps(result))
