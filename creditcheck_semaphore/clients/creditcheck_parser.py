"""Parsers of CreditCheck payloads, without network and without the ORM.

A CreditCheck result is a string.  The documented shape is a ``<creditCheck>``
document whose ``<data>`` carries ``recordId;IČO;status`` lines; the compressed
methods return it "zipped, then Base64-encoded", and how exactly is not public.
So the shape is told from the content, at every level:

* the result (the text of the SOAP ``…Result`` element) is a ``<creditCheck>``
  document, bare status lines, or Base64 of a compressed stream;
* a compressed stream is a zip holding one file, gzip, zlib or raw deflate,
  told apart by its first bytes;
* what it unpacks to is a ``<creditCheck>`` document or bare status lines;
* a document's ``<data>`` holds status lines, or Base64 of a compressed stream
  of status lines.

Anything else is refused with an error that names what was found.

Everything streams, with memory that does not grow with the payload: the SOAP
envelope and the document go through lxml push parsers (no DTD, no entities,
no network), fed through :class:`_CdataAsText`, which turns CDATA sections into
character data because libxml2 hands a CDATA section over only once it is
complete; Base64, zip and the other streams are decoded chunk by chunk; every
line is handed on as soon as it is complete.  The unpacked size has a hard cap.
Bad lines are counted and reported with their physical line number; a bad
payload raises :class:`CreditcheckError`.
"""

import base64
import binascii
import codecs
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree
from stdnum.cz import dic

CHUNK = 64 * 1024
INFLATE_SLICE = 8 * 1024
DEFAULT_MAX_DECOMPRESSED = 256 * 1024 * 1024
ENVELOPE_ALLOWANCE = 1024 * 1024  # the SOAP envelope around a result at the cap
MAX_REJECT_SAMPLES = 20
MAX_HEADER_TEXT = 1000
STATUSES = {"1": 1, "2": 2, "3": 3}
BOM = "\ufeff"
SNIFF = 200  # characters of a first line looked at to tell lines from Base64
BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


