"""Tests for splice_core.data.splits: design-grouped, type-stratified splits and rebalancing weights."""

import hashlib

import numpy as np
import pandas as pd
import pytest
from conftest import make_library

from splice_core.data.library import read_library, usable_rows
from splice_core.data.splits import (
    PARTS,
    balance_weights,
    barcode_keys,
    barcodes_to_split,
    construct_mean_labels,
    split_constructs,
    split_to_barcodes,
)


def library_frame(n_designs: int = 300) -> pd.DataFrame:
    """A made-up library with the ``design`` column read_library adds."""
    frame = make_library(n_designs=n_designs)
    frame["construct"] = frame["intron_seq"]
    return frame


def assert_stratified(frame: pd.DataFrame, parts: pd.Series, fractions=(0.9, 0.05, 0.05)) -> None:
    """Each type's designs (by the type where a design first appears) split in ``fractions``, within one design."""
    first = pd.DataFrame(
        {"construct": frame["construct"], "type": frame["type"], "part": parts}
    ).drop_duplicates("construct")
    for library_type, group in first.groupby("type"):
        counts = group["part"].value_counts()
        for part, fraction in zip(PARTS, fractions):
            assert abs(counts.get(part, 0) - fraction * len(group)) <= 1, (
                library_type,
                part,
                counts.to_dict(),
            )


def test_ninety_five_five_within_each_type():
    frame = library_frame()
    parts = split_constructs(frame, seed=0)
    assert parts.name == "part"
    assert parts.index.equals(frame.index)
    assert set(parts) == set(PARTS)
    assert_stratified(frame, parts)
    counts = parts.groupby(frame["type"]).value_counts().unstack()
    assert (counts[["dev", "test"]] >= 4).all().all()  # 100 designs per type: 5 dev, 5 test


def test_other_fractions():
    frame = library_frame()
    parts = split_constructs(frame, fractions=(0.6, 0.2, 0.2), seed=3)
    assert_stratified(frame, parts, (0.6, 0.2, 0.2))
    with pytest.raises(ValueError, match="sum to 1"):
        split_constructs(frame, fractions=(0.9, 0.1, 0.1))


def test_no_design_in_two_parts():
    frame = library_frame()
    parts = split_constructs(frame, seed=1)
    assert (parts.groupby(frame["construct"]).nunique() == 1).all()
    assert frame["construct"].duplicated().any()  # the test has repeated designs (several barcodes)


def test_design_in_two_types_is_assigned_once():
    frame = library_frame(30)
    shared = frame.loc[0, "construct"]
    extra = frame.iloc[[0]].assign(type="orthologous", BC="ACGTACGTACGT")
    both = pd.concat([frame, extra], ignore_index=True)
    parts = split_constructs(both, seed=0)
    assert parts[both["construct"] == shared].nunique() == 1


def test_deterministic_from_the_seed():
    frame = library_frame()
    first, again, other = (
        split_constructs(frame, seed=7),
        split_constructs(frame, seed=7),
        split_constructs(frame, seed=8),
    )
    pd.testing.assert_series_equal(first, again)
    assert not first.equals(other)


def test_barcode_keys_round_trip():
    frame = library_frame(40)
    parts = split_constructs(frame, seed=0)
    saved = split_to_barcodes(frame, parts)
    assert set(saved) == set(PARTS)
    assert sum(len(v) for v in saved.values()) == len(frame)
    assert all(len(key) == 16 for keys in saved.values() for key in keys)
    assert not set(frame["BC"]) & {key for keys in saved.values() for key in keys}  # keys, not barcodes
    pd.testing.assert_series_equal(barcodes_to_split(frame, saved), parts)


def test_unlisted_barcodes_get_nan():
    frame = library_frame(10)
    restored = barcodes_to_split(frame, {"train": barcode_keys(frame["BC"].iloc[:3]).tolist()})
    assert list(restored.iloc[:3]) == ["train"] * 3
    assert restored.iloc[3:].isna().all()


def test_barcode_keys_are_sha256_prefixes():
    keys = barcode_keys(pd.Series(["ACGT", "ACGT", "TTTT"]))
    assert keys.iloc[0] == keys.iloc[1] == hashlib.sha256(b"ACGT").hexdigest()[:16]
    assert keys.iloc[2] != keys.iloc[0]


def test_balance_weights_by_hand():
    y = np.array([0.0, 0.05, 0.1, 0.5, 0.9, 1.0])
    weights = balance_weights(y)
    np.testing.assert_allclose(weights, [1.5, 1.5, 0.75, 0.75, 0.75, 0.75])  # 0.1 counts as high
    assert weights.dtype == np.float32
    assert weights[y < 0.1].sum() == pytest.approx(weights[y >= 0.1].sum())
    assert weights.mean() == pytest.approx(1.0)


def test_balance_weights_one_sided():
    np.testing.assert_array_equal(balance_weights(np.array([0.0, 0.01])), [1.0, 1.0])
    np.testing.assert_array_equal(balance_weights(np.array([0.5, 0.7, 1.0])), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(balance_weights(np.array([0.1, 0.3]), threshold=0.2), [1.0, 1.0])
    np.testing.assert_allclose(balance_weights(np.array([0.1, 0.3, 0.4]), threshold=0.2), [1.5, 0.75, 0.75])


def test_construct_mean_labels_by_hand():
    frame = pd.DataFrame({"construct": ["A", "B", "A", "A", "C"], "splicing_eff": [0.0, 0.5, 0.9, 0.3, 1.0]})
    np.testing.assert_allclose(construct_mean_labels(frame), [0.4, 0.5, 0.4, 0.4, 1.0], rtol=1e-6)


def test_construct_mean_labels_of_another_column_skip_missing_values():
    frame = pd.DataFrame({"construct": ["A", "B", "A", "B"], "cryptic": [0.2, np.nan, np.nan, np.nan]})
    np.testing.assert_allclose(construct_mean_labels(frame, "cryptic"), [0.2, np.nan, 0.2, np.nan], rtol=1e-6)


def test_real_data_split(real_data_dir):
    frame = usable_rows(read_library(real_data_dir))
    parts = split_constructs(frame, seed=0)
    assert parts.notna().all()
    assert (parts.groupby(frame["construct"]).nunique() == 1).all()
    assert_stratified(frame, parts)
    shares = parts.value_counts(normalize=True)
    assert shares["train"] == pytest.approx(0.9, abs=0.01)
    assert shares["dev"] == pytest.approx(0.05, abs=0.01)
    assert shares["test"] == pytest.approx(0.05, abs=0.01)
    pd.testing.assert_series_equal(barcodes_to_split(frame, split_to_barcodes(frame, parts)), parts)
    weights = balance_weights(frame["splicing_eff"].to_numpy())
    low = frame["splicing_eff"].to_numpy() < 0.1
    assert weights[low].sum() == pytest.approx(weights[~low].sum(), rel=1e-4)
