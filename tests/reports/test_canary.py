"""The canary suite: plant a token in every field, then prove no report and no page leaks.

``flask demo canary`` plants an experiment whose every free-text or sensitive
field holds a token ``ZQX7K`` + ``PUB|MEM|PAR`` + four digits (its effective
level), through each feature's ``demo.canary``. Then, for every report kind and
audience, the PDF must hold no token above the audience anywhere (text, metadata,
bookmarks, links, alt text, raw streams), and the public tokens it shows must be
there; and every page of the experiment, reached by following links as a person at
each audience, must hold none in its HTML.

Forbidden tokens are checked by their level prefix (``ZQX7KMEM``, ``ZQX7KPAR``):
every token of that level contains it, so one search covers every token of every
feature, including features that land later. On failure the message names the
exact tokens found.
"""

from __future__ import annotations

import io
import json
import re
import urllib.parse
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker

from procure.accounts.models import User
from procure.db import utcnow
from procure.experiments.models import Experiment, Participation
from procure.extensions import db
from procure.governance.services import create_share_link
from procure.procurement.handover import build_handover
from procure.reports.document import render_report_pdf
from procure.reports.kinds import (
    KINDS,
    MINIMUM_AUDIENCE,
    ReportError,
    build_document,
    feature_report,
)
from procure.requirements.models import SpecificationVersion
from procure.sensitivity import Audience, Sensitivity
from procure.text_policy import TEXT_FIELDS, excluded, string_columns
from procure.workshops.models import Workshop
from tests import factories
from tests.conftest import login
from tests.model_guard import find_models
from tests.redaction import assert_html_redacted, assert_redacted, inspect_pdf

PREFIX = "ZQX7K"
SLUG = "canary-zqx7k"
CODES = {"PUB": Audience.PUBLIC, "MEM": Audience.MEMBERS, "PAR": Audience.PARTICIPANTS}
TOKEN = re.compile(PREFIX + r"(PUB|MEM|PAR)\d{4}")
MAX_PAGES = 400


def level_of(token: str) -> Audience:
    return CODES[token[len(PREFIX) : len(PREFIX) + 3]]


def forbidden_prefixes(audience: Audience) -> list[str]:
    return [PREFIX + code for code, level in CODES.items() if level > audience]


@dataclass
class Canary:
    tokens: list[str]
    experiment_id: int
    title_token: str
    summary_tokens: list[str]  # the public tokens of summary, problem and outcomes
    participant_org_tokens: list[str]
    workshops: list[tuple[int, Sensitivity, list[str]]]  # latest first: id, level, title tokens
    viewers: dict[Audience, int | None] = field(default_factory=dict)

    def above(self, audience: Audience) -> list[str]:
        return [t for t in self.tokens if level_of(t) > audience]


class _Client(FlaskClient):
    """Settle the module's session before each request, as the suite's client does."""

    def open(self, *args, **kwargs):
        db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture(scope="module")
