"""reproduce: heuristic rows and the Markdown table."""

import pandas as pd

from splice_core.reports.reproduce import COLUMNS, heuristic_rows, table_to_markdown
from splice_core.runs.experiment import prepare_data


def test_heuristic_rows_all_zeros_is_exact(tiny_data_dir):
    data = prepare_data(tiny_data_dir)
    rows = {r["model"]: r for r in heuristic_rows(data)}
    test_y = data.frame.loc[data.parts == "test", "splicing_eff"]
    assert rows["all zeros"]["test_mse"] == (test_y**2).mean()
    assert set(rows) == {"all zeros", "uniform random", "PWM baseline"}


def test_table_to_markdown_formats_three_decimals():
    table = pd.DataFrame(
        [{c: 0 for c in COLUMNS} | {"model": "m", "test_mse": 0.12345}], columns=list(COLUMNS)
    )
    text = table_to_markdown(table, "T")
    assert text.startswith("# T") and "| m |" in text and "0.123" in text and "0.12345" not in text


def test_planned_epochs_skip_the_full_context_without_a_reporter():
    from types import SimpleNamespace

    from splice_core.reports.reproduce import planned_epochs

    assert planned_epochs(SimpleNamespace(reporter=None), n_seeds=2, epochs=3) == 4 * 2 * 3
    assert planned_epochs(SimpleNamespace(reporter="R"), n_seeds=2, epochs=3) == 5 * 2 * 3
