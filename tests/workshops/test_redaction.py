"""Redaction of workshop pages and print sections, with canary tokens at every level.

The canary plants ``ZQX7K`` tokens in every free-text or sensitive field of a
public workshop and of a members-only one; attendee, facilitator and presenter
names are members-level tokens. Each audience must see no token above itself,
and must see the tokens at or below it (so a blank page cannot pass).
"""

from __future__ import annotations

import re

import pytest

from procure.canary import CanaryContext
from procure.reports.document import ReportDocument, render_report_html, render_report_pdf
from procure.sensitivity import Audience, Redactor, Sensitivity
from procure.workshops.demo import canary
from procure.workshops.read_models import build_workshop_list, build_workshop_view
from procure.workshops.report import discussed_ids, pack_sections
from tests.factories import NoteSectionFactory, OptionFactory, RequirementFactory
from tests.redaction import assert_html_redacted, assert_redacted
from tests.workshops.helpers import make_world

TOKEN = re.compile(r"ZQX7K(?:PUB|MEM|PAR)\d{4}")


def _tokens_in(workshop) -> set[str]:
    """Every token stored in one workshop (and its parts)."""
    texts = [workshop.title, workshop.purpose, workshop.location, workshop.facilitator]
    for item in workshop.agenda_items:
        texts += [item.title, item.presenter]
    texts += [a.name for a in workshop.attendees]
    for note in workshop.notes:
        texts += [note.heading, note.body]
    texts += [d.text for d in workshop.decisions] + [a.text for a in workshop.actions]
    return set(TOKEN.findall(" ".join(texts)))


@pytest.fixture
def planted(app_ctx):
    world = make_world(published=True)
    ctx = CanaryContext(
        prefix="ZQX7K",
        experiment=world.experiment,
        admin=world.admin,
        organisations={"lead": world.lead_org, "participant": world.participant_org},
    )
    ctx.shared["options"] = [
        OptionFactory(experiment=world.experiment, name=f"Option {ctx.token('public')}"),
        OptionFactory(
            experiment=world.experiment,
            name=f"Option {ctx.token('members')}",
            sensitivity=Sensitivity.MEMBERS,
        ),
    ]
    ctx.shared["requirements"] = [
        RequirementFactory(experiment=world.experiment, title=f"Req {ctx.token('public')}"),
        RequirementFactory(
            experiment=world.experiment,
            title=f"Req {ctx.token('participants')}",
            sensitivity=Sensitivity.PARTICIPANTS,
        ),
    ]
    workshop = canary(ctx)
    hidden = ctx.shared["workshops"][1]
    return world, ctx, workshop, hidden


def _split(ctx, tokens: set[str], audience: Audience) -> tuple[list[str], list[str]]:
    allowed = [t for t in tokens if audience.permits(ctx.tokens[t])]
    forbidden = [t for t, level in ctx.tokens.items() if not audience.permits(level)]
    return forbidden, allowed


def _visible_tokens(ctx, workshop) -> set[str]:
    linked = {t for o in workshop.options for t in TOKEN.findall(o.name)}
    linked |= {t for q in workshop.requirements for t in TOKEN.findall(q.title)}
    return _tokens_in(workshop) | linked


