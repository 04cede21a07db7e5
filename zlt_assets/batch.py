"""Batch coverage runs from a scenarios file (TOML or YAML).

A scenarios file lists coverage runs: facility sets (an inventory layer with a status filter, a
vector file, or a union of several), radii, methods and areas, with defaults for all runs at the
top. Each scenario gives one GeoPackage (the :class:`~zlt_assets.analysis.coverage.CoverageResult`
layers plus the facilities used) and one summary row (the coverage JSON summary keys, flattened);
all rows go to ``summary.csv`` (UTF-8 with BOM, so Excel shows Chinese) and ``summary.xlsx``.

A scenario that fails is reported (``status = failed`` and the one-line reason in its row) and the
others still run. A rerun skips a scenario whose GeoPackage exists and whose recorded fingerprint
(the resolved scenario definition plus the content of every input file) is unchanged, unless
``force``. Every output is written atomically (temporary file moved into place).

This module is core: it prints nothing. Faces (``zlt-assets batch``,
``scripts/batch_coverage.py``) pass ``on_start`` / ``on_done`` callbacks for progress.

File format (TOML; YAML has the same structure)::

    [defaults]                      # apply to every scenario (all optional)
    data = "../layers/zhalantun.gpkg"   # inventory; relative paths are relative to this file
    area = "urban_area"             # a source (see below)
    roads = "roads"
    river = "auto"                  # network method: the inventory's river layer when present
    districts = "street_offices"
    population = "inventory"        # raster beside the inventory; or a file; or "none"
    radius = 500                    # metres, or a list: one run per value
    method = "euclidean"            # euclidean | network, or a list
    cell = 25                       # metres

    [facility_sets.current]
    layer = "bus_stops"
    status = ["in_service"]

    [facility_sets.proposed]
    file = "proposed_bus_stops.geojson"

    [facility_sets.current_plus_proposed]
    union = ["current", "proposed"]

    [[scenarios]]
    name = "current"
    facilities = "current"
    radius = [300, 500]              # expands to current_euclidean_300, current_euclidean_500
    method = "euclidean"

A *source* is a table ``{layer = NAME, status = [..]}`` (an inventory layer, optionally filtered on
its ``status`` field), ``{file = PATH, layer = NAME}`` (any vector file GDAL reads, any CRS; for
population also a GeoTIFF), ``{union = [..]}`` (facility sets or sources), or a string: the name
of a facility set, the name of an inventory layer, or a file path.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, indicators, schema, standards
from ._io import atomic_path, write_json
from .errors import BadInput, ZltError
from .inventory import Inventory, default_data_path

__all__ = [
    "METHODS",
    "SUMMARY_COLUMNS",
    "BatchPlan",
    "BatchResult",
    "Scenario",
    "ScenarioResult",
    "Source",
    "fingerprint",
    "load_scenarios",
    "parse_scenarios",
    "run_batch",
    "run_scenario",
    "summary_row",
    "write_summary",
]

#: Coverage methods a scenario may name.
METHODS = ("euclidean", "network")
#: Keys allowed in ``[defaults]`` and in a scenario.
_RUN_KEYS = ("data", "area", "roads", "river", "districts", "population", "radius", "method",
             "cell", "facilities")
_SCENARIO_KEYS = ("name", "description", *_RUN_KEYS)
_TOP_KEYS = ("title", "description", "defaults", "facility_sets", "scenarios")
_SOURCE_KEYS = ("layer", "file", "status", "union")
#: ``population`` values meaning "none".
_NONE_WORDS = ("none", "no", "off", "false", "")
#: Files that belong to a shapefile (hashed together).
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")

OUTPUT_SUBDIR = "scenarios"
SUMMARY_CSV = "summary.csv"
SUMMARY_XLSX = "summary.xlsx"
SUMMARY_DISTRICT_CSV = "summary_by_district.csv"


# ---------------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Source:
    """Where an input comes from.

    ``kind`` is ``layer`` (an inventory layer, ``path`` = the inventory), ``file`` (a vector or
    raster file, ``layer`` = an optional layer inside it), ``raster`` (the population raster beside
    the inventory) or ``union`` (``members``).
    """

    kind: str
    path: str | None = None
    layer: str | None = None
    status: tuple[str, ...] | None = None
    members: tuple[Source, ...] = ()
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The source as it is written in a scenario file."""
        d: dict[str, Any] = {"kind": self.kind}
        if self.path is not None:
            d["path"] = self.path
        if self.layer is not None:
            d["layer"] = self.layer
        if self.status is not None:
            d["status"] = list(self.status)
        if self.members:
            d["members"] = [m.to_dict() for m in self.members]
        return d

    def files(self) -> list[Path]:
        """Files this source reads (for the fingerprint); a database inventory has none."""
        if self.kind == "union":
            return [f for m in self.members for f in m.files()]
        return [Path(self.path)] if self.path and not _is_url(self.path) else []

    def uses_database(self) -> bool:
        """True when the source reads a PostGIS inventory (its content cannot be fingerprinted)."""
        if self.kind == "union":
            return any(m.uses_database() for m in self.members)
        return _is_url(self.path)

    def describe(self) -> str:
        """A short human description, e.g. ``bus_stops[status=in_service]``."""
        if self.label:
            return self.label
        if self.kind == "layer":
            return f"{self.layer}" + (f"[status={'|'.join(self.status)}]" if self.status else "")
        if self.kind == "file":
            return Path(self.path or "").name + (f":{self.layer}" if self.layer else "")
        if self.kind == "raster":
            return Path(self.path or "").name
        return " + ".join(m.describe() for m in self.members)


