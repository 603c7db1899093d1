"""Sequence contexts a model reads, each as an ``(N, L, 4)`` one-hot array.

- ``full``: the 1,615-nt reporter transcript, ``upstream + seq[10:221] + downstream``.
- ``intron``: the intron alone, left-aligned and zero-padded to ``INTRON_LENGTH``.
- ``windows``: three 40-nt windows centred on the 5'SS, branch site and 3'SS starts (120 nt).
- ``oligo``: the 230-nt library oligo.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from splice_core.data.library import OLIGO_LENGTH, SITE_OFFSET, Reporter
from splice_core.seq.encoding import strings_to_one_hot

INTRON_LENGTH = 200
WINDOW = 40
FULL_SLICE = slice(10, 221)
FULL_LENGTH = 1615
INTRON_START = 47  # 0-based start of every designed intron in the oligo
HOMOLOGY = 30
CONTEXTS_NEEDING_TEMPLATE = ("full", "windows", "oligo")


@dataclass(frozen=True)
class Constructs:
    """Oligo sequences with their introns and 0-based site starts in ``oligos`` (arrays of length N)."""

    oligos: list[str]
    introns: list[str]
    ss5: np.ndarray
    branch: np.ndarray
    ss3: np.ndarray


@dataclass(frozen=True)
class OligoTemplate:
    """The library's oligo around an intron: ``prefix + intron + exon[-room:] + homology``.

    ``room`` is what the intron leaves of the 230 nt: longer introns displace the start of the downstream
    exon, its 3' end always meets the homology arm (as in the library).
    """

    prefix: str
    exon: str
    homology: str

    def max_intron_length(self) -> int:
        """Longest intron that fits in a 230-nt oligo with this template."""
        return OLIGO_LENGTH - len(self.prefix) - len(self.homology)


def context_lengths() -> dict[str, int]:
    """Every context a model can read and its length L (``models.recipe_options.CONTEXTS`` names the same, without pandas)."""
    return {"full": FULL_LENGTH, "intron": INTRON_LENGTH, "windows": 3 * WINDOW, "oligo": OLIGO_LENGTH}


def context_length(context: str) -> int:
    """Length L of the ``(N, L, 4)`` arrays a context produces."""
    lengths = context_lengths()
    if context not in lengths:
        raise ValueError(f"unknown context {context!r}; choose one of {', '.join(lengths)}")
    return lengths[context]


def library_to_constructs(frame: pd.DataFrame) -> Constructs:
    """Constructs of library rows; site columns are converted with ``index + SITE_OFFSET``."""
    return Constructs(
        oligos=frame["seq"].tolist(),
        introns=frame["intron_seq"].tolist(),
        ss5=frame["SS5_inds"].to_numpy(int) + SITE_OFFSET,
        branch=frame["branch_inds"].to_numpy(int) + SITE_OFFSET,
        ss3=frame["SS3_inds"].to_numpy(int) + SITE_OFFSET,
    )


def library_to_template(frame: pd.DataFrame) -> OligoTemplate:
    """The most common oligo design of the library, with the longest downstream exon of that design."""
    prefixes = frame["seq"].str[:INTRON_START]
    flank = prefixes.str[HOMOLOGY + 12 :]
    common = flank.mode().iloc[0]
    rows = frame[flank == common]
    ends = INTRON_START + rows["intron_seq"].str.len()
    downstream = [s[e:] for s, e in zip(rows["seq"], ends)]
    longest = max(downstream, key=len)
    return OligoTemplate(
        prefix=prefixes[flank == common].iloc[0], exon=longest[:-HOMOLOGY], homology=longest[-HOMOLOGY:]
    )


def introns_to_constructs(introns: list[str], branch: np.ndarray, template: OligoTemplate) -> Constructs:
    """Constructs that place each intron in the template; ``branch`` is 0-based within each intron."""
    room = [template.max_intron_length() - len(i) for i in introns]
    if min(room, default=0) < 0:
        raise ValueError(
            f"intron longer than {template.max_intron_length()} nt does not fit the library oligo"
        )
    exon = template.exon
    oligos = [
        template.prefix + i + exon[max(len(exon) - r, 0) :] + template.homology for i, r in zip(introns, room)
    ]
    lengths = np.array([len(i) for i in introns])
    return Constructs(
        oligos=oligos,
        introns=list(introns),
        ss5=np.full(len(introns), INTRON_START),
        branch=INTRON_START + np.asarray(branch, int),
        ss3=INTRON_START + lengths - 3,
    )


def full_transcripts(oligos: list[str], reporter: Reporter) -> list[str]:
    """The 1,615-nt reporter transcripts around each oligo."""
    return [reporter.upstream + s[FULL_SLICE] + reporter.downstream for s in oligos]


def site_windows(constructs: Constructs) -> list[str]:
    """The three 40-nt windows (5'SS, branch, 3'SS) of each construct, joined; N outside the oligo."""
    half = WINDOW // 2
    out = []
    for seq, sites in zip(constructs.oligos, zip(constructs.ss5, constructs.branch, constructs.ss3)):
        padded = "N" * WINDOW + seq + "N" * WINDOW
        out.append("".join(padded[WINDOW + c - half : WINDOW + c + half] for c in sites))
    return out


def constructs_to_one_hot(
    constructs: Constructs, context: str, reporter: Reporter | None = None
) -> np.ndarray:
    """The ``(N, L, 4)`` one-hot array of a context for every construct."""
    length = context_length(context)
    if context == "intron":
        return strings_to_one_hot(constructs.introns, length)
    if context == "windows":
        return strings_to_one_hot(site_windows(constructs), length)
    if context == "oligo":
        return strings_to_one_hot(constructs.oligos, length)
    if reporter is None:
        raise ValueError("the 'full' context needs the reporter sequence (reporter.fa in the data directory)")
    return strings_to_one_hot(full_transcripts(constructs.oligos, reporter), length)


def library_to_one_hot(frame: pd.DataFrame, context: str, reporter: Reporter | None = None) -> np.ndarray:
    """The ``(N, L, 4)`` one-hot array of a context for library rows."""
    return constructs_to_one_hot(library_to_constructs(frame), context, reporter)
