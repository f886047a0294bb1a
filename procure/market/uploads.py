"""Holding an uploaded spreadsheet between its preview and the person's confirmation.

The file is kept as ``<token>.upload`` under the uploads folder (``MARKET_UPLOAD_DIR``,
default ``instance/uploads``); the random token and what it is for (kind,
experiment, file name) live in the signed session cookie. Keeping the bytes on
the server rather than re-posting the parsed rows in a signed hidden field
means the confirm step re-reads and re-checks exactly the file that was
previewed, against the database as it is at that moment, and the page stays
small however big the file was. Files older than ``MAX_AGE`` are swept away.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path

from flask import current_app, session

MAX_AGE_SECONDS = 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_SESSION_KEY = "market_import"


def upload_dir() -> Path:
    folder = Path(
        current_app.config.get("MARKET_UPLOAD_DIR") or Path(current_app.instance_path) / "uploads"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    if not _TOKEN.match(token):
        raise ValueError("not an upload token")
    return upload_dir() / f"{token}.upload"


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in upload_dir().glob("*.upload"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def hold(kind: str, experiment_id: int, filename: str, data: bytes) -> str:
    """Keep ``data`` for a later confirm; returns the token (also remembered in the session)."""
    _sweep()
    discard()
    token = secrets.token_urlsafe(32)
    _path(token).write_bytes(data)
    session[_SESSION_KEY] = {
        "token": token,
        "kind": kind,
        "experiment_id": experiment_id,
        "filename": filename[:200],
    }
    return token


def held(token: str, kind: str, experiment_id: int) -> tuple[str, bytes] | None:
    """The file name and bytes held under ``token`` for this person, kind and experiment."""
    pending = session.get(_SESSION_KEY)
    if (
        not pending
        or not token
        or not secrets.compare_digest(str(pending.get("token", "")), token)
        or pending.get("kind") != kind
        or pending.get("experiment_id") != experiment_id
    ):
        return None
    try:
        return pending["filename"], _path(token).read_bytes()
    except (OSError, ValueError):
        return None


def discard() -> None:
    """Forget the held file, if any."""
    pending = session.pop(_SESSION_KEY, None)
    if pending:
        with contextlib.suppress(ValueError):
            _path(str(pending.get("token", ""))).unlink(missing_ok=True)
