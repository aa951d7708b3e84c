"""Exposure audit over a Thunderbird profile tree and user-given folders (counts only)."""

from __future__ import annotations

import datetime as dt
import json
from email.utils import format_datetime
from pathlib import Path

import pytest

from hygie.mail.errors import ExposureSourceError
from hygie.mail.exposure import run_exposure, sent_mboxes, thunderbird_profiles
from hygie.mail.store import load_exposure
from hygie.store import open_store
from tests.helpers import fixture_text
from tests.mailtools import VALID_NIR, make_message, scanner

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
PATIENT = f"Madame X, NIR {VALID_NIR}, soins du jour."


def _dated(raw: bytes, when: dt.datetime) -> bytes:
    return f"Date: {format_datetime(when)}\r\n".encode() + raw


def _mbox(path: Path, messages: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        for m in messages:
            fh.write(b"From - Sat Nov 28 10:00:00 2026\n")
            fh.write(m.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From "))
            fh.write(b"\n")


def _profile_tree(home: Path) -> Path:
    tb = home / ".thunderbird"
    tb.mkdir(parents=True)
    (tb / "profiles.ini").write_text(fixture_text("cmd", "linux", "thunderbird", "profiles.txt"))
    prof = tb / "q8xk2m1c.default-release"
    prof.mkdir()
    (prof / "prefs.js").write_text(
        fixture_text("cmd", "linux", "thunderbird", "prefs_gmail_orange_mssante.txt")
    )
    recent = NOW - dt.timedelta(days=20)
    old = NOW - dt.timedelta(days=500)
    _mbox(
        prof / "ImapMail" / "imap.gmail.com" / "[Gmail].sbd" / "Sent Mail",
        [
            _dated(make_message(to="dr@gmail.com", body=PATIENT), recent),  # exposed
            _dated(make_message(to="dr@gmail.com", body=PATIENT), old),  # too old
            _dated(make_message(to="dr@infirmiers.mssante.fr", body=PATIENT), recent),  # MSSanté
            _dated(make_message(to="dr@gmail.com"), recent),  # clean
        ],
    )
    (prof / "ImapMail" / "imap.gmail.com" / "[Gmail].sbd" / "Sent Mail.msf").write_text("x")
    _mbox(
        prof / "Mail" / "Local Folders" / "Envoyés",
        [_dated(make_message(to="voisin@cabinet.fr", body=PATIENT), recent)],
    )
    _mbox(
        prof / "Mail" / "Local Folders" / "Inbox",
        [_dated(make_message(to="moi@gmail.com", body=PATIENT), recent)],
    )
    return prof


def test_profiles_and_sent_folders_are_found(tmp_path: Path) -> None:
    prof = _profile_tree(tmp_path / "home")
    assert thunderbird_profiles(tmp_path / "home", "linux") == [prof]
    names = sorted(p.name for p in sent_mboxes(prof))
    assert names == ["Envoyés", "Sent Mail"]


def test_exposure_counts_and_records_counts_only(tmp_path: Path) -> None:
    _profile_tree(tmp_path / "home")
    r = run_exposure([], home=tmp_path / "home", now=NOW, scanner=scanner())
    assert r.sources == 2
    assert r.messages_seen == 5
    assert r.messages_in_period == 4
    assert r.messages_to_non_mssante == 3
    assert r.sent_patient_data_non_mssante == 2
    assert r.thunderbird_profiles == 1
    assert r.webmail_accounts is not None and r.webmail_accounts >= 1
    saved = load_exposure()
    assert saved is not None and saved["sent_patient_data_non_mssante"] == 2
    store = open_store()
    try:
        dump = json.dumps(store.conn.execute("SELECT * FROM state").fetchall())
    finally:
        store.close()
    assert VALID_NIR not in dump and "gmail" not in dump and "@" not in dump


def test_exposure_over_given_folder_with_eml(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    recent = NOW - dt.timedelta(days=3)
    (folder / "a.eml").write_bytes(_dated(make_message(to="x@orange.fr", body=PATIENT), recent))
    (folder / "b.eml").write_bytes(_dated(make_message(to="x@orange.fr"), recent))
    (folder / "notes.txt").write_text("pas un message")
    r = run_exposure([folder], now=NOW, scanner=scanner(), record=False)
    assert (r.sources, r.sent_patient_data_non_mssante, r.webmail_accounts) == (2, 1, None)
    assert load_exposure() is None


def test_exposure_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExposureSourceError) as exc:
        run_exposure([tmp_path / "nope"], now=NOW, scanner=scanner())
    assert exc.value.exit_code == 24


def test_no_thunderbird_gives_zero_sources(tmp_path: Path) -> None:
    r = run_exposure([], home=tmp_path, now=NOW, scanner=scanner(), record=False)
    assert (r.sources, r.messages_seen, r.thunderbird_profiles) == (0, 0, 0)
