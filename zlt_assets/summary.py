"""Inventory summary: what is in each layer, by status and street office, against the plan counts.

Plain data; ``zlt-assets summary`` and the meeting pack render it. The plan counts are counted
the one way :meth:`zlt_assets.plan.RequiredCount.found` says (as validation and the scorecard
do); the population total is read the one way the analyses read it
(:func:`zlt_assets.analysis.population.load_population`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import plan, schema
from .inventory import Inventory, iter_records


@dataclass
class LayerSummary:
    """What one layer holds."""

    name: str
    zh: str
    en: str
    count: int
    by_status: dict[str, int] = field(default_factory=dict)
    by_street_office: dict[str, int] = field(default_factory=dict)
    by_data_source: dict[str, int] = field(default_factory=dict)
    length_km: float | None = None
    area_km2: float | None = None


@dataclass
class InventorySummary:
    """The summary of an inventory (plain data)."""

    source: str
    layers: list[LayerSummary]
    plan_counts: list[dict[str, object]]
    population_total: float | None
    illustrative: bool
    #: why the population total is missing (zh, en), when it is
    population_note: dict[str, str] | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict."""
        from dataclasses import asdict

        return asdict(self)

    def to_markdown(self) -> str:
        """The summary as Markdown (Chinese first, English beside)."""
        lines = ["# 资产清单概要 / Inventory summary", "", f"数据 / Data: `{self.source}`", ""]
        if self.illustrative:
            lines += ["> **示意数据 / Illustrative data**: this inventory contains made features "
                      "(data_source = illustrative); it is not a survey of Zhalantun.", ""]
        lines += ["| 图层 / Layer | 要素数 / Features | 长度 / Length (km) | 面积 / Area (km²) | "
                  "状态 / Status |", "|---|---:|---:|---:|---|"]
        for s in self.layers:
            status = "; ".join(f"{k} {v}" for k, v in s.by_status.items())
            lines.append(f"| {s.zh} / {s.en} | {s.count} | "
                         f"{'' if s.length_km is None else f'{s.length_km:.1f}'} | "
                         f"{'' if s.area_km2 is None else f'{s.area_km2:.2f}'} | {status} |")
        lines += ["", "## 方案数量 / Plan counts", "",
                  "| 项目 / Item | 方案 / Plan | 清单 / Inventory | 章节 / Section |",
                  "|---|---:|---:|---|"]
        for c in self.plan_counts:
            lines.append(f"| {c['zh']} / {c['en']} | {c['required']} | {c['found']} | "
                         f"{c['section']} |")
        if self.population_total is not None:
            lines += ["", f"人口格网合计 / Population grid total: {self.population_total:,.0f}"]
        elif self.population_note:
            lines += ["", f"人口格网 / Population grid: {self.population_note['zh']} / "
                          f"{self.population_note['en']}"]
        return "\n".join(lines) + "\n"


def _label_counts(series: Any, domain: schema.Domain | None) -> dict[str, int]:
    counts = series.fillna("(空 empty)").astype(str).value_counts().sort_index()
    out = {}
    for code, n in counts.items():
        label = code
        if domain is not None and code in domain:
            label = domain.get(code).bilingual()
        out[label] = int(n)
    return out


def summarise_inventory(inventory: Inventory | str | None) -> InventorySummary:
    """Summarise every declared layer present in the inventory.

    Parameters
    ----------
    inventory
        An opened inventory, a path, or None (the default inventory).

    Returns
    -------
    InventorySummary

    Examples
    --------
    >>> from zlt_assets.inventory import sample_path
    >>> s = summarise_inventory(sample_path())
    >>> [(c["key"], c["found"]) for c in s.plan_counts][:2]
    [('facade_lighting', 190), ('facade_renovation', 31)]
    """
    inv = inventory if isinstance(inventory, Inventory) else Inventory.open(inventory)
    layers = inv.read_all()
    out = []
    illustrative = False
    for name, gdf in layers.items():
        decl = schema.layer(name)
        s = LayerSummary(name, decl.zh, decl.en, len(gdf))
        if "status" in gdf.columns:
            s.by_status = _label_counts(gdf["status"], decl.field("status").domain)
        if "street_office" in gdf.columns:
            s.by_street_office = _label_counts(gdf["street_office"], schema.STREET_OFFICES)
        if "data_source" in gdf.columns:
            s.by_data_source = _label_counts(gdf["data_source"], schema.DATA_SOURCE)
            illustrative |= bool((gdf["data_source"] == "illustrative").any())
        if decl.geometry in ("LineString", "MultiLineString"):
            s.length_km = float(gdf.geometry.length.sum() / 1000)
        if decl.geometry in ("Polygon", "MultiPolygon"):
            s.area_km2 = float(gdf.geometry.area.sum() / 1e6)
        out.append(s)
    counts = []
    for c in plan.REQUIRED_COUNTS.values():
        gdf = layers.get(c.layer)
        found: int | None = None
        if gdf is not None and all(f in gdf.columns for f in c.fields):
            found = c.found(iter_records(gdf))
        counts.append({"key": c.key, "zh": c.zh, "en": c.en, "required": c.count,
                       "found": found, "section": c.section})
    pop: float | None = None
    note: dict[str, str] | None = None
    if inv.has_population():
        from .analysis.population import load_population
        from .errors import ZltError

        try:
            grid = load_population(str(inv.population_path))
            pop = 0.0 if grid is None else grid.total
        except ZltError as exc:  # a refused grid: the summary says why, the rest still counts
            msg = " ".join(str(exc).split())
            note = {"zh": f"人口格网不可用:{msg}", "en": f"population grid refused: {msg}"}
    return InventorySummary(inv.label, out, counts, pop, illustrative, note)
