"""QGIS 4 (Qt6) readiness of the plugin, checked statically (no Debian suite packages QGIS 4).

The rules are those QGIS's own migration script applies (``scripts/pyqt5_to_pyqt6/
pyqt5_to_pyqt6.py`` in the QGIS sources) plus the issue's list:

* enums reached without their scope (``Qt.AlignLeft``, ``QgsFeatureSink.FastInsert``): Qt6
  removes the unscoped spelling; found by asking PyQGIS itself which attributes are enum members
  of their class, as the script builds its table;
* ``exec_`` (called or defined), ``QRegExp``, ``QVariant`` (types are ``QMetaType``, an invalid
  value is ``NULL``), ``qApp``, ``QDesktopWidget`` / ``desktop()``, ``QFontMetrics.width``,
  ``activated[str]``, compiled ``resources_rc``, the ``qgis.PyQt.Qt`` module, imports from
  ``PyQt5`` instead of ``qgis.PyQt``, the renamed enums (``Qt.MidButton``…), ``QDateTime`` built
  from 8 numbers or from a bare ``QDate``, ``addAction`` with four or more arguments;
* ``QAction`` imported from ``QtWidgets`` without the Qt6 fallback to ``QtGui``;
* metadata.txt: no ``supportsQt6`` (deprecated), a ``qgisMaximumVersion`` that lets QGIS 4 offer
  the plugin.
"""
from __future__ import annotations

import ast
import configparser
import json
import subprocess
from pathlib import Path

import pytest
from qgis_support import clean_env, need_qgis, qgis_python

REPO = Path(__file__).resolve().parents[1]
PLUGIN = REPO / "qgis_plugin" / "zlt_assets_qgis"
SOURCES = sorted(p for p in PLUGIN.rglob("*.py") if "generated" not in p.parts)

RENAMED_ENUMS = {("Qt", "MidButton"), ("Qt", "TextColorRole"), ("Qt", "BackgroundColorRole"),
                 ("QPainter", "HighQualityAntialiasing")}
REMOVED_NAMES = {"QRegExp": "QRegularExpression", "qApp": "QApplication.instance()",
                 "QDesktopWidget": "QScreen", "QVariant": "QMetaType.Type / NULL"}


def _in_try_with_qtgui_fallback(tree: ast.AST, node: ast.ImportFrom) -> bool:
    for t in ast.walk(tree):
        if isinstance(t, ast.Try) and node in t.body:
            for h in t.handlers:
                for n in ast.walk(h):
                    if isinstance(n, ast.ImportFrom) and (n.module or "").endswith("QtGui") \
                            and any(a.name == "QAction" for a in n.names):
                        return True
    return False


def problems_in(source: str, name: str = "<src>") -> list[str]:
    """The Qt5-only constructs of one source file (static rules)."""
    tree = ast.parse(source, filename=name)
    out = []

    def say(node: ast.AST, text: str) -> None:
        out.append(f"{name}:{getattr(node, 'lineno', '?')}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.startswith("PyQt5") or module.startswith("PyQt6"):
                say(node, f"import from {module}: use qgis.PyQt")
            if module == "qgis.PyQt.Qt":
                say(node, "qgis.PyQt.Qt is gone: import Qt from qgis.PyQt.QtCore")
            for alias in node.names:
                if alias.name in REMOVED_NAMES:
                    say(node, f"{alias.name} is removed in Qt6: {REMOVED_NAMES[alias.name]}")
                if alias.name == "resources_rc":
                    say(node, "compiled resources are removed in Qt6: load files by path")
                if alias.name == "QAction" and module.endswith("QtWidgets") \
                        and not _in_try_with_qtgui_fallback(tree, node):
                    say(node, "QAction lives in QtGui in Qt6: fall back to qgis.PyQt.QtGui")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(("PyQt5", "PyQt6")):
                    say(node, f"import {alias.name}: use qgis.PyQt")
        elif isinstance(node, ast.FunctionDef) and node.name == "exec_":
            say(node, "def exec_: Qt6 names it exec")
        elif isinstance(node, ast.Attribute):
            if node.attr == "exec_":
                say(node, "exec_() is removed in Qt6: use exec()")
            if isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in RENAMED_ENUMS:
                    say(node, f"{node.value.id}.{node.attr} is removed in Qt6")
                if node.value.id == "QVariant":
                    say(node, f"QVariant.{node.attr}: field types are QMetaType.Type in Qt6")
                if node.value.id == "qApp":
                    say(node, "qApp is removed in Qt6: QApplication.instance()")
            if node.attr == "width" and isinstance(node.value, ast.Call):
                fn = node.value.func
                if (isinstance(fn, ast.Attribute) and fn.attr == "fontMetrics") or (
                        isinstance(fn, ast.Name) and fn.id in ("QFontMetrics", "QFontMetricsF")):
                    say(node, "QFontMetrics.width() is removed in Qt6: horizontalAdvance()")
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "activated" and isinstance(node.slice, ast.Name) \
                and node.slice.id == "str":
            say(node, "activated[str] is removed in Qt6: textActivated")
        elif isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name) and fn.id == "QVariant":
                say(node, "QVariant(): use qgis.core.NULL")
            if isinstance(fn, ast.Name) and fn.id == "QDateTime" and (
                    len(node.args) == 8 or (len(node.args) == 1
                                            and isinstance(node.args[0], ast.Call)
                                            and getattr(node.args[0].func, "id", "") == "QDate")):
                say(node, "QDateTime(...) form removed in Qt6: QDateTime(QDate, QTime)")
            if isinstance(fn, ast.Attribute) and fn.attr == "addAction" and len(node.args) >= 4:
                say(node, "fragile addAction(...): create the QAction, then addAction(action)")
            if isinstance(fn, ast.Attribute) and fn.attr == "desktop" and not node.args:
                say(node, "QDesktopWidget (desktop()) is removed in Qt6")
    return out