@dataclass(frozen=True)
class Scenario:
    """One resolved coverage run (defaults applied, paths absolute)."""

    name: str
    facility_set: str
    facilities: Source
    radius: float
    method: str
    cell: float
    area: Source
    roads: Source | None
    districts: Source | None
    population: Source | None
    data: str
    description: str = ""
    river: Source | None = None

    @property
    def slug(self) -> str:
        """File-name-safe form of the name (Chinese letters kept)."""
        return _slug(self.name)

    def definition(self) -> dict[str, Any]:
        """The canonical definition that goes into the fingerprint."""
        return {
            "name": self.name,
            "facility_set": self.facility_set,
            "facilities": self.facilities.to_dict(),
            "radius": self.radius,
            "method": self.method,
            "cell": self.cell,
            "area": self.area.to_dict(),
            "roads": self.roads.to_dict() if self.roads and self.method == "network" else None,
            "river": self.river.to_dict() if self.river and self.method == "network" else None,
            "districts": self.districts.to_dict() if self.districts else None,
            "population": self.population.to_dict() if self.population else None,
        }


@dataclass(frozen=True)
class BatchPlan:
    """A parsed scenarios file."""

    path: str
    title: str
    scenarios: tuple[Scenario, ...]
    facility_sets: Mapping[str, Source]

    def names(self) -> list[str]:
        """The scenario names, in file order."""
        return [s.name for s in self.scenarios]


@dataclass
class ScenarioResult:
    """What happened to one scenario.

    ``status`` is ``ok`` or ``failed``; ``action`` is ``ran``, ``reused`` (up to date, skipped)
    or ``failed``; ``row`` is the flat summary row.
    """

    scenario: Scenario
    status: str
    action: str
    reason: str = ""
    output: str | None = None
    fingerprint: str = ""
    seconds: float = 0.0
    summary: dict[str, Any] | None = None
    row: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the scenario ran (or was reused) without error."""
        return self.status == "ok"


@dataclass
class BatchResult:
    """All scenario results and where the summary tables went."""

    results: list[ScenarioResult]
    out_dir: str
    csv: str
    xlsx: str
    district_csv: str

    @property
    def failed(self) -> list[ScenarioResult]:
        """The scenarios that failed."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when no scenario failed."""
        return not self.failed

    def counts(self) -> dict[str, int]:
        """How many scenarios ran, were reused, failed or were not run."""
        out: dict[str, int] = {"ran": 0, "reused": 0, "failed": 0, "not_run": 0}
        for r in self.results:
            out[r.action] = out.get(r.action, 0) + 1
        return out


# ---------------------------------------------------------------------------------- parsing
def load_scenarios(path: str | os.PathLike[str], *, data: str | os.PathLike[str] | None = None
                   ) -> BatchPlan:
    """Read and validate a scenarios file (``.toml``, ``.yaml`` or ``.yml``).

    Parameters
    ----------
    path
        The scenarios file. Relative paths inside it are relative to its folder.
    data
        Inventory GeoPackage overriding the file's ``data`` (``--data``).

    Returns
    -------
    BatchPlan

    Raises
    ------
    BadInput
        The file cannot be read or parsed, or an entry is invalid (one-line message naming the
        file and the entry).
    """
    p = Path(path)
    if not p.exists():
        raise BadInput(f"scenarios file not found: {p}")
    if data is not None and not _is_url(str(data)) and not Path(data).is_file():
        raise BadInput(f"inventory not found: {data}")
    if p.is_dir():
        raise BadInput(f"scenarios file expected, got a folder: {p}")
    suffix = p.suffix.lower()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{p.name}: not UTF-8 text") from None
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # Python 3.10
            import tomli as tomllib

        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BadInput(f"{p.name}: not valid TOML: {_one_line(exc)}") from None
    elif suffix in (".yaml", ".yml"):
        import yaml

        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise BadInput(f"{p.name}: not valid YAML: {_one_line(exc)}") from None
    else:
        raise BadInput(f"{p.name}: scenarios file must end in .toml, .yaml or .yml")
    return parse_scenarios(raw, base=p.parent, name=p.name, data=data, path=str(p.resolve()))


def parse_scenarios(raw: Any, *, base: str | os.PathLike[str] = ".", name: str = "scenarios",
                    data: str | os.PathLike[str] | None = None, path: str = "") -> BatchPlan:
    """Validate a parsed scenarios mapping and resolve it into a :class:`BatchPlan`.

    Parameters
    ----------
    raw
        The parsed document (a mapping with ``defaults``, ``facility_sets``, ``scenarios``).
    base
        Folder relative paths are resolved against.
    name
        File name used in error messages.
    data
        Inventory overriding ``defaults.data`` and the scenarios' ``data``.
    path
        Recorded as :attr:`BatchPlan.path`.
    """
    base_dir = Path(base).resolve()
    where = name
    if not isinstance(raw, Mapping):
        raise BadInput(f"{where}: expected a table/mapping at the top level")
    _no_unknown(raw, _TOP_KEYS, where)
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise BadInput(f"{where}: [defaults] must be a table")
    _no_unknown(defaults, _RUN_KEYS, f"{where}: [defaults]")

    data_path = _resolve_data(data, defaults.get("data"), base_dir, f"{where}: [defaults]")

    raw_sets = raw.get("facility_sets") or {}
    if not isinstance(raw_sets, Mapping):
        raise BadInput(f"{where}: [facility_sets] must be a table of named sets")
    resolve_set = _SetResolver(raw_sets, base_dir, data_path, where)

    for set_name in raw_sets:
        if not isinstance(set_name, str) or not set_name.strip():
            raise BadInput(f"{where}: facility set names must be non-empty text")
        resolve_set(set_name, f"{where}: [facility_sets]")

    raw_scenarios = raw.get("scenarios")
    if not raw_scenarios:
        raise BadInput(f"{where}: no [[scenarios]] listed")
    if not isinstance(raw_scenarios, list):
        raise BadInput(f"{where}: 'scenarios' must be a list ([[scenarios]] entries)")

    scenarios: list[Scenario] = []
    for i, entry in enumerate(raw_scenarios, start=1):
        ctx = f"{where}: scenario #{i}"
        if not isinstance(entry, Mapping):
            raise BadInput(f"{ctx}: must be a table with at least 'name' and 'facilities'")
        if isinstance(entry.get("name"), str) and entry["name"].strip():
            ctx = f"{where}: scenario {entry['name']!r}"
        _no_unknown(entry, _SCENARIO_KEYS, ctx)
        scenarios.extend(_expand_scenario(entry, defaults, ctx, base_dir, data, data_path,
                                          resolve_set))

    seen: dict[str, str] = {}
    for s in scenarios:
        key = s.slug.casefold()
        if key in seen:
            raise BadInput(f"{where}: two scenarios share the name {s.name!r} "
                           f"(after expanding radius/method lists: {seen[key]!r})")
        seen[key] = s.name
    title = raw.get("title") or Path(name).stem
    return BatchPlan(path=path, title=str(title), scenarios=tuple(scenarios),
                     facility_sets=dict(resolve_set.sets))


