"""Concurrent editing: a save based on an old version is refused (409), nothing is lost.

* Two signed-in sessions (and two tabs of one session) open the same edit form
  and both save: the first wins, the second gets a 409 page with the saved
  values beside what they typed, and can re-apply on top. Runs on whichever
  database the suite uses (SQLite, or PostgreSQL with TEST_DATABASE_URL).
* The ORM's ``WHERE version = n`` check: two SQLAlchemy sessions, both modify,
  the second flush raises ``StaleDataError`` (both databases).
* Real concurrent requests against PostgreSQL (threads, each with its own
  connection, on committed data in a database this test creates and drops):
  zero lost updates, zero errors.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from procure.app import create_app
from procure.audit import AuditEvent
from procure.experiments.models import Experiment
from procure.extensions import db
from tests.conftest import login
from tests.factories import (
    AdminFactory,
    CriterionFactory,
    DeclarationFactory,
    EndorsementFactory,
    ExperimentFactory,
    LandscapeEntryFactory,
    NoteSectionFactory,
    OptionFactory,
    OrganisationFactory,
    ParticipationFactory,
    RequirementFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.helpers import scratch_postgres_database

# --- reading a form the way a browser would submit it ------------------------------------------


class _FormParser(HTMLParser):
    """Every form on a page: its action and the (name, value) pairs a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            text = (
                text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            )
            self.forms[-1]["fields"].append((self._textarea, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._select["options"] if selected]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0][0]]
            self.forms[-1]["fields"].extend((self._select["name"], v) for v in chosen)
            self._select = None


