"""Patient data and mail: MSSanté addresses, free-webmail detection, the guard relay.

Public surface (what the CLI, the web dashboard and the audit import)::

    settings_from(config, ...) -> RelaySettings     # [mail.relay] + command line, validated
    GuardRelay(settings, ...)                        # start()/stop(), or run_forever()
    decide(rcpts, raw, ...) -> Verdict               # the decision for one message
    check_upstream(settings, password) -> UpstreamCheck   # connect once, say why not
    Quarantine(quarantine_folder())                  # items(), get(), open(), delete()
    release(quarantine, id, settings, password)      # send a kept message (after confirmation)
    purge_quarantine(quarantine, ids=, older_than_days=)
"""

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
