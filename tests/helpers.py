"""Test helpers: replay recorded command outputs through hygie.proc."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from hygie.proc import Completed

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(*parts: str) -> str:
    """Read tests/fixtures/<parts...> as text (recorded outputs keep their encoding: UTF-8)."""
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


class ReplayRunner:
    """A fake runner for :func:`hygie.proc.use_runner`.

    ``outputs`` maps the program name (argv[0]) or the whole argv joined by spaces to a
    :class:`Completed`-like triple (stdout, returncode, stderr) or to None (program missing).
    Every call is recorded in ``calls``.
    """

    def __init__(self, outputs: Mapping[str, tuple[str, int, str] | str | None]) -> None:
        self.outputs = dict(outputs)
        self.calls: list[tuple[str, ...]] = []

    def __call__(
        self,
        args: Sequence[str],
        timeout: float,
        env: Mapping[str, str] | None,
        stdin: str | None,
    ) -> Completed:
        argv = tuple(str(a) for a in args)
        self.calls.append(argv)
        if argv and argv[0] == "__which__":
            name = argv[1]
            present = name in self.outputs and self.outputs[name] is not None
            return Completed(argv, 0, f"/usr/bin/{name}\n" if present else "")
        key = " ".join(argv)
        spec = self.outputs.get(key, self.outputs.get(argv[0] if argv else "", None))
        if key not in self.outputs and (not argv or argv[0] not in self.outputs):
            return Completed(argv, None, missing=True)
        if spec is None:
            return Completed(argv, None, missing=True)
        if isinstance(spec, str):
            return Completed(argv, 0, spec, "")
        out, rc, err = spec
        return Completed(argv, rc, out, err)


def measure_ids() -> list[str]:
    """The catalogue's measure ids (M01..Mnn), from its YAML files: never a hard-coded count."""
    from hygie.audit.catalogue import CATALOGUE_DIR

    return sorted(p.stem for p in CATALOGUE_DIR.glob("M*.yaml"))
