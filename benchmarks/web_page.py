"""Benchmark: the web flow's page (/ui/, vitesse/api/web/): its bundle size and its first load.

    uv run python benchmarks/web_page.py [--runs 5]

Bundle: every file of vitesse/api/web/ in bytes, raw and gzip (level 9), per file and in total: the page loads all
of them (index.html, style.css and the ES modules app.js imports), nothing else.

First load: `vitesse api` as a subprocess with a token over a scratch copy of the demo project (integrations/), and
headless Debian Chromium (Playwright, /usr/bin/chromium) opening /ui/#token=... in a fresh browser context (empty
cache) each time: the time to DOMContentLoaded and to the start screen's data (the `vitesse:start-data` mark the page
sets once GET /integrations has answered and the list is drawn), both from navigation start, median of --runs.
Every request to a host other than 127.0.0.1 is aborted and counted: the count must be 0.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.api_support import ApiServer  # noqa: E402
from tests.support.browser import CHROMIUM, loopback_only  # noqa: E402
from vitesse.api.webui import WEB_DIR  # noqa: E402

TOKEN = "benchmark-token-0123456789abcdef"
TIMINGS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const mark = performance.getEntriesByName("vitesse:start-data")[0];
  return [nav.domContentLoadedEventEnd, mark ? mark.startTime : null];
}"""


def bundle() -> None:
    rows = []
    for path in sorted(p for p in WEB_DIR.iterdir() if p.is_file()):
        data = path.read_bytes()
        rows.append((path.name, len(data), len(gzip.compress(data, 9))))
    print(f"{'file':<14}{'raw B':>10}{'gzip B':>10}")
    for name, raw, packed in rows:
        print(f"{name:<14}{raw:>10}{packed:>10}")
    print(f"{'total':<14}{sum(r[1] for r in rows):>10}{sum(r[2] for r in rows):>10}")


def first_load(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="vitesse-web-bench-"))
    shutil.copytree(ROOT / "integrations", scratch / "integrations")
    server = ApiServer(scratch, {"VITESSE_API_TOKEN": TOKEN})
    outside: list[str] = []

    loaded, ready = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 800})
                    outside += loopback_only(context)
                    page = context.new_page()
                    page.goto(f"{server.url}/ui/#token={TOKEN}")
                    page.wait_for_selector("#integrations[data-loaded]", timeout=30_000)
                    dom, data = page.evaluate(TIMINGS)
                    loaded.append(dom)
                    ready.append(data)
                    context.close()
            finally:
                browser.close()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"first load, median of {runs} (fresh context each): DOMContentLoaded {statistics.median(loaded):.0f} ms, "
        f"start screen's data {statistics.median(ready):.0f} ms (min {min(ready):.0f}, max {max(ready):.0f})"
    )
    print(f"requests leaving the machine: {len(outside)}")
    if outside:
        raise SystemExit(f"requests to other hosts: {outside}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bundle()
    first_load(args.runs)


if __name__ == "__main__":
    main()
