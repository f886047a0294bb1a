"""Organisation identifiers and CPV codes: their formats, checked in forms, imports and services.

A PPON (Public Procurement Organisation Number, scheme ``GB-PPON``) is issued by the
Central Digital Platform as ``P`` and three letters, four digits and four letters,
hyphenated: ``PLLH-1887-BMRL``. A Companies House number (scheme ``GB-COH``) is eight
digits, or two letters and six digits (``SC123456`` for a Scottish company).

A CPV code is eight digits, a hyphen and a check digit (``72000000-5``). Only the
format is checked: the check digit's algorithm is not reliably published, so none is
invented here; :data:`CPV_CODES` is a small list of codes a technology procurement
is likely to use, taken with their check digits from the CPV 2008 vocabulary.
"""

from __future__ import annotations

import re

PPON_RE = re.compile(r"P[A-Z]{3}-\d{4}-[A-Z]{4}")
COMPANIES_HOUSE_RE = re.compile(r"\d{8}|[A-Z]{2}\d{6}")
CPV_RE = re.compile(r"\d{8}-\d")

PPON_SCHEME = "GB-PPON"
COMPANIES_HOUSE_SCHEME = "GB-COH"

#: CPV 2008 codes relevant to buying a system, with their descriptions.
CPV_CODES: dict[str, str] = {
    "48000000-8": "Software package and information systems",
    "48100000-9": "Industry specific software package",
    "48200000-0": "Networking, Internet and intranet software package",
    "48440000-4": "Financial analysis and accounting software package",
    "48600000-4": "Database and operating software package",
    "48610000-7": "Database systems",
    "48900000-7": "Miscellaneous software package and computer systems",
    "72000000-5": "IT services: consulting, software development, Internet and support",
    "72212000-4": "Programming services of application software",
    "72222300-0": "Information technology services",
    "72250000-2": "System and support services",
    "72260000-5": "Software-related services",
    "72267000-4": "Software maintenance and repair services",
    "72310000-1": "Data-processing services",
    "70330000-3": "Property management services of real estate on a fee or contract basis",
}


def normalise_identifier(value: str | None) -> str:
    """Upper case without spaces: ``sc 123 456`` → ``SC123456``."""
    return re.sub(r"\s+", "", value or "").upper()


def ppon_problem(value: str) -> str | None:
    if value and not PPON_RE.fullmatch(value):
        return "PPON must look like PABC-1234-WXYZ: P, three letters, four digits, four letters"
    return None


def companies_house_problem(value: str) -> str | None:
    if value and not COMPANIES_HOUSE_RE.fullmatch(value):
        return (
            "Companies House number must be eight digits, or two letters and six digits, "
            "like 01234567 or SC123456"
        )
    return None


def cpv_problem(value: str) -> str | None:
    if not CPV_RE.fullmatch(value):
        return f"CPV code {value} must be eight digits, a hyphen and a check digit, like 72000000-5"
    return None


def parse_cpv_codes(text: str) -> tuple[list[str], list[str]]:
    """CPV codes from text (one per line or comma separated): (codes, problems)."""
    codes: list[str] = []
    problems: list[str] = []
    for raw in re.split(r"[,\n]", text or ""):
        code = raw.strip()
        if not code:
            continue
        problem = cpv_problem(code)
        if problem:
            problems.append(problem)
        elif code not in codes:
            codes.append(code)
    return codes, problems
