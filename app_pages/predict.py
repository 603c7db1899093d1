"""Predict & explain: one intron's splicing efficiency, its in-silico mutagenesis and saliency logo."""

import functools

import numpy as np
import pandas as pd
import streamlit as st

from app_state import (
    active_predictor_or_stop,
    branch_pwm,
    library_entropy_or_none,
    template_inputs_or_stop,
)
from splice_core.analysis.double_mutants import pair_count, pair_effects
from splice_core.analysis.mutagenesis import effects_to_table, mutagenesis_effects, strongest_effects
from splice_core.analysis.saliency import attribution_scope, intron_saliency_kept
from splice_core.analysis.variant_effects import change_with_spread
from splice_core.data.contexts import OligoTemplate
from splice_core.data.library import Reporter
from splice_core.data.sites import find_branch_start, site_spans, sites_html
from splice_core.plot.clickable_heatmap import NEGATIVE_COLOR, POSITIVE_COLOR
from splice_core.plot.epistasis_map import MAX_MAP_LENGTH, epistasis_heatmap, point_to_pair
from splice_core.plot.logo import figure_png, saliency_logo
from splice_core.plot.mutagenesis_map import mutagenesis_heatmap, point_to_mutation
from splice_core.predict.predictor import Predictor, mean_and_spread, prediction_text, spread_help
from splice_core.predict.spread import spread_warning
from splice_core.predict.trust import guessing_reasons, interval_text
from splice_core.seq.intron_text import EXAMPLE_INTRON, IntronCheck, check_intron, clean_intron_text
from splice_core.seq.mutations import checked_mutated_at, mutation_label
from splice_core.seq.views import READING_NOTE, IntronView, central_view

MUTANTS = {"A": "A", "C": "C", "G": "G", "T": "T", "deletion": "-"}
ALIGNMENTS = {"5' end": "left", "3' end": "right"}
TEXT_BOXES = {"intron_text": EXAMPLE_INTRON, "wildtype_text": ""}
EFFICIENCY_NOTE = (
    "Splicing efficiency: the share of the reporter's reads spliced at the intron's own sites, in the reporter of the "
    "designed-intron library (Schirman et al. 2021). For a native intron it is a prediction for that intron in this "
    "reporter, not in its own gene."
)
CACHE_SECONDS = 3600  # per-intron results (shared by sessions) are dropped after an hour, at most 64 kept


@st.cache_data(show_spinner="In-silico mutagenesis…", max_entries=64, ttl=CACHE_SECONDS)
def cached_mutagenesis(
    model_path: str,
    intron: str,
    branch: int | None,
    template: OligoTemplate | None,
    reporter: Reporter | None,
    _predictor: Predictor,
):
    """(reference, substitution deltas, deletion deltas) of an intron, one batched model call."""
    predict = functools.partial(_predictor.predict_introns, template=template, reporter=reporter)
    return mutagenesis_effects(predict, intron, branch)


@st.cache_data(show_spinner="SmoothGrad…", max_entries=64, ttl=CACHE_SECONDS)
def cached_saliency(
    model_path: str, intron: str, n_samples: int, noise: float, _predictor: Predictor
) -> tuple[np.ndarray, int]:
    """(SmoothGrad x input ``(L, 4)`` of an intron, SmoothGrad samples kept)."""
    return intron_saliency_kept(_predictor, intron, n_samples, noise, seed=0)


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_SECONDS)
def cached_logo_png(
    attribution: np.ndarray, spans: dict, entropy: np.ndarray | None, positions: np.ndarray
) -> bytes:
    """The saliency logo as PNG bytes (``positions``: the 1-based intron position of each column)."""
    return figure_png(saliency_logo(attribution, spans, entropy, positions))


def init_state() -> None:
    """Text boxes (restored after a visit to another page), undo stack and messages."""
    for key, default in TEXT_BOXES.items():
        if key not in st.session_state:
            st.session_state[key] = st.session_state.get(f"kept_{key}", default)
    st.session_state.setdefault("undo_stack", [])
    st.session_state.setdefault("mutation_note", None)


