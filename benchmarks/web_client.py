"""The web client as a phone on a fast network meets it: how much it weighs, and how long from
opening Strom to the first frame of the first video.

Weight: every file the built client (``web/dist``) sends, gzipped at level 9, split into the app
(``index.html``, its CSS and JS: everything but the hls.js chunk) and hls.js, which has a chunk of
its own and changes least. The app's budget is 150 kB gzipped (1 kB = 1,000 bytes), hls.js apart.

Time to first frame: ``strom run`` (the demo seeded, as ``tests/e2e`` starts it) on loopback, and
headless Chromium opening ``/`` at phone size, each time in a fresh profile (nothing cached), timed
in the page from navigation start (``performance.now()``'s origin) to the first frame of the
feed's first video (``requestVideoFrameCallback``) and to its ``playing`` event. The "limit" is a
bare page holding only ``<video autoplay muted>`` on the same video's master playlist (Chromium's
own HLS, no app, no API call), served from the same origin by the browser's request routing: what
the network, the decoder and the media files alone cost. Client and limit take turns run by run.
There is no DESIGN.md row; the bar printed is one second, the time a swipe-sized wait feels short.

Run with ``python -m benchmarks.web_client [--quick] [--runs N] [--out PATH]``; exits 1 when a run
fails or the app is over its budget, 2 when the client is not built (``cd web && npm run build``).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Error, ViewportSize, sync_playwright

from benchmarks.report import machine, save
from tests.e2e.world import CHROMIUM, CHROMIUM_ARGS, DIST, World, missing_prerequisites, running_world

DESCRIPTION = "Web client weight (gzip) and time to the first video frame on a loopback server."
DEFAULT_OUT = Path(__file__).parent / "results" / "web_client.json"
APP_BUDGET_BYTES = 150_000
FIRST_FRAME_TARGET_MS = 1000.0
RUNS, QUICK_RUNS = 20, 5
PHONE: ViewportSize = {"width": 390, "height": 844}
RUN_TIMEOUT_MS = 30_000
LIMIT_PATH = "/__bench/bare-video"
WAIT_FOR_FRAME = """(ms) => Promise.race([
    window.__firstFrame,
    new Promise((_, fail) => setTimeout(() => fail(new Error('no frame in time')), ms)),
])"""

#: Installed before any script of the page: resolves, once both happened, with the times of the
#: first frame and of ``playing`` of the first <video> in the document (the feed's first slide; the
#: limit page's only one).
PROBE = """
window.__firstFrame = new Promise((resolve) => {
  const times = { firstFrame: null, playing: null };
  const settle = () => { if (times.firstFrame !== null && times.playing !== null) resolve(times); };
  let watched = null;
  const watch = () => {
    const video = document.querySelector('video');
    if (!video || watched === video) return;
    watched = video;
    const playing = () => { times.playing ??= performance.now(); settle(); };
    video.addEventListener('playing', playing, { once: true });
    video.requestVideoFrameCallback(() => { times.firstFrame ??= performance.now(); settle(); });
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
});
"""


# -- weight ------------------------------------------------------------------------------------------


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


@dataclasses.dataclass(frozen=True, slots=True)
class Asset:
    file: str
    part: str  # "app" or "hls.js"
    bytes: int
    gzip_bytes: int


def weight(dist: Path) -> dict[str, Any]:
    """Every JS, CSS and HTML file of the build, raw and gzipped, and the totals of app and hls.js."""
    files = sorted(p for p in dist.rglob("*") if p.suffix in {".js", ".css", ".html"})
    assets = [
        Asset(
            str(p.relative_to(dist)),
            "hls.js" if p.name.startswith("hls") else "app",
            p.stat().st_size,
            gzipped(p),
        )
        for p in files
    ]

    def total(part: str, suffix: str = "") -> int:
        return sum(a.gzip_bytes for a in assets if a.part == part and a.file.endswith(suffix))

    app = total("app")
    return {
        "files": [dataclasses.asdict(a) for a in assets],
        "app_js_gzip_bytes": total("app", ".js"),
        "app_css_gzip_bytes": total("app", ".css"),
        "app_html_gzip_bytes": total("app", ".html"),
        "app_gzip_bytes": app,
        "hls_gzip_bytes": total("hls.js"),
        "app_budget_bytes": APP_BUDGET_BYTES,
        "within_budget": app <= APP_BUDGET_BYTES,
    }


# -- time to first frame -----------------------------------------------------------------------------


def first_video(world: World) -> str:
    """The public master playlist of the feed's first video, for the limit page."""
    with world.client() as http:
        first = http.get("/v1/feed/for-you", params={"limit": 1}).json()["items"][0]["video_id"]
    playlist: str = world.video(first)["playback"]["master_playlist"]
    return playlist


def one_run(browser: Browser, world: World, path: str, bare_html: str | None = None) -> dict[str, float]:
    context = browser.new_context(base_url=world.url, viewport=PHONE)
    try:
        context.add_init_script(PROBE)
        if bare_html is not None:
            context.route(
                f"**{LIMIT_PATH}", lambda route: route.fulfill(body=bare_html, content_type="text/html")
            )
        page = context.new_page()
        page.goto(path, wait_until="commit")
        times: dict[str, float] = page.evaluate(
            WAIT_FOR_FRAME,
            RUN_TIMEOUT_MS,
        )
        return times
    finally:
        context.close()


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"runs": 0, "median_ms": None, "p95_ms": None, "min_ms": None, "max_ms": None}
    return {
        "runs": len(values),
        "median_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "min_ms": round(min(values), 1),
        "max_ms": round(max(values), 1),
    }


