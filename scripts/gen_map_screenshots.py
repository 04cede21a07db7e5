#!/usr/bin/env python3
"""The screenshots of docs/maps.md: every story of the shipped sample, as a person sees it.

Writes every story map of the sample (``zlt_assets.maps.make_story_maps``) into a temporary
folder, opens each in Debian's Chromium (Playwright, headless, offline) at 1280 x 800, waits for
the canvas, and saves ``docs/img/maps/<story>.png``; with ``--print`` also the first page of each
story's A3 print (PDF, through ``pdftoppm``) as ``docs/img/maps/<story>_print.png``.

Usage::

    python scripts/gen_map_screenshots.py            # web screenshots
    python scripts/gen_map_screenshots.py --print    # and the print layouts
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "docs" / "img" / "maps"))
    ap.add_argument("--print", dest="prints", action="store_true",
                    help="also render each story's A3 print (PDF page 1) as PNG")
    ap.add_argument("--size", default="1280x800")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from zlt_assets.inventory import sample_path
    from zlt_assets.maps import make_story_maps

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    w, h = (int(v) for v in args.size.split("x"))
    exe = os.environ.get("ZLT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as tmp:
        results = make_story_maps(sample_path(), Path(tmp), pdf=args.prints, paper="a3")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=exe, args=ARGS, headless=True)
            for res in results:
                ctx = browser.new_context(viewport={"width": w, "height": h})
                page = ctx.new_page()
                page.goto(res.html_path.as_uri())
                page.wait_for_function("window.zltMap !== undefined")
                page.evaluate("new Promise(r => requestAnimationFrame(() => "
                              "requestAnimationFrame(r)))")
                page.screenshot(path=str(out / f"{res.story}.png"))
                ctx.close()
                print(out / f"{res.story}.png")
                if args.prints and res.pdf_path is not None:
                    stem = out / f"{res.story}_print"
                    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile",
                                    str(res.pdf_path), str(stem)], check=True)
                    print(f"{stem}.png")
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