def apply_to_current(position: int, mutant: str, *more: tuple[int, str]) -> None:
    """Apply a mutation at a 1-based position (and ``more``) to the intron box (the old text goes on the undo stack; it
    becomes the wild-type if none)."""
    current = clean_intron_text(st.session_state["intron_text"])
    changes = sorted((p - 1, m) for p, m in [(position, mutant), *more])  # 0-based, as the core counts
    try:
        mutated = checked_mutated_at(current, changes)
    except ValueError as err:
        st.session_state["mutation_note"] = ("error", str(err))
        return
    st.session_state["undo_stack"].append(
        (st.session_state["intron_text"], st.session_state["wildtype_text"])
    )
    if not st.session_state["wildtype_text"].strip():
        st.session_state["wildtype_text"] = current
    st.session_state["intron_text"] = mutated
    st.session_state["mutation_note"] = (
        "success",
        f"Applied {'+'.join(mutation_label(current, *change) for change in changes)}.",
    )


def keep_text_boxes() -> None:
    """Remember the boxes outside widget state, which Streamlit drops while another page is shown."""
    for key in TEXT_BOXES:
        st.session_state[f"kept_{key}"] = st.session_state[key]


def on_heatmap_select() -> None:
    """A click on a heatmap cell applies that mutation (cells carry intron positions, also when the map shows a view)."""
    points = st.session_state["heatmap"]["selection"]["points"]
    mutation = point_to_mutation(points[0]) if points else None
    if mutation is not None:
        apply_to_current(*mutation)


def on_apply_click() -> None:
    """The 'Apply mutation' button applies the chosen position and base."""
    apply_to_current(int(st.session_state["mutation_position"]), MUTANTS[st.session_state["mutation_base"]])


def on_undo_click() -> None:
    """Restore both text boxes from before the last applied mutation."""
    st.session_state["intron_text"], st.session_state["wildtype_text"] = st.session_state["undo_stack"].pop()
    st.session_state["mutation_note"] = ("info", "Undid the last mutation.")


def show_check(check: IntronCheck, what: str) -> bool:
    """One error or warning message for a checked box; True when it can be predicted."""
    if check.errors:
        st.error(f"{what}: " + " ".join(check.errors))
    elif check.warnings:
        st.warning(f"{what}: " + " ".join(check.warnings))
    return check.ok


def branch_input(intron: str) -> int:
    """The 0-based branch-site start: the best PWM match, movable by the user (reset for every new sequence)."""
    if st.session_state.get("branch_for") != intron or "branch_start" not in st.session_state:
        st.session_state["branch_for"] = intron
        st.session_state["branch_start"] = find_branch_start(intron, branch_pwm()) + 1
    start = st.number_input(
        "Branch site start (nt)",
        min_value=1,
        max_value=max(1, len(intron) - 7),
        key="branch_start",
        help="Placed at the best match to the wild-type branch-site PWM; move it if you know better.",
    )
    return int(start) - 1


def show_prediction(values: dict[str, tuple[float, float]], n_members: int) -> None:
    """Metrics of the intron (and the wild-type with the change and its own spread, when given)."""
    spread = spread_help(n_members)
    mean, sd = values["intron"]
    for what, key in (("this intron", "intron"), ("the wild-type", "wildtype")):
        if key in values and (warning := spread_warning(values[key][1], n_members, what)):
            st.warning(warning)
    if "wildtype" not in values:
        st.metric("Predicted splicing efficiency", prediction_text(mean, sd, n_members), help=spread)
        return
    wt_mean, wt_sd = values["wildtype"]
    left, middle, right = st.columns(3)
    left.metric("Wild-type", prediction_text(wt_mean, wt_sd, n_members), help=spread)
    middle.metric(
        "Predicted splicing efficiency",
        prediction_text(mean, sd, n_members),
        delta=f"{mean - wt_mean:+.3f}",
        help=spread,
    )
    change, change_sd = values["change"]
    change_help = (
        f"± is the spread (SD) over the {n_members} members of each member's own change (mutant − wild-type): "
        "members that disagree on both values can still agree on the change"
        if n_members > 1
        else spread
    )
    right.metric(
        "Change (mutant − wild-type)",
        prediction_text(change, change_sd, n_members, signed=True),
        help=change_help,
    )


