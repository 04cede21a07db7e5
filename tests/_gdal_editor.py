"""Another program editing a GeoPackage as QGIS does: GDAL, the dataset kept open, explicit
transactions. Run with Debian's python3 (python3-gdal); driven line by line on standard input,
it answers ``ok ...`` or ``error ...`` on standard output (one line per command):

``begin`` / ``add NAME X Y`` / ``commit`` / ``rollback`` (a GDAL write transaction),
``count`` (features of bus_stops), ``read-begin`` / ``read-end`` (a plain SQLite read
transaction held open), ``lock-begin`` / ``lock-end`` (a plain SQLite ``BEGIN IMMEDIATE``: the
write lock held, nothing written yet), ``reopen``, ``quit``.
"""
from __future__ import annotations

import sqlite3
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()


def main() -> None:
    path, layer = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "bus_stops"
    ds = ogr.Open(path, 1)
    reader: sqlite3.Connection | None = None
    locker: sqlite3.Connection | None = None
    n = 0
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        try:
            out = ""
            if cmd == "begin":
                ds.StartTransaction()
            elif cmd == "add":
                name, x, y = arg.split()
                lyr = ds.GetLayerByName(layer)
                f = ogr.Feature(lyr.GetLayerDefn())
                n += 1
                f.SetField("obj_id", f"150783020390{n:04d}")
                f.SetField("name", name)
                f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x} {y})"))
                if lyr.CreateFeature(f) != 0:
                    raise RuntimeError("CreateFeature failed")
                out = str(f.GetFID())
            elif cmd == "commit":
                if ds.CommitTransaction() != 0:
                    raise RuntimeError("CommitTransaction failed")
            elif cmd == "rollback":
                ds.RollbackTransaction()
            elif cmd == "count":
                out = str(ds.GetLayerByName(layer).GetFeatureCount())
            elif cmd == "read-begin":
                reader = sqlite3.connect(path, isolation_level=None)
                reader.execute("BEGIN")
                out = str(reader.execute(f'SELECT count(*) FROM "{layer}"').fetchone()[0])
            elif cmd == "read-end":
                assert reader is not None, "read-end without read-begin"
                reader.execute("COMMIT")
                reader.close()
                reader = None
            elif cmd == "lock-begin":
                locker = sqlite3.connect(path, isolation_level=None)
                locker.execute("BEGIN IMMEDIATE")
            elif cmd == "lock-end":
                assert locker is not None, "lock-end without lock-begin"
                locker.execute("COMMIT")
                locker.close()
                locker = None
            elif cmd == "reopen":
                ds = None
                ds = ogr.Open(path, 1)
            elif cmd == "quit":
                ds = None
                print("ok", flush=True)
                return
            else:
                raise ValueError(f"unknown command {cmd!r}")
            print(f"ok {out}".strip(), flush=True)
        except Exception as exc:  # reported to the test, which decides
            print(f"error {' '.join(str(exc).split())}", flush=True)


if __name__ == "__main__":
    main()
