"""PDF rendering core: metadata, tagging, layout hooks, the redaction checker's reach,
and a URL fetcher that fetches nothing but static files."""

from __future__ import annotations

import datetime
import http.server
import io
import logging
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup
from PIL import Image
from pypdf import PdfReader

from procure.reports.pdf import RefusedFetch, StaticURLFetcher, render_pdf
from tests.redaction import (
    TEXT_CHANNELS,
    assert_html_redacted,
    assert_redacted,
    inspect_pdf,
)

REPO = Path(__file__).resolve().parents[2]
REPORTS = REPO / "reports"
PDF_LOGGER = "procure.reports.pdf"
DATA_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


# ------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    root.mkdir()
    shutil.copy(REPORTS / "print.css", root / "print.css")
    Image.new("RGB", (8, 8), (29, 63, 143)).save(root / "pixel.png")
    return root


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPORTS)), autoescape=True)


@dataclass
class Doc:
    title: str = "Housing management systems: workshop pack"
    subtitle: str | None = "Moderation workshop"
    audience_marking: str = "Members only"
    generated_on: datetime.date = datetime.date(2025, 3, 14)
    toc: list[tuple[str, str]] = field(default_factory=list)
    experiment_name: str = "Housing management systems"


def page_html(env: jinja2.Environment, body: str, document: Doc | None = None, **context) -> str:
    template = env.from_string('{% extends "base.html" %}{% block body %}{{ body }}{% endblock %}')
    return template.render(document=document or Doc(), body=Markup(body), **context)  # noqa: S704 literal test HTML


def render(html: str, static_root: Path, **kwargs) -> bytes:
    arguments = {"title": "Public title", "author": "Procure convenor"} | kwargs
    return render_pdf(html, static_root=static_root, **arguments)


