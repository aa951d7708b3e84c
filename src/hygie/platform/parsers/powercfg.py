"""``powercfg /query SCHEME_CURRENT <SUB> <SETTING>`` (pure, any display language).

The last two ``0x…`` values of the output are the current AC (mains) and DC (battery)
indexes, in that order, whatever the labels' language.
"""

from __future__ import annotations

import re

_HEX = re.compile(r":\s*(0x[0-9a-fA-F]+)\s*$")


def parse_powercfg_indexes(text: str) -> tuple[int, int] | None:
    values = [int(m.group(1), 16) for line in text.splitlines() if (m := _HEX.search(line))]
    if len(values) < 2:
        return None
    return values[-2], values[-1]
