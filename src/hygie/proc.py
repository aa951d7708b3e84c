"""The only way hygie runs another program.

``run`` never raises for a non-zero exit, a missing program or a timeout: it returns a
:class:`Completed` that says what happened, so that a probe can turn it into "unknown,
because ...". Callers that must fail (backup, media) check ``ok`` and raise their own error.

Tests replace the runner with :func:`use_runner` to replay recorded outputs of commands
that cannot run here (Windows, macOS); ``HYGIE_REPLAY`` does the same for a
whole hygie process (:mod:`hygie.replay` installs its runner with :func:`set_runner` at the
entry points). A time-out or a cancel kills the whole process
tree at once, the way the platform seam's floor says (:func:`hygie.osprocess.kill_tree`).
"""

from __future__ import annotations

import contextlib
import locale
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from hygie import osprocess


@dataclass(frozen=True)
class Completed:
    """What a command did. ``returncode`` is None when it did not run to the end."""

    args: tuple[str, ...]
    returncode: int | None
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    missing: bool = False
    timed_out: bool = False
    error: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def why(self) -> str:
        """A short developer-facing reason, for "unknown, because ..." evidence."""
        name = self.args[0] if self.args else "?"
        if self.missing:
            return f"{name}: not installed"
        if self.timed_out:
            return f"{name}: timed out after {self.duration_s:.1f}s"
        if self.error:
            return f"{name}: {self.error}"
        if self.returncode != 0:
            first = (self.stderr or self.stdout).strip().splitlines()
            detail = first[0][:200] if first else ""
            return f"{name}: exit {self.returncode} {detail}".strip()
        return f"{name}: ok"


Runner = Callable[[Sequence[str], float, Mapping[str, str] | None, str | None], Completed]