def _expand_scenario(entry: Mapping[str, Any], defaults: Mapping[str, Any], ctx: str,
                     base_dir: Path, data_override: Any, default_data: str,
                     resolve_set: _SetResolver) -> list[Scenario]:
    merged = {**defaults, **entry}
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadInput(f"{ctx}: 'name' is required (non-empty text)")
    name = name.strip()
    description = entry.get("description") or ""
    if not isinstance(description, str):
        raise BadInput(f"{ctx}: 'description' must be text")

    data_path = (_resolve_data(data_override, entry.get("data"), base_dir, ctx)
                 if "data" in entry else default_data)

    fac_raw = merged.get("facilities")
    if fac_raw is None:
        raise BadInput(f"{ctx}: 'facilities' is required (a facility set name or a source)")
    if isinstance(fac_raw, str) and fac_raw in resolve_set.names:
        facilities = resolve_set(fac_raw, ctx)
        set_name = fac_raw
    else:
        facilities = _parse_source(fac_raw, base_dir, data_path, f"{ctx}: facilities",
                                   resolve_set, facilities=True)
        set_name = facilities.describe()

    radii = _as_list(merged.get("radius", standards.BUS_STOP_RADIUS.value))
    methods = _as_list(merged.get("method", "euclidean"))
    if not radii:
        raise BadInput(f"{ctx}: 'radius' is an empty list")
    if not methods:
        raise BadInput(f"{ctx}: 'method' is an empty list")
    radii_f = [_positive(r, f"{ctx}: radius") for r in radii]
    for m in methods:
        if m not in METHODS:
            raise BadInput(f"{ctx}: unknown method {m!r} (use {' or '.join(METHODS)})")
    cell = _positive(merged.get("cell", standards.GRID_CELL.value), f"{ctx}: cell")

    area = _parse_source(merged.get("area", "urban_area"), base_dir, data_path, f"{ctx}: area",
                         resolve_set)
    roads_raw = merged.get("roads", "roads")
    roads = (None if _is_none(roads_raw) else
             _parse_source(roads_raw, base_dir, data_path, f"{ctx}: roads", resolve_set))
    if roads is None and "network" in methods:
        raise BadInput(f"{ctx}: method 'network' needs 'roads'")
    river_raw = merged.get("river", "auto")
    if isinstance(river_raw, str) and river_raw.strip().lower() == "auto":
        river = Source(kind="layer", path=data_path, layer="river", label="auto")
    elif _is_none(river_raw):
        river = None
    else:
        river = _parse_source(river_raw, base_dir, data_path, f"{ctx}: river", resolve_set)
    dist_raw = merged.get("districts", "street_offices")
    districts = (None if _is_none(dist_raw) else
                 _parse_source(dist_raw, base_dir, data_path, f"{ctx}: districts", resolve_set))
    pop_raw = merged.get("population", "inventory")
    population = _parse_population(pop_raw, base_dir, data_path, f"{ctx}: population",
                                   resolve_set)

    multi = len(radii_f) * len(methods) > 1
    out = []
    for method in methods:
        for radius in radii_f:
            run_name = f"{name}_{method}_{_num(radius)}" if multi else name
            out.append(Scenario(
                name=run_name, facility_set=set_name, facilities=facilities, radius=radius,
                method=method, cell=cell, area=area, roads=roads, districts=districts, river=river,
                population=population, data=data_path, description=description,
            ))
    return out


class _SetResolver:
    """Resolves named facility sets lazily (a union may name other sets; cycles are refused)."""

    def __init__(self, raw_sets: Mapping[str, Any], base_dir: Path, data_path: str,
                 where: str) -> None:
        self.raw = raw_sets
        self.base_dir = base_dir
        self.data_path = data_path
        self.where = where
        self.sets: dict[str, Source] = {}
        self._resolving: set[str] = set()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.raw)

    def __call__(self, set_name: str, ctx: str) -> Source:
        if set_name in self.sets:
            return self.sets[set_name]
        if set_name not in self.raw:
            raise BadInput(f"{ctx}: unknown facility set {set_name!r}"
                           + (f" (defined: {', '.join(self.raw)})" if self.raw else ""))
        if set_name in self._resolving:
            raise BadInput(f"{self.where}: facility set {set_name!r} refers to itself "
                           "through a union")
        self._resolving.add(set_name)
        src = _parse_source(self.raw[set_name], self.base_dir, self.data_path,
                            f"{self.where}: facility set {set_name!r}", self, facilities=True)
        self._resolving.discard(set_name)
        self.sets[set_name] = dataclasses.replace(src, label=set_name)
        return self.sets[set_name]