def long_table(rows: int) -> str:
    body = "".join(
        f"<tr><td>Option {i}: a housing management system</td><td>product</td>"
        f'<td class="num">{i % 100}</td><td class="num">{(i * 7) % 100}</td></tr>'
        for i in range(rows)
    )
    return (
        "<table><caption>Option scores</caption><thead><tr><th>Option</th><th>Kind</th>"
        '<th class="num">Feasibility</th><th class="num">Desirability</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


# ------------------------------------------------------------------------------------
# Metadata, language, tagging


def test_metadata_comes_from_the_arguments_not_the_html(env, static_root):
    html = page_html(
        env,
        "<p>Body text.</p>",
        Doc(title="Draft HTMLTITLE7731 title"),
    ).replace(
        "<head>",
        "<head>"
        '<meta name="author" content="METAAUTHOR1111">'
        '<meta name="description" content="METADESC2222">'
        '<meta name="keywords" content="METAKEY3333, other">'
        '<meta name="generator" content="METAGEN4444">'
        '<meta name="dcterms.created" content="2001-01-01">'
        '<meta name="x-custom" content="METACUSTOM5555">',
    )
    pdf = render(
        html,
        static_root,
        title="Public title",
        author="Procure convenor",
        subject="Scores of shortlisted options",
        keywords=["housing", "scoring"],
    )
    inspection = inspect_pdf(pdf)

    assert inspection.info["/Title"] == "Public title"
    assert inspection.info["/Author"] == "Procure convenor"
    assert inspection.info["/Subject"] == "Scores of shortlisted options"
    assert inspection.info["/Keywords"] == "housing, scoring"
    assert inspection.info["/Creator"] == "Procure"
    assert "/CreationDate" not in inspection.info
    producer = inspection.info.get("/Producer", "")
    assert "/" not in producer and "\\" not in producer  # no paths
    assert inspection.xmp is not None and "Public title" in inspection.xmp
    assert "Procure convenor" in inspection.xmp

    # The HTML <title> is on the cover (same read model) but never in the metadata.
    assert inspection.find("HTMLTITLE7731", channels=["metadata:info", "metadata:xmp"]) == []
    assert "text:pypdf" in inspection.channels_with("HTMLTITLE7731")
    # <meta> elements reach nothing at all.
    for token in ("METAAUTHOR1111", "METADESC2222", "METAKEY3333", "METAGEN4444", "METACUSTOM5555"):
        assert inspection.find(token) == [], token


def test_pdf_is_tagged_pdf_ua_with_language_from_the_argument(env, static_root):
    html = page_html(env, "<h2>Section</h2><p>Text.</p>", lang="fr")
    inspection = inspect_pdf(render(html, static_root, lang="en-GB"))
    catalog = inspection.catalog

    assert catalog["/Lang"] == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert 'pdfuaid:part="1"' in inspection.xmp


def _embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_reports_are_set_in_embedded_liberation_sans(env, static_root):
    """Without fonts-liberation2 a report silently takes whatever font the machine has;
    `make` installs it (scripts/system_packages.py), and this says when it did not."""
    html = page_html(env, "<h2>Section</h2><p>Regular <strong>bold</strong> text.</p>")

    fonts = _embedded_fonts(render(html, static_root))

    assert fonts, "no fonts embedded"
    # "/ABCDEF+Liberation-Sans-Bold": subset tag, then the family and style.
    families = {name.split("+", 1)[-1].replace("-", "") for name in fonts}
    assert families <= {"LiberationSans", "LiberationSansBold"}, (
        f"PDF fonts are {sorted(families)}: install fonts-liberation2 (`make test` does)"
    )
    assert all("+" in name for name in fonts), "fonts are not subset: install libharfbuzz-subset0"


def test_default_language_is_en_gb(env, static_root):
    inspection = inspect_pdf(render(page_html(env, "<p>Text.</p>"), static_root))
    assert inspection.catalog["/Lang"] == "en-GB"


def test_arguments_are_validated(static_root):
    with pytest.raises(TypeError):
        render_pdf("<p>x</p>", static_root=static_root, title="T", author="A", keywords="abc")
    with pytest.raises(ValueError):
        render_pdf("<p>x</p>", static_root=static_root, title="  ", author="A")


# ------------------------------------------------------------------------------------
# Layout hooks of print.css and base.html


def test_bookmarks_come_from_headings(env, static_root):
    document = Doc(toc=[("scores", "Scores"), ("requirements", "Requirements")])
    body = (
        '<h2 id="scores">Scores</h2><p>Text.</p><h3 id="feasibility">Feasibility</h3>'
        '<h2 id="requirements">Requirements</h2><p>Text.</p>'
    )
    inspection = inspect_pdf(render(page_html(env, body, document), static_root))

    assert inspection.outline_titles == [
        document.title,
        "Scores",
        "Feasibility",
        "Requirements",
    ]  # the "Contents" heading is not bookmarked


def test_every_page_has_marking_title_and_page_x_of_y(env, static_root):
    document = Doc(toc=[("scores", "Scores")], audience_marking="Participants only")
    html = page_html(env, '<h2 id="scores">Scores</h2>' + long_table(80), document)
    inspection = inspect_pdf(render(html, static_root))
    pages = inspection.pypdf_pages
    total = len(pages)

    assert total >= 4  # cover, contents, and the table over two or more pages
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text, f"footer missing on page {number}"
        assert "PARTICIPANTS ONLY" in text, f"marking missing on page {number}"
        if number > 1:
            assert document.title in text, f"running title missing on page {number}"
    for number in range(3, total + 1):  # the table header row repeats
        assert "Desirability" in pages[number - 1]


def test_contents_lists_the_page_number_of_each_section(env, static_root):
    document = Doc(toc=[("scores", "Scores"), ("requirements", "Requirements")])
    body = (
        '<h2 id="scores">Scores</h2>'
        + long_table(60)
        + '<h2 id="requirements">Requirements</h2><p>The system must.</p>'
    )
    inspection = inspect_pdf(render(page_html(env, body, document), static_root))
    contents = inspection.pypdf_pages[1]

    for heading in ("Scores", "Requirements"):
        match = re.search(rf"{heading}[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, f"no page number for {heading!r} in {contents!r}"
        page = int(match.group(1))
        assert heading in inspection.pypdf_pages[page - 1]
    assert "Requirements" not in inspection.pypdf_pages[2]  # it really is further on


def test_redacted_marker_is_visible_text(env, static_root):
    body = (
        '<p>Contract value: <span class="redacted">Redacted: members only</span>.</p>'
        '<div class="redacted redacted--block">Redacted: participants only</div>'
    )
    inspection = assert_redacted(
        render(page_html(env, body), static_root),
        forbidden=[],
        required=["Redacted: members only", "Redacted: participants only"],
    )
    assert inspection.page_count == 2


def test_base_template_without_contents_and_with_string_date(env):
    html = page_html(env, "<p>Body.</p>", Doc(toc=[], generated_on="14 March 2025", subtitle=None))
    assert '<nav class="toc"' not in html
    assert "14 March 2025" in html
    assert 'class="audience-marking"' in html
    assert html.startswith('<!doctype html><html lang="en-GB">')
    assert '<link rel="stylesheet" href="procure-static:/print.css">' in html


# ------------------------------------------------------------------------------------
# The redaction checker finds what is there (negative controls)


def test_checker_finds_planted_tokens_in_every_channel(env, static_root):
    long_token = "WRAPTOKEN" + "X" * 30 + "END"
    document = Doc(toc=[("IDTOKEN4401", "Heading OUTLINETOKEN4402")])
    body = f"""
      <h2 id="IDTOKEN4401">Heading OUTLINETOKEN4402</h2>
      <p>Plain TEXTTOKEN4403 in a paragraph,
        <a href="https://example.org/URITOKEN4404">a link</a>.</p>
      <table style="width: 40mm"><thead><tr><th>Narrow</th></tr></thead>
        <tbody><tr><td>{long_token}</td></tr></tbody></table>
      <p><img src="pixel.png" alt="ALTTOKEN4405" style="width: 10mm"></p>
      <figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5">
        <title>SVGALTTOKEN4406</title><rect width="10" height="5" fill="#1d3f8f"/></svg></figure>
    """
    pdf = render(
        page_html(env, body, document),
        static_root,
        title="Title METATOKEN4407",
        author="Author AUTHORTOKEN4408",
        keywords=["KEYTOKEN4409"],
    )
    inspection = inspect_pdf(pdf)

    def channels(token: str) -> set[str]:
        return inspection.channels_with(token)

    assert set(TEXT_CHANNELS) <= channels("TEXTTOKEN4403")
    assert all(loc.page == 3 for loc in inspection.find("TEXTTOKEN4403", TEXT_CHANNELS))
    # A long token wrapped inside a narrow cell is still found by both extractors.
    wrapped = inspection.find(long_token, TEXT_CHANNELS)
    assert {loc.channel for loc in wrapped} == set(TEXT_CHANNELS)
    assert any("split" in loc.where for loc in wrapped), "the token should wrap in this test"
    assert {"link:uri", "annotation"} <= channels("URITOKEN4404")
    assert {"link:dest", "names"} <= channels("IDTOKEN4401")
    assert {"outline", *TEXT_CHANNELS} <= channels("OUTLINETOKEN4402")
    assert {"alt", "objects", "stream"} <= channels("ALTTOKEN4405")
    assert "alt" in channels("SVGALTTOKEN4406")
    for token in ("METATOKEN4407", "AUTHORTOKEN4408", "KEYTOKEN4409"):
        assert {"metadata:info", "metadata:xmp", "stream"} <= channels(token), token
    assert any("/Image" in label for label, _, _ in inspection.streams)  # pixel.png fetched

    with pytest.raises(AssertionError) as failure:
        assert_redacted(
            pdf,
            forbidden=["TEXTTOKEN4403", "URITOKEN4404", "ALTTOKEN4405", "METATOKEN4407"],
            required=["Heading OUTLINETOKEN4402", "PUBLICCANARY0000"],
        )
    message = str(failure.value)
    assert "4 forbidden token(s)" in message
    for expected in (
        "'TEXTTOKEN4403'",
        "text:pypdf: page text (exact), page 3",
        "text:pdfminer",
        "link:uri: URI 'https://example.org/URITOKEN4404', page 3",
        "alt: structure element /Alt = 'ALTTOKEN4405'",
        "metadata:info: Info /Title",
        "metadata:xmp",
        "'PUBLICCANARY0000' not found in: text:pypdf, text:pdfminer",
    ):
        assert expected in message, expected
    assert "Heading OUTLINETOKEN4402" not in message.split("required")[-1]


def test_checker_passes_a_clean_document_and_returns_the_inspection(env, static_root):
    pdf = render(page_html(env, "<p>Public PUBTOKEN0001 text.</p>"), static_root)
    inspection = assert_redacted(pdf, forbidden=["MEMTOKEN0001"], required=["PUBTOKEN0001"])
    assert inspection.page_count == 2


def test_checker_searches_raw_bytes_in_every_encoding(env, static_root):
    pdf = render(page_html(env, "<p>Nothing planted.</p>"), static_root)
    planted = {
        "RAWASCII0001": b"RAWASCII0001",
        "RAWUTF16B0002": b"\xfe\xff" + "RAWUTF16B0002".encode("utf-16-be"),
        "RAWUTF16N0003": "RAWUTF16N0003".encode("utf-16-be"),
        "RAWHEX0004": b"<" + b"RAWHEX0004".hex().upper().encode() + b">",
        "RAWHEX16B0005": b"<" + ("\ufeffRAWHEX16B0005").encode("utf-16-be").hex().encode() + b">",
        "RAWHEX16N0006": b"<" + "rawhex16n0006".encode("utf-16-be").hex().encode() + b">",
    }
    tampered = pdf + b"".join(b"\n%" + value for value in planted.values()) + b"\n"
    inspection = inspect_pdf(tampered)
    expected = {
        "RAWASCII0001": "utf-8",
        "RAWUTF16B0002": "utf-16be+bom",
        "RAWUTF16N0003": "utf-16be",
        "RAWHEX0004": "hex utf-8",
        "RAWHEX16B0005": "hex utf-16be+bom",
        "RAWHEX16N0006": "hex utf-16be",
    }
    for token, encoding in expected.items():
        locations = inspection.find(token, ["file"])
        assert [loc.where for loc in locations] == [f"raw file bytes as {encoding}"], token
        assert inspection.find(token, TEXT_CHANNELS) == []


def test_html_checker_finds_tokens_everywhere():
    html = """<!doctype html><html lang="en-GB"><head><title>T HTMLTITLE0001</title>
      <style>.x::after { content: "STYLETOKEN0002" }</style></head>
      <body><!-- COMMENTTOKEN0003 -->
      <p id="IDTOKEN0004">Public PUBTOKEN0005 and &#x4D;EMTOKEN0006</p>
      <a href="/x?q=URL%54OKEN0007">link</a><img src="a.png" alt="ALTTOKEN0008">
      </body></html>"""
    with pytest.raises(AssertionError) as failure:
        assert_html_redacted(
            html,
            forbidden=[
                "HTMLTITLE0001",
                "STYLETOKEN0002",
                "COMMENTTOKEN0003",
                "IDTOKEN0004",
                "MEMTOKEN0006",
                "URLTOKEN0007",
                "ALTTOKEN0008",
            ],
            required=["PUBTOKEN0005", "MISSINGTOKEN0009"],
        )
    message = str(failure.value)
    assert "7 forbidden token(s) found in the HTML" in message
    for expected in (
        "html:text: text in <title>",
        "html:raw-text: <style> content",
        "html:comment: comment",
        "html:attribute: attribute id of <p>",
        "html:text: text in <p>",
        "html:attribute: attribute href of <a>",
        "html:attribute: attribute alt of <img>",
        "'MISSINGTOKEN0009' not found in: html:text",
    ):
        assert expected in message, expected
    assert "PUBTOKEN0005" not in message

    assert_html_redacted(html, forbidden=["ABSENT0010"], required=["PUBTOKEN0005"])


# ------------------------------------------------------------------------------------
# Fetching: static files only


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b"body::after { content: 'NETWORKTOKEN9999' }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server():
    handler = type("Handler", (_CountingHandler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def outside_css(tmp_path: Path) -> Path:
    """A stylesheet OUTSIDE static_root that would print a token if it were read."""
    path = tmp_path / "outside.css"
    path.write_text("main::after { content: 'OUTSIDETOKEN8888' }")
    return path


def test_hostile_html_fetches_nothing_outside_static_root(
    env, static_root, http_server, outside_css, caplog
):
    base, requests = http_server
    (static_root / "link.css").symlink_to(outside_css)
    (static_root / "sub").mkdir()
    outside = outside_css.as_uri()
    head = f"""
      <link rel="stylesheet" href="{base}/link.css">
      <link rel="stylesheet" href="{outside}">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="procure-static:/link.css">
      <link rel="stylesheet" href="procure-static:/sub/%2e%2e/%2e%2e/outside.css">
      <link rel="stylesheet" href="procure-static://127.0.0.1/print.css">
      <link rel="attachment" href="{base}/attachment.bin">
      <style>
        @import url({base}/import.css);
        @import url("{outside}");
        @font-face {{ font-family: Hostile; src: url({base}/font.ttf); }}
        .bg {{ background-image: url({base}/background.png); }}
      </style>"""
    body = f"""
      <p>Public PUBTOKEN0001 paragraph.</p>
      <img src="{base}/image.png" alt="remote image">
      <img src="//127.0.0.1:{base.rsplit(":", 1)[1]}/scheme-relative.png" alt="remote">
      <img src="{DATA_PNG}" alt="data">
      <img src="file:///etc/hostname" alt="local file">
      <div class="bg"
           style="background: url({base}/inline.png); list-style-image: url('{outside}')">x</div>
      <object data="{base}/object.svg" type="image/svg+xml">object</object>
      <embed src="{base}/embed.svg" type="image/svg+xml">
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
           width="20" height="20"><title>chart</title>
        <image href="{base}/svg-image.png" width="10" height="10"/>
        <image xlink:href="{outside}" width="10" height="10"/></svg>
      <a rel="attachment" href="{base}/a-attachment.bin">attachment</a>
    """
    html = page_html(env, body).replace("</head>", head + "</head>")
    caplog.set_level(logging.WARNING, logger=PDF_LOGGER)

    pdf = render(html, static_root)

    assert requests == [], f"the renderer made HTTP requests: {requests}"
    assert_redacted(
        pdf, forbidden=["OUTSIDETOKEN8888", "NETWORKTOKEN9999"], required=["PUBTOKEN0001"]
    )
    refusals = "\n".join(r.getMessage() for r in caplog.records if r.name == PDF_LOGGER)
    for url in (
        f"{base}/link.css",
        f"{base}/import.css",
        f"{base}/font.ttf",
        f"{base}/image.png",
        f"{base}/inline.png",
        f"{base}/svg-image.png",
        f"{base}/a-attachment.bin",
        outside,
        "file:///etc/passwd",
        "file:///etc/hostname",
        "procure-static:/link.css",
        "data:image/png",
    ):
        assert url in refusals, f"no warning for {url}"
    assert "path escapes static_root" in refusals  # the symlink
    assert "resource(s) refused and left out" in refusals


def test_control_weasyprint_default_fetcher_does_reach_the_server(http_server):
    """Control for the zero-request assertions: the server does see WeasyPrint's fetches
    when the renderer is not locked down (a request to 127.0.0.1 only)."""
    from weasyprint import HTML

    base, requests = http_server
    HTML(string=f'<link rel="stylesheet" href="{base}/control.css"><p>x</p>').render()
    assert requests == ["/control.css"]


def test_base_element_cannot_redirect_fetches(env, static_root, http_server):
    base, requests = http_server
    html = page_html(env, '<p>Text.</p><img src="remote.png" alt="x">').replace(
        "<head>", f'<head><base href="{base}/">'
    )
    render(html, static_root)
    assert requests == []


def test_files_inside_static_root_are_fetched(env, static_root):
    """Positive control: the same kinds of references work for allowed files."""
    (static_root / "css").mkdir()
    (static_root / "css" / "extra.css").write_text(
        "@import url(../more.css); main::after { content: 'INSIDETOKEN7777' }"
    )
    (static_root / "more.css").write_text("main::before { content: 'IMPORTED7778' }")
    html = page_html(env, '<p>Text.</p><img src="/static/pixel.png" alt="pixel">').replace(
        "</head>", '<link rel="stylesheet" href="css/extra.css"></head>'
    )
    inspection = inspect_pdf(render(html, static_root))
    assert set(TEXT_CHANNELS) <= inspection.channels_with("INSIDETOKEN7777")
    assert set(TEXT_CHANNELS) <= inspection.channels_with("IMPORTED7778")
    assert any("/Image" in label for label, _, _ in inspection.streams)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("procure-static:/print.css", "print.css"),
        ("procure-static:print.css", "print.css"),
        ("procure-static:///print.css", "print.css"),
        ("procure-static:/./img/../print.css", None),
        ("procure-static:/static/print.css", "print.css"),
        ("/static/print.css", "print.css"),
        ("print.css", "print.css"),
        ("procure-static:/img/chart.svg?v=1#icon", "img/chart.svg"),
        ("PROCURE-STATIC:/print.css", "print.css"),
    ],
)
def test_fetcher_resolves_static_urls(static_root, url, expected):
    (static_root / "img").mkdir()
    (static_root / "img" / "chart.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    fetcher = StaticURLFetcher(static_root)
    if expected is None:
        with pytest.raises(RefusedFetch):
            fetcher.resolve(url)
    else:
        assert fetcher.resolve(url) == (static_root / expected).resolve()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.org/x.css",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "data:text/css,body{}",
        "javascript:alert(1)",
        "//127.0.0.1/print.css",
        "procure-static://host/print.css",
        "procure-static:/../outside.css",
        "procure-static:/%2e%2e/outside.css",
        "procure-static:/img/%2e%2e/%2e%2e/outside.css",
        "procure-static:/..%2foutside.css",
        "procure-static:/link.css",
        "procure-static:/.hidden",
        "procure-static:/img",
        "procure-static:/missing.css",
        "procure-static:/",
        "procure-static:/print.css%00.png",
    ],
)
def test_fetcher_refuses(static_root, outside_css, url, caplog):
    (static_root / "img").mkdir()
    (static_root / ".hidden").write_text("secret")
    (static_root / "link.css").symlink_to(outside_css)
    fetcher = StaticURLFetcher(static_root)
    caplog.set_level(logging.WARNING, logger=PDF_LOGGER)
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.refused[0][0] == url
    assert fetcher.fetched == []
    assert any("refused to fetch" in record.getMessage() for record in caplog.records)


def test_fetcher_serves_content_type(static_root):
    response = StaticURLFetcher(static_root).fetch("procure-static:/print.css")
    try:
        assert response.content_type == "text/css"
        assert response.url == "procure-static:/print.css"
        assert b"@page" in response.read()
    finally:
        response.close()
