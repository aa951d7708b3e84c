"""Thunderbird profiles: ``profiles.ini`` and ``prefs.js`` (pure, every OS).

Only mail DOMAINS come out of here, never addresses: hygie reports "2 accounts at
gmail.com", not who they belong to.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path, PurePath

from hygie.webmail import is_webmail_domain, webmail_domains

_PREF = re.compile(
    r"""^\s*user_pref\(\s*"(?P<key>(?:[^"\\]|\\.)*)"\s*,\s*(?P<value>"(?:[^"\\]|\\.)*"|[^)]*?)\s*\)\s*;"""
)


def thunderbird_profile_dirs(profiles_ini_text: str, base_dir: Path) -> list[Path]:
    """Profile folders listed in ``profiles.ini`` (``[ProfileN]`` sections, ``Path=`` relative
    to ``base_dir`` when ``IsRelative=1``; ``[Install...]`` ``Default=`` too). No I/O."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        cp.read_string(profiles_ini_text)
    except configparser.Error:
        return []
    out: list[Path] = []
    for name in cp.sections():
        sec = cp[name]
        if name.startswith("Profile"):
            path = sec.get("Path", "").strip()
            relative = sec.get("IsRelative", "1").strip() != "0"
        elif name.startswith("Install"):
            path = sec.get("Default", "").strip()
            relative = not PurePath(path).is_absolute()
        else:
            continue
        if not path:
            continue
        p = base_dir / path if relative else Path(path)
        if p not in out:
            out.append(p)
    return out


def parse_prefs(prefs_text: str) -> dict[str, str | int | bool]:
    """``user_pref("key", value);`` lines -> {key: value} (strings unescaped)."""
    out: dict[str, str | int | bool] = {}
    for line in prefs_text.splitlines():
        m = _PREF.match(line)
        if not m:
            continue
        key = m["key"].replace('\\"', '"').replace("\\\\", "\\")
        raw = m["value"].strip()
        value: str | int | bool
        if raw.startswith('"'):
            value = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        elif raw in ("true", "false"):
            value = raw == "true"
        else:
            try:
                value = int(raw)
            except ValueError:
                value = raw
        out[key] = value
    return out


def _domain_of_address(value: object) -> str | None:
    if not isinstance(value, str) or "@" not in value:
        return None
    domain = value.rsplit("@", 1)[1].strip().strip(">").lower().rstrip(".")
    return domain or None


def _listed_suffix(host: str) -> str | None:
    """The listed webmail domain a host belongs to (``imap.gmail.com`` -> ``gmail.com``)."""
    parts = host.strip().lower().rstrip(".").split(".")
    listed = webmail_domains()
    for i in range(len(parts) - 1):
        cand = ".".join(parts[i:])
        if cand in listed:
            return cand
    return None


def _webmail_domain(addresses: list[str], hosts: list[str]) -> str | None:
    """An account's webmail domain: decided by its addresses when it has any (a practice
    domain hosted by Google Workspace is not a free webmail), else by its server names."""
    if addresses:
        for d in addresses:
            if is_webmail_domain(d):
                return _listed_suffix(d) or d
        return None
    for h in hosts:
        if is_webmail_domain(h):
            return _listed_suffix(h)
    return None


def webmail_domains_from_prefs(prefs_text: str) -> list[str]:
    """One entry per mail account of this profile that uses a free webmail: its domain.

    Accounts come from ``mail.account.accountN.server`` / ``.identities``; the addresses of
    its identities (``mail.identity.idN.useremail``) and its server's ``userName``, else
    the server ``hostname``, decide. Local Folders, RSS and news accounts are skipped.
    Without an account list (a partial prefs.js), each identity counts as one account.
    """
    prefs = parse_prefs(prefs_text)
    accounts: dict[str, dict[str, str]] = {}
    for key, value in prefs.items():
        m = re.fullmatch(r"mail\.account\.([^.]+)\.(server|identities)", key)
        if m and isinstance(value, str):
            accounts.setdefault(m[1], {})[m[2]] = value
    out: list[str] = []
    if accounts:
        for acc in sorted(accounts.values(), key=lambda a: a.get("server", "")):
            server = acc.get("server", "")
            stype = str(prefs.get(f"mail.server.{server}.type", "")).lower()
            if not server or stype in ("none", "rss", "nntp", "movemail"):
                continue
            addresses = []
            for ident in [i.strip() for i in acc.get("identities", "").split(",") if i.strip()]:
                d = _domain_of_address(prefs.get(f"mail.identity.{ident}.useremail"))
                if d:
                    addresses.append(d)
            d = _domain_of_address(prefs.get(f"mail.server.{server}.userName"))
            if d:
                addresses.append(d)
            host = prefs.get(f"mail.server.{server}.hostname")
            hosts = [host] if isinstance(host, str) else []
            found = _webmail_domain(addresses, hosts)
            if found:
                out.append(found)
        return sorted(out)
    for key, value in prefs.items():
        if re.fullmatch(r"mail\.identity\.[^.]+\.useremail", key):
            d = _domain_of_address(value)
            if d:
                found = _webmail_domain([d], [])
                if found:
                    out.append(found)
    return sorted(out)
