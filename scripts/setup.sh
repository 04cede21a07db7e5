#!/usr/bin/env bash
# One set-up for a fresh Debian 12 / Ubuntu machine: system packages, then the project venv.
#
#   bash scripts/setup.sh                  # everything (QGIS 3.40 LTR, PostGIS, Chromium, Python)
#   ZLT_SKIP_APT=1 bash scripts/setup.sh   # only the Python part (system packages already there)
#
# The project venv (.venv) is an ordinary venv WITHOUT system site packages: the zlt-assets engine
# runs with current wheels (numpy 2, pandas 3, geopandas 1.x). QGIS is never imported into it:
# the QGIS plugin drives the engine as a child process, and the QGIS tests start Debian's own
# Python and qgis_process for the QGIS side. Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  python3 python3-venv python3-dev python3-pip    # Debian's Python (the venv is made from it)
  postgresql postgresql-postgis                   # PostgreSQL + PostGIS, for the backend tests
  chromium                                        # headless browser, for the map tests
  xvfb xauth imagemagick                          # QGIS desktop under Xvfb, screenshots
  gdal-bin                                        # ogr2ogr / ogrinfo
  fonts-noto-cjk                                  # Chinese glyphs in PNG maps and charts
  build-essential git
)
# QGIS 3.40 LTR from Debian's bookworm-backports (on other releases: the release's own qgis)
QGIS_PACKAGES=(qgis python3-qgis qgis-providers)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

if [ -z "${ZLT_SKIP_APT:-}" ] && command -v apt-get >/dev/null 2>&1; then
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  qgis_target=()
  if [ "$codename" = "bookworm" ]; then
    qgis_target=(-t bookworm-backports)
    if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
      echo "[setup] adding Debian's bookworm-backports suite (QGIS 3.40 LTR)"
      printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm-backports" \
        "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
        | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    fi
  fi
  missing=()
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  qgis_missing=()
  for p in "${QGIS_PACKAGES[@]}"; do installed "$p" || qgis_missing+=("$p"); done
  if [ "$codename" = "bookworm" ] && installed qgis; then
    # an older QGIS (3.22 from bookworm itself) is upgraded to the LTR from backports
    case "$(dpkg-query -W -f='${Version}' qgis)" in 3.22*) qgis_missing=("${QGIS_PACKAGES[@]}");; esac
  fi
  if [ "${#missing[@]}" -gt 0 ] || [ "${#qgis_missing[@]}" -gt 0 ]; then
    $APT update -qq
  fi
  if [ "${#qgis_missing[@]}" -gt 0 ]; then
    echo "[setup] installing QGIS: ${qgis_missing[*]} ${qgis_target[*]:-}"
    $APT install -y -qq --no-install-recommends "${qgis_target[@]}" "${QGIS_PACKAGES[@]}" >/dev/null
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "[setup] installing system packages: ${missing[*]}"
    $APT install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

PY=/usr/bin/python3
if [ ! -x "$PY" ]; then PY="$(command -v python3)"; fi
if [ -x .venv/bin/python ] && [ -f .venv/pyvenv.cfg ] \
    && grep -q "include-system-site-packages = true" .venv/pyvenv.cfg; then
  echo "[setup] replacing the old .venv (it used system site packages)"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv from $PY"
  "$PY" -m venv .venv
fi

stamp=.venv/.zlt-setup-stamp
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  # pytest-qgis was a test dependency of 0.1; a venv that still has it cannot start pytest
  # (the plugin imports PyQGIS, which a venv without system site packages does not see)
  .venv/bin/python -m pip uninstall -q -y pytest-qgis 2>/dev/null || true
  echo "$want" > "$stamp"
fi
echo "[setup] ready: .venv/bin/zlt-assets --help"
