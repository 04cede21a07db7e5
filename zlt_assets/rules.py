"""Rules a layer declares once: one small expression language, one evaluator, three renderers.

A :class:`Rule` says what must hold for one record of a layer (a conditional requirement, a field
bounded by another, a date order, a date not in the future, a tolerance against the geometry),
with its Chinese and English message. :mod:`zlt_assets.schema` declares them on each layer
(``LayerDef.rules``); every face derives its checks from that one declaration:

* validation and import call :func:`evaluate` (the one evaluator);
* the PostGIS DDL renders :func:`to_sql` (a ``CHECK`` constraint, or a trigger check for rules
  that use :class:`Today`, since ``CURRENT_DATE`` is not allowed in a ``CHECK``);
* the QGIS edit forms render :func:`to_qgis` (field constraint expressions, hard or soft).

Semantics (identical in the three)
----------------------------------
Values are three-valued, as in SQL: a comparison, arithmetic or ``In`` with a NULL operand is
unknown (NULL); ``And``/``Or``/``Not`` follow Kleene's logic; ``Max`` ignores NULLs (PostgreSQL's
``GREATEST``, QGIS's ``max``). A rule **passes unless it is false**: a rule whose fields are NULL
passes unless a :class:`NotNull` makes it false (SQL ``CHECK`` semantics). :func:`to_qgis` wraps a
boolean expression in ``coalesce(..., TRUE)`` because a QGIS form refuses a constraint that
evaluates to NULL.

A blank text (``""`` or spaces only) counts as missing, as everywhere in zlt-assets: the
evaluator treats it as NULL and both renderers of :class:`NotNull` test for it. Dates compare as
dates: an ISO ``YYYY-MM-DD`` string compared with a date is read as a date (GeoPackage stores
dates as ISO text, PostGIS as ``DATE``).

This module imports only the standard library.

Examples
--------
>>> import datetime as dt
>>> rule = Rule("lit_le_installed", Le(Field("lamps_lit"), Field("lamps_installed")),
...             "亮灯数不得多于已装路灯数", "lamps lit must not exceed lamps installed",
...             ("lamps_lit", "lamps_installed"))
>>> evaluate(rule, {"lamps_lit": 999, "lamps_installed": 15})
False
>>> evaluate(rule, {"lamps_lit": None, "lamps_installed": 15})  # NULL passes
True
>>> to_sql(rule.expr)
'("lamps_lit" <= "lamps_installed")'
>>> to_qgis(rule.expr)
'coalesce(("lamps_lit" <= "lamps_installed"), TRUE)'
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = [
    "CHECKS",
    "STRENGTHS",
    "Abs",
    "Add",
    "And",
    "Const",
    "Eq",
    "Expr",
    "Field",
    "Ge",
    "GeomLength",
    "Gt",
    "Implies",
    "In",
    "Le",
    "Lt",
    "Max",
    "Mul",
    "Not",
    "NotNull",
    "Or",
    "Rule",
    "Sub",
    "Today",
    "evaluate",
    "field_names",
    "parse_date",
    "to_qgis",
    "to_sql",
    "uses_geometry",
    "uses_today",
    "value_of",
]

#: Strengths of a rule: ``hard`` refuses the record (validation error, QGIS hard constraint,
#: PostGIS check); ``soft`` warns (validation warning, QGIS soft constraint; not in PostGIS).
STRENGTHS = ("hard", "soft")
#: The ``check`` codes validation reports a rule under.
CHECKS = ("range", "conditional", "date_order", "future", "geometry", "plan_count")

#: A value of the language: NULL, a boolean, a number, a text or a date.
Value: TypeAlias = "bool | int | float | str | _dt.date | None"


# ============================================================================ expressions
class Expr:
    """Base class of every node of the expression language."""

    def children(self) -> tuple[Expr, ...]:
        """The sub-expressions of this node."""
        return ()

    def walk(self) -> Iterator[Expr]:
        """Every node of the tree, this one first (depth first)."""
        yield self
        for c in self.children():
            yield from c.walk()


@dataclass(frozen=True)
class Field(Expr):
    """The value of a field of the record."""

    name: str


@dataclass(frozen=True)
class Const(Expr):
    """A constant: ``None`` (NULL), a boolean, a number, a text or a :class:`datetime.date`."""

    value: Value


@dataclass(frozen=True)
class Today(Expr):
    """The check date: ``today=`` of :func:`evaluate`, ``CURRENT_DATE`` in SQL, now in QGIS."""


@dataclass(frozen=True)
class GeomLength(Expr):
    """Planar length of the record's geometry in the layer CRS (metres in EPSG:4550)."""


