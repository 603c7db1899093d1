"""Design output: table, FASTA, oligos in the library's design flanks, trust warnings, library distance."""

import numpy as np
import pandas as pd
import pytest

from splice_core.data.contexts import OligoTemplate
from splice_core.design.checks import design_warnings, peer_agrees
from splice_core.design.output import NO_TEMPLATE, agreement_share, designs_fasta, designs_table, oligo_of
from splice_core.design.search import Design, Goal
from splice_core.predict.library_distance import fit_library_distance

TEMPLATE = OligoTemplate(prefix="P" * 47, exon="E" * 160, homology="H" * 30)
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


def test_designs_where_the_model_guesses_or_the_peer_disagrees_are_warned():
    rng = np.random.default_rng(0)
    library = ["GT" + "".join(rng.choice(list("ACGT"), 80)) + "AG" for _ in range(200)]
    card = {"library_distance": fit_library_distance(library).to_dict()}
    far = Design("GC" * 40, (), np.array([0.5, 0.5]), 1, Goal("high"))
    near = Design(library[0], (), np.array([0.5, 0.5]), 1, Goal("high"))
    assert design_warnings(far, "sequence composition unlike the library's") == [
        "the model is guessing: sequence composition unlike the library's"
    ]
    assert design_warnings(near, "", peer=0.75) == [
        "the gradient-boosting peer predicts 0.75, more than 0.1 from the searched members 0.50"
    ]
    assert peer_agrees(near, 0.55) and peer_agrees(near, None) is None
    table = designs_table([far, near], None, card)
    assert "the model is guessing" in table["warning"][0] and table["warning"][1] == ""
    assert table["library_distance"][0] > table["library_distance"][1] and table["peer"].isna().all()


class HalfPeer:
    """A toy peer predicting 0.5 for every intron."""

    def predict_introns(self, introns: list[str]) -> np.ndarray:
        return np.full(len(introns), 0.5)


def test_the_peer_checks_each_design_against_its_aim():
    on_target = Design("GTAAG" * 10, (), np.array([0.5, 0.5]), 1, Goal("target", 0.45))
    off_target = Design("GTAAG" * 10, (), np.array([0.9, 0.9]), 1, Goal("target", 0.9))
    table = designs_table([on_target, off_target], None, {}, HalfPeer())
    assert table["peer"].tolist() == [0.5, 0.5] and table["peer_agrees"].tolist() == [True, False]
    assert (
        "the gradient-boosting peer predicts 0.50, more than 0.1 from the target 0.90" in table["warning"][1]
    )
