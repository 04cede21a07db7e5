"""notebooks/02_coverage_and_toilets.ipynb runs top to bottom on the sample (grid 50 m).

The numbers it prints are checked against the analysis called directly, so the notebook shows
what the engine computes; its maps are written to the temporary folder, never to the repo.
"""

import nbformat
import pytest
from notebook_runner import REPO, execute_notebook, figure_cells, output_text

NAME = "02_coverage_and_toilets.ipynb"


@pytest.mark.notebook
def test_coverage_notebook_runs_and_shows_the_engine_numbers(tmp_path, sample_gpkg, monkeypatch):
    monkeypatch.setenv("ZLT_NOTEBOOK_CELL", "50")
    monkeypatch.delenv("ZLT_DATA", raising=False)
    nb = execute_notebook(NAME, tmp_path)
    text = output_text(nb)

    from zlt_assets.analysis.coverage import compute_coverage
    from zlt_assets.analysis.toilets import toilet_gaps
    from zlt_assets.inventory import Inventory

    inv = Inventory.open(sample_gpkg)
    stops, area, offices = inv.read("bus_stops"), inv.read("urban_area"), inv.read("street_offices")
    pop = str(inv.population_path)
    for method in ("euclidean", "network"):
        s = compute_coverage(stops, area, radius=500, method=method, roads=inv.read("roads"),
                             river=inv.read("river"), population=pop, districts=offices,
                             cell=50).summary
        assert (f"{method} 500 m: area_share={s['area_share']:.4f} "
                f"population_share={s['population_share']:.4f}") in text
        short = s["radius_300"]
        assert (f"{method} 300 m: area_share={short['area_share']:.4f} "
                f"population_share={short['population_share']:.4f}") in text
    tg = toilet_gaps(inv.read("public_toilets"), offices, roads=inv.read("roads"), population=pop,
                     area=area, propose=5, cell=50, river=inv.read("river")).summary
    assert f"每万人 per 10,000 residents {tg['toilets_per_10k']:.2f}" in text
    assert (f"{tg['proposals']['share_before']:.3f} -> {tg['proposals']['share_after']:.3f}"
            in text)
    assert "uncovered patches" in text

    # both maps are shown inline, in the cells that draw them
    shown = figure_cells(nb)
    assert len(shown) == 2
    assert "02_bus_uncovered.png" in shown[0] and "02_toilet_gaps.png" in shown[1]
    for png in ("02_bus_uncovered.png", "02_toilet_gaps.png"):
        assert (tmp_path / png).stat().st_size > 10_000
        assert not (REPO / "notebooks" / png).exists()
    # outputs are never committed
    stored = nbformat.read(REPO / "notebooks" / NAME, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in stored.cells if c.cell_type == "code")
