"""``zlt-assets coverage``: share of the urban area and of the population near a facility."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ._common import add_data_argument, log, step, write_json

NAME = "coverage"
ORDER = 30
HELP = "公交站点(或任意设施)覆盖率 / coverage of bus stops (or any facility layer)"
DESCRIPTION = """计算设施(默认公交站点)服务半径内的城区面积与人口占比:直线距离(官方指标)或沿路网步行距离。
输入默认取清单 GeoPackage 的图层(bus_stops、roads、urban_area、street_offices 及同目录的人口栅格);
也可用 GDAL 能读的任何矢量文件、任何坐标系;一旦给出任一文件,其余输入须同样给出、
来自 --data 指定的清单,或明确省略(--no-population、--no-districts),示例数据绝不悄悄混入。
计算在真实米制坐标系中进行(清单的 EPSG:4550 在其适用范围内,否则为数据所在的
CGCS2000 3 度带或局部横轴墨卡托;--crs 可指定)。
Share of the urban area and of the population within reach of a facility (bus stops by default),
by straight line (the official indicator) or walking along the road network. Inputs default to the
inventory's layers; any vector file GDAL reads, in any CRS. Once any input is a file, every other
one is a file too, comes from the inventory named with --data, or is left out explicitly: the
sample is never mixed in silently. The run computes in true metres (the inventory's EPSG:4550
where it is true, else the data's CGCS2000 3-degree zone or a local transverse Mercator; --crs
forces one); the JSON and the output layers name the CRS.

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
    add_network_arguments(parser)
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="JSON 汇总 / JSON summary ('-': standard output)")


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """CRS and road-network options shared by ``coverage`` and ``toilet-gaps``."""
    parser.add_argument("--crs", metavar="CRS", default=None,
                        help="计算坐标系 / compute in this metric CRS (e.g. EPSG:4549); default: "
                             "one whose scale error over the area is below 1e-4")
    parser.add_argument("--noding", choices=("auto", "crossings", "vertices"), default="auto",
                        help="路网连接方式 / crossings = 交叉即连接 (CAD lines), vertices = 仅共享"
                             "节点相连 (OpenStreetMap); auto detects and reports it")
    parser.add_argument("--level-field", metavar="FIELD", default=None,
                        help="道路层级字段 / numeric level field: lines on different levels join "
                             "only at end points (default: OSM layer/bridge/tunnel when present)")
    parser.add_argument("--snap-tolerance", type=float, default=None, metavar="M",
                        help="端点吸附容差 / end-point snapping tolerance for crossings noding "
                             "(default 1 m)")


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
    parser.add_argument("--no-districts", action="store_true",
                        help="不分街道 / no street offices: the area is the one district")


#: Inputs a command may take: (name, file option dest, leave-out option dest or None, words).
INPUT_NAMES = {
    "facilities": "facilities 设施", "roads": "roads 道路", "population": "population 人口",
    "area": "area 城区范围", "districts": "districts 街道办事处", "river": "river 河流",
}


