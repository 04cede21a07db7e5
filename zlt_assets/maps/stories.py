"""The stories a meeting map tells: one question per map, its layers, its title and key figure.

Each :class:`Story` switches on only its own layers (the other inventory layers stay in the layer
list, off), colours its assets by a symbology theme, adds the analysis results it is about, and
opens with a caption giving its key figure beside its target, e.g.
"城区 95.9% 在公交站 500 米内,目标 100%". Figures come from the analysis results drawn on the
same map (:class:`~zlt_assets.maps.overlays.AnalysisContext`) or from the plan scorecard;
targets from :mod:`zlt_assets.plan` and :mod:`zlt_assets.standards`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import plan, schema, standards
from ..display import measured, meets, percent
from ..errors import BadInput
from .legend import bi
from .overlays import DEFAULT_INDICATOR, AnalysisContext, indicator_labels
from .types import Figure


@dataclass(frozen=True)
class Caption:
    """A story's caption: its lines as (first, second) language pairs, and its figures."""

    lines: list[tuple[str, str]]
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Story:
    """One meeting map: what it is about and what it shows when it opens."""

    key: str
    zh: str
    en: str
    assets: tuple[str, ...]  # asset layers switched on (the others are listed, off)
    caption: Callable[[AnalysisContext, str, str | None], Caption]
    theme: str = "default"  # symbology theme of its assets
    analyses: tuple[str, ...] = ()  # "coverage", "toilet-gaps", "scorecard"
    frames_off: tuple[str, ...] = ("city_boundary",)
    sources: tuple[str, ...] = (plan.PLAN_DOCUMENT,)  # where the targets come from

    def title(self, lang: str = "zh") -> str:
        """The story's title, Chinese first unless ``lang='en'``."""
        return bi(self.zh, self.en, lang)


def _pair(zh: str, en: str, lang: str) -> tuple[str, str]:
    """A caption line as (first, second) language: Chinese first unless ``lang='en'``."""
    return (zh, en) if lang == "zh" else (en, zh)


def _na(what_zh: str, what_en: str, lang: str) -> Caption:
    return Caption([_pair(f"无法计算:{what_zh}", f"Not measurable: {what_en}", lang)])


def _declared(key: str, value: float | None, **kw: Any) -> Figure:
    """A figure labelled as :mod:`zlt_assets.indicators` declares ``key``."""
    from .. import indicators

    ind = indicators.get(key)
    unit = kw.pop("unit", "%" if ind.unit == "share" else ind.unit)
    return Figure(key, ind.zh, ind.en, value, unit, **kw)


def _met(value: float | None, target: float | None, comparator: str | None) -> bool | None:
    if value is None or target is None or comparator is None:
        return None
    return meets(value, target, comparator)


# --------------------------------------------------------------------------------- captions
def _inventory(ctx: AnalysisContext, lang: str, _indicator: str | None) -> Caption:
    from ..inventory import iter_records

    assets = [n for n in schema.ASSET_LAYERS if n in ctx.frames]
    total = sum(len(ctx.frames[n]) for n in assets)
    zh = f"清单 {total:,} 项资产({len(assets)} 类)"
    en = f"{total:,} assets in {len(assets)} layers"
    figures = [Figure("assets", "资产", "Assets", total, of=None)]
    rc = plan.REQUIRED_COUNTS["facade_lighting"]
    frame = ctx.frames.get(rc.layer)
    if frame is not None and all(f in frame.columns for f in rc.fields):
        n = rc.found(iter_records(frame))
        zh += f";{rc.zh} {n} 栋,方案要求 {rc.count} 栋"
        en += f"; {n} {rc.en.lower()}, the plan names {rc.count}"
        figures.append(Figure(rc.layer, rc.zh, rc.en, n, "栋", target=rc.count,
                              comparator="==", meets=n == rc.count))
    return Caption([_pair(zh, en, lang)], tuple(figures))


