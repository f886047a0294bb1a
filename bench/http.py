"""A small keep-alive HTTP client (standard library only) for the load benchmarks.

One ``Client`` is one simulated person: one connection, its own cookies. It talks
to a server on loopback only.
"""

from __future__ import annotations

import http.client
import re
import time
from urllib.parse import urlencode

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="([^"]*)"')


class Client:
    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, bytes, float, dict[str, str]]:
        """(status, body, seconds, headers); reconnects once if the server closed the socket."""
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "procure-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self._connection()
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    self.cookies[key.strip()] = val.strip()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, data, elapsed, dict(response.getheaders())
        raise RuntimeError("unreachable")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)

    def csrf(self, path: str) -> tuple[str, str | None, bytes]:
        """GET a form page: (csrf token, version field value or None, body)."""
        status, body, _, _ = self.get(path)
        text = body.decode("utf-8", "replace")
        token = _TOKEN.search(text)
        if status != 200 or token is None:
            raise RuntimeError(f"No form on {path} (status {status})")
        version = _VERSION.search(text)
        return token.group(1), version.group(1) if version else None, body

    def login(self, email: str, password: str) -> None:
        token, _, _ = self.csrf("/login")
        status, _, _, headers = self.post(
            "/login", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302 or "/login" in headers.get("Location", "/login"):
            raise RuntimeError(f"Sign-in failed for {email} (status {status})")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
