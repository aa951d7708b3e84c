"""Setting backups up: sources, destinations (named here, once), their repositories, their
secrets, and the recovery sheet.

A repository that already exists at a destination is never given a new password: its
password is the one printed on the recovery sheet, given by the caller (``passwords``) and
checked against the repository before it is stored."""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hygie.backup import state
from hygie.backup.destinations import (
    KIND_LOCAL,
    Destination,
    describe_local,
    parse_destination,
    resolve,
)
from hygie.backup.errors import DestinationAbsent, ExistingRepositoryPassword
from hygie.backup.repo import (
    get_store,
    open_repo,
    password_secret,
    require_config,
    select,
    store_credentials,
    stored_credentials,
)
from hygie.backup.restic import Repo, restic_version, version_str
from hygie.errors import UsageError
from hygie.i18n import _
from hygie.secrets import backend_name, get_secret, set_secret
from hygie.store import Store, utcnow

__all__ = ["SetupResult", "name_for", "set_password", "setup"]


@dataclass(frozen=True)
class SetupResult:
    sources: tuple[str, ...]
    destinations: tuple[Destination, ...]
    restic_version: str
    secrets_backend: str
    sheet_html: str
    sheet_pdf: str
    created: tuple[str, ...]
    opened: tuple[str, ...] = ()  # existing repositories opened with the sheet's password

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "destinations": [d.to_dict() for d in self.destinations],
            "restic_version": self.restic_version,
            "secrets_backend": self.secrets_backend,
            "recovery_sheet": {"html": self.sheet_html, "pdf": self.sheet_pdf},
            "created": list(self.created),
            "opened": list(self.opened),
        }


def name_for(kind: str, removable: bool, taken: set[str]) -> str:
    """The name of a new destination: the kind's base name, then "-2", "-3"…"""
    from hygie.backup.kinds import kind_of

    base = kind_of(kind).base_name(removable)
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    return name


def _lookup(table: Mapping[str, Any] | None, arg: str, url: str) -> Any:
    if not table:
        return None
    return table.get(arg.strip()) or table.get(url)


def setup(
    sources: Sequence[str],
    destinations: Sequence[str],
    *,
    retention: dict[str, int] | None = None,
    removable: bool | None = None,
    sheet_dir: Path | None = None,
    pdf: bool = True,
    credentials: Mapping[str, Mapping[str, str]] | None = None,
    passwords: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    store: Store | None = None,
) -> SetupResult:
    """Configure the sources and destinations, create one repository per destination.

    ``credentials`` and ``passwords`` are keyed by the destination as given (or its
    repository string): this function names each destination and stores its secrets under
    that name, so no caller has to guess the name ("s3", "s3-2"…). Credentials may also
    come from ``environ`` (the CLI passes ``os.environ``: AWS_ACCESS_KEY_ID…).
    ``passwords`` is only used for repositories that already exist; raises
    :class:`ExistingRepositoryPassword` when one exists and no password opens it."""
    st = get_store(store)
    version = restic_version()
    if not sources:
        raise UsageError(detail=_("indiquez au moins un dossier à sauvegarder (--source)"))
    if not destinations:
        raise UsageError(detail=_("indiquez au moins une destination (--destination)"))
    srcs: list[str] = []
    for s in sources:
        p = Path(s).expanduser().resolve()
        if not p.exists():
            raise UsageError(detail=_("le dossier à sauvegarder {p} n'existe pas").format(p=p))
        srcs.append(str(p))
    previous = state.load_config(st)
    prev_by_url = {d.url: d for d in previous.destinations} if previous else {}
    taken: set[str] = set()
    dests: list[Destination] = []
    created: list[str] = []
    opened: list[str] = []
    for arg in destinations:
        kind, url = parse_destination(arg)
        old = prev_by_url.get(url)
        if kind == KIND_LOCAL:
            parent = Path(url).parent
            if not parent.exists():
                raise DestinationAbsent(destination=url, label=str(parent), detail="")
            Path(url).mkdir(parents=True, exist_ok=True)
            probe = describe_local("x", url, force_removable=removable)
        else:
            probe = Destination("x", kind, url)
        name = old.name if old is not None else name_for(kind, probe.removable, taken)
        taken.add(name)
        dest = Destination(
            name, kind, url, probe.removable, probe.fs_uuid, probe.fs_label, probe.subpath
        )
        kinfo = dest.kind_info
        given_creds = _lookup(credentials, arg, url)
        creds = dict(given_creds) if given_creds else None
        if creds is None and kinfo.credentials:
            creds = kinfo.credentials_from_env(environ or {})
        if kinfo.credentials and creds is None and not stored_credentials(name):
            fields = ", ".join(f.env for f in kinfo.credentials)
            raise UsageError(
                detail=_(
                    "pour une destination « {kind} », donnez ses clés ({fields}) avant "
                    "« hygie backup setup »"
                ).format(kind=kinfo.label, fields=fields)
            )
        env = kinfo.credential_env(creds or stored_credentials(name))
        known = get_secret(password_secret(name))
        fresh = known is None
        repo = Repo(name, resolve(dest), known or pysecrets.token_urlsafe(32), env, version)
        was_created, repo_id = repo.init(version, open_existing=not fresh)
        if was_created:
            created.append(name)
        elif fresh:  # a repository is already there: only the sheet's password may open it
            given = _lookup(passwords, arg, url)
            if not given or not str(given).strip():
                raise ExistingRepositoryPassword(location=url, destination=name, detail="")
            repo = Repo(name, repo.url, str(given).strip(), env, version)
            repo_id = repo.repo_id()  # WrongPassword when it does not open the repository
            opened.append(name)
        if fresh:  # stored only once it opens (or created) this repository
            set_secret(password_secret(name), repo.password)
        if creds:
            store_credentials(dest, creds)
        dests.append(
            Destination(
                name,
                kind,
                url,
                dest.removable,
                dest.fs_uuid,
                dest.fs_label,
                dest.subpath,
                repo_id,
            )
        )
    cfg = state.BackupConfig(
        tuple(srcs),
        tuple(dests),
        dict(retention or state.DEFAULT_RETENTION),
        previous.created_at if previous and previous.created_at else utcnow(),
    )
    state.save_config(st, cfg)
    for d in dests:
        if state.last_prune(st, d.name) is None:
            state.set_last_prune(st, d.name)
        if state.last_forget(st, d.name) is None:
            state.set_last_forget(st, d.name)
    from hygie.backup.sheet import write_sheet

    html_path, pdf_path = write_sheet(cfg, sheet_dir, pdf=pdf)
    return SetupResult(
        cfg.sources,
        cfg.destinations,
        version_str(version),
        backend_name(),
        str(html_path),
        str(pdf_path) if pdf_path else "",
        tuple(created),
        tuple(opened),
    )


def set_password(name: str, password: str, *, store: Store | None = None) -> str:
    """Store the password of an existing repository (from the recovery sheet) after checking
    that it opens the repository; returns the repository id."""
    st = get_store(store)
    cfg = require_config(st)
    dest = select(cfg, name)[0]
    repo = open_repo(dest, resolve(dest), password=password.strip())
    repo_id = repo.repo_id()  # raises WrongPassword when it does not open the repository
    set_secret(password_secret(name), password.strip())
    return repo_id
