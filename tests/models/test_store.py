"""Tests for splice_core.models.store: model folders, versions and the active model."""

import json

import keras
import numpy as np
import pytest

from splice_core.models.architectures import build_model
from splice_core.models.store import (
    ACTIVE_FILE,
    CARD_FILE,
    MODEL_FILE,
    PRETRAINED_DIR,
    active_choices,
    active_model_path,
    is_model_dir,
    list_versions,
    load_model,
    models_root,
    new_version_path,
    read_card,
    save_model_dir,
    set_active_model,
    version_collapse_note,
)

CARD = {"name": "toy", "config": {"context": "intron"}, "metrics": {"test": {"mse": np.float32(0.125)}}}


def toy_model() -> keras.Model:
    """A hand-set linear model on (N, 3, 4): output = sum of the A channel + 0.5, two members."""
    inputs = keras.Input((3, 4))
    x = keras.layers.Flatten()(inputs)
    dense = keras.layers.Dense(2)
    model = keras.Model(inputs, dense(x))
    kernel = np.zeros((12, 2), np.float32)
    kernel[0::4, 0] = 1.0  # A channel at each of the 3 positions
    kernel[3::4, 1] = -1.0  # minus the T channel
    dense.set_weights([kernel, np.array([0.5, 0.0], np.float32)])
    return model


X = np.eye(4, dtype=np.float32)[[[0, 0, 3], [1, 2, 3], [0, 3, 3]]]  # AAT, CGT, ATT


def test_save_load_round_trip(tmp_path):
    model = toy_model()
    expected = np.asarray(model(X))
    np.testing.assert_allclose(expected, [[2.5, -1.0], [0.5, -1.0], [1.5, -2.0]])
    path = save_model_dir(tmp_path / "v1", model, CARD)
    assert path == tmp_path / "v1"
    assert is_model_dir(path)
    assert sorted(p.name for p in path.iterdir()) == sorted([MODEL_FILE, CARD_FILE])
    loaded = load_model(path)
    np.testing.assert_array_equal(np.asarray(loaded(X)), expected)
    assert read_card(path) == {
        "name": "toy",
        "config": {"context": "intron"},
        "metrics": {"test": {"mse": 0.125}},
    }


def test_save_refuses_an_existing_path_and_leaves_no_temp_folders(tmp_path):
    save_model_dir(tmp_path / "v1", toy_model(), CARD)
    with pytest.raises(FileExistsError):
        save_model_dir(tmp_path / "v1", toy_model(), {"name": "other"})
    assert read_card(tmp_path / "v1")["name"] == "toy"
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileExistsError):
        save_model_dir(tmp_path / "empty", toy_model(), CARD)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "v1"]


def test_failed_save_leaves_nothing(tmp_path):
    with pytest.raises(TypeError):
        save_model_dir(tmp_path / "v1", toy_model(), {"bad": object()})
    assert list(tmp_path.iterdir()) == []


def test_save_creates_missing_parents(tmp_path):
    path = save_model_dir(tmp_path / "a" / "b" / "v1", toy_model(), CARD)
    assert is_model_dir(path)
    assert not is_model_dir(tmp_path / "a")


def test_new_version_path_is_fresh(tmp_path):
    first = new_version_path(tmp_path, "cnn")
    assert first.parent == tmp_path and first.name.endswith("-cnn") and not first.exists()
    first.mkdir()
    second = new_version_path(tmp_path, "cnn")
    assert second != first and not second.exists()


def test_list_versions_shipped_first_then_newest(tmp_path):
    assert list_versions(tmp_path / "absent") == [PRETRAINED_DIR]
    for name in ("20240101-000000-a", "20250101-000000-b", "20230101-000000-c"):
        save_model_dir(tmp_path / name, toy_model(), CARD)
    (tmp_path / "not-a-model").mkdir()
    (tmp_path / ".staging").mkdir()
    for name in (MODEL_FILE, CARD_FILE):
        (tmp_path / ".staging" / name).write_text("{}")
    assert [p.name for p in list_versions(tmp_path)] == [
        PRETRAINED_DIR.name,
        "20250101-000000-b",
        "20240101-000000-a",
        "20230101-000000-c",
    ]


