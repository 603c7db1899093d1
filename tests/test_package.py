"""The package as a user installs it: a wheel built from the clone, installed away from it, with the shipped model."""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from splice_core.cli.main import parser

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

SHIPPED_FILES = (
    "model.keras",
    "model_card.json",
    "peer.txt",
    "blend_peer.txt",
    "REPORT.md",
    "reproduce.md",
    "reproduce.csv",
)
PROBE = (
    "GTATGTTTAATATATCTTTTCTTTTGTTTAATTACTAACAATATTTGCAG"  # made up: consensus 5' site, branch site and 3' AG
)


def subcommands() -> list[str]:
    """The sub-commands of ``python -m splice_core``."""
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A folder holding the package as ``pip install`` puts it there from a wheel built out of a copy of the clone."""
    base = tmp_path_factory.mktemp("package")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "requirements.txt", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("splice_core", "pretrained"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", ".", "-w", str(base / "wheel")],
        cwd=source,
        check=True,
    )
    wheel = next((base / "wheel").glob("splice_predict-*.whl"))
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(base / "site"), str(wheel)], cwd=base, check=True
    )
    return base / "site"


def run_installed(site: Path, *command: str) -> subprocess.CompletedProcess:
    """``command`` run from a folder outside the clone, with only the installed copy importable."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(command, cwd=site.parent, env=env, capture_output=True, text=True, timeout=120)


def test_console_command_has_every_subcommand(installed):
    result = run_installed(installed, str(installed / "bin" / "splice-predict"), "--help")
    assert result.returncode == 0, result.stderr
    for name in subcommands():
        assert name in result.stdout
    assert result.stdout.startswith("usage: splice-predict ")
    assert "python -m splice_core" not in result.stdout


def test_shipped_model_travels_with_the_package(installed):
    for name in SHIPPED_FILES:
        assert (installed / "splice_core" / "pretrained" / name).read_bytes() == (
            ROOT / "pretrained" / name
        ).read_bytes()


def test_installed_copy_loads_the_shipped_model_from_anywhere(installed):
    script = (
        "import splice_core\n"
        "from splice_core.models.store import PRETRAINED_DIR\n"
        "from splice_core.predict.predictor import load_predictor\n"
        f"value = load_predictor(PRETRAINED_DIR).predict_introns([{PROBE!r}])[0]\n"
        "print(splice_core.__file__, PRETRAINED_DIR, repr(float(value)), sep='\\n')\n"
    )
    result = run_installed(installed, sys.executable, "-c", script)
    assert result.returncode == 0, result.stderr
    module_file, shipped_dir, value = result.stdout.strip().splitlines()[-3:]
    assert Path(module_file).is_relative_to(installed)
    assert Path(shipped_dir) == installed / "splice_core" / "pretrained"
    from splice_core.models.store import PRETRAINED_DIR
    from splice_core.predict.predictor import load_predictor

    assert PRETRAINED_DIR == ROOT / "pretrained"  # in the clone, the repository's own folder
    expected = load_predictor(PRETRAINED_DIR).predict_introns([PROBE])[0]
    np.testing.assert_allclose(float(value), expected, rtol=1e-6)


def test_licence_and_citation_are_there():
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    citation = (ROOT / "CITATION.cff").read_text()
    assert "cff-version:" in citation
    assert "10.1371/journal.pgen.1009805" in citation


def test_install_ranges_admit_the_exact_pins_and_name_every_pinned_package():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = {Requirement(r).name.lower(): Requirement(r) for r in project["dependencies"]}
    ranges |= {Requirement(r).name.lower(): Requirement(r) for r in project["optional-dependencies"]["ray"]}
    pins = [
        Requirement(line)
        for name in ("requirements.txt", "requirements-ray.txt")
        for line in (ROOT / name).read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-r"))
    ]
    assert {p.name.lower() for p in pins} == set(ranges)
    for pin in pins:
        (version,) = [s.version for s in pin.specifier]
        assert ranges[pin.name.lower()].specifier.contains(version), pin
        assert "==" not in str(ranges[pin.name.lower()].specifier)


def test_the_wheel_lists_every_subpackage_and_the_version_has_one_source():
    import tomllib

    import splice_core

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    subpackages = {f"splice_core.{p.parent.name}" for p in (ROOT / "splice_core").glob("*/__init__.py")}
    assert set(tool["packages"]) == {"splice_core", "splice_core.pretrained", *subpackages}
    assert tool["dynamic"]["version"] == {"attr": "splice_core.__version__"}
    assert f"## {splice_core.__version__} " in (ROOT / "CHANGELOG.md").read_text()
    assert "version:" not in (ROOT / "CITATION.cff").read_text().replace("cff-version:", "")
