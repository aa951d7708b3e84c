"""M06 checks and the media state provider."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hygie.audit import registry
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Status
from hygie.audit.registry import Facts
from hygie.audit.runner import run_check
from hygie.media.checks import engine_signatures, last_media_scans
from hygie.media.facts import media_state
from hygie.proc import use_runner
from hygie.store import open_store
from media_helpers import NoTools

RUN = {"kind": "scan", "started_at": "2026-11-20T10:00:00+00:00", "files": 12, "clean": 12,
       "infected": 0, "not_scanned": 0, "engine_error": False}  # fmt: skip

E = "media.engine"
L = "media.last_scans"
# Picked up by tests/unit/audit/test_checks.py (every check has ok and non-ok cases).
CHECK_CASES: dict[str, list[tuple[dict[str, Any], Status]]] = {
    "M06.engine_signatures": [
        ({E: {"present": False}}, Status.WARN),
        ({E: {"present": True, "signature_count": 0, "signature_age_days": 1}}, Status.FAIL),
        ({E: {"present": True, "signature_count": 9, "signature_age_days": 0.5}}, Status.OK),
        ({E: {"present": True, "signature_count": 9, "signature_age_days": 12}}, Status.WARN),
        ({E: {"present": True, "signature_count": 9, "signature_age_days": 45}}, Status.FAIL),
        ({E: {"present": True, "signature_count": None, "signature_age_days": None}},
         Status.UNKNOWN),
        ({E: None}, Status.WARN),
        ({E: {"present": False, "engine": "defender"}}, Status.WARN),
    ],
    "M06.last_media_scans": [
        ({L: []}, Status.UNKNOWN),
        ({L: [RUN]}, Status.OK),
        ({L: [RUN | {"infected": 2, "clean": 10}]}, Status.OK),
        ({L: [RUN | {"not_scanned": 1, "clean": 11}]}, Status.WARN),
        ({L: [RUN | {"engine_error": True}]}, Status.WARN),
        ({L: [RUN, RUN | {"not_scanned": 3}]}, Status.OK),  # only the last run counts
        ({L: [RUN | {"files": 0, "clean": 0}]}, Status.UNKNOWN),  # nothing examined
    ],
}  # fmt: skip

FNS = {"M06.engine_signatures": engine_signatures, "M06.last_media_scans": last_media_scans}


@pytest.mark.parametrize(
    ("check_id", "values", "status"),
    [(cid, v, st) for cid, cases in CHECK_CASES.items() for v, st in cases],
)
def test_media_checks(check_id: str, values: dict[str, Any], status: Status) -> None:
    out = FNS[check_id](Facts({k: Fact.known(k, v, "test") for k, v in values.items()}))
    assert out.status is status and out.evidence


@pytest.mark.parametrize("check_id", sorted(CHECK_CASES))
def test_unknown_fact_never_ok(check_id: str) -> None:
    chk = registry.checks()[check_id]
    facts = Facts({k: Fact.unknown(k, "sonde en échec", "test") for k in chk.facts})
    assert run_check(chk, facts, required=True).status is Status.UNKNOWN


def _ctx(tmp_path: Path, now: dt.datetime) -> ProbeContext:
    return ProbeContext(root=tmp_path / "root", now=now, store=open_store())


def test_provider_not_set_up_is_askable(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    with use_runner(NoTools()):
        facts = {f.key: f for f in media_state(_ctx(tmp_path, dt.datetime.now(dt.UTC)))}
    assert facts["media.engine"].value == {"present": False}
    assert facts["media.last_scans"].value == []
    keys = facts["media.scan_unknown_keys"]
    assert keys.state is FactState.UNKNOWN and keys.askable


def test_provider_recent_use_is_known_true(tmp_path: Path) -> None:
    from hygie.media.history import recent_runs

    store = open_store()
    store.put_state("media", "engine", {"version": "1.4.6", "mode": "own",
                                         "signature_date": "2026-11-28T00:00:00+00:00",
                                         "signature_count": 3})  # fmt: skip
    store.conn.execute(
        "INSERT INTO media_runs(kind, started_at, finished_at, engine, files, clean, infected, "
        "not_scanned, engine_error, verdicts) VALUES "
        "('scan', '2026-11-20T10:00:00+00:00', '2026-11-20T10:01:00+00:00', '{}', 2, 2, 0, 0, "
        "NULL, '[]')"
    )
    store.conn.commit()
    assert len(recent_runs(store)) == 1
    (tmp_path / "root").mkdir()
    now = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    with use_runner(NoTools()):
        facts = {f.key: f for f in media_state(ProbeContext(root=tmp_path / "root", now=now,
                                                             store=store))}  # fmt: skip
    eng = facts["media.engine"].value
    assert isinstance(eng, dict) and eng["present"] and eng["signature_age_days"] == 1.0
    assert facts["media.scan_unknown_keys"].value is True
    # Long unused: back to the questionnaire.
    later = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
    with use_runner(NoTools()):
        facts = {f.key: f for f in media_state(ProbeContext(root=tmp_path / "root", now=later,
                                                             store=store))}  # fmt: skip
    assert facts["media.scan_unknown_keys"].askable


def test_windows_engine_fact_is_defender(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hygie.media.facts import engine_fact_value

    exe_dir = tmp_path / "Microsoft" / "Windows Defender" / "Platform" / "4.18.24090.11-0"
    exe_dir.mkdir(parents=True)
    monkeypatch.setenv("ProgramData", str(tmp_path))
    ctx = ProbeContext(platform="windows")
    assert engine_fact_value(ctx) == {"present": False, "engine": "defender"}
    (exe_dir / "MpCmdRun.exe").write_bytes(b"")
    value = engine_fact_value(ctx)
    assert value["present"] is True and value["version"] == "4.18.24090.11-0"
    assert value["signature_age_days"] is None  # known once the station has run


def test_homebrew_signature_folder_is_found(tmp_path: Path) -> None:
    from hygie.media.clamd_engine import system_database_dir

    db = tmp_path / "opt" / "homebrew" / "var" / "lib" / "clamav"
    db.mkdir(parents=True)
    assert system_database_dir(tmp_path) == Path("/opt/homebrew/var/lib/clamav")
    etc = tmp_path / "usr" / "local" / "etc" / "clamav"
    etc.mkdir(parents=True)
    (etc / "freshclam.conf").write_text("DatabaseDirectory /usr/local/var/lib/clamav\n")
    assert system_database_dir(tmp_path) == Path("/usr/local/var/lib/clamav")
