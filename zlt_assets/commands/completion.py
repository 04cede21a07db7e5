"""``zlt-assets completion bash|zsh``: the shell completion script (made with shtab)."""
from __future__ import annotations

import argparse

from ..errors import MissingComponent

NAME = "completion"
ORDER = 99
HELP = "命令补全脚本 / shell completion script (bash, zsh)"
DESCRIPTION = """输出 bash 或 zsh 的命令补全脚本 / print the completion script for bash or zsh:

  zlt-assets completion bash > ~/.local/share/bash-completion/completions/zlt-assets
  zlt-assets completion zsh > ~/.zfunc/_zlt-assets   # and fpath+=(~/.zfunc) in ~/.zshrc

Open a new shell afterwards. The script is static: make it again after an upgrade that adds
commands or options.

Exit codes: 0 printed, 3 shtab is missing."""

SHELLS = ("bash", "zsh")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, help="bash 或 zsh / bash or zsh")


def run(args: argparse.Namespace) -> int:
    try:
        import shtab
    except ImportError:
        raise MissingComponent("shell completion needs shtab (pip install shtab)",
                               zh="命令补全需要 shtab(pip install shtab)") from None
    from ..cli import build_parser

    parser = build_parser()
    print(shtab.complete(parser, shell=args.shell), end="")
    return 0
