#!/usr/bin/env python3
"""Coverage benchmark: zlt-assets against networkx, geopandas and QGIS (run on demand).

One run generates (or reuses) the synthetic city of ``generate_city.py`` and times, each contender
in its own subprocess (so peak memory is its own):

* ``project-network``   - ``compute_coverage(method="network")`` (network built from the roads);
* ``networkx``          - (a) the reference graph approach: every stop and every cell attachment
  point (nearest point on the nearest straight road piece, the project's rule) is inserted into a
  ``networkx.Graph`` by splitting the road edges, stops hang on their attachment by their offset,
  one ``multi_source_dijkstra_path_length(cutoff=radius)`` from all stops, a cell's distance =
  distance to its attachment node + its own offset;
* ``networkx-hybrid``   - (a') a tuned networkx variant, shown for honesty: only stops are
  inserted; cells are evaluated with numpy from the node distances (the same maths as the
  project, only the Dijkstra is networkx);
* ``project-euclidean`` - ``compute_coverage(method="euclidean")``;
* ``geopandas``         - (b) ``stops.buffer(r).union_all()`` then ``sjoin(cells, predicate=
  "within")``;
* ``qgis``              - (c) ``native:serviceareafromlayer`` (PyQGIS Processing, shortest, both
  directions) then a join: a cell counts when its attachment point lies on a service-area line.
  QGIS measures along the network only (no off-network legs), so it is checked against
  ``networkx-onnet`` (the same graph approach with both legs set to 0), and it runs on the
  ``--qgis-scale`` city (one Dijkstra per start point does not scale to 2,000 stops on the full
  city in reasonable time); the project is timed on the same city for its ratio.

Checks: covered area share and population share agree within ``--tolerance`` (default 1e-4 =
0.01 percentage points); for a random sample of cells the distances agree within 1 cm where both
are within the radius (network: project vs. networkx; straight line: project vs. brute force).

Usage::

    python benchmarks/bench_coverage.py --scale 0.1          # quick (about a minute)
    python benchmarks/bench_coverage.py                      # the full city (scale 1)

Results go to ``out/bench/<scale>/`` (JSON + a Markdown table); nothing is asserted on time.

Whole processes (issue #13): ``--whole`` times, start to JSON written, the ``zlt-assets coverage``
command against the by-hand script ``byhand_coverage.py`` (shapely ``unary_union`` + networkx
multi-source Dijkstra + KD-tree), each as its own process, alternately, ``--whole-repeat`` times
(median), on the unnoded grid city of ``grid_city.py`` (250 x 250 long streets, 300,000 people,
800 stops, 500 m walking) and on the real OpenStreetMap city in ``tests/data/osm`` (Helsinki)::

    python benchmarks/bench_coverage.py --whole --contenders project-network,networkx,project-euclidean,geopandas
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate_city  # noqa: E402

CONTENDERS = ("project-network", "networkx", "networkx-hybrid", "project-euclidean",
              "geopandas", "qgis", "networkx-onnet", "project-network-qgis-city")
FACILITY_MAX_SNAP = 150.0  # the project's default (zlt_assets.analysis.network.FACILITY_MAX_SNAP)


# ======================================================================================
# shared helpers (run in the workers)
# ======================================================================================
def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def load_city(city: Path) -> dict:
    """Read the generated city (not timed)."""
    import pyogrio
    import rasterio

    info = json.loads((city / "city.json").read_text(encoding="utf-8"))
    gpkg = city / "city.gpkg"
    out = {"info": info}
    for name in ("roads", "stops", "area", "districts"):
        out[name] = pyogrio.read_dataframe(gpkg, layer=name)
    with rasterio.open(city / "population.tif") as src:
        out["pop"] = src.read(1).astype("float64")
        out["transform"] = src.transform
    return out


def cell_centres(c: dict) -> np.ndarray:
    """Centres of the raster cells, row-major from the north-west corner (the canonical order)."""
    info = c["info"]
    g, cell = info["side_cells"], info["cell_m"]
    x0, y0 = info["origin"]
    ytop = y0 + info["side_m"]
    cols, rows = np.meshgrid(np.arange(g), np.arange(g))
    x = x0 + (cols.ravel() + 0.5) * cell
    y = ytop - (rows.ravel() + 0.5) * cell
    return np.stack([x, y], axis=1)


def _segments(roads) -> tuple[np.ndarray, np.ndarray]:
    """Straight road pieces (a, b) from the lines' consecutive vertices."""
    import shapely

    coords, idx = shapely.get_coordinates(roads.geometry.values, return_index=True)
    same = idx[:-1] == idx[1:]
    return coords[:-1][same], coords[1:][same]


