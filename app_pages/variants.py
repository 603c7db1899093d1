"""Variants: a VCF (uploaded or pasted) scored on the annotated introns; per gene a table, a lollipop plot, Predict."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_state import (
    active_predictor_or_stop,
    branch_pwm,
    chosen_to_open,
    open_on_predict,
    selected_row,
    template_inputs_or_stop,
)
from splice_core.data.library import WILDTYPE_FILE, DataFileError, data_dir
from splice_core.plot.variant_plot import lollipop_figure, sites_legend
from splice_core.variants.annotation import annotated_introns, sgd_link
from splice_core.variants.vcf import EntryScorer, pasted_vcf, score_vcf

EXAMPLE = "#CHROM POS ID REF ALT\nchrVI 54686 . C T"
ALL_GENES = "all genes"
SHOWN = {
    "gene": "gene",
    "sgd": "SGD",
    "chrom": "chrom",
    "pos": "pos",
    "ref": "REF",
    "alt": "ALT",
    "kind": "kind",
    "intron_change": "in the intron",
    "site": "site hit",
    "wt_eff": "wild type",
    "variant_eff": "variant",
    "change": "change",
    "change_sd": "± change",
    "error": "not scored",
}


@st.cache_data(show_spinner=False, max_entries=2)
def cached_introns(directory: str, mtime: float) -> pd.DataFrame:
    """The annotated introns of the data directory's R64 table (read again when the file changes)."""
    return annotated_introns(directory)


def introns_or_stop() -> pd.DataFrame:
    """The annotated introns; without them, one message saying what to add, and the page stops."""
    try:
        table = data_dir() / WILDTYPE_FILE
        return cached_introns(str(data_dir()), table.stat().st_mtime if table.is_file() else 0.0)
    except DataFileError as err:
        st.warning(
            f"{str(err)[0].upper()}{str(err)[1:]}. On this page: add the data directory (set SPLICE_DATA_DIR); "
            "the command line also takes a GFF3 with its genome."
        )
        st.stop()


def vcf_input() -> tuple[str, bytes] | None:
    """(name, bytes) of the uploaded VCF, else of the pasted records; None when neither."""
    upload = st.file_uploader("VCF (.vcf or bgzipped .vcf.gz)", type=["vcf", "gz", "bgz"], key="vcf_file")
    st.text_area(
        "…or paste a few records (a header line is optional)", key="vcf_text", height=120, placeholder=EXAMPLE
    )
    if upload is not None:
        return upload.name, upload.getvalue()
    text = st.session_state.get("vcf_text", "")
    return ("pasted.vcf", pasted_vcf(text).encode()) if text.strip() else None


def scored_table(name: str, raw: bytes, introns: pd.DataFrame) -> tuple[pd.DataFrame, bytes, str]:
    """(the table of every ALT x intron, the annotated VCF, the summary line) of one input, with progress."""
    predictor = active_predictor_or_stop()
    design = template_inputs_or_stop(predictor)
    scorer = EntryScorer(predictor, branch_pwm(), design)
    suffix = ".vcf.gz" if name.endswith((".gz", ".bgz")) else ".vcf"
    with tempfile.TemporaryDirectory() as folder:
        source, output, table = (
            Path(folder) / f"in{suffix}",
            Path(folder) / "scored.vcf",
            Path(folder) / "t.csv",
        )
        source.write_bytes(raw)
        progress = st.empty()
        progress.caption("Reading the VCF…")
        summary = score_vcf(
            scorer,
            introns,
            source,
            output,
            table=table,
            on_progress=lambda s: progress.caption(
                f"Scoring: {s.records:,} records read, {s.overlapping:,} in introns, {s.scored:,} ALT x intron scored…"
            ),
        )
        progress.empty()
        frame = pd.read_csv(table, keep_default_na=False, na_values=[""], dtype={"error": str})
        frame["error"] = frame["error"].fillna("")
        note = (
            f"{summary.records:,} records, {summary.overlapping:,} in annotated introns: {summary.scored:,} ALT x intron "
            f"scored, {summary.failed:,} not."
        )
        return frame, output.read_bytes(), note


