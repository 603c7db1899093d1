"""A sweep of two tiny trials on made-up data, on the test run's local Ray: the trials table, the best version saved."""

import pandas as pd
import pytest

from splice_core.cli import main as cli
from splice_core.models.store import list_versions, read_card

pytestmark = pytest.mark.slow  # see pytest.ini: the quick tier leaves these out

SPEC = """
name: tiny
select: pearson
base: {architecture: cnn_res1, context: intron, epochs: 1, n_seeds: 1, batch_size: 32, loss: bce}
grid:
  learning_rate: [0.001, 0.003]
"""


def test_a_two_trial_sweep_writes_its_table_and_saves_the_best_on_dev(
    tiny_data_dir, tmp_path, local_ray, capsys
):
    (tmp_path / "sweep.yaml").write_text(SPEC)
    models = tmp_path / "models"
    code = cli.main(
        [
            "--data-dir",
            str(tiny_data_dir),
            "--verbose",
            "sweep",
            str(tmp_path / "sweep.yaml"),
            "--out",
            str(tmp_path / "runs"),
            "--models-dir",
            str(models),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    (folder,) = (tmp_path / "runs").glob("sweep-tiny-*")
    table = pd.read_csv(folder / "trials.csv")
    assert table["trial"].tolist() == [1, 2] and table["learning_rate"].tolist() == [0.001, 0.003]
    assert table["status"].tolist() == ["done", "done"] and table["dev_pearson"].notna().all()
    assert not any(c.startswith("test") for c in table.columns)
    best = int(table["dev_pearson"].idxmax())
    (saved,) = list_versions(models)[1:]
    card = read_card(saved)
    assert (
        saved.name.endswith("sweep-tiny")
        and card["sweep"]["trial"] == best + 1
        and card["sweep"]["picked_on"] == "dev pearson"
    )
    assert (
        card["config"]["learning_rate"] == table["learning_rate"][best]
        and card["metrics"]["dev"]["pearson"] == table["dev_pearson"][best]
    )
    assert (
        "◀ best on dev" in (folder / "trials.md").read_text()
        and f"trial {best + 1}, saved as model version" in out
    )
