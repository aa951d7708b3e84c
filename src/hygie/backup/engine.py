"""Former home of the whole backup regime, split into rooms (issue #15): kept only so that a
branch written against it still runs. New code imports :mod:`hygie.backup` (its public
surface); this module goes once every front does (the lead removes it at merge time)."""

from __future__ import annotations

from hygie.backup import (
    BackupError,
    BatchResult,
    DestinationOutcome,
    eject,
    password_secret,
    restore,
    run,
    set_password,
    setup,
    status,
    verify,
)
from hygie.backup.repo import s3_secret

__all__ = [
    "BackupError",
    "BatchResult",
    "DestinationOutcome",
    "eject",
    "password_secret",
    "restore",
    "run",
    "s3_secret",
    "set_password",
    "setup",
    "status",
    "verify",
]
