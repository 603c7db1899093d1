"""published: the reference study's published figures, kept once and read from here by every user."""

import re

from conftest import ROOT

from splice_core.data.published import (
    BASELINE_ROW,
    BEST_CNN_ROW,
    STUDY_REPORTED,
    STUDY_TABLE1,
    study_headline,
)


def test_every_reported_figure_belongs_to_a_row_of_table1():
    rows = {(architecture, context) for architecture, context, _ in STUDY_TABLE1}
    assert BEST_CNN_ROW in rows and BASELINE_ROW not in rows
    assert set(STUDY_REPORTED) == {BEST_CNN_ROW, BASELINE_ROW}
    assert all(parameters > 0 for *_, parameters in STUDY_TABLE1)


def test_the_headline_is_the_best_cnns_figures_beside_the_baselines_test_mse():
    headline = study_headline()
    assert set(headline) == {"dev_mse", "dev_pearson", "test_mse", "baseline_test_mse"}
    assert headline["baseline_test_mse"] == STUDY_REPORTED[BASELINE_ROW]["test_mse"]
    assert headline["test_mse"] == STUDY_REPORTED[BEST_CNN_ROW]["test_mse"] < headline["baseline_test_mse"]


def test_no_other_module_repeats_a_published_figure():
    figures = {str(v) for row in STUDY_REPORTED.values() for v in row.values()}
    figures |= {str(parameters) for *_, parameters in STUDY_TABLE1}
    code = [
        *(ROOT / "splice_core").rglob("*.py"),
        *(ROOT / "app_pages").rglob("*.py"),
        *(ROOT / "benchmarks").rglob("*.py"),
    ]
    code += [ROOT / "app.py", ROOT / "app_state.py"]
    found = {
        (path.name, figure)
        for path in code
        if path.name != "published.py"
        for figure in figures
        if re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", path.read_text())
    }
    assert found == set()
