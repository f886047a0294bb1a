"""The redaction core: levels, markers, inline spans and sanitising."""

import pytest

from procure.sensitivity import (
    Audience,
    Redacted,
    Redactor,
    Sensitivity,
    highest_level,
    plain_text,
    render_markdown,
    split_spans,
)

TEXT = "Open ZQX7KPUB0001 [[members: ZQX7KMEM0002]] and [[participants: ZQX7KPAR0003]] end"


def test_levels_are_ordered_and_audiences_permit_up_to_their_level():
    assert Sensitivity.PUBLIC < Sensitivity.MEMBERS < Sensitivity.PARTICIPANTS
    assert Audience.PUBLIC.permits(Sensitivity.PUBLIC)
    assert not Audience.PUBLIC.permits(Sensitivity.MEMBERS)
    assert Audience.MEMBERS.permits(Sensitivity.MEMBERS)
    assert not Audience.MEMBERS.permits(Sensitivity.PARTICIPANTS)
    assert Audience.PARTICIPANTS.permits(Sensitivity.PARTICIPANTS)


@pytest.mark.parametrize(
    ("audience", "present", "absent"),
    [
        (Audience.PUBLIC, ["ZQX7KPUB0001"], ["ZQX7KMEM0002", "ZQX7KPAR0003"]),
        (Audience.MEMBERS, ["ZQX7KPUB0001", "ZQX7KMEM0002"], ["ZQX7KPAR0003"]),
        (Audience.PARTICIPANTS, ["ZQX7KPUB0001", "ZQX7KMEM0002", "ZQX7KPAR0003"], []),
    ],
)
def test_spans_are_removed_from_lower_audiences(audience, present, absent):
    html = str(render_markdown(TEXT, audience))
    text = plain_text(TEXT, audience)
    for token in present:
        assert token in html and token in text
    for token in absent:
        assert token not in html and token not in text


def test_marker_gives_level_never_text_or_length():
    short = str(render_markdown("[[members: a]]", Audience.PUBLIC))
    long = str(render_markdown("[[members: " + "a" * 500 + "]]", Audience.PUBLIC))
    assert short == long
    assert "Redacted: members only" in short


def test_unclosed_span_hides_the_rest_rather_than_revealing_it():
    html = str(
        render_markdown("Visible [[participants: ZQX7KPAR0009 never closed", Audience.MEMBERS)
    )
    assert "Visible" in html
    assert "ZQX7KPAR0009" not in html
    assert "Redacted: participants only" in html


def test_field_base_level_raises_every_span():
    # A members-level field: even its plain text is withheld from the public.
    assert "ZQX7KPUB0001" not in plain_text(TEXT, Audience.PUBLIC, Sensitivity.MEMBERS)
    assert highest_level(TEXT) == Sensitivity.PARTICIPANTS
    assert highest_level("plain", Sensitivity.MEMBERS) == Sensitivity.MEMBERS


def test_split_spans_keeps_order():
    spans = split_spans("a [[members: b]] c")
    assert [(s.text, s.level) for s in spans] == [
        ("a ", Sensitivity.PUBLIC),
        ("b", Sensitivity.MEMBERS),
        (" c", Sensitivity.PUBLIC),
    ]


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "<style>body{display:none}</style>",
        '<a href="http://evil.example" style="color:red">x</a>',
    ],
)
def test_hostile_html_is_escaped_or_removed(hostile):
    html = str(render_markdown(hostile, Audience.PARTICIPANTS))
    assert "<script" not in html
    assert "<img" not in html
    assert "<style" not in html
    assert 'href="javascript:' not in html
    assert "onerror=" not in html.replace("&quot;", '"').split("&lt;")[0]


def test_safe_links_survive_with_rel():
    html = str(render_markdown("[spec](https://example.org/spec)", Audience.PUBLIC))
    assert 'href="https://example.org/spec"' in html
    assert "noopener" in html


def test_redactor_logs_what_it_withholds_without_content():
    redactor = Redactor(Audience.PUBLIC)
    value = redactor.value("£1.2m ZQX7KPAR0004", Sensitivity.PARTICIPANTS, "option.cost", 7)
    assert isinstance(value, Redacted)
    redactor.markdown(TEXT, "workshop.note", 3)
    log = redactor.log.as_list()
    assert {"type": "option.cost", "id": 7, "level": "participants"} in log
    assert {"type": "workshop.note", "id": 3, "level": "members"} in log
    assert "ZQX7K" not in repr(log)


def test_redactor_visible_drops_items_above_audience():
    class Item:
        def __init__(self, id, level):
            self.id, self.level = id, level

    items = [Item(1, Sensitivity.PUBLIC), Item(2, Sensitivity.MEMBERS)]
    redactor = Redactor(Audience.PUBLIC)
    kept = redactor.visible(items, lambda i: i.level, "decision")
    assert [i.id for i in kept] == [1]
    assert redactor.log.as_list() == [{"type": "decision", "id": 2, "level": "members"}]


def test_redacted_markup_and_text():
    marker = Redacted("note", Sensitivity.PARTICIPANTS)
    assert "Redacted: participants only" in marker.__html__()
    assert str(marker) == "[Redacted: participants only]"
    assert Audience.PARTICIPANTS.marking == "PARTICIPANTS ONLY — COMMERCIAL IN CONFIDENCE"


def test_withheld_note_counts_by_level():
    from procure.sensitivity import withheld_note

    assert withheld_note([], "row") == ""
    assert withheld_note([Sensitivity.MEMBERS], "row") == "1 members-only row withheld"
    levels = [Sensitivity.PARTICIPANTS, Sensitivity.MEMBERS, Sensitivity.MEMBERS]
    assert withheld_note(levels, "reason") == (
        "2 members-only and 1 participants-only reasons withheld"
    )


def test_consecutive_withheld_rows_collapse_into_one_run():
    from procure.sensitivity import collapse_withheld, is_withheld_run

    rows = [("a", None), ("b", 1), ("c", 1), ("d", None), ("e", 2)]
    out = collapse_withheld(rows, lambda r: r[1], "row")
    assert [r if not is_withheld_run(r) else r.note for r in out] == [
        ("a", None),
        "2 members-only rows withheld",
        ("d", None),
        "1 participants-only row withheld",
    ]
