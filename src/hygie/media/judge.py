"""One verdict per file, the same way for every file and every canary.

:func:`judge` puts together what hygie itself knows (size against the engine's limits, the
inside of containers: :mod:`hygie.media.containers`) and the engine's answer. A real
detection always wins (the report says "infected", the most useful word); otherwise any
reason hygie found makes the file "not scanned", whatever the engine said.
"""

from __future__ import annotations

import io
from typing import IO

from hygie.media.containers import inspect
from hygie.media.engines import Limits, ScanFn
from hygie.media.filetypes import FdReader
from hygie.media.verdicts import EngineAnswer, Reason, Verdict, not_scanned

HEAD = 8192


def combine(answer: EngineAnswer, finding_reason: Reason | None, detail: str) -> EngineAnswer:
    if finding_reason is None:
        return answer
    if answer.verdict is Verdict.INFECTED:
        return answer
    if answer.verdict is Verdict.NOT_SCANNED:
        # The engine saw the problem too (its alert names it): keep both words.
        return EngineAnswer(
            Verdict.NOT_SCANNED, answer.reason, answer.signature, f"{answer.detail}; {detail}"
        )
    return not_scanned(finding_reason, detail)


def precheck(
    fobj: IO[bytes] | None, size: int, head: bytes, limits: Limits
) -> tuple[Reason | None, str]:
    """What hygie finds on its own before asking the engine (reason, detail)."""
    if size > limits.max_file_size:
        return Reason.OVER_LIMIT, (
            f"file of {size} bytes, larger than the engine reads (MaxFileSize="
            f"{limits.max_file_size})"
        )
    finding = inspect(fobj, size, head, limits)
    if finding is None:
        return None, ""
    return finding.reason, finding.detail


def precheck_fd(fd: int, size: int, head: bytes, limits: Limits) -> tuple[Reason | None, str]:
    """:func:`precheck` on an open file whose first bytes (``head``) are already read: a file
    that fits in them is judged from them alone, a larger one through its descriptor (pread:
    the engine may be reading the same descriptor at the same time)."""
    if size <= len(head) or size > limits.max_file_size:
        return precheck(None, size, head, limits)  # the head is all that is looked at
    reader = io.BufferedReader(FdReader(fd, size), buffer_size=65536)
    return precheck(reader, size, head, limits)


def judge_fd(
    scan: ScanFn, fd: int, path: str, size: int, head: bytes, limits: Limits
) -> EngineAnswer:
    """The verdict for an open file; ``head`` is its first bytes (already read)."""
    reason, detail = precheck_fd(fd, size, head, limits)
    if size > limits.max_file_size:
        # Not sent: the engine would read part of it and could answer "OK".
        assert reason is not None
        return not_scanned(reason, detail)
    return combine(scan(fd, path, size), reason, detail)