def _decode(data: bytes | str | None) -> str:
    """A child's output as text: UTF-8 (what hygie asks PowerShell for), else the console's
    ANSI code page as Python would decode it (the parsers repair cp850 labels from there)."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode(locale.getpreferredencoding(False) or "utf-8", "replace")
    # universal newlines, as text mode did: Windows programs end their lines with CRLF
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _real_run(
    args: Sequence[str],
    timeout: float,
    env: Mapping[str, str] | None,
    stdin: str | None,
) -> Completed:
    argv = tuple(str(a) for a in args)
    exe = shutil.which(argv[0]) if argv else None
    if exe is None:
        return Completed(argv, None, missing=True)
    start = time.monotonic()
    try:
        child = subprocess.Popen(  # argv list, never a shell
            [exe, *argv[1:]],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            **osprocess.popen_kwargs(),
        )
    except OSError as exc:
        return Completed(argv, None, error=exc.strerror or str(exc))
    data = stdin.encode("utf-8") if stdin is not None else None
    try:
        out, err = child.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        # The whole tree, now: a grandchild holding the pipes open must not keep us waiting.
        osprocess.kill_tree(child)
        try:
            out, err = child.communicate(timeout=2)
        except subprocess.TimeoutExpired:
            out, err = b"", b""
        return Completed(
            argv, None, stdout=_decode(out), stderr=_decode(err), duration_s=timeout,
            timed_out=True,
        )  # fmt: skip
    return Completed(
        argv, child.returncode, _decode(out), _decode(err), duration_s=time.monotonic() - start
    )


def real_runner() -> Runner:
    """The runner that really starts programs (what record/replay wrap)."""
    return _real_run


_runner: Runner | None = None


def _current_runner() -> Runner:
    """The runner in use: set by :func:`set_runner` / :func:`use_runner`, else the real one.

    ``HYGIE_REPLAY`` is honoured by the entry points, which install the replaying runner
    before anything runs (:func:`hygie.replay.install_from_env`: the CLI's ``main`` and the
    relay's scan worker processes); this module knows nothing of recordings."""
    return _runner or _real_run


def _replaying(argv: Sequence[str]) -> Runner | None:
    """The replaying runner when ``argv`` must come from a recording, else None."""
    runner = _current_runner()
    if not getattr(runner, "replays", False):
        return None
    passes = getattr(runner, "passes", None)
    if callable(passes) and passes(argv):
        return None
    return runner


def c_locale_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment with ``LC_ALL=C`` so that output is stable to parse."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    env.pop("LANGUAGE", None)
    if extra:
        env.update(extra)
    return env


def run(
    args: Sequence[str],
    *,
    timeout: float = 5.0,
    env: Mapping[str, str] | None = None,
    c_locale: bool = True,
    stdin: str | None = None,
) -> Completed:
    """Run ``args`` (never through a shell) and return what happened; never raises."""
    if env is None and c_locale:
        env = c_locale_env()
    return _current_runner()(args, timeout, env, stdin)


def which(name: str) -> str | None:
    """Where a program is, or None; goes through the runner so tests can pretend."""
    runner = _current_runner()
    if runner is not _real_run:
        probe = runner(("__which__", name), 1.0, None, None)
        return probe.stdout.strip() or None
    return shutil.which(name)


def set_runner(runner: Runner) -> None:
    """Replace the runner for the rest of the process (``--replay`` / ``--record``)."""
    global _runner
    _runner = runner


@contextlib.contextmanager
def use_runner(runner: Runner) -> Iterator[None]:
    """Replace the runner for the duration of a ``with`` block (tests)."""
    global _runner
    previous = _current_runner()
    _runner = runner
    try:
        yield
    finally:
        _runner = previous


LineFn = Callable[[str], None]


def stream(
    args: Sequence[str],
    *,
    on_line: LineFn | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    pass_fds: Sequence[int] = (),
    cwd: str | None = None,
    cancel: threading.Event | None = None,
) -> Completed:
    """Run a long command, calling ``on_line`` for each stdout line as it comes.

    All output is read to the end (a killed restic leaves a lock behind, so we never stop
    reading early). On timeout the whole process group is killed and ``timed_out`` is set.
    Setting ``cancel`` (from another thread) kills the process group too (same report).
    stderr is collected and returned. Never raises for the command's own failures.
    """
    argv = tuple(str(a) for a in args)
    replay = _replaying(argv)
    if replay is not None:
        done = replay(argv, timeout or 0.0, env, None)
        for line in done.stdout.splitlines():
            if on_line is not None:
                on_line(line)
        return done
    exe = shutil.which(argv[0]) if argv else None
    if exe is None:
        return Completed(argv, None, missing=True)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(  # argv list, never a shell
            [exe, *argv[1:]],
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            pass_fds=tuple(pass_fds),
            cwd=cwd,
            **osprocess.popen_kwargs(),
        )
    except OSError as exc:
        return Completed(argv, None, error=exc.strerror or str(exc))
    err_chunks: list[bytes] = []
    out_lines: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    stderr_pipe = proc.stderr

    def read_err() -> None:
        for chunk in iter(lambda: stderr_pipe.read(65536), b""):
            err_chunks.append(chunk)

    t_err = threading.Thread(target=read_err, daemon=True)
    t_err.start()
    if stdin is not None and proc.stdin is not None:
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        osprocess.kill_tree(proc)

    timer = threading.Timer(timeout, on_timeout) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    if cancel is not None:

        def watch_cancel() -> None:
            while proc.poll() is None:
                if cancel.wait(0.2):
                    on_timeout()
                    return

        threading.Thread(target=watch_cancel, daemon=True).start()
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if on_line is not None:
                on_line(line)
            else:
                out_lines.append(line)
        rc = proc.wait()
    finally:
        if timer:
            timer.cancel()
        t_err.join(timeout=5)
    return Completed(
        argv,
        None if timed_out.is_set() else rc,
        "\n".join(out_lines),
        b"".join(err_chunks).decode("utf-8", "replace"),
        duration_s=time.monotonic() - start,
        timed_out=timed_out.is_set(),
    )


def spawn(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    log_path: str | None = None,
    pass_fds: Sequence[int] = (),
    cwd: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running helper (clamd, a test server...) in its own process group.

    The caller owns its lifetime (terminate + wait). Output goes to ``log_path`` or nowhere.
    Raises FileNotFoundError when the program is missing (callers map it to ToolMissing).
    """
    argv = [str(a) for a in args]
    if _replaying(argv) is not None:
        raise FileNotFoundError(argv[0])  # a daemon cannot be replayed: "not installed"
    exe = shutil.which(argv[0])
    if exe is None:
        raise FileNotFoundError(argv[0])
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(  # argv list, never a shell
            [exe, *argv[1:]],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            pass_fds=tuple(pass_fds),
            cwd=cwd,
            **osprocess.popen_kwargs(),
        )
    finally:
        if log_path and not isinstance(out, int):
            out.close()
