"""Helpers of the media unit tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hygie.proc import Completed


class NoTools:
    """A runner for which no program is installed."""

    def __call__(
        self, args: Sequence[str], timeout: float, env: Mapping[str, str] | None, stdin: str | None
    ) -> Completed:
        return Completed(tuple(args), None, missing=True)
