"""Tests for splice_core.data.contexts: the sequence contexts a model reads."""

import numpy as np
import pandas as pd
import pytest
from conftest import HOMOLOGY3, HOMOLOGY5, make_library

from splice_core.data.contexts import (
    FULL_LENGTH,
    INTRON_LENGTH,
    INTRON_START,
    Constructs,
    OligoTemplate,
    constructs_to_one_hot,
    context_length,
    full_transcripts,
    introns_to_constructs,
    library_to_constructs,
    library_to_one_hot,
    library_to_template,
    site_windows,
)
from splice_core.data.library import SITE_OFFSET, Reporter, read_library, read_reporter
from splice_core.models.recipe_options import CONTEXTS
from splice_core.seq.encoding import one_hot_to_strings

UPSTREAM = "C" * 294 + "ACGTACGT"  # 302 nt, ends with an 8-nt index
DOWNSTREAM = "G" * 1100 + "TA"  # 1,102 nt
REPORTER = Reporter(UPSTREAM, DOWNSTREAM)
BARCODE = "AAAACCCCGGGG"
EXON5 = "TTTTT"
INTRON = "GTATGT" + "A" * 30 + "TACTAACA" + "C" * 20 + "TAG"  # 67 nt: branch at 36, 3'SS at 64
DOWN = "ACGTAGCTAGCATCGACTAGCATCAGCTAC" * 4  # 120 nt of downstream exon, long enough for every test intron


def oligo(intron: str, barcode: str = BARCODE, exon5: str = EXON5) -> str:
    """A made-up 230-nt library oligo: homology + barcode + 5' exon + intron + downstream exon's 3' end + homology."""
    room = 230 - 30 - 47 - len(intron)
    return HOMOLOGY5 + barcode + exon5 + intron + DOWN[len(DOWN) - room :] + HOMOLOGY3


def row(intron: str = INTRON, branch: int = 36, **columns) -> dict:
    """A library row with the real index convention: index + 41 is the 0-based position in ``seq``."""
    return {
        "type": "synthetic",
        "BC": BARCODE,
        "splicing_eff": 0.5,
        "seq": oligo(intron),
        "intron_seq": intron,
        "SS5_inds": INTRON_START - SITE_OFFSET,
        "branch_inds": INTRON_START + branch - SITE_OFFSET,
        "SS3_inds": INTRON_START + len(intron) - 3 - SITE_OFFSET,
        **columns,
    }


def test_context_lengths():
    assert {c: context_length(c) for c in CONTEXTS} == {
        "full": 1615,
        "intron": 200,
        "windows": 120,
        "oligo": 230,
    }
    with pytest.raises(ValueError, match="unknown context 'exon'"):
        context_length("exon")


def test_site_index_convention():
    frame = pd.DataFrame([row()])
    seq, ss5 = frame.loc[0, "seq"], int(frame.loc[0, "SS5_inds"])
    assert ss5 == 6
    assert seq[ss5 + SITE_OFFSET :].startswith(INTRON)
    constructs = library_to_constructs(frame)
    assert (constructs.ss5[0], constructs.branch[0], constructs.ss3[0]) == (47, 47 + 36, 47 + 64)
    assert seq[constructs.branch[0] :].startswith("TACTAACA")
    assert seq[constructs.ss3[0] : constructs.ss3[0] + 3] == "TAG"


def test_full_transcript_assembly():
    frame = pd.DataFrame([row(), row(INTRON[:40] + INTRON[-20:], branch=20)])
    x = library_to_one_hot(frame, "full", REPORTER)
    assert x.shape == (2, FULL_LENGTH, 4)
    texts = one_hot_to_strings(x)
    for text, seq in zip(texts, frame["seq"]):
        assert len(UPSTREAM + seq[10:221] + DOWNSTREAM) == 1615
        assert text == UPSTREAM + seq[10:221] + DOWNSTREAM
    assert full_transcripts(list(frame["seq"]), REPORTER) == texts
    assert x.sum(-1).min() == 1  # no padding anywhere


def test_full_context_needs_the_reporter():
    with pytest.raises(ValueError, match="reporter"):
        library_to_one_hot(pd.DataFrame([row()]), "full")


def test_windows_are_centred_on_site_starts():
    frame = pd.DataFrame([row()])
    seq = frame.loc[0, "seq"]
    (text,) = one_hot_to_strings(library_to_one_hot(frame, "windows"))
    assert len(text) == 120
    assert text[:40] == seq[27:67]  # 5'SS at 47: 20 nt before, 20 from the site on
    assert text[20:26] == "GTATGT"
    assert text[40:80] == seq[63:103]  # branch at 83
    assert text[60:68] == "TACTAACA"
    assert text[80:120] == seq[91:131]  # 3'SS at 111
    assert text[100:103] == "TAG"


