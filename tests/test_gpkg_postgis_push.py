"""A GeoPackage inventory pushed into PostGIS with an absurd population grid (issue 11: "db push
with an unreadable population raster commits the layers, then fails, and a rerun is refused").

The grid is checked like every other reader checks it (no-data markers without a declared
nodata, negative, denser than any city) before anything is stored: exit 2, one line, the
database untouched, and once the grid is fixed a rerun simply works. Real PostgreSQL + PostGIS
(the cluster of ``tests/_postgis.py``).
"""
# the fixtures imported from _postgis are parameters of the tests (not redefinitions)
# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _mini_inventory import CX, CY, write_mini
from _postgis import pg_cluster, pg_url  # noqa: F401  (fixtures)
from conftest import run_cli

from zlt_assets import db, schema
from zlt_assets.inventory import Inventory

pytestmark = pytest.mark.postgis


def _grid(path: Path, value: float, nodata: float | None = None) -> None:
    import rasterio
    from rasterio.transform import from_origin

    a = np.full((48, 48), 5, dtype="float32")
    a[3, 4] = value
    with rasterio.open(path, "w", driver="GTiff", height=48, width=48, count=1, dtype="float32",
                       crs=schema.PROJECT_CRS, nodata=nodata,
                       transform=from_origin(CX - 600, CY + 600, 25, 25)) as ds:
        ds.write(a, 1)


@pytest.mark.parametrize("value, words", [
    (3.4028235e38, "a usual no-data marker"),
    (-12.0, "negative"),
    (90_000.0, "more than any city has"),
])
def test_push_refuses_an_absurd_population_grid_before_storing_anything(pg_url, tmp_path,
                                                                        value, words):
    db.init_db(pg_url)
    gpkg = write_mini(tmp_path / "m.gpkg")
    pop = tmp_path / ("m" + schema.POPULATION.suffix)
    _grid(pop, value)
    audit = len(db.audit_rows(pg_url))
    r = run_cli("db", "push", str(gpkg), "--data", pg_url, env={"ZLT_PROGRESS": "none"})
    assert r.returncode == 2, r.stdout + r.stderr
    assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    inv = Inventory.open(pg_url)
    assert inv.list_layers() == [] and not inv.has_population()
    assert len(db.audit_rows(pg_url)) == audit
    # the grid fixed, the same push works (nothing half-stored blocks it)
    _grid(pop, 5.0, nodata=-1)
    r = run_cli("db", "push", str(gpkg), "--data", pg_url, env={"ZLT_PROGRESS": "none"})
    assert r.returncode == 0, r.stderr
    inv = Inventory.open(pg_url)
    assert inv.has_population() and len(inv.read("bus_stops")) == 3
