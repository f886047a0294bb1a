"""The guard that keeps model instances out of templates finds them wherever they hide."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import pytest
from flask import render_template_string
from markupsafe import Markup

from procure.experiments.models import Experiment
from tests.model_guard import assert_no_models, find_models, models_in_context

Pair = namedtuple("Pair", "left right")


@dataclass
class Holder:
    inner: object


def test_models_are_found_in_nested_containers():
    experiment = Experiment(title="t", slug="s")
    context = {
        "plain": "Experiment",
        "markup": Markup("<b>x</b>"),
        "deep": {"rows": [Pair(1, Holder(inner=(experiment,)))]},
    }
    found = models_in_context(context)
    assert found == ["deep['rows'][0][1].inner[0]: Experiment"]
    assert list(find_models({"a": ["text", 1, None, Markup("m")]})) == []
    with pytest.raises(AssertionError, match="pass read models"):
        assert_no_models(context, "a message")


def test_a_page_given_a_model_is_caught(app, app_ctx, template_model_failures):
    render_template_string("{{ thing.title }}", thing=Experiment(title="t", slug="s"))
    assert template_model_failures == ["None: ['thing: Experiment']"]  # a string template
    template_model_failures.clear()  # caught: this test is the one that renders a model
