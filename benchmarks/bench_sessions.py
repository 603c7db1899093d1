"""The app server's memory under several browser sessions pasting at once, and after they close.

    python benchmarks/bench_sessions.py [--sessions 8] [--rounds 2] [--waves 3] [--root DIR] [--core]

Starts ``streamlit run app.py`` from ``--root`` (default: this checkout; point it at another checkout to
compare) with the data directory of ``$SPLICE_DATA_DIR``, opens one warm-up session, then ``--sessions``
headless-chromium sessions (one browser context each) that all stay open while each pastes ``--rounds`` random
introns on the Predict page, every session's paste sent before any result is awaited, so the runs overlap.
Prints the server's resident memory (from /proc) after the warm-up and after each wave of sessions has closed and
Streamlit has dropped them (it keeps a closed session 120 s for a reconnect). Memory that a second wave does not
add to is bounded (for example TensorFlow's kernels for the few input shapes the model is called with); memory
that grows with every wave is kept per session or per distinct input.

``--core`` runs no server or browser: the same waves replay the Predict page's core calls for each paste
(prediction, mutagenesis and its heatmap, SmoothGrad and its logo) from one thread per session in this process,
with the app's allocator settings, so what the server adds beyond them is Streamlit's.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_app import (  # noqa: E402
    IDLE,
    INTRON_LABEL,
    free_port,
    launch_chromium,
    open_page,
    streamlit_command,
    wait_healthy,
)

TIMEOUT_MS = 300_000
SESSION_TTL = 130  # Streamlit keeps a closed session 120 s for a reconnect, then drops it on the next visit


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def thread_count(pid: int) -> int:
    """Threads of a process (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def random_intron(rng: np.random.Generator) -> str:
    """A random 80-140 nt intron with consensus ends."""
    return (
        "GTATGT"
        + "".join(rng.choice(list("ACGT"), int(rng.integers(60, 120))))
        + "TACTAACA"
        + "".join(rng.choice(list("ACGT"), 10))
        + "TAG"
    )


def wave(browser, url: str, rng: np.random.Generator, sessions: int, rounds: int) -> None:
    """``sessions`` browser sessions open at once, each pasting ``rounds`` random introns; then all closed.

    Playwright's sync API is not thread-safe, so the sessions are driven from this thread, but every paste of a
    round is sent before any result is awaited: the server runs them at the same time.
    """
    contexts = []
    for _ in range(sessions):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        open_page(page, url)
        contexts.append((context, page))
    for _ in range(rounds):
        for _, page in contexts:
            box = page.get_by_label(INTRON_LABEL)
            box.fill(random_intron(rng))
            box.press("Control+Enter")
        for _, page in contexts:
            page.wait_for_timeout(500)
            page.wait_for_selector(IDLE)
    for context, _ in contexts:
        context.close()


def page_calls(predictor, intron: str) -> None:
    """The Predict page's core calls for one pasted intron: prediction, mutagenesis, heatmap, SmoothGrad, logo."""
    from splice_core.analysis.mutagenesis import mutagenesis_effects
    from splice_core.analysis.saliency import intron_saliency
    from splice_core.data.sites import site_spans
    from splice_core.plot.logo import figure_png, saliency_logo
    from splice_core.plot.mutagenesis_map import mutagenesis_heatmap

    predictor.intron_members([intron])
    _, subs, dels = mutagenesis_effects(predictor.predict_introns, intron)
    spans = site_spans(len(intron), int(predictor.branch_starts([intron])[0]))
    mutagenesis_heatmap(intron, subs, dels, spans).to_json()
    figure_png(saliency_logo(intron_saliency(predictor, intron), spans))


def core_wave(predictor, rng: np.random.Generator, sessions: int, rounds: int) -> None:
    """``sessions`` threads at once, each making the page's core calls for ``rounds`` random introns."""
    batches = [[random_intron(rng) for _ in range(rounds)] for _ in range(sessions)]
    threads = [
        threading.Thread(target=lambda introns=introns: [page_calls(predictor, x) for x in introns])
        for introns in batches
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_core(args: argparse.Namespace) -> None:
    """The waves replayed in this process without Streamlit; prints resident memory after each."""
    sys.path.insert(0, str(args.root))
    from app_state import bound_native_memory, release_freed_memory
    from splice_core.models.store import PRETRAINED_DIR
    from splice_core.predict.predictor import load_predictor

    bound_native_memory()
    predictor = load_predictor(PRETRAINED_DIR)
    rng = np.random.default_rng(0)
    core_wave(predictor, rng, 1, 1)
    release_freed_memory()
    rss = [rss_mb(os.getpid())]
    print(f"core calls only (no Streamlit); waves of {args.sessions} threads × {args.rounds} introns; RSS:")
    print(f"  {'after one warm-up call':<45} {rss[0]:6.0f} MB", flush=True)
    for n in range(1, args.waves + 1):
        core_wave(predictor, rng, args.sessions, args.rounds)
        release_freed_memory()
        rss.append(rss_mb(os.getpid()))
        print(
            f"  {f'wave {n}':<45} {rss[-1]:6.0f} MB (+{rss[-1] - rss[0]:.0f} MB; this wave {rss[-1] - rss[-2]:+.0f} MB)",
            flush=True,
        )


def main() -> None:
    """Run the server and the waves of sessions; print the memory figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions", type=int, default=8, help="browser sessions at once (default: %(default)s)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="introns pasted per session (default: %(default)s)"
    )
    parser.add_argument(
        "--waves", type=int, default=3, help="waves of sessions, one after another (default: %(default)s)"
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="checkout whose app.py runs (default: this one)"
    )
    parser.add_argument(
        "--core", action="store_true", help="replay the page's core calls in threads, no server or browser"
    )
    args = parser.parse_args()
    if args.core:
        run_core(args)
        return
    from playwright.sync_api import sync_playwright

    rng = np.random.default_rng(0)
    port = free_port()
    url = f"http://localhost:{port}"
    figures = []
    with tempfile.TemporaryDirectory() as models:
        env = dict(os.environ, SPLICE_MODELS_DIR=models)
        command = streamlit_command(port)
        server = subprocess.Popen(
            command, cwd=args.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_healthy(url, server, timeout=300)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                wave(browser, url, rng, 1, 1)  # warm-up: model loaded, functions traced
                time.sleep(5)
                figures.append(("after one warm-up session", rss_mb(server.pid)))
                print(
                    f"app: {args.root}; waves of {args.sessions} sessions × {args.rounds} pastes at once; server RSS:"
                )
                print(f"  {figures[0][0]:<45} {figures[0][1]:6.0f} MB", flush=True)
                for n in range(1, args.waves + 1):
                    wave(browser, url, rng, args.sessions, args.rounds)
                    time.sleep(SESSION_TTL)
                    wave(
                        browser, url, rng, 1, 0
                    )  # a fresh visit makes Streamlit drop the expired closed sessions
                    time.sleep(5)
                    figures.append(
                        (f"wave {n} of {args.sessions} sessions closed and dropped", rss_mb(server.pid))
                    )
                    print(
                        f"  {figures[-1][0]:<45} {figures[-1][1]:6.0f} MB (+{figures[-1][1] - figures[0][1]:.0f} MB; "
                        f"this wave {figures[-1][1] - figures[-2][1]:+.0f} MB; {thread_count(server.pid)} threads)",
                        flush=True,
                    )
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
