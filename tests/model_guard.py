"""The structural door: no page, report or message receives a mapped model instance.

Redaction happens in read models built for one audience; a template that is handed an
ORM object can print any of its columns (a title holding a ``[[participants: …]]`` span,
a person's name) without passing through the ``Redactor``. This plugin, loaded by
``tests/conftest.py``, listens to Flask's ``template_rendered`` signal for every test and
fails the test when a template's context holds a mapped instance anywhere: at the top
level, or inside lists, tuples (named or not), sets, dicts, dataclasses and pages of
query results. It does not
look inside strings or Markup, nor into objects of other classes (forms, requests), whose
attributes are not handed to templates as content.

Report documents and messages use :func:`assert_no_models` directly on what they hand
to their templates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from flask import template_rendered
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper

#: Context keys that may hold a mapped instance, each with its reason. Keep it short.
ALLOWED_KEYS: dict[str, str] = {}


def _is_mapped(value: Any) -> bool:
    # A LocalProxy (``current_user``) passes ``isinstance`` for the class it stands for.
    try:
        cls = value.__class__
    except RuntimeError:  # an unbound proxy is not a model
        return False
    return isinstance(cls, type) and isinstance(sa_inspect(cls, raiseerr=False), Mapper)


def find_models(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """Yield (path, class name) for every mapped instance found in ``value``."""
    if depth > 12 or value is None or isinstance(value, (str, bytes, Markup, int, float)):
        return
    if _is_mapped(value):
        yield path or "(value)", type(value).__name__
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from find_models(item, f"{path}[{key!r}]" if path else str(key), depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            yield from find_models(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, Pagination):  # a page of query results holds its rows
        yield from find_models(list(value.items), f"{path}.items", depth + 1)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from find_models(getattr(value, item.name), f"{path}.{item.name}", depth + 1)


def models_in_context(context: Mapping[str, Any]) -> list[str]:
    """Every place in a template context holding a mapped instance (allowed keys skipped)."""
    found = []
    for key, value in context.items():
        if key in ALLOWED_KEYS:
            continue
        found.extend(f"{where}: {name}" for where, name in find_models(value, key))
    return found


def assert_no_models(context: Mapping[str, Any], what: str) -> None:
    """Fail when ``context`` (what a page, report or message template receives) holds a model."""
    found = models_in_context(context)
    assert not found, (
        f"{what} received mapped model instances; pass read models and permission flags "
        f"instead: {found}"
    )


@pytest.fixture(autouse=True)
def template_model_failures(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Every test: fail when a template got a model. Yields the failures found so far (the
    guard's own test reads and clears them)."""
    failures: list[str] = []
    if "app" not in request.fixturenames:
        yield failures
        return
    app = request.getfixturevalue("app")

    def check(sender, template, context, **extra) -> None:
        found = models_in_context(context)
        if found:
            failures.append(f"{template.name}: {found}")

    template_rendered.connect(check, app)
    try:
        yield failures
    finally:
        template_rendered.disconnect(check, app)
    assert not failures, (
        "Templates received mapped model instances; pass read models and permission flags "
        "instead:\n" + "\n".join(dict.fromkeys(failures))
    )
