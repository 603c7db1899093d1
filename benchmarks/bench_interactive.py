"""Timings of the interactive paths (warm, shipped model) beside the naive way, measured in the same run.

Figures: one prediction; the full in-silico mutagenesis of a 150-nt intron as the Predict page runs it (on its
central 148-nt view: 4L substitutions + L deletions);
SmoothGrad with 50 samples; scoring 10,000 introns; and, when Debian's chromium and Playwright are present,
paste-to-render in the browser (prediction, heatmap and logo on screen).

    python benchmarks/bench_interactive.py [--repeats 5] [--naive-sample 40] [--naive-full] [--no-browser]

Naive ways: one ``model.predict`` call per variant/intron (timed on ``--naive-sample`` calls and scaled to the
full count, or all of them with ``--naive-full``); tf-keras-vis's own SmoothGrad (samples one by one).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from splice_core.analysis.mutagenesis import deletion_variants, mutagenesis_effects, substitution_variants  # noqa: E402
from splice_core.analysis.saliency import smoothgrad, smoothgrad_tf_keras_vis  # noqa: E402
from splice_core.models.store import PRETRAINED_DIR  # noqa: E402
from splice_core.predict.batch import score_frame  # noqa: E402
from splice_core.predict.predictor import Predictor, load_predictor  # noqa: E402
from splice_core.seq.views import central_view  # noqa: E402

TARGETS_MS = {
    "one prediction": 10,
    "mutagenesis, 150 nt (its 148-nt view, 740 variants)": 100,
    "SmoothGrad, 50 samples": 100,
    "batch, 10,000 introns": 5000,
    "browser: paste to prediction + heatmap + logo": 2000,
}


def made_up_intron(rng: np.random.Generator, length: int) -> str:
    """A random intron with consensus sites (no real sequence)."""
    body = "".join(rng.choice(list("ACGT"), length - 6 - 7 - 3 - 20))
    return "GTATGT" + body + "TACTAAC" + "".join(rng.choice(list("ACGT"), 20)) + "TAG"


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in ms after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def per_call_naive_ms(predictor: Predictor, introns: list[str], sample: int | None) -> tuple[float, str]:
    """Time of one ``model.predict`` call per intron: measured on ``sample`` of them and scaled (all when None)."""
    chosen = introns if sample is None else introns[:sample]
    x = predictor.introns_to_one_hot(chosen)
    predictor.model.predict(x[:1], verbose=0)
    start = time.perf_counter()
    for row in x:
        predictor.model.predict(row[None], verbose=0)
    total = 1000 * (time.perf_counter() - start) * len(introns) / len(chosen)
    how = f"{len(chosen)} model.predict calls" + (
        "" if len(chosen) == len(introns) else f", scaled to {len(introns)}"
    )
    return total, how


def browser_paste_ms(introns: list[str]) -> tuple[float | None, str]:
    """Median seconds from Ctrl+Enter to prediction, heatmap and logo on screen; (None, why) when it cannot run."""
    from browser_app import CHROMIUM, launch_chromium, open_page, paste_intron, running_app

    if not CHROMIUM.is_file():
        return None, f"not measured: {CHROMIUM} missing"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "not measured: playwright missing"
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_app(Path(tmp) / "models", Path(tmp) / "streamlit.log") as url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(120_000)
        open_page(page, url)
        paste_intron(page, introns[0])
        times = []
        for intron in introns[1:]:
            start = time.perf_counter()
            paste_intron(page, intron)
            times.append(1000 * (time.perf_counter() - start))
        browser.close()
    return statistics.median(times), f"median of {len(times)} pastes"


def main() -> None:
    """Run every figure and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=40,
        help="model.predict calls timed for the per-call naive figures",
    )
    parser.add_argument("--naive-full", action="store_true", help="time every naive call instead of a sample")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    sample = None if args.naive_full else args.naive_sample

    rng = np.random.default_rng(0)
    predictor = load_predictor(PRETRAINED_DIR)
    intron = made_up_intron(rng, 150)
    x = predictor.introns_to_one_hot([intron])
    explained = central_view(
        predictor.intron_view_sets([intron])[0]
    ).sequence  # what the Predict page mutates
    variants = [explained, *substitution_variants(explained), *deletion_variants(explained)]
    batch = pd.DataFrame({"intron_seq": [made_up_intron(rng, int(n)) for n in rng.integers(60, 149, 10_000)]})

    rows = []
    ours = median_ms(lambda: predictor.intron_members([intron]), args.repeats)
    naive = median_ms(lambda: predictor.model.predict(x, verbose=0), args.repeats)
    rows.append(("one prediction", ours, naive, "model.predict, 1 call"))
    ours = median_ms(lambda: mutagenesis_effects(predictor.predict_introns, explained), args.repeats)
    rows.append(
        (
            "mutagenesis, 150 nt (its 148-nt view, 740 variants)",
            ours,
            *per_call_naive_ms(predictor, variants, sample),
        )
    )
    ours = median_ms(lambda: smoothgrad(predictor.model, x, 50, 0.1, seed=0), args.repeats)
    naive = median_ms(
        lambda: smoothgrad_tf_keras_vis(predictor.model, x, 50, 0.1, seed=0), max(1, args.repeats // 2)
    )
    rows.append(("SmoothGrad, 50 samples", ours, naive, "tf-keras-vis Saliency (samples one by one)"))
    ours = median_ms(lambda: score_frame(predictor, batch), max(1, args.repeats // 2))
    rows.append(
        ("batch, 10,000 introns", ours, *per_call_naive_ms(predictor, batch["intron_seq"].tolist(), sample))
    )
    if args.no_browser:
        rows.append(
            ("browser: paste to prediction + heatmap + logo", None, None, "not measured (--no-browser)")
        )
    else:
        ours, how = browser_paste_ms([made_up_intron(rng, 150) for _ in range(args.repeats + 1)])
        rows.append(("browser: paste to prediction + heatmap + logo", ours, None, how))

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\n{os.cpu_count()} CPU cores, load average {load:.1f}, model {PRETRAINED_DIR.name}/ ({predictor.card.get('name', '')})\n"
    )
    print(
        f"{'figure':48s} {'ours (ms)':>10s} {'naive (ms)':>11s} {'target (ms)':>12s}  {'met':4s} naive way / note"
    )
    for name, ours, naive, note in rows:
        shown = f"{ours:10.1f}" if ours is not None else f"{'—':>10s}"
        naive_shown = f"{naive:11.1f}" if naive is not None else f"{'—':>11s}"
        met = "" if ours is None else ("yes" if ours <= TARGETS_MS[name] else "NO")
        print(f"{name:48s} {shown} {naive_shown} {TARGETS_MS[name]:12d}  {met:4s} {note}")


if __name__ == "__main__":
    main()