def _parse_source(raw: Any, base_dir: Path, data_path: str, ctx: str,
                  resolve_set: _SetResolver, *, facilities: bool = False
                  ) -> Source:
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise BadInput(f"{ctx}: empty source")
        if facilities and text in resolve_set.names:
            return resolve_set(text, ctx)
        if text in schema.LAYERS:
            return Source(kind="layer", path=data_path, layer=text)
        if not Path(text).suffix and "/" not in text and "\\" not in text:
            known = (f"facility sets: {', '.join(resolve_set.names) or '-'}; " if facilities
                     else "")
            raise BadInput(f"{ctx}: {text!r} is not a {'facility set, ' if facilities else ''}"
                           f"inventory layer or file name ({known}layers: "
                           f"{', '.join(schema.LAYERS)})")
        return Source(kind="file", path=_abs(text, base_dir))
    if isinstance(raw, list):
        return _union(raw, base_dir, data_path, ctx, resolve_set, facilities)
    if not isinstance(raw, Mapping):
        raise BadInput(f"{ctx}: expected a source (text, or a table with layer/file/union)")
    _no_unknown(raw, _SOURCE_KEYS, ctx)
    given = [k for k in ("layer", "file", "union") if k in raw]
    if "union" in raw:
        if len(given) > 1:
            raise BadInput(f"{ctx}: 'union' cannot be combined with 'layer' or 'file'")
        if "status" in raw:
            raise BadInput(f"{ctx}: put 'status' on the members of a union")
        members = raw["union"]
        if not isinstance(members, list):
            raise BadInput(f"{ctx}: 'union' must be a list")
        return _union(members, base_dir, data_path, ctx, resolve_set, facilities)
    status = _parse_status(raw.get("status"), ctx)
    if "file" in raw:
        f = raw["file"]
        if not isinstance(f, str) or not f.strip():
            raise BadInput(f"{ctx}: 'file' must be a path")
        lyr = raw.get("layer")
        if lyr is not None and not isinstance(lyr, str):
            raise BadInput(f"{ctx}: 'layer' must be text")
        return Source(kind="file", path=_abs(f, base_dir), layer=lyr, status=status)
    if "layer" in raw:
        lyr = raw["layer"]
        if not isinstance(lyr, str) or not lyr.strip():
            raise BadInput(f"{ctx}: 'layer' must be a layer name")
        if status is not None and lyr in schema.LAYERS:
            _check_status(lyr, status, ctx)
        return Source(kind="layer", path=data_path, layer=lyr, status=status)
    raise BadInput(f"{ctx}: a source needs 'layer', 'file' or 'union'")


def _union(members: list[Any], base_dir: Path, data_path: str, ctx: str,
           resolve_set: _SetResolver, facilities: bool) -> Source:
    if not members:
        raise BadInput(f"{ctx}: 'union' is empty")
    parsed = tuple(_parse_source(m, base_dir, data_path, f"{ctx}: union member #{i}",
                                 resolve_set, facilities=facilities)
                   for i, m in enumerate(members, start=1))
    return Source(kind="union", members=parsed)


def _parse_population(raw: Any, base_dir: Path, data_path: str, ctx: str,
                      resolve_set: _SetResolver) -> Source | None:
    if raw is None or raw is False or (isinstance(raw, str) and raw.strip().lower() in _NONE_WORDS):
        return None
    if isinstance(raw, str) and raw.strip().lower() in ("inventory", "auto"):
        if _is_url(data_path):
            return None  # a PostGIS inventory has no population raster beside it
        inv = Path(data_path)
        return Source(kind="raster", path=str(inv.with_name(inv.stem + schema.POPULATION.suffix)),
                      label="auto" if raw.strip().lower() == "auto" else "")
    return _parse_source(raw, base_dir, data_path, ctx, resolve_set)


