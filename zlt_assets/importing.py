"""Importing department data into the inventory, safely.

Reads CSV, XLSX, Shapefile (honouring ``.cpg``; GBK/GB18030 when told or detected), GeoJSON,
KML and GeoPackage; maps Chinese column names and Chinese domain labels to the schema; converts
GCJ-02 / BD-09 / WGS84 / CGCS2000 / EPSG:n coordinates to EPSG:4550; assigns GB/T 30428 object
ids where missing; validates every row against the schema
(:func:`zlt_assets.validate.validate_layer`) and writes all or nothing.

It also recognises the common mistakes and says so: latitude and longitude swapped, GCJ-02 data
declared as WGS84 (a consistent offset from the inventory's roads that the GCJ-02 inverse
removes), projected metres declared as degrees, GBK text read as UTF-8 (decode errors, mojibake),
duplicate ids, points outside China or far from Zhalantun.

The input file is only ever read. Results are plain data (:class:`ImportReport`); the command
``zlt-assets import`` prints them.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from . import crs as zcrs
from . import schema
from ._io import LayerChanged, check_backup_dir, open_inventory, stat_file
from .errors import BadInput, Refused
from .errors import one_line as _one_line
from .inventory import Inventory, InventoryError, is_present
from .standards import IMPORT_DUPLICATE_DISTANCE as DUPLICATE_DISTANCE
from .text import clean_text, decodes_cleanly, garbled

__all__ = [
    "FROM_CRS_CHOICES",
    "ZHALANTUN_BBOX",
    "Diagnosis",
    "ImportOptions",
    "ImportReport",
    "RowProblem",
    "column_aliases",
    "import_file",
    "read_source",
]

#: Names accepted by ``--from-crs`` besides ``EPSG:n``.
FROM_CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02", "bd09")
_NAMED_CRS = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": "EPSG:4490",
              "bd09": "EPSG:4490"}
#: Rough box of Zhalantun's territory (lon/lat, with a margin): 120.3-123.5 E, 47.0-48.7 N.
ZHALANTUN_BBOX = (120.3, 47.0, 123.5, 48.7)
#: China's mainland box (lon/lat) for "outside China".
CHINA_BBOX = (73.4, 18.0, 135.1, 53.6)
#: Longest text value accepted (GeoPackage/Shapefile tools truncate beyond 254).
MAX_TEXT = 254
#: Offset check: a point layer's median distance to the roads must drop at least this factor
#: and start at least this far (metres) before "GCJ-02 declared as WGS84" is reported.
OFFSET_RATIO = 3.0
OFFSET_MIN_M = 40.0

#: Most rows one import takes (a department file for one layer; the largest layer of the sample,
#: buildings, holds a few thousand): beyond it the file is refused before memory runs out.
MAX_IMPORT_ROWS = 200_000
#: CSV rows read per chunk (text files are never read whole into memory).
CSV_CHUNK_ROWS = 20_000
#: Bytes read to recognise a text encoding.
SNIFF_BYTES = 1 << 20
#: How often an import re-reads the target when another program changed the layer meanwhile.
IMPORT_ATTEMPTS = 5

SUPPORTED = {".csv": "CSV", ".txt": "CSV", ".xlsx": "XLSX", ".xlsm": "XLSX", ".shp": "Shapefile",
             ".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".gpkg": "GeoPackage"}

_X_NAMES = ("x", "lon", "lng", "long", "longitude", "经度", "东经", "x坐标", "坐标x", "横坐标",
            "point_x", "gcj_lng", "bd_lng")
_Y_NAMES = ("y", "lat", "latitude", "纬度", "北纬", "y坐标", "坐标y", "纵坐标", "point_y",
            "gcj_lat", "bd_lat")
_WKT_NAMES = ("wkt", "geometry_wkt", "几何", "空间信息")
#: Column names common in department spreadsheets (beyond the schema's own zh/en labels).
_EXTRA_ALIASES = {
    "obj_id": ("编号", "编码", "对象编码", "对象编号", "部件编码", "部件编号", "objid", "obj id"),
    "name": ("名称", "名字", "站名", "站点名称", "厕所名称", "公厕名称", "道路名称", "建筑名称",
             "桥梁名称", "name"),
    "street_office": ("街道", "所属街道", "街道办", "街道办事处", "所在街道"),
    "department": ("单位", "责任单位", "管理单位", "主管部门", "权属单位", "部门"),
    "status": ("状态", "现状"),
    "routes": ("线路", "公交线路", "途经线路"),
    "completed_date": ("完成时间", "建成日期", "建成时间"),
    "updated": ("更新时间", "更新日期", "填报日期"),
    "data_source": ("来源", "数据来源"),
}
_DROP = "-"


# ============================================================================ results
@dataclass(frozen=True)
class RowProblem:
    """Why a row (or the whole file, ``row=None``) cannot be imported."""

    row: int | None  # 1-based data row of the source
    obj_id: str | None
    field: str | None
    message: str
    check: str

    def line(self) -> str:
        """The problem as one report line (``第4行 / row 4 [id] .field: reason``)."""
        where = f"第{self.row}行 / row {self.row}" if self.row else "文件 / file"
        if self.obj_id:
            where += f" [{self.obj_id}]"
        if self.field:
            where += f" .{self.field}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Diagnosis:
    """A recognised common mistake (``severity`` error refuses the import)."""

    code: str
    message: str
    severity: str = "error"
    zh: str | None = None


@dataclass
class ImportOptions:
    """Options of an import (``zlt-assets import`` arguments)."""

    from_crs: str | None = None
    x: str | None = None
    y: str | None = None
    wkt: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    mode: str = "append"  # append | replace | upsert
    dry_run: bool = False
    source_layer: str | None = None
    trust_crs: bool = False
    backup_dir: Path | None = None
    #: create the target GeoPackage when it does not exist (never implicitly)
    create: bool = False
    #: most rows accepted (default :data:`MAX_IMPORT_ROWS`)
    max_rows: int | None = None


@dataclass
class ImportReport:
    """What an import found and did."""

    layer: str
    source: str
    target: str
    mode: str
    dry_run: bool
    rows_read: int = 0
    rows_written: int = 0
    #: rows not written because the inventory (or an earlier row of the file) already holds them
    rows_skipped: int = 0
    ids_assigned: int = 0
    written: bool = False
    backup: str | None = None
    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    dropped_columns: list[str] = field(default_factory=list)
    filled_defaults: dict[str, object] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing refuses the import."""
        return not self.problems and not any(d.severity == "error" for d in self.diagnoses)

    @property
    def bad_rows(self) -> list[int]:
        """The source rows (1-based) with problems."""
        return sorted({p.row for p in self.problems if p.row})

    def lines(self) -> list[str]:
        """Diagnoses, problems by row, then notes, one line each."""
        out = [f"诊断 / diagnosis: {d.message}" for d in self.diagnoses]
        out += [p.line() for p in sorted(self.problems, key=lambda p: (p.row or 0, p.field or ""))]
        out += [f"说明 / note: {n}" for n in self.notes]
        return out

    def to_dict(self) -> dict[str, object]:
        """The report as plain data (the ``--json`` file)."""
        d = asdict(self)
        d["ok"] = self.ok
        d["bad_rows"] = self.bad_rows
        return d


# ============================================================================ reading
@dataclass
class Source:
    """A read source: a table, the geometry when the format carries one, its CRS."""

    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None
    crs: CRS | None
    encoding: str | None
    kind: str
    notes: list[str] = field(default_factory=list)


def read_source(path: str | os.PathLike[str], *, encoding: str | None = None,
                layer: str | None = None, max_rows: int | None = None) -> Source:
    """Read a department file; BadInput with one line when it cannot be read.

    Text files are read in chunks (never whole into memory) and every format stops at
    ``max_rows`` (default :data:`MAX_IMPORT_ROWS`) with a clear refusal, so memory stays bounded
    whatever the file's size.

    Parameters
    ----------
    path
        CSV, XLSX, Shapefile, GeoJSON, KML or GeoPackage file.
    encoding
        Text encoding for CSV and Shapefile (``gbk``, ``gb18030``, ``utf-8``); detected when
        ``None`` (Shapefiles: the ``.cpg`` when the bytes agree with it).
    layer
        Layer of a multi-layer GeoPackage/KML, or sheet of a workbook (a workbook with several
        sheets holding rows must name one).
    max_rows
        Most rows accepted.
    """
    p = Path(path)
    limit = MAX_IMPORT_ROWS if max_rows is None else max_rows
    st = stat_file(p, "input file", "输入文件")
    assert st is not None
    kind = SUPPORTED.get(p.suffix.lower())
    if kind is None:
        raise BadInput(f"unsupported file type {p.suffix or '(none)'}: use one of "
                       f"{', '.join(sorted(set(SUPPORTED)))}",
                       zh=f"不支持的文件类型 {p.suffix or '(无)'}")
    if st.st_size == 0:
        raise BadInput(f"input file is empty: {p.name}", zh=f"输入文件为空:{p.name}")
    if not os.access(p, os.R_OK):
        raise BadInput(f"cannot read {p}: permission denied", zh=f"无法读取 {p}:没有权限")
    if encoding is not None:
        encoding = _normalise_encoding(encoding)
    try:
        if kind == "CSV":
            return _read_csv(p, encoding, limit)
        if kind == "XLSX":
            return _read_xlsx(p, layer, limit)
        return _read_vector(p, kind, encoding, layer, limit)
    except MemoryError:
        raise BadInput(f"{p.name} is too large to import at once (out of memory); split it into "
                       "smaller files",
                       zh=f"{p.name} 太大,内存不足以一次导入;请拆分为较小的文件") from None
    except PermissionError:
        raise BadInput(f"cannot read {p}: permission denied", zh=f"无法读取 {p}:没有权限") from None
    except IsADirectoryError:
        raise BadInput(f"input must be a file, got a folder: {p}",
                       zh=f"输入必须是文件,而不是文件夹:{p}") from None


