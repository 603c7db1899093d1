"""Entry point for ``python -m splice_core``."""

import sys

from .cli import run

sys.exit(run())
