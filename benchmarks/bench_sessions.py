"""The app server's memory under several browser sessions pasting at once, and after they close.

    python benchmarks/bench_sessions.py [--sessions 8] [--rounds 2] [--root DIR] [--settle 30]

Starts ``streamlit run app.py`` from ``--root`` (default: this checkout; point it at another checkout to
compare) with the data directory of ``$SPLICE_DATA_DIR``, opens one warm-up session, then ``--sessions``
headless-chromium sessions (one browser context each) that all stay open while each pastes ``--rounds`` random
introns on the Predict page, every session's paste sent before any result is awaited, so the runs overlap.
Prints the server's resident memory (from /proc) after the warm-up, with every session open, ``--settle`` seconds
after they closed, and once Streamlit has dropped the closed sessions (it keeps them 120 s for a reconnect).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_app import IDLE, INTRON_LABEL, free_port, launch_chromium, open_page, paste_intron, wait_healthy  # noqa: E402

TIMEOUT_MS = 300_000
SESSION_TTL = 130  # Streamlit keeps a closed session 120 s for a reconnect, then drops it on the next visit


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def random_intron(rng: np.random.Generator) -> str:
    """A random 80-140 nt intron with consensus ends."""
    return "GTATGT" + "".join(rng.choice(list("ACGT"), int(rng.integers(60, 120)))) + "TACTAACA" + "".join(rng.choice(list("ACGT"), 10)) + "TAG"


def session(browser, url: str, introns: list[str], errors: list) -> None:
    """One browser session: open the app and paste each intron (in its own context, so its own Streamlit session)."""
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        open_page(page, url)
        for intron in introns:
            paste_intron(page, intron)
        context.close()
    except Exception as err:  # noqa: BLE001 - reported below
        errors.append(err)


def main() -> None:
    """Run the server and the sessions; print the memory figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="introns pasted per session (default: %(default)s)")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout whose app.py runs (default: this one)")
    parser.add_argument("--settle", type=float, default=30, help="seconds to wait after the sessions closed (default: %(default)s)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rng = np.random.default_rng(0)
    port = free_port()
    url = f"http://localhost:{port}"
    with tempfile.TemporaryDirectory() as models:
        env = dict(os.environ, SPLICE_MODELS_DIR=models)
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
                   "--browser.gatherUsageStats", "false"]
        server = subprocess.Popen(command, cwd=args.root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_healthy(url, server, timeout=300)
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                errors: list = []
                session(browser, url, [random_intron(rng)], errors)  # warm-up: model loaded, functions traced
                time.sleep(5)
                warm = rss_mb(server.pid)
                # Playwright's sync API is not thread-safe: run the sessions one after another but keep every context
                # open until all have pasted, so the server holds all of them at once.
                contexts = []
                start = time.monotonic()
                for _ in range(args.sessions):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    page.set_default_timeout(TIMEOUT_MS)
                    open_page(page, url)
                    contexts.append((context, page))
                for _ in range(args.rounds):
                    for _, page in contexts:  # every session pastes before any result is awaited: the runs overlap
                        box = page.get_by_label(INTRON_LABEL)
                        box.fill(random_intron(rng))
                        box.press("Control+Enter")
                    for _, page in contexts:
                        page.wait_for_timeout(500)
                        page.wait_for_selector(IDLE)
                busy = rss_mb(server.pid)
                seconds = time.monotonic() - start
                for context, _ in contexts:
                    context.close()
                browser.close()
            time.sleep(args.settle)
            settled = rss_mb(server.pid)
            time.sleep(max(0.0, SESSION_TTL - args.settle))
            with sync_playwright() as playwright:  # a fresh visit makes Streamlit drop the expired closed sessions
                browser = launch_chromium(playwright)
                page = browser.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                open_page(page, url)
                browser.close()
            time.sleep(5)
            expired = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
    if errors:
        print(f"warning: {len(errors)} session(s) failed: {errors[0]}")
    print(f"app: {args.root}; {args.sessions} sessions × {args.rounds} pastes at once ({seconds:.0f} s)")
    print(f"server RSS after one warm-up session: {warm:.0f} MB")
    print(f"with {args.sessions} sessions open:          {busy:.0f} MB (+{busy - warm:.0f} MB)")
    print(f"{args.settle:.0f} s after they closed:         {settled:.0f} MB (+{settled - warm:.0f} MB kept)")
    print(f"after Streamlit dropped them ({SESSION_TTL} s):  {expired:.0f} MB (+{expired - warm:.0f} MB kept)")


if __name__ == "__main__":
    main()
