"""Match installed software names against the shipped families (pure)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

# libyaml's C parser when present (10x faster: the audit reads its YAML at every run)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SOFTWARE_FILE = Path(__file__).parent / "data" / "software.yaml"
CATEGORIES = ("password_managers", "personal_apps", "antivirus")


@functools.cache
def _families() -> dict[str, tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]]:
    with SOFTWARE_FILE.open(encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    out = {}
    for cat in CATEGORIES:
        fams = []
        for fam in raw[cat]:
            pats = tuple(
                re.compile(r"(?<![a-z0-9])" + re.escape(str(tok).lower()) + r"(?![a-z0-9])")
                for tok in fam["match"]
            )
            fams.append((str(fam["name"]), pats))
        out[cat] = tuple(fams)
    return out


def match_software(installed: Iterable[str], category: str) -> list[str]:
    """Family names of ``category`` found among ``installed`` names (sorted, unique)."""
    # One search per pattern over all names joined by newlines (a non-alphanumeric
    # separator, so the word boundaries stay those of each name): hundreds of package
    # names are matched in a few milliseconds.
    text = "\n".join(n.lower().replace("\n", " ") for n in installed if n)
    found = set()
    for fam_name, pats in _families()[category]:
        if any(p.search(text) for p in pats):
            found.add(fam_name)
    return sorted(found)
