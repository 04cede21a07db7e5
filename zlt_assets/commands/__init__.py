"""Sub-commands of ``zlt-assets``; one module each (see :mod:`zlt_assets.cli`)."""