class CreditcheckError(Exception):
    """Any failure talking to CreditCheck or reading its answer.

    ``code`` is stable: ``login_refused``, ``daily_limit``, ``soap_fault``, ``http``,
    ``network``, ``timeout``, ``certificate``, ``base64``, ``zip``, ``oversize``, ``xml``, ``shape``,
    ``count``, ``wsdl``, ``config``.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self):
        return f"[{self.code}] {self.message}"


class StatusLine(NamedTuple):
    record_id: int
    ico: str
    status: int


@dataclass
class ParseReport:
    """What a payload held: counts, its shape, the document's own header, the first rejects.

    ``lines_read`` counts the lines that are not blank; reject numbers are the
    physical line numbers of the payload (blank lines counted).
    """

    web_method: str = ""
    time: str = ""
    declared_count: int | None = None
    lines_read: int = 0
    rejected: int = 0
    per_status: Counter = field(default_factory=Counter)
    reject_samples: list = field(default_factory=list)
    shape: list = field(default_factory=list)

    def reject(self, number, reason, text):
        self.rejected += 1
        if len(self.reject_samples) < MAX_REJECT_SAMPLES:
            self.reject_samples.append((number, reason, text[:80]))

    def rejects_text(self):
        return "\n".join(f"line {n}: {reason}: {text!r}" for n, reason, text in self.reject_samples)

    def shape_text(self):
        return " ".join(self.shape)


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
    parts = text.split(";")
    if len(parts) != 3:
        return None, f"expected 3 fields, got {len(parts)}"
    record_id, ico, status = parts
    if (
        status in STATUSES
        and len(ico) == 8
        and ico.isdigit()
        and ico.isascii()
        and 0 < len(record_id) <= 18
        and record_id.isdigit()
        and record_id.isascii()
        and _check_digit_ok(ico)
    ):
        return StatusLine(int(record_id), ico, STATUSES[status]), None  # the usual line, checked in full
    record_id, ico, status = record_id.strip(), ico.strip(), status.strip()
    if not (record_id and ico and status):
        return None, "empty record ID, IČO or status"
    if not (record_id.isascii() and record_id.isdigit() and ico.isascii() and ico.isdigit()):
        return None, "non-numeric record ID or IČO"
    if not (status.isascii() and status.isdigit()):
        return None, "non-numeric status"
    if len(ico) > 8 or len(record_id) > 18:
        return None, "IČO longer than 8 digits or record ID too long"
    ico = ico.zfill(8)
    if not _check_digit_ok(ico):
        return None, f"IČO {ico} fails the check digit"
    if status not in STATUSES:
        return None, f"unknown status {status}"
    return StatusLine(int(record_id), ico, STATUSES[status]), None


def _preview(data, size=40):
    """What a payload starts with, for an error message: text when it reads as text, else hex."""
    head = data[:size]
    if isinstance(head, bytes):
        text = head.decode("utf-8", "replace")
        if not all(char.isprintable() or char in "\r\n\t" for char in text) or "\ufffd" in text:
            return "bytes " + head.hex(" ")
        head = text
    return repr(head)


class _Budget:
    """A cap on the bytes (or characters) that one payload may unpack to."""

    def __init__(self, limit, what):
        self.limit = limit
        self.what = what
        self.used = 0

    def take(self, size):
        self.used += size
        if self.used > self.limit:
            raise CreditcheckError(
                "oversize", f"the {self.what} would exceed the configured maximum of {self.limit} bytes"
            )


# -- stages: feed(item) and close() return lists of what they pass on ------------------------


class _Chain:
    """Stages one after the other; what a stage passes on is fed to the next."""

    def __init__(self, *stages):
        self.stages = stages

    def feed(self, item):
        items = [item]
        for stage in self.stages:
            passed = []
            for one in items:
                passed.extend(stage.feed(one))
            items = passed
            if not items:
                break
        return items

    def close(self):
        items = []
        for stage in self.stages:
            passed = []
            for one in items:
                passed.extend(stage.feed(one))
            passed.extend(stage.close())
            items = passed
        return items


class _Lines:
    """Status lines out of text chunks; blank lines are skipped but keep their number."""

    def __init__(self, report):
        self.report = report
        self.rest = ""
        self.number = 0

    def feed(self, text):
        if not text:
            return ()
        if self.number == 0 and not self.rest:
            text = text.lstrip(BOM)  # a byte-order mark before the first line
        parts = (self.rest + text).split("\n")
        self.rest = parts.pop()
        return self._parse(parts)

    def close(self):
        rest, self.rest = self.rest, ""
        return self._parse([rest]) if rest else ()

    def _parse(self, parts):
        report, out = self.report, []
        number = self.number
        for line in parts:
            number += 1
            if not line or line.isspace():
                continue
            report.lines_read += 1
            record, reason = parse_line(line)
            if record is None:
                report.reject(number, reason, line.rstrip("\r"))
            else:
                report.per_status[record.status] += 1
                out.append(record)
        self.number = number
        return out


class _Base64:
    """Base64 text in, bytes out; whitespace and line breaks inside the text are allowed."""

    def __init__(self):
        self.pending = ""

    def feed(self, text):
        text = self.pending + "".join(text.split())
        usable = len(text) - len(text) % 4
        self.pending = text[usable:]
        if not usable:
            return ()
        try:
            return (binascii.a2b_base64(text[:usable].encode("ascii"), strict_mode=True),)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise CreditcheckError("base64", f"the compressed result is not valid Base64: {exc}") from exc

    def close(self):
        if self.pending:
            raise CreditcheckError("base64", "the compressed result is truncated: Base64 ends mid-quantum")
        return ()


def _inflate(inflater, data, emit):
    """Feed ``data`` to ``inflater`` slice by slice, ``emit`` each piece; returns what follows the stream's end.

    A slice of INFLATE_SLICE bytes inflates to at most about a thousand times as
    much, which bounds each piece without ``max_length`` (whose input kept in
    ``unconsumed_tail`` is not handed back once the stream has ended).
    """
    start = 0
    while start < len(data) and not inflater.eof:
        piece = inflater.decompress(data[start : start + INFLATE_SLICE])
        start += INFLATE_SLICE
        if piece:
            emit(piece)
    return inflater.unused_data + data[start:] if inflater.eof else b""


class _Inflate:
    """A zlib, gzip or raw deflate stream (``wbits`` as for :func:`zlib.decompressobj`)."""

    def __init__(self, wbits, name, budget):
        self.inflater = zlib.decompressobj(wbits)
        self.name = name
        self.budget = budget

    def feed(self, data):
        if self.inflater.eof:
            return self._after_end(data)
        out = []

        def emit(piece):
            self.budget.take(len(piece))
            out.append(piece)

        try:
            rest = _inflate(self.inflater, data, emit)
        except zlib.error as exc:
            raise CreditcheckError("zip", f"the {self.name} stream is corrupt: {exc}") from exc
        self._after_end(rest)
        return out

    def _after_end(self, data):
        if data.strip(b"\0 \t\r\n"):
            raise CreditcheckError("zip", f"the {self.name} stream is followed by other data: {_preview(data)}")
        return ()

    def close(self):
        if not self.inflater.eof:
            raise CreditcheckError("zip", f"the {self.name} stream is truncated")
        return ()


_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # signature … name length, extra length
_ZIP_LOCAL, _ZIP_CENTRAL, _ZIP_END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_ZIP64_END, _ZIP64_LOCATOR, _ZIP_DESCRIPTOR = b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08"


class _Zip:
    """The one file of a zip, read front to back from its local header, as it arrives.

    A zip's directory is at its end, so :mod:`zipfile` needs the whole file; the
    local header in front of the file says enough to inflate it on the fly.  The
    directory that follows is read to the end, so that a truncated zip is still
    refused, and a second file is refused as soon as its header shows.
    """

    def __init__(self, budget):
        self.budget = budget
        self.buf = bytearray()
        self.state = "header"
        self.files = []
        self.inflater = None

    def _fail(self, message):
        raise CreditcheckError("zip", f"the zip is corrupt: {message}")

    def feed(self, data):
        self.buf += data
        out = []
        while self._step(out):
            pass
        return out

    def _step(self, out):
        """Take one step of the state machine; False when it needs more bytes."""
        return getattr(self, f"_at_{self.state}")(out)

    def _at_header(self, out):
        buf = self.buf
        if len(buf) < 4:
            return False
        if bytes(buf[:4]) != _ZIP_LOCAL:
            if not self.files:
                raise CreditcheckError("zip", "the zip holds no file")
            self.state = "directory"
            return True
        if len(buf) < _LOCAL.size:
            return False
        fields = _LOCAL.unpack_from(buf)
        name_len, extra_len = fields[-2:]
        end = _LOCAL.size + name_len + extra_len
        if len(buf) < end:
            return False
        name = bytes(buf[_LOCAL.size : _LOCAL.size + name_len]).decode("utf-8", "replace")
        extra = bytes(buf[_LOCAL.size + name_len : end])
        del buf[:end]
        _sig, _version, flags, method, _time, _date, crc, csize, usize, _n, _x = fields
        self._start_file(name, flags, method, crc, csize, usize, extra)
        return True

    def _at_deflate(self, out):
        buf = self.buf
        if not buf:
            return False
        data = bytes(buf)
        buf.clear()
        try:
            rest = _inflate(self.inflater, data, lambda piece: self._emit(piece, out))
        except zlib.error as exc:
            raise CreditcheckError("zip", f"the zip is corrupt: {exc}") from exc
        if not self.inflater.eof:
            return False
        buf += rest
        self.state = "descriptor" if self.descriptor else "checked"
        return True

    def _at_stored(self, out):
        buf = self.buf
        take = min(self.remaining, len(buf))
        if take:
            self._emit(bytes(buf[:take]), out)
            del buf[:take]
            self.remaining -= take
        if self.remaining:
            return False
        self.state = "checked"
        return True

    def _at_descriptor(self, out):
        # [signature,] CRC, compressed size, unpacked size (8 bytes each in zip64)
        buf = self.buf
        if len(buf) < 4:
            return False
        start = 4 if bytes(buf[:4]) == _ZIP_DESCRIPTOR else 0
        size = start + (20 if self.zip64 else 12)
        if len(buf) < size:
            return False
        (self.crc_expected,) = struct.unpack_from("<I", buf, start)
        del buf[:size]
        self.state = "checked"
        return True

    def _at_checked(self, out):
        if self.crc != self.crc_expected:
            self._fail(f"the checksum of {self.name} does not match its content")
        self.state = "header"
        return True

    def _at_directory(self, out):
        return self._directory()

    def _at_end(self, out):
        self.buf.clear()
        return False

    def _start_file(self, name, flags, method, crc, csize, usize, extra):
        if flags & 0x1:
            raise CreditcheckError("zip", f"the zipped file {name} is encrypted")
        if method not in (0, 8):
            raise CreditcheckError("zip", f"the zipped file {name} uses compression method {method}, not deflate")
        self.zip64 = 0xFFFFFFFF in (csize, usize) or self._has_zip64_extra(extra)
        if 0xFFFFFFFF in (csize, usize):
            usize, csize = self._zip64_sizes(extra, usize, csize)
        self.name = name
        self.is_dir = name.endswith("/")
        if not self.is_dir:
            self.files.append(name)
            if len(self.files) > 1:
                raise CreditcheckError(
                    "zip", f"the zip holds more than one file ({self.files[0]}, then {name}) instead of one"
                )
        self.descriptor = bool(flags & 0x8)
        if not self.descriptor and not self.is_dir and usize > self.budget.limit:
            raise CreditcheckError(
                "oversize",
                f"the zipped file declares {usize} bytes, more than the configured maximum of {self.budget.limit}",
            )
        self.crc, self.crc_expected = 0, crc
        if method == 8:
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self.state = "deflate"
        elif self.descriptor:
            raise CreditcheckError("zip", f"the zipped file {name} is stored without its size in front")
        else:
            self.remaining = csize
            self.state = "stored"

    @staticmethod
    def _has_zip64_extra(extra):
        while len(extra) >= 4:
            tag, size = struct.unpack_from("<HH", extra)
            if tag == 1:
                return True
            extra = extra[4 + size :]
        return False

    @staticmethod
    def _zip64_sizes(extra, usize, csize):
        while len(extra) >= 4:
            tag, size = struct.unpack_from("<HH", extra)
            if tag == 1:
                values = list(struct.unpack_from(f"<{size // 8}Q", extra, 4))
                if usize == 0xFFFFFFFF and values:
                    usize = values.pop(0)
                if csize == 0xFFFFFFFF and values:
                    csize = values.pop(0)
                break
            extra = extra[4 + size :]
        return usize, csize

    def _emit(self, piece, out):
        self.crc = zlib.crc32(piece, self.crc)
        if self.is_dir:
            return
        self.budget.take(len(piece))
        out.append(piece)

    def _directory(self):
        buf = self.buf
        if len(buf) < 4:
            return False
        signature = bytes(buf[:4])
        if signature == _ZIP_CENTRAL:
            if len(buf) < 46:
                return False
            name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, 28)
            size = 46 + name_len + extra_len + comment_len
        elif signature == _ZIP64_END:
            if len(buf) < 12:
                return False
            size = 12 + struct.unpack_from("<Q", buf, 4)[0]
        elif signature == _ZIP64_LOCATOR:
            size = 20
        elif signature == _ZIP_END:
            if len(buf) < 22:
                return False
            size = 22 + struct.unpack_from("<H", buf, 20)[0]
        elif signature == _ZIP_LOCAL:
            raise CreditcheckError("zip", f"the zip holds more than one file ({self.files[0]}, then another)")
        else:
            self._fail(f"unexpected {_preview(bytes(buf[:8]))} in its directory")
        if len(buf) < size:
            return False
        del buf[:size]
        if signature == _ZIP_END:
            self.state = "end"
        return True

    def close(self):
        if self.state != "end":
            raise CreditcheckError("zip", "the zip is truncated: it ends before its directory does")
        return ()


class _Unpack:
    """A compressed stream, told apart by its first bytes: zip, gzip, zlib, else raw deflate."""

    def __init__(self, budget, report):
        self.budget = budget
        self.report = report
        self.head = b""
        self.inner = None
        self.guessed = False

    def _pick(self, head):
        if head[:4] == _ZIP_LOCAL:
            self.report.shape.append("a zip")
            return _Zip(self.budget)
        if head[:4] == _ZIP_END:
            raise CreditcheckError("zip", "the zip holds no file")
        if head[:2] == b"\x1f\x8b":
            self.report.shape.append("a gzip stream")
            return _Inflate(16 + zlib.MAX_WBITS, "gzip", self.budget)
        if len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] * 256 + head[1]) % 31 == 0:
            self.report.shape.append("a zlib stream")
            return _Inflate(zlib.MAX_WBITS, "zlib", self.budget)
        self.report.shape.append("a raw deflate stream")
        self.guessed = True
        return _Inflate(-zlib.MAX_WBITS, "deflate", self.budget)

    def feed(self, data):
        if self.inner is None:
            self.head += data
            if len(self.head) < 4:
                return ()
            data, self.head = self.head, b""
            self.inner = self._pick(data)
            return self._first(data)
        return self.inner.feed(data)

    def _first(self, data):
        try:
            return self.inner.feed(data)
        except CreditcheckError as exc:
            if self.guessed and exc.code == "zip":
                raise CreditcheckError(
                    "shape",
                    "the decoded result is neither a zip, gzip, zlib nor deflate stream: "
                    f"it starts with {_preview(data)}",
                ) from exc
            raise

    def close(self):
        if self.inner is None:
            if not self.head:
                raise CreditcheckError("zip", "the compressed result is empty")
            data, self.head = self.head, b""
            self.inner = self._pick(data)
            out = list(self._first(data))
            return out + list(self.inner.close())
        return self.inner.close()


class _Utf8:
    """Bytes to text, a character cut between two chunks included."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def feed(self, data):
        text = self.decoder.decode(data)
        return (text,) if text else ()

    def close(self):
        text = self.decoder.decode(b"", final=True)
        return (text,) if text else ()


