"""HTML → PDF with WeasyPrint, fetching nothing but Procure's own static files.

This is the only place that turns report HTML into PDF bytes. It does three things
beyond calling WeasyPrint:

* **Fetching.** WeasyPrint fetches every URL the HTML or CSS mentions (stylesheets,
  ``@import``, images, ``url()`` in ``style`` attributes, ``<link rel=attachment>``,
  SVG ``<image>`` and ``<use>``…). :class:`StaticURLFetcher` serves only regular files
  under ``static_root`` and refuses everything else — ``http:``, ``https:``,
  ``file:``, ``ftp:``, any other scheme, paths that leave ``static_root`` through
  ``..`` or a symbolic link, hidden files, and ``data:`` URLs too (WeasyPrint does not
  need ``data:`` internally, report charts are inline SVG, and a refused ``data:``
  URL cannot smuggle content past the read models). A refusal is logged as a warning
  on this module's logger and raised to WeasyPrint, which logs it as well and goes on
  without that resource: the render never aborts, and a refusal never passes
  silently.

* **Metadata.** Title, author, subject, keywords, language and creator come from the
  arguments only. Whatever the HTML's ``<title>`` and ``<meta>`` elements say is
  discarded, as are ``<link rel=attachment>`` files, because the caller passes values
  already built from redacted read models (see "Redaction: one rule, one place" in
  the design).

* **Accessibility.** The PDF is tagged and declares PDF/UA-1; bookmarks come from the
  print CSS (``bookmark-level`` on headings); fonts are subset.

URLs. Report templates refer to static files through the ``procure-static:`` scheme,
e.g. ``procure-static:/print.css``. Relative URLs (``print.css``, ``charts/a.png``)
are resolved against ``base_url`` (``procure-static:/`` by default) — this module
registers the scheme with :mod:`urllib.parse` so that relative resolution works — and
the web's ``/static/…`` prefix is accepted too: ``/static/img/logo.png`` is
``static_root/img/logo.png``.
"""

from __future__ import annotations

import logging
import mimetypes
import pathlib
import urllib.parse
from collections.abc import Sequence

from flask import g, has_app_context
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = [
    "DEFAULT_BASE_URL",
    "PDF_VARIANT",
    "PRINT_CSS_URL",
    "REPORTS_DIR",
    "REQUEST_MARKER",
    "STATIC_SCHEME",
    "RefusedFetch",
    "RenderInRequestError",
    "StaticURLFetcher",
    "render_pdf",
]

logger = logging.getLogger(__name__)

#: Set on ``flask.g`` by a ``before_request`` hook of the app: a web request is being
#: handled here, so no PDF may be rendered (renders run in the report pipeline's jobs).
REQUEST_MARKER = "procure_handling_request"


class RenderInRequestError(RuntimeError):
    """A web request reached the PDF renderer: files are served, not rendered."""


def refuse_inside_request() -> None:
    """Raise :class:`RenderInRequestError` inside a request handler's context."""
    if has_app_context() and g.get(REQUEST_MARKER):
        raise RenderInRequestError(
            "A PDF render was started inside a web request; queue an export instead"
        )


#: URL scheme of files served from ``static_root``.
STATIC_SCHEME = "procure-static"
#: Default base URL: relative URLs in report HTML resolve into ``static_root``.
DEFAULT_BASE_URL = f"{STATIC_SCHEME}:/"
#: URL of the shared print stylesheet when ``static_root`` is :data:`REPORTS_DIR`.
PRINT_CSS_URL = f"{STATIC_SCHEME}:/print.css"
#: The print side of the repository (``reports/``): base template and ``print.css``.
#: The usual ``static_root`` for report rendering.
REPORTS_DIR = pathlib.Path(__file__).resolve().parents[2] / "reports"
#: PDF variant written for every report.
PDF_VARIANT = "pdf/ua-1"
#: Written to ``/Creator`` and ``xmp:CreatorTool``.
CREATOR = "Procure"

#: Largest static file served (bytes); report assets are small.
MAX_STATIC_BYTES = 20 * 1024 * 1024
#: The web's static prefix, accepted as an alias of the root of ``static_root``.
_WEB_STATIC_PREFIX = "static/"

# Let urljoin() resolve relative references against procure-static: base URLs
# (otherwise "print.css" against "procure-static:/" stays "print.css"). Adding our own
# scheme changes nothing for any other scheme.
if STATIC_SCHEME not in urllib.parse.uses_relative:
    urllib.parse.uses_relative.append(STATIC_SCHEME)


class RefusedFetch(ValueError):
    """A URL that the PDF renderer will not fetch."""


class StaticURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that serves regular files under ``static_root`` only.

    Never opens a network connection and never reads a file outside ``static_root``
    (after resolving symbolic links). ``fetched`` and ``refused`` record what was
    asked for, in order, for logs and tests.
    """

    def __init__(self, static_root: pathlib.Path | str) -> None:
        # No protocol is allowed for the inherited urllib machinery: fetch() below
        # never calls it, and this makes sure nothing reaches it by another path.
        super().__init__(
            timeout=1, allowed_protocols=(), allow_redirects=False, fail_on_errors=False
        )
        self.static_root = pathlib.Path(static_root).resolve(strict=True)
        if not self.static_root.is_dir():
            raise NotADirectoryError(f"static_root is not a directory: {self.static_root}")
        self.fetched: list[str] = []
        self.refused: list[tuple[str, str]] = []

    # -- URL → path -----------------------------------------------------------------

    def resolve(self, url: str) -> pathlib.Path:
        """Return the file under ``static_root`` that ``url`` names, or raise
        :class:`RefusedFetch` saying why not."""
        url = url.strip()
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError as error:
            raise RefusedFetch(f"malformed URL ({error})") from None
        scheme = parts.scheme.lower()
        if scheme and scheme != STATIC_SCHEME:
            raise RefusedFetch(f"scheme {scheme!r} is not served (only {STATIC_SCHEME}:)")
        if parts.netloc:
            raise RefusedFetch("URLs with a host are not served")
        path = urllib.parse.unquote(parts.path)
        if "\x00" in path or "\\" in path:
            raise RefusedFetch("NUL or backslash in path")
        relative = path.lstrip("/")
        relative = relative.removeprefix(_WEB_STATIC_PREFIX)  # the web's /static/…
        segments = [segment for segment in relative.split("/") if segment not in ("", ".")]
        if not segments:
            raise RefusedFetch("empty path")
        if ".." in segments:
            raise RefusedFetch("'..' in path")
        if any(segment.startswith(".") for segment in segments):
            raise RefusedFetch("hidden files are not served")
        candidate = self.static_root.joinpath(*segments)
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            raise RefusedFetch("no such file under static_root") from None
        if not resolved.is_relative_to(self.static_root):
            raise RefusedFetch("path escapes static_root (symbolic link)")
        if not resolved.is_file():
            raise RefusedFetch("not a regular file")
        return resolved

    # -- WeasyPrint interface -------------------------------------------------------

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
            size = path.stat().st_size
            if size > MAX_STATIC_BYTES:
                raise RefusedFetch(f"file larger than {MAX_STATIC_BYTES} bytes")
            body = path.read_bytes()
        except (RefusedFetch, OSError) as error:
            reason = str(error) if isinstance(error, RefusedFetch) else type(error).__name__
            shown = url if len(url) <= 200 else url[:200] + "…"
            self.refused.append((url, reason))
            logger.warning("PDF render: refused to fetch %r: %s", shown, reason)
            raise RefusedFetch(f"refused {shown!r}: {reason}") from None
        relative = path.relative_to(self.static_root).as_posix()
        canonical = f"{STATIC_SCHEME}:/{relative}"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.fetched.append(canonical)
        return URLFetcherResponse(canonical, body, {"Content-Type": content_type})


def render_pdf(
    html: str,
    *,
    static_root: pathlib.Path,
    base_url: str = DEFAULT_BASE_URL,
    title: str,
    author: str,
    lang: str = "en-GB",
    subject: str | None = None,
    keywords: Sequence[str] = (),
) -> bytes:
    """Render report HTML to a tagged PDF/UA-1 document and return its bytes.

    ``title``, ``author``, ``subject``, ``keywords`` and ``lang`` become the PDF's
    metadata (Info dictionary and XMP) and catalog ``/Lang``, replacing anything the
    HTML declares: callers build them from the same redacted read model as the HTML.
    Only files under ``static_root`` are fetched (see :class:`StaticURLFetcher`).
    """
    refuse_inside_request()
    if isinstance(keywords, str):
        raise TypeError("keywords must be a sequence of strings, not one string")
    if not title or not title.strip():
        raise ValueError("a PDF/UA document needs a title")
    if not lang or not lang.strip():
        raise ValueError("a PDF/UA document needs a language")
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "full_fonts": False}

    fetcher = StaticURLFetcher(static_root)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(**options)

    metadata = document.metadata
    metadata.title = title
    metadata.authors = [author] if author else []
    metadata.description = subject or None
    metadata.keywords = [keyword for keyword in keywords if keyword]
    metadata.generator = CREATOR
    metadata.lang = lang
    metadata.created = None
    metadata.modified = None
    metadata.custom = {}
    metadata.attachments = []
    metadata.xmp_metadata = []

    pdf = document.write_pdf(**options)
    if fetcher.refused:
        logger.warning(
            "PDF render %r: %d resource(s) refused and left out", title, len(fetcher.refused)
        )
    return pdf
