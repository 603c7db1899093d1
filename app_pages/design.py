"""Design: introns that splice at a chosen efficiency, by the fewest edits of one intron or from scratch."""

import streamlit as st

from app_state import (
    active_predictor_or_stop,
    branch_pwm,
    keep_compiled_models,
    natural_sites_or_none,
    open_on_predict,
    peer_or_none,
    template_or_none,
)
from splice_core.data.sites import find_branch_start
from splice_core.design.constraints import DesignInputError
from splice_core.design.output import COLUMN_NOTE, NO_TEMPLATE, agreement_share, designs_fasta, designs_table
from splice_core.design.requests import CONSENSUS, edit_request, goal_of, rules_of, scratch_request, site_list
from splice_core.design.search import SCRATCH_LENGTHS, EditRequest
from splice_core.files.formula_cells import csv_text
from splice_core.plot.design_plot import edits_figure, targets_figure
from splice_core.predict.predictor import Predictor
from splice_core.runs.design_job import DesignJob, start_design
from splice_core.runs.job_state import CANCELLED, DONE, duration_text
from splice_core.seq.intron_text import EXAMPLE_INTRON, clean_intron_text

POLL_SECONDS = 1
MODES = ("Edit an intron", "From scratch")
GOALS = {"A target efficiency": "target", "As high as possible": "high", "As low as possible": "low"}
SITE_SOURCES = ("Fixed (type them)", "The library's natural variants that splice")
SHOWN = [
    "design",
    "edits",
    "target",
    "predicted",
    "spread",
    "search_mean",
    "held_out",
    "held_out_agrees",
    "peer",
    "peer_agrees",
    "warning",
    "length",
    "gc",
    "sequence",
    "oligo",
]
COLUMNS = {
    "predicted": st.column_config.NumberColumn(
        "predicted", format="%.3f", help="Mean of every ensemble member, as the Predict page shows it"
    ),
    "spread": st.column_config.NumberColumn("± spread", format="%.3f", help="SD over every ensemble member"),
    "search_mean": st.column_config.NumberColumn(
        "search members",
        format="%.3f",
        help="Mean of the members the search steered (the held-out one left out)",
    ),
    "held_out": st.column_config.NumberColumn(
        "held-out", format="%.3f", help="The member kept out of the search, as a check"
    ),
    "peer": st.column_config.NumberColumn(
        "peer", format="%.3f", help="The gradient-boosting peer (another model family), as a second check"
    ),
    "held_out_agrees": st.column_config.CheckboxColumn("agrees ±0.1"),
    "gc": st.column_config.NumberColumn("GC", format="%.2f"),
}


def edit_form() -> dict:
    """Widgets of the edit mode (inside the form); their values."""
    default = st.session_state.get("kept_intron_text", EXAMPLE_INTRON)
    values = {
        "intron": st.text_area(
            "Intron to edit (from the Predict page, or paste one)", default, key="design_intron", height=110
        )
    }
    left, middle, right = st.columns(3)
    values["goal"] = GOALS[left.radio("Goal", list(GOALS), key="design_goal")]
    values["target"] = middle.number_input("Target efficiency", 0.0, 1.0, 0.5, step=0.05, key="design_target")
    values["edits"] = right.number_input("At most this many edits", 1, 10, 3, key="design_edits")
    values["fixed"] = middle.text_input(
        "Positions that must not change (1-based)", "", placeholder="e.g. 10-20, 45", key="design_fixed"
    )
    values["keep_sites"] = right.checkbox(
        "Keep the 5'SS, branch site and 3'SS", True, key="design_keep_sites"
    )
    values["deletions"] = left.checkbox("Allow deletions", False, key="design_deletions")
    values["insertions"] = left.checkbox("Allow insertions", False, key="design_insertions")
    return values


