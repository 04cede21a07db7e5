"""The array engine of coverage against independent references: scipy's graph algorithms,
brute-force nearest searches, exact point-in-polygon tests, scipy.ndimage and GDAL's polygons,
pyogrio's reader; and the coverage run on files imports none of pandas, geopandas, pyogrio,
scipy or rasterio."""
from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from zlt_assets.analysis import _graph, _nearest, _raster
from zlt_assets.analysis.inputs import read_layer

CRS = "EPSG:4550"


# ------------------------------------------------------------------ graphs
@pytest.mark.parametrize("seed", range(8))
def test_components_and_multi_source_equal_scipy(seed):
    from scipy import sparse
    from scipy.sparse import csgraph

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 2500))
    m = int(rng.integers(1, 3 * n))
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0.0, 10.0, m)
    g = _graph.undirected(u, v, w, n)
    a = g.to_scipy()
    k, lab = csgraph.connected_components(a, directed=False)
    k2, lab2 = _graph.components(n, u, v)
    assert (k, lab.tolist()) == (k2, lab2.tolist())
    # sources on nodes at a distance (a source sitting on an edge reaches both its ends)
    ns = int(rng.integers(1, 30))
    nodes, d0 = rng.integers(0, n, ns), np.maximum(rng.uniform(0.0, 5.0, ns), 1e-9)
    limit = float(rng.uniform(3.0, 40.0))
    virt = n + np.arange(ns)
    base = a.tocoo()
    big = sparse.csr_matrix((np.concatenate([base.data, d0]),
                             (np.concatenate([base.row, virt]),
                              np.concatenate([base.col, nodes]))), shape=(n + ns, n + ns))
    ref, _, src = csgraph.dijkstra(big, directed=True, indices=virt, limit=limit,
                                   min_only=True, return_predecessors=True)
    dist, source = _graph.multi_source(g, nodes, d0, np.arange(ns), limit)
    reached = src[:n] >= 0
    assert np.array_equal(np.where(reached, ref[:n], np.inf), dist)  # bitwise
    assert np.array_equal(np.where(reached, src[:n] - n, -1), source)


def test_equal_distances_take_the_smaller_source():
    g = _graph.undirected(np.array([0, 1]), np.array([1, 2]), np.array([1.0, 1.0]), 3)
    d, s = _graph.multi_source(g, np.array([0, 2]), np.array([0.0, 0.0]), np.array([5, 3]),
                               10.0)
    assert d.tolist() == [0.0, 1.0, 0.0] and s.tolist() == [5, 3, 3]


