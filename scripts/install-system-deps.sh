#!/usr/bin/env bash
# System packages the tests need (Debian). ktxh runs without them and says what is missing.
#   chromium        browser tests (Playwright drives Debian's chromium; no browser download)
#   fonts-liberation  metric-compatible Times New Roman substitute for screenshots and PDFs
#   libreoffice-writer-nogui  DOCX → PDF for drafted reports (ktxh report --pdf)
#   poppler-utils   pdftotext / pdftoppm, to read and look at the PDFs in tests
#   tesseract-ocr tesseract-ocr-vie  OCR of scanned past reports (ktxh check/extract/import)
set -euo pipefail
PACKAGES=(chromium fonts-liberation libreoffice-writer-nogui poppler-utils tesseract-ocr tesseract-ocr-vie)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages present: ${PACKAGES[*]}"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Thiếu gói hệ thống: ${missing[*]}. Chạy: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
