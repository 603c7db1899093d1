"""Retrain page: train a new model version in the background, follow it live, cancel it, make it active."""

import dataclasses

import plotly.express as px
import streamlit as st

from splice_core.cluster import sweep_jobs
from splice_core.cluster.connection import cluster_address
from splice_core.cluster.sweep_spec import parse_spec, spec_for_recipe, spec_to_yaml
from splice_core.data.library import DataFileError, data_dir, library_path
from splice_core.models.architectures import BUILDERS
from splice_core.models.recipe_options import CONTEXTS
from splice_core.models.store import (
    PRETRAINED_DIR,
    active_model_path,
    models_root,
    read_card,
    set_active_model,
    version_collapse_note,
)
from splice_core.models.training import LOSSES, TrainConfig, gated_where_they_apply
from splice_core.reports.model_tables import history_frame, loss_label
from splice_core.runs import job_registry, job_state

POLL_SECONDS = 2
ARCHITECTURES = list(BUILDERS)
LOSS_NAMES = list(LOSSES)
LOSS_LABELS = {
    "mse": "Mean squared error (the reference study's)",
    "bce": "Binary cross-entropy (no sigmoid collapse)",
}


def recipe_form(default: TrainConfig) -> TrainConfig | None:
    """Recipe widgets (defaults: ``default``); the chosen recipe once "Start training" is pressed, else None."""
    with st.form("recipe"):
        left, middle, right = st.columns(3)
        architecture = left.selectbox(
            "Architecture",
            ARCHITECTURES,
            ARCHITECTURES.index(default.architecture),
            key="recipe_architecture",
        )
        context = middle.selectbox(
            "Sequence context", CONTEXTS, CONTEXTS.index(default.context), key="recipe_context"
        )
        rebalance = right.checkbox("Rebalance low/high efficiency", default.rebalance, key="recipe_rebalance")
        epochs = left.number_input(
            "Epochs (at most; early stopping on dev)", 1, 500, default.epochs, key="recipe_epochs"
        )
        n_seeds = middle.number_input("Seeds", 1, 20, default.n_seeds, key="recipe_seeds")
        ensemble = right.checkbox("Keep every seed (ensemble)", default.ensemble, key="recipe_ensemble")
        learning_rate = left.number_input(
            "Learning rate",
            1e-6,
            1.0,
            float(default.learning_rate),
            step=1e-4,
            format="%.5f",
            key="recipe_learning_rate",
        )
        batch_size = middle.number_input("Batch size", 8, 4096, default.batch_size, key="recipe_batch_size")
        max_rows = right.number_input(
            "Sample about this many constructs (0 = all)",
            0,
            None,
            default.max_rows or 0,
            step=1000,
            key="recipe_max_rows",
        )
        loss = left.selectbox(
            "Loss", LOSS_NAMES, LOSS_NAMES.index(default.loss), format_func=LOSS_LABELS.get, key="recipe_loss"
        )
        mixed_weighting = middle.checkbox(
            "Mixed weighting (every other seed unweighted)",
            default.mixed_weighting,
            key="recipe_mixed_weighting",
        )
        construct_means = right.checkbox(
            "Train on design means (over barcodes)",
            default.construct_mean_labels,
            key="recipe_construct_mean_labels",
        )
        cryptic_weight = left.number_input(
            "Cryptic-splicing head weight (0 = off)",
            0.0,
            10.0,
            float(default.cryptic_weight),
            step=0.1,
            help="Multi-task: each model predicts splicing at any site, split between the designed site (efficiency) "
            "and cryptic sites, and also learns the measured cryptic splicing; that output is dropped after training.",
            key="recipe_cryptic_weight",
        )
        if not st.form_submit_button("Start training", type="primary"):
            return None
    return gated_where_they_apply(
        dataclasses.replace(
            default,
            architecture=architecture,
            context=context,
            rebalance=rebalance,
            epochs=int(epochs),
            n_seeds=int(n_seeds),
            ensemble=ensemble,
            learning_rate=float(learning_rate),
            batch_size=int(batch_size),
            max_rows=int(max_rows) or None,
            loss=loss,
            mixed_weighting=mixed_weighting,
            construct_mean_labels=construct_means,
            cryptic_weight=float(cryptic_weight),
        )
    )


def render_outcome(job: job_state.TrainingJob) -> None:
    """Cancel button while running; the saved version (and making it active), a cancel or a failure after."""
    if job.active and not job.owned:
        st.caption(f"Running in another app process (pid {job.pid}); it is shown from its journal.")
    elif job.active:
        requested = job.cancel_requested.is_set()
        st.button("Cancel", key=f"cancel-{job.id}", on_click=job.cancel, disabled=requested)
        if requested:
            st.caption("Cancelling at the next training batch…")
    elif job.status == job_state.DONE and version_collapse_note(job.saved_path):
        st.warning(
            f"Saved as model version `{job.saved_path.name}` in {job.saved_path.parent}, but it "
            f"{version_collapse_note(job.saved_path)}. More epochs or seeds, or the bce loss, usually help."
        )
    elif job.status == job_state.DONE:
        st.success(f"Saved as model version `{job.saved_path.name}` in {job.saved_path.parent}.")
        if active_model_path().resolve() == job.saved_path.resolve():
            st.caption("This is the active model.")
        elif st.button("Make it the active model", key=f"activate-{job.id}"):
            set_active_model(job.saved_path)
            st.rerun()
    elif job.status == job_state.CANCELLED:
        st.info("Cancelled: nothing was saved.")
    elif job.status == job_state.INTERRUPTED:
        st.warning(f"Interrupted: {job.error}.")
    else:
        st.error(f"Training failed: {job.error}")


