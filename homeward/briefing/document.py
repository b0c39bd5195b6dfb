"""The printable police briefing: one HTML document, and the PDF made from it.

The page (web/briefing/briefing.html) and the PDF
(web/briefing/briefing_document.html) include the same body,
web/briefing/_briefing_body.html, so they cannot disagree. The PDF is laid
out by WeasyPrint (homeward.reporting.pdf.render_pdf) with the print
stylesheet homeward/briefing/static/briefing/print.css: every page marked
OFFICIAL-SENSITIVE at its top and foot, with when it was made, by whom, and
its page number. The photo is embedded in the document as a data: URL, so
the PDF needs nothing from the network (and render_pdf allows nothing else).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.template.loader import render_to_string

from homeward.reporting.pdf import render_pdf

from .selectors import Briefing

MARKING = "OFFICIAL-SENSITIVE"
PRINT_CSS = "briefing/print.css"
PHOTO_WIDTH = 200  # CSS pixels on the page and in the PDF


def photo_data_url(briefing: Briefing) -> str:
    photo = briefing.photo
    if photo is None:
        return ""
    return f"data:{photo.content_type};base64," + base64.b64encode(bytes(photo.data)).decode("ascii")


def context(briefing: Briefing, *, photo_url: str) -> dict:
    from . import present

    photo = briefing.photo
    return {
        "b": briefing,
        "marking": MARKING,
        "photo_url": photo_url,
        "photo_width": PHOTO_WIDTH,
        "photo_height": round(PHOTO_WIDTH * photo.height / photo.width) if photo is not None and photo.width else 0,
        **present.briefing_rows(briefing),
    }


def briefing_html(briefing: Briefing) -> str:
    """The whole document the PDF is made from (the photo as a data: URL)."""
    return render_to_string("web/briefing/briefing_document.html",
                            context(briefing, photo_url=photo_data_url(briefing)))


@dataclass
class Printed:
    html: str
    pdf: bytes


def briefing_pdf(briefing: Briefing) -> Printed:
    """The briefing as a PDF, with the HTML it was made from."""
    html = briefing_html(briefing)
    # The document links the print stylesheet itself (a /static/ URL, which
    # render_pdf reads from Homeward's own files); the @page rules with the
    # marking are in it.
    return Printed(html=html, pdf=render_pdf(html))


def filename(briefing: Briefing) -> str:
    """No name in the file name: downloads lists and shared folders show it."""
    return f"homeward-briefing-episode-{briefing.episode.pk}.pdf"
