"""Long actions (audit, backup, restore test, scan…) run in the background.

One job per kind at a time: asking for a kind that is already running returns the running job,
so two clicks on "Sauvegarder" never start two runs. Jobs live in the server process, so a
page reload finds them again; their progress is streamed to the page by Server-Sent Events.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hygie.errors import AppError
from hygie.i18n import _, get_language, set_language

Report = Callable[[int | None, int | None, str], None]
"""``report(done, total, label)``: what a job tells about its progress."""

JobFn = Callable[[Report], dict[str, Any]]


@dataclass
class Job:
    job_id: str
    kind: str
    title: str
    state: str = "running"  # running | done | failed
    done: int | None = None
    total: int | None = None
    label: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] = field(default_factory=dict)
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    finished_at: str = ""
    next_url: str = ""
    version: int = 0

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int | None:
        if self.total and self.done is not None:
            return max(0, min(100, round(100 * self.done / self.total)))
        return 100 if self.state == "done" else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.job_id,
            "kind": self.kind,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "label": self.label,
            "error": self.error,
            "next_url": self.next_url,
        }


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._ids = itertools.count(1)

    def start(self, kind: str, title: str, fn: JobFn, *, next_url: str = "") -> tuple[Job, bool]:
        """Start ``fn`` unless a job of this kind is running; returns (job, started)."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == kind and job.running:
                    return job, False
            job = Job(f"{kind}-{next(self._ids)}", kind, title, next_url=next_url)
            self._jobs[job.job_id] = job
        lang = get_language()
        thread = threading.Thread(
            target=self._run, args=(job, fn, lang), name=f"hygie-{job.job_id}", daemon=True
        )
        thread.start()
        return job, True

    def _update(self, job: Job, **changes: Any) -> None:
        with self._changed:
            for k, v in changes.items():
                setattr(job, k, v)
            job.version += 1
            self._changed.notify_all()

    def _run(self, job: Job, fn: JobFn, lang: str) -> None:
        set_language(lang)

        def report(done: int | None, total: int | None, label: str) -> None:
            self._update(job, done=done, total=total, label=label)

        try:
            result = fn(report)
        except AppError as exc:
            self._update(
                job,
                state="failed",
                error={"message": exc.render(), "hint": exc.hint(), "code": exc.code},
                finished_at=now(),
            )
        except Exception as exc:  # never a stack trace on a page; keep it for developers
            traceback.print_exception(exc)
            self._update(
                job,
                state="failed",
                error={
                    "message": _("L'action n'a pas pu aller au bout."),
                    "hint": _(
                        "Réessayez ; si cela recommence, montrez ce message "
                        "à votre prestataire informatique."
                    ),
                    "code": type(exc).__name__,
                },
                finished_at=now(),
            )
        else:
            self._update(job, state="done", result=result, finished_at=now())

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def latest(self, kind: str) -> Job | None:
        with self._lock:
            found = [j for j in self._jobs.values() if j.kind == kind]
        return found[-1] if found else None

    def running(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.running]

    def wait_change(self, job: Job, seen: int, timeout: float) -> int:
        """Block until the job's version moves past ``seen`` (or timeout); returns it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while job.version == seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return job.version
