"""Patient data and mail: MSSanté addresses, free-webmail detection, the guard relay.

Public surface (what the CLI, the web dashboard and the audit import)::

    settings_from(config, ...) -> RelaySettings     # [mail.relay] + command line, validated
    GuardRelay(settings, ...)                        # start()/stop(), or run_forever()
    decide(rcpts, raw, ...) -> Verdict               # the decision for one message
    check_upstream(settings, password) -> UpstreamCheck   # connect once, say why not
    Quarantine(quarantine_folder())                  # items(), get(), open(), delete()
    release(quarantine, id, settings, password)      # send a kept message (after confirmation)
    purge_quarantine(quarantine, ids=, older_than_days=)
    classify_all(addresses) / patient_address(nir)   # MSSanté / webmail / patient addresses
    run_exposure(...) -> ExposureResult; render_lines(result)   # patient data already sent
    relay_counts(days) -> dict                        # the relay's counters
"""

from hygie.mail.addresses import AddressInfo, classify_all, patient_address
from hygie.mail.exposure import ExposureResult, render_lines, run_exposure
from hygie.mail.relay import (
    DECISIONS,
    REASONS,
    SECRET_CLIENT,
    SECRET_UPSTREAM,
    GuardRelay,
    Quarantine,
    QuarantineItem,
    RelaySettings,
    ShownFinding,
    UpstreamCheck,
    Verdict,
    check_upstream,
    decide,
    purge_quarantine,
    quarantine_folder,
    release,
    run_forever,
    settings_from,
    shown_headers,
)
from hygie.mail.store import relay_counts

__all__ = [
    "DECISIONS",
    "REASONS",
    "SECRET_CLIENT",
    "SECRET_UPSTREAM",
    "AddressInfo",
    "ExposureResult",
    "GuardRelay",
    "Quarantine",
    "QuarantineItem",
    "RelaySettings",
    "ShownFinding",
    "UpstreamCheck",
    "Verdict",
    "check_upstream",
    "classify_all",
    "decide",
    "patient_address",
    "purge_quarantine",
    "quarantine_folder",
    "relay_counts",
    "release",
    "render_lines",
    "run_exposure",
    "run_forever",
    "settings_from",
    "shown_headers",
]
