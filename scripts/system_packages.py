"""The system packages Procure needs, checked (and installed where possible) before anything else.

`make install` (and so `make run`) runs ``python3 scripts/system_packages.py run``; `make test`
and `make bench` run it with ``test``, which adds what the test suite needs. It is quiet and
quick when nothing is missing. When something is missing it installs it with ``apt-get``
if it can (as root, or through ``sudo -n``), saying what it installs and why; when it cannot
(no apt-get, no root, macOS), it stops with one paragraph naming what is missing and the
command that installs it, and exits 1. Never a traceback.

This file is the one list of Procure's system packages: `.ci/run`, the README and the test
suite's own check all read it. It uses the standard library only, because it runs before
the virtual environment exists.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Package:
    debian: str  # the Debian/Ubuntu package
    group: str  # "run": reports need it; "test": the test suite needs it as well
    why: str
    homebrew: str  # the Homebrew formula, or "--cask NAME"
    probe: str  # how to tell without dpkg: "lib:NAME", "font:FAMILY" or "cmd:NAME"


PACKAGES = (
    Package("libpango-1.0-0", "run", "WeasyPrint lays out PDF reports with Pango", "pango", "lib:pango-1.0"),
    Package("libpangoft2-1.0-0", "run", "Pango's FreeType fonts, for WeasyPrint", "pango", "lib:pangoft2-1.0"),
    Package("libharfbuzz-subset0", "run", "WeasyPrint embeds only the letters each PDF uses, so files stay small", "harfbuzz", "lib:harfbuzz-subset"),
    Package("fonts-liberation2", "run", "Liberation Sans, the font every PDF report is set in", "--cask font-liberation", "font:Liberation Sans"),
    Package("chromium", "test", "the browser tests and the accessibility audit run in headless Chromium", "--cask chromium", "cmd:chromium"),
    Package("poppler-utils", "test", "pdftoppm turns PDF pages into pictures for the tests and the README", "poppler", "cmd:pdftoppm"),
)  # fmt: skip

GROUPS = {"run": ("run",), "test": ("run", "test")}


def wanted(group: str) -> list[Package]:
    return [package for package in PACKAGES if package.group in GROUPS[group]]


# --- what is missing -------------------------------------------------------------------


def missing(group: str) -> list[Package]:
    """The packages of ``group`` that this machine lacks (dpkg where there is one)."""
    packages = wanted(group)
    if shutil.which("dpkg-query"):
        installed = _dpkg_installed([p.debian for p in packages])
        return [p for p in packages if p.debian not in installed]
    return [p for p in packages if not _probe(p.probe)]


def _dpkg_installed(names: list[str]) -> set[str]:
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *names],  # noqa: S607 - found on PATH on purpose
        capture_output=True,
        text=True,
        check=False,
    )
    found = set()
    for line in result.stdout.splitlines():
        name, _, status = line.partition(" ")
        if status.strip() == "installed":
            found.add(name.split(":")[0])
    return found


def _probe(probe: str) -> bool:
    kind, _, name = probe.partition(":")
    if kind == "lib":
        return ctypes.util.find_library(name) is not None
    if kind == "cmd":
        if (
            name == "chromium"
            and Path(os.environ.get("PROCURE_CHROMIUM", "/usr/bin/chromium")).exists()
        ):
            return True
        return shutil.which(name) is not None
    if kind == "font" and shutil.which("fc-list"):
        result = subprocess.run(["fc-list", name], capture_output=True, text=True, check=False)  # noqa: S603, S607
        return bool(result.stdout.strip())
    return False


# --- installing ------------------------------------------------------------------------


def _as_root() -> list[str] | None:
    """The prefix that runs a command as root here: [] as root, ["sudo", "-n"], or None."""
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo"):
        probe = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)  # noqa: S607
        if probe.returncode == 0:
            return ["sudo", "-n"]
    return None


def _apt_lists_fresh() -> bool:
    lists = Path("/var/lib/apt/lists")
    indexes = list(lists.glob("*_Packages*")) if lists.is_dir() else []
    return bool(indexes) and time.time() - max(p.stat().st_mtime for p in indexes) < 24 * 3600


def install(packages: list[Package], root: list[str]) -> bool:
    """apt-get install ``packages`` (updating the package lists first when they are stale)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = [*root, "apt-get", "-q", "-y"]
    names = [p.debian for p in packages]

    def run(*args: str) -> bool:
        print("  $", " ".join([*apt, *args]), flush=True)
        return subprocess.run([*apt, *args], env=env, check=False).returncode == 0  # noqa: S603

    if not _apt_lists_fresh():
        run("update")
    if run("install", "--no-install-recommends", *names):
        return True
    # A failed install is most often a package list that no longer matches the mirror.
    return run("update") and run("install", "--no-install-recommends", *names)


# --- saying what to do -----------------------------------------------------------------


def advice(packages: list[Package], reason: str) -> str:
    """The one paragraph printed when the packages cannot be installed from here."""
    lines = ["", "Procure needs system packages that this machine does not have:"]
    lines += [f"  - {p.debian}: {p.why}" for p in packages]
    formulas = sorted({p.homebrew for p in packages if not p.homebrew.startswith("--cask")})
    casks = sorted({p.homebrew.split()[-1] for p in packages if p.homebrew.startswith("--cask")})
    brew = []
    if formulas:
        brew.append("brew install " + " ".join(formulas))
    if casks:
        brew.append("brew install --cask " + " ".join(casks))
    lines += [
        f"They were not installed automatically because {reason}.",
        "Install them, then run the same make command again:",
        "  Debian or Ubuntu:  sudo apt-get install " + " ".join(p.debian for p in packages),
        "  macOS (Homebrew):  " + " && ".join(brew),
        "",
    ]
    return "\n".join(lines)


def cannot_install_reason() -> str | None:
    """Why packages cannot be installed from here, or None when they can."""
    if platform.system() == "Darwin":
        return "this is macOS, where Homebrew installs them"
    if not shutil.which("apt-get"):
        return "there is no apt-get on this machine (it is not Debian or Ubuntu)"
    if _as_root() is None:
        return "this is not root and `sudo -n` is not allowed without a password"
    return None


def ensure(group: str) -> int:
    """Install what ``group`` needs if anything is missing; the process exit status."""
    lacking = missing(group)
    if not lacking:
        return 0
    reason = cannot_install_reason()
    if reason is not None:
        print(advice(lacking, reason), file=sys.stderr)
        return 1
    print("Installing the system packages Procure needs:")
    for package in lacking:
        print(f"  - {package.debian}: {package.why}")
    install(lacking, _as_root() or [])
    still = missing(group)
    if still:
        print(
            advice(still, "apt-get could not install them (see its messages above)"),
            file=sys.stderr,
        )
        return 1
    print("System packages installed.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "group", choices=sorted(GROUPS), help="run: for make run; test: also for make test"
    )
    parser.add_argument(
        "--check", action="store_true", help="only list what is missing; install nothing"
    )
    args = parser.parse_args(argv)
    if args.check:
        lacking = missing(args.group)
        for package in lacking:
            print(f"{package.debian}: {package.why}")
        return 1 if lacking else 0
    return ensure(args.group)


if __name__ == "__main__":
    sys.exit(main())