def scratch_form(max_length: int, library_sites: dict | None) -> dict:
    """Widgets of the from-scratch mode (inside the form); their values."""
    left, middle, right = st.columns(3)
    values = {"n": left.number_input("Number of designs", 1, 100, 10, key="design_n")}
    values["targets"] = middle.slider(
        "Target efficiency (a range spreads the designs over it)",
        0.0,
        1.0,
        (0.5, 0.5),
        0.05,
        key="design_targets",
    )
    values["lengths"] = right.slider(
        "Length range (nt)",
        30,
        max_length,
        (SCRATCH_LENGTHS[0], min(SCRATCH_LENGTHS[1], max_length)),
        key="design_lengths",
    )
    sources = SITE_SOURCES if library_sites else SITE_SOURCES[:1]
    values["site_source"] = left.radio(
        "Splice sites",
        sources,
        key="design_site_source",
        help=None if library_sites else "The library's variants need the data directory.",
    )
    values["ss5"] = middle.text_input("5' splice sites", ", ".join(CONSENSUS["ss5"]), key="design_ss5")
    values["branch"] = middle.text_input("Branch sites", ", ".join(CONSENSUS["branch"]), key="design_branch")
    values["ss3"] = middle.text_input("3' splice sites", ", ".join(CONSENSUS["ss3"]), key="design_ss3")
    values["gc"] = right.slider("GC range", 0.0, 1.0, (0.2, 0.5), 0.05, key="design_gc")
    values["forbid"] = right.text_input(
        "Forbidden motifs", "", placeholder="e.g. GAATTC, GGTCTC", key="design_forbid"
    )
    values["max_run"] = right.number_input(
        "Longest homopolymer run (0 = any)", 0, 50, 6, key="design_max_run"
    )
    return values


def request_of(mode: str, values: dict, predictor: Predictor, library_sites: dict | None):
    """The design request of the form's values (DesignInputError for bad input)."""
    max_length = predictor.max_intron_length()
    if mode == MODES[0]:
        intron = clean_intron_text(values["intron"])
        branch = find_branch_start(intron, branch_pwm()) if len(intron) >= 20 else 0
        return edit_request(
            values["intron"],
            goal_of(values["goal"], values["target"]),
            values["edits"],
            values["fixed"],
            values["keep_sites"],
            branch,
            values["deletions"],
            values["insertions"],
            rules_of((0.0, 1.0), "", None),
            max_length,
        )
    low, high = values["targets"]
    if values["site_source"] == SITE_SOURCES[1]:
        sites = library_sites
    else:
        sites = {
            name: site_list(values[name], label)
            for name, label in (
                ("ss5", "5' splice site"),
                ("branch", "branch site"),
                ("ss3", "3' splice site"),
            )
        }
    return scratch_request(
        goal_of("target", low),
        values["n"],
        high,
        values["lengths"],
        sites,
        rules_of(values["gc"], values["forbid"], values["max_run"]),
        max_length,
        card=predictor.card,
    )


def start_from_form(predictor: Predictor, library_sites: dict | None) -> None:
    """The form; on submit, a new design job in session state (or one clear error message)."""
    mode = st.radio("What to design", MODES, horizontal=True, key="design_mode")
    with st.form("design_form"):
        values = (
            edit_form() if mode == MODES[0] else scratch_form(predictor.max_intron_length(), library_sites)
        )
        hold_out = st.checkbox(
            "Keep one ensemble member out of the search, as a check", True, key="design_hold_out"
        )
        if not st.form_submit_button("Design", type="primary"):
            return
    try:
        request = request_of(mode, values, predictor, library_sites)
        predictor.intron_members(
            [EXAMPLE_INTRON]
        )  # traces the model here, not in the search's thread (see README)
        st.session_state["design_job"] = start_design(predictor.intron_members, request, hold_out)
    except DesignInputError as err:
        st.error(f"Cannot design: {err}")


def job_table(job: DesignJob):
    """The job's designs so far as a table (oligos when the data directory is there), checked by the peer."""
    predictor = active_predictor_or_stop()
    return designs_table(list(job.designs), template_or_none(), predictor.card, peer_or_none(predictor))


