"""notebooks/03_meeting_map.ipynb runs top to bottom on the sample: scorecard and meeting map.

The scorecard counts it prints are checked against the scorecard computed directly; the map and
PNG go to the temporary folder, never into the repo, and the stored notebook carries no outputs.
"""
import nbformat
import pytest
from notebook_runner import REPO, execute_notebook, figure_cells, output_text

NAME = "03_meeting_map.ipynb"


@pytest.mark.notebook
def test_meeting_map_notebook_runs(tmp_path, sample_gpkg, monkeypatch):
    monkeypatch.delenv("ZLT_DATA", raising=False)
    nb = execute_notebook(NAME, tmp_path)
    text = output_text(nb)

    from zlt_assets.analysis.scorecard import compute_scorecard

    card = compute_scorecard(sample_gpkg)
    c = card.counts()
    assert (f"达标 met {c['met']} · 未达标 not met {c['not_met']} · "
            f"无法计算 not measurable {c['not_measurable']}") in text
    assert f"as of {card.as_of}" in text

    html = tmp_path / "03_meeting_map.html"
    png = tmp_path / "03_meeting_map.png"
    assert html.stat().st_size < 5_000_000
    page = html.read_text(encoding="utf-8")
    assert "zltMeetingMap(" in page and "cdn.jsdelivr" not in page
    for key in ("scorecard_choropleth", "coverage_uncovered", "toilet_gaps", "proposed_sites"):
        assert key in text and f'"key":"{key}"' in page
    assert png.read_bytes()[:4] == b"\x89PNG"
    # the print layout is shown inline, below the cell that displays it
    shown = figure_cells(nb)
    assert len(shown) == 1 and "Image(filename=str(res.png_path)" in shown[0]
    strays = [p.name for p in (REPO / "notebooks").iterdir()
              if p.name.startswith("03_") and p.suffix != ".ipynb"]
    assert strays == []  # the notebook wrote nothing into the repo
    stored = nbformat.read(REPO / "notebooks" / NAME, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in stored.cells if c.cell_type == "code")
