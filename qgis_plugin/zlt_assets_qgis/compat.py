"""Enums that moved between QGIS 3.22 and QGIS 4 (Qt6): one place picks what exists."""
from __future__ import annotations

from qgis.core import Qgis, QgsProcessing, QgsProcessingParameterNumber, QgsWkbTypes


def _pick(new_owner: object, new_enum: str, new_name: str, old_owner: object, old_name: str):
    enum = getattr(new_owner, new_enum, None)
    if enum is not None and hasattr(enum, new_name):
        return getattr(enum, new_name)
    return getattr(old_owner, old_name)


# Processing source types (Qgis.ProcessingSourceType since 3.36)
VECTOR_ANY = _pick(Qgis, "ProcessingSourceType", "Vector", QgsProcessing, "TypeVector")
VECTOR_POINT = _pick(Qgis, "ProcessingSourceType", "VectorPoint", QgsProcessing,
                     "TypeVectorPoint")
VECTOR_LINE = _pick(Qgis, "ProcessingSourceType", "VectorLine", QgsProcessing, "TypeVectorLine")
VECTOR_POLYGON = _pick(Qgis, "ProcessingSourceType", "VectorPolygon", QgsProcessing,
                       "TypeVectorPolygon")
# Number parameter types (Qgis.ProcessingNumberParameterType since 3.36)
NUMBER_DOUBLE = _pick(Qgis, "ProcessingNumberParameterType", "Double",
                      QgsProcessingParameterNumber, "Double")
NUMBER_INTEGER = _pick(Qgis, "ProcessingNumberParameterType", "Integer",
                       QgsProcessingParameterNumber, "Integer")
# Message levels
INFO = _pick(Qgis, "MessageLevel", "Info", Qgis, "Info")
WARNING = _pick(Qgis, "MessageLevel", "Warning", Qgis, "Warning")
CRITICAL = _pick(Qgis, "MessageLevel", "Critical", Qgis, "Critical")
SUCCESS = _pick(Qgis, "MessageLevel", "Success", Qgis, "Success")
# Geometry types (Qgis.WkbType since 3.30)
WKB_NO_GEOMETRY = _pick(Qgis, "WkbType", "NoGeometry", QgsWkbTypes, "NoGeometry")
WKB_UNKNOWN = _pick(Qgis, "WkbType", "Unknown", QgsWkbTypes, "Unknown")


def field_type(kind: str):
    """QgsField type for ``bool``, ``int``, ``double``, ``string``: QMetaType on QGIS >= 3.38
    (required by Qt6), QVariant before."""
    try:
        version = Qgis.versionInt()
    except AttributeError:  # pragma: no cover - very old
        version = Qgis.QGIS_VERSION_INT
    if version >= 33800:
        from qgis.PyQt.QtCore import QMetaType

        return {"bool": QMetaType.Type.Bool, "int": QMetaType.Type.LongLong,
                "double": QMetaType.Type.Double, "string": QMetaType.Type.QString}[kind]
    from qgis.PyQt.QtCore import QVariant

    return {"bool": QVariant.Bool, "int": QVariant.LongLong, "double": QVariant.Double,
            "string": QVariant.String}[kind]
