"""The device <-> server HTTP contract, shared by both sides (see docs/reference/fleet-api.md).

Paths (JSON bodies, UTF-8; errors are ``{"error": CODE, "message": French text}``):

* ``POST /api/v1/join`` ``{"code", "department"|null, "label"|null, "os_family",
  "hygie_version"}`` -> 201 ``{"device_id", "token", "campaign": {"name", "mode"}}``.
  A wrong, expired or closed code gives 403 ``join_code_invalid`` (one answer for all three).
* ``POST /api/v1/reports`` (``Authorization: Bearer TOKEN``), body = one report
  (:mod:`hygie.fleet.report`) -> 201 stored, 200 already stored (same ``report_id``:
  idempotent), 422 ``report_invalid``, 401 ``token_invalid``, 410 ``device_gone``.
* ``GET /api/v1/device`` (Bearer) -> 200 what the server holds about this device.
* ``DELETE /api/v1/device`` (Bearer) -> 204; the device and all its reports are deleted.
* ``GET /api/v1/health`` -> 200 ``{"status": "ok", "schema_version": N}``.

A token is ``<campaign id>.<device id>.<secret>``; the server keeps only the SHA-256 of the
secret (32 random bytes: a fast hash is enough for a secret with that much entropy), so a
database leak gives no usable token, and a join code only ever creates a new empty device.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

API_PREFIX = "/api/v1"
JOIN_PATH = f"{API_PREFIX}/join"
REPORTS_PATH = f"{API_PREFIX}/reports"
DEVICE_PATH = f"{API_PREFIX}/device"
HEALTH_PATH = f"{API_PREFIX}/health"

CampaignMode = Literal["anonymous", "identified"]
CAMPAIGN_MODES: tuple[str, ...] = ("anonymous", "identified")
ANONYMOUS_THRESHOLD = 5  # aggregates of anonymous campaigns: groups of at least 5 devices

# Metropolitan departments 01-95 (no 20; Corsica is 2A/2B) and the overseas 971-976.
DEPARTMENT_RE = re.compile(r"^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-6])$")
# A device label (identified campaigns): short, letters, digits, spaces and - _ . ' only.
LABEL_RE = re.compile(r"^[\w .'\-]{1,40}$")
_DIGIT_RUN = re.compile(r"[0-9]{5}")


def valid_label(label: str) -> bool:
    """A label names a computer ("PC accueil"), never a person's number: no 5-digit run."""
    return bool(LABEL_RE.fullmatch(label)) and not _DIGIT_RUN.search(label)


def valid_department(department: str) -> bool:
    return bool(DEPARTMENT_RE.fullmatch(department))


# Join codes: 4 groups of 4 characters from an alphabet without look-alikes (no 0/O, 1/I/L).
JOIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_RE = re.compile(rf"^[{JOIN_ALPHABET}]{{4}}(-[{JOIN_ALPHABET}]{{4}}){{3}}$")


def new_join_code() -> str:
    """A fresh join code, ~79 bits of randomness, easy to read aloud and to type."""
    groups = ("".join(secrets.choice(JOIN_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def normalize_join_code(raw: str) -> str:
    """Upper-case, spaces removed, dashes re-inserted: what a hurried typist means."""
    chars = "".join(c for c in raw.upper() if c.isascii() and c.isalnum())
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


def code_hash(code: str) -> bytes:
    """What the server stores for a join code (never the code itself)."""
    return hashlib.sha256(normalize_join_code(code).encode("ascii")).digest()


@dataclass(frozen=True)
class DeviceToken:
    campaign_id: int
    device_id: uuid.UUID
    secret: bytes

    def __str__(self) -> str:
        secret = base64.urlsafe_b64encode(self.secret).rstrip(b"=").decode("ascii")
        return f"{self.campaign_id}.{self.device_id}.{secret}"

    @property
    def secret_hash(self) -> bytes:
        return hashlib.sha256(self.secret).digest()

    @classmethod
    def new(cls, campaign_id: int) -> DeviceToken:
        return cls(campaign_id, uuid.uuid4(), secrets.token_bytes(32))

    @classmethod
    def parse(cls, raw: str) -> DeviceToken | None:
        """The token in ``raw``, or None when it is not one (never raises on bad input)."""
        parts = raw.strip().split(".")
        if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 10:
            return None
        try:
            device = uuid.UUID(parts[1])
            secret = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        except ValueError:
            return None
        if len(secret) != 32:
            return None
        return cls(int(parts[0]), device, secret)

    def matches(self, stored_hash: bytes) -> bool:
        return hmac.compare_digest(self.secret_hash, stored_hash)
