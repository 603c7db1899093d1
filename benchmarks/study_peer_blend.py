"""Would a blend of the shipped ensemble and the LightGBM peer be the better predictor? One run prints the evidence.

Needs the data directory. The ensemble is the shipped CNN alone; where the model ships a peer blend
(:mod:`splice_core.models.peer_blend`), its row is printed beside. For each peer — the shipped one (RNA folding features), one fitted without folding (what
a mutagenesis could afford), and one without folding fitted with the natural introns' backed knock-outs (those the
ensemble's pair fine-tuning and site gates learn from) as extra train rows — it prints

- the library's Pearson and balanced MSE on dev and test of ``w x ensemble + (1 - w) x peer`` for w = 0, 0.1 .. 1;
- at the weight with the best dev Pearson (chosen on dev only), beside the ensemble alone and the peer alone: the
  mutant/wild-type pairs' change Pearson and sign agreement, the library's natural introns' knock-outs, and the
  biology check (knock-out classes' mean prediction, the neutral indels' median change);
- the peer's time for the 600 single-base variants of a 150-nt intron (a mutagenesis).

    python benchmarks/study_peer_blend.py [--model DIR] [--data-dir DIR] [--knockout-weight 0.2]
"""

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from splice_core.analysis.biology_check import INDEL_CLASSES  # noqa: E402
from splice_core.analysis.calibration import biology_card  # noqa: E402
from splice_core.analysis.mutagenesis import deletion_variants, substitution_variants  # noqa: E402
from splice_core.analysis.variant_effects import HEADLINE_KIND, NON_SPLICING, PredictIntrons  # noqa: E402
from splice_core.data.library import read_wildtype  # noqa: E402
from splice_core.models.lightgbm_peer import GradientBoostingPeer, peer_beside  # noqa: E402
from splice_core.models.metrics import regression_metrics  # noqa: E402
from splice_core.models.peer_blend import KNOCKOUT_WEIGHT, fit_blend_peer  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR, read_card  # noqa: E402
from splice_core.predict.predictor import Predictor, load_predictor  # noqa: E402
from splice_core.reports.shipped_recipe import SHIPPED_CONFIG  # noqa: E402
from splice_core.runs.experiment import (  # noqa: E402
    PreparedData,
    knockout_mutants,
    predictor_variant_figures,
    prepare_data,
)
from splice_core.seq.views import mean_over_views  # noqa: E402

WEIGHTS = np.round(np.arange(0, 1.01, 0.1), 1)
PeerPredict = Callable[[list[str]], np.ndarray]


def fold_free_peer(data: PreparedData, knockouts: pd.DataFrame, knockout_weight: float) -> PeerPredict:
    """``predict(introns)`` of a peer without folding features fitted as the shipped blend's is
    (:func:`~splice_core.models.peer_blend.fit_blend_peer`; ``knockouts`` may be empty)."""
    introns = data.frame["intron_seq"].astype(str).tolist()
    y, parts = data.frame["splicing_eff"].to_numpy(), data.parts.to_numpy()
    return fit_blend_peer(introns, y, parts, knockouts, data.pwms, knockout_weight).predict_introns


def read_as_the_ensemble(predictor: Predictor, peer: PeerPredict) -> PeerPredict:
    """The peer's prediction of each intron read as the ensemble reads it: a long intron's mean over its views."""

    def predict(introns: list[str]) -> np.ndarray:
        reads, _, owner = predictor.model_reads(list(introns))
        return mean_over_views(peer(reads)[:, None], owner, len(introns))[:, 0]

    return predict


def memoised(predict: PeerPredict) -> PeerPredict:
    """``predict(introns) -> (N,)`` that predicts each distinct intron once over all its calls."""
    cache: dict[str, float] = {}

    def known(introns: list[str]) -> np.ndarray:
        new = [s for s in dict.fromkeys(introns) if s not in cache]
        if new:
            cache.update(zip(new, predict(new)))
        return np.array([cache[s] for s in introns])

    return known


def blend_of(ensemble: PeerPredict, peer: PeerPredict) -> Callable[[float], PredictIntrons]:
    """``blend(w)``: ``predict(introns) -> (N, 1)`` of ``w x ensemble + (1 - w) x peer`` (``ensemble``
    :func:`memoised`; the peer is memoised here)."""
    peer = memoised(peer)
    return lambda w: lambda introns: (w * ensemble(list(introns)) + (1 - w) * peer(list(introns)))[:, None]


def library_rows(data: PreparedData, predict: PredictIntrons) -> dict:
    """Pearson and balanced MSE on dev and test."""
    out = {}
    for part in ("dev", "test"):
        rows = data.frame[(data.parts == part).to_numpy()]
        metrics = regression_metrics(
            rows["splicing_eff"].to_numpy(), predict(rows["intron_seq"].astype(str).tolist())[:, 0]
        )
        out[part] = (metrics["pearson"], metrics["balanced_mse"])
    return out


