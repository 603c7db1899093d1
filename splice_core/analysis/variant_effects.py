"""Variant effects: mutant/wild-type pairs that the library names, the predicted against the measured change, and
knock-outs of natural introns' splice sites against what the library's own broken-site constructs measure.

Analyses take ``predict(introns)``, a function from intron strings to ``(N,)`` predictions or ``(N, K)`` member
predictions (averaged here), such as ``Predictor.intron_members``.
"""

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from splice_core.data.noise_floor import interval_95
from splice_core.seq.encoding import ALPHABET
from splice_core.seq.mutations import GAP, mutated

PredictIntrons = Callable[[list[str]], np.ndarray]
# lookup(site, base, context) -> (measured, backed), or None
ReferenceLookup = Callable[[str, str, str], tuple[float, bool] | None]
# (pair kind, the mutant's library type, its wild type's library type, the columns that must agree)
PAIRINGS = (
    ("endogenous, mutated sites", "endogenous - mutated sites", "endogenous", ("source_gene_cerevisiae",)),
    ("endogenous, all sites broken", "endogenous ss control", "endogenous", ("source_gene_cerevisiae",)),
    (
        "orthologous, all sites broken",
        "orthologous ss control",
        "orthologous",
        ("source_gene_cerevisiae", "orth_organism"),
    ),
)
HEADLINE_KIND = PAIRINGS[0][0]
SIGN_THRESHOLD = 0.05  # sign agreement counts pairs whose measured change exceeds this
BOOTSTRAP_DRAWS = 1000
CHANGE_METRICS = ("pearson", "spearman", "sign_agreement")
# (site, position counted from the 5' end, or from the 3' end when negative, the natural base)
KNOCKOUT_SITES = (("5' G", 0, "G"), ("5' T", 1, "T"), ("3' A", -2, "A"), ("3' G", -1, "G"))
NATURAL_TYPES = ("endogenous", "orthologous")  # the library's wild-type natural introns
NON_SPLICING = (
    0.05  # a substitution counts as a knock-out when the library's constructs with it average at most this
)
MIN_CONSTRUCTS = 15  # ... over at least this many constructs
# The 3' site is read as a trinucleotide (YAG): a 3' knock-out's reference is the library's constructs ending with the
# variant's last this many bases, where there are at least MIN_CONSTRUCTS of them (else those with the base alone).
THREE_CONTEXT = 3
# The branch site: the yeast consensus heptamer, the branch A's index in it, and the knock-out site it gives (no fixed
# position: each intron's own branch A); a designed heptamer is looked for this far from where the library says.
BRANCH_CONSENSUS, BRANCH_A, BRANCH_SLACK = "TACTAAC", 5, 6
BRANCH_SITE = ("branch A", None, "A")
KNOCKED_SITES = (*KNOCKOUT_SITES, BRANCH_SITE)  # every site whose base a knock-out changes
KNOCKOUT_SOURCE = (
    "knock-out"  # training_pairs' source of a natural intron's backed knock-out (else "library")
)
SUBSTITUTION, DELETION = "substitution", "deletion"  # the kinds of knock-out


def construct_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (construct, library type): the construct's mean efficiency over all its barcodes ``mean``, their count
    ``n``, its split ``part``, its branch A's index ``branch_a`` (:func:`branch_a_indices`) and the pairing columns."""
    keys = sorted({k for *_, cols in PAIRINGS for k in cols if k in frame})
    means = frame.groupby("construct")["splicing_eff"].agg(["mean", "count"]).rename(columns={"count": "n"})
    first = frame.drop_duplicates(["construct", "type"])
    first = first.assign(branch_a=branch_a_indices(first)).set_index("construct")[
        ["type", "part", "branch_a", *keys]
    ]
    return first.join(means).reset_index()


def mismatches(a: str, b: str) -> int:
    """Number of positions where two equal-length strings differ."""
    return sum(x != y for x, y in zip(a, b))


