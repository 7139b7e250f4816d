"""Web performance budget: initial JavaScript of the customer entry (gzipped) and first
contentful paint on the local server in headless Chromium.

    .venv/bin/python benchmarks/web_budget.py            # starts its own `kirana up`
    .venv/bin/python benchmarks/web_budget.py --url URL  # measures a running server

Budgets: initial JS < 250 KB gzipped, FCP < 1500 ms (median of cold loads). Writes
benchmarks/results/web_budget.json and exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "src" / "kirana" / "static" / "app"
RESULTS = ROOT / "benchmarks" / "results" / "web_budget.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JS_BUDGET_KB = 250.0
FCP_BUDGET_MS = 1500.0


def gzipped_kb(path: Path) -> float:
    return len(gzip.compress(path.read_bytes(), compresslevel=9)) / 1024


def initial_assets(index_html: str) -> tuple[list[str], list[str]]:
    """The JS and CSS the browser fetches before the first render: the entry module, its
    modulepreloads and the stylesheets. Lazy chunks (staff screens, the map) are not counted."""
    js = re.findall(r'<script[^>]+type="module"[^>]+src="([^"]+)"', index_html)
    js += re.findall(r'<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"', index_html)
    css = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', index_html)
    return sorted(set(js)), sorted(set(css))


def bundle_report() -> dict[str, object]:
    index = APP / "index.html"
    if not index.exists():
        sys.exit("web app not built: npm --prefix web ci && npm --prefix web run build")
    js, css = initial_assets(index.read_text())
    js_kb = sum(gzipped_kb(APP / p.lstrip("/")) for p in js)
    css_kb = sum(gzipped_kb(APP / p.lstrip("/")) for p in css)
    lazy = sorted(
        (p.name, round(gzipped_kb(p), 1))
        for p in (APP / "assets").glob("*.js")
        if f"/assets/{p.name}" not in js
    )
    return {
        "initial_js": js,
        "initial_js_gzip_kb": round(js_kb, 1),
        "initial_css_gzip_kb": round(css_kb, 1),
        "lazy_chunks_gzip_kb": dict(lazy),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def kirana_up() -> Iterator[str]:
    tmp = Path(tempfile.mkdtemp(prefix="kirana-web-budget-"))
    port = free_port()
    env = {**os.environ, "KIRANA_DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'k.db'}"}
    kirana = Path(sys.executable).parent / "kirana"
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [str(kirana), "up", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                sys.exit(f"kirana up exited: {(tmp / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("kirana up did not answer within 120 s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def measure_fcp(url: str, runs: int, ready_samples: list[float]) -> list[float]:
    from playwright.sync_api import sync_playwright

    samples: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(runs + 1):
                # A fresh context each time: empty HTTP cache and no service worker (cold load).
                ctx = browser.new_context(
                    viewport={"width": 360, "height": 740}, service_workers="block"
                )
                page = ctx.new_page()
                page.goto(url + "/", wait_until="load")
                fcp = page.evaluate(
                    """() => new Promise((resolve) => {
                        const read = () => performance.getEntriesByName('first-contentful-paint')[0];
                        const hit = read();
                        if (hit) return resolve(hit.startTime);
                        new PerformanceObserver((list) => {
                          const e = list.getEntriesByName('first-contentful-paint')[0];
                          if (e) resolve(e.startTime);
                        }).observe({ type: 'paint', buffered: true });
                    })"""
                )
                # Informational: when React has rendered the customer shell over the boot HTML.
                page.wait_for_selector("header.topbar")
                ready = page.evaluate(
                    "() => performance.getEntriesByName('kirana:app-rendered')[0]?.startTime ?? NaN"
                )
                if i > 0:  # the first load warms the server process, not the browser cache
                    samples.append(float(fcp))
                    ready_samples.append(float(ready))
                ctx.close()
        finally:
            browser.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="measure this running server instead of starting one")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    report = bundle_report()
    ready: list[float] = []
    if args.url:
        samples = measure_fcp(args.url.rstrip("/"), args.runs, ready)
    else:
        with kirana_up() as url:
            samples = measure_fcp(url, args.runs, ready)
    fcp = statistics.median(samples)
    js_kb = float(report["initial_js_gzip_kb"])  # type: ignore[arg-type]
    result = {
        **report,
        "fcp_ms_samples": [round(s, 1) for s in samples],
        "fcp_ms_median": round(fcp, 1),
        "app_shell_rendered_ms_median": round(statistics.median(ready), 1),
        "budgets": {"initial_js_gzip_kb": JS_BUDGET_KB, "fcp_ms": FCP_BUDGET_MS},
        "within_budget": js_kb < JS_BUDGET_KB and fcp < FCP_BUDGET_MS,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"initial JS (customer entry): {js_kb:.1f} KB gzipped  (budget {JS_BUDGET_KB:.0f} KB)")
    print(f"initial CSS: {report['initial_css_gzip_kb']} KB gzipped")
    print(
        f"first contentful paint: median {fcp:.0f} ms over {len(samples)} cold loads "
        f"(budget {FCP_BUDGET_MS:.0f} ms)"
    )
    print(f"app shell rendered by React: median {statistics.median(ready):.0f} ms (no budget)")
    print(f"-> {RESULTS.relative_to(ROOT)}")
    if not result["within_budget"]:
        print("OVER BUDGET", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
