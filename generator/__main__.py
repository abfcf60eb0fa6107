"""``python -m generator`` is the same as the ``kpi`` command."""

from .cli import main

raise SystemExit(main())
