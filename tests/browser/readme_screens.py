"""Make the README's pictures from the browser tests' screenshots.

Run after the browser tests (they save test-artifacts/screens/)::

    .venv/bin/python -m tests.browser.readme_screens

Writes docs/experiment.png, docs/scoring-dashboard.png and
docs/public-vs-participants-pack.png (the notes page of the public and of the
participants workshop pack side by side, rendered with pdftoppm: the public one shows
the redaction markers), each about 900 px wide and palette-reduced to stay small.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pypdf
from PIL import Image, ImageOps

from tests.browser.helpers import ROOT, SCREENS

DOCS = ROOT / "docs"
WIDTH = 900


def _save(image: Image.Image, name: str) -> Path:
    if image.width > WIDTH:
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)
    path = DOCS / name
    image.convert("RGB").quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(
        path, optimize=True
    )
    return path


def _page(shot: str, height: int) -> Image.Image:
    image = Image.open(SCREENS / shot)
    return image.crop((0, 0, image.width, min(height, image.height)))


def _notes_page(pdf: Path) -> int:
    """The number of the first page with the "Notes" section (page 1 if none)."""
    for number, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        if "Notes" in (page.extract_text() or "").splitlines():
            return number
    return 1


def _pdf_page(pdf: Path, folder: Path) -> Image.Image:
    stem = folder / pdf.stem
    number = str(_notes_page(pdf))
    command = ["pdftoppm", "-png", "-r", "60", "-f", number, "-l", number, "-singlefile"]
    subprocess.run([*command, str(pdf), str(stem)], check=True)  # noqa: S603 - our own files
    return ImageOps.expand(Image.open(f"{stem}.png"), border=2, fill="#505a5f")


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    made = [
        _save(_page("visitor-1-experiment-1280.png", 1100), "experiment.png"),
        _save(_page("lead-4-dashboard-1280.png", 1500), "scoring-dashboard.png"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        public = _pdf_page(SCREENS / "workshop-pack-public.pdf", Path(tmp))
        participants = _pdf_page(SCREENS / "workshop-pack-participants.pdf", Path(tmp))
        gap = 24
        sheet = Image.new(
            "RGB",
            (public.width + participants.width + gap, max(public.height, participants.height)),
            "white",
        )
        sheet.paste(public, (0, 0))
        sheet.paste(participants, (public.width + gap, 0))
        made.append(_save(sheet, "public-vs-participants-pack.png"))
    for path in made:
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