def _attach(a: np.ndarray, b: np.ndarray, xy: np.ndarray, max_snap: float | None = None):
    """Nearest point on the nearest straight piece: (segment, along, offset, ok)."""
    import shapely

    tree = shapely.STRtree(shapely.linestrings(np.stack([a, b], axis=1)))
    kw = {"all_matches": False}
    if max_snap is not None:
        kw["max_distance"] = max_snap
    qi, si = tree.query_nearest(shapely.points(xy), **kw)
    seg = np.full(len(xy), -1, dtype=np.int64)
    seg[qi] = si
    ok = seg >= 0
    along = np.zeros(len(xy))
    off = np.full(len(xy), np.inf)
    s = seg[ok]
    ab = b[s] - a[s]
    ll = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", xy[ok] - a[s], ab) / ll, 0, 1)
    q = a[s] + ab * t[:, None]
    along[ok] = t * np.sqrt(ll)
    off[ok] = np.hypot(*(xy[ok] - q).T)
    return seg, along, off, ok


# ======================================================================================
# contenders (each returns per-cell distance, inf = beyond the radius; float32)
# ======================================================================================
def run_project(c: dict, radius: float, method: str) -> np.ndarray:
    from zlt_assets.analysis.coverage import compute_coverage

    marks: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    res = compute_coverage(c["stops"], c["area"], radius=radius, method=method,
                           roads=c["roads"] if method == "network" else None,
                           population=str(c["city"] / "population.tif"),
                           districts=c["districts"], cell=c["info"]["cell_m"],
                           progress=lambda m: marks.append((time.perf_counter() - t0, m)))
    end = time.perf_counter() - t0
    # seconds from each of the engine's progress messages to the next (where the time goes)
    c["steps"] = [{"step": m, "seconds": round((marks[i + 1][0] if i + 1 < len(marks) else end)
                                                - t, 3)} for i, (t, m) in enumerate(marks)]
    if marks:
        c["steps"].insert(0, {"step": "(inputs checked)", "seconds": round(marks[0][0], 3)})
    return _project_cell_distances(res, c)


def _project_cell_distances(res, c: dict) -> np.ndarray:
    """Map the project's grid cells onto the canonical raster order (row-major from the NW corner).

    Uses the result's grid indices and distance array directly (building ``res.cells``, a
    GeoDataFrame of a million points, would time the benchmark's own conversion).
    """
    info = c["info"]
    grid = res.grid
    x0, y0 = info["origin"]
    ytop = y0 + info["side_m"]
    g = info["side_cells"]
    col = grid.col + round((grid.x0 - x0) / info["cell_m"])
    row = grid.row + round((ytop - grid.ytop) / info["cell_m"])
    d = np.asarray(res.cell_distance, dtype="float64").copy()
    d[~(d <= res.radius + 1e-6)] = np.inf  # beyond the radius, as the other contenders report
    out = np.full(g * g, np.inf, dtype=np.float64)
    out[row * g + col] = d
    return out


def run_networkx(c: dict, radius: float, legs: bool = True) -> np.ndarray:
    """(a) the graph approach: all attachment points become graph nodes."""
    import networkx as nx

    a, b = _segments(c["roads"])
    ends = np.vstack([a, b])
    uniq, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    u, v = inv[: len(a)], inv[len(a):]
    seg_len = np.hypot(*(b - a).T)
    n_road = len(uniq)

    xy_cells = cell_centres(c)
    xy_stops = np.asarray([(p.x, p.y) for p in c["stops"].geometry.values])
    cseg, calong, coff, cok = _attach(a, b, xy_cells)
    sseg, salong, soff, sok = _attach(a, b, xy_stops, FACILITY_MAX_SNAP)
    if not legs:
        soff = np.where(sok, 0.0, soff)
        coff = np.where(cok, 0.0, coff)

    # attachment points (cells then stops) as nodes, chained along their road piece
    pseg = np.concatenate([cseg[cok], sseg[sok]])
    palong = np.concatenate([calong[cok], salong[sok]])
    pnode = n_road + np.arange(len(pseg))
    order = np.lexsort((palong, pseg))
    pseg, palong, pnode = pseg[order], palong[order], pnode[order]
    first = np.ones(len(pseg), dtype=bool)
    first[1:] = pseg[1:] != pseg[:-1]
    last = np.ones(len(pseg), dtype=bool)
    last[:-1] = pseg[1:] != pseg[:-1]
    prev_node = np.where(first, u[pseg], np.r_[0, pnode[:-1]])
    prev_along = np.where(first, 0.0, np.r_[0.0, palong[:-1]])

    G = nx.Graph()
    split = np.zeros(len(a), dtype=bool)
    split[pseg] = True
    keep = ~split
    G.add_weighted_edges_from(zip(u[keep].tolist(), v[keep].tolist(), seg_len[keep].tolist(), strict=False))
    G.add_weighted_edges_from(zip(prev_node.tolist(), pnode.tolist(),
                                  np.maximum(palong - prev_along, 0.0).tolist(), strict=False))
    G.add_weighted_edges_from(zip(pnode[last].tolist(), v[pseg[last]].tolist(),
                                  np.maximum(seg_len[pseg[last]] - palong[last], 0.0).tolist(), strict=False))
    # stops hang on their attachment node by their offset
    n_cell_pts = int(cok.sum())
    stop_att = n_road + n_cell_pts + np.arange(int(sok.sum()))
    stop_nodes = [("stop", i) for i in range(len(stop_att))]
    G.add_weighted_edges_from(zip(stop_nodes, stop_att.tolist(), soff[sok].tolist(), strict=False))
    dist = nx.multi_source_dijkstra_path_length(G, stop_nodes, cutoff=radius)

    out = np.full(len(xy_cells), np.inf)
    cnodes = n_road + np.arange(n_cell_pts)
    dn = np.fromiter((dist.get(int(k), np.inf) for k in cnodes), dtype="float64",
                     count=n_cell_pts)
    d = dn + coff[cok]
    d[d > radius] = np.inf
    out[cok] = d
    return out