def _parse_status(raw: Any, ctx: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    values = _as_list(raw)
    if not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise BadInput(f"{ctx}: 'status' must be a status code or a list of codes")
    return tuple(v.strip() for v in values)


def _check_status(layer_name: str, status: Sequence[str], ctx: str) -> None:
    decl = schema.LAYERS[layer_name]
    if "status" not in decl.field_names:
        raise BadInput(f"{ctx}: layer {layer_name!r} has no 'status' field to filter on")
    dom = decl.field("status").domain
    if dom is None:
        return
    for s in status:
        if s not in dom:
            raise BadInput(f"{ctx}: unknown status {s!r} for {layer_name} "
                           f"(use {', '.join(dom.codes)})")


def _is_url(s: object) -> bool:
    return isinstance(s, str) and s.strip().lower().startswith(("postgresql://", "postgres://"))


def _resolve_data(override: Any, given: Any, base_dir: Path, ctx: str) -> str:
    if override is not None:
        return str(override).strip() if _is_url(str(override)) else str(Path(override).resolve())
    if given is None:
        env = os.environ.get("ZLT_DATA")
        if _is_url(env):
            return str(env).strip()
        return str(default_data_path().resolve())
    if not isinstance(given, str) or not given.strip():
        raise BadInput(f"{ctx}: 'data' must be a path to an inventory GeoPackage "
                       "(or a postgresql:// URL)")
    return given.strip() if _is_url(given) else _abs(given, base_dir)


def _no_unknown(d: Mapping[str, Any], allowed: Sequence[str], ctx: str) -> None:
    unknown = [str(k) for k in d if k not in allowed]
    if unknown:
        raise BadInput(f"{ctx}: unknown key(s) {', '.join(map(repr, unknown))} "
                       f"(allowed: {', '.join(allowed)})")


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _positive(v: Any, ctx: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise BadInput(f"{ctx} must be a number of metres, got {v!r}")
    f = float(v)
    if not math.isfinite(f) or f <= 0:
        raise BadInput(f"{ctx} must be a positive number of metres, got {v!r}")
    return f


def _is_none(v: Any) -> bool:
    return v is None or v is False or (isinstance(v, str) and v.strip().lower() in _NONE_WORDS)


def _abs(p: str, base_dir: Path) -> str:
    path = Path(os.path.expanduser(p.strip()))
    return str(path if path.is_absolute() else (base_dir / path).resolve())


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


_SLUG_BAD = re.compile(r"[^\w.\-]+", re.UNICODE)


def _slug(name: str) -> str:
    s = _SLUG_BAD.sub("_", name.strip()).strip("._")
    return s or "scenario"


# ---------------------------------------------------------------------------------- fingerprint
_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def _file_digest(path: Path) -> str:
    """sha256 of a file's content (a shapefile's parts together); cached by size and mtime."""
    parts = [path]
    if path.suffix.lower() == ".shp":
        parts = [path.with_suffix(s) for s in _SHAPEFILE_PARTS if path.with_suffix(s).exists()]
    if not path.exists():
        raise BadInput(f"input file not found: {path}")
    h = hashlib.sha256()
    for part in parts:
        if part.is_dir():  # e.g. a FileGDB folder: hash its listing and sizes
            for sub in sorted(part.rglob("*")):
                if sub.is_file():
                    h.update(str(sub.relative_to(part)).encode())
                    h.update(_one_file_digest(sub).encode())
            continue
        h.update(part.name.encode())
        h.update(_one_file_digest(part).encode())
    return h.hexdigest()


def _one_file_digest(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_CACHE:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _HASH_CACHE[key] = h.hexdigest()
    return _HASH_CACHE[key]


def fingerprint(scenario: Scenario) -> str:
    """A digest of the scenario definition, the content of its inputs and the package version.

    Raises
    ------
    BadInput
        An input file is missing (``auto`` population that is missing counts as "none").
    """
    inputs: dict[str, str] = {}
    sources = [scenario.facilities, scenario.area, scenario.districts, scenario.population]
    if scenario.method == "network":
        sources += [scenario.roads, scenario.river]
    for src in sources:
        if src is None:
            continue
        if src.uses_database():
            # a database changes without a file to hash: such scenarios always rerun
            inputs[f"database:{id(src)}"] = f"{time.time_ns()}"
            continue
        if (src.label == "auto" and src.kind in ("raster", "layer") and not src.uses_database()
                and not Path(src.path or "").exists()):
            continue  # an optional input that is absent
        for f in src.files():
            inputs[str(f)] = _file_digest(f)
    doc = {"definition": scenario.definition(), "inputs": dict(sorted(inputs.items())),
           "version": __version__}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------------------------- loading
def load_source(src: Source) -> Any:
    """Read a vector source into a GeoDataFrame in EPSG:4550 (a union is concatenated).

    Duplicate features of a union (same geometry) are kept once.
    """
    import geopandas as gpd
    import pandas as pd

    if src.kind == "union":
        frames = []
        for m in src.members:
            g = load_source(m)
            g = g.copy()
            g["source_set"] = m.describe()
            frames.append(g)
        crs = frames[0].crs
        merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                                  crs=crs)
        keep = ~merged.geometry.to_wkb().duplicated()
        return merged[keep.values].reset_index(drop=True)
    if src.kind == "layer":
        gdf = Inventory.open(src.path).read(src.layer or "")
    elif src.kind == "file":
        gdf = _read_vector_file(Path(src.path or ""), src.layer)
    else:
        raise BadInput(f"{src.describe()}: a raster cannot be used here")
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    if src.status is not None:
        if "status" not in gdf.columns:
            raise BadInput(f"{src.describe()}: no 'status' field to filter on")
        gdf = gdf[gdf["status"].isin(src.status).fillna(False).astype(bool)].reset_index(drop=True)
    return gdf


def _read_vector_file(path: Path, layer: str | None) -> Any:
    from .analysis.inputs import read_vector  # the shared reader (any format, any CRS)

    if not path.exists():
        raise BadInput(f"file not found: {path}")
    return read_vector(path, what=path.name, layer=layer)


def _load_population(src: Source | None) -> Any:
    """The population input for ``compute_coverage``: a raster path or a points frame, or None."""
    if src is None:
        return None
    if src.kind == "raster":
        p = Path(src.path or "")
        if not p.exists():
            if src.label == "auto":
                return None
            raise BadInput(f"population raster not found: {p}")
        return str(p)
    if src.kind == "file" and Path(src.path or "").suffix.lower() in (".tif", ".tiff", ".vrt",
                                                                      ".img", ".asc"):
        if not Path(src.path or "").exists():
            raise BadInput(f"file not found: {src.path}")
        return str(src.path)
    return load_source(src)


# ---------------------------------------------------------------------------------- running
CoverageFn = Callable[..., Any]


def _default_coverage() -> CoverageFn:
    from .analysis.coverage import compute_coverage

    return compute_coverage


class InputCache:
    """Inputs read once per batch run: layers and files by source, road networks by roads+river.

    Valid while the inputs do not change (one batch run).
    """

    def __init__(self) -> None:
        self._frames: dict[Source, Any] = {}
        self._networks: dict[tuple[Source, Source | None, str | None], Any] = {}

    def frame(self, src: Source) -> Any:
        """The source's GeoDataFrame (a copy: callers may change it)."""
        if src not in self._frames:
            self._frames[src] = load_source(src)
        return self._frames[src].copy()

    def river(self, src: Source | None) -> Any:
        """The river frame, or None (an ``auto`` river missing from the inventory is None)."""
        if src is None:
            return None
        if src.label == "auto" and src.kind == "layer":
            try:
                if not Inventory.open(src.path).has(src.layer or "river"):
                    return None
            except BadInput:  # no inventory at all: every input is a file
                return None
        return self.frame(src)

    def network(self, roads: Source, river: Source | None, crs: Any = None) -> Any:
        """The road network built once for these roads and river, in ``crs`` (true metres)."""
        key = (roads, river, None if crs is None else crs.to_wkt())
        if key not in self._networks:
            from .analysis.network import build_network
            from .schema import PROJECT_CRS

            self._networks[key] = build_network(self.frame(roads), river=self.river(river),
                                                crs=PROJECT_CRS if crs is None else crs)
        return self._networks[key]


def run_scenario(scenario: Scenario, out_dir: str | os.PathLike[str], *, force: bool = False,
                 coverage: CoverageFn | None = None, cache: InputCache | None = None,
                 check_only: bool = False,
                 on_step: Callable[[str], None] | None = None) -> ScenarioResult:
    """Run one scenario (or reuse its up-to-date output); never raises for a scenario's failure.

    Parameters
    ----------
    scenario
        The resolved scenario.
    out_dir
        Batch output folder; the GeoPackage goes to ``out_dir/scenarios/<name>.gpkg`` and its
        record (fingerprint, summary, row) to ``<name>.json`` beside it.
    force
        Run even when the output is up to date.
    coverage
        The coverage function (default :func:`zlt_assets.analysis.coverage.compute_coverage`).
    cache
        Inputs already read in this batch run (a new cache when None).
    check_only
        Do not run: report the recorded result when it is up to date, else ``status`` and
        ``action`` ``not_run`` (used for the scenarios left out by ``only``).
    on_step
        Called with the coverage engine's short progress messages.

    Returns
    -------
    ScenarioResult
        ``status`` ``ok`` (``action`` ``ran`` or ``reused``) or ``failed`` with a one-line reason
        (or ``not_run``).
    """
    out = Path(out_dir) / OUTPUT_SUBDIR
    gpkg = out / f"{scenario.slug}.gpkg"
    record_path = out / f"{scenario.slug}.json"
    rel = f"{OUTPUT_SUBDIR}/{gpkg.name}"
    t0 = time.perf_counter()
    fp = ""
    try:
        fp = fingerprint(scenario)
        if not force:
            record = _read_record(record_path)
            if (record and record.get("fingerprint") == fp and record.get("status") == "ok"
                    and gpkg.exists()):
                res = ScenarioResult(scenario, "ok", "reused", output=rel, fingerprint=fp,
                                     seconds=float(record.get("seconds") or 0.0),
                                     summary=record.get("summary"))
                res.row = summary_row(res)
                return res
        if check_only:
            res = ScenarioResult(scenario, "not_run", "not_run", fingerprint=fp,
                                 reason="not selected (--only) and no up-to-date result")
            res.row = summary_row(res)
            return res
        record_path.unlink(missing_ok=True)  # a crash below must not leave a stale "ok" record
        result, facilities = _compute(scenario, coverage or _default_coverage(),
                                      cache if cache is not None else InputCache(), on_step)
        _write_outputs(result, facilities, gpkg)
        seconds = time.perf_counter() - t0
        summary = _plain(result.summary)
        res = ScenarioResult(scenario, "ok", "ran", output=rel, fingerprint=fp, seconds=seconds,
                             summary=summary)
        res.row = summary_row(res)
        _write_json_atomic(record_path, {
            "fingerprint": fp, "status": "ok", "seconds": seconds, "scenario": scenario.name,
            "definition": scenario.definition(), "summary": summary,
        })
        return res
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a failing scenario is reported; the batch goes on
        if os.environ.get("ZLT_DEBUG"):
            raise
        reason = _one_line(exc) if isinstance(exc, ZltError) else \
            f"{type(exc).__name__}: {_one_line(exc)}"
        res = ScenarioResult(scenario, "failed", "failed", reason=reason, fingerprint=fp,
                             seconds=time.perf_counter() - t0)
        res.row = summary_row(res)
        return res


def _compute(scenario: Scenario, coverage: CoverageFn, cache: InputCache,
             on_step: Callable[[str], None] | None = None) -> tuple[Any, Any]:
    facilities = cache.frame(scenario.facilities)
    if len(facilities) == 0:
        raise BadInput(f"facility set {scenario.facility_set!r} is empty")
    area = cache.frame(scenario.area)
    network = None
    if scenario.method == "network":
        if scenario.roads is None:
            raise BadInput("method 'network' needs 'roads'")
        districts = cache.frame(scenario.districts) if scenario.districts else None
        # the network is built in the CRS that keeps metres true over this area (issue #13)
        from .analysis.coverage import network_max_snap, work_crs_for
        from .schema import PROJECT_CRS

        work = work_crs_for([area if area is not None else districts], [area, districts,
                            facilities], margin=float(scenario.radius) + network_max_snap(),
                            declared=PROJECT_CRS)
        network = cache.network(scenario.roads, scenario.river, work.crs)
    districts = cache.frame(scenario.districts) if scenario.districts else None
    population = _load_population(scenario.population)
    # the facility set is exactly what the scenario says (its status filter included), so
    # planned and under-construction facilities in it count; closed ones never do
    result = coverage(facilities, area, radius=scenario.radius, method=scenario.method,
                      network=network, population=population, districts=districts,
                      cell=scenario.cell, include_planned=True,
                      **({"progress": on_step} if on_step is not None else {}))
    return result, facilities


#: Layer of each scenario GeoPackage holding the facilities the scenario used.
FACILITIES_LAYER = "scenario_facilities"


def _write_outputs(result: Any, facilities: Any, gpkg: Path) -> None:
    import pyogrio

    with atomic_path(gpkg, suffix=".gpkg") as tmp:
        result.to_geopackage(tmp)
        if not tmp.exists():
            raise RuntimeError("the coverage result wrote no GeoPackage")
        fac = facilities.copy()
        for col in fac.columns:
            if col != fac.geometry.name and str(fac[col].dtype) in ("Int64", "boolean", "string"):
                fac[col] = fac[col].astype(object).where(fac[col].notna(), None)
        pyogrio.write_dataframe(fac, tmp, layer=FACILITIES_LAYER, driver="GPKG")


def run_batch(plan: BatchPlan, out_dir: str | os.PathLike[str], *, force: bool = False,
              only: Iterable[str] | None = None, coverage: CoverageFn | None = None,
              on_start: Callable[[Scenario], None] | None = None,
              on_done: Callable[[ScenarioResult], None] | None = None,
              on_step: Callable[[Scenario, str], None] | None = None) -> BatchResult:
    """Run every scenario of a plan, then write the summary tables.

    Parameters
    ----------
    plan
        From :func:`load_scenarios`.
    out_dir
        Output folder (created).
    force
        Rerun scenarios whose outputs are up to date.
    only
        Run only these scenario names; the others keep their up-to-date recorded rows in the
        summary (``reused``) or are listed as ``not_run``.
    coverage
        The coverage function (default ``compute_coverage``; tests may pass another).
    on_start, on_done, on_step
        Progress callbacks (faces draw a progress bar with them); ``on_step`` gets the coverage
        engine's messages within a scenario.

    Returns
    -------
    BatchResult
    """
    wanted = set(only) if only is not None else None
    if wanted is not None:
        unknown = sorted(wanted - set(plan.names()))
        if unknown:
            raise BadInput(f"unknown scenario(s): {', '.join(unknown)} "
                           f"(the file lists: {', '.join(plan.names())})")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BadInput(f"--out must be a folder: {out}")
    out.mkdir(parents=True, exist_ok=True)
    results: list[ScenarioResult] = []
    cache = InputCache()
    for scn in plan.scenarios:
        if wanted is not None and scn.name not in wanted:
            # left out: its row still shows the recorded result when that is up to date
            res = run_scenario(scn, out, cache=cache, check_only=True)
            if res.status == "failed":  # e.g. a missing input: not run, say why
                res.status = res.action = "not_run"
                res.row = summary_row(res)
            results.append(res)
            continue
        if on_start:
            on_start(scn)
        step = (lambda msg, _s=scn: on_step(_s, msg)) if on_step is not None else None
        res = run_scenario(scn, out, force=force, coverage=coverage, cache=cache, on_step=step)
        results.append(res)
        if on_done:
            on_done(res)
    paths = write_summary(results, out)
    return BatchResult(results=results, out_dir=str(out), csv=paths[0], xlsx=paths[1],
                       district_csv=paths[2])


# ---------------------------------------------------------------------------------- summary
#: Labels of the batch's own columns (the scenario run); the coverage figures are labelled by
#: their declaration in :mod:`zlt_assets.indicators`.
_RUN_LABELS: dict[str, tuple[str, str]] = {
    "scenario": ("情景", "Scenario"),
    "description": ("说明", "Description"),
    "facility_set": ("设施集", "Facility set"),
    "status": ("状态", "Status (ok / failed / not_run)"),
    "action": ("执行", "Action (ran / reused / failed / not_run)"),
    "reason": ("失败原因", "Failure reason"),
    "seconds": ("耗时(秒)", "Seconds"),
    "output": ("输出文件", "Output GeoPackage"),
    "fingerprint": ("指纹", "Fingerprint (definition + inputs)"),
    "name": ("街道", "Street office"),
}


def _column(key: str) -> tuple[str, str, str]:
    """(key, zh, en) of a summary column: the run's own, else the declared indicator."""
    if key in _RUN_LABELS:
        return (key, *_RUN_LABELS[key])
    ind = indicators.get(key)
    zh_unit = {"m": "米", "m²": "平方米"}.get(ind.unit)  # shares and head counts: no unit
    if zh_unit is None:
        return key, ind.zh, ind.en
    return key, f"{ind.zh}({zh_unit})", f"{ind.en} ({ind.unit})"


#: Fixed columns of the summary table: key, Chinese label, English label.
SUMMARY_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(_column(k) for k in (
    "scenario", "description", "facility_set", "status", "action", "reason", "method",
    "radius_m", "cell_m", "facilities", "unreachable_facilities", "area_total_m2",
    "area_covered_m2", "area_share", "population_total", "population_covered",
    "population_share", "standard_min_share", "meets_standard", "standard_source",
    "unreachable_ids", "seconds", "output", "fingerprint"))
_DISTRICT_MEASURES = ("area_share", "population_share")
_DISTRICT_COLUMNS: tuple[tuple[str, str, str], ...] = tuple(_column(k) for k in (
    "scenario", "code", "name", "method", "radius_m", "area_total_m2", "area_covered_m2",
    "area_share", "population_total", "population_covered", "population_share"))


def _may_be_bus_stops(src: Source) -> bool:
    """False when the facilities are inventory layers other than bus stops (GB 50220: stops)."""
    if src.kind == "union":
        return any(_may_be_bus_stops(m) for m in src.members)
    return src.kind != "layer" or src.layer == "bus_stops"


def summary_row(result: ScenarioResult) -> dict[str, Any]:
    """The flat summary row of one scenario (the coverage summary keys, flattened).

    ``by_district`` becomes one ``area_share[<name>]`` and one ``population_share[<name>]``
    column per district; the full per-district measures go to the district table.
    """
    scn = result.scenario
    row: dict[str, Any] = {k: None for k, _, _ in SUMMARY_COLUMNS}
    row.update(scenario=scn.name, description=scn.description, facility_set=scn.facility_set,
               status=result.status, action=result.action, reason=result.reason or None,
               method=scn.method, radius_m=scn.radius, cell_m=scn.cell,
               seconds=round(result.seconds, 3), output=result.output,
               fingerprint=result.fingerprint[:16] or None)
    s = result.summary
    if not s:
        return row
    for key in ("method", "radius_m", "area_total_m2", "area_covered_m2", "area_share",
                "population_total", "population_covered", "population_share"):
        if key in s:
            row[key] = s[key]
    fac = s.get("facilities")
    row["facilities"] = len(fac) if isinstance(fac, (list, tuple)) else fac
    unreachable = s.get("unreachable_facilities") or []
    if isinstance(unreachable, (list, tuple)):
        row["unreachable_facilities"] = len(unreachable)
        row["unreachable_ids"] = "; ".join(map(str, unreachable)) or None
    else:
        row["unreachable_facilities"] = unreachable
    std = indicators.coverage_standard(float(s.get("radius_m", scn.radius))) \
        if _may_be_bus_stops(scn.facilities) else None
    share = s.get("area_share")
    if std is not None and share is not None:
        row["standard_min_share"] = std.value
        row["meets_standard"] = indicators.meets(float(share), std)
        row["standard_source"] = std.cite()
    for d in s.get("by_district") or []:
        label = d.get("name") or d.get("code")
        for m in _DISTRICT_MEASURES:
            if m in d:
                row[f"{m}[{label}]"] = d[m]
    return row


def _district_rows(results: Sequence[ScenarioResult]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        if not r.summary:
            continue
        for d in r.summary.get("by_district") or []:
            row = {k: d.get(k) for k, _, _ in _DISTRICT_COLUMNS}
            row.update(scenario=r.scenario.name, method=r.scenario.method,
                       radius_m=r.scenario.radius)
            rows.append(row)
    return rows


def write_summary(results: Sequence[ScenarioResult], out_dir: str | os.PathLike[str]
                  ) -> tuple[str, str, str]:
    """Write ``summary.csv`` (UTF-8 with BOM), ``summary_by_district.csv`` and ``summary.xlsx``.

    The XLSX has three sheets: 汇总 summary, 分街道 by district, and 字段说明 columns (each
    column's Chinese and English label). Files are written atomically.

    Returns
    -------
    tuple of str
        Paths of the CSV, the XLSX and the district CSV.
    """
    import pandas as pd

    out = Path(out_dir)
    rows = [r.row or summary_row(r) for r in results]
    fixed = [k for k, _, _ in SUMMARY_COLUMNS]
    extra: list[str] = []
    for row in rows:
        for k in row:
            if k not in fixed and k not in extra:
                extra.append(k)
    table = pd.DataFrame(rows, columns=fixed + extra)
    dtable = pd.DataFrame(_district_rows(results), columns=[k for k, _, _ in _DISTRICT_COLUMNS])
    labels = {k: (zh, en) for k, zh, en in SUMMARY_COLUMNS + _DISTRICT_COLUMNS}
    legend_rows = []
    for k in fixed + extra:
        if k in labels:
            zh, en = labels[k]
        else:
            measure, _, district = k.partition("[")
            zh0, en0 = labels.get(measure, (measure, measure))
            zh, en = f"{zh0}({district.rstrip(']')})", f"{en0} ({district.rstrip(']')})"
        legend_rows.append({"column": k, "中文": zh, "English": en})
    legend = pd.DataFrame(legend_rows)

    csv_path = out / SUMMARY_CSV
    dcsv_path = out / SUMMARY_DISTRICT_CSV
    xlsx_path = out / SUMMARY_XLSX
    # values from the scenario files (names, descriptions, reasons) reach Excel: text that
    # starts like a formula is neutralised (reports.cells, OWASP CSV injection)
    from .reports.cells import csv_frame, xlsx_frames

    # CRLF rows (RFC 4180): a value holding a lone carriage return is then quoted, not a new row
    for path, frame in ((csv_path, table), (dcsv_path, dtable)):
        def write(p: Path, df: Any = frame) -> None:
            csv_frame(df).to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\r\n")

        _atomic(path, write)

    def _xlsx(p: Path) -> None:
        p.write_bytes(xlsx_frames([("汇总 summary", table), ("分街道 by district", dtable),
                                   ("字段说明 columns", legend)]))

    _atomic(xlsx_path, _xlsx)
    return str(csv_path), str(xlsx_path), str(dcsv_path)


# ---------------------------------------------------------------------------------- helpers
def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    with atomic_path(path) as tmp:
        write(tmp)


def _write_json_atomic(path: Path, obj: Any) -> None:
    write_json(path, obj)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _plain(obj: Any) -> Any:
    """JSON-safe plain data (numpy scalars to Python numbers, NaN kept as None)."""
    import numpy as np

    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