def test_shipped_model_is_a_model_dir():
    assert is_model_dir(PRETRAINED_DIR)


def test_active_model_persisted(tmp_path):
    root = tmp_path / "models"
    assert active_model_path(root) == PRETRAINED_DIR
    version = save_model_dir(root / "20250101-000000-x", toy_model(), CARD)
    set_active_model(version, root)
    assert active_model_path(root) == version.resolve()
    assert json.loads((root / ACTIVE_FILE).read_text()) == {"path": str(version.resolve())}
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []
    set_active_model(PRETRAINED_DIR, root)
    assert active_model_path(root) == PRETRAINED_DIR


def test_active_model_falls_back_to_the_shipped_one(tmp_path):
    version = save_model_dir(tmp_path / "v", toy_model(), CARD)
    set_active_model(version, tmp_path)
    (version / MODEL_FILE).unlink()  # the chosen version was removed
    assert active_model_path(tmp_path) == PRETRAINED_DIR
    for text in ("not json", "[1, 2]", '{"other": 1}'):
        (tmp_path / ACTIVE_FILE).write_text(text)
        assert active_model_path(tmp_path) == PRETRAINED_DIR


def test_set_active_rejects_non_model_dirs(tmp_path):
    with pytest.raises(ValueError, match="not a model directory"):
        set_active_model(tmp_path, tmp_path)
    assert not (tmp_path / ACTIVE_FILE).exists()


def test_models_root(tmp_path, monkeypatch):
    monkeypatch.setenv("SPLICE_MODELS_DIR", str(tmp_path))
    assert models_root() == tmp_path
    assert models_root(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("SPLICE_MODELS_DIR")
    assert models_root() == PRETRAINED_DIR.parent / "models"


def test_the_site_aware_cnn_with_its_custom_layers_round_trips(tmp_path):
    model = build_model("site_aware_cnn", 200)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 200))]
    loaded = load_model(save_model_dir(tmp_path / "v1", model, CARD))
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))


def test_a_damaged_card_or_model_file_is_named_with_its_problem(tmp_path):
    from toy_model import install_toy_model

    from splice_core.models.store import CARD_FILE, MODEL_FILE, ModelDirError, load_model, read_card

    path = install_toy_model(tmp_path, length=40)
    (path / CARD_FILE).write_text('{"config": {"context": "intr')
    with pytest.raises(
        ModelDirError, match=r"model_card.json is corrupt \(not valid JSON: Unterminated string"
    ):
        read_card(path)
    (path / CARD_FILE).write_text("[1, 2]")
    with pytest.raises(ModelDirError, match="is not a model card"):
        read_card(path)
    (path / MODEL_FILE).write_bytes(b"PK\x03\x04 cut off")
    with pytest.raises(ModelDirError, match="model.keras is corrupt: Keras cannot read it") as info:
        load_model(path)
    assert "File not found" not in str(info.value)
    (path / MODEL_FILE).unlink()
    with pytest.raises(ModelDirError, match="model.keras: file not found"):
        load_model(path)


def test_a_collapsed_version_is_listed_but_never_made_active(tmp_path):
    root = tmp_path / "models"
    collapsed = {**CARD, "collapsed": {"dev_pearson": float("nan"), "dev_sd": 0.0}}
    bad = save_model_dir(root / "20250102-000000-flat", toy_model(), collapsed)
    good = save_model_dir(root / "20250101-000000-good", toy_model(), CARD)
    assert list_versions(root) == [PRETRAINED_DIR, bad, good] and active_choices(root) == [
        PRETRAINED_DIR,
        good,
    ]
    assert version_collapse_note(bad) == (
        "collapsed: its predictions on dev are next to a constant (dev Pearson nan, SD 0.0000); "
        "it is kept to look at, but cannot be made active"
    )
    assert version_collapse_note(good) is None and version_collapse_note(tmp_path / "none") is None
    with pytest.raises(ValueError, match="flat: collapsed"):
        set_active_model(bad, root)
    assert active_model_path(root) == PRETRAINED_DIR and not (root / ACTIVE_FILE).exists()