def _coverage(ctx: AnalysisContext, lang: str, _indicator: str | None) -> Caption:
    res = ctx.coverage()
    if res is None:
        return _na("缺少公交站点或城区范围图层", "no bus stops or urban area layer", lang)
    s = res.summary
    t = plan.TARGETS["bus_stop_coverage"]
    r = f"{float(s.get('radius_m', standards.BUS_STOP_RADIUS.value)):g}"
    share = s.get("area_share")
    if share is None:
        return _na("覆盖分析未给出面积覆盖率", "the coverage analysis gave no area share", lang)
    pct = percent(float(share), t.value / 100, t.comparator)
    zh = f"城区 {pct} 在公交站 {r} 米内,目标 {t.value:g}%"
    en = f"{pct} of the urban area within {r} m of a bus stop; target {t.value:g}%"
    figures = [_declared("area_pct", 100 * float(share), target=t.value,
                         comparator=t.comparator,
                         meets=_met(100 * float(share), t.value, t.comparator))]
    pshare = s.get("population_share")
    if pshare is not None:
        p = percent(float(pshare), t.value / 100, t.comparator)
        zh += f"(人口 {p})"
        en += f" (residents: {p})"
        figures.append(_declared("population_pct", 100 * float(pshare), target=t.value,
                                 comparator=t.comparator,
                                 meets=_met(100 * float(pshare), t.value, t.comparator)))
    return Caption([_pair(zh, en, lang)], tuple(figures))


def _toilets(ctx: AnalysisContext, lang: str, _indicator: str | None) -> Caption:
    res = ctx.toilets()
    if res is None:
        return _na("缺少公厕或街道办事处图层", "no toilet or street-office layer", lang)
    s = res.summary
    r = f"{float(s['radius_m']):g}"
    below, n = len(s.get("districts_below_density") or []), len(s.get("by_district") or [])
    lines: list[tuple[str, str]] = []
    figures: list[Figure] = []
    if s.get("area_share") is not None:
        pct = percent(float(s["area_share"]))
        figures.append(_declared("area_pct", 100 * float(s["area_share"])))
        lines.append(_pair(
            f"城区 {pct} 在公厕 {r} 米服务半径内;{below}/{n} 个街道公厕密度低于规范下限",
            f"{pct} of the urban area within {r} m of a toilet; {below} of {n} street offices "
            "below the minimum density", lang))
    figures.append(Figure("districts_below_density", "公厕密度低于规范下限的街道",
                          "Street offices below the minimum density", below, of=n))
    sp = s.get("spacing") or {}
    figures.append(Figure("streets_with_gap", "公厕间距超标的街道",
                          "Streets with toilet-spacing gaps", sp.get("streets_with_gap", 0),
                          of=sp.get("n_streets", 0)))
    zh = f"{sp.get('streets_with_gap', 0)}/{sp.get('n_streets', 0)} 条街道公厕间距超标"
    en = (f"{sp.get('streets_with_gap', 0)} of {sp.get('n_streets', 0)} streets with "
          "toilet-spacing gaps")
    props = (s.get("proposals") or {}).get("sites") if s.get("proposals") else None
    if props:
        zh += f";建议新增 {len(props)} 处选址"
        en += f"; {len(props)} sites proposed"
        figures.append(Figure("proposed_sites", "建议新增公厕选址", "Proposed toilet sites",
                              len(props)))
    lines.append(_pair(zh, en, lang))
    return Caption(lines, tuple(figures))


def _target(card: Any, tid: str) -> Any | None:
    return next((t for t in card.targets if t.id == tid), None)


def _works(ctx: AnalysisContext, lang: str, _indicator: str | None) -> Caption:
    card = ctx.scorecard()
    parts_zh, parts_en = [], []
    figures = []
    for tid, zh_unit, en_unit in (("facade_lighting", "栋", "buildings"),
                                  ("bridge_lighting", "座", "bridges"),
                                  ("roads_built", "条", "roads")):
        t = _target(card, tid)
        if t is None or t.value is None:
            continue
        parts_zh.append(f"{t.name_zh}已完成 {t.value:g}/{t.target:g} {zh_unit}")
        parts_en.append(f"{t.name_en}: {t.value:g} of {t.target:g} {en_unit} done")
        figures.append(Figure(tid, t.name_zh, t.name_en, t.value, zh_unit, of=t.target,
                              target=t.target, comparator=t.comparator,
                              meets=_met(t.value, t.target, t.comparator)))
    if not parts_zh:
        return _na("清单中没有工程图层", "no works layer in the inventory", lang)
    return Caption([_pair(";".join(parts_zh) + f"(评估日 {card.as_of})",
                          "; ".join(parts_en) + f" (as of {card.as_of})", lang)], tuple(figures))


