"""The relay's adapter to the scanner (to be replaced by ``hygie.scan``'s typed API)."""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hygie.i18n import N_, _


class _Finding(Protocol):
    type: str


class _ScanResult(Protocol):
    status: str
    findings: Sequence[Any]


Scanner = Callable[..., Any]


def default_scanner() -> Scanner | None:
    try:
        engine = importlib.import_module("hygie.scan.engine")
    except ImportError:
        return None
    fn: Scanner = engine.scan_email
    return fn


class ProcessScanner:
    """Runs a (picklable, module-level) scanner in worker processes, off the relay's GIL.

    A worker that dies breaks the pool: that message is refused (fail closed) and the next
    one gets a new pool.
    """

    def __init__(self, fn: Scanner, workers: int) -> None:
        self.fn = fn
        self.workers = workers
        self._lock = threading.Lock()
        self._executor: Any = None

    def _pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def warm(self) -> None:
        """Start the workers now (imports take a moment), not on the first message."""
        futures = [self._pool().submit(self.fn, b"", timeout_s=30.0) for _ in range(self.workers)]
        for f in futures:
            with contextlib.suppress(Exception):
                f.result(timeout=60)

    def __call__(self, raw: bytes, *, timeout_s: float) -> Any:
        from concurrent.futures.process import BrokenProcessPool

        pool = self._pool()
        try:
            return pool.submit(self.fn, raw, timeout_s=timeout_s).result(timeout=timeout_s + 5.0)
        except BrokenProcessPool:
            with self._lock:
                if self._executor is pool:
                    self._executor = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        with self._lock:
            ex, self._executor = self._executor, None
        if ex is not None:
            ex.shutdown(wait=False, cancel_futures=True)


TYPE_LABELS_FR: dict[str, str] = {
    "FR_NIR": N_("numéro de sécurité sociale (NIR/INS)"),
    "FR_NIA": N_("numéro d'inscription provisoire (NIA)"),
    "FR_INS": N_("matricule INS"),
    "MSSANTE_PATIENT": N_("adresse MSSanté de patient"),
    "MSSANTE_PATIENT_ADDRESS": N_("adresse MSSanté de patient"),
    "BIRTH_DATE": N_("date de naissance"),
    "PATIENT_NAME": N_("nom de patient"),
    "HEALTH_TERMS": N_("vocabulaire médical"),
    "HEALTH_VOCABULARY": N_("vocabulaire médical"),
    "FR_RPPS": N_("numéro RPPS"),
    "FR_ADELI": N_("numéro ADELI"),
    "FR_FINESS": N_("numéro FINESS"),
}


def type_label(t: str) -> str:
    """The French label of a finding type (the scanner's registry, else our own table)."""
    try:
        registry = importlib.import_module("hygie.identifiers.registry")
        label = str(registry.label_of(t))
        if label and label != t:
            return label
    except (ImportError, AttributeError):
        pass
    own = TYPE_LABELS_FR.get(t.upper())
    return _(own) if own else t


def finding_part(f: Any) -> str:
    for attr in ("context_part", "part", "part_name"):
        v = getattr(f, attr, None)
        if isinstance(v, str) and v:
            return v
    loc = getattr(f, "location", None)
    for attr in ("part", "part_name"):
        v = getattr(loc, attr, None)
        if isinstance(v, str) and v:
            return v
    return _("corps du message")
