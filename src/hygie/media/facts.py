"""What the media station tells the audit (measure M06).

* ``media.engine``: is there a ClamAV engine for the station, and how old are its
  signatures. From the system clamd when one answers (VERSION), else from what the last
  station run recorded, else from an installed clamd and its signature folder.
* ``media.last_scans``: the last station runs (counts only, never names or content).
* ``media.scan_unknown_keys``: known-true when the station is set up and was used in the last
  :data:`RECENT_DAYS` days; otherwise unknown and askable (the questionnaire answers it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hygie import proc
from hygie.audit import Fact, ProbeContext, provider
from hygie.i18n import _
from hygie.media.clamd import ClamdClient, ClamdError
from hygie.media.clamd_engine import (
    SYSTEM_CLAMD_CONF,
    address_from_conf,
    database_signatures,
    parse_clamd_conf,
    parse_version_reply,
    system_database_dir,
)
from hygie.media.engines import SignatureInfo

RECENT_DAYS = 90
SOURCE = "hygie media"


def _age(date: str | None, now: dt.datetime) -> float | None:
    if not date:
        return None
    return SignatureInfo(None, date, "").age_days(now)


def defender_fact_value(ctx: ProbeContext) -> dict[str, Any]:
    """On Windows the station uses Microsoft Defender: is MpCmdRun.exe there, and how old
    are the signatures the last station run saw (Get-MpComputerStatus is M03's probe)."""
    from hygie.media.mpcmdrun import find_mpcmdrun, platform_version

    recorded = ctx.store.get_state("media", "engine") if ctx.store is not None else None
    exe = find_mpcmdrun(os.environ)
    if exe is None:
        return {"present": False, "engine": "defender"}
    out: dict[str, Any] = {
        "present": True,
        "engine": "defender",
        "mode": "defender",
        "version": platform_version(exe) or None,
        "signature_date": None,
        "signature_count": None,
        "signature_age_days": None,
    }
    if isinstance(recorded, dict) and recorded.get("engine") == "defender":
        date = recorded.get("signature_date")
        out.update(signature_date=date, signature_age_days=_age(date, ctx.now))
    return out


def engine_fact_value(ctx: ProbeContext) -> dict[str, Any]:
    """Best knowledge of the engine, cheapest first. Never raises."""
    if ctx.platform == "windows":
        return defender_fact_value(ctx)
    conf_text: str | None = None
    with contextlib.suppress(OSError):
        conf_text = ctx.fs(SYSTEM_CLAMD_CONF).read_text(encoding="utf-8", errors="replace")
    conf = parse_clamd_conf(conf_text) if conf_text else {}
    addr = address_from_conf(conf) if conf else None
    db_dir = Path(conf["DatabaseDirectory"]) if conf.get("DatabaseDirectory") else None
    if addr is not None and ctx.root == Path("/"):
        try:
            reply = ClamdClient(addr, timeout=1.5).version()
            version, _db, date = parse_version_reply(reply)
            sigs = database_signatures(db_dir or system_database_dir() or Path("/nonexistent"))
            date = date or sigs.date
            return {
                "present": True,
                "mode": "system",
                "version": version,
                "signature_date": date,
                "signature_count": sigs.count,
                "signature_age_days": _age(date, ctx.now),
            }
        except ClamdError:
            pass
    recorded = ctx.store.get_state("media", "engine") if ctx.store is not None else None
    if isinstance(recorded, dict) and recorded.get("version"):
        date = recorded.get("signature_date")
        return {
            "present": True,
            "mode": recorded.get("mode", "recorded"),
            "version": recorded.get("version"),
            "signature_date": date,
            "signature_count": recorded.get("signature_count"),
            "signature_age_days": _age(date, ctx.now),
        }
    installed = proc.which("clamd") or proc.which("clamscan")
    if not installed and ctx.root == Path("/"):
        installed = next((p for p in ("/usr/sbin/clamd",) if Path(p).exists()), None)
    if not installed:
        return {"present": False}
    db = db_dir or system_database_dir(ctx.root)
    sigs = database_signatures(ctx.fs(db)) if db else SignatureInfo(None, None, "")
    return {
        "present": True,
        "mode": "installed",
        "version": None,
        "signature_date": sigs.date,
        "signature_count": sigs.count,
        "signature_age_days": _age(sigs.date, ctx.now),
    }


def _recent_runs(ctx: ProbeContext) -> list[dict[str, Any]]:
    if ctx.store is None:
        return []
    from hygie.media.history import recent_runs

    # read only: a store whose media table was never created has no run ([]); the probe
    # never migrates the store (probes read, never write)
    return recent_runs(ctx.store, limit=5)


@provider(
    "media.state",
    facts=["media.engine", "media.last_scans", "media.scan_unknown_keys"],
    kind="state",
)
def media_state(ctx: ProbeContext) -> Iterable[Fact]:
    engine = engine_fact_value(ctx)
    yield Fact.known("media.engine", engine, SOURCE)
    runs = _recent_runs(ctx)
    summary = [
        {k: r[k] for k in ("kind", "started_at", "files", "clean", "infected", "not_scanned")}
        | {"engine_error": bool(r["engine_error"])}
        for r in runs
    ]
    yield Fact.known("media.last_scans", summary, SOURCE)
    recent = False
    if runs:
        with contextlib.suppress(ValueError):
            last = dt.datetime.fromisoformat(runs[0]["started_at"])
            last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
            recent = (ctx.now - last).days <= RECENT_DAYS
    if engine.get("present") and recent:
        yield Fact.known("media.scan_unknown_keys", True, SOURCE)
    else:
        yield Fact.unknown(
            "media.scan_unknown_keys",
            _("la station d'analyse de hygie n'a pas servi depuis {days} jours").format(
                days=RECENT_DAYS
            ),
            SOURCE,
            askable=True,
        )
