"""Is the zlt-assets core importable in QGIS's Python?  If not, say exactly how to install it.

The plugin zip bundles a copy of the ``zlt_assets`` package (``ext/``); its dependencies are
compiled packages (geopandas, shapely, pyogrio, pyproj, scipy, numpy, pandas) that must come from
the Python QGIS runs on. This module imports nothing but the standard library and Qt-free code,
so the plugin loads even when they are missing.
"""
from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field

#: Folder of the bundled copy of zlt_assets (present in the installable zip).
EXT_DIR = os.path.join(os.path.dirname(__file__), "ext")

#: Packages the algorithms need (import name -> pip name).
REQUIRED = {
    "numpy": "numpy<2",
    "pandas": "pandas<3",
    "shapely": "shapely>=2",
    "pyproj": "pyproj",
    "pyogrio": "pyogrio",
    "geopandas": "geopandas<1.2",
    "scipy": "scipy",
}
#: Needed by some algorithms only (meeting map, field import).
OPTIONAL = {"folium": "folium", "openpyxl": "openpyxl", "yaml": "pyyaml",
            "charset_normalizer": "charset-normalizer", "rasterio": "rasterio<2"}


def add_bundled_core() -> None:
    """Put the bundled zlt_assets first on sys.path (when the plugin was installed from the zip)."""
    if os.path.isdir(os.path.join(EXT_DIR, "zlt_assets")) and EXT_DIR not in sys.path:
        sys.path.insert(0, EXT_DIR)


@dataclass
class CoreStatus:
    """Result of :func:`check_core`."""

    missing: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    optional_missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing


def _try(name: str) -> str | None:
    try:
        importlib.import_module(name)
        return None
    except Exception as exc:  # ImportError, or a broken binary (e.g. numpy 2 vs GDAL)
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def check_core() -> CoreStatus:
    """Try to import zlt_assets and its dependencies; never raises."""
    add_bundled_core()
    status = CoreStatus()
    for mod in list(REQUIRED) + ["zlt_assets"]:
        err = _try(mod)
        if err:
            status.missing.append(mod)
            status.errors[mod] = err
    for mod in OPTIONAL:
        if _try(mod):
            status.optional_missing.append(mod)
    return status


def pip_names(modules: list[str]) -> list[str]:
    names = []
    for m in modules:
        if m == "zlt_assets":
            names.append("zlt-assets")
        else:
            names.append(REQUIRED.get(m) or OPTIONAL.get(m) or m)
    return names


def install_instructions(status: CoreStatus | None = None) -> str:
    """Plain-text instructions (Chinese first, English beside) for OSGeo4W/Windows, conda and
    Debian/Ubuntu, naming the missing packages."""
    status = status or check_core()
    pkgs = " ".join(f'"{p}"' for p in pip_names(status.missing or list(REQUIRED)))
    lines = [
        "扎兰屯资产插件需要以下 Python 包 / The Zhalantun assets plugin needs these Python packages:",
        "  " + ", ".join(status.missing or ["(none missing)"]),
    ]
    for mod in status.missing:
        lines.append(f"  - {mod}: {status.errors.get(mod, '')}")
    lines += [
        "",
        "Windows (OSGeo4W / QGIS 独立安装包 standalone installer):",
        "  以管理员身份打开 “OSGeo4W Shell” / open the “OSGeo4W Shell” as administrator, then:",
        f"  python -m pip install {pkgs}",
        "  (geopandas, shapely, pyproj 和 scipy 也可在 OSGeo4W 安装器中选择 / can also be "
        "chosen in the OSGeo4W setup: python3-geopandas, python3-shapely, python3-pyproj, "
        "python3-scipy)",
        "",
        "conda (QGIS 从 conda-forge 安装 / QGIS installed from conda-forge):",
        "  conda install -c conda-forge geopandas shapely pyogrio pyproj scipy \"numpy<2\"",
        "  python -m pip install --no-deps zlt-assets   (若未使用插件自带副本 / if not using "
        "the bundled copy)",
        "",
        "Debian / Ubuntu (QGIS 来自 apt / QGIS from apt):",
        "  sudo apt install python3-geopandas python3-shapely python3-pyproj python3-scipy "
        "python3-pip",
        "  python3 -m pip install --user --break-system-packages pyogrio   "
        "(若 apt 中没有 python3-pyogrio / if apt has no python3-pyogrio)",
        "",
        "安装后重启 QGIS / Restart QGIS afterwards.",
        "NumPy 必须是 1.x(QGIS 3.22–3.34 的 GDAL 基于 NumPy 1.x 构建) / NumPy must stay 1.x "
        "where QGIS's GDAL is built on NumPy 1.x.",
    ]
    return "\n".join(lines)
