"""scoring_imports: the skipped packages stay out of a process that still loads and runs a model exactly."""

import subprocess
import sys
from pathlib import Path

import pytest
from toy_model import install_toy_model

from splice_core.models.scoring_imports import UNUSED_BY_SCORING

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from splice_core.models.scoring_imports import skip_unused_imports
skipped = skip_unused_imports()
import numpy as np
from splice_core.predict.predictor import load_predictor
from toy_model import expected_members, toy_weights
predictor = load_predictor({model!r})
introns = ["GTATGTAAAATACTAACAG", "GTACGTCCCCCCTACTAACCAG"]
exact = np.array_equal(predictor.intron_members(introns), expected_members(introns, toy_weights(200)))
try:
    import sklearn
    importable = True
except ImportError:
    importable = False
print(",".join(skipped), exact, importable, [n for n in skipped if sys.modules.get(n) is not None])
"""


@pytest.mark.slow
def test_a_scoring_process_runs_a_model_exactly_without_the_skipped_packages(tmp_path):
    model = install_toy_model(tmp_path, 200)
    script = SCRIPT.format(root=str(ROOT), tests=str(ROOT / "tests"), model=str(model))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    skipped, exact, importable, loaded = result.stdout.strip().splitlines()[-1].split(" ", 3)
    assert skipped.split(",") == list(UNUSED_BY_SCORING)
    assert (exact, importable, loaded) == ("True", "False", "[]")


def test_a_package_already_imported_is_left_alone(monkeypatch):
    from splice_core.models import scoring_imports as unused_imports

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setitem(sys.modules, "already_here", sys)
    monkeypatch.delitem(sys.modules, "not_yet_here", raising=False)
    skipped = unused_imports.skip_unused_imports(("already_here", "not_yet_here"))
    try:
        assert skipped == ["not_yet_here"] and sys.modules["already_here"] is sys
        assert sys.modules["not_yet_here"] is None
    finally:
        del sys.modules["not_yet_here"]


def test_the_keras_backend_is_never_skipped(monkeypatch, tmp_path):
    from splice_core.models import scoring_imports as unused_imports

    monkeypatch.delitem(sys.modules, "not_yet_here", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "not_yet_here")
    assert unused_imports.skip_unused_imports(("not_yet_here",)) == []
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "keras.json").write_text('{"backend": "not_yet_here"}')
    assert unused_imports.keras_backend() == "not_yet_here"
    (tmp_path / "keras.json").write_text("{not json")
    assert unused_imports.keras_backend() == "tensorflow"
    assert "not_yet_here" not in sys.modules
