"""The code passes the linter and the formatter configured in pyproject.toml."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess:
    """Run ruff (the pinned one from requirements-dev.txt) on the repository."""
    if shutil.which("ruff") is None:
        pytest.fail("ruff is missing: pip install -r requirements-dev.txt")
    return subprocess.run(["ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_linter_finds_nothing():
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_formatter_would_change_nothing():
    result = ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_configuration_reaches_the_package_and_catches_a_fault():
    result = subprocess.run(
        ["ruff", "check", "--no-cache", "--stdin-filename", "splice_core/example.py", "-"],
        cwd=ROOT,
        input="import os\n\n\ndef f(x=[]):\n    return x\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "F401" in result.stdout and "B006" in result.stdout
