"""Which files of ``src/hygie`` the packaged application carries besides Python modules.

The same globs as ``[tool.setuptools.package-data]`` in pyproject.toml (read from there), so
the wheel and the bundle hold the same templates, catalogue, translations and schemas. Used
by hygie.spec and by tests/unit/packaging (which checks nothing in the tree is left out).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "hygie"


def package_data_globs() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data["tool"]["setuptools"]["package-data"]["hygie"])


def package_data_files() -> list[Path]:
    found: set[Path] = set()
    for pattern in package_data_globs():
        found.update(p for p in PACKAGE.glob(pattern) if p.is_file())
    return sorted(p for p in found if "__pycache__" not in p.parts)


def pyinstaller_datas() -> list[tuple[str, str]]:
    """(source file, folder inside the bundle) pairs, as PyInstaller's ``datas`` wants them."""
    return [
        (str(p), str(Path("hygie") / p.parent.relative_to(PACKAGE))) for p in package_data_files()
    ]
