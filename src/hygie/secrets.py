"""Secrets (backup passwords, relay credentials) in the OS keyring.

When no usable OS keyring exists (headless Linux, CI), secrets go to a clearly named
fallback: one 0600 file per secret under ``<data>/secrets/`` (folder 0700). The audit and
``describe_backend()`` say so. Secrets never go in the config file, on a command line or in
a log. ``HYGIE_KEYRING=file`` forces the fallback (tests, portable installs).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from hygie.fileio import private_dir
from hygie.paths import get_paths

SERVICE = "hygie"
FALLBACK_NAME = "fichier protégé (0600) dans le dossier de données de hygie"


def _fallback_dir() -> Path:
    d = private_dir(get_paths().data_dir / "secrets")
    d.chmod(0o700)
    return d


def _fallback_path(name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return _fallback_dir() / safe


def _os_keyring_usable() -> bool:
    if os.environ.get("HYGIE_KEYRING", "").lower() == "file":
        return False
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
        if isinstance(kr, fail.Keyring):
            return False
        name = type(kr).__module__ + "." + type(kr).__name__
        return "chainer" not in name.lower() or bool(getattr(kr, "backends", []))
    except Exception:
        return False


def backend_name() -> str:
    """Where secrets are kept, for the audit and the recovery sheet."""
    if _os_keyring_usable():
        import keyring

        return f"keyring:{type(keyring.get_keyring()).__name__}"
    return "file"


def set_secret(name: str, value: str) -> str:
    """Store a secret; returns the backend used ("keyring:..." or "file")."""
    if _os_keyring_usable():
        import keyring

        try:
            keyring.set_password(SERVICE, name, value)
            return backend_name()
        except Exception:
            pass
    path = _fallback_path(name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value)
    path.chmod(0o600)
    return "file"


def get_secret(name: str) -> str | None:
    if _os_keyring_usable():
        import keyring

        try:
            value = keyring.get_password(SERVICE, name)
            if value is not None:
                return str(value)
        except Exception:
            pass
    path = _fallback_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def delete_secret(name: str) -> None:
    if _os_keyring_usable():
        import keyring

        with contextlib.suppress(Exception):
            keyring.delete_password(SERVICE, name)
    _fallback_path(name).unlink(missing_ok=True)
