"""Shared base of the Zhalantun Processing algorithms: names, group, help, inventory input."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFile,
)
from qgis.PyQt.QtGui import QIcon

from ..i18n_util import tr

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
HELP_DIR = os.path.join(PLUGIN_DIR, "help")
GROUP = "Zhalantun assets / 扎兰屯资产"
GROUP_ID = "zlt_assets"


def help_text(name: str) -> str:
    """The help of an algorithm: ``help/<name>.html`` (Chinese, then English)."""
    path = os.path.join(HELP_DIR, f"{name}.html")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as fh:
        return fh.read()


class ZltAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``NAME`` and ``DISPLAY`` ("English / 中文") and implement
    ``initAlgorithm`` and ``processAlgorithm``; the work is done by the zlt_assets core."""

    NAME = ""
    DISPLAY = ""
    INVENTORY = "INVENTORY"

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(GROUP)

    def groupId(self) -> str:
        return GROUP_ID

    def shortHelpString(self) -> str:
        return help_text(self.NAME)

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def createInstance(self):
        return type(self)()

    def tr(self, text: str) -> str:
        return tr(text)

    # ------------------------------------------------------------------ shared parameters
    def add_inventory_parameter(self, optional: bool = True) -> None:
        from ..inventory_loader import default_inventory_path

        param = QgsProcessingParameterFile(
            self.INVENTORY, tr("Inventory GeoPackage (empty: the sample) / 资产清单 GeoPackage(留空为示例数据)"),
            extension="gpkg", defaultValue=default_inventory_path(), optional=optional)
        self.addParameter(param)

    def inventory_path(self, parameters: dict, context) -> str:
        path = self.parameterAsFile(parameters, self.INVENTORY, context)
        if not path:
            from ..inventory_loader import default_inventory_path

            path = default_inventory_path() or ""
        if not path or not os.path.isfile(path):
            raise QgsProcessingException(
                tr("Inventory not found: {0} / 找不到资产清单:{0}").format(path))
        return path

    @staticmethod
    def core_error(exc: Exception) -> QgsProcessingException:
        """A core error (zlt_assets.errors.ZltError) as a one-line Processing error."""
        return QgsProcessingException(" ".join(str(exc).split()))


def add_source(alg: QgsProcessingAlgorithm, name: str, label: str, geometry: int,
               optional: bool = True) -> None:
    """A vector input of one geometry type (compat.VECTOR_POINT/Line/Polygon)."""
    from qgis.core import QgsProcessingParameterFeatureSource

    alg.addParameter(QgsProcessingParameterFeatureSource(name, tr(label), [geometry],
                                                         optional=optional))


def raster_path(alg: QgsProcessingAlgorithm, parameters: dict, name: str, context) -> str | None:
    """File path of a raster input (the core reads GeoTIFFs itself); None when not given."""
    if parameters.get(name) in (None, ""):
        return None
    layer = alg.parameterAsRasterLayer(parameters, name, context)
    if layer is None:
        return None
    path = layer.source().split("|")[0]
    if not os.path.isfile(path):
        raise QgsProcessingException(tr(
            "The population raster must be a file (GeoTIFF): {0} / 人口栅格必须是文件(GeoTIFF):{0}"
        ).format(layer.source()))
    return path
