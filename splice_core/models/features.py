"""Hand-made features of bare introns for the gradient-boosting peer: k-mers, sites, lengths, folding."""

import numpy as np
import pandas as pd
import RNA

from splice_core.data.pwm import intron_site_scores
from splice_core.seq.kmers import kmer_count_matrix, kmer_names

KMER_SIZES = (1, 2, 3, 4)
FOLD_WINDOW = 30


def kmer_counts(introns: list[str], k: int) -> pd.DataFrame:
    """Counts of every k-mer (columns ``k_<kmer>``, float32) in each intron."""
    columns = [f"k_{m}" for m in kmer_names(k)]
    return pd.DataFrame(kmer_count_matrix(introns, k).astype(np.float32), columns=columns)


def folding_energy(seq: str) -> float:
    """Minimum free energy (kcal/mol) of an RNA sequence by ViennaRNA's RNAfold (0 for empty)."""
    return float(RNA.fold(seq.replace("T", "U"))[1]) if seq else 0.0


def site_features(introns: list[str], pwms: dict[str, np.ndarray]) -> pd.DataFrame:
    """PWM scores of the 5'SS, best branch site and 3'SS, lengths, GC and U content near the 3'SS."""
    scores, branch = intron_site_scores(introns, pwms)
    return pd.DataFrame(
        {
            "ss5_score": scores["ss5"],
            "ss3_score": scores["ss3"],
            "branch_score": scores["branch"],
            "branch_pos": branch.astype(float),
            "branch_to_3": scores["intron_length"] - branch,
            "length": scores["intron_length"],
            "gc": [(i.count("G") + i.count("C")) / max(len(i), 1) for i in introns],
            "u_near_3": [i[-23:-3].count("T") / 20 for i in introns],
        }
    )


def folding_features(introns: list[str], branch: np.ndarray) -> pd.DataFrame:
    """RNAfold energies of the whole intron and of 30-nt windows on the 5'SS, branch site and 3'SS."""
    half = FOLD_WINDOW // 2
    rows = []
    for seq, b in zip(introns, branch):
        rows.append(
            (
                folding_energy(seq),
                folding_energy(seq[:FOLD_WINDOW]),
                folding_energy(seq[max(0, b - half) : b + half]),
                folding_energy(seq[-FOLD_WINDOW:]),
            )
        )
    return pd.DataFrame(rows, columns=["dG_intron", "dG_ss5", "dG_branch", "dG_ss3"])


def intron_features(introns: list[str], pwms: dict[str, np.ndarray], fold: bool = True) -> pd.DataFrame:
    """All peer features of bare introns (nothing measured is used)."""
    sites = site_features(introns, pwms)
    parts = [sites, *(kmer_counts(introns, k) for k in KMER_SIZES)]
    if fold:
        parts.append(folding_features(introns, sites["branch_pos"].to_numpy(int)))
    return pd.concat(parts, axis=1)
