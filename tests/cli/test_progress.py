"""progress: one bar over every planned epoch of one or more training runs, early stops included."""

import io

from conftest import epoch_record
from rich.console import Console
from rich.progress import Progress

from splice_core.cli.progress import EpochProgress, epoch_line


def test_the_bar_follows_seeds_early_stops_and_later_runs(capsys):
    bar = Progress(console=Console(file=io.StringIO()))
    progress = EpochProgress(bar, total_epochs=2 * 4 + 1 * 4)
    seen = []
    for r in [
        epoch_record(0, 1),
        epoch_record(0, 2),
        epoch_record(1, 1),
        epoch_record(1, 2),
        epoch_record(1, 3),
        epoch_record(1, 4),
        epoch_record(0, 1, 1),
        epoch_record(0, 2, 1),
    ]:
        progress(r)
        seen.append(bar.tasks[0].completed)
    # seed 1 stopped early after 2 epochs: seed 2 starts at 5; the second run (1 seed) starts after the first run's 8
    assert seen == [1, 2, 5, 6, 7, 8, 9, 10]
    assert capsys.readouterr().out.splitlines()[0] == "seed 1/2 epoch 1/4 loss 0.1000 dev 0.2000 (1 s)"


def test_no_planned_epochs_pulse_instead_of_standing_at_zero():
    bar = Progress(console=Console(file=io.StringIO()))
    EpochProgress(bar, total_epochs=0, description="ship")
    task = bar.tasks[0]
    assert task.total is None and not task.finished and task.description == "ship"


def test_epoch_line():
    assert epoch_line(epoch_record(1, 3)) == "seed 2/2 epoch 3/4 loss 0.1000 dev 0.2000 (1 s)"
