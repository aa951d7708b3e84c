"""``reg query KEY [/v NAME]`` output (pure)."""

from __future__ import annotations

from hygie.platform.parsers._text import norm

REG_TYPES = (
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_DWORD",
    "REG_QWORD",
    "REG_MULTI_SZ",
    "REG_BINARY",
    "REG_NONE",
)


def parse_reg_query(text: str) -> dict[str, str | int]:
    """Values under the queried key: name -> str, or int for DWORD/QWORD (``0x1`` -> 1).

    Value names are lower-cased (the registry is case-insensitive). Sub-key lines
    (``HKEY_...``) are skipped: only the values of the key itself are returned.
    """
    out: dict[str, str | int] = {}
    in_first_key = False
    for line in text.splitlines():
        if line.startswith("HKEY_"):
            if in_first_key:
                break
            in_first_key = True
            continue
        if not line.startswith(" "):
            continue
        parts = line.strip().split(None, 2)
        if len(parts) < 2 or parts[1] not in REG_TYPES:
            continue
        name, rtype = parts[0], parts[1]
        raw = parts[2] if len(parts) > 2 else ""
        if rtype in ("REG_DWORD", "REG_QWORD"):
            try:
                out[name.lower()] = int(raw, 16)
            except ValueError:
                continue
        else:
            out[name.lower()] = raw
    return out


def is_not_found(text: str) -> bool:
    """The "key or value not found" error (EN/FR): the setting is simply not configured."""
    n = norm(text)
    return (
        "unable to find the specified registry key or value" in n
        or "n'a pas trouve la cle ou la valeur de registre specifiee" in n
        or "impossible de trouver la cle ou la valeur de registre specifiee" in n
    )
