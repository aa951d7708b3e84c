"""Patient data and mail: MSSanté addresses, free-webmail detection, the guard relay.

Public surface (what the CLI, the web dashboard and the audit import)::

    settings_from(config, ...) -> RelaySettings     # [mail.relay] + command line, validated
    GuardRelay(settings, ...)                        # start()/stop(), or run_forever()
    decide(rcpts, raw, ...) -> Verdict               # the decision for one message
"""

from hygie.mail.relay import (
    DECISIONS,
    SECRET_CLIENT,
    SECRET_UPSTREAM,
    GuardRelay,
    RelaySettings,
    Verdict,
    decide,
    run_forever,
    settings_from,
)

__all__ = [
    "DECISIONS",
    "SECRET_CLIENT",
    "SECRET_UPSTREAM",
    "GuardRelay",
    "RelaySettings",
    "Verdict",
    "decide",
    "run_forever",
    "settings_from",
]
