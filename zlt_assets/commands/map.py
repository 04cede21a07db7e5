"""``zlt-assets map``: the offline meeting map (one self-contained HTML file, optional PNG)."""
from __future__ import annotations

import argparse

from ..errors import EXIT_OK, BadInput
from ._common import add_data_argument, log, step

NAME = "map"
ORDER = 60
HELP = "会议用图(离线 HTML)/ offline meeting map (one HTML file)"
DESCRIPTION = """生成会议用图:一个自带全部脚本的 HTML 文件,无网络也能打开(默认无底图)。
按图层组切换各清单图层,按类别和状态着色,中英文图例,弹窗显示资产属性;可叠加分析结果:
公交站 500 米以外区域(coverage)、公厕缺口与建议选址(toilet-gaps)、街道记分卡分区图(scorecard)。
底图:天地图(需环境变量 ZLT_TIANDITU_KEY)、高德(数据偏移至 GCJ-02 仅用于显示)、OSM。
本图为非正式审图地图(无审图号);示例数据为示意数据。
Writes the meeting map: one self-contained HTML file that opens with no network (no basemap by
default). Inventory layers in switchable groups, styled by category and status, a bilingual
legend, popups with the asset attributes; analysis overlays: areas beyond 500 m of a bus stop
(coverage), toilet gaps and proposed sites (toilet-gaps), a street-office choropleth of a
scorecard indicator (scorecard). Basemaps: Tianditu (key in ZLT_TIANDITU_KEY), Gaode (the data
is shifted to GCJ-02 for display), OSM. Not an officially reviewed map (no 审图号).

Exit codes: 0 written, 2 bad input (inventory, option), 3 a component is missing."""


def _analyses(text: str) -> list[str]:
    # checked against maps.meeting_map.ANALYSES in run(): parsing imports nothing heavy
    return [a.strip() for a in text.split(",") if a.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--out", metavar="FILE.html", default="meeting_map.html",
                        help="HTML file to write (default: meeting_map.html)")
    parser.add_argument("--basemap", choices=("none", "osm", "tianditu", "gaode"), default="none",
                        help="底图 / basemap (default none: fully offline; tianditu needs "
                             "ZLT_TIANDITU_KEY)")
    parser.add_argument("--analysis", metavar="LIST", type=_analyses, default=[],
                        help="分析叠加 / overlays, comma-separated: coverage,toilet-gaps,scorecard")
    parser.add_argument("--indicator", metavar="KEY", default=None,
                        help="记分卡分区图指标 / scorecard street-office indicator for the "
                             "choropleth (default facade_lighting_pct)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="标签语言顺序 / which language comes first in labels (default zh)")
    parser.add_argument("--png", metavar="FILE", default=None,
                        help="同时输出静态 PNG(matplotlib)/ also write a static PNG")


def run(args: argparse.Namespace) -> int:
    step("读取清单 / reading the inventory", 0.0)
    from ..maps.meeting_map import ANALYSES, make_meeting_map

    for a in args.analysis:
        if a not in ANALYSES:
            raise BadInput(f"{{option}}: unknown analysis {a!r}; choose from {', '.join(ANALYSES)}",
                           zh=f"{{option}}:未知的分析 {a!r},可选 {'、'.join(ANALYSES)}",
                           option="analysis")

    if not str(args.out).lower().endswith((".html", ".htm")):
        raise BadInput(f"--out must name an .html file, got {args.out}")
    if args.png is not None and not str(args.png).lower().endswith(".png"):
        raise BadInput(f"--png must name a .png file, got {args.png}")
    res = make_meeting_map(args.data, args.out, basemap=args.basemap, analyses=args.analysis,
                           lang=args.lang, indicator=args.indicator, png=args.png)
    for msg in res.messages:
        log.info(f"注意 note: {msg}")
    total = sum(res.layer_counts.values())
    print(f"会议用图已写入 meeting map written: {res.html_path} "
          f"({res.html_bytes / 1e6:.2f} MB, {len(res.layer_counts)} 图层 layers, {total} 要素 "
          f"features" + (f", 叠加 overlays: {', '.join(res.overlays)}" if res.overlays else "")
          + ")")
    if res.png_path is not None:
        print(f"静态图已写入 PNG written: {res.png_path}")
    return EXIT_OK
