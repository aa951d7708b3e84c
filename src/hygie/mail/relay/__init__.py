"""The guard relay: a local SMTP submission server that stops patient data on its way out.

Rooms: :mod:`.settings` (config and validation), :mod:`.decide` (the decision for one
message), :mod:`.replies` (SMTP reply text), :mod:`.upstream` (connections to the real SMTP
server and their diagnostics), :mod:`.stats` (counts), :mod:`.server` (the SMTP side).
The public surface is re-exported by :mod:`hygie.mail`.
"""

from hygie.mail.relay.decide import DECISIONS, Verdict, decide
from hygie.mail.relay.quarantine import (
    Quarantine,
    QuarantineItem,
    ShownFinding,
    release,
    shown_headers,
)
from hygie.mail.relay.quarantine import default_folder as quarantine_folder
from hygie.mail.relay.quarantine import purge as purge_quarantine
from hygie.mail.relay.server import GuardRelay, run_forever
from hygie.mail.relay.settings import (
    SECRET_CLIENT,
    SECRET_UPSTREAM,
    RelaySettings,
    settings_from,
)
from hygie.mail.relay.upstream import REASONS, UpstreamCheck, check_upstream

__all__ = [
    "DECISIONS",
    "REASONS",
    "SECRET_CLIENT",
    "SECRET_UPSTREAM",
    "GuardRelay",
    "Quarantine",
    "QuarantineItem",
    "RelaySettings",
    "ShownFinding",
    "UpstreamCheck",
    "Verdict",
    "check_upstream",
    "decide",
    "purge_quarantine",
    "quarantine_folder",
    "release",
    "run_forever",
    "settings_from",
    "shown_headers",
]
