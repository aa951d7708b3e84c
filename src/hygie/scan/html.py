"""Text of an HTML document or mail part, through a real HTML5 parser (lexbor, by
selectolax): what a browser or a mail client shows, and what it hides but still sends.

Read: every text node (hidden elements too: ``display:none`` text still leaves the practice),
comments, script and style bodies, ``<title>`` and the rest of ``<head>`` (a ``<head>``
without ``</head>`` is valid HTML5), the ``alt``/``title``/``aria-label``/``placeholder``/
``value``/``content``/``label`` attributes and ``mailto:``/``tel:`` links. Blocks are separated
by line breaks and table cells by tabs, so digits split across blocks are joined by the
recognizers' separators; entities such as ``&#8203;`` are decoded by the parser and removed
by :mod:`hygie.identifiers.normalize`.
"""

from __future__ import annotations

from urllib.parse import unquote

_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "title",
        "head", "body", "html", "option", "select", "textarea", "img", "input",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
_ATTRS = ("alt", "title", "aria-label", "placeholder", "value", "content", "label", "summary")


def html_to_text(markup: str) -> str:
    """Everything an HTML document carries as text (see the module docstring)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    root = tree.root
    if root is None:
        return ""
    out: list[str] = []
    for node in root.traverse(include_text=True):
        tag = node.tag
        if tag == "-text":
            out.append(node.text_content or "")
            continue
        if tag == "-comment":
            out.append("\n" + (node.comment_content or "") + "\n")
            continue
        if tag in _BLOCK:
            out.append("\n")
        elif tag in _CELL:
            out.append("\t")
        attrs = node.attributes
        if not attrs:
            continue
        for name in _ATTRS:
            value = attrs.get(name)
            if value:
                out.append(f"\n{value}\n")
        scheme, _colon, rest = (attrs.get("href") or "").partition(":")
        if rest and scheme.strip().lower() in ("mailto", "tel"):
            out.append("\n" + unquote(rest) + "\n")
    return "".join(out)
