"""Why a part could not be read: one stable code per reason, with its French text.

The codes are part of :mod:`hygie.scan`'s typed API (``ScanResult.unscannable_code``): the
relay and the dashboard branch on them, never on the (translated) text. The table is also the
list printed in docs/explanation/scan-confidence.md ("what stays unscannable").
"""

from __future__ import annotations

from hygie.i18n import N_

#: code -> French text (a gettext msgid: translate with ``_()`` when showing it).
REASONS: dict[str, str] = {
    "timeout": N_("délai d'analyse dépassé"),
    "encrypted": N_("contenu chiffré (PGP ou S/MIME)"),
    "password": N_("document protégé par un mot de passe"),
    "pdf_encrypted": N_("PDF chiffré (protégé par un mot de passe)"),
    "pdf_damaged": N_("PDF endommagé ou illisible"),
    "legacy_office": N_("ancien format Office ou document chiffré (non lisible)"),
    "outlook_msg": N_("message Outlook (.msg) : format non lisible"),
    "mbox_empty": N_("boîte mbox vide ou illisible"),
    "unknown_format": N_("format de fichier inconnu"),
    "binary": N_("format binaire inconnu"),
    "text_encoding": N_("encodage du texte non reconnu"),
    "binary_in_text": N_("texte contenant des données binaires"),
    "zip_damaged": N_("archive ZIP endommagée"),
    "zip_too_big": N_("document trop volumineux une fois décompressé"),
    "xml_forbidden": N_("document XML avec déclarations interdites"),
    "xml_damaged": N_("document XML endommagé"),
    "docx_incomplete": N_("document Word incomplet"),
    "xlsx_incomplete": N_("classeur Excel incomplet"),
    "odf_incomplete": N_("document OpenDocument incomplet"),
    "rtf_damaged": N_("document RTF illisible"),
    "archive_unsupported": N_("archive compressée d'un type non lu (7z, rar…)"),
    "ocr_unavailable": N_("image : lecture optique non disponible"),
    "ocr_failed": N_("image : la lecture optique a échoué"),
    "scanned_page_no_ocr": N_("page scannée (image sans texte) : lecture optique non disponible"),
    "part_unreadable": N_("partie du message illisible"),
    "base64_damaged": N_("pièce encodée en base64 endommagée"),
    "too_deep": N_("trop de messages ou d'archives imbriqués"),
    "mime_malformed": N_("message électronique mal formé"),
    "mime_structure": N_("structure MIME mal formée"),
    "mime_ambiguous": N_(
        "en-têtes MIME ambigus (Content-Type ou Content-Transfer-Encoding en double)"
    ),
    "empty": N_("document vide"),
    "scan_error": N_("erreur pendant la lecture de cette partie (détail dans le journal)"),
    "too_large": N_("fichier trop volumineux pour être analysé"),
    "unreadable_file": N_("fichier illisible"),
    "not_regular_file": N_(
        "n'est pas un fichier ordinaire (tube, socket, périphérique) : non ouvert"
    ),
    "unreadable_folder": N_("dossier illisible (droits insuffisants)"),
    "link_not_followed": N_("lien symbolique : non suivi (analysez sa cible directement)"),
}


def reason_text(code: str) -> str:
    """The French text of ``code`` (an unknown code is a programming error)."""
    return REASONS[code]
