"""The Predict & explain page (AppTest) with a hand-set linear model: values, messages, clicks, undo."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from toy_model import (
    BRANCH_PWM,
    expected_members,
    install_toy_model,
    linear_model,
    sqrt_model,
    toy_card,
    toy_page,
    toy_weights,
)

from splice_core.data.sites import find_branch_start, site_spans, sites_html
from splice_core.models.store import save_model_dir, set_active_model
from splice_core.predict.spread import spread_warning
from splice_core.seq.intron_text import EXAMPLE_INTRON, MAX_INTRON, TRAINED_MAX
from splice_core.seq.mutations import checked_mutated, mutation_label
from splice_core.seq.views import central_view, intron_view_set, view_layout

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "predict.py")
LENGTH = 200
INTRON = "GTATGTAAGCATTCGATACTTACTAACACGTTTGCATAG"


@pytest.fixture()
def page(tmp_path, monkeypatch) -> AppTest:
    """The page over the toy model, with no data directory."""
    return toy_page(Path(PAGE), tmp_path, monkeypatch, LENGTH)


def views(intron: str) -> list:
    """The views the page's model reads of an intron (branch at the PWM's best match)."""
    return intron_view_set(intron, find_branch_start(intron, BRANCH_PWM), view_layout())


def shown(intron: str) -> str:
    """The metric text the toy model gives an intron (the mean over its views when it is long)."""
    members = expected_members([v.sequence for v in views(intron)], toy_weights(LENGTH)).mean(0)
    return f"{members.mean():.3f} ± {members.std():.3f}"


def mean(intron: str) -> float:
    """The toy model's mean prediction."""
    return float(expected_members([intron], toy_weights(LENGTH)).mean())


def run_with(at: AppTest, intron: str, wildtype: str = "") -> AppTest:
    """Type into the boxes and rerun."""
    at.text_area(key="intron_text").set_value(intron)
    at.text_area(key="wildtype_text").set_value(wildtype)
    return at.run()


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    """Label -> (value, delta) of every metric on the page."""
    return {m.label: (m.value, m.delta) for m in at.metric}


def click_heatmap_cell(at: AppTest, position: int, mutant: str) -> AppTest:
    """Send the selection a browser click on a heatmap cell produces, and rerun."""
    chart = next(c for c in at.get("plotly_chart") if c.key == "heatmap")
    cells = json.loads(chart.proto.spec)["data"][1]["customdata"]
    index, point = next((i, d) for i, d in enumerate(cells) if d[0] == position and d[1] == mutant)
    selection = {
        "points": [
            {
                "x": position,
                "y": "del" if mutant == "-" else mutant,
                "customdata": point,
                "point_index": index,
            }
        ],
        "point_indices": [index],
        "box": [],
        "lasso": [],
    }
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=chart.proto.id, string_value=json.dumps({"selection": selection})))
    return at._run(states)


def test_first_view_predicts_the_example_with_its_spread(page):
    page.run()
    assert not page.exception and not page.error and not page.warning
    assert metrics(page) == {"Predicted splicing efficiency": (shown(EXAMPLE_INTRON), "")}
    assert len(page.get("image")) == 1 and page.get("plotly_chart")[0].key == "heatmap"


def test_the_page_says_what_splicing_efficiency_is(page):
    page.run()
    (note,) = [c.value for c in page.caption if c.value.startswith("Splicing efficiency:")]
    assert "share of the reporter's reads spliced at the intron's own sites" in note
    assert "Schirman et al. 2021" in note and "not in its own gene" in note


def test_rna_lower_case_fasta_with_spaces_is_cleaned_and_predicted(page):
    page.run()
    text = ">my intron\n" + " ".join(INTRON[i : i + 10] for i in range(0, len(INTRON), 10)).lower().replace(
        "t", "u"
    )
    run_with(page, text)
    assert not page.exception and not page.error
    assert metrics(page)["Predicted splicing efficiency"][0] == shown(INTRON)


def test_the_three_sites_are_shown_and_the_branch_can_be_moved(page):
    run_with(page.run(), INTRON)
    branch = INTRON.index("TACTAAC")
    assert page.number_input(key="branch_start").value == branch + 1
    assert page.get("html")[0].proto.body == sites_html(INTRON, site_spans(len(INTRON), branch))
    page.number_input(key="branch_start").set_value(12).run()
    assert page.get("html")[0].proto.body == sites_html(INTRON, site_spans(len(INTRON), 11))
    assert metrics(page)["Predicted splicing efficiency"][0] == shown(INTRON)


