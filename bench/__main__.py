"""``make bench`` / ``python -m bench``: Procure at city scale, as a table of figures.

1. Seeds a dedicated PostgreSQL database (``procure_bench_<random>`` on
   127.0.0.1:5432, dropped at the end) with the default city-scale experiment.
2. Page timings in-process (Flask test client, no network) against that database.
3. Load on a real server: gunicorn with 4 workers, 32 concurrent clients for 30 s;
   then 33 procurement leads submitting scorecards at once, checked in the database.
4. Reports: render time per page and peak memory in a child process; with an RQ
   worker (when Redis answers): pages while a render runs, the cached re-download,
   and the worker's memory before and after.
5. Specification downloads served from the pipeline (``bench/served.py``): first
   download after publish, repeated download, 8 and 32 anonymous clients at once.

Options: ``--requests N`` (per page, default 50), ``--seconds S`` (load, default 30),
``--page-budget S`` (stop timing one page after S seconds, default 25), ``--quick``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

CMD = ("python -m bench " + " ".join(shlex.quote(a) for a in sys.argv[1:])).strip()


def _print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)) + " |")
    sys.stdout.flush()


def _yes(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--page-budget", type=float, default=25)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="10 requests, 10 s of load")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.seconds, args.page_budget = 10, 10, 8

    from bench import served, server

    load_avg = os.getloadavg()
    print("# Procure benchmark")
    print(f"command: {CMD}")
    print(
        f"machine: nproc={os.cpu_count()}, python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average at start "
        f"{load_avg[0]:.1f}/{load_avg[1]:.1f}/{load_avg[2]:.1f}"
    )
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="procure-bench-") as tmp,
        server.postgres_database() as url,
    ):
        tmpdir = Path(tmp)
        env = server.app_env(url, str(tmpdir / "reports"), GUNICORN_ACCESS_LOG="off")
        print(
            f"database: PostgreSQL, a fresh database {url.rsplit('/', 1)[1]} (dropped at the end)"
        )
        server.flask(env, "db", "upgrade")
        t = time.perf_counter()
        print("seed:", server.flask(env, "bench", "seed"), f"(wall {time.perf_counter() - t:.1f}s)")
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REPORTS_DIR", "SECRET_KEY")})
        results = {}
        results["pages"] = _pages(args, env)
        results["load"] = _load(args, env, tmpdir)
        results["reports"] = _reports(args, env, tmpdir)
        results["served"] = served.run(env, tmpdir, args.workers)
        _targets(results)
    print(f"\ntotal {time.monotonic() - started:.0f}s; command: {CMD}")
    return 0


# --- 1. pages in-process ----------------------------------------------------------


def _pages(args, env):
    from bench.pages import time_pages
    from procure.app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
            "SECRET_KEY": env["SECRET_KEY"],
            "REPORTS_DIR": env["REPORTS_DIR"],
        }
    )
    # As a gunicorn worker does after start-up (gunicorn.conf.py, post_worker_init).
    gc.collect()
    gc.freeze()
    trivial, timings = time_pages(app, "city-scale", args.requests, budget=args.page_budget)
    rows = [
        [
            t.name,
            t.who,
            t.status,
            t.queries,
            t.n,
            f"{t.median_ms:.1f}",
            f"{t.p95_ms:.1f}",
            f"{t.median_ms / trivial.median_ms:.1f}",
            f"{t.bytes // 1024}",
        ]
        for t in [trivial, *timings]
    ]
    _print_table(
        "Main pages of the city-scale experiment: server time in-process "
        "(Flask test client, PostgreSQL, 33 boroughs × 40 options × 16 criteria × 300 requirements)",
        ["page", "as", "status", "SQL", "n", "median ms", "p95 ms", "× trivial", "KiB"],
        rows,
    )
    return trivial, timings


# --- 2. load on gunicorn ----------------------------------------------------------


def _load(args, env, tmpdir: Path):
    from bench import load, server
    from bench.pages import PASSWORD_ADMIN, ensure_admin, main_pages
    from procure.app import create_app
    from procure.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": "x"})
    # One account per signed-in client: the same account signing in many times at once
    # collides on the user row's version (see the report).
    admins = [(f"bench-admin-{i:02d}@bench.test", PASSWORD_ADMIN) for i in range(args.clients // 2)]
    with app.app_context():
        for email, _ in admins:
            ensure_admin(email)
        db.session.commit()
        pages = main_pages("city-scale")
        storm_plan = load.prepare_storm("city-scale")
        db.session.remove()
    public = [(p.name, p.url) for p in pages if p.public]
    out = {}
    with server.gunicorn(env, args.workers, tmpdir / "gunicorn.log") as port:
        # Warm every worker's caches (templates, scoring analysis) as a deploy would.
        load.run_load(port, public, clients=args.workers * 2, seconds=5)
        result = load.run_load(
            port,
            [*public, ("trivial page", "/accessibility")],
            clients=args.clients,
            seconds=args.seconds,
            admins=admins,
        )
        out["load"] = result
        storm = load.run_storm(port, "city-scale", storm_plan)
        out["storm"] = storm
    with app.app_context():
        out["storm_problems"] = load.verify_storm("city-scale", storm_plan, storm)
        db.session.remove()

    rows = [
        [
            f"{args.clients} clients × {result.seconds:.0f}s, main pages (half admin, half public)",
            result.requests,
            f"{result.rps:.1f}",
            f"{result.p(50):.0f}",
            f"{result.p(95):.0f}",
            result.errors,
        ]
    ]
    for name, times in sorted(result.by_page.items()):
        med, p95 = load.summary(times)
        rows.append([f"  {name}", len(times), "", f"{med:.0f}", f"{p95:.0f}", ""])
    med, p95 = load.summary(storm.times)
    rows.append(
        [
            f"{storm.leads} leads sign in, GET form, POST scorecard (at once)",
            storm.leads,
            f"{storm.leads / storm.seconds:.1f}",
            f"{med:.0f}",
            f"{p95:.0f}",
            len(storm.errors),
        ]
    )
    _print_table(
        f"Under load: gunicorn, {args.workers} sync workers, PostgreSQL, "
        "standard-library thread client on loopback",
        ["scenario", "requests", "req/s", "p50 ms", "p95 ms", "errors"],
        rows,
    )
    if result.reasons:
        print("\nload errors: " + ", ".join(f"{k} ×{v}" for k, v in result.reasons.items()))
    lost = out["storm_problems"]
    print(
        f"\nscorecards verified in the database: {len(storm.posted)} posted, "
        f"{len(lost)} lost or wrong" + ("" if not lost else ": " + "; ".join(lost[:5]))
    )
    if storm.errors:
        print("storm errors: " + "; ".join(storm.errors[:5]))
    return out


# --- 3. reports -------------------------------------------------------------------


def _reports(args, env, tmpdir: Path):
    from bench import reports, server
    from bench.http import Client
    from bench.pages import PASSWORD_ADMIN

    out = {}
    startup = min(reports.startup_seconds(env) for _ in range(2))
    renders = [
        reports.render_in_child(
            env,
            "requirements specification (300 requirements)",
            "requirements",
            "city-scale",
            "participants",
            startup,
        ),
        reports.render_in_child(
            env,
            "workshop pack (city-scale)",
            "workshop-pack",
            "city-scale",
            "participants",
            startup,
        ),
    ]
    out["renders"] = renders
    rows = [
        [r.label, r.pages, f"{r.seconds:.1f}", f"{r.per_page:.3f}", f"{r.maxrss_mb:.0f}"]
        for r in renders
    ]
    rows.append(["(start-up alone: flask report kinds)", "", f"{startup:.1f}", "", ""])
    _print_table(
        "PDF reports rendered in a child process (flask report render; "
        "peak = getrusage(RUSAGE_CHILDREN).ru_maxrss)",
        ["report", "pages", "seconds", "s/page (render)", "peak MiB"],
        rows,
    )

    if not server.redis_available():
        print(f"\nRedis not answering at {server.REDIS_URL}: worker measurements skipped")
        return out
    import psycopg

    worker_env = dict(env, REDIS_URL=server.REDIS_URL)
    from redis import Redis

    Redis.from_url(server.REDIS_URL).flushdb()
    pg = env["DATABASE_URL"]

    def status_of(export_id: int) -> str:
        with psycopg.connect(pg) as conn:
            row = conn.execute(
                "SELECT status FROM report_exports WHERE id = %s", (export_id,)
            ).fetchone()
        return row[0] if row else "missing"

    slug = "city-scale"
    probe_paths = ["/accessibility", f"/experiments/{slug}", f"/experiments/{slug}/workshops"]
    with (
        server.gunicorn(worker_env, args.workers, tmpdir / "gunicorn-rq.log") as port,
        server.process([*server.FLASK, "worker"], worker_env, tmpdir / "worker.log") as worker,
    ):
        time.sleep(3)
        worker_rss_before = server.rss_kb(worker.pid)
        admin = Client(port, timeout=60)
        admin.login("bench-admin@bench.test", PASSWORD_ADMIN)
        probe = Client(port)
        for path in probe_paths:
            reports.time_gets(probe, path, 3)
        baseline = [t for p in probe_paths for t in reports.time_gets(probe, p, 10)]
        asked = time.monotonic()
        export_id = reports.request_export(admin, slug, "requirements", "members")
        during = reports.probe_during(
            probe, probe_paths, lambda: status_of(export_id) in ("queued", "running")
        )
        reports.wait_done(status_of, export_id)
        render_wait = time.monotonic() - asked
        time.sleep(1)
        worker_rss_after = server.rss_kb(worker.pid)
        again = reports.request_export(admin, slug, "requirements", "members")
        reports.wait_done(status_of, again, 30)
        download = f"/experiments/{slug}/reports/{again}/download"
        reports.time_gets(admin, download, 2)
        downloads = reports.time_gets(admin, download, 20)
    b_med, b_p95 = reports.ms(baseline)
    d_med, d_p95 = reports.ms(during)
    c_med, c_p95 = reports.ms(downloads)
    rows = [
        [
            "pages (trivial, experiment, workshops) before the render",
            len(baseline),
            f"{b_med:.0f}",
            f"{b_p95:.0f}",
        ],
        [
            "same pages while the RQ worker renders the specification",
            len(during),
            f"{d_med:.0f}",
            f"{d_p95:.0f}",
        ],
        [
            "cached re-download of the finished PDF (download route)",
            len(downloads),
            f"{c_med:.1f}",
            f"{c_p95:.1f}",
        ],
    ]
    _print_table(
        f"Reports through the app: gunicorn {args.workers} workers + 1 RQ worker (REDIS_URL set)",
        ["measure", "n", "median ms", "p95 ms"],
        rows,
    )
    print(
        f"\nexport rendered on the worker in {render_wait:.1f}s after the request; "
        f"RQ worker RSS {worker_rss_before / 1024:.0f} MiB before, "
        f"{worker_rss_after / 1024:.0f} MiB after the job (each job runs in a forked work-horse)"
    )
    out.update(
        baseline=(b_med, b_p95),
        during=(d_med, d_p95),
        download=(c_med, c_p95),
        worker_rss=(worker_rss_before, worker_rss_after),
    )
    return out


# --- targets ----------------------------------------------------------------------


def _targets(results) -> None:
    trivial, timings = results["pages"]
    rows = []
    slow = [t for t in timings if t.median_ms > 150]
    ratio = [t for t in timings if t.median_ms > 10 * trivial.median_ms]
    rows.append(
        [
            "main pages: median ≤ 150 ms",
            _yes(not slow),
            ", ".join(f"{t.name} ({t.who}) {t.median_ms:.0f}" for t in slow) or "all",
        ]
    )
    rows.append(
        [
            "main pages: ≤ 10 × trivial page",
            _yes(not ratio),
            ", ".join(f"{t.name} ({t.who}) {t.median_ms / trivial.median_ms:.0f}×" for t in ratio)
            or "all",
        ]
    )
    load = results["load"]["load"]
    rows.append(["load: zero errors", _yes(load.errors == 0), str(load.errors)])
    rows.append(["load: p95 ≤ 500 ms", _yes(load.p(95) <= 500), f"{load.p(95):.0f} ms"])
    storm = results["load"]["storm"]
    lost = results["load"]["storm_problems"]
    rows.append(
        [
            "scorecard storm: zero errors, zero lost updates",
            _yes(not storm.errors and not lost),
            f"{len(storm.errors)} errors, {len(lost)} lost/wrong",
        ]
    )
    rep = results["reports"]
    worst = max(r.per_page for r in rep["renders"])
    rows.append(["reports: ≤ 0.2 s per page", _yes(worst <= 0.2), f"worst {worst:.3f} s/page"])
    if "download" in rep:
        rows.append(
            [
                "cached re-download ≤ 50 ms",
                _yes(rep["download"][0] <= 50),
                f"median {rep['download'][0]:.1f} ms",
            ]
        )
        b, d = rep["baseline"], rep["during"]
        rows.append(
            [
                "pages answer as usual during a render",
                _yes(d[1] <= max(2 * b[1], b[1] + 50)),
                f"p95 {b[1]:.0f} ms before, {d[1]:.0f} ms during",
            ]
        )
        before, after = rep["worker_rss"]
        rows.append(
            [
                "report worker memory back to baseline",
                _yes(after <= before * 1.1 + 10240),
                f"{before / 1024:.0f} → {after / 1024:.0f} MiB",
            ]
        )
    _print_table("Targets", ["target", "result", "figures"], rows)


if __name__ == "__main__":
    raise SystemExit(main())
