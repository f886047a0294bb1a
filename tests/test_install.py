"""A production install is complete: the package installed *without* its dev extras, in a
fresh virtual environment, migrates a database, loads the demo and renders a report (so no
runtime import hides in the dev dependencies, as pypdf once did)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(  # noqa: S603 - our own venv and commands
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_install_without_dev_extras_renders_a_report(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], os.environ.copy(), tmp_path)
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'procure.db'}",
        "REPORTS_DIR": str(tmp_path / "reports"),
        "PROCURE_ENV": "development",
        "SECRET_KEY": "install-test-secret",
    }
    _run([str(venv / "bin/pip"), "install", "--quiet", "--editable", str(ROOT)], env, tmp_path)
    missing_dev = subprocess.run(  # noqa: S603 - our own venv
        [str(venv / "bin/python"), "-c", "import pytest"], env=env, capture_output=True, check=False
    )
    assert missing_dev.returncode != 0, "the fresh environment must not have the dev extras"

    flask = [str(venv / "bin/flask"), "--app", str(ROOT / "wsgi.py")]
    _run([*flask, "db", "upgrade"], env, tmp_path)
    _run([*flask, "demo", "load"], env, tmp_path)
    pdf = tmp_path / "summary.pdf"
    out = _run(
        [
            *flask,
            "report",
            "render",
            "summary",
            "--experiment",
            "housing-systems",
            "--audience",
            "public",
            "--output",
            str(pdf),
        ],
        env,
        tmp_path,
    )
    assert "for the public audience" in out
    assert pdf.read_bytes().startswith(b"%PDF-")