class _Sniff:
    """Holds the first chunks back until ``choose(head, final)`` names the stage for the rest.

    ``blank``: the stage for a payload that starts with more than a chunk of
    whitespace (so that the held-back head stays small); without it such
    whitespace is dropped.
    """

    def __init__(self, choose, empty, blank=None):
        self.choose = choose
        self.empty = empty
        self.blank = blank
        self.head = None
        self.inner = None

    def feed(self, item):
        if self.inner is not None:
            return self.inner.feed(item)
        self.head = item if self.head is None else self.head + item
        self.inner = self.choose(self.head, False)
        if self.inner is None:
            if len(self.head) > CHUNK and not self.head.strip():
                if self.blank is None:
                    self.head = self.head[:0]
                    return ()
                self.inner = self.blank()
            else:
                return ()
        head, self.head = self.head, None
        return self.inner.feed(head)

    def close(self):
        if self.inner is None:
            if self.head is None or not self.head.strip():
                return self.empty()
            self.inner = self.choose(self.head, True)
            head, self.head = self.head, None
            out = list(self.inner.feed(head))
            return out + list(self.inner.close())
        return self.inner.close()


def _text_kind(head, final):
    """``document``, ``lines``, ``base64``, ``unknown``, or None while the first line is incomplete."""
    text = head.lstrip().lstrip(BOM).lstrip()
    if not text:
        return None
    if text[0] == "<":
        return "document"
    end = text.find("\n")
    if end < 0 and len(text) < SNIFF and not final:
        return None
    first = (text[:end] if end >= 0 else text[:SNIFF]).strip()
    if ";" in first:
        return "lines"
    # Base64, or nearly (no words, a few stray characters): the decoder reports it as bad Base64
    if first and " " not in first and sum(char in BASE64_CHARS for char in first) >= len(first) * 0.9:
        return "base64"
    return "unknown"


