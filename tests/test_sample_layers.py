"""The shipped sample inventory: rebuilt from the committed reference data, it is the same, and
it has the structure and the built-in shortcomings layers/README.md promises."""
from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely

from zlt_assets import plan, schema
from zlt_assets.validate import validate_inventory

REPO = Path(__file__).resolve().parents[1]
# the sample builder is a repository tool (tools/sample_build), not part of the package
sys.path.insert(0, str(REPO / "tools" / "sample_build"))
import sample_build  # noqa: E402

SAMPLE = REPO / "layers" / "zhalantun.gpkg"
POP = REPO / "layers" / "zhalantun_population.tif"
REFERENCE_LAYERS = {"city_boundary", "river", "railway_stations"}


def _read(path: Path) -> dict[str, pd.DataFrame]:
    return {name: pyogrio.read_dataframe(path, layer=name) for name in schema.LAYERS}


@pytest.fixture(scope="module")
def sample() -> dict:
    assert SAMPLE.exists(), "layers/zhalantun.gpkg is missing: run scripts/build_sample_layers.py"
    return _read(SAMPLE)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    return sample_build.build(out, styles=False)


@pytest.fixture(scope="module")
def population() -> tuple[np.ndarray, object, object]:
    with rasterio.open(POP) as src:
        return src.read(1), src.transform, src


def _in_service_toilets_per_km2(sample: dict) -> dict[str, float]:
    offices = sample["street_offices"]
    toilets = sample["public_toilets"]
    toilets = toilets[toilets["status"].isin(schema.IN_SERVICE_STATUSES)]
    out = {}
    for code, geom in zip(offices["code"], offices.geometry):
        n = int(shapely.covers(geom, toilets.geometry.values).sum())
        out[code] = n / (geom.area / 1e6)
    return out


# ------------------------------------------------------------------------- reproducible
def test_rebuild_gives_the_same_features(sample, rebuilt):
    again = _read(rebuilt)
    assert list(again) == list(sample)
    for name, gdf in sample.items():
        other = again[name]
        assert len(other) == len(gdf), name
        assert list(other.columns) == list(gdf.columns), name
        # the same shapes within 1 cm; GEOS versions may order or split vertices differently
        a_g, b_g = gdf.geometry.values, other.geometry.values
        same_geom = shapely.equals_exact(a_g, b_g, tolerance=0.01) | \
            (shapely.hausdorff_distance(a_g, b_g) < 0.01)
        assert same_geom.all(), f"{name}: {int((~same_geom).sum())} geometries differ"
        for col in gdf.columns:
            if col == gdf.geometry.name:
                continue
            a, b = gdf[col], other[col]
            if pd.api.types.is_float_dtype(a) and pd.api.types.is_float_dtype(b):
                assert np.allclose(a.to_numpy(float), b.to_numpy(float), atol=0.011,
                                   equal_nan=True), f"{name}.{col}"
            else:
                assert a.astype(object).where(a.notna(), None).tolist() == \
                    b.astype(object).where(b.notna(), None).tolist(), f"{name}.{col}"


def test_rebuild_gives_the_same_population(rebuilt, population):
    arr, transform, _ = population
    with rasterio.open(rebuilt.with_name(rebuilt.stem + "_population.tif")) as src:
        assert src.transform == transform
        assert np.array_equal(src.read(1), arr)


def test_population_grid_format(population):
    arr, transform, src = population
    assert src.dtypes[0] == "float32"
    assert src.crs.to_epsg() == 4550
    assert transform.a == pytest.approx(100) and -transform.e == pytest.approx(100)
    assert not any("DATETIME" in k.upper() for k in src.tags())


# ------------------------------------------------------------------------- schema and counts
def test_layers_carry_exactly_the_declared_fields(sample):
    for name, gdf in sample.items():
        assert gdf.crs.to_epsg() == 4550, name
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        assert cols == list(schema.layer(name).field_names), name


def test_plan_counts(sample):
    b = sample["facade_lighting_buildings"]
    assert len(b) == plan.REQUIRED_COUNTS["facade_lighting"].count == 190
    ren = b[b["renovation"].astype(bool)]
    assert len(ren) == 31
    assert set(ren["street_name"]) == {"中央路"} and set(ren["street_group"]) == {"zhongyang"}
    assert set(b["street_group"]) == set(schema.STREET_GROUPS.codes)
    for group, streets in plan.PLAN_STREETS.items():
        assert set(b.loc[b["street_group"] == group, "street_name"]) == set(streets)
    br = sample["bridges"]
    lit = br[br["plan_lighting"].astype(bool)]
    assert sorted(lit["name"]) == sorted(plan.PLAN_BRIDGES)
    assert sorted(lit["status"].isin(schema.DONE_STATUSES).tolist()) == [False, True, True]
    r = sample["roads"]
    numbers = set(r["plan_road"].dropna())
    assert numbers == {f"P{i:02d}" for i in range(1, 46)}
    assert set(r.loc[r["plan_road"].notna(), "works"]) <= {"new", "rebuilt"}
    assert set(r.loc[r["plan_road"].isna(), "works"]) == {"none"}
    assert r.loc[r["plan_road"].isna(), "status"].isna().all()


