"""Helpers to run the app with ``streamlit run`` and drive it in Debian's headless chromium (tests, benchmark)."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INTRON_LABEL = "Intron (5' splice site first, 3' splice site last; DNA or RNA, FASTA allowed)"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def streamlit_command(port: int) -> list[str]:
    """The command that serves the app headless on ``port``, without usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]


def free_port() -> int:
    """An unused local TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until Streamlit answers its health check; RuntimeError if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("streamlit exited before it was healthy")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy within {timeout} s")


@contextlib.contextmanager
def running_app(models_dir: Path, log_path: Path, data_dir: Path | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with ``SPLICE_MODELS_DIR=models_dir`` (and ``SPLICE_DATA_DIR=data_dir``
    when given); yields its base URL."""
    port = free_port()
    env = dict(
        os.environ,
        SPLICE_MODELS_DIR=str(models_dir),
        **({"SPLICE_DATA_DIR": str(data_dir)} if data_dir else {}),
    )
    command = streamlit_command(port)
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://localhost:{port}"
            wait_healthy(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def launch_chromium(playwright):
    """Debian's chromium, headless, through Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def open_page(page, url: str) -> None:
    """Open a URL and wait for its script run to finish."""
    page.goto(url)
    page.wait_for_selector(IDLE)


def paste_intron(page, text: str) -> None:
    """Type an intron into the main box, apply it (Ctrl+Enter) and wait until its prediction, heatmap and logo are shown."""
    old_logo = page.get_by_test_id("stImage").locator("img").first.get_attribute("src")
    box = page.get_by_label(INTRON_LABEL)
    box.fill(text)
    box.press("Control+Enter")
    page.wait_for_function(
        """([start, oldLogo]) => {
            const sites = [...document.querySelectorAll('[data-testid=stHtml]')].some(e => e.innerText.replace(/\\s/g, '').startsWith(start));
            const logo = document.querySelector('[data-testid=stImage] img');
            const app = document.querySelector('[data-testid=stApp]');
            return sites && logo && logo.src !== oldLogo && logo.complete && logo.naturalWidth > 0
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && document.querySelectorAll('.js-plotly-plot .heatmaplayer').length > 0;
        }""",
        arg=[text[:20], old_logo],
    )
