#!/usr/bin/env bash
# bench/search.sh: what the search index (issue 17) costs a build, and what
# Pagefind's own CLI does with the same output, in one run.
#
# For each corpus folder given (made by /work/shared/bench/gen_corpus.py with
# --langs en,nb), it copies bench/corpus-site/site.en-nb.toml and templates/ in,
# and then, with the release binary POLIS_BIN:
#   1. times the build without search and with `[search]` (max_fragments =
#      1000, as the example site has) with hyperfine, RUNS runs each after
#      WARMUP warm-up runs, `public/` removed before each run;
#   2. measures each one's peak RSS with /usr/bin/time -v (one more run each);
#   3. counts the index: bytes and files under public/pagefind/, pages per
#      language (pagefind-entry.json), and the bytes a first one-word search
#      downloads (see first_search below);
#   4. runs Pagefind's CLI (PAGEFIND_BIN, the npm package `pagefind`, whose
#      binary is pagefind_extended) on the output of the build without search,
#      with --root-selector main and --max-fragments 1000 so that it reads the
#      same text, into a folder of its own, and measures it the same way.
#
# Usage: POLIS_BIN=target/release/polis PAGEFIND_BIN=.../pagefind_extended \
#          bench/search.sh CORPUS...
# Environment: RUNS (default 3), WARMUP (default 1), NOW (the build clock).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SITE_DIR="$SCRIPT_DIR/corpus-site"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
NOW="${NOW:-2026-11-23T12:00:00Z}"
: "${POLIS_BIN:?set POLIS_BIN to a release build of polis}"
: "${PAGEFIND_BIN:?set PAGEFIND_BIN to the Pagefind CLI, npm package pagefind, binary pagefind_extended}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)"; exit 2; }

peak_mib() { # command... -> peak RSS in MiB of one run
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }'
}

# The bytes a first search for one word downloads, from the index in $1, for
# language $2: Pagefind's script and its entry file, the language's wasm and
# meta file, the one index chunk that holds the word (the first chunk, for a
# word at the start of the alphabet; chunks are of about the same size), the
# filter chunks (the search page asks for the filters first), and the fragment
# files of the 20 results the theme's search page shows (20 fragment files of
# average size: with max_fragments a file holds several pages, and 20 results
# may share some, so this is an upper bound). The worker script is counted
# apart: the browser loads it when it runs Pagefind in a worker.
first_search() {
  local dir="$1" lang="$2" js entry wasm meta chunk filters frag
  js=$(stat -c %s "$dir/pagefind.js")
  entry=$(stat -c %s "$dir/pagefind-entry.json")
  wasm=$(stat -c %s "$dir/wasm.$lang.pagefind")
  meta=$(stat -c %s "$dir"/pagefind."$lang"_*.pf_meta)
  chunk=$(find "$dir/index" -name "${lang}_*" -printf '%s\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  filters=$(find "$dir/filter" -name "${lang}_*" -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
  frag=$(find "$dir/fragment" -name "${lang}_*" -printf '%s\n' | awk '{ s += $1; n++ } END { print int(20 * s / n) }')
  local total=$((js + entry + wasm + meta + chunk + filters + frag))
  local worker
  worker=$(stat -c %s "$dir/pagefind-worker.js")
  echo "$total [pagefind.js $js, entry $entry, wasm $wasm, meta $meta, median index chunk $chunk, filters $filters, fragments $frag; worker $worker]"
}

index_figures() { # dir -> bytes, files, pages per language
  local dir="$1"
  printf 'bytes %s, files %s, pages %s\n' \
    "$(du -sb "$dir" | cut -f1)" \
    "$(find "$dir" -type f | wc -l)" \
    "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(", ".join(k + " " + str(v["page_count"]) for k, v in e["languages"].items()))' "$dir/pagefind-entry.json")"
}

for corpus in "$@"; do
  corpus="$(cd "$corpus" && pwd)"
  rm -rf "$corpus/templates"
  cp -r "$SITE_DIR/templates" "$corpus/templates"
  cp "$SITE_DIR/site.en-nb.toml" "$corpus/site.off.toml"
  { cat "$SITE_DIR/site.en-nb.toml"; printf '\n[search]\nmax_fragments = 1000\n'; } >"$corpus/site.on.toml"
  echo "== $corpus ($(find "$corpus/content" -name '*.md' | wc -l) Markdown files)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  # hyperfine fails on a build that exits non-zero.
  hyperfine --runs "$RUNS" --warmup "$WARMUP" --export-json "$corpus/search.hyperfine.json" \
    --prepare "cp $corpus/site.off.toml $corpus/site.toml; rm -rf $corpus/public" \
    -n "without search" "$POLIS_BIN build --root $corpus --quiet --now $NOW" \
    --prepare "cp $corpus/site.on.toml $corpus/site.toml; rm -rf $corpus/public" \
    -n "with search" "$POLIS_BIN build --root $corpus --quiet --now $NOW"
  cp "$corpus/site.off.toml" "$corpus/site.toml"; rm -rf "$corpus/public"
  echo "peak RSS without search: $(peak_mib "$POLIS_BIN" build --root "$corpus" --quiet --now "$NOW") MiB"
  rm -rf "$corpus/public-plain"; mv "$corpus/public" "$corpus/public-plain"
  cp "$corpus/site.on.toml" "$corpus/site.toml"
  echo "peak RSS with search: $(peak_mib "$POLIS_BIN" build --root "$corpus" --quiet --now "$NOW") MiB"
  echo "polis index: $(index_figures "$corpus/public/pagefind")"
  for lang in en nb; do echo "first search ($lang): $(first_search "$corpus/public/pagefind" "$lang") bytes"; done

  echo "-- Pagefind CLI ($("$PAGEFIND_BIN" --version)) on the output without search"
  cli=("$PAGEFIND_BIN" --site "$corpus/public-plain" --output-path "$corpus/pagefind-cli" --root-selector main --max-fragments 1000)
  rm -rf "$corpus/pagefind-cli"
  hyperfine --runs "$RUNS" --warmup "$WARMUP" --export-json "$corpus/cli.hyperfine.json" \
    --prepare "rm -rf $corpus/pagefind-cli" -n "pagefind CLI" "${cli[*]} --quiet"
  rm -rf "$corpus/pagefind-cli"
  echo "peak RSS of the CLI: $(peak_mib "${cli[@]}" --quiet) MiB"
  echo "CLI index: $(index_figures "$corpus/pagefind-cli")"
  for lang in en nb; do echo "first search ($lang): $(first_search "$corpus/pagefind-cli" "$lang") bytes"; done
done