def show_table(job: DesignJob, key: str) -> None:
    """Agreement summary, plot and table of the designs so far."""
    table = job_table(job)
    if table.empty:
        return
    agree = agreement_share(table)
    if agree is not None:
        st.caption(f"The held-out member agrees within ±0.1 on {agree:.0%} of {len(table)} designs.")
    figure = edits_figure(table) if isinstance(job.request, EditRequest) else targets_figure(table)
    st.plotly_chart(figure, key=f"design_plot_{key}")
    st.dataframe(table[SHOWN], hide_index=True, column_config=COLUMNS, key=f"design_table_{key}")
    st.caption(COLUMN_NOTE)


def progress_panel(job: DesignJob) -> None:
    """Progress, time left, cancel and the designs as they arrive, while a job runs; a full rerun when it ends."""
    if not job.active:
        st.rerun()
    st.progress(job.fraction, text=f"Designing… {len(job.designs)} design(s) so far")
    st.caption(f"Elapsed {duration_text(job.elapsed())} · time left ≈ {duration_text(job.remaining())}")
    requested = job.cancel_requested.is_set()
    st.button("Cancel", key="design_cancel", on_click=job.cancel, disabled=requested)
    if requested:
        st.caption("Cancelling after the current batch…")
    show_table(job, "live")


def show_results(job: DesignJob) -> None:
    """The finished (or cancelled) job: outcome, plot, table, downloads and the hand-over to Predict."""
    if job.status == DONE:
        st.success(f"Done: {len(job.designs)} design(s) in {duration_text(job.elapsed())}.")
    elif job.status == CANCELLED:
        st.info(f"Cancelled: the {len(job.designs)} design(s) found before are kept.")
    else:
        st.error(job.error)
    table = job_table(job)
    if table.empty:
        return
    show_table(job, "final")
    csv_col, introns_col, oligos_col = st.columns(3)
    csv_col.download_button("Download table (CSV)", csv_text(table), "designs.csv", "text/csv")
    introns_col.download_button("Download introns (FASTA)", designs_fasta(table), "designs_introns.fa")
    has_oligos = template_or_none() is not None
    oligos_col.download_button(
        "Download oligos (FASTA)",
        designs_fasta(table, "oligo") if has_oligos else "",
        "designs_oligos.fa",
        disabled=not has_oligos,
        help=None if has_oligos else f"The oligo {NO_TEMPLATE}.",
    )
    choice, button = st.columns([3, 1], vertical_alignment="bottom")
    name = choice.selectbox(
        "Design to open in Predict & explain",
        table["design"].tolist(),
        index=len(table) - 1,
        key="design_pick",
    )
    if button.button("Open in Predict", key="design_handover", type="primary"):
        original = job.request.intron if isinstance(job.request, EditRequest) else ""
        open_on_predict(table.loc[table["design"] == name, "sequence"].item(), original)


def main() -> None:
    """The page."""
    keep_compiled_models()  # also when this page is opened by its URL before app.py has run (the search's thread needs it)
    st.title("Design")
    predictor = active_predictor_or_stop()
    if predictor.needs_template:
        st.error(
            f"Design searches intron-context models; the active model reads the {predictor.context!r} context."
        )
        st.stop()
    st.caption(
        "In-silico evolution against the active ensemble: each step scores every one-edit variant (or random mutants) "
        "in one batched call. One member stays out of the search and checks each design, and so does the "
        "gradient-boosting peer. Designs where the model is guessing (unlike anything the library measured), or that "
        "the members or the peer disagree on, carry a warning."
    )
    library_sites = natural_sites_or_none()
    start_from_form(predictor, library_sites)
    job = st.session_state.get("design_job")
    if job is not None and job.active:
        st.fragment(run_every=POLL_SECONDS)(progress_panel)(job)  # polls only while the search runs
    elif job is not None:
        show_results(job)


main()
