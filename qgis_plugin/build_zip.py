#!/usr/bin/env python
"""Build the installable QGIS plugin zip: ``dist/zlt_assets_qgis-<version>.zip``.

构建可安装的 QGIS 插件压缩包(插件文件夹位于压缩包根目录)。

The zip holds the folder ``zlt_assets_qgis/`` at its root (what QGIS's "Install from ZIP"
expects) with only what the plugin needs:

* the plugin's code, ``metadata.txt`` (its version stamped from pyproject.toml, so plugin and
  engine always carry one version), help, icons, the compiled zh_CN translation (``.qm``, not the
  ``.ts`` nor its tools) and ``LICENSE``;
* ``generated/``: ``schema.json`` (layers, groups, titles, defaults with their sources: what the
  plugin shows without the engine) and ``styles/<layer>.qml`` (styles and forms for PostGIS
  layers), both written from ``zlt_assets`` at build time;
* ``wheels/zlt_assets-<version>-py3-none-any.whl``: the engine, installed by the plugin's
  "Install engine" into a private environment (never put on QGIS's ``sys.path``);
* ``sample/``: the sample inventory (illustrative), so "Open inventory" works before any engine.

Entries are sorted, with a fixed timestamp and mode 0644 (folders 0755); the zip is written
atomically. ``--generate`` writes ``generated/`` into the source tree for development instead.

Usage::

    python qgis_plugin/build_zip.py [--out FILE.zip] [--wheel FILE.whl] [--release]
    python qgis_plugin/build_zip.py --generate
"""
from __future__ import annotations

import argparse
import configparser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PLUGIN_NAME = "zlt_assets_qgis"
PLUGIN_DIR = HERE / PLUGIN_NAME
FIXED_TIME = (2019, 5, 31, 0, 0, 0)
#: never in the zip: development files and caches
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", "generated", "wheels", "sample"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".tmp", ".ts", ".pro"}
SKIP_FILES = {"update_ts.py"}
SAMPLE_FILES = ("zhalantun.gpkg", "zhalantun_population.tif", "README.md")


def project_version() -> str:
    """The version in pyproject.toml (the engine's)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    m = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not m:
        raise SystemExit("pyproject.toml has no version")
    return m.group(1)


def metadata_text(version: str) -> str:
    """metadata.txt with ``version`` stamped in."""
    text = (PLUGIN_DIR / "metadata.txt").read_text(encoding="utf-8")
    return re.sub(r"^version=.*$", f"version={version}", text, count=1, flags=re.MULTILINE)


def check_release(meta: str) -> list[str]:
    """What stops an upload to plugins.qgis.org (empty when nothing does)."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read_string(meta)
    g = cfg["general"]
    problems = []
    for key in ("homepage", "tracker", "repository"):
        url = g.get(key, "")
        if not url.startswith("https://") or ".invalid" in url or "example." in url:
            problems.append(f"{key} must be a real https URL, got {url!r}")
    if g.get("experimental", "").lower() == "true":
        problems.append("experimental=True: set False once the real-QGIS tests pass")
    if "supportsQt6" in meta:
        problems.append("supportsQt6 is deprecated: remove it (qgisMaximumVersion says Qt6)")
    return problems


# ------------------------------------------------------------------------------ generated data
def _core():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from zlt_assets import importing, schema, standards, styles

    return schema, standards, styles, importing


def schema_data() -> dict:
    """What the plugin needs to know of the schema without the engine."""
    schema, standards, _styles, importing = _core()
    try:
        from zlt_assets import symbology
    except ImportError:  # before the style is declared in one place
        symbology = None
    layers = []
    for name, decl in schema.LAYERS.items():
        entry = {"name": name, "zh": decl.zh, "en": decl.en, "title": decl.title,
                 "group": decl.group, "geometry": decl.geometry, "kind": decl.kind,
                 "name_field": decl.name_field, "fields": list(decl.field_names)}
        if symbology is not None:
            try:
                st = symbology.layer_style(name)
                entry["label_field"] = getattr(st, "label_field", None)
                entry["label_min_scale"] = getattr(st, "label_min_scale", None)
            except Exception:  # a layer without a declared style
                pass
        layers.append(entry)
    stds = {}
    for key in dir(standards):
        obj = getattr(standards, key)
        if isinstance(obj, standards.Standard):
            stds[key] = {"value": obj.value, "unit": obj.unit, "source": obj.cite()}
    return {
        "version": project_version(),
        "project_crs": schema.PROJECT_CRS,
        "groups": [{"code": c.code, "zh": c.zh, "en": c.en} for c in schema.GROUPS.values],
        "layers": layers,
        "population": {"suffix": schema.POPULATION.suffix, "zh": schema.POPULATION.zh,
                       "en": schema.POPULATION.en},
        "standards": stds,
        "from_crs": list(importing.FROM_CRS_CHOICES),
    }


