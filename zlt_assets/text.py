r"""The one text helper: clean values from department files, recognise garbled (乱码) text.

Used by the import (every text value goes through :func:`clean_text`), by validation
(:func:`garbled` on every text field of the inventory) and by the encoding advice of the readers
(:func:`decodes_cleanly`: advice is given only when following it yields clean text).

Standard library only.

Examples
--------
>>> clean_text("  兴华\n街道 ")
('兴华 街道', 'line breaks or tabs replaced by spaces')
>>> garbled("名称".encode("utf-8").decode("gbk"))
'名称'
>>> garbled("扎兰屯市") is None
True
"""
from __future__ import annotations

import re
import unicodedata

from .errors import one_line

__all__ = [
    "CONTROL",
    "clean_text",
    "decodes_cleanly",
    "garbled",
    "has_control",
    "one_line",
]

#: Control characters other than tab, line feed and carriage return (refused in values).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e"
                     r"\u2066-\u2069\ufeff]")
_BREAKS = re.compile(r"[\t\r\n]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PUA = re.compile(r"[\ue000-\uf8ff]")


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or invisible formatting character (not tab/newline)."""
    return bool(CONTROL.search(text))


def clean_text(text: str) -> tuple[str | None, str | None]:
    """Normalise one text value from a department file.

    Returns ``(value, note)``: line breaks and tabs become single spaces, surrounding whitespace
    is removed, the text is put in Unicode NFC form (full-width letters stay as typed). Other
    control characters (escape sequences, bells, bidirectional overrides, zero-width spaces) are
    not silently removed: the value is refused with ``(None, reason)``.
    """
    if has_control(text):
        bad = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)})
        return None, f"text contains control characters ({', '.join(bad)})"
    note = None
    if _BREAKS.search(text):
        text = _BREAKS.sub(" ", text)
        text = re.sub(r" {2,}", " ", text)
        note = "line breaks or tabs replaced by spaces"
    text = unicodedata.normalize("NFC", text.strip())
    return text, note


def _gb2312(s: str) -> bool:
    try:
        s.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def _latin1_repair(s: str) -> str | None:
    """GBK or UTF-8 bytes that were decoded as Latin-1/cp1252, repaired; else None.

    Every Chinese character is two (GBK) or three (UTF-8) bytes, so each run of high bytes is at
    least two long; a lone accented letter (``naïve``, ``Müller``) is genuine.
    """
    for enc in ("latin-1", "cp1252"):
        try:
            raw = s.encode(enc)
        except UnicodeEncodeError:
            continue
        runs = re.findall(rb"[\x80-\xff]+", raw)
        if not runs or min(len(r) for r in runs) < 2:
            continue
        for dec in ("gb18030", "utf-8"):
            try:
                fixed = raw.decode(dec)
            except UnicodeDecodeError:
                continue
            if _CJK.search(fixed) and _gb2312("".join(_CJK.findall(fixed))):
                return fixed
    return None


def garbled(text: object) -> str | None:
    """The readable text when ``text`` is recognisable mojibake (乱码), else None.

    Two patterns are recognised, both checked by the round trip that repairs them:

    * GBK bytes decoded as Latin-1/cp1252 (``Õ¾µã`` for 站点);
    * UTF-8 bytes decoded as GBK (``鍚嶇О`` for 名称): the repaired text must be common Chinese
      (GB2312) where the garbled one is not, so genuine text is not flagged.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    s = text
    if any(0x80 <= ord(c) <= 0xFF for c in s) and not _CJK.search(s):
        fixed = _latin1_repair(s)
        if fixed is not None:
            return fixed
    marked = "\ufffd" in s or bool(_PUA.search(s))
    if not _CJK.search(s):
        return s.replace("\ufffd", "?") if "\ufffd" in s else None
    try:
        raw = s.encode("gb18030")
    except UnicodeEncodeError:
        return None
    fixed = raw.decode("utf-8", errors="replace")
    if marked:
        # replacement characters or private-use code points beside Chinese: bytes were decoded
        # with the wrong table (genuine text holds neither); the repair is a best effort
        core = fixed.replace("\ufffd", "")
        return fixed.replace("\ufffd", "?") if _CJK.search(core) else s.replace("\ufffd", "?")
    lost = fixed.count("\ufffd")
    core = fixed.replace("\ufffd", "")
    if fixed == s or not _CJK.search(core):
        return None
    if lost > max(1, len(core) // 4):
        return None  # the bytes are mostly not UTF-8: genuine GBK-range text
    # three UTF-8 bytes show as one and a half GBK characters: the garbled form is longer, and
    # the repaired one is common Chinese (GB2312) where the garbled one usually is not
    if len(core) >= len(s) or not _gb2312(core):
        return None
    if _gb2312(s) and len(s) < 4:
        return None  # short genuine words can round-trip by chance
    return fixed.replace("\ufffd", "?")


def decodes_cleanly(data: bytes, encoding: str) -> bool:
    """True when ``data`` decodes with ``encoding`` into clean text.

    Clean: no replacement characters, nothing :func:`garbled` recognises (line by line).
    """
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    if "\ufffd" in text:
        return False
    for line in text.splitlines()[:2000]:
        for part in re.split(r"[,;\t|]", line):
            if garbled(part.strip().strip('"')):
                return False
    return True
