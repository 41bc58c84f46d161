#!/usr/bin/env bash
# What the document tests read PDFs with, as a customer's device would: Debian's poppler-utils
# (pdftoppm renders a page) and zbar-tools (zbarimg decodes the payment QR code), pinned.
set -euo pipefail
declare -A pinned=(
    [poppler-utils]=22.12.0-2+deb12u1
    [zbar-tools]=0.23.92-7+deb12u1
)
installed() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
wanted=()
for package in "${!pinned[@]}"; do
    if [[ "$(installed "$package")" != "${pinned[$package]}" ]]; then
        wanted+=("$package=${pinned[$package]}")
    fi
done
if (( ${#wanted[@]} )); then
    install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
    # A fresh machine may have no package lists yet: read them once and try again.
    install "${wanted[@]}" 2>/dev/null || { apt-get update -q >/dev/null; install "${wanted[@]}"; } ||
        { echo "doctools.sh: a pinned version is no longer in Debian's archive; installing the current one. Update the pin." >&2;
          install "${!pinned[@]}"; }
fi
