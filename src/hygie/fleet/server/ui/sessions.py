"""Operator sessions as signed cookies, and the CSRF tokens of the UI's forms.

The server keeps no session in memory: a cookie carries the operator's id, the operator's
``session_epoch``, an expiry and a random nonce, signed with HMAC-SHA256 by a secret kept in
the database (``server_secret``), so any number of stateless servers in front of one database
accept each other's cookies. A cookie is valid while its signature matches, it has not
expired (:data:`SESSION_TTL` after sign-in, whatever the activity) and the operator still
exists with the same epoch (logging out moves the epoch on: every copy of the cookie dies).

CSRF: every form carries a token derived from the session's nonce (HMAC, so it cannot be
forged without the secret, and a token of one session is worthless in another); the sign-in
form, before any session, uses a random nonce kept in a short-lived cookie (double submit,
signed). Cookies are ``HttpOnly``, ``SameSite=Strict``, ``Secure`` and ``__Host-``-prefixed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import psycopg

SESSION_COOKIE = "__Host-hygie-fleet"
LOGIN_COOKIE = "__Host-hygie-fleet-login"
LANG_COOKIE = "hygie-fleet-lang"
SESSION_TTL = 8 * 3600  # one working day
LOGIN_TTL = 3600  # the sign-in form's nonce


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _sign(secret: bytes, purpose: str, text: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}|{text}".encode(), hashlib.sha256).digest())


@dataclass(frozen=True)
class SessionClaim:
    operator_id: int
    epoch: int
    expires: int
    nonce: str

    def csrf(self, secret: bytes) -> str:
        return _sign(secret, "csrf", self.nonce)


def make_session(secret: bytes, operator_id: int, epoch: int, *, now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + SESSION_TTL)
    body = f"1.{operator_id}.{epoch}.{expires}.{_b64(secrets.token_bytes(18))}"
    return f"{body}.{_sign(secret, 'session', body)}"


def read_session(
    secret: bytes, raw: str | None, *, now: float | None = None
) -> SessionClaim | None:
    """The claim of a well-signed, unexpired cookie, else None (never raises on bad input)."""
    if not raw or len(raw) > 256:
        return None
    parts = raw.split(".")
    if len(parts) != 6 or parts[0] != "1":
        return None
    body, mac = ".".join(parts[:5]), parts[5]
    if not hmac.compare_digest(mac.encode(), _sign(secret, "session", body).encode()):
        return None
    if not (parts[1].isdigit() and parts[2].isdigit() and parts[3].isdigit()):
        return None
    claim = SessionClaim(int(parts[1]), int(parts[2]), int(parts[3]), parts[4])
    if claim.expires <= (time.time() if now is None else now):
        return None
    return claim


def new_login_nonce() -> str:
    return _b64(secrets.token_bytes(18))


def login_csrf(secret: bytes, nonce: str) -> str:
    return _sign(secret, "login", nonce)


def csrf_matches(given: object, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def load_secret(conn: psycopg.Connection[tuple[object, ...]]) -> bytes:
    """The shared signing secret; the first server to need it creates it (race-safe)."""
    conn.execute(
        "INSERT INTO server_secret (name, secret) VALUES ('session', %s) "
        "ON CONFLICT (name) DO NOTHING",
        (secrets.token_bytes(32),),
    )
    cur = conn.execute("SELECT secret FROM server_secret WHERE name = 'session'")
    row = cur.fetchone()
    assert row is not None
    value = row[0]
    assert isinstance(value, bytes)
    return value
