#!/usr/bin/env bash
# Makes assets/web/DejaVuSans-web.woff2: the map's font (assets/fonts/DejaVuSans.ttf, its
# licence beside it) cut to the letters the record's pages use (Latin, Cyrillic with
# Kazakh, punctuation, the arrows and marks of the buttons), for browsers whose own fonts
# lack Kazakh letters. Run once when the font changes; the output is committed, so
# neither builds nor CI need Python.
#   pip install fonttools==4.68.0 brotli && tools/webfont/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
pyftsubset assets/fonts/DejaVuSans.ttf \
  --unicodes="U+0020-007E,U+00A0-00FF,U+0131,U+0152-0153,U+0400-04FF,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+20B8,U+2116,U+2122,U+2190-2193,U+25B2-25C0,U+2713-2717" \
  --layout-features='kern,liga,locl' --no-hinting --desubroutinize \
  --flavor=woff2 --output-file=assets/web/DejaVuSans-web.woff2
ls -l assets/web/DejaVuSans-web.woff2