def _too_many_rows(name: str, limit: int) -> BadInput:
    return BadInput(f"{name} holds more than {limit:,} rows, more than one import takes; split it "
                    "into smaller files (memory stays bounded: the rest was not read)",
                    zh=f"{name} 超过 {limit:,} 行,超出单次导入上限;请拆分为较小的文件")


def _normalise_encoding(enc: str) -> str:
    e = enc.strip().lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "utf-8-sig": "utf-8", "gb2312": "gbk", "cp936": "gbk",
               "gb18030": "gb18030", "gbk": "gbk", "utf-8": "utf-8"}
    if e not in aliases:
        raise BadInput(f"unsupported encoding {enc!r}: use gbk, gb18030 or utf-8",
                       zh=f"不支持的编码 {enc!r}:请用 gbk、gb18030 或 utf-8", option="encoding")
    return aliases[e]


def _codec(encoding: str) -> str:
    return "utf-8-sig" if encoding == "utf-8" else ("gb18030" if encoding == "gbk" else encoding)


def _is_utf8(sample: bytes) -> bool:
    """True when ``sample`` (possibly cut mid-character at its end) is UTF-8 with non-ASCII."""
    if not any(b >= 0x80 for b in sample):
        return False
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"


def _sniff_text(p: Path, encoding: str | None) -> tuple[str, list[str]]:
    """The encoding to read a text file with (from its first megabytes), and notes.

    Valid UTF-8 is never read as GBK; advice to use another encoding is given only when that
    encoding decodes the bytes into clean text.
    """
    with open(p, "rb") as fh:
        sample = fh.read(SNIFF_BYTES)
    name = p.name
    if encoding is None:
        if _is_utf8(sample) or not any(b >= 0x80 for b in sample):
            return "utf-8", []
        if decodes_cleanly(_trim(sample), "gb18030"):
            return "gb18030", ["检测到 GBK/GB18030 编码 / detected GBK/GB18030 encoding"]
        raise BadInput(f"{name}: the text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 "
                       "(or give {option})", zh=f"{name}:文本既不是 UTF-8 也不是 GBK/GB18030;"
                       "请另存为 UTF-8(或用 {option} 指定)", option="encoding")
    if encoding in ("gbk", "gb18030") and _is_utf8(sample):
        example = _garble_example(sample)
        raise BadInput(f"{name} is UTF-8: reading it as {encoding.upper()} would garble every "
                       f"Chinese name{example}; leave out {{option}} (or give utf-8)",
                       zh=f"{name} 是 UTF-8 编码:按 {encoding.upper()} 读取会使中文变成乱码"
                          f"{example};"
                          "请去掉 {option}(或指定 utf-8)", option="encoding")
    return encoding, []


def _trim(sample: bytes) -> bytes:
    """``sample`` without a possibly cut last line."""
    cut = sample.rfind(b"\n")
    return sample[:cut] if 0 < cut < len(sample) else sample


def _garble_example(sample: bytes) -> str:
    m = re.search(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}){2,4}", sample)
    if not m:
        return ""
    word = m.group(0).decode("utf-8")
    return f" ({word} -> {m.group(0).decode('gb18030', errors='replace')})"


def _decode_error(p: Path, encoding: str, exc: UnicodeDecodeError, offset: int) -> BadInput:
    """A decoding failure, with advice only when the advised encoding reads the file cleanly."""
    with open(p, "rb") as fh:
        sample = _trim(fh.read(SNIFF_BYTES))
    hint = hint_zh = ""
    other = "gb18030" if encoding == "utf-8" else "utf-8"
    label = "GBK/GB18030 (Chinese Windows)" if other == "gb18030" else "UTF-8"
    if decodes_cleanly(sample, other):
        arg = "gbk" if other == "gb18030" else "utf-8"
        hint = f": it looks like {label}; use {{option}} {arg}"
        hint_zh = f":看起来是 {label},请用 {{option}} {arg}"
    where = offset + exc.start
    return BadInput(f"{p.name} cannot be decoded as {encoding} (byte {where}){hint}",
                    zh=f"{p.name} 无法按 {encoding} 解码(第 {where} 字节){hint_zh}",
                    option="encoding")


