"""Validate inventory / 检查资产清单: ``zlt-assets validate``."""
from __future__ import annotations

from qgis.core import QgsProcessingParameterFeatureSink, QgsProcessingParameterFileDestination

from .. import compat
from ..i18n_util import tr
from .base import EngineAlgorithm

PROBLEM_COLUMNS = [("severity", "string"), ("layer", "string"), ("obj_id", "string"),
                   ("field", "string"), ("check", "string"), ("message", "string")]


class ValidateInventoryAlgorithm(EngineAlgorithm):
    NAME = "validate_inventory"
    DISPLAY = "Validate inventory / 检查资产清单"
    COMMAND = "validate"
    ACCEPT = (0, 1)  # 1: problems found (listed in the output)
    OUTPUT = "OUTPUT"
    JSON = "JSON"
    OPTIONS = {"data": "INVENTORY", "json": "JSON"}
    NUMBERS = {"errors": "Errors / 错误数", "warnings": "Warnings / 警告数"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Problems / 问题清单"), compat.VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Report (JSON) / 报告 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.add_numbers()

    def arguments(self, parameters, context, feedback, work):
        self._json, self._keep = self.json_path(parameters, self.JSON, context, work)
        return [*self.inventory_args(parameters, context), "--json", self._json]

    def results(self, parameters, context, feedback, work, run):
        report = self.read_json(self._json)
        result = self.numbers(report)
        result[self.OUTPUT] = self.table_sink(parameters, self.OUTPUT, context,
                                              report.get("problems") or [], PROBLEM_COLUMNS)
        if self._keep:
            result[self.JSON] = self._json
        feedback.pushInfo(tr("{0} errors, {1} warnings / 错误 {0} 个,警告 {1} 个").format(
            report.get("errors"), report.get("warnings")))
        return result
