"""The plugin's own metadata (metadata.txt), read with the standard library."""
from __future__ import annotations

import configparser
import functools
import os

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))


@functools.lru_cache(maxsize=1)
def metadata() -> dict[str, str]:
    """The ``[general]`` section of metadata.txt."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(PLUGIN_DIR, "metadata.txt"), encoding="utf-8")
    return dict(cfg["general"]) if cfg.has_section("general") else {}


def plugin_version() -> str:
    """The plugin's version; the engine must have the same major.minor version."""
    return metadata().get("version", "0")
