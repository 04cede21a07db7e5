"""Load an inventory into a QGIS project: ordered groups, styles, edit forms (PyQGIS only).

A GeoPackage's styles and forms come from its ``layer_styles`` table (written from the schema by
``zlt_assets.styles``), which QGIS applies by itself when a layer is added; a layer without a
stored style, and every PostGIS layer, gets the QML generated from the same schema when the
plugin zip was built (``generated/styles``). Opening the same inventory again reuses its group.
No analysis, and nothing of the engine, here.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsDataSourceUri,
    QgsLayerTreeGroup,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)

from . import schema_info

OTHER_GROUP = "其他图层 / Other layers"
#: custom property of the inventory's group: its source (absolute path or URL)
SOURCE_PROPERTY = "zlt_assets/source"
PG_SRID = 4550
PG_GEOMETRY = "geom"
PG_KEY = "fid"


@dataclass
class LoadResult:
    """What :func:`load_inventory` added."""

    root: QgsLayerTreeGroup
    layers: list = field(default_factory=list)
    #: layer name -> "layer_styles" or "schema" (where its style came from)
    style_source: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    #: True when the inventory was already open: its group was reused
    reused: bool = False


def is_url(text: str) -> bool:
    """True for a ``postgresql://`` inventory URL."""
    return str(text).strip().lower().startswith(("postgresql://", "postgres://"))


def gpkg_vector_layers(path: str) -> list[tuple[str, str]]:
    """(table, geometry type) of the feature tables of a GeoPackage, in file order."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT c.table_name, g.geometry_type_name FROM gpkg_contents c JOIN "
            "gpkg_geometry_columns g ON g.table_name = c.table_name ORDER BY c.rowid").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"不是 GeoPackage / not a GeoPackage: {path} ({exc})") from None
    finally:
        con.close()
    return [(str(t), str(g)) for t, g in rows]


def stored_styles(path: str) -> set[str]:
    """Tables of the GeoPackage that have a default style in ``layer_styles``."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault").fetchall()
    except sqlite3.DatabaseError:
        return set()
    finally:
        con.close()
    return {str(r[0]) for r in rows}


def apply_schema_style(layer: QgsVectorLayer, layer_name: str) -> bool:
    """Apply the QML generated from the schema (style and edit form) to a layer."""
    qml = schema_info.style_path(layer_name)
    if qml is None:
        return False
    _msg, ok = layer.loadNamedStyle(qml)
    layer.triggerRepaint()
    return bool(ok)


def _find_group(parent: QgsLayerTreeGroup, source: str) -> QgsLayerTreeGroup | None:
    for child in parent.children():
        if isinstance(child, QgsLayerTreeGroup) and child.customProperty(SOURCE_PROPERTY) == source:
            return child
    return None


def _groups(root: QgsLayerTreeGroup) -> dict[str, QgsLayerTreeGroup]:
    out = {}
    for g in schema_info.groups():
        title = f"{g['zh']} / {g['en']}"
        out[g["code"]] = root.findGroup(title) or root.addGroup(title)
    return out


def _drop_empty(root: QgsLayerTreeGroup, groups: dict[str, QgsLayerTreeGroup]) -> None:
    for group in groups.values():
        if not group.children():
            root.removeChildNode(group)


def _present_sources(root: QgsLayerTreeGroup) -> set[str]:
    return {node.layer().source() for node in root.findLayers() if node.layer() is not None}


def _root_group(project: QgsProject, parent: QgsLayerTreeGroup | None, source: str,
                title: str) -> tuple[QgsLayerTreeGroup, bool]:
    parent = parent or project.layerTreeRoot()
    found = _find_group(parent, source)
    if found is not None:
        return found, True
    root = parent.insertGroup(0, title)
    root.setCustomProperty(SOURCE_PROPERTY, source)
    return root, False


def postgis_uri(url: str, table: str) -> QgsDataSourceUri:
    """A QGIS data source for one table of a PostGIS inventory URL (``zlt-assets db`` syntax:
    ``postgresql://user:password@host:port/db?schema=NAME``)."""
    parts = urlsplit(url.strip())
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    uri = QgsDataSourceUri()
    uri.setConnection(parts.hostname or "", str(parts.port or 5432),
                      unquote(parts.path.lstrip("/")), unquote(parts.username or ""),
                      unquote(parts.password or ""))
    if params.get("sslmode"):
        uri.setParam("sslmode", params["sslmode"])
    uri.setDataSource(params.get("schema") or "public", table, PG_GEOMETRY, "", PG_KEY)
    uri.setSrid(str(PG_SRID))
    return uri


