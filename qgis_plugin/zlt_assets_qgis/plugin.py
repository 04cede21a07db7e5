"""The plugin object: the Processing provider, menu actions (open the inventory, install or check
the engine)."""
from __future__ import annotations

import os
import shutil

from qgis.core import QgsApplication, QgsMessageLog
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

try:  # Qt5: QtWidgets; Qt6 (QGIS 4): QtGui
    from qgis.PyQt.QtWidgets import QAction
except ImportError:  # pragma: no cover - Qt6
    from qgis.PyQt.QtGui import QAction

from . import compat, engine, engine_status, schema_info
from .i18n_util import install_translator, tr

PLUGIN_DIR = os.path.dirname(__file__)
ICON = os.path.join(PLUGIN_DIR, "icons", "icon.svg")
MENU = "Zhalantun assets / 扎兰屯资产"  # shown through tr()
LOG_TAG = "Zhalantun assets"
SAMPLE_COPY = "zlt_assets_sample"


def sample_copy() -> str | None:
    """A copy of the shipped sample in the QGIS profile folder (made once), so that editing it
    never changes the plugin's files; None when the plugin ships no sample."""
    src = schema_info.sample_path()
    if src is None:
        return None
    dest_dir = os.path.join(QgsApplication.qgisSettingsDirPath(), SAMPLE_COPY)
    dest = os.path.join(dest_dir, os.path.basename(src))
    if not os.path.exists(dest):
        os.makedirs(dest_dir, exist_ok=True)
        for name in os.listdir(os.path.dirname(src)):
            tmp = os.path.join(dest_dir, f".{name}.tmp")
            shutil.copyfile(os.path.join(os.path.dirname(src), name), tmp)
            os.replace(tmp, os.path.join(dest_dir, name))
    return dest


class ZltAssetsPlugin:
    """QGIS plugin object (see ``classFactory``)."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider = None
        self.actions: list[QAction] = []
        self.translator = install_translator()

    # ------------------------------------------------------------------ QGIS hooks
    def initProcessing(self) -> None:
        """Register the Processing provider (from initGui, and by QGIS for qgis_process)."""
        from .provider import ZltAssetsProvider

        if self.provider is None:
            self.provider = ZltAssetsProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        self.initProcessing()
        icon = QIcon(ICON)
        for name, text, slot, toolbar in (
                ("zlt_open_inventory", tr("Open Zhalantun inventory / 打开扎兰屯资产清单"),
                 self.open_inventory_dialog, True),
                ("zlt_open_sample", tr("Open the sample inventory (illustrative) / "
                                       "打开示例清单(示意数据)"), self.open_sample, False),
                ("zlt_open_postgis", tr("Open PostGIS inventory / 打开 PostGIS 资产清单"),
                 self.open_postgis_dialog, False),
                ("zlt_install_engine", tr("Install or update the engine / 安装或更新引擎"),
                 self.install_engine_dialog, False),
                ("zlt_engine_status", tr("Check the engine / 检查引擎"), self.show_engine,
                 False)):
            action = QAction(icon, text, self.iface.mainWindow())
            action.setObjectName(name)
            action.triggered.connect(slot)
            self.iface.addPluginToMenu(tr(MENU), action)
            if toolbar:
                self.iface.addToolBarIcon(action)
            self.actions.append(action)
        if not engine.candidates(engine_status.setting(engine_status.ENGINE_SETTING),
                                 engine_status.private_dir()):
            self.message(tr("The zlt-assets engine is not installed: menu Plugins > Zhalantun "
                            "assets > Install or update the engine / 尚未安装 zlt-assets 引擎:"
                            "菜单 插件 > 扎兰屯资产 > 安装或更新引擎"), compat.WARNING, 15)

    def unload(self) -> None:
        for action in self.actions:
            self.iface.removePluginMenu(tr(MENU), action)
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
    def message(self, text: str, level=None, duration: int = 8) -> None:
        level = compat.INFO if level is None else level
        QgsMessageLog.logMessage(text, LOG_TAG, level)
        bar = self.iface.messageBar()
        if bar is not None:
            bar.pushMessage(tr("Zhalantun assets / 扎兰屯资产"), text, level=level,
                            duration=duration)

    def open_inventory_dialog(self) -> None:
        """Choose a GeoPackage (starting at the sample copy) and load it styled."""
        start = sample_copy() or ""
        path, _ = QFileDialog.getOpenFileName(
            self.iface.mainWindow(), tr("Open Zhalantun inventory / 打开扎兰屯资产清单"), start,
            "GeoPackage (*.gpkg)")
        if path:
            self.load(path)

    def open_sample(self) -> None:
        path = sample_copy()
        if path:
            self.load(path)

    def open_postgis_dialog(self) -> None:
        """Ask for a ``postgresql://`` URL and load that inventory."""
        url, ok = QInputDialog.getText(
            self.iface.mainWindow(), tr("Open PostGIS inventory / 打开 PostGIS 资产清单"),
            tr("Database URL, e.g. postgresql://user@host:5432/zhalantun?schema=public / "
               "数据库地址"), QLineEdit.EchoMode.Normal, "postgresql://")
        if ok and url.strip() and url.strip() != "postgresql://":
            self.load(url.strip())

    def load(self, path: str):
        from .inventory_loader import load_inventory

        try:
            result = load_inventory(path)
        except Exception as exc:  # shown to the user, one line
            self.message(" ".join(str(exc).split()), compat.CRITICAL)
            return None
        if result.layers:
            canvas = self.iface.mapCanvas()
            if canvas is not None and not result.reused:
                extent = None
                for layer in result.layers:
                    if layer.source().split("layername=")[-1] == "urban_area" or (
                            layer.providerType() == "postgres"
                            and layer.dataProvider().uri().table() == "urban_area"):
                        extent = layer.extent()
                if extent is not None:
                    from qgis.PyQt.QtCore import QTimer

                    def zoom() -> None:  # after QGIS's own zoom to the first layer added
                        canvas.setExtent(extent.buffered(extent.width() * 0.05))
                        canvas.refresh()

                    QTimer.singleShot(300, zoom)
        name = result.root.name().split(": ", 1)[-1]
        if result.reused:
            text = tr("{0} is already open: {1} layers added to its group / {0} 已打开:"
                      "向其图层组补充了 {1} 个图层").format(name, len(result.layers))
        else:
            text = tr("Loaded {0} layers from {1} / 已加载 {0} 个图层:{1}").format(
                len(result.layers), name)
        self.message(text, compat.SUCCESS, 5)
        return result

    def install_engine_dialog(self) -> None:
        import processing

        processing.execAlgorithmDialog("zltassets:install_engine", {})

    def show_engine(self) -> None:
        try:
            eng = engine_status.current(refresh=True)
            text = eng.describe()
        except engine.EngineError as exc:
            text = str(exc)
        QMessageBox.information(self.iface.mainWindow(), tr("Check the engine / 检查引擎"), text)