def test_a_mutant_is_shown_beside_its_wild_type(page):
    mutant = checked_mutated(INTRON, 2, "C")
    run_with(page.run(), mutant, INTRON)
    change = mean(mutant) - mean(INTRON)
    member_changes = (
        expected_members([mutant], toy_weights(LENGTH)) - expected_members([INTRON], toy_weights(LENGTH))
    )[0]
    assert metrics(page) == {
        "Wild-type": (shown(INTRON), ""),
        "Predicted splicing efficiency": (shown(mutant), f"{change:+.3f}"),
        "Change (mutant − wild-type)": (f"{change:+.3f} ± {member_changes.std():.3f}", ""),
    }
    assert member_changes.std() != pytest.approx(
        expected_members([mutant], toy_weights(LENGTH))[0].std()
    )  # the change's own spread


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Intron: The intron is empty"),
        ("  \n ", "Intron: The intron is empty"),
        (
            INTRON[:10] + "XZ" + INTRON[12:],
            "Only A, C, G, T/U and N are allowed: found 'X' at 11, 'Z' at 12.",
        ),
        ("GTATGTAG", "Too short (8 nt)"),
        (
            INTRON[:-3] + "A" * (MAX_INTRON + 1 - len(INTRON)) + "TAG",
            f"Too long ({MAX_INTRON + 1:,} nt): introns of at most {MAX_INTRON:,} nt are taken",
        ),
        (f">a\n{INTRON}\n>b\n{INTRON}", "Found 2 FASTA records"),
    ],
)
def test_unusable_input_gets_one_error_and_no_prediction(page, text, message):
    run_with(page.run(), text)
    assert not page.exception and not page.metric
    assert len(page.error) == 1 and message in page.error[0].value


@pytest.mark.parametrize(
    "text, message",
    [
        ("CC" + INTRON[2:], "No GT/GC at the 5' end (starts with CC): predicted anyway."),
        (INTRON[:-2] + "TT", "No AG at the 3' end (ends with TT): predicted anyway."),
        (
            INTRON[:-3] + "A" * (TRAINED_MAX + 5 - len(INTRON)) + "TAG",
            f"than any intron in the training library ({TRAINED_MAX} nt): the model reads {TRAINED_MAX}-nt views",
        ),
        (INTRON[:15] + "NN" + INTRON[17:], "2 N base(s) (first at 16) are read as unknown."),
    ],
)
def test_weak_input_gets_one_warning_and_is_still_predicted(page, text, message):
    run_with(page.run(), text)
    assert not page.exception and not page.error
    assert len(page.warning) == 1 and message in page.warning[0].value
    assert metrics(page)["Predicted splicing efficiency"][0] == shown(text)


def test_a_bad_wild_type_is_reported_and_the_intron_still_predicted(page):
    run_with(page.run(), INTRON, "GTAG")
    assert [e.value for e in page.error] == [
        "Wild-type: Too short (4 nt): an intron needs at least 20 nt to hold the 5' splice site, branch site and 3' splice site."
    ]
    assert metrics(page) == {"Predicted splicing efficiency": (shown(INTRON), "")}


def test_strongest_effects_tables_and_csv_download(page):
    run_with(page.run(), INTRON)
    mutations = {
        mutation_label(INTRON, i, b): mean(checked_mutated(INTRON, i, b)) - mean(INTRON)
        for i in range(len(INTRON))
        for b in "ACGT-"
        if b != INTRON[i]
    }
    losses, gains = page.dataframe[0].value, page.dataframe[1].value
    assert mutations[losses["mutation"].iloc[0]] == pytest.approx(min(mutations.values()), abs=1e-9)
    assert mutations[gains["mutation"].iloc[0]] == pytest.approx(max(mutations.values()), abs=1e-9)
    assert losses["delta"].iloc[0] == pytest.approx(min(mutations.values()), abs=1e-6)
    assert len(losses) == 10 and (np.diff(losses["delta"]) >= 0).all()
    assert [b.label for b in page.get("download_button")] == ["Download all effects (CSV)"]


def test_clicking_a_heatmap_cell_applies_the_mutation_and_undo_restores(page):
    run_with(page.run(), INTRON)
    click_heatmap_cell(page, 5, "C")
    mutant = checked_mutated(INTRON, 4, "C")
    assert not page.exception
    assert page.text_area(key="intron_text").value == mutant
    assert page.text_area(key="wildtype_text").value == INTRON
    assert [s.value for s in page.success] == [f"Applied {mutation_label(INTRON, 4, 'C')}."]
    assert metrics(page)["Predicted splicing efficiency"] == (
        shown(mutant),
        f"{mean(mutant) - mean(INTRON):+.3f}",
    )
    page.run()
    assert page.text_area(key="intron_text").value == mutant
    click_heatmap_cell(page, 1, "-")
    assert (
        page.text_area(key="intron_text").value == mutant[1:]
        and page.text_area(key="wildtype_text").value == INTRON
    )
    page.button[1].click().run()
    assert page.text_area(key="intron_text").value == mutant
    page.button[1].click().run()
    assert (
        page.text_area(key="intron_text").value == INTRON and page.text_area(key="wildtype_text").value == ""
    )
    assert page.button[1].disabled


