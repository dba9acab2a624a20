"""CreditCheck (CZ/SK): the CreditCheckAktualizace ASMX SOAP service under ``/creditcheck/``.

Routes, for ``<cc>`` = ``cz`` or ``sk``:

* ``GET  /creditcheck/<cc>/CreditCheckAktualizace.asmx?WSDL``: the rebuilt WSDL;
* ``POST /creditcheck/<cc>/CreditCheckAktualizace.asmx``: SOAP 1.1 calls of the six
  methods, with the ``CreditCheckHeader`` login (accounts: ``api_sandbox`` /
  ``sandbox``);
* ``GET|POST /creditcheck/<cc>/_simulation``: read or change the simulation
  (JSON: ``subjects``, ``day``, ``epoch``, ``risk_share``, ``defunct_share``,
  ``ic_limit``, ``compression``, ``bad_lines``, ``payload_fault``); ``DELETE``
  resets it and the daily counters;
* ``GET /creditcheck/<cc>/_simulation/subjects?offset=0&limit=50``: the subjects
  as the simulation sees them today, for tests to build partners from.
"""

import base64
import io
import itertools
import xml.etree.ElementTree as ET
import zipfile
import zlib
from xml.sax.saxutils import escape

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
        if population.settings.bad_lines and name != "GetCreditCheckIc":
            lines = itertools.chain(population.bad_lines(), lines)
        document = self._document(method, population, lines)
        if name.endswith("Compressed"):
            result = self._compress(document, f"{method}.xml", population.settings.compression)
            result = self._break(result, population.settings.payload_fault)
        else:
            result = escape(b"".join(document).decode()).encode()
        return Response.xml(
            b'<?xml version="1.0" encoding="utf-8"?>'
            + f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><{name}Response xmlns="{tns}"><{name}Result>'.encode()
            + result
            + f"</{name}Result></{name}Response></soap:Body></soap:Envelope>".encode()
        )

    @staticmethod
    def _document(method, population, lines):
        """The ``<creditCheck>`` document, as byte chunks (the count goes last, after the data)."""
        count = 0

        def data():
            nonlocal count
            chunk = []
            for line in lines:
                chunk.append(line)
                count += 1
                if len(chunk) >= 4096:
                    yield ("\n".join(chunk) + "\n").encode()
                    chunk = []
            if chunk:
                yield "\n".join(chunk).encode()

        yield (
            f"<creditCheck><version>1.0</version><webMethod>{method}</webMethod>"
            f"<time>{population.time_text()}</time><data><![CDATA["
        ).encode()
        yield from data()
        yield f"]]></data><count>{count}</count></creditCheck>".encode()

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

    @staticmethod
    def _compress(chunks, member, how):
        buffer = io.BytesIO()
        if how == "deflate":
            compressor = zlib.compressobj(6)
            for chunk in chunks:
                buffer.write(compressor.compress(chunk))
            buffer.write(compressor.flush())
        else:
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(member, "w") as out:
                for chunk in chunks:
                    out.write(chunk)
        return base64.b64encode(buffer.getvalue())
