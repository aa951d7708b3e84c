"""Patient data and mail: MSSanté addresses, free-webmail detection, the guard relay.

Public surface (what the CLI, the web dashboard and the audit import)::

    settings_from(config, ...) -> RelaySettings     # [mail.relay] + command line, validated
    GuardRelay(settings, ...)                        # start()/stop(), or run_forever()
    decide(rcpts, raw, ...) -> Verdict               # the decision for one message
    check_upstream(settings, password) -> UpstreamCheck   # connect once, say why not
"""

from hygie.mail.relay import (
    DECISIONS,
    REASONS,
    SECRET_CLIENT,
    SECRET_UPSTREAM,
    GuardRelay,
    RelaySettings,
    UpstreamCheck,
    Verdict,
    check_upstream,
    decide,
    run_forever,
    settings_from,
)

__all__ = [
    "DECISIONS",
    "REASONS",
    "SECRET_CLIENT",
    "SECRET_UPSTREAM",
    "GuardRelay",
    "RelaySettings",
    "UpstreamCheck",
    "Verdict",
    "check_upstream",
    "decide",
    "run_forever",
    "settings_from",
]