def test_the_apply_control_uses_the_same_path(page):
    run_with(page.run(), INTRON)
    page.number_input(key="mutation_position").set_value(4)
    page.selectbox(key="mutation_base").set_value("deletion")
    page.button[0].click().run()
    assert page.text_area(key="intron_text").value == checked_mutated(INTRON, 3, "-")
    assert [s.value for s in page.success] == [f"Applied del{INTRON[3]}4."]


def test_applying_the_base_already_there_is_refused_and_changes_nothing(page):
    run_with(page.run(), INTRON)
    page.number_input(key="mutation_position").set_value(3)
    page.selectbox(key="mutation_base").set_value(INTRON[2]).run()
    page.button[0].click().run()
    assert not page.exception and not page.success
    assert [e.value for e in page.error] == [
        f"{INTRON[2]}3{INTRON[2]} changes nothing: position 3 already holds {INTRON[2]}. Choose another base."
    ]
    assert (
        page.text_area(key="intron_text").value == INTRON and page.text_area(key="wildtype_text").value == ""
    )
    assert page.button[1].disabled  # no undo entry
    assert "Wild-type" not in metrics(page)


def test_saliency_controls_redraw_the_logo(page):
    run_with(page.run(), INTRON)
    page.slider(key="sg_samples").set_value(10)
    page.slider(key="sg_noise").set_value(0.2).run()
    assert not page.exception and len(page.get("image")) == 1
    assert any("no entropy track" in c.value for c in page.caption)


@pytest.mark.parametrize(
    ("bias", "noise", "logos"),
    [(0.25 - len(INTRON), 0.1, 1), (-len(INTRON), 0.0, 0)],
)
def test_saliency_samples_with_non_finite_gradients_are_left_out_and_said(page, tmp_path, bias, noise, logos):
    """sqrt(sum(x) + bias): a noisy copy whose sum falls below -bias is NaN; at sqrt(0) the gradient is infinite."""
    path = save_model_dir(tmp_path / "models" / "sqrt", sqrt_model(LENGTH, bias), toy_card())
    set_active_model(path, tmp_path / "models")
    run_with(page.run(), INTRON)
    page.slider(key="sg_noise").set_value(noise).run()
    assert not page.exception and len(page.get("image")) == logos
    if logos:
        note = next(i.value for i in page.info if "noisy copies" in i.value)
        left_out, kept = int(note.split()[0]), int(note.rstrip(".").split()[-1])
        assert 0 < left_out < 50 and left_out + kept == 50 and "of the 50 noisy copies" in note
    else:
        assert any("No logo: every one of the 50 noisy copies" in w.value for w in page.warning)


def test_library_entropy_is_drawn_when_the_data_is_present(page, tiny_data_dir, monkeypatch):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tiny_data_dir))
    run_with(page.run(), INTRON)
    page.radio(key="entropy_align").set_value("3' end").run()
    assert not page.exception and any(
        "per-position entropy of the training library" in c.value for c in page.caption
    )


def test_a_model_that_needs_the_oligo_design_without_data_is_one_clear_error(page, tmp_path):
    path = save_model_dir(
        tmp_path / "models" / "windows", linear_model(toy_weights(120)), toy_card("windows")
    )
    set_active_model(path, tmp_path / "models")
    page.run()
    assert (
        not page.exception
        and len(page.error) == 1
        and "needs the library's oligo design" in page.error[0].value
    )


def test_the_intron_survives_a_visit_to_another_page(page):
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    run_with(app.run(), INTRON)
    app.switch_page("app_pages/batch.py").run()
    assert not app.exception and not app.text_area
    app.switch_page("app_pages/predict.py").run()
    assert not app.exception and app.text_area(key="intron_text").value == INTRON
    assert app.number_input(key="branch_start").value == INTRON.index("TACTAAC") + 1
    assert metrics(app)["Predicted splicing efficiency"][0] == shown(INTRON)


def test_a_single_model_says_it_has_no_ensemble_spread(page, tmp_path):
    weights = toy_weights(LENGTH, members=1)
    path = save_model_dir(
        tmp_path / "models" / "single", linear_model(weights, bias=np.array([0.25])), toy_card()
    )
    set_active_model(path, tmp_path / "models")
    run_with(page.run(), INTRON)
    value = metrics(page)["Predicted splicing efficiency"][0]
    expected = float(expected_members([INTRON], weights, np.array([0.25]))[0, 0])
    assert value == f"{expected:.3f} (no ensemble spread)" and "±" not in value
    assert "no ensemble spread" in page.metric[0].proto.help


