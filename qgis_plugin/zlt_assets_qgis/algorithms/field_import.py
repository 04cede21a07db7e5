"""Import field / department data / 导入外业与部门数据: ``zlt-assets import``."""
from __future__ import annotations

import os

from qgis.core import (
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from .. import compat, schema_info
from ..i18n_util import tr
from .base import EngineAlgorithm

MODES = ("append", "replace", "upsert")
PROBLEM_COLUMNS = [("row", "int"), ("obj_id", "string"), ("field", "string"),
                   ("check", "string"), ("message", "string")]


class FieldImportAlgorithm(EngineAlgorithm):
    NAME = "field_import"
    DISPLAY = "Import field or department data / 导入外业与部门数据"
    COMMAND = "import"
    ACCEPT = (0, 4)  # 4: refused to protect the data (rows with problems): nothing written
    LAYER = "LAYER"
    FILE = "FILE"
    FROM_CRS = "FROM_CRS"
    EPSG = "FROM_EPSG"
    X = "X"
    Y = "Y"
    WKT = "WKT"
    MAPPING = "MAPPING"
    ENCODING = "ENCODING"
    MODE = "MODE"
    DRY_RUN = "DRY_RUN"
    SOURCE_LAYER = "SOURCE_LAYER"
    TRUST_CRS = "TRUST_CRS"
    PROBLEMS = "PROBLEMS"
    REPORT = "REPORT"
    OPTIONS = {"data": "INVENTORY", "layer": "LAYER", "file": "FILE", "from_crs": "FROM_CRS",
               "x": "X", "y": "Y", "wkt": "WKT", "map": "MAPPING", "encoding": "ENCODING",
               "mode": "MODE", "dry_run": "DRY_RUN", "source_layer": "SOURCE_LAYER",
               "trust_crs": "TRUST_CRS", "json": "REPORT", "report": "REPORT"}
    NUMBERS = {"rows_read": "Rows read / 读取行数", "rows_written": "Rows written / 写入行数",
               "ids_assigned": "Object ids assigned / 新编对象编码数",
               "written": "Written (1) or refused (0) / 已写入(1)或拒绝(0)"}
    #: texts the command line takes as they are: parameter -> CLI option
    TEXTS = {"X": "--x", "Y": "--y", "WKT": "--wkt", "ENCODING": "--encoding",
             "SOURCE_LAYER": "--source-layer"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter(optional=False)
        layers = list(schema_info.layers())
        self._layers = layers
        self.addParameter(QgsProcessingParameterEnum(
            self.LAYER, tr("Target layer / 目标图层"),
            options=[schema_info.layers()[n]["title"] for n in layers],
            defaultValue=layers.index("bus_stops") if "bus_stops" in layers else 0))
        self.addParameter(QgsProcessingParameterFile(
            self.FILE, tr("File to import (CSV, XLSX, SHP, GeoJSON, KML, GPKG) / "
                          "待导入文件(CSV、XLSX、SHP、GeoJSON、KML、GPKG)"),
            fileFilter="Data (*.csv *.xlsx *.shp *.geojson *.json *.kml *.gpkg)"))
        self.addParameter(QgsProcessingParameterEnum(
            self.FROM_CRS, tr("Coordinates of the file / 文件坐标系"),
            options=[tr("Detect or EPSG below / 自动识别或下方 EPSG"), "WGS84 (GPS)", "CGCS2000",
                     tr("GCJ-02 (Gaode, Tencent) / GCJ-02(高德、腾讯)"),
                     tr("BD-09 (Baidu) / BD-09(百度)")], defaultValue=0))
        self.addParameter(QgsProcessingParameterString(
            self.EPSG, tr("Or an EPSG code, e.g. EPSG:4550 / 或 EPSG 代码,如 EPSG:4550"),
            optional=True))
        for key, label in ((self.X, "Column of x / longitude / 经度(x)列"),
                           (self.Y, "Column of y / latitude / 纬度(y)列"),
                           (self.WKT, "Column of WKT geometry / WKT 几何列"),
                           (self.MAPPING, "Column mapping SRC=DST, comma-separated / "
                                          "列映射 SRC=DST,逗号分隔"),
                           (self.ENCODING, "Text encoding (gbk, gb18030, utf-8; empty: detect) / "
                                           "文本编码(留空自动识别)"),
                           (self.SOURCE_LAYER, "Layer of a multi-layer file / 多图层文件中的图层")):
            self.addParameter(QgsProcessingParameterString(key, tr(label), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.MODE, tr("Mode / 方式"),
            options=[tr("Append / 追加"),
                     tr("Replace the layer (backup kept) / 替换图层(保留备份)"),
                     tr("Update or insert by object id / 按对象编码更新或插入")], defaultValue=0))
        self.addParameter(QgsProcessingParameterBoolean(
            self.DRY_RUN, tr("Dry run: check only, write nothing / 演练:只检查不写入"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterBoolean(
            self.TRUST_CRS, tr("Skip the GCJ-02/BD-09 offset check / 跳过 GCJ-02/BD-09 偏移检查"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.PROBLEMS, tr("Rows with problems / 有问题的行"), compat.VECTOR_ANY))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, tr("Report (JSON) / 报告 (JSON)"), "JSON (*.json)", optional=True,
            createByDefault=False))
        self.add_numbers()

    def arguments(self, parameters, context, feedback, work):
        self._json, self._keep = self.json_path(parameters, self.REPORT, context, work)
        layers = list(schema_info.layers())
        layer = layers[self.parameterAsEnum(parameters, self.LAYER, context)]
        src = self.parameterAsFile(parameters, self.FILE, context)
        args = [layer, src, *self.inventory_args(parameters, context)]
        epsg = (self.parameterAsString(parameters, self.EPSG, context) or "").strip()
        choices = ["", *schema_info.data()["from_crs"]]
        from_crs = epsg or choices[self.parameterAsEnum(parameters, self.FROM_CRS, context)]
        if from_crs:
            args += ["--from-crs", from_crs]
        for key, opt in self.TEXTS.items():
            value = (self.parameterAsString(parameters, key, context) or "").strip()
            if value:
                args += [opt, value]
        mapping = self.parameterAsString(parameters, self.MAPPING, context) or ""
        for part in mapping.replace(";", ",").split(","):
            if part.strip():
                args += ["--map", part.strip()]
        args += ["--mode", MODES[self.parameterAsEnum(parameters, self.MODE, context)]]
        if self.parameterAsBoolean(parameters, self.DRY_RUN, context):
            args.append("--dry-run")
        if self.parameterAsBoolean(parameters, self.TRUST_CRS, context):
            args.append("--trust-crs")
        self._target = args[args.index("--data") + 1] if "--data" in args else None
        return [*args, "--json", self._json]

    def results(self, parameters, context, feedback, work, run):
        report = self.read_json(self._json)
        result = self.numbers(report)
        rows = [dict(p) for p in report.get("problems") or []]
        rows += [{"row": None, "check": d.get("code"), "message": d.get("message")}
                 for d in report.get("diagnoses") or [] if d.get("severity") == "error"]
        result[self.PROBLEMS] = self.table_sink(parameters, self.PROBLEMS, context, rows,
                                                PROBLEM_COLUMNS)
        if self._keep:
            result[self.REPORT] = self._json
        self._written_to = self._target if report.get("written") else None
        return result

    def postProcessAlgorithm(self, context, feedback):
        """In the main thread: reload the project's layers of the inventory just written."""
        from qgis.core import QgsProject

        path = getattr(self, "_written_to", None)
        if path and not path.lower().startswith("postgres"):
            target = os.path.normcase(os.path.abspath(path))
            for layer in QgsProject.instance().mapLayers().values():
                src = layer.source().split("|")[0]
                if src and os.path.normcase(os.path.abspath(src)) == target:
                    layer.dataProvider().reloadData()
                    layer.triggerRepaint()
        return {}
