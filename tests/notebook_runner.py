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
    os.environ.setdefault("MPLBACKEND", "Agg")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(out_dir)}})
    client.execute()
    return nb
