"""Load an inventory GeoPackage into a QGIS project: ordered groups, styles, edit forms.

Styles and forms come from the GeoPackage's ``layer_styles`` table (written by
:func:`zlt_assets.styles.write_layer_styles`), which QGIS applies by itself when a layer is added;
a layer without a stored style gets the same style generated from the schema. No analysis here.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtXml import QDomDocument

from . import deps

OTHER_GROUP = "其他图层 / Other layers"


@dataclass
class LoadResult:
    """What :func:`load_inventory` added."""

    root: QgsLayerTreeGroup
    layers: list = field(default_factory=list)
    #: layer name -> "layer_styles" or "schema" (where its style came from)
    style_source: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def default_inventory_path() -> str | None:
    """The sample inventory: the copy bundled in the plugin, else zlt_assets' default."""
    bundled = os.path.join(deps.EXT_DIR, "layers", "zhalantun.gpkg")
    if os.path.exists(bundled):
        return bundled
    try:
        from zlt_assets.inventory import default_data_path
    except Exception:
        return None
    path = default_data_path()
    return str(path) if path.exists() else None


def gpkg_vector_layers(path: str) -> list[tuple[str, str]]:
    """(table, geometry type) of the feature tables of a GeoPackage, in file order."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT c.table_name, g.geometry_type_name FROM gpkg_contents c JOIN "
            "gpkg_geometry_columns g ON g.table_name = c.table_name ORDER BY c.rowid").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"not a GeoPackage: {path} ({exc})") from None
    finally:
        con.close()
    return [(str(t), str(g)) for t, g in rows]


def apply_schema_style(layer: QgsVectorLayer, layer_name: str) -> bool:
    """Apply the schema-derived style and form (zlt_assets.styles) to a layer."""
    from zlt_assets import styles

    present = [f.name() for f in layer.fields()]
    qml = styles.layer_qml(layer_name, present=present)
    doc = QDomDocument()
    doc.setContent(qml)
    ok, _msg = layer.importNamedStyle(doc)
    layer.triggerRepaint()
    return bool(ok)


def _has_stored_style(path: str) -> set[str]:
    from zlt_assets import styles

    return set(styles.read_layer_styles(path))


def _groups(root: QgsLayerTreeGroup) -> dict[str, QgsLayerTreeGroup]:
    from zlt_assets import schema

    return {code.code: root.addGroup(f"{code.zh} / {code.en}") for code in schema.GROUPS.values}


def _drop_empty(root: QgsLayerTreeGroup, groups: dict[str, QgsLayerTreeGroup]) -> None:
    for group in groups.values():
        if not group.children():
            root.removeChildNode(group)


def postgis_uri(url: str, table: str):
    """A QGIS data source for one table of a PostGIS inventory URL (zlt_assets.db syntax)."""
    from urllib.parse import unquote, urlsplit

    from qgis.core import QgsDataSourceUri

    from zlt_assets.db import SRID, parse_url

    target = parse_url(url)
    parts = urlsplit(target.conninfo)
    uri = QgsDataSourceUri()
    uri.setConnection(parts.hostname or "", str(parts.port or 5432),
                      unquote(parts.path.lstrip("/")), unquote(parts.username or ""),
                      unquote(parts.password or ""))
    uri.setDataSource(target.schema, table, "geom", "", "fid")
    uri.setSrid(str(SRID))
    return uri


def load_postgis(url: str, project: QgsProject | None = None, *,
                 parent: QgsLayerTreeGroup | None = None) -> LoadResult:
    """Add every layer of a PostGIS inventory (``postgresql://…``) to ``project`` in ordered
    groups, each with the schema's style and edit form (applied through QML)."""
    from zlt_assets import schema
    from zlt_assets.db import parse_url
    from zlt_assets.inventory import Inventory

    target = parse_url(url)
    inv = Inventory.open(url)
    try:
        names = inv.list_layers()
    finally:
        close = getattr(inv, "close", None)
        if callable(close):
            close()
    project = project or QgsProject.instance()
    parent = parent or project.layerTreeRoot()
    if not project.mapLayers():
        project.setCrs(QgsCoordinateReferenceSystem(schema.PROJECT_CRS))
    root = parent.insertGroup(0, f"扎兰屯资产清单 / Zhalantun inventory: {target.display}")
    result = LoadResult(root=root)
    groups = _groups(root)
    for name in names:
        decl = schema.layer(name)
        layer = QgsVectorLayer(postgis_uri(url, name).uri(False), decl.title, "postgres")
        if not layer.isValid():
            result.skipped.append(name)
            continue
        apply_schema_style(layer, name)
        result.style_source[name] = "schema"
        project.addMapLayer(layer, False)
        groups[decl.group].addLayer(layer)
        result.layers.append(layer)
    _drop_empty(root, groups)
    return result


def load_inventory(path: str, project: QgsProject | None = None, *,
                   parent: QgsLayerTreeGroup | None = None) -> LoadResult:
    """Add every layer of an inventory GeoPackage to ``project`` in ordered groups.

    Groups follow :data:`zlt_assets.schema.GROUPS` (整治工程 / 公共设施 / 基础底图), layers the
    schema order, under one group named after the file; layers the schema does not declare go to
    "其他图层 / Other layers"; the population grid beside the file goes last in the frame group.
    A ``postgresql://`` URL opens a PostGIS inventory (:func:`load_postgis`).
    """
    from zlt_assets import schema

    if str(path).strip().lower().startswith(("postgresql://", "postgres://")):
        return load_postgis(str(path), project, parent=parent)
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"inventory not found: {path}")
    project = project or QgsProject.instance()
    parent = parent or project.layerTreeRoot()
    tables = gpkg_vector_layers(path)
    stored = _has_stored_style(path)
    if not project.mapLayers():
        project.setCrs(QgsCoordinateReferenceSystem(schema.PROJECT_CRS))

    stem = os.path.splitext(os.path.basename(path))[0]
    root = parent.insertGroup(0, f"扎兰屯资产清单 / Zhalantun inventory: {stem}")
    result = LoadResult(root=root)
    groups = _groups(root)

    present = {t for t, _ in tables}
    ordered = [n for n in schema.LAYERS if n in present]
    others = [t for t, _ in tables if t not in schema.LAYERS]
    for name in ordered + others:
        decl = schema.LAYERS.get(name)
        title = decl.title if decl else name
        layer = QgsVectorLayer(f"{path}|layername={name}", title, "ogr")
        if not layer.isValid():
            result.skipped.append(name)
            continue
        if decl is not None:
            if name in stored:
                result.style_source[name] = "layer_styles"
            else:
                apply_schema_style(layer, name)
                result.style_source[name] = "schema"
            group = groups[decl.group]
        else:
            group = groups.get("__other__") or root.addGroup(OTHER_GROUP)
            groups["__other__"] = group
        project.addMapLayer(layer, False)
        group.addLayer(layer)
        result.layers.append(layer)

    pop = os.path.join(os.path.dirname(path), stem + schema.POPULATION.suffix)
    if os.path.exists(pop):
        raster = QgsRasterLayer(pop, f"{schema.POPULATION.zh} / {schema.POPULATION.en}")
        if raster.isValid():
            project.addMapLayer(raster, False)
            groups["frame"].addLayer(raster)
            raster_node = groups["frame"].findLayer(raster.id())
            if raster_node is not None:
                raster_node.setItemVisibilityChecked(False)
            result.layers.append(raster)
    _drop_empty(root, groups)
    return result
