"""Quarantine end to end: the relay keeps an encrypted copy; list/show/release/purge by the CLI.

A real relay, a real aiosmtpd upstream with STARTTLS and AUTH, the real CLI entry point.
Nothing hygie prints, answers or leaves in clear on disk holds the NIR.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygie.cli.app import main
from hygie.mail import GuardRelay, Quarantine, RelaySettings, ShownFinding, quarantine_folder
from hygie.mail.store import quarantine_log
from tests.mailtools import VALID_NIR, Sink, free_port, make_message, run_sink, scanner

pytestmark = pytest.mark.integration

FILE_NAME = f"scan_{VALID_NIR}.txt"
SUBJECT_NIR = VALID_NIR[:13]  # a NIR without its key, in the subject


def _build() -> bytes:
    data = make_message(
        body="Compte rendu de passage ci-joint.",
        attachment=(FILE_NAME, f"Patient NIR {VALID_NIR}, pansement.".encode()),
    )
    return data.replace(b"Subject: Test hygie", f"Subject: Dossier {SUBJECT_NIR}".encode())


MESSAGE = _build()


@pytest.fixture
def sink() -> Iterator[Sink]:
    with run_sink() as s:
        yield s


def _config(home: Path, sink: Sink, tmp_path: Path, **extra: Any) -> None:
    cfg = home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "[mail.relay]",
        f'upstream = "127.0.0.1:{sink.port}"',
        f'upstream_user = "{sink.user}"',
        f'upstream_ca = "{sink.ca_file(tmp_path)}"',
        'policy = "quarantine"',
    ] + [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from hygie.secrets import set_secret

    set_secret("mail.relay.upstream_password", sink.password)


def _relay(sink: Sink, tmp_path: Path, **kw: Any) -> GuardRelay:
    settings = RelaySettings(
        listen_host="127.0.0.1",
        listen_port=free_port(),
        upstream_host=sink.host,
        upstream_port=sink.port,
        upstream_user=sink.user,
        upstream_ca=sink.ca_file(tmp_path),
        policy="quarantine",
        scan_timeout_s=5.0,
        upstream_timeout_s=5.0,
        **kw,
    )
    return GuardRelay(settings, scanner=scanner(), upstream_password=sink.password)


def _quarantine_one(sink: Sink, tmp_path: Path) -> tuple[str, str]:
    """Send the patient message through a quarantine relay; returns (item id, reply text)."""
    with (
        _relay(sink, tmp_path) as r,
        smtplib.SMTP("127.0.0.1", r.settings.listen_port, timeout=20) as c,
        pytest.raises(smtplib.SMTPDataError) as exc,
    ):
        c.sendmail("idel@cabinet.example", ["dr.martin@gmail.com"], MESSAGE)
    assert exc.value.smtp_code == 550
    items = Quarantine(quarantine_folder()).items()
    assert len(items) == 1
    return items[0].id, exc.value.smtp_error.decode()


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_relay_keeps_an_encrypted_private_copy(
    sink: Sink, tmp_path: Path, hygie_home: Path
) -> None:
    item_id, reply = _quarantine_one(sink, tmp_path)
    assert sink.received == []
    assert VALID_NIR not in reply and SUBJECT_NIR not in reply
    assert "scan_28" in reply and "26.txt" in reply  # the file name, masked
    assert "quarantaine" in reply
    folder = quarantine_folder()
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [f"{item_id}.json", f"{item_id}.msg"]
    if os.name == "posix":
        for d in (hygie_home / "data", folder):
            assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    on_disk = b"".join(f.read_bytes() for f in files)
    for clear in (VALID_NIR, SUBJECT_NIR, "pansement", "dr.martin", "Compte rendu"):
        assert clear.encode() not in on_disk, clear
    summary = json.loads((folder / f"{item_id}.json").read_text(encoding="utf-8"))
    assert summary["non_mssante"] == 1 and summary["findings"]
    assert all(VALID_NIR not in f["place"] for f in summary["findings"])


def test_list_and_show_mask_every_identifier(
    sink: Sink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    item_id, _reply = _quarantine_one(sink, tmp_path)
    code, out, _err = _cli(["mail", "quarantine", "list", "--json"], capsys)
    assert code == 0
    items = json.loads(out)["data"]["items"]
    assert [i["id"] for i in items] == [item_id]
    code, text_list, _err = _cli(["mail", "quarantine", "list"], capsys)
    assert code == 0 and item_id in text_list
    code, out, _err = _cli(["mail", "quarantine", "show", item_id, "--json"], capsys)
    assert code == 0
    data = json.loads(out)["data"]
    assert data["headers"]["subject"].startswith("Dossier 28")
    assert data["headers"]["attachments"] and "scan_28" in data["headers"]["attachments"][0]
    assert any(f["type"] == "FR_NIR" and f["masked"].startswith("28") for f in data["findings"])
    code, text_show, _err = _cli(["mail", "quarantine", "show", item_id], capsys)
    assert code == 0 and "Objet" in text_show
    for shown in (out, text_list, text_show):
        assert VALID_NIR not in shown and SUBJECT_NIR not in shown
        assert "pansement" not in shown  # never the body


def test_release_needs_confirmation_then_sends_as_it_was(
    sink: Sink, tmp_path: Path, hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    item_id, _reply = _quarantine_one(sink, tmp_path)
    _config(hygie_home, sink, tmp_path)
    code, _out, err = _cli(["mail", "quarantine", "release", item_id], capsys)  # stdin: no tty
    assert code == 2 and "--yes" in err
    assert sink.received == [] and Quarantine(quarantine_folder()).items()
    code, _out, err = _cli(["mail", "quarantine", "release", item_id, "--yes"], capsys)
    assert code == 0, err
    assert sink.received == [("idel@cabinet.example", ["dr.martin@gmail.com"], MESSAGE)]
    assert Quarantine(quarantine_folder()).items() == []
    journal = quarantine_log()
    assert journal[0]["action"] == "released" and journal[0]["item"] == item_id
    assert VALID_NIR not in json.dumps(journal) and "gmail" not in json.dumps(journal)


def test_release_to_an_untrusted_upstream_keeps_the_message(
    sink: Sink, tmp_path: Path, hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    item_id, _reply = _quarantine_one(sink, tmp_path)
    with run_sink(cert_names=("mail.autre.example",)) as wrong:
        _config(hygie_home, wrong, tmp_path)
        code, _out, err = _cli(["mail", "quarantine", "release", item_id, "--yes"], capsys)
    assert code == 61, err
    assert wrong.received == []
    assert [i.id for i in Quarantine(quarantine_folder()).items()] == [item_id]
    assert quarantine_log()[0]["action"] == "release_failed"


def test_purge_by_id_and_by_age(
    sink: Sink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    q = Quarantine(quarantine_folder())
    finding = ShownFinding("FR_NIR", "NIR", "corps du message", "28•••26")
    old = q.put(
        b"Subject: x\r\n\r\nold",
        mail_from="a@b.fr",
        rcpts=["c@gmail.com"],
        non_mssante=1,
        findings=[finding],
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40),
    )
    new = q.put(
        b"Subject: y\r\n\r\nnew",
        mail_from="a@b.fr",
        rcpts=["c@gmail.com"],
        non_mssante=1,
        findings=[finding],
    )
    code, _out, _err = _cli(["mail", "quarantine", "purge"], capsys)
    assert code == 2  # nothing named: nothing deleted
    code, _out, _err = _cli(
        ["mail", "quarantine", "purge", new.id, "20200101T000000Z-000000000000"], capsys
    )
    assert code == 63  # one unknown id: nothing deleted at all
    assert len(q.items()) == 2
    code, out, _err = _cli(["mail", "quarantine", "purge", "--older-than", "30", "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["deleted"] == [old.id]
    code, out, _err = _cli(["mail", "quarantine", "purge", new.id, "--json"], capsys)
    assert code == 0 and json.loads(out)["data"]["deleted"] == [new.id]
    assert q.items() == [] and list(q.folder.iterdir()) == []
    assert {e["action"] for e in quarantine_log()} == {"purged"}


def test_relay_applies_the_retention(sink: Sink, tmp_path: Path) -> None:
    q = Quarantine(quarantine_folder())
    kw: dict[str, Any] = {
        "mail_from": "a@b.fr",
        "rcpts": ["c@gmail.com"],
        "non_mssante": 1,
        "findings": [],
    }
    now = dt.datetime.now(dt.UTC)
    q.put(b"old", now=now - dt.timedelta(days=8), **kw)
    kept = q.put(b"recent", now=now - dt.timedelta(days=6), **kw)
    with _relay(sink, tmp_path, quarantine_days=7):
        pass
    assert [i.id for i in q.items()] == [kept.id]
    assert quarantine_log()[0]["action"] == "expired"


def test_tampered_or_keyless_item_is_refused_not_guessed(
    sink: Sink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hygie.secrets import delete_secret

    item_id, _reply = _quarantine_one(sink, tmp_path)
    msg = quarantine_folder() / f"{item_id}.msg"
    blob = bytearray(msg.read_bytes())
    blob[-1] ^= 1
    msg.write_bytes(bytes(blob))
    code, _out, err = _cli(["mail", "quarantine", "show", item_id], capsys)
    assert code == 63 and "déchiffre" in err
    delete_secret("mail.quarantine.key")
    code, _out, err = _cli(["mail", "quarantine", "show", item_id], capsys)
    assert code == 63 and "clé" in err
    code, _out, _err = _cli(["mail", "quarantine", "show", "../../etc/passwd"], capsys)
    assert code == 63
    code, _out, _err = _cli(["mail", "quarantine", "purge", item_id, "--json"], capsys)
    assert code == 0  # what cannot be read can still be deleted
