"""Install the engine / 安装引擎: a private environment with the bundled engine wheel."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from .. import engine_status, install
from ..i18n_util import tr
from .base import PLUGIN_DIR, EngineAlgorithm


class InstallEngineAlgorithm(EngineAlgorithm):
    NAME = "install_engine"
    DISPLAY = "Install or update the engine / 安装或更新引擎"
    PYTHON = "PYTHON"
    INDEX_URL = "INDEX_URL"
    WHEELS = "WHEELS"
    WHEEL = "WHEEL"

    def group(self) -> str:
        return tr("Engine / 引擎")

    def groupId(self) -> str:
        return "engine"

    def canExecute(self):
        return True, ""

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterString(
            self.INDEX_URL, tr("Package index (empty: the provider setting, else PyPI; a mirror "
                               "such as https://mirrors.aliyun.com/pypi/simple) / 软件包索引"
                               "(留空用处理选项中的设置,否则 PyPI;可填镜像)"), optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.WHEELS, tr("Or a folder of wheels (offline; every dependency) / 或离线安装包文件夹"
                            "(含全部依赖)"),
            behavior=QgsProcessingParameterFile.Behavior.Folder, optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.PYTHON, tr("Python 3.10+ to make the environment (empty: find one) / 用于创建环境"
                            "的 Python 3.10+(留空自动查找)"), optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.WHEEL, tr("Engine wheel (empty: the one bundled with the plugin) / 引擎安装包"
                           "(留空用插件自带的)"), fileFilter="Wheel (*.whl)", optional=True))
        self.addOutput(QgsProcessingOutputString("ENGINE", tr("Engine / 引擎")))
        self.addOutput(QgsProcessingOutputString("VERSION", tr("Engine version / 引擎版本")))
        self.addOutput(QgsProcessingOutputString("LOG", tr("Install log / 安装日志")))

    def processAlgorithm(self, parameters, context, feedback):
        wheel = self.parameterAsFile(parameters, self.WHEEL, context) \
            or install.bundled_wheel(PLUGIN_DIR)
        if not wheel:
            raise QgsProcessingException(tr(
                "No engine wheel in the plugin: install the plugin from its zip / 插件中没有引擎"
                "安装包:请用插件压缩包安装插件"))
        index = (self.parameterAsString(parameters, self.INDEX_URL, context) or "").strip() \
            or engine_status.setting(engine_status.INDEX_SETTING)
        wheels = self.parameterAsFile(parameters, self.WHEELS, context) or None
        python = self.parameterAsFile(parameters, self.PYTHON, context) \
            or engine_status.setting(engine_status.PYTHON_SETTING) or None
        target = engine_status.private_dir()
        feedback.pushInfo(tr("Installing {0} into {1} / 正在把 {0} 安装到 {1}")
                          .format(wheel, target))

        def progress(pct: float, step: str) -> None:
            feedback.setProgress(pct)
            feedback.setProgressText(step)

        try:
            eng = install.install(target, wheel, python=python, index_url=index or None,
                                  wheels_dir=wheels, progress=progress,
                                  log=feedback.pushConsoleInfo, is_canceled=feedback.isCanceled)
        except install.InstallError as exc:
            raise QgsProcessingException(str(exc)) from None
        finally:
            engine_status.forget()
        feedback.pushInfo(eng.describe())
        return {"ENGINE": " ".join(eng.command), "VERSION": eng.version,
                "LOG": f"{target}/{install.LOG_FILE}"}
