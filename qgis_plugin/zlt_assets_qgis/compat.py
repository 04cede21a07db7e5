"""Enums and types the plugin uses, in the scoped spelling QGIS 3.40 and QGIS 4 (Qt6) share.

QGIS 3.40 is the oldest QGIS the plugin supports: ``Qgis.ProcessingSourceType`` (3.36),
``Qgis.WkbType`` (3.30) and ``QMetaType`` field types (3.38) all exist there.
"""
from __future__ import annotations

from qgis.core import Qgis
from qgis.PyQt.QtCore import QMetaType

VECTOR_ANY = Qgis.ProcessingSourceType.Vector
VECTOR_POINT = Qgis.ProcessingSourceType.VectorPoint
VECTOR_LINE = Qgis.ProcessingSourceType.VectorLine
VECTOR_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
NUMBER_DOUBLE = Qgis.ProcessingNumberParameterType.Double
NUMBER_INTEGER = Qgis.ProcessingNumberParameterType.Integer
INFO = Qgis.MessageLevel.Info
WARNING = Qgis.MessageLevel.Warning
CRITICAL = Qgis.MessageLevel.Critical
SUCCESS = Qgis.MessageLevel.Success
WKB_NO_GEOMETRY = Qgis.WkbType.NoGeometry

_FIELD_TYPES = {"bool": QMetaType.Type.Bool, "int": QMetaType.Type.LongLong,
                "double": QMetaType.Type.Double, "string": QMetaType.Type.QString}


def field_type(kind: str):
    """The QgsField type for ``bool``, ``int``, ``double`` or ``string``."""
    return _FIELD_TYPES[kind]
