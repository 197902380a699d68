#!/usr/bin/env python3
"""Benchmark: from navigation to an interactive lineage graph of ~2,000 nodes
in the web UI, in headless Chromium.

Usage (by hand, not from CI; the e2e venv has Playwright):

    cargo build --release
    ~/.cache/meshgraph/venv/bin/python benches/web_lineage.py [PATH/TO/meshgraph]

The binary defaults to $CARGO_TARGET_DIR/release/meshgraph (else
target/release/meshgraph). The script:

1. generates a mesh with `meshgraph generate` (2,000 datasets, 1,700 jobs,
   one day, 5 hubs: the first hub's downstream is ~2,100 datasets and jobs),
   loads it with `meshgraph load` into a temporary data directory and starts
   `meshgraph serve` on it, on a free loopback port;
2. opens `/#/lineage?node=<the hub>&direction=downstream&depth=20` in
   Debian's Chromium (headless, fresh profile, same flags as the e2e check),
   RUNS times: the first load is cold (nothing cached), the others warm (the
   scripts revalidated by ETag, the answer fetched anew);
3. reports, per load, the time from navigation start to the first frame of
   the drawn graph (the `graph-ready` performance mark, after which the
   graph answers clicks, pans and zooms), the GraphQL request's time, the
   layout's time, and the mean time of a frame while panning by keyboard
   (Shift and the arrows).

Environment: MESHGRAPH_BENCH_DATASETS (2000), MESHGRAPH_BENCH_JOBS (1700),
MESHGRAPH_BENCH_RUNS (5), MESHGRAPH_CHROMIUM (/usr/bin/chromium).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

# The e2e checks' Chromium: the same executable and flags.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from _browsers import Chromium  # noqa: E402

CHROMIUM = Chromium.EXECUTABLE
FLAGS = Chromium.FLAGS

DATASETS = int(os.environ.get("MESHGRAPH_BENCH_DATASETS", "2000"))
JOBS = int(os.environ.get("MESHGRAPH_BENCH_JOBS", "1700"))
RUNS = int(os.environ.get("MESHGRAPH_BENCH_RUNS", "5"))
HUB = "dataset:snowflake://acme.shared:SHARED.CORE.DIM_CUSTOMER"
PAN_FRAMES = 30

# Pans the graph by keyboard (Shift and an arrow), one step per frame; the mean frame time.
PAN_SCRIPT = """async (frames) => {
  const graph = document.querySelector('.graph');
  graph.focus();
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  await frame();
  const start = performance.now();
  for (let i = 0; i < frames; i++) {
    graph.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowLeft' : 'ArrowUp', shiftKey: true, bubbles: true }));
    await frame();
  }
  return (performance.now() - start) / frames;
}"""

TIMINGS_SCRIPT = """() => {
  const ready = performance.getEntriesByName('graph-ready')[0].startTime;
  const layout = performance.getEntriesByName('graph-layout').pop().duration;
  const query = performance.getEntriesByType('resource').filter((r) => r.name.endsWith('/graphql')).pop();
  return { ready, layout, query: query ? query.duration : null, nodes: Number(document.querySelector('.graph').dataset.nodes) };
}"""


def binary() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1]).resolve()
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path(__file__).resolve().parents[1] / "target"))
    return target / "release" / "meshgraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    meshgraph = binary()
    if not os.access(meshgraph, os.X_OK):
        print(f"{meshgraph} is not an executable meshgraph binary (cargo build --release)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="meshgraph-web-bench-") as tmp:
        events = Path(tmp) / "mesh.ndjson"
        data = Path(tmp) / "data"
        generate = [
            "generate", "--datasets", str(DATASETS), "--jobs", str(JOBS), "--days", "1",
            "--columns", "5", "--hubs", "5", "--chains", "0", "--out", str(events),
        ]  # fmt: skip
        subprocess.run([meshgraph, *generate], check=True)
        subprocess.run([meshgraph, "load", str(events), "--data-dir", str(data), "--quiet"], check=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [meshgraph, "serve", "--data-dir", str(data), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(base)
            return measure(base)
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as resp:
                print(f"server: {json.loads(resp.read())['lineage']}")
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def measure(base: str) -> int:
    url = f"{base}/#/lineage?" + urllib.parse.urlencode({"node": HUB, "direction": "downstream", "depth": 20})
    rows = []
    with tempfile.TemporaryDirectory(prefix="meshgraph-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS, viewport={"width": 1400, "height": 900}
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            print(f"chromium {context.browser.version if context.browser else ''}: {url}")
            for run in range(RUNS):
                page.goto("about:blank")
                page.goto(url)
                page.wait_for_selector(".graph[data-ready]", timeout=60_000)
                timings = page.evaluate(TIMINGS_SCRIPT)
                timings["pan"] = page.evaluate(PAN_SCRIPT, PAN_FRAMES)
                rows.append(timings)
                kind = "cold" if run == 0 else "warm"
                print(
                    f"  {kind}: {timings['nodes']} nodes interactive {timings['ready']:.0f} ms after navigation "
                    f"(GraphQL {timings['query'] or 0:.0f} ms, layout {timings['layout']:.0f} ms); "
                    f"panning {timings['pan']:.1f} ms a frame"
                )
            if errors:
                print(f"console errors: {errors}", file=sys.stderr)
                return 1
        finally:
            context.close()
    ready = [r["ready"] for r in rows]
    print(
        f"navigation to interactive graph of {rows[0]['nodes']} nodes: cold {ready[0]:.0f} ms, "
        f"median of all {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms; "
        f"pan frame median {statistics.median(r['pan'] for r in rows):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
