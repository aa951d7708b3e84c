"""A throw-away PostgreSQL cluster for the fleet tests: real server, unix socket, no TCP.

Debian's ``postgresql`` package (installed by ``make test``) provides ``initdb``/``pg_ctl``
under ``/usr/lib/postgresql/<version>/bin``. PostgreSQL refuses to run as root, and CI runs
as root, so as root the cluster runs as the package's ``postgres`` account (``setpriv``), in a
folder created under the system temp dir and handed to that account; as any other user it
runs as that user. It listens only on a unix socket inside its own folder
(``listen_addresses = ''``), trusts local connections, and is stopped and deleted at the end.

    with PgCluster.start() as pg:
        pg.url("fleet")   # -> "postgresql:///fleet?host=/tmp/hygie-pg-…/sock&user=hygie"
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "hygie"


def pg_bindir() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None when there is none."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", *cmd]


@dataclass
class PgCluster:
    root: Path
    bindir: Path

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql:///{dbname}?host={self.sockdir}&user={SUPERUSER}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _as_owner([str(self.bindir / args[0]), *args[1:]]),
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def pg_ctl(self, action: str, *extra: str) -> None:
        self._run(
            "pg_ctl", action, "-D", str(self.datadir), "-w", "-t", "60",
            "-l", str(self.root / "server.log"), *extra,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def start_server(self) -> None:
        self.pg_ctl("start")

    def psql(self, dbname: str, sql: str) -> str:
        out = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             self.url(dbname), "-c", sql],
            capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        return out.stdout.strip()

    def createdb(self, name: str) -> str:
        """A fresh empty database; returns its connection URL."""
        self.psql("postgres", f'CREATE DATABASE "{name}"')
        return self.url(name)

    @classmethod
    @contextmanager
    def start(cls, *, settings: dict[str, str] | None = None) -> Iterator[PgCluster]:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (Debian package: postgresql)")
        root = Path(tempfile.mkdtemp(prefix="hygie-pg-"))
        try:
            (root / "sock").mkdir()
            if os.geteuid() == 0:
                os.chmod(root, 0o755)
                shutil.chown(root, "postgres", "postgres")
                shutil.chown(root / "sock", "postgres", "postgres")
            cluster = cls(root=root, bindir=bindir)
            cluster._run(
                "initdb", "-D", str(cluster.datadir), "-U", SUPERUSER, "--auth=trust",
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            conf = {
                "listen_addresses": "''",
                "unix_socket_directories": f"'{cluster.sockdir}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "200",
                "shared_buffers": "128MB",
            }
            conf.update(settings or {})
            with (cluster.datadir / "postgresql.conf").open("a", encoding="utf-8") as fh:
                fh.writelines(f"{k} = {v}\n" for k, v in conf.items())
            cluster.start_server()
            try:
                yield cluster
            finally:
                cluster._run("pg_ctl", "stop", "-D", str(cluster.datadir), "-m", "immediate",
                             "-w", check=False)  # fmt: skip
        finally:
            for _ in range(3):
                shutil.rmtree(root, ignore_errors=True)
                if not root.exists():
                    break
                time.sleep(0.2)
