"""Facility coverage / 设施覆盖率: ``zlt-assets coverage``."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from .. import compat, schema_info
from ..i18n_util import tr
from .base import EngineAlgorithm

METHODS = ("euclidean", "network")

#: input parameter -> (CLI option, label)
INPUTS = {
    "AREA": ("--area", "Urban area (polygons; empty: the inventory's) / "
             "城区范围(面;留空用清单图层)", "polygon"),
    "DISTRICTS": ("--districts", "Street offices (polygons; empty: the inventory's) / "
                  "街道办事处(面;留空用清单图层)", "polygon"),
    "ROADS": ("--roads", "Roads (lines; for the network; empty: the inventory's) / "
              "道路(线;路网距离用;留空用清单图层)", "line"),
    "RIVER": ("--river", "River (lines; roads cross it only on bridges) / 河流(线;仅桥梁可跨越)",
              "line"),
}
GEOMETRY = {"point": compat.VECTOR_POINT, "line": compat.VECTOR_LINE,
            "polygon": compat.VECTOR_POLYGON}


def add_inputs(alg: EngineAlgorithm, inputs: dict) -> None:
    """The optional vector inputs shared by coverage and toilet gaps."""
    for name, (_opt, label, geom) in inputs.items():
        alg.add_source(name, tr(label), GEOMETRY[geom])


def input_args(alg: EngineAlgorithm, parameters, context, feedback, inputs: dict) -> list[str]:
    args: list[str] = []
    for name, (opt, _label, _geom) in inputs.items():
        value = alg.source_arg(parameters, name, context, feedback)
        if value:
            args += [opt, value]
    return args


def add_population(alg: EngineAlgorithm) -> None:
    alg.addParameter(QgsProcessingParameterRasterLayer(
        "POPULATION", tr("Population grid (persons per cell; empty: the grid beside the "
                         "inventory) / 人口栅格(每格人数;留空用清单旁的栅格)"), optional=True))
    alg.addParameter(QgsProcessingParameterBoolean(
        "NO_POPULATION", tr("Area only (no population) / 只算面积(不算人口)"), defaultValue=False))


def population_args(alg: EngineAlgorithm, parameters, context) -> list[str]:
    if alg.parameterAsBoolean(parameters, "NO_POPULATION", context):
        return ["--no-population"]
    pop = alg.raster_arg(parameters, "POPULATION", context)
    return ["--population", pop] if pop else []


def number(alg: EngineAlgorithm, name: str, label: str, standard: str, *, integer=False,
           minimum: float = 0) -> None:
    """A number parameter whose default is a declared standard (its source in the label)."""
    value = schema_info.standard(standard)
    alg.addParameter(QgsProcessingParameterNumber(
        name, f"{tr(label)} [{schema_info.standard_source(standard)}]",
        compat.NUMBER_INTEGER if integer else compat.NUMBER_DOUBLE,
        defaultValue=value, minValue=minimum))


def fmt(value: float) -> str:
    return f"{value:g}"


class FacilityCoverageAlgorithm(EngineAlgorithm):
    NAME = "facility_coverage"
    DISPLAY = "Facility coverage / 设施覆盖率"
    COMMAND = "coverage"
    FACILITIES = "FACILITIES"
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
    OPTIONS = {"data": "INVENTORY", "facilities": "FACILITIES", "area": "AREA",
               "districts": "DISTRICTS", "roads": "ROADS", "river": "RIVER",
               "population": "POPULATION", "no_population": "NO_POPULATION", "method": "METHOD",
               "radius": "RADIUS", "cell": "CELL", "include_planned": "INCLUDE_PLANNED",
               "max_snap": "MAX_SNAP", "json": "JSON"}
    NUMBERS = {"area_share": "Area share / 面积覆盖率",
               "population_share": "Population share / 人口覆盖率",
               "area_total_m2": "Area total (m²) / 总面积(平方米)",
               "area_covered_m2": "Area covered (m²) / 覆盖面积(平方米)",
               "population_total": "Population total / 总人口",
               "population_covered": "Population covered / 覆盖人口",
               "facilities": "Facilities counted / 计入设施数",
               "radius_300_area_share": "Area share within 300 m / 300 米面积覆盖率"}
    #: sink -> layer the engine writes into --out
    LAYERS = {"UNCOVERED": "coverage_uncovered", "FACILITIES_OUT": "coverage_facilities",
              "DISTRICTS_OUT": "coverage_districts", "CELLS": "coverage_cells"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.add_source(self.FACILITIES, tr("Facilities (points; empty: the inventory's bus "
                                            "stops) / 设施点(留空用清单的公交站点)"),
                        compat.VECTOR_POINT)
        add_inputs(self, INPUTS)
        add_population(self)
        self.addParameter(QgsProcessingParameterEnum(
            self.METHOD, tr("Distance / 距离"),
            options=[tr("Straight line (official) / 直线距离(官方口径)"),
                     tr("Walking along the road network / 沿路网步行")], defaultValue=0))
        number(self, self.RADIUS, "Radius (m) / 服务半径(米)", "BUS_STOP_RADIUS", minimum=1)
        number(self, self.CELL, "Area grid cell (m) / 面积采样格网(米)", "GRID_CELL", minimum=1)
        self.addParameter(QgsProcessingParameterBoolean(
            self.PLANNED, tr("Count planned and under-construction facilities / "
                             "计入规划与在建设施"),
            defaultValue=False))
        number(self, self.MAX_SNAP, "Max distance from a facility to the road network (m) / "
               "设施接入路网最大距离(米)", "FACILITY_MAX_SNAP")
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.UNCOVERED, tr("Uncovered areas / 未覆盖区域"), compat.VECTOR_POLYGON))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.DISTRICTS_OUT, tr("Coverage by street office / 各街道覆盖率"),
            compat.VECTOR_POLYGON, optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.FACILITIES_OUT, tr("Facilities used / 参与计算的设施"),
            compat.VECTOR_POINT, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.CELLS, tr("Grid cells with distances / 格网点及距离"),
            compat.VECTOR_POINT, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.JSON, tr("Summary (JSON) / 汇总 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.add_numbers()

    def arguments(self, parameters, context, feedback, work):
        import os

        self._json, self._keep = self.json_path(parameters, self.JSON, context, work)
        self._gpkg = os.path.join(work, "coverage.gpkg")
        args = self.inventory_args(parameters, context)
        fac = self.source_arg(parameters, self.FACILITIES, context, feedback)
        if fac:
            args += ["--facilities", fac]
        args += input_args(self, parameters, context, feedback, INPUTS)
        args += population_args(self, parameters, context)
        args += ["--method", METHODS[self.parameterAsEnum(parameters, self.METHOD, context)],
                 "--radius", fmt(self.parameterAsDouble(parameters, self.RADIUS, context)),
                 "--cell", fmt(self.parameterAsDouble(parameters, self.CELL, context)),
                 "--max-snap", fmt(self.parameterAsDouble(parameters, self.MAX_SNAP, context))]
        if self.parameterAsBoolean(parameters, self.PLANNED, context):
            args.append("--include-planned")
        args += ["--out", self._gpkg, "--json", self._json]
        if not parameters.get(self.CELLS):
            args.append("--no-cells")
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
