"""Prove the engine before trusting it: a battery of canaries built in memory.

Nothing malicious is ever stored: the canaries are assembled at run time around the EICAR
test string. Each is judged exactly as a file would be (:mod:`hygie.media.judge`: hygie's
own checks, then the engine), and for an engine whose alerts can be switched on in its
configuration (ClamAV) the engine's *own* answer is checked too, because hygie can only look
inside the containers it knows (:mod:`hygie.media.containers`) — for the rest the engine's
alerts are the guard:

=====================  ==========================================  ===========================
canary                 must be                                     clamd.conf that fixes it
=====================  ==========================================  ===========================
``eicar``              detected                                    signatures (freshclam)
``encrypted_zip``      not clean; ClamAV itself alerts             ``AlertEncrypted yes``
``nested_too_deep``    not clean; ClamAV itself alerts             ``AlertExceedsMax yes``
``nested_trusted``     detected (the engine descends that deep)    ``MaxRecursion N``
``big_member_tail``    not clean                                   (hygie's own check)
``size_at_limit``      read to the end (no limit alert), ClamAV    ``MaxFileSize``,
                                                                   ``StreamMaxLength``
=====================  ==========================================  ===========================

An engine that calls any canary clean is refused (:class:`~hygie.media.errors.EngineNotProven`)
with a French explanation and the lines that fix it. The two expensive canaries (a member
inflating past the limit, a file as large as the limit) are cached per engine identity
(version, signatures, configuration, limits) for :data:`CACHE_DAYS` days; the cheap ones run
at every start.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import json
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.media.engines import Limits, ScanEngine
from hygie.media.judge import HEAD, combine, judge_fd, precheck
from hygie.media.verdicts import EngineAnswer, Reason, Verdict

MB = 1024 * 1024
CANARY_VERSION = 1
CACHE_DAYS = 7


def eicar_bytes() -> bytes:
    """The EICAR test string, assembled at run time so that no file of hygie holds it."""
    parts = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}", "$EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*")
    return "".join(parts).encode("ascii")


# -- building zips by hand (encrypted members, members of hundreds of MiB in kilobytes) -----
@dataclass(frozen=True)
class RawMember:
    """A zip member given by its stored bytes (already compressed and/or encrypted)."""

    name: str
    data: bytes  # what is stored after the local header
    crc: int
    size: int  # uncompressed size
    method: int = 8  # 0 stored, 8 deflate
    flags: int = 0


def deflated(data: bytes) -> RawMember:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return RawMember("", c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def zeros_then(n_zeros: int, tail: bytes) -> RawMember:
    """``n_zeros`` zero bytes then ``tail``, deflated in O(1) memory and time.

    A block of 1 MiB of zeros is compressed once and ended by a full flush (no reference to
    what came before), so it can be repeated; the tail is a final block of its own.
    """
    block_len = MB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(block_len)) + c.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(n_zeros, block_len)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = last.compress(bytes(rest) + tail) + last.flush()
    crc = 0
    zero_block = bytes(block_len)
    for _ in range(full):
        crc = zlib.crc32(zero_block, crc)
    crc = zlib.crc32(bytes(rest) + tail, crc)
    return RawMember("", block * full + end, crc, n_zeros + len(tail))


class _ZipCrypto:
    """PKWARE "traditional" encryption (APPNOTE.TXT 6.1), only to build the canary."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for b in password:
            self._update(b)

    @staticmethod
    def _crc(crc: int, b: int) -> int:
        return zlib.crc32(bytes([b]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def _update(self, b: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, b)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for p in data:
            t = (self.keys[2] | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._update(p)
        return bytes(out)


def encrypted(member: RawMember, password: bytes) -> RawMember:
    # The 11 "random" bytes are derived from the content: the canary is the same at every
    # start (a recorded engine answer can be matched to it; nothing secret is protected).
    seed = hashlib.sha256(password + member.data).digest()[:11]
    header = seed + bytes([(member.crc >> 24) & 0xFF])
    data = _ZipCrypto(password).encrypt(header + member.data)
    return RawMember(member.name, data, member.crc, member.size, member.method, member.flags | 1)


def build_zip(members: Sequence[RawMember]) -> bytes:
    """A zip file holding ``members`` as given (no zip64: members below 4 GiB)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m.name.encode("utf-8")
        flags = m.flags | 0x800
        fields = (20, flags, m.method, 0, 0x21, m.crc, len(m.data), m.size, len(name), 0)
        offset = len(out)
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields) + name + m.data
        central += (
            b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, offset) + name
        )
    eocd = struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + b"PK\x05\x06" + eocd)


def named(member: RawMember, name: str) -> RawMember:
    return RawMember(name, member.data, member.crc, member.size, member.method, member.flags)


def nested_zip(data: bytes, depth: int, name: str = "eicar.com") -> bytes:
    """``data`` zipped ``depth`` times (each layer a zip of the previous one)."""
    for i in range(depth):
        data = build_zip([named(deflated(data), name)])
        name = f"couche{i + 1}.zip"
    return data


def office_document(member_name: str, member: RawMember) -> bytes:
    """A minimal OOXML document (``[Content_Types].xml``, ``word/document.xml``) plus one
    member (a picture under ``word/media/`` in the tests)."""
    types = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    doc = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    return build_zip(
        [
            named(deflated(types), "[Content_Types].xml"),
            named(deflated(doc), "word/document.xml"),
            named(member, member_name),
        ]
    )


# -- the battery ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Canary:
    name: str
    must: str  # "detect": a real detection; "not_clean": anything but clean; "read": clean
    what_fr: str
    fix: tuple[str, ...]
    engine_alerts: bool = False  # an engine with configurable alerts must not answer clean
    expensive: bool = False
    sparse_size: int = 0  # > 0: a file of this many zero bytes (built on disk, sparse)
    make: Callable[[], bytes] | None = None  # builds the content, only when it is run

    @functools.cached_property
    def data(self) -> bytes:
        return self.make() if self.make is not None else b""


def battery(limits: Limits) -> list[Canary]:
    e = eicar_bytes()
    over = limits.max_file_size + MB
    trusted = limits.trusted_depth
    return [
        Canary(
            "eicar",
            "detect",
            "le fichier de test EICAR",
            ("# mettez à jour les signatures : freshclam",),
            make=lambda: e,
        ),
        Canary(
            "encrypted_zip",
            "not_clean",
            "EICAR dans un zip chiffré (mot de passe)",
            ("AlertEncrypted yes",),
            engine_alerts=True,
            make=lambda: build_zip([named(encrypted(deflated(e), b"hygie"), "eicar.com")]),
        ),
        Canary(
            "nested_too_deep",
            "not_clean",
            f"EICAR dans {limits.max_recursion + 1} zips emboîtés (plus que MaxRecursion)",
            ("AlertExceedsMax yes", f"MaxRecursion {limits.max_recursion}"),
            engine_alerts=True,
            make=lambda: nested_zip(e, limits.max_recursion + 1),
        ),
        Canary(
            "nested_trusted",
            "detect",
            f"EICAR dans {trusted} zips emboîtés",
            (f"MaxRecursion {limits.max_recursion}",),
            make=lambda: nested_zip(e, trusted),
        ),
        Canary(
            "big_member_tail",
            "not_clean",
            f"EICAR à la fin d'un membre d'archive de {over // MB} Mo (au-delà de MaxFileSize)",
            (f"MaxFileSize {limits.max_file_size}",),
            expensive=True,
            make=lambda: build_zip([named(zeros_then(over, e), "word/media/image1.png")]),
        ),
        Canary(
            "size_at_limit",
            "read",
            f"un fichier de {limits.max_file_size // MB} Mo lu jusqu'au bout",
            (
                f"MaxFileSize {limits.max_file_size}",
                f"StreamMaxLength {limits.stream_max_length}",
                f"MaxScanSize {limits.max_scan_size}",
            ),
            engine_alerts=True,
            expensive=True,
            sparse_size=limits.max_file_size,
        ),
    ]


@dataclass(frozen=True)
class CanaryResult:
    name: str
    must: str
    engine: str  # what the engine alone answered ("FOUND sig", "OK", "not_scanned: …")
    verdict: str  # the verdict a file like it gets
    ok: bool
    cached: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "canary": self.name,
            "must": self.must,
            "engine": self.engine,
            "verdict": self.verdict,
            "ok": self.ok,
            "cached": self.cached,
        }


def _describe(a: EngineAnswer) -> str:
    if a.verdict is Verdict.INFECTED:
        return f"FOUND {a.signature}"
    if a.verdict is Verdict.CLEAN:
        return "OK"
    return f"not_scanned: {a.reason.value if a.reason else '?'} ({a.signature or a.detail})"


def _passes(c: Canary, raw: EngineAnswer, final: EngineAnswer, alerts: bool) -> bool:
    if c.must == "detect":
        return final.verdict is Verdict.INFECTED and not final.signature.startswith("Heuristics.")
    if c.must == "not_clean":
        if final.verdict is Verdict.CLEAN:
            return False
        return not (alerts and c.engine_alerts and raw.verdict is Verdict.CLEAN)
    # "read": the engine reads a file as large as hygie trusts it with, to the end.
    if not alerts:
        return True
    return raw.verdict is Verdict.CLEAN


def _run_one(engine: ScanEngine, c: Canary, scratch: Path) -> CanaryResult:
    if c.sparse_size:
        try:
            fd, path = _sparse_file(scratch, c.sparse_size)
        except OSError as exc:  # no room for it here: not proven, so not trusted
            why = f"not run: {exc.strerror or type(exc).__name__}"
            return CanaryResult(c.name, c.must, why, Verdict.NOT_SCANNED.value, False)
        try:
            raw = engine.scan_fd(fd, path, c.sparse_size)
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(path)
        final = raw
    else:
        raw = engine.scan_bytes(c.data)
        reason, detail = precheck(io.BytesIO(c.data), len(c.data), c.data[:HEAD], engine.limits)
        final = combine(raw, reason, detail)
    ok = _passes(c, raw, final, engine.configurable_alerts)
    return CanaryResult(c.name, c.must, _describe(raw), final.verdict.value, ok)


def _sparse_file(folder: Path, size: int) -> tuple[int, str]:
    """A file of ``size`` zero bytes that takes no room (sparse where the disk allows it)."""
    fd, path = tempfile.mkstemp(prefix="canary-", suffix=".bin", dir=folder)
    os.ftruncate(fd, size)
    return fd, path


# -- the proof and its cache ---------------------------------------------------------------
def proof_key(engine: ScanEngine) -> str:
    raw = json.dumps(
        [CANARY_VERSION, engine.kind, engine.identity(), engine.limits.to_dict()], sort_keys=True
    )
    return hashlib.sha256(raw.encode()).hexdigest()


class ProofCache:
    """Which engine identities passed the expensive canaries, and when (a small JSON file)."""

    def __init__(self, path: Path, now: Callable[[], dt.datetime] | None = None) -> None:
        self.path = path
        self.now = now or (lambda: dt.datetime.now(dt.UTC))

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def fresh(self, key: str) -> bool:
        entry = self._load().get(key)
        if not isinstance(entry, dict):
            return False
        try:
            at = dt.datetime.fromisoformat(str(entry.get("proved_at")))
        except ValueError:
            return False
        return dt.timedelta(0) <= self.now() - at <= dt.timedelta(days=CACHE_DAYS)

    def remember(self, key: str) -> None:
        from hygie.fileio import private_dir, write_text_atomic

        data = {k: v for k, v in self._load().items() if isinstance(v, dict) and k != key}
        data[key] = {"proved_at": self.now().isoformat(timespec="seconds")}
        private_dir(self.path.parent)
        with contextlib.suppress(OSError):
            write_text_atomic(self.path, json.dumps(data, indent=1, sort_keys=True))


def default_cache() -> ProofCache:
    from hygie.paths import get_paths

    return ProofCache(get_paths().data_dir / "media" / "engine-proofs.json")


def prove(
    engine: ScanEngine, cache: ProofCache | None = None, scratch: Path | None = None
) -> tuple[CanaryResult, ...]:
    """Run the battery; raise :class:`EngineNotProven` when any canary fails."""
    from hygie.fileio import private_dir
    from hygie.media.errors import EngineNotProven, EngineSelfTestFailed

    cache = cache or default_cache()
    key = proof_key(engine)
    cached = cache.fresh(key)
    results: list[CanaryResult] = []
    folder = private_dir(scratch or cache.path.parent / "canaries")
    for c in battery(engine.limits):
        if c.must == "read" and not engine.configurable_alerts:
            continue  # only an engine that alerts on its limits can show it read to the end
        if c.expensive and cached:
            results.append(CanaryResult(c.name, c.must, "", "", True, cached=True))
            continue
        result = _run_one(engine, c, folder)
        if c.name == "eicar" and not result.ok:
            # Nothing is detected at all: the signatures did not load. Stop here.
            raise EngineSelfTestFailed(detail=result.engine)
        results.append(result)
    failed = [r for r in results if not r.ok]
    if failed:
        by_name = {c.name: c for c in battery(engine.limits)}
        what = "; ".join(f"{by_name[r.name].what_fr} → {r.engine}" for r in failed)
        fix = sorted({line for r in failed for line in by_name[r.name].fix})
        raise EngineNotProven(
            detail=what,
            fix=fix_text(engine, fix),
            proof=[r.to_dict() for r in results],
            lines=fix if engine.configurable_alerts else [],
        )
    if not cached:
        cache.remember(key)
    return tuple(results)


def fix_text(engine: ScanEngine, lines: Sequence[str]) -> str:
    """The next step, in French: clamd.conf lines for ClamAV, another engine otherwise."""
    from hygie.i18n import _

    if engine.configurable_alerts:
        return _(
            "Ajoutez ces lignes au fichier clamd.conf du moteur, redémarrez clamd puis "
            "relancez :\n{lines}\nOu laissez hygie démarrer son propre moteur (sans --clamd)."
        ).format(lines="\n".join(lines))
    return _(
        "Mettez à jour Microsoft Defender (Sécurité Windows > Protection contre les virus > "
        "Rechercher des mises à jour) puis relancez, ou choisissez ClamAV avec --engine clamav."
    )


def judge_open_file(engine: ScanEngine, fd: int, path: str, size: int, head: bytes) -> EngineAnswer:
    """A verdict for one open file with the engine's one-shot scan (tests, watch)."""
    return judge_fd(engine.scan_fd, fd, path, size, head, engine.limits)


__all__ = [
    "Canary",
    "CanaryResult",
    "ProofCache",
    "RawMember",
    "Reason",
    "battery",
    "build_zip",
    "deflated",
    "eicar_bytes",
    "encrypted",
    "named",
    "nested_zip",
    "office_document",
    "prove",
    "zeros_then",
]
