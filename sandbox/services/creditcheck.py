"""CreditCheck (CZ/SK): the CreditCheckAktualizace ASMX SOAP service under ``/creditcheck/``.

Routes, for ``<cc>`` = ``cz`` or ``sk``:

* ``GET  /creditcheck/<cc>/CreditCheckAktualizace.asmx?WSDL``: the rebuilt WSDL;
* ``POST /creditcheck/<cc>/CreditCheckAktualizace.asmx``: SOAP 1.1 calls of the six
  methods, with the ``CreditCheckHeader`` login (accounts: ``api_sandbox`` /
  ``sandbox``);
* ``GET|POST /creditcheck/<cc>/_simulation``: read or change the simulation
  (JSON: ``subjects``, ``day``, ``epoch``, ``risk_share``, ``defunct_share``,
  ``ic_limit``, ``compression``, ``shape``, ``line_end``, ``bom``,
  ``blank_lines``, ``count_offset``, ``bad_lines``, ``payload_fault``; see
  :class:`~.creditcheck_data.Settings`); ``DELETE`` resets it and the daily counters;
* ``GET /creditcheck/<cc>/_simulation/subjects?offset=0&limit=50``: the subjects
  as the simulation sees them today, for tests to build partners from.
"""

import base64
import itertools
import xml.etree.ElementTree as ET
import zipfile
import zlib

from ..core import Response
from .creditcheck_data import Population, Settings
from .creditcheck_wsdl import OPERATIONS, build_wsdl, namespace
from .soap import SOAP_ENV, SoapService, soap_fault

ACCOUNTS = {"api_sandbox": "sandbox"}
COUNTRIES = ("cz", "sk")


