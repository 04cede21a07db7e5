"""``python -m zlt_assets``: the same CLI as the ``zlt-assets`` command."""
import sys

from .cli import main

sys.exit(main())
