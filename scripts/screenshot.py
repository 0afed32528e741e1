"""Take the README's screenshot: the map page on the bundled data, legend open, no outlines.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--db URL]

Starts `streamlit run app.py` on a free local port, drives Debian's Chromium (/usr/bin/chromium)
with every request outside the server blocked (so map tiles are missing, as offline), saves a PNG.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.places.boundaries import BOUNDARIES_ENV  # noqa: E402
from geo.settings import DB_ENV  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("streamlit exited before answering")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"streamlit did not answer within {timeout:.0f} s")


def shoot(base: str, out: Path, width: int, height: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(30_000)
        page.context.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(base) else route.abort())
        page.goto(base, wait_until="domcontentloaded")
        page.wait_for_selector(MAP_FRAME)
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("body").evaluate("""() => new Promise((done, fail) => {
            const start = Date.now();
            (function poll() {
                if (window.strikeAtlasLayer && window.strikeAtlasLayer.drawnMs) return done();
                if (Date.now() - start > 20000) return fail(new Error('the map did not draw'));
                setTimeout(poll, 100);
            })(); })""")
        page.wait_for_selector("[data-test-script-state='notRunning']", state="attached")
        frame.locator("details.sa-legend summary").click()  # show the legend, folded on this width
        page.wait_for_timeout(800)
        page.screenshot(path=str(out))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--db", help="store URL (default: the bundled data's store)")
    parser.add_argument("--size", default="1400x1000", help="viewport WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.lower().split("x"))
    port = free_port()
    with tempfile.TemporaryDirectory() as no_outlines:
        env = {**os.environ, BOUNDARIES_ENV: no_outlines}
        if args.db:
            env[DB_ENV] = args.db
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, process)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            shoot(base, args.out, width, height)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
