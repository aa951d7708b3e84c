"""The hash-chained journal: intact, then every kind of tampering is detected."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from hygie.incident.errors import DestinationNotWritable, JournalExists, JournalMissing
from hygie.incident.journal import GENESIS, Journal, entry_hash, verify
from incident_helpers import run_cli


def _journal(tmp_path: Path, n: int = 5) -> Path:
    folder = tmp_path / "usb"
    j = Journal.create(folder)
    for i in range(1, n + 1):
        j.append(f"action {i}", step=min(i, 6), actor="idel")
    return folder


def _lines(folder: Path) -> list[str]:
    return (folder / "journal.jsonl").read_text(encoding="utf-8").splitlines()


def _write(folder: Path, lines: list[str]) -> None:
    (folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_entries_are_chained_with_utc_and_local_time(tmp_path: Path) -> None:
    folder = _journal(tmp_path, 3)
    entries = [json.loads(x) for x in _lines(folder)]
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS
    for prev, cur in itertools.pairwise(entries):
        assert cur["prev"] == prev["hash"] == entry_hash(prev)
    assert entries[0]["utc"].endswith("+00:00")
    assert entries[0]["local"][:4] == "2026" or entries[0]["local"][:2] == "20"
    assert {"step", "action", "actor"} <= set(entries[1])
    v = verify(folder)
    assert v.intact and v.entries == 3 and v.first_problem is None


def test_edited_entry_is_reported(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    lines = _lines(folder)
    e = json.loads(lines[2])
    e["action"] = "rien à signaler"
    lines[2] = json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    _write(folder, lines)
    v = verify(folder)
    assert not v.intact
    assert v.first_problem is not None
    assert (v.first_problem.seq, v.first_problem.reason, v.first_problem.line) == (3, "altered", 3)


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    lines = _lines(folder)
    e = json.loads(lines[1])
    e["action"] = "réécrit"
    e["hash"] = entry_hash(e)
    lines[1] = json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    _write(folder, lines)
    problems = verify(folder).problems
    # the rewritten entry has no valid signature; the next link is broken too
    assert (problems[0].seq, problems[0].reason) == (2, "unsigned")
    assert (problems[1].seq, problems[1].reason) == (3, "altered")


def test_deleted_entry_is_reported_as_missing(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    lines = _lines(folder)
    del lines[1]
    _write(folder, lines)
    p = verify(folder).first_problem
    assert p is not None and p.reason == "missing" and p.seq == 3 and p.line == 2


def test_reordered_entries_are_reported(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    lines = _lines(folder)
    lines[1], lines[2] = lines[2], lines[1]
    _write(folder, lines)
    p = verify(folder).first_problem
    assert p is not None and p.reason == "reordered" and p.line == 2


def test_removed_last_entries_are_seen_through_the_head(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    _write(folder, _lines(folder)[:3])
    p = verify(folder).first_problem
    assert p is not None and p.reason == "truncated" and p.seq == 4


def test_replaced_last_entry_is_seen_through_the_head(tmp_path: Path) -> None:
    folder = _journal(tmp_path)
    lines = _lines(folder)
    e = json.loads(lines[-1])
    e["action"] = "autre"
    e["hash"] = entry_hash(e)
    lines[-1] = json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    _write(folder, lines)
    p = verify(folder).first_problem
    assert p is not None and p.reason == "unsigned" and p.seq == 5


def test_garbage_line_is_unreadable_and_appending_still_works(tmp_path: Path) -> None:
    folder = _journal(tmp_path, 2)
    with open(folder / "journal.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"seq": 3, "act\n')
    Journal.open(folder).append("après", actor="idel")
    v = verify(folder)
    assert v.first_problem is not None and v.first_problem.reason == "unreadable"
    assert v.first_problem.line == 3


def test_start_twice_and_missing_journal(tmp_path: Path) -> None:
    folder = _journal(tmp_path, 1)
    with pytest.raises(JournalExists):
        Journal.create(folder)
    with pytest.raises(JournalMissing):
        verify(tmp_path / "nothing")


def test_destination_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(DestinationNotWritable) as exc:
        Journal.create(blocker / "incident")
    assert exc.value.exit_code == 41
    assert "clé USB" in exc.value.hint()


def test_cli_start_note_verify_and_tamper(
    tmp_path: Path, hygie_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "usb"
    code, _out, err = run_cli(["incident", "start", "--to", str(folder), "--no-guide"], capsys)
    assert code == 0, err
    code, _out, _err = run_cli(
        ["incident", "note", str(folder), "écran de rançon", "--step", "1"], capsys
    )
    assert code == 0
    code, out, _err = run_cli(["incident", "verify", str(folder)], capsys)
    assert code == 0 and "intact" in out
    # A real incident writes in hygie's own folders only the journal's anchor (its head) and
    # its key: no config, nothing else in the store.
    assert not (hygie_home / "config" / "config.toml").exists()
    from hygie.store import open_store

    s = open_store()
    rows = s.conn.execute("SELECT module, key FROM state").fetchall()
    s.close()
    assert len(rows) == 1 and rows[0][0] == "incident" and rows[0][1].startswith("journal:")
    lines = _lines(folder)
    lines[1] = lines[1].replace("écran", "ecran")
    _write(folder, lines)
    code, out, _err = run_cli(["incident", "verify", str(folder), "--json"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["status"] == "findings"
    assert doc["data"]["first_problem"]["seq"] == 2
    code, out, _err = run_cli(["incident", "verify", str(folder)], capsys)
    assert code == 1 and "n° 2" in out and "ligne 2" in out
    code, _out, err = run_cli(["incident", "verify", str(tmp_path / "none")], capsys)
    assert code == 42 and "hygie incident start" in err