def library_pairs(frame: pd.DataFrame, parts: pd.Series) -> pd.DataFrame:
    """Every mutant construct paired with its wild-type construct as :data:`PAIRINGS` names them.

    ``frame``: usable library rows (``construct``, ``type``, ``splicing_eff`` and the pairing columns); ``parts``: each
    row's split part. A mutant is paired with the construct of its wild-type type that agrees on the pairing columns
    and has the mutant's length (sites are substituted, not inserted); where several do (a gene's intron in several
    versions), the one with the fewest mismatches, the first on ties. Columns: ``kind``, ``part`` (the mutant's),
    ``mutant``, ``wild_type``, their means and barcode counts (``*_mean``, ``*_n``), their types (``*_type``) and
    ``mismatches``. A pairing whose columns the library lacks gives no pairs.
    """
    constructs = construct_table(frame.assign(part=parts.to_numpy()))
    rows = []
    for kind, mutant_type, wild_type, cols in PAIRINGS:
        if not set(cols) <= set(constructs):
            continue
        wild = constructs[constructs["type"] == wild_type]
        by_key = {key: group for key, group in wild.groupby(list(cols), dropna=True)}
        for mutant in constructs[constructs["type"] == mutant_type].itertuples(index=False):
            candidates = by_key.get(tuple(getattr(mutant, c) for c in cols))
            if candidates is None:
                continue
            candidates = candidates[candidates["construct"].str.len() == len(mutant.construct)]
            if candidates.empty:
                continue
            distance = [mismatches(mutant.construct, w) for w in candidates["construct"]]
            best = candidates.iloc[int(np.argmin(distance))]
            rows.append(
                {
                    "kind": kind,
                    "part": mutant.part,
                    "mutant": mutant.construct,
                    "wild_type": best["construct"],
                    "mutant_mean": mutant.mean,
                    "wild_type_mean": best["mean"],
                    "mutant_n": mutant.n,
                    "wild_type_n": best["n"],
                    "mutant_type": mutant_type,
                    "wild_type_type": wild_type,
                    "mismatches": int(min(distance)),
                }
            )
    columns = [
        "kind",
        "part",
        "mutant",
        "wild_type",
        "mutant_mean",
        "wild_type_mean",
        "mutant_n",
        "wild_type_n",
        "mutant_type",
        "wild_type_type",
        "mismatches",
    ]
    return pd.DataFrame(rows, columns=columns)


def pair_count_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """Pairs per kind (rows) and split part (columns), with a total column."""
    table = pairs.groupby(["kind", "part"]).size().unstack(fill_value=0)
    return table.assign(all=table.sum(1))


def mean_predictions(predict: PredictIntrons, introns: list[str]) -> np.ndarray:
    """``(N,)`` predictions for intron strings: the members' mean when ``predict`` returns ``(N, K)``."""
    out = np.asarray(predict(list(introns)), float)
    return out.reshape(len(introns), -1).mean(1) if len(introns) else np.zeros(0)


def predicted_changes(predict: PredictIntrons, pairs: pd.DataFrame) -> np.ndarray:
    """``(N,)`` predicted mutant − wild type of each pair, each distinct intron predicted once."""
    introns = pd.unique(pd.concat([pairs["mutant"], pairs["wild_type"]]))
    pred = dict(zip(introns, mean_predictions(predict, list(introns))))
    return pairs["mutant"].map(pred).to_numpy() - pairs["wild_type"].map(pred).to_numpy()


