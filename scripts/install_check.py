"""Prove that hygie installs the way users install it (``make install-check``).

Two checks, everything under one temporary folder (removed at the end unless ``--keep``):

1. **wheels**: for each target platform (Windows x86-64, macOS arm64 and x86-64, manylinux
   x86-64 and aarch64) and each supported Python (3.11-3.13), the runtime dependencies of
   pyproject.toml resolve to wheels only (``uv pip compile --only-binary :all:`` with the
   target's markers, from package metadata: nothing is built, nothing installed). A platform
   where one dependency has no wheel would need a compiler at install time: that fails here.
2. **install**: the wheel built from this checkout installs with ``pipx install`` and with
   ``uv tool install`` (each into its own folder under the temporary one) and the installed
   ``hygie`` answers ``--version``, ``doctor --json`` and ``audit --json`` (which reads the
   packaged catalogue and templates: a missing package-data file fails here).

The tools (pipx, uv) are installed into a throw-away virtual environment under the temporary
folder, at the versions pinned in packaging/tools-requirements.txt. Needs network access to
the package index. Exit status: 0 all good, 1 a check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "packaging" / "tools-requirements.txt"
PYTHONS = ("3.11", "3.12", "3.13")
# uv's names for the platforms our users have (target triples with their wheel tags).
PLATFORMS = {
    "Windows x86-64 (win_amd64)": "x86_64-pc-windows-msvc",
    "macOS arm64": "aarch64-apple-darwin",
    "macOS x86-64": "x86_64-apple-darwin",
    "Linux x86-64 (manylinux_2_28)": "x86_64-manylinux_2_28",
    "Linux arm64 (manylinux_2_28)": "aarch64-manylinux_2_28",
}


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    print("$", " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if r.returncode != 0:
        print(r.stdout[-4000:], r.stderr[-4000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}")
    return r.stdout


def tools_venv(tmp: Path) -> Path:
    where = tmp / "tools"
    venv.EnvBuilder(with_pip=True).create(where)
    bindir = where / ("Scripts" if os.name == "nt" else "bin")
    run([str(bindir / "python"), "-m", "pip", "install", "-q", "-r", str(TOOLS)])
    return bindir


def compile_for(uv: Path, tmp: Path, triple: str, version: str) -> tuple[bool, str]:
    out = tmp / f"lock-{triple}-{version}.txt"
    cmd = [
        str(uv), "pip", "compile", str(ROOT / "pyproject.toml"), "--quiet", "--no-header",
        "--python-platform", triple, "--python-version", version,
        "--only-binary", ":all:", "-o", str(out),
    ]  # fmt: skip
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        return False, r.stderr.strip()[-600:]
    pins = [ln for ln in out.read_text().splitlines() if "==" in ln]
    return True, f"ok ({len(pins)} wheels)"


def check_wheels(uv: Path, tmp: Path) -> list[str]:
    from concurrent.futures import ThreadPoolExecutor

    failures: list[str] = []
    jobs = [(label, triple, v) for label, triple in PLATFORMS.items() for v in PYTHONS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda j: compile_for(uv, tmp, j[1], j[2]), jobs))
    done = dict(zip(((j[0], j[2]) for j in jobs), results, strict=True))
    print("| platform | " + " | ".join(f"Python {v}" for v in PYTHONS) + " |")
    print("|---|" + "---|" * len(PYTHONS))
    for label in PLATFORMS:
        cells = []
        for version in PYTHONS:
            ok, text = done[(label, version)]
            cells.append(text if ok else "NO WHEEL")
            if not ok:
                failures.append(f"{label} / Python {version}: {text}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    return failures


def smoke(hygie: Path, home: Path, how: str) -> list[str]:
    env = dict(os.environ, HYGIE_HOME=str(home))
    env.pop("PYTHONPATH", None)
    failures: list[str] = []
    version = subprocess.run([str(hygie), "--version"], capture_output=True, text=True, env=env)
    if version.returncode != 0 or not version.stdout.startswith("hygie "):
        failures.append(f"{how}: hygie --version: {version.stderr[-400:]}")
    for args, schema in (
        (["doctor", "--json"], "hygie.doctor/"),
        (["audit", "--json"], "hygie.audit/"),
    ):
        r = subprocess.run(
            [str(hygie), *args], capture_output=True, text=True, env=env, timeout=300
        )
        try:
            doc = json.loads(r.stdout)
            ok = str(doc["schema"]).startswith(schema) and r.returncode in (0, 1)
        except (ValueError, KeyError):
            ok = False
        if not ok:
            failures.append(f"{how}: hygie {' '.join(args)} -> {r.returncode} {r.stderr[-600:]}")
        else:
            print(f"{how}: hygie {' '.join(args)} -> exit {r.returncode}, {schema} document")
    return failures


def check_install(bindir: Path, tmp: Path) -> list[str]:
    dist = tmp / "dist"
    run([str(bindir / "uv"), "build", "--wheel", "-o", str(dist), str(ROOT)])
    wheel = next(dist.glob("hygie-*.whl"))
    failures: list[str] = []
    # pipx, into its own home
    pipx_env = dict(
        os.environ, PIPX_HOME=str(tmp / "pipx"), PIPX_BIN_DIR=str(tmp / "pipx-bin"),
        PIPX_MAN_DIR=str(tmp / "pipx-man"),
    )  # fmt: skip
    start = time.monotonic()
    run([str(bindir / "pipx"), "install", str(wheel)], env=pipx_env)
    print(f"pipx install: {time.monotonic() - start:.0f} s")
    failures += smoke(tmp / "pipx-bin" / "hygie", tmp / "home-pipx", "pipx")
    # uv tool, into its own folders
    uv_env = dict(
        os.environ, UV_TOOL_DIR=str(tmp / "uv-tools"), UV_TOOL_BIN_DIR=str(tmp / "uv-bin"),
    )  # fmt: skip
    start = time.monotonic()
    run([str(bindir / "uv"), "tool", "install", str(wheel)], env=uv_env)
    print(f"uv tool install: {time.monotonic() - start:.0f} s")
    failures += smoke(tmp / "uv-bin" / "hygie", tmp / "home-uv", "uv tool")
    return failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--wheels-only", action="store_true")
    ap.add_argument("--install-only", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hygie-install-check-"))
    failures: list[str] = []
    try:
        bindir = tools_venv(tmp)
        if not args.install_only:
            failures += check_wheels(bindir / "uv", tmp)
        if not args.wheels_only:
            failures += check_install(bindir, tmp)
    finally:
        if args.keep:
            print(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAILED:", f, file=sys.stderr)
    print("install check:", "ok" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
