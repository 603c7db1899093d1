"""recipe_options: the names a training recipe chooses from match what the modules implement."""

from splice_core.models.architectures import BUILDERS, build_model
from splice_core.models.recipe_options import ARCHITECTURES, CONTEXTS, LOSSES, OUTPUTS
from splice_core.models.training import LOSSES as TRAINING_LOSSES


def test_every_architecture_name_has_a_builder_and_back():
    assert set(ARCHITECTURES) == set(BUILDERS)


def test_every_context_builds_inputs_of_a_known_length():
    from splice_core.data.contexts import context_lengths

    assert context_lengths() == dict(zip(CONTEXTS, [1615, 200, 120, 230]))


def test_outputs_and_losses_are_the_ones_training_uses():
    assert TRAINING_LOSSES is LOSSES and set(LOSSES) == {"mse", "bce"}
    assert build_model("cnn_res1", 40, output=OUTPUTS[1]).layers[-1].activation.__name__ == "relu"
