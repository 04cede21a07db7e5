"""zlt-assets: GIS asset inventory and plan analysis for Zhalantun (扎兰屯市).

The core (schema, inventory, validation, analysis) imports nothing of QGIS, folium or the CLI.
Importing the package itself is cheap: :class:`Inventory` and :func:`default_data_path` (which
need geopandas) are loaded on first use, so ``zlt-assets --help`` never loads the scientific stack.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from ._io import open_inventory  # standard library only at import time

__all__ = ["Inventory", "__version__", "default_data_path", "open_inventory"]

if TYPE_CHECKING:  # pragma: no cover
    from .inventory import Inventory, default_data_path


def __getattr__(name: str) -> Any:
    if name in ("Inventory", "default_data_path"):
        from . import inventory

        return getattr(inventory, name)
    raise AttributeError(f"module 'zlt_assets' has no attribute {name!r}")
