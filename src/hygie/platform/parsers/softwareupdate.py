"""``softwareupdate -l`` and ``defaults read /Library/Preferences/com.apple.SoftwareUpdate``
(pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIELD = re.compile(r"(\w[\w ]*?):\s*([^,]*)")


@dataclass(frozen=True)
class MacUpdate:
    label: str
    title: str
    recommended: bool
    restart: bool

    @property
    def security(self) -> bool:
        """macOS itself, Safari, security responses and anything needing a restart."""
        t = f"{self.label} {self.title}".lower()
        return (
            self.restart
            or "security" in t
            or "macos" in t
            or "safari" in t
            or "xprotect" in t
            or "rapid" in t
        )


@dataclass(frozen=True)
class MacPending:
    updates: tuple[MacUpdate, ...]

    @property
    def total(self) -> int:
        return len(self.updates)

    @property
    def security(self) -> int:
        return sum(1 for u in self.updates if u.security)


def parse_softwareupdate_list(text: str) -> MacPending | None:
    """Pending updates; an empty list for ``No new software available.``; None if neither."""
    updates: list[MacUpdate] = []
    label = ""
    saw_header = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("* Label:") or line.startswith("*"):
            label = line.split(":", 1)[1].strip() if ":" in line else line.lstrip("* ").strip()
            saw_header = True
            continue
        if line.startswith("Title:") and label:
            fields = {k.strip().lower(): v.strip() for k, v in _FIELD.findall(line)}
            updates.append(
                MacUpdate(
                    label=label,
                    title=fields.get("title", ""),
                    recommended=fields.get("recommended", "").upper() == "YES",
                    restart=fields.get("action", "").lower() == "restart",
                )
            )
            label = ""
    if updates:
        return MacPending(tuple(updates))
    if "no new software available" in text.lower() or saw_header:
        return MacPending(())
    return None


_PAIR = re.compile(r'^\s*"?([A-Za-z0-9_.-]+)"?\s*=\s*"?(.*?)"?;\s*$')


def parse_defaults_dict(text: str) -> dict[str, str]:
    """Top-level ``Key = value;`` pairs of ``defaults read DOMAIN`` (nested values skipped)."""
    out: dict[str, str] = {}
    depth = 0
    for line in text.splitlines():
        if depth == 1 and (m := _PAIR.match(line)):
            out[m.group(1)] = m.group(2)
        depth += line.count("{") + line.count("(") - line.count("}") - line.count(")")
    return out


def automatic_updates(values: dict[str, str]) -> bool:
    """macOS installs its own updates: ``AutomaticallyInstallMacOSUpdates = 1`` and security
    responses not turned off (``CriticalUpdateInstall``, on when absent)."""
    return (
        values.get("AutomaticallyInstallMacOSUpdates") == "1"
        and values.get("CriticalUpdateInstall", "1") != "0"
    )
