"""Facility coverage / 设施覆盖率: zlt_assets.analysis.coverage.compute_coverage."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterField,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from zlt_assets import standards
from zlt_assets.analysis import coverage as _core

from .. import compat
from ..i18n_util import tr
from ..qgis_io import check_cancel, gdf_to_sink, source_to_gdf
from .base import ZltAlgorithm, add_source, raster_path

METHODS = _core.METHODS  # ("euclidean", "network")


def core_progress(feedback, steps: int = 8, start: float = 5.0, end: float = 85.0):
    """A ``progress(message)`` callback for the core: logs, advances, stops when cancelled."""
    state = {"n": 0}

    def say(message: str) -> None:
        check_cancel(feedback)
        state["n"] += 1
        feedback.pushInfo(str(message))
        feedback.setProgress(min(end, start + (end - start) * state["n"] / steps))
        check_cancel(feedback)

    return say


class FacilityCoverageAlgorithm(ZltAlgorithm):
    NAME = "facility_coverage"
    DISPLAY = "Facility coverage / 设施覆盖率"
    FACILITIES = "FACILITIES"
    AREA = "AREA"
    DISTRICTS = "DISTRICTS"
    CODE_FIELD = "DISTRICT_CODE_FIELD"
    NAME_FIELD = "DISTRICT_NAME_FIELD"
    ROADS = "ROADS"
    RIVER = "RIVER"
    POPULATION = "POPULATION"
    METHOD = "METHOD"
    RADIUS = "RADIUS"
    CELL = "CELL"
    PLANNED = "INCLUDE_PLANNED"
    MAX_SNAP = "MAX_SNAP"
    UNCOVERED = "UNCOVERED"
    CELLS = "CELLS"
    FACILITIES_OUT = "FACILITIES_OUT"
    DISTRICTS_OUT = "DISTRICTS_OUT"
    JSON = "JSON"

    def initAlgorithm(self, config=None):
        add_source(self, self.FACILITIES, "Facilities (points) / 设施点",
                   compat.VECTOR_POINT, optional=False)
        add_source(self, self.AREA, "Urban area (polygons; empty: union of the street offices) / "
                   "城区范围(面;留空为街道办事处合并范围)", compat.VECTOR_POLYGON)
        add_source(self, self.DISTRICTS, "Street offices (polygons) / 街道办事处(面)",
                   compat.VECTOR_POLYGON)
        self.addParameter(QgsProcessingParameterField(
            self.CODE_FIELD, tr("Street office code field / 街道代码字段"), "code",
            self.DISTRICTS, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, tr("Street office name field / 街道名称字段"), "name",
            self.DISTRICTS, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Distance / 距离"),
            options=[tr("Straight line (official) / 直线距离(官方口径)"),
                     tr("Walking along the road network / 沿路网步行")], defaultValue=0))
        add_source(self, self.ROADS, "Roads (lines; needed for the network) / 道路(线;路网距离时必填)",
                   compat.VECTOR_LINE)
        add_source(self, self.RIVER, "River (lines; roads cross it only on bridges) / "
                   "河流(线;仅桥梁可跨越)", compat.VECTOR_LINE)
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.POPULATION, tr("Population grid (persons per cell; empty: area only) / "
                                "人口栅格(每格人数;留空只算面积)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, tr("Radius (m) / 服务半径(米)"), compat.NUMBER_DOUBLE,
            defaultValue=float(standards.BUS_STOP_RADIUS.value), minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL, tr("Area grid cell (m) / 面积采样格网(米)"),
            compat.NUMBER_DOUBLE, defaultValue=float(standards.GRID_CELL.value),
            minValue=1))
        self.addParameter(QgsProcessingParameterBoolean(
            self.PLANNED, tr("Count planned and under-construction facilities / 计入规划与在建设施"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterNumber(
            self.MAX_SNAP, tr("Max distance from a facility to the road network (m; 0 = default) / "
                              "设施接入路网最大距离(米;0 为默认)"),
            compat.NUMBER_DOUBLE, defaultValue=0, minValue=0, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.UNCOVERED, tr("Uncovered areas / 未覆盖区域"), compat.VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.FACILITIES_OUT, tr("Facilities used / 参与计算的设施"),
            compat.VECTOR_POINT, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.DISTRICTS_OUT, tr("Coverage by street office / 各街道覆盖率"),
            compat.VECTOR_POLYGON, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.CELLS, tr("Grid cells with distances / 格网点及距离"),
            compat.VECTOR_POINT, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Summary (JSON) / 汇总 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        for key, label in (("AREA_SHARE", "Area share / 面积覆盖率"),
                           ("POPULATION_SHARE", "Population share / 人口覆盖率"),
                           ("AREA_TOTAL_M2", "Area total (m²) / 总面积(平方米)"),
                           ("AREA_COVERED_M2", "Area covered (m²) / 覆盖面积(平方米)"),
                           ("POPULATION_TOTAL", "Population total / 总人口"),
                           ("POPULATION_COVERED", "Population covered / 覆盖人口"),
                           ("FACILITY_COUNT", "Facilities counted / 计入设施数")):
            self.addOutput(QgsProcessingOutputNumber(key, tr(label)))

    def processAlgorithm(self, parameters, context, feedback):
        from qgis.core import QgsProcessingException

        from zlt_assets.commands._common import write_json
        from zlt_assets.errors import ZltError

        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        feedback.setProgress(1)
        facilities = source_to_gdf(self, parameters, self.FACILITIES, context, feedback)
        area = source_to_gdf(self, parameters, self.AREA, context, feedback)
        districts = source_to_gdf(self, parameters, self.DISTRICTS, context, feedback)
        roads = source_to_gdf(self, parameters, self.ROADS, context, feedback)
        river = source_to_gdf(self, parameters, self.RIVER, context, feedback)
        population = raster_path(self, parameters, self.POPULATION, context)
        if area is None and districts is None:
            raise QgsProcessingException(tr(
                "Give the urban area or the street offices / 请给出城区范围或街道办事处"))
        if method == "network" and roads is None:
            raise QgsProcessingException(tr(
                "The network method needs a road layer / 路网距离需要道路图层"))
        check_cancel(feedback)
        code_field = self.parameterAsString(parameters, self.CODE_FIELD, context) or "code"
        name_field = self.parameterAsString(parameters, self.NAME_FIELD, context) or "name"
        max_snap = self.parameterAsDouble(parameters, self.MAX_SNAP, context) or None
        try:
            res = _core.compute_coverage(
                facilities, area,
                radius=self.parameterAsDouble(parameters, self.RADIUS, context),
                method=method, roads=roads if method == "network" else None,
                river=river if method == "network" else None, population=population,
                districts=districts,
                cell=self.parameterAsDouble(parameters, self.CELL, context),
                district_code_field=code_field, district_name_field=name_field,
                include_planned=self.parameterAsBoolean(parameters, self.PLANNED, context),
                max_snap=max_snap, progress=core_progress(feedback))
        except ZltError as exc:
            raise self.core_error(exc) from None
        check_cancel(feedback)
        feedback.setProgress(90)
        s = res.summary
        if res.network_report is not None and not res.network_report.connected:
            feedback.pushWarning(tr("The road network is not connected / 道路网络不连通"))
        if s.get("unreachable_facilities"):
            feedback.pushWarning(tr("{0} facilities are off the road network / {0} 个设施无法接入路网")
                                 .format(len(s["unreachable_facilities"])))
        # everything computed: now write the outputs
        result = {
            "AREA_SHARE": s["area_share"], "POPULATION_SHARE": s["population_share"],
            "AREA_TOTAL_M2": s["area_total_m2"], "AREA_COVERED_M2": s["area_covered_m2"],
            "POPULATION_TOTAL": s["population_total"],
            "POPULATION_COVERED": s["population_covered"], "FACILITY_COUNT": s["facilities"],
        }
        result[self.UNCOVERED] = gdf_to_sink(self, parameters, self.UNCOVERED, context,
                                             res.uncovered, feedback, geometry="Polygon")
        if parameters.get(self.FACILITIES_OUT):
            result[self.FACILITIES_OUT] = gdf_to_sink(
                self, parameters, self.FACILITIES_OUT, context, res.facilities, feedback,
                geometry="Point")
        dist = res.district_frame()
        if parameters.get(self.DISTRICTS_OUT) and dist is not None:
            result[self.DISTRICTS_OUT] = gdf_to_sink(
                self, parameters, self.DISTRICTS_OUT, context, dist, feedback,
                geometry="MultiPolygon")
        if parameters.get(self.CELLS):
            result[self.CELLS] = gdf_to_sink(self, parameters, self.CELLS, context, res.cells,
                                             feedback, geometry="Point")
        json_path = self.parameterAsFileOutput(parameters, self.JSON, context)
        if json_path:
            write_json(json_path, s)
            result[self.JSON] = json_path
        share = s["area_share"]
        feedback.pushInfo(tr("Area share {0} / 面积覆盖率 {0}").format(
            "—" if share is None else f"{100 * share:.1f}%"))
        feedback.setProgress(100)
        return result
