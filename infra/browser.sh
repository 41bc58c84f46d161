#!/usr/bin/env bash
# What the web app's browser tests need: Debian's Chromium and ChromeDriver (pinned), and the
# npm packages of tests/browser (axe-core, and htmx, whose copy the web app serves), from the
# lockfile; and the IAM policy simulator of tests/policy.
set -euo pipefail
cd "$(dirname "$0")/.."
version=148.0.7778.167-1~deb12u1
installed() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
if [[ "$(installed chromium)" != "$version" || "$(installed chromium-driver)" != "$version" ]]; then
    install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
    # A fresh machine may have no package lists yet: read them once and try again.
    install "chromium=$version" "chromium-driver=$version" 2>/dev/null ||
        { apt-get update -q >/dev/null; install "chromium=$version" "chromium-driver=$version"; } ||
        { echo "browser.sh: chromium $version is no longer in Debian's archive (a security update replaced it); installing the current one. Update the pin." >&2;
          install chromium chromium-driver; }
fi
# The npm packages of tests/browser and tests/policy (the IAM policy simulator), each from its
# lockfile, when missing or changed.
for dir in tests/browser tests/policy; do
    if [[ ! -f $dir/node_modules/.package-lock.json ]] ||
        [[ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
        (cd "$dir" && npm ci --no-audit --no-fund --silent)
    fi
done
