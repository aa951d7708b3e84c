"""hygie's log file (issue #14): probe errors and uncaught errors with their traceback, masked
identifiers, ``--debug`` on stderr; a probe error never hides what the probe already found."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from hygie import log as hygie_log
from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact
from hygie.audit.registry import Provider
from hygie.audit.runner import _run_provider
from incident_helpers import run_cli

NIR = "1850275123456"


@pytest.fixture
def log_file(hygie_home: Path) -> Iterator[Path]:
    path = hygie_log.setup()
    assert path is not None and path.parent == hygie_home / "log"
    yield path
    hygie_log.teardown()


def _half_probe(ctx: ProbeContext) -> Iterable[Fact]:
    yield Fact.known("t.found", 3, "test")
    raise RuntimeError(f"fichier patient-{NIR}.pdf illisible")


def test_probe_error_is_logged_with_traceback_and_keeps_what_was_found(log_file: Path) -> None:
    p = Provider("test.half", ("t.found", "t.later"), frozenset({"linux"}), "state",
                 _half_probe, 5.0)  # fmt: skip
    ctx = ProbeContext(now=dt.datetime.now(dt.UTC))
    facts = {f.key: f for f in _run_provider(p, ctx)}
    assert facts["t.found"].value == 3  # the finding made before the error stays
    assert not facts["t.later"].is_known
    assert "RuntimeError" in facts["t.later"].reason and "hygie.log" in facts["t.later"].reason
    text = log_file.read_text(encoding="utf-8")
    assert "probe test.half failed" in text
    assert "Traceback (most recent call last)" in text and "_half_probe" in text
    assert NIR not in text and "18•••••••••56" in text  # masked, first and last two digits


def test_uncaught_error_exits_58_with_the_log_path_and_traceback(
    hygie_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import hygie.incident

    def boom(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError(f"division par zéro pour {NIR}")

    monkeypatch.setattr(hygie.incident, "verify", boom)
    (tmp_path / "usb").mkdir()
    try:
        code, _out, err = run_cli(["incident", "verify", str(tmp_path / "usb")], capsys)
        assert code == 58
        assert "Erreur inattendue (ZeroDivisionError)" in err
        assert "hygie.log" in err.replace(" ", "")  # the path may be wrapped
        text = (hygie_home / "log" / "hygie.log").read_text(encoding="utf-8")
        assert "uncaught error" in text and "Traceback" in text and "boom" in text
        assert NIR not in text
        code, out, err = run_cli(
            ["--debug", "incident", "verify", str(tmp_path / "usb"), "--json"], capsys
        )
        assert code == 58
        assert json.loads(out)["error"]["code"] == "unexpected"
        assert "Traceback" in err  # --debug prints the log on stderr
    finally:
        hygie_log.teardown()


def test_mask_identifiers_keeps_short_numbers() -> None:
    assert hygie_log.mask_identifiers("port 8025, pid 4321, 2026-11-29") == (
        "port 8025, pid 4321, 2026-11-29"
    )
    assert hygie_log.mask_identifiers("NIR 1 85 02 75 123 456 78") == "NIR 1 8• •• •• ••• ••• 78"