def _bytes_kind(head, final):
    """``document``, ``lines``, ``unknown``, or None while too little has arrived."""
    data = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "document"
    data = data.lstrip()
    if not data:
        return None
    if data[:1] == b"<":
        return "document"
    end = data.find(b"\n")
    if end < 0 and len(data) < SNIFF and not final:
        return None
    first = data[:end] if end >= 0 else data[:SNIFF]
    return "lines" if b";" in first else "unknown"


class _Payload:
    """Builds the stages of each shape; ``report.shape`` says which was found."""

    def __init__(self, report, max_size):
        self.report = report
        self.unpacked = _Budget(max_size, "unpacked result")
        self.max_size = max_size

    def result(self):
        """A result text (str chunks) of any shape."""

        def choose(head, final):
            kind = _text_kind(head, final)
            if kind is None:
                return None
            if kind == "document":
                self.report.shape.append("a <creditCheck> document")
                return _Chain(_Encode(), _Document(self, encoding="utf-8"))
            if kind == "lines":
                self.report.shape.append("status lines")
                return _Lines(self.report)
            if kind == "base64":
                self.report.shape.append("Base64 of")
                return _Chain(_Base64(), _Unpack(self.unpacked, self.report), self.unpacked_content(True))
            raise CreditcheckError(
                "shape",
                "the result is neither a <creditCheck> document, nor status lines, nor Base64 text: "
                f"it starts with {_preview(head.strip())}",
            )

        def empty():
            raise CreditcheckError("xml", "the result is empty: no <creditCheck> document, no status lines")

        return _Sniff(choose, empty)

    def unpacked_content(self, documents):
        """What a compressed stream unpacks to (bytes): a document (when allowed) or status lines."""

        def choose(head, final):
            kind = _bytes_kind(head, final)
            if kind is None:
                return None
            if kind == "document" and documents:
                self.report.shape.append("holding a <creditCheck> document")
                return _Document(self)
            if kind == "lines":
                self.report.shape.append("holding status lines")
                return _Chain(_Utf8(), _Lines(self.report))
            found = "a document" if kind == "document" else _preview(head.lstrip())
            raise CreditcheckError(
                "shape",
                f"the unpacked result holds {found} where "
                + ("a <creditCheck> document or status lines" if documents else "status lines")
                + " were expected",
            )

        def empty():
            raise CreditcheckError("zip", "the compressed result unpacks to nothing")

        return _Sniff(choose, empty)

    def data(self):
        """The text of a document's ``<data>``: status lines, or Base64 of a compressed stream of them."""

        def choose(head, final):
            kind = _text_kind(head, final)
            if kind is None:
                return None
            if kind == "lines":
                return _Lines(self.report)
            if kind == "base64":
                self.report.shape.append("whose <data> is Base64 of")
                return _Chain(_Base64(), _Unpack(self.unpacked, self.report), self.unpacked_content(False))
            raise CreditcheckError(
                "shape",
                "the <data> of the <creditCheck> document holds neither status lines nor Base64 text: "
                f"it starts with {_preview(head.strip())}",
            )

        return _Sniff(choose, lambda: (), blank=lambda: _Lines(self.report))