@dataclass(frozen=True)
class _Unary(Expr):
    arg: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


@dataclass(frozen=True)
class _Binary(Expr):
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


class _Variadic(Expr):
    """A node over one or more arguments (``And(a, b, c)``)."""

    args: tuple[Expr, ...]

    def __init__(self, *args: Expr) -> None:
        if not args:
            raise ValueError(f"{type(self).__name__} needs at least one argument")
        object.__setattr__(self, "args", tuple(args))

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Variadic) or type(other) is not type(self):
            return False
        return self.args == other.args

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.args))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.args))})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")


class NotNull(_Unary):
    """True when the value is filled in (not NULL, not blank text); never unknown."""


class Not(_Unary):
    """Logical negation (unknown stays unknown)."""


class Abs(_Unary):
    """Absolute value."""


@dataclass(frozen=True)
class In(Expr):
    """True when the value is one of ``values`` (unknown when the value is NULL)."""

    arg: Expr
    values: tuple[Value, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ValueError("In needs at least one value")

    def children(self) -> tuple[Expr, ...]:
        """The value tested."""
        return (self.arg,)


class Le(_Binary):
    """``left <= right``."""


class Lt(_Binary):
    """``left < right``."""


class Ge(_Binary):
    """``left >= right``."""


class Gt(_Binary):
    """``left > right``."""


class Eq(_Binary):
    """``left = right``."""


class Sub(_Binary):
    """``left - right``."""


class Mul(_Binary):
    """``left * right``."""


class Add(_Binary):
    """``left + right``."""


class Implies(_Binary):
    """``left`` implies ``right``: ``NOT left OR right``."""


class And(_Variadic):
    """All arguments true (false if any is false, else unknown if any is unknown)."""


class Or(_Variadic):
    """Any argument true (true if any is true, else unknown if any is unknown)."""


class Max(_Variadic):
    """The largest non-NULL argument (NULL when all are NULL)."""


_COMPARE = {Le: "<=", Lt: "<", Ge: ">=", Gt: ">", Eq: "="}
_ARITH = {Sub: "-", Mul: "*", Add: "+"}
_BOOLEAN = (NotNull, Not, In, Le, Lt, Ge, Gt, Eq, Implies, And, Or)


def field_names(expr: Expr) -> tuple[str, ...]:
    """The fields an expression reads, in order of first use.

    Examples
    --------
    >>> field_names(Implies(In(Field("works"), ("new",)), NotNull(Field("status"))))
    ('works', 'status')
    """
    seen: dict[str, None] = {}
    for node in expr.walk():
        if isinstance(node, Field):
            seen.setdefault(node.name, None)
    return tuple(seen)


def uses_today(expr: Expr) -> bool:
    """Whether the expression reads the check date (PostGIS: a trigger, not a ``CHECK``).

    Examples
    --------
    >>> uses_today(Le(Field("updated"), Today()))
    True
    """
    return any(isinstance(n, Today) for n in expr.walk())


def uses_geometry(expr: Expr) -> bool:
    """Whether the expression reads the geometry (:class:`GeomLength`).

    Examples
    --------
    >>> uses_geometry(Le(Field("length_m"), GeomLength()))
    True
    """
    return any(isinstance(n, GeomLength) for n in expr.walk())


# ============================================================================ rules
@dataclass(frozen=True)
class Rule:
    """One rule of a layer, with its messages.

    Parameters
    ----------
    key
        Identifier, unique within the layer (``lamps_lit_le_installed``).
    expr
        A boolean expression that holds for a valid record.
    zh, en
        The message, Chinese and English, shown when the rule fails.
    fields
        The fields the rule is about, the one to blame first (validation reports the rule on
        ``fields[0]``; the QGIS form attaches it there when it can). Every field the expression
        reads must be listed; empty means "the fields of the expression, in order".
    strength
        ``"hard"`` (refuse) or ``"soft"`` (warn), see :data:`STRENGTHS`.
    where
        ``"row"``: the rule concerns one record (the only kind so far).
    check
        The validation check code (:data:`CHECKS`).

    Examples
    --------
    >>> r = Rule("updated_not_future", Le(Field("updated"), Today()), "更新日期不得晚于检查日",
    ...          "the update date must not be after the check date", check="future")
    >>> r.fields, r.uses_today
    (('updated',), True)
    >>> r.message
    '更新日期不得晚于检查日 / the update date must not be after the check date'
    """

    key: str
    expr: Expr
    zh: str
    en: str
    fields: tuple[str, ...] = ()
    strength: str = "hard"
    where: str = "row"
    check: str = "conditional"
    _fields_of_expr: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.strength not in STRENGTHS:
            raise ValueError(f"rule {self.key}: strength must be one of {STRENGTHS}")
        if self.where != "row":
            raise ValueError(f"rule {self.key}: only row rules exist (where='row')")
        if self.check not in CHECKS:
            raise ValueError(f"rule {self.key}: check must be one of {CHECKS}")
        if not isinstance(self.expr, _BOOLEAN):
            raise ValueError(f"rule {self.key}: the expression must be boolean")
        used = field_names(self.expr)
        object.__setattr__(self, "_fields_of_expr", used)
        fields = tuple(self.fields) or used
        missing = [f for f in used if f not in fields]
        if missing:
            raise ValueError(f"rule {self.key}: fields {missing} are read but not listed")
        object.__setattr__(self, "fields", fields)

    @property
    def message(self) -> str:
        """``zh / en``: Chinese first, English beside."""
        return f"{self.zh} / {self.en}"

    @property
    def hard(self) -> bool:
        """True for a rule that refuses (``strength == "hard"``)."""
        return self.strength == "hard"

    @property
    def uses_today(self) -> bool:
        """Whether the rule reads the check date (see :func:`uses_today`)."""
        return uses_today(self.expr)

    @property
    def uses_geometry(self) -> bool:
        """Whether the rule reads the geometry (see :func:`uses_geometry`)."""
        return uses_geometry(self.expr)


# ============================================================================ evaluation
def _norm(v: object) -> Value:
    """A record value as a value of the language (NaN, blank text -> NULL)."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, str):
        return v if v.strip() else None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, (bool, int, float, _dt.date)):
        return v
    # numpy scalars and the like: through their Python value
    item = getattr(v, "item", None)
    if callable(item):
        return _norm(item())
    try:  # pandas NA and other NULL-likes are not equal to themselves or raise
        if v != v:
            return None
    except (TypeError, ValueError):
        return None
    return str(v)


def _as_date(v: Value) -> _dt.date | None:
    if isinstance(v, _dt.date):
        return v
    if isinstance(v, str):
        try:
            return _dt.date.fromisoformat(v.strip()[:10])
        except ValueError:
            return None
    return None


def _pair(a: Value, b: Value) -> tuple[object, object] | None:
    """Operands made comparable (dates with ISO text), or None when they cannot be compared."""
    if isinstance(a, _dt.date) or isinstance(b, _dt.date):
        da, db = _as_date(a), _as_date(b)
        return None if da is None or db is None else (da, db)
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    if isinstance(a, bool) and isinstance(b, bool):
        return a, b
    return None


def _compare(op: str, a: Value, b: Value) -> bool | None:
    if a is None or b is None:
        return None
    pair = _pair(a, b)
    if pair is None:
        return None  # values of other types: the type check reports them, not the rule
    x: Any = pair[0]
    y: Any = pair[1]
    if op == "=":
        return bool(x == y)
    try:
        if op == "<=":
            return bool(x <= y)
        if op == "<":
            return bool(x < y)
        if op == ">=":
            return bool(x >= y)
        return bool(x > y)
    except TypeError:
        return None


def _number(v: Value) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _logic(v: Value) -> bool | None:
    return None if v is None else bool(v)


def value_of(expr: Expr, record: Mapping[str, object], *, today: _dt.date | None = None,
             geom_length: float | None = None) -> Value:
    """The value of an expression for one record (three-valued: ``None`` is unknown/NULL).

    Parameters
    ----------
    expr
        An expression of this module.
    record
        Field name -> value (missing keys, ``None``, NaN and blank text are NULL).
    today
        The check date :class:`Today` stands for (default: :meth:`datetime.date.today`).
    geom_length
        The planar length of the record's geometry (``None``: unknown).

    Returns
    -------
    None, bool, int, float, str or datetime.date

    Examples
    --------
    >>> value_of(Max(Const(5.0), Mul(Const(0.05), GeomLength())), {}, geom_length=300.0)
    15.0
    >>> value_of(And(Const(True), Le(Field("x"), Const(1))), {}) is None
    True
    """
    if isinstance(expr, Field):
        return _norm(record.get(expr.name))
    if isinstance(expr, Const):
        return _norm(expr.value)
    if isinstance(expr, Today):
        return today if today is not None else _dt.date.today()
    if isinstance(expr, GeomLength):
        return None if geom_length is None or math.isnan(geom_length) else float(geom_length)

    def sub(e: Expr) -> Value:
        return value_of(e, record, today=today, geom_length=geom_length)

    if isinstance(expr, NotNull):
        return sub(expr.arg) is not None
    if isinstance(expr, Not):
        truth = _logic(sub(expr.arg))
        return None if truth is None else not truth
    if isinstance(expr, Abs):
        n = _number(sub(expr.arg))
        return None if n is None else abs(n)
    if isinstance(expr, In):
        v = sub(expr.arg)
        if v is None:
            return None
        return any(_compare("=", v, _norm(c)) for c in expr.values)
    if isinstance(expr, _Binary):
        a, b = sub(expr.left), sub(expr.right)
        op = _COMPARE.get(type(expr))
        if op is not None:
            return _compare(op, a, b)
        arith = _ARITH.get(type(expr))
        if arith is not None:
            x, y = _number(a), _number(b)
            if x is None or y is None:
                return None
            return x - y if arith == "-" else x * y if arith == "*" else x + y
        if isinstance(expr, Implies):
            return value_of(Or(Not(expr.left), expr.right), record, today=today,
                            geom_length=geom_length)
    if isinstance(expr, And):
        vals = [_logic(sub(a)) for a in expr.args]
        if any(v is False for v in vals):
            return False
        return None if any(v is None for v in vals) else True
    if isinstance(expr, Or):
        vals = [_logic(sub(a)) for a in expr.args]
        if any(v is True for v in vals):
            return True
        return None if any(v is None for v in vals) else False
    if isinstance(expr, Max):
        nums = [n for n in (_number(sub(a)) for a in expr.args) if n is not None]
        return max(nums) if nums else None
    raise TypeError(f"not an expression: {expr!r}")


def evaluate(rule: Rule, record: Mapping[str, object], *, today: _dt.date | None = None,
             geom_length: float | None = None) -> bool:
    """Whether one record passes a rule: true unless the rule's expression is false.

    This is the one evaluator: validation and import call it; :func:`to_sql` and
    :func:`to_qgis` render the same semantics for PostGIS and the QGIS forms.

    Parameters
    ----------
    rule
        The rule.
    record
        Field name -> value of one record.
    today
        The check date (default: today).
    geom_length
        Planar length of the record's geometry in the layer CRS, for rules that read it.

    Returns
    -------
    bool
        False exactly when the expression is false (NULL/unknown passes).

    Examples
    --------
    >>> import datetime as dt
    >>> r = Rule("updated_not_future", Le(Field("updated"), Today()), "更新日期不得晚于检查日",
    ...          "the update date must not be after the check date", check="future")
    >>> evaluate(r, {"updated": "2031-05-05"}, today=dt.date(2026, 1, 1))
    False
    >>> evaluate(r, {"updated": "2020-11-30"}, today=dt.date(2026, 1, 1))
    True
    """
    return value_of(rule.expr, record, today=today, geom_length=geom_length) is not False


def parse_date(text: str | _dt.date | None, *, option: str) -> _dt.date | None:
    """A date a user gave for an option (``YYYY-MM-DD``); None stays None.

    The one parser of the date options (the check date of validation, the scorecard's as-of).

    Raises
    ------
    zlt_assets.errors.BadInput
        When the text is not a date; the message names ``option`` through ``{option}``.

    Examples
    --------
    >>> parse_date("2020-11-30", option="check_date")
    datetime.date(2020, 11, 30)
    >>> parse_date("2020/11/30", option="as_of")
    Traceback (most recent call last):
    ...
    zlt_assets.errors.BadInput: --as-of must be a date YYYY-MM-DD, got '2020/11/30'
    """
    from .errors import BadInput

    if text is None or isinstance(text, _dt.date):
        return text
    try:
        return _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadInput(f"{{option}} must be a date YYYY-MM-DD, got {text!r}",
                       zh=f"{{option}} 必须是日期(YYYY-MM-DD),收到 {text!r}",
                       option=option) from None


# ============================================================================ renderers
def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


@dataclass(frozen=True)
class _Dialect:
    """How one target language spells the nodes that differ between SQL and QGIS."""

    date: str  # format of a date constant: {iso}, {y}, {m}, {d}
    today: str
    geom_length: str  # format with {geometry}
    not_null: str  # format with {arg}
    abs: str
    greatest: str


_SQL = _Dialect(date="DATE '{iso}'", today="CURRENT_DATE", geom_length="ST_Length({geometry})",
                not_null="(NULLIF(BTRIM(CAST({arg} AS TEXT)), '') IS NOT NULL)", abs="ABS",
                greatest="GREATEST")
_QGIS = _Dialect(date="make_date({y}, {m}, {d})", today="to_date(now())",
                 geom_length="length($geometry)",
                 not_null="(trim(coalesce(to_string({arg}), '')) <> '')", abs="abs",
                 greatest="max")


def _const(v: Value, dialect: _Dialect) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"cannot render the number {v!r}")
        return repr(v)
    if isinstance(v, _dt.date):
        return dialect.date.format(iso=v.isoformat(), y=v.year, m=v.month, d=v.day)
    return _text(str(v))


def _render(expr: Expr, dialect: _Dialect, geometry: str) -> str:
    def r(e: Expr) -> str:
        return _render(e, dialect, geometry)

    if isinstance(expr, Field):
        return _ident(expr.name)
    if isinstance(expr, Const):
        return _const(expr.value, dialect)
    if isinstance(expr, Today):
        return dialect.today
    if isinstance(expr, GeomLength):
        return dialect.geom_length.format(geometry=_ident(geometry))
    if isinstance(expr, NotNull):
        return dialect.not_null.format(arg=r(expr.arg))
    if isinstance(expr, Not):
        return f"(NOT {r(expr.arg)})"
    if isinstance(expr, Abs):
        return f"{dialect.abs}({r(expr.arg)})"
    if isinstance(expr, In):
        return f"({r(expr.arg)} IN ({', '.join(_const(v, dialect) for v in expr.values)}))"
    if isinstance(expr, Implies):
        return f"(NOT ({r(expr.left)}) OR {r(expr.right)})"
    if isinstance(expr, _Binary):
        op = _COMPARE.get(type(expr)) or _ARITH[type(expr)]
        return f"({r(expr.left)} {op} {r(expr.right)})"
    if isinstance(expr, (And, Or)):
        word = " AND " if isinstance(expr, And) else " OR "
        return "(" + word.join(r(a) for a in expr.args) + ")"
    if isinstance(expr, Max):
        return f"{dialect.greatest}(" + ", ".join(r(a) for a in expr.args) + ")"
    raise TypeError(f"not an expression: {expr!r}")


def to_sql(expr: Expr, *, geometry: str = "geom") -> str:
    """The expression as PostgreSQL/PostGIS SQL, for a ``CHECK`` constraint or a trigger.

    :class:`Today` renders as ``CURRENT_DATE``: PostgreSQL refuses it in a ``CHECK``, so rules
    that use it (:func:`uses_today`) belong in a trigger (``IF NOT (expr) THEN RAISE``: NULL
    passes there too). A ``CHECK`` passes on NULL by itself.

    Parameters
    ----------
    expr
        The expression.
    geometry
        Name of the geometry column (for :class:`GeomLength`: ``ST_Length(geometry)``).

    Returns
    -------
    str

    Examples
    --------
    >>> print(to_sql(Implies(In(Field("works"), ("new",)), NotNull(Field("status")))))
    (NOT (("works" IN ('new'))) OR (NULLIF(BTRIM(CAST("status" AS TEXT)), '') IS NOT NULL))
    >>> to_sql(Le(Field("updated"), Today()))
    '("updated" <= CURRENT_DATE)'
    """
    return _render(expr, _SQL, geometry)


def to_qgis(expr: Expr) -> str:
    """The expression as a QGIS expression (field constraints of the edit forms).

    :class:`Today` renders as ``to_date(now())``, :class:`GeomLength` as ``length($geometry)``
    (planar, in the layer CRS). A boolean expression is wrapped in ``coalesce(..., TRUE)``: a
    QGIS constraint that evaluates to NULL refuses the feature, a rule passes on NULL.

    Parameters
    ----------
    expr
        The expression.

    Returns
    -------
    str

    Examples
    --------
    >>> to_qgis(Le(Field("updated"), Today()))
    'coalesce(("updated" <= to_date(now())), TRUE)'
    >>> to_qgis(Abs(Sub(Field("length_m"), GeomLength())))
    'abs(("length_m" - length($geometry)))'
    """
    text = _render(expr, _QGIS, "")
    return f"coalesce({text}, TRUE)" if isinstance(expr, _BOOLEAN) else text
