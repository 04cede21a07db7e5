"""The rule language: one evaluator with SQL CHECK semantics, and its SQL and QGIS renderings.

The renderings are checked against the real engines elsewhere: PostGIS in tests/test_postgis.py,
QGIS's form constraints in tests/test_rules_qgis.py (both with the rows of tests/_bad_rows.py).
"""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from _bad_rows import BAD_ROWS
from hypothesis import given
from hypothesis import strategies as st

from zlt_assets import rules as R  # noqa: N812 (short name for the language)
from zlt_assets import schema, standards

TODAY = dt.date(2026, 1, 1)


def _v(expr, rec=None, **kw):
    return R.value_of(expr, rec or {}, today=kw.pop("today", TODAY), **kw)


# ------------------------------------------------------------------ three-valued logic
T, F, N = R.Const(True), R.Const(False), R.Const(None)


@pytest.mark.parametrize("a,b", list(itertools.product([T, F, N], repeat=2)))
def test_kleene_and_or_implies(a, b):
    val = {T: True, F: False, N: None}
    x, y = val[a], val[b]
    # Kleene: false dominates AND, true dominates OR, unknown otherwise
    exp_and = False if False in (x, y) else (None if None in (x, y) else True)
    exp_or = True if True in (x, y) else (None if None in (x, y) else False)
    exp_not_x = None if x is None else not x
    assert _v(R.And(a, b)) is exp_and
    assert _v(R.Or(a, b)) is exp_or
    assert _v(R.Not(a)) is exp_not_x
    exp_impl = True if (exp_not_x is True or y is True) else (
        None if None in (exp_not_x, y) else False)
    assert _v(R.Implies(a, b)) is exp_impl


def test_null_operands_are_unknown_and_rules_pass_on_unknown():
    le = R.Le(R.Field("a"), R.Field("b"))
    assert _v(le, {"a": None, "b": 3}) is None
    assert _v(le, {"a": float("nan"), "b": 3}) is None
    assert _v(R.Sub(R.Field("a"), R.Const(1)), {}) is None
    assert _v(R.In(R.Field("a"), ("x",)), {}) is None
    rule = R.Rule("k", le, "甲", "a", ("a", "b"), check="range")
    assert R.evaluate(rule, {"a": None, "b": 3})
    assert not R.evaluate(rule, {"a": 4, "b": 3})
    assert R.evaluate(rule, {"a": 3, "b": 3})


def test_notnull_is_never_unknown_and_blank_text_is_missing():
    nn = R.NotNull(R.Field("s"))
    assert _v(nn, {"s": None}) is False
    assert _v(nn, {}) is False
    assert _v(nn, {"s": "  "}) is False
    assert _v(nn, {"s": ""}) is False
    assert _v(nn, {"s": "x"}) is True
    assert _v(nn, {"s": 0}) is True
    assert _v(nn, {"s": False}) is True


def test_max_ignores_nulls_like_greatest():
    assert _v(R.Max(R.Const(5.0), R.Const(None))) == 5.0
    assert _v(R.Max(R.Const(None), R.Const(None))) is None
    assert _v(R.Max(R.Const(5.0), R.Mul(R.Const(0.05), R.GeomLength())), geom_length=300) == 15.0
    assert _v(R.Max(R.Const(5.0), R.Mul(R.Const(0.05), R.GeomLength()))) == 5.0  # no geometry


def test_dates_compare_as_dates_with_iso_text():
    le = R.Le(R.Field("d"), R.Today())
    assert _v(le, {"d": "2031-05-05"}) is False
    assert _v(le, {"d": "2020-11-30"}) is True
    assert _v(le, {"d": dt.date(2031, 5, 5)}) is False
    assert _v(le, {"d": dt.datetime(2020, 1, 1, 12)}) is True
    assert _v(le, {"d": "not a date"}) is None  # the date format check reports it
    assert _v(R.Le(R.Field("a"), R.Field("b")), {"a": "2020-02-01", "b": "2020-01-31"}) is False
    assert _v(R.Ge(R.Field("d"), R.Const(dt.date(1900, 1, 1))), {"d": "1899-12-31"}) is False