class Inputs:
    """Resolve each input: a file given on the command line, else the inventory's layer.

    Files are read in their own CRS (the analysis chooses the CRS to compute in). When any input
    is a file, the others come from an inventory only when one was named (``--data`` or
    ``$ZLT_DATA``): the default sample is never mixed into a user's files.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._inv: Any = None
        self.from_inventory: list[str] = []

    @property
    def named_inventory(self) -> bool:
        """True when the user named an inventory (``--data`` or ``$ZLT_DATA``)."""
        import os

        from ..inventory import DATA_ENV

        return getattr(self.args, "data", None) is not None or bool(os.environ.get(DATA_ENV))

    @property
    def files_only(self) -> bool:
        """Some input is a file and no inventory was named: nothing comes from an inventory."""
        return any(getattr(self.args, n, None) for n in INPUT_NAMES) and not self.named_inventory

    def require_complete(self, needed: dict[str, str | None]) -> None:
        """Refuse a mix of files and the unnamed default inventory, listing what is missing.

        ``needed`` maps each input the run uses to the ``dest`` of its leave-out option (or None
        when it cannot be left out).
        """
        a = self.args
        files = [n for n in INPUT_NAMES if getattr(a, n, None)]
        if not files or self.named_inventory:
            return
        missing = []
        for name, leave in needed.items():
            if getattr(a, name, None) or (leave and getattr(a, leave, False)):
                continue
            hint = {"population": " (or none: area only)",
                    "districts": " (or none: the area is one district)"}.get(name, "")
            missing.append(INPUT_NAMES[name] + hint)
        if missing:
            raise BadInput(
                f"inputs given as files ({', '.join(files)}) but not: {'; '.join(missing)}. "
                "Give each as a file too, leave it out explicitly, or name the inventory the "
                "others come from with {option}; the illustrative sample is never mixed in",
                zh=f"已用文件给出部分输入({', '.join(files)}),但缺少:{';'.join(missing)}。"
                   "请同样以文件给出、明确省略,或用 {option} 指定其余输入所在的清单;"
                   "示例数据不会被悄悄混入",
                option="data")

    @property
    def inventory(self) -> Any:
        """The inventory the run reads from (opened on first use)."""
        if self._inv is None:
            from ..inventory import Inventory

            self._inv = Inventory.open(getattr(self.args, "data", None))
        return self._inv

    def declared_crs(self) -> Any:
        """The metric CRS of the inventory the run took inputs from (None when it took none)."""
        if not self.from_inventory:
            return None
        from ..schema import PROJECT_CRS

        inv = self.inventory
        # a GeoPackage declares its CRS through its layers; PostGIS inventories are EPSG:4550
        crs = inv.metric_crs if getattr(inv, "backend", "gpkg") == "gpkg" else None
        return crs or PROJECT_CRS

    def layer(self, value: str | None, layer: str, what: str, *, required: bool = True) -> Any:
        """The file ``value`` in its own CRS, else the inventory layer (None when absent)."""
        from ..analysis.inputs import read_vector

        if value:
            return read_vector(value, what=what, crs=None)
        if self.files_only:
            return None  # require_complete has refused what must not be missing
        inv = self.inventory
        if not inv.has(layer):
            if required:
                raise BadInput(f"{what}: layer {layer!r} is missing from {inv.label}; "
                               f"give a file with the matching option")
            return None
        self.from_inventory.append(layer)
        return inv.read(layer)

    def population(self) -> Any:
        """The population source: a path, or None."""
        a = self.args
        if getattr(a, "no_population", False):
            return None
        if a.population:
            return a.population  # a path: read by the analysis, in the run's CRS
        if self.files_only:
            return None  # files without an inventory: require_complete decided
        inv = self.inventory
        if inv.has_population():
            self.from_inventory.append("population")
            return inv.population_path
        return None

    def districts(self, *, required: bool = False) -> Any:
        """The street offices, or None when left out."""
        a = self.args
        if getattr(a, "no_districts", False):
            return None
        return self.layer(a.districts, "street_offices", "districts",
                          required=required or a.districts is not None)

    def river(self) -> Any:
        """The river layer, from the inventory only when the roads come from it."""
        a = self.args
        if a.river:
            return self.layer(a.river, "river", "river")
        if a.roads:
            return None
        return self.layer(None, "river", "river", required=False)

    def used_sample(self) -> bool:
        """True when something came from the shipped (illustrative) sample inventory."""
        if not self.from_inventory:
            return False
        from ..inventory import sample_path

        try:
            return Path(str(self.inventory.label)).resolve() == sample_path().resolve()
        except (OSError, ValueError):
            return False


def illustrative(*frames: Any, src: Inputs | None = None) -> bool:
    """True when illustrative data took part: the sample inventory, or a frame whose
    ``data_source`` says so.
    """
    if src is not None and src.used_sample():
        return True
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
    needed: dict[str, str | None] = {"facilities": None, "population": "no_population",
                                     "districts": "no_districts"}
    if args.method == "network":
        needed["roads"] = None
    if not args.districts:
        needed["area"] = None  # with districts, the area defaults to their union
    src.require_complete(needed)
    fac = src.layer(args.facilities, "bus_stops", "facilities")
    area = src.layer(args.area, "urban_area", "area", required=args.area is not None)
    districts = src.districts()
    if area is None and districts is None:
        raise BadInput("area: no urban_area layer and no street offices; give {option} FILE",
                       zh="没有城区范围,也没有街道办事处:请用 {option} 给出文件", option="area")
    roads = river = None
    if args.method == "network":
        roads = src.layer(args.roads, "roads", "roads")
        river = src.river()
    pop = src.population()
    res = compute_coverage(fac, area, radius=args.radius, method=args.method, roads=roads,
                           river=river, population=pop, districts=districts, cell=args.cell,
                           include_planned=args.include_planned, max_snap=args.max_snap,
                           progress=say.span(0.1, 0.9), crs=args.crs, declared_crs=src.declared_crs(),
                           noding=args.noding, level_field=args.level_field,
                           snap_tolerance=args.snap_tolerance)
    warn_crs(res.summary["crs"])
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
    if illustrative(fac, area, districts, src=src):
        print("注意:示例数据为示意数据,非实地调查 / Note: the sample data is illustrative, "
              "not surveyed.")
    return 0


def warn_crs(crs: dict[str, Any]) -> None:
    """Say on stderr when a forced CRS is not true over the data."""
    if crs["max_scale_error"] >= crs["max_scale_error_allowed"]:
        log.warning(f"坐标系 {crs['label']} 在数据范围内尺度误差达 {crs['max_scale_error']:.1e} / "
                    f"the forced CRS {crs['label']} stretches metres by up to "
                    f"{crs['max_scale_error']:.1e} over the data")


def format_summary(s: dict[str, Any], uncovered: Any = None, *, bus: bool = True) -> str:
    """A short bilingual text summary of a coverage summary dict."""
    from .. import standards

    what = "公交站点覆盖率 / Bus-stop coverage" if bus else "设施覆盖率 / Facility coverage"
    how = "直线 straight line" if s["method"] == "euclidean" else "沿路网步行 walking"
    lines = [f"{what}: {how}, {s['radius_m']:g} m, 格网 cell {s['cell_m']:g} m, "
             f"设施 facilities {s['facilities']}"]
    if s.get("crs"):
        lines.append(f"  坐标系 / CRS: {s['crs']['label']} ({s['crs']['reason']}, 尺度误差 "
                     f"scale error ≤ {s['crs']['max_scale_error']:.1e})")
    net = s.get("network")
    if net:
        lines.append(f"  路网 / network: {net['noding']}"
                     f"{' (自动判断 detected)' if net['noding_detected'] else ''}, 吸附 snapped "
                     f"{net['snapped_endpoints']} ({net['tolerance_m']:g} m), 新建连接 junctions "
                     f"{net['junctions_created']}, 交叉打断 crossings {net['crossings_noded']}, "
                     f"分层未连接 grade-separated {net['grade_separated']}")
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