def change_metrics(predicted: np.ndarray, measured: np.ndarray, threshold: float = SIGN_THRESHOLD) -> dict:
    """Pearson and Spearman r of predicted against measured change, and the share of pairs whose measured change
    exceeds ``threshold`` in size where the predicted change has its sign (NaN where undefined)."""
    predicted, measured = np.asarray(predicted, float), np.asarray(measured, float)
    varied = len(measured) > 2 and np.ptp(measured) > 0 and np.ptp(predicted) > 0
    clear = np.abs(measured) > threshold
    return {
        "n": int(len(measured)),
        "n_sign": int(clear.sum()),
        "pearson": float(np.corrcoef(predicted, measured)[0, 1]) if varied else float("nan"),
        "spearman": float(stats.spearmanr(predicted, measured)[0]) if varied else float("nan"),
        "sign_agreement": float(np.mean(np.sign(predicted[clear]) == np.sign(measured[clear])))
        if clear.any()
        else float("nan"),
    }


def bootstrap_change_metrics(
    predicted: np.ndarray, measured: np.ndarray, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> dict:
    """:func:`change_metrics` with ``"<metric>_interval"``: 95% intervals over ``draws`` resamples of the pairs."""
    out = change_metrics(predicted, measured)
    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, len(measured), len(measured)) for _ in range(draws)] if len(measured) else []
    resampled = [change_metrics(predicted[i], measured[i]) for i in samples]
    for key in CHANGE_METRICS:
        out[f"{key}_interval"] = interval_95([r[key] for r in resampled])
    return out


def change_noise(pairs: pd.DataFrame, noise_by_type: dict[str, float]) -> np.ndarray:
    """``(N,)`` noise variance of each pair's measured change: each construct mean's type noise over its barcode count,
    summed (``noise_by_type``: :func:`~splice_core.data.noise_floor.noise_by_type`; a type without one takes their mean)."""
    fallback = float(np.mean(list(noise_by_type.values()))) if noise_by_type else 0.0

    def noise(side):
        return pairs[f"{side}_type"].map(noise_by_type).fillna(fallback).to_numpy(float) / pairs[
            f"{side}_n"
        ].to_numpy(float)

    return noise("mutant") + noise("wild_type")