def show_trust(card: dict, values: dict[str, tuple[float, float]], introns: list[str]) -> None:
    """The calibrated intervals under the metrics, and why the model is guessing about an intron (if it is)."""
    names = {"intron": "this intron", "wildtype": "the wild type", "change": "the change"}
    texts = [
        f"{names[key]}: {text}"
        for key in names
        if key in values and (text := interval_text(card, *values[key], change=key == "change"))
    ]
    if texts:
        st.caption(
            "Calibrated intervals (the share of held-out measurements they held is on the Model page) — "
            + "; ".join(texts)
        )
    # an intron read through views is named by the input check already
    for name, reason in zip(("This intron", "The wild type"), guessing_reasons(card, introns, long=False)):
        if reason:
            st.warning(f"{name}: the model is guessing here: {reason}.", icon=":material/help:")


def explained_view(
    predictor: Predictor, intron: str, branch: int, template: OligoTemplate | None
) -> tuple[IntronView, int]:
    """(the sequence the explanations are drawn on, the branch start the model uses in it, 0-based in the view).

    The intron, or its central view when it is long; a branch site the view leaves out is placed, as the model
    places it, at the view's best PWM match.
    """
    view = central_view(predictor.intron_view_sets([intron], [branch], template)[0])
    start = view.position_of(branch)
    return view, find_branch_start(view.sequence, branch_pwm()) if start is None else start


def show_view_note(intron: str, view: IntronView, spans: dict, view_spans: dict) -> None:
    """Say plainly what the explanations show when the intron is read through views (and a branch site it leaves out).

    ``spans``: the sites in intron positions; ``view_spans``: those the view holds, in view positions.
    """
    if view.sequence == intron:
        return
    st.info(
        f"Your intron is {len(intron)} nt. The mutagenesis map and the saliency logo below explain its central view, "
        f"the {len(view.sequence)} nt the model reads from intron positions {view.describe()} (dashed lines mark the "
        "joins; a cell's change is the change of that one view). Positions, labels, the CSV and clicks are intron "
        "positions."
    )
    if "branch" not in view_spans:
        start, end = spans["branch"]
        st.info(
            f"The branch site you set (intron positions {start + 1}–{end}) lies outside this view, so the map and the "
            "logo mark no branch site."
        )


def show_mutagenesis(
    predictor: Predictor,
    view: IntronView,
    branch: int,
    spans: dict,
    template: OligoTemplate | None,
    reporter: Reporter | None,
) -> None:
    """Heatmap of every substitution and deletion of the explained view, strongest effects, mutation controls and CSV.

    ``branch`` and ``spans`` are in view positions; labels, axis, CSV and clicks give intron positions.
    """
    st.subheader("In-silico mutagenesis")
    st.caption(
        "Predicted change for every single-base substitution and deletion (● = the base in your intron). Click a cell to apply it."
    )
    model_branch = branch if predictor.needs_template else None
    _, subs, dels = cached_mutagenesis(
        predictor.path, view.sequence, model_branch, template, reporter, predictor
    )
    positions = view.positions() + 1
    st.plotly_chart(
        mutagenesis_heatmap(view.sequence, subs, dels, spans, positions),
        key="heatmap",
        on_select=on_heatmap_select,
        selection_mode="points",
        config={"displayModeBar": False},
    )
    length = len(clean_intron_text(st.session_state["intron_text"]))
    if not 1 <= st.session_state.get("mutation_position", 0) <= length:
        st.session_state["mutation_position"] = 1
    position, base, apply_col, undo_col = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
    position.number_input(
        "Position in the intron (nt)", min_value=1, max_value=length, key="mutation_position"
    )
    base.selectbox("Mutant base", list(MUTANTS), key="mutation_base")
    apply_col.button("Apply mutation", on_click=on_apply_click)
    undo_col.button("Undo", on_click=on_undo_click, disabled=not st.session_state["undo_stack"])
    note, st.session_state["mutation_note"] = st.session_state["mutation_note"], None
    if note:
        getattr(st, note[0])(note[1])
    table = effects_to_table(view.sequence, subs, dels, positions)
    losses, gains = strongest_effects(table)
    shown = {"delta": st.column_config.NumberColumn("Δ efficiency", format="%+.3f")}
    left, right = st.columns(2)
    left.markdown("**Strongest losses**")
    left.dataframe(losses[["mutation", "delta"]], hide_index=True, column_config=shown)
    right.markdown("**Strongest gains**")
    right.dataframe(gains[["mutation", "delta"]], hide_index=True, column_config=shown)
    st.download_button(
        "Download all effects (CSV)", table.to_csv(index=False), file_name="mutagenesis.csv", mime="text/csv"
    )


