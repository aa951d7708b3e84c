"""Entry point of the packaged hygie (PyInstaller): the bundled restic comes first on PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _bundled_tools_first() -> None:
    if getattr(sys, "frozen", False):
        here = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
        tools = here / "tools"
        if tools.is_dir():
            os.environ["PATH"] = str(tools) + os.pathsep + os.environ.get("PATH", "")


if __name__ == "__main__":
    _bundled_tools_first()
    from hygie.cli.app import main

    main()
