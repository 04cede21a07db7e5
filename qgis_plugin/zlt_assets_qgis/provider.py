"""The Processing provider "Zhalantun assets / 扎兰屯资产"."""
from __future__ import annotations

import importlib
import os

from qgis.core import QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import compat, deps
from .i18n_util import tr

PROVIDER_ID = "zltassets"

#: (module, class) of each algorithm; an algorithm whose core is missing is left out (logged).
ALGORITHMS = (
    ("validate", "ValidateInventoryAlgorithm"),
    ("coverage", "FacilityCoverageAlgorithm"),
    ("toilets", "ToiletGapsAlgorithm"),
    ("scorecard", "PlanScorecardAlgorithm"),
    ("meeting_map", "MeetingMapAlgorithm"),
    ("field_import", "FieldImportAlgorithm"),
)


class ZltAssetsProvider(QgsProcessingProvider):
    def __init__(self, core: deps.CoreStatus | None = None) -> None:
        super().__init__()
        self.core = core or deps.check_core()
        self.unavailable: dict[str, str] = {}

    def id(self) -> str:
        return PROVIDER_ID

    def name(self) -> str:
        return tr("Zhalantun assets / 扎兰屯资产")

    def longName(self) -> str:
        return self.name()

    def icon(self) -> QIcon:
        return QIcon(os.path.join(os.path.dirname(__file__), "icons", "icon.svg"))

    def loadAlgorithms(self) -> None:
        self.unavailable = {}
        if not self.core.ok:
            from .algorithms.install_help import InstallHelpAlgorithm

            self.addAlgorithm(InstallHelpAlgorithm())
            return
        for module, cls in ALGORITHMS:
            try:
                mod = importlib.import_module(f"{__package__}.algorithms.{module}")
                alg = getattr(mod, cls)()
            except Exception as exc:  # core module not there (yet): leave the algorithm out
                self.unavailable[module] = f"{type(exc).__name__}: {exc}"
                QgsMessageLog.logMessage(f"{module}: {exc}", "Zhalantun assets", compat.INFO)
                continue
            self.addAlgorithm(alg)
