"""Parsers of CreditCheck payloads, without network and without the ORM.

A CreditCheck result is a string holding a ``<creditCheck>`` document whose
``<data>`` carries ``recordId;IČO;status`` lines.  The compressed methods return
that document zipped, then Base64-encoded.  Everything here streams: the SOAP
envelope and the inner document go through lxml push parsers (no DTD, no
entities, no network), Base64 is decoded chunk by chunk into a spooled file, and
the unpacked document is read in chunks with a hard cap on its size.  A bad
line is counted and reported; a bad payload raises :class:`CreditcheckError`.
"""

import base64
import binascii
import io
import tempfile
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from stdnum.cz import dic

CHUNK = 64 * 1024
DEFAULT_MAX_DECOMPRESSED = 256 * 1024 * 1024
MAX_REJECT_SAMPLES = 20
STATUSES = (1, 2, 3)


class CreditcheckError(Exception):
    """Any failure talking to CreditCheck or reading its answer.

    ``code`` is stable: ``login_refused``, ``daily_limit``, ``soap_fault``, ``http``,
    ``network``, ``timeout``, ``base64``, ``zip``, ``oversize``, ``xml``, ``config``.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self):
        return f"[{self.code}] {self.message}"


@dataclass(frozen=True)
class StatusLine:
    record_id: int
    ico: str
    status: int


@dataclass
class ParseReport:
    """What a payload held: counts, the document's own header, the first rejects."""

    web_method: str = ""
    time: str = ""
    declared_count: int | None = None
    lines_read: int = 0
    rejected: int = 0
    per_status: Counter = field(default_factory=Counter)
    reject_samples: list = field(default_factory=list)

    def reject(self, number, reason, text):
        self.rejected += 1
        if len(self.reject_samples) < MAX_REJECT_SAMPLES:
            self.reject_samples.append((number, reason, text[:80]))

    def rejects_text(self):
        return "\n".join(f"line {n}: {reason}: {text!r}" for n, reason, text in self.reject_samples)


def ico_is_valid(ico):
    """An 8-digit IČO with a valid check digit (python-stdnum's legal-entity DIČ rule)."""
    try:
        return len(ico) == 8 and dic.validate(ico) == ico
    except dic.ValidationError:
        return False


def _check_digit_ok(ico):
    # The same rule as ico_is_valid, through stdnum's check-digit function only:
    # a million lines go through here, and validate() compacts and re-checks the format.
    return ico[0] != "9" and dic.calc_check_digit_legal(ico[:7]) == ico[7]


def parse_line(text):
    """(StatusLine, None) for a good ``recordId;IČO;status`` line, else (None, reason)."""
    parts = text.strip().split(";")
    if len(parts) != 3:
        return None, f"expected 3 fields, got {len(parts)}"
    record_id, ico, status = (part.strip() for part in parts)
    if not (record_id.isascii() and record_id.isdigit() and ico.isascii() and ico.isdigit()):
        return None, "non-numeric record ID or IČO"
    if not (status.isascii() and status.isdigit()):
        return None, "non-numeric status"
    if len(ico) > 8 or len(record_id) > 18:
        return None, "IČO longer than 8 digits or record ID too long"
    ico = ico.zfill(8)
    if not _check_digit_ok(ico):
        return None, f"IČO {ico} fails the check digit"
    if int(status) not in STATUSES:
        return None, f"unknown status {status}"
    return StatusLine(int(record_id), ico, int(status)), None


def _safe_parser(target, huge=False):
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
    )


class _DocumentTarget:
    """Collects the ``<creditCheck>`` header fields and hands over ``<data>`` text."""

    def __init__(self):
        self.path = []
        self.fields = {}
        self.texts = []
        self.seen_root = False

    def start(self, tag, attrib, nsmap=None):
        local = etree.QName(tag).localname
        if not self.path and local != "creditCheck":
            raise CreditcheckError("xml", f"the result is a <{local}> document, not <creditCheck>")
        self.seen_root = True
        self.path.append(local)

    def end(self, tag):
        self.path.pop()

    def data(self, text):
        if self.path[-1:] == ["data"]:
            self.texts.append(text)
        elif len(self.path) == 2:
            self.fields[self.path[-1]] = self.fields.get(self.path[-1], "") + text

    def doctype(self, *args):
        raise CreditcheckError("xml", "the result carries a DOCTYPE; refused")

    def close(self):
        return None


