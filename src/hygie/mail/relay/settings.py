"""The relay's settings: the ``[mail.relay]`` section and the command line, validated.

Command-line values win over the config file. :meth:`RelaySettings.validate` refuses an open
relay (listening beyond loopback without a client password and TLS) and a clear-text upstream
beyond loopback.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.i18n import _
from hygie.mail.errors import RelayConfigError

SECRET_UPSTREAM = "mail.relay.upstream_password"
SECRET_CLIENT = "mail.relay.client_password"
TLS_MODES = ("starttls", "tls", "none")
POLICIES = ("reject", "quarantine", "warn")
DEFAULT_MAX_SIZE = 25 * 1024 * 1024
#: Days a quarantined message is kept before the relay deletes it.
DEFAULT_QUARANTINE_DAYS = 30


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_hostport(text: str, *, what: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RelayConfigError(
            detail=_("{what} doit être de la forme HÔTE:PORT (reçu « {value} »)").format(
                what=what, value=text
            )
        )
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class RelaySettings:
    listen_host: str
    listen_port: int
    upstream_host: str
    upstream_port: int
    upstream_tls: str = "starttls"
    upstream_user: str | None = None
    policy: str = "reject"
    max_size: int = DEFAULT_MAX_SIZE
    scan_timeout_s: float = 10.0
    upstream_timeout_s: float = 30.0
    client_user: str = "hygie"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    upstream_ca: Path | None = None
    scan_workers: int = 0
    quarantine_days: int = DEFAULT_QUARANTINE_DAYS

    def validate(self, *, client_password_set: bool) -> None:
        if self.upstream_tls not in TLS_MODES:
            raise RelayConfigError(detail=_("--upstream-tls doit valoir starttls, tls ou none"))
        if self.policy not in POLICIES:
            raise RelayConfigError(detail=_("--policy doit valoir reject, quarantine ou warn"))
        if self.upstream_tls == "none" and not is_loopback(self.upstream_host):
            raise RelayConfigError(
                detail=_(
                    "--upstream-tls none n'est permis que vers un serveur local (127.0.0.1) : "
                    "le mot de passe et les messages circuleraient en clair"
                )
            )
        if (self.tls_cert is None) != (self.tls_key is None):
            raise RelayConfigError(detail=_("tls_cert et tls_key vont ensemble"))
        if not is_loopback(self.listen_host):
            if not client_password_set:
                raise RelayConfigError(
                    detail=_(
                        "écouter ailleurs que sur 127.0.0.1 exige un mot de passe client "
                        "(« hygie mail relay set-password --client ») : jamais de relais ouvert"
                    )
                )
            if self.tls_cert is None:
                raise RelayConfigError(
                    detail=_(
                        "écouter ailleurs que sur 127.0.0.1 exige un certificat TLS "
                        "(tls_cert et tls_key dans [mail.relay]) : le mot de passe ne doit "
                        "pas circuler en clair"
                    )
                )
        if self.max_size <= 0 or self.scan_timeout_s <= 0 or self.scan_workers < 0:
            raise RelayConfigError(
                detail=_("max_size, scan_timeout_s et scan_workers doivent être positifs")
            )
        if self.quarantine_days < 1:
            raise RelayConfigError(
                detail=_("quarantine_days doit valoir au moins 1 (jours de conservation)")
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "listen": f"{self.listen_host}:{self.listen_port}",
            "upstream": f"{self.upstream_host}:{self.upstream_port}",
            "upstream_tls": self.upstream_tls,
            "upstream_user": self.upstream_user,
            "policy": self.policy,
            "max_size": self.max_size,
            "scan_timeout_s": self.scan_timeout_s,
            "scan_workers": self.scan_workers,
            "quarantine_days": self.quarantine_days,
            "client_auth": None,
        }


def settings_from(
    config: dict[str, Any],
    *,
    listen: str | None = None,
    upstream: str | None = None,
    upstream_tls: str | None = None,
    upstream_user: str | None = None,
    policy: str | None = None,
) -> RelaySettings:
    """Command-line values win over the ``[mail.relay]`` section of the config file."""
    section = (
        config.get("mail", {}).get("relay", {}) if isinstance(config.get("mail"), dict) else {}
    )
    if not isinstance(section, dict):
        section = {}
    listen_v = listen or str(section.get("listen", "127.0.0.1:2525"))
    upstream_v = upstream or section.get("upstream")
    if not upstream_v:
        raise RelayConfigError(
            detail=_(
                "le serveur d'envoi (--upstream HÔTE:PORT ou upstream dans [mail.relay]) manque"
            )
        )
    lh, lp = parse_hostport(listen_v, what="--listen")
    uh, up = parse_hostport(str(upstream_v), what="--upstream")

    def opt_path(key: str) -> Path | None:
        v = section.get(key)
        return Path(str(v)).expanduser() if v else None

    try:
        return RelaySettings(
            listen_host=lh,
            listen_port=lp,
            upstream_host=uh,
            upstream_port=up,
            upstream_tls=str(upstream_tls or section.get("upstream_tls", "starttls")),
            upstream_user=upstream_user or section.get("upstream_user") or None,
            policy=str(policy or section.get("policy", "reject")),
            max_size=int(section.get("max_size", DEFAULT_MAX_SIZE)),
            scan_timeout_s=float(section.get("scan_timeout_s", 10.0)),
            upstream_timeout_s=float(section.get("upstream_timeout_s", 30.0)),
            client_user=str(section.get("client_user", "hygie")),
            tls_cert=opt_path("tls_cert"),
            tls_key=opt_path("tls_key"),
            upstream_ca=opt_path("upstream_ca"),
            # 0: scan in the relay's threads (measured faster on 2 shared cores, see
            # docs/benchmarks.md); N: N worker processes, for machines with idle cores.
            scan_workers=int(section.get("scan_workers", 0)),
            quarantine_days=int(section.get("quarantine_days", DEFAULT_QUARANTINE_DAYS)),
        )
    except (TypeError, ValueError) as exc:
        raise RelayConfigError(detail=str(exc)) from exc