def show_saliency(predictor: Predictor, view: IntronView, spans: dict) -> None:
    """SmoothGrad gradient x input logo of the explained view with its controls, and the library's per-position entropy."""
    st.subheader("Saliency logo")
    if predictor.context != "intron":
        st.info(
            f"The saliency logo is drawn for intron-context models; the active model reads the {predictor.context!r} context."
        )
        return
    samples, noise, align = st.columns(3)
    n_samples = samples.slider("SmoothGrad samples", 1, 200, 50, step=1, key="sg_samples")
    noise_level = noise.slider(
        "Noise (fraction of the input range)", 0.0, 0.5, 0.1, step=0.05, key="sg_noise"
    )
    alignment = align.radio(
        "Align library introns at", list(ALIGNMENTS), horizontal=True, key="entropy_align"
    )
    attribution, kept = cached_saliency(predictor.path, view.sequence, n_samples, noise_level, predictor)
    if kept == 0:
        st.warning(
            f"No logo: every one of the {n_samples} noisy copies gave the model non-finite gradients. "
            "Try less noise."
        )
        return
    if kept < n_samples:
        st.info(
            f"{n_samples - kept} of the {n_samples} noisy copies gave the model non-finite gradients and were "
            f"left out: the logo averages the other {kept}."
        )
    entropy = library_entropy_or_none(len(view.sequence), ALIGNMENTS[alignment])
    st.image(cached_logo_png(attribution, spans, entropy, view.positions() + 1), width="stretch")
    st.caption(
        attribution_scope(predictor)
        + " (letters up: the base raises it)"
        + (
            "; below: per-position entropy of the training library's introns."
            if entropy is not None
            else "; no library in the data directory, so no entropy track."
        )
    )


# --- Double mutants: the epistasis map ---
def compute_pairs(
    predictor: Predictor,
    intron: str,
    branch: int | None,
    template: OligoTemplate | None,
    reporter: Reporter | None,
) -> pd.DataFrame:
    """Every double mutant of the intron, predicted here with a progress bar."""
    bar = st.progress(0.0, text="Double mutants…")
    predict = functools.partial(predictor.predict_introns, template=template, reporter=reporter)
    table = pair_effects(
        predict,
        intron,
        branch,
        on_progress=lambda done, total: bar.progress(
            done / total, text=f"Double mutants: {done:,} of {total:,}"
        ),
    )
    bar.empty()
    return table


def show_pair(table: pd.DataFrame, row: int) -> None:
    """One double mutant's effects and a button that applies it to the intron box."""
    pair = table.iloc[row]
    st.markdown(
        f"**{pair['mutation']}**: pair Δ {pair['effect']:+.3f} = {pair['effect_1']:+.3f} + {pair['effect_2']:+.3f} "
        f"(the two single effects) {pair['epistasis']:+.3f} (epistasis)"
    )
    changes = ((int(pair["position_1"]), pair["mutant_1"]), (int(pair["position_2"]), pair["mutant_2"]))
    st.button(
        "Apply this double mutant",
        key="epistasis_apply",
        on_click=apply_to_current,
        args=(*changes[0], changes[1]),
    )