def _drainage(ctx: AnalysisContext, lang: str, _indicator: str | None) -> Caption:
    t = _target(ctx.scorecard(), "waterlogging_fixed")
    if t is None or t.value is None:
        why = (t.needs_zh, t.needs_en) if t is not None and t.needs_zh else (
            "清单中没有积水点", "no waterlogging point in the inventory")
        return _na(why[0], why[1], lang)
    ev = t.evidence
    pct = measured(float(t.value), t.target, t.comparator) + "%"
    figures = (Figure(t.id, t.name_zh, t.name_en, t.value, "%", target=t.target,
                      comparator=t.comparator, meets=_met(t.value, t.target, t.comparator)),
               _declared("fixed", ev.get("fixed"), unit="处", of=ev.get("waterlogging_points")))
    return Caption([_pair(f"积水点已整治 {ev.get('fixed')}/{ev.get('waterlogging_points')} 处"
                          f"({pct}),目标 {t.target:g}%",
                          f"Waterlogging points fixed: {ev.get('fixed')} of "
                          f"{ev.get('waterlogging_points')} ({pct}); target {t.target:g}%",
                          lang)], figures)


def indicator_target(key: str) -> tuple[float, str] | None:
    """(target, comparator) of a street-office indicator, or None when it has no target.

    The target is the standard the indicator is declared against
    (:attr:`zlt_assets.indicators.Indicator.source`, a share shown in % multiplied by 100), with
    the comparator of the plan target that uses that standard. The facade-lighting share has
    none declared: the plan names every one of its buildings, so its target is 100 %.
    """
    from .. import indicators

    ind = next((d for d in indicators.DISTRICT if d.key == key), None)
    if ind is None:
        return None
    src = ind.source
    if src is None:
        return (100.0, ">=") if key == "facade_lighting_pct" else None
    value = float(src.value)
    if ind.unit == "%" and src.unit == "share":
        value *= 100
    comp = next((t.comparator for t in plan.TARGETS.values() if t.standard is src), ">=")
    return value, comp


def _scorecard(ctx: AnalysisContext, lang: str, indicator: str | None) -> Caption:
    key = indicator or DEFAULT_INDICATOR
    labels = indicator_labels()
    if key not in labels:
        raise BadInput(f"unknown indicator {key!r}; choose one of {', '.join(labels)}",
                       zh=f"未知指标 {key!r};可选:{', '.join(labels)}", option="indicator")
    zh, en, unit = labels[key]
    card = ctx.scorecard()
    rows = [(r.get("name_zh") or r.get("code"), r.get("name_en") or r.get("code"), r.get(key))
            for r in card.by_district]
    vals = [(zh_, en_, float(v)) for zh_, en_, v in rows if v is not None]
    if not vals:
        return _na(f"各街道均无{zh}数据", f"no street office has a value of {en.lower()}", lang)
    tgt = indicator_target(key)
    low = min(vals, key=lambda r: r[2])
    place = bi(str(low[0]), str(low[1]), lang)
    if tgt is None:
        hi = max(vals, key=lambda r: r[2])
        return Caption(
            [_pair(f"{zh}:各街道 {low[2]:g}–{hi[2]:g} {unit}(方案无此项目标)",
                   f"{en}: {low[2]:g}–{hi[2]:g} {unit} by street office (no plan target)",
                   lang)],
            (Figure("lowest", f"最低街道{zh}", f"Lowest street office: {en}", low[2], unit,
                    place=place),
             Figure("highest", f"最高街道{zh}", f"Highest street office: {en}", hi[2], unit,
                    place=bi(str(hi[0]), str(hi[1]), lang))))
    target, comp = tgt
    short = [r for r in vals if not meets(r[2], target, comp)]
    u = unit if unit != "%" else "%"
    sign = {">=": "≥", "<=": "≤", "==": "="}[comp]
    lowest = measured(low[2], target, comp)
    figures = (Figure("districts_short", f"未达{zh}目标的街道",
                      f"Street offices short of the target: {en}", len(short), of=len(vals)),
               Figure("lowest", f"最低街道{zh}", f"Lowest street office: {en}", low[2], unit,
                      target=target, comparator=comp, meets=meets(low[2], target, comp),
                      place=place))
    return Caption([_pair(f"{zh}:{len(short)}/{len(vals)} 个街道未达目标 {sign}{target:g}{u};"
                          f"最低 {low[0]} {lowest}{u}",
                          f"{en}: {len(short)} of {len(vals)} street offices short of "
                          f"{sign}{target:g}{u}; lowest {low[1]} {lowest}{u}", lang)], figures)


