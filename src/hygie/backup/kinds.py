"""The kinds of backup destination, one record each: every front (CLI, dashboard, recovery
sheet, incident kit, audit) reads this table instead of testing ``kind == "s3"``.

Adding a kind = one :class:`DestinationKind` in :data:`KINDS` (plus its French label in
``locale/en/backup.po`` and a line in its tests); ``tests/unit/backup/test_backup_kinds.py``
checks that every kind has a label, parses its own examples and names its credentials.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from hygie.i18n import N_, _

__all__ = [
    "KINDS",
    "KIND_LOCAL",
    "KIND_REST",
    "KIND_S3",
    "KIND_SFTP",
    "CredentialField",
    "DestinationKind",
    "kind_of",
    "parse_destination",
]

KIND_LOCAL, KIND_S3, KIND_REST, KIND_SFTP = "local", "s3", "rest", "sftp"


@dataclass(frozen=True)
class CredentialField:
    """One secret a kind needs besides the repository password (kept in the keyring)."""

    key: str  # in the stored JSON and in ``setup(credentials=…)``
    env: str  # the variable restic reads
    label_fr: str  # N_-marked: shown by the dashboard form and the recovery sheet


def _http_endpoint(rest: str) -> tuple[str, int] | None:
    if "://" not in rest:
        rest = "https://" + rest
    u = urlparse(rest)
    if not u.hostname:
        return None
    return u.hostname.lower(), u.port or (443 if u.scheme == "https" else 80)


def _s3_endpoint(url: str) -> tuple[str, int] | None:
    return _http_endpoint(url[len("s3:") :])


def _rest_endpoint(url: str) -> tuple[str, int] | None:
    return _http_endpoint(url[len("rest:") :])


def _sftp_host(url: str) -> str:
    m = re.match(r"sftp:(?:[^@]+@)?([^:/]+)", url)
    return m[1].lower() if m else ""


@dataclass(frozen=True)
class DestinationKind:
    """Everything hygie knows about one kind of destination."""

    name: str  # stored in the configuration: never rename
    label_fr: str  # N_-marked French label ("disque externe ou dossier")
    prefix: str  # restic repository prefix ("s3:"); "" for a local path
    offsite: bool  # another place than this computer
    example: str  # a valid ``--destination`` value (help texts, tests)
    credentials: tuple[CredentialField, ...] = ()
    endpoint_of: Callable[[str], tuple[str, int] | None] | None = None  # TCP probe target
    host_of: Callable[[str], str] | None = None

    @property
    def label(self) -> str:
        return _(self.label_fr)

    def matches(self, arg: str) -> bool:
        return bool(self.prefix) and arg.startswith(self.prefix)

    def endpoint(self, url: str) -> tuple[str, int] | None:
        """(host, port) to test before running restic (restic retries for minutes)."""
        return self.endpoint_of(url) if self.endpoint_of is not None else None

    def host(self, url: str) -> str:
        """The host name of a network destination ('' for a local path)."""
        if self.host_of is not None:
            return self.host_of(url)
        ep = self.endpoint(url)
        return ep[0] if ep else ""

    def base_name(self, removable: bool) -> str:
        """The name setup gives the first destination of this kind ("disque", "s3"…)."""
        if self.name == KIND_LOCAL:
            return "disque" if removable else "local"
        return self.name

    def credential_env(self, stored: Mapping[str, str]) -> dict[str, str]:
        """restic's environment from the stored credentials (missing keys are left out)."""
        return {f.env: str(stored[f.key]) for f in self.credentials if stored.get(f.key)}

    def credentials_from_env(self, environ: Mapping[str, str]) -> dict[str, str] | None:
        """The credentials as given in the environment (the CLI), or None if incomplete."""
        got = {f.key: environ.get(f.env, "") for f in self.credentials}
        return got if got and all(got.values()) else None


KINDS: tuple[DestinationKind, ...] = (
    DestinationKind(
        KIND_LOCAL,
        N_("disque externe ou dossier"),
        "",
        offsite=False,
        example="/media/cabinet/SAUVEGARDE/hygie",
    ),
    DestinationKind(
        KIND_S3,
        N_("hébergeur S3"),
        "s3:",
        offsite=True,
        example="s3:https://s3.example.fr/cabinet",
        credentials=(
            CredentialField("access_key_id", "AWS_ACCESS_KEY_ID", N_("clé d'accès")),
            CredentialField("secret_access_key", "AWS_SECRET_ACCESS_KEY", N_("clé secrète")),
        ),
        endpoint_of=_s3_endpoint,
    ),
    DestinationKind(
        KIND_REST,
        N_("serveur REST"),
        "rest:",
        offsite=True,
        example="rest:https://sauvegarde.example.fr:8000/cabinet",
        endpoint_of=_rest_endpoint,
    ),
    DestinationKind(
        KIND_SFTP,
        N_("serveur SFTP"),
        "sftp:",
        offsite=True,
        example="sftp:cabinet@sauvegarde.example.fr:/srv/restic",
        host_of=_sftp_host,
    ),
)
_BY_NAME = {k.name: k for k in KINDS}


def kind_of(name: str) -> DestinationKind:
    """The record of a stored kind name (an unknown name is a programming error)."""
    return _BY_NAME[name]


def parse_destination(arg: str) -> tuple[str, str]:
    """``--destination`` value -> (kind name, restic repository string)."""
    from hygie.errors import UsageError

    a = arg.strip()
    for k in KINDS:
        if k.matches(a):
            return k.name, a
    if re.match(r"^[a-z0-9]+:", a) and not re.match(r"^[A-Za-z]:[\\/]", a):
        raise UsageError(
            detail=_("destination « {d} » inconnue (chemin, s3:URL, rest:URL ou sftp:)").format(d=a)
        )
    p = Path(a).expanduser()
    if not p.is_absolute():
        p = p.resolve()
    return KIND_LOCAL, str(p)
