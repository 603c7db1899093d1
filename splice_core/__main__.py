"""Entry point for ``python -m splice_core``."""

import sys

from splice_core.cli.main import run

sys.exit(run())
