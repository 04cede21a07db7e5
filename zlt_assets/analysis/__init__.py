"""Analysis: road network, coverage, toilet gaps and site proposals (no QGIS, no faces).

Submodules: :mod:`.network` (noding, attachment, multi-source distances), :mod:`.coverage`
(area and population within reach), :mod:`.population` (raster or points), :mod:`.toilets`
(density, spacing, service gaps), :mod:`.siting` (maximal covering proposals), :mod:`.inputs`
(reading any vector file into EPSG:4550).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # pragma: no cover
    from .coverage import CoverageResult, compute_coverage
    from .network import NetworkReport, RoadNetwork, build_network
    from .population import PopulationInput, load_population
    from .siting import SitingResult, propose_sites
    from .toilets import ToiletGapResult, toilet_gaps


def __getattr__(name: str) -> Any:  # lazy: importing the package stays cheap
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(name)