# ------------------------------------------------------------------ nearest searches
def _segments(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    a = rng.uniform(0, 2000, (m, 2))
    b = a + rng.normal(0, 80, (m, 2))
    b[: m // 10] = a[: m // 10]  # some zero-length segments
    return a, b


@pytest.mark.parametrize("seed", range(4))
def test_nearest_segment_is_exact_on_every_path(seed):
    rng = np.random.default_rng(seed)
    a, b = _segments(rng, 600)
    seg = _nearest.Segments.from_ends(a, b)
    # points inside, just outside and far from the segments: every pass and the GEOS fallback
    xy = np.vstack([rng.uniform(0, 2000, (3000, 2)), rng.uniform(-6000, 8000, (300, 2))])
    e, d = _nearest.nearest_segment(xy[:, 0], xy[:, 1], seg)
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    lines[: 60] = shapely.points(a[: 60])
    brute = shapely.distance(shapely.points(xy)[:, None], lines[None, :])
    assert d == pytest.approx(brute.min(axis=1), abs=1e-9)
    assert np.allclose(brute[np.arange(len(xy)), e], brute.min(axis=1), atol=1e-9)
    # within: nothing beyond it
    e2, d2 = _nearest.nearest_segment(xy[:, 0], xy[:, 1], seg, within=25.0)
    near = brute.min(axis=1) <= 25.0 - 1e-6
    assert (e2[near] >= 0).all() and d2[near] == pytest.approx(d[near], abs=1e-9)
    assert (e2[brute.min(axis=1) > 25.0 + 1e-6] == -1).all()


def test_nearest_segment_on_a_grid_of_cells_equals_scattered_points():
    rng = np.random.default_rng(5)
    a, b = _segments(rng, 400)
    seg = _nearest.Segments.from_ends(a, b)
    rows, cols = np.mgrid[0:90, 0:85]
    x0, ytop, cell = -100.0, 2100.0, 25.0
    gx = x0 + (cols.ravel() + 0.5) * cell
    gy = ytop - (rows.ravel() + 0.5) * cell
    _, d1 = _nearest.nearest_segment(gx, gy, seg, grid=_nearest.GridSpec(x0, ytop, cell))
    _, d2 = _nearest.nearest_segment(gx, gy, seg)
    assert np.array_equal(d1, d2)


def test_nearest_point_equals_brute_force_and_takes_the_first_of_equals():
    rng = np.random.default_rng(7)
    f = rng.uniform(0, 3000, (150, 2))
    f[1] = f[0] + [200.0, 0.0]  # points on the bisector of 0 and 1 are equally near both
    xy = np.vstack([rng.uniform(-2000, 5000, (5000, 2)),
                    np.column_stack([np.full(20, f[0, 0] + 100.0),
                                     f[0, 1] + np.linspace(-5, 5, 20)])])
    i, d = _nearest.nearest_point(xy[:, 0], xy[:, 1], f[:, 0], f[:, 1])
    dd = np.sqrt(((xy[:, None, :] - f[None, :, :]) ** 2).sum(axis=2))
    assert np.array_equal(d, dd.min(axis=1))  # the same formula: bitwise
    first = np.argmin(dd, axis=1)  # numpy's argmin: the first of equals
    assert np.array_equal(i, first)
    for reach in (10.0, 300.0, 5000.0):  # a speed setting only
        i2, d2 = _nearest.nearest_point(xy[:, 0], xy[:, 1], f[:, 0], f[:, 1], reach=reach)
        assert np.array_equal(i2, i) and np.array_equal(d2, d)


# ------------------------------------------------------------------ rasters
polygons = st.builds(
    lambda pts, hole: shapely.make_valid(shapely.Polygon(pts)).buffer(0).difference(
        shapely.box(*hole) if hole else shapely.Polygon()),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)).map(
        lambda p: (p[0] * 2.5, p[1] * 2.5)), min_size=3, max_size=9),
    st.one_of(st.none(), st.tuples(st.integers(10, 30), st.integers(10, 30), st.integers(31, 40),
                                   st.integers(31, 40)).map(lambda b: tuple(v * 2.5 for v in b))))


@settings(max_examples=60, deadline=None)
@given(polygons, st.sampled_from([2.5, 5.0, 7.0]))
def test_polygon_mask_is_the_exact_centre_test(geom, cell):
    # vertices on a 2.5 m lattice: many lie exactly on cell centres and edges (the hard cases)
    nrows, ncols = int(110 / cell), int(110 / cell)
    img = _raster.polygon_mask(geom, -2.5, 105.0, cell, nrows, ncols)
    r, c = np.mgrid[0:nrows, 0:ncols]
    exact = shapely.intersects_xy(geom, -2.5 + (c + 0.5) * cell, 105.0 - (r + 0.5) * cell)
    assert np.array_equal(img, exact)
    # a window of the same grid gives the same cells
    win = _raster.polygon_mask(geom, -2.5, 105.0, cell, nrows - 3, ncols - 5, 3, 5)
    assert np.array_equal(win, exact[3:, 5:])


def test_disc_mask_is_the_distance_test():
    rng = np.random.default_rng(3)
    f = rng.uniform(0, 1000, (40, 2))
    f[0] = (512.5, 487.5)  # a facility on a cell centre: cells exactly at the radius
    for radius in (50.0, 100.0, 137.3):
        img = _raster.disc_mask(f[:, 0], f[:, 1], radius, 0.0, 1000.0, 25.0, 40, 40)
        r, c = np.mgrid[0:40, 0:40]
        x, y = (c + 0.5) * 25.0, 1000.0 - (r + 0.5) * 25.0
        dx = x[..., None] - f[:, 0]
        dy = y[..., None] - f[:, 1]
        exact = (np.sqrt(dx * dx + dy * dy) <= radius).any(axis=2)
        assert np.array_equal(img, exact)


