"""Where hygie keeps its files.

By default the platform's folders (platformdirs). ``HYGIE_HOME`` moves everything into one
folder: ``$HYGIE_HOME/config``, ``$HYGIE_HOME/data``, ``$HYGIE_HOME/cache``,
``$HYGIE_HOME/log``. Tests set it to ``tmp_path``; portable installs and several practices on
one machine use it too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "hygie"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def store_file(self) -> Path:
        return self.data_dir / "hygie.sqlite3"

    def ensure(self) -> Paths:
        from hygie.fileio import private_dir

        for d in (self.config_dir, self.data_dir, self.cache_dir):
            private_dir(d)
        return self


def get_paths() -> Paths:
    home = os.environ.get("HYGIE_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Paths(root / "config", root / "data", root / "cache", root / "log")
    return Paths(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
