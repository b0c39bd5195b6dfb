"""HTML to PDF, for every printable document Homeward makes (reports, the
police briefing). Decision: docs/decisions/0007-pdf-from-html.md.

A PDF is the same HTML as the page, laid out by WeasyPrint with a print
stylesheet: one template, so the page and the PDF cannot disagree. WeasyPrint
fetches nothing from the network: a stylesheet or image is read from
Homeward's own static files (by its `/static/...` URL) or from a `data:` URL,
and anything else is refused, so a document cannot leak a request to another
server or depend on one.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

__all__ = ["PdfError", "render_pdf"]

log = logging.getLogger(__name__)

# WeasyPrint logs every CSS property it does not know (GOV.UK Frontend's CSS is
# written for browsers): keep the log for real problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


class PdfError(Exception):
    """A document could not be laid out."""


def _static_path(url: str) -> Path | None:
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    for base in ("http://homeward.invalid" + prefix, prefix):
        if url.startswith(base):
            found = finders.find(url[len(base):].split("?", 1)[0])
            if found:
                return Path(found)
            root = getattr(settings, "STATIC_ROOT", None)
            if root and (Path(root) / url[len(base):]).is_file():
                return Path(root) / url[len(base):]
    return None


def _fetcher():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """Homeward's static files and data: URLs; nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise FatalURLFetchingError(
                    f"a printable document may only use Homeward's own files, not {url[:80]}")
            mime, _ = mimetypes.guess_type(path.name)
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"})

    return LocalFetcher(allowed_protocols=("data", "http"))


def render_pdf(html: str, *, stylesheets: list[str] | None = None) -> bytes:
    """The PDF of an HTML document. `stylesheets` are extra CSS texts (a
    print stylesheet, say) applied after the document's own."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, base_url="http://homeward.invalid/", url_fetcher=_fetcher())
    extra = [CSS(string=text) for text in stylesheets or []]
    from weasyprint.urls import FatalURLFetchingError

    try:
        return document.write_pdf(stylesheets=extra)
    except FatalURLFetchingError as exc:
        raise PdfError(str(exc)) from None
    except Exception as exc:  # WeasyPrint raises many kinds; the caller needs one
        log.error("PDF layout failed: %s", exc.__class__.__name__)
        raise PdfError(f"the PDF could not be made: {exc.__class__.__name__}") from exc
