"""Meeting map export / 导出会议用图: zlt_assets.maps.meeting_map (offline HTML)."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from zlt_assets.maps import meeting_map as _core

from ..i18n_util import tr
from ..qgis_io import check_cancel
from .base import ZltAlgorithm

BASEMAPS = ("none", "osm", "tianditu", "gaode")
LANGS = ("zh", "en")


class MeetingMapAlgorithm(ZltAlgorithm):
    NAME = "meeting_map"
    DISPLAY = "Export meeting map / 导出会议用图"
    BASEMAP = "BASEMAP"
    ANALYSES = "ANALYSES"
    INDICATOR = "INDICATOR"
    LANG = "LANG"
    OUTPUT = "OUTPUT_HTML"
    PNG = "OUTPUT_PNG"

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
            self.INDICATOR, tr("Scorecard indicator for the choropleth / 记分卡分区图指标"),
            optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.LANG, tr("First language of labels / 标签首选语言"),
            options=["中文 / Chinese", "English / 英文"], defaultValue=0))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Meeting map (HTML) / 会议用图 (HTML)"), "HTML (*.html)"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.PNG, tr("Static map (PNG) / 静态图 (PNG)"), "PNG (*.png)", optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("FEATURES", tr("Features drawn / 要素数")))
        self.addOutput(QgsProcessingOutputString("OVERLAYS", tr("Overlays / 叠加")))

    def processAlgorithm(self, parameters, context, feedback):
        from zlt_assets.errors import ZltError
        from zlt_assets.maps.offline import write_text_atomic

        path = self.inventory_path(parameters, context)
        basemap = BASEMAPS[self.parameterAsEnum(parameters, self.BASEMAP, context)]
        analyses = [_core.ANALYSES[i] for i in
                    self.parameterAsEnums(parameters, self.ANALYSES, context)]
        indicator = (self.parameterAsString(parameters, self.INDICATOR, context) or "").strip()
        lang = LANGS[self.parameterAsEnum(parameters, self.LANG, context)]
        out = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        png = self.parameterAsFileOutput(parameters, self.PNG, context)
        if not out.lower().endswith((".html", ".htm")):
            out += ".html"
        feedback.pushInfo(tr("Building the meeting map of {0} / 正在生成会议用图:{0}").format(path))
        try:
            content = _core.build_content(path, basemap=basemap, analyses=analyses, lang=lang,
                                          indicator=indicator or None)
            check_cancel(feedback)
            feedback.setProgress(60)
            page = _core.render_html(content)
            check_cancel(feedback)
            feedback.setProgress(80)
            write_text_atomic(out, page)
            if png:
                from zlt_assets.maps.static_png import render_png

                render_png(content, png)
        except ZltError as exc:
            raise self.core_error(exc) from None
        for msg in content.messages:
            feedback.pushWarning(str(msg))
        total = sum(len(lyr.gdf) for lyr in content.layers)
        feedback.setProgress(100)
        result = {self.OUTPUT: out, "FEATURES": total,
                  "OVERLAYS": ",".join(o.key for o in content.overlays)}
        if png:
            result[self.PNG] = png
        return result
