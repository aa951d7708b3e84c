"""Connections to the fleet's PostgreSQL: one URL (libpq), clear French errors, pools.

The URL is anything libpq accepts (``postgresql://user@host:5432/db``,
``postgresql:///db?host=/var/run/postgresql`` for a unix socket, ``host=… dbname=…``). A
password never belongs in it (``~/.pgpass`` or ``PGPASSWORD``); if one is there anyway, it
never appears in an error or a log: errors name the host only.
"""

from __future__ import annotations

import logging
import os

import psycopg
from psycopg import conninfo as pg_conninfo
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from hygie.fleet.errors import FleetDatabaseUnavailable, FleetDatabaseUrlInvalid

log = logging.getLogger("hygie.fleet.server.db")

CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "hygie-fleet"


def _params(url: str) -> dict[str, str]:
    """The URL's parameters; :class:`FleetDatabaseUrlInvalid` (never echoing it) if wrong."""
    try:
        params = pg_conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        # psycopg's message quotes the string (password included): say what, not the text.
        reason = "libpq ne la comprend pas"
        if "invalid connection option" in str(exc):
            reason = "une option n'existe pas"
        raise FleetDatabaseUrlInvalid(reason=reason) from None
    return {k: str(v) for k, v in params.items() if v is not None}


def describe_host(url: str) -> str:
    """Where the database is, for a message: ``host:port/db`` or the socket folder; no secret."""
    params = _params(url)
    host = params.get("host") or os.environ.get("PGHOST") or "socket local par défaut"
    port = params.get("port") or os.environ.get("PGPORT") or "5432"
    dbname = params.get("dbname") or os.environ.get("PGDATABASE") or params.get("user") or "?"
    where = host if host.startswith("/") else f"{host}:{port}"
    return f"{where}, base « {dbname} »"


def _redacted(url: str, exc: BaseException) -> str:
    """The first line of a driver error, with any password in the URL masked."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    password = _params(url).get("password")
    if password:
        text = text.replace(password, "***")
    return text


def unavailable(url: str, exc: BaseException) -> FleetDatabaseUnavailable:
    """The French error for a failed connection to ``url``."""
    return FleetDatabaseUnavailable(host=describe_host(url), reason=_redacted(url, exc))


def _kwargs() -> dict[str, object]:
    return {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": APPLICATION_NAME}


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """One connection (CLI commands); :class:`FleetDatabaseUnavailable` when it cannot be made."""
    _params(url)
    try:
        return psycopg.connect(url, autocommit=autocommit, **_kwargs())  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise unavailable(url, exc) from None


def open_pool(url: str, *, min_size: int = 1, max_size: int = 4) -> ConnectionPool:
    """A synchronous pool, opened and checked (one connection made before returning)."""
    _params(url)
    pool = ConnectionPool(
        url, min_size=min_size, max_size=max_size, kwargs=_kwargs(), open=False, name="fleet"
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    except Exception as exc:
        pool.close()
        raise unavailable(url, exc) from None
    return pool


def async_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> AsyncConnectionPool:
    """An asynchronous pool of autocommit connections, not yet opened (``await pool.open()``).

    Autocommit: a statement is its own transaction (one round-trip); several statements that
    must hold together use ``async with conn.transaction()``.

    A connection broken by a PostgreSQL restart is discarded when given back (psycopg_pool
    drops connections in a bad state) and replaced in the background; callers retry once on
    :class:`psycopg.OperationalError` (every write of the API is idempotent).
    """
    _params(url)
    return AsyncConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={**_kwargs(), "autocommit": True},
        open=False,
        name="fleet-async",
    )
