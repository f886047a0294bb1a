"""PDF report benchmarks: render time per page and peak memory (in a child process),
the cached re-download, and whether pages stay fast while a render runs on a worker."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pypdf

from bench.http import Client
from bench.pages import percentile
from bench.server import FLASK, ROOT


@dataclass
class RenderResult:
    label: str
    seconds: float  # the whole command, start-up included
    pages: int
    maxrss_mb: float
    startup: float = 0.0  # the same command's start-up alone (``flask report kinds``)

    @property
    def per_page(self) -> float:
        """Seconds per page of the render itself (start-up subtracted)."""
        return (self.seconds - self.startup) / self.pages if self.pages else float("nan")


def startup_seconds(env: dict[str, str]) -> float:
    """Wall time of ``flask report kinds``: Python, imports and the app, no render."""
    done = subprocess.run(  # noqa: S603 - our own fixed command
        [sys.executable, "-m", "bench.measure", *FLASK, "report", "kinds"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def render_in_child(
    env: dict[str, str], label: str, kind: str, slug: str, audience: str, startup: float = 0.0
):
    """``flask report render`` in a child process, measured by ``bench.measure``."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.pdf"
        args = [
            sys.executable,
            "-m",
            "bench.measure",
            *FLASK,
            "report",
            "render",
            kind,
            "--experiment",
            slug,
            "--audience",
            audience,
            "--output",
            str(output),
        ]
        done = subprocess.run(  # noqa: S603 - our own fixed command
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=True
        )
        measured = json.loads(done.stdout.strip().splitlines()[-1])
        if measured["returncode"] != 0:
            raise RuntimeError(f"render {kind} failed: {measured['stderr']}")
        pages = len(pypdf.PdfReader(output).pages)
    return RenderResult(label, measured["seconds"], pages, measured["maxrss_kb"] / 1024, startup)


_EXPORT_ID = re.compile(r"/reports/(\d+)")


def request_export(client: Client, slug: str, kind: str, audience: str) -> int:
    """Ask for an export through the reports page; return the export id."""
    url = f"/experiments/{slug}/reports"
    token, _, _ = client.csrf(url)
    status, _, _, headers = client.post(
        url, {"csrf_token": token, "kind": kind, "audience": audience}
    )
    match = _EXPORT_ID.search(headers.get("Location", ""))
    if status != 302 or match is None:
        raise RuntimeError(f"Export request answered {status}")
    return int(match.group(1))


def wait_done(status_of, export_id: int, seconds: float = 600) -> float:
    """Poll the database until the export is done; return how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        status = status_of(export_id)
        if status == "done":
            return time.monotonic() - started
        if status == "failed":
            raise RuntimeError(f"Export {export_id} failed")
        time.sleep(0.2)
    raise RuntimeError(f"Export {export_id} not done after {seconds}s")


def time_gets(client: Client, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        status, _, elapsed, _ = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        times.append(elapsed)
    return times


def probe_during(client: Client, paths: list[str], busy, max_seconds: float = 300) -> list[float]:
    """GET ``paths`` in turn while ``busy()`` is true; the answer times."""
    times = []
    started = time.monotonic()
    while busy() and time.monotonic() - started < max_seconds:
        for path in paths:
            status, _, elapsed, _ = client.get(path)
            if status == 200:
                times.append(elapsed)
        time.sleep(0.05)
    return times


def ms(times: list[float]) -> tuple[float, float]:
    if not times:
        return float("nan"), float("nan")
    return statistics.median(times) * 1000, percentile(times, 95) * 1000
