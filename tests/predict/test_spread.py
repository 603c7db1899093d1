"""Tests of the ensemble-disagreement warning."""

from splice_core.predict.spread import SPREAD_WARNING, spread_warning


def test_a_spread_above_the_threshold_warns_with_its_value():
    text = spread_warning(0.25, 4)
    assert text is not None and "4 ensemble members disagree" in text and "spread 0.25" in text


def test_no_warning_at_or_below_the_threshold_or_for_a_single_model():
    assert spread_warning(SPREAD_WARNING, 4) is None
    assert spread_warning(0.0625, 4) is None
    assert spread_warning(0.5, 1) is None


def test_the_warning_names_what_it_is_about():
    assert "on the wild-type" in spread_warning(0.5, 2, "the wild-type")
