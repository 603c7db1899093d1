"""app_state: the app keeps Keras/TensorFlow state across Streamlit script runs."""
import keras

from app_state import keep_compiled_models


def test_streamlits_per_run_keras_reset_is_skipped_in_the_app(monkeypatch):
    monkeypatch.setattr(keras.backend, "clear_session", keras.backend.clear_session)  # restored after the test
    keras.utils.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    keep_compiled_models()
    keras.backend.clear_session()  # what Streamlit calls after every script run
    assert keras.layers.Dense(1).name == "dense_1", "Keras state was reset"
    keras.utils.clear_session()
    assert keras.layers.Dense(1).name == "dense", "keras.utils.clear_session must still work"
