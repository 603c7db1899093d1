"""Design output: table, FASTA, oligos in the library's design flanks, trust warnings, library distance."""

import numpy as np
import pandas as pd
import pytest

from splice_core.contexts import DesignTemplate
from splice_core.design import Design, Goal
from splice_core.design_output import NO_TEMPLATE, agreement_share, designs_fasta, designs_table, oligo_of
from splice_core.design_trust import LibraryNeighbourhood, design_warnings, kmer_profiles, nearest_distances

TEMPLATE = DesignTemplate(prefix="P" * 47, exon="E" * 160, homology="H" * 30)
EDITED = Design("GTAAGCATAG", ("A3C",), np.array([0.5, 0.25, 0.75]), 2, Goal("target", 0.375))
ORIGINAL = Design("GTAAGAATAG", (), np.array([0.25, 0.25, 0.25]), 2, Goal("target", 0.375))


def test_the_oligo_is_the_library_template_around_the_intron():
    oligo = oligo_of("GTAAGCATAG", TEMPLATE)
    assert oligo == "P" * 47 + "GTAAGCATAG" + "E" * (230 - 47 - 30 - 10) + "H" * 30 and len(oligo) == 230
    assert oligo_of("GTAAG", None) == NO_TEMPLATE
    assert oligo_of("A" * 160, TEMPLATE) == "does not fit the oligo (at most 153 nt)"


def test_the_table_has_one_row_per_design_with_its_figures():
    table = designs_table([ORIGINAL, EDITED], TEMPLATE)
    assert table["design"].tolist() == ["edits-0", "edits-1"] and table["n_edits"].tolist() == [0, 1]
    row = table.iloc[1]
    assert (
        row["edits"] == "A3C"
        and row["predicted"] == 0.5
        and row["search_mean"] == 0.375
        and row["held_out"] == 0.75
        and not row["held_out_agrees"]
    )
    assert (
        row["spread"] == pytest.approx(np.std([0.5, 0.25, 0.75]), abs=1e-4)
        and row["gc"] == 0.4
        and row["length"] == 10
    )
    assert (
        row["warning"]
        == "members disagree (spread 0.20); held-out member predicts 0.75, more than 0.1 from the target 0.38"
    )
    assert row["oligo"].startswith("P" * 47 + "GTAAGCATAG") and pd.isna(row["library_distance"])
    assert agreement_share(table) == 0.0
    near = Design("GTAAGAATAG", (), np.array([0.25, 0.5, 0.3]), 2, Goal("target", 0.375))
    assert agreement_share(designs_table([near, EDITED])) == 0.5
    assert agreement_share(designs_table([Design("GTAG", (), np.array([0.1]), 1, Goal("high"))])) is None


def test_fasta_carries_the_edits_and_prediction():
    table = designs_table([EDITED], TEMPLATE)
    assert designs_fasta(table) == (
        '>edits-1 edits=A3C predicted=0.500 spread=0.204 warning="members disagree (spread 0.20); held-out member '
        'predicts 0.75, more than 0.1 from the target 0.38"\nGTAAGCATAG\n'
    )
    near = Design("GTAAGAATAG", (), np.array([0.375, 0.375, 0.375]), 2, Goal("target", 0.375))
    assert designs_fasta(designs_table([near])) == ">edits-0 predicted=0.375 spread=0.000\nGTAAGAATAG\n"
    assert designs_fasta(table, "oligo").splitlines()[1] == table["oligo"].item()


def test_kmer_profiles_and_nearest_distances():
    profiles = kmer_profiles(["AAAAA", "ACGTA", "AC"], k=2)
    assert profiles[0, 0] == 1.0 and profiles[1].sum() == 1.0 and profiles[2].sum() == 1.0
    assert profiles[1, 1] == profiles[1, 6] == profiles[1, 11] == profiles[1, 12] == 0.25  # AC, CG, GT, TA
    library = np.eye(3)
    assert nearest_distances(np.array([[1.0, 0, 0]]), library).tolist() == [0.0]
    assert nearest_distances(library, library, skip=np.arange(3)) == pytest.approx([np.sqrt(2)] * 3)


def test_designs_far_from_the_library_are_warned():
    rng = np.random.default_rng(0)
    library = ["".join(rng.choice(list("AT"), 80)) for _ in range(50)]
    near = LibraryNeighbourhood(library)
    distances = near.distances([library[0], "GC" * 40])
    assert distances[0] == pytest.approx(0, abs=1e-6) and distances[1] > near.threshold
    far = Design("GC" * 40, (), np.array([0.5, 0.5]), 1, Goal("high"))
    assert design_warnings(far, distances[1], near.threshold)[0].startswith(
        "far from the library (4-mer distance"
    )
    assert design_warnings(far, distances[0], near.threshold) == []
    table = designs_table([far], None, near)
    assert (
        table["library_distance"].item() == pytest.approx(distances[1], abs=1e-4)
        and "far from the library" in table["warning"].item()
    )