def form_fields(html: str, needs: str) -> MultiDict:
    """The fields of the first form on the page that has a field named ``needs``."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(name == needs for name, _ in form["fields"]):
            return MultiDict(form["fields"])
    raise AssertionError(f"no form with a field {needs!r} on the page")


def with_value(fields: MultiDict, name: str, value: str) -> MultiDict:
    changed = fields.copy()
    changed.setlist(name, [value])
    return changed


# --- two sessions, one record ------------------------------------------------------------------


@dataclass
class Edit:
    """One edit form: where it is, which text field to change, how to read the saved value."""

    name: str
    url: str
    field: str
    saved: Any  # () -> the saved text
    first: Any  # who saves first
    second: Any  # who saves second
    extra: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def scene(db_session):
    exp = ExperimentFactory(slug="two-sessions", is_published=True)
    lead_org = OrganisationFactory()
    borough = OrganisationFactory()
    ParticipationFactory(experiment=exp, organisation=lead_org, role="lead")
    lead = UserFactory(organisation=borough)
    ParticipationFactory(experiment=exp, organisation=borough, procurement_lead=lead)
    admin = AdminFactory(organisation=None)
    editor = UserFactory(organisation=lead_org)  # an officer of the lead organisation
    for person in (lead, admin):
        DeclarationFactory(experiment=exp, user=person, organisation=person.organisation)
    option = OptionFactory(experiment=exp, status="shortlist", summary="Original summary")
    criterion = CriterionFactory(experiment=exp, guidance="Original guidance")
    req = RequirementFactory(experiment=exp, number=1, statement="The system must start.")
    endorsement = EndorsementFactory(
        requirement=req, organisation=borough, position="adopt_with_changes", comment="Original"
    )
    entry = LandscapeEntryFactory(experiment=exp, organisation=borough, notes="Original notes")
    workshop = WorkshopFactory(experiment=exp)
    note = NoteSectionFactory(workshop_id=workshop.id, body="Original notes")
    db_session.flush()
    e = f"/experiments/{exp.slug}"

    def score_reason():
        return next(s.reason for c in _cards(option, borough) for s in c.scores)

    edits = {
        "experiment": Edit(
            "experiment", e + "/edit", "summary", lambda: exp.summary, admin, editor
        ),
        "option": Edit(
            "option",
            f"{e}/market/options/{option.id}/edit",
            "summary",
            lambda: option.summary,
            admin,
            editor,
        ),
        "scorecard": Edit(
            "scorecard",
            f"{e}/scoring/tasks/{borough.slug}/{option.id}",
            f"reason_{criterion.id}",
            score_reason,
            lead,
            admin,
            {f"score_{criterion.id}": "3"},
        ),
        "requirement": Edit(
            "requirement",
            f"{e}/requirements/REQ-001/edit",
            "statement",
            lambda: req.statement,
            admin,
            editor,
        ),
        "workshop note": Edit(
            "workshop note",
            f"{e}/workshops/{workshop.id}/notes/{note.id}/edit",
            "body",
            lambda: note.body,
            admin,
            editor,
        ),
        # More forms, saved from two tabs of one session.
        "landscape row": Edit(
            "landscape row",
            f"{e}/landscape/{borough.id}/edit",
            "notes",
            lambda: entry.notes,
            lead,
            lead,
        ),
        "endorsement": Edit(
            "endorsement",
            f"{e}/requirements/REQ-001/endorse/{borough.slug}",
            "comment",
            lambda: endorsement.comment,
            lead,
            lead,
        ),
        "criterion": Edit(
            "criterion",
            f"{e}/scoring/criteria/{criterion.id}/edit",
            "guidance",
            lambda: criterion.guidance,
            admin,
            admin,
        ),
    }
    return {"edits": edits, "experiment": exp, "option": option, "admin": admin, "editor": editor}


def _cards(option, organisation):
    from procure.scoring.models import Scorecard

    return db.session.scalars(
        sa.select(Scorecard).where(
            Scorecard.option_id == option.id, Scorecard.organisation_id == organisation.id
        )
    ).all()


def _client_as(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def _open(client, edit: Edit) -> MultiDict:
    response = client.get(edit.url)
    assert response.status_code == 200, f"GET {edit.url} → {response.status_code}"
    fields = form_fields(response.get_data(as_text=True), edit.field)
    for name, value in edit.extra.items():
        fields = with_value(fields, name, value)
    return fields


def _saved(db_session, edit: Edit) -> str:
    db_session.expire_all()
    return edit.saved()


@pytest.mark.parametrize(
    "name", ["experiment", "option", "scorecard", "requirement", "workshop note"]
)
def test_second_session_is_refused_with_both_versions_and_can_reapply(
    app, client, db_session, scene, name
):
    edit = scene["edits"][name]
    first, second = _client_as(app, edit.first), _client_as(app, edit.second)
    form_1, form_2 = _open(first, edit), _open(second, edit)

    saved = first.post(edit.url, data=with_value(form_1, edit.field, "Saved first ZQXFIRST"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert "ZQXFIRST" in _saved(db_session, edit)

    events = _audit_count()
    typed = "Typed second ZQXSECOND"
    refused = second.post(edit.url, data=with_value(form_2, edit.field, typed))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved changes while you were editing" in html
    assert "ZQXFIRST" in html, "the saved value is shown"
    assert "ZQXSECOND" in html, "what the person typed is kept in the form"
    assert _saved(db_session, edit).endswith("ZQXFIRST"), "the refused save wrote nothing"
    assert _audit_count() == events

    # The 409 form carries the current version: submitting it again applies on top.
    again = second.post(edit.url, data=form_fields(html, edit.field))
    assert again.status_code == 302
    assert "ZQXSECOND" in _saved(db_session, edit)


@pytest.mark.parametrize(
    "name",
    [
        "experiment",
        "option",
        "scorecard",
        "requirement",
        "workshop note",
        "landscape row",
        "endorsement",
        "criterion",
    ],
)
def test_a_stale_second_tab_is_refused_and_writes_nothing(app, client, db_session, scene, name):
    edit = scene["edits"][name]
    person = _client_as(app, edit.first)
    old_tab, new_tab = _open(person, edit), _open(person, edit)
    saved = person.post(edit.url, data=with_value(new_tab, edit.field, "New tab ZQXNEWTAB"))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    events = _audit_count()

    stale = person.post(edit.url, data=with_value(old_tab, edit.field, "Old tab ZQXOLDTAB"))
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "ZQXNEWTAB" in html and "ZQXOLDTAB" in html
    assert "ZQXNEWTAB" in _saved(db_session, edit)
    assert "ZQXOLDTAB" not in _saved(db_session, edit)
    assert _audit_count() == events, "a refused save leaves no trace in the data"


def test_saving_content_does_not_make_an_open_experiment_form_stale(app, client, db_session, scene):
    """Reports are cached on the experiment's content version; bumping it is not an edit."""
    experiment_edit, option_edit = scene["edits"]["experiment"], scene["edits"]["option"]
    admin, editor = _client_as(app, scene["admin"]), _client_as(app, scene["editor"])
    form = _open(admin, experiment_edit)
    db_session.expire_all()
    before = scene["experiment"].content_version
    option_form = _open(editor, option_edit)
    saved = editor.post(option_edit.url, data=with_value(option_form, "summary", "New ZQXOPT"))
    assert saved.status_code == 302
    db_session.expire_all()
    assert scene["experiment"].content_version > before, "cached reports must be invalidated"
    response = admin.post(experiment_edit.url, data=with_value(form, "summary", "Exp ZQXEXP"))
    assert response.status_code == 302, "an option save is not a change to the experiment"
    assert _saved(db_session, experiment_edit) == "Exp ZQXEXP"


