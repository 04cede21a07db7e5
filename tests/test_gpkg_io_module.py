"""The one I/O module (issue 15, items 4 and 5): every writer of the package goes through
``zlt_assets._io``; the inventory module does not reach into its PostGIS subclass; the modules of
the inventory and its I/O import each other in no cycle, statically or when run.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "zlt_assets"

#: Calls that make an atomic write of their own (temporary names moved into place).
_OWN_ATOMIC = {("os", "replace"), ("os", "rename"), ("shutil", "move"), ("tempfile", "mkstemp"),
               ("tempfile", "NamedTemporaryFile"), ("tempfile", "mkdtemp")}
#: Writers of libraries that write to the path (or buffer) they are given.
_WRITERS = {"to_file", "write_dataframe", "to_csv", "to_excel", "savefig", "save"}
#: (module, call) pairs that are not writers of their own, and why.
_ALLOWED = {
    # pack moves this run's finished outputs from its staging folder into place (each of them
    # was written atomically through _io inside the staging folder)
    ("zlt_assets/commands/pack.py", "os.replace"),
}


def _called(node: ast.Call) -> tuple[str | None, str | None]:
    f = node.func
    if isinstance(f, ast.Attribute):
        owner = f.value.id if isinstance(f.value, ast.Name) else None
        return owner, f.attr
    if isinstance(f, ast.Name):
        return None, f.id
    return None, None


def _span(node: ast.AST) -> range:
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)  # type: ignore[attr-defined]


def _guarded_lines(tree: ast.AST) -> set[int]:
    """Lines where a write goes to a path ``_io.atomic_path`` handed out: the bodies of
    ``with atomic_path(...)`` blocks, and functions or lambdas given to a helper ``_atomic``
    that runs them inside such a block (batch's ``_atomic(path, write)``)."""
    lines: set[int] = set()
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    helper = functions.get("_atomic")
    helper_ok = helper is not None and any(
        isinstance(n, ast.Call) and _called(n)[1] == "atomic_path" for n in ast.walk(helper))
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
                isinstance(item.context_expr, ast.Call)
                and _called(item.context_expr)[1] == "atomic_path" for item in node.items):
            for inner in node.body:
                lines.update(_span(inner))
        if helper_ok and isinstance(node, ast.Call) and _called(node)[1] == "_atomic":
            for arg in node.args[1:]:
                if isinstance(arg, ast.Lambda):
                    lines.update(_span(arg))
                elif isinstance(arg, ast.Name) and arg.id in functions:
                    lines.update(_span(functions[arg.id]))
    return lines


def _memory_buffers(tree: ast.AST) -> set[str]:
    """Names bound to an in-memory buffer (``io.BytesIO()``, ``io.StringIO()``)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                _called(node.value)[1] in ("BytesIO", "StringIO"):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _writer_calls(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = _guarded_lines(tree)
    buffers = _memory_buffers(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _called(node)
        if (owner, name) in _OWN_ATOMIC:
            found.append((node.lineno, f"{owner}.{name}"))
        elif name in _WRITERS and node.lineno not in guarded:
            target = node.args[0] if node.args else None
            if isinstance(target, ast.Name) and target.id in buffers:
                continue  # bytes in memory, handed to _io afterwards
            found.append((node.lineno, str(name)))
    return found


def test_every_file_writer_goes_through_the_io_module():
    """No module but ``_io`` writes files on its own (temporary names, renames, GDAL or pandas
    writing to a final path): a writer that needs a path writes inside ``_io.atomic_path``, bytes
    go to ``_io.write_bytes``, layers to ``_io.write_gpkg_layers``."""
    mine = {n for _l, n in _writer_calls(PACKAGE / "_io.py")}
    assert {"os.replace", "tempfile.mkstemp"} <= mine  # the check sees such calls
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel == "zlt_assets/_io.py":
            continue
        for line, name in _writer_calls(path):
            if (rel, name) not in _ALLOWED:
                offenders.append(f"{rel}:{line} {name}()")
    assert offenders == [], "files written outside zlt_assets._io: " + ", ".join(offenders)


def _modules() -> dict[str, Path]:
    out = {}
    for p in PACKAGE.rglob("*.py"):
        parts = list(p.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def _static_imports(mod: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Modules of the package imported at module level (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    pkg = mod.split(".") if is_pkg else mod.split(".")[:-1]
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If):
                test = ast.unparse(node.test)
                if "TYPE_CHECKING" not in test:
                    visit(node.body)
                    visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                base = pkg[:len(pkg) - node.level + 1] if node.level else []
                name = ".".join(base + ([node.module] if node.module else []))
                for a in node.names:
                    if f"{name}.{a.name}" in modules:
                        out.add(f"{name}.{a.name}")
                    elif name in modules:
                        out.add(name)

    visit(tree.body)
    out.discard(mod)
    return out


def test_the_inventory_io_and_database_modules_import_each_other_in_no_cycle():
    modules = _modules()
    graph = {m: _static_imports(m, p, modules) for m, p in modules.items()}
    assert "zlt_assets._io" in graph["zlt_assets.inventory"]  # the check sees imports
    core = ("zlt_assets._io", "zlt_assets.inventory", "zlt_assets.db", "zlt_assets.text",
            "zlt_assets.errors", "zlt_assets.importing")

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            m = todo.pop()
            for n in graph.get(m, ()):
                if n == goal:
                    return True
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return False

    cycles = [m for m in core if reaches(m, m)]
    assert cycles == [], f"modules in an import cycle: {cycles}"
    assert not reaches("zlt_assets.inventory", "zlt_assets.db")
    assert not reaches("zlt_assets._io", "zlt_assets.inventory")


@pytest.mark.parametrize("module", ["zlt_assets.inventory", "zlt_assets._io",
                                    "zlt_assets.importing"])
def test_opening_a_geopackage_never_loads_the_database_backend(tmp_path, module):
    """The GeoPackage side, imported and used, loads nothing of ``db`` (nor psycopg)."""
    from _mini_inventory import write_mini

    inv = write_mini(tmp_path / "inv.gpkg")
    code = (f"import sys, {module}\n"
            "from zlt_assets import open_inventory\n"
            f"i = open_inventory({str(inv)!r})\n"
            "assert len(i.read('bus_stops')) == 3\n"
            "print(sorted(m for m in sys.modules if m == 'zlt_assets.db' or "
            "m.split('.')[0] == 'psycopg'))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