class _Encode:
    def feed(self, text):
        return (text.encode("utf-8"),)

    def close(self):
        return ()


_CDATA_OPEN = b"<![CDATA["
_MARKUP = re.compile(rb"<[!?]")


class _CdataAsText:
    """XML bytes in, the same XML out with every CDATA section written as character data.

    libxml2 hands a CDATA section to the parser's target only once the section is
    complete, so a list of a million lines in one CDATA section would be held in
    memory whole (and copied as it grows).  Character data is handed over in
    pieces as it arrives.  ``&``, ``<`` and ``>`` of the section are escaped, so
    the parser sees exactly the text of the section.  Comments and processing
    instructions pass untouched; anything else is the parser's to judge.
    """

    def __init__(self):
        self.mode = "markup"
        self.pending = b""

    def feed(self, data):
        data = self.pending + data
        self.pending = b""
        out, pos, size = [], 0, len(data)
        while pos < size:
            if self.mode == "cdata":
                end = data.find(b"]]>", pos)
                if end < 0:
                    keep = size - 2 if data.endswith(b"]]") else size - 1 if data.endswith(b"]") else size
                    keep = max(keep, pos)
                    out.append(_escape(data[pos:keep]))
                    self.pending = data[keep:]
                    break
                out.append(_escape(data[pos:end]))
                pos, self.mode = end + 3, "markup"
            elif self.mode in ("comment", "pi"):
                closing = b"-->" if self.mode == "comment" else b"?>"
                end = data.find(closing, pos)
                if end < 0:
                    keep = max(size - len(closing) + 1, pos)
                    out.append(data[pos:keep])
                    self.pending = data[keep:]
                    break
                out.append(data[pos : end + len(closing)])
                pos, self.mode = end + len(closing), "markup"
            else:
                found = _MARKUP.search(data, pos)
                if found is None:
                    keep = size - 1 if data.endswith(b"<") else size
                    out.append(data[pos:keep])
                    self.pending = data[keep:]
                    break
                start = found.start()
                if size - start < len(_CDATA_OPEN) and (_CDATA_OPEN.startswith(data[start:]) or data[start:] == b"<!-"):
                    out.append(data[pos:start])
                    self.pending = data[start:]
                    break
                out.append(data[pos:start])
                if data.startswith(_CDATA_OPEN, start):
                    pos, self.mode = start + len(_CDATA_OPEN), "cdata"
                elif data.startswith(b"<!--", start):
                    out.append(b"<!--")
                    pos, self.mode = start + 4, "comment"
                elif data.startswith(b"<?", start):
                    out.append(b"<?")
                    pos, self.mode = start + 2, "pi"
                else:
                    out.append(data[start : start + 2])
                    pos = start + 2
        return b"".join(out)

    def close(self):
        pending, self.pending = self.pending, b""
        if self.mode == "cdata":
            raise CreditcheckError("xml", "the <creditCheck> document ends inside a CDATA section")
        return pending