# --- the ORM's version check --------------------------------------------------------------------


def test_orm_refuses_a_flush_based_on_an_old_version(app):
    """Two sessions load the same row; the first commits; the second's flush is refused."""
    with app.app_context():
        engine = db.engine
    slug = f"orm-{uuid.uuid4().hex[:8]}"
    with Session(engine) as setup:
        setup.add(Experiment(slug=slug, title="Before"))
        setup.commit()
    try:
        with (
            Session(engine, expire_on_commit=False) as one,
            Session(engine, expire_on_commit=False) as two,
        ):
            mine = one.scalar(sa.select(Experiment).where(Experiment.slug == slug))
            theirs = two.scalar(sa.select(Experiment).where(Experiment.slug == slug))
            one.commit()  # end both read transactions (SQLite holds a shared lock until then)
            two.commit()
            assert mine.version == theirs.version == 1
            mine.title = "First"
            one.commit()
            assert mine.version == 2
            theirs.title = "Second"
            with pytest.raises(StaleDataError):
                two.flush()
            two.rollback()
        with Session(engine) as check:
            row = check.scalar(sa.select(Experiment).where(Experiment.slug == slug))
            assert (row.title, row.version) == ("First", 2)
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(sa.delete(Experiment).where(Experiment.slug == slug))
            cleanup.commit()


# --- real concurrent requests on PostgreSQL ---------------------------------------------------

PG_URL = os.environ.get("TEST_DATABASE_URL")
needs_postgres = pytest.mark.skipif(
    not PG_URL,
    reason="needs PostgreSQL (TEST_DATABASE_URL); CI runs the suite on PostgreSQL too",
)


