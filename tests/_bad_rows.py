"""Bad rows every face must refuse: validation, the QGIS edit form and PostGIS (issue 15).

Each :class:`BadRow` breaks one rule declared in :mod:`zlt_assets.schema` (``LayerDef.rules``).
``bad`` holds the values that break it on any feature of the layer (``where`` picks a feature
the change makes sense on); ``good`` is a minimal record that satisfies the rule, for unit tests
of the evaluator. Hard rules are refused everywhere; soft rules are warnings (validation warns,
the QGIS form shows a soft constraint, PostGIS does not check them).

Used by tests/test_rules.py (evaluator), tests/test_validate.py (validation of a planted copy of
the sample), tests/test_rules_qgis.py (QGIS 3.40 form constraints on that copy) and the PostGIS
tests (insert ``case.record(base)`` and expect a refusal for ``case.hard``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: A date after the check date: the issue's 2031-05-05, or a year from now if that has passed.
FUTURE = max(dt.date(2031, 5, 5), dt.date.today() + dt.timedelta(days=366)).isoformat()


@dataclass(frozen=True)
class BadRow:
    """One row that breaks one declared rule."""

    id: str
    layer: str
    rule: str
    bad: Mapping[str, object]
    good: Mapping[str, object]
    where: Mapping[str, object] = field(default_factory=dict)
    geom_length: float | None = None

    @property
    def declared(self):
        from zlt_assets import schema

        return schema.layer(self.layer).rule(self.rule)

    @property
    def hard(self) -> bool:
        return self.declared.strength == "hard"

    def record(self, base: Mapping[str, object]) -> dict[str, object]:
        """``base`` (a valid record of the layer) with the bad values."""
        out = dict(base)
        out.update(self.bad)
        return out


BAD_ROWS: tuple[BadRow, ...] = (
    BadRow("roads-lamps-lit-999", "roads", "lamps_lit_le_installed",
           bad={"lamps_required": 15, "lamps_installed": 15, "lamps_lit": 999},
           good={"lamps_required": 15, "lamps_installed": 15, "lamps_lit": 15}),
    BadRow("roads-installed-over-required", "roads", "lamps_installed_le_required",
           bad={"lamps_required": 10, "lamps_installed": 40, "lamps_lit": 10},
           good={"lamps_required": 40, "lamps_installed": 40, "lamps_lit": 10}),
    BadRow("roads-updated-future", "roads", "updated_not_future",
           bad={"updated": FUTURE}, good={"updated": "2020-11-30"}),
    BadRow("toilets-updated-future", "public_toilets", "updated_not_future",
           bad={"updated": FUTURE}, good={"updated": "2020-11-30"}),
    BadRow("roads-new-without-status", "roads", "works_needs_status",
           bad={"works": "new", "status": None}, good={"works": "new", "status": "planned"},
           where={"works": "none"}),
    BadRow("roads-plan-road-not-works", "roads", "plan_road_is_works",
           bad={"plan_road": "P46", "works": "none"},
           good={"plan_road": "P46", "works": "rebuilt"},
           where={"works": "none"}),
    BadRow("roads-carriageway-wider-than-red-line", "roads",
           "carriageway_width_m_le_red_line_width_m",
           bad={"red_line_width_m": 20.0, "carriageway_width_m": 30.0},
           good={"red_line_width_m": 30.0, "carriageway_width_m": 30.0}),
    BadRow("roads-length-differs", "roads", "length_matches_geometry",
           bad={"length_m": 99999.0}, good={"length_m": 205.0}, geom_length=200.0),
    BadRow("drainage-waterlogging-without-remedy", "drainage_points", "remedy_status_required",
           bad={"remedy_status": None, "remedy_date": None},
           good={"drainage_type": "waterlogging", "remedy_status": "not_started"},
           where={"drainage_type": "waterlogging"}),
    BadRow("drainage-fixed-without-date", "drainage_points", "remedy_fixed_needs_date",
           bad={"remedy_date": None}, good={"remedy_status": "fixed", "remedy_date": "2020-01-01"},
           where={"drainage_type": "waterlogging", "remedy_status": "fixed"}),
    BadRow("buildings-renovation-without-status", "facade_lighting_buildings",
           "renovation_needs_status",
           bad={"renovation": True, "renovation_status": None, "renovation_date": None},
           good={"renovation": True, "renovation_status": "planned"},
           where={"street_group": "zhongyang", "renovation": False}),
    BadRow("buildings-renovation-off-zhongyang", "facade_lighting_buildings",
           "renovation_only_zhongyang",
           bad={"renovation": True, "renovation_status": "planned", "renovation_date": None,
                "street_group": "yalu"},
           good={"renovation": True, "street_group": "zhongyang"},
           where={"street_group": "yalu"}),
    BadRow("buildings-done-without-date", "facade_lighting_buildings", "completed_needs_date",
           bad={"status": "completed", "completed_date": None},
           good={"status": "completed", "completed_date": "2020-05-01"}),
    BadRow("buildings-floors-999", "facade_lighting_buildings", "floors_range",
           bad={"floors": 999}, good={"floors": 6}),
    BadRow("bridges-completed-after-updated", "bridges", "completed_date_not_after_updated",
           bad={"completed_date": "2020-12-15", "updated": "2020-11-30"},
           good={"completed_date": "2020-11-15", "updated": "2020-11-30"},
           where={"status": "completed"}),
    BadRow("toilets-in-service-without-places", "public_toilets", "in_service_has_places",
           bad={"seats_male": 0, "seats_female": 0, "seats_accessible": 0},
           good={"status": "in_service", "seats_male": 0, "seats_female": 1,
                 "seats_accessible": 0},
           where={"status": "in_service"}),
    BadRow("stops-completed-before-1900", "bus_stops", "completed_date_not_too_early",
           bad={"completed_date": "1899-12-31"}, good={"completed_date": "1999-12-31"}),
)


def _matches(row: Mapping[str, object], where: Mapping[str, object]) -> bool:
    return all(row.get(k) == v for k, v in where.items())


def plant(path: str | Path) -> dict[str, str]:
    """Write every bad row into a copy of the sample, each on its own feature.

    Returns
    -------
    dict
        Case id -> object id of the feature that now carries the bad values.
    """
    import pyogrio

    from zlt_assets.inventory import write_layers
    from zlt_assets.styles import write_layer_styles

    planted: dict[str, str] = {}
    by_layer: dict[str, list[BadRow]] = {}
    for case in BAD_ROWS:
        by_layer.setdefault(case.layer, []).append(case)
    for layer, cases in by_layer.items():
        gdf = pyogrio.read_dataframe(path, layer=layer)
        used: set[int] = set()
        for case in cases:
            for pos in range(len(gdf)):
                row = gdf.iloc[pos].to_dict()
                if pos not in used and _matches(row, case.where):
                    break
            else:
                raise AssertionError(f"{case.id}: no feature of {layer} matches {case.where}")
            used.add(pos)
            for col, value in case.bad.items():
                if col in gdf.columns and gdf[col].dtype.kind in "biu" and value is None:
                    gdf[col] = gdf[col].astype(object)
                gdf.iat[pos, gdf.columns.get_loc(col)] = value
            planted[case.id] = str(gdf["obj_id"].iloc[pos])
        write_layers(path, {layer: gdf})
    write_layer_styles(path)
    return planted
