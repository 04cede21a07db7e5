"""Plan scorecard / 方案目标记分卡: zlt_assets.analysis.scorecard + zlt_assets.reports."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from zlt_assets.analysis import scorecard as _core  # noqa: F401 - the algorithm needs its core

from .. import compat
from ..i18n_util import tr
from ..qgis_io import check_cancel, gdf_to_sink
from .base import ZltAlgorithm

METHODS = ("euclidean", "network")


class PlanScorecardAlgorithm(ZltAlgorithm):
    NAME = "plan_scorecard"
    DISPLAY = "Plan scorecard / 方案目标记分卡"
    AS_OF = "AS_OF"
    METHOD = "COVERAGE_METHOD"
    CELL = "CELL"
    HTML = "OUTPUT_HTML"
    JSON = "OUTPUT_JSON"
    OUTPUT = "OUTPUT"
    DISTRICTS = "DISTRICTS"

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterString(
            self.AS_OF, tr("As of date (YYYY-MM-DD; empty: latest update in the data) / "
                           "评估日期(YYYY-MM-DD;留空为数据中最新更新日期)"),
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Bus-stop coverage distance / 公交覆盖距离"),
            options=[tr("Straight line (official) / 直线距离(官方口径)"),
                     tr("Road network / 路网距离")], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL, tr("Coverage grid cell (m; 0 = default 25) / 覆盖分析格网(米;0 为默认 25)"),
            compat.NUMBER_DOUBLE, defaultValue=0, minValue=0, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.HTML, tr("Scorecard (HTML) / 记分卡 (HTML)"), "HTML (*.html)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Scorecard (JSON) / 记分卡 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Targets / 目标"), compat.VECTOR_ANY))
        self.addOutput(QgsProcessingOutputNumber("MET", tr("Targets met / 达标目标数")))
        self.addOutput(QgsProcessingOutputNumber("NOT_MET", tr("Targets not met / 未达标目标数")))
        self.addOutput(QgsProcessingOutputNumber(
            "NOT_MEASURABLE", tr("Not measurable / 无法计算目标数")))

    def processAlgorithm(self, parameters, context, feedback):
        import pandas as pd

        from zlt_assets.analysis.scorecard import compute_scorecard, parse_as_of
        from zlt_assets.errors import ZltError
        from zlt_assets.reports import render_scorecard, write_bytes_atomic

        path = self.inventory_path(parameters, context)
        as_of_text = (self.parameterAsString(parameters, self.AS_OF, context) or "").strip()
        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        cell = self.parameterAsDouble(parameters, self.CELL, context) or None
        html_path = self.parameterAsFileOutput(parameters, self.HTML, context)
        json_path = self.parameterAsFileOutput(parameters, self.JSON, context)
        feedback.pushInfo(tr("Computing the scorecard of {0} / 正在计算记分卡:{0}").format(path))
        try:
            as_of = parse_as_of(as_of_text or None)
            feedback.setProgress(5)
            card = compute_scorecard(path, as_of, coverage_method=method, cell=cell)
            check_cancel(feedback)
            feedback.setProgress(60)
            html = render_scorecard(card, "html")
            check_cancel(feedback)
            data_json = render_scorecard(card, "json") if json_path else None
        except ZltError as exc:
            raise self.core_error(exc) from None
        feedback.setProgress(85)
        rows = []
        for t in card.targets:
            d = t.to_dict()
            rows.append({
                "id": t.id, "section": t.section, "name_zh": t.name_zh, "name_en": t.name_en,
                "value": t.value, "target": t.target, "unit": t.unit,
                "comparator": t.comparator, "status": t.status, "status_zh": d["status_zh"],
                "status_en": d["status_en"], "departments": ",".join(str(x.get("code", x)) if isinstance(x, dict) else str(x)
                                        for x in t.departments),
                "method_zh": t.method_zh, "due": t.due,
            })
        frame = pd.DataFrame(rows)
        frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
        frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
        check_cancel(feedback)
        write_bytes_atomic(html_path, html)
        if json_path and data_json is not None:
            write_bytes_atomic(json_path, data_json)
        dest = gdf_to_sink(self, parameters, self.OUTPUT, context, frame, feedback)
        counts = card.counts()
        feedback.pushInfo(tr("as of {0}: met {1}, not met {2}, not measurable {3} / "
                             "评估日 {0}:达标 {1},未达标 {2},无法计算 {3}").format(
            card.as_of, counts["met"], counts["not_met"], counts["not_measurable"]))
        feedback.setProgress(100)
        result = {self.OUTPUT: dest, self.HTML: html_path, "MET": counts["met"],
                  "NOT_MET": counts["not_met"], "NOT_MEASURABLE": counts["not_measurable"]}
        if json_path:
            result[self.JSON] = json_path
        return result
