#!/bin/sh
# Vendors Sveltia CMS, the web editor's script (issue 18), from its npm package.
#
#   vendor/sveltia-cms/update.sh            # the version pin.toml names (re-check it)
#   vendor/sveltia-cms/update.sh 0.222.0    # another version
#   vendor/sveltia-cms/update.sh latest     # the newest release
#
# Downloads the tarball from registry.npmjs.org, checks it against the
# registry's sha512 integrity, and writes beside this script:
# sveltia-cms.js (dist/sveltia-cms.js of the package), LICENSE.txt, the
# fonts its CSS names (fonts/), and pin.toml (version, SHA-256 of the tarball,
# of the script and of each font). `polis build`
# refuses a script whose SHA-256 is not the pin's. Read the package's licence
# before you commit, and update CREDITS if it changed. Needs curl, tar, python3.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
package="@sveltia/cms"
version=${1:-$(sed -n 's/^version = "\(.*\)"$/\1/p' "$dir/pin.toml")}
[ -n "$version" ] || { echo "no version given and none in $dir/pin.toml" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL "https://registry.npmjs.org/$package/$version" -o "$tmp/meta.json"
set -- $(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["version"], m["dist"]["tarball"], m["dist"]["integrity"], m.get("license", "?"))
' "$tmp/meta.json")
version=$1 tarball=$2 integrity=$3 licence=$4
curl -fsSL "$tarball" -o "$tmp/package.tgz"
python3 -c '
import base64, hashlib, sys
algo, want = sys.argv[2].split("-", 1)
got = base64.b64encode(hashlib.new(algo, open(sys.argv[1], "rb").read()).digest()).decode()
sys.exit(0 if got == want else "the tarball does not match the registry'"'"'s integrity " + sys.argv[2])
' "$tmp/package.tgz" "$integrity"
tar -xzf "$tmp/package.tgz" -C "$tmp" package/dist/sveltia-cms.js package/LICENSE.txt
cp "$tmp/package/dist/sveltia-cms.js" "$dir/sveltia-cms.js"
cp "$tmp/package/LICENSE.txt" "$dir/LICENSE.txt"
tarball_sha=$(sha256sum "$tmp/package.tgz" | cut -d' ' -f1)
script_sha=$(sha256sum "$dir/sveltia-cms.js" | cut -d' ' -f1)
cat > "$dir/pin.toml" <<PIN
# Written by update.sh: the vendored Sveltia CMS. \`polis build\` checks sha256.
package = "$package"
version = "$version"
tarball_sha256 = "$tarball_sha"
sha256 = "$script_sha"
licence = "$licence"
PIN

# The fonts the script's CSS loads from cdn.jsdelivr.net (Fontsource), from
# the same fonts' npm packages: polis serves them from /admin/ and points the
# script at them, so the editor asks no third party for its fonts or icons.
# `polis build` refuses a script that still names a font not pinned here.
rm -rf "$dir/fonts"
mkdir -p "$dir/fonts"
grep -o 'https://cdn\.jsdelivr\.net/fontsource/fonts/[^)"`'"'"' ]*\.woff2' "$dir/sveltia-cms.js" | sort -u |
while read -r url; do
  # .../fonts/NAME[:vf]@VERSION/SUBSET-WEIGHT-STYLE.woff2
  spec=${url#https://cdn.jsdelivr.net/fontsource/fonts/}
  name=${spec%%@*} rest=${spec#*@}
  fversion=${rest%%/*} file=${rest#*/}
  case $name in
    *:vf) name=${name%:vf} scope=@fontsource-variable ;;
    *) scope=@fontsource ;;
  esac
  curl -fsSL "https://registry.npmjs.org/$scope/$name/$fversion" -o "$tmp/font.json"
  set -- $(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(m["dist"]["tarball"], m["dist"]["integrity"], m.get("license", "?"))
' "$tmp/font.json")
  curl -fsSL "$1" -o "$tmp/font.tgz"
  python3 -c '
import base64, hashlib, sys
algo, want = sys.argv[2].split("-", 1)
got = base64.b64encode(hashlib.new(algo, open(sys.argv[1], "rb").read()).digest()).decode()
sys.exit(0 if got == want else "the font does not match the registry'"'"'s integrity " + sys.argv[2])
' "$tmp/font.tgz" "$2"
  rm -rf "$tmp/font" && mkdir "$tmp/font"
  tar -xzf "$tmp/font.tgz" -C "$tmp/font" "package/files/$name-$file" package/LICENSE
  cp "$tmp/font/package/files/$name-$file" "$dir/fonts/$name-$file"
  cp "$tmp/font/package/LICENSE" "$dir/fonts/$name.LICENSE.txt"
  cat >> "$dir/pin.toml" <<PIN

[[font]]
url = "$url"
file = "fonts/$name-$file"
package = "$scope/$name@$fversion"
licence = "$3"
sha256 = "$(sha256sum "$dir/fonts/$name-$file" | cut -d' ' -f1)"
PIN
  echo "font $scope/$name@$fversion: fonts/$name-$file (licence $3)"
done
echo "$package $version: sveltia-cms.js $script_sha (licence $licence)"
