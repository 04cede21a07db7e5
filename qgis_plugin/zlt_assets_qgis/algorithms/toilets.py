"""Toilet gaps and proposals / 公厕缺口与新址建议: ``zlt-assets toilet-gaps``."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .. import compat
from ..i18n_util import tr
from .base import EngineAlgorithm
from .coverage import INPUTS, add_inputs, add_population, fmt, input_args, number, population_args

METHODS = ("euclidean", "network")
SITING = ("auto", "ilp", "greedy")


class ToiletGapsAlgorithm(EngineAlgorithm):
    NAME = "toilet_gaps"
    DISPLAY = "Toilet gaps and proposed sites / 公厕缺口与新址建议"
    COMMAND = "toilet-gaps"
    TOILETS = "TOILETS"
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
    OPTIONS = {"data": "INVENTORY", "facilities": "TOILETS", "toilets": "TOILETS",
               "area": "AREA", "districts": "DISTRICTS", "roads": "ROADS", "river": "RIVER",
               "population": "POPULATION", "no_population": "NO_POPULATION", "method": "METHOD",
               "radius": "RADIUS", "crowded_radius": "CROWDED_RADIUS", "land_use": "LAND_USE",
               "propose": "PROPOSE", "siting": "SITING", "candidate_spacing": "CANDIDATE_SPACING",
               "cell": "CELL", "include_planned": "INCLUDE_PLANNED", "json": "JSON"}
    NUMBERS = {"area_share": "Area share / 面积覆盖率",
               "population_share": "Population share / 人口覆盖率",
               "toilets_per_10k": "Toilets per 10,000 residents / 每万人公厕数",
               "toilets": "Toilets counted / 计入公厕数",
               "population_total": "Population total / 总人口",
               "population_covered": "Population covered / 覆盖人口",
               "proposals_n_proposed": "Sites proposed / 建议新址数",
               "proposals_share_after": "Population share with the proposals / 建议后人口覆盖率"}
    LAYERS = {"DISTRICTS_OUT": "toilet_districts", "UNCOVERED": "toilet_uncovered",
              "SPACING_OUT": "toilet_spacing", "PROPOSALS": "toilet_proposals"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.add_source(self.TOILETS, tr("Public toilets (points; empty: the inventory's) / "
                                         "公共厕所(点;留空用清单图层)"), compat.VECTOR_POINT)
        add_inputs(self, INPUTS)
        add_population(self)
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Distance / 距离"),
            options=[tr("Straight line / 直线距离"),
                     tr("Walking along the road network / 沿路网步行")], defaultValue=0))
        number(self, self.RADIUS, "Service radius (m) / 服务半径(米)", "TOILET_SERVICE_RADIUS",
               minimum=1)
        number(self, self.CROWDED_RADIUS, "Service radius in crowded districts (m) / "
               "人流密集街道服务半径(米)", "TOILET_SERVICE_RADIUS_CROWDED", minimum=1)
        self.addParameter(QgsProcessingParameterString(
            self.LAND_USE, tr("Land-use class for every district (R, ABS, G, MW, or "
                              "CODE=CLASS,...; empty: the districts' land_use field) / "
                              "统一用地类别(留空用街道的 land_use 字段)"), optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.PROPOSE, tr("Number of new sites to propose / 建议新址数量"),
            compat.NUMBER_INTEGER, defaultValue=0, minValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.SITING, tr("Siting method / 选址方法"),
            options=[tr("Automatic (exact when available) / 自动(可用时精确求解)"),
                     tr("Exact (integer programme) / 精确(整数规划)"), tr("Greedy / 贪心")],
            defaultValue=0))
        number(self, self.SPACING, "Candidate spacing along roads (m) / 候选点沿路间距(米)",
               "CANDIDATE_SPACING", minimum=1)
        number(self, self.CELL, "Area grid cell (m) / 面积采样格网(米)", "GRID_CELL", minimum=1)
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
        self.add_numbers()

    def arguments(self, parameters, context, feedback, work):
        self._json, self._keep = self.json_path(parameters, self.JSON, context, work)
        self._gpkg = os.path.join(work, "toilet_gaps.gpkg")
        args = self.inventory_args(parameters, context)
        toilets = self.source_arg(parameters, self.TOILETS, context, feedback)
        if toilets:
            args += ["--toilets", toilets]
        args += input_args(self, parameters, context, feedback, INPUTS)
        args += population_args(self, parameters, context)
        land_use = (self.parameterAsString(parameters, self.LAND_USE, context) or "").strip()
        if land_use:
            args += ["--land-use", land_use]
        args += [
            "--method", METHODS[self.parameterAsEnum(parameters, self.METHOD, context)],
            "--radius", fmt(self.parameterAsDouble(parameters, self.RADIUS, context)),
            "--crowded-radius", fmt(self.parameterAsDouble(parameters, self.CROWDED_RADIUS,
                                                           context)),
            "--propose", str(self.parameterAsInt(parameters, self.PROPOSE, context)),
            "--siting", SITING[self.parameterAsEnum(parameters, self.SITING, context)],
            "--candidate-spacing", fmt(self.parameterAsDouble(parameters, self.SPACING,
                                                              context)),
            "--cell", fmt(self.parameterAsDouble(parameters, self.CELL, context)),
            "--out", self._gpkg, "--json", self._json]
        if self.parameterAsBoolean(parameters, self.PLANNED, context):
            args.append("--include-planned")
        return args

    def results(self, parameters, context, feedback, work, run):
        summary = self.read_json(self._json)
        result = self.numbers(summary)
        for sink, layer in self.LAYERS.items():
            dest = self.copy_layer(parameters, sink, context, self._gpkg, layer, feedback)
            if dest is not None:
                result[sink] = dest
        if self._keep:
            result[self.JSON] = self._json
        return result