def test_windows_are_n_padded_outside_the_oligo():
    seq = "ACGT" * 57 + "AC"  # 230 nt
    constructs = Constructs(
        oligos=[seq], introns=[""], ss5=np.array([5]), branch=np.array([100]), ss3=np.array([225])
    )
    (text,) = site_windows(constructs)
    assert text[:40] == "N" * 15 + seq[:25]
    assert text[40:80] == seq[80:120]
    assert text[80:] == seq[205:] + "N" * 15
    x = constructs_to_one_hot(constructs, "windows")
    np.testing.assert_array_equal(x[0, :15], 0)
    np.testing.assert_array_equal(x[0, 105:], 0)
    assert x[0, 15:105].sum() == 90


def test_intron_context_is_left_aligned_and_padded():
    frame = pd.DataFrame([row(), row(INTRON[:40] + INTRON[-20:], branch=20)])
    x = library_to_one_hot(frame, "intron")
    assert x.shape == (2, INTRON_LENGTH, 4)
    texts = one_hot_to_strings(x)
    assert texts[0] == INTRON + "N" * (INTRON_LENGTH - len(INTRON))
    assert texts[1] == INTRON[:40] + INTRON[-20:] + "N" * 140


def test_oligo_context():
    frame = pd.DataFrame([row()])
    (text,) = one_hot_to_strings(library_to_one_hot(frame, "oligo"))
    assert text == frame.loc[0, "seq"]
    assert len(text) == 230


def test_contexts_of_made_up_library_have_their_lengths():
    frame = make_library(n_designs=6)
    for context in CONTEXTS:
        x = library_to_one_hot(frame, context, REPORTER)
        assert x.shape == (len(frame), context_length(context), 4)
        assert x.dtype == np.float32


def template_frame() -> pd.DataFrame:
    """Four rows: three share the most common 5' exon, the second has the shortest intron (longest exon)."""
    short = INTRON[:40] + INTRON[-20:]
    return pd.DataFrame(
        [
            row(),
            row(short, branch=20),
            row(INTRON + "A" * 10, seq=oligo(INTRON + "A" * 10, barcode="TTTTGGGGCCCC")),
            row(short, branch=20, seq=oligo(short, exon5="GGGGG")),
        ]
    )


def test_design_template():
    template = library_to_template(template_frame())
    assert template == OligoTemplate(prefix=HOMOLOGY5 + BARCODE + EXON5, exon=DOWN[-93:], homology=HOMOLOGY3)
    assert template.max_intron_length() == 230 - 47 - 30


def test_introns_to_constructs_rebuilds_the_library_oligo():
    frame = template_frame()
    template = library_to_template(frame)
    constructs = introns_to_constructs([INTRON, frame.loc[1, "intron_seq"]], np.array([36, 20]), template)
    assert constructs.oligos == [frame.loc[0, "seq"], frame.loc[1, "seq"]]
    assert constructs.introns == [INTRON, frame.loc[1, "intron_seq"]]
    np.testing.assert_array_equal(constructs.ss5, [47, 47])
    np.testing.assert_array_equal(constructs.branch, [47 + 36, 47 + 20])
    np.testing.assert_array_equal(constructs.ss3, [47 + 64, 47 + 57])
    library = library_to_constructs(frame.iloc[:2])
    for name in ("ss5", "branch", "ss3"):
        np.testing.assert_array_equal(getattr(constructs, name), getattr(library, name))
    np.testing.assert_array_equal(
        constructs_to_one_hot(constructs, "windows"), library_to_one_hot(frame.iloc[:2], "windows")
    )


def test_introns_to_constructs_rejects_long_introns():
    template = library_to_template(template_frame())
    fitting = "GT" + "A" * 150 + "G"
    assert (
        introns_to_constructs([fitting], np.array([100]), template).oligos[0]
        == template.prefix + fitting + HOMOLOGY3
    )
    assert len(introns_to_constructs(["GTAG" * 15], np.array([30]), template).oligos[0]) == 230
    with pytest.raises(ValueError, match="longer than 153 nt"):
        introns_to_constructs([fitting + "A"], np.array([100]), template)


def test_real_data_convention(real_data_dir):
    frame = read_library(real_data_dir)
    starts = frame["SS5_inds"].to_numpy() + SITE_OFFSET
    assert all(s[i:].startswith(t) for s, i, t in zip(frame["seq"], starts, frame["intron_seq"]))
    reporter = read_reporter(real_data_dir)
    lengths = {len(t) for t in full_transcripts(frame["seq"].tolist(), reporter)}
    assert lengths == {1615}
    sample = frame.iloc[:: max(1, len(frame) // 50)]
    x = library_to_one_hot(sample, "full", reporter)
    assert x.shape == (len(sample), 1615, 4)
    assert (x.sum(-1) == 1).all()
    template = library_to_template(frame)
    assert len(template.prefix) == INTRON_START
    assert frame["seq"].str[-30:].eq(template.homology).all()
    same_design = frame[frame["seq"].str[42:47] == template.prefix[42:]]
    rebuilt = introns_to_constructs(
        same_design["intron_seq"].tolist(), np.zeros(len(same_design), int), template
    )
    assert all(len(s) == 230 for s in rebuilt.oligos)
    exact = np.mean([a[42:] == b[42:] for a, b in zip(rebuilt.oligos, same_design["seq"])])
    assert exact > 0.75, f"only {exact:.1%} of the template design's oligos are rebuilt from their introns"
