#!/usr/bin/env python3
"""`polis serve` on a fresh clone: how long until the first page, and until
every photo of that page, with no image cache.

    bench/serve_fresh.py POLIS [--page /en/] [--width 960] [--runs 3]

Each run copies the example site (site.toml, content/, themes/, assets/,
i18n/, templates/ when there) into a temp folder without `.polis-cache/`,
starts `POLIS serve --root COPY --port 0`, and measures how long the server
takes to print its address, and from then:

  page     the page answering 200;
  photos   every photo of the page answering 200, fetched six at a time as a
           browser does: per <picture>, the candidate a 390 px phone at 2x
           would take (`--width`, the AVIF source when there is one).

It prints one line per run and the medians.
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(url):
    with urllib.request.urlopen(url, timeout=600) as r:
        body = r.read()
        return r.status, body


def photos(html, width):
    """Per <picture>: the candidate of `width` of its first source (else the img src)."""
    urls = []
    for pic in re.findall(r"<picture>(.*?)</picture>", html, re.S):
        srcset = re.search(r'<source[^>]*srcset="([^"]+)"', pic) or re.search(
            r'<img[^>]*srcset="([^"]+)"', pic
        )
        if not srcset:
            continue
        cands = [c.strip().split(" ") for c in srcset.group(1).split(",")]
        cands = [(int(w[:-1]), u) for u, w in cands]
        cands.sort()
        pick = next((u for w, u in cands if w >= width), cands[-1][1])
        urls.append(pick)
    return urls


def run(polis, page, width):
    tmp = tempfile.mkdtemp(prefix="polis-serve-fresh-", dir="/dev/shm")
    site = os.path.join(tmp, "site")
    os.mkdir(site)
    for name in ["site.toml", "content", "themes", "assets", "i18n", "templates", "static"]:
        src = os.path.join(REPO, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(site, name))
        elif os.path.isfile(src):
            shutil.copy(src, site)
    launch = time.monotonic()
    proc = subprocess.Popen(
        [polis, "serve", "--root", site, "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        t0 = time.monotonic()
        t_address = t0 - launch
        m = re.search(r"(http://\S+?)/? ", line)
        if not m:
            sys.exit(f"no address in: {line!r}")
        base = m.group(1)
        status, body = fetch(base + page)
        t_page = time.monotonic() - t0
        assert status == 200, status
        urls = photos(body.decode(), width)
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda u: fetch(u if u.startswith("http") else base + u), urls))
        t_photos = time.monotonic() - t0
        assert all(s == 200 and len(b) > 0 for s, b in results)
        return t_address, t_page, t_photos, len(urls)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("polis")
    ap.add_argument("--page", default="/en/")
    ap.add_argument("--width", type=int, default=960)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    addrs, pages, alls = [], [], []
    for i in range(a.runs):
        ad, p, ph, n = run(a.polis, a.page, a.width)
        addrs.append(ad)
        pages.append(p)
        alls.append(ph)
        print(
            f"run {i + 1}: address after {ad:.2f} s; then first page {p:.2f} s,"
            f" its {n} photos {ph:.2f} s",
            flush=True,
        )
    med = statistics.median
    print(
        f"median: address after {med(addrs):.2f} s; then first page {med(pages):.2f} s,"
        f" photos {med(alls):.2f} s"
    )


if __name__ == "__main__":
    main()
