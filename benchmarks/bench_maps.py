#!/usr/bin/env python3
"""Meeting-map benchmark: page load and zoom/pan frame times in headless Chromium (on demand).

For each size (default 1,000, 10,000 and 50,000 assets) an inventory is generated from the
shipped sample: its frame layers as they are, and its asset rows copied (new object ids, the
geometries moved by random offsets within the urban area) until the six asset layers hold that
many features in the sample's proportions (buildings 16 %, roads 55 %, toilets 5 %, stops 9 %,
drainage points 14 %, bridges). The ``inventory`` story (every asset layer on) is written with
``make_meeting_map`` and opened in Debian's Chromium (Playwright, ``--headless``, no GPU: canvas
drawn in software, the worst case), at 1600 x 900:

* **load**: from navigation start to the first frame painted after the page script has drawn
  every layer (``performance.now()``), median of ``--repeat`` fresh page loads;
* **zoom / pan frames**: a ``requestAnimationFrame`` loop records every frame interval while the
  map zooms in and out with animation (``setZoom`` +-1, the mouse wheel's path) and pans (a mouse
  drag and ``panBy`` with animation) around the city; the table gives the median, the 95th
  percentile and the longest frame (the redraw when a gesture ends);
* HTML size, JS heap after load (``performance.memory``), build time in Python.

Nothing here is a test. Usage::

    python benchmarks/bench_maps.py                   # 1k, 10k, 50k
    python benchmarks/bench_maps.py --sizes 50000 --repeat 5
    python benchmarks/bench_maps.py --keep out/bench-maps   # keep the generated maps

Results: ``<out>/results.json`` and ``<out>/table.md`` (paste into benchmarks/README.md).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--enable-precise-memory-info"]
SEED = 20190531


def generate_inventory(path: Path, n_assets: int, seed: int = SEED) -> dict[str, int]:
    """An inventory of ``n_assets`` assets made from the sample (see the module docstring)."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import pyogrio
    import shapely.affinity

    from zlt_assets import schema
    from zlt_assets.inventory import sample_path, write_layers

    rng = np.random.default_rng(seed)
    src = sample_path()
    layers = {n: pyogrio.read_dataframe(src, layer=n) for n in schema.LAYERS}
    total = sum(len(layers[n]) for n in schema.ASSET_LAYERS)
    area = layers["urban_area"].to_crs(schema.PROJECT_CRS).union_all()
    minx, miny, maxx, maxy = area.bounds
    counts = {}
    for name in schema.ASSET_LAYERS:
        base = layers[name].to_crs(schema.PROJECT_CRS)
        want = max(1, round(len(base) * n_assets / total))
        reps = -(-want // len(base))
        parts = []
        for r in range(reps):
            g = base.copy()
            if r:
                dx = rng.uniform(-(maxx - minx) / 3, (maxx - minx) / 3, len(g))
                dy = rng.uniform(-(maxy - miny) / 3, (maxy - miny) / 3, len(g))
                moved = [shapely.affinity.translate(geom, x, y)
                         for geom, x, y in zip(g.geometry.values, dx, dy, strict=True)]
                g = g.set_geometry(gpd.GeoSeries(moved, crs=g.crs, index=g.index))
            parts.append(g)
        g = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=base.crs).iloc[:want]
        g = g.copy()
        codes = g["obj_id"].astype(str).str[6:10]
        g["obj_id"] = [schema.make_object_id(c, i + 1) for i, c in enumerate(codes)]
        layers[name] = g
        counts[name] = len(g)
    write_layers(path, layers, replace_file=True)
    return counts


MEASURE_JS = """
async ([zooms, pans]) => {
  const m = window.zltMap.map;
  const frames = [];
  let last = performance.now(), running = true;
  function tick(t) { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); }
  requestAnimationFrame(t => { last = t; requestAnimationFrame(tick); });
  const wait = ms => new Promise(r => setTimeout(r, ms));
  const idle = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const start = m.getZoom();
  for (let i = 0; i < zooms; i++) {
    m.setZoom(start + 1, {animate: true}); await wait(400); await idle();
    m.setZoom(start + 2, {animate: true}); await wait(400); await idle();
    m.setZoom(start + 1, {animate: true}); await wait(400); await idle();
    m.setZoom(start, {animate: true}); await wait(400); await idle();
  }
  for (let i = 0; i < pans; i++) {
    m.panBy([300, 120], {animate: true, duration: 0.5}); await wait(650); await idle();
    m.panBy([-300, -120], {animate: true, duration: 0.5}); await wait(650); await idle();
  }
  running = false;
  return frames;
}
"""


