#!/usr/bin/env bash
# How the site's CI (check.yml, publish.yml) gets polis: the release pinned in
# .github/polis.pin, downloaded and checked against the SHA-256 in the pin, or
# else compiled from this checkout. A download takes seconds; a compile takes
# minutes, so the compile is only for when it is needed.
#
#   install-polis.sh          install the pinned release, or decide to compile
#   install-polis.sh compile  compile polis from this checkout (cargo, --locked)
#   install-polis.sh pin VERSION URL SHA256SUMS
#                             print the pin file for a release (release.yml)
#
# The first form sets the step output `compile` to `true` or `false`, and puts
# the installed polis on the PATH of the job's next steps. It compiles rather
# than downloads when no release is pinned, when polis's source here (see
# SOURCE_PATHS) is not the pinned release's (the site runs a newer polis than
# the release), when the release has no binary for this machine, or when the
# download fails. A download whose checksum is not the pinned one is an error,
# never a reason to compile: the pin or the release is wrong, and someone must
# look.
#
# Environment (for tests; CI sets none of them):
#   POLIS_PIN          the pin file (default .github/polis.pin; relative to the
#                      repository's root, where the script runs)
#   POLIS_RELEASE_URL  where the release's files are, instead of the pin's `url`
#   POLIS_TARGET       the target triple, instead of the one of this machine
#   POLIS_INSTALL_DIR  where polis is installed (default $RUNNER_TEMP/polis)
set -euo pipefail

# What makes the polis binary. Not themes/: the site reads its theme from disk,
# and the copy compiled in is only for `polis init`, which CI does not run, so
# a theme edit keeps the release binary. build.rs is listed for the day there
# is one again.
SOURCE_PATHS=(Cargo.toml Cargo.lock build.rs src)

# The repository's root, so the script works from any folder.
cd "$(dirname "$0")/../.."

# Messages show as annotations in GitHub Actions, as plain lines elsewhere.
say() {
  local level=$1
  shift
  if [ "${GITHUB_ACTIONS:-}" = true ]; then
    echo "::$level title=polis::$*"
  else
    echo "install-polis: $level: $*" >&2
  fi
}

die() {
  say error "$*"
  exit 1
}

# Sets a step output, or prints it when not in GitHub Actions.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1=$2" >>"$GITHUB_OUTPUT"
  else
    echo "$1=$2"
  fi
}

# Puts a folder on the PATH of the job's next steps.
add_path() {
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$1" >>"$GITHUB_PATH"
  else
    echo "install-polis: add $1 to PATH" >&2
  fi
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# The git object id of one source path at HEAD, or `absent`. Git's ids say
# whether two trees are the same without the release's tag being fetched, which
# a shallow checkout does not have.
source_id() {
  git rev-parse --verify --quiet "HEAD:$1" 2>/dev/null || echo absent
}

# The release target of this machine; empty when releases have none for it.
# Windows is not here: the site's CI runs on Linux, and Windows would compile.
host_target() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo x86_64-unknown-linux-gnu ;;
    Linux-aarch64 | Linux-arm64) echo aarch64-unknown-linux-gnu ;;
    Darwin-arm64) echo aarch64-apple-darwin ;;
    Darwin-x86_64) echo x86_64-apple-darwin ;;
  esac
}