def display_url(url: str) -> str:
    """The URL without its password."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = userinfo.split(":", 1)[0] + "@" + host
    schema = dict(parse_qsl(parts.query)).get("schema")
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?schema={schema}" if schema else "")


def _set_crs(project: QgsProject) -> None:
    if not project.mapLayers():
        project.setCrs(QgsCoordinateReferenceSystem(schema_info.data()["project_crs"]))


def load_postgis(url: str, project: QgsProject | None = None, *,
                 parent: QgsLayerTreeGroup | None = None) -> LoadResult:
    """Add every layer of a PostGIS inventory to ``project`` in ordered groups, each with the
    schema's style and edit form."""
    project = project or QgsProject.instance()
    shown = display_url(url)
    root, reused = _root_group(project, parent, shown,
                               f"扎兰屯资产清单 / Zhalantun inventory: {shown}")
    result = LoadResult(root=root, reused=reused)
    _set_crs(project)
    present = {node.layer().dataProvider().uri().table() for node in root.findLayers()
               if node.layer() is not None and node.layer().providerType() == "postgres"}
    groups = _groups(root)
    for name, decl in schema_info.layers().items():
        if name in present:
            continue
        source = postgis_uri(url, name).uri(False)
        layer = QgsVectorLayer(source, decl["title"], "postgres")
        if not layer.isValid():
            result.skipped.append(name)
            continue
        apply_schema_style(layer, name)
        result.style_source[name] = "schema"
        project.addMapLayer(layer, False)
        groups[decl["group"]].addLayer(layer)
        result.layers.append(layer)
    _drop_empty(root, groups)
    return result


def load_inventory(path: str, project: QgsProject | None = None, *,
                   parent: QgsLayerTreeGroup | None = None) -> LoadResult:
    """Add every layer of an inventory GeoPackage (or ``postgresql://`` URL) to ``project``.

    Groups follow the schema (整治工程 / 公共设施 / 基础底图), layers the schema order, under one
    group named after the file; layers the schema does not declare go to "其他图层 / Other
    layers"; the population grid beside the file goes last in the frame group, hidden. When the
    inventory is already open its group is reused: only layers missing from it are added.
    """
    if is_url(path):
        return load_postgis(str(path), project, parent=parent)
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"找不到资产清单 / inventory not found: {path}")
    project = project or QgsProject.instance()
    tables = gpkg_vector_layers(path)
    stored = stored_styles(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    root, reused = _root_group(project, parent, path,
                               f"扎兰屯资产清单 / Zhalantun inventory: {stem}")
    result = LoadResult(root=root, reused=reused)
    _set_crs(project)
    present = _present_sources(root)
    groups = _groups(root)
    declared = schema_info.layers()
    names = {t for t, _ in tables}
    ordered = [n for n in declared if n in names] + [t for t, _ in tables if t not in declared]
    for name in ordered:
        source = f"{path}|layername={name}"
        if source in present:
            continue
        decl = declared.get(name)
        layer = QgsVectorLayer(source, decl["title"] if decl else name, "ogr")
        if not layer.isValid():
            result.skipped.append(name)
            continue
        if decl is not None:
            if name in stored:
                result.style_source[name] = "layer_styles"
            else:
                apply_schema_style(layer, name)
                result.style_source[name] = "schema"
            group = groups[decl["group"]]
        else:
            group = groups.get("__other__") or root.findGroup(OTHER_GROUP) \
                or root.addGroup(OTHER_GROUP)
            groups["__other__"] = group
        project.addMapLayer(layer, False)
        group.addLayer(layer)
        result.layers.append(layer)

    pop_info = schema_info.data()["population"]
    pop = os.path.join(os.path.dirname(path), stem + pop_info["suffix"])
    if os.path.exists(pop) and pop not in present and "frame" in groups:
        raster = QgsRasterLayer(pop, f"{pop_info['zh']} / {pop_info['en']}")
        if raster.isValid():
            project.addMapLayer(raster, False)
            node = groups["frame"].addLayer(raster)
            if node is not None:
                node.setItemVisibilityChecked(False)
            result.layers.append(raster)
    _drop_empty(root, groups)
    return result
