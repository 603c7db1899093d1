import numpy as np
import pytest

from splice_core.predict.intervals import ConformalIntervals
from splice_core.predict.library_distance import fit_library_distance
from splice_core.predict.trust import TRUST_COLUMNS, guessing_reasons, interval_text, trust_table

rng = np.random.default_rng(0)
LIBRARY = ["GT" + "".join(rng.choice(list("ACGT"), 80)) + "AG" for _ in range(200)]
CARD = {
    "intervals": ConformalIntervals([0.05], [0.125, 0.25]).to_dict(),
    "change_intervals": ConformalIntervals([], [0.5]).to_dict(),
    "library_distance": {**fit_library_distance(LIBRARY).to_dict(), "test_errors": {}},
}


def test_trust_table_gives_each_prediction_its_interval_and_reasons():
    table = trust_table(
        CARD, [LIBRARY[0], "GT" + "A" * 80 + "AG"], np.array([0.5, 0.95]), np.array([0.01, 0.1])
    )
    assert list(table.columns) == list(TRUST_COLUMNS)
    assert table[["interval_low", "interval_high"]].values.tolist() == [[0.375, 0.625], [0.7, 1.0]]
    assert table["guessing"].tolist() == ["", "sequence composition unlike the library's"]
    assert table["library_distance"][1] > table["library_distance"][0]


def test_interval_text_for_a_prediction_and_a_change():
    assert interval_text(CARD, 0.5, 0.01) == "90% interval 0.38 to 0.62"
    assert interval_text(CARD, -0.75, 0.01, change=True) == "90% interval -1.00 to -0.25"


def test_a_card_without_calibration_marks_only_long_introns():
    assert interval_text({}, 0.5, 0.01) == ""
    assert guessing_reasons({}, ["GTAAG", "GT" + "C" * 200 + "AG"]) == [
        "",
        "longer than any library intron (148 nt): read through views",
    ]
    assert guessing_reasons({}, ["GT" + "C" * 200 + "AG"], long=False) == [""]
    long = "GT" + "".join(rng.choice(list("ACGT"), 200)) + "AG"
    assert guessing_reasons(CARD, [long]) != [""] and guessing_reasons(CARD, [long], long=False) == [""]
    table = trust_table({}, ["GTAAG"], np.array([0.5]), np.array([0.1]))
    assert np.isnan(table["interval_low"][0]) and np.isnan(table["library_distance"][0])
    assert table["interval_low"].dtype == float


@pytest.mark.parametrize("spread, half", [(0.01, 0.125), (0.05, 0.25), (0.3, 0.25)])
def test_the_spread_bin_picks_the_half_width(spread, half):
    low, high = ConformalIntervals.from_dict(CARD["intervals"]).bounds([0.5], [spread])
    assert (high - low)[0] == pytest.approx(2 * half)
