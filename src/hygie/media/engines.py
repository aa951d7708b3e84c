"""The media engine interface: what the station needs from an antivirus, whichever it is.

Two engines sit behind :class:`ScanEngine`: ClamAV's daemon (:mod:`hygie.media.clamd_engine`,
every OS) and Microsoft Defender's command-line scanner (:mod:`hygie.media.defender_engine`,
Windows). This module holds only the types they share (:class:`Limits`, :class:`EngineInfo`,
:data:`ScanFn`, :class:`SignatureInfo`) and imports neither engine;
:func:`hygie.media.engine_choice.open_engine` picks, opens and proves one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from hygie.media.verdicts import EngineAnswer

MB = 1024 * 1024
ENGINE_KINDS = ("clamav", "defender")


@dataclass(frozen=True)
class Limits:
    """What the engine reads: beyond any of these, a file is not scanned (never clean).

    ``max_recursion`` is the engine's own setting (clamd's ``MaxRecursion``); hygie trusts
    :attr:`trusted_depth` archive layers at most, a margin below it.
    """

    max_file_size: int = 200 * MB
    max_scan_size: int = 800 * MB
    stream_max_length: int = 200 * MB
    max_recursion: int = 12
    max_files: int = 10000

    def __post_init__(self) -> None:
        if self.stream_max_length < self.max_file_size:
            raise ValueError("StreamMaxLength must be >= MaxFileSize")
        if self.max_recursion < 3:
            raise ValueError("MaxRecursion must be >= 3")

    @property
    def trusted_depth(self) -> int:
        """Archive layers hygie lets the engine vouch for (clamd sees MaxRecursion - 1)."""
        return self.max_recursion - 2

    def to_dict(self) -> dict[str, int]:
        return {
            "max_file_size": self.max_file_size,
            "max_scan_size": self.max_scan_size,
            "stream_max_length": self.stream_max_length,
            "max_recursion": self.max_recursion,
            "max_files": self.max_files,
        }


@dataclass(frozen=True)
class SignatureInfo:
    count: int | None  # None: could not be read (remote engine, Defender)
    date: str | None  # ISO date of the newest signatures
    source: str  # "version", "cvd", "mtime", "mpstatus" or ""
    files: tuple[str, ...] = ()

    def age_days(self, now: dt.datetime) -> float | None:
        if not self.date:
            return None
        d = dt.datetime.fromisoformat(self.date)
        if d.tzinfo is None:
            d = d.replace(tzinfo=dt.UTC)
        return max(0.0, (now - d).total_seconds() / 86400)


@dataclass(frozen=True)
class EngineInfo:
    kind: str  # "clamav" or "defender"
    address: str
    mode: str
    version: str
    db_version: int | None
    signatures: SignatureInfo
    limits: Limits
    self_test: str  # "ok" once the canary battery passed, "" when not run
    proof: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self, now: dt.datetime | None = None) -> dict[str, Any]:
        now = now or dt.datetime.now(dt.UTC)
        age = self.signatures.age_days(now)
        return {
            "engine": self.kind,
            "address": self.address,
            "mode": self.mode,
            "version": self.version,
            "db_version": self.db_version,
            "signature_count": self.signatures.count,
            "signature_date": self.signatures.date,
            "signature_date_source": self.signatures.source,
            "signature_age_days": round(age, 1) if age is not None else None,
            "limits": self.limits.to_dict(),
            "self_test": self.self_test,
            "proof": list(self.proof),
        }


# A per-worker scanning function: (open descriptor, path, size) -> answer. Never raises.
ScanFn = Callable[[int, str, int], EngineAnswer]


class Pipeline(Protocol):
    """Many open files in flight over one engine connection, answers matched back.

    The caller submits descriptors with its own key and keeps them open until their answer
    comes back (:meth:`collect`); answers come in any order. Every submitted file gets
    exactly one answer, never raised: a lost connection, a timeout or an error becomes a
    not-scanned answer (or the file is retried alone first, as the engine decides).
    """

    @property
    def in_flight(self) -> int:
        """Files submitted whose answer has not been collected yet."""
        ...

    def submit(self, fd: int, key: int) -> None: ...

    def collect(self, wait: bool) -> list[tuple[int, EngineAnswer]]:
        """Answers ready now; with ``wait``, blocks until at least one (when any is in
        flight)."""
        ...

    def close(self) -> None: ...


class ScanEngine(Protocol):
    """What the scanner, the station copy and the canary battery need from an engine."""

    kind: str
    info: EngineInfo | None
    # True when the engine's own alerts (encrypted content, exceeded limits) can be switched
    # on by its configuration: the proof then requires them (ClamAV), see canaries.py.
    configurable_alerts: bool

    @property
    def limits(self) -> Limits:
        """What the engine reads (hygie reports anything beyond as not scanned)."""
        ...

    def check(self) -> EngineInfo:
        """Version, signatures and the canary proof; raises a MediaError when unusable."""
        ...

    def scan_fd(self, fd: int, path: str, size: int) -> EngineAnswer:
        """Scan one open file (``path`` names it for engines that need one). Never raises."""
        ...

    def scan_bytes(self, data: bytes) -> EngineAnswer:
        """Scan an in-memory buffer (canaries). Never raises."""
        ...

    def worker(self) -> contextlib.AbstractContextManager[ScanFn]:
        """A scanning function for one worker thread (may hold a connection)."""
        ...

    def pipeline(self) -> Pipeline | None:
        """Files in flight over one connection, or None when the engine cannot do it (the
        scanner then uses :meth:`worker` threads)."""
        ...

    def alive(self) -> bool: ...

    def describe(self) -> dict[str, Any]: ...

    def identity(self) -> str:
        """What the proof cache is keyed on: engine, version, signatures, configuration."""
        ...

    def close(self) -> None: ...
