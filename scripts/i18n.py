#!/usr/bin/env python3
"""Check or update the English translations of hygie.

python scripts/i18n.py --check            # list French strings without English (exit 1)
python scripts/i18n.py --update FILE.po   # append the missing ones to FILE.po (to fill in)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from hygie.i18n import LOCALE_DIR
from hygie.i18n_extract import Message, placeholders, source_messages


def english_catalog() -> dict[str, object]:
    merged: dict[str, object] = {}
    for po in sorted((LOCALE_DIR / "en").glob("*.po")):
        with po.open("rb") as fh:
            for msg in read_po(fh, locale="en"):
                if msg.id and not msg.fuzzy:
                    key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
                    merged[str(key)] = msg.string
    return merged


def problems() -> list[tuple[Message, str]]:
    en = english_catalog()
    out = []
    seen: set[str] = set()
    for m in source_messages():
        if m.msgid in seen:
            continue
        seen.add(m.msgid)
        tr = en.get(m.msgid)
        if not tr or (isinstance(tr, tuple) and not all(tr)):
            out.append((m, "missing"))
            continue
        first = tr[0] if isinstance(tr, tuple) else str(tr)
        if placeholders(m.msgid) != placeholders(str(first)):
            out.append((m, "placeholders differ"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--update", type=Path)
    args = ap.parse_args()
    found = problems()
    if args.update:
        path: Path = args.update
        if path.exists():
            with path.open("rb") as fh:
                cat = read_po(fh, locale="en")
        else:
            cat = Catalog(locale="en", project="hygie", charset="UTF-8")
        for m, _why in found:
            if m.msgid not in cat:
                cat.add((m.msgid, m.plural) if m.plural else m.msgid, locations=[(m.where, 0)])
        with path.open("wb") as fh:
            write_po(fh, cat, width=100, omit_header=False, sort_output=False, no_location=True)
        print(f"{len(found)} message(s) to translate appended to {path}")
        return 0
    for m, why in found:
        print(f"{m.where}: {why}: {m.msgid[:90]!r}")
    print(f"{len(found)} problem(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
