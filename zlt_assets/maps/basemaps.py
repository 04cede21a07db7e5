"""Basemaps for the meeting map: none (offline, the default), Tianditu, Gaode, OpenStreetMap.

* Tianditu (天地图): Web-Mercator WMTS, ``vec_w`` (vector) + ``cva_w`` (annotation), subdomains
  t0-t7, a key (``tk``) is mandatory. It is read from the environment variable
  ``ZLT_TIANDITU_KEY`` and appears nowhere but in the tile URL of the HTML the user asked for:
  never in code, messages or logs. CGCS2000 ~ WGS84, so the data is drawn as it is.
* Gaode (高德/AutoNavi): tiles in GCJ-02; the data must be shifted to GCJ-02 for display
  (:attr:`Basemap.gcj02`).
* OSM: for users abroad.

A basemap is the only network use of a meeting map.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

TIANDITU_KEY_ENV = "ZLT_TIANDITU_KEY"
CHOICES = ("none", "osm", "tianditu", "gaode")


@dataclass(frozen=True)
class TileSpec:
    """One tile layer (Leaflet ``L.tileLayer`` arguments)."""

    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18


@dataclass(frozen=True)
class Basemap:
    """The chosen basemap, resolved: what to draw and how to place the data on it."""

    name: str  # what is drawn: none | osm | tianditu | gaode
    tiles: tuple[TileSpec, ...] = ()
    gcj02: bool = False  # shift the data to GCJ-02 for display
    label: str = "无底图 / No basemap"
    messages: tuple[str, ...] = field(default_factory=tuple)


def _tianditu_url(layer: str, key: str) -> str:
    from urllib.parse import quote

    return (f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
            f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + quote(key, safe=""))


def resolve_basemap(choice: str, env: dict[str, str] | None = None) -> Basemap:
    """Turn ``--basemap`` into tile layers; Tianditu without a key falls back to none.

    Parameters
    ----------
    choice : str
        One of :data:`CHOICES`.
    env : dict, optional
        Environment to read ``ZLT_TIANDITU_KEY`` from (default ``os.environ``).

    Returns
    -------
    Basemap
        With ``messages`` for the user (never containing the key).
    """
    env = dict(os.environ if env is None else env)
    if choice not in CHOICES:
        raise ValueError(f"unknown basemap {choice!r}; choose one of {', '.join(CHOICES)}")
    if choice == "none":
        return Basemap("none")
    if choice == "osm":
        return Basemap("osm", (TileSpec("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                                        "&copy; OpenStreetMap contributors", "abc", 19),),
                       label="OpenStreetMap")
    if choice == "gaode":
        return Basemap(
            "gaode",
            (TileSpec("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1"
                      "&style=8&x={x}&y={y}&z={z}", "&copy; 高德地图 AutoNavi", "1234", 18),),
            gcj02=True, label="高德地图 / Gaode (GCJ-02)",
            messages=("高德底图为GCJ-02坐标,图层已偏移至GCJ-02仅用于显示 / Gaode tiles are GCJ-02: "
                      "the data is shifted to GCJ-02 for display only",))
    key = (env.get(TIANDITU_KEY_ENV) or "").strip()
    if not key:
        return Basemap("none", messages=(
            f"未设置环境变量 {TIANDITU_KEY_ENV},天地图底图需要密钥,已改为无底图 / "
            f"{TIANDITU_KEY_ENV} is not set: Tianditu needs a key; the map has no basemap",))
    attribution = "&copy; 天地图 Tianditu (国家地理信息公共服务平台)"
    return Basemap("tianditu", (
        TileSpec(_tianditu_url("vec", key), attribution, "01234567", 18),
        TileSpec(_tianditu_url("cva", key), attribution, "01234567", 18),
    ), label="天地图 / Tianditu")
