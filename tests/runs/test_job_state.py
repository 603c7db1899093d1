"""A training job's state: its progress from epoch records, its plan and duration in words, a card's recipe."""

import dataclasses
import time
from pathlib import Path

import pytest
from conftest import epoch_record, tiny_recipe

from splice_core.models.store import PRETRAINED_DIR, read_card
from splice_core.models.training import PAIRS_STAGE, TrainConfig
from splice_core.runs import job_state

TINY = tiny_recipe()


def test_progress_fraction_remaining_and_text_from_records():
    job = job_state.TrainingJob(TINY, data_dir=Path(), models_dir=Path(), started=time.time() - 30)
    assert job.fraction() == 0.0 and job.remaining() is None and job.progress_text() == "preparing data…"
    job.records.extend(
        [epoch_record(0, 1), epoch_record(0, 2), epoch_record(0, 3), epoch_record(0, 4), epoch_record(1, 1)]
    )
    assert job.fraction() == pytest.approx(5 / 8)
    assert job.remaining() == pytest.approx(30 * 3 / 5, rel=0.05)
    assert job.progress_text() == "seed 2/2 · epoch 1/4"
    job.status, job.finished = job_state.CANCELLED, job.started + 40
    assert (
        job.elapsed() == pytest.approx(40)
        and job.remaining() == 0.0
        and job.fraction() == pytest.approx(5 / 8)
    )


def test_pair_fine_tuning_rounds_continue_the_progress_after_the_training_epochs():
    # 2 seeds × 4 epochs = 8 epochs, then 2 members × 1 round (2 epochs' worth each) = 4: training is 2/3.
    recipe = dataclasses.replace(TINY, epochs=4, n_seeds=2, pair_epochs=1)
    job = job_state.TrainingJob(recipe, data_dir=Path(), models_dir=Path(), started=time.time() - 30)
    job.records.extend([epoch_record(0, e) for e in range(1, 5)] + [epoch_record(1, e) for e in range(1, 5)])
    assert job.fraction() == pytest.approx(2 / 3) and job.remaining() == pytest.approx(15, rel=0.05)
    job.records.append({**epoch_record(0, 1, epochs=1), "stage": PAIRS_STAGE})
    assert job.fraction() == pytest.approx(2 / 3 + 1 / 6)
    assert job.progress_text() == "pair fine-tuning · member 1/2 · round 1/1"
    job.records.append({**epoch_record(1, 1, epochs=1), "stage": PAIRS_STAGE})
    assert job.fraction() == 1.0 and job.progress_text() == "evaluating and saving…"


def test_the_plan_says_epochs_seeds_and_rounds_in_words():
    assert job_state.plan_text(TINY) == "up to 2 epochs × 1 seed"
    assert (
        job_state.plan_text(dataclasses.replace(TINY, epochs=1, n_seeds=3, pair_epochs=2))
        == "up to 1 epoch × 3 seeds, then 2 pair fine-tuning rounds"
    )


@pytest.mark.parametrize(
    "seconds, text", [(None, "–"), (42.4, "42 s"), (185, "3 min 05 s"), (3720, "1 h 02 min")]
)
def test_duration_text(seconds, text):
    assert job_state.duration_text(seconds) == text


def test_recipe_from_card_reads_the_config_and_ignores_unknown_keys():
    recipe = job_state.recipe_from_card({"config": {"architecture": "bilstm", "epochs": 7, "not_a_field": 1}})
    assert (recipe.architecture, recipe.epochs, recipe.context) == ("bilstm", 7, TrainConfig().context)
    config = read_card(PRETRAINED_DIR)["config"]
    shipped = job_state.recipe_from_card({"config": config}).to_dict()
    assert {k: shipped[k] for k in config if k in shipped} == {
        k: v for k, v in config.items() if k in shipped
    }


def test_a_card_saved_before_a_key_was_renamed_keeps_its_recipe():
    recipe = job_state.recipe_from_card({"config": {"design_mean_labels": True, "epochs": 3}})
    assert recipe.construct_mean_labels is True and recipe.epochs == 3


def test_version_names_are_unique_per_job(tmp_path):
    first, second = (job_state.TrainingJob(TINY, data_dir=tmp_path, models_dir=tmp_path) for _ in range(2))
    assert job_state.version_name(first) != job_state.version_name(second)
    assert job_state.version_name(first) == f"cnn_res1-intron-{first.id}"
