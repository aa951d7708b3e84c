"""Is a mail domain a free / consumer webmail? (shipped list in hygie/data/webmail.yaml)

Core, not ``hygie.mail``: the OS probes (platform.parsers.thunderbird) read it too, and core
never imports a capability. ``hygie.mail.webmail`` re-exports it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

# libyaml's C parser when present (10x faster: the audit reads its YAML at every run)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

WEBMAIL_FILE = Path(__file__).resolve().parent / "data" / "webmail.yaml"


@functools.cache
def webmail_domains() -> frozenset[str]:
    with WEBMAIL_FILE.open(encoding="utf-8") as fh:
        return frozenset(str(d).lower() for d in yaml.load(fh, Loader=_YAML_LOADER)["domains"])


def is_webmail_domain(domain: str) -> bool:
    """True for a listed domain or a sub-domain of one (``smtp.gmail.com``)."""
    d = domain.strip().lower().rstrip(".")
    try:
        d = d.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    parts = d.split(".")
    listed = webmail_domains()
    return any(".".join(parts[i:]) in listed for i in range(len(parts) - 1))
