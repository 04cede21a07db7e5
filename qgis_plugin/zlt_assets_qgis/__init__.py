"""扎兰屯资产 QGIS 插件 / Zhalantun assets QGIS plugin.

Only a lazy ``classFactory``: nothing of the plugin (nor of zlt_assets) is imported until QGIS
asks for the plugin object.
"""


def classFactory(iface):
    """Return the plugin object (QGIS entry point)."""
    from .plugin import ZltAssetsPlugin

    return ZltAssetsPlugin(iface)
