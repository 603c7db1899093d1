"""Dataset page tables: site sequences, filters and summaries from rows and from card histograms."""

import numpy as np
import pandas as pd
import pytest

from splice_core.data.library import SITE_OFFSET
from splice_core.reports import dataset_tables as ds

PREFIX = "P" * SITE_OFFSET  # seq before index 0 of the site columns


def toy_rows() -> pd.DataFrame:
    """Four hand-made rows (one unusable) whose sites sit at known indices of ``seq``."""
    introns = [
        "GTATGTAAATACTAACAAATAG",
        "GTACGTCCCTACTAACCCCAG",
        "CTATGTGGGGTTTAACGGGGGTAG",
        "GTATGTTTACTAACTAG",
    ]
    rows = []
    for i, (library_type, eff, intron) in enumerate(
        zip(["a", "a", "b", "b"], [0.05, 0.5, 0.0, np.nan], introns)
    ):
        branch = intron.index("TACTAAC") if "TACTAAC" in intron else intron.index("TTTAAC")
        rows.append(
            {
                "type": library_type,
                "splicing_eff": eff,
                "seq": PREFIX + intron + "ACGT",
                "intron_seq": intron,
                "SS5_inds": 0,
                "branch_inds": branch,
                "SS3_inds": len(intron) - 3,
                "BC_num": 1,
                "dG": float(i),
                "usable": not np.isnan(eff),
            }
        )
    return pd.DataFrame(rows)


def test_site_sequences_read_seq_at_the_site_indices():
    sites = ds.site_sequences(toy_rows())
    assert sites["ss5"].tolist() == ["GTATGT", "GTACGT", "CTATGT", "GTATGT"]
    assert sites["branch"].tolist() == ["TACTAAC", "TACTAAC", "TTTAACG", "TACTAAC"]
    assert sites["ss3"].tolist() == ["TAG", "CAG", "TAG", "TAG"]


def test_explorer_table_keeps_usable_rows_and_adds_length_and_sites():
    table = ds.explorer_table(toy_rows())
    assert len(table) == 3
    assert table["intron_length"].tolist() == [22, 21, 24]
    assert table["ss3"].tolist() == ["TAG", "CAG", "TAG"]


def test_site_options_are_most_frequent_first():
    assert ds.site_options(ds.explorer_table(toy_rows()), "ss3") == ["TAG", "CAG"]


@pytest.mark.parametrize(
    "selection, kept",
    [
        (ds.LibraryFilter(), [0, 1, 2]),
        (ds.LibraryFilter(types=("b",)), [2]),
        (ds.LibraryFilter(length_range=(21, 22)), [0, 1]),
        (ds.LibraryFilter(ss5=("GTATGT", "CTATGT")), [0, 2]),
        (ds.LibraryFilter(branch=("TACTAAC",)), [0, 1]),
        (ds.LibraryFilter(types=("a",), ss3=("TAG",)), [0]),
    ],
)
def test_filter_rows_combines_every_criterion(selection, kept):
    table = ds.explorer_table(toy_rows())
    assert ds.filter_rows(table, selection).index.tolist() == kept


def test_efficiency_summary_counts_means_and_low_share():
    summary = ds.efficiency_summary(ds.explorer_table(toy_rows()))
    assert summary.index.tolist() == ["all", "a", "b"]
    assert summary["constructs"].tolist() == [3, 2, 1]
    assert summary.loc["a", "mean"] == pytest.approx(0.275)
    assert summary[ds.SHARE_LOW].tolist() == pytest.approx([2 / 3, 0.5, 1.0])


def test_numeric_columns_leave_out_target_indices_and_helpers():
    assert ds.numeric_columns(ds.explorer_table(toy_rows())) == ["dG"]


def toy_card() -> dict:
    """A card with 4-bin histograms over [0, 0.2] so that the 0.1 threshold splits them in half."""
    return {
        "histograms": {
            "bins": [0.0, 0.05, 0.1, 0.15, 0.2],
            "measured": {
                "all": [3, 1, 0, 4],
                "a": [2, 1, 0, 1],
                "b": [1, 0, 0, 3],
            },
        }
    }


def test_card_histograms_rows_per_type_and_bin():
    table = ds.card_histograms(toy_card())
    assert table["type"].tolist() == ["a"] * 4 + ["b"] * 4
    assert table["bin_centre"].tolist()[:4] == pytest.approx([0.025, 0.075, 0.125, 0.175])
    assert table.loc[table["type"] == "a", "share"].tolist() == pytest.approx([0.5, 0.25, 0.0, 0.25])
    assert ds.card_histograms(toy_card(), ("b",))["count"].tolist() == [1, 0, 0, 3]


def test_histogram_summary_matches_the_row_summary_columns():
    summary = ds.histogram_summary(toy_card())
    assert summary.columns.tolist() == ["constructs", "mean", ds.SHARE_LOW]
    assert summary["constructs"].tolist() == [8, 4, 4]
    assert summary[ds.SHARE_LOW].tolist() == pytest.approx([0.5, 0.75, 0.25])
    assert summary.loc["b", "mean"] == pytest.approx((0.025 + 3 * 0.175) / 4)
    assert ds.histogram_summary(toy_card(), ("a",)).index.tolist() == ["all", "a"]


def test_row_histograms_count_each_type_in_20_bins_with_out_of_range_values_at_the_ends():
    rows = pd.DataFrame({"type": ["a", "a", "b", "b", "b"], "splicing_eff": [-0.25, 0.0625, 0.5, 1.0, 1.5]})
    table = ds.row_histograms(rows)
    a, b = (table[table["type"] == t].set_index("bin_start")["count"] for t in ("a", "b"))
    assert len(a) == len(b) == 20 and a.sum() == 2 and b.sum() == 3
    assert (a.iloc[0], a.iloc[1], b.iloc[10], b.iloc[19]) == (1, 1, 1, 2)
    assert table.loc[table["type"] == "b", "share"].sum() == pytest.approx(1)
