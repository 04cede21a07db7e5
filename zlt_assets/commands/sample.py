"""``zlt-assets sample``: copy the shipped sample inventory into a folder, to edit or study."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import BadInput, Refused
from ._common import step

NAME = "sample"
ORDER = 95
HELP = "复制示例数据 / copy the sample inventory (GeoPackage, population grid, QGIS project)"
DESCRIPTION = """把随附的示例清单(zhalantun.gpkg、人口格网 GeoTIFF、QGIS 工程 .qgz、说明 README.md)
复制到一个文件夹,供编辑或学习;随附的原件从不被修改。示例数据为示意数据,非实地调查。
Copies the shipped sample inventory (zhalantun.gpkg, the population GeoTIFF, the QGIS project
.qgz and the provenance README.md) into a folder, to edit or to study; the shipped copy is never
changed. The sample is illustrative, not surveyed.

  zlt-assets sample --out my-city
  zlt-assets validate --data my-city/zhalantun.gpkg

Exit codes: 0 copied, 2 bad folder, 4 refused (a file of that name exists; --force replaces)."""

#: The files of the sample, as the package ships them.
FILES = ("zhalantun.gpkg", "zhalantun_population.tif", "zhalantun.qgz", "README.md")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", required=True,
                        help="目标文件夹(不存在则创建)/ folder to copy into (created if missing)")
    parser.add_argument("--force", action="store_true",
                        help="覆盖同名文件 / replace files of the same name")


def run(args: argparse.Namespace) -> int:
    import shutil

    from .._io import atomic_path
    from ..inventory import sample_path

    src_dir = sample_path().parent
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{{option}} must be a folder, {out} is a file",
                       zh=f"{{option}} 必须是文件夹,{out} 是文件", option="out")
    missing = [f for f in FILES if not (src_dir / f).is_file()]
    if missing:
        raise BadInput(f"the installed package lacks sample files: {', '.join(missing)}",
                       zh=f"安装的软件包缺少示例文件:{'、'.join(missing)}")
    existing = [f for f in FILES if (out / f).exists()]
    if existing and not args.force:
        raise Refused(f"{out} already holds {', '.join(existing)}; nothing copied (add --force "
                      "to replace them)",
                      zh=f"{out} 已有 {'、'.join(existing)},未复制(加 --force 覆盖)")
    out.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(FILES):
        step(f"复制 / copying {name}", i / len(FILES))
        with atomic_path(out / name) as tmp:
            shutil.copyfile(src_dir / name, tmp)
    print(f"示例数据已复制到 / sample copied to {out}: {', '.join(FILES)}")
    print("示例数据为示意数据,非实地调查 / the sample is illustrative, not surveyed.")
    return 0