def iter_document_lines(chunks, report):
    """Status lines of a ``<creditCheck>`` document given as byte or text chunks."""
    target = _DocumentTarget()
    # huge_tree: a CDATA section of a full list exceeds libxml2's 10 MB text limit;
    # the size is bounded by the caller's decompression cap instead.
    parser = _safe_parser(target, huge=True)
    rest, number = "", 0

    def lines():
        nonlocal rest, number
        text = rest + "".join(target.texts)
        target.texts.clear()
        cut = text.rfind("\n")
        rest = text[cut + 1 :]
        if cut < 0:
            return
        start = 0
        while start <= cut:
            stop = text.find("\n", start, cut + 1)
            stop = cut if stop < 0 else stop
            line = text[start:stop]
            start = stop + 1
            if line.strip():
                number += 1
                yield line

    def parsed(line):
        report.lines_read += 1
        record, reason = parse_line(line)
        if record is None:
            report.reject(report.lines_read, reason, line)
            return None
        report.per_status[record.status] += 1
        return record

    try:
        for chunk in chunks:
            parser.feed(chunk)
            for line in lines():
                if (record := parsed(line)) is not None:
                    yield record
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise CreditcheckError("xml", f"the <creditCheck> document is not well-formed XML: {exc}") from exc
    if not target.seen_root:
        raise CreditcheckError("xml", "the result is empty: no <creditCheck> document")
    if rest.strip():
        record = parsed(rest)
        rest = ""
        if record is not None:
            yield record
    report.web_method = target.fields.get("webMethod", "").strip()
    report.time = target.fields.get("time", "").strip()
    count = target.fields.get("count", "").strip()
    report.declared_count = int(count) if count.isdigit() else None


class Base64Spool:
    """Decodes Base64 text given in chunks into a spooled temporary file."""

    def __init__(self, max_size):
        self.file = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
        self.pending = ""
        self.max_size = max_size
        self.size = 0

    def feed(self, text):
        text = self.pending + "".join(text.split())
        usable = len(text) - len(text) % 4
        self.pending = text[usable:]
        if usable:
            self._write(text[:usable])

    def _write(self, text):
        try:
            raw = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise CreditcheckError("base64", f"the compressed result is not valid Base64: {exc}") from exc
        self.size += len(raw)
        if self.size > self.max_size:
            raise CreditcheckError("oversize", f"the compressed result is larger than {self.max_size} bytes")
        self.file.write(raw)

    def close(self):
        if self.pending:
            raise CreditcheckError("base64", "the compressed result is truncated: Base64 ends mid-quantum")
        self.file.seek(0)
        return self.file