class CreditCheck(SoapService):
    name = "creditcheck"
    title = "CreditCheck CreditCheckAktualizace (CZ and SK)"

    def setup_routes(self):
        self.reset()
        self.route("GET", r"(cz|sk)/CreditCheckAktualizace\.asmx", self.wsdl)
        self.route("POST", r"(cz|sk)/CreditCheckAktualizace\.asmx", self.call)
        self.route("GET", r"(cz|sk)/_simulation", self.simulation)
        self.route("POST", r"(cz|sk)/_simulation", self.simulation)
        self.route("DELETE", r"(cz|sk)/_simulation", self.simulation)
        self.route("GET", r"(cz|sk)/_simulation/subjects", self.subjects)

    def reset(self, country=None):
        if country is None:
            self.settings = {cc: Settings() for cc in COUNTRIES}
            self.populations = {cc: Population(self.seed, cc, self.settings[cc]) for cc in COUNTRIES}
            self.ic_calls = {}
        else:
            self.settings[country] = Settings()
            self.populations[country] = Population(self.seed, country, self.settings[country])
            self.ic_calls = {key: n for key, n in self.ic_calls.items() if key[0] != country}

    # -- control -----------------------------------------------------------------

    def simulation(self, request, country):
        if request.method == "DELETE":
            self.reset(country)
        elif request.method == "POST":
            try:
                values = request.json()
                if not isinstance(values, dict):
                    raise ValueError("the body must be a JSON object")
                self.settings[country].update(values)
            except ValueError as exc:
                return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
        return Response.json(dict(self.settings[country].__dict__))

    def subjects(self, request, country):
        population = self.populations[country]
        offset, limit = int(request.arg("offset", 0)), int(request.arg("limit", 50))
        stop = min(offset + limit, population.settings.subjects)
        return Response.json({"subjects": [population.describe(index) for index in range(offset, stop)]})

    # -- SOAP ---------------------------------------------------------------------------

    def wsdl(self, request, country):
        if not request.has_flag("wsdl"):
            return Response.text(f"CreditCheckAktualizace ({country.upper()}): add ?WSDL for the service description")
        host = request.headers.get("host", "127.0.0.1")
        location = f"http://{host}/creditcheck/{country}/CreditCheckAktualizace.asmx"
        return Response.xml(build_wsdl(country, location))

    def call(self, request, country):
        tns = namespace(country)
        try:
            envelope = ET.fromstring(request.body)
        except ET.ParseError as exc:
            return soap_fault("Client", f"Server was unable to read request. {exc}")
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        operation = body[0] if body is not None and len(body) else None
        if operation is None or not operation.tag.startswith(f"{{{tns}}}"):
            return soap_fault("Client", f"Server did not recognize the value of HTTP Header SOAPAction for {tns}.")
        name = operation.tag[len(tns) + 2 :]
        if name not in OPERATIONS:
            return soap_fault("Client", f"Server did not recognize the value of HTTP Header SOAPAction: {tns}{name}.")
        header = envelope.find(f"{{{SOAP_ENV}}}Header/{{{tns}}}CreditCheckHeader")
        login = header.findtext(f"{{{tns}}}Login", "") if header is not None else ""
        password = header.findtext(f"{{{tns}}}Password", "") if header is not None else ""
        if ACCOUNTS.get(login) != password or not login:
            return soap_fault("Server", "Přihlášení se nezdařilo: neplatný login nebo heslo (CreditCheckHeader).")
        population = self.populations[country]
        args = {child.tag[len(tns) + 2 :]: (child.text or "") for child in operation}
        if name in ("GetCreditChecks", "GetCreditChecksCompressed"):
            lines, method = population.complete_lines(), "GetCreditChecks"
        elif name in ("GetCreditChecksBatch", "GetCreditChecksBatchCompressed"):
            try:
                after = int(args.get("id", "0") or 0)
            except ValueError:
                return soap_fault("Client", "Server was unable to read request. id is not a number.")
            lines, method = population.batch_lines(after), "GetCreditChecksBatch"
        elif name == "GetCreditCheckIc":
            key = (country, login, population.settings.day)
            self.ic_calls[key] = self.ic_calls.get(key, 0) + 1
            if self.ic_calls[key] > population.settings.ic_limit:
                return soap_fault(
                    "Server", f"Překročen denní limit {population.settings.ic_limit} volání GetCreditCheckIc."
                )
            lines, method = population.subject_lines(args.get("ic", "").strip().zfill(8)), name
        else:
            lines, method = population.defunct_lines(), name
        settings = population.settings
        if settings.bad_lines and name != "GetCreditCheckIc":
            lines = itertools.chain(population.bad_lines(), lines)
        if settings.blank_lines and name != "GetCreditCheckIc":
            lines = with_blank_lines(lines, settings.blank_lines)
        layout = {"line_end": "\r\n" if settings.line_end == "crlf" else "\n", "bom": settings.bom}
        if name.endswith("Compressed"):
            packing = (settings.compression, settings.shape, settings.count_offset)
            result = compressed_result(method, population.time_text(), lines, *packing, **layout)
            if settings.shape == "data":  # a document: escaped as the string it is
                result = b"".join(escaped(result))
            else:
                result = self._break(b"".join(result), settings.payload_fault)
        else:
            document = document_chunks(method, population.time_text(), lines, settings.count_offset, **layout)
            result = b"".join(escaped(document))
        return Response.xml(b"".join(soap_answer(name, tns, [result])))

    @staticmethod
    def _break(result, fault):
        """A compressed payload spoiled the way a broken transfer or server would spoil it."""
        if fault == "truncate":
            return result[: len(result) // 2 // 4 * 4]
        if fault == "corrupt":
            raw = bytearray(base64.b64decode(result))
            raw[30:60] = bytes(30)
            return base64.b64encode(bytes(raw))
        if fault == "not_base64":
            return result[:8] + b"*!*!" + result[12:]
        return result


# -- answers as generators of bytes: the sandbox joins them, tests and benchmarks stream them --------


def with_blank_lines(lines, count):
    """A blank line before each of the first ``count`` lines, and one at the end."""
    for number, line in enumerate(lines):
        if number < count:
            yield ""
        yield line
    if count:
        yield ""


def line_blocks(lines, line_end="\n", bom=False, size=4096):
    """``lines`` joined by ``line_end`` (none after the last one), in blocks of bytes; a BOM first when asked."""
    if bom:
        yield "\ufeff".encode()
    block, first = [], True
    for line in lines:
        block.append(line)
        if len(block) >= size:
            yield (("" if first else line_end) + line_end.join(block)).encode()
            block, first = [], False
    if block:
        yield (("" if first else line_end) + line_end.join(block)).encode()


class _Counted:
    """The lines that are not blank, counted as they go by (for ``<count>``)."""

    def __init__(self, lines):
        self.lines = lines
        self.count = 0

    def __iter__(self):
        for line in self.lines:
            if line.strip():
                self.count += 1
            yield line


def document_chunks(method, time_text, lines, count_offset=0, data=None, **layout):
    """A ``<creditCheck>`` document; its ``<count>`` goes last, after the data, as a stream allows.

    ``data``: a function of the (counted) lines giving the byte chunks of ``<data>``
    instead of the lines in a CDATA section.  ``count_offset`` makes the count lie.
    """
    counted = _Counted(lines)
    yield f"<creditCheck><version>1.0</version><webMethod>{method}</webMethod><time>{time_text}</time><data>".encode()
    if data is None:
        yield b"<![CDATA["
        yield from line_blocks(counted, **layout)
        yield b"]]>"
    else:
        yield from data(counted)
    yield f"</data><count>{counted.count + count_offset}</count></creditCheck>".encode()


def escaped(chunks):
    """Byte chunks of XML escaped as the text of an element (how ASMX returns a string)."""
    for chunk in chunks:
        yield chunk.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


class _Drain:
    """A write-only file that collects what is written, so that zipfile writes without seeking."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def flush(self):
        return None

    def take(self):
        data, self.parts = b"".join(self.parts), []
        return data


def compress_chunks(chunks, how, member="data.xml"):
    """``chunks`` as a zip of one file (streamed, with a data descriptor), a gzip, zlib or raw deflate stream."""
    if how == "zip":
        sink = _Drain()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(member, "w") as out:
            for chunk in chunks:
                out.write(chunk)
                if sink.parts:
                    yield sink.take()
        yield sink.take()
        return
    wbits = {"zlib": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS, "deflate": -zlib.MAX_WBITS}[how]
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    for chunk in chunks:
        packed = compressor.compress(chunk)
        if packed:
            yield packed
    yield compressor.flush()


def base64_chunks(chunks):
    pending = b""
    for chunk in chunks:
        pending += chunk
        usable = len(pending) - len(pending) % 3
        if usable:
            yield base64.b64encode(pending[:usable])
            pending = pending[usable:]
    yield base64.b64encode(pending)


def compressed_result(method, time_text, lines, how="zip", shape="document", count_offset=0, **layout):
    """The result of a compressed method, in one of the shapes the documentation leaves open.

    ``document``: the ``<creditCheck>`` document compressed, then Base64;
    ``lines``: the bare lines compressed, then Base64;
    ``data``: a ``<creditCheck>`` document whose ``<data>`` is Base64 of the compressed lines.
    """
    if shape == "document":
        document = document_chunks(method, time_text, lines, count_offset, **layout)
        return base64_chunks(compress_chunks(document, how, f"{method}.xml"))
    if shape == "lines":
        return base64_chunks(compress_chunks(line_blocks(lines, **layout), how, f"{method}.txt"))
    return document_chunks(
        method,
        time_text,
        lines,
        count_offset,
        data=lambda counted: base64_chunks(compress_chunks(line_blocks(counted, **layout), how, f"{method}.txt")),
    )


def soap_answer(name, tns, result_chunks):
    """The SOAP answer of operation ``name`` around its result (already escaped)."""
    yield (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><{name}Response xmlns="{tns}"><{name}Result>'
    ).encode()
    yield from result_chunks
    yield f"</{name}Result></{name}Response></soap:Body></soap:Envelope>".encode()


def line_block(count=20_000, seed=1):
    """``count`` distinct valid ``recordId;IČO;status`` lines, as bytes, each with its line end."""
    population = Population(seed, "cz", Settings())
    return "".join(f"{5_000_000 + n * 4};{population.ico(n)};{2 + n % 2}\n" for n in range(count)).encode()


def sized_answer(shape, size, block):
    """A SOAP answer whose ``<creditCheck>`` document is about ``size`` bytes: ``block`` over and over.

    ``shape``: ``plain`` (GetCreditChecks: the document escaped in the envelope) or
    ``zip`` (GetCreditChecksCompressed: the document zipped, then Base64).  Built
    while it is read, never whole.  Returns (byte chunks, number of lines).
    """
    repeats = max((size - 1024) // len(block), 1)
    lines = repeats * block.count(b"\n")

    def document():
        yield b"<creditCheck><version>1.0</version><webMethod>GetCreditChecks</webMethod><data><![CDATA["
        for _ in range(repeats):
            yield block
        yield f"]]></data><count>{lines}</count></creditCheck>".encode()

    if shape == "plain":
        return soap_answer("GetCreditChecks", namespace("cz"), escaped(document())), lines
    result = base64_chunks(compress_chunks(document(), "zip", "GetCreditChecks.xml"))
    return soap_answer("GetCreditChecksCompressed", namespace("cz"), result), lines
