r"""Data values written safely into files that meeting staff open: CSV, XLSX, Markdown.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP, "CSV Injection"); a Markdown viewer renders HTML held in a value.
The choices made here (documented in docs/maps.md, "Outputs opened by meeting staff"):

* CSV: a *text* value starting with one of those characters gets a leading apostrophe ``'``
  (OWASP's recommendation), so Excel and LibreOffice show it as text. Numbers stay numbers (a
  negative number is not text and is written as is). Quoting of separators and quotes is the
  CSV writer's job (pandas quotes as needed).
* XLSX: every text value is a string cell (``data_type "s"``), never a formula, whatever it
  starts with; a value starting with a formula character also gets Excel's "quote prefix" cell
  style, so editing the cell keeps it text. The stored text is the data unchanged.
* Markdown: ``&``, ``<`` and ``>`` become entities and the characters Markdown acts on
  (``\\ ` * _ [ ] ( ) | ! #``) are backslash-escaped, so a value shows as the text it is.
* HTML reports escape with :func:`html.escape` (unchanged).
"""
from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_PREFIXES", "csv_frame", "csv_value", "md_text", "xlsx_value"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_MD_SPECIAL = "\\`*_[]()|!#"


def csv_value(v: Any) -> Any:
    r"""A value for a CSV cell: text starting with a formula character gets a leading ``'``.

    Examples
    --------
    >>> csv_value("=SUM(A1)"), csv_value("@x")
    ("'=SUM(A1)", "'@x")
    >>> csv_value(-3.5), csv_value("兴华街道")
    (-3.5, '兴华街道')
    """
    if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
        return "'" + v
    return v


def csv_frame(df: Any) -> Any:
    """A copy of a DataFrame with every text cell passed through :func:`csv_value`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(csv_value).astype(object)
    out.columns = [csv_value(c) if isinstance(c, str) else c for c in out.columns]
    return out


def xlsx_value(cell: Any, v: Any) -> None:
    """Put a value into an openpyxl cell: text always as text, never a formula."""
    if v is None or isinstance(v, (bool, int, float)):
        cell.value = v
        return
    text = v if isinstance(v, str) else str(v)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def md_text(v: Any) -> str:
    r"""Text for a Markdown document (a table cell or a line): shown as text, never as markup.

    Examples
    --------
    >>> print(md_text("<b>x</b> **y** [a](j:x)"))
    &lt;b&gt;x&lt;/b&gt; \*\*y\*\* \[a\]\(j:x\)
    """
    s = str(v)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = []
    for ch in s:
        out.append("\\" + ch if ch in _MD_SPECIAL else ch)
    return "".join(out)


def _plain(v: Any) -> Any:
    """Numpy scalars as Python values, NaN/NaT/NA as None."""
    try:
        import pandas as pd

        if v is None or (not isinstance(v, (list, tuple, dict)) and bool(pd.isna(v))):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return v.item()
        except (AttributeError, ValueError):
            return v
    return v


def xlsx_frames(sheets: Any) -> bytes:
    """An XLSX workbook (bytes) of ``(sheet name, DataFrame)`` pairs; header row bold, frozen.

    Every cell goes through :func:`xlsx_value`: no cell from the data is ever a formula.
    """
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets:
        ws = wb.create_sheet(str(name)[:31])
        for col, header in enumerate(df.columns, start=1):
            cell = ws.cell(row=1, column=col)
            xlsx_value(cell, str(header))
            cell.font = Font(bold=True)
        for r, row in enumerate(df.itertuples(index=False, name=None), start=2):
            for col, v in enumerate(row, start=1):
                xlsx_value(ws.cell(row=r, column=col), _plain(v))
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
