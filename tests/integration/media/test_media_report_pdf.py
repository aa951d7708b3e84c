"""The station's report (from a real run with a real clamd) prints to PDF through Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hygie.media.canaries import eicar_bytes
from hygie.media.clamd_engine import ClamdEngine as Engine
from hygie.media.station import render_html, station_copy
from hygie.render import pdf as pdf_mod

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium not installed"),
]


@pytest.mark.parametrize("pdf_engine", ["browser", "weasyprint"])
def test_station_report_as_pdf(
    pdf_engine: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "key"
    deep = key / ("Dossier-des-transmissions-de-la-tournee-du-matin-" * 3)
    deep.mkdir(parents=True)
    (deep / "notes.txt").write_text("liste de courses\n")
    (key / "virus.pdf").write_bytes(eicar_bytes())
    run = station_copy(str(key), str(tmp_path / "dst"), engine, workers=1)
    monkeypatch.setenv(pdf_mod.ENGINE_ENV, pdf_engine)
    out = pdf_mod.write_pdf(render_html(run.to_dict()), tmp_path / "station.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Rapport de la station blanche hygie" in text
    joined = "".join(text.split())  # table cells wrap
    assert "virus.pdf" in joined and "Hygie.Test.EICAR" in joined, text
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    import re

    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))  # type: ignore[union-attr]
    xmax = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', bbox))
    assert width < 600  # A4 (595 pt), not Letter
    assert xmax <= width - 30  # the long folder name wraps inside the page
