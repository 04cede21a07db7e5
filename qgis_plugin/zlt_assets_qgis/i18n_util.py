"""Translation helpers: UI strings are written "English / 中文" and translated for zh_CN to
"中文 / English" (Chinese first); see i18n/update_ts.py."""
from __future__ import annotations

import os

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

CONTEXT = "ZltAssets"
I18N_DIR = os.path.join(os.path.dirname(__file__), "i18n")


def tr(text: str) -> str:
    """Translate a UI string (context ``ZltAssets``)."""
    return QCoreApplication.translate(CONTEXT, text)


def user_locale() -> str:
    """QGIS's user locale (e.g. ``zh_CN``), or the system one."""
    from qgis.core import QgsSettings
    from qgis.PyQt.QtCore import QLocale

    value = QgsSettings().value("locale/userLocale", "") or ""
    value = str(value)
    return value if value else QLocale.system().name()


def qm_path(locale: str) -> str | None:
    """The compiled translation for a locale (``zh_CN``, ``zh``), if shipped."""
    for name in (locale, locale.split("_")[0]):
        path = os.path.join(I18N_DIR, f"zlt_assets_qgis_{name}.qm")
        if os.path.exists(path):
            return path
    if locale.startswith("zh"):
        path = os.path.join(I18N_DIR, "zlt_assets_qgis_zh_CN.qm")
        if os.path.exists(path):
            return path
    return None


def install_translator(locale: str | None = None) -> QTranslator | None:
    """Load and install the translator for ``locale`` (default: QGIS's); keep the returned
    object alive and pass it to ``removeTranslator`` on unload."""
    path = qm_path(locale or user_locale())
    if not path:
        return None
    translator = QTranslator()
    if not translator.load(path):
        return None
    QCoreApplication.installTranslator(translator)
    return translator
