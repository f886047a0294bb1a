"""Security headers, cookies and error pages that never show a stack trace."""

import pytest
from flask import Flask

from procure.app import create_app
from procure.config import ConfigError


def test_pages_send_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_pages_need_no_inline_script(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page
    assert 'style="' not in page
    assert '<script type="module" src="/static/dist/procure.mjs' in page


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PROCURE_ENV", "production")
    with pytest.raises(ConfigError):
        create_app()


def test_production_refuses_to_start_without_a_public_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("PROCURE_ENV", "production")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app()


def test_production_sets_secure_cookies_and_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("PROCURE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("PUBLIC_URL", "https://procure.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app: Flask = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["FORCE_HTTPS"] is True
    response = app.test_client().get("/login", base_url="https://procure.example")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_unknown_page_is_a_helpful_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_unexpected_errors_show_no_stack_trace(tmp_path):
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "k",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}",
        }
    )

    def boom():
        raise RuntimeError("secret internals ZQX7KPAR9999")

    app.add_url_rule("/_boom_for_test", "boom_for_test", boom)
    response = app.test_client().get("/_boom_for_test")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text
    assert "ZQX7KPAR9999" not in text and "Traceback" not in text


def test_demo_load_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("PROCURE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("PUBLIC_URL", "https://procure.example")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "production" in result.output
