"""The journal anchored outside itself: the three attacks of issue #14 that a bare hash chain
lets through ("Journal intact", exit 0), each now caught, and which anchor says so.

An attacker who can write the journal's folder recomputes every SHA-256 and ``journal.head``
(she has the file, the algorithm is public). What she does not have: the journal's key in the
OS keyring, hygie's store on the nurse's computer, the second copy, the code on paper.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hygie.incident import anchors
from hygie.incident.anchors import WrittenCode
from hygie.incident.journal import GENESIS, HEAD_NAME, Journal, entry_hash, verify
from incident_helpers import run_cli


def _rechain(folder: Path, entries: list[dict[str, object]], *, head: bool = True) -> None:
    """What the attacker does: rewrite each entry's prev/hash and journal.head (no key)."""
    prev = GENESIS
    lines = []
    for i, e in enumerate(entries, 1):
        e = dict(e)
        e["seq"] = i
        e["prev"] = prev
        e["hash"] = entry_hash(e)
        prev = str(e["hash"])
        lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    (folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    head_path = folder / HEAD_NAME
    if head:
        jid = str(entries[0].get("journal", ""))
        head_path.write_text(
            json.dumps({"journal_id": jid, "seq": len(entries), "hash": prev}), encoding="utf-8"
        )
    else:
        head_path.unlink(missing_ok=True)


def _entries(folder: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (folder / "journal.jsonl").read_text("utf-8").splitlines()]


def _incident(folder: Path, copy_to: Path | None = None) -> tuple[Journal, str]:
    j = Journal.create(folder, copy_to=copy_to)
    j.append("incident ouvert", kind="start")
    j.append("écran de rançon vu à 9h", step=1)
    j.append("câble débranché", step=3)
    last = j.append("prestataire prévenu", step=4)
    return j, f"{last.seq}:{last.code}"


def _names(v: object) -> set[str]:
    return {a.name for a in v.disagreeing}  # type: ignore[attr-defined]


def _attack_edit(folder: Path) -> None:
    es = _entries(folder)
    es[1]["action"] = str(es[1]["action"]).replace("9h", "11h")
    _rechain(folder, es)


def _attack_append(folder: Path) -> None:
    es = _entries(folder)
    forged = dict(es[-1])
    forged.update(action="sauvegarde restaurée, tout va bien", step=0, mac=None)
    _rechain(folder, [*es, forged])


def _attack_truncate(folder: Path) -> None:
    _rechain(folder, _entries(folder)[:-1], head=False)


ATTACKS = {"edit_9h_11h": _attack_edit, "append_forged": _attack_append,
           "drop_last_and_head": _attack_truncate}  # fmt: skip


def test_an_untouched_journal_agrees_with_every_anchor(tmp_path: Path) -> None:
    j, code = _incident(tmp_path / "usb", copy_to=tmp_path / "second")
    v = verify(j.folder, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert v.intact, v.to_dict()
    states = {a.name: a.state for a in v.anchors}
    assert states == {"head_file": "agrees", "store": "agrees", "keyring": "agrees",
                      "copy": "agrees", "code": "agrees"}  # fmt: skip
    assert v.code.endswith(code.split(":")[1])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_three_attacks_are_caught_and_the_anchor_named(tmp_path: Path, attack: str) -> None:
    j, code = _incident(tmp_path / "usb", copy_to=tmp_path / "second")
    ATTACKS[attack](j.folder)
    v = verify(j.folder, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert not v.intact
    names = _names(v)
    # hygie's store and the second copy disagree in every case
    assert {"store", "copy"} <= names, v.to_dict()
    if attack == "edit_9h_11h":
        assert "keyring" in names and "code" in names
        assert v.first_problem is not None and v.first_problem.reason == "unsigned"
        assert v.first_problem.seq == 2
    elif attack == "append_forged":
        assert "keyring" in names
        assert v.first_problem is not None and v.first_problem.seq == 5
    else:
        assert "head_file" in names and "code" in names  # the head is missing, the code ahead
        assert any(p.reason == "head_missing" for p in v.problems)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_caught_by_the_store_alone(tmp_path: Path, attack: str) -> None:
    """A copy of the journal taken away and re-chained; the nurse's computer still tells."""
    j, _code = _incident(tmp_path / "usb")
    ATTACKS[attack](j.folder)
    anchors.secrets.delete_secret(f"incident-journal-{j.journal_id}")  # attacker had no key
    v = verify(j.folder)
    assert not v.intact and "store" in _names(v)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_caught_by_the_key_or_the_head_without_the_store(
    tmp_path: Path, attack: str, hygie_home: Path
) -> None:
    j, _code = _incident(tmp_path / "usb")
    ATTACKS[attack](j.folder)
    from hygie.store import open_store

    s = open_store()
    with s.transaction() as c:
        c.execute("DELETE FROM state WHERE module = 'incident'")
    s.close()
    v = verify(j.folder)
    assert not v.intact
    assert _names(v) & {"keyring", "head_file"}


def test_missing_head_file_alone_is_an_alteration(tmp_path: Path) -> None:
    j, _code = _incident(tmp_path / "usb")
    (j.folder / HEAD_NAME).unlink()
    v = verify(j.folder)
    assert not v.intact and v.first_problem is not None
    assert v.first_problem.reason == "head_missing"


def test_what_the_keyring_and_store_holder_can_still_do(tmp_path: Path) -> None:
    """Documented limit: with the key and the store, a rewrite agrees with both; only the
    code written down (or the second copy) catches it."""
    j, code = _incident(tmp_path / "usb")
    key = anchors.load_key(j.journal_id)
    assert key is not None
    es = _entries(j.folder)
    es[1]["action"] = "écran de rançon vu à 11h"
    _rechain(j.folder, es)
    lines = []
    for e in _entries(j.folder):
        e["mac"] = anchors.mac(key, str(e["hash"]))
        lines.append(json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
    (j.folder / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    last = _entries(j.folder)[-1]
    anchors.record_in_store(
        anchors.Head(j.journal_id, int(last["seq"]), str(last["hash"])),  # type: ignore[call-overload]
        j.folder,
    )
    assert verify(j.folder).intact  # the limit, stated in incident-design.md
    v = verify(j.folder, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert not v.intact and _names(v) == {"code"}


def test_a_copy_of_the_journal_verified_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the analyst's computer (no key, no store record): the chain and the written code."""
    j, code = _incident(tmp_path / "usb")
    monkeypatch.setenv("HYGIE_HOME", str(tmp_path / "analyst"))
    v = verify(j.folder, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert v.intact
    states = {a.name: a.state for a in v.anchors}
    assert states["store"] == "unavailable" and states["keyring"] == "unavailable"
    _attack_edit(j.folder)
    v = verify(j.folder, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert not v.intact and _names(v) == {"code"}


def test_a_deleted_key_is_a_missing_anchor(tmp_path: Path) -> None:
    j, _code = _incident(tmp_path / "usb")
    anchors.secrets.delete_secret(f"incident-journal-{j.journal_id}")
    v = verify(j.folder)
    assert not v.intact and "keyring" in _names(v)


@pytest.mark.parametrize(
    ("text", "seq", "code"),
    [
        ("4:ABCD-EFGH-JKMN-PQRS", 4, "ABCD-EFGH-JKMN-PQRS"),
        ("n° 12 : abcd efgh jkmn pqrs", 12, "ABCD-EFGH-JKMN-PQRS"),
        ("3 = 0O1I-L000-0000-0000", 3, "0011-1000-0000-0000"),  # misread letters
    ],
)
def test_written_codes_parse(text: str, seq: int, code: str) -> None:
    wc = WrittenCode.parse(text)
    assert wc is not None and (wc.seq, wc.code) == (seq, code)


@pytest.mark.parametrize("text", ["", "ABCD-EFGH", "4:ABCD-EFGH-JKMN", "x:ABCD-EFGH-JKMN-PQRS"])
def test_bad_codes_are_refused(text: str) -> None:
    assert WrittenCode.parse(text) is None


def test_cli_shows_the_code_and_verify_names_the_disagreeing_anchor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, second = tmp_path / "usb", tmp_path / "second"
    code, _out, err = run_cli(
        ["incident", "start", "--to", str(folder), "--no-guide", "--copy-to", str(second)], capsys
    )
    assert code == 0, err
    assert "Code de contrôle" in err
    code, out, err = run_cli(["incident", "note", str(folder), "écran à 9h", "--json"], capsys)
    doc = json.loads(out)
    written = f"{doc['data']['seq']}:{doc['data']['code']}"
    assert set(doc["data"]["anchored"]) == {"head_file", "copy", "store"}
    code, out, _err = run_cli(["incident", "verify", str(folder), "--code", written], capsys)
    assert code == 0 and "intact" in out
    _attack_edit(folder)
    code, out, _err = run_cli(["incident", "verify", str(folder), "--code", written], capsys)
    assert code == 1
    assert "mémoire de hygie" in out and "n'est plus celle" in out
    code, out, _err = run_cli(["incident", "verify", str(folder), "--code", "bad"], capsys)
    assert code == 2


def test_second_copy_on_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    from hygie.incident.errors import AnchorCopyNotWritable

    with pytest.raises(AnchorCopyNotWritable) as exc:
        Journal.create(tmp_path / "usb", copy_to=blocker / "sub")
    assert exc.value.exit_code == 49


def test_drafts_and_kit_carry_the_last_code(tmp_path: Path) -> None:
    from hygie.incident import ReportAnswers, build_drafts, build_kit, render_kit_html

    j, _code = _incident(tmp_path / "usb")
    head = j.head()
    assert head is not None
    drafts = build_drafts(j.folder, ReportAnswers(description="écran de rançon"))
    expected = f"n° {head.seq} : {head.code}"
    assert expected in drafts.cnil and expected in drafts.cybermalveillance
    assert drafts.journal_code == expected
    saved = json.loads((j.folder / "drafts" / "report.json").read_text("utf-8"))
    assert saved["journal_code"] == expected
    # the drafts' own entry moved the head on; the kit shows the newest code
    kit = build_kit()
    last = j.head()
    assert last is not None and kit.journal_code == f"n° {last.seq} : {last.code}"
    html = render_kit_html(kit)
    assert last.code in html and "Codes de contrôle du journal" in html
    # the code in the drafts still verifies the journal up to that entry
    wc = WrittenCode.parse(f"{head.seq}:{head.code}")
    assert wc is not None and verify(j.folder, codes=(wc,)).intact


def test_a_journal_rechained_under_a_new_id_elsewhere_is_only_self_consistent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hostile: the copy is re-chained under a fresh id and moved to another folder, so no
    anchor of this computer recognises it. verify cannot call it altered, but must not let it
    pass as anchored: it says so, and the written code still catches it."""
    j, code = _incident(tmp_path / "usb")
    es = _entries(j.folder)
    for e in es:
        e["journal"] = "f" * 16
        e["mac"] = None
    es[1]["action"] = "écran de rançon vu à 11h"
    moved = tmp_path / "other-key"
    moved.mkdir()
    _rechain(moved, es)
    v = verify(moved)
    assert v.intact and not v.anchored
    rc, out, _err = run_cli(["incident", "verify", str(moved)], capsys)
    assert rc == 0 and "aucun ancrage hors du journal" in " ".join(out.split())
    v = verify(moved, codes=(WrittenCode.parse(code),))  # type: ignore[arg-type]
    assert not v.intact and _names(v) == {"code"}
