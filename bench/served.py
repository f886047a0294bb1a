"""Specification downloads served from the report pipeline (issue 17).

On the city-scale experiment, with gunicorn and one RQ worker: the first anonymous
download after publishing (the publish queues each audience's PDF), the repeated
download, 8 and 32 anonymous clients asking at once for a file nobody has rendered
yet (counting the renders in the database), and other pages' latency meanwhile.

``python -m bench.served`` runs it alone on a fresh database; ``make bench`` runs it
as its last part.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

import psycopg

from bench import server
from bench.http import Client
from bench.reports import ms

SLUG = "city-scale"


def _download(version: str) -> str:
    return f"/experiments/{SLUG}/specification/{version}/download/pdf"


def _fetch_until_file(port: int, path: str, out: dict, limit: float = 600) -> None:
    """One anonymous person: GET, then "Check again" every second until the PDF comes."""
    client = Client(port, timeout=60)
    started = time.monotonic()
    slowest = 0.0
    answers = 0
    try:
        while time.monotonic() - started < limit:
            status, body, elapsed, headers = client.get(path)
            answers += 1
            slowest = max(slowest, elapsed)
            if status == 200 and headers.get("Content-Type", "").startswith("application/pdf"):
                out.update(ok=body.startswith(b"%PDF"), wait=time.monotonic() - started)
                break
            if status != 202:
                out.update(ok=False, error=status)
                break
            time.sleep(1.0)
    finally:
        client.close()
    out.update(slowest=slowest, answers=answers)


def _renders(pg: str, version: str) -> int:
    with psycopg.connect(pg) as conn:
        return conn.execute(
            "SELECT count(*) FROM report_exports e JOIN experiments x ON x.id = e.experiment_id "
            "WHERE x.slug = %s AND e.kind = 'requirements' AND e.audience = 'public' "
            "AND e.params::text LIKE %s AND e.status = 'done' AND e.file_path <> ''",
            (SLUG, f'%"{version}"%'),
        ).fetchone()[0]


def _forget(pg: str, version: str) -> None:
    """Clear the cache of one version (records and so files), as if never rendered."""
    with psycopg.connect(pg) as conn:
        conn.execute(
            "DELETE FROM report_exports WHERE kind = 'requirements' AND params::text LIKE %s",
            (f'%"{version}"%',),
        )


def _crowd(port: int, path: str, clients: int, probe_paths: list[str]):
    results = [{} for _ in range(clients)]
    threads = [threading.Thread(target=_fetch_until_file, args=(port, path, r)) for r in results]
    probe, probe_times = Client(port), []
    started = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for p in probe_paths:
            status, _, elapsed, _ = probe.get(p)
            if status == 200:
                probe_times.append(elapsed)
        time.sleep(0.1)
    for t in threads:
        t.join()
    return results, probe_times, time.monotonic() - started


def run(env: dict[str, str], tmpdir: Path, workers: int = 4) -> list[list[str]]:
    """Measure on a seeded database (``env`` from ``server.app_env``); print a table."""
    if not server.redis_available():
        print(f"\nRedis not answering at {server.REDIS_URL}: served-file measurements skipped")
        return []
    from redis import Redis

    Redis.from_url(server.REDIS_URL).flushdb()
    # Every bench client shares 127.0.0.1: lift the per-client download limit here.
    env = dict(env, REDIS_URL=server.REDIS_URL, PUBLIC_DOWNLOAD_RATE_LIMIT="100000 per minute")
    pg = env["DATABASE_URL"]
    probe_paths = ["/accessibility", f"/experiments/{SLUG}", f"/experiments/{SLUG}/specification"]
    rows: list[list[str]] = []
    with (
        server.gunicorn(env, workers, tmpdir / "gunicorn-served.log") as port,
        server.process([*server.FLASK, "worker"], env, tmpdir / "worker-served.log"),
    ):
        time.sleep(3)
        probe = Client(port)
        baseline = [probe.get(p)[2] for p in probe_paths * 10]
        # Publishing queues the PDFs (as the publish page does), then the first download.
        _forget(pg, "1.0")
        server.flask(env, "report", "queue-spec", SLUG, "1.0")
        first: dict = {}
        _fetch_until_file(port, _download("1.0"), first)
        rows.append(
            [
                "first anonymous download after publish (1.0)",
                "1",
                f"slowest answer {first.get('slowest', 0) * 1000:.0f} ms",
                f"file after {first.get('wait', float('nan')):.1f} s, {first.get('answers')} answers",
                "ok" if first.get("ok") else f"FAILED {first}",
            ]
        )
        anon = Client(port)
        again = [anon.get(_download("1.0"))[2] for _ in range(20)]
        med, p95 = ms(again)
        rows.append(
            [
                "repeated anonymous download (1.0)",
                "20",
                f"median {med:.1f} ms",
                f"p95 {p95:.1f} ms",
                "",
            ]
        )
        for clients in (8, 32):
            _forget(pg, "0.1")
            results, during, seconds = _crowd(port, _download("0.1"), clients, probe_paths)
            ok = sum(1 for r in results if r.get("ok"))
            slowest = max(r.get("slowest", 0) for r in results) * 1000
            rows.append(
                [
                    f"{clients} anonymous clients at once, 0.1 not rendered yet",
                    str(clients),
                    f"slowest answer {slowest:.0f} ms",
                    f"all files after {seconds:.1f} s; renders: {_renders(pg, '0.1')}",
                    f"{ok}/{clients} got the PDF",
                ]
            )
            d_med, d_p95 = ms(during)
            rows.append(
                [
                    f"  other pages meanwhile ({len(during)} GETs)",
                    str(len(during)),
                    f"median {d_med:.0f} ms",
                    f"p95 {d_p95:.0f} ms",
                    "",
                ]
            )
    b_med, b_p95 = ms(baseline)
    rows.insert(
        0,
        [
            "other pages, idle",
            str(len(baseline)),
            f"median {b_med:.0f} ms",
            f"p95 {b_p95:.0f} ms",
            "",
        ],
    )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    print(
        f"\n## Specification downloads from the pipeline: gunicorn {workers} workers + 1 RQ worker\n"
    )
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return rows


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="procure-bench-") as tmp,
        server.postgres_database() as url,
    ):
        env = server.app_env(url, str(Path(tmp) / "reports"), GUNICORN_ACCESS_LOG="off")
        server.flask(env, "db", "upgrade")
        print("seed:", server.flask(env, "bench", "seed"))
        run(env, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
