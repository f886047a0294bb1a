"""Error pages that help: say what happened and what to do next; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something was wrong with that request", "Go back, reload the page and try again."),
    403: (
        "You do not have permission to see this page",
        "If you think you should, ask the convenor of this experiment to check your role.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you followed a link, it may be out of date.",
    ),
    405: ("That action is not allowed here", "Go back and use the buttons on the page."),
    409: ("Someone else changed this first", "Reload the page to see the latest version."),
    413: (
        "That file is too large",
        "Upload a smaller file. Spreadsheets of a few thousand rows are well within the limit.",
    ),
    429: (
        "Too many attempts",
        "Wait a minute, then try again. This protects accounts from password guessing.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you entered has been saved if you saw this after pressing a button.",
    ),
}


def render_error(code: int, detail: str | None = None):
    title, advice = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, advice=advice, detail=detail
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400,
            "The form had expired or was missing its security token, so nothing was saved. "
            "Reload the page and submit it again.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        detail = error.description if code in (400, 409) and error.description else None
        return render_error(code, detail)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("Unhandled error")
        return render_error(500)