def run_networkx_hybrid(c: dict, radius: float) -> np.ndarray:
    """(a') networkx Dijkstra on roads + stops only; cells evaluated with numpy."""
    import networkx as nx

    a, b = _segments(c["roads"])
    ends = np.vstack([a, b])
    uniq, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    u, v = inv[: len(a)], inv[len(a):]
    seg_len = np.hypot(*(b - a).T)
    n_road = len(uniq)
    xy_stops = np.asarray([(p.x, p.y) for p in c["stops"].geometry.values])
    sseg, salong, soff, sok = _attach(a, b, xy_stops, FACILITY_MAX_SNAP)
    G = nx.Graph()
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), seg_len.tolist(), strict=False))
    src = "sources"
    for k in np.flatnonzero(sok):  # a virtual source tied to both ends of its piece
        s = sseg[k]
        for node, w in ((u[s], soff[k] + salong[k]), (v[s], soff[k] + seg_len[s] - salong[k])):
            node = int(node)
            if G.has_edge(src, node):
                G[src][node]["weight"] = min(G[src][node]["weight"], w)
            else:
                G.add_edge(src, node, weight=float(w))
    dist = nx.single_source_dijkstra_path_length(G, src, cutoff=radius)
    dnode = np.full(n_road, np.inf)
    keys = np.fromiter((k for k in dist if k != src), dtype=np.int64)
    dnode[keys] = [dist[int(k)] for k in keys]

    xy_cells = cell_centres(c)
    cseg, calong, coff, cok = _attach(a, b, xy_cells)
    s = cseg[cok]
    d = np.minimum(dnode[u[s]] + calong[cok], dnode[v[s]] + seg_len[s] - calong[cok])
    # stops on the cell's own piece
    for k in np.flatnonzero(sok):
        m = s == sseg[k]
        if m.any():
            d[m] = np.minimum(d[m], np.abs(calong[cok][m] - salong[k]) + soff[k])
    d = d + coff[cok]
    d[d > radius] = np.inf
    out = np.full(len(xy_cells), np.inf)
    out[cok] = d
    return out


def run_geopandas(c: dict, radius: float) -> np.ndarray:
    """(b) buffer, union, points within; no distances: covered cells get 0, others inf."""
    import geopandas as gpd

    stops = c["stops"]
    xy = cell_centres(c)
    union = stops.buffer(radius).union_all()
    cells = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=stops.crs)
    joined = gpd.sjoin(cells, gpd.GeoDataFrame(geometry=[union], crs=stops.crs),
                       predicate="within", how="inner")
    out = np.full(len(xy), np.inf)
    out[joined.index.to_numpy()] = 0.0
    return out


