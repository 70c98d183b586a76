#!/usr/bin/env python3
"""Which rav1e speed gives the most for its CPU time: bytes and CPU seconds of
polis's AVIF encoder (ravif, one thread, as polis calls it) at each speed,
quality and bit depth, scored with butteraugli, and compared at equal
butteraugli with a baseline setting.

    bench/avif_speed.py [--speeds 6,7,8,9,10] [--qualities 70,75,80,85]
                        [--depths 10] [--baseline 7,75,10] [--width 960]
                        [--example BIN]

Run bench/images.py --photos kde first (or make its BENCH_DIR by hand): it
makes BENCH_DIR (default /dev/shm/polis-bench-kde), its venv (Pillow with
AVIF, scikit-image) and its photos. This runs `examples/avif_speed.rs` (built
with `cargo build --release --example avif_speed` unless --example names the
binary) on every photo, decodes each AVIF with Pillow and compares it with the
original scaled to --width with Lanczos, as bench/image_quality.py does:
butteraugli's score and 3-norm (`butteraugli_main`, Debian's libjxl-devtools)
and SSIM on luma.

Prints, per setting, the mean KiB a photo, the scores and the CPU seconds of
all photos; then, for each speed and depth, the KiB and CPU seconds it needs to
score what the baseline scores (interpolated between the two qualities around
it), as shares of the baseline's.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--speeds", default="6,7,8,9,10")
ap.add_argument("--qualities", default="70,75,80,85")
ap.add_argument("--depths", default="10")
ap.add_argument("--baseline", default="7,75,10", help="speed,quality,depth the others are compared with")
ap.add_argument("--width", type=int, default=960)
ap.add_argument("--example", help="the avif_speed example binary")
a = ap.parse_args()

bench = Path(os.environ.get("BENCH_DIR", "/dev/shm/polis-bench-kde"))
py, photos = bench / "venv/bin/python", bench / "photos-kde"
if Path(sys.prefix).resolve() != (bench / "venv").resolve() and py.exists():
    os.execv(py, [py, *sys.argv])  # Pillow and scikit-image live in the venv
import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402
from skimage.metrics import structural_similarity  # noqa: E402

example = a.example
if not example:
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "avif_speed"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    example = target / "release/examples/avif_speed"
baseline = tuple(int(x) for x in a.baseline.split(","))
speeds = sorted({int(s) for s in a.speeds.split(",")} | {baseline[0]})
qualities = sorted({int(q) for q in a.qualities.split(",")} | {baseline[1]})
depths = sorted({int(d) for d in a.depths.split(",")} | {baseline[2]})
files = sorted(str(p) for p in photos.glob("photo-*.jpg"))
tmp = Path(tempfile.mkdtemp(prefix="polis-avif-speed-"))
out = subprocess.run([example, tmp, str(a.width), ",".join(map(str, speeds)), ",".join(map(str, qualities)),
                      ",".join(map(str, depths)), *files], check=True, capture_output=True, text=True).stdout

refs = {}
for path in files:
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    ref = img.resize((a.width, round(img.height * a.width / img.width)), Image.LANCZOS)
    ref_path = tmp / f"ref-{Path(path).stem}.png"
    ref.save(ref_path)
    refs[Path(path).stem] = (np.asarray(ref.convert("L"), dtype=np.float64), ref_path)

rows = defaultdict(list)  # (speed, quality, depth) -> [(bytes, cpu, ba, ba3, ssim)]
for line in out.splitlines():
    stem, s, q, d, size, cpu, avif = line.split("\t")
    got = Image.open(avif).convert("RGB")
    got_path = Path(avif).with_suffix(".png")
    got.save(got_path)
    text = subprocess.run(["butteraugli_main", refs[stem][1], got_path], check=True, capture_output=True, text=True).stdout
    ba, ba3 = float(text.split()[0]), float(re.search(r"3-norm: ([0-9.]+)", text).group(1))
    ssim = structural_similarity(refs[stem][0], np.asarray(got.convert("L"), dtype=np.float64), data_range=255)
    rows[(int(s), int(q), int(d))].append((int(size), float(cpu), ba, ba3, ssim))
    got_path.unlink()

summary = {}
for key, r in rows.items():
    summary[key] = {
        "kib": np.mean([x[0] for x in r]) / 1024,
        "cpu": sum(x[1] for x in r),
        "ba": np.mean([x[2] for x in r]),
        "ba3": np.mean([x[3] for x in r]),
        "ssim": np.mean([x[4] for x in r]),
    }

print(f"{len(files)} photos at {a.width} px; CPU s: all photos, one thread each\n")
print("| speed | depth | quality | KiB a photo | butteraugli | 3-norm | SSIM | CPU s |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for key in sorted(summary):
    s, q, d = key
    m = summary[key]
    print(f"| {s} | {d} | {q} | {m['kib']:.1f} | {m['ba']:.3f} | {m['ba3']:.3f} | {m['ssim']:.4f} | {m['cpu']:.2f} |")


def at_equal(s, d, metric):
    """(KiB, CPU s) of speed s, depth d where it scores the baseline's `metric`."""
    target = summary[baseline][metric]
    points = sorted((summary[(s, q, d)][metric], summary[(s, q, d)]["kib"], summary[(s, q, d)]["cpu"])
                    for q in qualities if (s, q, d) in summary)
    for (m0, k0, c0), (m1, k1, c1) in zip(points, points[1:]):
        if m0 <= target <= m1 and m1 > m0:
            f = (target - m0) / (m1 - m0)
            return k0 + (k1 - k0) * f, c0 + (c1 - c0) * f
    return None


base = summary[baseline]
print(f"\nAt the baseline's scores (speed {baseline[0]}, q{baseline[1]}, depth {baseline[2]}: "
      f"{base['kib']:.1f} KiB, butteraugli {base['ba']:.3f}, 3-norm {base['ba3']:.3f}, {base['cpu']:.2f} CPU s)\n")
print("| speed | depth | by | KiB a photo | share of bytes | CPU s | share of CPU |")
print("| ---: | ---: | --- | ---: | ---: | ---: | ---: |")
for s in speeds:
    for d in depths:
        for metric, name in [("ba", "butteraugli"), ("ba3", "3-norm")]:
            r = at_equal(s, d, metric)
            if r is None:
                print(f"| {s} | {d} | {name} | outside the qualities run | | | |")
                continue
            print(f"| {s} | {d} | {name} | {r[0]:.1f} | {r[0] / base['kib']:.3f} | {r[1]:.2f} | {r[1] / base['cpu']:.3f} |")
