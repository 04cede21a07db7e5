#!/usr/bin/env python3
"""The unnoded grid city of issue #13 (whole-process benchmark): long streets drawn as single
lines that cross without shared vertices (as drawn in CAD), population points and bus stops.

``python benchmarks/grid_city.py --out DIR`` writes ``roads.gpkg`` (250 + 250 streets, each one
straight line across the city: 124,500 edges once noded), ``people.gpkg`` (300,000 points with
``population``), ``stops.gpkg`` (800 stops 0-15 m beside random streets), ``area.gpkg`` (the
square) and ``city.json``; EPSG:4550 around Zhalantun (seed 13).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

N_STREETS = 250
SPACING = 50.0
N_PEOPLE = 300_000
N_STOPS = 800
ORIGIN = (494_000.0, 5_312_000.0)  # EPSG:4550, ~122.92 E 47.95 N (scale error < 1e-5)


def generate(out: Path, seed: int = 13) -> dict:
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    x0, y0 = ORIGIN
    side = N_STREETS * SPACING
    # streets at jittered positions (no two people equally near two streets)
    pos = (np.arange(N_STREETS) + 0.5) * SPACING + rng.uniform(-3, 3, N_STREETS)
    pos2 = (np.arange(N_STREETS) + 0.5) * SPACING + rng.uniform(-3, 3, N_STREETS)
    h = shapely.linestrings(np.stack([np.stack([np.full(N_STREETS, x0), y0 + pos], 1),
                                      np.stack([np.full(N_STREETS, x0 + side), y0 + pos], 1)], 1))
    v = shapely.linestrings(np.stack([np.stack([x0 + pos2, np.full(N_STREETS, y0)], 1),
                                      np.stack([x0 + pos2, np.full(N_STREETS, y0 + side)], 1)], 1))
    crs = "EPSG:4550"
    gpd.GeoDataFrame({"name": [f"h{i}" for i in range(N_STREETS)] +
                      [f"v{i}" for i in range(N_STREETS)]},
                     geometry=np.concatenate([h, v]), crs=crs).to_file(out / "roads.gpkg")
    px = x0 + rng.uniform(0, side, N_PEOPLE)
    py = y0 + rng.uniform(0, side, N_PEOPLE)
    gpd.GeoDataFrame({"population": rng.integers(1, 6, N_PEOPLE).astype("int32")},
                     geometry=shapely.points(px, py), crs=crs).to_file(out / "people.gpkg")
    k = rng.integers(0, 2 * N_STREETS, N_STOPS)
    t = rng.uniform(0, side, N_STOPS)
    off = rng.uniform(0, 15, N_STOPS) * rng.choice([-1, 1], N_STOPS)
    sx = np.where(k < N_STREETS, x0 + t, x0 + pos2[k % N_STREETS] + off)
    sy = np.where(k < N_STREETS, y0 + pos[k % N_STREETS] + off, y0 + t)
    gpd.GeoDataFrame({"obj_id": [f"S{i:04d}" for i in range(N_STOPS)]},
                     geometry=shapely.points(sx, sy), crs=crs).to_file(out / "stops.gpkg")
    gpd.GeoDataFrame({"name": ["city"]}, geometry=[shapely.box(x0, y0, x0 + side, y0 + side)],
                     crs=crs).to_file(out / "area.gpkg")
    info = {"streets": 2 * N_STREETS, "spacing_m": SPACING, "side_m": side,
            "edges_once_noded": 2 * N_STREETS * (N_STREETS - 1), "people_points": N_PEOPLE,
            "stops": N_STOPS, "seed": seed, "crs": crs}
    (out / "city.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("out/bench-grid-city"))
    print(json.dumps(generate(ap.parse_args().out)))
