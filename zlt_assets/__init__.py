"""zlt-assets: GIS asset inventory and plan analysis for Zhalantun (扎兰屯市).

The core (schema, inventory, validation, analysis) imports nothing of QGIS, folium or the CLI.
"""
__version__ = "0.1.0"

from .inventory import Inventory, default_data_path  # noqa: E402,F401

__all__ = ["Inventory", "default_data_path", "__version__"]