def test_the_rules_catch_qt5_code() -> None:
    bad = ("from qgis.PyQt.QtWidgets import QAction, QDialog\n"
           "from PyQt5.QtCore import QRegExp\n"
           "from qgis.PyQt.QtCore import QVariant\n"
           "d = QDialog(); d.exec_()\n"
           "t = QVariant.Int\n"
           "b = Qt.MidButton\n"
           "w = widget.fontMetrics().width('x')\n"
           "combo.activated[str].connect(f)\n"
           "menu.addAction(icon, 'x', obj, slot)\n")
    found = "\n".join(problems_in(bad))
    for word in ("QAction lives in QtGui", "PyQt5.QtCore", "QRegExp", "exec_()", "QVariant.Int",
                 "Qt.MidButton", "horizontalAdvance", "activated[str]", "addAction"):
        assert word in found, word
    good = ("try:\n    from qgis.PyQt.QtWidgets import QAction\n"
            "except ImportError:\n    from qgis.PyQt.QtGui import QAction\n"
            "d.exec()\nt = QMetaType.Type.Int\n")
    assert problems_in(good) == []


def test_plugin_has_no_qt5_only_code() -> None:
    found = []
    for path in SOURCES:
        found += problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []


def test_metadata_lets_qgis4_offer_the_plugin() -> None:
    text = (PLUGIN / "metadata.txt").read_text(encoding="utf-8")
    assert "supportsQt6" not in text
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read_string(text)
    g = cfg["general"]
    assert tuple(int(x) for x in g["qgisMaximumVersion"].split(".")[:2]) >= (4, 0)
    assert tuple(int(x) for x in g["qgisMinimumVersion"].split(".")[:2]) >= (3, 40)


#: Runs in QGIS's Python: every ``Name.attr`` of the plugin whose value is an enum member of the
#: class ``Name`` (imported from qgis.*), i.e. an enum used without its scope.
UNSCOPED = r'''
import ast, json, sys, importlib
found = []
for path in sys.argv[1:]:
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qgis"):
            try:
                mod = importlib.import_module(node.module)
            except Exception:
                continue
            for a in node.names:
                obj = getattr(mod, a.name, None)
                if isinstance(obj, type):
                    names[a.asname or a.name] = obj
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in names:
            cls = names[node.value.id]
            try:
                value = getattr(cls, node.attr)
            except AttributeError:
                found.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr} does not exist")
                continue
            kind = type(value)
            if isinstance(value, type) or kind.__module__ == "builtins":
                continue
            scope = kind.__qualname__.split(".")[-1]
            scoped_owner = any(getattr(c, scope, None) is kind for c in cls.__mro__)
            if scoped_owner and node.attr != scope and kind.__qualname__.count(".") >= 1:
                found.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr} -> "
                             f"{node.value.id}.{scope}.{node.attr}")
print(json.dumps(found))
'''


@pytest.mark.qgis
def test_no_unscoped_enums_of_qt_or_qgis_classes(tmp_path: Path) -> None:
    need_qgis()
    probe = tmp_path / "fixture.py"
    probe.write_text("from qgis.core import QgsFeatureSink, Qgis\nfrom qgis.PyQt.QtCore import Qt\n"
                     "a = QgsFeatureSink.FastInsert\nb = Qt.AlignLeft\n"
                     "c = QgsFeatureSink.Flag.FastInsert\nd = Qgis.MessageLevel.Info\n",
                     encoding="utf-8")
    proc = subprocess.run([qgis_python(), "-c", UNSCOPED, str(probe), *map(str, SOURCES)],
                          capture_output=True, text=True, env=clean_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    mine = [f for f in found if not f.startswith(str(probe))]
    theirs = [f for f in found if f.startswith(str(probe))]
    # the rule sees the two unscoped enums of the fixture, and not the scoped ones
    assert len(theirs) == 2 and "QgsFeatureSink.Flag.FastInsert" in theirs[0], theirs
    assert "Qt.AlignmentFlag.AlignLeft" in theirs[1], theirs
    assert mine == []
