"""native_plots: the native introns' distribution from the table and from the shipped aggregates."""

from test_native import wildtype
from toy_model import toy_predictor

from splice_core.native import native_summary, score_native
from splice_core.native_plots import length_scatter, summary_histogram, table_histogram


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
