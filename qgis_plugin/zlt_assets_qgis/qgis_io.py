"""Between QGIS and the core: QGIS layers to GeoDataFrames and GeoDataFrames to feature sinks.

Input layers are read from their source when it is a GeoPackage, else exported by QGIS to a
temporary GeoPackage (``parameterAsCompatibleSourceLayerPathAndLayerName``, which also honours
"selected features only" and subset filters); then pyogrio reads them and the core reprojects
them to EPSG:4550. Results go back as feature sinks. No analysis here.
"""
from __future__ import annotations

import math
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsProcessingException,
    QgsWkbTypes,
)

from . import compat
from .i18n_util import tr

CANCELLED = "Cancelled: nothing was written / 已取消:未写出任何结果"


def check_cancel(feedback) -> None:
    """Raise when the user cancelled (between steps, before anything is written)."""
    if feedback is not None and feedback.isCanceled():
        raise QgsProcessingException(tr(CANCELLED))


def progress_callback(feedback, start: float = 0.0, end: float = 100.0):
    """A ``callback(fraction)`` for the core: reports progress and stops when cancelled."""
    def cb(fraction: float, *_args: Any) -> None:
        check_cancel(feedback)
        if feedback is not None:
            feedback.setProgress(start + (end - start) * max(0.0, min(1.0, float(fraction))))
    return cb


def source_to_gdf(alg, parameters: dict, name: str, context, feedback):
    """A vector input parameter as a GeoDataFrame in EPSG:4550 (``None`` when not given)."""
    import pyogrio

    from zlt_assets.crs import to_project

    if parameters.get(name) in (None, ""):
        return None
    path, layer = alg.parameterAsCompatibleSourceLayerPathAndLayerName(
        parameters, name, context, ["gpkg"], "gpkg", feedback)
    if not path:
        return None
    kwargs = {"layer": layer} if layer else {}
    gdf = pyogrio.read_dataframe(path, **kwargs)
    if gdf.crs is None:
        src = alg.parameterAsSource(parameters, name, context)
        if src is not None and src.sourceCrs().isValid():
            gdf = gdf.set_crs(src.sourceCrs().authid() or src.sourceCrs().toWkt())
    if gdf.crs is None:
        raise QgsProcessingException(tr("Layer {0} has no CRS / 图层 {0} 没有坐标系").format(name))
    return to_project(gdf)


def _variant(dtype):
    """QgsField type of a pandas dtype."""
    kind = getattr(dtype, "kind", "O")
    name = str(dtype)
    if name == "boolean" or kind == "b":
        return compat.field_type("bool")
    if name.startswith("Int") or kind in "iu":
        return compat.field_type("int")
    if name.startswith("Float") or kind == "f":
        return compat.field_type("double")
    return compat.field_type("string")


def _value(v: Any) -> Any:
    if v is None:
        return None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, (list, tuple, dict)):
        return str(v)
    if not isinstance(v, (bool, int, float, str)):
        return str(v)
    return v


def wkb_type_for(frame, default: str | None = None) -> int:
    """QGIS WKB type for a GeoDataFrame (multi types when any part is multi)."""
    if not hasattr(frame, "geometry"):
        return compat.WKB_NO_GEOMETRY
    types = set(frame.geometry.geom_type.dropna().unique()) if len(frame) else set()
    if not types and default:
        types = {default}
    if not types:
        return compat.WKB_NO_GEOMETRY
    multi = any(t.startswith("Multi") for t in types)
    base = next(iter(types)).replace("Multi", "")
    if len({t.replace("Multi", "") for t in types}) > 1:
        return compat.WKB_UNKNOWN
    text = ("Multi" if multi else "") + base
    return QgsWkbTypes.parseType(text)


def gdf_to_sink(alg, parameters: dict, name: str, context, frame, feedback, *,
                crs: str | None = None, geometry: str | None = None) -> str | None:
    """Write a (Geo)DataFrame to the feature sink parameter ``name``; returns its destination id.

    Call only when everything is computed: the sink file is created here.
    """
    import shapely

    is_geo = hasattr(frame, "geometry") and getattr(frame, "_geometry_column_name", None)
    fields = QgsFields()
    geom_col = frame.geometry.name if is_geo else None
    for col in frame.columns:
        if col == geom_col:
            continue
        fields.append(QgsField(str(col), _variant(frame[col].dtype)))
    if is_geo:
        wkb = wkb_type_for(frame, geometry)
        crs_text = crs or (frame.crs.to_string() if frame.crs is not None else "EPSG:4550")
        qcrs = QgsCoordinateReferenceSystem(crs_text)
    else:
        wkb = compat.WKB_NO_GEOMETRY
        qcrs = QgsCoordinateReferenceSystem()
    sink, dest = alg.parameterAsSink(parameters, name, context, fields, wkb, qcrs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, name))
    cols = [c for c in frame.columns if c != geom_col]
    geoms = shapely.to_wkb(frame.geometry.values, output_dimension=2) if is_geo else None
    for i, row in enumerate(frame[cols].itertuples(index=False, name=None)):
        feat = QgsFeature(fields)
        feat.setAttributes([_value(v) for v in row])
        if geoms is not None and geoms[i] is not None:
            g = QgsGeometry()
            g.fromWkb(bytes(geoms[i]))
            if multi_needed(wkb) and not g.isMultipart():
                g.convertToMultiType()
            feat.setGeometry(g)
        sink.addFeature(feat, QgsFeatureSink.FastInsert)
    return dest


def multi_needed(wkb: int) -> bool:
    return QgsWkbTypes.isMultiType(wkb)