def test_today_defaults_to_today():
    rule = R.Rule("f", R.Le(R.Field("d"), R.Today()), "甲", "a", check="future")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert not R.evaluate(rule, {"d": tomorrow.isoformat()})
    assert R.evaluate(rule, {"d": dt.date.today().isoformat()})


def test_values_of_other_types_are_unknown_not_errors():
    assert _v(R.Le(R.Field("a"), R.Const(3)), {"a": "abc"}) is None
    assert _v(R.Abs(R.Field("a")), {"a": "abc"}) is None


def test_numpy_and_pandas_values():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    le = R.Le(R.Field("a"), R.Field("b"))
    assert _v(le, {"a": np.int64(999), "b": np.int64(15)}) is False
    assert _v(le, {"a": pd.NA, "b": 15}) is None
    assert _v(le, {"a": np.float64("nan"), "b": 15}) is None
    assert _v(R.Eq(R.Field("r"), R.Const(True)), {"r": np.bool_(True)}) is True


# ------------------------------------------------------------------ rules
def test_rule_checks_its_declaration():
    with pytest.raises(ValueError, match="strength"):
        R.Rule("k", R.NotNull(R.Field("a")), "甲", "a", strength="medium")
    with pytest.raises(ValueError, match="boolean"):
        R.Rule("k", R.Field("a"), "甲", "a")
    with pytest.raises(ValueError, match="not listed"):
        R.Rule("k", R.Le(R.Field("a"), R.Field("b")), "甲", "a", ("a",))
    with pytest.raises(ValueError, match="check"):
        R.Rule("k", R.NotNull(R.Field("a")), "甲", "a", check="whatever")
    r = R.Rule("k", R.Le(R.Field("a"), R.Field("b")), "甲", "a", ("b", "a"), check="range")
    assert r.fields == ("b", "a") and r.message == "甲 / a" and r.hard


def test_expressions_are_values():
    a = R.And(R.NotNull(R.Field("x")), R.Le(R.Field("x"), R.Const(3)))
    b = R.And(R.NotNull(R.Field("x")), R.Le(R.Field("x"), R.Const(3)))
    assert a == b and hash(a) == hash(b) and a != R.Or(*a.args)
    with pytest.raises(AttributeError):
        a.args = ()


# ------------------------------------------------------------------ renderers
def test_sql_rendering():
    assert R.to_sql(R.Le(R.Field("updated"), R.Today())) == '("updated" <= CURRENT_DATE)'
    assert R.to_sql(R.Const(dt.date(1900, 1, 1))) == "DATE '1900-01-01'"
    assert R.to_sql(R.In(R.Field("w"), ("new", "o'k"))) == "(\"w\" IN ('new', 'o''k'))"
    assert R.to_sql(R.Eq(R.Field("r"), R.Const(True))) == '("r" = TRUE)'
    length = schema.ROADS.rule("length_matches_geometry").expr
    assert R.to_sql(length) == ('(ABS(("length_m" - ST_Length("geom"))) <= GREATEST(5.0, '
                                '(0.05 * ST_Length("geom"))))')
    assert R.to_sql(length, geometry="the_geom").count('ST_Length("the_geom")') == 2
    assert R.to_sql(R.NotNull(R.Field("s"))) == \
        "(NULLIF(BTRIM(CAST(\"s\" AS TEXT)), '') IS NOT NULL)"


def test_qgis_rendering_wraps_booleans_so_null_passes():
    assert R.to_qgis(R.Le(R.Field("updated"), R.Today())) == \
        'coalesce(("updated" <= to_date(now())), TRUE)'
    assert R.to_qgis(R.Const(dt.date(1900, 1, 1))) == "make_date(1900, 1, 1)"
    assert "length($geometry)" in R.to_qgis(schema.ROADS.rule("length_matches_geometry").expr)
    assert R.to_qgis(R.Sub(R.Field("a"), R.Field("b"))) == '("a" - "b")'
    with pytest.raises(ValueError):
        R.to_sql(R.Const(float("inf")))