def _escape(data):
    return data.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


def _safe_parser(target, encoding=None, huge=False):
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=huge,
        encoding=encoding,
    )


class _DocumentTarget:
    """Collects the ``<creditCheck>`` header fields and hands on the text of ``<data>``."""

    def __init__(self):
        self.path = []
        self.fields = {}
        self.texts = []
        self.seen_root = False
        self.seen_data = False

    def start(self, tag, attrib, nsmap=None):
        local = etree.QName(tag).localname
        if not self.path and local != "creditCheck":
            raise CreditcheckError("xml", f"the result is a <{local}> document, not <creditCheck>")
        if self.path[1:2] == ["data"]:
            raise CreditcheckError("xml", f"the <data> of the <creditCheck> document holds a <{local}> element")
        if len(self.path) == 1 and local == "data":
            if self.seen_data:
                raise CreditcheckError("xml", "the <creditCheck> document holds two <data> elements")
            self.seen_data = True
        self.seen_root = True
        self.path.append(local)

    def end(self, tag):
        self.path.pop()

    def data(self, text):
        if self.path[1:2] == ["data"]:
            self.texts.append(text)
        elif len(self.path) == 2:
            value = self.fields.get(self.path[-1], "") + text
            if len(value) > MAX_HEADER_TEXT:
                raise CreditcheckError("xml", f"the <{self.path[-1]}> of the <creditCheck> document is too long")
            self.fields[self.path[-1]] = value

    def doctype(self, *args):
        raise CreditcheckError("xml", "the result carries a DOCTYPE; refused")

    def pi(self, *args):
        return None

    def comment(self, *args):
        return None

    def close(self):
        return None


