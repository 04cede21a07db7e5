"""The one place for writes (private): atomic files, and output to standard output.

Every writer of zlt-assets goes through this module:

* :func:`atomic_path` - a temporary file beside the target, handed to a writer that needs a path
  (GeoPackage builders, openpyxl, matplotlib), moved over the target only when the writer
  succeeded; a failure or an interrupt leaves the old file and no temporary file;
* :func:`write_bytes`, :func:`write_text`, :func:`write_json` - the same for data in memory;
  ``-`` as the target writes to standard output instead.

The file keeps its identity: a symlink is followed (its target is replaced, the link stays), the
permissions of an existing file are kept (a new file gets ``0666 & ~umask``, not ``mkstemp``'s
``0600``), and special files (devices, FIFOs, folders) are never replaced.

The core imports nothing of the faces, and this module imports only the standard library.
"""
from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import BadInput, Refused

__all__ = [
    "STDOUT",
    "atomic_path",
    "is_stdout",
    "json_text",
    "resolve_target",
    "write_bytes",
    "write_json",
    "write_text",
]

#: The target name that means standard output.
STDOUT = "-"


def is_stdout(target: str | os.PathLike[str] | None) -> bool:
    """True when ``target`` is ``-`` (standard output)."""
    return target is not None and os.fspath(target) == STDOUT


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def resolve_target(target: str | os.PathLike[str]) -> Path:
    """The regular file a write to ``target`` replaces (symlinks followed).

    Raises
    ------
    BadInput
        ``target`` is a folder, a device, a FIFO or another special file, or its folder is a file.
    Refused
        ``target`` exists and is read-only (exit 4: nothing is written).
    """
    p = Path(target)
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise BadInput(f"cannot write {target}: a part of its folder path is a file") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise BadInput(f"cannot write {target}: it is a folder, give a file name")
        if not stat.S_ISREG(st.st_mode):
            raise BadInput(f"refusing to replace {target}: it is not a regular file "
                           f"(device, FIFO or socket); use '-' for standard output")
        if not os.access(p, os.W_OK):
            raise Refused(f"refusing to replace {target}: the file is read-only")
    parent = p.parent
    if parent.exists() and not parent.is_dir():
        raise BadInput(f"cannot write {target}: {parent} is a file, not a folder")
    return p


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it over ``target`` when the block succeeds.

    The temporary file does not exist when the block starts (writers that refuse to overwrite,
    such as GDAL's, can create it). On any exception, including ``KeyboardInterrupt``, it is
    removed and ``target`` is untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("done", encoding="utf-8")
    >>> out.read_text(encoding="utf-8")
    'done'
    """
    dst = resolve_target(target)
    dst.parent.mkdir(parents=True, exist_ok=True)
    old_mode = stat.S_IMODE(dst.stat().st_mode) if dst.exists() else None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}-", suffix=suffix or dst.suffix or ".tmp",
                                    dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            raise RuntimeError(f"the writer produced no file for {target}")
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~_umask())
        os.replace(tmp, dst)
    except BaseException:
        # the temporary file and any SQLite side files a writer left beside it
        for side in (tmp, *(tmp.with_name(tmp.name + s) for s in ("-wal", "-shm", "-journal"))):
            with contextlib.suppress(OSError):
                side.unlink()
        raise


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes atomically (``-``: standard output)."""
    if is_stdout(target):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_text(target: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically with ``\\n`` line ends (``-``: standard output)."""
    write_bytes(target, text.encode("utf-8"))


def json_text(obj: Any) -> str:
    """JSON as zlt-assets writes it: UTF-8 with Chinese kept readable, indented, one final newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n"


def write_json(target: str | os.PathLike[str], obj: Any) -> None:
    """Write JSON atomically (``-``: standard output)."""
    write_text(target, json_text(obj))
