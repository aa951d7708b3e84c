"""Optional OCR of images and scanned PDF pages through Debian's ``tesseract`` (French data).

Only used when ``tesseract`` is installed with the ``fra`` language (``apt install
tesseract-ocr tesseract-ocr-fra``) and ``HYGIE_SCAN_OCR`` is not ``off``. OCR can only
*find* patient data: an image read by OCR where nothing was found stays "not scannable"
(OCR misreads digits; a missed NIR must not turn into "clean").

The image is written to a private temporary folder (0700) for the time of the call and
removed; tesseract runs through :func:`hygie.proc.run` with a timeout, never a shell.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from hygie import proc

OCR_TIMEOUT_S = 30.0


@functools.cache
def _has_french() -> bool:
    if proc.which("tesseract") is None:
        return False
    r = proc.run(["tesseract", "--list-langs"], timeout=10.0)
    return r.ok and "fra" in (r.stdout + r.stderr).split()


def available() -> bool:
    """tesseract with French data is installed and OCR is not switched off."""
    if os.environ.get("HYGIE_SCAN_OCR", "").lower() in ("off", "0", "no", "non"):
        return False
    return _has_french()


def ocr_image(data: bytes, suffix: str, timeout_s: float) -> str | None:
    """The text tesseract reads in an image (PNG, JPEG, TIFF, BMP, GIF, PGM), or None."""
    with tempfile.TemporaryDirectory(prefix="hygie-ocr-") as tmp:
        path = Path(tmp) / f"image{suffix}"
        path.write_bytes(data)
        path.chmod(0o600)
        r = proc.run(
            ["tesseract", str(path), "stdout", "-l", "fra", "--psm", "3"],
            timeout=max(1.0, min(timeout_s, OCR_TIMEOUT_S)),
        )
    if not r.ok:
        return None
    return r.stdout


def pgm(width: int, height: int, stride: int, gray: bytes) -> bytes:
    """A binary PGM (P5) image from an 8-bit grayscale buffer with row stride."""
    rows = b"".join(gray[y * stride : y * stride + width] for y in range(height))
    return b"P5\n%d %d\n255\n" % (width, height) + rows
