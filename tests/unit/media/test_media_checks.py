"""M06 checks and the media state provider."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests_media_helpers import NoTools

from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Status
from hygie.audit.registry import Facts
from hygie.media.checks import engine_signatures, last_media_scans
from hygie.media.facts import media_state
from hygie.proc import use_runner
from hygie.store import open_store


def _facts(key: str, value: object) -> Facts:
    return Facts({key: Fact.known(key, value, "test")})


@pytest.mark.parametrize(
    ("engine", "status"),
    [
        ({"present": False}, Status.WARN),
        ({"present": True, "signature_count": 0, "signature_age_days": 1}, Status.FAIL),
        ({"present": True, "signature_count": 9, "signature_age_days": 0.5}, Status.OK),
        ({"present": True, "signature_count": 9, "signature_age_days": 12}, Status.WARN),
        ({"present": True, "signature_count": 9, "signature_age_days": 45}, Status.FAIL),
        ({"present": True, "signature_count": None, "signature_age_days": None}, Status.UNKNOWN),
        (None, Status.WARN),
    ],
)
def test_engine_signatures(engine: object, status: Status) -> None:
    out = engine_signatures(_facts("media.engine", engine))
    assert out.status is status and out.evidence


RUN = {"kind": "scan", "started_at": "2026-11-20T10:00:00+00:00", "files": 12, "clean": 12,
       "infected": 0, "not_scanned": 0, "engine_error": False}  # fmt: skip


@pytest.mark.parametrize(
    ("runs", "status"),
    [
        ([], Status.UNKNOWN),
        ([RUN], Status.OK),
        ([RUN | {"infected": 2, "clean": 10}], Status.OK),
        ([RUN | {"not_scanned": 1, "clean": 11}], Status.WARN),
        ([RUN | {"engine_error": True}], Status.WARN),
        ([RUN, RUN | {"not_scanned": 3}], Status.OK),  # only the last run counts
    ],
)
def test_last_media_scans(runs: list[dict[str, object]], status: Status) -> None:
    out = last_media_scans(_facts("media.last_scans", runs))
    assert out.status is status and out.evidence


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
