"""Analysis: road network, coverage, toilet gaps and site proposals (no QGIS, no faces).

Submodules: :mod:`.network` (noding, attachment, multi-source distances), :mod:`.coverage`
(area and population within reach), :mod:`.population` (raster or points), :mod:`.toilets`
(density, spacing, service gaps), :mod:`.siting` (maximal covering proposals), :mod:`.inputs`
(reading any vector file into EPSG:4550).
"""
from __future__ import annotations

__all__ = [
    "CoverageResult",
    "NetworkReport",
    "PopulationInput",
    "RoadNetwork",
    "SitingResult",
    "ToiletGapResult",
    "build_network",
    "compute_coverage",
    "load_population",
    "propose_sites",
    "toilet_gaps",
]

_WHERE = {
    "build_network": "network", "RoadNetwork": "network", "NetworkReport": "network",
    "compute_coverage": "coverage", "CoverageResult": "coverage",
    "PopulationInput": "population", "load_population": "population",
    "toilet_gaps": "toilets", "ToiletGapResult": "toilets",
    "propose_sites": "siting", "SitingResult": "siting",
}


def __getattr__(name: str) -> object:  # lazy: importing the package stays cheap
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(name)
