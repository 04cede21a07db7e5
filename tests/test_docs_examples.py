"""Every command and code example of the guides runs as a user runs it, and prints what they say.

The pages (``PAGES``) are read as a user reads them, top to bottom, in one empty folder per page
(not the repository): each ```` ```bash ```` block runs in ``bash -e -o pipefail`` with this
Python's ``zlt-assets`` first on PATH; consecutive ```` ```python ```` blocks run as one script
with this Python (the installed package, no path into the source tree). Comment lines right
before a fenced block steer it, invisibly on the site:

* ``<!-- file: NAME -->`` — the block is a file the page asks the reader to save: it is written
  into the folder as NAME (``scenarios.toml``, ``my_stops.geojson``);
* ``<!-- output -->`` — every line of the block must appear in what the block before it printed;
* ``<!-- not run: REASON -->`` — the block is not run (QGIS's console, a download, Jupyter); the
  reason is on the page's source for every reader of it.

So a renamed option, a changed default or a figure that moved makes this test fail, and the page
is corrected to what really happens.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = ["docs/install.md", "docs/guide/planner.md", "docs/guide/meetings.md",
         "docs/guide/analyst.md"]
RUN = {"bash": "shell", "sh": "shell", "python": "python"}
DIRECTIVE = re.compile(r"^<!--\s*(file:\s*(?P<file>\S+)|(?P<output>output)|"
                       r"(?P<skip>not run:\s*\S.*?))\s*-->$")


@dataclass
class Step:
    kind: str                      # shell, python, file
    code: str
    name: str = ""
    line: int = 0
    expect: list[str] = field(default_factory=list)


def parse(page: Path) -> list[Step]:
    """The page's steps in reading order (consecutive python blocks joined into one)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    steps: list[Step] = []
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(1), i
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        code = "\n".join(lines[i + 1:j]) + "\n"
        before = lines[start - 1].strip() if start else ""
        d = DIRECTIVE.match(before)
        i = j + 1
        if d and d.group("skip"):
            continue
        if d and d.group("file"):
            steps.append(Step("file", code, d.group("file"), start + 1))
        elif d and d.group("output"):
            assert steps and steps[-1].kind in ("shell", "python"), \
                f"{page}:{start + 1}: an output block follows no command"
            steps[-1].expect += [ln.strip() for ln in code.splitlines() if ln.strip()]
        elif lang in RUN:
            kind = RUN[lang]
            if kind == "python" and steps and steps[-1].kind == "python" and not steps[-1].expect:
                steps[-1].code += "\n" + code
            else:
                steps.append(Step(kind, code, line=start + 1))
    return steps


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ZLT_DATA", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["ZLT_PROGRESS"] = "none"
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_example_of_the_page_runs(page, tmp_path):
    steps = parse(REPO / page)
    assert any(s.kind != "file" for s in steps) or page.endswith("planner.md")
    for n, s in enumerate(steps):
        if s.kind == "file":
            (tmp_path / s.name).write_text(s.code, encoding="utf-8")
            continue
        if s.kind == "shell":
            cmd = ["bash", "-e", "-o", "pipefail", "-c", s.code]
        else:
            script = tmp_path / f"_example_{n}.py"
            script.write_text(s.code, encoding="utf-8")
            cmd = [sys.executable, script.name]
        proc = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True,
                              timeout=900, stdin=subprocess.DEVNULL)
        where = f"{page}:{s.line}"
        assert proc.returncode == 0, f"{where} exited {proc.returncode}:\n{s.code}\n" \
                                     f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        missing = [e for e in s.expect if e not in proc.stdout]
        assert missing == [], f"{where}: the page says {missing}, the run printed:\n" \
                              f"{proc.stdout[-3000:]}"


def test_the_directives_are_well_formed():
    for page in PAGES:
        text = (REPO / page).read_text(encoding="utf-8")
        for ln in text.splitlines():
            if ln.strip().startswith("<!--") and "-->" in ln:
                assert DIRECTIVE.match(ln.strip()), f"{page}: unknown directive {ln!r}"
        assert parse(REPO / page) is not None


def test_the_rules_the_planner_guide_quotes_are_the_schemas():
    """The rule table of the planner's guide quotes each rule's message exactly."""
    from zlt_assets import schema

    messages = {r.message for name in schema.LAYERS for r in schema.layer(name).rules}
    text = (REPO / "docs/guide/planner.md").read_text(encoding="utf-8")
    table = text.split("| 规则 / rule | 图层 / layers |", 1)[1].split("\n\n", 1)[0]
    quoted = [row.split("|")[1].strip() for row in table.splitlines()[2:] if row.startswith("|")]
    assert len(quoted) >= 8
    assert [q for q in quoted if q not in messages] == []