def first_frames(world: World, runs: int) -> dict[str, Any]:
    playlist = first_video(world)
    bare = f'<!doctype html><video src="{playlist}" autoplay muted playsinline></video>'
    ours: dict[str, list[float]] = {"firstFrame": [], "playing": []}
    limit: dict[str, list[float]] = {"firstFrame": [], "playing": []}
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            one_run(browser, world, "/")  # the server's first answers warm its caches, as a live one's are
            for _ in range(runs):
                for path, html, into in ((LIMIT_PATH, bare, limit), ("/", None, ours)):
                    try:
                        times = one_run(browser, world, path, html)
                    except Error as exc:
                        failures.append(f"{path}: {exc.message.splitlines()[0]}")
                        continue
                    for key, values in into.items():
                        if times.get(key) is not None:
                            values.append(float(times[key]))
        finally:
            browser.close()
    return {
        "how": "fresh Chromium profile per run, phone viewport, loopback; from navigation start",
        "client": {"first_frame": summary(ours["firstFrame"]), "playing": summary(ours["playing"])},
        "limit": {
            "how": "a bare <video autoplay muted> on the same master playlist (Chromium's own HLS)",
            "first_frame": summary(limit["firstFrame"]),
            "playing": summary(limit["playing"]),
        },
        "target_ms": FIRST_FRAME_TARGET_MS,
        "met": bool(ours["firstFrame"]) and percentile(ours["firstFrame"], 95) <= FIRST_FRAME_TARGET_MS,
        "failures": failures,
    }


# -- the report --------------------------------------------------------------------------------------


def _kb(n: int) -> str:
    return f"{n / 1000:,.1f} kB"


def _ms(row: dict[str, Any]) -> str:
    if not row["runs"]:
        return "no runs"
    return f"median {row['median_ms']:,.0f} ms, p95 {row['p95_ms']:,.0f} ms ({row['runs']} runs)"


def table(size: dict[str, Any], frames: dict[str, Any]) -> str:
    rows = [
        ("measure", "client", "limit / budget", "met"),
        (
            "app JS + CSS + HTML (gzip)",
            f"{_kb(size['app_gzip_bytes'])} (JS {_kb(size['app_js_gzip_bytes'])},"
            f" CSS {_kb(size['app_css_gzip_bytes'])})",
            f"budget {_kb(APP_BUDGET_BYTES)}",
            "yes" if size["within_budget"] else "no",
        ),
        ("hls.js chunk (gzip)", _kb(size["hls_gzip_bytes"]), "not budgeted", ""),
        (
            "first frame of first video",
            _ms(frames["client"]["first_frame"]),
            f"bare <video>: {_ms(frames['limit']['first_frame'])};"
            f" target p95 <= {FIRST_FRAME_TARGET_MS:,.0f} ms",
            "yes" if frames["met"] else "no",
        ),
        ("'playing' of first video", _ms(frames["client"]["playing"]), _ms(frames["limit"]["playing"]), ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_client", description=DESCRIPTION)
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_RUNS} runs instead of {RUNS}: a smoke run"
    )
    parser.add_argument(
        "--runs", type=int, default=None, help="page loads of each kind (default %(default)s)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if (reason := missing_prerequisites()) is not None:
        print(f"cannot run: {reason}")
        return 2
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    size = weight(DIST)
    with (
        tempfile.TemporaryDirectory(prefix="strom-bench-web-") as folder,
        running_world(Path(folder)) as world,
    ):
        frames = first_frames(world, runs)
    print(table(size, frames))
    for failure in frames["failures"]:
        print(f"  {failure}")
    save(
        args.out,
        {
            "benchmark": "web_client",
            "mode": "quick" if args.quick else "full",
            "machine": machine(),
            "weight": size,
            "first_frame": frames,
        },
    )
    return 1 if frames["failures"] or not size["within_budget"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
