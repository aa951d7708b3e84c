"""Windows probes: commands run through :mod:`hygie.proc`, parsed by pure parsers tested on
recorded outputs (tests/fixtures/cmd/windows/)."""

from __future__ import annotations
