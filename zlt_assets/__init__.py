"""zlt-assets: GIS asset inventory and plan analysis for Zhalantun (扎兰屯市).

The core (schema, inventory, validation, analysis) imports nothing of QGIS, folium or the CLI.
"""
__version__ = "0.1.0"

from ._io import open_inventory
from .inventory import Inventory, default_data_path

__all__ = ["Inventory", "__version__", "default_data_path", "open_inventory"]
