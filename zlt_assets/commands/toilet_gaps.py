"""``zlt-assets toilet-gaps``: public-toilet density, spacing, service gaps and new sites."""
from __future__ import annotations

import argparse
from typing import Any

from ..errors import BadInput
from ._common import add_data_argument, step, write_json
from .coverage import (
    Inputs,
    add_input_arguments,
    add_network_arguments,
    illustrative,
    pct,
    warn_crs,
)

NAME = "toilet-gaps"
ORDER = 31
HELP = "公厕缺口与新址建议 / public-toilet gaps and proposed new sites"
DESCRIPTION = """按街道办事处统计公厕密度(GB/T 50337-2018 表4.2.1,按用地类别)、每万人公厕数、
沿街间距(按道路等级)、服务半径外的面积与人口(默认 500 m,人流密集街道 300 m,GB 55013-2021 5.0.1),
并可提出 N 处新址(最大覆盖选址:有求解器时为精确整数规划,否则贪心;现有公厕保持不变)。
Toilet density per km² per street office against GB/T 50337-2018 (by land-use class), toilets per
10,000 residents, spacing along streets by road class, area and population beyond the service
radius (500 m; 300 m in crowded districts, GB 55013-2021 5.0.1), and N proposed new sites
(maximal covering: exact ILP when scipy's milp is available, greedy otherwise; existing toilets
fixed).

Exit codes: 0 done, 2 bad input, 3 missing component."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    add_input_arguments(parser, facilities=("--toilets", "公厕点文件 / toilet points (default: "
                                            "the inventory's public_toilets)"))
    parser.add_argument("--radius", type=float, default=None, metavar="M",
                        help="服务半径 / service radius in metres (default 500)")
    parser.add_argument("--crowded-radius", type=float, default=None, metavar="M",
                        help="人流密集街道服务半径 / radius in districts flagged crowded "
                             "(default 300, GB 55013-2021 5.0.1)")
    parser.add_argument("--land-use", metavar="CLASS", default=None,
                        help="用地类别 / land-use class for every district (R, ABS, G, MW), or "
                             "CODE=CLASS[,CODE=CLASS]; default: the districts' land_use field")
    parser.add_argument("--propose", type=int, default=0, metavar="N",
                        help="建议新址数量 / number of new sites to propose (default 0)")
    parser.add_argument("--siting", choices=("auto", "ilp", "greedy"), default="auto",
                        help="选址方法 / auto (exact ILP when available), ilp, greedy")
    parser.add_argument("--candidate-spacing", type=float, default=None, metavar="M",
                        help="候选点沿路间距 / candidate spacing along roads (default 150)")
    parser.add_argument("--method", choices=("euclidean", "network"), default="euclidean",
                        help="距离 / euclidean (straight line) or network (walking)")
    parser.add_argument("--cell", type=float, default=None, metavar="M",
                        help="面积采样格网 / area grid cell in metres (default 25)")
    parser.add_argument("--include-planned", action="store_true",
                        help="也计入规划与在建公厕 / count planned and under-construction too")
    parser.add_argument("--no-roads", action="store_true",
                        help="不用道路 / no roads: no spacing along streets")
    add_network_arguments(parser)
    parser.add_argument("--out", metavar="GPKG", default=None, help="结果 GeoPackage / output")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="JSON 汇总 / JSON summary ('-': standard output)")


def _land_use(value: str | None) -> Any:
    if not value:
        return None
    if "=" not in value:
        return value.strip()
    out = {}
    for part in value.split(","):
        if "=" not in part:
            raise BadInput(f"--land-use: expected CODE=CLASS, got {part!r}")
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _area_as_district(area: Any) -> Any:
    """The whole area as the one district (``--no-districts``)."""
    import geopandas as gpd
    import shapely

    if area is None:
        raise BadInput("{option} needs an area to be the one district; give the area",
                       zh="{option} 需要城区范围作为唯一的街道", option="no_districts")
    geom = shapely.union_all(shapely.make_valid(area.geometry.values))
    return gpd.GeoDataFrame({"code": ["area"], "name": ["城区 / urban area"]}, geometry=[geom],
                            crs=area.crs)


def run(args: argparse.Namespace) -> int:
    say = step("读取输入 / reading the inputs", 0.0)
    from ..analysis.toilets import toilet_gaps

    src = Inputs(args)
    needs_roads = args.propose > 0 or args.method == "network"
    needed: dict[str, str | None] = {
        "facilities": None, "population": "no_population", "districts": "no_districts",
        "roads": None if needs_roads else "no_roads"}
    if args.no_districts or not args.districts:
        needed["area"] = None
    src.require_complete(needed)
    toilets = src.layer(args.facilities, "public_toilets", "toilets")
    area = src.layer(args.area, "urban_area", "area",
                     required=args.area is not None or args.no_districts)
    districts = src.districts(required=not args.no_districts)
    if districts is None:
        districts = _area_as_district(area)
    # roads: for spacing when present; required for proposals and the network method
    roads = None
    if not (args.no_roads and not needs_roads):
        roads = src.layer(args.roads, "roads", "roads",
                          required=args.roads is not None or needs_roads)
    river = src.river() if args.method == "network" else None
    pop = src.population()
    res = toilet_gaps(toilets, districts, roads=roads, population=pop, area=area,
                      radius=args.radius, crowded_radius=args.crowded_radius,
                      land_use=_land_use(args.land_use), propose=args.propose,
                      candidate_spacing=args.candidate_spacing, siting_method=args.siting,
                      method=args.method, river=river, include_planned=args.include_planned,
                      cell=args.cell, progress=say.span(0.1, 0.9), crs=args.crs,
                      declared_crs=src.declared_crs(), noding=args.noding,
                      level_field=args.level_field)
    warn_crs(res.summary["crs"])
    if args.out:
        say(f"写出 / writing {args.out}", 0.9)
        res.to_geopackage(args.out)
    if args.json:
        write_json(args.json, res.summary)
    print(format_summary(res.summary))
    if illustrative(toilets, districts, area, src=src):
        print("注意:示例数据为示意数据,非实地调查 / Note: the sample data is illustrative, "
              "not surveyed.")
    return 0


_STATUS = {"below": "低于 below", "within": "达标 within", "above": "高于 above",
           "unknown": "未知 unknown"}


def format_summary(s: dict[str, Any]) -> str:
    """A short bilingual text summary of a toilet-gaps summary dict."""
    lines = [f"公厕缺口 / Toilet gaps: 公厕 toilets {s['toilets']}, 服务半径 radius "
             f"{s['radius_m']:g} m (人流密集 crowded {s['crowded_radius_m']:g} m), "
             f"{'直线 straight line' if s['method'] == 'euclidean' else '步行 walking'}"]
    lines.append(f"  面积覆盖 / area within reach: {pct(s['area_share'])}")
    if s["population_total"] is not None:
        lines.append(f"  人口覆盖 / population within reach: {pct(s['population_share'])}; "
                     f"每万人公厕 / per 10,000 residents: {s['toilets_per_10k']:.2f}")
    for d in s["by_district"]:
        dens = d["density_per_km2"]
        rng = f"{d['density_min']:g}–{d['density_max']:g}" if d["density_min"] is not None \
            else "?"
        per = f", 每万人 {d['toilets_per_10k']:.1f}" if d.get("toilets_per_10k") is not None \
            else ""
        lines.append(f"    {d['name']} ({d['land_use']}): {d['toilets']} 座, 密度 "
                     f"{dens:.2f}/km² [{rng}] {_STATUS[d['density_status']]}{per}, "
                     f"覆盖 {pct(d['area_share'])}")
    sp = s["spacing"]
    if sp.get("n_streets"):
        lines.append(f"  沿街间距 / spacing: {sp['streets_with_gap']} / {sp['n_streets']} "
                     "条街超出间距上限 streets with a stretch longer than the spacing limit")
    p = s.get("proposals")
    if p:
        how = "精确 exact ILP" if p["method"] == "ilp" else "贪心 greedy"
        opt = " (最优 optimal)" if p["optimal"] else ""
        lines.append(f"  新址建议 / proposals: {p['n_proposed']} ({how}{opt}); 人口覆盖 "
                     f"{pct(p['share_before'])} → {pct(p['share_after'])}")
        for site in p["sites"]:
            lines.append(f"    #{site['rank']} {site['candidate']}: +{site['gain']:,.0f} 人 "
                         f"people ({site['x']:.0f}, {site['y']:.0f})")
    return "\n".join(lines)
