"""Scorecard core: every target on small crafted inventories whose answers are known.

The crafted inventory (``make_layers``) is a 1 km x 1 km urban area split into two street offices
(west 150783001 兴华, east 150783002 正阳), with 1,000 residents on a 100 m population grid:

* 4 facade-lighting buildings: B1 completed 2019-08-15, B2 accepted 2020-06-30, B3 completed
  2020-10-05, B4 under construction -> 3 done at 2020-12-31, 2 at 2020-07-01, 0 at 2019-05-01.
  Renovation: B1 accepted 2019-10-01, B2 under construction -> 1 done of 2.
* 4 bridges, 3 in the lighting plan: completed 2019-09-01, 2020-05-01, planned -> 2 lit.
* roads: P01 = two new segments (done 2019-09-30 and 2020-04-15), P02 = a rebuilt segment
  (done 2020-09-20, no bike lane: allowed, it is not new), P03 = a new segment under construction
  without sidewalk, plus an existing 1,000 m branch road. Road area (red line x length) existing
  at year end 42,000 m2 -> 42.0 m2 per resident. Lamps on main/secondary 50 required, 49
  installed, 48 lit -> 96 % lit. Sweeping 2,000 of 2,400 m -> 83.33 %.
* parks: 10,000 m2 park + 20,000 m2 protective + a park half outside the urban area (5,000 m2
  inside) -> green ratio 3.5 %, park 15.0 m2 per resident.
* waterlogging points: fixed 2020-05-01, fixed without date (updated 2020-11-01), in progress
  -> 2 of 3 at year end, 1 of 3 at 2020-06-01 (plus a rain inlet that does not count).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, MultiPolygon, Point, box

from zlt_assets import plan, schema
from zlt_assets.analysis import scorecard as sc
from zlt_assets.inventory import Inventory, write_layers

X0, Y0 = 480_000.0, 5_316_000.0
CRS = schema.PROJECT_CRS
UPDATED = "2020-12-15"


def _oid(layer: str, n: int, rec: dict[str, Any] | None = None) -> str:
    lyr = schema.layer(layer)
    code = lyr.component_code_for(rec or {}) or lyr.component_codes()[0]
    return schema.make_object_id(code, n)


def _gdf(layer: str, rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    lyr = schema.layer(layer)
    cols = list(lyr.field_names)
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=CRS)
    geoms = [r.pop("geometry") for r in rows]
    data = {c: [r.get(c) for r in rows] for c in cols}
    return gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)


def _asset(layer: str, n: int, name: str, office: str, dept: str, status: str | None,
           done: str | None, geometry: Any, **kw: Any) -> dict[str, Any]:
    rec = {"name": name, "street_office": office, "department": dept, "status": status,
           "completed_date": done, "data_source": "illustrative", "updated": UPDATED,
           "geometry": geometry, **kw}
    rec["obj_id"] = _oid(layer, n, rec)
    return rec


def _bld(n: int, office: str, status: str, done: str | None, *, renovation: bool = False,
         rstatus: str | None = None, rdate: str | None = None) -> dict[str, Any]:
    x = X0 + 50 + n * 100
    return _asset("facade_lighting_buildings", n, f"楼{n}", office, "zjj", status, done,
                  box(x, Y0 + 50, x + 20, Y0 + 70), street_group="zhongyang",
                  street_name="中央路", floors=5, renovation=renovation,
                  renovation_status=rstatus, renovation_date=rdate)


def _road(n: int, name: str, office: str, *, works: str, status: str | None, done: str | None,
          length: float, red: float, cls: str, plan_road: str | None = None,
          bike: bool = True, sidewalk: bool = True, barrier: bool = True,
          lamps: tuple[int, int, int] | None = None, swept: bool = False) -> dict[str, Any]:
    y = Y0 + 100 + n * 100
    req, inst, lit = lamps if lamps else (None, None, None)
    return _asset("roads", n, name, office, "zjj", status, done,
                  LineString([(X0, y), (X0 + length, y)]), road_class=cls, length_m=length,
                  red_line_width_m=red, carriageway_width_m=red / 2, works=works,
                  plan_road=plan_road, bike_lane=bike, sidewalk=sidewalk, barrier_free=barrier,
                  lamps_required=req, lamps_installed=inst, lamps_lit=lit, mech_sweeping=swept)


def make_layers() -> dict[str, gpd.GeoDataFrame]:
    """The crafted inventory described in the module docstring."""
    w, e = "150783001", "150783002"
    buildings = [
        _bld(1, w, "completed", "2019-08-15", renovation=True, rstatus="accepted",
             rdate="2019-10-01"),
        _bld(2, w, "accepted", "2020-06-30", renovation=True, rstatus="under_construction"),
        _bld(3, e, "completed", "2020-10-05"),
        _bld(4, e, "under_construction", None),
    ]
    buildings[3]["updated"] = "2020-12-20"  # the latest updated date: default as-of
    bridges = []
    for i, (st, d, planned) in enumerate([("completed", "2019-09-01", True),
                                          ("completed", "2020-05-01", True),
                                          ("planned", None, True),
                                          ("completed", "2019-07-01", False)], start=1):
        x = X0 + 100 * i
        bridges.append(_asset("bridges", i, f"桥{i}", w, "zjj", st, d,
                              LineString([(x, Y0 + 900), (x, Y0 + 950)]), plan_lighting=planned,
                              length_m=50.0, hazard_status="none"))
    roads = [
        _road(1, "一号路西段", w, works="new", status="completed", done="2019-09-30", length=500,
              red=20, cls="main", plan_road="P01", lamps=(20, 20, 20), swept=True),
        _road(2, "一号路东段", e, works="new", status="accepted", done="2020-04-15", length=500,
              red=20, cls="main", plan_road="P01", lamps=(20, 20, 19), swept=True),
        _road(3, "二号路", w, works="rebuilt", status="completed", done="2020-09-20", length=400,
              red=30, cls="secondary", plan_road="P02", bike=False, barrier=False,
              lamps=(10, 9, 9)),
        _road(4, "三号路", e, works="new", status="under_construction", done=None, length=300,
              red=15, cls="branch", plan_road="P03", sidewalk=False),
        _road(5, "老街", w, works="none", status=None, done=None, length=1000, red=10,
              cls="branch", swept=True),
    ]
    stops = [
        _asset("bus_stops", 1, "站1", w, "jtj", "in_service", None, Point(X0 + 250, Y0 + 500),
               routes="1", shelter=True),
        _asset("bus_stops", 2, "站2", e, "jtj", "in_service", "2021-01-01",
               Point(X0 + 750, Y0 + 500), routes="1", shelter=False),
    ]
    drains = []
    for i, (dtype, rs, rd, upd) in enumerate([
            ("waterlogging", "fixed", "2020-05-01", UPDATED),
            ("waterlogging", "fixed", None, "2020-11-01"),
            ("waterlogging", "in_progress", None, UPDATED),
            ("rain_inlet", None, None, UPDATED)], start=1):
        rec = _asset("drainage_points", i, f"点{i}", e if i == 3 else w, "cgzfj", "in_service",
                     None, Point(X0 + 100 * i, Y0 + 300), drainage_type=dtype, remedy_status=rs,
                     remedy_date=rd)
        rec["updated"] = upd
        drains.append(rec)
    offices = [
        {"code": w, "name": "兴华街道", "land_use": "R", "crowded": False,
         "data_source": "illustrative",
         "geometry": MultiPolygon([box(X0, Y0, X0 + 500, Y0 + 1000)])},
        {"code": e, "name": "正阳街道", "land_use": "R", "crowded": False,
         "data_source": "illustrative",
         "geometry": MultiPolygon([box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)])},
    ]
    urban = [{"name": "城区", "data_source": "illustrative",
              "geometry": MultiPolygon([box(X0, Y0, X0 + 1000, Y0 + 1000)])}]
    parks = [
        {"name": "公园1", "green_type": "park", "street_office": w, "data_source": "illustrative",
         "geometry": MultiPolygon([box(X0 + 100, Y0 + 600, X0 + 200, Y0 + 700)])},
        {"name": "防护绿地", "green_type": "protective", "street_office": e,
         "data_source": "illustrative",
         "geometry": MultiPolygon([box(X0 + 600, Y0 + 600, X0 + 800, Y0 + 700)])},
        {"name": "河滨公园", "green_type": "park", "street_office": e,
         "data_source": "illustrative",
         "geometry": MultiPolygon([box(X0 + 950, Y0 + 800, X0 + 1050, Y0 + 900)])},
    ]
    return {
        "facade_lighting_buildings": _gdf("facade_lighting_buildings", buildings),
        "bridges": _gdf("bridges", bridges),
        "roads": _gdf("roads", roads),
        "bus_stops": _gdf("bus_stops", stops),
        "drainage_points": _gdf("drainage_points", drains),
        "street_offices": _gdf("street_offices", offices),
        "urban_area": _gdf("urban_area", urban),
        "parks": _gdf("parks", parks),
    }


def write_inventory(folder: Path, layers: dict[str, gpd.GeoDataFrame] | None = None, *,
                    population: float | None = 10.0, name: str = "crafted.gpkg") -> Path:
    """Write the crafted layers (and a 10 x 10 population grid of ``population`` per cell)."""
    path = folder / name
    write_layers(path, layers if layers is not None else make_layers(), replace_file=True)
    if population is not None:
        import rasterio
        from rasterio.transform import from_origin

        arr = np.full((10, 10), population, dtype="float32")
        with rasterio.open(path.with_name(path.stem + schema.POPULATION.suffix), "w",
                           driver="GTiff", width=10, height=10, count=1, dtype="float32",
                           crs=CRS, transform=from_origin(X0, Y0 + 1000, 100, 100),
                           nodata=-1) as dst:
            dst.write(arr, 1)
    return path


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inventory(tmp_path_factory.mktemp("scorecard"))


@pytest.fixture(scope="module")
def card(crafted: Path) -> sc.Scorecard:
    return sc.compute_scorecard(crafted, "2020-12-31")


# ------------------------------------------------------------------------ targets at year end
def test_every_plan_target_appears_in_plan_order(card: sc.Scorecard) -> None:
    assert [t.id for t in card.targets] == list(plan.TARGETS)
    for t in card.targets:
        assert (t.value is None) == (t.status == sc.NOT_MEASURABLE)
        assert t.departments and all(d["zh"] and d["en"] for d in t.departments)


def test_facade_lighting_and_renovation(card: sc.Scorecard) -> None:
    t = card.target("facade_lighting")
    assert t.value == 3 and t.target == 190 and t.status == sc.NOT_MET
    assert t.evidence["in_inventory"] == 4 and t.evidence["not_done"] == 1
    r = card.target("facade_renovation")
    assert r.value == 1 and r.evidence["in_inventory"] == 2 and r.target == 31
    unmet = {(u["target_id"], u["obj_id"]) for u in card.unmet_assets}
    assert ("facade_lighting", _oid("facade_lighting_buildings", 4)) in unmet
    assert ("facade_renovation", _oid("facade_lighting_buildings", 2)) in unmet
    assert ("facade_lighting", _oid("facade_lighting_buildings", 1)) not in unmet


def test_bridges_lit_only_plan_bridges(card: sc.Scorecard) -> None:
    t = card.target("bridge_lighting")
    assert t.value == 2 and t.evidence["in_inventory"] == 3 and t.status == sc.NOT_MET
    # the crafted bridges are named 桥1..桥4, not the plan's three
    assert t.evidence["plan_bridges_not_in_inventory"] == list(plan.PLAN_BRIDGES)
    assert [u["obj_id"] for u in card.unmet_assets if u["target_id"] == "bridge_lighting"] == [
        _oid("bridges", 3)]


def test_roads_done_and_new_road_without_sidewalk_listed(card: sc.Scorecard) -> None:
    t = card.target("roads_built")
    assert t.value == 2 and t.evidence["plan_roads_done_list"] == ["P01", "P02"]
    lacking = t.evidence["new_segments_missing_features"]
    assert [(x["obj_id"], x["name"], x["missing"]) for x in lacking] == [
        (_oid("roads", 4), "三号路", ["sidewalk"])]
    reasons = [u["reason_en"] for u in card.unmet_assets
               if u["target_id"] == "roads_built" and u["obj_id"] == _oid("roads", 4)]
    assert "new road lacks sidewalk" in reasons


def test_road_area_per_capita_uses_red_line_width(card: sc.Scorecard) -> None:
    t = card.target("road_area_per_capita")
    assert t.evidence["width_used"] == "red_line_width_m"
    assert t.evidence["red_line_area_m2"] == pytest.approx(42_000)
    assert t.evidence["population"] == pytest.approx(1000)
    assert t.value == pytest.approx(42.0) and t.status == sc.MET
    assert t.evidence["carriageway_area_per_capita_m2"] == pytest.approx(21.0)


def test_road_lighting_sums_lamps_of_main_and_secondary(card: sc.Scorecard) -> None:
    t = card.target("road_lighting")
    ev = t.evidence
    assert (ev["lamps_required"], ev["lamps_installed"], ev["lamps_lit"]) == (50, 49, 48)
    assert t.value == pytest.approx(96.0) and ev["installed_pct"] == pytest.approx(98.0)
    assert t.status == sc.NOT_MET
    ids = sorted(u["obj_id"] for u in card.unmet_assets if u["target_id"] == "road_lighting")
    assert ids == [_oid("roads", 2), _oid("roads", 3)]


def test_mech_sweeping_share_by_length(card: sc.Scorecard) -> None:
    t = card.target("mech_sweeping")
    assert t.evidence["length_m"] == pytest.approx(2400)
    assert t.value == pytest.approx(2000 / 2400 * 100) and t.status == sc.MET


def test_green_ratio_and_park_per_capita(card: sc.Scorecard) -> None:
    g = card.target("green_ratio")
    assert g.evidence["green_area_m2"] == pytest.approx(35_000)
    assert g.value == pytest.approx(3.5) and g.status == sc.NOT_MET
    p = card.target("park_per_capita")
    assert p.value == pytest.approx(15.0) and p.status == sc.NOT_MET


def test_waterlogging_fixed_share(card: sc.Scorecard) -> None:
    t = card.target("waterlogging_fixed")
    assert t.evidence["waterlogging_points"] == 3 and t.evidence["fixed"] == 2
    assert t.value == pytest.approx(200 / 3)


def test_targets_outside_the_inventory_are_not_measurable(card: sc.Scorecard) -> None:
    for tid in ("road_cleanliness", "site_dust", "owners_committees", "waste_recycling",
                "sewage_treatment", "sponge_city", "no_illegal_construction"):
        t = card.target(tid)
        assert t.status == sc.NOT_MEASURABLE and t.value is None
        assert t.needs_zh and t.needs_en.startswith("needs")


def test_breakdowns(card: sc.Scorecard) -> None:
    rows = {r["code"]: r for r in card.by_district}
    assert list(rows)[:7] == list(schema.STREET_OFFICES.codes)
    west, east = rows["150783001"], rows["150783002"]
    assert (west["facade_lighting_done"], west["facade_lighting_total"]) == (2, 2)
    assert (east["facade_lighting_done"], east["facade_lighting_total"]) == (1, 2)
    assert east["new_road_segments_missing_features"] == 1
    # west: parks 10,000 m2 of 500,000; east: 20,000 + 5,000 of 500,000
    assert west["green_ratio_pct"] == pytest.approx(2.0)
    assert east["green_ratio_pct"] == pytest.approx(5.0)
    assert west["mech_sweeping_pct"] == pytest.approx(1500 / 1900 * 100, abs=0.01)
    assert rows["150783003"]["facade_lighting_total"] is None
    depts = {r["code"]: r for r in card.by_department}
    assert set(depts) == set(schema.DEPARTMENTS.codes)
    assert "facade_lighting" in depts["zjj"]["targets_not_met"]
    assert depts["jtj"]["targets"] == ["bus_stop_coverage"]
    assert depts["cgzfj"]["works_items"] == 3 and depts["cgzfj"]["works_items_done"] == 2
    for u in card.unmet_assets:
        assert u["obj_id"], u


def test_to_dict_is_plain_json(card: sc.Scorecard) -> None:
    d = card.to_dict()
    text = json.dumps(d, ensure_ascii=False)
    back = json.loads(text)
    assert back["as_of"] == "2020-12-31" and back["phase"]["key"] == "inspection"
    assert back["illustrative"] is True and "示意数据" in back["notice_zh"]
    for t in back["targets"]:
        assert {"id", "section", "name_zh", "name_en", "target", "value", "unit", "status",
                "departments", "evidence"} <= set(t)


# ------------------------------------------------------------------------ as-of dates
def test_as_of_before_inside_and_after_the_works(crafted: Path) -> None:
    before = sc.compute_scorecard(crafted, "2019-05-01")
    assert before.phase["key"] == "launch"
    assert before.target("facade_lighting").value == 0
    assert before.target("roads_built").value == 0
    assert before.target("waterlogging_fixed").value == 0

    inside = sc.compute_scorecard(crafted, dt.date(2020, 7, 1))
    assert inside.phase["key"] == "works" and inside.phase["zh"] == "综合治理"
    assert inside.target("facade_lighting").value == 2
    assert inside.target("bridge_lighting").value == 2
    assert inside.target("roads_built").value == 1  # P01 only; P02 done 2020-09-20
    assert inside.target("waterlogging_fixed").value == pytest.approx(100 / 3)
    # 2020-07-01: new P01 both segments exist, P03 not: 10,000 + 10,000 + 12,000 + 10,000
    assert inside.target("road_area_per_capita").value == pytest.approx(42.0)
    b3 = [u for u in inside.unmet_assets if u["obj_id"] == _oid("facade_lighting_buildings", 3)]
    assert b3 and "after the as-of date" in b3[0]["reason_en"]

    early = sc.compute_scorecard(crafted, "2020-01-01")
    assert early.target("road_area_per_capita").value == pytest.approx(32.0)

    after = sc.compute_scorecard(crafted, "2021-06-30")
    assert after.phase["key"] == "after" and after.target("facade_lighting").value == 3

    pre = sc.compute_scorecard(crafted, "2019-01-01")
    assert pre.phase["key"] == "before"


def test_default_as_of_is_latest_updated_date(crafted: Path) -> None:
    card = sc.compute_scorecard(crafted)
    assert card.as_of == "2020-12-20" and card.as_of_source == "data"
    assert card.phase["key"] == "inspection"
    assert any("2020-12-20" in n["en"] for n in card.notes)


def test_progress_series_cumulative_by_month(card: sc.Scorecard) -> None:
    prog = {p["target_id"]: p for p in card.progress}
    assert set(prog) >= {"facade_lighting", "roads_built"}
    fl = prog["facade_lighting"]
    assert fl["months"][0] == "2019-04" and fl["months"][-1] == "2020-12"
    by_month = dict(zip(fl["months"], fl["cumulative"], strict=True))
    assert by_month["2019-07"] == 0 and by_month["2019-08"] == 1
    assert by_month["2020-06"] == 2 and by_month["2020-10"] == 3 and fl["target"] == 190
    rd = dict(zip(prog["roads_built"]["months"], prog["roads_built"]["cumulative"], strict=True))
    assert rd["2020-03"] == 0 and rd["2020-04"] == 1 and rd["2020-09"] == 2


def test_bad_as_of_is_bad_input(crafted: Path) -> None:
    from zlt_assets.errors import BadInput

    with pytest.raises(BadInput, match="YYYY-MM-DD"):
        sc.compute_scorecard(crafted, "31/12/2020")


# ------------------------------------------------------------------------ missing data
def test_missing_population_makes_per_capita_targets_not_measurable(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, population=None)
    card = sc.compute_scorecard(path, "2020-12-31")
    for tid in ("road_area_per_capita", "park_per_capita"):
        t = card.target(tid)
        assert t.status == sc.NOT_MEASURABLE and t.value is None
        assert "population" in t.needs_en
    assert card.target("green_ratio").value == pytest.approx(3.5)


def test_missing_layer_and_field_are_not_measurable(tmp_path: Path) -> None:
    layers = make_layers()
    del layers["parks"]
    layers["roads"] = layers["roads"].drop(columns=["mech_sweeping"])
    layers["drainage_points"] = layers["drainage_points"].drop(columns=["remedy_status"])
    card = sc.compute_scorecard(write_inventory(tmp_path, layers), "2020-12-31")
    for tid, word in (("green_ratio", "parks"), ("park_per_capita", "parks"),
                      ("mech_sweeping", "mech_sweeping"), ("waterlogging_fixed", "remedy_status")):
        t = card.target(tid)
        assert t.status == sc.NOT_MEASURABLE and t.value is None, tid
        assert word in t.needs_en, (tid, t.needs_en)
    assert card.target("facade_lighting").value == 3  # the rest still computed


def test_no_lamp_data_is_not_measurable_not_zero(tmp_path: Path) -> None:
    layers = make_layers()
    for c in ("lamps_required", "lamps_installed", "lamps_lit"):
        layers["roads"][c] = None
    card = sc.compute_scorecard(write_inventory(tmp_path, layers), "2020-12-31")
    t = card.target("road_lighting")
    assert t.status == sc.NOT_MEASURABLE and t.value is None


def test_all_done_meets_the_count_targets(tmp_path: Path) -> None:
    """190 done buildings meet the target; 189 do not."""
    rows = [_bld(i, "150783001", "accepted", "2020-06-01") for i in range(1, 191)]
    layers = {"facade_lighting_buildings": _gdf("facade_lighting_buildings", rows)}
    card = sc.compute_scorecard(write_inventory(tmp_path, layers, population=None), "2020-12-31")
    assert card.target("facade_lighting").value == 190
    assert card.target("facade_lighting").status == sc.MET
    card2 = sc.compute_scorecard(write_inventory(tmp_path, layers, population=None), "2020-05-31")
    assert card2.target("facade_lighting").value == 0
    # no roads layer: every road target is not measurable, with the reason
    assert card.target("roads_built").status == sc.NOT_MEASURABLE
    assert "roads" in card.target("roads_built").needs_en


def test_undated_done_work_counts_from_its_updated_date(tmp_path: Path) -> None:
    rows = [_bld(1, "150783001", "completed", None)]
    rows[0]["updated"] = "2020-03-10"
    layers = {"facade_lighting_buildings": _gdf("facade_lighting_buildings", rows)}
    path = write_inventory(tmp_path, layers, population=None)
    assert sc.compute_scorecard(path, "2020-03-09").target("facade_lighting").value == 0
    t = sc.compute_scorecard(path, "2020-03-10").target("facade_lighting")
    assert t.value == 1 and t.evidence["done_dated_by_updated"] == 1


def test_scorecard_accepts_an_opened_inventory(crafted: Path) -> None:
    card = sc.compute_scorecard(Inventory.open(crafted), "2020-12-31")
    assert card.target("facade_lighting").value == 3


# ------------------------------------------------------------------------ bus stops
class _FakeCoverage:
    """Stands in for the coverage engine to check what the scorecard passes and reads."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def compute_coverage(self, facilities, area, **kw):
        self.calls.append({"facilities": facilities, "area": area, **kw})
        n = len(facilities)

        summary = {
            "method": kw["method"], "radius_m": kw["radius"], "area_total_m2": 1e6,
            "area_covered_m2": 4e5 * n, "area_share": 0.4 * n, "population_total": 1000.0,
            "population_covered": 300.0 * n, "population_share": 0.3 * n,
            "by_district": [
                {"name": "兴华街道", "code": "150783001", "area_share": 0.8,
                 "population_share": 0.6},
                {"name": "正阳街道", "code": "150783002", "area_share": 0.0 + 0.8 * (n - 1),
                 "population_share": 0.0},
            ],
            "facilities": n, "unreachable_facilities": 0,
        }
        return SimpleNamespace(summary=summary)


