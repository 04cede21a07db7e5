"""What the plugin knows of the schema without the engine: ``generated/schema.json``.

The file is written from ``zlt_assets`` when the zip is built (``build_zip.py``; in a source
checkout ``build_zip.py --generate``), so QGIS's process never imports the engine.
"""
from __future__ import annotations

import functools
import json
import os
from typing import Any

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
GENERATED = os.path.join(PLUGIN_DIR, "generated")
SCHEMA_FILE = os.path.join(GENERATED, "schema.json")
STYLES_DIR = os.path.join(GENERATED, "styles")
SAMPLE_DIR = os.path.join(PLUGIN_DIR, "sample")


class MissingGeneratedError(RuntimeError):
    """The plugin was not built (a source checkout without ``build_zip.py --generate``)."""


@functools.lru_cache(maxsize=1)
def data() -> dict[str, Any]:
    """The contents of schema.json."""
    try:
        with open(SCHEMA_FILE, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError:
        raise MissingGeneratedError(
            f"插件缺少 generated/schema.json:请用 build_zip.py 构建的压缩包安装 / the plugin "
            f"has no "
            f"generated/schema.json ({SCHEMA_FILE}): install it from the zip built by "
            "qgis_plugin/build_zip.py, or run build_zip.py --generate in a source checkout"
        ) from None


def layers() -> dict[str, dict[str, Any]]:
    """Layer name -> declaration (schema order)."""
    return {lyr["name"]: lyr for lyr in data()["layers"]}


def groups() -> list[dict[str, str]]:
    """The layer-tree groups in order (code, zh, en)."""
    return list(data()["groups"])


def standard(name: str) -> Any:
    """The value of a default declared in zlt_assets.standards."""
    return data()["standards"][name]["value"]


def standard_source(name: str) -> str:
    """Where a default comes from (``cite()``)."""
    return data()["standards"][name]["source"]


def style_path(layer: str) -> str | None:
    """The QML (style and form) generated for ``layer``."""
    path = os.path.join(STYLES_DIR, f"{layer}.qml")
    return path if os.path.isfile(path) else None


def sample_path() -> str | None:
    """The sample inventory shipped in the zip."""
    path = os.path.join(SAMPLE_DIR, "zhalantun.gpkg")
    return path if os.path.isfile(path) else None
