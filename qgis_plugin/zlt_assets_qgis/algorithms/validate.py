"""Validate inventory / 检查资产清单: zlt_assets.validate.validate_inventory."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
)

from .. import compat
from ..i18n_util import tr
from ..qgis_io import check_cancel, gdf_to_sink
from .base import ZltAlgorithm


class ValidateInventoryAlgorithm(ZltAlgorithm):
    NAME = "validate_inventory"
    DISPLAY = "Validate inventory / 检查资产清单"
    OUTPUT = "OUTPUT"
    JSON = "JSON"

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Problems / 问题清单"), compat.VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Report (JSON) / 报告 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", tr("Errors / 错误数")))
        self.addOutput(QgsProcessingOutputNumber("WARNINGS", tr("Warnings / 警告数")))

    def processAlgorithm(self, parameters, context, feedback):
        import pandas as pd

        from zlt_assets.commands._common import write_json
        from zlt_assets.errors import ZltError
        from zlt_assets.validate import validate_inventory

        path = self.inventory_path(parameters, context)
        feedback.pushInfo(tr("Validating {0} / 正在检查 {0}").format(path))
        feedback.setProgress(5)
        try:
            report = validate_inventory(path)
        except ZltError as exc:
            raise self.core_error(exc) from None
        check_cancel(feedback)
        feedback.setProgress(80)
        rows = [{"severity": p.severity, "layer": p.layer, "obj_id": p.obj_id, "field": p.field,
                 "check": p.check, "message": p.message} for p in report.problems]
        frame = pd.DataFrame(rows, columns=["severity", "layer", "obj_id", "field", "check",
                                            "message"]).astype(object)
        for p in report.problems[:50]:
            feedback.pushInfo(p.line())
        json_path = self.parameterAsFileOutput(parameters, self.JSON, context)
        if json_path:
            write_json(json_path, report.to_dict())
        dest = gdf_to_sink(self, parameters, self.OUTPUT, context, frame, feedback)
        summary = tr("{0} errors, {1} warnings / 错误 {0} 个,警告 {1} 个").format(
            len(report.errors), len(report.warnings))
        feedback.pushInfo(summary)
        feedback.setProgress(100)
        result = {self.OUTPUT: dest, "ERRORS": len(report.errors),
                  "WARNINGS": len(report.warnings)}
        if json_path:
            result[self.JSON] = json_path
        return result