def test_bus_stop_target_uses_stops_in_service_at_the_date(
        crafted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    fake = _FakeCoverage()
    mod = types.ModuleType("zlt_assets.analysis.coverage")
    mod.compute_coverage = fake.compute_coverage  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "zlt_assets.analysis.coverage", mod)
    import zlt_assets.analysis as analysis_pkg

    monkeypatch.setattr(analysis_pkg, "coverage", mod, raising=False)

    card = sc.compute_scorecard(crafted, "2020-12-31")
    call = fake.calls[-1]
    # stop 2 enters service 2021-01-01: only stop 1 counts at year end
    assert list(call["facilities"]["obj_id"]) == [_oid("bus_stops", 1)]
    assert call["radius"] == 500 and call["method"] == "euclidean"
    assert call["population"].endswith("_population.tif")
    assert set(call["districts"]["code"]) == {"150783001", "150783002"}
    t = card.target("bus_stop_coverage")
    assert t.value == pytest.approx(40.0) and t.status == sc.NOT_MET
    assert t.evidence["population_pct"] == pytest.approx(30.0)
    assert t.evidence["stops_in_service"] == 1
    rows = {r["code"]: r for r in card.by_district}
    assert rows["150783001"]["bus_coverage_area_pct"] == pytest.approx(80.0)
    unmet = [u for u in card.unmet_assets if u["target_id"] == "bus_stop_coverage"]
    assert {u["obj_id"] for u in unmet} == {"150783001", "150783002"}

    later = sc.compute_scorecard(crafted, "2021-02-01")
    assert len(fake.calls[-1]["facilities"]) == 2
    assert later.target("bus_stop_coverage").value == pytest.approx(80.0)

    assert sc.compute_scorecard(crafted, "2019-01-01").target("bus_stop_coverage").value == \
        pytest.approx(40.0)  # stop 1 has no start date: existing stock, in service throughout


