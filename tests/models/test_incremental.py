"""Incremental mutagenesis equals scoring each variant on its own, for every member, on random site-aware models."""

import keras
import numpy as np
import pytest
from toy_model import toy_card, toy_predictor

from splice_core.analysis.double_mutants import pair_effects
from splice_core.analysis.mutagenesis import deletion_variants, mutagenesis_effects, substitution_variants
from splice_core.design.search import EditRequest, Goal, design
from splice_core.models.architectures import build_model, efficiency_only, site_aware_cnn, with_cryptic_head
from splice_core.models.incremental import incremental_model
from splice_core.models.training import stack_members
from splice_core.predict.predictor import Predictor
from splice_core.seq.encoding import strings_to_one_hot

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

LENGTH = 200
TOLERANCE = 1e-5


def random_members(seed: int, **settings) -> keras.Model:
    """Two random-weight site-aware members stacked, batch norms given random statistics."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    members, cryptic = [], settings.pop("cryptic", False)
    for _ in range(2):
        member = site_aware_cnn(LENGTH, **settings)
        if cryptic:
            member = efficiency_only(with_cryptic_head(member))
        for layer in member.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                f = layer.gamma.shape[0]
                layer.set_weights(
                    [
                        rng.uniform(0.5, 1.5, f),
                        rng.normal(0, 0.2, f),
                        rng.normal(0, 0.2, f),
                        rng.uniform(0.5, 2, f),
                    ]
                )
            if layer.name.startswith("gate_") and isinstance(layer, keras.layers.Dense):
                kernel = rng.normal(0, 1, layer.kernel.shape)  # gates far from open: their product shows
                layer.set_weights([kernel, np.zeros(1)])
        members.append(member)
    return stack_members(members)


MODELS = {
    "pool 2": {"pool": 2},
    "pool 1": {"pool": 1},
    "pool 4, no k-mers, 2 blocks of 3, 8 filters, cryptic head": {
        "pool": 4,
        "kmers": False,
        "n_blocks": 2,
        "kernel": 3,
        "filters": 8,
        "cryptic": True,
    },
    "site gates, cryptic head": {"gates": True, "cryptic": True},
}


@pytest.fixture(scope="module", params=list(MODELS))
def predictor(request) -> Predictor:
    """A predictor over a random site-aware ensemble."""
    seed = list(MODELS).index(request.param)
    return Predictor(model=random_members(seed, **MODELS[request.param]), card=toy_card())


def random_intron(rng: np.random.Generator, length: int) -> str:
    """A random ACGT intron."""
    return "".join(rng.choice(list("ACGT"), length))


def batched(predictor: Predictor):
    """Today's path: every variant scored in batches, told nothing of its parent."""
    return lambda introns, branch: predictor.predict_introns(introns, branch)


def test_engine_is_built_and_scores_every_change_on_its_own(predictor):
    engine = predictor.incremental
    assert engine is not None
    rng = np.random.default_rng(1)
    intron = random_intron(rng, 70)
    variants = substitution_variants(intron) + deletion_variants(intron) + [intron[:30] + "G" + intron[30:]]
    x = strings_to_one_hot(variants, 96)
    refs = strings_to_one_hot([intron, intron[1:], "A" + intron], 96)
    out, done = engine.members_near(x, refs, np.tile(np.arange(3), (len(x), 1)))
    assert done.all()
    alone = np.concatenate([predictor.members(strings_to_one_hot([v], LENGTH)) for v in variants[::17]])
    np.testing.assert_allclose(out[::17], alone, atol=TOLERANCE)
    np.testing.assert_allclose(out, predictor.members(x), atol=TOLERANCE)


@pytest.mark.parametrize("lengths", [(12, 47, 100), (148, 149, 156)])
def test_mutagenesis_equals_the_batched_path_for_every_member(predictor, lengths):
    rng = np.random.default_rng(sum(lengths))
    for n in lengths:
        intron = random_intron(rng, n)
        variants = [*substitution_variants(intron), *deletion_variants(intron)]
        parents = [intron] * len(variants)
        near = predictor.intron_members(variants, parents=parents)
        np.testing.assert_allclose(near, predictor.intron_members(variants), atol=TOLERANCE)
        for branch in (None, n // 2):
            got, want = (
                mutagenesis_effects(predictor.predict_introns, intron, branch),
                mutagenesis_effects(batched(predictor), intron, branch),
            )
            for a, b in zip(got, want):
                np.testing.assert_allclose(a, b, atol=TOLERANCE)


def test_double_mutants_and_designs_equal_the_batched_path(predictor):
    rng = np.random.default_rng(5)
    intron = random_intron(rng, 14)
    got, want = (
        pair_effects(predictor.predict_introns, intron, 6),
        pair_effects(batched(predictor), intron, 6),
    )
    np.testing.assert_allclose(got["effect"], want["effect"], atol=TOLERANCE)
    request = EditRequest(random_intron(rng, 40), Goal("high"), max_edits=3, deletions=True, insertions=True)
    plain = lambda introns, branch: predictor.intron_members(introns, branch)  # noqa: E731
    for a, b in zip(design(predictor.intron_members, request), design(plain, request)):
        assert a.sequence == b.sequence
        np.testing.assert_allclose(a.members, b.members, atol=TOLERANCE)


def test_other_models_fall_back_to_the_batched_path():
    assert incremental_model(build_model("dilated_resnet", LENGTH)) is None
    assert incremental_model(build_model("cnn_res1", LENGTH)) is None
    linear = toy_predictor(40)
    assert linear.incremental is None
    intron = "ACGTTGCAAGCTAGCTAGGATCCATGCA"
    got = mutagenesis_effects(linear.predict_introns, intron)
    want = mutagenesis_effects(batched(linear), intron)
    np.testing.assert_allclose(got[1], want[1], atol=TOLERANCE)


def test_a_site_aware_model_with_a_part_added_falls_back():
    member = site_aware_cnn(LENGTH)
    extra = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(member.input))
    changed = keras.Model(member.input, keras.layers.Average()([member.output, extra]))
    assert incremental_model(changed) is None
    assert (
        incremental_model(stack_members([site_aware_cnn(LENGTH, pool=2), site_aware_cnn(LENGTH, pool=1)]))
        is None
    )