def run_qgis(c: dict, radius: float) -> np.ndarray:
    """(c) QGIS service area (lines) from all stops, then a join of the cells' attachment points.

    Covered cells get 0 (QGIS gives no per-cell distance), others inf.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication, QgsVectorLayer

    # Debian/Ubuntu packages install QGIS under /usr; QGIS_PREFIX_PATH overrides
    QgsApplication.setPrefixPath(os.environ.get("QGIS_PREFIX_PATH", "/usr"), True)
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append(os.path.join(QgsApplication.pkgDataPath(), "python", "plugins"))
    from processing.core.Processing import Processing  # type: ignore

    Processing.initialize()
    import processing  # type: ignore
    import pyogrio
    import shapely

    gpkg = str(c["city"] / "city.gpkg")
    roads = QgsVectorLayer(f"{gpkg}|layername=roads", "roads", "ogr")
    stops = QgsVectorLayer(f"{gpkg}|layername=stops", "stops", "ogr")
    out_lines = str(c["workdir"] / "qgis_service_area.gpkg")
    if os.path.exists(out_lines):
        os.remove(out_lines)
    t0 = time.perf_counter()
    processing.run("native:serviceareafromlayer", {
        "INPUT": roads, "STRATEGY": 0, "DEFAULT_DIRECTION": 2, "TOLERANCE": 0,
        "START_POINTS": stops, "TRAVEL_COST2": radius, "INCLUDE_BOUNDS": False,
        "OUTPUT_LINES": out_lines, "OUTPUT": "TEMPORARY_OUTPUT",
    })
    c["qgis_algorithm_seconds"] = time.perf_counter() - t0
    lines = pyogrio.read_dataframe(out_lines)
    parts = shapely.get_parts(lines.geometry.values)
    a, b = _segments(c["roads"])
    xy = cell_centres(c)
    seg, along, _off, _ok = _attach(a, b, xy)
    t = along / np.hypot(*(b[seg] - a[seg]).T)
    q = a[seg] + (b[seg] - a[seg]) * t[:, None]
    tree = shapely.STRtree(parts)
    # 1 mm: attachment points lie on the road pieces up to rounding; a wider join tolerance
    # would count cells just beyond the radius (a 5 cm tolerance took 8 of 100,000 cells at
    # 500.007-500.052 m)
    hit, _ = tree.query(shapely.points(q), predicate="dwithin", distance=1e-3)
    out = np.full(len(xy), np.inf)
    out[np.unique(hit)] = 0.0
    del roads, stops
    return out


def run_networkx_onnet(c: dict, radius: float) -> np.ndarray:
    """networkx graph approach with both off-network legs set to 0 (QGIS's question)."""
    return run_networkx(c, radius, legs=False)


# ======================================================================================
# worker and driver
# ======================================================================================
def worker(name: str, city: Path, radius: float, result: Path, repeat: int = 1) -> None:
    c = load_city(city)
    c["city"] = city
    c["workdir"] = result.parent
    # imports happen before the clock starts (QGIS's start-up is inside its run: see
    # qgis_algorithm_seconds for the algorithm alone)
    if name.startswith("project"):
        import zlt_assets.analysis.coverage  # noqa: F401
    elif name.startswith("networkx"):
        import networkx  # noqa: F401
    rss_loaded = _rss_mb()
    times, cpu = [], []
    for _ in range(max(1, repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        d = _run_one(name, c, radius)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)  # all threads of this process
    seconds = min(times)
    pop = c["pop"].ravel()
    covered = np.isfinite(d) & (d <= radius)
    meta = {
        "contender": name, "seconds": seconds, "all_seconds": times,
        "cpu_seconds": min(cpu), "all_cpu_seconds": cpu,
        "rss_loaded_mb": rss_loaded, "peak_rss_mb": _peak_mb(), "cells": len(d),
        "area_share": float(covered.mean()),
        "population_share": float(pop[covered].sum() / pop.sum()),
    }
    if "qgis_algorithm_seconds" in c:
        meta["qgis_algorithm_seconds"] = c["qgis_algorithm_seconds"]
    if "steps" in c:
        meta["steps"] = c["steps"]  # of the last repeat
    np.save(result.with_suffix(".npy"), d.astype("float64"))
    result.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _run_one(name: str, c: dict, radius: float) -> np.ndarray:
    if name in ("project-network", "project-network-qgis-city"):
        d = run_project(c, radius, "network")
    elif name == "project-euclidean":
        d = run_project(c, radius, "euclidean")
    elif name == "networkx":
        d = run_networkx(c, radius)
    elif name == "networkx-hybrid":
        d = run_networkx_hybrid(c, radius)
    elif name == "networkx-onnet":
        d = run_networkx_onnet(c, radius)
    elif name == "geopandas":
        d = run_geopandas(c, radius)
    elif name == "qgis":
        d = run_qgis(c, radius)
    else:
        raise SystemExit(f"unknown contender {name}")
    return d


def run_contender(name: str, city: Path, radius: float, work: Path, timeout: float,
                  repeat: int = 1, reuse: bool = False) -> dict:
    result = work / f"{name}.json"
    if reuse and result.exists() and result.with_suffix(".npy").exists():
        meta = json.loads(result.read_text(encoding="utf-8"))
        meta["distances"] = str(result.with_suffix(".npy"))
        print(f"  reusing {name}: {meta['seconds']:.2f} s", file=sys.stderr)
        return meta
    result.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--city", str(city),
           "--radius", str(radius), "--result", str(result), "--repeat", str(repeat)]
    print(f"  running {name} ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0 or not result.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"contender": name, "error": " | ".join(tail) or f"exit {proc.returncode}"}
    meta = json.loads(result.read_text(encoding="utf-8"))
    meta["wall_seconds"] = time.perf_counter() - t0
    meta["distances"] = str(result.with_suffix(".npy"))
    print(f"    {meta['seconds']:.2f} s, peak {meta['peak_rss_mb']:.0f} MB, "
          f"area {meta['area_share']:.5f}", file=sys.stderr, flush=True)
    return meta


def brute_force_euclidean(c: dict, idx: np.ndarray, radius: float) -> np.ndarray:
    from scipy.spatial import cKDTree

    xy = cell_centres(c)[idx]
    stops = np.asarray([(p.x, p.y) for p in c["stops"].geometry.values])
    d, _ = cKDTree(stops).query(xy)
    return np.where(d <= radius, d, np.inf)


def compare(ref: dict, other: dict, tol: float, sample: np.ndarray | None,
            ref_d: np.ndarray | None = None, band: tuple[float, float] | None = None) -> dict:
    """Agreement of two contenders: shares within tol; sampled distances within 1 cm."""
    out = {"area_share_diff": abs(ref["area_share"] - other["area_share"]),
           "population_share_diff": abs(ref["population_share"] - other["population_share"])}
    out["shares_agree"] = bool(out["area_share_diff"] <= tol and
                               out["population_share_diff"] <= tol)
    a = np.load(ref["distances"]) if ref_d is None else ref_d
    b = np.load(other["distances"])
    if sample is not None:
        a, b = (a if ref_d is not None else a[sample]), b[sample]
        both = np.isfinite(a) & np.isfinite(b)
        diff = np.abs(a[both] - b[both])
        out["sample_cells"] = len(sample)
        out["sample_both_within"] = int(both.sum())
        out["sample_max_diff_m"] = float(diff.max()) if len(diff) else 0.0
        out["sample_covered_mismatch"] = int((np.isfinite(a) != np.isfinite(b)).sum())
        out["sample_distance_mismatch"] = int((diff > 0.01).sum())
        out["distances_agree"] = bool(out["sample_max_diff_m"] <= 0.01)
    else:
        fa, fb = np.isfinite(a), np.isfinite(b)
        mism = fa != fb
        out["covered_mismatch_cells"] = int(mism.sum())
        if band is not None:
            # every mismatch must lie within `band` metres of the radius (e.g. the chord error of
            # polygonal buffers); b holds the exact distances there
            lo, hi = band
            db = b[mism & fb]
            da = a[mism & fa]
            exact = np.concatenate([db, da]) if len(da) and np.any(da > 0) else db
            out["mismatches_in_band"] = bool(np.all((exact >= lo) & (exact <= hi + 1e-9))
                                             if len(exact) else True)
            out["band_m"] = [lo, hi]
    return out


def fmt_table(rows: list[dict]) -> str:
    head = ("| contender | question | wall (s) | ratio to project | CPU (s) | CPU ratio "
            "| peak RSS (MB) | area share | population share | agreement |")
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        lines.append(
            f"| {r['contender']} | {r['question']} | "
            + (f"{r['seconds']:.2f}" if "seconds" in r else "-") + " | "
            + (f"{r['ratio']:.1f}x" if r.get("ratio") else "-") + " | "
            + (f"{r['cpu_seconds']:.2f}" if "cpu_seconds" in r else "-") + " | "
            + (f"{r['cpu_ratio']:.1f}x" if r.get("cpu_ratio") else "-") + " | "
            + (f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "-") + " | "
            + (f"{100 * r['area_share']:.3f}%" if "area_share" in r else "-") + " | "
            + (f"{100 * r['population_share']:.3f}%" if "population_share" in r else "-")
            + f" | {r.get('agreement', r.get('error', ''))} |")
    return "\n".join(lines)


def machine_info() -> dict:
    """CPU count, model, memory and load, for the report."""
    info: dict = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next(l.split(":", 1)[1].strip() for l in fh if l.startswith("model name"))
        with open("/proc/meminfo") as fh:
            info["mem_gb"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
        info["load_average"] = os.getloadavg()
    except (OSError, StopIteration):
        pass
    return info


def render(summary: dict) -> tuple[str, dict]:
    """The Markdown table and the targets from a results summary (also ``--render``)."""
    res, checks = summary["results"], summary["checks"]
    wanted = summary.get("wanted") or list(res)
    qscale = summary.get("qgis_scale")
    rows: list[dict] = []

    def row(name: str, question: str, ref: str | None, agreement: str = "") -> None:
        r = dict(res.get(name) or {"contender": name, "error": "not run"})
        r["question"] = question
        if ref and "seconds" in r and "seconds" in (res.get(ref) or {}):
            r["ratio"] = r["seconds"] / res[ref]["seconds"]
            if "cpu_seconds" in r and "cpu_seconds" in res[ref]:
                r["cpu_ratio"] = r["cpu_seconds"] / res[ref]["cpu_seconds"]
        if agreement:
            r["agreement"] = agreement
        rows.append(r)

    def agree(key: str) -> str:
        ch = checks.get(key)
        if not ch:
            return ""
        s = f"shares Δ {ch['area_share_diff']:.1e}/{ch['population_share_diff']:.1e}"
        if "sample_max_diff_m" in ch:
            s += (f"; {ch['sample_cells']:,} sampled cells: max Δ {ch['sample_max_diff_m']:.1e} m,"
                  f" {ch['sample_covered_mismatch']} covered mismatches")
        if "covered_mismatch_cells" in ch:
            s += f"; {ch['covered_mismatch_cells']:,} cells differ"
            if "band_m" in ch:
                lo, hi = ch["band_m"]
                s += (f", {'all' if ch['mismatches_in_band'] else 'NOT all'} within "
                      f"{hi - lo:.2f} m inside the radius (the 64-gon chord error)")
        return s

    row("project-network", "walking distance", None,
        agree("network") and "vs networkx: " + agree("network"))
    row("networkx", "walking distance (reference)", "project-network")
    row("networkx-hybrid", "walking distance", "project-network",
        agree("network-hybrid") and "vs networkx: " + agree("network-hybrid"))
    row("project-euclidean", "straight line", None,
        agree("euclidean-brute-force") and "vs brute force: " + agree("euclidean-brute-force"))
    row("geopandas", "straight line (64-gon buffers)", "project-euclidean",
        agree("euclidean") and "vs project: " + agree("euclidean"))
    if "qgis" in wanted:
        same = qscale == summary.get("scale")
        ref = "project-network" if same else "project-network-qgis-city"
        if not same:
            row(ref, f"walking distance, city scale {qscale:g}", None)
        alg = (res.get("qgis") or {}).get("qgis_algorithm_seconds")
        row("qgis", f"on-network distance, city scale {qscale:g}"
            + (f" (QGIS start-up included; the algorithm alone {alg:.1f} s)" if alg else ""), ref,
            agree("qgis") and "vs networkx on-network: " + agree("qgis"))
        row("networkx-onnet", f"on-network distance, city scale {qscale:g}", ref)
    rows = [r for r in rows if r["contender"] in wanted]
    targets: dict = {}
    by = {r["contender"]: r for r in rows}
    for name, key, need in (("networkx", "network >= 20x faster than networkx (a)", 20.0),
                            ("geopandas", "straight line >= 10x faster than geopandas (b)", 10.0)):
        if "ratio" in by.get(name, {}):
            targets[key] = {"value": by[name]["ratio"], "met": by[name]["ratio"] >= need,
                            "cpu_value": by[name].get("cpu_ratio")}
    peaks = [res[n]["peak_rss_mb"] for n in ("project-network", "project-euclidean")
             if n in res and "peak_rss_mb" in res[n]]
    if peaks:
        targets["project peak memory < 2048 MB"] = {"value": max(peaks),
                                                    "met": max(peaks) < 2048}
    table = fmt_table(rows)
    for name in ("project-network", "project-euclidean"):
        steps = (res.get(name) or {}).get("steps")
        if steps:
            table += (f"\n\n{name}, seconds per step (last repeat): "
                      + "; ".join(f"{st['step'].rstrip(' .')} {st['seconds']:.2f}"
                                  for st in steps))
    return table, targets


# ======================================================================================
# whole processes: start to JSON written
# ======================================================================================
def _helsinki_city(out: Path) -> Path:
    """The Helsinki extract as the files both contenders read, in the project's true-metre CRS."""
    import geopandas as gpd
    import pyogrio
    import shapely

    from zlt_assets.crs import choose_work_crs, lonlat_bounds

    city = out / "helsinki"
    if (city / "people.gpkg").exists():
        return city
    city.mkdir(parents=True, exist_ok=True)
    osm = REPO / "tests" / "data" / "osm" / "Helsinki.osm.pbf"
    lines = pyogrio.read_dataframe(osm, layer="lines")
    lines = lines[lines["highway"].notna()].reset_index(drop=True)
    pts = pyogrio.read_dataframe(osm, layer="points")
    stops = pts[pts["highway"] == "bus_stop"].reset_index(drop=True)
    crs = choose_work_crs(lonlat_bounds([lines])).crs
    lines = lines.to_crs(crs)[["highway", "other_tags", "geometry"]]
    w, s, e, n = lines.total_bounds
    area = gpd.GeoDataFrame({"name": ["Helsinki"]}, geometry=[shapely.box(w, s, e, n)], crs=crs)
    gx, gy = np.meshgrid(np.arange(w + 3.1, e, 10.0), np.arange(s + 7.3, n, 10.0))
    people = gpd.GeoDataFrame({"population": np.ones(gx.size, dtype="int32")},
                              geometry=shapely.points(gx.ravel(), gy.ravel()), crs=crs)
    lines.to_file(city / "roads.gpkg")
    stops[["osm_id", "geometry"]].to_crs(crs).to_file(city / "stops.gpkg")
    area.to_file(city / "area.gpkg")
    people.to_file(city / "people.gpkg")
    return city


def _timed(cmd: list[str], out_json: Path) -> float:
    out_json.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    dt = time.perf_counter() - t0
    if proc.returncode != 0 or not out_json.exists():
        raise SystemExit(f"{cmd[1:3]} failed: {proc.stderr.strip()[-500:]}")
    return dt


def run_whole(out: Path, repeat: int, radius: float) -> dict:
    """Median wall time of whole processes (interpreter start to JSON written), alternating."""
    import grid_city

    cities = {}
    grid = out / "grid-city"
    if not (grid / "city.json").exists():
        grid_city.generate(grid)
    cities["grid city (unnoded, 124,500 edges, 300,000 people)"] = grid
    cities["Helsinki (OpenStreetMap extract, 10 m lattice of people)"] = _helsinki_city(out)
    exe = str(Path(sys.executable).with_name("zlt-assets"))
    results = {}
    for label, city in cities.items():
        pj, sj = city / "project.json", city / "script.json"
        project = [exe, "coverage", "--facilities", str(city / "stops.gpkg"),
                   "--roads", str(city / "roads.gpkg"), "--area", str(city / "area.gpkg"),
                   "--population", str(city / "people.gpkg"), "--no-districts",
                   "--method", "network", "--radius", str(radius), "--quiet", "--json", str(pj)]
        script = [sys.executable, str(HERE / "byhand_coverage.py"), str(city), str(sj),
                  str(radius)]
        tp, ts = [], []
        for _ in range(repeat):
            tp.append(_timed(project, pj))
            ts.append(_timed(script, sj))
        p = json.loads(pj.read_text(encoding="utf-8"))
        q = json.loads(sj.read_text(encoding="utf-8"))
        results[label] = {
            "project_seconds": float(np.median(tp)), "script_seconds": float(np.median(ts)),
            "project_all": tp, "script_all": ts,
            "ratio": float(np.median(ts) / np.median(tp)),
            "project_population_share": p["population_share"],
            "script_population_share": q["population_share"],
            "project_crs": p["crs"]["label"], "project_noding": p["network"]["noding"],
            "project_edges": p["network"]["n_edges"],
        }
        print(f"  {label}: project {np.median(tp):.2f} s, script {np.median(ts):.2f} s "
              f"({results[label]['ratio']:.2f}x)", file=sys.stderr, flush=True)
    return results


def fmt_whole(whole: dict) -> str:
    lines = ["| city | zlt-assets coverage (s) | by-hand script (s) | script / project | "
             "population share: project (nearest point on a street) / script (nearest node) "
             "| project's CRS, noding, edges |", "|---|---|---|---|---|---|"]
    for label, r in whole.items():
        lines.append(f"| {label} | {r['project_seconds']:.2f} | {r['script_seconds']:.2f} | "
                     f"{r['ratio']:.2f}x | {100 * r['project_population_share']:.2f}% / "
                     f"{100 * r['script_population_share']:.2f}% | {r['project_crs']}, "
                     f"{r['project_noding']}, {r['project_edges']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="zlt-assets coverage benchmark (on demand)")
    ap.add_argument("--scale", type=float, default=1.0, help="city scale (1 = 1,000,000 cells)")
    ap.add_argument("--radius", type=float, default=500.0)
    ap.add_argument("--qgis-scale", type=float, default=None,
                    help="city scale for the QGIS contender (default: min(scale, 0.1))")
    ap.add_argument("--contenders", default="all",
                    help=f"comma-separated subset of {', '.join(CONTENDERS)}")
    ap.add_argument("--sample", type=int, default=20000, help="cells whose distances are compared")
    ap.add_argument("--tolerance", type=float, default=1e-4,
                    help="largest accepted difference of covered shares (fraction)")
    ap.add_argument("--out", type=Path, default=None, help="results folder")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--repeat", type=int, default=3,
                    help="timed runs per contender in its process; the fastest counts (default 3)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--city", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--reuse", action="store_true",
                    help="reuse contender results already in the output folder (re-check only)")
    ap.add_argument("--whole", action="store_true",
                    help="also time whole processes (project CLI vs the by-hand script)")
    ap.add_argument("--whole-repeat", type=int, default=5,
                    help="whole-process runs per contender (median; default 5)")
    ap.add_argument("--render", type=Path, metavar="DIR",
                    help="print the table of an earlier run (DIR/results.json) and exit")
    args = ap.parse_args(argv)
    if args.render:
        summary = json.loads((args.render / "results.json").read_text(encoding="utf-8"))
        table, targets = render(summary)
        print(table)
        if summary.get("whole"):
            print("\n" + fmt_whole(summary["whole"]))
        for k, v in targets.items():
            print(f"target {k}: {v['value']:.1f} -> {'met' if v['met'] else 'NOT met'}")
        return 0
    if args.worker:
        worker(args.worker, args.city, args.radius, args.result, args.repeat)
        return 0

    wanted = CONTENDERS if args.contenders == "all" else tuple(
        c for c in args.contenders.split(",") if c)
    out = args.out or REPO / "out" / "bench" / f"{args.scale:g}"
    out.mkdir(parents=True, exist_ok=True)
    city = out / "city"
    if not (city / "city.json").exists():
        generate_city.generate(args.scale, city)
    qscale = args.qgis_scale if args.qgis_scale is not None else min(args.scale, 0.1)
    qcity = city if qscale == args.scale else out / f"city-qgis-{qscale:g}"
    if "qgis" in wanted and not (qcity / "city.json").exists():
        generate_city.generate(qscale, qcity)
    info = json.loads((city / "city.json").read_text(encoding="utf-8"))
    print(f"city scale {args.scale:g}: {info['population_cells']:,} cells, "
          f"{info['road_lines']:,} road lines, {info['stops']:,} stops; radius {args.radius:g} m",
          file=sys.stderr)

    whole = run_whole(out, args.whole_repeat, args.radius) if args.whole else None
    res: dict[str, dict] = {}
    for name in wanted:
        if name in ("qgis", "networkx-onnet", "project-network-qgis-city"):
            continue
        res[name] = run_contender(name, city, args.radius, out, args.timeout, args.repeat,
                                  args.reuse)
    if "qgis" in wanted:
        try:
            import qgis.core  # noqa: F401
            has_qgis = True
        except ImportError:
            has_qgis = False
        if has_qgis:
            qout = out / "qgis"
            qout.mkdir(exist_ok=True)
            for name in ("qgis", "networkx-onnet", "project-network-qgis-city"):
                if (name == "project-network-qgis-city" and qcity == city
                        and "seconds" in res.get("project-network", {})):
                    res[name] = dict(res["project-network"], contender=name)
                    continue
                res[name] = run_contender(name, qcity, args.radius, qout, args.timeout,
                                          1 if name == "qgis" else args.repeat, args.reuse)
        else:
            res["qgis"] = {"contender": "qgis", "error": "QGIS (PyQGIS) is not installed"}

    c = load_city(city)
    rng = np.random.default_rng(1)
    sample = np.sort(rng.choice(info["population_cells"], size=min(args.sample,
                                info["population_cells"]), replace=False))
    checks: dict[str, dict] = {}
    if "project-network" in res and "networkx" in res and "error" not in res["project-network"] \
            and "error" not in res["networkx"]:
        checks["network"] = compare(res["networkx"], res["project-network"], args.tolerance,
                                    sample)
    if "networkx-hybrid" in res and "networkx" in res and "error" not in res["networkx-hybrid"] \
            and "error" not in res["networkx"]:
        checks["network-hybrid"] = compare(res["networkx"], res["networkx-hybrid"],
                                           args.tolerance, sample)
    if "project-euclidean" in res and "error" not in res["project-euclidean"]:
        bf = brute_force_euclidean(c, sample, args.radius)
        checks["euclidean-brute-force"] = compare(res["project-euclidean"],
                                                  res["project-euclidean"], args.tolerance,
                                                  sample, ref_d=bf)
        if "geopandas" in res and "error" not in res["geopandas"]:
            # geopandas buffers are 64-gons inscribed in the circle: they miss a band of
            # r * (1 - cos(pi / 64)) metres inside the radius
            sag = args.radius * (1 - np.cos(np.pi / 64))
            checks["euclidean"] = compare(res["geopandas"], res["project-euclidean"],
                                          max(args.tolerance, 0.0), None,
                                          band=(args.radius - sag, args.radius))
            checks["euclidean"]["shares_agree"] = bool(checks["euclidean"]["mismatches_in_band"])
    if "qgis" in res and "error" not in res["qgis"] and "error" not in res.get("networkx-onnet",
                                                                                {"error": 1}):
        checks["qgis"] = compare(res["networkx-onnet"], res["qgis"], args.tolerance, None)
    summary = {"scale": args.scale, "radius": args.radius, "city": info, "qgis_scale": qscale,
               "machine": machine_info(), "wanted": list(wanted), "results": res,
               "checks": checks}
    table, targets = render(summary)
    if whole:
        summary["whole"] = whole
        for label, r in whole.items():
            targets[f"whole process >= 3x the by-hand script ({label})"] = {
                "value": r["ratio"], "met": r["ratio"] >= 3.0}
        table += "\n\nWhole processes (median of " + str(args.whole_repeat) + "):\n\n" + \
            fmt_whole(whole)
    summary["targets"] = targets
    (out / "results.json").write_text(json.dumps(summary, indent=2, default=str) + "\n",
                                      encoding="utf-8")
    (out / "table.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    for k, v in targets.items():
        print(f"target {k}: {v['value']:.1f} -> {'met' if v['met'] else 'NOT met'}")
    bad = [k for k, ch in checks.items()
           if not ch.get("shares_agree", True) or not ch.get("distances_agree", True)]
    if bad:
        print(f"answers disagree: {', '.join(bad)} (see {out / 'results.json'})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