def test_core_imports_no_face() -> None:
    """The scorecard core loads neither matplotlib, folium, QGIS nor the CLI."""
    import subprocess
    import sys

    code = ("import sys, zlt_assets.analysis.scorecard; "
            "bad = [m for m in ('matplotlib', 'folium', 'qgis', 'zlt_assets.cli', "
            "'zlt_assets.reports') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_bus_stop_coverage_with_the_coverage_engine(crafted: Path) -> None:
    """One stop in service at (250, 500) in the 1 km square: the 500 m disc's share."""
    from shapely.geometry import box as _box

    card = sc.compute_scorecard(crafted, "2020-12-31")
    t = card.target("bus_stop_coverage")
    disc = Point(X0 + 250, Y0 + 500).buffer(500, 256)
    expected_area = 100 * disc.intersection(_box(X0, Y0, X0 + 1000, Y0 + 1000)).area / 1e6
    assert t.value == pytest.approx(expected_area, abs=1.0)  # 25 m sampling grid
    assert t.status == sc.NOT_MET and t.evidence["method"] == "euclidean"
    # population: 100 m cells of 10 residents, counted when the cell centre is within 500 m
    cx, cy = np.meshgrid(np.arange(50, 1000, 100), np.arange(50, 1000, 100))
    inside = ((cx - 250) ** 2 + (cy - 500) ** 2) <= 500 ** 2
    assert t.evidence["population_pct"] == pytest.approx(100 * inside.mean(), abs=0.01)
    rows = {r["code"]: r for r in card.by_district}
    assert rows["150783001"]["bus_coverage_area_pct"] > rows["150783002"]["bus_coverage_area_pct"]
    # network distance is never shorter than the straight line
    net = sc.compute_scorecard(crafted, "2020-12-31", coverage_method="network")
    assert net.target("bus_stop_coverage").value <= t.value


def test_completion_on_the_as_of_date_counts(crafted: Path) -> None:
    """B3 completed 2020-10-05: not done the day before, done on the day."""
    assert sc.compute_scorecard(crafted, "2020-10-04").target("facade_lighting").value == 2
    assert sc.compute_scorecard(crafted, "2020-10-05").target("facade_lighting").value == 3


def test_an_unreadable_layer_makes_only_its_targets_not_measurable(tmp_path: Path) -> None:
    layers = make_layers()
    layers["parks"] = layers["parks"].set_crs(None, allow_override=True)
    path = tmp_path / "nocrs.gpkg"
    write_inventory(tmp_path, {k: v for k, v in layers.items() if k != "parks"}, name=path.name)
    import pyogrio

    pyogrio.write_dataframe(layers["parks"], path, layer="parks", driver="GPKG")
    card = sc.compute_scorecard(path, "2020-12-31")
    g = card.target("green_ratio")
    assert g.status == sc.NOT_MEASURABLE and "cannot be read" in g.needs_en
    assert card.target("facade_lighting").value == 3
    assert any("parks" in n["en"] for n in card.notes)


def test_per_capita_indicators_by_street_office(card: sc.Scorecard) -> None:
    """Residents per office from the grid (cell centres), road and park area per office."""
    rows = {r["code"]: r for r in card.by_district}
    west, east = rows["150783001"], rows["150783002"]
    assert (west["population"], east["population"]) == (500, 500)
    # west: 500 x 20 + 400 x 30 + 1,000 x 10 = 32,000 m2; east: 500 x 20 (P03 not built yet)
    assert west["road_area_per_capita"] == pytest.approx(64.0)
    assert east["road_area_per_capita"] == pytest.approx(20.0)
    # west: a 10,000 m2 park; east: the half of 河滨公园 inside the urban area, 5,000 m2
    assert west["park_per_capita"] == pytest.approx(20.0)
    assert east["park_per_capita"] == pytest.approx(10.0)
    assert rows["150783003"]["population"] is None


def test_population_sum_by_polygon_counts_each_centre_once() -> None:
    from zlt_assets.analysis.population import PopulationInput, sum_by_polygon

    pop = PopulationInput(np.array([5.0, 15.0, 25.0, 99.0]), np.array([5.0, 5.0, 5.0, 99.0]),
                          np.array([1.0, 2.0, 4.0, 8.0]))
    polys = gpd.GeoDataFrame({"code": ["a", "b"]},
                             geometry=[box(0, 0, 20, 10), box(10, 0, 30, 10)], crs=CRS)
    # 15,5 lies in both: it counts once, for the first polygon; 99,99 lies in none
    assert sum_by_polygon(pop, polys, "code") == {"a": 3.0, "b": 4.0}