class _Document:
    """A ``<creditCheck>`` document (bytes in), its ``<data>`` read while it arrives."""

    def __init__(self, payload, encoding=None):
        self.report = payload.report
        self.target = _DocumentTarget()
        # huge_tree: libxml2's 10 MB limit on one text node would stop a full list;
        # the size is bounded by the payload's cap instead.
        self.parser = _safe_parser(self.target, encoding=encoding, huge=True)
        self.cdata = _CdataAsText()
        self.data = payload.data()

    def feed(self, data):
        try:
            self.parser.feed(self.cdata.feed(data))
        except etree.XMLSyntaxError as exc:
            raise CreditcheckError("xml", f"the <creditCheck> document is not well-formed XML: {exc}") from exc
        return self._drain()

    def _drain(self):
        texts = self.target.texts
        if not texts:
            return ()
        out = []
        for text in texts:
            out.extend(self.data.feed(text))
        texts.clear()
        return out

    def close(self):
        try:
            rest = self.cdata.close()
            if rest:
                self.parser.feed(rest)
            self.parser.close()
        except etree.XMLSyntaxError as exc:
            raise CreditcheckError("xml", f"the <creditCheck> document is not well-formed XML: {exc}") from exc
        if not self.target.seen_root:
            raise CreditcheckError("xml", "the result is empty: no <creditCheck> document")
        out = list(self._drain())
        out.extend(self.data.close())
        report, fields = self.report, self.target.fields
        report.web_method = fields.get("webMethod", "").strip()
        report.time = fields.get("time", "").strip()
        count = fields.get("count", "").strip()
        report.declared_count = int(count) if count.isdigit() else None
        if report.declared_count is not None and report.declared_count != report.lines_read:
            raise CreditcheckError(
                "count",
                f"the answer declares {report.declared_count} lines (<count>) but holds {report.lines_read}",
            )
        return out


