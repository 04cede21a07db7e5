"""``zlt-assets info``: the engine's version, protocol, Python and which optional parts work."""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
from typing import Any

from ._common import write_json

NAME = "info"
ORDER = 90
HELP = "引擎信息 / engine version, protocol and optional components"
DESCRIPTION = """显示引擎版本、协议版本、Python 与可选组件(PostGIS、PNG、PDF)是否可用。
QGIS 插件用 `zlt-assets info --json -` 检查引擎。
The engine's version, protocol version (contract 1), Python, and which optional parts work:
postgis (psycopg, the [postgis] extra), png and pdf (matplotlib). The QGIS plugin runs
`zlt-assets info --json -` to check the engine it found.

Exit codes: 0 always (a missing component is reported, not an error)."""

#: optional component -> (module that must import, what to install when it does not)
COMPONENTS: dict[str, tuple[str, str]] = {
    "postgis": ("psycopg", "pip install 'zlt-assets[postgis]' (conda: conda install psycopg)"),
    "png": ("matplotlib.backends.backend_agg", "pip install matplotlib"),
    "pdf": ("matplotlib.backends.backend_pdf", "pip install matplotlib"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="JSON 输出 / write the information as JSON ('-': standard output)")


def _probe(module: str) -> tuple[bool, str]:
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # any failure to import means the part does not work
        return False, f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    top = sys.modules.get(module.split(".")[0], mod)
    return True, f"{top.__name__} {getattr(top, '__version__', '')}".strip()


def engine_info() -> dict[str, Any]:
    """What ``info --json`` prints (contract 1)."""
    from .. import __version__
    from ..cli import PROTOCOL

    components: dict[str, bool] = {}
    details: dict[str, str] = {}
    for name, (module, install) in COMPONENTS.items():
        ok, detail = _probe(module)
        components[name] = ok
        details[name] = detail if ok else f"{detail}; {install}"
    return {
        "version": __version__,
        "protocol": PROTOCOL,
        "python": platform.python_version(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "components": components,
        "component_details": details,
        "data": os.environ.get("ZLT_DATA"),
    }


def run(args: argparse.Namespace) -> int:
    info = engine_info()
    if args.json:
        write_json(args.json, info)
    if args.json != "-":
        print(f"zlt-assets {info['version']} (protocol {info['protocol']})")
        print(f"Python {info['python']}: {info['executable']}")
        for name, ok in info["components"].items():
            mark = "可用 ok" if ok else "不可用 missing"
            print(f"  {name}: {mark} — {info['component_details'][name]}")
    return 0
