"""The device API (``/api/v1``): join, reports, the device's own data, health.

Contract: :mod:`hygie.fleet.protocol` and docs/reference/fleet-api.md. Errors are
``{"error": CODE, "message": French text}`` (422s add ``"field"``); no answer ever echoes a
value the client sent, nor says which of "wrong", "expired" or "closed" a join code is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import jsonschema
import psycopg
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hygie.fleet.errors import ReportInvalid
from hygie.fleet.protocol import (
    DeviceToken,
    code_hash,
    valid_department,
    valid_label,
)
from hygie.fleet.report import OS_FAMILIES, VERSION_PATTERN
from hygie.fleet.server.auth import JoinLimiter, bearer_token
from hygie.fleet.server.campaigns import REMOVE_DEVICE_SQL
from hygie.fleet.server.ingest import (
    POOL_WAIT_S,
    DatabaseBusy,
    Ingestor,
    Outcome,
    check_window,
    parse_report,
)
from hygie.fleet.server.statuses import decode

log = logging.getLogger("hygie.fleet.server.api")

MAX_BODY = 16 * 1024  # a report is ~400 bytes; anything near this is not one


class BadRequest(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def response(self) -> JSONResponse:
        return error(self.status, self.code, self.message, **self.extra)


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    return JSONResponse({"error": code, "message": message, **extra}, status, headers=headers)


TOKEN_INVALID = (401, "token_invalid", "Jeton d'ordinateur inconnu ou invalide.")
DEVICE_GONE = (
    410,
    "device_gone",
    "Cet ordinateur ne fait plus partie de la campagne (il l'a quittée, ou elle est close).",
)
JOIN_INVALID = (
    403,
    "join_code_invalid",
    "Code d'adhésion refusé : il est faux, expiré, ou la campagne est close.",
)
UNAVAILABLE = (
    503,
    "database_unavailable",
    "Le serveur ne joint pas sa base de données pour le moment ; réessayez plus tard.",
)


@dataclass
class ApiState:
    pool: AsyncConnectionPool
    ingestor: Ingestor
    limiter: JoinLimiter
    order: tuple[str, ...]


def state(request: Request) -> ApiState:
    found: ApiState = request.app.state.api
    return found


async def read_json(request: Request) -> Any:
    """The body as JSON: 413 past :data:`MAX_BODY` (checked while reading), 400 if not JSON."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, "body_too_large", f"Requête trop grande ({MAX_BODY} octets au plus).")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(
                413, "body_too_large", f"Requête trop grande ({MAX_BODY} octets au plus)."
            )
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested thousands deep
        raise BadRequest(400, "json_invalid", "Le corps de la requête n'est pas du JSON.") from None


def _invalid(code: str, exc: ReportInvalid) -> BadRequest:
    return BadRequest(422, code, exc.render(), field=exc.params.get("where", ""))


# --- join -----------------------------------------------------------------------------------

JOIN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "os_family", "hygie_version"],
    "properties": {
        # ASCII letters, digits, spaces and dashes: what a typist may add around a real code
        "code": {"type": "string", "maxLength": 40, "pattern": "^[0-9A-Za-z -]*$"},
        "department": {"type": ["string", "null"], "maxLength": 3},
        "label": {"type": ["string", "null"], "maxLength": 40},
        "os_family": {"enum": list(OS_FAMILIES)},
        "hygie_version": {"type": "string", "maxLength": 40, "pattern": VERSION_PATTERN},
    },
}
_JOIN_VALIDATOR = jsonschema.Draft202012Validator(JOIN_SCHEMA)


def validate_join(data: Any) -> dict[str, Any]:
    """The join body, checked (closed schema, department and label), or 422 naming the field."""
    err = jsonschema.exceptions.best_match(_JOIN_VALIDATOR.iter_errors(data))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(racine)"
        raise _invalid("join_invalid", ReportInvalid(where=where, rule=str(err.validator)))
    if not re.fullmatch(VERSION_PATTERN, data["hygie_version"]):  # "$" lets "…\n" through
        raise _invalid("join_invalid", ReportInvalid(where="hygie_version", rule="pattern"))
    department, label = data.get("department"), data.get("label")
    if department is not None and not valid_department(department):
        raise _invalid("join_invalid", ReportInvalid(where="department", rule="département"))
    if label is not None and not valid_label(label):
        raise _invalid("join_invalid", ReportInvalid(where="label", rule="étiquette"))
    return dict(data)


