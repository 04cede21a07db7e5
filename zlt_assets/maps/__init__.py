"""Meeting maps: offline Leaflet pages, one per story, and their print versions (PNG, PDF).

Faces only: the maps draw the results of :mod:`zlt_assets.analysis` and the style declared in
:mod:`zlt_assets.symbology`; they compute no analysis. Entry points: :func:`make_meeting_map`
(one story: HTML, optional PNG/PDF), :func:`make_story_maps` (every story and an index),
:func:`build_content` (plain data), :func:`render_html` (the page as text).
"""
from .meeting_map import build_content, make_meeting_map, make_story_maps, render_html
from .stories import STORIES, STORY_KEYS
from .types import MapContent, MapLayer, MapResult

__all__ = ["STORIES", "STORY_KEYS", "MapContent", "MapLayer", "MapResult", "build_content",
           "make_meeting_map", "make_story_maps", "render_html"]