def test_made_features_say_illustrative_and_real_ones_name_their_source(sample):
    for name, gdf in sample.items():
        expected = "reference" if name in REFERENCE_LAYERS else "illustrative"
        assert set(gdf["data_source"]) == {expected}, name
        if "source_note" in gdf.columns:
            assert gdf["source_note"].str.len().gt(20).all(), name
    notes = " ".join(sample[n]["source_note"].iloc[0] for n in REFERENCE_LAYERS)
    for licence in ("ODbL", "MIT", "LGPL-3.0", "OpenStreetMap contributors"):
        assert licence in notes
    offices = sample["street_offices"]
    assert dict(zip(offices["code"], offices["name"])) == {
        "150783001": "兴华街道", "150783002": "正阳街道", "150783003": "繁荣街道",
        "150783004": "向阳街道", "150783005": "高台子街道", "150783006": "铁东街道",
        "150783007": "河西街道"}


def test_validator_reports_the_sample_clean():
    report = validate_inventory(str(SAMPLE))
    assert report.problems == []


def test_readme_counts_table_matches_the_data(sample):
    readme = (REPO / "layers" / "README.md").read_text(encoding="utf-8")
    tables = sample_build.readme_tables(SAMPLE)
    for table in tables.split("\n\n"):
        assert table in readme, "layers/README.md tables are stale: run " \
            "scripts/build_sample_layers.py --tables and paste them"
    assert "| `facade_lighting_buildings` | 楼体亮化建筑 | Facade-lighting buildings | 190 |" in tables


# ------------------------------------------------------------------------- geometry
def test_street_offices_partition_the_urban_area(sample):
    urban = shapely.union_all(sample["urban_area"].geometry.values)
    parts = list(sample["street_offices"].geometry.values)
    union = shapely.union_all(parts)
    assert shapely.symmetric_difference(union, urban).area < 1.0
    for a, b in combinations(parts, 2):
        assert shapely.intersection(a, b).area < 0.01
    assert 20e6 < urban.area < 28e6


def test_everything_sits_inside_the_city_boundary(sample):
    shell = shapely.union_all(sample["city_boundary"].geometry.values)
    for name, gdf in sample.items():
        if name != "city_boundary":
            assert shapely.covered_by(gdf.geometry.values, shell).all(), name


def test_roads_are_noded(sample):
    geoms = sample["roads"].geometry.values
    assert len(geoms) > 300
    ends = [{tuple(g.coords[0]), tuple(g.coords[-1])} for g in geoms]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right):
        if i >= j:
            continue
        inter = shapely.intersection(geoms[i], geoms[j])
        points = {tuple(c) for c in shapely.get_coordinates(inter)}
        assert inter.geom_type in ("Point", "MultiPoint"), (i, j, inter.geom_type)
        assert points <= (ends[i] & ends[j]), f"segments {i} and {j} cross away from a shared node"


def test_river_is_crossed_only_on_bridges(sample):
    roads, bridges = sample["roads"], sample["bridges"]
    river = shapely.union_all(sample["river"].geometry.values)
    crossing = shapely.intersects(roads.geometry.values, river)
    assert crossing.sum() >= 4
    assert roads.loc[crossing, "bridge_id"].notna().all()
    assert set(roads["bridge_id"].dropna()) <= set(bridges["obj_id"])
    assert shapely.intersects(bridges.geometry.values, river).all()
    for name in plan.PLAN_BRIDGES:
        oid = bridges.loc[bridges["name"] == name, "obj_id"].iloc[0]
        assert (roads["bridge_id"] == oid).sum() >= 1, name
    assert np.allclose(roads["length_m"], roads.geometry.length, atol=0.01)
    assert np.allclose(bridges["length_m"], bridges.geometry.length, atol=0.01)


def test_buildings_do_not_overlap_roads_or_each_other(sample):
    b = sample["facade_lighting_buildings"].geometry.values
    roads = shapely.union_all(sample["roads"].geometry.values)
    assert not shapely.intersects(b, roads).any()
    tree = shapely.STRtree(b)
    left, right = tree.query(b, predicate="intersects")
    assert (left == right).all()
    for g in b:  # rectangles with sides of about 15-60 m
        ring = shapely.get_coordinates(shapely.get_exterior_ring(g))
        sides = np.hypot(*np.diff(ring, axis=0).T)
        assert len(sides) == 4 and sides.min() > 12 and sides.max() < 60


