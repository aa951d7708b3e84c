"""The relay's quarantine: messages it refused for patient data, kept encrypted for a while.

Under the ``quarantine`` policy the relay refuses a message holding patient data and keeps a
copy here, so the practice can look at what was stopped and, after an explicit decision, send
it anyway (``hygie mail quarantine release``). Layout, in an owner-only folder (0700, files
0600, written atomically):

* ``<id>.json`` — what may be shown: when, size, recipient counts, and the findings as type,
  label, place and masked value (place names are masked too). Never a clear identifier, never
  an address, never content.
* ``<id>.msg`` — the envelope (sender, recipients) and the message, encrypted with AES-256-GCM
  (the item id as associated data). The key is 32 random bytes in the OS keyring
  (:mod:`hygie.secrets`, ``mail.quarantine.key``), never in the folder.

Why encrypt: the quarantine holds patient data by definition, and the data folder is what a
backup or a copied profile carries; in clear, every copy would hold it. Where no OS keyring
exists, the key falls back to a 0600 file under the data folder — then encryption only keeps
the messages out of copies that leave ``secrets/`` behind; ``hygie audit`` names that backend.
A lost key makes the messages unreadable (they can still be listed and purged), which is the
safe way to fail.

Items older than the retention (``[mail.relay] quarantine_days``, 30 by default) are deleted
by the relay itself (at start, then every hour) and by ``hygie mail quarantine purge``.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.fileio import private_dir, write_atomic
from hygie.i18n import _
from hygie.mail.errors import QuarantineError
from hygie.mail.relay.settings import RelaySettings
from hygie.mail.relay.upstream import Delivery, deliver

log = logging.getLogger("hygie.mail.relay")

SECRET_KEY = "mail.quarantine.key"
FORMAT = 1
_ID = re.compile(r"\A\d{8}T\d{6}Z-[0-9a-f]{12}\Z")


@dataclass(frozen=True)
class ShownFinding:
    """A finding as hygie may show it: type, French label, place (masked), masked value."""

    type: str
    label: str
    place: str
    masked: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "label": self.label, "place": self.place, "masked": self.masked}


@dataclass(frozen=True)
class QuarantineItem:
    """What ``<id>.json`` holds (safe to list and show)."""

    id: str
    received_at: dt.datetime
    size: int
    recipients: int
    non_mssante: int
    findings: tuple[ShownFinding, ...] = field(default_factory=tuple)

    def age_days(self, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.UTC)
        return (now - self.received_at).total_seconds() / 86400

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at.isoformat(timespec="seconds"),
            "size": self.size,
            "recipients": self.recipients,
            "non_mssante": self.non_mssante,
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QuarantineItem:
        return cls(
            id=str(d["id"]),
            received_at=dt.datetime.fromisoformat(str(d["received_at"])),
            size=int(d["size"]),
            recipients=int(d["recipients"]),
            non_mssante=int(d["non_mssante"]),
            findings=tuple(
                ShownFinding(str(f["type"]), str(f["label"]), str(f["place"]), str(f["masked"]))
                for f in d.get("findings", ())
            ),
        )


@dataclass(frozen=True)
class QuarantinedMessage:
    """A decrypted item: only ``show`` (masked) and ``release`` (after confirmation) use it."""

    item: QuarantineItem
    mail_from: str
    rcpts: tuple[str, ...]
    raw: bytes


def _aesgcm(key: bytes) -> Any:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


class Quarantine:
    """One quarantine folder. ``key`` is read from (or created in) the keyring when needed."""

    def __init__(self, folder: Path, *, key: bytes | None = None) -> None:
        self.folder = Path(folder)
        self._key = key

    # --- the key ---------------------------------------------------------------------------
    def key(self, *, create: bool) -> bytes:
        if self._key is not None:
            return self._key
        from hygie.secrets import get_secret, set_secret

        text = get_secret(SECRET_KEY)
        if text is None:
            if not create:
                raise QuarantineError(
                    detail=_(
                        "la clé de chiffrement de la quarantaine est introuvable dans le "
                        "trousseau : les messages gardés ne peuvent plus être lus (ils peuvent "
                        "être supprimés)"
                    )
                )
            text = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            set_secret(SECRET_KEY, text)
            text = get_secret(SECRET_KEY) or text  # another process may have won the race
        try:
            key = base64.b64decode(text, validate=True)
        except ValueError as exc:
            raise QuarantineError(detail=_("clé de chiffrement illisible")) from exc
        if len(key) != 32:
            raise QuarantineError(detail=_("clé de chiffrement illisible"))
        self._key = key
        return key

    # --- writing ---------------------------------------------------------------------------
    def put(
        self,
        raw: bytes,
        *,
        mail_from: str,
        rcpts: Sequence[str],
        non_mssante: int,
        findings: Sequence[ShownFinding],
        now: dt.datetime | None = None,
    ) -> QuarantineItem:
        """Keep one message (encrypted) and its showable summary; returns the item."""
        now = now or dt.datetime.now(dt.UTC)
        item = QuarantineItem(
            id=f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(6)}",
            received_at=now.replace(microsecond=0),
            size=len(raw),
            recipients=len(rcpts),
            non_mssante=non_mssante,
            findings=tuple(findings),
        )
        envelope = json.dumps({"mail_from": mail_from, "rcpts": list(rcpts)}).encode("utf-8")
        nonce = secrets.token_bytes(12)
        sealed = _aesgcm(self.key(create=True)).encrypt(
            nonce, envelope + b"\n" + raw, item.id.encode("ascii")
        )
        folder = self._folder()
        write_atomic(folder / f"{item.id}.msg", bytes([FORMAT]) + nonce + sealed)
        write_atomic(
            folder / f"{item.id}.json",
            json.dumps({"format": FORMAT, **item.to_dict()}, ensure_ascii=False).encode("utf-8"),
        )
        return item

    def _folder(self) -> Path:
        return private_dir(self.folder)

    # --- reading ---------------------------------------------------------------------------
    def items(self) -> list[QuarantineItem]:
        """Every item, oldest first (an unreadable summary is logged and skipped)."""
        if not self.folder.is_dir():
            return []
        out: list[QuarantineItem] = []
        for p in sorted(self.folder.glob("*.json")):
            if not _ID.match(p.stem):
                continue
            try:
                out.append(QuarantineItem.from_dict(json.loads(p.read_text(encoding="utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                log.exception("quarantine summary unreadable: %s", p.name)
        return sorted(out, key=lambda i: i.received_at)

    def get(self, item_id: str) -> QuarantineItem:
        p = self._path(item_id, ".json")
        try:
            return QuarantineItem.from_dict(json.loads(p.read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise QuarantineError(
                detail=_("aucun message gardé sous ce numéro ({id})").format(id=item_id)
            ) from exc
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise QuarantineError(
                detail=_("le résumé du message {id} est illisible").format(id=item_id)
            ) from exc

    def open(self, item_id: str) -> QuarantinedMessage:
        """Decrypt one item (its envelope and message)."""
        from cryptography.exceptions import InvalidTag

        item = self.get(item_id)
        try:
            blob = self._path(item_id, ".msg").read_bytes()
        except OSError as exc:
            raise QuarantineError(
                detail=_("le message {id} est illisible").format(id=item_id)
            ) from exc
        if len(blob) < 1 + 12 + 16 or blob[0] != FORMAT:
            raise QuarantineError(detail=_("le message {id} est abîmé").format(id=item_id))
        try:
            plain = _aesgcm(self.key(create=False)).decrypt(
                blob[1:13], blob[13:], item.id.encode("ascii")
            )
        except InvalidTag as exc:
            raise QuarantineError(
                detail=_(
                    "le message {id} ne se déchiffre pas (clé changée ou fichier modifié)"
                ).format(id=item_id)
            ) from exc
        head, _sep, raw = plain.partition(b"\n")
        env = json.loads(head.decode("utf-8"))
        return QuarantinedMessage(item, str(env["mail_from"]), tuple(env["rcpts"]), raw)

    def _path(self, item_id: str, suffix: str) -> Path:
        if not _ID.match(item_id):
            raise QuarantineError(
                detail=_("numéro de message invalide ({id})").format(id=item_id[:40])
            )
        return self.folder / f"{item_id}{suffix}"

    # --- deleting --------------------------------------------------------------------------
    def delete(self, item_id: str) -> None:
        msg, summary = self._path(item_id, ".msg"), self._path(item_id, ".json")
        if not summary.exists() and not msg.exists():
            raise QuarantineError(
                detail=_("aucun message gardé sous ce numéro ({id})").format(id=item_id)
            )
        msg.unlink(missing_ok=True)  # the content first: a crash leaves a harmless summary
        summary.unlink(missing_ok=True)

    def purge(self, older_than_days: float, *, now: dt.datetime | None = None) -> list[str]:
        """Delete the items older than ``older_than_days``; returns their ids.

        An encrypted file left without its summary (a crash between the two writes) is
        deleted by the same rule, from its time stamp in its name.
        """
        now = now or dt.datetime.now(dt.UTC)
        limit = now - dt.timedelta(days=older_than_days)
        gone: list[str] = []
        if not self.folder.is_dir():
            return gone
        for p in sorted(self.folder.iterdir()):
            if p.suffix not in (".json", ".msg") or not _ID.match(p.stem):
                continue
            try:
                stamp = dt.datetime.strptime(p.stem[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            except ValueError:
                continue
            if stamp < limit:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()
                if p.suffix == ".json" or not p.with_suffix(".json").exists():
                    gone.append(p.stem)
        # leftover temporary files of an interrupted write (write_atomic's ".<name>.<hex>.tmp")
        for p in self.folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                if p.stat().st_mtime < limit.timestamp():
                    p.unlink()
        return sorted(set(gone))


def default_folder() -> Path:
    from hygie.paths import get_paths

    return get_paths().data_dir / "mail-quarantine"


def shown_headers(raw: bytes) -> dict[str, Any]:
    """The headers a person needs to recognise a message, identifiers masked; attachment
    names (masked) too. Never the body."""
    from email import policy
    from email.parser import BytesParser

    from hygie.identifiers import mask_identifiers

    out: dict[str, Any] = {}
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        for name in ("From", "To", "Cc", "Subject", "Date"):
            v = msg.get(name)
            if v is not None:
                out[name.lower()] = mask_identifiers(" ".join(str(v).split()))
        out["attachments"] = [
            mask_identifiers(str(p.get_filename()))
            for p in msg.walk()
            if not p.is_multipart() and p.get_filename()
        ]
    except Exception as exc:  # malformed headers: say so rather than guess
        # The type only: a parser's message may quote a header holding an identifier.
        log.warning("quarantined message headers unreadable: %s", type(exc).__name__)
        out["unreadable"] = True
    return out


def release(
    quarantine: Quarantine, item_id: str, settings: RelaySettings, password: str | None
) -> Delivery:
    """Send one quarantined message through the upstream, as it was, to its recipients.

    Only after a person confirmed (the CLI asks). Delivered → the item is deleted; either way
    the attempt is journaled (id, recipient counts, outcome; never an address).
    """
    from hygie.mail.store import log_quarantine_action

    msg = quarantine.open(item_id)
    delivery = deliver(settings, password, msg.mail_from, list(msg.rcpts), msg.raw)
    detail = f"recipients={msg.item.recipients} non_mssante={msg.item.non_mssante}"
    if delivery.ok:
        with contextlib.suppress(QuarantineError):  # purged meanwhile: it was sent anyway
            quarantine.delete(item_id)
        log.warning("quarantine released id=%s %s", item_id, detail)
        log_quarantine_action("released", item_id, detail)
    else:
        why = delivery.reason or delivery.decision
        log.warning("quarantine release failed id=%s reason=%s", item_id, why)
        log_quarantine_action("release_failed", item_id, f"{detail} reason={why}")
    return delivery


def purge(
    quarantine: Quarantine,
    *,
    ids: Sequence[str] = (),
    older_than_days: float | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Delete the items named and/or those older than ``older_than_days``; journaled."""
    from hygie.mail.store import log_quarantine_action

    for i in ids:
        quarantine.get(i)  # every id must exist before anything is deleted
    gone = list(ids)
    for i in ids:
        quarantine.delete(i)
    if older_than_days is not None:
        gone += quarantine.purge(older_than_days, now=now)
    for i in sorted(set(gone)):
        log_quarantine_action("purged", i, "")
    return sorted(set(gone))
