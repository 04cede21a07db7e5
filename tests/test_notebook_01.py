"""notebooks/01_inventory_tour.ipynb runs top to bottom on the sample."""
from notebook_runner import REPO, execute_notebook, figure_cells, output_text


def test_inventory_tour_notebook_runs(tmp_path, sample_gpkg):
    nb = execute_notebook("01_inventory_tour.ipynb", tmp_path)
    text = output_text(nb)
    assert "楼体亮化建筑 / Facade-lighting buildings: plan 190, inventory 190" in text
    assert (tmp_path / "01_inventory_tour.png").stat().st_size > 10_000
    # the quick map is shown inline in the notebook (not only saved by an Agg backend)
    shown = figure_cells(nb)
    assert len(shown) == 1 and "ax.set_title(\"Zhalantun sample inventory" in shown[0]
    # outputs are never committed
    import nbformat
    stored = nbformat.read(REPO / "notebooks" / "01_inventory_tour.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code")
