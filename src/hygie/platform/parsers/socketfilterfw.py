"""``/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate`` (pure)."""

from __future__ import annotations

import re

_STATE = re.compile(r"\(State = (\d+)\)")


def parse_global_state(text: str) -> bool | None:
    """State 1 (on) and 2 (block all incoming) are on; 0 is off."""
    m = _STATE.search(text)
    if m:
        return int(m.group(1)) >= 1
    t = text.lower()
    if "firewall is enabled" in t or "blocking all" in t:
        return True
    if "firewall is disabled" in t:
        return False
    return None
