"""Plan scorecard / 方案目标记分卡: ``zlt-assets scorecard``."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..i18n_util import tr
from .base import EngineAlgorithm
from .coverage import fmt

METHODS = ("euclidean", "network")
TARGET_COLUMNS = [("id", "string"), ("section", "string"), ("name_zh", "string"),
                  ("name_en", "string"), ("value", "double"), ("target", "double"),
                  ("unit", "string"), ("comparator", "string"), ("status", "string"),
                  ("status_zh", "string"), ("status_en", "string"), ("departments", "string"),
                  ("method_zh", "string"), ("due", "string")]


class PlanScorecardAlgorithm(EngineAlgorithm):
    NAME = "plan_scorecard"
    DISPLAY = "Plan scorecard / 方案目标记分卡"
    COMMAND = "scorecard"
    AS_OF = "AS_OF"
    METHOD = "COVERAGE_METHOD"
    CELL = "CELL"
    HTML = "OUTPUT_HTML"
    XLSX = "OUTPUT_XLSX"
    JSON = "OUTPUT_JSON"
    OUTPUT = "OUTPUT"
    OPTIONS = {"data": "INVENTORY", "as_of": "AS_OF", "coverage_method": "COVERAGE_METHOD",
               "cell": "CELL", "out": "OUTPUT_HTML", "json": "OUTPUT_JSON"}
    NUMBERS = {"counts_met": "Targets met / 达标目标数",
               "counts_not_met": "Targets not met / 未达标目标数",
               "counts_not_measurable": "Not measurable / 无法计算目标数"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterString(
            self.AS_OF, tr("As of date (YYYY-MM-DD; empty: latest update in the data) / "
                           "评估日期(YYYY-MM-DD;留空为数据中最新更新日期)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Bus-stop coverage distance / 公交覆盖距离"),
            options=[tr("Straight line (official) / 直线距离(官方口径)"),
                     tr("Road network / 路网距离")], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL, tr("Coverage grid cell (m; 0: the default) / 覆盖分析格网(米;0 为默认)"),
            compat.NUMBER_DOUBLE, defaultValue=0, minValue=0, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.HTML, tr("Scorecard (HTML) / 记分卡 (HTML)"), "HTML (*.html)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.XLSX, tr("Scorecard (Excel) / 记分卡 (Excel)"), "Excel (*.xlsx)",
            optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Scorecard (JSON) / 记分卡 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Targets / 目标"), compat.VECTOR_ANY))
        self.add_numbers()

    def arguments(self, parameters, context, feedback, work):
        self._json, self._keep = self.json_path(parameters, self.JSON, context, work)
        self._html = self.parameterAsFileOutput(parameters, self.HTML, context)
        args = self.inventory_args(parameters, context)
        as_of = (self.parameterAsString(parameters, self.AS_OF, context) or "").strip()
        if as_of:
            args += ["--as-of", as_of]
        args += ["--coverage-method",
                 METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]]
        cell = self.parameterAsDouble(parameters, self.CELL, context)
        if cell:
            args += ["--cell", fmt(cell)]
        args += ["--out", self._html]
        self._xlsx = self.parameterAsFileOutput(parameters, self.XLSX, context) \
            if parameters.get(self.XLSX) else ""
        if self._xlsx:
            args += ["--out", self._xlsx]
        return [*args, "--json", self._json]

    def results(self, parameters, context, feedback, work, run):
        card = self.read_json(self._json)
        result = self.numbers(card)
        rows = []
        for t in card.get("targets") or []:
            row = dict(t)
            row["departments"] = ",".join(
                str(d.get("code", d)) if isinstance(d, dict) else str(d)
                for d in t.get("departments") or [])
            rows.append(row)
        result[self.OUTPUT] = self.table_sink(parameters, self.OUTPUT, context, rows,
                                              TARGET_COLUMNS)
        result[self.HTML] = self._html
        if self._xlsx:
            result[self.XLSX] = self._xlsx
        if self._keep:
            result[self.JSON] = self._json
        c = card.get("counts") or {}
        feedback.pushInfo(tr("as of {0}: met {1}, not met {2}, not measurable {3} / "
                             "评估日 {0}:达标 {1},未达标 {2},无法计算 {3}").format(
            card.get("as_of"), c.get("met"), c.get("not_met"), c.get("not_measurable")))
        return result
