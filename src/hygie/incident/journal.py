"""The incident journal: JSON lines with a SHA-256 hash chain and an HMAC per entry, anchored
outside the file (:mod:`hygie.incident.anchors`).

Each entry holds the journal's id, its sequence number, UTC and local time, the step (0 =
outside the six steps), the action (what was done or seen, in words), the actor, ``prev`` (the
SHA-256 of the previous entry; 64 zeros for the first), ``hash`` (the SHA-256 of this entry's
canonical JSON without ``hash`` and ``mac``) and ``mac`` (HMAC-SHA256 of ``hash`` with the
journal's key, kept in the OS keyring; null when the key is not on this computer).

After each entry the head (id, last sequence number and hash) is written to ``journal.head``
beside the journal, to hygie's local store, and to the optional second copy on another medium;
the user is shown a short check code to write down. :func:`verify` checks the chain and the
signatures, then compares the file with every anchor it can find and says which one disagrees.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.fileio import write_atomic
from hygie.i18n import _
from hygie.incident import anchors
from hygie.incident.anchors import AnchorCheck, Head, WrittenCode
from hygie.incident.destination import prepare
from hygie.incident.errors import (
    AnchorCopyNotWritable,
    DestinationNotWritable,
    JournalExists,
    JournalMissing,
)

log = logging.getLogger("hygie.incident.journal")

JOURNAL_NAME = "journal.jsonl"
HEAD_NAME = "journal.head"
GENESIS = "0" * 64
FIELDS = ("journal", "seq", "utc", "local", "step", "action", "actor", "kind", "data", "prev")
_NOT_HASHED = ("hash", "mac")


def canonical(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k not in _NOT_HASHED}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest()


def default_actor() -> str:
    try:
        return os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "?"


@dataclass(frozen=True)
class Entry:
    journal: str
    seq: int
    utc: str
    local: str
    step: int
    action: str
    actor: str
    kind: str
    data: dict[str, Any]
    prev: str
    hash: str
    mac: str | None = None
    anchored: tuple[str, ...] = ()  # anchors written after this entry (not part of the line)

    @property
    def code(self) -> str:
        """The check code to write down (``XXXX-XXXX-XXXX-XXXX``)."""
        return anchors.check_code(self.hash)

    @property
    def code_text(self) -> str:
        return anchors.format_code(self.seq, self.hash)

    def to_dict(self) -> dict[str, Any]:
        return {
            "journal": self.journal,
            "seq": self.seq,
            "utc": self.utc,
            "local": self.local,
            "step": self.step,
            "action": self.action,
            "actor": self.actor,
            "kind": self.kind,
            "data": self.data,
            "prev": self.prev,
            "hash": self.hash,
            "mac": self.mac,
            "code": self.code,
            "anchored": list(self.anchored),
        }


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line number in the journal
    seq: int | None
    reason: str  # stable code: altered, missing, reordered, unreadable, truncated, unsigned,
    # head_missing, anchor
    detail: str  # French, translated

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "seq": self.seq, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class Verification:
    path: str
    entries: int
    intact: bool
    first_problem: Problem | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    journal_id: str = ""
    code: str = ""  # check code of the last entry read ("n° 7 : XXXX-...")
    anchors: tuple[AnchorCheck, ...] = ()

    @property
    def disagreeing(self) -> tuple[AnchorCheck, ...]:
        return tuple(a for a in self.anchors if a.disagrees)

    @property
    def anchored(self) -> bool:
        """At least one anchor outside the journal's folder agreed (store, key, second copy,
        written code). Without one, "intact" only means the file agrees with itself: a journal
        re-chained under a new id on another path looks like a journal kept elsewhere."""
        return any(a.state == anchors.AGREES and a.name != "head_file" for a in self.anchors)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "journal_id": self.journal_id,
            "entries": self.entries,
            "intact": self.intact,
            "anchored": self.anchored,
            "code": self.code,
            "first_problem": self.first_problem.to_dict() if self.first_problem else None,
            "problems": [p.to_dict() for p in self.problems],
            "anchors": [a.to_dict() for a in self.anchors],
        }


def _now() -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    return (
        now.isoformat(timespec="seconds"),
        now.astimezone().isoformat(timespec="seconds"),
    )


class Journal:
    """An open journal in ``folder``; appends are flushed and fsynced one by one."""

    def __init__(self, folder: Path, journal_id: str = "", copies: tuple[Path, ...] = ()) -> None:
        self.folder = folder
        self.path = folder / JOURNAL_NAME
        self.head_path = folder / HEAD_NAME
        self._id = journal_id
        self.copies = copies

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path, *, copy_to: Path | None = None) -> Journal:
        """A new journal in ``folder`` with its own key in the OS keyring; ``copy_to``: a
        folder on another medium that keeps a second copy of the head after each entry."""
        folder = prepare(folder)
        if (folder / JOURNAL_NAME).exists():
            raise JournalExists(path=str(folder))
        copies: tuple[Path, ...] = ()
        if copy_to is not None:
            try:
                copies = (prepare(copy_to).resolve(),)
            except DestinationNotWritable as exc:
                raise AnchorCopyNotWritable(path=str(copy_to), detail=exc.render()) from exc
        journal_id = anchors.new_journal_id()
        anchors.create_key(journal_id)
        return cls(folder, journal_id, copies)

    @classmethod
    def open(cls, folder: Path) -> Journal:
        folder = folder.expanduser()
        j = cls(folder)
        if not j.path.is_file():
            raise JournalMissing(path=str(folder))
        j._id = j._read_id()
        if j._id:
            try:
                _head, rec = anchors.store_anchor(j._id)
            except Exception:
                log.exception("store anchor not readable")
                rec = None
            if rec:
                j.copies = tuple(Path(c) for c in rec.get("copies", []) if isinstance(c, str))
        return j

    @classmethod
    def exists_in(cls, folder: Path) -> bool:
        return (folder / JOURNAL_NAME).is_file()

    @property
    def journal_id(self) -> str:
        return self._id

    def _read_id(self) -> str:
        for e in self.entries():
            jid = e.get("journal")
            if isinstance(jid, str) and jid:
                return jid
        head = anchors.read_head_file(self.head_path)
        return head.journal_id if head else ""

    # -- reading ----------------------------------------------------------------------
    def raw_lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def entries(self) -> list[dict[str, Any]]:
        """Entries that parse (for reports); use :func:`verify` to know if they are intact."""
        out = []
        for line in self.raw_lines():
            try:
                e = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(e, dict):
                out.append(e)
        return out

    def _last(self) -> tuple[int, str]:
        lines = [ln for ln in self.raw_lines() if ln.strip()]
        if not lines:
            return 0, GENESIS
        try:
            last = json.loads(lines[-1])
            return int(last["seq"]), str(last["hash"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            # A damaged last line: chain on its raw bytes so verify still points at it.
            return len(lines), hashlib.sha256(lines[-1].encode("utf-8")).hexdigest()

    def head(self) -> Head | None:
        """The head of the file as it is now (last entry that parses)."""
        seq, h = self._last()
        return Head(self._id, seq, h) if seq else None

    # -- writing ----------------------------------------------------------------------
    def append(
        self,
        action: str,
        *,
        step: int = 0,
        kind: str = "note",
        data: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> Entry:
        seq, prev = self._last()
        utc, local = _now()
        body: dict[str, Any] = {
            "journal": self._id,
            "seq": seq + 1,
            "utc": utc,
            "local": local,
            "step": step,
            "action": action,
            "actor": actor or default_actor(),
            "kind": kind,
            "data": data or {},
            "prev": prev,
        }
        body["hash"] = entry_hash(body)
        key = anchors.load_key(self._id) if self._id else None
        body["mac"] = anchors.mac(key, body["hash"]) if key else None
        line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            # The whole file is rewritten atomically (temporary file, fsync, rename): a crash
            # never leaves half an entry, and FAT drivers that cannot extend an existing file
            # in place (fusefat) still work. A journal is a few kilobytes.
            try:
                before = self.path.read_bytes()
            except FileNotFoundError:
                before = b""
            if before and not before.endswith(b"\n"):
                before += b"\n"
            write_atomic(self.path, before + (line + "\n").encode("utf-8"))
            head = Head(self._id, body["seq"], body["hash"])
            anchors.write_head_file(self.head_path, head)
        except OSError as exc:
            raise DestinationNotWritable(
                path=str(self.folder), detail=exc.strerror or str(exc)
            ) from exc
        written = ["head_file"]
        if self._id:
            for c in self.copies:
                try:
                    anchors.write_head_file(
                        anchors.copy_path(c, self._id), head, folder=str(self.folder.resolve())
                    )
                    written.append("copy")
                except OSError:
                    log.exception("second copy of the journal head not written")
            if anchors.record_in_store(head, self.folder, tuple(str(c) for c in self.copies)):
                written.append("store")
        return Entry(**body, anchored=tuple(written))


def verify(
    folder: Path,
    *,
    codes: tuple[WrittenCode, ...] = (),
    copies: tuple[Path, ...] = (),
) -> Verification:
    """Check the chain and the signatures, then every anchor (head file, store, copies,
    written-down codes). The first problem is the first entry that cannot be trusted."""
    j = Journal.open(folder)
    lines = j.raw_lines()
    seqs_by_line = _seqs(lines)
    problems: list[Problem] = []
    hashes: dict[int, str] = {}
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    key = anchors.load_key(j.journal_id) if j.journal_id else None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            problems.append(Problem(i, None, "unreadable", _("ligne vide dans le journal")))
            continue
        try:
            e = json.loads(line)
            seq = int(e["seq"])
            stored = str(e["hash"])
            prev = str(e["prev"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            problems.append(
                Problem(i, None, "unreadable", _("entrée illisible (modifiée ou coupée)"))
            )
            prev_hash = hashlib.sha256(line.encode("utf-8")).hexdigest()
            expected_seq += 1
            continue
        count += 1
        hashes.setdefault(seq, stored)
        if entry_hash(e) != stored:
            problems.append(
                Problem(i, seq, "altered", _("l'entrée n° {seq} a été modifiée").format(seq=seq))
            )
        elif seq != expected_seq:
            if seq > expected_seq and expected_seq not in seqs_by_line[i:]:
                reason = "missing"
                detail = _("entrée(s) manquante(s) avant l'entrée n° {seq}").format(seq=seq)
            else:
                reason = "reordered"
                detail = _("l'entrée n° {seq} n'est pas à sa place").format(seq=seq)
            problems.append(Problem(i, seq, reason, detail))
        elif prev != prev_hash:
            problems.append(
                Problem(
                    i,
                    seq,
                    "altered",
                    _(
                        "l'entrée n° {seq} ne suit pas la précédente "
                        "(entrée précédente modifiée ou remplacée)"
                    ).format(seq=seq),
                )
            )
        elif key is not None and not anchors.mac_ok(key, stored, e.get("mac")):
            problems.append(
                Problem(
                    i,
                    seq,
                    "unsigned",
                    _(
                        "l'entrée n° {seq} n'a pas la signature de ce journal : elle a été "
                        "réécrite ou ajoutée sans la clé gardée sur cet ordinateur"
                    ).format(seq=seq),
                )
            )
        elif e.get("journal", "") != j.journal_id:
            problems.append(
                Problem(
                    i,
                    seq,
                    "altered",
                    _("l'entrée n° {seq} appartient à un autre journal").format(seq=seq),
                )
            )
        prev_hash = stored
        expected_seq = seq + 1
    checks = _anchor_checks(j, lines, hashes, problems, key, codes, copies)
    last_seq = max(hashes) if hashes else 0
    return Verification(
        path=str(j.path),
        entries=count,
        intact=not problems and not any(a.disagrees for a in checks),
        first_problem=problems[0] if problems else None,
        problems=tuple(problems),
        journal_id=j.journal_id,
        code=anchors.format_code(last_seq, hashes[last_seq]) if last_seq else "",
        anchors=tuple(checks),
    )


def _anchor_checks(
    j: Journal,
    lines: list[str],
    hashes: dict[int, str],
    problems: list[Problem],
    key: bytes | None,
    codes: tuple[WrittenCode, ...],
    copies: tuple[Path, ...],
) -> list[AnchorCheck]:
    out: list[AnchorCheck] = []
    last_seq = max(hashes) if hashes else 0
    here = str(j.head_path)
    # 1. journal.head beside the journal: its absence is an alteration.
    head = anchors.read_head_file(j.head_path)
    if head is None:
        what = _("le fichier {name} manque ou est illisible").format(name=HEAD_NAME)
        out.append(AnchorCheck("head_file", here, anchors.MISSING, what))
        problems.append(Problem(len(lines) + 1, None, "head_missing", what))
    else:
        c = anchors.compare("head_file", here, head, hashes, must_be_last=True)
        out.append(c)
        if c.disagrees and not problems:
            if head.seq > last_seq:
                problems.append(
                    Problem(
                        len(lines) + 1,
                        last_seq + 1,
                        "truncated",
                        _("entrée(s) n° {a} à {b} supprimée(s) à la fin du journal").format(
                            a=last_seq + 1, b=head.seq
                        ),
                    )
                )
            elif head.seq == last_seq:
                problems.append(
                    Problem(
                        len(lines),
                        last_seq,
                        "altered",
                        _("la dernière entrée (n° {seq}) a été remplacée").format(seq=last_seq),
                    )
                )
            else:
                problems.append(Problem(len(lines), head.seq, "anchor", c.detail))
    # 2. hygie's store on this computer.
    record: dict[str, Any] | None = None
    if j.journal_id:
        try:
            stored, record = anchors.store_anchor(j.journal_id)
            others = [
                r
                for r in anchors.store_anchors_for_folder(j.folder)
                if r.get("journal_id") != j.journal_id
            ]
        except Exception:
            log.exception("store anchor not readable")
            stored, others = None, []
            out.append(
                AnchorCheck(
                    "store", "", anchors.UNAVAILABLE, _("mémoire de hygie illisible (voir le log)")
                )
            )
        where = _("mémoire de hygie sur cet ordinateur")
        if stored is not None:
            out.append(anchors.compare("store", where, stored, hashes, must_be_last=True))
        elif others:
            out.append(
                AnchorCheck(
                    "store",
                    where,
                    anchors.DISAGREES,
                    _(
                        "cet ordinateur a enregistré un autre journal dans ce dossier : "
                        "l'identifiant du journal a été changé ou le journal remplacé"
                    ),
                )
            )
        else:
            out.append(
                AnchorCheck(
                    "store",
                    where,
                    anchors.UNAVAILABLE,
                    _("aucun ancrage de ce journal sur cet ordinateur (tenu sur un autre ?)"),
                )
            )
    # 3. the HMAC key in the OS keyring.
    if key is not None:
        out.append(
            AnchorCheck(
                "keyring",
                _("trousseau du système"),
                anchors.AGREES if not any(p.reason == "unsigned" for p in problems) else
                anchors.DISAGREES,
                _("signatures des entrées vérifiées avec la clé du journal"),
            )
        )  # fmt: skip
    elif record is not None:
        out.append(
            AnchorCheck(
                "keyring",
                _("trousseau du système"),
                anchors.MISSING,
                _("la clé de ce journal a disparu du trousseau de cet ordinateur"),
            )
        )
    elif j.journal_id:
        out.append(
            AnchorCheck(
                "keyring",
                _("trousseau du système"),
                anchors.UNAVAILABLE,
                _("clé du journal absente ici : signatures non vérifiées"),
            )
        )
    # 4. second copies: the ones recorded when the journal was opened, and the ones given.
    recorded = [Path(c) for c in (record or {}).get("copies", []) if isinstance(c, str)]
    for place, given in [(p, False) for p in recorded] + [(p, True) for p in copies]:
        path = anchors.copy_path(place, j.journal_id) if place.is_dir() else place
        copy = anchors.read_head_file(path)
        if copy is None:
            state = anchors.MISSING if given else anchors.UNAVAILABLE
            detail = (
                _("copie introuvable ou illisible")
                if given
                else _("second support absent : branchez-le pour le comparer")
            )
            out.append(AnchorCheck("copy", str(path), state, detail))
        elif j.journal_id and copy.journal_id != j.journal_id:
            out.append(
                AnchorCheck(
                    "copy",
                    str(path),
                    anchors.DISAGREES,
                    _("cette copie est celle d'un autre journal"),
                )
            )
        else:
            out.append(anchors.compare("copy", str(path), copy, hashes, must_be_last=True))
    # 5. codes written down (on the kit, in the drafts).
    for wc in codes:
        where = f"n° {wc.seq} : {wc.code}"
        h = hashes.get(wc.seq)
        if h is not None and anchors.check_code(h) == wc.code:
            out.append(anchors.compare("code", where, Head("", wc.seq, h), hashes,
                                       must_be_last=False))  # fmt: skip
        elif wc.seq > last_seq:
            out.append(
                AnchorCheck(
                    "code",
                    where,
                    anchors.DISAGREES,
                    _(
                        "ce code a été noté pour l'entrée n° {a} mais le journal s'arrête à "
                        "l'entrée n° {b} : des entrées ont été supprimées"
                    ).format(a=wc.seq, b=last_seq),
                    wc.seq,
                )
            )
        else:
            out.append(
                AnchorCheck(
                    "code",
                    where,
                    anchors.DISAGREES,
                    _(
                        "le code noté pour l'entrée n° {seq} ne correspond plus au journal : "
                        "une entrée jusqu'à celle-ci a été réécrite"
                    ).format(seq=wc.seq),
                    wc.seq,
                )
            )
    return out


def _seqs(lines: list[str]) -> list[int | None]:
    out: list[int | None] = []
    for line in lines:
        try:
            out.append(int(json.loads(line)["seq"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            out.append(None)
    return out
