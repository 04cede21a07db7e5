"""Coverage: answers known by construction, properties, inputs, CLI on crafted files and sample."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from zlt_assets.analysis.coverage import compute_coverage
from zlt_assets.analysis.network import build_network
from zlt_assets.analysis.population import PopulationInput, load_population
from zlt_assets.errors import BadInput

CRS = "EPSG:4550"
CONTRACT = {"method", "radius_m", "area_total_m2", "area_covered_m2", "area_share",
            "population_total", "population_covered", "population_share", "by_district",
            "facilities", "unreachable_facilities"}
DISTRICT_KEYS = {"name", "code", "area_total_m2", "area_covered_m2", "area_share",
                 "population_total", "population_covered", "population_share"}


def points(xy, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.Point(p) for p in xy], crs=CRS)


def polys(*boxes, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.box(*b) for b in boxes], crs=CRS)


def grid_roads(n: int, step: float) -> gpd.GeoDataFrame:
    h = [shapely.LineString([(0, i * step), (n * step, i * step)]) for i in range(n + 1)]
    v = [shapely.LineString([(i * step, 0), (i * step, n * step)]) for i in range(n + 1)]
    return gpd.GeoDataFrame(geometry=h + v, crs=CRS)


# ------------------------------------------------------------------ known by construction
N, STEP, R = 20, 100.0, 500.0


@pytest.fixture(scope="module")
def street_grid():
    """21 x 21 crossings 100 m apart, one stop at the central crossing, one person per crossing."""
    ij = np.array([(i, j) for i in range(N + 1) for j in range(N + 1)])
    pop = PopulationInput(ij[:, 0] * STEP, ij[:, 1] * STEP, np.ones(len(ij)), "crossings")
    stop = points([(N / 2 * STEP, N / 2 * STEP)], obj_id=["S"])
    area = polys((-1, -1, N * STEP + 1, N * STEP + 1))
    return ij - N // 2, pop, stop, area


def test_network_covers_crossings_with_manhattan_distance_within_radius(street_grid):
    dij, pop, stop, area = street_grid
    # the lattice is a plane in EPSG:4550 coordinates near (0, 0): forced, so metres are its units
    res = compute_coverage(stop, area, radius=R, method="network", roads=grid_roads(N, STEP),
                           population=pop, cell=50, crs=CRS)
    expected = (np.abs(dij).sum(axis=1) * STEP <= R)
    assert expected.sum() == 61  # |dx| + |dy| <= 5 steps
    covered = res.population_distance <= R + 1e-6
    assert (covered == expected).all()
    assert res.summary["population_covered"] == 61
    assert res.summary["population_total"] == len(dij)
    assert res.population_distance[expected] == pytest.approx(np.abs(dij[expected]).sum(1) * STEP)


def test_euclidean_covers_crossings_within_the_circle(street_grid):
    dij, pop, stop, area = street_grid
    res = compute_coverage(stop, area, radius=R, population=pop, cell=50)
    expected = ((dij * STEP) ** 2).sum(axis=1) <= R ** 2
    assert expected.sum() == 81  # lattice points in a circle of radius 5 (Gauss)
    assert res.summary["population_covered"] == 81
    assert res.summary["population_share"] == pytest.approx(81 / len(dij))


def test_area_and_district_shares_by_hand():
    # 1000 x 200 m area, 100 m cells: 20 cell centres; stop at (0, 100), radius 300:
    # centres (50, 50), (50, 150), (150, .), (250, .) are within 300 m -> 6 of 20 cells
    area = polys((0, 0, 1000, 200))
    districts = polys((0, 0, 500, 200), (500, 0, 1000, 200), code=["W", "E"], name=["西", "东"])
    pop = points([(50, 50), (950, 150)], population=[30, 70])
    res = compute_coverage(points([(0, 100)]), area, radius=300, cell=100, districts=districts,
                           population=pop, crs=CRS)
    s = res.summary
    assert set(s) >= CONTRACT
    assert s["area_total_m2"] == pytest.approx(200_000)
    assert s["area_covered_m2"] == pytest.approx(60_000)
    assert s["area_share"] == pytest.approx(0.3)
    assert (s["population_total"], s["population_covered"]) == (100, 30)
    by = {d["code"]: d for d in s["by_district"]}
    assert set(by) == {"W", "E"} and all(set(d) >= DISTRICT_KEYS for d in by.values())
    assert by["W"]["name"] == "西"
    assert by["W"]["area_share"] == pytest.approx(0.6)
    assert by["E"]["area_share"] == pytest.approx(0.0)
    assert (by["W"]["population_share"], by["E"]["population_share"]) == (1.0, 0.0)
    # uncovered polygons: the rest of the area, with the uncovered person
    assert res.uncovered["area_m2"].sum() == pytest.approx(140_000)
    assert res.uncovered["population"].sum() == pytest.approx(70)
    assert shapely.union_all(res.uncovered.geometry.values).covers(shapely.Point(950, 150))
    # the 300 m block is reported beside the main radius
    assert s["radius_300"]["radius_m"] == 300
    assert s["radius_300"]["area_share"] == pytest.approx(0.3)
    # catchments: cell -> nearest facility and distance
    cells = res.cells
    assert len(cells) == 20
    assert cells["covered"].sum() == 6
    first = cells.loc[(cells.geometry.x == 50) & (cells.geometry.y == 50)].iloc[0]
    assert first["distance_m"] == pytest.approx(np.hypot(50, 50))
    assert first["district"] == "W"


def test_in_service_only_unless_planned():
    area = polys((0, 0, 1000, 100))
    fac = points([(0, 50), (1000, 50)], status=["in_service", "planned"], obj_id=["a", "b"])
    only = compute_coverage(fac, area, radius=200, cell=100)
    both = compute_coverage(fac, area, radius=200, cell=100, include_planned=True)
    assert only.summary["facilities"] == 1
    assert only.summary["area_share"] == pytest.approx(0.2)
    assert both.summary["area_share"] == pytest.approx(0.4)
    assert set(both.cells["facility_id"]) == {"a", "b"}


def test_any_crs_input_gives_the_same_answer():
    area = polys((0, 0, 1000, 1000))
    fac = points([(480000.0, 5318000.0)])
    area = polys((479500, 5317500, 480500, 5318500))
    a = compute_coverage(fac, area, radius=400, cell=20)
    b = compute_coverage(fac.to_crs("EPSG:4326"), area.to_crs("EPSG:4490"), radius=400, cell=20)
    assert b.summary["area_share"] == pytest.approx(a.summary["area_share"], abs=0.002)


def test_population_raster_counts_cells_by_centre(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    path = tmp_path / "pop.tif"
    data = np.array([[10, 0, 5], [1, 2, 3]], dtype="float32")  # 100 m cells from (0, 200)
    with rasterio.open(path, "w", driver="GTiff", width=3, height=2, count=1, dtype="float32",
                       crs=CRS, transform=from_origin(0, 200, 100, 100), nodata=-1) as ds:
        ds.write(data, 1)
    pop = load_population(path)
    assert pop.total == pytest.approx(21)
    assert sorted(zip(pop.x, pop.y, pop.weight, strict=False))[0] == (50.0, 50.0, 1.0)
    res = compute_coverage(points([(0, 200)]), polys((0, 0, 300, 200)), radius=75,
                           population=path, cell=100)
    # only the top-left cell centre (50, 150) is within 75 m of (0, 200)
    assert res.summary["population_covered"] == pytest.approx(10)
    assert res.summary["population_total"] == pytest.approx(21)


def test_unreachable_facilities_reported_and_all_off_network_is_bad_input():
    roads = grid_roads(4, 100)
    area = polys((0, 0, 400, 400))
    fac = points([(200, 200), (2000, 2000)], obj_id=["on", "off"])
    res = compute_coverage(fac, area, radius=200, method="network", roads=roads, cell=50)
    assert res.summary["unreachable_facilities"] == ["off"]
    assert res.summary["facilities"] == 2
    with pytest.raises(BadInput, match="none of the 1 facilities"):
        compute_coverage(points([(3000, 3000)]), area, method="network", roads=roads)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "bird"}, "unknown method"),
    ({"radius": -5}, "radius"),
    ({"method": "network"}, "needs a road layer"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(BadInput, match=message):
        compute_coverage(points([(0, 0)]), polys((0, 0, 100, 100)), **kwargs)


def test_bad_layers():
    area = polys((0, 0, 100, 100))
    with pytest.raises(BadInput, match="empty"):
        compute_coverage(gpd.GeoDataFrame(geometry=[], crs=CRS), area)
    with pytest.raises(BadInput, match="coordinate reference system"):
        compute_coverage(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]), area)
    with pytest.raises(BadInput, match="no facility is in service"):
        compute_coverage(points([(0, 0)], status=["closed"]), area)
    with pytest.raises(BadInput, match="Polygon"):
        compute_coverage(points([(0, 0)]), points([(1, 1)]))


def test_to_geopackage_writes_layers(tmp_path):
    districts = polys((0, 0, 500, 200), (500, 0, 1000, 200), code=["W", "E"], name=["西", "东"])
    res = compute_coverage(points([(0, 100)], obj_id=["S1"]), polys((0, 0, 1000, 200)),
                           radius=300, cell=100, districts=districts)
    out = tmp_path / "cov.gpkg"
    res.to_geopackage(out)
    names = {n for n, _ in pyogrio.list_layers(out)}
    assert names == {"coverage_uncovered", "coverage_facilities", "coverage_districts",
                     "coverage_cells"}
    cells = gpd.read_file(out, layer="coverage_cells")
    assert len(cells) == 20 and cells["covered"].sum() == 6
    d = gpd.read_file(out, layer="coverage_districts").set_index("code")
    assert d.loc["W", "area_share"] == pytest.approx(0.6)
    assert not list(tmp_path.glob(".*tmp"))


# ------------------------------------------------------------------ properties
_AREA = polys((0, 0, 600, 600))
_ROADS = grid_roads(6, 100)
_NET = build_network(_ROADS)
_coord = st.tuples(st.floats(0, 600), st.floats(0, 600))


@settings(max_examples=25, deadline=None)
@given(st.lists(_coord, min_size=1, max_size=4), _coord,
       st.sampled_from(["euclidean", "network"]))
def test_adding_a_facility_never_lowers_coverage(base, extra, method):
    kw = {"radius": 150, "cell": 50, "method": method, "network": _NET, "max_snap": 1000}
    a = compute_coverage(points(base), _AREA, **kw).summary["area_covered_m2"]
    b = compute_coverage(points([*base, extra]), _AREA, **kw).summary["area_covered_m2"]
    assert b >= a


@settings(max_examples=25, deadline=None)
@given(st.lists(_coord, min_size=1, max_size=4), st.floats(10, 400), st.floats(0, 300),
       st.sampled_from(["euclidean", "network"]))
def test_larger_radius_never_lowers_coverage(fac, r, more, method):
    kw = {"cell": 50, "method": method, "network": _NET, "max_snap": 1000}
    a = compute_coverage(points(fac), _AREA, radius=r, **kw).summary["area_covered_m2"]
    b = compute_coverage(points(fac), _AREA, radius=r + more, **kw).summary["area_covered_m2"]
    assert b >= a


@settings(max_examples=20, deadline=None)
@given(st.lists(_coord, min_size=1, max_size=4))
def test_network_coverage_never_exceeds_straight_line(fac):
    kw = {"radius": 200, "cell": 50, "network": _NET, "max_snap": 1000}
    e = compute_coverage(points(fac), _AREA, method="euclidean", **kw)
    n = compute_coverage(points(fac), _AREA, method="network", **kw)
    fin = np.isfinite(n.cell_distance)
    assert (n.cell_distance[fin] >= e.cell_distance[fin] - 1e-6).all()
    assert n.summary["area_covered_m2"] <= e.summary["area_covered_m2"]


# ------------------------------------------------------------------ CLI
def _write(gdf: gpd.GeoDataFrame, path: Path, **kw) -> Path:
    gdf.to_file(path, **kw)
    return path


@pytest.fixture
def crafted_files(tmp_path):
    """A crafted city as files in other formats and CRSs (no inventory)."""
    fac = _write(points([(480000, 5318000)], obj_id=["S1"]).to_crs("EPSG:4326"),
                 tmp_path / "stops.geojson", driver="GeoJSON")
    area = _write(polys((479000, 5317000, 481000, 5319000)).to_crs("EPSG:4490"),
                  tmp_path / "area.shp")
    districts = _write(polys((479000, 5317000, 480000, 5319000),
                             (480000, 5317000, 481000, 5319000),
                             code=["A", "B"], name=["甲", "乙"]), tmp_path / "districts.gpkg")
    road_lines = (
        [shapely.LineString([(479000, y), (481000, y)]) for y in range(5317000, 5319001, 200)]
        + [shapely.LineString([(x, 5317000), (x, 5319000)]) for x in range(479000, 481001, 200)])
    roads = _write(gpd.GeoDataFrame(geometry=road_lines, crs=CRS), tmp_path / "roads.gpkg")
    return {"fac": fac, "area": area, "districts": districts, "roads": roads, "dir": tmp_path}


def test_cli_on_crafted_files_both_methods(cli, crafted_files):
    f = crafted_files
    base = ["coverage", "--facilities", str(f["fac"]), "--area", str(f["area"]),
            "--districts", str(f["districts"]), "--roads", str(f["roads"]), "--cell", "50",
            "--no-population", "--quiet"]
    shares = {}
    for method in ("euclidean", "network"):
        js = f["dir"] / f"{method}.json"
        out = f["dir"] / f"{method}.gpkg"
        p = cli(*base, "--method", method, "--json", str(js), "--out", str(out))
        assert p.returncode == 0, p.stderr
        assert "覆盖率" in p.stdout and "coverage" in p.stdout
        s = json.loads(js.read_text(encoding="utf-8"))
        assert set(s) >= CONTRACT and s["method"] == method
        assert [d["name"] for d in s["by_district"]] == ["甲", "乙"]
        assert out.exists()
        shares[method] = s["area_share"]
    # 500 m circle = 0.785 km² of 4 km²; walking diamond on a 200 m grid = 0.5 km²
    assert shares["euclidean"] == pytest.approx(np.pi * 0.25 / 4, abs=0.01)
    assert shares["network"] == pytest.approx(0.5 / 4, abs=0.01)


@pytest.mark.parametrize("case", ["missing", "empty", "nocrs", "garbage", "method"])
def test_cli_bad_inputs_one_line_no_traceback_no_output(cli, crafted_files, case):
    f = crafted_files
    d = f["dir"]
    args = ["coverage", "--area", str(f["area"]), "--no-population", "--quiet",
            "--districts", str(f["districts"])]
    if case == "missing":
        args += ["--facilities", str(d / "nope.gpkg")]
    elif case == "empty":
        empty = d / "empty.gpkg"
        gpd.GeoDataFrame({"obj_id": []}, geometry=gpd.GeoSeries([], crs=CRS)).to_file(
            empty, layer="stops")
        args += ["--facilities", str(empty)]
    elif case == "nocrs":
        nocrs = d / "nocrs.shp"  # a shapefile without .prj
        gpd.GeoDataFrame({"obj_id": ["x"]}, geometry=[shapely.Point(480000, 5318000)]).to_file(
            nocrs)
        assert not nocrs.with_suffix(".prj").exists()
        args += ["--facilities", str(nocrs)]
    elif case == "garbage":
        bad = d / "bad.gpkg"
        bad.write_bytes(b"this is not a geopackage")
        args += ["--facilities", str(bad)]
    elif case == "method":
        args += ["--facilities", str(f["fac"]), "--method", "network", "--roads",
                 str(d / "missing_roads.shp")]
    out = d / "out.gpkg"
    js = d / "out.json"
    p = cli(*args, "--out", str(out), "--json", str(js))
    assert p.returncode == 2, (p.stdout, p.stderr)
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zlt-assets coverage:")
    expected = {"missing": "not found", "empty": "empty", "nocrs": "coordinate reference system",
                "garbage": "cannot read", "method": "not found"}[case]
    assert expected in err[0]
    assert "Traceback" not in p.stderr
    assert not out.exists() and not js.exists()


def test_cli_disconnected_network_warns(cli, crafted_files):
    f = crafted_files
    d = f["dir"]
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(479000, 5318000), (481000, 5318000)]),
                                       shapely.LineString([(479000, 5318500), (481000, 5318500)])],
                             crs=CRS)
    roads.to_file(d / "split.gpkg")
    p = cli("coverage", "--facilities", str(f["fac"]), "--area", str(f["area"]), "--districts",
            str(f["districts"]), "--roads", str(d / "split.gpkg"), "--method", "network",
            "--no-population", "--quiet")
    assert p.returncode == 0, p.stderr
    assert "components" in p.stderr and "Traceback" not in p.stderr


# ------------------------------------------------------------------ the sample inventory
def test_cli_on_sample_both_methods(cli, sample_gpkg, tmp_path):
    res = {}
    for method in ("euclidean", "network"):
        js = tmp_path / f"{method}.json"
        out = tmp_path / f"{method}.gpkg"
        p = cli("coverage", "--data", str(sample_gpkg), "--method", method, "--json", str(js),
                "--out", str(out), "--no-cells")
        assert p.returncode == 0, p.stderr
        assert "示意数据" in p.stdout and "illustrative" in p.stdout
        s = json.loads(js.read_text(encoding="utf-8"))
        assert set(s) >= CONTRACT
        assert len(s["by_district"]) == 7
        assert s["population_total"] > 0
        assert s["unreachable_facilities"] == []
        res[method] = (s, gpd.read_file(out, layer="coverage_uncovered"))
    e, n = res["euclidean"][0], res["network"][0]
    assert 0 < n["area_share"] <= e["area_share"] < 1
    assert n["population_share"] <= e["population_share"]
    # the sample's built-in shortcoming: a quarter of 高台子街道 beyond 500 m of any stop
    unc = res["euclidean"][1]
    biggest = unc.sort_values("area_m2", ascending=False).iloc[0]
    assert biggest["area_m2"] > 500_000
    assert biggest["district"] == "150783005"
    by = {d["code"]: d for d in e["by_district"]}
    assert by["150783005"]["area_share"] < 0.9
    assert all(d["area_share"] > 0.99 for c, d in by.items() if c != "150783005")


@pytest.mark.parametrize("method", ["euclidean", "network"])
def test_population_on_grid_centres_gives_the_same_answer_as_off_grid(method):
    # people on 50 m cell centres; a 50 m area grid reuses the cells' distances for them,
    # a 40 m grid computes them: the population answer must not depend on it
    rng = np.random.default_rng(7)
    cx, cy = np.meshgrid(np.arange(25.0, 600, 50), np.arange(25.0, 600, 50))
    pop = PopulationInput(cx.ravel(), cy.ravel(), rng.integers(1, 50, cx.size).astype(float))
    fac = points([(130, 420), (480, 90)])
    kw = {"radius": 180, "method": method, "network": _NET, "population": pop, "max_snap": 1000}
    a = compute_coverage(fac, _AREA, cell=50, **kw)
    b = compute_coverage(fac, _AREA, cell=40, **kw)
    assert a.summary["population_total"] == pytest.approx(pop.total)
    assert a.summary["population_covered"] == pytest.approx(b.summary["population_covered"])
    assert a.population_distance == pytest.approx(b.population_distance)
    assert 0 < a.summary["population_share"] < 1


def test_cli_missing_inventory_is_one_line(cli, tmp_path):
    p = cli("coverage", "--data", str(tmp_path / "missing.gpkg"), "--quiet")
    assert p.returncode == 2
    assert p.stderr.strip().startswith("zlt-assets coverage:") and "not found" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_cli_progress_goes_to_stderr(cli, crafted_files):
    f = crafted_files
    # json: every step is reported (plain lines show only steps that last over a second)
    p = cli("coverage", "--facilities", str(f["fac"]), "--area", str(f["area"]), "--districts",
            str(f["districts"]), "--no-population", "--cell", "100", "--progress", "json")
    assert p.returncode == 0
    assert "grid" in p.stderr and "grid" not in p.stdout


def test_fully_covered_area_writes_an_empty_uncovered_layer(tmp_path):
    res = compute_coverage(points([(50, 50)]), polys((0, 0, 100, 100)), radius=500, cell=10)
    assert res.summary["area_share"] == 1.0 and len(res.uncovered) == 0
    out = tmp_path / "full.gpkg"
    res.to_geopackage(out)
    assert len(gpd.read_file(out, layer="coverage_uncovered")) == 0


def test_cli_facilities_off_the_network(cli, crafted_files):
    f = crafted_files
    d = f["dir"]
    far = points([(480000, 5318000), (490000, 5330000)], obj_id=["on", "off"])
    far.to_file(d / "far.gpkg")
    base = ["coverage", "--area", str(f["area"]), "--districts", str(f["districts"]), "--roads",
            str(f["roads"]), "--method", "network", "--no-population", "--quiet"]
    p = cli(*base, "--facilities", str(d / "far.gpkg"), "--json", str(d / "far.json"))
    assert p.returncode == 0, p.stderr
    assert "off" in p.stderr and "Traceback" not in p.stderr
    assert json.loads((d / "far.json").read_text(encoding="utf-8"))["unreachable_facilities"] \
        == ["off"]
    points([(490000, 5330000)], obj_id=["off"]).to_file(d / "all_far.gpkg")
    p = cli(*base, "--facilities", str(d / "all_far.gpkg"), "--out", str(d / "x.gpkg"))
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "road" in p.stderr
    assert not (d / "x.gpkg").exists()


@pytest.mark.parametrize("geom", [
    shapely.box(10, 10, 90, 90),  # the boundary runs through cell centres: they are inside
    shapely.Point(50, 50).buffer(37).difference(shapely.Point(55, 45).buffer(12)),
    shapely.Polygon([(0, 0), (100, 7), (33, 100), (61, 41)]),
])
def test_grid_cell_counts_by_centre_exactly(geom):
    from zlt_assets.analysis.coverage import inside_mask

    img = inside_mask(geom, 0.0, 100.0, 20.0 if geom.area == 6400 else 5.0,
                      5 if geom.area == 6400 else 20, 5 if geom.area == 6400 else 20)
    cell = 100.0 / img.shape[0]
    r, c = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    expected = shapely.intersects_xy(geom, (c + 0.5) * cell, 100 - (r + 0.5) * cell)
    assert (img == expected).all()
    if geom.area == 6400:
        assert img.sum() == 25  # centres 10 ... 90 in both directions (the boundary belongs)


def test_uncovered_patch_with_covered_islands_has_holes():
    # two stops inside a 1 km square: their 100 m discs are holes in the one uncovered patch
    res = compute_coverage(points([(300, 300), (700, 600)]), polys((0, 0, 1000, 1000)),
                           radius=100, cell=10, crs=CRS)
    assert len(res.uncovered) == 1
    (patch,) = res.uncovered.geometry
    assert len(patch.interiors) == 2
    assert patch.area == pytest.approx(1e6 - res.summary["area_covered_m2"])
    assert not patch.contains(shapely.Point(300, 300))
    assert patch.contains(shapely.Point(500, 500))


def test_districts_sharing_a_code_and_people_off_the_grid_count_by_code():
    # two district rows share code "A" (their cells and people count for "A" in both rows);
    # people stand off the cell centres, so their district comes from the polygons
    area = polys((0, 0, 300, 100))
    districts = polys((0, 0, 100, 100), (100, 0, 200, 100), (200, 0, 300, 100),
                      code=["A", "B", "A"], name=["甲", "乙", "甲二"])
    pop = points([(10, 10), (150, 30), (260, 70), (290, 5)], population=[1, 2, 3, 4])
    res = compute_coverage(points([(0, 50)]), area, radius=120, cell=50, districts=districts,
                           population=pop)
    by = res.summary["by_district"]
    assert [d["code"] for d in by] == ["A", "B", "A"]
    # cell centres x = 25, 75, ... 275 (two rows at y = 25, 75); within 120 m of (0, 50):
    # x = 25 and 75 (4 cells) -> all in district "A" (the cells of x < 100)
    a_cells = 8  # x = 25, 75, 225, 275 in two rows
    assert by[0]["area_total_m2"] == pytest.approx(a_cells * 2500)
    assert by[0]["area_covered_m2"] == pytest.approx(4 * 2500)
    assert by[0] == {**by[2], "name": "甲"}
    assert by[1]["area_total_m2"] == pytest.approx(4 * 2500)
    assert by[1]["area_covered_m2"] == 0
    # people: 1 (A, covered), 2 (B, not), 3 and 4 (A, not)
    assert (by[0]["population_total"], by[0]["population_covered"]) == (8, 1)
    assert (by[1]["population_total"], by[1]["population_covered"]) == (2, 0)
    assert list(res.cell_district[:2]) == ["A", "A"]
    assert set(res.cell_district) == {"A", "B"}


def test_nearest_euclidean_hint_keeps_every_answer_exact():
    from zlt_assets.analysis.coverage import nearest_euclidean

    rng = np.random.default_rng(5)
    fac = np.vstack([rng.uniform(0, 2000, (40, 2)),
                     [(5000.0, 5000.0), (5000.0, 5100.0)]])  # a pair for exact ties
    # grid points, far points and points exactly between the tied pair
    gx, gy = np.meshgrid(np.arange(-500, 2500, 37.0), np.arange(-500, 2500, 41.0))
    pts = np.vstack([np.column_stack([gx.ravel(), gy.ravel()]),
                     rng.uniform(3000, 9000, (300, 2)),
                     np.column_stack([np.linspace(4000, 6000, 21), np.full(21, 5050.0)])])
    d0, i0 = nearest_euclidean(pts, fac)
    brute = np.hypot(*(pts[:, None, :] - fac[None, :, :]).transpose(2, 0, 1))
    assert d0 == pytest.approx(brute.min(axis=1), abs=1e-9)
    for within in (50.0, 300.0, 1e6):
        d1, i1 = nearest_euclidean(pts, fac, within=within)
        assert np.array_equal(d1, d0) and np.array_equal(i1, i0)
    assert (d0 > 300).sum() > 300  # far points took the second, unbounded pass
    # far cells of a coverage result still name their nearest facility and its distance
    res = compute_coverage(points([(0, 100)]), polys((0, 0, 1000, 200)), radius=300, cell=100)
    far = ~res.cell_covered
    assert far.any() and (res.cell_facility[far] == 0).all()
    assert np.isfinite(res.cell_distance[far]).all()


# ------------------------------------------------------------------ every person counted once
def test_lattice_on_borders_every_person_counted_once():
    # the case: a 2 km lattice, one person per crossing, on the area's boundary and on
    # the street offices' shared borders: 441 of 441, and the districts add up
    x0, y0 = 480000.0, 5300000.0
    ij = np.array([(i, j) for i in range(21) for j in range(21)], dtype=float)
    pop = PopulationInput(x0 + ij[:, 0] * 2000, y0 + ij[:, 1] * 2000, np.ones(len(ij)))
    area = polys((x0, y0, x0 + 40000, y0 + 40000))
    districts = polys((x0, y0, x0 + 20000, y0 + 40000), (x0 + 20000, y0, x0 + 40000, y0 + 20000),
                      (x0 + 20000, y0 + 20000, x0 + 40000, y0 + 40000),
                      code=["W", "SE", "NE"], name=["西", "东南", "东北"])
    s = compute_coverage(points([(x0 + 1000, y0 + 1000)]), area, radius=500, cell=1000,
                         population=pop, districts=districts, crs=CRS).summary
    assert s["population_total"] == 441
    assert sum(d["population_total"] for d in s["by_district"]) == 441
    assert s["outside_districts"]["population_total"] == 0
    by = {d["code"]: d["population_total"] for d in s["by_district"]}
    assert by == {"W": 21 * 11, "SE": 10 * 11, "NE": 10 * 10}  # borders go to the first


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(1, 9), min_size=1, max_size=4, unique=True),
       rows=st.lists(st.integers(1, 4), min_size=0, max_size=2, unique=True),
       weights=st.lists(st.integers(0, 9), min_size=121, max_size=121),
       stop=st.tuples(st.integers(0, 1000), st.integers(0, 500)))
def test_district_sums_equal_the_totals(cuts, rows, weights, stop):
    # districts: vertical strips cut at 100 m multiples, the first strip cut again across;
    # people and cell centres on a lattice that puts many of them on the borders
    x0, y0 = 480000.0, 5300000.0
    xs = [0, *sorted(cuts), 10]
    boxes = [(x0 + a * 100, y0, x0 + b * 100, y0 + 500) for a, b in itertools.pairwise(xs)]
    first = boxes.pop(0)
    ys = [0, *sorted(rows), 5]
    boxes = [(first[0], y0 + a * 100, first[2], y0 + b * 100) for a, b in itertools.pairwise(ys)] \
        + boxes
    districts = polys(*boxes, code=[f"d{k}" for k in range(len(boxes))],
                      name=[f"n{k}" for k in range(len(boxes))])
    ij = np.array([(i, j) for i in range(11) for j in range(11)], dtype=float)
    keep = ij[:, 1] <= 10
    pop = PopulationInput(x0 + ij[keep, 0] * 100, y0 + ij[keep, 1] * 50,
                          np.asarray(weights, dtype=float)[keep])
    s = compute_coverage(points([(x0 + stop[0], y0 + stop[1])]), None, radius=230, cell=50,
                         population=pop, districts=districts, crs=CRS).summary
    assert s["population_total"] == pytest.approx(pop.weight.sum())  # nobody dropped
    for key in ("population_total", "population_covered", "area_total_m2", "area_covered_m2"):
        parts = sum(d[key] for d in s["by_district"]) + s["outside_districts"][key]
        assert parts == pytest.approx(s[key]), key
    assert s["area_total_m2"] == pytest.approx(1000 * 500)


# ------------------------------------------------------------------ real extracts, any CRS
def _helsinki():
    import pyogrio

    osm = Path(__file__).parent / "data" / "osm" / "Helsinki.osm.pbf"
    lines = pyogrio.read_dataframe(osm, layer="lines")
    lines = lines[lines["highway"].notna()].reset_index(drop=True)
    pts = pyogrio.read_dataframe(osm, layer="points")
    stops = pts[pts["highway"] == "bus_stop"].reset_index(drop=True)
    w, s_, e, n = lines.total_bounds
    area = gpd.GeoDataFrame(geometry=[shapely.box(w + 0.001, s_ + 0.001, e - 0.001, n - 0.001)],
                            crs="EPSG:4326")
    # a 25 m lattice of people, laid in true metres
    tm = "+proj=tmerc +lat_0=60.17 +lon_0=24.944 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    b = area.to_crs(tm).total_bounds
    gx, gy = np.meshgrid(np.arange(b[0] + 3.1, b[2], 25.0), np.arange(b[1] + 7.3, b[3], 25.0))
    people = gpd.GeoDataFrame({"population": np.ones(gx.size)},
                              geometry=shapely.points(gx.ravel(), gy.ravel()), crs=tm)
    return lines, stops, area, people.to_crs("EPSG:4326")


@pytest.mark.parametrize("method", ["euclidean", "network"])
def test_real_extract_in_4326_local_metric_and_4550_gives_the_same_true_metre_answers(method):
    lines, stops, area, people = _helsinki()
    radius = 150.0 if method == "euclidean" else 250.0
    runs = {}
    for label, crs in (("4326", "EPSG:4326"), ("ETRS-TM35FIN", "EPSG:3067"),
                       ("4550", "EPSG:4550"),
                       ("own TM", "+proj=tmerc +lat_0=60.2 +lon_0=24.95 +k=1 +x_0=0 +y_0=0 "
                                  "+ellps=GRS80 +units=m")):
        runs[label] = compute_coverage(
            stops.to_crs(crs), area.to_crs(crs), method=method, radius=radius,
            roads=lines.to_crs(crs) if method == "network" else None,
            population=people.to_crs(crs), cell=25, declared_crs=None).summary
    ref = runs["4326"]
    assert ref["crs"]["reason"] == "local-tm"
    assert runs["ETRS-TM35FIN"]["crs"]["reason"] == "local-tm"  # UTM-like k0 0.9996: 4e-4 off
    assert runs["4550"]["crs"]["reason"] == "local-tm"          # 4550 is x1.15 in Helsinki
    assert runs["own TM"]["crs"]["reason"] == "input"           # true there: kept
    assert 0.2 < ref["population_share"] < 0.98
    for label, s in runs.items():
        assert s["population_total"] == ref["population_total"], label
        assert s["population_covered"] == pytest.approx(ref["population_covered"], abs=1), label
        # the area is sampled on a 25 m grid of the CRS used: the same cells in the same local
        # TM (1e-6); the user's own TM lays other cells over this 2 km^2 (sampling: 1e-2)
        same_grid = s["crs"]["reason"] == "local-tm"
        assert s["area_share"] == pytest.approx(ref["area_share"],
                                                abs=1e-6 if same_grid else 1e-2), label
    # what 0.1 did: everything in EPSG:4550, where 500 m on the map are ~435 m on the ground
    old = compute_coverage(stops, area, method=method, radius=radius,
                           roads=lines if method == "network" else None, population=people,
                           cell=25, crs="EPSG:4550").summary
    assert old["population_share"] < ref["population_share"] - 0.03


# ------------------------------------------------------------------ no silent mixing
def test_cli_refuses_files_mixed_with_the_sample_and_lists_what_is_missing(cli, crafted_files):
    f = {k: str(v) for k, v in crafted_files.items()}
    from zlt_assets.inventory import sample_path

    f["facilities"] = f["fac"]
    f["sample"] = str(sample_path())
    r = cli("coverage", "--facilities", f["facilities"], "--area", f["area"])
    assert r.returncode == 2
    assert "population" in r.stderr and "districts" in r.stderr and "--data" in r.stderr
    assert "Traceback" not in r.stderr
    r = cli("coverage", "--facilities", f["facilities"], "--area", f["area"],
            "--no-population", "--no-districts", "--json", "-")
    assert r.returncode == 0, r.stderr
    assert "illustrative" not in r.stdout and "兴华" not in r.stdout
    s = json.loads(r.stdout[:r.stdout.rindex("}") + 1])
    assert s["by_district"] == [] and s["population_total"] is None
    assert s["crs"]["label"] == "EPSG:4550"
    # naming an inventory allows taking the rest from it (its notice then appears)
    r = cli("coverage", "--facilities", f["facilities"], "--data", str(f["sample"]))
    assert r.returncode == 0, r.stderr
    assert "illustrative" in r.stdout
