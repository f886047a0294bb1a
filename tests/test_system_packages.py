"""`scripts/system_packages.py`: the step `make` runs first on a fresh machine.

Every case runs the real script in a subprocess with a PATH of fakes (dpkg-query,
apt-get, sudo) that record what they were asked, so nothing touches this machine's
packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import system_packages

SCRIPT = Path(system_packages.__file__)
ALL_TEST_PACKAGES = [p.debian for p in system_packages.wanted("test")]


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def fakes() -> Iterator[Path]:
    """A bin directory whose dpkg-query reports installed what ``installed.txt`` lists.

    Made under the system's temporary directory, readable by everyone, because the
    non-root case runs as ``nobody`` (pytest's own tmp_path is private to its user).
    """
    tmp_path = Path(tempfile.mkdtemp(prefix="procure-system-packages-"))
    tmp_path.chmod(0o755)
    try:
        yield _populate(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def _populate(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(mode=0o755)
    (tmp_path / "installed.txt").write_text("")
    (tmp_path / "installed.txt").chmod(0o666)
    (tmp_path / "calls.txt").write_text("")
    (tmp_path / "calls.txt").chmod(0o666)
    _fake(
        bin_dir,
        "dpkg-query",
        f'while read -r p; do echo "$p installed"; done < {tmp_path}/installed.txt\n',
    )
    return bin_dir


def _run(bin_dir: Path, *args: str, as_nobody: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), *args]
    if as_nobody and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "util-linux's setpriv is needed to run the non-root case as root"
        # `nobody` may not reach this checkout or our interpreter (a private home or a
        # private temporary directory): run a copy of the stdlib-only script, from the
        # readable fakes directory, with the system's Python when there is one.
        script = bin_dir.parent / SCRIPT.name
        shutil.copyfile(SCRIPT, script)
        script.chmod(0o644)
        python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", python]
        command += [str(script), *args]
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir.parent), "LANG": "C.UTF-8"}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603 - our own script


def test_without_apt_get_it_stops_with_the_commands_to_run(fakes: Path):
    result = _run(fakes, "test")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = result.stderr
    assert "there is no apt-get on this machine" in message
    for name in ALL_TEST_PACKAGES:
        assert f"  - {name}: " in message
    assert "sudo apt-get install " + " ".join(ALL_TEST_PACKAGES) in message
    assert (
        "brew install harfbuzz pango poppler && brew install --cask chromium font-liberation"
        in message
    )
    assert (fakes.parent / "calls.txt").read_text() == ""


def test_not_root_and_no_passwordless_sudo_stops_without_calling_apt_get(fakes: Path):
    _fake(fakes, "apt-get", f'echo "apt-get $*" >> {fakes.parent}/calls.txt\n')
    _fake(fakes, "sudo", "exit 1\n")  # sudo -n: a password would be needed

    result = _run(fakes, "run", as_nobody=True)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "this is not root and `sudo -n` is not allowed without a password" in result.stderr
    assert "libharfbuzz-subset0" in result.stderr
    assert "chromium" not in result.stderr  # `make run` does not need the test packages
    assert (fakes.parent / "calls.txt").read_text() == ""


def test_installs_what_is_missing_with_apt_get_and_says_so(fakes: Path):
    installed = fakes.parent / "installed.txt"
    installed.write_text("libpango-1.0-0\nlibpangoft2-1.0-0\n")
    # apt-get "installs" by adding the packages to the list dpkg-query reads.
    _fake(
        fakes,
        "apt-get",
        f'echo "apt-get $*" >> {fakes.parent}/calls.txt\n'
        f'for a in "$@"; do case "$a" in -*|install|update) ;; *) echo "$a" >> {installed};; esac; done\n',
    )
    _fake(fakes, "sudo", 'shift; exec "$@"\n')  # passwordless sudo, for a non-root run

    result = _run(fakes, "test")

    assert result.returncode == 0, result.stderr
    assert "Installing the system packages Procure needs:" in result.stdout
    assert "  - fonts-liberation2: Liberation Sans" in result.stdout
    calls = (fakes.parent / "calls.txt").read_text().splitlines()
    install = [c for c in calls if " install " in c]
    assert install == [
        "apt-get -q -y install --no-install-recommends libharfbuzz-subset0 fonts-liberation2 "
        "chromium poppler-utils"
    ]


def test_quiet_when_nothing_is_missing(fakes: Path):
    (fakes.parent / "installed.txt").write_text("\n".join(ALL_TEST_PACKAGES) + "\n")

    result = _run(fakes, "test")

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_check_lists_what_is_missing_and_installs_nothing(fakes: Path):
    _fake(fakes, "apt-get", f'echo "apt-get $*" >> {fakes.parent}/calls.txt\n')

    result = _run(fakes, "run", "--check")

    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("libpango-1.0-0: ")
    assert (fakes.parent / "calls.txt").read_text() == ""


def test_advice_names_homebrew_formulas_and_casks_once():
    packages = system_packages.wanted("run")

    text = system_packages.advice(packages, "this is macOS, where Homebrew installs them")

    assert "brew install harfbuzz pango && brew install --cask font-liberation" in text
    assert text.count("macOS (Homebrew):") == 1