# ------------------------------------------------------------------------- population
def test_population_sums_to_the_geonames_anchor_in_whole_people(sample, population):
    arr, transform, _ = population
    assert float(arr.sum(dtype=np.float64)) == sample_build.POPULATION_TOTAL == 132_224
    assert np.array_equal(arr, np.round(arr)) and arr.min() >= 0
    rows, cols = np.nonzero(arr > 0)
    xs = transform.c + (cols + 0.5) * transform.a
    ys = transform.f + (rows + 0.5) * transform.e
    pts = shapely.points(xs, ys)
    urban = shapely.union_all(sample["urban_area"].geometry.values)
    parks = shapely.union_all(sample["parks"].geometry.values)
    river = shapely.union_all(sample["river"].geometry.values)
    assert shapely.contains(urban, pts).all()
    assert not shapely.contains(parks, pts).any()
    assert (shapely.distance(river, pts) > 50).all()
    # denser in the centre than at the edge
    station = sample["railway_stations"].set_index("name").geometry["扎兰屯"]
    d = shapely.distance(station, pts)
    vals = arr[rows, cols]
    assert vals[d < 1000].mean() > 2 * vals[d > 3000].mean()


# ------------------------------------------------------------------------- shortcomings
def test_a_quarter_lies_beyond_500_m_of_every_stop(sample, population):
    stops = sample["bus_stops"]
    roads = sample["roads"]
    assert 90 <= len(stops) <= 130
    tree = shapely.STRtree(np.asarray(roads.geometry.values))
    _, near = tree.query_nearest(np.asarray(stops.geometry.values), return_distance=True,
                                 all_matches=False)
    assert len(near) == len(stops) and (near <= 10).all()
    live = stops[stops["status"].isin(schema.IN_SERVICE_STATUSES)]
    served = shapely.union_all(shapely.buffer(live.geometry.values, 500, quad_segs=32))
    urban = shapely.union_all(sample["urban_area"].geometry.values)
    gaps = [p for p in shapely.get_parts(shapely.difference(urban, served)) if p.area > 0]
    biggest = max(gaps, key=lambda p: p.area)
    assert biggest.area > 0.3e6  # a whole quarter, not a sliver
    planned = stops[stops["status"] == "planned"]
    assert len(planned) >= 2 and shapely.within(planned.geometry.values, biggest).all()
    # people live there
    arr, transform, _ = population
    rows, cols = np.nonzero(arr > 0)
    pts = shapely.points(transform.c + (cols + 0.5) * transform.a,
                         transform.f + (rows + 0.5) * transform.e)
    assert arr[rows, cols][shapely.contains(biggest, pts)].sum() > 1000


def test_one_street_office_is_short_of_toilets(sample):
    density = _in_service_toilets_per_km2(sample)
    low = min(density, key=density.get)
    assert low == sample_build.TOILET_SHORT_OFFICE
    others = [v for k, v in density.items() if k != low]
    assert density[low] < 0.5 * min(others)
    assert 45 <= len(sample["public_toilets"]) <= 60


def test_lighting_sweeping_and_works_fall_just_short(sample):
    r = sample["roads"]
    ms = r[r["road_class"].isin(["main", "secondary"])]
    lit = ms["lamps_lit"].sum() / ms["lamps_required"].sum()
    assert 0.96 < lit < 0.98
    swept = r.loc[r["mech_sweeping"].astype(bool), "length_m"].sum() / r["length_m"].sum()
    assert 0.40 < swept < 0.50
    plan_roads = r[r["plan_road"].notna()]
    assert plan_roads["status"].isin(["under_construction", "planned"]).any()
    new = plan_roads[plan_roads["works"] == "new"]
    for field in ("sidewalk", "bike_lane", "barrier_free"):
        assert (~new[field].astype(bool)).any(), field
    wl = sample["drainage_points"]
    wl = wl[wl["drainage_type"] == "waterlogging"]
    assert 10 <= len(wl) <= 15
    assert set(wl["remedy_status"]) == {"fixed", "in_progress", "not_started"}


def test_dates_are_consistent(sample):
    for name in schema.ASSET_LAYERS:
        gdf = sample[name]
        done = gdf["status"].isin(schema.DONE_STATUSES)
        assert gdf.loc[done, "completed_date"].notna().all(), name
        assert gdf.loc[~done & gdf["status"].notna(), "completed_date"].isna().all() or \
            name in ("public_toilets",), name
        assert (gdf["updated"] == sample_build.UPDATED).all(), name
        for col in ("planned_date", "completed_date"):
            vals = gdf[col].dropna()
            assert vals.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all(), (name, col)
    b = sample["facade_lighting_buildings"]
    assert (b["completed_date"].dropna() > "2019-06-01").all()
    unfinished = ~b["status"].isin(schema.DONE_STATUSES)
    assert 10 <= unfinished.sum() <= 20
    assert b.loc[unfinished, "completed_date"].isna().all()
    assert b["floors"].between(2, 18).all()


# ------------------------------------------------------------------------- the script
def test_script_refuses_bad_folders_with_one_line(tmp_path):
    import subprocess
    import sys

    script = REPO / "scripts" / "build_sample_layers.py"
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    for args in (["--out", str(not_a_dir)], ["--reference", str(empty), "--out", str(out)]):
        p = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                           encoding="utf-8", timeout=120)
        assert p.returncode == 2, (args, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert not out.exists()
