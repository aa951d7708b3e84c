"""PDFs as real software writes them (WeasyPrint: embedded subset fonts, tables, narrow
no-break spaces, text split across lines), not only our minimal writer."""

from __future__ import annotations

import pytest
from tests.id_helpers import with_key

from hygie.render.pdf import html_to_pdf
from hygie.scan import scan_bytes

NIR = with_key("1691299350123")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    groups = [NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]]
    spaced = "\u202f".join(groups)
    html = f"""<html><head><meta charset="utf-8"><style>
      td {{ border: 1px solid #000; padding: 2px; }} .n {{ width: 3cm; }}
    </style></head><body>
    <h1>Transmissions — tournée du matin</h1>
    <table><tr><th>Patient</th><th>N° sécurité sociale</th><th>Soins</th></tr>
    <tr><td>M. Bernard</td><td class="n">{spaced}</td>
        <td>pansement, Lovenox</td></tr></table>
    <p>Commande fournisseur n° 185037511600127 — facture à régler.</p>
    </body></html>"""
    return html_to_pdf(html)


def test_weasyprint_pdf_with_a_nir_in_a_narrow_table_cell(pdf: bytes) -> None:
    r = scan_bytes(pdf, "transmissions.pdf")
    assert r.verdict == "found", r
    nirs = [f for f in r.findings if f.type == "FR_NIR"]
    assert len(nirs) == 1  # the order number next to "Commande" is not a NIR
    assert NIR not in repr(r.to_dict())


def test_weasyprint_pdf_with_a_nir_wrapped_over_several_lines() -> None:
    nir = with_key("2691299350123")
    groups = [nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]]
    pdf = html_to_pdf(
        '<html><head><meta charset="utf-8"></head><body><table><tr><td>Patiente</td>'
        f'<td style="width:1.2cm">{" ".join(groups)}</td></tr></table></body></html>'
    )
    r = scan_bytes(pdf, "etiquette.pdf")
    assert r.counts().get("FR_NIR") == 1, r
