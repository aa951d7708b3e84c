"""One isolation flow with its journaling (issue #15): the CLI, the guide and the dashboard all
call :func:`hygie.incident.apply_isolation` / :func:`hygie.incident.isolate`, so no path cuts
the network without the incident's journal knowing. Linux ``ip`` commands are replayed from
recorded output (tests/fixtures/cmd/linux/ip_link); nothing is switched off on this host."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import ReplayRunner, fixture_text
from hygie import proc
from hygie.incident import (
    Journal,
    apply_isolation,
    current_incident,
    isolate,
    plan_isolation,
    start_incident,
    verify,
)
from hygie.incident.errors import IsolationFailed


def _runner(ip_rc: int = 0) -> ReplayRunner:
    return ReplayRunner(
        {
            "ip -o link show": fixture_text("cmd", "linux", "ip_link", "default.txt"),
            "ip": ("", ip_rc, "RTNETLINK answers: Operation not permitted" if ip_rc else ""),
        }
    )


def test_isolation_is_journaled_with_its_code(tmp_path: Path) -> None:
    j = start_incident(tmp_path / "usb")
    with proc.use_runner(_runner()):
        out = apply_isolation(plan_isolation("isolate", backend="ip"), folder=j.folder)
    assert out.journal == str(j.path) and out.journal_seq == 2
    last = Journal.open(j.folder).entries()[-1]
    assert last["kind"] == "isolate" and last["step"] == 3 and "réseau coupé" in last["action"]
    assert out.code.endswith(j.head().code)  # type: ignore[union-attr]
    assert verify(j.folder).intact


def test_the_dashboard_button_journals_into_the_current_incident(tmp_path: Path) -> None:
    """No folder given (the dashboard's button): the incident opened on this computer."""
    j = start_incident(tmp_path / "usb")
    assert current_incident() == j.folder
    with proc.use_runner(_runner()):
        out = isolate(backend="ip")
    assert out.journal == str(j.path)
    assert Journal.open(j.folder).entries()[-1]["kind"] == "isolate"


def test_without_any_incident_nothing_is_journaled(tmp_path: Path) -> None:
    assert current_incident() is None
    with proc.use_runner(_runner()):
        out = isolate(backend="ip")
    assert out.journal is None and out.code == "" and out.done


def test_a_failure_is_journaled_then_raised(tmp_path: Path) -> None:
    j = start_incident(tmp_path / "usb")
    with proc.use_runner(_runner(ip_rc=2)), pytest.raises(IsolationFailed):
        apply_isolation(plan_isolation("isolate", backend="ip"), folder=j.folder)
    last = Journal.open(j.folder).entries()[-1]
    assert last["kind"] == "isolate" and "échec" in last["action"]
    assert verify(j.folder).intact
