"""The running app in a real headless browser (Debian's chromium driven by Playwright).

Locally the tests skip without /usr/bin/chromium; under CI (CI=true) a missing browser is a failure.
"""

import functools
import os
from pathlib import Path

import pytest
from browser_app import CHROMIUM, IDLE, INTRON_LABEL, launch_chromium, open_page, paste_intron, running_app
from conftest import make_wildtype

from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.predictor import Predictor, load_predictor, mean_and_spread
from splice_core.seq.intron_text import EXAMPLE_INTRON
from splice_core.seq.mutations import checked_mutated

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

ROOT = Path(__file__).resolve().parents[2]
INTRON = "GTATGTTAATATCGATTCGCATTTGCATACGATTACTAACAATTTGCTCCTTTTCAG"
PAGES = [  # file in app_pages/, URL path, the page's title
    ("predict.py", "", "Predict & explain"),
    ("batch.py", "batch", "Batch scoring"),
    ("native.py", "native", "Native introns"),
    ("variants.py", "variants", "Variants"),
    ("design.py", "design", "Design"),
    ("dataset.py", "dataset", "Dataset"),
    ("model.py", "model", "Model"),
    ("retrain.py", "retrain", "Retrain"),
]
TIMEOUT_MS = 120_000
NATIVE_GENES = [f"GENE{i}" for i in range(6)]


def require_browser() -> None:
    """Skip locally, fail under CI, when the browser or Playwright is missing."""
    missing = None if CHROMIUM.is_file() else f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api
    except ImportError:
        missing = "the playwright package is missing (pip install playwright)"
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI: {missing}")
    if missing:
        pytest.skip(missing)


