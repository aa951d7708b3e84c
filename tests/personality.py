"""Run the REAL hygie CLI as it would run on Windows or macOS (the test personalities).

:func:`run_hygie` starts ``python -m hygie ARGS`` in a subprocess whose interpreter has what
that OS's CPython lacks removed (tests/personality_site/sitecustomize.py), with
``HYGIE_PLATFORM`` selecting the platform module and ``HYGIE_REPLAY`` answering every
command from a recording (:mod:`hygie.replay`; an empty folder = nothing installed).
Programs named in ``HYGIE_REPLAY_PASSTHROUGH`` (``env``) really run: real restic under the
Windows personality. A Python traceback on stderr fails the caller
(:func:`assert_no_traceback`, called by default).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

from hygie import replay

SITE = Path(__file__).parent / "personality_site"
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
Personality = Literal["windows", "darwin"]


class TracebackInOutput(AssertionError):
    """The program printed a Python traceback: a crash, whatever its exit code."""


def assert_no_traceback(cp: subprocess.CompletedProcess[str]) -> None:
    for stream, text in (("stderr", cp.stderr or ""), ("stdout", cp.stdout or "")):
        if "Traceback (most recent call last)" in text:
            raise TracebackInOutput(
                f"traceback on {stream} of {' '.join(map(str, cp.args))}:\n{text[-4000:]}"
            )


def personality_env(
    personality: Personality,
    *,
    home: Path,
    replay_dir: Path | None,
    env: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a hygie process run as ``personality``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HYGIE_", "PYTEST_", "COV_")) and k != "PYTHONPATH"
    }
    user_home = home / "profil"
    user_home.mkdir(parents=True, exist_ok=True)
    base.update(
        {
            "HYGIE_TEST_PERSONALITY": personality,
            "HYGIE_PLATFORM": personality,
            "HYGIE_HOME": str(home / "hygie"),
            "HYGIE_LANG": "fr",
            "HOME": str(user_home),
            "PYTHONPATH": os.pathsep.join([str(SITE), str(ROOT)]),
            "PYTHONIOENCODING": "utf-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "NO_COLOR": "1",
        }
    )
    if personality == "windows":
        base.update(
            {
                # Windows' taskkill.exe, which always exists there (tree kill on time-out)
                "PATH": os.pathsep.join([str(SITE / "bin"), base.get("PATH", "")]),
                "USERPROFILE": str(user_home),
                "USERNAME": "infirmiere",
                "APPDATA": str(user_home / "AppData" / "Roaming"),
                "LOCALAPPDATA": str(user_home / "AppData" / "Local"),
            }
        )
    if replay_dir is not None:
        base["HYGIE_REPLAY"] = str(replay_dir)
    if env:
        base.update(env)
    return base


def run_hygie(
    personality: Personality,
    args: Sequence[str],
    *,
    home: Path,
    replay: Path | None,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
    check_traceback: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hygie ARGS`` as ``personality`` (see the module doc)."""
    cp = subprocess.run(
        [sys.executable, "-m", "hygie", *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env=personality_env(personality, home=home, replay_dir=replay, env=env),
        cwd=str(home),
        check=False,
    )
    if check_traceback:
        assert_no_traceback(cp)
    return cp


def start_hygie(
    personality: Personality,
    args: Sequence[str],
    *,
    home: Path,
    replay: Path | None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start a long-running ``python -m hygie ARGS`` (``serve``) as ``personality``; the
    caller stops it (terminate + wait) and checks its stderr with :func:`assert_no_traceback`."""
    return subprocess.Popen(
        [sys.executable, "-m", "hygie", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=personality_env(personality, home=home, replay_dir=replay, env=env),
        cwd=str(home),
    )


def build_recording(
    folder: Path, platform: str, outputs: Mapping[tuple[str, ...], tuple[str, int, str] | str]
) -> Path:
    """A recording folder (:mod:`hygie.replay` format) from recorded texts, for a test."""
    replay.write_meta(folder, platform)
    (folder / replay.COMMANDS_DIR).mkdir(parents=True, exist_ok=True)
    for argv, spec in outputs.items():
        out, rc, err = (spec, 0, "") if isinstance(spec, str) else spec
        replay.write_entry(folder, replay.Entry(tuple(argv), rc, out, err))
    return folder