AUDIENCES = {
    Audience.PUBLIC: None,
    Audience.MEMBERS: "member_officer",
    Audience.PARTICIPANTS: "participant_officer",
}


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_workshop_page_at_each_audience(client, as_user, planted, audience):
    world, ctx, workshop, _hidden = planted
    if AUDIENCES[audience]:
        as_user(getattr(world, AUDIENCES[audience]))
    response = client.get(f"{world.base}/{workshop.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    forbidden, required = _split(ctx, _visible_tokens(ctx, workshop), audience)
    # The facilitator is not an attendee: below members they are a marker, not a name.
    assert_html_redacted(html, forbidden=forbidden, required=required)
    if audience == Audience.PUBLIC:
        assert "Redacted: members only" in html and "Redacted: participants only" in html
        assert "Organisations attending:" in html
        assert world.lead_org.name in html and world.participant_org.name in html
        assert "Attendee ZQX7K" not in html  # no names, not even the words around the token
    elif audience == Audience.MEMBERS:
        assert "Redacted: participants only" in html
        assert "Redacted: members only" not in html
    else:
        assert "Redacted:" not in html


@pytest.mark.parametrize("audience", list(AUDIENCES))
def test_members_only_workshop_at_each_audience(client, as_user, planted, audience):
    world, ctx, _workshop, hidden = planted
    if AUDIENCES[audience]:
        as_user(getattr(world, AUDIENCES[audience]))
    listing = client.get(world.base).get_data(as_text=True)
    page = client.get(f"{world.base}/{hidden.id}").get_data(as_text=True)
    forbidden, required = _split(ctx, _tokens_in(hidden), audience)
    assert_html_redacted(page, forbidden=forbidden, required=required)
    list_forbidden = [t for t, level in ctx.tokens.items() if not audience.permits(level)]
    assert_html_redacted(listing, forbidden=list_forbidden, required=[])
    if audience == Audience.PUBLIC:
        assert "Redacted: members only" in listing
        # Not even its address: the public list has no link to it.
        assert f"/workshops/{hidden.id}" not in listing
        assert "<title>Workshop (redacted)" in page
    else:
        assert f"/workshops/{hidden.id}" in listing


def test_public_names_become_organisations(app_ctx):
    world = make_world()
    from tests.factories import AgendaItemFactory, AttendeeFactory

    w = world.workshop
    w.facilitator = "Genta ZQX7KMEM9001"
    AttendeeFactory(workshop_id=w.id, name="Genta ZQX7KMEM9001", organisation=world.lead_org)
    AttendeeFactory(
        workshop_id=w.id,
        name="Absent ZQX7KMEM9002",
        organisation=world.participant_org,
        attended=False,
    )
    AgendaItemFactory(workshop_id=w.id, title="Talk", presenter="genta zqx7kmem9001")
    view = build_workshop_view(w, Redactor(Audience.PUBLIC))
    assert view.facilitator == world.lead_org.name
    assert view.agenda[0].presenter == world.lead_org.name
    assert view.attendees == () and not view.names_shown
    # Only organisations that attended are listed as attending.
    assert view.organisations_attending == (world.lead_org.name,)
    members = build_workshop_view(w, Redactor(Audience.MEMBERS))
    assert members.facilitator == "Genta ZQX7KMEM9001"
    assert [a.name for a in members.attendees] == ["Genta ZQX7KMEM9001", "Absent ZQX7KMEM9002"]


def test_redaction_log_names_items_never_their_text(planted):
    _world, _ctx, workshop, hidden = planted
    redactor = Redactor(Audience.PUBLIC)
    build_workshop_view(workshop, redactor)
    build_workshop_list(workshop.experiment, redactor)
    entries = redactor.log.as_list()
    kinds = {e["type"] for e in entries}
    assert {"note_section", "decision", "action", "attendee.name", "workshop"} <= kinds
    assert {"type": "workshop", "id": hidden.id, "level": "members"} in entries
    assert not TOKEN.search(repr(entries))


def test_discussed_ids(planted):
    _world, ctx, workshop, _hidden = planted
    options, requirements = discussed_ids(workshop)
    assert options == sorted(o.id for o in ctx.shared["options"])
    assert requirements == sorted(q.id for q in ctx.shared["requirements"])


def _document(workshop, audience: Audience) -> ReportDocument:
    redactor = Redactor(audience)
    sections = pack_sections(workshop, redactor)
    view = sections[0].context["workshop"]
    return ReportDocument(
        kind="workshop-pack",
        title=str(view.page_title),
        subtitle=view.experiment_title,
        experiment_name=view.experiment_title,
        audience=audience,
        template="_workshop_preview.html",
        sections=sections,
        redaction_log=redactor.log,
    )


def test_pack_sections_in_order(planted):
    _world, _ctx, workshop, _hidden = planted
    sections = pack_sections(workshop, Redactor(Audience.MEMBERS))
    assert [s.anchor for s in sections] == ["purpose", "attendees", "notes", "decisions", "actions"]
    html = render_report_html(_document(workshop, Audience.MEMBERS))
    for anchor in ("purpose", "attendees", "notes", "decisions", "actions"):
        assert html.count(f'id="{anchor}"') == 1
    # Withheld notes, decisions and actions are counted, a line per run, not boxed one by one.
    assert "<thead>" in html and 'class="withheld-note"' in html
    assert "participants-only action withheld" in html


@pytest.mark.parametrize("audience", list(Audience))
def test_print_sections_pdf_at_each_audience(planted, audience):
    _world, ctx, workshop, hidden = planted
    # The option and requirement sections are the reports feature's; here only the workshop.
    forbidden, required = _split(ctx, _tokens_in(workshop), audience)
    pdf = render_report_pdf(_document(workshop, audience))
    assert_redacted(pdf, forbidden=forbidden, required=required)
    hidden_pdf = render_report_pdf(_document(hidden, audience))
    forbidden, required = _split(ctx, _tokens_in(hidden), audience)
    assert_redacted(hidden_pdf, forbidden=forbidden, required=required)


def test_staff_see_where_inline_spans_open_and_close(client, as_user):
    world = make_world()
    NoteSectionFactory(
        workshop_id=world.workshop.id,
        heading="Spans",
        body="Open text. [[members: SPANMEM0001 for members.]] After.",
        sensitivity=Sensitivity.PUBLIC,
    )
    as_user(world.admin)
    html = client.get(world.page).get_data(as_text=True)
    assert '<span class="procure-span-label">Members only:</span> SPANMEM0001' in html
    assert 'SPANMEM0001 for members.<span class="procure-span-label">end</span>' in html
    # Readers who do not edit see the text as it reads, without the labels.
    as_user(world.member_officer)
    html = client.get(world.page).get_data(as_text=True)
    assert "SPANMEM0001" in html and "procure-span-label" not in html
