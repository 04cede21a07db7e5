#!/usr/bin/env bash
# One set-up for a fresh Debian 12 / Ubuntu machine: system packages, then the project venv.
#
#   bash scripts/setup.sh            # everything (QGIS, PostGIS, Chromium, Python packages)
#   ZLT_SKIP_APT=1 bash scripts/setup.sh   # only the Python part (system packages already there)
#
# The venv is made from Debian's /usr/bin/python3 with --system-site-packages so that PyQGIS
# (python3-qgis) is importable next to geopandas and friends. Safe to run again: it only does
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-dev python3-pip    # Debian's Python: the one PyQGIS is built for
  python3-qgis qgis qgis-providers                # QGIS 3.22 headless, for the plugin tests
  postgresql postgresql-postgis                   # PostgreSQL + PostGIS, for the backend tests
  chromium                                        # headless browser, for the map tests
  gdal-bin                                        # ogr2ogr / ogrinfo
  fonts-noto-cjk                                  # Chinese glyphs in PNG maps and charts
  build-essential git
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ -z "${ZLT_SKIP_APT:-}" ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "[setup] installing system packages: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then PY="$(command -v python3)"; fi
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv from $PY (with system site packages, for PyQGIS)"
  "$PY" -m venv --system-site-packages .venv
fi

stamp=.venv/.zlt-setup-stamp
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
  echo "$want" > "$stamp"
fi
echo "[setup] ready: .venv/bin/zlt-assets --help"
