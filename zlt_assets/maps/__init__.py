"""Meeting maps: offline Folium/Leaflet pages and static PNGs of the inventory and its analyses.

Faces only: the maps draw the results of :mod:`zlt_assets.analysis`, they compute no analysis.
Entry points: :func:`make_meeting_map` (HTML, optional PNG), :func:`build_content` (plain data),
:func:`render_html` (the page as text).
"""
from .meeting_map import MapContent, MapResult, build_content, make_meeting_map, render_html

__all__ = ["MapContent", "MapResult", "build_content", "make_meeting_map", "render_html"]
