"""Linux probes: each reads the machine (through :mod:`hygie.proc` or files under
``ctx.root``), hands the raw text to a pure parser in :mod:`hygie.platform.parsers`, and
returns facts. Nothing here needs root; a permission error is "unknown, because ...".
"""

from __future__ import annotations

import grp
from collections.abc import Iterable

from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact
from hygie.audit.registry import provider
from hygie.i18n import _
from hygie.platform.eol import support_status
from hygie.platform.parsers.os_release import parse_os_release, release_key

LINUX = {"linux"}
ADMIN_GROUPS = {"sudo", "wheel", "admin", "root"}


def _read(ctx: ProbeContext, path: str) -> str | None:
    try:
        return ctx.fs(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except PermissionError:
        raise


@provider("linux.os_release", facts=["os.support"], platforms=LINUX)
def os_support(ctx: ProbeContext) -> Iterable[Fact]:
    text = _read(ctx, "/etc/os-release") or _read(ctx, "/usr/lib/os-release")
    if text is None:
        yield Fact.unknown("os.support", _("fichier /etc/os-release absent"), "os-release")
        return
    family, release, name = release_key(parse_os_release(text))
    yield Fact.known(
        "os.support", support_status(family, release, name, ctx.now.date()), "os-release"
    )


def admin_groups_of(user: str, groups_text: str | None = None) -> list[str]:
    """Admin groups a user belongs to (from /etc/group text, or the live group database)."""
    if user == "root":
        return ["root"]
    found: list[str] = []
    if groups_text is not None:
        for line in groups_text.splitlines():
            parts = line.split(":")
            if len(parts) >= 4 and parts[0] in ADMIN_GROUPS and user in parts[3].split(","):
                found.append(parts[0])
        return found
    for g in grp.getgrall():  # pragma: no cover - exercised on real machines
        if g.gr_name in ADMIN_GROUPS and user in g.gr_mem:
            found.append(g.gr_name)
    return found


@provider("linux.user_groups", facts=["user.is_admin"], platforms=LINUX)
def user_is_admin(ctx: ProbeContext) -> Iterable[Fact]:
    groups_text = _read(ctx, "/etc/group")
    groups = admin_groups_of(ctx.user, groups_text)
    yield Fact.known("user.is_admin", bool(groups), "/etc/group")
