"""ClamAV signature databases: the 512-byte text header of .cvd/.cld files (pure).

``ClamAV-VDB:<build time>:<version>:<signatures>:<functionality level>:<md5>:<signature>:
<builder>:<build time, seconds since the epoch>``, for example
``ClamAV-VDB:16 Apr 2020 07-58 -0400:25784:2267600:63:92ba...:4Jp9...:raynman:1587038339``.
The build time uses ``HH-MM`` because ``:`` separates fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEADER_SIZE = 512
MAGIC = "ClamAV-VDB"


@dataclass(frozen=True)
class CvdHeader:
    built: dt.datetime
    version: int | None
    signatures: int | None


def _int(s: str) -> int | None:
    try:
        return int(s.strip())
    except ValueError:
        return None


def parse_cvd_header(raw: bytes | str) -> CvdHeader | None:
    """The header of a .cvd/.cld file, or None when it is not one."""
    text = raw[:HEADER_SIZE].decode("ascii", "replace") if isinstance(raw, bytes) else raw
    text = text[:HEADER_SIZE].rstrip("\x00 \n\r\t")
    parts = text.split(":")
    if len(parts) < 3 or parts[0] != MAGIC:
        return None
    built: dt.datetime | None = None
    if len(parts) >= 9:
        epoch = _int(parts[8])
        if epoch and epoch > 0:
            built = dt.datetime.fromtimestamp(epoch, dt.UTC)
    if built is None:
        try:
            built = dt.datetime.strptime(parts[1].strip(), "%d %b %Y %H-%M %z")
        except ValueError:
            try:
                built = dt.datetime.strptime(parts[1].strip(), "%d %b %Y").replace(tzinfo=dt.UTC)
            except ValueError:
                return None
    return CvdHeader(
        built.astimezone(dt.UTC),
        _int(parts[2]),
        _int(parts[3]) if len(parts) > 3 else None,
    )


def signature_age_days(headers: list[CvdHeader], now: dt.datetime) -> int | None:
    """Days since the newest database was built (0 for today or a clock behind)."""
    if not headers:
        return None
    newest = max(h.built for h in headers)
    return max(0, (now - newest).days)


def process_running(comms: list[str], name: str) -> bool:
    """Whether ``name`` is among /proc/*/comm contents (truncated to 15 chars by the kernel)."""
    short = name[:15]
    return any(c.strip() == short for c in comms)
