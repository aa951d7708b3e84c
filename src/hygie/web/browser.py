"""How hygie's browser tests, screenshots and benchmark drive Debian's Chromium.

Never ``playwright install`` (it downloads a browser): Playwright launches the system Chromium
with these flags, which also keep it from calling out to the network.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
