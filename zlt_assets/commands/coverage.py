"""``zlt-assets coverage``: share of the urban area and of the population near a facility."""
from __future__ import annotations

import argparse
from typing import Any

from ..errors import BadInput
from ._common import add_data_argument, log, step, write_json

NAME = "coverage"
ORDER = 30
HELP = "公交站点(或任意设施)覆盖率 / coverage of bus stops (or any facility layer)"
DESCRIPTION = """计算设施(默认公交站点)服务半径内的城区面积与人口占比:直线距离(官方指标)或沿路网步行距离。
输入默认取清单 GeoPackage 的图层(bus_stops、roads、urban_area、street_offices 及同目录的人口栅格);
也可用 GDAL 能读的任何矢量文件、任何坐标系(自动转换到 EPSG:4550)。
Share of the urban area and of the population within reach of a facility (bus stops by default),
by straight line (the official indicator) or walking along the road network. Inputs default to the
inventory's layers; any vector file GDAL reads, in any CRS, is reprojected to EPSG:4550.

Exit codes: 0 done, 2 bad input, 3 missing component."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    add_input_arguments(parser, facilities=("--facilities", "设施点文件 / facility points "
                                            "(default: the inventory's bus_stops)"))
    parser.add_argument("--radius", type=float, default=None, metavar="M",
                        help="服务半径 / radius in metres (default 500, plan 四(五)2; 300 m is "
                             "reported beside it, GB 50220)")
    parser.add_argument("--method", choices=("euclidean", "network"), default="euclidean",
                        help="euclidean = 直线 straight line (official); network = 沿路网步行 walking")
    parser.add_argument("--cell", type=float, default=None, metavar="M",
                        help="面积采样格网 / area grid cell in metres (default 25)")
    parser.add_argument("--include-planned", action="store_true",
                        help="也计入规划与在建设施 / count planned and under-construction too")
    parser.add_argument("--max-snap", type=float, default=None, metavar="M",
                        help="设施接入路网最大距离 / facilities farther than this from every road "
                             "are unreachable (default 150)")
    parser.add_argument("--out", metavar="GPKG", default=None,
                        help="结果 GeoPackage / write uncovered areas, cells, facilities, districts")
    parser.add_argument("--no-cells", action="store_true",
                        help="--out 不写格网点 / leave the per-cell layer out of --out")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="JSON 汇总 / JSON summary ('-': standard output)")


def add_input_arguments(parser: argparse.ArgumentParser, *, facilities: tuple[str, str]) -> None:
    """Input files shared by ``coverage`` and ``toilet-gaps``.

    Each FILE is any vector format GDAL reads, in any CRS (reprojected to EPSG:4550); pick a
    layer of a multi-layer file with ``FILE::LAYER``.
    """
    flag, text = facilities
    parser.epilog = ("FILE: 任何 GDAL 可读的矢量文件,任何坐标系 / any vector file GDAL reads, any "
                     "CRS; FILE::LAYER picks a layer")
    parser.add_argument(flag, metavar="FILE", default=None, dest="facilities", help=text)
    parser.add_argument("--roads", metavar="FILE", default=None,
                        help="道路线 / road lines (default: the inventory's roads)")
    parser.add_argument("--river", metavar="FILE", default=None,
                        help="河流 / river (default: the inventory's river when the roads come "
                             "from the inventory); roads cross it only on bridges (bridge_id)")
    parser.add_argument("--population", metavar="FILE", default=None,
                        help="人口 / population GeoTIFF (people per cell) or points with a "
                             "population field (default: the GeoTIFF beside the inventory)")
    parser.add_argument("--no-population", action="store_true",
                        help="不计算人口覆盖 / area only")
    parser.add_argument("--area", metavar="FILE", default=None,
                        help="城区范围 / urban area polygons (default: the inventory's urban_area)")
    parser.add_argument("--districts", metavar="FILE", default=None,
                        help="街道办事处 / street offices with code and name (default: the "
                             "inventory's street_offices)")


class Inputs:
    """Resolve each input: a file given on the command line, else the inventory's layer."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._inv = None

    @property
    def inventory(self):
        if self._inv is None:
            from ..inventory import Inventory

            self._inv = Inventory.open(getattr(self.args, "data", None))
        return self._inv

    def layer(self, value: str | None, layer: str, what: str, *, required: bool = True):
        from ..analysis.inputs import read_vector

        if value:
            return read_vector(value, what=what)
        inv = self.inventory
        if not inv.has(layer):
            if required:
                raise BadInput(f"{what}: layer {layer!r} is missing from {inv.path}; "
                               f"give a file with the matching option")
            return None
        return inv.read(layer)

    def population(self) -> Any:
        a = self.args
        if getattr(a, "no_population", False):
            return None
        if a.population:
            from ..analysis.population import load_population

            return load_population(a.population)
        inv = self.inventory
        return inv.population_path if inv.has_population() else None

    def river(self) -> Any:
        a = self.args
        if a.river:
            return self.layer(a.river, "river", "river")
        if a.roads:
            return None
        return self.layer(None, "river", "river", required=False)


