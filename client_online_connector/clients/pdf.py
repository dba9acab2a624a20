"""PDFs for the portal: the client number in the file name, and what the portal cannot take.

Plain Python, no Odoo.  The Client Online Connector's rule: a PDF's name starts with
``<number>_`` (``123456_bestandsnaam.pdf``), the number being the client's KvK
number or the portal's hidden ID.  :func:`check_pdf` refuses, with a stable code,
what the portal would fail on later: a file that is not a PDF, one cut short (no
``%%EOF`` at its end) and a protected (encrypted) PDF, which the portal cannot
merge.  These are checks of the file's structure markers, not a full PDF parse.
"""

import re

NUMBER_PREFIX = re.compile(r"^(?P<number>\d{1,20})_(?P<rest>.+)$")
HEADER_WINDOW = 1024  # the PDF header may follow a little garbage (PDF 32000-1, 7.5.2 and implementations)
TRAILER_WINDOW = 64 * 1024


class PdfError(Exception):
    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(message)


def number_from_name(name):
    """The ``number`` of a ``number_rest.pdf`` file name, or "" when it has none."""
    found = NUMBER_PREFIX.match(name or "")
    return found["number"] if found else ""


def check_pdf(data):
    """Raise :class:`PdfError` when ``data`` is no PDF the portal can take; returns the PDF version."""
    if not data:
        raise PdfError("empty", "The PDF file is empty.")
    start = data.find(b"%PDF-", 0, HEADER_WINDOW)
    if start < 0:
        raise PdfError("not_pdf", "The file is not a PDF (it does not start with %PDF-).")
    version = data[start + 5 : start + 8].decode("ascii", "replace")
    tail = data[-TRAILER_WINDOW:]
    if b"%%EOF" not in tail[-2048:]:
        raise PdfError("truncated", "The PDF file is cut short: it does not end with %%EOF.")
    if b"/Encrypt" in tail:
        raise PdfError(
            "encrypted",
            "The PDF is protected (encrypted); the portal cannot merge protected PDFs. Remove the protection.",
        )
    return version
