"""Scoring a file of introns on Ray Data: the batch module's chunks, one model replica per Ray worker.

One read task streams the input's chunks (:func:`splice_core.predict.batch.input_chunks`); a pool of actors, each
holding the model once, scores them with :func:`splice_core.predict.batch.score_frame` (on GPUs when the cluster has
them); the driver receives the scored chunks in input order and writes them as they arrive, so memory stays
bounded and the output is the single-process path's.
"""

import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from splice_core.cluster.connection import cluster_resources
from splice_core.data.library import DataFileError
from splice_core.models.peer_blend import blend_files
from splice_core.models.store import CARD_FILE, MODEL_FILE, read_card
from splice_core.predict.batch import BatchSummary, ProgressFn, score_frame
from splice_core.predict.tables import CHUNK_ROWS, ScoredWriter, input_chunks, output_format

ROW = "__row__"
FRACTION = "__fraction_read__"
# The label every Ray node carries with its id: a task that selects it runs on that node.
NODE_ID_LABEL = "ray.io/node-id"


def model_files(path: str | os.PathLike) -> dict[str, bytes]:
    """The files a model directory's predictor loads (model, card and the blend's peer where it ships one) as bytes,
    to send to workers that may not see this file system."""
    names = (MODEL_FILE, CARD_FILE, *blend_files(read_card(path)))
    return {name: (Path(path) / name).read_bytes() for name in names}


def read_chunks(request: pd.DataFrame, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Ray Data generator: the input's chunks, each with its row numbers and the fraction of the file read."""
    path, name = request["path"].iloc[0], request["name"].iloc[0]
    for frame, fraction in input_chunks(path, name, chunk_rows):
        yield frame.assign(**{ROW: frame.index.to_numpy(), FRACTION: fraction})


class ChunkScorer:
    """A Ray Data actor: loads the model once from its files, then scores chunks with :func:`score_frame`."""

    def __init__(self, files: dict[str, bytes], design: dict):
        from splice_core.predict.predictor import load_predictor

        use_assigned_cpus()  # before the model loads: TensorFlow fixes its thread pools at its first operation
        directory = Path(tempfile.mkdtemp(prefix="splice-model-"))
        for name, data in files.items():
            (directory / name).write_bytes(data)
        self.predictor = load_predictor(directory)
        self.design = design

    def __call__(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """One scored chunk (the helper columns kept at the end)."""
        scored = score_frame(self.predictor, chunk.drop(columns=[ROW, FRACTION]), **self.design)
        return scored.assign(**{ROW: chunk[ROW].to_numpy(), FRACTION: chunk[FRACTION].to_numpy()})


def use_assigned_cpus() -> None:
    """Size TensorFlow's thread pools to the CPUs Ray gave this worker (by default they take every core)."""
    import ray
    import tensorflow as tf

    cpus = int(ray.get_runtime_context().get_assigned_resources().get("CPU", 0))
    if cpus:
        tf.config.threading.set_intra_op_parallelism_threads(cpus)
        tf.config.threading.set_inter_op_parallelism_threads(1)


def replica_options(cpus: int, gpus: int) -> dict:
    """Ray Data options of the scoring actors: one per GPU when the cluster has GPUs, else one per CPU."""
    from ray.data import ActorPoolStrategy

    if gpus:
        return {"compute": ActorPoolStrategy(size=gpus), "num_gpus": 1}
    return {"compute": ActorPoolStrategy(size=max(1, cpus)), "num_cpus": 1}


def block_bytes(first_rows: pd.DataFrame, chunk_rows: int) -> int:
    """Ray Data's target block size for chunks like ``first_rows``: a read chunk is then one block, sent on at once.

    Ray holds a task's output until it passes this size and slices outputs of 1.5 times it or more, so a chunk
    of about 1.25 times the target is passed on alone and whole (a slice would only make a smaller block).
    """
    # Bytes per row, plus 16 for the helper columns.
    per_row = first_rows.memory_usage(index=True, deep=True).sum() / max(len(first_rows), 1) + 16
    return max(1 << 14, int(per_row * chunk_rows * 0.8))


def scored_chunks(
    model_path: str | os.PathLike,
    source: str | os.PathLike,
    design: dict,
    first_rows: pd.DataFrame,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """Scored chunks of an input file in input order, from the connected Ray cluster (helper columns kept)."""
    import ray
    import ray.data

    context = ray.data.DataContext.get_current()
    saved = (
        context.execution_options.preserve_order,
        context.target_max_block_size,
        context.enable_progress_bars,
    )
    context.execution_options.preserve_order, context.enable_progress_bars = True, False
    context.target_max_block_size = block_bytes(first_rows, chunk_rows)
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # Ray's own progress bars are off (the command draws one) and Ray says so once: not news to the user.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)
    # Ray warns that the scoring pool gets one input, but that one read task streams every chunk to it.
    warnings.filterwarnings("ignore", "The minimum number of concurrent actors", UserWarning)
    try:
        path = str(Path(source).resolve())
        # Read where the file is (Ray's own local reads pin their tasks with this label).
        here = {NODE_ID_LABEL: ray.get_runtime_context().get_node_id()}
        chunks = ray.data.from_items([{"path": path, "name": path}]).map_batches(
            read_chunks,
            batch_size=1,
            batch_format="pandas",
            fn_kwargs={"chunk_rows": chunk_rows},
            num_cpus=0,
            label_selector=here,
        )
        scored = chunks.map_batches(
            ChunkScorer,
            batch_size=None,
            batch_format="pandas",
            fn_constructor_kwargs={"files": model_files(model_path), "design": design},
            **replica_options(*cluster_resources()),
        )
        yield from scored.iter_batches(batch_size=None, batch_format="pandas", prefetch_batches=1)
    finally:
        (
            context.execution_options.preserve_order,
            context.target_max_block_size,
            context.enable_progress_bars,
        ) = saved


def score_file_on_ray(
    model_path: str | os.PathLike,
    source: str | os.PathLike,
    output: str | os.PathLike,
    design: dict,
    on_progress: ProgressFn | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> BatchSummary:
    """Score an input file into ``output`` on the connected Ray cluster, as :func:`splice_core.predict.batch.score_file` does."""
    import ray.exceptions

    output_format(output)
    # An unreadable input fails here, before any worker starts.
    first_rows, _ = next(input_chunks(source, chunk_rows=100))
    writer = ScoredWriter(output)
    summary = BatchSummary()
    try:
        for chunk in scored_chunks(model_path, source, design, first_rows, chunk_rows):
            scored = chunk.drop(columns=[ROW, FRACTION]).set_axis(pd.Index(chunk[ROW].to_numpy()), axis=0)
            writer.write(scored)
            summary.add(scored)
            if on_progress:
                on_progress(float(chunk[FRACTION].iloc[-1]), summary.n_rows)
        writer.close()
    except ray.exceptions.RayTaskError as err:
        writer.discard()
        if isinstance(err.cause, DataFileError):
            raise err.cause from None
        raise
    except BaseException as err:
        writer.abandon(err)
        raise
    return summary
