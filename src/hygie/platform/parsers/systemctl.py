"""systemd: ``systemctl is-active`` / ``is-enabled`` answers (pure)."""

from __future__ import annotations

NO_SYSTEMD_MARKERS = (
    "System has not been booted with systemd",
    "Failed to connect to bus",
    "Failed to connect to system scope bus",
)


def systemd_unavailable(stderr: str) -> bool:
    """True when systemctl could not talk to systemd (container, chroot, other init)."""
    return any(m in stderr for m in NO_SYSTEMD_MARKERS)


def parse_unit_states(stdout: str, units: list[str]) -> dict[str, str]:
    """``systemctl is-active a b c`` prints one state per unit, in order."""
    states = [s.strip() for s in stdout.splitlines() if s.strip()]
    return dict(zip(units, states, strict=False))


def is_active(state: str | None) -> bool:
    return state in ("active", "reloading", "activating")


def is_enabled(state: str | None) -> bool:
    return state in ("enabled", "enabled-runtime", "static", "alias", "indirect", "generated")
