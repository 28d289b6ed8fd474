"""``python -m tests.mutation``: see ``runner.py``."""

from __future__ import annotations

import sys

from .runner import main

sys.exit(main(sys.argv[1:]))
