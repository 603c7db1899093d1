"""app_state: Keras state kept across script runs; bounded caches; a damaged model version gives way to the shipped model."""

import ast

import keras
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest
from toy_model import install_toy_model

from app_state import keep_compiled_models
from splice_core.models.store import (
    CARD_FILE,
    MODEL_FILE,
    PRETRAINED_DIR,
    active_model_path,
    set_active_model,
)

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out


def test_streamlits_per_run_keras_reset_is_skipped_in_the_app(monkeypatch):
    monkeypatch.setattr(
        keras.backend, "clear_session", keras.backend.clear_session
    )  # restored after the test
    keras.utils.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    keep_compiled_models()
    keras.backend.clear_session()  # what Streamlit calls after every script run
    assert keras.layers.Dense(1).name == "dense_1", "Keras state was reset"
    keras.utils.clear_session()
    assert keras.layers.Dense(1).name == "dense", "keras.utils.clear_session must still work"


def streamlit_caches(path) -> dict[str, list[str]]:
    """Every function of a script decorated with ``st.cache_data(...)``/``st.cache_resource(...)``: its keyword names."""
    return {
        node.name: [keyword.arg for keyword in decorator.keywords]
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
        if isinstance(decorator, ast.Call)
        and ast.unparse(decorator.func) in ("st.cache_data", "st.cache_resource")
    }


def test_every_streamlit_cache_of_the_app_keeps_a_bounded_number_of_entries():
    caches = {
        f"{path.name}:{name}": keywords
        for path in [ROOT / "app.py", ROOT / "app_state.py", *sorted((ROOT / "app_pages").rglob("*.py"))]
        for name, keywords in streamlit_caches(path).items()
    }
    assert "app_state.py:cached_library" in caches and "predict.py:cached_mutagenesis" in caches
    assert [name for name, keywords in caches.items() if "max_entries" not in keywords] == []


# --- a damaged model version gives way to the shipped model ----------------------------------------------------


@pytest.mark.parametrize(
    "damage, said",
    [
        (
            lambda path: (path / CARD_FILE).write_text('{"name": "toy", "config": {'),
            "model_card.json is corrupt (not valid JSON",
        ),
        (
            lambda path: (path / MODEL_FILE).write_bytes((path / MODEL_FILE).read_bytes()[:300]),
            "model.keras is corrupt: Keras cannot read it",
        ),
    ],
)
def test_a_damaged_active_version_is_named_and_the_shipped_model_takes_over(
    tmp_path, monkeypatch, damage, said
):
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    damage(install_toy_model(tmp_path))  # installed as the active model
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not app.exception
    warnings = [w.value for w in app.warning]
    assert any(said in w and "The shipped model is active instead" in w for w in warnings), warnings
    assert active_model_path().resolve() == PRETRAINED_DIR.resolve()
    assert any(m.label == "Predicted splicing efficiency" for m in app.metric)  # the page still works
    app.run()
    # It stays fixed: no second fallback (the Predict page's own notes, e.g. a wide member spread, may remain).
    assert not app.exception and not [w for w in app.warning if "shipped model is active instead" in w.value]
    assert active_model_path().resolve() == PRETRAINED_DIR.resolve()
    app.switch_page("app_pages/model.py").run()
    assert not app.exception


def test_choosing_a_damaged_version_again_falls_back_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    bad = install_toy_model(tmp_path)
    (bad / CARD_FILE).write_text("not json")
    set_active_model(PRETRAINED_DIR)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    app.selectbox(key="active_model_choice").set_value("toy").run()
    assert not app.exception and any("toy cannot be used" in w.value for w in app.warning)
    assert active_model_path().resolve() == PRETRAINED_DIR.resolve()


def test_a_choice_made_in_another_session_is_not_undone(tmp_path, monkeypatch):
    """Session B picks a model; session A's sidebar then shows it instead of putting its own choice back."""
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest
    from toy_model import install_toy_model, linear_model, toy_card, toy_weights

    from splice_core.models.store import active_model_path, save_model_dir, set_active_model

    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SPLICE_DATA_DIR", str(tmp_path / "no_data"))
    old = install_toy_model(tmp_path)
    new = save_model_dir(
        tmp_path / "models" / "20260101-000000-new", linear_model(toy_weights(200, seed=1)), toy_card()
    )
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert (
        first.selectbox(key="active_model_choice").value
        == second.selectbox(key="active_model_choice").value
        == old.name
    )
    second.selectbox(key="active_model_choice").set_value(new.name).run()
    assert active_model_path() == new
    first.run()
    assert not first.exception and active_model_path() == new
    assert first.selectbox(key="active_model_choice").value == new.name
    set_active_model(old)  # a page (or the command line) changes it: the sidebar follows
    second.run()
    assert second.selectbox(key="active_model_choice").value == old.name and active_model_path() == old
