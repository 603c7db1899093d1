"""Progress bars with the time left for the command line (rich), fed by the core's progress callbacks."""

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def progress_bar() -> Progress:
    """A bar on stderr: description, bar, percent done, time spent and time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


def epoch_line(record: dict) -> str:
    """One line for a finished epoch (a training progress record; a pair fine-tuning round shows its pair loss)."""
    after = f"pairs {record['pair_loss']:.4f}" if "pair_loss" in record else f"dev {record['val_loss']:.4f}"
    return (
        f"seed {record['seed_index'] + 1}/{record['n_seeds']} epoch {record['epoch']}/{record['epochs']} "
        f"loss {record['loss']:.4f} {after} ({record['seconds']:.0f} s)"
    )


class EpochProgress:
    """A training progress callback: one bar over every planned epoch of one or more runs, one line per epoch.

    Early stopping ends a seed before its last epoch; the bar then jumps to the next seed's start. With no epochs
    planned (``ship --trained``) the bar pulses instead of standing at 0%.
    """

    def __init__(self, bar: Progress, total_epochs: int, description: str = "training"):
        self.bar = bar
        self.task = bar.add_task(description, total=total_epochs or None)
        self.total = total_epochs
        self.base = 0  # epochs planned by the runs that ended
        self.position = 0  # epochs into the current run
        self.run_total = 0

    def __call__(self, record: dict) -> None:
        """Advance to ``record`` (keys seed_index, n_seeds, epoch, epochs, loss, val_loss, seconds)."""
        position = record["seed_index"] * record["epochs"] + record["epoch"]
        if position <= self.position:  # a new run started
            self.base += self.run_total
        self.position, self.run_total = position, record["n_seeds"] * record["epochs"]
        self.bar.update(self.task, completed=min(self.base + position, self.total))
        print(epoch_line(record), flush=True)
