"""Start-up hook of the test personalities (tests/personality.py): makes this CPython look
like CPython-for-Windows (or -for-macOS) to hygie before any of it is imported.

Active only when ``HYGIE_TEST_PERSONALITY`` is ``windows`` or ``darwin``; a no-op otherwise.

Windows: importing ``grp``, ``pwd``, ``fcntl``, ``termios``, ``resource`` (and a few other
POSIX-only modules) raises ImportError, as on Windows; ``os.killpg``, ``os.getuid``,
``os.geteuid``, ``os.fork``, ``os.statvfs``, ``os.setsid``, ``signal.SIGKILL`` … are gone;
``subprocess.Popen.kill`` is ``terminate`` (on Windows both are TerminateProcess).
macOS: the Linux-only names CPython-for-macOS lacks are gone (``os.sched_getaffinity``,
``os.pidfd_open``, ``os.memfd_create``, ``select.epoll``, the ``*xattr`` functions…).
"""

from __future__ import annotations

import contextlib
import os
import sys

_WHICH = os.environ.get("HYGIE_TEST_PERSONALITY", "").strip().lower()

_WINDOWS_MISSING = ("grp", "pwd", "fcntl", "termios", "resource", "pty", "tty", "syslog",
                    "crypt", "spwd", "nis", "_posixshmem", "readline")  # fmt: skip
WINDOWS_MISSING_MODULES = frozenset(_WINDOWS_MISSING)
WINDOWS_MISSING_OS = (
    "killpg", "getuid", "geteuid", "getgid", "getegid", "getgroups", "setuid", "seteuid",
    "setgid", "fork", "forkpty", "statvfs", "fstatvfs", "setsid", "getsid", "setpgid",
    "getpgid", "getpgrp", "wait3", "wait4", "chown", "lchown", "fchown", "getloadavg",
    "sched_getaffinity", "pidfd_open", "memfd_create", "sync", "mkfifo", "mknod",
)  # fmt: skip
WINDOWS_MISSING_SIGNAL = (
    "SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGCHLD", "SIGUSR1", "SIGUSR2", "SIGPIPE",
    "SIGSTOP", "SIGCONT", "SIGTSTP", "alarm", "pause", "setitimer", "getitimer", "siginterrupt",
    "pthread_kill", "pthread_sigmask", "sigwait",
)  # fmt: skip
DARWIN_MISSING_OS = (
    "sched_getaffinity", "sched_setaffinity", "pidfd_open", "memfd_create", "eventfd",
    "posix_fadvise", "posix_fallocate", "getxattr", "setxattr", "listxattr", "removexattr",
    "pipe2", "copy_file_range", "splice", "getrandom",
)  # fmt: skip


class _Refuse:
    """A meta-path finder that makes some imports fail the way they fail on that OS."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.split(".")[0] in self.names:
            raise ImportError(f"No module named {fullname!r} (not on this OS)", name=fullname)
        return None


def _drop(module: object, names: tuple[str, ...]) -> None:
    for name in names:
        if hasattr(module, name):
            with contextlib.suppress(AttributeError):  # a read-only builtin attribute
                delattr(module, name)


# Third-party libraries that choose their backend from ``sys.platform`` (still "linux"
# here): imported before the stripping, as they would load their Windows backend on Windows.
# hygie's own code never gets this favour.
PRE_IMPORTED = ("platformdirs", "platformdirs.unix")


def _windows() -> None:
    import importlib

    for mod in PRE_IMPORTED:
        with contextlib.suppress(ImportError):  # not installed
            importlib.import_module(mod)
    for name in list(sys.modules):
        if name.split(".")[0] in WINDOWS_MISSING_MODULES:
            del sys.modules[name]
    sys.meta_path.insert(0, _Refuse(WINDOWS_MISSING_MODULES))
    import signal
    import subprocess

    _drop(os, WINDOWS_MISSING_OS)
    _drop(signal, WINDOWS_MISSING_SIGNAL)
    subprocess.Popen.kill = subprocess.Popen.terminate  # type: ignore[method-assign]


def _darwin() -> None:
    import select

    _drop(os, DARWIN_MISSING_OS)
    _drop(select, ("epoll", "EPOLLIN", "EPOLLOUT"))


if _WHICH == "windows":
    _windows()
elif _WHICH == "darwin":
    _darwin()
