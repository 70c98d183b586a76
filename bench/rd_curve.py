#!/usr/bin/env python3
"""Bytes against SSIM for WebP and AVIF at several qualities: what "equal visual
quality" costs on a set of photos, with Pillow's encoders (libwebp, libavif).

    bench/rd_curve.py PHOTO... [--width 960]

Each photo is scaled to --width with Lanczos (the reference), encoded at each
quality, decoded, and compared with the reference (SSIM on luma, scikit-image).
Prints, for each format and quality, the mean KiB a photo and the mean SSIM.
Run it with the Python of the venv bench/images.py makes (Pillow 11.3+ has AVIF):

    /dev/shm/polis-bench-images/venv/bin/python bench/rd_curve.py \\
        /dev/shm/polis-bench-images/photos-100/photo-0{00,05,10}.jpg
"""
import argparse
import io

import numpy as np
from PIL import Image, ImageOps
from skimage.metrics import structural_similarity

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("photos", nargs="+")
ap.add_argument("--width", type=int, default=960)
a = ap.parse_args()


def luma(img):
    return np.asarray(img.convert("L"), dtype=np.float64)


refs = []
for path in a.photos:
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    height = round(img.height * a.width / img.width)
    refs.append(img.resize((a.width, height), Image.LANCZOS))

print("| format | quality | KiB a photo | mean SSIM |")
print("| --- | ---: | ---: | ---: |")
for fmt, qualities, options in [
    ("WEBP", [30, 45, 60, 75], {"method": 4}),
    ("AVIF", [40, 55, 60, 70, 80], {"speed": 6}),
]:
    for q in qualities:
        total, ssims = 0, []
        for ref in refs:
            buf = io.BytesIO()
            ref.save(buf, fmt, quality=q, **options)
            data = buf.getvalue()
            total += len(data)
            got = Image.open(io.BytesIO(data)).convert("RGB")
            ssims.append(structural_similarity(luma(ref), luma(got), data_range=255))
        print(f"| {fmt.lower()} | {q} | {total / len(refs) / 1024:.0f} | {np.mean(ssims):.4f} |")
