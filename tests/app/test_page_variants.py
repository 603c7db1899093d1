"""The Variants page (AppTest through app.py, toy model): pasted records on made-up annotated introns, scored as by
``vcf``, sorted by change, drawn along the intron, linked to SGD and opened beside their wild type on Predict."""

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest
from test_annotation import INTRON_MINUS, INTRON_PLUS
from toy_model import expected_members, install_toy_model, toy_weights

from splice_core.variants.annotation import reverse_complement

ROOT = Path(__file__).resolve().parents[2]


def made_up_wildtype(directory: Path) -> None:
    """A wild-type table of two made-up introns on chrI: 41..70 (+, ABC1) and 121..149 (-, DEF2), 1-based."""
    rows = []
    for gene, start, strand, seq in (("ABC1", 40, "+", INTRON_PLUS), ("DEF2", 120, "-", INTRON_MINUS)):
        branch_a = seq.index("TACTAAC") + 5
        rows.append(
            {
                "Chromosome": "chrI",
                "Start": start,
                "End": start + len(seq),
                "Strand": strand,
                "Length (bp)": len(seq),
                "5'SS to BP (bp)": branch_a + 1,
                "BP to 3'SS (bp)": len(seq) - branch_a - 1,
                "5'SS": seq[:6],
                "BP": seq[branch_a - 5 : branch_a + 3],
                "3'SS": seq[-3:],
                "Gene": gene,
                "sequence": seq,
            }
        )
    pd.DataFrame(rows).to_csv(directory / "wildtype_introns.csv", index=False)


def variants_app(tmp_path: Path, monkeypatch, with_data: bool = True) -> AppTest:
    """The app on the Variants page over the toy model."""
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    data = tmp_path / "data"
    data.mkdir()
    if with_data:
        made_up_wildtype(data)
    monkeypatch.setenv("SPLICE_DATA_DIR", str(data))
    install_toy_model(tmp_path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("app_pages/variants.py").run()
    assert not at.exception, at.exception
    return at


def toy_mean(sequences: list[str]) -> np.ndarray:
    """The toy model's mean prediction."""
    return expected_members(sequences, toy_weights(200)).mean(1)


def test_pasted_records_are_scored_sorted_by_change_and_linked_to_sgd(tmp_path, monkeypatch):
    at = variants_app(tmp_path, monkeypatch)
    minus_genomic = reverse_complement(INTRON_MINUS)
    pasted = (
        f"chrI 45 . {INTRON_PLUS[4]} C\n"  # intron position 5, in the 5'SS
        f"I 60 . {INTRON_PLUS[19]} {INTRON_PLUS[19]}GG\n"  # an insertion after position 20
        f"NC_001133.9 130 . {minus_genomic[9]} A,G\n"  # minus strand, two ALTs
        "chrI 5 . A G\n"  # outside every intron
    )
    at.text_area(key="vcf_text").set_value(pasted)
    at.button[0].click().run()
    assert not at.exception and not at.error, (at.exception, at.error)
    assert at.success[0].value.startswith("4 records, 3 in annotated introns: 4 ALT x intron scored, 0 not")
    shown = at.dataframe[0].value
    minus_index = len(INTRON_MINUS) - 10
    mutants = [
        INTRON_PLUS[:4] + "C" + INTRON_PLUS[5:],
        INTRON_PLUS[:20] + "GG" + INTRON_PLUS[20:],
        *[INTRON_MINUS[:minus_index] + reverse_complement(b) + INTRON_MINUS[minus_index + 1 :] for b in "AG"],
    ]
    changes = toy_mean(mutants) - toy_mean([INTRON_PLUS, INTRON_PLUS, INTRON_MINUS, INTRON_MINUS])
    order = np.argsort(changes, kind="stable")
    np.testing.assert_allclose(shown["change"], changes[order], atol=1e-6)
    assert shown["SGD"].tolist() == [
        f"https://www.yeastgenome.org/locus/{g}" for g in np.array(["ABC1", "ABC1", "DEF2", "DEF2"])[order]
    ]
    assert shown.loc[shown["in the intron"] == f"{INTRON_PLUS[4]}5C", "site hit"].tolist() == ["5SS"]
    assert [c.key for c in at.get("plotly_chart")] == ["variant_lollipop"]
    at.selectbox(key="variant_gene").set_value("DEF2").run()
    assert set(at.dataframe[0].value["gene"]) == {"DEF2"}


def test_one_click_opens_the_mutant_beside_its_wild_type_on_predict(tmp_path, monkeypatch):
    at = variants_app(tmp_path, monkeypatch)
    at.text_area(key="vcf_text").set_value(f"chrI 45 . {INTRON_PLUS[4]} C\n")
    at.button[0].click().run()
    at.button[1].click().run()
    assert not at.exception, at.exception
    assert at.session_state["intron_text"] == INTRON_PLUS[:4] + "C" + INTRON_PLUS[5:]
    assert at.session_state["wildtype_text"] == INTRON_PLUS
    assert at.title[0].value == "Predict & explain"


def test_a_ref_mismatch_is_listed_unscored_and_a_bad_paste_is_one_message(tmp_path, monkeypatch):
    at = variants_app(tmp_path, monkeypatch)
    wrong = "A" if INTRON_PLUS[9] != "A" else "C"
    at.text_area(key="vcf_text").set_value(f"chrI 50 . {wrong} G\n")
    at.button[0].click().run()
    assert at.dataframe[0].value["not scored"].tolist() == ["REF_MISMATCH"]
    at.text_area(key="vcf_text").set_value("chrI notanumber . A G\n")
    at.button[0].click().run()
    assert not at.exception and len(at.error) == 1 and "pasted.vcf" in at.error[0].value


def test_without_data_the_page_says_what_to_add(tmp_path, monkeypatch):
    at = variants_app(tmp_path, monkeypatch, with_data=False)
    assert "wildtype_introns.csv" in at.warning[0].value and not at.button
