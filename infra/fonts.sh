#!/usr/bin/env bash
# The fonts documents are set in, from Debian's packages (pinned), into infra/layer/fonts/:
# the content of the fonts layer (/opt/fonts in Lambda) and FONT_DIR for local runs and tests.
# Only unpacks the packages (apt-get download + dpkg-deb -x): nothing is installed system-wide.
set -euo pipefail
cd "$(dirname "$0")"
out=layer/fonts
packages=(fonts-dejavu-core=2.37-6 fonts-droid-fallback=1:6.0.1r16-1.1)
files=(DejaVuSans.ttf DejaVuSans-Bold.ttf DroidSansFallbackFull.ttf)
if [[ -f $out/.packages ]] && [[ "$(cat $out/.packages)" == "${packages[*]}" ]]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A fresh machine may have no package lists yet: read them once and try again.
(cd "$work" && apt-get download -q "${packages[@]}" >/dev/null 2>&1) ||
    { apt-get update -q >/dev/null && (cd "$work" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); }
for deb in "$work"/*.deb; do
    dpkg-deb -x "$deb" "$work/root"
done
mkdir -p "$out"
for file in "${files[@]}"; do
    found=$(find "$work/root/usr/share/fonts" -name "$file" | head -n 1)
    [[ -n $found ]] || { echo "fonts.sh: $file not in ${packages[*]}" >&2; exit 1; }
    cp "$found" "$out/$file"
done
# The licences travel with the fonts.
cp "$work/root/usr/share/doc/fonts-dejavu-core/copyright" "$out/LICENSE-DejaVu"
cp "$work/root/usr/share/doc/fonts-droid-fallback/copyright" "$out/LICENSE-DroidSansFallback"
echo "${packages[*]}" > "$out/.packages"
ls -l "$out"
