"""The real Linux providers on this machine: every fact comes back, none crashes."""

from __future__ import annotations

import pytest

from hygie.audit import registry, runner
from hygie.audit.context import ProbeContext
from hygie.audit.model import FactState
from hygie.platform import current

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(current() != "linux", reason="Linux probes"),
]


def test_real_linux_providers_answer_every_fact() -> None:
    providers = registry.providers_for("linux")
    wanted = {k for p in providers for k in p.facts}
    assert len(wanted) >= 19
    collection = runner.collect_facts(ProbeContext(platform="linux"), wanted)
    assert set(collection.facts) == wanted
    for key, fact in collection.facts.items():
        assert fact.state in set(FactState), key
        if not fact.is_known:
            assert fact.reason.strip(), key
        assert "erreur de la sonde" not in fact.reason, (key, fact.reason)
        assert "trop de temps" not in fact.reason, (key, fact.reason)
    # facts that need nothing but readable system files are always known here
    for key in ("os.support", "user.is_admin", "mail.webmail_accounts"):
        assert collection.facts[key].is_known, collection.facts[key]
