"""The shipped webmail list is documented, and matching handles sub-domains and look-alikes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hygie.mail.webmail import is_webmail_domain, webmail_domains

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "mail-webmail-list.md"


def test_every_listed_domain_is_documented_and_vice_versa() -> None:
    documented = set(re.findall(r"^\| `([^`]+)` \|$", DOC.read_text(encoding="utf-8"), re.M))
    assert documented == set(webmail_domains())


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("gmail.com", True),
        ("smtp.gmail.com", True),
        ("GMAIL.COM.", True),
        ("orange.fr", True),
        ("gmail.com.example.org", False),
        ("notgmail.com", False),
        ("mssante.fr", False),
        ("cabinet-infirmier.fr", False),
    ],
)
def test_is_webmail_domain(domain: str, expected: bool) -> None:
    assert is_webmail_domain(domain) is expected
