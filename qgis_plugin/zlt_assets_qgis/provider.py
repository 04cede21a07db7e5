"""The Processing provider "Zhalantun assets / 扎兰屯资产": algorithms that run the engine.

Its settings (Processing › Options › Providers › 扎兰屯资产): the path of ``zlt-assets``, the
package index for "Install engine" (a mirror), and the Python that makes the private environment.
"""
from __future__ import annotations

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import engine_status
from .algorithms.coverage import FacilityCoverageAlgorithm
from .algorithms.field_import import FieldImportAlgorithm
from .algorithms.install_engine import InstallEngineAlgorithm
from .algorithms.meeting_map import MeetingMapAlgorithm
from .algorithms.scorecard import PlanScorecardAlgorithm
from .algorithms.toilets import ToiletGapsAlgorithm
from .algorithms.validate import ValidateInventoryAlgorithm
from .i18n_util import tr

PROVIDER_ID = "zltassets"
ICON = os.path.join(os.path.dirname(__file__), "icons", "icon.svg")
ALGORITHMS = (ValidateInventoryAlgorithm, FacilityCoverageAlgorithm, ToiletGapsAlgorithm,
              PlanScorecardAlgorithm, MeetingMapAlgorithm, FieldImportAlgorithm,
              InstallEngineAlgorithm)


def _settings() -> list[tuple[str, str, str]]:
    """(key, label, kind) of the provider's settings."""
    return [
        (engine_status.ENGINE_SETTING,
         tr("Path of zlt-assets (empty: ZLT_ASSETS_ENGINE, PATH, then the private environment) / "
            "zlt-assets 程序路径(留空依次用 ZLT_ASSETS_ENGINE、PATH、插件私有环境)"), "file"),
        (engine_status.INDEX_SETTING,
         tr("Package index for installing the engine (empty: PyPI; e.g. a mirror) / "
            "安装引擎用的软件包索引(留空为 PyPI;可填镜像)"), "string"),
        (engine_status.PYTHON_SETTING,
         tr("Python 3.10+ for the private environment (empty: find one) / "
            "创建私有环境用的 Python 3.10+(留空自动查找)"), "file"),
    ]


class ZltAssetsProvider(QgsProcessingProvider):
    """Provider of the zlt-assets algorithms."""

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("Zhalantun assets / 扎兰屯资产")

    def longName(self) -> str:
        return self.name()

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def load(self) -> bool:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:  # Processing plugin not available: settings from QgsSettings only
            self.refreshAlgorithms()
            return True
        ProcessingConfig.settingIcons[self.name()] = self.icon()
        for key, label, kind in _settings():
            ProcessingConfig.addSetting(Setting(
                self.name(), key, label, "",
                valuetype=Setting.FILE if kind == "file" else Setting.STRING))
        ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self) -> None:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
        except ImportError:
            return
        for key, _label, _kind in _settings():
            ProcessingConfig.removeSetting(key)

    def loadAlgorithms(self) -> None:
        engine_status.forget()  # settings may have changed ("OK" in the options dialog)
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