def canary_session(app) -> Iterator[scoped_session]:
    """One rolled-back transaction for the whole module (the canary is planted once)."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=lambda: "canary",
    )
    session.remove = session.expire_all  # type: ignore[method-assign]
    original = db.session
    db.session = session
    factories.bind(session)
    try:
        yield session
    finally:
        db.session = original
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="module")
def canary(app, canary_session) -> Canary:
    result = app.test_cli_runner().invoke(
        args=["demo", "canary", "--experiment", SLUG, "--prefix", PREFIX]
    )
    assert result.exit_code == 0, result.output
    tokens = result.output.split()
    assert tokens and all(TOKEN.fullmatch(t) for t in tokens), result.output[:500]
    assert len(set(tokens)) == len(tokens)
    with app.app_context():
        experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == SLUG))
        assert experiment.is_published

        def public_tokens(text: str) -> list[str]:
            # Tokens outside any [[…]] span are at the field's own (public) level.
            outside = re.sub(r"\[\[.*?(\]\]|\Z)", "", text or "", flags=re.S)
            return [m.group(0) for m in TOKEN.finditer(outside) if level_of(m.group(0)) == 0]

        parts = db.session.scalars(
            sa.select(Participation).where(Participation.experiment_id == experiment.id)
        ).all()
        workshops = db.session.scalars(
            sa.select(Workshop)
            .where(Workshop.experiment_id == experiment.id)
            .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
        ).all()

        def viewer(email: str) -> int:
            return db.session.scalar(sa.select(User.id).where(User.email == email))

        return Canary(
            tokens=tokens,
            experiment_id=experiment.id,
            title_token=public_tokens(experiment.title)[0],
            summary_tokens=public_tokens(experiment.summary)
            + public_tokens(experiment.problem_statement)
            + public_tokens(experiment.outcomes),
            participant_org_tokens=[t for p in parts for t in public_tokens(p.organisation.name)],
            workshops=[
                (
                    w.id,
                    Sensitivity(int(w.sensitivity)),
                    [m.group(0) for m in TOKEN.finditer(w.title)],
                )
                for w in workshops
            ],
            viewers={
                Audience.PUBLIC: None,
                Audience.MEMBERS: viewer(f"officer-lewisham@{SLUG}.canary.test"),
                Audience.PARTICIPANTS: viewer(f"officer-hackney@{SLUG}.canary.test"),
            },
        )


def test_the_canary_plants_every_text_column(canary):
    """Every string column of every model holds a token, and spans where it accepts them.

    Columns are found by introspecting every mapper, so a column (or a model) added by
    any feature is checked the day it lands: it needs a policy in procure/text_policy.py,
    and then the canary plants it (a feature's ``demo.canary`` must create its records).
    """
    problems = []
    for _mapper, key, column in string_columns(db.Model.registry.mappers):
        if excluded(key, column):
            continue
        policy = TEXT_FIELDS.get(key)
        if policy is None:
            problems.append(f"{key}: no policy in procure/text_policy.py")
            continue
        level_column = column.table.c[policy.level_from] if policy.level_from else sa.null()
        rows = db.session.execute(sa.select(column, level_column)).all()
        values = [v if isinstance(v, str) else json.dumps(v) for v, _level in rows]
        # Spans below a record's own level are pointless, so expect those above the
        # lowest level any record of this column is at.
        lowest = min(
            (max(policy.level, Sensitivity.parse(lv) if lv else policy.level) for _v, lv in rows),
            default=policy.level,
        )
        if not any(TOKEN.search(v) for v in values):
            problems.append(f"{key}: no token planted (does the canary create a record of it?)")
        if not policy.accepts_spans:
            continue
        for code, span in (("MEM", "members"), ("PAR", "participants")):
            if CODES[code] <= lowest:
                continue
            inside = re.compile(r"\[\[" + span + r":[^\]]*" + PREFIX + code + r"\d{4}", re.I)
            if not any(inside.search(v) for v in values):
                problems.append(f"{key}: no [[{span}: …]] span with its own token")
    assert not problems, "The canary does not cover:\n" + "\n".join(problems)


def test_canary_plants_tokens_at_every_level(canary):
    levels = {level_of(t) for t in canary.tokens}
    assert levels == set(Audience)
    assert len(canary.summary_tokens) == 3
    assert len(canary.participant_org_tokens) >= 4


# -- reports --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(app, canary) -> dict:
    """Each kind × audience rendered once: (pdf, document, required tokens) or a ReportError."""
    cache: dict = {}

    def get(kind: str, audience: Audience):
        if (kind, audience) not in cache:
            cache[kind, audience] = _render(app, canary, kind, audience)
        return cache[kind, audience]

    return get


def _render(app, canary: Canary, kind: str, audience: Audience):
    experiment = db.session.get(Experiment, canary.experiment_id)
    params: dict = {}
    required = [canary.title_token]
    if kind == "workshop-pack":
        visible = [w for w in canary.workshops if audience.permits(w[1])]
        if not visible:
            with pytest.raises(ReportError):
                build_document(kind, experiment, audience)
            return None
        workshop_id, _level, title_tokens = visible[0]
        params["workshop_id"] = workshop_id
        required = [t for t in title_tokens if level_of(t) <= audience]
    if kind == "summary":
        required += canary.summary_tokens + canary.participant_org_tokens
    if audience < MINIMUM_AUDIENCE[kind]:
        with app.test_request_context(), pytest.raises(ReportError, match="only"):
            build_document(kind, experiment, audience)
        return None
    with app.test_request_context():
        try:
            document = build_document(kind, experiment, audience, **params)
        except ReportError as exc:
            feature = {"scoring": "scoring", "requirements": "requirements"}.get(kind)
            assert feature and feature_report(feature) is None, f"{kind} failed: {exc}"
            assert "not available yet" in str(exc)
            return None
        pdf = render_report_pdf(document)
    return pdf, document, required


def _assert_pdf_redacted(
    pdf: bytes, canary: Canary, audience: Audience, required: list[str], where: str
):
    inspection = inspect_pdf(pdf)
    try:
        assert_redacted(inspection, forbidden=forbidden_prefixes(audience), required=required)
    except AssertionError as failure:
        leaked = [t for t in canary.above(audience) if inspection.find(t)]
        raise AssertionError(
            f"{where}: tokens above {audience.slug}: {leaked}\n{failure}"
        ) from None
    return inspection


@pytest.mark.parametrize("audience", list(Audience), ids=lambda a: a.slug)
@pytest.mark.parametrize("kind", KINDS)
def test_report_holds_nothing_above_its_audience(rendered, canary, kind, audience):
    result = rendered(kind, audience)
    if result is None:
        return  # the ReportError was asserted in _render (feature absent / no visible workshop)
    pdf, document, required = result
    inspection = _assert_pdf_redacted(
        pdf, canary, audience, required, f"{kind} for {audience.slug}"
    )
    for number, text in enumerate(inspection.pypdf_pages, start=1):
        assert audience.marking.lower() in text.lower(), f"{kind}: no marking on page {number}"
        assert f"Page {number} of {inspection.page_count}" in text
    assert inspection.info["/Title"] == document.title
    above = forbidden_prefixes(audience)
    assert not [p for p in above if p.casefold() in document.filename.casefold()], document.filename
    assert not list(find_models(document)), f"{kind}: the document holds model instances"
    assert not TOKEN.search(repr(document.redaction_log.as_list()))


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBERS], ids=lambda a: a.slug)
def test_pack_of_a_workshop_above_the_audience_is_refused(app, canary, audience):
    experiment = db.session.get(Experiment, canary.experiment_id)
    above = [w for w in canary.workshops if not audience.permits(w[1])]
    for workshop_id, level, _tokens in above:
        with app.test_request_context(), pytest.raises(ReportError) as error:
            build_document("workshop-pack", experiment, audience, workshop_id=workshop_id)
        assert f"This workshop is {level.label.lower()}" in str(error.value)
        assert not TOKEN.search(str(error.value))


def test_the_reports_that_exist_are_checked(rendered, canary):
    """A guard against a suite that passes by rendering nothing."""
    for kind in (
        "summary",
        *(
            k
            for k, f in (("scoring", "scoring"), ("requirements", "requirements"))
            if feature_report(f)
        ),
    ):
        assert rendered(kind, Audience.PUBLIC) is not None, kind
    if feature_report("workshops") is not None and canary.workshops:
        assert any(rendered("workshop-pack", a) is not None for a in Audience)


# -- pages ----------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _in_experiment(base: str, href: str) -> str | None:
    url = urllib.parse.urljoin(base, href)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    root = f"/experiments/{SLUG}"
    if parts.path not in ("/", root) and not parts.path.startswith(root + "/"):
        return None
    return urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))


def _body_text(response) -> str:
    data = response.data
    if data[:2] == b"PK":  # XLSX and other zips: search every member
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8", "replace")


def crawl(client: FlaskClient) -> Iterator[tuple[str, object]]:
    """GET every page of the canary experiment reachable by links, once each, and the list
    of experiments (which shows its title)."""
    start = f"/experiments/{SLUG}"
    # Your work lists the canary experiment's tasks; deadlines and progress name organisations.
    extra = ["/work", f"{start}/deadlines", f"{start}/progress"]
    queue, seen = ["/", start, *extra], {"/", start, *extra}
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        yield url, response
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = _Links()
            parser.feed(response.get_data(as_text=True))
            for href in parser.hrefs:
                target = _in_experiment("http://localhost" + url, href)
                if target and target not in seen and len(seen) < MAX_PAGES:
                    seen.add(target)
                    queue.append(target)


@pytest.mark.parametrize("audience", list(Audience), ids=lambda a: a.slug)
def test_pages_hold_nothing_above_the_reader(app, canary, audience):
    client = _Client(app, app.response_class, use_cookies=True)
    user_id = canary.viewers[audience]
    if user_id is not None:
        login(client, db.session.get(User, user_id))
    forbidden = forbidden_prefixes(audience)
    visited: dict[str, int] = {}
    for url, response in crawl(client):
        visited[url] = response.status_code
        if response.status_code != 200:
            continue
        where = f"{url} as {audience.slug}"
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items()).casefold()
        in_headers = [t for t in canary.above(audience) if t.casefold() in headers]
        assert not in_headers, f"{where}: tokens in the headers (file name?): {in_headers}"
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            required = canary.summary_tokens[:1] if url == f"/experiments/{SLUG}" else []
            try:
                assert_html_redacted(
                    html, forbidden=forbidden or ["NOTHING-FORBIDDEN"], required=required
                )
            except AssertionError as failure:
                leaked = [t for t in canary.above(audience) if t in html]
                raise AssertionError(
                    f"{where}: tokens above {audience.slug}: {leaked}\n{failure}"
                ) from None
        elif response.mimetype == "application/pdf":
            _assert_pdf_redacted(response.data, canary, audience, [], where)
        else:
            text = _body_text(response).casefold()
            leaked = [t for t in canary.above(audience) if t.casefold() in text]
            assert not leaked, f"{where} ({response.mimetype}): {leaked}"
    assert visited[f"/experiments/{SLUG}"] == 200
    # Every section in the experiment's navigation was reached.
    nav = [
        rule.rule.replace("<slug>", SLUG)
        for rule in app.url_map.iter_rules()
        if rule.endpoint
        in {
            "market.index",
            "market.landscape",
            "scoring.dashboard",
            "requirements.index",
            "requirements.versions",
            "workshops.index",
            "procurement.notice",
            "procurement.engagement",
        }
    ]
    missing = [path for path in nav if path not in visited]
    assert not missing, f"not reached as {audience.slug}: {missing}"


# -- OCDS ------------------------------------------------------------------------------


def test_ocds_package_holds_public_tokens_only(app, canary, tmp_path):
    """The OCDS release is built at public: no members or participants token, public ones in."""
    output = tmp_path / "canary-ocds.json"
    result = app.test_cli_runner().invoke(
        args=["export", "ocds", "--experiment", SLUG, "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    leaked = [t for t in canary.above(Audience.PUBLIC) if t in text]
    assert not leaked, f"OCDS package: tokens above public: {leaked}"
    found = {m.group(0) for m in TOKEN.finditer(text)}
    assert found and all(level_of(t) == Audience.PUBLIC for t in found)
    release = json.loads(text)["releases"][0]
    # The notice's title, its lot and the buyers' names are all public tokens.
    assert TOKEN.search(release["tender"]["title"])
    assert TOKEN.search(release["tender"]["lots"][0]["description"])
    buyers = [p["name"] for p in release["parties"] if "buyer" in p["roles"]]
    assert len(buyers) >= 2 and all(
        n in canary.participant_org_tokens or TOKEN.search(n) for n in buyers
    )


def test_handover_pack_files_hold_nothing_above_their_audience(app, canary):
    """Inside a participants pack, each file holds nothing above the audience its manifest names."""
    experiment = db.session.get(Experiment, canary.experiment_id)
    with app.test_request_context():
        pack = build_handover(app, experiment, Audience.PARTICIPANTS, f"{SLUG}-camden")
    archive = zipfile.ZipFile(io.BytesIO(pack.data))
    manifest = json.loads(archive.read("manifest.json"))
    assert not TOKEN.search(json.dumps(manifest))
    public_files = [i["file"] for i in manifest["files"] if i["audience"] == "public"]
    assert len(public_files) == 2, manifest
    for item in manifest["files"]:
        data = archive.read(item["file"])
        audience = Audience.parse(item["audience"])
        if item["file"].endswith(".pdf"):
            _assert_pdf_redacted(data, canary, audience, [], item["file"])
        else:
            text = data.decode("utf-8", "replace")
            leaked = [t for t in canary.above(audience) if t in text]
            assert not leaked, f"{item['file']}: {leaked}"


@pytest.mark.parametrize("audience", list(Audience), ids=lambda a: a.slug)
def test_served_spec_pdfs_hold_nothing_above_their_audience(app, canary, audience):
    """Specification PDFs and share links come from the pipeline's cache, keyed by
    audience: each reader's download, and a share link at each audience, is redacted."""
    client = _Client(app, app.response_class, use_cookies=True)
    user_id = canary.viewers[audience]
    if user_id is not None:
        login(client, db.session.get(User, user_id))
    versions = db.session.scalars(
        sa.select(SpecificationVersion).where(
            SpecificationVersion.experiment_id == canary.experiment_id
        )
    ).all()
    assert versions
    admin = db.session.scalar(sa.select(User).where(User.site_role == "admin"))
    for version in versions:
        url = f"/experiments/{SLUG}/specification/{version.number}/download/pdf"
        for _ in range(2):  # the first (rendered by the job) and the cached one
            response = client.get(url)
            assert response.status_code == 200 and response.mimetype == "application/pdf"
            _assert_pdf_redacted(response.data, canary, audience, [], f"{url} as {audience.slug}")
        _link, token = create_share_link(
            version.experiment,
            audience=audience,
            expires_on=utcnow().date() + timedelta(days=7),
            label="Served file",
            creator=admin,
            creator_audience=Audience.PARTICIPANTS,
            specification_version_id=version.id,
            spec_format="pdf",
        )
        shared = _Client(app, app.response_class).get(f"/share/{token}")
        assert shared.status_code == 200 and shared.mimetype == "application/pdf"
        _assert_pdf_redacted(shared.data, canary, audience, [], f"share link at {audience.slug}")
