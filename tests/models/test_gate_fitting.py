"""gate_fitting: a gated copy keeps its member's prediction, and a fit closes the gate of a site the member ignores."""

import keras
import numpy as np
import pytest

from splice_core.models.architectures import (
    efficiency_only,
    is_site_gated,
    site_aware_cnn,
    study_cnn,
    with_cryptic_head,
)
from splice_core.models.gate_fitting import (
    GATE_LAYERS,
    fit_site_gates,
    gate_fitting_model,
    gated_copy,
    plain_copy,
)
from splice_core.seq.encoding import strings_to_one_hot

LENGTH = 64  # the shortest input a site-aware CNN reads (its 3' head)
INTACT = "GTATGT" + "C" * 30 + "TACTAAC" + "C" * 10 + "TAG"
BRANCH_BROKEN = INTACT.replace("TACTAAC", "TACTAGC")  # the library measures TACTAGC at 0.000


def constant_member(efficiency: float, cryptic: bool = False) -> keras.Model:
    """A site-aware member predicting ``efficiency`` for every input: its output unit's kernel 0, bias the logit."""
    model = site_aware_cnn(LENGTH)
    if cryptic:
        model = efficiency_only(with_cryptic_head(model))
        kernel, _ = model.get_layer("spliced").get_weights()
        model.get_layer("spliced").set_weights([np.zeros_like(kernel), np.array([30.0], np.float32)])
    kernel, _ = model.get_layer("efficiency").get_weights()
    logit = np.log(efficiency / (1 - efficiency))
    model.get_layer("efficiency").set_weights([np.zeros_like(kernel), np.array([logit], np.float32)])
    return model


def opened(model: keras.Model) -> keras.Model:
    """``model`` with every gate's kernel 0 and bias 30: each gate sigmoid(30) = 1 in float32."""
    for name in ("gate_5ss", "gate_3ss", "gate_branch"):
        kernel, bias = model.get_layer(name).get_weights()
        model.get_layer(name).set_weights([np.zeros_like(kernel), np.full_like(bias, 30.0)])
    return model


@pytest.mark.parametrize("cryptic", [False, True])
def test_a_gated_copy_with_open_gates_predicts_as_its_member(cryptic):
    member = site_aware_cnn(LENGTH)
    if cryptic:
        member = efficiency_only(with_cryptic_head(member))
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (6, LENGTH))]
    x[:3, 50:] = 0  # three shorter sequences, padded
    gated = gated_copy(member)
    assert is_site_gated(gated) and not is_site_gated(member) and gated.name == member.name
    np.testing.assert_array_equal(opened(gated).predict(x, verbose=0), member.predict(x, verbose=0))


def test_a_gated_copy_starts_from_the_consensus():
    x = strings_to_one_hot([INTACT, BRANCH_BROKEN], LENGTH)
    gated = gated_copy(constant_member(0.75)).predict(x, verbose=0)[:, 0]
    assert (
        gated[0] > 0.75 * 0.9 and gated[1] < 0.75 * 0.2
    )  # sigmoid(4)³ ≈ 0.95; a broken branch A: sigmoid(-2)


def test_a_gated_copy_keeps_the_members_own_settings():
    member = site_aware_cnn(LENGTH, head5=16, kmers=False)
    x = strings_to_one_hot([INTACT, BRANCH_BROKEN], LENGTH)
    np.testing.assert_array_equal(
        opened(gated_copy(member)).predict(x, verbose=0), member.predict(x, verbose=0)
    )


def test_gates_are_fitted_on_plain_site_aware_members_only():
    with pytest.raises(ValueError, match="plain site-aware CNN"):
        gated_copy(site_aware_cnn(LENGTH, gates=True))
    with pytest.raises(ValueError, match="plain site-aware CNN"):
        gated_copy(study_cnn(LENGTH))


@pytest.mark.parametrize("cryptic", [False, True])
def test_a_plain_copy_of_a_gated_member_is_the_member_its_gates_multiply(cryptic):
    gated = gated_copy(constant_member(0.75, cryptic))  # gates at the consensus start
    plain = plain_copy(gated)
    x = strings_to_one_hot([INTACT, BRANCH_BROKEN], LENGTH)
    assert not is_site_gated(plain) and plain.name == gated.name
    np.testing.assert_allclose(plain.predict(x, verbose=0)[:, 0], [0.75, 0.75], rtol=1e-5)
    np.testing.assert_array_equal(
        opened(gated_copy(plain)).predict(x, verbose=0), plain.predict(x, verbose=0)
    )
    with pytest.raises(ValueError, match="site-gated member"):
        plain_copy(plain)


def test_the_fitting_model_multiplies_its_given_prediction_by_the_gates():
    x = strings_to_one_hot([INTACT], LENGTH)
    fitting = gate_fitting_model(LENGTH)
    gated = gated_copy(constant_member(0.75))
    for name in GATE_LAYERS:  # the same gates in both
        fitting.get_layer(name).set_weights(gated.get_layer(name).get_weights())
    got = fitting.predict([x, np.array([[0.75]], np.float32)], verbose=0)
    np.testing.assert_allclose(got, gated.predict(x, verbose=0), rtol=1e-6)


def test_a_fit_closes_the_gate_of_a_site_the_member_ignores_and_keeps_the_member():
    member = constant_member(0.75, cryptic=True)  # predicts 0.75 whatever the branch site
    before = [w.copy() for w in member.get_weights()]
    x = strings_to_one_hot([INTACT, BRANCH_BROKEN] * 256, LENGTH)
    y = np.tile(np.array([0.75, 0.0], np.float32), 256)
    gated = fit_site_gates(member, x, y, np.ones(len(y), np.float32), epochs=30)
    intact, broken = gated.predict(x[:2], verbose=0)[:, 0]
    assert broken < 0.02 and intact > 0.65
    assert all(
        np.array_equal(a, b) for a, b in zip(before, member.get_weights())
    )  # the member is left as it was
