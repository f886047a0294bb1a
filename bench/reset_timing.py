"""``python -m bench.reset_timing``: "Forgotten your password?" answers as fast for an
unknown address as for a known one.

Posts the form N times for an address with an account and N times for one without
(interleaved), on a scratch SQLite database with the default outbox (held), and prints
the response times. The view holds every answer to ``RESET_RESPONSE_FLOOR`` (0.4 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from procure.accounts.services import create_user
from procure.app import create_app
from procure.extensions import db

KNOWN = "lead@camden.bench.test"
UNKNOWN = "nobody@camden.bench.test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20, help="per address (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "PROCURE_ENV": "testing",
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            upgrade()
            create_user(email=KNOWN, name="Bench Lead", password="violet kettle harbour lantern")  # noqa: S106 - a bench account
            db.session.commit()
        client = app.test_client()
        for email in (KNOWN, UNKNOWN):  # warm-up: templates compiled, connections open
            client.post("/forgot-password", data={"email": email})
        times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
        for _ in range(args.requests):
            for email in (KNOWN, UNKNOWN):
                started = time.perf_counter()
                response = client.post("/forgot-password", data={"email": email})
                times[email].append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        floor = app.config["RESET_RESPONSE_FLOOR"]
        print(f"Forgotten password: {args.requests} requests per address, floor {floor:.2f} s")
        print(f"{'address':<12} {'median':>8} {'p95':>8} {'min':>8} {'max':>8}")
        for label, email in (("known", KNOWN), ("unknown", UNKNOWN)):
            values = sorted(times[email])
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            print(
                f"{label:<12} {statistics.median(values):8.3f} {p95:8.3f} "
                f"{values[0]:8.3f} {values[-1]:8.3f}"
            )
        gap = statistics.median(times[KNOWN]) - statistics.median(times[UNKNOWN])
        print(f"median difference (known − unknown): {gap * 1000:+.1f} ms")


if __name__ == "__main__":
    main()