# `install-polis.sh pin VERSION URL SHA256SUMS`: the pin file for a release,
# written by release.yml at the tagged commit and attached to the release.
write_pin() {
  local version=$1 url=$2 sums=$3 path hash file target
  cat <<EOF
# The polis release that the site's CI (check.yml, publish.yml) installs,
# through .github/scripts/install-polis.sh. Written by release.yml for polis
# $version: to move the site to another release, replace this whole file with
# the polis.pin attached to that release (README.md, "Releases").
version $version
url $url
EOF
  # What the release was compiled from; a checkout that differs compiles.
  for path in "${SOURCE_PATHS[@]}"; do
    echo "source $path $(source_id "$path")"
  done
  while read -r hash file; do
    file=${file#\*}
    target=${file#"polis-$version-"}
    target=${target%.tar.gz}
    target=${target%.zip}
    [ "$target" != "$file" ] || die "$sums: \`$file\` is not named polis-$version-TARGET.tar.gz or .zip"
    echo "sha256 $target $hash"
  done <"$sums"
}

compile() {
  cargo build --locked --release --bin polis
  add_path "$PWD/${CARGO_TARGET_DIR:-target}/release"
}

# Says why CI compiles polis, and tells the next steps to.
fall_back() {
  say "$1" "$2; compiling polis from source instead (minutes, not seconds)"
  output compile true
  exit 0
}

# `pin_value PIN KEY`: the value of the line `KEY value`; `pin_value PIN KEY
# NAME`: the value of the line `KEY NAME value`. Empty when there is none.
pin_value() {
  local key a b
  while read -r key a b; do
    [ "$key" = "$2" ] || continue
    if [ $# -eq 2 ]; then
      echo "$a"
      return
    elif [ "$a" = "$3" ]; then
      echo "$b"
      return
    fi
  done <"$1"
}

install() {
  local pin=${POLIS_PIN:-.github/polis.pin}
  [ -f "$pin" ] || die "\`$pin\` is missing: it says which polis release CI uses (README.md, \"Releases\")"

  # Bash 3 (macOS) has no associative arrays: the pin is read once to check
  # it, and looked up by pin_value.
  local key a b line=0
  while read -r key a b; do
    line=$((line + 1))
    case "$key" in
      "" | "#"* | version | url | source | sha256) ;;
      *) die "$pin:$line: unknown key \`$key\`; expected version, url, source or sha256" ;;
    esac
  done <"$pin"
  local version url
  version=$(pin_value "$pin" version)
  url=$(pin_value "$pin" url)
  [ -n "$version" ] || die "$pin: no \`version\` line; write \`version none\` when no release is pinned"

  if [ "$version" = none ]; then
    fall_back notice "no polis release is pinned in \`$pin\`"
  fi
  [ -n "$url" ] || die "$pin: no \`url\` line for polis $version"

  # The site's polis must be the release's: a pull request that changes polis
  # is checked with the polis it changes.
  local path changed=()
  for path in "${SOURCE_PATHS[@]}"; do
    [ "$(source_id "$path")" = "$(pin_value "$pin" source "$path")" ] || changed+=("$path")
  done
  if [ "${#changed[@]}" -gt 0 ]; then
    fall_back notice "polis's source here (${changed[*]}) is not that of the pinned release $version"
  fi

  local target=${POLIS_TARGET:-$(host_target)}
  if [ -z "$target" ]; then
    fall_back notice "polis releases have no binary for $(uname -s) $(uname -m)"
  fi
  local expected
  expected=$(pin_value "$pin" sha256 "$target")
  if [ -z "$expected" ]; then
    fall_back notice "\`$pin\` has no checksum for $target in polis $version"
  fi

  local name="polis-$version-$target"
  local base=${POLIS_RELEASE_URL:-$url}
  local dir=${POLIS_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/polis}
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # $tmp is fixed now; expand it now
  trap "rm -rf '$tmp'" EXIT

  echo "downloading $base/$name.tar.gz"
  if ! curl --fail --silent --show-error --location --retry 3 \
    --output "$tmp/$name.tar.gz" "$base/$name.tar.gz"; then
    fall_back warning "could not download polis $version for $target from $base"
  fi

  local actual
  actual=$(sha256 "$tmp/$name.tar.gz")
  if [ "$actual" != "$expected" ]; then
    die "$name.tar.gz from $base has SHA-256 $actual, but \`$pin\` expects $expected; not installing it. Either the release's file was replaced or the pin is wrong: compare with the release's SHA256SUMS"
  fi

  # Only the binary is taken from the archive, at the path it must have.
  tar -xzf "$tmp/$name.tar.gz" -C "$tmp" "$name/polis"
  mkdir -p "$dir/bin"
  mv "$tmp/$name/polis" "$dir/bin/polis"
  if ! "$dir/bin/polis" --version; then
    fall_back warning "the polis $version binary for $target does not run here"
  fi
  add_path "$dir/bin"
  echo "installed polis $version ($target, SHA-256 $actual) in $dir/bin"
  output compile false
}

case "${1:-}" in
  "") install ;;
  compile) compile ;;
  pin)
    [ $# -eq 4 ] || die "usage: $0 pin VERSION URL SHA256SUMS"
    write_pin "$2" "$3" "$4"
    ;;
  *) die "unknown command \`$1\`; expected none, \`compile\` or \`pin\`" ;;
esac
