"""QGIS itself editing a GeoPackage layer: PyQGIS 3.40 (Debian's python3), the layer loaded
through QGIS's OGR provider, edits through the layer's edit buffer and ``commitChanges`` as the
Save button does. Driven line by line on standard input; answers ``ok ...`` or ``error ...``:

``start`` (startEditing), ``add NAME X Y`` (a feature in the edit buffer), ``rename FID NAME``,
``commit`` (commitChanges; the errors QGIS reports, if any), ``count`` (featureCount),
``names`` (every name, |-separated), ``reload``, ``quit``.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsVectorLayer,
)


def main() -> None:
    path, layer_name = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "bus_stops"
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    layer = QgsVectorLayer(f"{path}|layername={layer_name}", layer_name, "ogr")
    if not layer.isValid():
        print("error layer not valid", flush=True)
        return
    print(f"ok {layer.featureCount()}", flush=True)
    n = 0
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        try:
            out = ""
            if cmd == "start":
                if not layer.startEditing():
                    raise RuntimeError("startEditing failed")
            elif cmd == "add":
                name, x, y = arg.split()
                n += 1
                f = QgsFeature(layer.fields())
                f["obj_id"] = f"150783020380{n:04d}"
                f["name"] = name
                f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
                if not layer.addFeature(f):
                    raise RuntimeError("addFeature failed")
            elif cmd == "rename":
                fid, name = arg.split()
                idx = layer.fields().indexOf("name")
                if not layer.changeAttributeValue(int(fid), idx, name):
                    raise RuntimeError("changeAttributeValue failed")
            elif cmd == "commit":
                if not layer.commitChanges():
                    raise RuntimeError("commitChanges: " + "; ".join(layer.commitErrors()))
            elif cmd == "count":
                out = str(layer.featureCount())
            elif cmd == "names":
                out = "|".join(str(f["name"]) for f in layer.getFeatures())
            elif cmd == "reload":
                layer.reload()
                layer.dataProvider().reloadData()
            elif cmd == "quit":
                print("ok", flush=True)
                break
            else:
                raise ValueError(f"unknown command {cmd!r}")
            print(f"ok {out}".strip(), flush=True)
        except Exception as exc:  # reported to the test, which decides
            print(f"error {' '.join(str(exc).split())}", flush=True)
    del layer
    os._exit(0)  # exitQgis() with layers alive crashes on Debian (environment notes)


if __name__ == "__main__":
    main()
