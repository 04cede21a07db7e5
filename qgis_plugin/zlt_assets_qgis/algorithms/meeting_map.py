"""Meeting map export / 导出会议用图: ``zlt-assets map`` (offline HTML)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..i18n_util import tr
from .base import EngineAlgorithm

BASEMAPS = ("none", "osm", "tianditu", "gaode")
ANALYSES = ("coverage", "toilet-gaps", "scorecard")
LANGS = ("zh", "en")


class MeetingMapAlgorithm(EngineAlgorithm):
    NAME = "meeting_map"
    DISPLAY = "Export meeting map / 导出会议用图"
    COMMAND = "map"
    BASEMAP = "BASEMAP"
    ANALYSES = "ANALYSES"
    INDICATOR = "INDICATOR"
    LANG = "LANG"
    OUTPUT = "OUTPUT_HTML"
    PNG = "OUTPUT_PNG"
    OPTIONS = {"data": "INVENTORY", "basemap": "BASEMAP", "analysis": "ANALYSES",
               "indicator": "INDICATOR", "lang": "LANG", "out": "OUTPUT_HTML",
               "png": "OUTPUT_PNG"}

    def initAlgorithm(self, config=None):
        self.add_inventory_parameter()
        self.addParameter(QgsProcessingParameterEnum(
            self.BASEMAP, tr("Basemap / 底图"),
            options=[tr("None (fully offline) / 无(完全离线)"), "OpenStreetMap",
                     tr("Tianditu (needs ZLT_TIANDITU_KEY) / 天地图(需 ZLT_TIANDITU_KEY)"),
                     tr("Gaode (GCJ-02 display shift) / 高德(显示时偏移至 GCJ-02)")],
            defaultValue=0))
        self.addParameter(QgsProcessingParameterEnum(
            self.ANALYSES, tr("Analysis overlays / 分析叠加"),
            options=[tr("Bus-stop coverage / 公交覆盖"), tr("Toilet gaps / 公厕缺口"),
                     tr("Scorecard by street office / 街道记分卡")],
            allowMultiple=True, optional=True, defaultValue=[]))
        self.addParameter(QgsProcessingParameterString(
            self.INDICATOR, tr("Scorecard indicator for the choropleth (empty: the default) / "
                               "记分卡分区图指标(留空为默认)"), optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANG, tr("First language of labels / 标签首选语言"),
            options=["中文 / Chinese", "English / 英文"], defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Meeting map (HTML) / 会议用图 (HTML)"), "HTML (*.html)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PNG, tr("Static map (PNG) / 静态图 (PNG)"), "PNG (*.png)", optional=True,
            createByDefault=False))

    def arguments(self, parameters, context, feedback, work):
        self._out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        if not self._out.lower().endswith((".html", ".htm")):
            self._out += ".html"
        args = self.inventory_args(parameters, context)
        args += ["--out", self._out,
                 "--basemap", BASEMAPS[self.parameterAsEnum(parameters, self.BASEMAP, context)],
                 "--lang", LANGS[self.parameterAsEnum(parameters, self.LANG, context)]]
        chosen = [ANALYSES[i] for i in self.parameterAsEnums(parameters, self.ANALYSES, context)]
        if chosen:
            args += ["--analysis", ",".join(chosen)]
        indicator = (self.parameterAsString(parameters, self.INDICATOR, context) or "").strip()
        if indicator:
            args += ["--indicator", indicator]
        self._png = self.parameterAsFileOutput(parameters, self.PNG, context) \
            if parameters.get(self.PNG) else ""
        if self._png:
            args += ["--png", self._png]
        return args

    def results(self, parameters, context, feedback, work, run):
        result = {self.OUTPUT: self._out}
        if self._png:
            result[self.PNG] = self._png
        return result