def generated_files() -> dict[str, bytes]:
    """``generated/…`` name -> content."""
    schema, _standards, styles, _importing = _core()
    out = {"generated/schema.json": json.dumps(schema_data(), ensure_ascii=False, indent=1,
                                               sort_keys=True, default=str).encode("utf-8")}
    for name in schema.LAYERS:
        out[f"generated/styles/{name}.qml"] = styles.layer_qml(name).encode("utf-8")
    return out


def generate_in_source() -> Path:
    """Write ``generated/`` into the source plugin folder (development use)."""
    dest = PLUGIN_DIR / "generated"
    shutil.rmtree(dest, ignore_errors=True)
    for name, data in generated_files().items():
        path = PLUGIN_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


# ------------------------------------------------------------------------------ the engine wheel
def build_wheel(dest: Path) -> Path:
    """Build the zlt-assets wheel into ``dest`` with the running Python's pip (offline when
    setuptools >= 77 is installed: no build isolation)."""
    args = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dest)]
    try:
        import setuptools

        if int(setuptools.__version__.split(".")[0]) >= 77:
            args.append("--no-build-isolation")
    except ImportError:
        pass
    build_dir = REPO / "build"
    had_build = build_dir.exists()
    subprocess.run([*args, str(REPO)], check=True, cwd=str(REPO))
    if not had_build:  # setuptools' scratch folder
        shutil.rmtree(build_dir, ignore_errors=True)
    found = sorted(dest.glob("zlt_assets-*.whl"))
    if not found:
        raise SystemExit("pip wheel made no zlt_assets wheel")
    return found[-1]


def _files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in SKIP_SUFFIXES or name.startswith(".") or name in SKIP_FILES:
                continue
            out.append(p)
    return out


def entries(wheel: Path, version: str) -> dict[str, bytes]:
    """Name in the zip -> content."""
    items: dict[str, bytes] = {}
    for p in _files(PLUGIN_DIR):
        rel = p.relative_to(PLUGIN_DIR).as_posix()
        items[f"{PLUGIN_NAME}/{rel}"] = p.read_bytes()
    items[f"{PLUGIN_NAME}/metadata.txt"] = metadata_text(version).encode("utf-8")
    for name, data in generated_files().items():
        items[f"{PLUGIN_NAME}/{name}"] = data
    items[f"{PLUGIN_NAME}/wheels/{wheel.name}"] = wheel.read_bytes()
    for name in SAMPLE_FILES:
        src = REPO / "layers" / name
        if src.exists():
            items[f"{PLUGIN_NAME}/sample/{name}"] = src.read_bytes()
    return dict(sorted(items.items()))


def _dirs(names: list[str]) -> list[str]:
    dirs = set()
    for n in names:
        parts = n.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return sorted(dirs)


def build(out: Path, *, wheel: Path | None = None, compile_qm: bool = True,
          release: bool = False) -> Path:
    """Write the plugin zip to ``out`` (atomically) and return it."""
    if compile_qm:
        sys.path.insert(0, str(PLUGIN_DIR / "i18n"))
        try:
            import update_ts

            update_ts.compile_qm()
        finally:
            sys.path.pop(0)
    version = project_version()
    if release:
        problems = check_release(metadata_text(version))
        if problems:
            raise SystemExit("not ready for a release:\n  " + "\n  ".join(problems))
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zlt-wheel-") as tmpdir:
        if wheel is None:
            wheel = build_wheel(Path(tmpdir))
        items = entries(Path(wheel), version)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for d in _dirs(list(items)):
                info = zipfile.ZipInfo(d, date_time=FIXED_TIME)
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
            for name, data in items.items():
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="构建 QGIS 插件压缩包 / build the QGIS plugin zip")
    ap.add_argument("--out", type=Path, default=None,
                    help="zip to write (default: dist/zlt_assets_qgis-<version>.zip)")
    ap.add_argument("--wheel", type=Path, default=None,
                    help="engine wheel to bundle (default: built now with pip wheel)")
    ap.add_argument("--no-compile", action="store_true",
                    help="do not recompile the .qm translation (use the committed one)")
    ap.add_argument("--release", action="store_true",
                    help="refuse to build unless metadata.txt is ready for plugins.qgis.org")
    ap.add_argument("--generate", action="store_true",
                    help="only write generated/ into the source plugin folder (development)")
    args = ap.parse_args(argv)
    if args.generate:
        print(f"已写入 / written: {generate_in_source()}")
        return 0
    out = args.out or REPO / "dist" / f"{PLUGIN_NAME}-{project_version()}.zip"
    path = build(out, wheel=args.wheel, compile_qm=not args.no_compile, release=args.release)
    with zipfile.ZipFile(path) as zf:
        n = len([i for i in zf.infolist() if not i.is_dir()])
    print(f"已写入 / written: {path} ({n} files, {path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
