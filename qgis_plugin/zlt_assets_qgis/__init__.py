"""扎兰屯资产 QGIS 插件 / Zhalantun assets QGIS plugin.

Only a lazy ``classFactory``: nothing of the plugin is imported until QGIS asks for it. The
plugin imports PyQGIS, Qt and the standard library only; the analyses run in the zlt-assets
engine, a separate program (see engine.py).
"""


def classFactory(iface):
    """Return the plugin object (QGIS entry point)."""
    from .plugin import ZltAssetsPlugin

    return ZltAssetsPlugin(iface)
