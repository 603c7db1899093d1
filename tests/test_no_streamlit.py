"""splice_core never imports streamlit: the core runs headless (CLI, batch jobs, tests)."""

import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import splice_core

CORE = Path(splice_core.__file__).resolve().parent
ROOT = CORE.parent


def core_modules() -> list[str]:
    """Every module of the splice_core package."""
    return ["splice_core"] + [
        m.name for m in pkgutil.walk_packages([str(CORE)], "splice_core.") if not m.name.endswith("__main__")
    ]


@pytest.mark.slow
def test_importing_every_core_module_leaves_streamlit_out():
    modules = core_modules()
    assert {
        "splice_core.data.library",
        "splice_core.models.training",
        "splice_core.predict.predictor",
    } <= set(modules)
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_no_streamlit_import_in_the_sources():
    pattern = re.compile(r"^\s*(import\s+streamlit|from\s+streamlit)\b", re.MULTILINE)
    offenders = [
        str(p.relative_to(ROOT)) for p in sorted(CORE.rglob("*.py")) if pattern.search(p.read_text())
    ]
    assert offenders == []
    assert pattern.search("import streamlit as st\n") and pattern.search(
        "    from streamlit.testing import x\n"
    )
