"""The shipped sample inventory of Zhalantun, installed as the package data ``zlt_assets.sample``.

In the repository these files live in ``layers/``; the wheel installs them as
``zlt_assets/sample/`` (see ``pyproject.toml``) and :func:`zlt_assets.inventory.sample_path`
finds them with :mod:`importlib.resources`. The data are illustrative (made, not surveyed): see
``README.md`` beside this file.
"""
