"""The engine QGIS uses: the provider's settings, the private folder, a checked engine (cached).

Settings live in Processing › Options › Providers › 扎兰屯资产 (``ProcessingConfig``, stored by
QGIS under ``Processing/Configuration/<KEY>``).
"""
from __future__ import annotations

import os
import threading

from qgis.core import QgsApplication, QgsSettings

from . import engine
from .metadata import plugin_version

ENGINE_SETTING = "ZLTASSETS_ENGINE"
INDEX_SETTING = "ZLTASSETS_INDEX_URL"
PYTHON_SETTING = "ZLTASSETS_PYTHON"

_lock = threading.Lock()
_cache: dict[str, object] = {}


def setting(key: str) -> str:
    """A provider setting (empty when unset)."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig

        value = ProcessingConfig.getSetting(key)
    except Exception:  # Processing not loaded yet: read QGIS's settings directly
        value = None
    if value is None:
        value = QgsSettings().value(f"Processing/Configuration/{key}", "")
    return str(value or "").strip()


def private_dir() -> str:
    """``<QGIS profile folder>/zlt_assets_engine``: where "Install engine" puts the engine."""
    return os.path.join(QgsApplication.qgisSettingsDirPath(), engine.PRIVATE_DIR_NAME)


def _key() -> tuple:
    current = os.path.join(private_dir(), engine.CURRENT_FILE)
    try:
        stamp = os.path.getmtime(current)
    except OSError:
        stamp = None
    return (setting(ENGINE_SETTING), os.environ.get(engine.ENV_VAR, ""),
            os.environ.get("PATH", ""), stamp)


def current(refresh: bool = False) -> engine.Engine:
    """The engine to run (checked once per set of settings); raises engine.EngineError saying
    what to do when there is none that works."""
    key = _key()
    with _lock:
        if not refresh and _cache.get("key") == key:
            found = _cache.get("engine")
            if isinstance(found, engine.Engine):
                return found
            raise engine.EngineError(str(_cache.get("error")))
        try:
            found = engine.find_engine(key[0], private_dir(), plugin_version())
        except engine.EngineError as exc:
            _cache.update(key=key, engine=None, error=str(exc))
            raise
        _cache.update(key=key, engine=found, error=None)
        return found


def forget() -> None:
    """Drop the cached engine (after an install or a settings change)."""
    with _lock:
        _cache.clear()
