"""Importing the data layer never loads the web layer: a model module imports no views, no
Flask routes (the application factory) and not WeasyPrint. Checked in a fresh interpreter,
since this test process has imported everything already."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "procure").glob("**/models.py")
)

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(
    m for m in sys.modules
    if m == "weasyprint" or m == "procure.app" or m.rsplit(".", 1)[-1].startswith("views")
    or m.rsplit(".", 1)[-1].endswith("_views")
)))
"""


def test_there_are_model_modules_to_check() -> None:
    assert "procure.requirements.models" in MODEL_MODULES
    assert "procure.models" in MODEL_MODULES


def test_importing_every_model_module_loads_no_views_and_no_weasyprint() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, "-c", PROBE, *MODEL_MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_probe_sees_views_when_they_are_imported() -> None:
    """The check above can fail: importing the factory does load views and WeasyPrint."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, "-c", PROBE, "procure.app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    loaded = json.loads(result.stdout)
    assert "procure.app" in loaded
    assert "procure.requirements.views" in loaded
