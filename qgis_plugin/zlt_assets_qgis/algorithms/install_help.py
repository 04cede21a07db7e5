"""Shown instead of the algorithms when zlt_assets or its dependencies are missing."""
from __future__ import annotations

from qgis.core import QgsProcessingException

from .. import deps
from .base import ZltAlgorithm


class InstallHelpAlgorithm(ZltAlgorithm):
    NAME = "install_help"
    DISPLAY = "How to install the Python packages / 如何安装所需 Python 包"

    def shortHelpString(self) -> str:
        return "<pre>" + deps.install_instructions() + "</pre>"

    def initAlgorithm(self, config=None):
        pass

    def processAlgorithm(self, parameters, context, feedback):
        text = deps.install_instructions()
        feedback.reportError(text, fatalError=True)
        raise QgsProcessingException(text)
