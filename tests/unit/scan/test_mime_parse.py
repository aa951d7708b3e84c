"""hygie's parse of a message (header objects made once) reads exactly what the standard
library's ``email.policy.default`` reads, and keeps nothing between messages."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from typing import Any

import pytest
from tests.clean_mail_corpus import generate
from tests.mailtools import VALID_NIR, make_message
from tests.unit.mail.test_relay_decide import MALFORMED

from hygie.scan.mime import _HEADER_CLASSES, parse_email


def _view(msg: Message) -> list[Any]:
    """Everything the scanner asks of each part, and every header with its defects."""
    out: list[Any] = [[type(d).__name__ for d in msg.defects]]
    for part in msg.walk():
        out.append(
            (
                part.get_content_type(),
                part.get_filename(),
                part.get_content_charset(),
                part.get_content_disposition(),
                part.get_params(),
                str(part.get("Content-Transfer-Encoding", "")),
                part.is_multipart(),
                part.preamble,
                part.epilogue,
                [type(d).__name__ for d in part.defects],
                [(k, str(v), [type(d).__name__ for d in v.defects]) for k, v in part.items()],
            )
        )
    return out


MESSAGES = [
    *[(f"malformed:{k}", v) for k, v in sorted(MALFORMED.items()) if v],
    *[(f"clean:{k}", v) for k, v in generate(30, seed=11)],
    (
        "attachment",
        make_message(attachment=(f"scan_{VALID_NIR}.pdf", b"%PDF-1.4 x"), body="Bonjour"),
    ),
]


@pytest.mark.parametrize(("name", "raw"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_parse_reads_what_the_standard_policy_reads(name: str, raw: bytes) -> None:
    ours = parse_email(raw)
    stdlib = email.message_from_bytes(raw, policy=email.policy.default)
    assert _view(ours) == _view(stdlib), name


def test_header_classes_do_not_grow_with_header_names() -> None:
    parse_email(make_message())  # the common classes are made
    before = len(_HEADER_CLASSES)
    head = "".join(f"X-Champ-{i}: valeur {i}\r\n" for i in range(300))
    msg = parse_email(head.encode() + make_message())
    assert len([k for k in msg if k.startswith("X-Champ-")]) == 300
    for key in msg:
        msg.get(key)  # every header object is made
    assert len(_HEADER_CLASSES) <= before + 1  # at most the default class, once
    assert len(_HEADER_CLASSES) < 40


def test_header_objects_are_made_once_per_message_not_shared_between_messages() -> None:
    a = parse_email(make_message())
    assert a.get("Content-Type") is a.get("Content-Type")  # made once, then the same
    b = parse_email(make_message())
    assert a.get("Content-Type") is not b.get("Content-Type")  # no cache across messages
