"""Toilet gaps and proposals / 公厕缺口与新址建议: zlt_assets.analysis.toilets.toilet_gaps
(proposals by zlt_assets.analysis.siting)."""
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
    QgsProcessingParameterString,
)

from zlt_assets import standards
from zlt_assets.analysis import toilets as _core

from .. import compat
from ..i18n_util import tr
from ..qgis_io import check_cancel, gdf_to_sink, source_to_gdf
from .base import ZltAlgorithm, add_source, raster_path
from .coverage import core_progress

METHODS = ("euclidean", "network")
SITING = ("auto", "ilp", "greedy")


class ToiletGapsAlgorithm(ZltAlgorithm):
    NAME = "toilet_gaps"
    DISPLAY = "Toilet gaps and proposed sites / 公厕缺口与新址建议"
    TOILETS = "TOILETS"
    DISTRICTS = "DISTRICTS"
    CODE_FIELD = "DISTRICT_CODE_FIELD"
    NAME_FIELD = "DISTRICT_NAME_FIELD"
    AREA = "AREA"
    ROADS = "ROADS"
    RIVER = "RIVER"
    POPULATION = "POPULATION"
    METHOD = "METHOD"
    RADIUS = "RADIUS"
    CROWDED_RADIUS = "CROWDED_RADIUS"
    LAND_USE = "LAND_USE"
    PROPOSE = "PROPOSE"
    SITING = "SITING"
    SPACING = "CANDIDATE_SPACING"
    CELL = "CELL"
    PLANNED = "INCLUDE_PLANNED"
    DISTRICTS_OUT = "DISTRICTS_OUT"
    UNCOVERED = "UNCOVERED"
    PROPOSALS = "PROPOSALS"
    SPACING_OUT = "SPACING_OUT"
    JSON = "JSON"

    def initAlgorithm(self, config=None):
        add_source(self, self.TOILETS, "Public toilets (points) / 公共厕所(点)",
                   compat.VECTOR_POINT, optional=False)
        add_source(self, self.DISTRICTS, "Street offices (polygons, with land_use and crowded) / "
                   "街道办事处(面,含用地类别与人流密集字段)", compat.VECTOR_POLYGON,
                   optional=False)
        self.addParameter(QgsProcessingParameterField(
            self.CODE_FIELD, tr("Street office code field / 街道代码字段"), "code",
            self.DISTRICTS, optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.NAME_FIELD, tr("Street office name field / 街道名称字段"), "name",
            self.DISTRICTS, optional=True))
        add_source(self, self.AREA, "Urban area (polygons; empty: union of the street offices) / "
                   "城区范围(面;留空为街道办事处合并范围)", compat.VECTOR_POLYGON)
        add_source(self, self.ROADS, "Roads (lines; spacing, candidate sites, network) / "
                   "道路(线;间距、候选点、路网)", compat.VECTOR_LINE)
        add_source(self, self.RIVER, "River (lines; roads cross it only on bridges) / "
                   "河流(线;仅桥梁可跨越)", compat.VECTOR_LINE)
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.POPULATION, tr("Population grid (persons per cell) / 人口栅格(每格人数)"),
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Distance / 距离"),
            options=[tr("Straight line / 直线距离"),
                     tr("Walking along the road network / 沿路网步行")], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.RADIUS, tr("Service radius (m) / 服务半径(米)"),
            compat.NUMBER_DOUBLE,
            defaultValue=float(standards.TOILET_SERVICE_RADIUS.value), minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.CROWDED_RADIUS, tr("Service radius in crowded districts (m) / 人流密集街道服务半径(米)"),
            compat.NUMBER_DOUBLE,
            defaultValue=float(standards.TOILET_SERVICE_RADIUS_CROWDED.value), minValue=1))
        self.addParameter(QgsProcessingParameterString(
            self.LAND_USE, tr("Land-use class for every district (R, ABS, G, MW; empty: the "
                              "districts' land_use field) / 统一用地类别(留空用街道的 land_use 字段)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.PROPOSE, tr("Number of new sites to propose / 建议新址数量"),
            compat.NUMBER_INTEGER, defaultValue=0, minValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.SITING, tr("Siting method / 选址方法"),
            options=[tr("Automatic (exact when available) / 自动(可用时精确求解)"),
                     tr("Exact (integer programme) / 精确(整数规划)"), tr("Greedy / 贪心")],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.SPACING, tr("Candidate spacing along roads (m) / 候选点沿路间距(米)"),
            compat.NUMBER_DOUBLE,
            defaultValue=float(_core.CANDIDATE_SPACING.value), minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.CELL, tr("Area grid cell (m) / 面积采样格网(米)"),
            compat.NUMBER_DOUBLE, defaultValue=float(standards.GRID_CELL.value),
            minValue=1))
        self.addParameter(QgsProcessingParameterBoolean(
            self.PLANNED, tr("Count planned and under-construction toilets / 计入规划与在建公厕"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.DISTRICTS_OUT, tr("Toilet indicators by street office / 各街道公厕指标"),
            compat.VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.UNCOVERED, tr("Areas beyond the service radius / 服务半径外区域"),
            compat.VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.PROPOSALS, tr("Proposed sites / 建议新址"), compat.VECTOR_POINT,
            optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.SPACING_OUT, tr("Spacing along streets / 沿街间距"),
            compat.VECTOR_LINE, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Summary (JSON) / 汇总 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        for key, label in (("AREA_SHARE", "Area share / 面积覆盖率"),
                           ("POPULATION_SHARE", "Population share / 人口覆盖率"),
                           ("TOILETS_PER_10K", "Toilets per 10,000 residents / 每万人公厕数"),
                           ("TOILET_COUNT", "Toilets counted / 计入公厕数"),
                           ("DISTRICTS_BELOW_DENSITY", "Districts below the density range / "
                                                      "密度不足的街道数"),
                           ("PROPOSED", "Sites proposed / 建议新址数"),
                           ("SHARE_AFTER", "Population share with the proposals / 建议后人口覆盖率")):
            self.addOutput(QgsProcessingOutputNumber(key, tr(label)))

    def processAlgorithm(self, parameters, context, feedback):
        import geopandas as gpd
        from qgis.core import QgsProcessingException

        from zlt_assets.commands._common import write_json
        from zlt_assets.errors import ZltError
        from zlt_assets.schema import PROJECT_CRS

        method = METHODS[self.parameterAsEnum(parameters, self.METHOD, context)]
        propose = self.parameterAsInt(parameters, self.PROPOSE, context)
        toilets = source_to_gdf(self, parameters, self.TOILETS, context, feedback)
        districts = source_to_gdf(self, parameters, self.DISTRICTS, context, feedback)
        area = source_to_gdf(self, parameters, self.AREA, context, feedback)
        roads = source_to_gdf(self, parameters, self.ROADS, context, feedback)
        river = source_to_gdf(self, parameters, self.RIVER, context, feedback)
        population = raster_path(self, parameters, self.POPULATION, context)
        if roads is None and (propose > 0 or method == "network"):
            raise QgsProcessingException(tr(
                "Proposals and the network method need a road layer / 新址建议与路网距离需要道路图层"))
        land_use = (self.parameterAsString(parameters, self.LAND_USE, context) or "").strip()
        check_cancel(feedback)
        try:
            res = _core.toilet_gaps(
                toilets, districts, roads=roads, population=population, area=area,
                radius=self.parameterAsDouble(parameters, self.RADIUS, context),
                crowded_radius=self.parameterAsDouble(parameters, self.CROWDED_RADIUS, context),
                land_use=land_use or None, propose=propose,
                candidate_spacing=self.parameterAsDouble(parameters, self.SPACING, context),
                siting_method=SITING[self.parameterAsEnum(parameters, self.SITING, context)],
                method=method, river=river if method == "network" else None,
                include_planned=self.parameterAsBoolean(parameters, self.PLANNED, context),
                cell=self.parameterAsDouble(parameters, self.CELL, context),
                district_code_field=(self.parameterAsString(parameters, self.CODE_FIELD, context)
                                     or "code"),
                district_name_field=(self.parameterAsString(parameters, self.NAME_FIELD, context)
                                     or "name"),
                progress=core_progress(feedback, steps=6))
        except ZltError as exc:
            raise self.core_error(exc) from None
        check_cancel(feedback)
        feedback.setProgress(90)
        s = res.summary
        d = res.districts[["code", res.districts.geometry.name]].copy()
        d["code"] = d["code"].astype(str)
        dist = gpd.GeoDataFrame(d.merge(res.by_district, on="code", how="left"),
                                geometry=res.districts.geometry.name, crs=PROJECT_CRS)
        proposals = s.get("proposals") or {}
        result = {
            "AREA_SHARE": s["area_share"], "POPULATION_SHARE": s["population_share"],
            "TOILETS_PER_10K": s["toilets_per_10k"], "TOILET_COUNT": s["toilets"],
            "DISTRICTS_BELOW_DENSITY": len(s["districts_below_density"]),
            "PROPOSED": proposals.get("n_proposed", 0),
            "SHARE_AFTER": proposals.get("share_after"),
        }
        result[self.DISTRICTS_OUT] = gdf_to_sink(self, parameters, self.DISTRICTS_OUT, context,
                                                 dist, feedback, geometry="MultiPolygon")
        result[self.UNCOVERED] = gdf_to_sink(self, parameters, self.UNCOVERED, context,
                                             res.uncovered, feedback, geometry="Polygon")
        if parameters.get(self.PROPOSALS) and res.proposals is not None:
            result[self.PROPOSALS] = gdf_to_sink(self, parameters, self.PROPOSALS, context,
                                                 res.proposals.sites, feedback, geometry="Point")
        if (parameters.get(self.SPACING_OUT) and len(res.spacing)
                and "geometry" in res.spacing.columns):
            spacing = gpd.GeoDataFrame(res.spacing, geometry="geometry", crs=PROJECT_CRS)
            result[self.SPACING_OUT] = gdf_to_sink(self, parameters, self.SPACING_OUT, context,
                                                   spacing, feedback, geometry="LineString")
        json_path = self.parameterAsFileOutput(parameters, self.JSON, context)
        if json_path:
            write_json(json_path, s)
            result[self.JSON] = json_path
        feedback.setProgress(100)
        return result
