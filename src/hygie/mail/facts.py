"""What the mail capability tells the audit (M04): recorded counts, never content.

* ``mail.exposure_sent_patient_data``: messages of the last 12 months sent outside MSSanté with
  patient data (from the last ``hygie mail exposure``), with ``mail.exposure_messages_examined``
  and ``mail.exposure_scanned_at``;
* ``mail.relay_in_use``: the guard relay handled mail in the last 30 days, with
  ``mail.relay_blocked_30d`` (messages it refused or quarantined for patient data).
"""

from __future__ import annotations

from collections.abc import Iterable

from hygie.audit import Fact, ProbeContext, provider
from hygie.i18n import _

EXPOSURE_FACTS = (
    "mail.exposure_sent_patient_data",
    "mail.exposure_messages_examined",
    "mail.exposure_scanned_at",
)
RELAY_FACTS = ("mail.relay_in_use", "mail.relay_blocked_30d")
SOURCE = "hygie mail"
BLOCKING = ("rejected_patient_data", "quarantined")


@provider("mail.state", facts=(*EXPOSURE_FACTS, *RELAY_FACTS), kind="state")
def mail_state(ctx: ProbeContext) -> Iterable[Fact]:
    from hygie.mail.store import load_exposure, relay_counts

    exposure = load_exposure()
    if exposure is None:
        reason = _("pas encore examiné : lancez « hygie mail exposure »")
        for key in EXPOSURE_FACTS:
            yield Fact.unknown(key, reason, SOURCE)
    else:
        yield Fact.known(
            "mail.exposure_sent_patient_data",
            int(exposure.get("sent_patient_data_non_mssante", 0)),
            SOURCE,
        )
        yield Fact.known(
            "mail.exposure_messages_examined", int(exposure.get("messages_in_period", 0)), SOURCE
        )
        yield Fact.known("mail.exposure_scanned_at", str(exposure.get("scanned_at", "")), SOURCE)
    counts = relay_counts(30, today=ctx.now.date())
    yield Fact.known("mail.relay_in_use", counts["total"] > 0, SOURCE)
    yield Fact.known(
        "mail.relay_blocked_30d", sum(counts["by_decision"].get(d, 0) for d in BLOCKING), SOURCE
    )