def test_uses_today_and_geometry():
    assert schema.ROADS.rule("updated_not_future").uses_today
    assert not schema.ROADS.rule("lamps_lit_le_installed").uses_today
    assert schema.ROADS.rule("length_matches_geometry").uses_geometry


# ------------------------------------------------------------------ the schema's rules
def test_every_layer_rule_names_declared_fields():
    for lyr in schema.LAYERS.values():
        for r in lyr.rules:
            assert set(R.field_names(r.expr)) <= set(r.fields) <= set(lyr.field_names), r.key
            assert r.zh and r.en and r.zh != r.en


def test_schema_declares_the_rules_the_issue_names():
    roads = schema.ROADS
    assert {"works_needs_status", "lamps_lit_le_installed", "lamps_installed_le_required",
            "carriageway_width_m_le_red_line_width_m", "length_matches_geometry",
            "updated_not_future", "completed_date_not_after_updated"} <= {
                r.key for r in roads.rules}
    assert "remedy_status_required" in {r.key for r in schema.DRAINAGE_POINTS.rules}
    assert "renovation_needs_status" in {r.key for r in schema.FACADE_LIGHTING_BUILDINGS.rules}
    assert "length_matches_geometry" in {r.key for r in schema.BRIDGES.rules}
    assert schema.ROADS.rule("length_matches_geometry").strength == "soft"
    for name in schema.ASSET_LAYERS:
        assert schema.layer(name).rule("updated_not_future").check == "future"


def test_length_tolerance_is_the_declared_standard():
    rule = schema.ROADS.rule("length_matches_geometry")
    tol_m, share = standards.LENGTH_TOLERANCE_M.value, standards.LENGTH_TOLERANCE_SHARE.value
    for geom_len in (10.0, 100.0, 300.0, 1000.0):
        tol = max(tol_m, share * geom_len)
        assert R.evaluate(rule, {"length_m": geom_len + tol * 0.99}, geom_length=geom_len)
        assert not R.evaluate(rule, {"length_m": geom_len + tol * 1.01}, geom_length=geom_len)
        assert not R.evaluate(rule, {"length_m": geom_len - tol * 1.01}, geom_length=geom_len)


def test_bad_rows_fail_their_rule_and_good_rows_pass():
    for case in BAD_ROWS:
        lyr = schema.layer(case.layer)
        rule = lyr.rule(case.rule)
        rec = dict(case.good)
        assert R.evaluate(rule, rec, today=TODAY, geom_length=case.geom_length), case.id
        rec.update(case.bad)
        assert not R.evaluate(rule, rec, today=TODAY, geom_length=case.geom_length), case.id


# ------------------------------------------------------------------ property: renderers agree
_LEAVES = st.sampled_from([R.Field("a"), R.Field("b"), R.Const(1), R.Const(2.5), R.Const(None)])


def _exprs():
    numeric = st.recursive(_LEAVES, lambda kids: st.one_of(
        st.builds(R.Sub, kids, kids), st.builds(R.Mul, kids, kids), st.builds(R.Abs, kids),
        st.builds(R.Max, kids, kids)), max_leaves=4)
    atoms = st.one_of(st.builds(R.Le, numeric, numeric), st.builds(R.Gt, numeric, numeric),
                      st.builds(R.Eq, numeric, numeric), st.builds(R.NotNull, numeric),
                      st.builds(lambda e: R.In(e, (1, 2)), numeric))
    return st.recursive(atoms, lambda kids: st.one_of(
        st.builds(R.And, kids, kids), st.builds(R.Or, kids, kids), st.builds(R.Not, kids),
        st.builds(R.Implies, kids, kids)), max_leaves=6)


@given(_exprs(), st.one_of(st.none(), st.integers(-3, 3)), st.one_of(st.none(), st.integers(-3, 3)))
def test_renderers_accept_every_expression_and_evaluator_is_three_valued(expr, a, b):
    value = R.value_of(expr, {"a": a, "b": b})
    assert value in (True, False, None)
    sql, qgis = R.to_sql(expr), R.to_qgis(expr)
    assert sql.count("(") == sql.count(")") and qgis.count("(") == qgis.count(")")
    assert qgis.startswith("coalesce(") and qgis.endswith(", TRUE)")
