"""Batch scoring on a local Ray (2 CPUs): the single-process path's output, rows and order kept, bad rows kept."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from toy_model import expected_members, install_toy_model, toy_weights

from splice_core.cli import main as cli
from splice_core.cluster.batch_scoring import model_files, replica_options, score_file_on_ray
from splice_core.data.library import DataFileError
from splice_core.models.store import PRETRAINED_DIR
from splice_core.predict.batch import score_file
from splice_core.predict.predictor import load_predictor
from splice_core.predict.tables import CHUNK_ROWS

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

BAD = {3: "GTAXGTTTTTTTTTTTTTTTTTAG", 17: "", 4_000: "GTATGTAAAA9AAAATACTAACAG"}


def random_introns(n: int, seed: int = 0) -> list[str]:
    """``n`` made-up introns of 40..120 nt with consensus ends."""
    rng = np.random.default_rng(seed)
    return [
        "GTATGT" + "".join(rng.choice(list("ACGT"), int(rng.integers(30, 110)))) + "TACTAACAG"
        for _ in range(n)
    ]


def test_workers_get_every_file_the_predictor_loads(tmp_path):
    """The shipped model's blend peer travels with it (without it a worker would refuse the model)."""
    assert sorted(model_files(PRETRAINED_DIR)) == ["blend_peer.txt", "model.keras", "model_card.json"]
    assert sorted(model_files(install_toy_model(tmp_path))) == ["model.keras", "model_card.json"]


def test_replicas_go_one_per_gpu_when_the_cluster_has_gpus_else_one_per_cpu():
    on_gpus, on_cpus = replica_options(16, 2), replica_options(2, 0)
    assert on_gpus["num_gpus"] == 1 and on_gpus["compute"].min_size == on_gpus["compute"].max_size == 2
    assert on_cpus["num_cpus"] == 1 and on_cpus["compute"].min_size == 2


def test_predict_on_ray_writes_the_single_process_output(tmp_path, local_ray, capsys, recwarn):
    introns = random_introns(CHUNK_ROWS + 1_000)
    for row, text in BAD.items():
        introns[row] = text
    table = pd.DataFrame(
        {
            "name": [f"n{i}" for i in range(len(introns))],
            "intron_seq": introns,
            "splicing_eff": np.linspace(0, 1, len(introns)),
        }
    )
    table.to_csv(tmp_path / "in.csv", index=False)
    assert (
        cli.main(["--verbose", "predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "ray.csv"), "--ray"])
        == 0
    )
    assert f"scored {len(introns) - 3} of {len(introns)} rows" in capsys.readouterr().out
    score_file(load_predictor(PRETRAINED_DIR), tmp_path / "in.csv", tmp_path / "one.csv")
    on_ray, single = (
        pd.read_csv(tmp_path / "ray.csv", keep_default_na=False),
        pd.read_csv(tmp_path / "one.csv", keep_default_na=False),
    )
    assert list(on_ray.columns) == list(single.columns) and on_ray["name"].tolist() == table["name"].tolist()
    numbers = ["predicted_eff", "predicted_sd", "interval_low", "interval_high", "library_distance"]
    for column in numbers:
        np.testing.assert_allclose(
            pd.to_numeric(on_ray[column]), pd.to_numeric(single[column]), atol=1e-6, equal_nan=True
        )
    pd.testing.assert_frame_equal(on_ray.drop(columns=numbers), single.drop(columns=numbers))
    assert [i for i, e in enumerate(on_ray["error"]) if e] == sorted(BAD)
    # No deprecated Ray option in our calls, and not Ray's false alarm of a scoring pool with one input.
    assert not [w for w in recwarn if "Deprecation" in w.category.__name__ and "splice_core" in w.filename]
    assert not [w for w in recwarn if "concurrent actors" in str(w.message)]


def test_fasta_in_many_chunks_keeps_order_and_reports_bad_rows(tmp_path, local_ray):
    model = install_toy_model(tmp_path, 200)
    introns = random_introns(230, seed=1)
    introns[100] = "GTNNNXAG"
    (tmp_path / "in.fa").write_text("".join(f">r{i}\n{s}\n" for i, s in enumerate(introns)))
    summary = score_file_on_ray(
        model, tmp_path / "in.fa", tmp_path / "out.csv", {"template": None, "reporter": None}, chunk_rows=40
    )
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert (
        out["id"].tolist() == [f"r{i}" for i in range(230)] and summary.n_rows == 230 and summary.n_bad == 1
    )
    assert summary.bad_table()["row"].tolist() == [101] and "'X'" in summary.bad_table()["error"][0]
    expected = load_predictor(model).intron_members([s for i, s in enumerate(introns) if i != 100]).mean(1)
    np.testing.assert_allclose(
        np.delete(pd.to_numeric(out["predicted_eff"]).to_numpy(), 100), expected, atol=1e-6
    )


def test_an_unreadable_input_fails_before_any_worker_starts(tmp_path):
    (tmp_path / "x.csv").write_text("foo,bar\n1,2\n")
    with pytest.raises(DataFileError, match="needs an intron column"):
        score_file_on_ray(PRETRAINED_DIR, tmp_path / "x.csv", tmp_path / "out.csv", {})
    assert not (tmp_path / "out.csv").exists()


def test_the_driver_never_loads_the_model_and_workers_use_their_share_of_cpus(
    tmp_path, local_ray, monkeypatch
):
    import ray

    from splice_core.cluster import batch_scoring as ray_batch
    from splice_core.models import store as model_store
    from splice_core.predict import predictor

    model = install_toy_model(tmp_path, 200)
    introns = random_introns(50, seed=2)
    pd.DataFrame({"intron_seq": introns}).to_csv(tmp_path / "in.csv", index=False)

    def refuse(path):
        raise AssertionError(f"the driver loaded {path}")

    monkeypatch.setattr(model_store, "load_model", refuse)
    monkeypatch.setattr(predictor, "load_model", refuse)  # the workers are other processes, unpatched
    args = ["--verbose", "predict", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv")]
    assert cli.main([*args, "--ray", "--model", str(model)]) == 0
    expected = expected_members(introns, toy_weights(200)).mean(1)
    np.testing.assert_allclose(pd.read_csv(tmp_path / "out.csv")["predicted_eff"], expected, atol=1e-6)

    @ray.remote(num_cpus=1)
    def threads_after_setup() -> int:
        import tensorflow as tf

        ray_batch.use_assigned_cpus()
        return tf.config.threading.get_intra_op_parallelism_threads()

    assert ray.get(threads_after_setup.remote()) == 1


def test_the_driver_side_imports_no_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import splice_core.cli.main, splice_core.cluster.batch_scoring, splice_core.data.oligo_template, splice_core.models.store\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