def iter_unpacked(file, max_size):
    """Byte chunks of a zipped (or raw deflate/zlib) payload, at most ``max_size`` bytes in all."""
    head = file.read(4)
    file.seek(0)
    total = 0

    def counted(chunk):
        nonlocal total
        total += len(chunk)
        if total > max_size:
            raise CreditcheckError(
                "oversize", f"the unpacked result would exceed the configured maximum of {max_size} bytes"
            )
        return chunk

    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(file) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if len(members) != 1:
                    raise CreditcheckError("zip", f"the zip holds {len(members)} files instead of one")
                if members[0].file_size > max_size:
                    raise CreditcheckError(
                        "oversize",
                        f"the zipped file declares {members[0].file_size} bytes, more than the configured "
                        f"maximum of {max_size}",
                    )
                with archive.open(members[0]) as member:
                    while chunk := member.read(CHUNK):
                        yield counted(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise CreditcheckError("zip", f"the zip is corrupt or truncated: {exc}") from exc
        return
    if not head:
        raise CreditcheckError("zip", "the compressed result is empty")
    # A bare deflate or zlib stream: the other reading of "zipped".
    wbits = zlib.MAX_WBITS if head[:1] == b"\x78" else -zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        while chunk := file.read(CHUNK):
            data = inflater.decompress(chunk, CHUNK)
            yield counted(data)
            while inflater.unconsumed_tail:
                yield counted(inflater.decompress(inflater.unconsumed_tail, CHUNK))
        tail = inflater.flush()
        if tail:
            yield counted(tail)
    except zlib.error as exc:
        raise CreditcheckError("zip", f"the compressed stream is corrupt: {exc}") from exc
    if not inflater.eof:
        raise CreditcheckError("zip", "the compressed stream is truncated")


def iter_payload_lines(base64_chunks, report, max_decompressed=DEFAULT_MAX_DECOMPRESSED):
    """Status lines of a Base64 zipped ``<creditCheck>`` payload given as text chunks."""
    spool = Base64Spool(max_decompressed)
    for chunk in base64_chunks:
        spool.feed(chunk)
    with spool.close() as file:
        yield from iter_document_lines(iter_unpacked(file, max_decompressed), report)


class _EnvelopeTarget:
    """Finds the ``*Result`` text of a SOAP answer, or its fault."""

    def __init__(self):
        self.path = []
        self.result = []
        self.fault = {}
        self.in_result = False
        self.seen_result = False

    def start(self, tag, attrib, nsmap=None):
        local = etree.QName(tag).localname
        self.path.append(local)
        if local.endswith("Result") and len(self.path) == 4:
            self.in_result = self.seen_result = True

    def end(self, tag):
        local = self.path.pop()
        if local.endswith("Result"):
            self.in_result = False

    def data(self, text):
        if self.in_result:
            self.result.append(text)
        elif "Fault" in self.path:
            self.fault[self.path[-1]] = self.fault.get(self.path[-1], "") + text

    def doctype(self, *args):
        raise CreditcheckError("xml", "the SOAP answer carries a DOCTYPE; refused")

    def close(self):
        return None


def fault_error(fault_string):
    text = (fault_string or "").strip() or "no fault text"
    lowered = text.lower()
    if any(word in lowered for word in ("login", "heslo", "přihlášení", "password", "prihlásenie")):
        return CreditcheckError("login_refused", f"CreditCheck refused the login: {text}")
    if "limit" in lowered:
        return CreditcheckError("daily_limit", f"CreditCheck's daily limit is reached: {text}")
    return CreditcheckError("soap_fault", f"CreditCheck answered with a SOAP fault: {text}")


def iter_envelope_result(chunks):
    """Text chunks of the ``*Result`` element of a SOAP answer given as byte chunks."""
    target = _EnvelopeTarget()
    parser = _safe_parser(target)
    try:
        for chunk in chunks:
            parser.feed(chunk)
            if target.result:
                yield from target.result
                target.result.clear()
        parser.close()
    except etree.XMLSyntaxError as exc:
        raise CreditcheckError("xml", f"the SOAP answer is not well-formed XML: {exc}") from exc
    if target.fault:
        raise fault_error(target.fault.get("faultstring"))
    yield from target.result
    if not target.seen_result:
        raise CreditcheckError("xml", "the SOAP answer holds no result element")


def iter_answer_lines(chunks, compressed, report, max_decompressed=DEFAULT_MAX_DECOMPRESSED):
    """Status lines of a whole SOAP answer (byte chunks) of one of the list methods."""
    texts = iter_envelope_result(chunks)
    if compressed:
        yield from iter_payload_lines(texts, report, max_decompressed)
        return
    total = 0

    def capped():
        nonlocal total
        for text in texts:
            total += len(text)
            if total > max_decompressed:
                raise CreditcheckError("oversize", f"the result is larger than the configured {max_decompressed}")
            yield text

    yield from iter_document_lines(capped(), report)


def byte_chunks(data, size=CHUNK):
    view = memoryview(data)
    for start in range(0, len(view), size):
        yield bytes(view[start : start + size])


def encode_payload(text, member="data.xml"):
    """Zip then Base64 a document (for tests and fixtures)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return base64.b64encode(buffer.getvalue()).decode()