STORIES: dict[str, Story] = {s.key: s for s in (
    Story("inventory", "资产清单总览", "Asset inventory", schema.ASSET_LAYERS, _inventory),
    Story("coverage", "公交站点500米覆盖", "Bus-stop 500 m coverage", ("bus_stops", "roads"),
          _coverage, analyses=("coverage",), frames_off=("city_boundary", "street_offices"),
          sources=(standards.BUS_STOP_RADIUS.cite(),)),
    Story("toilets", "公厕缺口与建议选址", "Toilet gaps and proposed sites", ("public_toilets",),
          _toilets, analyses=("toilet-gaps",), frames_off=("city_boundary", "street_offices"),
          sources=(standards.TOILET_DENSITY_PER_KM2.cite(), standards.TOILET_SPACING_M.cite(),
                   standards.TOILET_SERVICE_RADIUS.cite())),
    Story("works", "整治工程进度", "Works progress",
          ("facade_lighting_buildings", "bridges", "roads"), _works, theme="status"),
    Story("drainage", "积水点整治", "Waterlogging points", ("drainage_points",), _drainage,
          theme="status"),
    Story("scorecard", "街道记分卡", "Street-office scorecard", (), _scorecard,
          analyses=("scorecard",), frames_off=("city_boundary", "street_offices")),
)}
STORY_KEYS = tuple(STORIES)
#: The story an 0.1 ``--analysis`` list maps to (its first analysis).
STORY_OF_ANALYSIS = {"coverage": "coverage", "toilet-gaps": "toilets", "scorecard": "scorecard"}


def story(key: str) -> Story:
    """A story by key; :class:`BadInput` naming the stories when unknown."""
    try:
        return STORIES[key]
    except KeyError:
        raise BadInput(f"unknown story {key!r}; choose one of {', '.join(STORIES)}",
                       zh=f"未知专题 {key!r};可选:{', '.join(STORIES)}", option="story") from None


def story_title(s: Story, lang: str, indicator: str | None = None) -> str:
    """The title of a story's map (the scorecard story names its indicator)."""
    if s.key != "scorecard":
        return s.title(lang)
    zh, en, _ = indicator_labels()[indicator or DEFAULT_INDICATOR]
    return bi(f"{s.zh}:{zh}", f"{s.en}: {en}", lang)


def story_caption(s: Story, ctx: AnalysisContext, lang: str, indicator: str | None = None
                  ) -> Caption:
    """A story's caption: its key-figure lines and the same figures as numbers.

    Figures come from the analyses drawn on the map or the scorecard, targets from the plan.
    """
    return s.caption(ctx, lang, indicator)


def caption(s: Story, ctx: AnalysisContext, lang: str, indicator: str | None = None
            ) -> list[tuple[str, str]]:
    """The key-figure lines of a story as (first, second) language pairs.

    See :func:`story_caption` for the same figures as numbers.
    """
    return story_caption(s, ctx, lang, indicator).lines


def themes(s: Story) -> Mapping[str, str]:
    """Symbology theme per asset layer in a story."""
    return {n: (s.theme if n in s.assets else "default") for n in schema.LAYERS}
