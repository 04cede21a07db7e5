#!/usr/bin/env python3
"""Generate a synthetic city for the coverage benchmark (deterministic).

At ``--scale 1``: a 25 km x 25 km square in EPSG:4550 with 1,000 x 1,000 = 1,000,000 population
cells of 25 m (GeoTIFF), about 100,000 road edges (a jittered street grid, noded: lines meet only at
their end points, some blocks have a diagonal street, some streets are missing, some edges bend,
and a river band crossed only by every 12th north-south street), 2,000 bus stops set beside random
streets (0-15 m off the centre line), and four districts (quadrants). ``--scale s`` multiplies the
cell, edge and stop counts by ``s`` (the street spacing stays about 110 m).

Usage::

    python benchmarks/generate_city.py --scale 0.1 --out out/bench-city-0.1

Writes ``city.gpkg`` (layers roads, stops, area, districts), ``population.tif`` and
``city.json`` (the parameters and counts). The city is illustrative, not Zhalantun.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

CRS = "EPSG:4550"
#: South-west corner of the generated city (EPSG:4550 metres, near Zhalantun's latitude).
ORIGIN = (470_000.0, 5_300_000.0)
CELL = 25.0
FULL_CELLS = 1_000_000
FULL_EDGES = 100_000
FULL_STOPS = 2_000


def city_parameters(scale: float) -> dict:
    """Grid sizes for a scale factor (1.0 = the full benchmark city)."""
    side_cells = round(math.sqrt(FULL_CELLS * scale))
    side_m = side_cells * CELL
    # a grid of n x n nodes has 2 n (n - 1) edges; about 2 % net are removed (see below)
    n = round((1 + math.sqrt(1 + 2 * FULL_EDGES * scale / 0.985)) / 2)
    return {
        "scale": scale, "seed": 20190531, "crs": CRS, "origin": list(ORIGIN), "cell_m": CELL,
        "side_cells": side_cells, "side_m": side_m, "grid_nodes_per_side": n,
        "spacing_m": side_m / (n - 1) if n > 1 else side_m,
        "stops": round(FULL_STOPS * scale),
    }


def generate(scale: float, out: Path) -> dict:
    """Write the city into ``out`` and return its description (also written as city.json)."""
    import geopandas as gpd
    import rasterio
    import shapely
    from rasterio.transform import from_origin

    p = city_parameters(scale)
    rng = np.random.default_rng(p["seed"])
    n, side, spacing = p["grid_nodes_per_side"], p["side_m"], p["spacing_m"]
    x0, y0 = ORIGIN

    # nodes: a jittered grid (border nodes stay within 0.5 m of the border)
    gx, gy = np.meshgrid(np.arange(n) * spacing, np.arange(n) * spacing, indexing="xy")
    jitter = rng.uniform(-0.12, 0.12, size=(2, n, n)) * spacing
    interior = np.zeros((n, n), dtype=bool)
    interior[1:-1, 1:-1] = True
    # border nodes move by at most 0.5 m: no exact ties between two streets for a cell centre
    border_j = rng.uniform(-0.5, 0.5, size=(2, n, n))
    gx = gx + np.where(interior, jitter[0], border_j[0])
    gy = gy + np.where(interior, jitter[1], border_j[1])
    xy = np.stack([gx.ravel() + x0, gy.ravel() + y0], axis=1)
    nid = np.arange(n * n).reshape(n, n)  # [row (y), col (x)]

    # edges: east-west and north-south streets
    ew = np.stack([nid[:, :-1].ravel(), nid[:, 1:].ravel()], axis=1)
    ns = np.stack([nid[:-1, :].ravel(), nid[1:, :].ravel()], axis=1)
    # a river between two rows of nodes: only every 12th north-south street crosses (bridges)
    river_row = n // 2 - 1
    ns_rows = np.repeat(np.arange(n - 1), n)
    ns_cols = np.tile(np.arange(n), n - 1)
    crosses = ns_rows == river_row
    bridge = crosses & (ns_cols % 12 == 5)
    ns_keep = ~crosses | bridge
    ns, ns_bridge = ns[ns_keep], bridge[ns_keep]
    edges = np.vstack([ew, ns])
    is_bridge = np.concatenate([np.zeros(len(ew), dtype=bool), ns_bridge])
    # some streets are missing (never the bridges, never the border)
    border = np.isin(edges[:, 0], _border(nid)) & np.isin(edges[:, 1], _border(nid))
    drop = (rng.random(len(edges)) < 0.035) & ~is_bridge & ~border
    edges, is_bridge = edges[~drop], is_bridge[~drop]
    # diagonal streets in some blocks (one diagonal per block: no crossing, so still noded)
    br, bc = np.meshgrid(np.arange(n - 1), np.arange(n - 1), indexing="ij")
    pick = (rng.random(br.shape) < 0.02) & (br != river_row)
    diag = np.stack([nid[br[pick], bc[pick]], nid[br[pick] + 1, bc[pick] + 1]], axis=1)
    edges = np.vstack([edges, diag])
    is_bridge = np.concatenate([is_bridge, np.zeros(len(diag), dtype=bool)])

    # geometry: straight, or bent once (a mid vertex moved sideways by up to 6 m)
    a, b = xy[edges[:, 0]], xy[edges[:, 1]]
    bend = rng.random(len(edges)) < 0.3
    mid = (a + b) / 2
    d = b - a
    normal = np.stack([-d[:, 1], d[:, 0]], axis=1) / np.hypot(d[:, 0], d[:, 1])[:, None]
    mid = mid + normal * rng.uniform(-6, 6, size=(len(edges), 1)) * bend[:, None]
    coords = np.stack([a, mid, b], axis=1)
    lines = shapely.linestrings(coords)
    lines[~bend] = shapely.linestrings(np.stack([a[~bend], b[~bend]], axis=1))
    roads = gpd.GeoDataFrame({
        "name": np.char.add("路", np.arange(len(edges)).astype(str)),
        "road_class": np.where(rng.random(len(edges)) < 0.15, "main", "branch"),
        "bridge_id": np.where(is_bridge, "bridge", None),
    }, geometry=lines, crs=CRS)

    # stops: beside random streets (not on bridges), 0-15 m from the centre line
    cand = np.flatnonzero(~is_bridge)
    se = rng.choice(cand, size=p["stops"], replace=False)
    frac = rng.uniform(0.1, 0.9, size=p["stops"])
    pts = shapely.line_interpolate_point(lines[se], frac, normalized=True)
    pxy = shapely.get_coordinates(pts)
    dd = b[se] - a[se]
    nrm = np.stack([-dd[:, 1], dd[:, 0]], axis=1) / np.hypot(dd[:, 0], dd[:, 1])[:, None]
    pxy = pxy + nrm * rng.uniform(-15, 15, size=(p["stops"], 1))
    stops = gpd.GeoDataFrame({"obj_id": [f"S{i:05d}" for i in range(p["stops"])],
                              "status": "in_service"},
                             geometry=shapely.points(pxy), crs=CRS)

    area = gpd.GeoDataFrame({"name": ["benchmark city"]},
                            geometry=[shapely.box(x0, y0, x0 + side, y0 + side)], crs=CRS)
    h = side / 2
    quads = [shapely.box(x0 + i * h, y0 + j * h, x0 + (i + 1) * h, y0 + (j + 1) * h)
             for j in range(2) for i in range(2)]
    districts = gpd.GeoDataFrame({"code": [f"D{k + 1}" for k in range(4)],
                                  "name": ["西南区", "东南区", "西北区", "东北区"]},
                                 geometry=quads, crs=CRS)

    # population: a smooth density (a few centres) with noise, zero in the river band
    g = p["side_cells"]
    cx = (np.arange(g) + 0.5) * CELL
    xx, yy = np.meshgrid(cx, cx[::-1])  # row 0 is the north edge
    dens = np.full((g, g), 0.08, dtype=np.float64)
    for _ in range(max(3, int(12 * scale))):
        mx, my = rng.uniform(0.1, 0.9, 2) * side
        s = rng.uniform(0.05, 0.15) * side
        dens += rng.uniform(0.4, 1.6) * np.exp(-((xx - mx) ** 2 + (yy - my) ** 2) / (2 * s * s))
    dens *= rng.uniform(0.5, 1.5, size=dens.shape)
    river_y = (river_row + 0.5) * spacing
    dens[np.abs(yy - river_y) < 0.25 * spacing] = 0.0
    pop = dens.astype(np.float32)

    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "city.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    for name, frame in (("roads", roads), ("stops", stops), ("area", area),
                        ("districts", districts)):
        frame.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
    with rasterio.open(out / "population.tif", "w", driver="GTiff", width=g, height=g, count=1,
                       dtype="float32", crs=CRS, transform=from_origin(x0, y0 + side, CELL, CELL),
                       compress="deflate", nodata=None) as dst:
        dst.write(pop, 1)
    info = {**p, "road_lines": len(roads),
            "road_segments": int(len(roads) + bend.sum()), "bridges": int(is_bridge.sum()),
            "population_cells": int(g * g), "population_total": float(pop.sum()),
            "files": ["city.gpkg", "population.tif"]}
    (out / "city.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    return info


def _border(nid: np.ndarray) -> np.ndarray:
    return np.unique(np.concatenate([nid[0], nid[-1], nid[:, 0], nid[:, -1]]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = the full city (default)")
    ap.add_argument("--out", type=Path, default=None,
                    help="output folder (default out/bench-city-<scale>)")
    args = ap.parse_args(argv)
    if not 0 < args.scale <= 4:
        ap.error("--scale must be in (0, 4]")
    out = args.out or Path("out") / f"bench-city-{args.scale:g}"
    t0 = time.perf_counter()
    info = generate(args.scale, out)
    print(f"city at scale {args.scale:g} in {time.perf_counter() - t0:.1f} s: "
          f"{info['population_cells']:,} cells, {info['road_lines']:,} road lines "
          f"({info['road_segments']:,} straight segments), {info['stops']:,} stops -> {out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
