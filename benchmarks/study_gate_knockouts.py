"""Would the site gates close on broken branch sites if the knock-outs weighed more in their fit? One run prints it.

Needs the data directory. The shipped members' site gates are fitted again
(:func:`~splice_core.runs.experiment.with_site_gates`) with the natural introns' backed knock-outs weighing each of
``--weights`` (every site's), and the branch A's knock-outs each of ``--branch-weights`` times as much (the shipped
recipe: 2 and 8), the peer blend as shipped, and for each pair the dev part's figures only (a choice is made on dev,
never on test): the library's Pearson and balanced MSE, the pairs' change Pearson and sign, the library's
dev natural introns' knock-outs (mean, and the branch A's), and the biology check's branch A and heptamer classes,
its wild types' mean and its largest neutral-indel median change (short introns).

    python benchmarks/study_gate_knockouts.py [--model DIR] [--data-dir DIR] [--weights 2] [--branch-weights 1 4 8]
"""

import argparse
import sys
from dataclasses import replace
from itertools import product
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from splice_core.analysis.biology_check import (  # noqa: E402
    DELETED,
    HEPTAMER_DELETED,
    INDEL_CLASSES,
    SUBSTITUTED,
    knockout_class,
)
from splice_core.analysis.calibration import biology_card  # noqa: E402
from splice_core.analysis.variant_effects import BRANCH_SITE, HEADLINE_KIND  # noqa: E402
from splice_core.data.library import read_wildtype  # noqa: E402
from splice_core.models.evaluation import metrics_by_part  # noqa: E402
from splice_core.models.peer_blend import load_blend  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR, load_model, read_card  # noqa: E402
from splice_core.predict.predictor import Predictor  # noqa: E402
from splice_core.reports.shipped_recipe import SHIPPED_CONFIG  # noqa: E402
from splice_core.runs.experiment import (  # noqa: E402
    PreparedData,
    predictor_variant_figures,
    prepare_data,
    with_site_gates,
)

HEADER = (
    "| knock-out weight | branch A × | dev Pearson / bal. MSE | pairs dev r / sign | natural knock-outs dev: mean / branch A "
    "subst, del | annotated branch A subst / del ≤148 | > 148 (views) | heptamer deleted ≤148 / >148 | wild types "
    "≤148 / >148 | indels max median ≤148 |"
)


def dev_row(predictor: Predictor, data: PreparedData, biology: list[dict]) -> list[str]:
    """One weight's cells (after the first) of :data:`HEADER`: dev figures and the biology check's."""
    dev = metrics_by_part(data.frame, data.parts, predictor.predict_library(data.frame, data.reporter))["dev"]
    effects = predictor_variant_figures(predictor.intron_members, data)
    pairs = effects["benchmark"]["dev"][HEADLINE_KIND]["model"]
    knocked = {(r["site"], r["kind"]): r["predicted"] for r in effects["knockouts"]["dev"]}
    bio = {(r["class"], r["length"].startswith("≤")): r for r in biology}

    def short_long(name: str, key: str = "predicted") -> str:
        return f"{bio[name, True][key]:.3f} / {bio[name, False][key]:.3f}"

    substituted, deleted = (knockout_class(BRANCH_SITE[0], kind) for kind in (SUBSTITUTED, DELETED))

    def substituted_deleted(short: bool) -> str:
        return f"{bio[substituted, short]['predicted']:.3f} / {bio[deleted, short]['predicted']:.3f}"

    indels = [r["median_abs_change"] for (name, short), r in bio.items() if short and name in INDEL_CLASSES]
    return [
        f"{dev['pearson']:.4f} / {dev['balanced_mse']:.4f}",
        f"{pairs['pearson']:.3f} / {pairs['sign_agreement']:.0%}",
        f"{np.mean(list(knocked.values())):.3f} / {knocked['branch A', 'substitution']:.3f}, "
        f"{knocked['branch A', 'deletion']:.3f}",
        substituted_deleted(True),
        substituted_deleted(False),
        short_long(HEPTAMER_DELETED),
        short_long(deleted, "wild_type_predicted"),
        f"{max(indels):.3f}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the gate study."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=PRETRAINED_DIR)
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--weights", type=float, nargs="+", default=[SHIPPED_CONFIG.knockout_weight])
    parser.add_argument(
        "--branch-weights", type=float, nargs="+", default=[1.0, 4.0, SHIPPED_CONFIG.branch_knockout_weight]
    )
    args = parser.parse_args(argv)
    model, card = load_model(args.model), read_card(args.model)
    data = prepare_data(args.data_dir, card.get("split", {}).get("seed", 0))
    blend, wildtype = load_blend(args.model, card), read_wildtype(args.data_dir)
    print(HEADER, "|---" * HEADER.count("|", 1) + "|", sep="\n", flush=True)
    for weight, branch in product(args.weights, args.branch_weights):
        config = replace(SHIPPED_CONFIG, knockout_weight=weight, branch_knockout_weight=branch)
        gated, gated_card = with_site_gates(model, card, data, config)
        predictor = Predictor(gated, gated_card, blend=blend)
        biology = biology_card(predictor.intron_members, wildtype, data.frame)
        print(
            "| " + " | ".join([f"{weight:g}", f"{branch:g}", *dev_row(predictor, data, biology)]) + " |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
