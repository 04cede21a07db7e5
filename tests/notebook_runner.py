"""Execute a notebook of notebooks/ with nbclient (outputs go to a temp folder, not the repo)."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]


def execute_notebook(name: str, out_dir: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>`` top to bottom with the current Python; raise on any cell error."""
    nb = nbformat.read(REPO / "notebooks" / name, as_version=4)
    os.environ["ZLT_NOTEBOOK_OUT"] = str(out_dir)
    # the notebooks draw inline (%matplotlib inline), as in Jupyter: no backend is forced here
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(out_dir)}})
    client.execute()
    return nb


def output_text(nb: nbformat.NotebookNode) -> str:
    """Everything the code cells printed or displayed as text, in order."""
    parts = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            parts.append(o.get("text", ""))
            parts.append(o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def figure_cells(nb: nbformat.NotebookNode) -> list[str]:
    """The source of every code cell whose executed outputs hold an inline PNG figure."""
    return [c.source for c in nb.cells if c.cell_type == "code"
            and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]