def variant_summary(predict: PredictIntrons, data: PreparedData, wildtype: pd.DataFrame) -> dict:
    """The pairs' change Pearson and sign (dev, test), the natural introns' knock-outs' mean (dev, test), and the
    biology check's worst knock-out class and largest neutral-indel median change (short introns), worst long class."""
    card = predictor_variant_figures(predict, data)
    pairs = {part: card["benchmark"][part][HEADLINE_KIND]["model"] for part in ("dev", "test")}
    knockouts = {part: np.mean([r["predicted"] for r in card["knockouts"][part]]) for part in ("dev", "test")}
    biology = pd.DataFrame(biology_card(predict, wildtype, data.frame))
    biology = biology.assign(short=biology["length"].str.startswith("≤"))
    knocked = biology[biology["library_measured"].notna()]
    indels = biology[biology["short"] & biology["class"].isin(INDEL_CLASSES)]
    short = knocked["short"]
    return {
        "pairs": {part: (p["pearson"], p["sign_agreement"]) for part, p in pairs.items()},
        "knockouts": knockouts,
        "worst_short": knocked[short].sort_values("predicted").iloc[-1][["class", "predicted"]].tolist(),
        "worst_long": knocked[~short].sort_values("predicted").iloc[-1][["class", "predicted"]].tolist(),
        "knocked_short_mean": float(knocked[short]["predicted"].mean()),
        "indel_max": float(indels["median_abs_change"].max()),
    }


def mutagenesis_seconds(peer: PeerPredict, repeats: int = 5) -> float:
    """Median seconds for the peer to predict the 600 single-base variants of a 150-nt intron."""
    rng = np.random.default_rng(0)
    middle = "".join(rng.choice(list("ACGT"), 134))
    intron = f"GTATGT{middle[:110]}TACTAAC{middle[110:]}TAG"
    variants = [v for v in substitution_variants(intron) if v != intron] + deletion_variants(intron)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        peer(variants)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def summary_line(name: str, lib: dict, v: dict) -> str:
    """One Markdown row of the comparison table."""
    return (
        f"| {name} | {lib['dev'][0]:.3f} / {lib['dev'][1]:.4f} | {lib['test'][0]:.3f} / {lib['test'][1]:.4f} | "
        f"{v['pairs']['dev'][0]:.2f} / {v['pairs']['dev'][1]:.0%} | {v['pairs']['test'][0]:.2f} / "
        f"{v['pairs']['test'][1]:.0%} | {v['knockouts']['dev']:.3f} / {v['knockouts']['test']:.3f} | "
        f"{v['knocked_short_mean']:.3f}; worst {v['worst_short'][0]} {v['worst_short'][1]:.3f} | "
        f"{v['worst_long'][0]} {v['worst_long'][1]:.3f} | {v['indel_max']:.3f} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the blend study."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--knockout-weight",
        type=float,
        default=KNOCKOUT_WEIGHT,
        help=f"a knock-out row's weight (default {KNOCKOUT_WEIGHT:g}, the shipped blend's)",
    )
    args = parser.parse_args(argv)
    card = read_card(args.model)
    data = prepare_data(args.data_dir, card.get("split", {}).get("seed", 0))
    shipped_blend, wildtype = load_predictor(args.model), read_wildtype(args.data_dir)
    predictor = replace(shipped_blend, blend=None)  # the CNN ensemble alone
    shipped: GradientBoostingPeer | None = peer_beside(args.model, card)
    knockouts = knockout_mutants(data, SHIPPED_CONFIG)
    peers = {
        "shipped peer (folding)": shipped.predict_introns if shipped is not None else None,
        "peer without folding": fold_free_peer(data, knockouts.iloc[:0], 0.0),
        f"peer without folding, knock-outs at {args.knockout_weight}": fold_free_peer(
            data, knockouts, args.knockout_weight
        ),
    }
    header = (
        "| model | dev Pearson / bal. MSE | test Pearson / bal. MSE | pairs dev r / sign | pairs test r / sign | "
        "natural knock-outs dev / test | annotated knock-outs ≤148 mean | worst long (views) | indels max median |"
    )
    ensemble = memoised(predictor.predict_introns)
    alone = lambda introns: ensemble(list(introns))[:, None]  # noqa: E731 - the ensemble as PredictIntrons
    ensemble_row = summary_line(
        "ensemble alone", library_rows(data, alone), variant_summary(alone, data, wildtype)
    )
    rows = [header, "|---" * 9 + "|", ensemble_row]
    if shipped_blend.blend is not None:
        ramped = lambda introns: shipped_blend.intron_members(list(introns))  # noqa: E731
        rows.append(
            summary_line(
                f"shipped blend (ensemble {shipped_blend.blend.weight:g}, ramp {shipped_blend.blend.ramp})",
                library_rows(data, lambda introns: ramped(introns).mean(1, keepdims=True)),
                variant_summary(ramped, data, wildtype),
            )
        )
    for name, peer in peers.items():
        if peer is None:
            continue
        blend = blend_of(ensemble, read_as_the_ensemble(predictor, peer))
        grid = {w: library_rows(data, blend(w)) for w in WEIGHTS}
        print(f"\n{name}: w x ensemble + (1 - w) x peer")
        for w, lib in grid.items():
            print(
                f"  w {w:.1f}: dev {lib['dev'][0]:.4f} / {lib['dev'][1]:.4f}, test {lib['test'][0]:.4f} / {lib['test'][1]:.4f}"
            )
        chosen = max(WEIGHTS, key=lambda w: grid[w]["dev"][0])
        print(
            f"  chosen on dev Pearson: w = {chosen:.1f}; the peer's mutagenesis (600 variants): "
            f"{mutagenesis_seconds(peer) * 1000:.0f} ms",
            flush=True,
        )
        for w, label in ((0.0, f"{name} alone"), (chosen, f"blend w {chosen:.1f}, {name}")):
            rows.append(summary_line(label, grid[w], variant_summary(blend(w), data, wildtype)))
    print(f"\nNon-splicing: ≤ {NON_SPLICING}. Pairs: {HEADLINE_KIND}.\n")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
