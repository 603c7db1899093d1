"""Predict page, epistasis map (AppTest, toy model): computed on request, one cell per pair of positions, a click shows and applies the pair."""

import json

from streamlit.proto.WidgetStates_pb2 import WidgetState
from test_page_predict import page, run_with

from splice_core.analysis.double_mutants import pair_count
from splice_core.seq.mutations import checked_mutated

INTRON = "GTATGTAACTAACTTTTTTTTTAG"  # a double deletion leaves 22 nt, still an intron


def click_map_cell(at, position_1: int, position_2: int):
    """Send the selection a browser click on the map cell of two positions produces, and rerun."""
    chart = next(c for c in at.get("plotly_chart") if c.key == "epistasis_map")
    trace = json.loads(chart.proto.spec)["data"][1]
    index = next(
        i for i, (x, y) in enumerate(zip(trace["x"], trace["y"])) if (x, y) == (position_1, position_2)
    )
    point = {"x": position_1, "y": position_2, "customdata": trace["customdata"][index], "point_index": index}
    states = at._tree.get_widget_states()
    states.widgets.append(
        WidgetState(
            id=chart.proto.id,
            string_value=json.dumps(
                {"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}}
            ),
        )
    )
    return at._run(states)


def test_the_map_is_computed_on_request_and_a_cell_applies_its_pair(page):
    page.run()
    run_with(page, INTRON)
    assert f"{pair_count(len(INTRON)):,} double mutants" in " ".join(c.value for c in page.caption)
    assert not any(c.key == "epistasis_map" for c in page.get("plotly_chart"))
    page.button(key="epistasis_start").click().run()
    assert not page.exception
    chart = next(c for c in page.get("plotly_chart") if c.key == "epistasis_map")
    assert len(json.loads(chart.proto.spec)["data"][1]["x"]) == len(INTRON) * (len(INTRON) - 1) // 2
    high = json.loads(chart.proto.spec)["data"][0]["colorscale"][-1][1]  # the colour of positive epistasis
    red, _, blue = (int(v) for v in high.strip("rgb()").split(","))
    assert blue > red and "blue: better together than apart, red: worse" in " ".join(
        c.value for c in page.caption
    )
    click_map_cell(page, 3, 9)
    assert not page.exception
    (label,) = [m.value for m in page.markdown if "(epistasis)" in m.value]
    first, second = label.split("**")[1].split("+")
    assert first in ("A3C", "A3G", "A3T", "delA3") and second in ("C9A", "C9G", "C9T", "delC9")
    page.button(key="epistasis_apply").click().run()
    mutant_1, mutant_2 = ("-" if m.startswith("del") else m[-1] for m in (first, second))
    expected = checked_mutated(checked_mutated(INTRON, 8, mutant_2), 2, mutant_1)
    assert (
        page.text_area(key="intron_text").value == expected
        and page.text_area(key="wildtype_text").value == INTRON
    )
    assert f"Applied {first}+{second}." in page.success[0].value


def test_introns_over_150_nt_get_no_map(page):
    page.run()
    run_with(page, "GTATGT" + "A" * 150 + "TACTAACAG")
    assert any("up to 150 nt" in i.value for i in page.info)
    assert not any(b.key == "epistasis_start" for b in page.button)
