"""Anchors of the incident journal outside its own file.

A hash chain proves only that the file agrees with itself: whoever can write the file can
recompute every hash. Each anchor below keeps a copy of the journal's head (last sequence
number and SHA-256) somewhere the file's writer does not control, so that a rewrite, a forged
entry or a removed tail disagrees with at least one of them:

* the **check code** shown after every entry (the head hash in four groups of four characters,
  Crockford base32, easy to write down on the printed kit) and carried by the
  cybermalveillance/CNIL drafts;
* the **local store** of hygie on this computer (module ``incident``, key ``journal:<id>``);
* an optional **second copy** of the head on another medium (``hygie-journal-<id>.head``);
* the **HMAC key** of the journal in the OS keyring (:mod:`hygie.secrets`): each entry carries
  an HMAC-SHA256 of its hash, so a copy of the journal alone cannot be re-chained.

``journal.head`` beside the journal stays as the weakest anchor (same medium, same writer);
its absence is an alteration. What each anchor proves, and what it cannot, is in
docs/explanation/incident-design.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets as pysecrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie import secrets
from hygie.fileio import write_text_atomic
from hygie.i18n import _

log = logging.getLogger("hygie.incident.anchors")

MODULE = "incident"
STORE_PREFIX = "journal:"
COPY_SUFFIX = ".head"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Anchor states
AGREES, DISAGREES, MISSING, UNAVAILABLE = "agrees", "disagrees", "missing", "unavailable"


# -- the check code -------------------------------------------------------------------------
def check_code(entry_hash: str) -> str:
    """The first 80 bits of ``entry_hash`` in Crockford base32, as ``XXXX-XXXX-XXXX-XXXX``."""
    bits = int(entry_hash[:20], 16)
    chars = "".join(_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(16)))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def format_code(seq: int, entry_hash: str) -> str:
    """What hygie shows and prints: ``n° 7 : 4F2K-9XQ3-M7DA-1WCE``."""
    return _("n° {seq} : {code}").format(seq=seq, code=check_code(entry_hash))


@dataclass(frozen=True)
class WrittenCode:
    """A check code the user wrote down (``--code 7:4F2K-9XQ3-M7DA-1WCE``)."""

    seq: int
    code: str  # normalised, with dashes

    @classmethod
    def parse(cls, text: str) -> WrittenCode | None:
        m = re.match(r"^\s*(?:n°\s*)?(\d+)\s*[:= ]\s*(.+)$", text.strip(), re.IGNORECASE)
        if not m:
            return None
        raw = re.sub(r"[^0-9A-Za-z]", "", m.group(2)).upper()
        raw = raw.translate(str.maketrans("OILU", "011V"))
        if len(raw) != 16 or any(c not in _CROCKFORD for c in raw):
            return None
        return cls(int(m.group(1)), "-".join(raw[i : i + 4] for i in range(0, 16, 4)))


# -- the HMAC key in the OS keyring ---------------------------------------------------------
def _key_name(journal_id: str) -> str:
    return f"incident-journal-{journal_id}"


def new_journal_id() -> str:
    return pysecrets.token_hex(8)


def create_key(journal_id: str) -> str:
    """A new random key for this journal, kept in the OS keyring; returns the backend used."""
    return secrets.set_secret(_key_name(journal_id), pysecrets.token_hex(32))


def load_key(journal_id: str) -> bytes | None:
    value = secrets.get_secret(_key_name(journal_id))
    if not value:
        return None
    try:
        return bytes.fromhex(value.strip())
    except ValueError:
        return None


def mac(key: bytes, entry_hash: str) -> str:
    return hmac.new(key, entry_hash.encode("ascii"), hashlib.sha256).hexdigest()


def mac_ok(key: bytes, entry_hash: str, value: object) -> bool:
    return isinstance(value, str) and hmac.compare_digest(mac(key, entry_hash), value)


# -- heads: what each anchor holds ----------------------------------------------------------
@dataclass(frozen=True)
class Head:
    journal_id: str
    seq: int
    hash: str

    @property
    def code(self) -> str:
        return check_code(self.hash)

    def to_dict(self) -> dict[str, Any]:
        return {"journal_id": self.journal_id, "seq": self.seq, "hash": self.hash,
                "code": self.code}  # fmt: skip

    @classmethod
    def from_mapping(cls, data: object) -> Head | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(str(data.get("journal_id") or ""), int(data["seq"]), str(data["hash"]))
        except (KeyError, TypeError, ValueError):
            return None


def read_head_file(path: Path) -> Head | None:
    try:
        return Head.from_mapping(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def write_head_file(path: Path, head: Head, *, folder: str = "") -> None:
    doc = head.to_dict() | ({"folder": folder} if folder else {})
    write_text_atomic(path, json.dumps(doc, ensure_ascii=False) + "\n", mode=0o644)


def copy_path(folder: Path, journal_id: str) -> Path:
    return folder / f"hygie-journal-{journal_id}{COPY_SUFFIX}"


# -- the local store ------------------------------------------------------------------------
def record_in_store(head: Head, folder: Path, copies: tuple[str, ...] = ()) -> bool:
    """Record the head in hygie's store; False (logged with its traceback) when it cannot."""
    from hygie.store import open_store, utcnow

    try:
        store = open_store()
        try:
            store.put_state(
                MODULE,
                STORE_PREFIX + head.journal_id,
                head.to_dict()
                | {"folder": str(folder.resolve()), "copies": list(copies), "at": utcnow()},
            )
        finally:
            store.close()
        return True
    except Exception:
        log.exception("journal head not recorded in the store")
        return False


