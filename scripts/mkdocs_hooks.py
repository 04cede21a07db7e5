"""MkDocs hooks of the documentation site (``mkdocs.yml`` names this file).

The pages in ``docs/`` link to files elsewhere in the repository (``../qgis_plugin/README.md``,
``../layers/README.md``, source files such as ``../zlt_assets/standards.py``). MkDocs only knows
``docs/``, so this hook

* adds every Markdown file outside ``docs/`` that a page links to (followed transitively) to the
  site under ``repo/`` (``repo/qgis_plugin/README.md``), so the link works on the site too;
* rewrites each relative link to where its target sits on the site;
* turns a link to any other repository file (source, data) into its path in code font, after
  checking the file exists;
* reports a relative link whose target does not exist as a warning, so that
  ``mkdocs build --strict`` fails on it (MkDocs itself checks links and anchors inside the site).
"""
from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.plugins.zlt_assets")

REPO = Path(__file__).resolve().parents[1]
DOCS = "docs"
PREFIX = "repo"

# [text](target) with an optional "title"; images too (bang = the leading !)
LINK = re.compile(r"(?P<bang>!?)(?<!\\)\[(?P<text>[^\]]*)\]"
                  r"\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def _is_external(target: str) -> bool:
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", target)) or target.startswith(("#", "/"))


def _outside_code(markdown: str) -> Iterator[tuple[bool, str]]:
    """Yield (is_code, chunk) for the fenced-code and plain parts of a Markdown text."""
    chunk: list[str] = []
    in_code = False
    for line in markdown.splitlines(keepends=True):
        if FENCE.match(line.lstrip()):
            if chunk:
                yield in_code, "".join(chunk)
                chunk = []
            if in_code:
                yield True, line
                in_code = False
                continue
            in_code = True
        chunk.append(line)
    if chunk:
        yield in_code, "".join(chunk)


def _repo_targets(repo_path: str, markdown: str) -> list[str]:
    """Repository paths of the relative links of one Markdown file."""
    found = []
    for is_code, chunk in _outside_code(markdown):
        if is_code:
            continue
        for m in LINK.finditer(chunk):
            target = m.group("target").split("#", 1)[0]
            if target and not _is_external(m.group("target")):
                found.append(posixpath.normpath(posixpath.join(posixpath.dirname(repo_path),
                                                               target)))
    return found


def _site_uri(repo_path: str) -> str | None:
    """Where a repository file sits on the site (src_uri), or None when it is not on the site."""
    if repo_path.startswith(DOCS + "/"):
        return repo_path[len(DOCS) + 1:]
    if repo_path.endswith(".md") and (REPO / repo_path).is_file():
        return f"{PREFIX}/{repo_path}"
    return None


def _nav_paths(nav: Any) -> list[str]:
    """Every page path named in the nav configuration."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [p for v in nav.values() for p in _nav_paths(v)]
    if isinstance(nav, list):
        return [p for v in nav for p in _nav_paths(v)]
    return []


def on_files(files: Files, config: Any) -> Files:
    """Add the Markdown files outside docs/ that the nav names or the pages link to."""
    todo = [f"{DOCS}/{f.src_uri}" for f in files if f.src_uri.endswith(".md")]
    seen = set(todo)
    wanted = [p[len(PREFIX) + 1:] for p in _nav_paths(config["nav"] or [])
              if p.startswith(PREFIX + "/")]
    while todo or wanted:
        if wanted:
            path = wanted.pop()
            targets = [path]
            path = DOCS + "/index.md"
        else:
            path = todo.pop()
            targets = _repo_targets(path, (REPO / path).read_text(encoding="utf-8"))
        for target in targets:
            if target.startswith(DOCS + "/") or target in seen or not target.endswith(".md"):
                continue
            if not (REPO / target).is_file() or target.startswith(".."):
                continue
            seen.add(target)
            todo.append(target)
            files.append(File.generated(config, f"{PREFIX}/{target}",
                                        abs_src_path=str(REPO / target)))
    return files


def _repo_path_of(page_src_uri: str) -> str:
    if page_src_uri.startswith(PREFIX + "/"):
        return page_src_uri[len(PREFIX) + 1:]
    return f"{DOCS}/{page_src_uri}"


def _rewrite(match: re.Match[str], page_repo: str, page_uri: str) -> str:
    target = match.group("target")
    if _is_external(target):
        return match.group(0)
    path, _, anchor = target.partition("#")
    if not path:
        return match.group(0)
    repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(page_repo), path))
    exists = (REPO / repo_path).exists() and not repo_path.startswith("..")
    if not exists:
        log.warning(f"{page_repo}: the link to '{target}' points at {repo_path}, "
                    f"which is not in the repository")
        return match.group(0)
    site = _site_uri(repo_path)
    if site is None:
        # a source or data file: show its path, the site does not carry it
        if match.group("bang"):
            log.warning(f"{page_repo}: image '{target}' is outside docs/")
        text = match.group("text")
        return text if text.strip("`") == repo_path or "`" in text else f"{text} (`{repo_path}`)"
    rel = posixpath.relpath(site, posixpath.dirname(page_uri) or ".")
    return f"{match.group('bang')}[{match.group('text')}]({rel}{'#' + anchor if anchor else ''}" \
           f"{match.group('title') or ''})"


def on_page_markdown(markdown: str, page: Any, **_: object) -> str:
    """Rewrite the page's relative links to where their targets sit on the site."""
    page_uri = page.file.src_uri
    page_repo = _repo_path_of(page_uri)
    out = []
    for is_code, chunk in _outside_code(markdown):
        if is_code:
            out.append(chunk)
        else:
            out.append(LINK.sub(lambda m: _rewrite(m, page_repo, page_uri), chunk))
    return "".join(out)