def test_members_that_disagree_are_said_beside_the_prediction(page, tmp_path):
    # Zero weights: the two members give their biases, 0 and 0.5, for any intron: mean 0.25, spread (SD) 0.25.
    model = linear_model(np.zeros((LENGTH, 4, 2)), bias=np.array([0.0, 0.5]))
    set_active_model(save_model_dir(tmp_path / "models" / "split", model, toy_card()), tmp_path / "models")
    run_with(page.run(), INTRON, wildtype=INTRON)
    assert [w.value for w in page.warning] == [
        spread_warning(0.25, 2, "this intron"),
        spread_warning(0.25, 2, "the wild-type"),
    ]
    assert metrics(page)["Predicted splicing efficiency"][0] == "0.250 ± 0.250"


LONG = "GTATGTAAGC" + "ATTTCGATATTAAGCTTTATCAAATTTTTGCAT" * 18 + "CTTTATTTTACTAACACGTTTGCATCCTTTGCATAG"


def test_a_long_intron_is_predicted_from_its_views_and_explained_on_its_central_view(page):
    run_with(page.run(), LONG)
    assert not page.exception and not page.error and len(page.warning) == 1
    assert metrics(page)["Predicted splicing efficiency"][0] == shown(LONG)
    view = central_view(views(LONG))
    note = next(i.value for i in page.info if "central view" in i.value)
    assert f"Your intron is {len(LONG)} nt" in note and view.describe() in note
    assert "held no intron over 148 nt" in page.caption[0].value
    cells = json.loads(next(c for c in page.get("plotly_chart") if c.key == "heatmap").proto.spec)["data"][1][
        "customdata"
    ]
    assert len({cell[0] for cell in cells}) == TRAINED_MAX and max(cell[0] for cell in cells) == len(LONG)
    mutant = "A" if view.sequence[59] != "A" else "C"
    position = int(view.positions()[59]) + 1
    click_heatmap_cell(page, position, mutant)
    assert not page.exception
    assert page.text_area(key="intron_text").value == checked_mutated(LONG, position - 1, mutant)


def made_up_long_intron(tail: int) -> str:
    """GTATGT + 520 random nt + TACTAAC + ``tail`` nt (starting with A: the PWM's best match) + T12 CAG."""
    rng = np.random.default_rng(7)
    middle, after = ("".join(rng.choice(list("ACGT"), n)) for n in (520, tail - 1))
    return "GTATGT" + middle.replace("TACTAAC", "TACTTAC") + "TACTAAC" + "A" + after + "T" * 12 + "CAG"


def test_a_long_introns_labels_axis_and_apply_control_speak_intron_positions(page):
    intron = made_up_long_intron(40)
    assert len(intron) == 588
    run_with(page.run(), intron)
    view = central_view(views(intron))
    positions = view.positions() + 1
    assert positions[-1] == 588 and not page.exception
    layout = json.loads(next(c for c in page.get("plotly_chart") if c.key == "heatmap").proto.spec)["layout"]
    assert layout["xaxis"]["title"]["text"] == "intron position (nt)"
    ticks = dict(zip(layout["xaxis"]["tickvals"], layout["xaxis"]["ticktext"]))
    assert ticks and all(str(positions[column - 1]) == text for column, text in ticks.items())
    assert max(int(text) for text in ticks.values()) > TRAINED_MAX
    assert "BP" in {a.get("text") for a in layout["annotations"]}
    labels = [*page.dataframe[0].value["mutation"], *page.dataframe[1].value["mutation"]]
    for label in labels:
        position = int("".join(ch for ch in label if ch.isdigit()))
        wild = label[3] if label.startswith("del") else label[0]
        assert position in positions and intron[position - 1] == wild, label
    label = page.dataframe[0].value["mutation"].iloc[0]
    position = int("".join(ch for ch in label if ch.isdigit()))
    mutant = "deletion" if label.startswith("del") else label[-1]
    page.number_input(key="mutation_position").set_value(position)
    page.selectbox(key="mutation_base").set_value(mutant)
    page.button[0].click().run()
    assert page.text_area(key="intron_text").value == checked_mutated(
        intron, position - 1, mutant.replace("deletion", "-")
    )
    assert [s.value for s in page.success] == [f"Applied {label}."]


def test_a_branch_site_far_from_the_3_end_is_read_in_its_own_piece_and_boxed(page):
    intron = made_up_long_intron(100)
    run_with(page.run(), intron)
    branch = intron.index("TACTAACA")
    view = central_view(views(intron))
    assert (
        view.position_of(branch) == 50 + 7 + 10 and not page.exception
    )  # 5' region, 7-nt window, 10-nt margin
    assert not [i.value for i in page.info if "outside this view" in i.value]
    layout = json.loads(next(c for c in page.get("plotly_chart") if c.key == "heatmap").proto.spec)["layout"]
    assert {a.get("text") for a in layout["annotations"]} >= {"5'SS", "BP", "3'SS"}