def native_table():
    """The made-up wild-type introns, on chrI's plus strand 1,000 nt apart (for the Variants page)."""
    table = make_wildtype(6).assign(Gene=NATIVE_GENES, Chromosome="chrI", Strand="+")
    table["Start"] = 1000 * (table.index + 1)
    return table.assign(End=table["Start"] + table["Length (bp)"])


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A running ``streamlit run app.py`` (shipped model active, fresh models folder, a data directory holding only
    a made-up wild-type intron table); its base URL."""
    require_browser()
    data = tmp_path_factory.mktemp("data")
    native_table().to_csv(data / "wildtype_introns.csv", index=False)
    with running_app(
        tmp_path_factory.mktemp("models"), tmp_path_factory.mktemp("log") / "streamlit.log", data
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    """A headless chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    """A fresh browser tab."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.set_default_timeout(TIMEOUT_MS)
    yield tab
    tab.close()


@functools.cache
def shipped_predictor() -> Predictor:
    """The shipped model, loaded once."""
    return load_predictor(PRETRAINED_DIR)


def expected_text(intron: str) -> str:
    """What the page shows for an intron under the shipped model."""
    mean, sd = mean_and_spread(shipped_predictor().intron_members([intron]))
    return f"{mean[0]:.3f} ± {sd[0]:.3f}"


def test_paste_an_intron_and_read_the_prediction(page, app_url):
    open_page(page, app_url)
    paste_intron(page, INTRON)
    value = page.get_by_test_id("stMetricValue").first
    assert value.inner_text() == expected_text(INTRON)
    assert page.locator(".js-plotly-plot").count() >= 1 and page.get_by_test_id("stImage").count() == 1
    assert page.get_by_test_id("stException").count() == 0


def test_clicking_a_heatmap_cell_applies_the_mutation(page, app_url):
    open_page(page, app_url)
    paste_intron(page, INTRON)
    x, y = page.evaluate(
        """() => { const gd = document.querySelector('.js-plotly-plot'); const box = gd.getBoundingClientRect();
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        return [box.left + xa._offset + xa.d2p(5), box.top + ya._offset + ya.d2p('C')]; }"""
    )
    page.mouse.click(x, y)
    mutant = checked_mutated(INTRON, 4, "C")
    page.wait_for_function("(seq) => document.querySelector('textarea').value === seq", arg=mutant)
    page.wait_for_selector(IDLE)
    assert page.get_by_label(INTRON_LABEL).input_value() == mutant
    assert page.get_by_label("Wild-type to compare against (optional)").input_value() == INTRON
    assert page.get_by_test_id("stMetricValue").nth(1).inner_text() == expected_text(mutant)


@pytest.mark.parametrize("file_name, url_path, title", PAGES)
def test_every_page_opens_without_an_exception(page, app_url, file_name, url_path, title):
    assert (ROOT / "app_pages" / file_name).is_file()
    open_page(page, f"{app_url}/{url_path}")
    page.wait_for_selector('[data-testid="stMain"] h1')
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id(
        "stException"
    ).first.inner_text()


def test_design_edits_and_hand_the_best_to_predict(page, app_url):
    open_page(page, f"{app_url}/design")
    page.get_by_role("button", name="Design", exact=True).click()
    page.get_by_text("Done: 4 design(s)").wait_for()
    page.wait_for_selector(".js-plotly-plot")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    page.wait_for_selector(IDLE)
    assert page.locator(".js-plotly-plot").count() == 1 and page.get_by_test_id("stDataFrame").count() == 1
    page.get_by_role("button", name="Open in Predict").click()
    page.wait_for_function("() => location.pathname === '/' || location.pathname.endsWith('/predict')")
    page.wait_for_selector('[data-testid="stMetricValue"]')
    page.wait_for_selector(IDLE)
    designed = page.get_by_label(INTRON_LABEL).input_value()
    assert designed != EXAMPLE_INTRON and len(designed) == len(EXAMPLE_INTRON)
    assert page.get_by_label("Wild-type to compare against (optional)").input_value() == EXAMPLE_INTRON
    assert page.get_by_test_id("stMetricValue").nth(1).inner_text() == expected_text(designed)
    assert page.get_by_test_id("stException").count() == 0


@pytest.mark.parametrize("file_name, url_path, title", PAGES)
def test_a_page_opened_first_by_its_url_gets_the_app_frame(browser, tmp_path, file_name, url_path, title):
    """A fresh server whose first visitor opens a page by its URL: that page, with the sidebar's chooser and page names
    (st.navigation over app_pages/, no pages-folder mode to leave)."""
    with running_app(tmp_path / "models", tmp_path / "streamlit.log") as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(TIMEOUT_MS)
        open_page(tab, f"{url}/{url_path}")
        tab.wait_for_selector('[data-testid="stMain"] h1')
        assert tab.locator('[data-testid="stMain"] h1').first.inner_text() == title
        tab.get_by_test_id("stSidebar").get_by_text("Active model").wait_for()
        sidebar = tab.get_by_test_id("stSidebar").inner_text()
        assert all(name in sidebar for *_, name in PAGES), sidebar
        assert tab.get_by_test_id("stException").count() == 0
        other = "Dataset" if title != "Dataset" else "Model"
        tab.get_by_test_id("stSidebar").get_by_text(other, exact=True).click()
        tab.wait_for_url(f"{url}/{other.lower()}")
        tab.wait_for_selector(IDLE)
        assert tab.locator('[data-testid="stMain"] h1').first.inner_text() == other
        tab.close()


def test_a_servers_first_visitor_is_told_at_once_that_the_model_is_loading(browser, tmp_path):
    """A fresh server: the notice is on the page within seconds (before TensorFlow has started), gone once it settles."""
    import time

    from app_loading import LOAD_NOTICE

    with running_app(tmp_path / "models", tmp_path / "streamlit.log") as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(TIMEOUT_MS)
        start = time.monotonic()
        tab.goto(url)
        notice = tab.get_by_text(LOAD_NOTICE[:40])
        notice.wait_for(timeout=15_000)
        shown = time.monotonic() - start
        tab.wait_for_selector('[data-testid="stMain"] h1')
        notice.wait_for(state="detached")
        settled = time.monotonic() - start
        assert tab.locator('[data-testid="stMain"] h1').first.inner_text() == "Predict & explain"
        assert shown < settled / 2, (shown, settled)  # said long before the page was ready
        print(f"notice after {shown:.1f} s, page settled after {settled:.1f} s")
        tab.close()


def test_native_page_opens_an_intron_on_the_predict_page_in_one_click(page, app_url):
    open_page(page, f"{app_url}/native")
    grid = page.get_by_test_id("stDataFrame")
    grid.wait_for()
    assert page.get_by_test_id("stException").count() == 0
    box = grid.bounding_box()
    page.mouse.click(
        box["x"] + 12, box["y"] + 35 + 17
    )  # the first row's selection box (rows and header are 35 px)
    intron = make_wildtype(6)["sequence"][0]
    page.wait_for_function(
        "(seq) => { const t = document.querySelector('textarea'); return t && t.value === seq; }", arg=intron
    )
    page.wait_for_selector(IDLE)
    assert page.get_by_test_id("stMain").locator("h1").first.inner_text() == "Predict & explain"
    assert page.get_by_test_id("stMetricValue").first.inner_text() == expected_text(intron)


def test_variants_page_scores_a_pasted_record_and_opens_it_beside_its_wild_type(page, app_url):
    intron = native_table().iloc[0]
    base = intron["sequence"][4]
    mutant = checked_mutated(intron["sequence"], 4, "C" if base != "C" else "A")
    open_page(page, f"{app_url}/variants")
    box = page.get_by_label("…or paste a few records (a header line is optional)")
    box.fill(f"chrI {intron['Start'] + 5} . {base} {mutant[4]}")
    box.press("Control+Enter")
    page.wait_for_selector(IDLE)
    page.get_by_role("button", name="Score the variants").click()
    page.get_by_text("1 records, 1 in annotated introns").wait_for()
    page.wait_for_selector(".js-plotly-plot")
    page.wait_for_selector(IDLE)
    assert page.get_by_test_id("stException").count() == 0
    page.get_by_role("button", name="Open beside its wild type on Predict").click()
    page.wait_for_function(
        "(seq) => { const t = document.querySelector('textarea'); return t && t.value === seq; }", arg=mutant
    )
    page.wait_for_selector(IDLE)
    assert page.get_by_label("Wild-type to compare against (optional)").input_value() == intron["sequence"]
    assert page.get_by_test_id("stMetricValue").nth(1).inner_text() == expected_text(mutant)
