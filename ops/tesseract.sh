#!/usr/bin/env bash
# Ensures what the documents worker needs from Debian: Tesseract 5 (libtesseract5, called through its C API),
# the English model, Leptonica (liblept5: image decoding, normalisation and the Pix Tesseract reads), the
# `tesseract` command line (the benchmark's baseline) and DejaVu (the tests and the benchmark render pages with it).
# Idempotent and non-interactive; as a normal user it only says what is missing.
set -euo pipefail

packages=(tesseract-ocr libtesseract5 tesseract-ocr-eng liblept5 fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "[tesseract] missing Debian packages: ${missing[*]}; install them once with sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "[tesseract] installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The tessdata folder (printed last): the models and pdf.ttf, the glyphless font of Tesseract's PDF renderer, which
# Debian ships inside libtesseract5. Without it the renderer cannot write the invisible text layer.
tessdata=$(dirname "$(ls /usr/share/tesseract-ocr/*/tessdata/eng.traineddata | head -n 1)")
if [[ ! -s $tessdata/pdf.ttf ]]; then
  echo "[tesseract] $tessdata/pdf.ttf is missing: searchable PDFs cannot be rendered" >&2
  exit 1
fi
printf '%s\n' "$tessdata"