def render_job(job: job_state.TrainingJob) -> None:
    """One job: recipe, progress, times, device, live loss curves and its outcome."""
    config = job.config
    with st.container(border=True):
        st.markdown(
            f"**{config.architecture} on {config.context}** · {job_state.plan_text(config)} · "
            f"job `{job.id}` · **{job.status}**"
        )
        st.progress(job.fraction(), text=job.progress_text())
        st.caption(
            f"Elapsed {job_state.duration_text(job.elapsed())} · remaining ≈ {job_state.duration_text(job.remaining())} · device: {job.device}"
        )
        if job.records:
            st.plotly_chart(
                px.line(
                    history_frame(job.records),
                    x="epoch",
                    y="loss",
                    color="seed",
                    line_dash="curve",
                    markers=True,
                    labels={"loss": loss_label(dataclasses.asdict(config))},
                ),
                key=f"curves-{job.id}",
            )
        render_outcome(job)


def rerun_app_when_a_job_ends(all_jobs: list[job_state.TrainingJob]) -> None:
    """Rerun the whole app once a job ends, so the sidebar lists the new version."""
    ended = sorted(j.id for j in all_jobs if not j.active)
    if st.session_state.setdefault("retrain_ended_jobs", ended) != ended:
        st.session_state["retrain_ended_jobs"] = ended
        st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def jobs_panel() -> None:
    """Every training job (this app's, from every browser session, and earlier apps' from the journal), refreshed every few seconds."""
    all_jobs = job_registry.REGISTRY.jobs()
    rerun_app_when_a_job_ends(all_jobs)
    st.subheader("Training jobs")
    if not all_jobs:
        st.caption("No training job yet.")
    for job in all_jobs:
        render_job(job)


# --- Runs and sweeps on a Ray cluster ---
def cluster_form(address: str, default: TrainConfig) -> None:
    """A sweep spec (a single run of the shipped recipe to start from) and the button that sends it to the cluster."""
    with st.expander(f"Send a run or a sweep to the Ray cluster at {address}"):
        st.caption(
            "YAML: `base` holds the recipe every trial shares, each list under `grid` multiplies the trials (no grid: a single "
            "run); the best trial on dev (`select`: pearson, balanced_mse or mse; never test) is saved as a new version."
        )
        text = st.text_area(
            "Sweep spec", spec_to_yaml(spec_for_recipe(default)), height=300, key="sweep_spec"
        )
        if st.button("Send to the cluster", key="sweep_start"):
            try:
                job = sweep_jobs.SWEEPS.start(
                    parse_spec(text), address, data_dir(), out=models_root() / "sweeps"
                )
                st.success(
                    f"Sent sweep `{job.spec.name}` ({len(job.spec.trials())} trial(s)) to {address} as job `{job.id}`."
                )
            except (ValueError, DataFileError) as err:
                st.error(str(err))


def render_sweep(job: sweep_jobs.SweepJob) -> None:
    """One sweep: its trials table (live), then the saved best version or the failure."""
    with st.container(border=True):
        st.markdown(
            f"**Sweep {job.spec.name}** on `{job.address}` · {len(job.spec.trials())} trial(s) · picked on dev {job.spec.select} · "
            f"job `{job.id}` · **{job.status}** · {job_state.duration_text(job.elapsed())}"
        )
        if len(job.trials):
            st.dataframe(job.trials, hide_index=True, key=f"trials-{job.id}")
        elif job.active:
            st.caption("Waiting for the cluster to start the trials…")
        if job.status == job_state.DONE:
            st.success(
                f"Best on dev saved as model version `{job.saved_path.name}` in {job.saved_path.parent}."
            )
        elif job.status == job_state.FAILED:
            st.error(f"Sweep failed: {job.error}")


@st.fragment(run_every=POLL_SECONDS)
def sweeps_panel() -> None:
    """Every sweep this app sent to a cluster, refreshed every few seconds."""
    sweeps = sweep_jobs.SWEEPS.jobs()
    if sweeps:
        st.subheader("Sweeps on the Ray cluster")
    for job in sweeps:
        render_sweep(job)


st.title("Retrain")
if library_path() is None:
    st.warning(
        f"No library in the data directory {data_dir()}, so training is not available. Get the data with "
        "`python -m splice_core fetch` (downloads the public files into the data directory), or set SPLICE_DATA_DIR "
        "to a folder holding splicing_library.csv, wildtype_introns.csv and reporter.fa, then reload this page."
    )
else:
    st.caption(
        f"Defaults are the shipped model's recipe. A finished run is saved as a new version under {models_root()} "
        "(pretrained/ is never changed); compare versions on the Model page and pick the active one in the sidebar."
    )
    recipe = recipe_form(job_state.recipe_from_card(read_card(PRETRAINED_DIR)))
    if cluster_address():
        cluster_form(cluster_address(), job_state.recipe_from_card(read_card(PRETRAINED_DIR)))
    else:
        st.caption("Set RAY_ADDRESS to a Ray cluster's address to send runs and sweeps there from this page.")
    if recipe is not None:
        try:
            started = job_registry.REGISTRY.start(recipe, data_dir())
            st.success(
                f"Started training job `{started.id}`; it runs in the background, you can leave this page."
            )
        except DataFileError as err:
            st.error(str(err))
jobs_panel()
sweeps_panel()
