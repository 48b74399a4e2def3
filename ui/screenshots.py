"""The README's screenshots from the real product: `make screenshots`.

Starts `ai-rejsen serve` on 127.0.0.1 (the real guide, index and model, built first if needed),
asks the design question in Debian's Chromium at laptop and at phone size, and saves what the
user sees then as docs/screenshot.png and docs/screenshot-phone.png. Not part of the test
suite, because tests never write into the repository. The browser tests share its Chromium
settings (never a browser that Playwright downloads).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from evals.processes import free_port, stop_process

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
QUESTION = "Hvad skal jeg gøre før prospektiv validering?"
DOCS = Path(__file__).resolve().parent.parent / "docs"
SHOTS = {"screenshot.png": LAPTOP, "screenshot-phone.png": PHONE}
START_TIMEOUT_S = 900  # a first run builds the index (a few minutes on 2 cores)
TIMEOUT_MS = 30_000


def launch_chromium(playwright, profile: str | Path, viewport: dict | None = None, **options):
    """Debian's Chromium as a persistent context (a private profile), headless."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport=viewport or LAPTOP, **options)


def ask(page, question: str) -> None:
    page.fill("#msg textarea", question)
    page.press("#msg textarea", "Enter")


def wait_until_answered(page, timeout_ms: int = TIMEOUT_MS) -> None:
    """Until the page has announced the newest answer (scripts.answered has run)."""
    page.wait_for_function(
        "() => document.querySelector('#chatbot [data-testid=\"bot\"][data-announced]')",
        timeout=timeout_ms)
    page.wait_for_timeout(300)  # the scroll and the focus ring settle


def wait_for_server(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"ai-rejsen serve stoppede (kode {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"chatten svarede ikke på {url} inden for {timeout_s:.0f} s")


def take(url: str, out: Path, question: str = QUESTION) -> list[Path]:
    """One screenshot per size in SHOTS, each after the question has been answered."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = launch_chromium(playwright, profile)
        context.set_default_timeout(TIMEOUT_MS)
        for name, viewport in SHOTS.items():
            page = context.new_page()
            page.set_viewport_size(viewport)
            page.goto(url)
            page.wait_for_selector("#msg textarea")
            ask(page, question)
            wait_until_answered(page)
            if viewport is PHONE:  # show a source opened under its claim, as a phone does
                page.locator("#chatbot a[href^='#kilde-']").first.click()
                page.wait_for_timeout(300)
                page.evaluate("() => window.aiRejsen.showLatest()")
            page.screenshot(path=str(out / name))
            saved.append(out / name)
            page.close()
        context.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="mappe (standard docs/)")
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} mangler: apt-get install chromium")
    port = free_port()
    command = [str(Path(sys.executable).parent / "ai-rejsen"), "serve", "--host", "127.0.0.1",
               "--port", str(port)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False",
           "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, env=env)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_server(url, process, START_TIMEOUT_S)
        for path in take(url, args.out, args.question):
            print(f"gemt: {path}")
    finally:
        stop_process(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
