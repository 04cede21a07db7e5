"""The plugin object: Processing provider, the "Open inventory" action, install help."""
from __future__ import annotations

import os

from qgis.core import QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

try:  # Qt5: QtWidgets; Qt6 (QGIS 4): QtGui
    from qgis.PyQt.QtWidgets import QAction
except ImportError:  # pragma: no cover - Qt6
    from qgis.PyQt.QtGui import QAction

from . import compat, deps
from .i18n_util import install_translator, tr

PLUGIN_DIR = os.path.dirname(__file__)
ICON = os.path.join(PLUGIN_DIR, "icons", "icon.svg")
MENU = "Zhalantun assets / 扎兰屯资产"
LOG_TAG = "Zhalantun assets"


class ZltAssetsPlugin:
    """QGIS plugin object (see ``classFactory``)."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider = None
        self.actions: list[QAction] = []
        self.translator = install_translator()
        self.core = deps.check_core()

    # ------------------------------------------------------------------ QGIS hooks
    def initProcessing(self) -> None:
        """Register the Processing provider (called by initGui, and by QGIS for headless use)."""
        from .provider import ZltAssetsProvider

        if self.provider is None:
            self.provider = ZltAssetsProvider(self.core)
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()
        icon = QIcon(ICON)
        open_action = QAction(icon, tr("Open Zhalantun inventory / 打开扎兰屯资产清单"),
                              self.iface.mainWindow())
        open_action.setObjectName("zlt_open_inventory")
        open_action.triggered.connect(self.open_inventory_dialog)
        self._add_action(open_action, toolbar=True)
        pg_action = QAction(icon, tr("Open PostGIS inventory / 打开 PostGIS 资产清单"),
                            self.iface.mainWindow())
        pg_action.setObjectName("zlt_open_postgis")
        pg_action.triggered.connect(self.open_postgis_dialog)
        self._add_action(pg_action, toolbar=False)
        help_action = QAction(tr("Installation help / 安装说明"), self.iface.mainWindow())
        help_action.setObjectName("zlt_install_help")
        help_action.triggered.connect(self.show_install_help)
        self._add_action(help_action, toolbar=False)
        if not self.core.ok:
            self._warn_missing()

    def unload(self) -> None:
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            self.iface.removeToolBarIcon(action)
            action.deleteLater()
        self.actions = []
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.translator is not None:
            QCoreApplication.removeTranslator(self.translator)
            self.translator = None

    # ------------------------------------------------------------------ actions
    def _add_action(self, action: QAction, toolbar: bool) -> None:
        self.iface.addPluginToMenu(MENU, action)
        if toolbar:
            self.iface.addToolBarIcon(action)
        self.actions.append(action)

    def _warn_missing(self) -> None:
        text = deps.install_instructions(self.core)
        QgsMessageLog.logMessage(text, LOG_TAG, compat.WARNING)
        bar = self.iface.messageBar()
        if bar is not None:
            bar.pushMessage(
                "Zhalantun assets / 扎兰屯资产",
                tr("Python packages missing: {0}. Menu Plugins > Zhalantun assets > Installation "
                   "help / 缺少 Python 包:{0}。见菜单 插件 > 扎兰屯资产 > 安装说明")
                .format(", ".join(self.core.missing)),
                level=compat.WARNING, duration=0)

    def show_install_help(self) -> None:
        self.core = deps.check_core()
        text = deps.install_instructions(self.core) if not self.core.ok else tr(
            "All Python packages are installed. / 所需 Python 包均已安装。")
        QMessageBox.information(self.iface.mainWindow(), tr("Installation help / 安装说明"), text)

    def open_inventory_dialog(self) -> None:
        """Choose a GeoPackage (default: the sample) and load it styled, in ordered groups."""
        from .inventory_loader import default_inventory_path

        start = default_inventory_path() or ""
        path, _ = QFileDialog.getOpenFileName(
            self.iface.mainWindow(), tr("Open Zhalantun inventory / 打开扎兰屯资产清单"), start,
            "GeoPackage (*.gpkg)")
        if not path:
            return
        self._load(path)

    def open_postgis_dialog(self) -> None:
        """Ask for a ``postgresql://`` URL and load that inventory."""
        url, ok = QInputDialog.getText(
            self.iface.mainWindow(), tr("Open PostGIS inventory / 打开 PostGIS 资产清单"),
            tr("Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public / "
               "数据库地址"), QLineEdit.EchoMode.Normal, "postgresql://")
        if ok and url.strip() and url.strip() != "postgresql://":
            self._load(url.strip())

    def _load(self, path: str) -> None:
        from .inventory_loader import load_inventory

        try:
            result = load_inventory(path)
        except Exception as exc:  # shown to the user, one line
            self.iface.messageBar().pushMessage(
                "Zhalantun assets / 扎兰屯资产", " ".join(str(exc).split()),
                level=compat.CRITICAL)
            return
        self.iface.messageBar().pushMessage(
            "Zhalantun assets / 扎兰屯资产",
            tr("Loaded {0} layers from {1} / 已加载 {0} 个图层:{1}").format(
                len(result.layers), result.root.name().split(": ", 1)[-1]),
            level=compat.SUCCESS, duration=5)