def _read_csv(p: Path, encoding: str | None, limit: int) -> Source:
    import csv

    enc, notes = _sniff_text(p, encoding)
    head = _head_text(p, enc)
    if "\x00" in head:
        raise BadInput(f"{p.name} contains NUL bytes: not a text CSV file (binary or UTF-16?)",
                       zh=f"{p.name} 含有 NUL 字节:不是文本 CSV 文件(二进制或 UTF-16?)")
    try:
        sep = csv.Sniffer().sniff(head[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    header = next(csv.reader(io.StringIO(head), delimiter=sep), [])
    _check_headers([h.strip() for h in header], p.name)
    chunks: list[pd.DataFrame] = []
    n = 0
    fh = open(p, encoding=_codec(enc), errors="strict", newline="")  # noqa: SIM115
    try:
        reader = pd.read_csv(fh, sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                             chunksize=CSV_CHUNK_ROWS)
        for chunk in reader:
            n += len(chunk)
            if n > limit:
                raise _too_many_rows(p.name, limit)
            chunks.append(chunk)
    except UnicodeDecodeError as exc:
        raise _decode_error(p, enc, exc, 0) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        _raise_resource_fault(exc, p)
        raise BadInput(f"{p.name} is not a readable CSV table: {_one_line(exc)}",
                       zh=f"{p.name} 不是可读的 CSV 表格") from None
    finally:
        fh.close()
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=header)
    frame = frame.replace({"": None})
    return Source(frame, None, None, enc, "CSV", notes)


def _raise_resource_fault(exc: BaseException, p: Path) -> None:
    """A parser error that is really the machine's fault (memory, disk) is raised as such.

    pandas' C parser reports a failed ``read`` of its source as a ParserError ("Calling
    read(nbytes) on source failed"): the file is not malformed, the memory or the disk failed.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (MemoryError, OSError)) and seen is not exc:
            raise seen
        seen = seen.__cause__ or seen.__context__
    if "read(nbytes)" in str(exc):
        raise BadInput(f"{p.name} could not be read to the end (out of memory, or a read error of "
                       "its disk); nothing was imported",
                       zh=f"{p.name} 无法读完(内存不足或磁盘读取错误);未导入任何内容") from None


def _head_text(p: Path, enc: str) -> str:
    with open(p, "rb") as fh:
        sample = fh.read(64 * 1024)
    return sample.decode(_codec(enc), errors="ignore")


def _check_headers(header: list[str], name: str) -> None:
    """Refuse repeated column names (one of the columns would be lost) and blank ones with data."""
    seen: dict[str, int] = {}
    dups = []
    for i, h in enumerate(header):
        key = h.strip()
        if not key:
            continue
        if key in seen:
            dups.append(f"{key!r} (columns {seen[key] + 1} and {i + 1})")
        else:
            seen[key] = i
    if dups:
        raise BadInput(f"{name} repeats column names: {', '.join(dups)}; rename one so that no "
                       "column is lost",
                       zh=f"{name} 的列名重复:{', '.join(dups)};请改名,以免丢失一列")


def _read_xlsx(p: Path, sheet: str | None, limit: int) -> Source:
    import openpyxl

    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, ValueError from openpyxl
        raise BadInput(f"{p.name} is not a readable XLSX workbook: {_one_line(exc)}",
                       zh=f"{p.name} 不是可读的 XLSX 工作簿") from None
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise BadInput(f"{p.name} has no sheet {sheet!r} (sheets: {', '.join(names)})",
                           zh=f"{p.name} 没有工作表 {sheet!r}(工作表:{', '.join(names)})",
                           option="source_layer")
        if sheet is None:
            with_rows = [n for n in names if _sheet_has_rows(book[n])]
            if len(with_rows) > 1:
                raise BadInput(f"{p.name} has {len(with_rows)} sheets with rows "
                               f"({', '.join(with_rows)}); choose one with {{option}}",
                               zh=f"{p.name} 有 {len(with_rows)} 个含数据的工作表"
                                  f"({', '.join(with_rows)});请用 {{option}} 选择一个",
                               option="source_layer")
            sheet = with_rows[0] if with_rows else names[0]
        rows = book[sheet].iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return Source(pd.DataFrame(), None, None, None, "XLSX", [])
        header = ["" if h is None else str(h).strip() for h in header_row]
        _check_headers(header, f"{p.name} [{sheet}]")
        data = []
        for r in rows:
            if r is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in r):
                continue
            data.append(list(r[:len(header)]) + [None] * (len(header) - len(r)))
            if len(data) > limit:
                raise _too_many_rows(p.name, limit)
    except BadInput:
        raise
    except Exception as exc:
        raise BadInput(f"{p.name} is not a readable XLSX workbook: {_one_line(exc)}",
                       zh=f"{p.name} 不是可读的 XLSX 工作簿") from None
    finally:
        book.close()
    keep = [i for i, h in enumerate(header) if h]
    frame = pd.DataFrame([[row[i] for i in keep] for row in data],
                         columns=[header[i] for i in keep], dtype=object)
    frame = frame.astype(object).where(frame.notna(), None)
    notes = [f"工作表 / sheet: {sheet}"] if len(names) > 1 else []
    return Source(frame, None, None, None, "XLSX", notes)


def _sheet_has_rows(ws: Any) -> bool:
    for i, r in enumerate(ws.iter_rows(values_only=True)):
        if i >= 1 and any(v is not None and str(v).strip() for v in r):
            return True
        if i > 50:
            break
    return False


def _read_vector(p: Path, kind: str, encoding: str | None, layer: str | None,
                 limit: int) -> Source:
    import pyogrio

    notes: list[str] = []
    if kind == "Shapefile":
        missing = [s for s in (".shx", ".dbf") if not p.with_suffix(s).exists()
                   and not p.with_suffix(s.upper()).exists()]
        if missing:
            raise BadInput(f"{p.name}: the shapefile is incomplete, {', '.join(missing)} missing "
                           "(copy all parts: .shp .shx .dbf .prj .cpg)",
                           zh=f"{p.name}:Shapefile 不完整,缺少 {', '.join(missing)}"
                              "(请复制全部文件:.shp .shx .dbf .prj .cpg)")
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(p)]
    except Exception as exc:
        raise BadInput(f"{p.name} is not a readable {kind} file: {_one_line(exc)}",
                       zh=f"{p.name} 不是可读的 {kind} 文件") from None
    if not layers:
        raise BadInput(f"{p.name} holds no layers", zh=f"{p.name} 不含任何图层")
    if layer is None:
        if len(layers) > 1:
            raise BadInput(f"{p.name} holds several layers ({', '.join(layers)}); "
                           "choose one with {option}",
                           zh=f"{p.name} 含多个图层({', '.join(layers)});请用 {{option}} 选择一个",
                           option="source_layer")
        layer = layers[0]
    elif layer not in layers:
        raise BadInput(f"{p.name} has no layer {layer!r} (layers: {', '.join(layers)})",
                       zh=f"{p.name} 没有图层 {layer!r}(图层:{', '.join(layers)})",
                       option="source_layer")
    kwargs: dict[str, Any] = {"layer": layer}
    enc_used = None
    if kind == "Shapefile":
        enc_used = _shapefile_encoding(p, encoding, notes)
        if enc_used is not None:
            kwargs["encoding"] = _codec(enc_used).replace("utf-8-sig", "utf-8")
    try:
        info = pyogrio.read_info(p, layer=layer, **({"encoding": kwargs["encoding"]}
                                                    if "encoding" in kwargs else {}))
        count = int(info.get("features") or 0)
    except Exception:
        count = 0
    if count > limit:
        raise _too_many_rows(p.name, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # at most one feature past the limit is read, whatever count the driver reported
            gdf = pyogrio.read_dataframe(p, max_features=limit + 1, **kwargs)
    except UnicodeDecodeError as exc:
        declared = f" (declared {enc_used})" if enc_used else ""
        advice = ""
        dbf = p.with_suffix(".dbf")
        if dbf.exists() and _dbf_decodes(dbf, "gb18030"):
            advice = ": it is GBK/GB18030; give {option} gbk (or fix the .cpg)"
        declared_zh = f"(声明为 {enc_used})" if enc_used else ""
        raise BadInput(f"{p.name}: text cannot be decoded as {exc.encoding}{declared}{advice}",
                       zh=f"{p.name}:文本无法按 {exc.encoding} 解码{declared_zh}"
                          + (":它是 GBK/GB18030 编码,请用 {option} gbk(或修正 .cpg)"
                             if advice else ""), option="encoding") from None
    except (MemoryError, OSError):
        raise  # the machine's fault, not the file's: the CLI says so (exit 2-4)
    except Exception as exc:
        raise BadInput(f"cannot read {p.name}: {_one_line(exc)}",
                       zh=f"无法读取 {p.name}") from None
    if len(gdf) > limit:
        raise _too_many_rows(p.name, limit)
    cols = [str(c) for c in gdf.columns if c != getattr(gdf, "_geometry_column_name", None)]
    _check_headers(cols, p.name)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        frame = pd.DataFrame(gdf)
        return Source(frame.astype(object).where(frame.notna(), None), None, None, enc_used,
                      kind, notes)
    geom = gdf.geometry
    frame = pd.DataFrame(gdf.drop(columns=[gdf.geometry.name]))
    frame = frame.astype(object).where(frame.notna(), None)
    return Source(frame, geom, gdf.crs, enc_used, kind, notes)


def _shapefile_encoding(p: Path, encoding: str | None, notes: list[str]) -> str | None:
    """The encoding to read a shapefile's .dbf with.

    The option, else the bytes (a .cpg is trusted only when the bytes agree with it), else the
    .cpg, else GDAL's default.
    """
    dbf = p.with_suffix(".dbf")
    body = _dbf_body(dbf)
    if encoding is not None:
        if encoding in ("gbk", "gb18030") and body and _is_utf8(body):
            raise BadInput(f"{p.name}: the text is UTF-8; reading it as {encoding.upper()} would "
                           "garble every Chinese name; leave out {option}",
                           zh=f"{p.name}:文本是 UTF-8;按 {encoding.upper()} 读取会产生乱码;"
                              "请去掉 {option}", option="encoding")
        return encoding
    cpg = p.with_suffix(".cpg")
    declared = None
    if cpg.exists():
        declared = cpg.read_text(encoding="ascii", errors="replace").strip() or None
    if body and _is_utf8(body):
        if declared and _normalise_cpg(declared) != "utf-8":
            notes.append(f".cpg 声明 {declared},但文本是 UTF-8,按 UTF-8 读取 / .cpg declares "
                         f"{declared} but the text is UTF-8: read as UTF-8")
        elif not declared:
            notes.append("未找到 .cpg, 文本是 UTF-8 / no .cpg: the text is UTF-8")
        return "utf-8"
    if body and any(b >= 0x80 for b in body) and decodes_cleanly(body, "gb18030"):
        if declared and _normalise_cpg(declared) == "utf-8":
            return "utf-8"  # reading fails below with advice: the .cpg contradicts the bytes
        note = (f".cpg 声明 {declared} / .cpg declares {declared}" if declared else
                "未找到 .cpg, 检测到 GBK/GB18030 编码 / no .cpg: detected GBK/GB18030")
        notes.append(note)
        return "gb18030"
    if declared:
        notes.append(f".cpg 声明编码 / .cpg declares {declared}")
        norm = _normalise_cpg(declared)
        return norm if norm in ("utf-8", "gb18030") else None
    return None


def _normalise_cpg(declared: str) -> str:
    d = declared.strip().lower().replace("_", "-")
    if d in ("utf-8", "utf8", "65001"):
        return "utf-8"
    if d in ("gbk", "gb2312", "gb18030", "cp936", "936", "ansi 936", "54936"):
        return "gb18030"
    return d


def _dbf_body(dbf: Path) -> bytes:
    try:
        with open(dbf, "rb") as fh:
            data = fh.read(SNIFF_BYTES)
    except OSError:
        return b""
    if len(data) < 32:
        return b""
    header_len = int.from_bytes(data[8:10], "little")
    return data[header_len:]


def _dbf_decodes(dbf: Path, encoding: str) -> bool:
    body = _dbf_body(dbf)
    return bool(body) and decodes_cleanly(body, encoding)


# ============================================================================ columns and values
def column_aliases(layer: schema.LayerDef) -> dict[str, str]:
    """Source column name (normalised) -> schema field, derived from the schema's labels."""
    out: dict[str, str] = {}

    def add(alias: str, target: str) -> None:
        out.setdefault(_norm(alias), target)

    for f in layer.fields:
        add(f.name, f.name)
        add(f.zh, f.name)
        add(f.en, f.name)
        add(f.label, f.name)
    for target, aliases in _EXTRA_ALIASES.items():
        if target in layer.field_names:
            for a in aliases:
                add(a, target)
    type_fields = [f.name for f in layer.fields if f.name.endswith("_type")]
    if type_fields:
        add("类型", type_fields[0])
        add("type", type_fields[0])
    return out


def _norm(name: object) -> str:
    s = str(name).strip().lower()
    s = re.sub(r"[\s_\-()（）/]+", "", s)
    return s


def _map_columns(frame: pd.DataFrame, layer: schema.LayerDef, opts: ImportOptions,
                 report: ImportReport, has_geometry: bool,
                 ) -> tuple[pd.DataFrame, str | None, str | None, str | None]:
    """Rename columns to schema fields; returns (frame, x column, y column, wkt column)."""
    aliases = column_aliases(layer)
    targets_ok = set(layer.field_names) | {"x", "y", "wkt", _DROP}
    user = {}
    for src, dst in opts.mapping.items():
        if dst not in targets_ok:
            raise BadInput(f"--map {src}={dst}: {dst!r} is not a field of {layer.name} "
                           f"(fields: {', '.join(layer.field_names)}; or x, y, wkt, -)")
        if src not in frame.columns:
            raise BadInput(f"--map {src}={dst}: the file has no column {src!r} "
                           f"(columns: {', '.join(map(str, frame.columns))})")
        user[src] = dst
    for opt, label in ((opts.x, "--x"), (opts.y, "--y"), (opts.wkt, "--wkt")):
        if opt is not None and opt not in frame.columns:
            raise BadInput(f"{label} {opt}: the file has no column {opt!r} "
                           f"(columns: {', '.join(map(str, frame.columns))})")
    xcol, ycol, wcol = opts.x, opts.y, opts.wkt
    rename: dict[str, str] = {}
    dropped: list[str] = []
    used: dict[str, str] = {}
    for col in frame.columns:
        if col in (opts.x, opts.y, opts.wkt):
            continue
        if col in user:
            dst = user[col]
        else:
            n = _norm(col)
            if not has_geometry and xcol is None and wcol is None and n in _X_NAMES:
                dst = "x"
            elif not has_geometry and ycol is None and wcol is None and n in _Y_NAMES:
                dst = "y"
            elif not has_geometry and wcol is None and xcol is None and n in _WKT_NAMES:
                dst = "wkt"
            else:
                dst = aliases.get(n, _DROP)
        if dst == _DROP:
            dropped.append(str(col))
            continue
        if dst == "x":
            xcol = col
            continue
        if dst == "y":
            ycol = col
            continue
        if dst == "wkt":
            wcol = col
            continue
        if dst in used:
            raise BadInput(f"columns {used[dst]!r} and {col!r} both map to {dst}; "
                           f"drop one with --map {col}=-")
        used[dst] = str(col)
        rename[col] = dst
    report.columns = {str(k): v for k, v in rename.items()}
    report.dropped_columns = dropped
    out = frame.rename(columns=rename)[list(rename.values())].copy()
    return out, xcol, ycol, wcol


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _convert_value(v: object, f: schema.FieldDef) -> tuple[object, str | None]:
    """(value in the schema's type, problem or None)."""
    if not is_present(v):
        return None, None
    if isinstance(v, str):
        cleaned, why = clean_text(v)
        if cleaned is None:
            return None, why  # control characters: refused (a line break was only normalised)
        if not cleaned:
            return None, None
        v = cleaned
    if f.domain is not None:
        s = str(v)
        for code in f.domain.values:
            if s == code.code or s == code.zh or s.lower() == code.en.lower():
                return code.code, None
        return s, None  # validation reports the domain problem with the allowed values
    if f.type == "text":
        s = str(v)
        if isinstance(v, float) and v.is_integer():
            s = str(int(v))
        if len(s) > MAX_TEXT:
            return None, f"text is {len(s)} characters long, more than {MAX_TEXT}"
        return s, None
    if f.type in ("integer", "real"):
        if isinstance(v, bool):
            return None, f"{v!r} is not a number"
        try:
            x = float(v) if isinstance(v, (int, float)) else float(str(v).replace(",", ""))
        except (TypeError, ValueError):
            return None, f"{_short(v)} is not a number"
        if not math.isfinite(x):
            return None, f"{_short(v)} is not a finite number"
        if abs(x) > 1e12:
            return None, f"{_short(v)} is an absurdly large number"
        if f.type == "integer":
            if not x.is_integer():
                return None, f"{_short(v)} is not a whole number"
            return int(x), None
        return x, None
    if f.type == "boolean":
        s = str(v).strip().lower()
        if isinstance(v, (bool, np.bool_)):
            return bool(v), None
        if s in ("1", "1.0", "true", "t", "yes", "y", "是", "有", "√", "✓"):
            return True, None
        if s in ("0", "0.0", "false", "f", "no", "n", "否", "无", "×", "✗"):
            return False, None
        return None, f"{_short(v)} is not yes/no (是/否)"
    if f.type in ("date", "datetime"):
        if isinstance(v, (dt.datetime, pd.Timestamp)):
            if f.type == "date":
                return v.strftime("%Y-%m-%d"), None
            return pd.Timestamp(v).isoformat(), None
        if isinstance(v, dt.date):
            return v.isoformat(), None
        s = str(v).strip()
        if f.type == "datetime":
            try:
                return pd.Timestamp(s).isoformat(), None
            except (ValueError, TypeError):
                return None, f"{_short(s)} is not a date and time"
        s = s.split(" ")[0].split("T")[0]
        for pat in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                try:
                    d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    return None, f"{_short(v)} is not a real date"
                return d.isoformat(), None
        return None, f"{_short(v)} is not a date (YYYY-MM-DD)"
    return v, None


# ============================================================================ geometry
def _resolve_crs(from_crs: str | None) -> tuple[str | None, CRS | None]:
    """(web-map system 'gcj02'/'bd09' or None, pyproj CRS of the numbers after conversion)."""
    if from_crs is None:
        return None, None
    key = from_crs.strip().lower().replace("-", "").replace("_", "")
    if key in ("wgs84", "cgcs2000", "gcj02", "bd09"):
        return (key if key in ("gcj02", "bd09") else None), CRS.from_user_input(_NAMED_CRS[key])
    if not re.match(r"^(EPSG|ESRI):\d+$", from_crs.strip(), flags=re.I):
        raise BadInput(f"unknown --from-crs {from_crs!r}: use wgs84, cgcs2000, gcj02, bd09 or "
                       "EPSG:n (e.g. EPSG:4550)")
    try:
        return None, CRS.from_user_input(from_crs.strip().upper())
    except CRSError:
        raise BadInput(f"unknown --from-crs {from_crs!r}: use wgs84, cgcs2000, gcj02, bd09 or "
                       "EPSG:n (e.g. EPSG:4550)") from None


_DMS = re.compile(r"^\s*((?:[NSEW]|[东西南北][经纬]?)?)\s*(\d{1,3})\s*[°度]\s*"
                  r"(?:(\d{1,2}(?:\.\d+)?)\s*[′'分])?"
                  r"\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:[″\"]|''|秒))?\s*([NSEW东西南北]?)\s*$", re.I)


class CoordinateError(ValueError):
    """A coordinate value that cannot be read (the message says why)."""


def _to_float(v: object) -> float:
    """A coordinate value as a float: decimal degrees, metres, or degrees-minutes-seconds.

    NaN for a blank value; :class:`CoordinateError` for degrees-minutes-seconds whose minutes or
    seconds are 60 or more (``122度75分`` is not a position).
    """
    if v is None:
        return math.nan
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return float(v)
    s = str(v).strip()
    try:
        return float(s)
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m:
        return math.nan
    minutes, seconds = float(m.group(3) or 0), float(m.group(4) or 0)
    if minutes >= 60:
        raise CoordinateError(f"minutes {minutes:g} are 60 or more in {s!r}")
    if seconds >= 60:
        raise CoordinateError(f"seconds {seconds:g} are 60 or more in {s!r}")
    deg = float(m.group(2)) + minutes / 60 + seconds / 3600
    hemi = (m.group(1) or m.group(5) or " ")[0].upper()
    return -deg if hemi in ("S", "W", "南", "西") else deg


def _apply_lonlat(geoms: np.ndarray, fn: Callable) -> np.ndarray:
    def tr(coords: np.ndarray) -> np.ndarray:
        lon, lat = fn(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, tr)


def _geographic(c: CRS | None) -> bool:
    return c is not None and c.is_geographic


def _guess_projected(x: np.ndarray, y: np.ndarray) -> str:
    mx, my = float(np.nanmedian(x)), float(np.nanmedian(y))
    if 3.5e7 < mx < 4.5e7 and 1e6 < my < 7e6:
        return "EPSG:4529 (CGCS2000 GK zone 41, easting with the 41 prefix)"
    if 1e5 < mx < 9e5 and 1e6 < my < 7e6:
        return "EPSG:4550 (CGCS2000 / 3-degree GK CM 123E)"
    return "a projected CRS (EPSG:n)"


# ============================================================================ the import
def import_file(layer: str, path: str | os.PathLike[str],
                data: str | os.PathLike[str] | None = None,
                options: ImportOptions | None = None) -> ImportReport:
    """Import one department file into a layer of an inventory, all or nothing.

    Rows already in the inventory are never added twice: a row identical to a stored feature
    (same object id and content, or the same content and position without an id) is skipped
    and counted; a row with the same name and position as a stored feature but other values is
    refused (update it by object id with the upsert mode). The write is one transaction; when
    another program changed the layer while the import was checking, the import checks again
    against the new state (a few times) instead of overwriting that change.

    Parameters
    ----------
    layer
        Target layer (a declared asset or frame layer).
    path
        The file to import (never changed).
    data
        Target inventory: GeoPackage path or ``postgresql://`` URL; ``None`` for the default. A
        GeoPackage that does not exist is created only with ``options.create``.
    options
        :class:`ImportOptions`.

    Returns
    -------
    ImportReport
        ``report.ok`` and ``report.written`` say what happened; when not ok, ``problems`` lists
        every bad row with its reason and ``diagnoses`` the recognised mistakes.

    Raises
    ------
    BadInput
        The file cannot be read, an option is wrong, the target cannot be opened.
    Refused
        The target refused the write, another program kept writing it, it is read-only (nothing
        was written).
    """
    opts = options or ImportOptions()
    if opts.mode not in ("append", "replace", "upsert"):
        raise BadInput(f"unknown {{option}} {opts.mode!r}: use append, replace or upsert",
                       zh=f"未知的 {{option}} {opts.mode!r}:请用 append、replace 或 upsert",
                       option="mode")
    try:
        decl = schema.layer(layer)
    except KeyError as exc:
        raise BadInput(str(exc.args[0])) from None
    if (opts.x is None) != (opts.y is None):
        raise BadInput("give both --x and --y (or --wkt)", zh="请同时给出 --x 和 --y(或 --wkt)")
    if opts.wkt is not None and opts.x is not None:
        raise BadInput("give either --x/--y or --wkt, not both", zh="--x/--y 与 --wkt 只能选一种")
    if opts.backup_dir is not None:
        check_backup_dir(opts.backup_dir)
    webmap, declared_crs = _resolve_crs(opts.from_crs)
    target = _open_target(data, create=opts.create)
    src = read_source(path, encoding=opts.encoding, layer=opts.source_layer,
                      max_rows=opts.max_rows)
    report = ImportReport(layer=layer, source=str(path), target=target.label, mode=opts.mode,
                          dry_run=opts.dry_run, encoding=src.encoding)
    report.notes.extend(src.notes)
    frame = src.frame
    report.rows_read = len(frame)
    if frame.empty:
        raise BadInput(f"{Path(path).name} holds no rows to import",
                       zh=f"{Path(path).name} 没有可导入的行")
    _check_mojibake(frame, report, Path(path), src.kind, src.encoding)

    has_geom = src.geometry is not None
    mapped, xcol, ycol, wcol = _map_columns(frame, decl, opts, report, has_geom)

    # ---- geometry and CRS
    geoms, crs_in = _build_geometry(src, frame, xcol, ycol, wcol, report)
    geoms = _flatten(geoms, report)
    if declared_crs is not None:
        if crs_in is not None and not _geographic(crs_in) and webmap:
            raise BadInput(f"--from-crs {opts.from_crs} needs longitude/latitude, but the file "
                           f"is in {crs_in.to_string()}")
        crs_in = declared_crs
    if crs_in is None:
        raise BadInput(f"the coordinate system of {Path(path).name} is not known: say where the "
                       "points came from with --from-crs wgs84|cgcs2000|gcj02|bd09|EPSG:n "
                       "(points picked on Gaode/Tencent maps are gcj02, on Baidu bd09)",
                       zh=f"{Path(path).name} 的坐标系未知:请用 --from-crs 说明来源"
                          "(高德/腾讯取点为 gcj02,百度为 bd09)")
    coords_ok = _check_coordinates(geoms, crs_in, report)
    roads = None
    if not opts.trust_crs and decl.geometry == "Point" and _geographic(crs_in):
        roads = _target_roads(target)
    if coords_ok and roads is not None:
        _check_webmap_offset(geoms, webmap, roads, report)
    elif coords_ok and not opts.trust_crs and decl.geometry == "Point" and _geographic(crs_in):
        report.notes.append("目标清单没有道路, 未做 GCJ-02/BD-09 偏移检查 / the target has no "
                            "roads: the GCJ-02/BD-09 offset check was skipped")
    if webmap == "gcj02":
        geoms = _apply_lonlat(geoms, zcrs.gcj02_to_wgs84)
    elif webmap == "bd09":
        geoms = _apply_lonlat(geoms, zcrs.bd09_to_wgs84)
    projected = _project(geoms, crs_in)
    if coords_ok:
        _check_location(projected, report)

    # ---- attributes
    gdf = gpd.GeoDataFrame(mapped.reset_index(drop=True), geometry=projected,
                           crs=schema.PROJECT_CRS)
    source_fields = [f for f in report.columns.values() if f in decl.field_names]
    _convert_attributes(gdf, decl, report)
    _fill_defaults(gdf, decl, report)
    gdf = _skip_repeated_rows(gdf, source_fields, report)

    # ---- against the target, as it is when the write happens
    base = (list(report.problems), list(report.diagnoses), list(report.notes),
            report.rows_skipped)
    for attempt in range(IMPORT_ATTEMPTS):
        report.problems, report.diagnoses, report.notes = (list(base[0]), list(base[1]),
                                                           list(base[2]))
        report.rows_skipped = base[3]
        if attempt:
            report.notes.append(f"另一个程序同时修改了该图层, 已按新内容重新检查 ({attempt} 次) / "
                                f"another program changed the layer meanwhile: checked again "
                                f"against it ({attempt}x)")
        existing = _read_existing(target, layer)
        work = gdf.copy()
        work = _skip_present(work, existing, source_fields, opts.mode, report)
        _check_and_assign_ids(work, decl, existing, opts.mode, report)
        _validate(layer, work, report)
        if not report.ok:
            return report
        report.rows_written = len(work)
        if opts.dry_run:
            report.notes.append("演练, 未写入 / dry run: nothing written")
            report.rows_written = 0
            return report
        if not len(work) and opts.mode != "replace":
            report.notes.append("没有新行, 清单未改动 / no new rows: the inventory was not changed")
            return report
        combined = _combine(existing, work, opts.mode)
        try:
            report.backup = _write(target, layer, combined, existing, opts)
        except LayerChanged:
            continue
        report.written = True
        return report
    raise Refused(f"layer {layer} of {target.label} kept changing while this import was checking "
                  f"it ({IMPORT_ATTEMPTS} attempts): another program is editing it; nothing was "
                  "written, try again later",
                  zh=f"{target.label} 的图层 {layer} 在导入检查期间不断被另一个程序修改"
                     f"(已尝试 {IMPORT_ATTEMPTS} 次);未写入任何内容,请稍后再试")


def _write(target: Inventory, layer: str, combined: gpd.GeoDataFrame,
           existing: gpd.GeoDataFrame | None, opts: ImportOptions) -> str | None:
    """Write the combined layer, with the backup of mode replace (a GeoPackage: inside the lock)."""
    needs_backup = opts.mode == "replace" and existing is not None and len(existing) > 0
    if target.backend == "gpkg":
        folder = opts.backup_dir if opts.backup_dir is not None else Path(target.path).parent
        backup = target.write({layer: combined}, create=opts.create,
                              backup_dir=folder if needs_backup else None)
        return str(backup) if backup is not None else None
    # a database: the backup holds the rows as this import read them; the write then checks
    # their versions, so a row changed since (not in the backup) is never replaced
    path = None
    if needs_backup and existing is not None:
        from .inventory import write_backup

        path = write_backup(opts.backup_dir or Path.cwd(), f"{Path(target.path).name}-{layer}",
                            {layer: existing.drop(columns=["row_version"], errors="ignore")})
    target.write({layer: combined})
    return str(path) if path is not None else None


def _open_target(data: str | os.PathLike[str] | None, *, create: bool = False) -> Inventory:
    """The target inventory; a GeoPackage that does not exist is accepted only with ``create``."""
    return open_inventory(data, create=create)


def _flatten(geoms: np.ndarray, report: ImportReport) -> np.ndarray:
    """Z and M values dropped (every inventory layer is 2D), with a note saying how many."""
    ok = ~shapely.is_missing(geoms)
    if not ok.any():
        return geoms
    has_z = shapely.has_z(geoms[ok])
    has_m = shapely.has_m(geoms[ok]) if hasattr(shapely, "has_m") else np.zeros(len(has_z), bool)
    n = int((has_z | has_m).sum())
    if not n:
        return geoms
    out = geoms.copy()
    out[ok] = shapely.force_2d(geoms[ok])
    what = "Z" if has_z.any() and not has_m.any() else ("M" if not has_z.any() else "Z/M")
    report.notes.append(f"{n} 个几何含 {what} 值, 已按二维存储 / {n} geometries had {what} values: "
                        "stored in 2D (the inventory layers are 2D)")
    return out


# ---------------------------------------------------------------------------- repeated rows
def _fingerprints(gdf: gpd.GeoDataFrame, fields: list[str]) -> list[str]:
    """A digest per row of the given fields and the geometry (to 1 cm): the same asset twice."""
    import hashlib

    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    wkb = np.full(len(geoms), b"", dtype=object)
    if ok.any():
        wkb[ok] = shapely.to_wkb(shapely.set_precision(geoms[ok], 0.01), output_dimension=2)
    cols = [gdf[f].tolist() if f in gdf.columns else [None] * len(gdf) for f in fields]
    out = []
    for i in range(len(gdf)):
        h = hashlib.blake2b(digest_size=12)
        for c in cols:
            h.update(_canon(c[i]).encode("utf-8") + b"\x1f")
        h.update(wkb[i] or b"")
        out.append(h.hexdigest())
    return out


def _canon(v: object) -> str:
    if not is_present(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
        return repr(round(x, 6)) if math.isfinite(x) else ""
    return str(v).strip()


def _content_fields(source_fields: list[str]) -> list[str]:
    """The fields that say what an asset is: the file's own, without the id and the date."""
    return sorted(f for f in source_fields if f not in ("obj_id", "updated"))


def _skip_repeated_rows(gdf: gpd.GeoDataFrame, source_fields: list[str],
                        report: ImportReport) -> gpd.GeoDataFrame:
    """A row that repeats an earlier row of the same file exactly is imported once.

    Row numbers in problems found later refer to the rows kept (the report says which went).
    """
    if len(gdf) < 2:
        return gdf
    prints = _fingerprints(gdf, _content_fields(source_fields) + (
        ["obj_id"] if "obj_id" in gdf.columns else []))
    first: dict[str, int] = {}
    drop = []
    for i, fp in enumerate(prints):
        if fp in first:
            drop.append(i)
        else:
            first[fp] = i
    if not drop:
        return gdf
    rows = ", ".join(str(i + 1) for i in drop[:10]) + (" ..." if len(drop) > 10 else "")
    report.notes.append(f"文件中 {len(drop)} 行与前面的行完全相同, 只导入一次 / {len(drop)} rows "
                        f"repeat an earlier row of the file exactly and are imported once "
                        f"(rows {rows})")
    report.rows_skipped += len(drop)
    gone = set(drop)
    return gdf.iloc[[i for i in range(len(gdf)) if i not in gone]].reset_index(drop=True)


def _skip_present(work: gpd.GeoDataFrame,
                  existing: gpd.GeoDataFrame | None, source_fields: list[str], mode: str,
                  report: ImportReport) -> gpd.GeoDataFrame:
    """Rows already in the inventory: identical ones skipped (counted), near twins refused."""
    if existing is None or not len(existing) or mode == "replace" or not len(work):
        return work
    fields = _content_fields(source_fields)
    new_prints = _fingerprints(work, fields)
    old_prints = _fingerprints(existing, fields)
    old_ids = existing["obj_id"].astype(str).tolist() if "obj_id" in existing.columns else None
    by_print: dict[str, list[int]] = {}
    for j, fp in enumerate(old_prints):
        by_print.setdefault(fp, []).append(j)
    id_rows: dict[str, int] = {}
    if old_ids is not None:
        id_rows = {oid: j for j, oid in enumerate(old_ids)}
    skip: list[int] = []
    has_id = "obj_id" in work.columns
    for i, fp in enumerate(new_prints):
        oid = work["obj_id"].iat[i] if has_id else None
        if is_present(oid):
            k = id_rows.get(str(oid).strip())
            if k is not None and old_prints[k] == fp:
                skip.append(i)  # the same asset, the same values: already imported
        elif fp in by_print:
            skip.append(i)
    near = _same_name_and_place(work, existing, skip)
    for i, j in near:
        oid = old_ids[j] if old_ids is not None else None
        report.problems.append(RowProblem(
            i + 1, None, "name", "an asset with the same name and position is already in the "
            f"inventory{f' ({oid})' if oid else ''} with other values; to change it, give its "
            "object id and use the upsert mode (--mode upsert)", "duplicate_position"))
    if skip:
        report.rows_skipped += len(skip)
        report.notes.append(f"{len(skip)} 行已在清单中(内容相同), 已跳过 / {len(skip)} rows are "
                            "already in the inventory with the same content: skipped")
        keep = [i for i in range(len(work)) if i not in set(skip)]
        work = work.iloc[keep].reset_index(drop=True)
    return work


def _same_name_and_place(work: gpd.GeoDataFrame, existing: gpd.GeoDataFrame,
                         skip: list[int]) -> list[tuple[int, int]]:
    """(new row, stored row) pairs, same name within ``DUPLICATE_DISTANCE``, no id given."""
    if "name" not in work.columns or "name" not in existing.columns:
        return []
    has_id = "obj_id" in work.columns
    tol = float(DUPLICATE_DISTANCE.value)
    g_old = existing.geometry.values
    ok_old = ~(shapely.is_missing(g_old) | shapely.is_empty(g_old))
    if not ok_old.any():
        return []
    idx_old = np.flatnonzero(ok_old)
    tree = shapely.STRtree(g_old[ok_old])
    names_old = existing["name"].tolist()
    out = []
    skipped = set(skip)
    for i in range(len(work)):
        if i in skipped or (has_id and is_present(work["obj_id"].iat[i])):
            continue
        name = work["name"].iat[i]
        g = work.geometry.iat[i]
        if not is_present(name) or g is None or g.is_empty:
            continue
        for k in tree.query(g, predicate="dwithin", distance=tol):
            j = int(idx_old[k])
            if str(names_old[j]).strip() == str(name).strip() and \
                    shapely.hausdorff_distance(g, g_old[j]) <= tol:
                out.append((i, j))
                break
    return out


def _build_geometry(src: Source, frame: pd.DataFrame, xcol, ycol, wcol,
                    report: ImportReport) -> tuple[np.ndarray, CRS | None]:
    n = len(frame)
    if src.geometry is not None and xcol is None and wcol is None:
        return np.asarray(src.geometry.values, dtype=object), src.crs
    if wcol is not None:
        out = np.empty(n, dtype=object)
        for i, v in enumerate(frame[wcol].tolist()):
            if not is_present(v):
                out[i] = None
                continue
            try:
                out[i] = shapely.from_wkt(str(v))
            except shapely.errors.GEOSException as exc:
                report.problems.append(RowProblem(
                    i + 1, None, "geometry", f"WKT cannot be read: {_short(_one_line(exc), 60)}",
                    "geometry_wkt"))
                out[i] = None
        return out, None
    if xcol is None or ycol is None:
        raise BadInput("no geometry: the file has no coordinate columns; name them with "
                       "--x COL --y COL (e.g. --x 经度 --y 纬度) or --wkt COL")
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    bad_dms: set[int] = set()
    for i, (xv, yv) in enumerate(zip(frame[xcol].tolist(), frame[ycol].tolist(), strict=False)):
        for arr, v in ((xs, xv), (ys, yv)):
            try:
                arr[i] = _to_float(v)
            except CoordinateError as exc:
                bad_dms.add(i)
                report.problems.append(RowProblem(i + 1, None, "geometry",
                                                  f"coordinate cannot be read: {exc}",
                                                  "coordinates"))
    for i, (xv, yv, x, y) in enumerate(zip(frame[xcol].tolist(), frame[ycol].tolist(), xs, ys,
                                           strict=True)):
        if i in bad_dms:
            continue
        if not (math.isfinite(x) and math.isfinite(y)):
            report.problems.append(RowProblem(
                i + 1, None, "geometry",
                f"coordinates missing or not numbers (x={_short(xv)}, y={_short(yv)})",
                "coordinates"))
    ok = np.isfinite(xs) & np.isfinite(ys)
    out = np.empty(n, dtype=object)
    out[:] = None
    if ok.any():
        out[ok] = shapely.points(xs[ok], ys[ok])
    return out, None


def _check_coordinates(geoms: np.ndarray, crs_in: CRS, report: ImportReport) -> bool:
    """Degrees vs metres, swapped axes, non-finite values; False when the coordinates are wrong."""
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return False
    coords = shapely.get_coordinates(geoms[present])
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        idx = np.flatnonzero(present)
        counts = shapely.get_num_coordinates(geoms[present])
        bad_rows = set()
        start = 0
        for j, c in enumerate(counts):
            if not np.isfinite(coords[start:start + c]).all():
                bad_rows.add(int(idx[j]) + 1)
            start += c
        for r in sorted(bad_rows):
            report.problems.append(RowProblem(r, None, "geometry",
                                              "coordinates are NaN or infinite", "coordinates"))
        coords = coords[finite]
        if not len(coords):
            return False
    x, y = coords[:, 0], coords[:, 1]
    if np.abs(x).max() > 1e9 or np.abs(y).max() > 1e9:
        top = max(np.abs(x).max(), np.abs(y).max())
        report.diagnoses.append(Diagnosis(
            "huge_coordinates", f"coordinates up to {top:.3g} are "
            "far beyond any coordinate system on Earth: check the columns and units"))
        return False
    if _geographic(crs_in):
        in_x = (x > 73) & (x < 136)
        in_y = (y > 17) & (y < 54)
        swapped = (y > 73) & (y < 136) & (x > 17) & (x < 54)
        if swapped.mean() > 0.5 and (in_x & in_y).mean() < 0.5:
            report.diagnoses.append(Diagnosis(
                "lat_lon_swapped",
                f"latitude and longitude look swapped (x={x[0]:.4f}, y={y[0]:.4f}: China's "
                "longitudes are 73-135, latitudes 18-54); swap the columns (--x and --y)"))
            return False
        if (np.abs(x) > 180).mean() > 0.5 or (np.abs(y) > 90).mean() > 0.5:
            report.diagnoses.append(Diagnosis(
                "projected_as_degrees",
                f"coordinates like {x[0]:.0f}, {y[0]:.0f} are metres, not degrees: the data is "
                f"projected; declare it, e.g. --from-crs {_guess_projected(x, y).split(' ')[0]} "
                f"(looks like {_guess_projected(x, y)})"))
            return False
        if (np.abs(x) > 180).any() or (np.abs(y) > 90).any():
            report.diagnoses.append(Diagnosis(
                "degrees_out_of_range", "some coordinates are beyond ±180/±90 degrees"))
            return False
    else:
        if (np.abs(x) <= 180).all() and (np.abs(y) <= 90).all() and crs_in.is_projected:
            report.diagnoses.append(Diagnosis(
                "degrees_as_projected",
                f"coordinates like {x[0]:.5f}, {y[0]:.5f} look like degrees, but "
                f"{crs_in.to_string()} is in metres: declare --from-crs wgs84|cgcs2000|gcj02|bd09"))
            return False
    return True


def _project(geoms: np.ndarray, crs_in: CRS) -> gpd.GeoSeries:
    gs = gpd.GeoSeries(geoms, crs=crs_in)
    with np.errstate(all="ignore"):
        try:
            out = gs.to_crs(schema.PROJECT_CRS)
        except Exception as exc:
            raise BadInput(f"cannot convert from {crs_in.to_string()} to EPSG:4550: "
                           f"{_one_line(exc)}") from None
    return out


def _target_roads(target: Inventory) -> gpd.GeoDataFrame | None:
    try:
        if target.has("roads"):
            roads = target.read("roads")
            return roads if len(roads) else None
    except (InventoryError, BadInput):
        return None
    return None


def _median_road_distance(points: gpd.GeoSeries,
                          roads: gpd.GeoDataFrame) -> tuple[float, np.ndarray]:
    tree = shapely.STRtree(roads.geometry.values)
    g = points.values
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    d = np.full(len(g), np.nan)
    if ok.any():
        _, dist = tree.query_nearest(g[ok], return_distance=True, all_matches=False)
        d[ok] = dist
    return float(np.nanmedian(d)) if ok.any() else math.nan, d


def _check_webmap_offset(geoms: np.ndarray, webmap: str | None,
                         roads: gpd.GeoDataFrame, report: ImportReport) -> None:
    """Compare distances to the inventory's roads under each reading of the coordinates."""
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if ok.sum() < 3:
        return
    g = geoms[ok]
    base = "EPSG:4490"
    candidates = {
        "wgs84": g,
        "gcj02": _apply_lonlat(g, zcrs.gcj02_to_wgs84),
        "bd09": _apply_lonlat(g, zcrs.bd09_to_wgs84),
    }
    dists: dict[str, tuple[float, np.ndarray]] = {}
    for k, gg in candidates.items():
        proj = gpd.GeoSeries(gg, crs=base).to_crs(schema.PROJECT_CRS)
        if not np.isfinite(shapely.get_coordinates(proj.values)).all():
            return
        dists[k] = _median_road_distance(proj, roads)
    declared = webmap or "wgs84"
    d_decl, per_decl = dists[declared]
    best = min(dists, key=lambda k: dists[k][0])
    d_best, per_best = dists[best]
    if best == declared or not math.isfinite(d_decl):
        return
    closer = float(np.mean(per_best < per_decl))
    if d_decl >= OFFSET_MIN_M and d_decl >= OFFSET_RATIO * max(d_best, 1.0) and closer >= 0.7:
        names = {"wgs84": "WGS84/CGCS2000", "gcj02": "GCJ-02 (Gaode/Tencent)",
                 "bd09": "BD-09 (Baidu)"}
        report.diagnoses.append(Diagnosis(
            f"{best}_declared_as_{declared}",
            f"the points look like {names[best]} declared as {names[declared]}: as declared they "
            f"sit a median {d_decl:.0f} m from the inventory's roads, read as {best} "
            f"{d_best:.0f} m "
            f"({closer:.0%} of points closer); re-run with --from-crs {best} "
            "(or --trust-crs if the offset is real)"))


def _check_location(projected: gpd.GeoSeries, report: ImportReport) -> None:
    g = projected.values
    ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
    if not ok.any():
        return
    cent = shapely.centroid(g[ok])
    ll = gpd.GeoSeries(cent, crs=schema.PROJECT_CRS).to_crs("EPSG:4490")
    lon, lat = ll.x.to_numpy(), ll.y.to_numpy()
    idx = np.flatnonzero(ok)
    for j, (lo, la) in enumerate(zip(lon, lat, strict=False)):
        r = int(idx[j]) + 1
        if not (CHINA_BBOX[0] <= lo <= CHINA_BBOX[2] and CHINA_BBOX[1] <= la <= CHINA_BBOX[3]):
            report.problems.append(RowProblem(
                r, None, "geometry", f"point is outside China (lon {lo:.4f}, lat {la:.4f})",
                "outside_china"))
        elif not (ZHALANTUN_BBOX[0] <= lo <= ZHALANTUN_BBOX[2]
                  and ZHALANTUN_BBOX[1] <= la <= ZHALANTUN_BBOX[3]):
            report.problems.append(RowProblem(
                r, None, "geometry", f"feature is outside Zhalantun (lon {lo:.4f}, lat {la:.4f})",
                "outside_city"))


def _check_mojibake(frame: pd.DataFrame, report: ImportReport, src: Path, kind: str,
                    encoding: str | None) -> None:
    """Text garbled before (乱码): refuse, with advice only when following it gives clean text."""
    first: tuple[str, str] | None = None
    count = 0
    for s in [str(c) for c in frame.columns]:
        fixed = garbled(s)
        if fixed:
            first = first or (s, fixed)
            count += 1
    for col in frame.columns:
        for v in frame[col].tolist():
            if isinstance(v, str):
                fixed = garbled(v)
                if fixed:
                    first = first or (v, fixed)
                    count += 1
    if first is None:
        return
    s, fixed = first
    raw = b""
    if kind == "CSV":
        with open(src, "rb") as fh:
            raw = _trim(fh.read(SNIFF_BYTES))
    elif kind == "Shapefile":
        raw = _dbf_body(src.with_suffix(".dbf"))
    if raw and encoding not in ("gb18030", "gbk") and decodes_cleanly(raw, "gb18030"):
        advice, advice_zh = "give {option} gbk", "请用 {option} gbk"
    else:
        advice = ("the file itself holds garbled text (it was read with the wrong encoding "
                  "before it was saved): re-export it from the original as UTF-8")
        advice_zh = "文件本身已含乱码(保存前曾被按错误编码读取):请从原始数据重新导出为 UTF-8"
    report.diagnoses.append(Diagnosis(
        "mojibake", f"text looks garbled (乱码) in {count} value(s), e.g. {_short(s)} reads as "
        f"{_short(fixed)}: {advice.replace('{option}', '--encoding')}",
        zh=f"{count} 个值疑似乱码,例如 {_short(s)} 应为 {_short(fixed)}:"
           f"{advice_zh.replace('{option}', '--encoding')}"))


_BREAKS = re.compile(r"[\t\r\n]")


def _convert_attributes(gdf: gpd.GeoDataFrame, decl: schema.LayerDef, report: ImportReport) -> None:
    broken: list[int] = []
    for f in decl.fields:
        if f.name not in gdf.columns:
            continue
        values = []
        for i, v in enumerate(gdf[f.name].tolist()):
            if isinstance(v, str) and _BREAKS.search(v.strip()):
                broken.append(i + 1)
            out, problem = _convert_value(v, f)
            if problem:
                report.problems.append(RowProblem(i + 1, _row_id(gdf, i), f.name,
                                                  f"{problem} ({f.zh} / {f.en})", "type"))
            values.append(out)
        if f.type == "integer":
            gdf[f.name] = pd.array([None if v is None else v for v in values], dtype="Int64")
        elif f.type == "real":
            gdf[f.name] = pd.array([np.nan if v is None else v for v in values], dtype="float64")
        elif f.type == "boolean":
            gdf[f.name] = pd.array(values, dtype="boolean")
        else:
            gdf[f.name] = pd.Series(values, index=gdf.index, dtype=object)
    if broken:
        rows = sorted(set(broken))
        report.notes.append(f"{len(rows)} 行的文本含换行或制表符, 已换成空格 / line breaks or "
                            f"tabs in the text of {len(rows)} rows were replaced by spaces (rows "
                            + ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
                            + ")")


def _row_id(gdf: gpd.GeoDataFrame, i: int) -> str | None:
    if "obj_id" in gdf.columns:
        v = gdf["obj_id"].iat[i]
        return str(v) if is_present(v) else None
    return None


def _fill_defaults(gdf: gpd.GeoDataFrame, decl: schema.LayerDef, report: ImportReport) -> None:
    today = dt.date.today().isoformat()
    for f in decl.fields:
        if f.name in gdf.columns or f.name == "obj_id":
            continue
        value: object | None = f.default
        if f.name == "updated":
            value = today
        if value is None:
            continue
        gdf[f.name] = pd.Series([value] * len(gdf), index=gdf.index, dtype=object)
        if f.type == "boolean":
            gdf[f.name] = gdf[f.name].astype("boolean")
        report.filled_defaults[f.name] = value
    if report.filled_defaults:
        report.notes.append("缺少的列用默认值填充 / missing columns filled with defaults: "
                            + ", ".join(f"{k}={v}" for k, v in report.filled_defaults.items()))


def _read_existing(target: Inventory, layer: str) -> gpd.GeoDataFrame | None:
    try:
        if target.path is not None and target.backend == "gpkg" and not Path(target.path).exists():
            return None
        if target.has(layer):
            return target.read(layer)
    except InventoryError:
        if target.backend == "gpkg" and Path(target.path).exists():
            raise
        return None
    return None


def _check_and_assign_ids(gdf: gpd.GeoDataFrame, decl: schema.LayerDef,
                          existing: gpd.GeoDataFrame | None, mode: str,
                          report: ImportReport) -> None:
    if "obj_id" not in decl.field_names:
        return
    if "obj_id" not in gdf.columns:
        gdf["obj_id"] = pd.Series([None] * len(gdf), index=gdf.index, dtype=object)
    ids = [str(v).strip() if is_present(v) else None for v in gdf["obj_id"].tolist()]
    # duplicates inside the file
    first: dict[str, int] = {}
    dup_ids = set()
    for i, v in enumerate(ids):
        if v is None:
            continue
        if v in first:
            dup_ids.add(v)
            report.problems.append(RowProblem(i + 1, v, "obj_id",
                                              f"duplicate object id (also row {first[v] + 1})",
                                              "id_duplicate"))
        else:
            first[v] = i
    if dup_ids:
        report.diagnoses.append(Diagnosis(
            "duplicate_ids", f"{len(dup_ids)} object ids appear more than once in the file "
            f"(e.g. {sorted(dup_ids)[0]})"))
    existing_ids: set[str] = set()
    if existing is not None and "obj_id" in existing.columns and mode != "replace":
        existing_ids = {str(v) for v in existing["obj_id"].tolist() if is_present(v)}
        if mode == "append":
            for i, v in enumerate(ids):
                if v is not None and v in existing_ids:
                    report.problems.append(RowProblem(
                        i + 1, v, "obj_id", "object id is already in the inventory "
                        "(use --mode upsert to update existing assets)", "id_exists"))
    # assign missing ids: next free serial per component code
    taken = set(existing_ids) | {v for v in ids if v}
    next_serial: dict[str, int] = {}
    for v in taken:
        try:
            div, comp, serial = schema.parse_object_id(v)
        except ValueError:
            continue
        if div == schema.DIVISION_CODE:
            next_serial[comp] = max(next_serial.get(comp, 0), serial)
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    assigned = 0
    for i, v in enumerate(ids):
        if v is not None:
            continue
        code = decl.component_code_for(records[i])
        if code is None:
            report.problems.append(RowProblem(
                i + 1, None, "obj_id", "object id is missing and cannot be assigned: the "
                f"component code depends on {decl.code_field}, which is empty or unknown",
                "id_missing"))
            continue
        serial = next_serial.get(code, 0) + 1
        if serial >= 1_000_000:
            report.problems.append(RowProblem(i + 1, None, "obj_id",
                                              f"no free serial left for component code {code}",
                                              "id_missing"))
            continue
        next_serial[code] = serial
        ids[i] = schema.make_object_id(code, serial)
        assigned += 1
    gdf["obj_id"] = pd.Series(ids, index=gdf.index, dtype=object)
    report.ids_assigned = assigned
    if assigned:
        report.notes.append(f"已分配 {assigned} 个对象编码 / assigned {assigned} object ids "
                            "(GB/T 30428, next free serial)")


def _validate(layer: str, gdf: gpd.GeoDataFrame, report: ImportReport) -> None:
    from .validate import validate_layer

    rows_by_label: dict[str, list[int]] = {}
    labels = []
    for i in range(len(gdf)):
        oid = _row_id(gdf, i)
        label = oid if oid else f"row {i + 1}"
        if "obj_id" not in gdf.columns and "code" in gdf.columns and is_present(gdf["code"].iat[i]):
            label = str(gdf["code"].iat[i])
        labels.append(label)
        rows_by_label.setdefault(label, []).append(i + 1)
    already = {(p.row, p.field) for p in report.problems}
    rows_with_geometry_problem = {p.row for p in report.problems if p.field == "geometry"}
    for p in validate_layer(layer, gdf):
        if p.severity != "error":
            if p.severity == "warning" and p.obj_id is None and p.check != "missing_field":
                report.notes.append(f"{p.field or ''}: {p.message}".strip(": "))
            continue
        if p.check == "id_duplicate" and p.field == "obj_id":
            continue  # reported with row numbers already
        rows = rows_by_label.get(p.obj_id or "", []) if p.obj_id else []
        if p.obj_id and p.obj_id.startswith("row ") and not rows:
            rows = [int(p.obj_id.split()[1])]
        if not rows:
            report.problems.append(RowProblem(None, None, p.field, p.message, p.check))
            continue
        for r in rows:
            if (r, p.field) in already:
                continue
            if p.field == "geometry" and r in rows_with_geometry_problem:
                continue
            oid = None if (p.obj_id or "").startswith("row ") else p.obj_id
            report.problems.append(RowProblem(r, oid, p.field, p.message, p.check))


def _combine(existing: gpd.GeoDataFrame | None, new: gpd.GeoDataFrame,
             mode: str) -> gpd.GeoDataFrame:
    if existing is None or mode == "replace" or not len(existing):
        out = new.copy()
        if existing is not None:
            out.attrs = {}
        return out
    if mode == "upsert" and "obj_id" in new.columns and "obj_id" in existing.columns:
        incoming = dict(zip(new["obj_id"].astype(str), range(len(new)), strict=False))
        parts = []
        used = set()
        for i, oid in enumerate(existing["obj_id"].astype(str)):
            if oid in incoming:
                j = incoming[oid]
                row = new.iloc[[j]].copy()
                if "row_version" in existing.columns:
                    row["row_version"] = existing["row_version"].iloc[i]
                parts.append(row)
                used.add(j)
            else:
                parts.append(existing.iloc[[i]])
        rest = [j for j in range(len(new)) if j not in used]
        if rest:
            parts.append(new.iloc[rest])
        out = pd.concat(parts, ignore_index=True)
    else:
        out = pd.concat([existing, new], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry=existing.geometry.name, crs=schema.PROJECT_CRS)
    out.attrs = dict(existing.attrs)
    return out


def _short(v: object, n: int = 40) -> str:
    s = repr(v)
    return s if len(s) <= n else s[: n - 3] + "...'"