def show_epistasis(
    predictor: Predictor,
    intron: str,
    branch: int,
    spans: dict,
    template: OligoTemplate | None,
    reporter: Reporter | None,
) -> None:
    """The epistasis map of every double mutant (introns up to MAX_MAP_LENGTH nt), computed on request; a click shows the pair."""
    st.subheader("Double mutants: epistasis map")
    if len(intron) > MAX_MAP_LENGTH:
        st.info(
            f"The epistasis map is drawn for introns up to {MAX_MAP_LENGTH} nt (this one has {len(intron)}); "
            "`python -m splice_core scan INTRON --pairs` scans any length."
        )
        return
    key = (predictor.path, intron, branch if predictor.needs_template else None)
    held = st.session_state.get("epistasis")
    if held is None or held[0] != key:
        st.caption(
            f"Every pair of changes (substitutions and deletions) at two positions: {pair_count(len(intron)):,} double mutants, "
            "predicted on this machine (about a minute for 150 nt)."
        )
        if not st.button("Compute the epistasis map", key="epistasis_start"):
            return
        table = compute_pairs(predictor, intron, key[2], template, reporter)
        st.session_state["epistasis"] = held = (key, table, table.to_csv(index=False))
    _, table, csv = held
    st.caption(
        "Each cell holds the pair of changes at those two positions with the largest |epistasis| (the pair's effect minus "
        f"the sum of its two single effects; {POSITIVE_COLOR}: better together than apart, {NEGATIVE_COLOR}: worse). "
        "Click a cell for its pair."
    )
    event = st.plotly_chart(
        epistasis_heatmap(table, len(intron), spans),
        key="epistasis_map",
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
    )
    rows = [point_to_pair(point) for point in event.selection.points] if event else []
    if rows and rows[0] is not None:
        show_pair(table, rows[0])
    st.download_button(
        "Download every double mutant (CSV)", csv, file_name="double_mutants.csv", mime="text/csv"
    )


def main() -> None:
    """The page."""
    st.title("Predict & explain")
    st.caption(READING_NOTE)
    init_state()
    predictor = active_predictor_or_stop()
    design = template_inputs_or_stop(predictor)
    template, reporter = design["template"], design["reporter"]

    left, right = st.columns(2)
    left.text_area(
        "Intron (5' splice site first, 3' splice site last; DNA or RNA, FASTA allowed)",
        key="intron_text",
        height=140,
    )
    right.text_area("Wild-type to compare against (optional)", key="wildtype_text", height=140)
    keep_text_boxes()
    check = check_intron(st.session_state["intron_text"])
    wildtype = (
        check_intron(st.session_state["wildtype_text"]) if st.session_state["wildtype_text"].strip() else None
    )
    intron_ok = show_check(check, "Intron")
    wildtype_ok = wildtype is None or show_check(wildtype, "Wild-type")
    if not intron_ok:
        st.stop()
    intron = check.sequence

    sites, branch_col = st.columns([5, 1])
    with branch_col:
        branch = branch_input(intron)
    spans = site_spans(len(intron), branch)
    sites.html(sites_html(intron, spans))

    introns, branches = [intron], [branch]
    if wildtype is not None and wildtype_ok:
        introns.append(wildtype.sequence)
        branches.append(find_branch_start(wildtype.sequence, branch_pwm()))
    members = predictor.intron_members(introns, branches, template=template, reporter=reporter)
    means, sds = mean_and_spread(members)
    values = dict(zip(("intron", "wildtype"), zip(means.tolist(), sds.tolist())))
    if len(members) == 2:
        values["change"] = change_with_spread(members[0], members[1])
    show_prediction(values, members.shape[1])
    show_trust(predictor.card, values, introns)
    st.caption(EFFICIENCY_NOTE)

    view, view_branch = explained_view(predictor, intron, branch, template)
    view_spans = view.spans_in_view(spans)
    show_view_note(intron, view, spans, view_spans)
    show_mutagenesis(predictor, view, view_branch, view_spans, template, reporter)
    show_saliency(predictor, view, view_spans)
    show_epistasis(predictor, intron, branch, spans, template, reporter)


main()
