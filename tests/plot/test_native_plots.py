"""native_plots: the native introns' distribution from the table and from the shipped aggregates."""

import subprocess
import sys
from pathlib import Path

import pytest
from test_native import wildtype
from toy_model import toy_predictor

from splice_core.analysis.native import native_summary, score_native
from splice_core.plot.native_plots import length_scatter, summary_histogram, table_histogram


def test_plots_draw_every_band_and_the_summary_bars():
    predictor = toy_predictor(40)
    table = score_native(predictor, wildtype())
    histogram = table_histogram(table)
    assert sum(len(trace.x) for trace in histogram.data) == 12 and {t.name for t in histogram.data} == set(
        table["band"]
    )
    assert list(length_scatter(table).data[0].text) == list(table["gene"])
    bars = summary_histogram(native_summary(table, predictor))
    assert list(bars.data[0].y) == native_summary(table, predictor)["histogram"]["counts"]


def test_the_length_scatters_library_limit_stands_at_148_nt_on_its_log_axis():
    table = score_native(toy_predictor(40), wildtype())
    fig = length_scatter(table)
    (line,), (note,) = fig.layout.shapes, fig.layout.annotations
    assert fig.layout.xaxis.type == "log" and line.x0 == line.x1 == 148
    assert 10**note.x == pytest.approx(148) and "148 nt" in note.text


def test_drawing_needs_no_tensorflow():
    code = "import sys, splice_core.plot.native_plots\nprint('tensorflow' in sys.modules, 'keras' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True
    )
    assert result.stdout.split() == ["False", "False"], result.stderr