@pytest.fixture
def pg_app(tmp_path):
    """An app on its own PostgreSQL database, created and dropped here; data is committed."""
    with scratch_postgres_database(PG_URL, "procure_race") as url:
        app = create_app(
            {
                "TESTING": True,
                "PROCURE_ENV": "testing",
                "SECRET_KEY": "race-secret-key",
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "pool_size": 40,
                    "max_overflow": 10,
                    "pool_timeout": 60,
                },
                "REPORTS_DIR": str(tmp_path / "reports"),
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
        try:
            with app.app_context():
                upgrade()
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _seed(app, leads: int) -> dict[str, Any]:
    """Committed data: an experiment, an option and a notes section to race on, ``leads`` boroughs."""
    from procure import models as m
    from tests.factories import PASSWORD, _hash

    password = _hash(PASSWORD)
    with app.app_context():
        s = db.session
        exp = m.Experiment(slug="race", title="Race", is_published=True, stage="scoring")
        lead_org = m.Organisation(name="Lead borough", slug="lead-borough", kind="borough")
        s.add_all([exp, lead_org])
        s.flush()
        s.add(m.Participation(experiment_id=exp.id, organisation_id=lead_org.id, role="lead"))
        editors = [
            m.User(email=f"editor{i}@race.test", name=f"Editor {i}", site_role="member",
                   organisation=lead_org, password_hash=password)
            for i in range(20)
        ]  # fmt: skip
        option = m.Option(experiment_id=exp.id, kind="product", name="Race system",
                          supplier="Race Ltd", summary="Race", description="", status="shortlist")  # fmt: skip
        criterion = m.Criterion(experiment_id=exp.id, dimension="feasibility", name="Fit",
                                weight=1, guidance="")  # fmt: skip
        workshop = m.Workshop(experiment_id=exp.id, title="Race workshop", stage="scoring",
                              starts_at=datetime(2026, 10, 5, 10), ends_at=datetime(2026, 10, 5, 12))  # fmt: skip
        s.add_all([*editors, option, criterion, workshop])
        s.flush()
        notes = [
            m.NoteSection(workshop_id=workshop.id, heading=f"Markers {i}", body="start", position=i)
            for i in range(3)
        ]
        s.add_all(notes)
        boroughs = []
        for i in range(leads):
            org = m.Organisation(name=f"Race borough {i:02d}", slug=f"race-{i:02d}", kind="borough")
            lead = m.User(email=f"lead{i}@race.test", name=f"Lead {i}", site_role="member",
                          organisation=org, password_hash=password)  # fmt: skip
            s.add_all([org, lead])
            s.flush()
            s.add(m.Participation(experiment_id=exp.id, organisation_id=org.id,
                                  procurement_lead_id=lead.id))  # fmt: skip
            s.add(m.Declaration(experiment_id=exp.id, user_id=lead.id, organisation_id=org.id))
            boroughs.append((lead.id, org.slug))
        s.commit()
        return {
            "editors": [u.id for u in editors],
            "option": option.id,
            "criterion": criterion.id,
            "workshop": workshop.id,
            "notes": [n.id for n in notes],
            "boroughs": boroughs,
        }


@dataclass
class Tally:
    saved: list[str] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _signed_in_client(app, user_id: int):
    from procure.accounts.models import User

    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        login(client, user)
    return client


def _append_markers(app, user_id: int, targets: list[tuple[str, str]], thread: int, saves: int,
                    tally: Tally, start: threading.Barrier) -> None:  # fmt: skip
    try:
        _append(app, user_id, targets, thread, saves, tally, start)
    except Exception as exc:  # a thread's exception would otherwise vanish
        with tally.lock:
            tally.errors.append(f"thread {thread}: {exc!r}")


def _append(app, user_id: int, targets: list[tuple[str, str]], thread: int, saves: int,
            tally: Tally, start: threading.Barrier) -> None:  # fmt: skip
    client = _signed_in_client(app, user_id)
    start.wait(timeout=60)
    for n in range(saves):
        url, name = targets[(thread + n) % len(targets)]
        marker = f"[T{thread:02d}S{n:02d}]"
        for _attempt in range(200):
            page = client.get(url)
            if page.status_code != 200:
                with tally.lock:
                    tally.errors.append(f"GET {url} → {page.status_code}")
                return
            fields = form_fields(page.get_data(as_text=True), name)
            response = client.post(url, data=with_value(fields, name, fields[name] + marker))
            if response.status_code == 302:
                with tally.lock:
                    tally.saved.append(marker)
                break
            if response.status_code == 409:
                with tally.lock:
                    tally.conflicts += 1
                continue
            with tally.lock:
                tally.errors.append(f"POST {url} → {response.status_code}")
            return
        else:
            with tally.lock:
                tally.errors.append(f"{marker} never saved")


@needs_postgres
def test_no_lost_updates_under_real_concurrent_saves(pg_app, capsys):
    """20 threads × 10 saves, each appending its marker to one of the same four text fields."""
    threads_n, saves = 20, 10
    ids = _seed(pg_app, leads=0)
    workshop = f"/experiments/race/workshops/{ids['workshop']}"
    targets = [(f"{workshop}/notes/{note}/edit", "body") for note in ids["notes"]]
    targets.append((f"/experiments/race/market/options/{ids['option']}/edit", "description"))
    tally, start = Tally(), threading.Barrier(threads_n)
    workers = [
        threading.Thread(
            target=_append_markers,
            args=(pg_app, ids["editors"][i], targets, i, saves, tally, start),
        )
        for i in range(threads_n)
    ]
    began = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    elapsed = time.monotonic() - began
    assert not any(w.is_alive() for w in workers), "a worker hung"

    from procure import models as m

    with pg_app.app_context():
        texts = [db.session.get(m.NoteSection, note).body for note in ids["notes"]]
        final = " ".join([*texts, db.session.get(m.Option, ids["option"]).description])
        audited = " ".join(
            str(e.changes)
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.changes.is_not(None))
            )
        )
    lost = [m_ for m_ in tally.saved if m_ not in final and m_ not in audited]
    missing_from_text = [m_ for m_ in tally.saved if m_ not in final]
    with capsys.disabled():
        print(
            f"\n[concurrency] {threads_n} threads × {saves} saves: {len(tally.saved)} saved, "
            f"{tally.conflicts} refused with 409 and retried, {len(lost)} lost updates, "
            f"{len(tally.errors)} errors, {elapsed:.1f}s"
        )
    assert not tally.errors, tally.errors[:10]
    assert len(tally.saved) == threads_n * saves
    assert not lost, f"lost updates: {lost}"
    assert not missing_from_text, f"saved but not in the text: {missing_from_text}"


