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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hygie.errors import AppError
from hygie.i18n import get_language, set_language
from hygie.web.failures import failure_of, unexpected

Report = Callable[[int | None, int | None, str], None]
"""``report(done, total, label)``: what a job tells about its progress."""

JobFn = Callable[[Report], dict[str, Any]]


@dataclass
class Job:
    job_id: str
    kind: str
    title: str
    state: str = "running"  # waiting | running | done | failed
    done: int | None = None
    total: int | None = None
    label: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: dict[str, str] = field(default_factory=dict)
    waiting: str = ""  # the running job this one waits for (kinds sharing a lock)
    started_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    finished_at: str = ""
    next_url: str = ""
    version: int = 0

    @property
    def running(self) -> bool:
        """Not finished yet (running, or waiting for the job before it)."""
        return self.state in ("running", "waiting")

    @property
    def busy(self) -> bool:
        return self.running

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
            "waiting": self.waiting,
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

    def start(
        self, kind: str, title: str, fn: JobFn, *, next_url: str = "", queue: bool = False
    ) -> tuple[Job, bool]:
        """Start ``fn`` unless a job of this kind and title is already there (running or
        waiting): that one is returned. With ``queue``, a job of the same kind but another
        title (a restore test during a backup) waits for it, then runs; without, the running
        job is returned. Returns (job, started)."""
        with self._lock:
            ahead = [j for j in self._jobs.values() if j.kind == kind and j.running]
            for job in ahead:
                if job.title == title or not queue:
                    return job, False
            job = Job(f"{kind}-{next(self._ids)}", kind, title, next_url=next_url)
            if ahead:
                job.state, job.waiting = "waiting", ahead[-1].title
            self._jobs[job.job_id] = job
        lang = get_language()
        thread = threading.Thread(
            target=self._run,
            args=(job, fn, lang, ahead[-1] if ahead else None),
            name=f"hygie-{job.job_id}",
            daemon=True,
        )
        thread.start()
        return job, True

    def _update(self, job: Job, **changes: Any) -> None:
        with self._changed:
            for k, v in changes.items():
                setattr(job, k, v)
            job.version += 1
            self._changed.notify_all()

    def _run(self, job: Job, fn: JobFn, lang: str, after: Job | None = None) -> None:
        set_language(lang)
        while after is not None and after.running:
            self.wait_change(after, after.version, 1.0)
        if after is not None:
            self._update(job, state="running", waiting="")

        def report(done: int | None, total: int | None, label: str) -> None:
            self._update(job, done=done, total=total, label=label)

        try:
            result = fn(report)
        except AppError as exc:
            self._update(job, state="failed", error=failure_of(exc).to_dict(), finished_at=now())
        except Exception as exc:  # never a stack trace on a page: it goes to the log file
            failure = unexpected(exc, f"job {job.kind}")
            self._update(job, state="failed", error=failure.to_dict(), finished_at=now())
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

    def busy(self, kind: str) -> Job | None:
        """The job of this kind running now (not one waiting), if any."""
        with self._lock:
            found = [j for j in self._jobs.values() if j.kind == kind and j.state == "running"]
        return found[0] if found else None

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
