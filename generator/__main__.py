"""``python -m generator`` is the same as the ``kpi`` command."""

from generator.cli import main

raise SystemExit(main())
