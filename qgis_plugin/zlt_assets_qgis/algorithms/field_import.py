"""Import field / department data / 导入外业与部门数据: zlt_assets.importing.import_file."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from zlt_assets import importing as _core
from zlt_assets import schema

from .. import compat
from ..i18n_util import tr
from ..qgis_io import check_cancel, gdf_to_sink
from .base import ZltAlgorithm

LAYERS = tuple(schema.LAYERS)
CRS_CHOICES = ("",) + tuple(_core.FROM_CRS_CHOICES)
MODES = ("append", "replace", "upsert")


def parse_mapping(text: str) -> dict[str, str]:
    """``"站点名称=name, 备注=-"`` -> ``{"站点名称": "name", "备注": "-"}``."""
    from zlt_assets.errors import BadInput

    out: dict[str, str] = {}
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise BadInput(f"column mapping {part.strip()!r}: expected SRC=DST (e.g. 站点名称=name)")
        src, dst = part.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


class FieldImportAlgorithm(ZltAlgorithm):
    NAME = "field_import"
    DISPLAY = "Import field or department data / 导入外业与部门数据"
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

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterEnum(
            self.LAYER, tr("Target layer / 目标图层"),
            options=[schema.LAYERS[n].title for n in LAYERS],
            defaultValue=LAYERS.index("bus_stops")))
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
            options=[tr("Append / 追加"), tr("Replace the layer (backup kept) / 替换图层(保留备份)"),
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
        for key, label in (("ROWS_READ", "Rows read / 读取行数"),
                           ("ROWS_WRITTEN", "Rows written / 写入行数"),
                           ("IDS_ASSIGNED", "Object ids assigned / 新编对象编码数"),
                           ("WRITTEN", "Written (1) or refused (0) / 已写入(1)或拒绝(0)")):
            self.addOutput(QgsProcessingOutputNumber(key, tr(label)))

    def processAlgorithm(self, parameters, context, feedback):
        import pandas as pd

        from zlt_assets.commands._common import write_json
        from zlt_assets.errors import ZltError

        path = self.inventory_path(parameters, context)
        layer = LAYERS[self.parameterAsEnum(parameters, self.LAYER, context)]
        src = self.parameterAsFile(parameters, self.FILE, context)
        epsg = (self.parameterAsString(parameters, self.EPSG, context) or "").strip()
        from_crs = epsg or CRS_CHOICES[self.parameterAsEnum(parameters, self.FROM_CRS, context)]

        def text(key: str) -> str | None:
            return (self.parameterAsString(parameters, key, context) or "").strip() or None

        try:
            opts = _core.ImportOptions(
                from_crs=from_crs or None, x=text(self.X), y=text(self.Y), wkt=text(self.WKT),
                mapping=parse_mapping(text(self.MAPPING) or ""), encoding=text(self.ENCODING),
                mode=MODES[self.parameterAsEnum(parameters, self.MODE, context)],
                dry_run=self.parameterAsBoolean(parameters, self.DRY_RUN, context),
                source_layer=text(self.SOURCE_LAYER),
                trust_crs=self.parameterAsBoolean(parameters, self.TRUST_CRS, context))
            check_cancel(feedback)  # the import itself is all or nothing
            feedback.pushInfo(tr("Importing {0} into {1} / 正在导入 {0} 到 {1}").format(src, layer))
            report = _core.import_file(layer, src, path, opts)
        except ZltError as exc:
            raise self.core_error(exc) from None
        for line in report.lines()[:200]:
            feedback.pushInfo(line)
        rows = [{"row": p.row, "obj_id": p.obj_id, "field": p.field, "check": p.check,
                 "message": p.message} for p in report.problems]
        rows += [{"row": None, "obj_id": None, "field": None, "check": d.code,
                  "message": d.message} for d in report.diagnoses if d.severity == "error"]
        frame = pd.DataFrame(rows, columns=["row", "obj_id", "field", "check", "message"])
        frame["row"] = frame["row"].astype("Int64")
        frame[["obj_id", "field", "check", "message"]] = \
            frame[["obj_id", "field", "check", "message"]].astype(object)
        result = {"ROWS_READ": report.rows_read, "ROWS_WRITTEN": report.rows_written,
                  "IDS_ASSIGNED": report.ids_assigned, "WRITTEN": int(report.written)}
        result[self.PROBLEMS] = gdf_to_sink(self, parameters, self.PROBLEMS, context, frame,
                                            feedback)
        report_path = self.parameterAsFileOutput(parameters, self.REPORT, context)
        if report_path:
            write_json(report_path, report.to_dict())
            result[self.REPORT] = report_path
        self._written_to = path if report.written else None
        if not report.ok:
            feedback.reportError(tr("Import refused, nothing written: {0} rows with problems / "
                                    "导入被拒绝,未写入任何数据:{0} 行有问题")
                                 .format(len(report.bad_rows)))
        elif report.dry_run:
            feedback.pushInfo(tr("Dry run OK: nothing written / 演练通过:未写入"))
        else:
            feedback.pushInfo(tr("Imported {0} rows / 已导入 {0} 行").format(report.rows_written))
        return result

    def postProcessAlgorithm(self, context, feedback):
        """In the main thread: reload the project's layers of the inventory just written (the
        import replaced the GeoPackage file)."""
        import os

        from qgis.core import QgsProject

        path = getattr(self, "_written_to", None)
        if path:
            target = os.path.normcase(os.path.abspath(path))
            for layer in QgsProject.instance().mapLayers().values():
                src = layer.source().split("|")[0]
                if src and os.path.normcase(os.path.abspath(src)) == target:
                    layer.dataProvider().reloadData()
                    layer.triggerRepaint()
        return {}