def perfect_change_metrics(
    measured: np.ndarray, noise: np.ndarray, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> dict:
    """What a model predicting every pair's true change would be expected to score, with a 95% range.

    The true changes are the measured ones shrunk toward their mean until their variance is the measured variance
    less the mean noise; each draw adds Gaussian noise of each pair's variance (``noise``, :func:`change_noise`) to
    them and scores them as the measurements. Assumes independent, Gaussian barcode noise.
    """
    measured = np.asarray(measured, float)
    if len(measured) < 3:
        return {k: float("nan") for k in CHANGE_METRICS} | {
            f"{k}_interval": [float("nan")] * 2 for k in CHANGE_METRICS
        }
    spread = measured.var()
    shrink = np.sqrt(max(0.0, 1 - noise.mean() / spread)) if spread > 0 else 0.0
    true = measured.mean() + (measured - measured.mean()) * shrink
    rng = np.random.default_rng(seed)
    sims = [change_metrics(true, true + rng.normal(0, np.sqrt(noise))) for _ in range(draws)]
    out = {}
    for key in CHANGE_METRICS:
        out[key] = float(np.nanmean([s[key] for s in sims]))
        out[f"{key}_interval"] = interval_95([s[key] for s in sims])
    return out


def variant_benchmark(
    predict: PredictIntrons, pairs: pd.DataFrame, noise_by_type: dict[str, float], parts=("dev", "test")
) -> dict:
    """Per split part and pair kind: the model's change figures (:func:`bootstrap_change_metrics`) and a perfect
    model's (:func:`perfect_change_metrics`), ``{part: {kind: {"model": ..., "perfect": ...}}}``."""
    pairs = pairs[pairs["part"].isin(parts)].reset_index(drop=True)
    predicted = predicted_changes(predict, pairs) if len(pairs) else np.zeros(0)
    measured = (pairs["mutant_mean"] - pairs["wild_type_mean"]).to_numpy(float)
    noise = change_noise(pairs, noise_by_type)
    out: dict[str, dict] = {}
    for part in parts:
        for kind in pd.unique(pairs["kind"]):
            rows = ((pairs["part"] == part) & (pairs["kind"] == kind)).to_numpy()
            if rows.any():
                out.setdefault(part, {})[kind] = {
                    "model": bootstrap_change_metrics(predicted[rows], measured[rows]),
                    "perfect": perfect_change_metrics(measured[rows], noise[rows]),
                }
    return out


def branch_a_indices(frame: pd.DataFrame) -> pd.Series:
    """0-based index of each library row's branch A in its intron (-1 where unknown), from its ``branch_seq`` heptamer
    nearest ``branch_inds`` − ``SS5_inds``; all -1 when the library lacks those columns."""
    if not {"branch_seq", "branch_inds", "SS5_inds"} <= set(frame):
        return pd.Series(-1, index=frame.index)
    starts = (frame["branch_inds"] - frame["SS5_inds"]).to_numpy()
    out = []
    for intron, heptamer, near in zip(
        frame["intron_seq"].astype(str), frame["branch_seq"].astype(str), starts
    ):
        found = [i for i in range(len(intron) - len(heptamer) + 1) if intron.startswith(heptamer, i)]
        best = min(found, key=lambda i: abs(i - near), default=None) if len(heptamer) == 7 else None
        out.append(best + BRANCH_A if best is not None and abs(best - near) <= BRANCH_SLACK else -1)
    return pd.Series(out, index=frame.index, dtype=int)


def knockout_references(frame: pd.DataFrame) -> pd.DataFrame:
    """Per knock-out site and substituted base: the library's constructs with that base there, their count ``n`` and
    mean efficiency ``measured``, and ``backed`` (at least :data:`MIN_CONSTRUCTS`, averaging ≤ :data:`NON_SPLICING`);
    ``context`` is '' for these. For the 3' sites, also one row per ending trinucleotide (``context``, the
    constructs' last :data:`THREE_CONTEXT` bases) with that base at the site, where it has at least
    :data:`MIN_CONSTRUCTS` constructs (see :func:`reference_lookup`).

    The branch A's constructs are those whose designed branch heptamer is :data:`BRANCH_CONSENSUS` but for that base."""
    introns, y = frame["intron_seq"].astype(str), frame["splicing_eff"].to_numpy(float)
    heptamers = frame["branch_seq"].astype(str) if "branch_seq" in frame else pd.Series("", index=frame.index)
    ends = introns.str[-THREE_CONTEXT:].to_numpy()
    rows = []
    for site, position, natural in KNOCKED_SITES:
        for base in ALPHABET:
            if base == natural:
                continue
            if site == BRANCH_SITE[0]:
                chosen = (heptamers == mutated(BRANCH_CONSENSUS, BRANCH_A, base)).to_numpy()
            else:
                chosen = (introns.str[position] == base).to_numpy()
            groups = [("", chosen)]
            if position is not None and position < 0:
                groups += [(end, chosen & (ends == end)) for end in sorted(set(ends[chosen]))]
            for context, rows_chosen in groups:
                n = int(rows_chosen.sum())
                if context and n < MIN_CONSTRUCTS:
                    continue
                measured = float(y[rows_chosen].mean()) if n else float("nan")
                rows.append(
                    {
                        "site": site,
                        "position": position,
                        "base": base,
                        "context": context,
                        "n": n,
                        "measured": measured,
                    }
                )
    table = pd.DataFrame(rows)
    return table.assign(backed=(table["n"] >= MIN_CONSTRUCTS) & (table["measured"] <= NON_SPLICING))


def site_context(variant: str, position: int | None) -> str:
    """The context a knock-out's reference is looked up by: a 3' site's variant's last :data:`THREE_CONTEXT` bases, ''
    for the other sites (``position``: the site's, negative from the 3' end, None for the branch A)."""
    return variant[-THREE_CONTEXT:] if position is not None and position < 0 else ""


def reference_lookup(references: pd.DataFrame) -> ReferenceLookup:
    """``lookup(site, base, context) -> (measured, backed)`` from :func:`knockout_references`: the row of that context
    where the library has it, else the base's own row (None where neither is there)."""
    figures = {
        (r.site, r.base, getattr(r, "context", "")): (float(r.measured), bool(r.backed))
        for r in references.itertuples(index=False)
    }
    return lambda site, base, context: figures.get((site, base, context)) or figures.get((site, base, ""))


def site_index(intron: str, position: int, branch_a: int | None) -> int | None:
    """0-based index of a knock-out site in ``intron``: ``position`` (negative: from the 3' end), or for the branch A
    (``position`` None) its index ``branch_a``; None where it is unknown or outside the intron."""
    if position is None:
        return branch_a if branch_a is not None and 0 <= branch_a < len(intron) else None
    return position % len(intron)


def deletion_moves_in(intron: str, index: int, from_3_end: bool) -> str:
    """The base that takes a deleted site's place: the next one, or for a site counted from the 3' end the one before."""
    j = index - 1 if from_3_end else index + 1
    return intron[j] if 0 <= j < len(intron) else ""


def knockout_variants(
    introns: list[str], references: pd.DataFrame, branch_a: list[int] | None = None
) -> pd.DataFrame:
    """Every intron with each backed knock-out (:func:`knockout_references`, looked up by :func:`reference_lookup`) of
    a site that holds its natural base: each base substituted there where that is backed, and the site deleted where
    the base that moves into its place is backed (labelled with that base's figure). ``branch_a``: each intron's
    branch A index (-1: unknown; None: no branch knock-outs). Columns ``intron`` (the wild type), ``variant``,
    ``site``, ``kind`` (``substitution`` or ``deletion``), ``base`` (the base now at the site), ``context``
    (:func:`site_context`), ``measured`` (the library's figure)."""
    lookup = reference_lookup(references)
    rows = []
    for k, s in enumerate(introns):
        if len(s) <= 2:
            continue
        for site, position, natural in KNOCKED_SITES:
            index = site_index(s, position, None if branch_a is None else int(branch_a[k]))
            if index is None or s[index] != natural:
                continue
            moved = deletion_moves_in(s, index, position is not None and position < 0)
            changes = [(SUBSTITUTION, base, mutated(s, index, base)) for base in ALPHABET if base != natural]
            for kind, base, variant in [*changes, (DELETION, moved, mutated(s, index, GAP))]:
                context = site_context(variant, position)
                reference = lookup(site, base, context)
                if reference is not None and reference[1]:
                    rows.append((s, variant, site, kind, base, context, reference[0]))
    return pd.DataFrame(rows, columns=["intron", "variant", "site", "kind", "base", "context", "measured"])


def knockout_check(
    predict: PredictIntrons, introns: list[str], references: pd.DataFrame, branch_a: list[int] | None = None
) -> list[dict]:
    """Per site and kind (substitution, deletion): the natural introns' predicted efficiency with the site knocked out
    (mean over introns and backed bases) beside the library's constructs with those bases there, and the introns' own
    prediction."""
    variants = knockout_variants(introns, references, branch_a)
    if variants.empty:
        return []
    distinct = pd.unique(pd.concat([variants["intron"], variants["variant"]]))
    pred = dict(zip(distinct, mean_predictions(predict, list(distinct))))
    variants = variants.assign(
        predicted=variants["variant"].map(pred), wild_type=variants["intron"].map(pred)
    )
    out = []
    for (site, kind), group in variants.groupby(["site", "kind"], sort=False):
        out.append(
            {
                "site": site,
                "kind": kind,
                "bases": "".join(sorted(group["base"].unique())),
                "introns": int(group["intron"].nunique()),
                "predicted": float(group["predicted"].mean()),
                "wild_type_predicted": float(group["wild_type"].mean()),
                "library_measured": float(group.drop_duplicates(["base", "context"])["measured"].mean()),
            }
        )
    return out


def variant_card(
    predict: PredictIntrons,
    frame: pd.DataFrame,
    parts: pd.Series,
    pairs: pd.DataFrame,
    noise_by_type: dict[str, float],
) -> dict:
    """A model's variant-effect figures for its card: pair counts per kind and part, :func:`variant_benchmark`, the
    knock-out references and :func:`knockout_check` on the library's natural wild types (``endogenous``) per part.
    ``pairs``: :func:`library_pairs` of ``frame``."""
    references = knockout_references(frame)
    constructs = construct_table(frame.assign(part=parts.to_numpy()))
    wild = constructs[constructs["type"] == NATURAL_TYPES[0]].drop_duplicates("construct")
    chosen = {"dev": wild["part"] == "dev", "test": wild["part"] == "test", "all": wild["part"].notna()}
    return {
        "pairs": {
            kind: {part: int(n) for part, n in row.items()}
            for kind, row in pair_count_table(pairs).iterrows()
        }
        if len(pairs)
        else {},
        "benchmark": variant_benchmark(predict, pairs, noise_by_type),
        "knockout_references": [
            {**r, "n": int(r["n"]), "backed": bool(r["backed"])} for r in references.to_dict("records")
        ],
        "knockouts": {
            part: knockout_check(
                predict, wild.loc[rows, "construct"].tolist(), references, wild.loc[rows, "branch_a"].tolist()
            )
            for part, rows in chosen.items()
        },
    }


def training_pairs(
    frame: pd.DataFrame, parts: pd.Series, part: str = "train", knockout_weight: float = 1.0
) -> pd.DataFrame:
    """Pairs to train on from one split part: the library's own (:func:`library_pairs`, weight 1) and every natural
    wild type of the part (:data:`NATURAL_TYPES`) with each backed knock-out (:func:`knockout_references`), labelled
    with the library's figure for that knock-out and weighted ``knockout_weight`` / (its knock-outs of that site), so
    that each site of an intron weighs as ``knockout_weight`` pairs. Columns: ``mutant``, ``wild_type``, ``mutant_y``,
    ``wild_type_y``, ``weight``, ``source`` (``library`` or ``knock-out``), ``site`` (a knock-out's; empty for the
    library's own)."""
    pairs = library_pairs(frame, parts)
    pairs = pairs[pairs["part"] == part]
    own = pd.DataFrame(
        {
            "mutant": pairs["mutant"],
            "wild_type": pairs["wild_type"],
            "mutant_y": pairs["mutant_mean"],
            "wild_type_y": pairs["wild_type_mean"],
            "weight": 1.0,
            "source": "library",
        }
    )
    constructs = construct_table(frame.assign(part=parts.to_numpy()))
    natural = constructs[
        constructs["type"].isin(NATURAL_TYPES) & (constructs["part"] == part)
    ].drop_duplicates("construct")
    knockouts = knockout_variants(
        natural["construct"].tolist(), knockout_references(frame), natural["branch_a"].tolist()
    )
    per_site = knockouts.groupby(["intron", "site"])["variant"].transform("size")
    knocked = pd.DataFrame(
        {
            "mutant": knockouts["variant"],
            "wild_type": knockouts["intron"],
            "mutant_y": knockouts["measured"],
            "wild_type_y": knockouts["intron"].map(natural.set_index("construct")["mean"]),
            "weight": knockout_weight / per_site,
            "source": KNOCKOUT_SOURCE,
            "site": knockouts["site"],
        }
    )
    return pd.concat([own, knocked], ignore_index=True)


def change_with_spread(mutant_members: np.ndarray, wild_type_members: np.ndarray) -> tuple[float, float]:
    """Predicted change (mutant − wild type) and its uncertainty: the mean and the SD over members of each member's
    own difference, from the members' predictions ``(K,)`` for each intron."""
    deltas = np.asarray(mutant_members, float) - np.asarray(wild_type_members, float)
    return float(deltas.mean()), float(deltas.std())
