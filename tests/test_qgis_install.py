"""The plugin's "Install engine" for real, in qgis_process, offline from a folder of wheels.

The folder is made without any network: each distribution the engine needs is packed back into a
wheel from the project's venv (its files as RECORD lists them, with a fresh RECORD). The plugin
then makes its private environment under the fresh profile with a Python it finds itself,
installs the engine wheel bundled in the zip from that folder, checks the engine and uses it.
A failing install (a folder without the dependencies) leaves nothing behind and the working
environment in use.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from qgis_support import build_zip, make_profile, need_qgis, run_algorithm

pytestmark = [pytest.mark.qgis, pytest.mark.slow]

SKIP_META = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(root: str) -> list[metadata.Distribution]:
    """The installed distributions ``root`` needs (with the extras its requirements name)."""
    seen: dict[str, metadata.Distribution] = {}
    done: set[tuple[str, str]] = set()
    todo = [(req, "") for req in metadata.distribution(root).requires or []]
    while todo:
        text, extra = todo.pop()
        req = Requirement(text)
        env = default_environment()
        env["extra"] = extra
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        key = _norm(req.name)
        dist = seen.setdefault(key, metadata.distribution(req.name))
        for wanted in ("", *sorted(req.extras)):
            if (key, wanted) not in done:
                done.add((key, wanted))
                todo += [(r, wanted) for r in dist.requires or []]
    return list(seen.values())


def wheel_from_installed(dist: metadata.Distribution, dest: Path) -> Path:
    """Pack an installed distribution back into a wheel (its WHEEL file gives the tags)."""
    info = Path(str(dist._path))  # the .dist-info folder
    site = info.parent
    tags = [line.split(":", 1)[1].strip() for line in (info / "WHEEL").read_text().splitlines()
            if line.startswith("Tag:")]
    parts = [sorted({t.split("-")[i] for t in tags}) for i in range(3)]
    tag = "-".join(".".join(p) for p in parts)
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    out = dest / f"{name}-{dist.version}-{tag}.whl"
    record = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for f in dist.files or []:
            rel = f.as_posix()
            if rel.startswith("..") or "__pycache__" in rel or rel.endswith(".pyc"):
                continue
            if rel.startswith(info.name + "/") and Path(rel).name in SKIP_META:
                continue
            src = site / rel
            if not src.is_file():
                continue
            data = src.read_bytes()
            zf.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{rel},sha256={digest.decode()},{len(data)}")
        record.append(f"{info.name}/RECORD,,")
        zf.writestr(f"{info.name}/RECORD", "\n".join(record) + "\n")
    return out


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory) -> Path:
    need_qgis()
    dest = tmp_path_factory.mktemp("wheels")
    for dist in closure("zlt-assets"):
        wheel_from_installed(dist, dest)
    return dest


def test_install_engine_offline_then_use_it(tmp_path: Path, wheelhouse: Path) -> None:
    plugin_zip = build_zip(tmp_path)
    config = make_profile(tmp_path / "config", plugin_zip)
    private = config / "profiles" / "default" / "zlt_assets_engine"

    # a folder without the dependencies: the install fails and leaves nothing
    empty = tmp_path / "empty"
    empty.mkdir()
    answer = run_algorithm(config, "install_engine", {"WHEELS": empty})
    assert answer["_returncode"] != 0
    assert "pip" in answer["_stderr"] and "install.log" in answer["_stderr"]
    assert not list(private.glob("env-*")) and not (private / "current.json").exists()
    assert (private / "install.log").read_text(encoding="utf-8").strip()

    # the engine missing: the algorithms say what to do
    answer = run_algorithm(config, "validate_inventory", {"OUTPUT": "TEMPORARY_OUTPUT"})
    assert answer["_returncode"] != 0 and "安装引擎" in answer["_stderr"]

    # offline from the folder of wheels
    answer = run_algorithm(config, "install_engine", {"WHEELS": wheelhouse})
    assert answer["_returncode"] == 0, answer["_stderr"][-4000:] + str(answer.get("log"))[-4000:]
    res = answer["results"]
    (venv,) = private.glob("env-*")
    assert json.loads((private / "current.json").read_text())["venv"] == venv.name
    assert res["VERSION"] == metadata.version("zlt-assets")
    assert str(venv) in res["ENGINE"]
    log = (private / "install.log").read_text(encoding="utf-8")
    assert "Successfully installed" in log and "zlt-assets" in log.replace("_", "-")

    # the algorithms now run the private engine (no ZLT_ASSETS_ENGINE, none on PATH)
    res = run_algorithm(config, "validate_inventory", {"OUTPUT": "TEMPORARY_OUTPUT"})
    assert res["_returncode"] == 0, res["_stderr"][-3000:]
    assert res["results"]["errors"] == 0
    assert str(venv) in json.dumps(res.get("log", ""))

    # a failed update keeps the working environment in use
    answer = run_algorithm(config, "install_engine", {"WHEELS": empty})
    assert answer["_returncode"] != 0
    assert list(private.glob("env-*")) == [venv]
    assert json.loads((private / "current.json").read_text())["venv"] == venv.name
