"""Operator accounts of the web UI: scrypt password hashes, sign-in with throttling.

A password is never stored: ``hashlib.scrypt`` with a random 16-byte salt and OWASP's
parameters for scrypt (N = 2^17, r = 8, p = 1: 128 MiB and a few hundred milliseconds per
check), written as ``scrypt$17$8$1$<salt>$<hash>`` so that the parameters can grow later
without breaking the accounts made before.

A name with :data:`THROTTLE_FAILURES` failed sign-ins within :data:`THROTTLE_WINDOW` is
refused until the oldest of them leaves the window, whatever the password: password
guessing is slowed to a handful of tries per quarter of an hour and per name, on every
server sharing the database. An unknown name costs the same scrypt as a known one (no
timing difference tells which names exist).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import psycopg

from hygie.fleet.errors import (
    OperatorExists,
    OperatorNameInvalid,
    OperatorPasswordRefused,
    OperatorUnknown,
)

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # scrypt reads all of it: a megabyte "password" is a denial of service
SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 17, 8, 1
_SCRYPT_MAXMEM = 256 * 1024 * 1024
THROTTLE_FAILURES = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)


def valid_name(name: str) -> bool:
    return bool(NAME_RE.fullmatch(name))


def check_name(name: str) -> str:
    if not valid_name(name):
        raise OperatorNameInvalid(name=name[:64])
    return name


def check_new_password(password: str) -> str:
    from hygie.i18n import _

    if not password.strip():
        raise OperatorPasswordRefused(reason=_("il est vide"), minimum=MIN_PASSWORD)
    if len(password) < MIN_PASSWORD:
        raise OperatorPasswordRefused(
            reason=_("il fait moins de {minimum} caractères").format(minimum=MIN_PASSWORD),
            minimum=MIN_PASSWORD,
        )
    if len(password) > MAX_PASSWORD:
        raise OperatorPasswordRefused(
            reason=_("il dépasse {maximum} caractères").format(maximum=MAX_PASSWORD),
            minimum=MIN_PASSWORD,
        )
    return password


def _scrypt(password: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=2**log_n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=32
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_LOG_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


# What an unknown name is checked against: the same work as a real account.
_DUMMY_HASH = f"scrypt${SCRYPT_LOG_N}${SCRYPT_R}${SCRYPT_P}${_b64(bytes(16))}${_b64(bytes(32))}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` gives ``stored``; False for anything malformed (never raises)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or len(password) > MAX_PASSWORD:
        return False
    try:
        log_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = base64.b64decode(parts[4]), base64.b64decode(parts[5])
        if not (10 <= log_n <= 20 and 1 <= r <= 32 and 1 <= p <= 4):
            return False
        digest = _scrypt(password, salt, log_n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class Operator:
    id: int
    name: str
    session_epoch: int
    created_at: dt.datetime
    last_login_at: dt.datetime | None


_COLUMNS = "id, name, session_epoch, created_at, last_login_at"


def _operator(row: tuple[object, ...]) -> Operator:
    return Operator(*row)  # type: ignore[arg-type]


# --- used by `hygie fleet operator` (one synchronous connection) ----------------------------


def add_operator(
    conn: psycopg.Connection[tuple[object, ...]], name: str, password: str
) -> Operator:
    check_name(name)
    check_new_password(password)
    hashed = hash_password(password)
    try:
        row = conn.execute(
            f"INSERT INTO operator (name, password_hash) VALUES (%s, %s) RETURNING {_COLUMNS}",
            (name, hashed),
        ).fetchone()
    except psycopg.errors.UniqueViolation:
        conn.rollback()
        raise OperatorExists(name=name) from None
    conn.commit()
    assert row is not None
    return _operator(row)


def list_operators(conn: psycopg.Connection[tuple[object, ...]]) -> list[Operator]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM operator ORDER BY name").fetchall()
    return [_operator(r) for r in rows]


def remove_operator(conn: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    """Delete the account: its sessions end at their next request, on every server."""
    cur = conn.execute("DELETE FROM operator WHERE name = %s", (name,))
    conn.commit()
    if cur.rowcount == 0:
        raise OperatorUnknown(name=name[:64])


# --- used by the web UI (in a worker thread, a connection of the server's pool) ---------


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in: the operator, or why not (``wrong`` or ``throttled``)."""

    operator: Operator | None
    refused: str = ""  # "wrong" | "throttled"
    retry_after: dt.timedelta | None = None


