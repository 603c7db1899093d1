"""The README stays true: its Python API snippet runs as printed, its layout names every module, set-up is unchanged."""

import contextlib
import io
import re

import numpy as np
import pytest
from conftest import ROOT

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    """The README's text from the ``## title`` heading to the next ``## `` heading."""
    return re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M).group(1)


def api_snippet() -> str:
    """The Python code block of the README's Python API section."""
    return re.search(r"```python\n(.*?)```", section("Python API"), re.S).group(1)


@pytest.mark.slow
def test_python_api_snippet_runs_as_printed():
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(api_snippet(), "README.md", "exec"), namespace)
    model, introns = namespace["model"], namespace["introns"]
    efficiency, spread = namespace["efficiency"], namespace["spread"]
    assert efficiency.shape == spread.shape == (len(introns),)
    np.testing.assert_allclose(efficiency, model.predict_introns(introns), rtol=1e-6)
    assert ((efficiency >= 0) & (efficiency <= 1)).all() and (spread > 0).all()
    length = len(introns[0])
    substitutions, deletions = namespace["substitutions"], namespace["deletions"]
    assert substitutions.shape == (length, 4) and deletions.shape == (length,)
    np.testing.assert_allclose(namespace["reference"], efficiency[0], rtol=1e-5)
    assert namespace["saliency"].shape == (length, 4)
    losses = namespace["losses"]
    assert len(losses) == 5 and (losses["delta"] < 0).all()
    assert losses["mutation"].iloc[0] in printed.getvalue()


def layout_tree() -> list[str]:
    """The paths of the README's Layout tree (a code block; four columns a level, a name then its description)."""
    block = re.search(r"```text\n(.*?)```", section("Layout"), re.S).group(1)
    paths, stack = [], []
    for line in block.splitlines():
        match = re.match(r"^([│├└─ ]*)([\w.]+/?)", line)
        if not match or not match.group(2).strip():
            continue
        depth = len(match.group(1)) // 4
        stack[depth:] = [match.group(2).rstrip("/")]
        paths.append("/".join(stack))
    return paths


def test_layout_is_a_tree_with_one_line_for_every_module_and_page():
    tree = layout_tree()
    modules = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "splice_core").rglob("*.py")
        if p.name != "__init__.py"
    ]
    pages = [p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py")]
    assert sorted(set(modules + pages) - set(tree)) == []  # every module and page has its line
    stale = [p for p in tree if p.endswith(".py") and not (ROOT / p).is_file()]
    assert stale == [] and len(tree) == len(set(tree))
    assert "splice_core/seq/encoding.py" in tree and "splice_core/plot" in tree


def test_set_up_commands_are_unchanged():
    set_up = section("Set-up (fresh machine, Python 3.11)")
    assert "    pip install -r requirements.txt && streamlit run app.py\n" in set_up
    assert "    bash tests/run.sh\n" in set_up