def illustrative(*frames: Any) -> bool:
    """True when any frame's ``data_source`` says the data is illustrative."""
    for f in frames:
        if f is not None and hasattr(f, "columns") and "data_source" in f.columns:
            if (f["data_source"].astype(str) == "illustrative").any():
                return True
    return False


def pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.1f}%"


def run(args: argparse.Namespace) -> int:
    say = step("读取输入 / reading the inputs", 0.0)
    from ..analysis.coverage import compute_coverage

    src = Inputs(args)
    fac = src.layer(args.facilities, "bus_stops", "facilities")
    area = src.layer(args.area, "urban_area", "area", required=args.area is not None)
    districts = src.layer(args.districts, "street_offices", "districts",
                          required=args.districts is not None)
    if area is None and districts is None:
        raise BadInput("area: no urban_area layer and no street offices; give --area FILE")
    roads = river = None
    if args.method == "network":
        roads = src.layer(args.roads, "roads", "roads")
        river = src.river()
    pop = src.population()
    res = compute_coverage(fac, area, radius=args.radius, method=args.method, roads=roads,
                           river=river, population=pop, districts=districts, cell=args.cell,
                           include_planned=args.include_planned, max_snap=args.max_snap,
                           progress=say.span(0.1, 0.9))
    if res.network_report is not None and not res.network_report.connected:
        rep = res.network_report
        log.warning(f"道路网络不连通 / the road network has {rep.n_components} "
                    f"components (largest {rep.component_sizes[0]} of {rep.n_nodes} nodes); "
                    "places on other components reach only facilities there")
    if res.summary["unreachable_facilities"]:
        ids = res.summary["unreachable_facilities"]
        log.warning(f"{len(ids)} 个设施无法接入路网 / facilities off the network "
                    f"(ignored): {', '.join(map(str, ids[:10]))}{' …' if len(ids) > 10 else ''}")
    if args.out:
        say(f"写出 / writing {args.out}", 0.9)
        res.to_geopackage(args.out, cells=not args.no_cells)
    if args.json:
        write_json(args.json, res.summary)
    default_stops = not args.facilities
    print(format_summary(res.summary, res.uncovered, bus=default_stops))
    if illustrative(fac, area, districts):
        print("注意:示例数据为示意数据,非实地调查 / Note: the sample data is illustrative, "
              "not surveyed.")
    return 0


def format_summary(s: dict[str, Any], uncovered: Any = None, *, bus: bool = True) -> str:
    """A short bilingual text summary of a coverage summary dict."""
    from .. import standards

    what = "公交站点覆盖率 / Bus-stop coverage" if bus else "设施覆盖率 / Facility coverage"
    how = "直线 straight line" if s["method"] == "euclidean" else "沿路网步行 walking"
    lines = [f"{what}: {how}, {s['radius_m']:g} m, 格网 cell {s['cell_m']:g} m, "
             f"设施 facilities {s['facilities']}"]
    km2 = 1e6
    lines.append(f"  面积覆盖率 / area share: {pct(s['area_share'])} "
                 f"({s['area_covered_m2'] / km2:.2f} / {s['area_total_m2'] / km2:.2f} km²)"
                 + (f"  [GB 50220 ≥ {pct(standards.BUS_COVERAGE_MIN_500.value)}; "
                    f"规划目标 plan {pct(standards.BUS_COVERAGE_PLAN.value)}]" if bus else ""))
    if s["population_total"] is not None:
        lines.append(f"  人口覆盖率 / population share: {pct(s['population_share'])} "
                     f"({s['population_covered']:,.0f} / {s['population_total']:,.0f})")
    r3 = s.get("radius_300")
    if r3:
        extra = f", 人口 population {pct(r3['population_share'])}" \
            if r3.get("population_total") is not None else ""
        lines.append(f"  {r3['radius_m']:g} m: 面积 area {pct(r3['area_share'])}{extra}"
                     + (f"  [GB 50220 ≥ {pct(r3['min_area_share'])}]" if bus else ""))
    for d in s["by_district"]:
        pop = f", 人口 {pct(d['population_share'])}" if d["population_total"] is not None else ""
        lines.append(f"    {d['name']} ({d['code']}): 面积 {pct(d['area_share'])}{pop}")
    if uncovered is not None and len(uncovered):
        big = uncovered.iloc[0]
        lines.append(f"  未覆盖 / uncovered: {len(uncovered)} 片 patches, "
                     f"{uncovered['area_m2'].sum() / km2:.2f} km²; 最大 largest "
                     f"{big['area_m2'] / km2:.2f} km²"
                     + (f" ({big.get('district_name') or big['district']})"
                        if big.get("district") else ""))
    if s["unreachable_facilities"]:
        lines.append(f"  无法接入路网 / off the network: {len(s['unreachable_facilities'])}")
    return "\n".join(lines)
