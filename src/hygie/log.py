"""hygie's log file: every probe error and every uncaught error, with its traceback.

The file is ``hygie.log`` in the platform's log folder (platformdirs), or ``$HYGIE_HOME/log``;
it rotates at 1 MB (three old files kept). ``hygie --debug`` also prints the records on stderr.
Before a record is written, every run of eleven or more digits (a social-security number, a
patient number in a file name or in an error message) is masked to its first and last two
digits, as everywhere else in hygie (DESIGN.md, privacy rules).

Code logs through ``logging.getLogger("hygie.<area>")``; :func:`setup` attaches the file once
per process (the CLI's entry point and the dashboard call it).
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

ROOT = "hygie"
FILE_NAME = "hygie.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_lock = threading.Lock()


def mask_identifiers(text: str) -> str:
    """Mask digit runs that may be identifiers (first and last two digits kept): the one
    masker's rule, :func:`hygie.masking.mask_digit_runs` (core: no recognizer is loaded)."""
    from hygie.masking import mask_digit_runs

    return mask_digit_runs(text)


class MaskingFormatter(logging.Formatter):
    """Formats the record and its traceback, then masks identifier-like digit runs."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        stamp = self.formatTime(record, self.datefmt)
        if text.startswith(stamp):  # the time stamp is not an identifier
            return stamp + mask_identifiers(text[len(stamp) :])
        return mask_identifiers(text)


def log_path() -> Path:
    from hygie.paths import get_paths

    return get_paths().log_dir / FILE_NAME


def _ours(h: logging.Handler) -> bool:
    return bool(getattr(h, "_hygie", False))


def setup(*, debug: bool = False) -> Path | None:
    """Attach the log file (and stderr with ``debug``) to the ``hygie`` logger; returns the
    file's path, or None when the log folder cannot be written (the run goes on)."""
    from hygie.fileio import private_dir

    logger = logging.getLogger(ROOT)
    path = log_path()
    with _lock:
        for h in [h for h in logger.handlers if _ours(h)]:
            logger.removeHandler(h)
            h.close()
        logger.setLevel(logging.DEBUG if debug else logging.INFO)
        fmt = MaskingFormatter(_FORMAT)
        written: Path | None = path
        try:
            private_dir(path.parent)
            fh = logging.handlers.RotatingFileHandler(
                path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
            )
            fh.setFormatter(fmt)
            fh.setLevel(logging.INFO)
            fh._hygie = True  # type: ignore[attr-defined]
            logger.addHandler(fh)
        except OSError:
            written = None
        if debug:
            sh = logging.StreamHandler()
            sh.setFormatter(fmt)
            sh.setLevel(logging.DEBUG)
            sh._hygie = True  # type: ignore[attr-defined]
            logger.addHandler(sh)
    return written


def teardown() -> None:
    """Detach what :func:`setup` attached (tests, a second CLI call in one process)."""
    logger = logging.getLogger(ROOT)
    with _lock:
        for h in [h for h in logger.handlers if _ours(h)]:
            logger.removeHandler(h)
            h.close()
