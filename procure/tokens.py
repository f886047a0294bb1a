"""One-time tokens for links sent by email (invitations, password resets).

A token is 32 random bytes, URL-safe. Only its SHA-256 hash is stored, so a copy of
the database cannot be used to sign in; a token is found by its hash and compared
again in constant time. Tokens are single-use and expire: the caller records the use
and keeps the expiry beside the hash. Tokens never go to logs or the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token() -> tuple[str, str]:
    """A fresh token and the hash to store (the token is shown once, in the email)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash or "")