def operator_by_id(conn: psycopg.Connection[tuple[object, ...]], op_id: int) -> Operator | None:
    cur = conn.execute(f"SELECT {_COLUMNS} FROM operator WHERE id = %s", (op_id,))
    row = cur.fetchone()
    return _operator(row) if row else None


def throttled_for(conn: psycopg.Connection[tuple[object, ...]], name: str) -> dt.timedelta | None:
    """How long ``name`` must wait before the next try, or None when it may try now."""
    cur = conn.execute(
        "SELECT count(*), min(at), now() FROM (SELECT at FROM operator_login_failure "
        "WHERE name = %s AND at > now() - %s ORDER BY at DESC LIMIT %s) AS recent",
        (name[:64], THROTTLE_WINDOW, THROTTLE_FAILURES),
    )
    row = cur.fetchone()
    assert row is not None
    count, oldest, now = row
    if int(count) < THROTTLE_FAILURES:  # type: ignore[call-overload]
        return None
    assert isinstance(oldest, dt.datetime) and isinstance(now, dt.datetime)
    return max(oldest + THROTTLE_WINDOW - now, dt.timedelta(seconds=1))


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt, counted as a failure until :func:`succeed` says otherwise."""

    wait: dt.timedelta | None  # throttled: how long until the next try; nothing else is set
    attempt_id: int | None = None
    found: tuple[int, str] | None = None  # (operator id, password hash); None: unknown name


def begin_attempt(conn: psycopg.Connection[tuple[object, ...]], name: str) -> Attempt:
    """Throttle check and the attempt's row in one transaction, under a lock on the name:
    parallel guesses (on any server) see each other, so no burst gets past the limit."""
    name = name[:64]
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 7))", ("login:" + name,))
    wait = throttled_for(conn, name)
    if wait is not None:
        return Attempt(wait)
    conn.execute("DELETE FROM operator_login_failure WHERE at < now() - interval '1 day'")
    row = conn.execute(
        "INSERT INTO operator_login_failure (name) VALUES (%s) RETURNING id", (name,)
    ).fetchone()
    assert row is not None
    return Attempt(None, int(row[0]), password_hash_of(conn, name))  # type: ignore[call-overload]


def succeed(conn: psycopg.Connection[tuple[object, ...]], attempt: Attempt) -> Operator | None:
    """The password was right: the attempt is not a failure; the operator is signed in."""
    assert attempt.found is not None and attempt.attempt_id is not None
    conn.execute("DELETE FROM operator_login_failure WHERE id = %s", (attempt.attempt_id,))
    return mark_login(conn, attempt.found[0])


def password_hash_of(
    conn: psycopg.Connection[tuple[object, ...]], name: str
) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, password_hash FROM operator WHERE name = %s", (name,)).fetchone()
    if row is None:
        return None
    return int(row[0]), str(row[1])  # type: ignore[call-overload]


def mark_login(conn: psycopg.Connection[tuple[object, ...]], op_id: int) -> Operator | None:
    cur = conn.execute(
        f"UPDATE operator SET last_login_at = now() WHERE id = %s RETURNING {_COLUMNS}", (op_id,)
    )
    row = cur.fetchone()
    return _operator(row) if row else None


def end_sessions(conn: psycopg.Connection[tuple[object, ...]], op_id: int) -> None:
    """Log out: every cookie signed for the current epoch stops working, on every server."""
    conn.execute("UPDATE operator SET session_epoch = session_epoch + 1 WHERE id = %s", (op_id,))


def dummy_hash() -> str:
    return _DUMMY_HASH
