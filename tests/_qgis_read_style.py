"""Run by Debian's python3 (PyQGIS): load QML styles into real QGIS layers, print what QGIS read.

Input (stdin, JSON): ``{"layer": {"geometry": "Point", "qml": "..."}, ...}``.
Output (stdout, JSON): per layer the renderer type, classified attribute, per category the value,
the symbol's colour (#rrggbb), alpha, width or size, marker shape, and the labeling field and
scale range, all as QGIS itself reports them after loading the QML.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsMarkerSymbol, QgsVectorLayer

QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def _symbol(sym) -> dict:
    out = {"type": type(sym).__name__, "layers": []}
    for sl in sym.symbolLayers():
        d = {"class": sl.layerType(), "color": sl.color().name(), "alpha": sl.color().alpha()}
        if hasattr(sl, "strokeColor"):
            d["stroke"] = sl.strokeColor().name()
        if isinstance(sym, QgsMarkerSymbol):
            d["size"] = sl.size()
            d["shape"] = sl.shape().name if hasattr(sl.shape(), "name") else int(sl.shape())
            d["stroke_width"] = sl.strokeWidth()
        elif sl.layerType() == "SimpleLine":
            d["width"] = sl.width()
            d["custom_dash"] = list(sl.customDashVector()) if sl.useCustomDashPattern() else None
        elif sl.layerType() == "SimpleFill":
            d["stroke_width"] = sl.strokeWidth()
            d["brush"] = int(sl.brushStyle().value if hasattr(sl.brushStyle(), "value")
                             else sl.brushStyle())
        out["layers"].append(d)
    return out


def main() -> None:
    styles = json.load(sys.stdin)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, spec in styles.items():
            fields = "&".join(f"field={f}:string" for f in spec.get("fields", ["name"]))
            lyr = QgsVectorLayer(f"{spec['geometry']}?crs=EPSG:4550&{fields}", name, "memory")
            path = os.path.join(tmp, f"{name}.qml")
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(spec["qml"])
            msg, ok = lyr.loadNamedStyle(path)
            r = lyr.renderer()
            d = {"ok": bool(ok), "message": msg, "renderer": r.type()}
            if r.type() == "categorizedSymbol":
                d["attr"] = r.classAttribute()
                d["categories"] = [{"value": c.value(), "label": c.label(),
                                    "symbol": _symbol(c.symbol())} for c in r.categories()]
            elif r.type() == "singleSymbol":
                d["symbol"] = _symbol(r.symbol())
            d["labels_enabled"] = lyr.labelsEnabled()
            if lyr.labeling() is not None and lyr.labelsEnabled():
                s = lyr.labeling().settings()
                d["label_field"] = s.fieldName
                d["label_scale_visibility"] = s.scaleVisibility
                d["label_minimum_scale"] = s.minimumScale
                d["label_maximum_scale"] = s.maximumScale
            result[name] = d
    json.dump(result, sys.stdout)


main()