@needs_postgres
def test_33_leads_submit_their_scorecards_at_once(pg_app, capsys):
    ids = _seed(pg_app, leads=33)
    tally, start = Tally(), threading.Barrier(len(ids["boroughs"]))

    def submit(user_id: int, org_slug: str) -> None:
        try:
            _submit(user_id, org_slug)
        except Exception as exc:  # a thread's exception would otherwise vanish
            with tally.lock:
                tally.errors.append(f"{org_slug}: {exc!r}")

    def _submit(user_id: int, org_slug: str) -> None:
        client = _signed_in_client(pg_app, user_id)
        url = f"/experiments/race/scoring/tasks/{org_slug}/{ids['option']}"
        page = client.get(url)
        assert page.status_code == 200, page.status_code
        fields = form_fields(page.get_data(as_text=True), f"reason_{ids['criterion']}")
        fields = with_value(fields, f"score_{ids['criterion']}", "4")
        fields = with_value(fields, f"reason_{ids['criterion']}", f"Good fit for {org_slug}")
        fields.add("submit", "Continue")
        # Continue saves the draft; the check-your-answers page is what submits, at once.
        saved = client.post(url, data=fields)
        assert saved.status_code == 302 and saved.location.endswith("/check"), saved.location
        check = client.get(url + "/check")
        assert check.status_code == 200, check.status_code
        confirm = form_fields(check.get_data(as_text=True), "version")
        start.wait(timeout=60)
        response = client.post(url + "/check", data=confirm)
        with tally.lock:
            if response.status_code == 302:
                tally.saved.append(org_slug)
            else:
                tally.errors.append(f"{org_slug}: {response.status_code}")

    workers = [threading.Thread(target=submit, args=b) for b in ids["boroughs"]]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)

    from procure.scoring.models import Scorecard

    with pg_app.app_context():
        statuses = db.session.scalars(sa.select(Scorecard.status)).all()
    with capsys.disabled():
        print(f"\n[concurrency] 33 leads at once: {len(tally.saved)} submitted, {tally.errors}")
    assert not tally.errors
    assert sorted(statuses) == ["submitted"] * 33
