"""``zlt-assets map``: offline meeting maps, one story per map (HTML; print as PNG or PDF)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK, BadInput
from ._common import add_data_argument, log, step, write_json

NAME = "map"
ORDER = 60
HELP = "会议用图(离线 HTML,按专题)/ offline meeting maps, one story per map"
DESCRIPTION = """生成会议用图:每张图讲一件事(--story),一个自带全部脚本的 HTML 文件,
无网络也能打开(默认无底图)。
专题:inventory 资产清单总览(默认)、coverage 公交站点500米覆盖、toilets 公厕缺口与建议选址、
works 整治工程进度(按工程状态)、drainage 积水点整治(按整治状态)、scorecard 街道记分卡分区图
(--indicator 选指标)。每张图打开时只显示本专题的图层(其他图层可在图层列表中打开),标题下给出
关键数字和目标(如“城区 95.9% 在公交站 500 米内,目标 100%”),并标明示意数据与非正式审图地图。
颜色与 QGIS 图层样式相同(zlt_assets.symbology)。--story all 把全部专题和 index.html
写入 --out 文件夹。
打印:--png / --pdf,A4 或 A3 横向(--paper),300 dpi,含标题、图例、比例尺、指北针、数据日期和提示。
--json 写出所生成的文件、图层与要素数以及标题下关键数字(数值与目标)。
底图:天地图(需环境变量 ZLT_TIANDITU_KEY)、高德(数据偏移至 GCJ-02 仅用于显示)、OSM。
Writes a meeting map: one story per map (--story), one self-contained HTML file that opens with no
network (no basemap by default). Stories: inventory (default), coverage (bus stops 500 m),
toilets (gaps and proposed sites), works (by works status), drainage (waterlogging points by
remedy status), scorecard (street-office choropleth of --indicator). Each opens with only its
layers on, a caption with its key figure and target, and the illustrative and not-officially-
reviewed notices; colours are those of the QGIS styles. --story all writes every story and an
index.html into the --out folder. Print: --png/--pdf, A4 or A3 landscape (--paper), 300 dpi,
with title, legend, scale bar, north arrow, data date and notices. --json: what was written
(paths, layers and feature counts, the caption's figures with their targets). Basemaps:
Tianditu (key in ZLT_TIANDITU_KEY), Gaode (data shifted to GCJ-02 for display), OSM. Not an
officially reviewed map (no 审图号).

Exit codes: 0 written, 2 bad input (inventory, option), 3 a component is missing."""


#: The stories (checked again by zlt_assets.maps.stories; listed here so that parsing imports
#: nothing heavy).
STORIES = ("inventory", "coverage", "toilets", "works", "drainage", "scorecard")
ANALYSES = ("coverage", "toilet-gaps", "scorecard")


def _analyses(text: str) -> list[str]:
    return [a.strip() for a in text.split(",") if a.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--story", default=None,
                        help="专题 / story: inventory (default), coverage, toilets, works, "
                             "drainage, scorecard, or all (every story and index.html into the "
                             "--out folder)")
    parser.add_argument("--out", metavar="FILE.html|DIR", default=None,
                        help="HTML file to write (default: meeting_map.html; with --story all a "
                             "folder, default maps/)")
    parser.add_argument("--basemap", choices=("none", "osm", "tianditu", "gaode"), default="none",
                        help="底图 / basemap (default none: fully offline; tianditu needs "
                             "ZLT_TIANDITU_KEY)")
    parser.add_argument("--indicator", metavar="KEY", default=None,
                        help="记分卡专题的指标 / indicator of the scorecard story's street-office "
                             "choropleth (default facade_lighting_pct)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="标签语言顺序 / which language comes first in labels (default zh)")
    parser.add_argument("--png", metavar="FILE.png", nargs="?", const="", default=None,
                        help="打印版图片 / also write the print layout as PNG (no value: beside "
                             "the HTML; with --story all: <story>.png beside each map)")
    parser.add_argument("--pdf", metavar="FILE.pdf", nargs="?", const="", default=None,
                        help="打印版 PDF / also write the print layout as PDF (no value: beside "
                             "the HTML; with --story all: <story>.pdf beside each map)")
    parser.add_argument("--paper", choices=("a4", "a3"), default="a4",
                        help="纸张(横向)/ paper, landscape (default a4)")
    parser.add_argument("--dpi", type=int, default=300,
                        help="打印分辨率 / print resolution (default 300)")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="JSON 汇总 / what was written ('-': standard output): story, paths, "
                             "layers and feature counts, the caption's figures and targets; "
                             "with --story all one entry per story and the index")
    parser.add_argument("--analysis", metavar="LIST", type=_analyses, default=[],
                        help="(0.1 写法 / kept from 0.1) 分析叠加 / overlays: the first picks the "
                             "story (coverage, toilet-gaps → toilets, scorecard), the others are "
                             "added to the layer list, switched off")


def _check(args: argparse.Namespace) -> None:
    if args.story is not None and args.story not in (*STORIES, "all"):
        raise BadInput(f"unknown story {args.story!r}; choose one of {', '.join(STORIES)}, all",
                       zh=f"未知专题 {args.story!r};可选:{'、'.join(STORIES)}、all",
                       option="story")
    for a in args.analysis:
        if a not in ANALYSES:
            raise BadInput(f"{{option}}: unknown analysis {a!r}; choose from {', '.join(ANALYSES)}",
                           zh=f"{{option}}:未知的分析 {a!r},可选 {'、'.join(ANALYSES)}",
                           option="analysis")
    if args.story != "all":
        if args.out is not None and not str(args.out).lower().endswith((".html", ".htm")):
            raise BadInput(f"{{option}} must name an .html file, got {args.out}",
                           zh=f"{{option}} 须为 .html 文件,而不是 {args.out}", option="out")
        if args.png and not str(args.png).lower().endswith(".png"):
            raise BadInput(f"{{option}} must name a .png file, got {args.png}",
                           zh=f"{{option}} 须为 .png 文件,而不是 {args.png}", option="png")
        if args.pdf and not str(args.pdf).lower().endswith(".pdf"):
            raise BadInput(f"{{option}} must name a .pdf file, got {args.pdf}",
                           zh=f"{{option}} 须为 .pdf 文件,而不是 {args.pdf}", option="pdf")
    if not 50 <= args.dpi <= 1200:
        raise BadInput(f"{{option}} must be between 50 and 1200, got {args.dpi}",
                       zh=f"{{option}} 须在 50 到 1200 之间,而不是 {args.dpi}", option="dpi")


def run(args: argparse.Namespace) -> int:
    _check(args)
    say = step("读取清单 / reading the inventory", 0.0)
    if args.story == "all":
        from ..maps.meeting_map import make_story_maps

        out = args.out or "maps"
        results = make_story_maps(args.data, out, basemap=args.basemap, lang=args.lang,
                                  indicator=args.indicator, pdf=args.pdf is not None,
                                  png=args.png is not None, paper=args.paper, dpi=args.dpi,
                                  progress=say.span(0.05, 1.0))
        index = str(Path(out) / "index.html")
        if args.json:
            write_json(args.json, {"index": index, "stories": [r.summary() for r in results]})
            if args.json == "-":
                return EXIT_OK
        for res in results:
            for msg in res.messages:
                log.info(f"注意 note ({res.story}): {msg}")
            print(f"专题图 story map {res.story}: {res.html_path} ({res.html_bytes / 1e6:.2f} MB)")
        print(f"索引已写入 index written: {index}")
        return EXIT_OK

    from ..maps.meeting_map import make_meeting_map

    out = Path(args.out or "meeting_map.html")
    png = None if args.png is None else (args.png or out.with_suffix(".png"))
    pdf = None if args.pdf is None else (args.pdf or out.with_suffix(".pdf"))
    res = make_meeting_map(args.data, out, story=args.story, basemap=args.basemap,
                           analyses=args.analysis, lang=args.lang, indicator=args.indicator,
                           png=png, pdf=pdf, paper=args.paper, dpi=args.dpi,
                           progress=say.span(0.05, 1.0))
    for msg in res.messages:
        log.info(f"注意 note: {msg}")
    if args.json:
        write_json(args.json, res.summary())
        if args.json == "-":
            return EXIT_OK
    total = sum(res.layer_counts.values())
    print(f"会议用图已写入 meeting map written ({res.story}): {res.html_path} "
          f"({res.html_bytes / 1e6:.2f} MB, {len(res.layer_counts)} 图层 layers, {total} 要素 "
          f"features" + (f", 叠加 overlays: {', '.join(res.overlays)}" if res.overlays else "")
          + ")")
    for line in res.caption:
        print(f"  {line}")
    if res.png_path is not None:
        print(f"打印版已写入 PNG written: {res.png_path}")
    if res.pdf_path is not None:
        print(f"打印版已写入 PDF written: {res.pdf_path}")
    return EXIT_OK
