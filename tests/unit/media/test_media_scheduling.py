"""How the scanner schedules files on a pipelined engine: what goes first, how answers are
taken. A scripted pipeline on a virtual clock stands for the engine (the real clamd session
is in test_media_pipeline.py and the integration tests): answers come one every
``spacing`` seconds of virtual time, and the scanner's waits move that clock, so the counts
below do not depend on how fast or loaded this machine is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hygie.media import scanner
from hygie.media.engines import Limits
from hygie.media.verdicts import CLEAN, EngineAnswer, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class ScriptedPipeline:
    """An engine that answers its files in the order sent, one every ``spacing`` seconds."""

    def __init__(self, clock: Clock, spacing: float) -> None:
        self.clock = clock
        self.spacing = spacing
        self.queue: list[tuple[float, int]] = []  # (ready at, key)
        self.sent_sizes: list[int] = []
        self.wakeups = 0  # collect calls that returned answers
        self.blocking = 0  # collect(True) calls

    @property
    def in_flight(self) -> int:
        return len(self.queue)

    def submit(self, fd: int, key: int) -> None:
        import os

        self.sent_sizes.append(os.fstat(fd).st_size)
        start = max(self.clock.now, self.queue[-1][0] if self.queue else 0.0)
        self.queue.append((start + self.spacing, key))

    def collect(self, wait: bool) -> list[tuple[int, EngineAnswer]]:
        if wait:
            self.blocking += 1
            if self.queue and self.queue[0][0] > self.clock.now:
                self.clock.now = self.queue[0][0]  # blocks until the next answer
        ready = [key for at, key in self.queue if at <= self.clock.now]
        self.queue = self.queue[len(ready) :]
        if ready:
            self.wakeups += 1
        return [(key, CLEAN) for key in ready]

    def close(self) -> None:
        pass


class ScriptedEngine:
    kind = "scripted"
    info = None
    configurable_alerts = True
    limits = Limits()

    def __init__(self, pipe: ScriptedPipeline) -> None:
        self.pipe = pipe

    def pipeline(self) -> ScriptedPipeline:
        return self.pipe

    def alive(self) -> bool:
        return True

    def describe(self) -> dict[str, Any]:
        return {"engine": self.kind}


def _scan(
    monkeypatch: pytest.MonkeyPatch, key: Path, spacing: float, depth: int
) -> tuple[scanner.ScanRun, ScriptedPipeline]:
    clock = Clock()
    monkeypatch.setattr(scanner.time, "sleep", clock.sleep)
    pipe = ScriptedPipeline(clock, spacing)
    run = scanner.scan_paths([str(key)], ScriptedEngine(pipe), workers=depth)  # type: ignore[arg-type]
    return run, pipe


def _notes(key: Path, n: int) -> None:
    key.mkdir()
    for i in range(n):
        (key / f"n{i:04d}.txt").write_bytes(b"note %d" % i)


def test_a_deep_pipeline_takes_answers_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One wake-up takes the answers of a short wait, not one answer: at one answer every
    0.1 ms, about BATCH_WAIT_S / 0.1 ms of them (the client's CPU on tiny files was mostly
    these wake-ups)."""
    _notes(tmp_path / "key", 2000)
    run, pipe = _scan(monkeypatch, tmp_path / "key", spacing=0.0001, depth=128)
    assert run.counts == {"clean": 2000, "infected": 0, "not_scanned": 0}
    per_wakeup = 2000 / pipe.wakeups
    assert per_wakeup >= 0.5 * scanner.BATCH_WAIT_S / 0.0001, (pipe.wakeups, pipe.blocking)
    assert pipe.blocking < 10  # the engine had answered by the end of each wait


def test_a_shallow_pipeline_waits_for_each_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below BATCH_MIN_DEPTH a wait could leave the engine with nothing to do: no batching."""
    _notes(tmp_path / "key", 200)
    run, pipe = _scan(monkeypatch, tmp_path / "key", spacing=0.0001, depth=4)
    assert run.counts["clean"] == 200
    assert pipe.blocking >= 200 - 4


def test_slow_answers_are_still_waited_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers slower than the batch wait (big files): the scanner blocks for them; every file
    gets its answer."""
    _notes(tmp_path / "key", 300)
    run, pipe = _scan(monkeypatch, tmp_path / "key", spacing=0.05, depth=64)
    assert run.counts == {"clean": 300, "infected": 0, "not_scanned": 0}
    assert pipe.blocking > 0


def test_big_files_go_first_largest_first_then_the_rest_in_walk_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "key"
    key.mkdir()
    sizes = {"a-small.txt": 10, "b-big.bin": scanner.BIG_FILE + 5, "c-small.txt": 30,
             "d-bigger.bin": 2 * scanner.BIG_FILE, "e-small.txt": 20}  # fmt: skip
    for name, size in sizes.items():
        (key / name).write_bytes(b"x" * size)
    run, pipe = _scan(monkeypatch, key, spacing=0.0001, depth=128)
    assert pipe.sent_sizes == [2 * scanner.BIG_FILE, scanner.BIG_FILE + 5, 10, 30, 20]
    assert [f.rel for f in run.files] == sorted(sizes)  # results in the walk's order
    assert {f.verdict for f in run.files} == {Verdict.CLEAN}
