"""SMTP reply text: one enhanced status code, ASCII, identifiers of the upstream's text masked."""

from __future__ import annotations

import pytest

from hygie.mail.relay.replies import smtp_reply, upstream_enhanced, upstream_text
from hygie.mail.relay.upstream import _shown
from tests.mailtools import VALID_NIR


@pytest.mark.parametrize(
    ("resp", "default", "expected"),
    [
        (b"2.0.0 queued as 4F3", "2.0.0", "2.0.0"),
        (b"2.6.0 Ok: queued", "2.0.0", "2.6.0"),
        (b"queued", "2.0.0", "2.0.0"),
        (b"5.1.1 <x@y.fr>: unknown user", "5.0.0", "5.1.1"),
        (b"4.7.0 greylisted", "5.0.0", "5.0.0"),  # wrong class: ours
        (b"  5.7.1   refused", "5.0.0", "5.7.1"),
    ],
)
def test_one_enhanced_code(resp: bytes, default: str, expected: str) -> None:
    assert upstream_enhanced(resp, default) == expected
    text = upstream_text(resp)
    assert not text[:1].isdigit() or not text.startswith(expected)


def test_upstream_text_is_one_ascii_line_without_its_code() -> None:
    assert upstream_text("2.0.0 Mis en file\r\n d'attente é") == "Mis en file d'attente e"
    assert smtp_reply(451, "4.4.1", "Réessayez « plus tard »") == '451 4.4.1 Reessayez "plus tard"'


def test_upstream_refusal_quoting_a_patient_address_is_masked() -> None:
    resp = f"5.1.1 <{VALID_NIR}@patient.mssante.fr>: Recipient address rejected".encode()
    shown = _shown(resp)
    assert VALID_NIR not in shown and VALID_NIR[:13] not in shown
    assert shown.startswith("<28") and "Recipient address rejected" in shown
