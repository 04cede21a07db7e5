"""Shared base of the Zhalantun Processing algorithms: each one runs a ``zlt-assets`` command.

An algorithm builds the command line from its parameters (input layers handed over as files:
the GeoPackage a layer comes from, or a temporary GeoPackage QGIS exports for a memory layer, a
selection or any other provider), runs the engine as a child process (progress and cancel), then
loads what the engine wrote: output layers into the feature sinks, the JSON summary's numbers as
outputs (the same keys as the CLI's JSON). QGIS's process imports nothing of the engine.
"""
from __future__ import annotations

import json
import os
import uuid
from typing import Any

from qgis.core import (
    QgsFeature,
    QgsFeatureSink,
    QgsFields,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingUtils,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QIcon

from .. import compat, engine, engine_status
from ..i18n_util import tr

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
HELP_DIR = os.path.join(PLUGIN_DIR, "help")
GROUP = "Zhalantun assets / 扎兰屯资产"
GROUP_ID = "zlt_assets"
CANCELLED = ("Cancelled: the engine was stopped, nothing was written / "
             "已取消:引擎已停止,未写出任何结果")
SAMPLE_NOTE = "empty: the engine's sample / 留空为引擎附带的示例数据"


def help_text(name: str) -> str:
    """The help of an algorithm: ``help/<name>.html`` (Chinese, then English)."""
    path = os.path.join(HELP_DIR, f"{name}.html")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def flatten_numbers(summary: dict[str, Any]) -> dict[str, float]:
    """The numbers of a JSON summary: top-level keys, and one level down as ``parent_key``."""
    out: dict[str, float] = {}
    for key, value in summary.items():
        if isinstance(value, bool):
            out[key] = int(value)
        elif isinstance(value, (int, float)):
            out[key] = value
        elif isinstance(value, dict):
            for sub, v in value.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out[f"{key}_{sub}"] = v
    return out


class EngineAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``NAME``, ``DISPLAY`` ("English / 中文"), ``COMMAND`` and
    ``OPTIONS`` (CLI dest -> parameter name, so engine errors name the dialog's fields), and
    implement ``initAlgorithm``, ``arguments`` and ``results``."""

    NAME = ""
    DISPLAY = ""
    COMMAND = ""
    INVENTORY = "INVENTORY"
    #: exit codes that end a run normally (1: problems found)
    ACCEPT = (0,)
    #: CLI option dest -> parameter name
    OPTIONS: dict[str, str] = {}
    #: JSON numbers offered as outputs: key -> label
    NUMBERS: dict[str, str] = {}

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(GROUP)

    def groupId(self) -> str:
        return GROUP_ID

    def shortHelpString(self) -> str:
        return help_text(self.NAME)

    def icon(self) -> QIcon:
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "icon.svg"))

    def createInstance(self):
        return type(self)()

    def canExecute(self):
        try:
            engine_status.current()
        except engine.EngineError as exc:
            return False, str(exc)
        return True, ""

    # ------------------------------------------------------------------ shared parameters
    def add_inventory_parameter(self, optional: bool = True) -> None:
        label = tr("Inventory (GeoPackage or postgresql:// URL) / 资产清单(GeoPackage 或 "
                   "postgresql:// 地址)")
        if optional:
            label += f" ({tr(SAMPLE_NOTE)})"
        self.addParameter(QgsProcessingParameterFile(
            self.INVENTORY, label, fileFilter="GeoPackage (*.gpkg);;All files (*)",
            optional=optional))

    def add_source(self, name: str, label: str, geometry: int, optional: bool = True) -> None:
        """A vector input of one geometry type (compat.VECTOR_POINT/LINE/POLYGON)."""
        self.addParameter(QgsProcessingParameterFeatureSource(name, label, [geometry],
                                                              optional=optional))

    def add_numbers(self) -> None:
        for key, label in self.NUMBERS.items():
            self.addOutput(QgsProcessingOutputNumber(key, tr(label)))

    def inventory_args(self, parameters: dict, context) -> list[str]:
        text = (self.parameterAsString(parameters, self.INVENTORY, context) or "").strip()
        if not text:
            return []
        if not text.lower().startswith(("postgresql://", "postgres://")) \
                and not os.path.isfile(text):
            raise QgsProcessingException(
                tr("Inventory not found: {0} / 找不到资产清单:{0}").format(text))
        return ["--data", text]

    def source_arg(self, parameters: dict, name: str, context, feedback) -> str | None:
        """A vector input as ``FILE::LAYER`` for the engine (None when not given): the
        GeoPackage it comes from, or a temporary GeoPackage QGIS writes (memory layers,
        selections, filters, other formats and providers)."""
        if parameters.get(name) in (None, ""):
            return None
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, name, context, ["gpkg"], "gpkg", feedback)
        if not path:
            return None
        return f"{path}::{layer}" if layer else path

    def raster_arg(self, parameters: dict, name: str, context) -> str | None:
        """File path of a raster input (the engine reads GeoTIFFs); None when not given."""
        if parameters.get(name) in (None, ""):
            return None
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            return None
        path = layer.source().split("|")[0]
        if not os.path.isfile(path):
            raise QgsProcessingException(tr(
                "The population raster must be a file (GeoTIFF): {0} / 人口栅格必须是文件"
                "(GeoTIFF):{0}").format(layer.source()))
        return path

    # ------------------------------------------------------------------ running
    def arguments(self, parameters: dict, context, feedback, work: str) -> list[str]:
        """The command's arguments after its name (subclasses)."""
        raise NotImplementedError

    def results(self, parameters: dict, context, feedback, work: str,
                run: engine.RunResult) -> dict[str, Any]:
        """The algorithm's results once the engine is done (subclasses)."""
        raise NotImplementedError

    def option_labels(self) -> dict[str, str]:
        """CLI dest -> the label of its dialog field."""
        out = {}
        for dest, param in self.OPTIONS.items():
            definition = self.parameterDefinition(param)
            if definition is not None:
                out[dest] = definition.description()
        return out

    def processAlgorithm(self, parameters, context, feedback):
        try:
            eng = engine_status.current()
        except engine.EngineError as exc:
            raise QgsProcessingException(str(exc)) from None
        work = os.path.join(QgsProcessingUtils.tempFolder(), f"zlt_{self.NAME}_{uuid.uuid4().hex}")
        os.makedirs(work, exist_ok=True)
        args = [self.COMMAND, *self.arguments(parameters, context, feedback, work)]
        feedback.pushCommandInfo(" ".join([*eng.command, *args]))

        def progress(percent: float | None, step: str) -> None:
            if percent is not None:
                feedback.setProgress(percent)
            if step:
                feedback.setProgressText(step)
                feedback.pushInfo(step)

        def log(level: str, message: str) -> None:
            if level == "error":
                feedback.reportError(message, False)
            elif level == "warning":
                feedback.pushWarning(message)
            else:
                feedback.pushInfo(message)

        run = engine.run(eng.command, args, on_progress=progress, on_log=log,
                         is_canceled=feedback.isCanceled, cwd=work)
        for line in run.stdout.splitlines():
            if line.strip():
                feedback.pushConsoleInfo(line)
        if run.canceled:
            raise QgsProcessingException(tr(CANCELLED))
        if run.exit_code not in self.ACCEPT:
            event = run.error or {"exit_code": run.exit_code,
                                  "message": run.log[-1] if run.log else
                                  f"exit code {run.exit_code}"}
            raise QgsProcessingException(engine.render_error(event, self.option_labels()))
        if run.error is not None:  # an accepted non-zero exit (e.g. problems found)
            feedback.reportError(engine.render_error(run.error, self.option_labels()), False)
        result = self.results(parameters, context, feedback, work, run)
        feedback.setProgress(100)
        return result

    # ------------------------------------------------------------------ reading results
    @staticmethod
    def read_json(path: str) -> dict[str, Any]:
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError) as exc:
            raise QgsProcessingException(
                tr("The engine wrote no readable summary: {0} / 引擎未写出可读的汇总:{0}")
                .format(f"{path} ({exc})")) from None

    def json_path(self, parameters: dict, name: str, context, work: str) -> tuple[str, bool]:
        """Where the engine writes its JSON: the user's file, else one in ``work``."""
        path = self.parameterAsFileOutput(parameters, name, context) \
            if parameters.get(name) else ""
        return (path, True) if path else (os.path.join(work, "summary.json"), False)

    def numbers(self, summary: dict[str, Any]) -> dict[str, Any]:
        flat = flatten_numbers(summary)
        return {key: flat.get(key) for key in self.NUMBERS}

    def copy_layer(self, parameters: dict, name: str, context, gpkg: str, layer_name: str,
                   feedback) -> str | None:
        """Copy one layer the engine wrote into the feature sink ``name``; its destination id
        (None when the sink was not asked for or the engine wrote no such layer)."""
        if not parameters.get(name):
            return None
        src = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
        if not src.isValid():
            feedback.pushWarning(tr("The engine wrote no layer {0} / 引擎未写出图层 {0}")
                                 .format(layer_name))
            return None
        keep = [i for i, f in enumerate(src.fields()) if f.name().lower() != "fid"]
        fields = QgsFields()
        for i in keep:
            fields.append(src.fields().at(i))
        sink, dest = self.parameterAsSink(parameters, name, context, fields, src.wkbType(),
                                          src.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        for feat in src.getFeatures():
            out = QgsFeature(fields)
            attrs = feat.attributes()
            out.setAttributes([attrs[i] for i in keep])
            if feat.hasGeometry():
                out.setGeometry(feat.geometry())
            sink.addFeature(out, QgsFeatureSink.Flag.FastInsert)
        return dest

    def table_sink(self, parameters: dict, name: str, context, rows: list[dict[str, Any]],
                   columns: list[tuple[str, str]]) -> str | None:
        """Rows of a JSON result as a table (no geometry) in the sink ``name``.

        ``columns`` are (key, kind) with kind ``string``, ``int`` or ``double``.
        """
        if not parameters.get(name):
            return None
        from qgis.core import QgsField

        fields = QgsFields()
        for key, kind in columns:
            fields.append(QgsField(key, compat.field_type(kind)))
        sink, dest = self.parameterAsSink(parameters, name, context, fields,
                                          compat.WKB_NO_GEOMETRY)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, name))
        for row in rows:
            feat = QgsFeature(fields)
            values = []
            for key, kind in columns:
                v = row.get(key)
                if isinstance(v, (list, dict)):
                    v = json.dumps(v, ensure_ascii=False)
                elif v is not None and kind == "string":
                    v = str(v)
                elif v is not None and kind == "double":
                    try:
                        v = float(v)
                    except (TypeError, ValueError):
                        v = None
                values.append(v)
            feat.setAttributes(values)
            sink.addFeature(feat, QgsFeatureSink.Flag.FastInsert)
        return dest