def measure(page_path: Path, repeat: int, zooms: int, pans: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("ZLT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    loads, heaps, frames = [], [], []
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
        for r in range(repeat):
            ctx = b.new_context(viewport={"width": 1600, "height": 900})
            page = ctx.new_page()
            page.goto(page_path.as_uri(), timeout=120_000)
            page.wait_for_function("window.zltMap !== undefined", timeout=120_000)
            loads.append(page.evaluate(
                "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => "
                "r(performance.now()))))"))
            heaps.append(page.evaluate("performance.memory ? performance.memory.usedJSHeapSize "
                                       ": null"))
            if r == 0:
                # a mouse drag across the map, as a person pans
                box = page.locator(".folium-map").bounding_box()
                cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                page.evaluate("window.__f = []; window.__l = performance.now(); window.__run ="
                              " true; (function t(x) { window.__f.push(x - window.__l); "
                              "window.__l = x; if (window.__run) requestAnimationFrame(t); })"
                              "(performance.now())")
                page.mouse.move(cx, cy)
                page.mouse.down()
                for i in range(30):
                    page.mouse.move(cx - 8 * i, cy - 3 * i)
                page.mouse.up()
                page.wait_for_timeout(300)
                drag = page.evaluate("window.__run = false, window.__f.slice(1)")
                frames.extend(drag)
                frames.extend(page.evaluate(MEASURE_JS, [zooms, pans])[2:])
            ctx.close()
        b.close()
    frames = [f for f in frames if f > 0]
    frames.sort()
    p95 = frames[min(len(frames) - 1, int(0.95 * len(frames)))] if frames else None
    return {"load_ms": statistics.median(loads), "loads_ms": loads,
            "heap_mb": (statistics.median(heaps) / 1e6) if heaps and heaps[0] else None,
            "frames": len(frames), "frame_median_ms": statistics.median(frames) if frames else None,
            "frame_p95_ms": p95, "frame_max_ms": frames[-1] if frames else None}


def render(results: list[dict[str, object]]) -> str:
    lines = ["| assets | HTML MB | build s | load ms (median) | JS heap MB | frames | "
             "frame median ms | p95 ms | max ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r['assets']:,} | {r['html_mb']:.1f} | {r['build_s']:.1f} | {r['load_ms']:.0f} | "
            f"{(r['heap_mb'] or 0):.0f} | {r['frames']} | {r['frame_median_ms']:.1f} | "
            f"{r['frame_p95_ms']:.1f} | {r['frame_max_ms']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--repeat", type=int, default=3, help="page loads per size (default 3)")
    ap.add_argument("--zooms", type=int, default=3, help="zoom in/out cycles (default 3)")
    ap.add_argument("--pans", type=int, default=3, help="pan back-and-forth cycles (default 3)")
    ap.add_argument("--out", default="out/bench-maps")
    ap.add_argument("--keep", action="store_true", help="keep the generated inventories and maps")
    args = ap.parse_args(argv)

    from zlt_assets.maps import make_meeting_map

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = out if args.keep else Path(tempfile.mkdtemp(prefix="bench-maps-"))
    results = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            inv = work / f"inventory_{n}.gpkg"
            counts = generate_inventory(inv, n)
            t0 = time.perf_counter()
            res = make_meeting_map(inv, work / f"map_{n}.html", story="inventory")
            build = time.perf_counter() - t0
            m = measure(res.html_path, args.repeat, args.zooms, args.pans)
            row = {"assets": sum(counts.values()), "counts": counts,
                   "html_mb": res.html_bytes / 1e6, "build_s": build, **m}
            results.append(row)
            print(json.dumps({k: v for k, v in row.items() if k != "loads_ms"}), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    meta = {"machine": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "load_average": os.getloadavg()}
    (out / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2),
                                      encoding="utf-8")
    table = render(results)
    (out / "table.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"load average {meta['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