def store_anchor(journal_id: str) -> tuple[Head | None, dict[str, Any] | None]:
    """The head recorded in the store for ``journal_id`` and the whole record."""
    from hygie.store import open_store

    store = open_store()
    try:
        rec = store.get_state(MODULE, STORE_PREFIX + journal_id)
    finally:
        store.close()
    return Head.from_mapping(rec), rec if isinstance(rec, dict) else None


def store_anchors_for_folder(folder: Path) -> list[dict[str, Any]]:
    """Every store record naming ``folder`` (to notice a journal whose id was changed)."""
    from hygie.store import open_store

    target = str(folder.resolve())
    store = open_store()
    try:
        items = store.state_items(MODULE, STORE_PREFIX)
    finally:
        store.close()
    return [v for _k, v, _u in items if isinstance(v, dict) and v.get("folder") == target]


def stored_anchors() -> list[tuple[str, Any, str]] | None:
    """Every journal anchor this computer recorded, (key, record, updated), most recent
    first as the store gives them; None (logged) when the store cannot be read."""
    from hygie.store import open_store

    try:
        store = open_store()
        try:
            return list(store.state_items(MODULE, STORE_PREFIX))
        finally:
            store.close()
    except Exception:
        log.exception("journal anchors not readable from the store")
        return None


def last_recorded_code() -> tuple[str, str] | None:
    """(formatted code, when) of the most recently anchored journal on this computer."""
    items = stored_anchors()
    if items is None:
        return None
    for _key, rec, _updated in items:
        head = Head.from_mapping(rec)
        if head is not None:
            return format_code(head.seq, head.hash), str(rec.get("at", ""))
    return None


# -- comparing the file with an anchor ------------------------------------------------------
@dataclass(frozen=True)
class AnchorCheck:
    name: str  # head_file | store | copy | code | keyring
    where: str
    state: str  # agrees | disagrees | missing | unavailable
    detail: str  # French, translated
    seq: int | None = None

    @property
    def disagrees(self) -> bool:
        return self.state in (DISAGREES, MISSING)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "where": self.where, "state": self.state,
                "detail": self.detail, "seq": self.seq}  # fmt: skip


def compare(
    name: str, where: str, head: Head, hashes: dict[int, str], *, must_be_last: bool
) -> AnchorCheck:
    """Compare an anchor's head with the file's hashes (seq → hash of the entries read)."""
    last = max(hashes) if hashes else 0
    if head.seq > last:
        return AnchorCheck(
            name,
            where,
            DISAGREES,
            _(
                "cet ancrage connaît l'entrée n° {a} mais le journal s'arrête à l'entrée n° {b} : "
                "des entrées ont été supprimées"
            ).format(a=head.seq, b=last),
            head.seq,
        )
    if hashes.get(head.seq) != head.hash:
        return AnchorCheck(
            name,
            where,
            DISAGREES,
            _(
                "l'entrée n° {seq} du journal n'est plus celle que cet ancrage a enregistrée "
                "(code {code}) : le journal a été réécrit"
            ).format(seq=head.seq, code=head.code),
            head.seq,
        )
    if must_be_last and head.seq < last:
        return AnchorCheck(
            name,
            where,
            DISAGREES,
            _(
                "le journal contient des entrées après la n° {a} (jusqu'à la n° {b}) que cet "
                "ancrage n'a jamais vues : ajoutées ailleurs ou fabriquées"
            ).format(a=head.seq, b=last),
            head.seq,
        )
    return AnchorCheck(
        name,
        where,
        AGREES,
        _("d'accord jusqu'à l'entrée n° {seq} (code {code})").format(seq=head.seq, code=head.code),
        head.seq,
    )