JOIN_SQL = """
WITH c AS (
    SELECT id, name, mode FROM campaign
    WHERE join_code_hash = %(code_hash)s AND closed_at IS NULL
      AND (join_expires_at IS NULL OR join_expires_at > now())
), d AS (
    INSERT INTO device (campaign_id, id, secret_hash, department, label, os_family, hygie_version)
    SELECT c.id, %(device_id)s, %(secret_hash)s, %(department)s,
           CASE WHEN c.mode = 'identified' THEN %(label)s END, %(os_family)s, %(hygie_version)s
    FROM c
    RETURNING campaign_id
)
SELECT c.id, c.name, c.mode FROM c JOIN d ON d.campaign_id = c.id
"""


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


async def join(request: Request) -> Response:
    api = state(request)
    address = client_address(request)
    wait = api.limiter.retry_after(address)
    if wait:
        return error(
            429,
            "too_many_attempts",
            "Trop de codes d'adhésion refusés depuis cette adresse ; réessayez plus tard.",
            retry_after=wait,
        )
    try:
        data = validate_join(await read_json(request))
    except BadRequest as exc:
        return exc.response()
    # The campaign id is not known before the lookup: the statement creates the device with a
    # token whose campaign part is filled in afterwards (same secret, same device id).
    draft = DeviceToken.new(0)
    params = {
        "code_hash": code_hash(data["code"]),
        "device_id": draft.device_id,
        "secret_hash": draft.secret_hash,
        "department": data.get("department"),
        "label": data.get("label"),
        "os_family": data["os_family"],
        "hygie_version": data["hygie_version"],
    }
    try:
        async with api.pool.connection(timeout=POOL_WAIT_S) as conn:
            cur = await conn.execute(JOIN_SQL, params)
            row = await cur.fetchone()
    except psycopg.OperationalError as exc:
        log.warning("join: database unavailable: %s", exc)
        return error(*UNAVAILABLE, retry_after=5)
    if row is None:
        api.limiter.failed(address)
        log.info("join refused from %s", address)
        return error(*JOIN_INVALID)
    campaign_id, name, mode = row
    token = DeviceToken(int(campaign_id), draft.device_id, draft.secret)
    return JSONResponse(
        {
            "device_id": str(token.device_id),
            "token": str(token),
            "campaign": {"name": name, "mode": mode},
        },
        201,
    )


# --- reports --------------------------------------------------------------------------------


async def reports(request: Request) -> Response:
    api = state(request)
    token = bearer_token(request.headers)
    if token is None:
        return error(*TOKEN_INVALID)
    try:
        data = await read_json(request)
        try:
            report = parse_report(data)
            check_window(report)
        except ReportInvalid as exc:
            raise _invalid("report_invalid", exc) from None
    except BadRequest as exc:
        return exc.response()
    try:
        outcome = await api.ingestor.store(token, report)
    except DatabaseBusy:
        return error(*UNAVAILABLE, retry_after=5)
    if outcome is Outcome.STORED:
        return JSONResponse({"report_id": report.report_id, "stored": True}, 201)
    if outcome is Outcome.DUPLICATE:
        return JSONResponse({"report_id": report.report_id, "stored": False}, 200)
    if outcome is Outcome.GONE:
        return error(*DEVICE_GONE)
    return error(*TOKEN_INVALID)


# --- the device's own data ------------------------------------------------------------------

