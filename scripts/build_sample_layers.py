#!/usr/bin/env python
"""Build the sample inventory of Zhalantun: ``layers/zhalantun.gpkg`` + population GeoTIFF.

构建扎兰屯示例清单（示意数据，真实参考数据见 tools/sample_build/reference）。

Usage::

    .venv/bin/python scripts/build_sample_layers.py            # into layers/
    .venv/bin/python scripts/build_sample_layers.py --out DIR  # elsewhere

Deterministic: a fixed seed and the committed reference copies in
``tools/sample_build/reference`` give the same features on every run. See ``layers/README.md``
for what is real and what is made.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# the builder is a repository tool, not part of the installed package
sys.path.insert(0, str(REPO / "tools" / "sample_build"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import sample_build  # noqa: E402

from zlt_assets.errors import EXIT_BAD_INPUT, BadInput, ZltError  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="构建扎兰屯示例清单 / Build the Zhalantun sample inventory (illustrative data)")
    parser.add_argument("--out", type=Path, default=sample_build.DEFAULT_OUT,
                        help="输出目录 / output folder (default: layers/)")
    parser.add_argument("--reference", type=Path, default=sample_build.REFERENCE_DIR,
                        help="参考数据目录 / reference data folder "
                             "(default: tools/sample_build/reference)")
    parser.add_argument("--no-styles", action="store_true",
                        help="不写入 QGIS 样式 / do not store QGIS styles in the GeoPackage")
    parser.add_argument("--tables", action="store_true",
                        help="打印 layers/README.md 的统计表 / print the generated tables of "
                             "layers/README.md for the GeoPackage in --out, then stop")
    args = parser.parse_args(argv)
    try:
        if args.tables:
            print(sample_build.readme_tables(args.out / sample_build.GPKG_NAME))
            return 0
        if not args.reference.is_dir():
            raise BadInput(f"reference folder not found: {args.reference}")
        gpkg = sample_build.build(args.out, ref_dir=args.reference, styles=not args.no_styles)
    except ZltError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"错误 / error: {exc.strerror or exc}: {exc.filename or args.out}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"已写入 / written: {gpkg} and {gpkg.with_name(gpkg.stem + '_population.tif').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
