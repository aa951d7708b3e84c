"""``hygie fleet join|send|status|leave`` in-process: the confirmation before anything leaves,
exit codes, JSON envelopes; the scripted loopback server of tests/fleet_device_helpers.py."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from hygie.cli.app import main
from tests.fleet_device_helpers import Scripted, scripted_server

CODE = "ABCD-EFGH-JKMN-PQRS"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def server() -> Iterator[Scripted]:
    with scripted_server() as s:
        yield s


def test_join_shows_what_and_to_whom_and_sends_nothing_on_no(
    server: Scripted, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Tty("n\n"))
    code, out, err = run(["fleet", "join", server.url, CODE, "--department", "13"], capsys)
    assert code == 0 and server.seen == []
    assert server.url in err and '"department": "13"' in err and '"code": "ABCD-…"' in err
    assert CODE not in out + err
    assert "Rien n'a été envoyé" in err
    monkeypatch.setattr("sys.stdin", _Tty("o\n"))
    code, out, _err = run(["fleet", "join", server.url, CODE], capsys)
    assert code == 0 and len(server.seen) == 1 and "URPS test" in out


def test_join_without_a_terminal_needs_yes(
    server: Scripted, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _out, err = run(["fleet", "join", server.url, CODE], capsys)
    assert code == 2 and "--yes" in err and server.seen == []


def test_status_send_leave_json(server: Scripted, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["fleet", "status", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["joined"] is False
    code, out, _ = run(["fleet", "send", "--json"], capsys)
    assert code == 83 and json.loads(out)["error"]["code"] == "fleet_not_joined"
    code, out, _ = run(["fleet", "join", server.url, CODE, "--yes", "--json"], capsys)
    assert code == 0 and json.loads(out)["schema"] == "hygie.fleet.join/1"
    code, out, _ = run(["fleet", "status", "--json"], capsys)
    data = json.loads(out)["data"]
    assert data["membership"]["campaign"] == "URPS test" and data["queue"]["limit"] == 200
    code, out, _ = run(["fleet", "send", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["remaining"] == 0
    code, out, _ = run(["fleet", "status"], capsys)
    assert "URPS test" in out and "Bilans en attente : 0 (au plus 200)" in out
    code, out, _ = run(["fleet", "leave", "--yes", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["left"]["campaign"] == "URPS test"
    assert server.seen[-1].method == "DELETE"
    code, _, err = run(["fleet", "leave", "--yes"], capsys)
    assert code == 83 and "aucune campagne" in err


def test_english(server: Scripted, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["fleet", "status", "--lang", "en"], capsys)
    assert code == 0 and "takes part in no campaign" in out
    code, _, err = run(
        ["fleet", "join", "http://parc.exemple.fr", CODE, "--yes", "--lang", "en"], capsys
    )
    assert code == 80 and "not encrypted" in err
