#!/usr/bin/env bash
# Browser tests drive Debian's own Chromium through its matching chromedriver; no tool may download a
# browser or driver of its own. Installs both when missing (root: apt-get); as a normal user it says
# what to install and fails, so a missing browser is an error, not a silently skipped test.
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -x /usr/bin/chromedriver ]] || missing+=(chromium-driver)
# Fonts, so screenshots show text rather than boxes (chromium only recommends them).
dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "Browser tests need Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} for the browser tests..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version >&2
