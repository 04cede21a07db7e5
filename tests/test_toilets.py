"""Toilet gaps on crafted inputs: density, per 10,000, spacing, crowded radius, proposals, CLI."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zlt_assets.analysis.population import PopulationInput
from zlt_assets.analysis.toilets import density_status, road_spacing, toilet_gaps
from zlt_assets.errors import BadInput

CRS = "EPSG:4550"


def points(xy, **cols):
    return gpd.GeoDataFrame(dict(cols), geometry=[shapely.Point(p) for p in xy], crs=CRS)


@pytest.fixture
def town():
    """Two 2 km x 1 km street offices side by side; the east one is crowded/commercial."""
    districts = gpd.GeoDataFrame(
        {"code": ["W", "E"], "name": ["西街道", "东街道"], "land_use": ["R", "ABS"],
         "crowded": [False, True]},
        geometry=[shapely.box(0, 0, 2000, 1000), shapely.box(2000, 0, 4000, 1000)], crs=CRS)
    toilets = points([(500, 500), (1500, 500), (3000, 500), (3600, 500)],
                     status=["in_service", "in_service", "in_service", "planned"],
                     obj_id=["t1", "t2", "t3", "t4"])
    # 10,000 people in the west at (500, 900) (400 m from t1) and (1000, 500);
    # 5,000 in the east at (3000, 900) (400 m from t3: beyond the crowded 300 m)
    pop = PopulationInput(np.array([500.0, 1000.0, 3000.0]), np.array([900.0, 500.0, 900.0]),
                          np.array([4000.0, 6000.0, 5000.0]))
    return districts, toilets, pop


def test_density_and_per_10k_by_hand(town):
    districts, toilets, pop = town
    res = toilet_gaps(toilets, districts, population=pop, cell=100, crs=CRS)
    by = res.by_district.set_index("code")
    assert by.loc["W", "area_km2"] == pytest.approx(2.0)
    assert by.loc["W", "toilets"] == 2 and by.loc["E", "toilets"] == 1  # t4 is only planned
    assert by.loc["W", "density_per_km2"] == pytest.approx(1.0)
    assert (by.loc["W", "density_min"], by.loc["W", "density_max"]) == (3, 5)  # R
    assert by.loc["W", "density_status"] == "below"
    assert by.loc["W", "toilets_needed_for_min"] == 4  # 3/km² x 2 km² = 6
    assert (by.loc["E", "density_min"], by.loc["E", "density_max"]) == (4, 11)  # ABS
    assert by.loc["E", "toilets_needed_for_min"] == 7
    assert by.loc["W", "toilets_per_10k"] == pytest.approx(2.0)
    assert by.loc["E", "toilets_per_10k"] == pytest.approx(2.0)
    assert res.summary["toilets_per_10k"] == pytest.approx(3 / 15000 * 1e4)
    assert res.summary["districts_below_density"] == ["W", "E"]


def test_crowded_district_uses_the_300_m_radius(town):
    districts, toilets, pop = town
    res = toilet_gaps(toilets, districts, population=pop, cell=100, crs=CRS)
    by = res.by_district.set_index("code")
    assert (by.loc["W", "radius_m"], by.loc["E", "radius_m"]) == (500, 300)
    # west: 400 m and 500 m away -> covered at 500 m; east: 400 m -> not covered at 300 m
    assert by.loc["W", "population_share"] == pytest.approx(1.0)
    assert by.loc["E", "population_share"] == pytest.approx(0.0)
    assert res.summary["population_covered"] == pytest.approx(10000)
    # override: nobody crowded -> the east person is covered too
    res2 = toilet_gaps(toilets, districts, population=pop, cell=100, crowded=False)
    assert res2.summary["population_covered"] == pytest.approx(15000)
    # uncovered polygons carry the uncovered people
    assert res.uncovered["population"].sum() == pytest.approx(5000)


def test_area_share_by_hand():
    districts = gpd.GeoDataFrame({"code": ["A"], "name": ["甲"], "land_use": ["R"],
                                  "crowded": [False]},
                                 geometry=[shapely.box(0, 0, 1000, 100)], crs=CRS)
    res = toilet_gaps(points([(0, 50)]), districts, cell=100, radius=260)
    # cell centres 50, 150, 250 (distance 250.x at y offset 0) within 260 m: 3 of 10
    assert res.summary["area_share"] == pytest.approx(0.3)
    assert res.summary["population_total"] is None


def test_land_use_override_changes_the_range(town):
    districts, toilets, pop = town
    res = toilet_gaps(toilets, districts, population=pop, cell=100, land_use={"W": "MW"})
    by = res.by_district.set_index("code")
    assert by.loc["W", "land_use"] == "MW" and by.loc["W", "density_status"] == "within"
    with pytest.raises(BadInput, match="land-use class"):
        toilet_gaps(toilets, districts, land_use="XX")


def test_spacing_along_a_main_road():
    road = gpd.GeoDataFrame({"name": ["中央路", "中央路"], "road_class": ["main", "main"]},
                            geometry=[shapely.LineString([(0, 0), (1000, 0)]),
                                      shapely.LineString([(1000, 0), (2000, 0)])], crs=CRS)
    gaps = road_spacing(road, np.array([[300.0, 10], [1000, -20], [5000, 0]]))
    (row,) = gaps.itertuples()
    assert row.length_m == pytest.approx(2000)
    assert row.toilets == 2  # the toilet 3 km away is not on this street
    assert row.max_gap_m == pytest.approx(1000)  # from 1000 m to the end at 2000 m
    assert (row.spacing_min_m, row.spacing_max_m) == (500, 800)
    assert row.status == "gap"
    ok = road_spacing(road, np.array([[400.0, 0], [1200, 0]])).iloc[0]
    assert ok.max_gap_m == pytest.approx(800) and ok.status == "ok"
    branch = road.assign(road_class="branch")
    assert road_spacing(branch, np.array([[1000.0, 0]])).iloc[0].status == "ok"  # 1000 <= 1000


def test_density_status():
    assert density_status(2.0, (3, 5)) == "below"
    assert density_status(3.0, (3, 5)) == "within"
    assert density_status(6.0, (3, 5)) == "above"
    assert density_status(1.0, None) == "unknown"


def test_proposals_cover_the_uncovered_people(town):
    districts, toilets, pop = town
    roads = gpd.GeoDataFrame({"name": ["北街"], "road_class": ["branch"]},
                             geometry=[shapely.LineString([(0, 950), (4000, 950)])], crs=CRS)
    res = toilet_gaps(toilets, districts, population=pop, roads=roads, propose=1, cell=100,
                      candidate_spacing=100, crs=CRS)
    p = res.proposals
    assert p is not None and p.method == "ilp" and p.optimal
    assert p.covered_before == pytest.approx(10000)
    assert p.gains == [pytest.approx(5000)]
    (site,) = p.sites.geometry
    assert site.distance(shapely.Point(3000, 900)) <= 300
    assert res.summary["proposals"]["share_after"] == pytest.approx(1.0)


def test_proposals_need_roads_and_population(town):
    districts, toilets, pop = town
    with pytest.raises(BadInput, match="road"):
        toilet_gaps(toilets, districts, population=pop, propose=2)


def test_cli_on_sample(cli, sample_gpkg, tmp_path):
    js = tmp_path / "t.json"
    out = tmp_path / "t.gpkg"
    p = cli("toilet-gaps", "--data", str(sample_gpkg), "--propose", "3", "--json", str(js),
            "--out", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    assert "公厕" in p.stdout and "Toilet gaps" in p.stdout and "illustrative" in p.stdout
    s = json.loads(js.read_text(encoding="utf-8"))
    assert len(s["by_district"]) == 7
    assert s["proposals"]["n_proposed"] == 3
    gains = [site["gain"] for site in s["proposals"]["sites"]]
    assert gains == sorted(gains, reverse=True) and gains[-1] > 0
    assert s["proposals"]["covered_after"] == pytest.approx(
        s["proposals"]["covered_before"] + sum(gains))
    assert out.exists()


def test_cli_bad_radius(cli, sample_gpkg, tmp_path):
    out = tmp_path / "t.gpkg"
    p = cli("toilet-gaps", "--data", str(sample_gpkg), "--radius", "-3", "--out", str(out),
            "--quiet")
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "radius" in p.stderr
    assert not out.exists()


@pytest.mark.parametrize("extra, message", [
    (["--propose", "2", "--no-population"], "population"),
    (["--land-use", "XX"], "land-use class"),
    (["--land-use", "150783001"], "land-use class"),
    (["--toilets", "missing.gpkg"], "not found"),
])
def test_cli_bad_inputs(cli, sample_gpkg, tmp_path, extra, message):
    out = tmp_path / "t.gpkg"
    p = cli("toilet-gaps", "--data", str(sample_gpkg), *extra, "--out", str(out), "--quiet")
    assert p.returncode == 2, p.stdout
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in p.stderr
    assert not out.exists()