def _run(stage, chunks):
    for chunk in chunks:
        yield from stage.feed(chunk)
    yield from stage.close()


def iter_document_lines(chunks, report, max_decompressed=DEFAULT_MAX_DECOMPRESSED):
    """Status lines of a ``<creditCheck>`` document given as byte or text chunks."""
    payload = _Payload(report, max_decompressed)
    stage = None
    for chunk in chunks:
        if stage is None:
            # text has lost its bytes' encoding: it is read as the UTF-8 it is encoded to
            text = isinstance(chunk, str)
            stage = _Chain(_Encode(), _Document(payload, encoding="utf-8")) if text else _Document(payload)
        yield from stage.feed(chunk)
    yield from (stage or _Document(payload)).close()


class _TextCap:
    def __init__(self, budget):
        self.budget = budget

    def feed(self, text):
        self.budget.take(len(text))
        return (text,)

    def close(self):
        return ()


def iter_payload_lines(text_chunks, report, max_decompressed=DEFAULT_MAX_DECOMPRESSED):
    """Status lines of a result text (str chunks) in any of the known shapes."""
    payload = _Payload(report, max_decompressed)
    stage = _Chain(_TextCap(_Budget(max_decompressed, "result")), payload.result())
    yield from _run(stage, text_chunks)


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
            value = self.fault.get(self.path[-1], "") + text
            self.fault[self.path[-1]] = value[:MAX_HEADER_TEXT]

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


def iter_envelope_result(chunks, max_size=None):
    """Text chunks of the ``*Result`` element of a SOAP answer given as byte chunks."""
    target = _EnvelopeTarget()
    parser = _safe_parser(target, huge=True)
    cdata = _CdataAsText()
    budget = _Budget(max_size + ENVELOPE_ALLOWANCE, "SOAP answer") if max_size else None
    try:
        for chunk in chunks:
            if budget:
                budget.take(len(chunk))
            parser.feed(cdata.feed(chunk))
            if target.result:
                yield from target.result
                target.result.clear()
        rest = cdata.close()
        if rest:
            parser.feed(rest)
        parser.close()
    except etree.XMLSyntaxError as exc:
        if target.fault:
            raise fault_error(target.fault.get("faultstring")) from exc
        raise CreditcheckError("xml", f"the SOAP answer is not well-formed XML: {exc}") from exc
    if target.fault:
        raise fault_error(target.fault.get("faultstring"))
    yield from target.result
    if not target.seen_result:
        raise CreditcheckError("xml", "the SOAP answer holds no result element")


def iter_answer_lines(chunks, report, max_decompressed=DEFAULT_MAX_DECOMPRESSED):
    """Status lines of a whole SOAP answer (byte chunks) of one of the list methods."""
    yield from iter_payload_lines(iter_envelope_result(chunks, max_decompressed), report, max_decompressed)


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
