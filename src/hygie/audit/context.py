"""What a provider or a check may look at: platform, folders, clock, store, config.

Probes read files through :meth:`ProbeContext.fs` (relative to ``root``) and the user's
folder through ``home``, so that tests point them at a tree in ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hygie.paths import Paths, get_paths
from hygie.platform import PlatformName, current, system

if TYPE_CHECKING:
    from hygie.store import Store


def _daily_user() -> str:
    """The person using this computer (the sudo caller when run through sudo)."""
    return system().daily_user()


def _daily_home() -> Path:
    """That person's home folder (the sudo caller's, not root's, when run through sudo)."""
    return system().daily_home()


@dataclass
class ProbeContext:
    platform: PlatformName = field(default_factory=current)
    paths: Paths = field(default_factory=get_paths)
    root: Path = Path("/")
    home: Path = field(default_factory=_daily_home)
    user: str = field(default_factory=_daily_user)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    config: dict[str, Any] = field(default_factory=dict)
    store: Store | None = None

    def fs(self, path: str | Path) -> Path:
        """An absolute system path seen through ``root`` (``/etc/x`` -> ``root/etc/x``)."""
        p = Path(path)
        if self.root == Path("/"):
            return p
        return self.root / p.relative_to(p.anchor)