DEVICE_SQL = """
SELECT d.secret_hash, c.name, c.mode, c.closed_at, d.department, d.label, d.os_family,
       d.hygie_version, d.joined_at, d.last_audited_at, d.last_score, d.last_statuses,
       (SELECT count(*) FROM report r WHERE r.campaign_id = d.campaign_id AND r.device_id = d.id)
FROM device d JOIN campaign c ON c.id = d.campaign_id
WHERE d.campaign_id = %(c)s AND d.id = %(d)s
"""

REMOVED_SQL = """
SELECT secret_hash FROM device_removed WHERE campaign_id = %(c)s AND id = %(d)s
"""


def _iso(t: dt.datetime | None) -> str | None:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


async def _was_removed(conn: Any, token: DeviceToken) -> bool:
    cur = await conn.execute(REMOVED_SQL, {"c": token.campaign_id, "d": token.device_id})
    row = await cur.fetchone()
    return row is not None and token.matches(bytes(row[0]))


async def device_get(request: Request) -> Response:
    api = state(request)
    token = bearer_token(request.headers)
    if token is None:
        return error(*TOKEN_INVALID)
    params = {"c": token.campaign_id, "d": token.device_id}
    try:
        async with api.pool.connection(timeout=POOL_WAIT_S) as conn:
            cur = await conn.execute(DEVICE_SQL, params)
            row = await cur.fetchone()
            if row is None or not token.matches(bytes(row[0])):
                gone = row is None and await _was_removed(conn, token)
                return error(*DEVICE_GONE) if gone else error(*TOKEN_INVALID)
    except psycopg.OperationalError as exc:
        log.warning("device: database unavailable: %s", exc)
        return error(*UNAVAILABLE, retry_after=5)
    (_h, name, mode, closed_at, department, label, os_family, version, joined_at,
     last_at, last_score, last_statuses, n_reports) = row  # fmt: skip
    return JSONResponse(
        {
            "device_id": str(token.device_id),
            "campaign": {"name": name, "mode": mode, "closed": closed_at is not None},
            "department": department,
            "label": label,
            "os_family": os_family,
            "hygie_version": version,
            "joined_at": _iso(joined_at),
            "last_report": None
            if last_statuses is None
            else {
                "audited_at": _iso(last_at),
                "score": last_score,
                "measures": decode(last_statuses, api.order),
            },
            "reports": int(n_reports),
        }
    )


async def device_delete(request: Request) -> Response:
    """Leave: the device and all its reports are deleted (204; again after that: 204 too)."""
    api = state(request)
    token = bearer_token(request.headers)
    if token is None:
        return error(*TOKEN_INVALID)
    params = {"c": token.campaign_id, "d": token.device_id}
    try:
        async with api.pool.connection(timeout=POOL_WAIT_S) as conn, conn.transaction():
            cur = await conn.execute(
                "SELECT secret_hash FROM device WHERE campaign_id = %(c)s AND id = %(d)s "
                "FOR UPDATE",
                params,
            )
            row = await cur.fetchone()
            if row is not None and token.matches(bytes(row[0])):
                await conn.execute(
                    REMOVE_DEVICE_SQL,
                    {"campaign_id": token.campaign_id, "device_id": token.device_id},
                )
                return Response(status_code=204)
            if row is None and await _was_removed(conn, token):
                return Response(status_code=204)  # already gone: leaving twice is fine
    except psycopg.OperationalError as exc:
        log.warning("leave: database unavailable: %s", exc)
        return error(*UNAVAILABLE, retry_after=5)
    return error(*TOKEN_INVALID)


# --- health ---------------------------------------------------------------------------------


async def health(request: Request) -> Response:
    api = state(request)
    try:
        async with api.pool.connection(timeout=POOL_WAIT_S) as conn:
            cur = await conn.execute("SELECT coalesce(max(version), 0) FROM fleet_migration")
            row = await cur.fetchone()
    except Exception as exc:  # pool timeout or connection error: say unavailable, log why
        log.warning("health: database unavailable: %s", exc)
        return JSONResponse(
            {"status": "unavailable", "error": UNAVAILABLE[1], "message": UNAVAILABLE[2]}, 503
        )
    return JSONResponse({"status": "ok", "schema_version": int(row[0]) if row else 0})
