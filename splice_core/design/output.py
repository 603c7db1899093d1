"""Designs as a table, FASTA and ready-to-order oligos (the library's design flanks around each intron).

``predicted`` ± ``spread`` are the whole ensemble's mean and SD, as ``predict`` and the Predict page give them;
``search_mean`` is the mean of the members the search steered, ``held_out`` the member kept out of it, and ``peer``
the gradient-boosting peer's prediction (a model of another family, as a check).
"""

import numpy as np
import pandas as pd

from splice_core.data.contexts import OligoTemplate, introns_to_constructs
from splice_core.design.checks import design_warnings, peer_agrees
from splice_core.design.constraints import gc_share, longest_run
from splice_core.design.search import Design
from splice_core.models.lightgbm_peer import GradientBoostingPeer
from splice_core.predict.tables import header_note
from splice_core.predict.trust import trust_table

ROUNDED = {
    "target": 4,
    "predicted": 4,
    "spread": 4,
    "search_mean": 4,
    "held_out": 4,
    "peer": 4,
    "gc": 3,
    "library_distance": 4,
}
NO_TEMPLATE = "needs the data directory (the library's oligo design)"
COLUMN_NOTE = (
    "predicted ± spread: the mean and SD of every ensemble member, as Predict reports them; search_mean: the mean of "
    "the members the search steered; held_out: the member kept out of the search, and peer: the gradient-boosting "
    "peer, as checks (agreeing within 0.1 of the aim)."
)
COLUMNS = [
    "design",
    "n_edits",
    "edits",
    "target",
    "predicted",
    "spread",
    "search_mean",
    "held_out",
    "held_out_agrees",
    "peer",
    "peer_agrees",
    "length",
    "gc",
    "longest_run",
    "library_distance",
    "warning",
    "sequence",
    "oligo",
]


def oligo_of(intron: str, template: OligoTemplate | None) -> str:
    """The 230-nt oligo the library would order for an intron, or why there is none."""
    if template is None:
        return NO_TEMPLATE
    if len(intron) > template.max_intron_length():
        return f"does not fit the oligo (at most {template.max_intron_length()} nt)"
    return introns_to_constructs([intron], np.zeros(1, int), template).oligos[0]


def design_row(
    name: str,
    design: Design,
    template: OligoTemplate | None,
    distance: float | None,
    guessing: str,
    peer: float | None,
) -> dict:
    """One table row of a design."""
    return {
        "design": name,
        "n_edits": len(design.edits) if design.kind == "edit" else None,
        "edits": " ".join(design.edits),
        "target": design.goal.target,
        "predicted": design.predicted,
        "spread": design.spread,
        "search_mean": design.search_mean,
        "held_out": design.held_out,
        "held_out_agrees": design.held_out_agrees,
        "peer": peer,
        "peer_agrees": peer_agrees(design, peer),
        "length": len(design.sequence),
        "gc": gc_share(design.sequence),
        "longest_run": longest_run(design.sequence),
        "library_distance": distance,
        "warning": "; ".join(design_warnings(design, guessing, peer)),
        "sequence": design.sequence,
        "oligo": oligo_of(design.sequence, template),
    }


def designs_table(
    designs: list[Design],
    template: OligoTemplate | None = None,
    card: dict | None = None,
    peer: GradientBoostingPeer | None = None,
) -> pd.DataFrame:
    """One row per design (``COLUMNS``); ``library_distance`` and the guessing warning from the model ``card``, the
    ``peer``'s prediction where one is given."""
    sequences = [d.sequence for d in designs]
    trust = trust_table(
        card or {}, sequences, np.array([d.predicted for d in designs]), np.array([d.spread for d in designs])
    )
    distances = [None if np.isnan(v) else float(v) for v in trust["library_distance"]]
    peers = peer.predict_introns(sequences) if peer is not None and designs else [None] * len(designs)
    rows = [
        design_row(design_name(i, d), d, template, dist, why, None if p is None else float(p))
        for i, (d, dist, why, p) in enumerate(zip(designs, distances, trust["guessing"], peers))
    ]
    return pd.DataFrame(rows, columns=COLUMNS).round(ROUNDED)


def design_name(index: int, design: Design) -> str:
    """``edits-2`` for an edited intron with two edits, ``design-03`` for the third from-scratch design."""
    return f"edits-{len(design.edits)}" if design.kind == "edit" else f"design-{index + 1:02d}"


def agreement_share(table: pd.DataFrame) -> float | None:
    """Share of designs whose held-out member agrees within 0.1 (None without a held-out member)."""
    known = table["held_out_agrees"].dropna()
    return float(known.astype(bool).mean()) if len(known) else None


def designs_fasta(table: pd.DataFrame, column: str = "sequence") -> str:
    """FASTA of a table's introns (``sequence``) or oligos (``oligo``), the prediction and any warning in each header."""
    records = []
    for row in table.itertuples():
        edits = f" edits={row.edits.replace(' ', ',')}" if row.edits else ""
        records.append(
            f">{row.design}{edits} predicted={row.predicted:.3f} spread={row.spread:.3f}"
            f"{header_note('warning', row.warning)}\n{getattr(row, column)}"
        )
    return "\n".join(records) + "\n"
