"""Shared fixtures: the real data directory and a tiny made-up data directory."""

import contextlib
import errno
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
REAL_DATA = Path(os.environ.get("SPLICE_DATA_DIR", ROOT.parent / "shared" / "data"))
TYPES = ("synthetic", "endogenous", "orthologous")
HOMOLOGY5 = "TACGTTAAACAATACGAGGCACTTACTCCG"
HOMOLOGY3 = "CCTGGAGTTCGCTATTCCTATTGTAGTTTT"


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The shared real data directory (CI provides it; missing data is a failure, not a skip)."""
    assert (REAL_DATA / "splicing_library.csv").is_file(), f"real data missing in {REAL_DATA}"
    return REAL_DATA


def random_dna(rng: np.random.Generator, n: int) -> str:
    """A random ACGT string of length n."""
    return "".join(rng.choice(list("ACGT"), n))


def make_intron(rng: np.random.Generator, length: int, good: bool) -> str:
    """A made-up intron: consensus sites when ``good``, broken sites otherwise."""
    ss5, branch, ss3 = ("GTATGT", "TACTAAC", "TAG") if good else ("CTATGT", "TTCTTTC", "TCC")
    body = random_dna(rng, length - len(ss5) - len(branch) - len(ss3) - 20)
    return ss5 + body + branch + random_dna(rng, 20) + ss3


def make_library(n_designs: int = 60, seed: int = 0) -> pd.DataFrame:
    """A tiny library in the real column format; good sites splice (~0.6), broken ones do not (some cryptic splicing)."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(n_designs):
        good = d % 2 == 0
        length = int(rng.integers(60, 120))
        intron = make_intron(rng, length, good)
        exon5 = random_dna(rng, 5)
        for _ in range(1 + (d % 3 == 0)):
            bc = random_dna(rng, 12)
            down = random_dna(rng, 230 - 30 - 47 - length)
            seq = HOMOLOGY5 + bc + exon5 + intron + down + HOMOLOGY3
            eff = float(np.clip((0.6 if good else 0.01) + rng.normal(0, 0.05), 0, 1))
            cryptic = float(np.clip((0.05 if good else 0.3) + rng.normal(0, 0.05), 0, 1))
            rows.append(
                {
                    "type": TYPES[d % 3],
                    "BC": bc,
                    "splicing_eff": eff,
                    "cryptic_splicing_eff": cryptic,
                    "seq": seq,
                    "intron_seq": intron,
                    "SS5_inds": 6,
                    "branch_inds": 6 + length - 30,
                    "SS3_inds": 6 + length - 3,
                    "BC_num": 1,
                    "intron_len": length,
                    "SS_5": intron[:6],
                    "branch_seq": intron[-30:-23],
                    "SS_3": intron[-3:],
                }
            )
    frame = pd.DataFrame(rows)
    frame.loc[len(frame) - 1, "splicing_eff"] = np.nan
    return frame


def make_wildtype(n: int = 40, seed: int = 1) -> pd.DataFrame:
    """A made-up wild-type intron table with the annotation columns the project reads."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        length = int(rng.integers(70, 400))
        intron = make_intron(rng, length, True)
        rows.append(
            {
                "5'SS": intron[:6],
                "BP": "TACTAACA",
                "3'SS": intron[-3:],
                "Length (bp)": length,
                "BP to 3'SS (bp)": 30,
                "5'SS to BP (bp)": intron.rfind("TACTAAC") + 6,  # 1-based branch A (0: none)
                "sequence": intron,
            }
        )
    return pd.DataFrame(rows)


def tiny_recipe():
    """A recipe that trains in seconds on :func:`tiny_data_dir`'s library (imported here: it loads TensorFlow)."""
    from splice_core.models.training import TrainConfig

    return TrainConfig(architecture="cnn_res1", context="intron", epochs=2, n_seeds=1, max_rows=150)


def epoch_record(seed_index: int, epoch: int, n_seeds: int = 2, epochs: int = 4) -> dict:
    """An epoch record as the training callback writes it."""
    return {
        "seed": seed_index,
        "seed_index": seed_index,
        "n_seeds": n_seeds,
        "epoch": epoch,
        "epochs": epochs,
        "loss": 0.1,
        "val_loss": 0.2,
        "seconds": 1.0,
    }


@pytest.fixture()
def tiny_data_dir(tmp_path: Path) -> Path:
    """A data directory with a tiny made-up library, wild-type table and reporter."""
    make_library().to_csv(tmp_path / "splicing_library.csv", index=False)
    make_wildtype().to_csv(tmp_path / "wildtype_introns.csv", index=False)
    rng = np.random.default_rng(2)
    (tmp_path / "reporter.fa").write_text(
        f">upstream\n{random_dna(rng, 302)}\n>downstream\n{random_dna(rng, 1102)}\n"
    )
    return tmp_path


def run_page(page: str):
    """An AppTest of ``page`` after one run, asserting it raised no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(page, default_timeout=90).run()
    assert not at.exception
    return at


@pytest.fixture(scope="session")
def local_ray():
    """A local Ray with 2 CPUs, started once for the whole test run (Ray's start is slow) and stopped at its end."""
    from splice_core.cluster.connection import connect, disconnect

    started = connect(num_cpus=2)
    yield
    disconnect(started)


@contextlib.contextmanager
def small_filesystem(path: Path, size_kib: int, read_only: bool = False):
    """A real size-limited tmpfs mounted at ``path`` for the test (root only); skips the test where mounting fails."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kib}k" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill_filesystem(path: Path) -> None:
    """Fill the file system holding ``path`` until a write fails (no space left)."""
    with open(path / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as err:
            assert err.errno == errno.ENOSPC, err
    assert os.statvfs(path).f_bavail == 0
