"""The incident journal: JSON lines with a SHA-256 hash chain, kept in the incident folder.

Each entry holds its sequence number, UTC and local time, the step (0 = outside the six
steps), the action (what was done or seen, in words), the actor, ``prev`` (the SHA-256 of the
previous entry; 64 zeros for the first) and ``hash`` (the SHA-256 of this entry's canonical
JSON without ``hash``). A head file (``journal.head``) repeats the last sequence number and
hash, so that removed trailing entries are seen too. :func:`verify` reports the first entry
that is altered, missing or out of order.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.i18n import _
from hygie.incident.destination import prepare
from hygie.incident.errors import DestinationNotWritable, JournalExists, JournalMissing

JOURNAL_NAME = "journal.jsonl"
HEAD_NAME = "journal.head"
GENESIS = "0" * 64
FIELDS = ("seq", "utc", "local", "step", "action", "actor", "kind", "data", "prev")


def canonical(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
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

    def to_dict(self) -> dict[str, Any]:
        return {
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
        }


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line number in the journal
    seq: int | None
    reason: str  # stable code: altered, missing, reordered, unreadable, truncated
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "entries": self.entries,
            "intact": self.intact,
            "first_problem": self.first_problem.to_dict() if self.first_problem else None,
            "problems": [p.to_dict() for p in self.problems],
        }


def _now() -> tuple[str, str]:
    now = dt.datetime.now(dt.UTC)
    return (
        now.isoformat(timespec="seconds"),
        now.astimezone().isoformat(timespec="seconds"),
    )


class Journal:
    """An open journal in ``folder``; appends are flushed and fsynced one by one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / JOURNAL_NAME
        self.head_path = folder / HEAD_NAME

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def create(cls, folder: Path) -> Journal:
        folder = prepare(folder)
        j = cls(folder)
        if j.path.exists():
            raise JournalExists(path=str(folder))
        return j

    @classmethod
    def open(cls, folder: Path) -> Journal:
        folder = folder.expanduser()
        j = cls(folder)
        if not j.path.is_file():
            raise JournalMissing(path=str(folder))
        return j

    @classmethod
    def exists_in(cls, folder: Path) -> bool:
        return (folder / JOURNAL_NAME).is_file()

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
        line = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            tmp = self.head_path.with_name(HEAD_NAME + ".part")
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"seq": body["seq"], "hash": body["hash"]}) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            tmp.replace(self.head_path)
        except OSError as exc:
            raise DestinationNotWritable(
                path=str(self.folder), detail=exc.strerror or str(exc)
            ) from exc
        return Entry(**body)


def verify(folder: Path) -> Verification:
    """Check the chain; the first problem is the first entry that cannot be trusted."""
    j = Journal.open(folder)
    lines = j.raw_lines()
    seqs_by_line = _seqs(lines)
    problems: list[Problem] = []
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
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
        prev_hash = stored
        expected_seq = seq + 1
    head = _read_head(j.head_path)
    if head is not None and not problems:
        head_seq, head_hash = head
        last_seq = expected_seq - 1
        if head_seq > last_seq:
            problems.append(
                Problem(
                    len(lines) + 1,
                    last_seq + 1,
                    "truncated",
                    _("entrée(s) n° {a} à {b} supprimée(s) à la fin du journal").format(
                        a=last_seq + 1, b=head_seq
                    ),
                )
            )
        elif head_seq == last_seq and head_hash != prev_hash:
            problems.append(
                Problem(
                    len(lines),
                    last_seq,
                    "altered",
                    _("la dernière entrée (n° {seq}) a été remplacée").format(seq=last_seq),
                )
            )
    return Verification(
        path=str(j.path),
        entries=count,
        intact=not problems,
        first_problem=problems[0] if problems else None,
        problems=tuple(problems),
    )


def _seqs(lines: list[str]) -> list[int | None]:
    out: list[int | None] = []
    for line in lines:
        try:
            out.append(int(json.loads(line)["seq"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            out.append(None)
    return out


def _read_head(path: Path) -> tuple[int, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return int(data["seq"]), str(data["hash"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