@pytest.mark.parametrize("seed", range(6))
def test_patches_and_polygons_equal_scipy_and_gdal(seed):
    from rasterio import features
    from rasterio.transform import from_origin
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    img = rng.random((37, 41)) < rng.uniform(0.3, 0.7)
    lab, n = _raster.label_patches(img)
    ref, nref = ndimage.label(img)
    assert n == nref and np.array_equal(lab, ref)
    polys, labels = _raster.patch_polygons(lab, n, 100.0, 200.0, 5.0)
    assert shapely.is_valid(polys).all()
    gdal = {int(v): shapely.geometry.shape(g) for g, v in features.shapes(
        lab, mask=lab > 0, transform=from_origin(100.0, 200.0, 5.0, 5.0), connectivity=4)}
    assert sorted(gdal) == labels.tolist()
    assert all(shapely.equals(polys[k - 1], gdal[k]) for k in gdal)


# ------------------------------------------------------------------ reading
def test_geopackage_reader_equals_pyogrio(tmp_path):
    import pyogrio

    from zlt_assets.inventory import sample_path

    path = tmp_path / "mixed.gpkg"
    pts = gpd.GeoDataFrame(
        {"population": [3, None, 2, 5], "name": ["a", None, "c", "d"], "w": [1.5, 2.0, None, 0.1],
         "flag": [True, False, True, True]},
        geometry=[shapely.Point(1, 2), None, shapely.Point(3, 4), shapely.Point()],
        crs="EPSG:32651")
    pts.to_file(path, layer="pts")
    lines = gpd.GeoDataFrame({"k": [1, 2]}, geometry=[
        shapely.LineString([(0, 0, 5), (1, 1, 6)]),
        shapely.MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])], crs="EPSG:4326")
    lines.to_file(path, layer="lines")
    cases = [(path, "pts"), (path, "lines")] + [(sample_path(), n) for n in
                                                ("bus_stops", "roads", "street_offices")]
    for file, layer in cases:
        ref = pyogrio.read_dataframe(file, layer=layer)
        got = read_layer(file, layer=layer)
        assert got.crs.equals(ref.crs)
        assert len(got) == len(ref)
        for a, b in zip(got.geometry, ref.geometry.values, strict=True):
            assert (a is None and (b is None or b.is_empty)) or shapely.equals_exact(a, b, 0)
        for c in ref.columns:
            if c == ref.geometry.name:
                continue
            want = ref[c].to_numpy()
            have = got[c]
            for x, y in zip(have, want, strict=True):
                missing = x is None or (isinstance(x, float) and np.isnan(x))
                assert missing == (y is None or (isinstance(y, float) and np.isnan(y))) \
                    or x == y, (layer, c)
                if not missing:
                    assert x == y, (layer, c, x, y)


def test_a_coverage_run_on_files_imports_no_dataframe_or_scipy(tmp_path):
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 1000)], crs=CRS)
    roads = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, y), (1000, y)])
                                       for y in range(50, 1000, 100)] +
                             [shapely.LineString([(x, 0), (x, 1000)])
                              for x in range(50, 1000, 100)], crs=CRS)
    stops = gpd.GeoDataFrame(geometry=[shapely.Point(250, 250), shapely.Point(750, 640)],
                             crs=CRS)
    rng = np.random.default_rng(1)
    people = gpd.GeoDataFrame({"population": rng.integers(1, 5, 500)},
                              geometry=shapely.points(rng.uniform(0, 1000, (500, 2))), crs=CRS)
    for name, f in (("area", area), ("roads", roads), ("stops", stops), ("people", people)):
        f.to_file(tmp_path / f"{name}.gpkg")
    heavy = ("geopandas", "pandas", "pyogrio", "scipy", "rasterio", "pyarrow", "networkx")
    for method in ("network", "euclidean"):
        out = tmp_path / f"{method}.json"
        code = (
            "import sys\nfrom zlt_assets.cli import main\n"
            f"rc = main(['coverage', '--facilities', {str(tmp_path / 'stops.gpkg')!r}, "
            f"'--roads', {str(tmp_path / 'roads.gpkg')!r}, '--area', "
            f"{str(tmp_path / 'area.gpkg')!r}, '--population', "
            f"{str(tmp_path / 'people.gpkg')!r}, '--no-districts', '--method', {method!r}, "
            f"'--json', {str(out)!r}, '-q'])\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))\n"
            "sys.exit(rc)\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={"ZLT_PROGRESS": "none", "PATH": "/usr/bin:/bin"})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout
        summary = json.loads(out.read_text(encoding="utf-8"))
        assert 0 < summary["population_share"] < 1
