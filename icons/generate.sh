#!/usr/bin/env bash
# Regenerates every app icon from icons/icon.svg.
# Needs rsvg-convert (Debian: librsvg2-bin) and ImageMagick (for the .ico).
# Tauri requires RGBA PNGs: rsvg-convert always writes RGBA.
set -euo pipefail
cd "$(dirname "$0")"
for size in 32 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "${size}x${size}.png"
done
cp 512x512.png icon.png
# Prefer the system ImageMagick over any other `convert` earlier on PATH.
if command -v magick >/dev/null; then CONVERT=magick
elif [ -x /usr/bin/convert ]; then CONVERT=/usr/bin/convert
else CONVERT=convert; fi
"$CONVERT" 256x256.png 128x128.png 32x32.png icon.ico
echo "icons written to $(pwd)"
