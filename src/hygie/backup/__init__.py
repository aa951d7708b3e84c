"""hygie backup: encrypted, restore-tested backups with restic (issues #3, #14).

This module is the capability's public surface: fronts (CLI, dashboard) and other
capabilities (incident kit, audit) import from here and nothing else of the package
(``tests/unit/backup/test_backup_api.py`` enforces it). The rooms behind it:

* :mod:`.kinds` — the destination-kind table (label, parse, identity, endpoint, credentials);
* :mod:`.configure` — set-up (names destinations, stores their secrets, recovery sheet);
* :mod:`.backing_up`, :mod:`.verifying`, :mod:`.repairing`, :mod:`.restoring`,
  :mod:`.overview` (status);
* :mod:`.recovery` — :class:`RecoveryInfo`, what the incident kit prints;
* :mod:`.lock` (one operation per destination), :mod:`.children` (restic dies with hygie),
  :mod:`.winpaths` (restic's ``/C/…`` paths), :mod:`.packs` (repository files' integrity).
"""

from __future__ import annotations

from hygie.backup.backing_up import destination_volume, eject, run
from hygie.backup.children import install_stop_handlers
from hygie.backup.configure import SetupResult, set_password, setup
from hygie.backup.destinations import Destination, block_devices
from hygie.backup.errors import (
    BackupBusy,
    BackupError,
    BackupInterrupted,
    ExistingRepositoryPassword,
    NotConfigured,
    RepairFailed,
    RepositoryCorrupted,
    RepositoryDamaged,
    RestoreConflict,
    VerifyFailed,
)
from hygie.backup.hds import hds_list
from hygie.backup.kinds import KINDS, CredentialField, DestinationKind, kind_of, parse_destination
from hygie.backup.overview import DestinationStatus, StatusResult, status
from hygie.backup.recovery import RecoveryDestination, RecoveryInfo, recovery_info
from hygie.backup.repairing import RepairResult, repair
from hygie.backup.repo import (
    DEFAULT_SAMPLE,
    BatchResult,
    DestinationOutcome,
    ProgressFn,
    password_secret,
)
from hygie.backup.restoring import RestoreResult, restore
from hygie.backup.schedule import ScheduleResult
from hygie.backup.schedule import generate as generate_schedule
from hygie.backup.sheet import render_sheet
from hygie.backup.state import BackupConfig, Damage, RunRecord, last_run, load_config
from hygie.backup.verifying import verify

__all__ = [
    "DEFAULT_SAMPLE",
    "KINDS",
    "BackupBusy",
    "BackupConfig",
    "BackupError",
    "BackupInterrupted",
    "BatchResult",
    "CredentialField",
    "Damage",
    "Destination",
    "DestinationKind",
    "DestinationOutcome",
    "DestinationStatus",
    "ExistingRepositoryPassword",
    "NotConfigured",
    "ProgressFn",
    "RecoveryDestination",
    "RecoveryInfo",
    "RepairFailed",
    "RepairResult",
    "RepositoryCorrupted",
    "RepositoryDamaged",
    "RestoreConflict",
    "RestoreResult",
    "RunRecord",
    "ScheduleResult",
    "SetupResult",
    "StatusResult",
    "VerifyFailed",
    "block_devices",
    "destination_volume",
    "eject",
    "generate_schedule",
    "hds_list",
    "install_stop_handlers",
    "kind_of",
    "last_run",
    "load_config",
    "parse_destination",
    "password_secret",
    "recovery_info",
    "render_sheet",
    "repair",
    "restore",
    "run",
    "set_password",
    "setup",
    "status",
    "verify",
]
