"""Each module of the email layer imports on its own, first, in a fresh interpreter:
a circle between accounts, mail and the features would fail here."""

from __future__ import annotations

import subprocess
import sys

import pytest

# The entry points most at risk (each one met a circle before it was fixed).
MODULES = ["procure.mail.messages", "procure.mail.jobs", "procure.accounts.recovery"]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first(module):
    done = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
