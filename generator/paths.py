"""Where the commands write by default: folders relative to the current directory.

An output goes where the user stands (or where an option says), never beside the package: a
command run from another folder must not write into, or clean, the checkout it was installed
from. Relative paths are made absolute where they are used (MkDocs runs in its configuration's
folder, so a relative site folder given to it would be taken against that folder).
"""

from __future__ import annotations

from pathlib import Path

STORE = Path("data/returns")
DATASET = Path("build/dataset")
SITE = Path("site")
CACHE = Path("build/cache.sqlite")
TEMPLATES = Path("templates_xlsx")
PREFILLED = Path("build/prefilled")
DEMO = Path("build/demo")
