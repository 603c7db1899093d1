"""Dataset page (AppTest): distributions and filters from a tiny data directory, card aggregates without data."""

import base64
import json

import numpy as np
import pytest
from conftest import ROOT, make_library
from streamlit.testing.v1 import AppTest

from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.reports.dataset_tables import SHARE_LOW

PAGE = str(ROOT / "app_pages" / "dataset.py")


def decoded(value):
    """A plotly JSON value with its base64 typed arrays (``{dtype, bdata, shape}``) turned into lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return (array.reshape([int(n) for n in str(shape).split(",")]) if shape else array).tolist()
    if isinstance(value, dict):
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def figure(at: AppTest, index: int) -> dict:
    """The index-th plotly figure on the page as a plain dict (data, layout)."""
    return decoded(json.loads(at.get("plotly_chart")[index].proto.spec))


def run_page() -> AppTest:
    """The page after one run, without an exception."""
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception
    return at


@pytest.fixture()
def with_data(tiny_data_dir, monkeypatch):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tiny_data_dir))
    return tiny_data_dir


@pytest.fixture()
def without_data(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "none"))


def usable_library():
    """The tiny library's rows with a measured efficiency."""
    frame = make_library()
    return frame[frame["splicing_eff"].notna()]


def test_summary_and_distribution_from_the_data(with_data):
    at = run_page()
    rows = usable_library()
    summary = at.dataframe[0].value
    assert summary.loc["all", "constructs"] == len(rows)
    assert summary.loc["all", SHARE_LOW] == pytest.approx((rows["splicing_eff"] < 0.1).mean())
    assert summary.loc["synthetic", "constructs"] == (rows["type"] == "synthetic").sum()
    histogram = figure(at, 0)
    # On the (default) log count axis each type is its own line, not a band stacked on the others.
    assert {trace["type"] for trace in histogram["data"]} == {"scatter"}
    assert sum(np.nansum(np.asarray(trace["y"], float)) for trace in histogram["data"]) == len(rows)
    assert len({trace["line"]["color"] for trace in histogram["data"]}) == rows["type"].nunique()
    violins = figure(at, 1)["data"]
    assert {v["type"] for v in violins} == {"violin"}
    assert sorted(x for v in violins for x in v["x"]) == sorted(rows["type"])
    assert f"{len(rows):,} of {len(rows):,} constructs" in at.caption[0].value


def test_filters_by_type_length_and_site(with_data):
    at = run_page()
    rows = usable_library()
    at.multiselect(key="dataset_types").set_value(["orthologous"]).run()
    assert at.dataframe[0].value.index.tolist() == ["all", "orthologous"]
    assert at.dataframe[0].value.loc["all", "constructs"] == (rows["type"] == "orthologous").sum()
    at.multiselect(key="dataset_types").set_value([]).run()
    at.slider(key="dataset_length").set_value((60, 80)).run()
    assert (
        at.dataframe[0].value.loc["all", "constructs"] == rows["intron_seq"].str.len().between(60, 80).sum()
    )
    at.slider(key="dataset_length").set_value((60, 119)).run()
    at.multiselect(key="dataset_ss3").set_value(["TCC"]).run()
    broken = rows[rows["intron_seq"].str.endswith("TCC")]
    summary = at.dataframe[0].value
    assert summary.loc["all", "constructs"] == len(broken)
    assert summary.loc["all", SHARE_LOW] == pytest.approx((broken["splicing_eff"] < 0.1).mean())


def test_other_measured_columns_can_be_plotted(with_data):
    at = run_page()
    assert at.selectbox(key="dataset_column").options == ["cryptic_splicing_eff", "intron_len"]
    at.selectbox(key="dataset_column").set_value("intron_len").run()
    scatter = figure(at, 2)
    assert scatter["layout"]["xaxis"]["title"]["text"] == "intron_len"
    assert sum(len(trace["x"]) for trace in scatter["data"]) == len(usable_library())


def test_filters_leaving_no_row_warn(with_data):
    at = run_page()
    at.multiselect(key="dataset_ss5").set_value(["CTATGT"]).run()
    at.multiselect(key="dataset_ss3").set_value(["TAG"]).run()
    assert not at.exception
    assert at.warning[0].value == "No construct passes these filters."
    assert not at.get("plotly_chart")


def test_without_data_the_card_aggregates_are_shown(without_data):
    at = run_page()
    card = read_card(PRETRAINED_DIR)
    measured = card["histograms"]["measured"]
    assert "shipped model card" in at.info[0].value and "No library" in at.info[0].value
    summary = at.dataframe[0].value
    assert summary.loc["all", "constructs"] == sum(measured["all"])
    assert summary.loc["all", SHARE_LOW] == pytest.approx(sum(measured["all"][:2]) / sum(measured["all"]))
    assert not at.slider and not at.selectbox
    chosen = sorted(t for t in measured if t != "all")[0]
    at.multiselect(key="dataset_types").set_value([chosen]).run()
    assert at.dataframe[0].value.loc["all", "constructs"] == sum(measured[chosen])
    lines = figure(at, 0)
    assert [trace["name"] for trace in lines["data"]] == [chosen]
    # An empty bin is a gap in its line (log axis), not a line drawn across it.
    drawn = np.asarray(lines["data"][0]["y"], float)
    np.testing.assert_array_equal(drawn, [n if n > 0 else np.nan for n in measured[chosen]])


def panel_axes(figure_dict: dict) -> list[str]:
    """The names of a figure's x axes (one per facet panel)."""
    return sorted(k for k in figure_dict["layout"] if k.startswith("xaxis"))


@pytest.mark.parametrize("data", ["with_data", "without_data"])
def test_histogram_count_axis_is_log_or_one_panel_per_type(data, request):
    request.getfixturevalue(data)
    at = run_page()
    types = (
        sorted(usable_library()["type"].unique())
        if data == "with_data"
        else sorted(t for t in read_card(PRETRAINED_DIR)["histograms"]["measured"] if t != "all")
    )
    assert at.radio(key="dataset_histogram_view").value == "log count axis"
    log = figure(at, 0)
    assert log["layout"]["yaxis"]["type"] == "log" and len(panel_axes(log)) == 1
    at.radio(key="dataset_histogram_view").set_value("one panel per library type").run()
    panels = figure(at, 0)
    assert len(panel_axes(panels)) == len(types)
    assert sorted(a["text"] for a in panels["layout"]["annotations"]) == types
    assert all(panels["layout"][k].get("matches") is None for k in panels["layout"] if k.startswith("yaxis"))
    assert sorted(trace["name"] for trace in panels["data"]) == types
    at.radio(key="dataset_histogram_view").set_value("linear count axis").run()
    linear = figure(at, 0)
    assert linear["layout"]["yaxis"].get("type") in (None, "linear") and len(panel_axes(linear)) == 1
    assert {trace["type"] for trace in linear["data"]} == {"bar"}
