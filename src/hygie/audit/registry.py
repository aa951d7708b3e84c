"""Registries of fact providers and checks.

A *provider* produces facts: an OS probe (``kind="probe"``, in ``hygie.audit.probes.<os>``) or a
capability's state (``kind="state"``, e.g. ``hygie.backup.facts``). A *check* is a pure
function from facts to an :class:`Outcome`. Both register with a decorator; the modules that
hold them are listed in :data:`PROVIDER_MODULES` and :data:`CHECK_MODULES` and imported once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from hygie.audit.context import ProbeContext
from hygie.audit.model import Fact, FactState, Outcome
from hygie.platform import ALL_PLATFORMS, current

# Modules whose import registers providers and checks. A capability adds its module here.
# The OS probes come from the current platform's module only (see :func:`load`): importing
# another OS's probes is for tests that replay that OS.
PROVIDER_MODULES: tuple[str, ...] = (
    "hygie.backup.facts",
    "hygie.incident.facts",
    "hygie.mail.facts",
    "hygie.media.facts",
)
CHECK_MODULES: tuple[str, ...] = (
    "hygie.audit.checks",
    "hygie.backup.checks",
    "hygie.incident.checks",
    "hygie.mail.checks",
    "hygie.media.checks",
)


def probe_module(name: str | None = None) -> str:
    """The module that registers the audit probes of ``name`` (default: the current OS)."""
    return f"hygie.audit.probes.{name or current()}"


ProviderFn = Callable[[ProbeContext], Iterable[Fact]]


@dataclass(frozen=True)
class Provider:
    name: str
    facts: tuple[str, ...]
    platforms: frozenset[str]
    kind: str  # "probe" (reads the OS) or "state" (reads a capability's recorded state)
    fn: ProviderFn
    timeout_s: float


class Facts(Mapping[str, Fact]):
    """The facts a check may read, with small typed accessors."""

    def __init__(self, facts: Mapping[str, Fact]) -> None:
        self._facts = dict(facts)

    def __getitem__(self, key: str) -> Fact:
        try:
            return self._facts[key]
        except KeyError:
            return Fact.unknown(key, "aucune source pour cette information")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def value(self, key: str) -> object:
        return self[key].value

    def known(self, key: str) -> bool:
        return self[key].state is FactState.KNOWN


CheckFn = Callable[[Facts], Outcome]


@dataclass(frozen=True)
class Check:
    check_id: str
    facts: tuple[str, ...]
    fn: CheckFn
    handles_unknown: bool


_providers: dict[str, Provider] = {}
_checks: dict[str, Check] = {}
_loaded = False


def provider(
    name: str,
    *,
    facts: Iterable[str],
    platforms: Iterable[str] = ALL_PLATFORMS,
    kind: str = "probe",
    timeout_s: float = 3.0,
) -> Callable[[ProviderFn], ProviderFn]:
    """Register a function that returns the facts it names (any it does not return are unknown)."""

    def deco(fn: ProviderFn) -> ProviderFn:
        if name in _providers and _providers[name].fn is not fn:
            raise ValueError(f"provider {name!r} registered twice")
        _providers[name] = Provider(name, tuple(facts), frozenset(platforms), kind, fn, timeout_s)
        return fn

    return deco


def check(
    check_id: str, *, facts: Iterable[str], handles_unknown: bool = False
) -> Callable[[CheckFn], CheckFn]:
    """Register a pure check. Unless ``handles_unknown``, an unknown or not-applicable fact
    makes the check unknown / not applicable with that fact's reason, without calling it."""

    def deco(fn: CheckFn) -> CheckFn:
        if check_id in _checks and _checks[check_id].fn is not fn:
            raise ValueError(f"check {check_id!r} registered twice")
        _checks[check_id] = Check(check_id, tuple(facts), fn, handles_unknown)
        return fn

    return deco


def load() -> None:
    global _loaded
    if _loaded:
        return
    for mod in (probe_module(), *PROVIDER_MODULES, *CHECK_MODULES):
        importlib.import_module(mod)
    _loaded = True


def providers() -> dict[str, Provider]:
    load()
    return dict(_providers)


def checks() -> dict[str, Check]:
    load()
    return dict(_checks)


def providers_for(platform: str) -> list[Provider]:
    return [p for p in providers().values() if platform in p.platforms]
