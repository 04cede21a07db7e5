"""QGIS 3.40's own form-constraint check refuses the bad rows (issue 15: rules in the schema).

The planted copy of the sample (tests/_bad_rows.py) is opened by Debian's Python with PyQGIS in a
child process, the way QGIS opens it: the styles and forms come from the GeoPackage's
``layer_styles``. For every field of every feature QGIS evaluates the field's constraints with
``QgsVectorLayerUtils.validateAttribute`` (what the attribute form does before it saves). The
bad rows must fail a constraint of their rule's strength whose description carries the rule's
message; every other feature of the sample must pass every constraint.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from _bad_rows import BAD_ROWS, plant
from conftest import require_component

QGIS_PYTHON = "/usr/bin/python3"

_SCRIPT = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from qgis.core import (QgsApplication, QgsFieldConstraints, QgsVectorLayer,
                       QgsVectorLayerUtils, Qgis)
app = QgsApplication([], False)
app.initQgis()
job = json.load(open(sys.argv[1], encoding="utf-8"))
out = {"version": Qgis.version(), "layers": {}}
hard, soft = QgsFieldConstraints.ConstraintStrengthHard, QgsFieldConstraints.ConstraintStrengthSoft
for name in job["layers"]:
    lyr = QgsVectorLayer(f"{job['gpkg']}|layername={name}", name, "ogr")
    assert lyr.isValid(), name
    fields = lyr.fields()
    info = {"aliases": {f.name(): f.alias() for f in fields}, "failures": {},
            "fid_index": fields.indexFromName("fid")}
    cfg = lyr.editFormConfig()
    fid = info["fid_index"]
    info["fid_read_only"] = cfg.readOnly(fid)
    info["fid_widget"] = lyr.editorWidgetSetup(fid).type()
    cols = [c.name for c in lyr.attributeTableConfig().columns() if c.name]
    info["table_columns"] = cols
    for feat in lyr.getFeatures():
        fails = []
        for i in range(fields.count()):
            for label, strength in (("hard", hard), ("soft", soft)):
                ok, errors = QgsVectorLayerUtils.validateAttribute(lyr, feat, i, strength)
                if not ok:
                    c = fields.at(i).constraints()
                    fails.append([fields.at(i).name(), label, c.constraintDescription(),
                                  list(errors)])
        if fails:
            info["failures"][str(feat["obj_id"])] = fails
    out["layers"][name] = info
    del lyr
json.dump(out, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
"""


def _have_pyqgis() -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    r = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return r.returncode == 0


@pytest.mark.qgis
def test_qgis_form_constraints_refuse_the_bad_rows(sample_copy: Path, tmp_path: Path) -> None:
    require_component("QGIS", _have_pyqgis(),
                      "Debian's /usr/bin/python3 with PyQGIS (apt-get install python3-qgis)")
    planted = plant(sample_copy)
    layers = sorted({c.layer for c in BAD_ROWS})
    job, result = tmp_path / "job.json", tmp_path / "result.json"
    job.write_text(json.dumps({"gpkg": str(sample_copy), "layers": layers}), encoding="utf-8")
    script = tmp_path / "check.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_CUSTOM_CONFIG_PATH=str(tmp_path / "profile"))
    r = subprocess.run([QGIS_PYTHON, str(script), str(job), str(result)], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(result.read_text(encoding="utf-8"))
    assert out["version"].startswith("3.")

    bad_ids = set(planted.values())
    for name in layers:
        info = out["layers"][name]
        # the style came from layer_styles (aliases are the schema's labels)
        assert info["aliases"]["obj_id"] == "对象编码 / Object id", name
        # fid: hidden in the form, read-only, last column of the attribute table
        assert info["fid_index"] == 0 and info["fid_read_only"], name
        assert info["fid_widget"] == "Hidden" and info["table_columns"][-1] == "fid", name
        # every feature the test did not touch passes every constraint
        clean = {oid: f for oid, f in info["failures"].items() if oid not in bad_ids}
        assert not clean, (name, dict(list(clean.items())[:3]))

    for case in BAD_ROWS:
        rule = case.declared
        fails = out["layers"][case.layer]["failures"].get(planted[case.id], [])
        hits = [f for f in fails if f[1] == rule.strength and rule.zh in f[2]]
        assert hits, (case.id, fails)
        if not case.hard:  # a soft rule warns; nothing refuses the feature
            assert not [f for f in fails if f[1] == "hard"], (case.id, fails)