def show_table(shown: pd.DataFrame) -> None:
    """The variants, most damaging first (click a header to sort); a selected row, or the chooser, opens it on Predict."""
    view = shown.assign(sgd=shown["locus"].map(sgd_link))[list(SHOWN)].rename(columns=SHOWN)
    number = {c: st.column_config.NumberColumn(format="%.3f") for c in ("wild type", "variant", "± change")}
    number["change"] = st.column_config.NumberColumn(format="%+.3f")
    number["SGD"] = st.column_config.LinkColumn(display_text=r"https://www\.yeastgenome\.org/locus/(.*)")
    row = selected_row(view, number, "variant_table")
    if row is not None and shown["error"].iloc[row] == "":
        open_on_predict(shown["variant_intron"].iloc[row], shown["wildtype_intron"].iloc[row])
    scored = shown[shown["error"] == ""]
    labels = [
        f"{g} {c} ({v:+.3f})" for g, c, v in zip(scored["gene"], scored["intron_change"], scored["change"])
    ]
    choice = chosen_to_open(
        labels, "Or choose a variant", "Open beside its wild type on Predict", "variant_choice"
    )
    if choice is not None:
        open_on_predict(scored["variant_intron"].iloc[choice], scored["wildtype_intron"].iloc[choice])


def show_lollipop(table: pd.DataFrame, introns: pd.DataFrame) -> None:
    """The changes along one intron (chosen among those with scored variants)."""
    scored = table[table["error"] == ""]
    if scored.empty:
        return
    names = list(dict.fromkeys(f"{g} ({i})" for g, i in zip(scored["gene"], scored["intron"])))
    name = st.selectbox("Intron", names, key="variant_intron_choice")
    part = scored[[f"{g} ({i})" == name for g, i in zip(scored["gene"], scored["intron"])]]
    wild = introns[introns["sequence"] == part["wildtype_intron"].iloc[0]].iloc[0]
    st.plotly_chart(
        lollipop_figure(part, len(wild["sequence"]), int(wild["branch"]), name), key="variant_lollipop"
    )
    st.caption(
        f"Marker colours: {sites_legend()}. Shaded: the intron's 5'SS, annotated branch site and 3'SS."
    )


def main() -> None:
    """The page."""
    st.title("Variants")
    st.caption(
        "Each record of a VCF that overlaps an annotated intron is applied to it (reverse-complemented on the minus strand, "
        "REF checked against the intron's bases) and scored as on the Predict page: wild type, variant and change, "
        "± the ensemble members' spread of their own changes."
    )
    introns = introns_or_stop()
    given = vcf_input()
    if st.button("Score the variants", type="primary"):
        if given is None:
            st.info("Upload a VCF or paste a few records first.")
            return
        try:
            st.session_state["variant_result"] = (given[0], *scored_table(*given, introns))
        except (OSError, ValueError) as err:
            st.session_state.pop("variant_result", None)
            st.error(f"{given[0]}: {err}")
    held = st.session_state.get("variant_result")
    if held is None:
        return
    name, table, annotated, note = held
    st.success(note)
    left, right = st.columns(2)
    left.download_button("Annotated VCF", annotated, file_name="scored.vcf", mime="text/plain")
    right.download_button(
        "Table (CSV)", table.to_csv(index=False), file_name="scored_variants.csv", mime="text/csv"
    )
    if table.empty:
        st.info(f"No record of {name} overlaps an annotated intron.")
        return
    genes = [ALL_GENES, *sorted(set(table["gene"]))]
    gene = st.selectbox("Gene", genes, key="variant_gene")
    shown = table if gene == ALL_GENES else table[table["gene"] == gene]
    show_table(shown.sort_values("change", na_position="last", kind="stable"))
    show_lollipop(shown, introns)


main()
