"""KSZ/BCSS (BE) under ``/ksz/``: RSZ/ONSS EmployerAccountBalance and FOD EnterpriseFiscalDebt.

Routes (the WSDLs served are the addon's, in ``social_debt/schemas/``: EmployerAccountBalance's
is rebuilt from public facts and says so):

* ``GET|POST /ksz/EmployerAccountBalance``: WSDL (``?wsdl``); SOAP ``consultEmployerAccountBalance``
  (synchronous, one enterprise), ``sendEmployerAccountBalanceBatch`` (many questions in one
  message, acknowledged at once; the same customer ticket sent again gets the first
  acknowledgement) and ``collectEmployerAccountBalanceBatch`` (the grouped answers, by page,
  once the batch is ready);
* ``GET|POST /ksz/EnterpriseFiscalDebtService/v2/consult``: WSDL; SOAP ``checkEnterpriseDebt``;
* ``GET|POST|DELETE /ksz/_simulation``: the simulation's knobs (see :class:`Simulation`);
  ``GET /ksz/_simulation/enterprises?scenario=&offset=&limit=``: seeded enterprises.

Every SOAP request must be signed (WS-Security X.509 token, RSA-SHA256 over the Body and a
current Timestamp, exclusive C14N): an unsigned request is refused with ``wsse:InvalidSecurity``,
a wrong digest or signature with ``wsse:FailedCheck``, and, when the simulation names trusted
certificates, any other certificate with ``wsse:FailedAuthentication``.  The check needs
``lxml`` and ``cryptography`` (the project's environment has both).

Each valid enterprise number (10 digits, first 0 or 1, mod 97) has a scenario derived from
the seed: no debt, social debt with amounts and missing quarters, missing quarters only, a
payment plan, a dispute, no data (MAGDA's 30001 / NO_DATA_FOUND), tax debt, or both debts.
A few documented numbers are fixed (``FIXED``).  An invalid number is a CBSS fault.
"""

import base64
import hashlib
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from ..core import Response
from .soap import SOAP_ENV, SoapService, soap_fault

SCHEMAS = Path(__file__).resolve().parents[2] / "social_debt" / "schemas"
EAB_NS = "http://kszbcss.fgov.be/intf/EmployerAccountBalanceService/v1"
EFD_NS = "http://kszbcss.fgov.be/intf/EnterpriseFiscalDebtService/v2"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_REQUEST = 48 * 1024 * 1024
MAX_BATCH = 100_000
CLOCK_SKEW = timedelta(minutes=5)

SCENARIOS = (
    "no_debt",
    "social_debt",
    "missing_quarters",
    "payment_plan",
    "dispute",
    "no_data",
    "tax_debt",
    "social_tax_debt",
)
# One in twenty seeded enterprises of each kind but "no debt", which takes the rest.
CYCLE = ("no_debt",) * 12 + SCENARIOS[1:] + ("no_debt",)
# Numbers with a fixed scenario: the ones public documents use (SERVICES.md 3.2), and MAGDA's
# "no data" enterprise.
FIXED = {
    "0403019261": "no_debt",
    "0428759497": "social_tax_debt",
    "0685668254": "payment_plan",
    "1999999943": "no_data",
}
# With social debt in the RSZ's sense (the art. 30bis withholding applies).
WITHHOLDING = {"social_debt", "missing_quarters", "payment_plan", "dispute", "social_tax_debt"}
TAXED = {"tax_debt", "social_tax_debt"}


def valid_enterprise(number):
    return (
        isinstance(number, str)
        and len(number) == 10
        and number.isdigit()
        and number[0] in "01"
        and (int(number[:8]) + int(number[8:])) % 97 == 0
    )


def enterprise(index):
    """The ``index``-th seeded enterprise number: valid, distinct, in the 04xx range."""
    body = 4_100_000 + index
    return f"{body:08d}{97 - body % 97:02d}"


def brussels_today():
    return datetime.now(timezone.utc).astimezone(BRUSSELS).date()


def utc_stamp(moment=None):
    return (moment or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Simulation:
    """The knobs of the simulation, set through ``POST /ksz/_simulation`` (JSON object):

    * ``async_delay_seconds``: how long after it was sent a batch's answers can be collected (0;
      counted from the batch's arrival with the value in force when collecting);
    * ``page_limit``: the most answers one collect page holds (1000);
    * ``scenarios``: ``{enterprise number: scenario}`` overriding the seeded ones;
    * ``fiscal_amounts``: ``{enterprise number: eurocent}``, the tax debt stated for those numbers;
    * ``minimal``: answer in the minimal shape (no optional element: no validity date, no
      employer, no RSZ number), as a real answer may;
    * ``stray_answers``: answers with references nobody asked for, added to every batch;
    * ``trusted_certificates``: SHA-256 fingerprints (hex) of the only certificates accepted
      (empty: any certificate whose signature holds).
    """

    KNOBS = {
        "async_delay_seconds": (int, float),
        "page_limit": int,
        "scenarios": dict,
        "fiscal_amounts": dict,
        "minimal": bool,
        "stray_answers": int,
        "trusted_certificates": list,
    }

    def __init__(self):
        self.reset()

    def reset(self):
        self.async_delay_seconds = 0
        self.page_limit = 1000
        self.scenarios = {}
        self.fiscal_amounts = {}
        self.minimal = False
        self.stray_answers = 0
        self.trusted_certificates = []

    def update(self, values):
        if not isinstance(values, dict):
            raise ValueError("the body must be a JSON object")
        for key, value in values.items():
            kind = self.KNOBS.get(key)
            if kind is None:
                raise ValueError(f"unknown knob {key!r}; there are {', '.join(sorted(self.KNOBS))}")
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ValueError(f"{key} has the wrong type")
        for number, scenario in (values.get("scenarios") or {}).items():
            if scenario not in SCENARIOS or not valid_enterprise(number):
                raise ValueError(f"scenario {number!r}: {scenario!r} is not one of {', '.join(SCENARIOS)}")
        for number, cents in (values.get("fiscal_amounts") or {}).items():
            if not valid_enterprise(number) or not isinstance(cents, int) or cents < 0:
                raise ValueError(f"fiscal amount {number!r}: {cents!r} is not a number of eurocent")
        if values.get("page_limit", 1) < 1 or values.get("stray_answers", 0) < 0:
            raise ValueError("page_limit must be positive and stray_answers not negative")
        for key, value in values.items():
            setattr(self, key, value)

    def as_dict(self):
        return {key: getattr(self, key) for key in self.KNOBS}


class KszData:
    """The seeded situation of every enterprise."""

    def __init__(self, service):
        self.service = service

    def scenario(self, number):
        overrides = self.service.simulation.scenarios
        if number in overrides:
            return overrides[number]
        if number in FIXED:
            return FIXED[number]
        return CYCLE[int(hashlib.sha256(f"{self.service.seed}:{number}".encode()).hexdigest(), 16) % len(CYCLE)]

    def listing(self, scenario=None, offset=0, limit=50):
        out, index = [], 0
        while len(out) < offset + limit and index < offset + limit + 40 * (limit + offset) + 1000:
            number = enterprise(index)
            index += 1
            kind = self.scenario(number)
            if scenario in (None, kind):
                out.append({"enterpriseNumber": number, "scenario": kind, "name": self.name(number)})
        return out[offset : offset + limit]

    def name(self, number):
        rng = self.service.rng("name", number)
        return f"{rng.choice(['Bouw', 'Beton', 'Dak', 'Bewaking', 'Vlees', 'Renovatie'])} {number[-4:]} BV"

    def social(self, number, today):
        """The ``employerAccountBalance`` XML fragment (status and financialSituation) for ``number``."""
        kind = self.scenario(number)
        if kind == "no_data":
            return _status("NO_DATA_FOUND", "30001", "Geen gegevens gevonden voor de vraag")
        rng = self.service.rng("social", number)
        minimal = self.service.simulation.minimal
        amounts = [0, 0, 0, 0]
        quarters, plan, dispute = [], False, None
        if kind in ("social_debt", "social_tax_debt"):
            amounts = [rng.randint(260_000, 1_500_000), rng.randint(10_000, 90_000), rng.randint(1_000, 20_000), 0]
            quarters = _quarters(today, 2)
        elif kind == "missing_quarters":
            quarters = _quarters(today, 1)
        elif kind == "payment_plan":
            amounts = [rng.randint(300_000, 800_000), rng.randint(10_000, 40_000), rng.randint(500, 5_000), 12_100]
            plan = True
        elif kind == "dispute":
            amounts = [rng.randint(300_000, 600_000), 0, 0, 0]
            dispute = (rng.randint(1, 4), amounts[0])
        update = today.replace(day=1) - timedelta(days=1)
        detail = ""
        if not minimal:
            detail += "<documentType>A30B</documentType>"
            detail += (
                f"<employerAccountUpdateEnd><date>{update.isoformat()}</date>"
                f"<quarter>{_quarter(update)}</quarter></employerAccountUpdateEnd>"
            )
        detail += f"<paymentPlanFollowed>{'true' if plan else 'false'}</paymentPlanFollowed>"
        detail += (
            "<debtAmounts>"
            f"<contributions>{amounts[0]}</contributions><surcharges>{amounts[1]}</surcharges>"
            f"<interests>{amounts[2]}</interests><legalCosts>{amounts[3]}</legalCosts>"
            "</debtAmounts>"
        )
        if dispute:
            detail += f"<dispute><type>{dispute[0]}</type><amount>{dispute[1]}</amount></dispute>"
        if quarters:
            detail += "<missingQuarters>" + "".join(f"<quarter>{q}</quarter>" for q in quarters) + "</missingQuarters>"
        if kind not in WITHHOLDING and not minimal:
            detail += f"<validityEndDate>{(today + timedelta(days=30)).isoformat()}</validityEndDate>"
        nsso = f"0{self.service.rng('nsso', number).randint(10**8, 10**9 - 1)}"
        information = f"<referenceNumber>{uuid.uuid5(uuid.NAMESPACE_URL, number)}</referenceNumber>"
        information = "" if minimal else information + f"<nssoRegistrationNumber>{nsso}</nssoRegistrationNumber>"
        information += f"<enterpriseNumber>{number}</enterpriseNumber><answerDate>{today.isoformat()}</answerDate>"
        employer = (
            ""
            if minimal
            else f"<employer><enterpriseNumber>{number}</enterpriseNumber><nssoRegistrationNumber>{nsso}"
            f"</nssoRegistrationNumber><name>{escape(self.name(number))}</name></employer>"
        )
        situation = f"<financialSituation><information>{information}</information><detail>{detail}</detail>{employer}"
        return _status("DATA_FOUND", "MSG00000", "Gegevens gevonden") + situation + "</financialSituation>"

    def fiscal(self, number, today, include_amount=True):
        """The ``enterpriseFiscalDebt`` XML fragment (status and fiscalDebt) for ``number``."""
        kind = self.scenario(number)
        has_debt = kind in TAXED
        amount = ""
        if has_debt and include_amount:
            cents = self.service.simulation.fiscal_amounts.get(number)
            cents = cents if cents is not None else self.service.rng("fiscal", number).randint(50_000, 2_500_000)
            amount = f"<amount>{cents}</amount>"
        debt = f"<hasFiscalDebt>{'true' if has_debt else 'false'}</hasFiscalDebt><statusDate>{today}</statusDate>"
        return _status("DATA_FOUND", "MSG00000") + f"<fiscalDebt>{debt}{amount}</fiscalDebt>"


def _status(value, code, description=""):
    text = f"<description>{escape(description)}</description>" if description else ""
    return f"<status><value>{value}</value><code>{code}</code>{text}</status>"


def _quarter(day):
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _quarters(today, count):
    """``count`` quarters up to the penultimate one (the DmfA returns due by now), oldest first."""
    index = today.year * 4 + (today.month - 1) // 3 - 2  # the penultimate quarter
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


# -- WS-Security ------------------------------------------------------------------------------


class SignatureRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def verify_signature(root, trusted=()):
    """Check the request's WS-Security signature; the signing certificate's SHA-256 fingerprint."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from lxml import etree

    def c14n(element):
        return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)

    security = root.find(f"{{{SOAP_ENV}}}Header/{{{WSSE}}}Security")
    token = security.find(f"{{{WSSE}}}BinarySecurityToken") if security is not None else None
    info = security.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo") if security is not None else None
    stamp = security.find(f"{{{WSU}}}Timestamp") if security is not None else None
    if token is None or info is None or stamp is None:
        raise SignatureRefused("InvalidSecurity", "a signed request (X.509 token, Timestamp, Signature) is required")
    try:
        der = base64.b64decode(token.text or "")
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise SignatureRefused("InvalidSecurityToken", f"the security token is not a certificate: {exc}") from exc
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if trusted and fingerprint not in trusted:
        raise SignatureRefused("FailedAuthentication", "the certificate is not registered for this organisation")
    now = datetime.now(timezone.utc)
    try:
        created = datetime.fromisoformat(stamp.findtext(f"{{{WSU}}}Created").replace("Z", "+00:00"))
        expires = datetime.fromisoformat(stamp.findtext(f"{{{WSU}}}Expires").replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise SignatureRefused("InvalidSecurity", "the Timestamp cannot be read") from exc
    if created > now + CLOCK_SKEW or expires < now - CLOCK_SKEW:
        raise SignatureRefused("MessageExpired", "the Timestamp is not current")
    by_id = {element.get(f"{{{WSU}}}Id"): element for element in root.iter() if element.get(f"{{{WSU}}}Id")}
    signed = set()
    for reference in info.findall(f"{{{DS}}}Reference"):
        uri = (reference.get("URI") or "").lstrip("#")
        target = by_id.get(uri)
        expected = reference.findtext(f"{{{DS}}}DigestValue")
        if target is None or base64.b64encode(hashlib.sha256(c14n(target)).digest()).decode() != expected:
            raise SignatureRefused("FailedCheck", f"the digest of #{uri} does not match")
        signed.add(target)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body not in signed or stamp not in signed:
        raise SignatureRefused("FailedCheck", "the Body and the Timestamp must be signed")
    value = base64.b64decode(security.findtext(f"{{{DS}}}Signature/{{{DS}}}SignatureValue") or "")
    try:
        cert.public_key().verify(value, c14n(info), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise SignatureRefused("FailedCheck", "the signature does not hold") from exc
    return fingerprint


# -- the service ------------------------------------------------------------------------------


def cbss_fault(reason, diagnostic, ticket=""):
    """A CBSS business fault (``CBSSFaultType`` in the SOAP Fault's detail)."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
        f"<faultcode>soap:Client</faultcode><faultstring>{escape(diagnostic)}</faultstring><detail>"
        f'<tns:employerAccountBalanceFault xmlns:tns="{EAB_NS}">'
        f"<informationCBSS><ticketCBSS>{ticket or uuid.uuid4()}</ticketCBSS>"
        f"<timestampReceive>{utc_stamp()}</timestampReceive><timestampReply>{utc_stamp()}</timestampReply>"
        "</informationCBSS>"
        f"<detail><severity>FATAL</severity><reasonCode>{escape(reason)}</reasonCode>"
        f"<diagnostic>{escape(diagnostic)}</diagnostic><authorCode>KSZ-BCSS</authorCode></detail>"
        "</tns:employerAccountBalanceFault></detail></soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response.xml(body, status=500)


def security_fault(refusal):
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:wsse="{WSSE}"><soap:Body><soap:Fault>'
        f"<faultcode>wsse:{refusal.code}</faultcode><faultstring>{escape(str(refusal))}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response.xml(body, status=500)


def envelope(namespace, element, content):
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        f'<ns:{element} xmlns:ns="{namespace}">{content}</ns:{element}>'
        "</soap:Body></soap:Envelope>"
    )


class Ksz(SoapService):
    name = "ksz"
    title = "KSZ/BCSS: RSZ EmployerAccountBalance and FOD EnterpriseFiscalDebt"

    def __init__(self, seed):
        self.simulation = Simulation()
        self.data = KszData(self)
        self.batches = {}  # customer ticket -> batch
        self._lock = threading.Lock()
        super().__init__(seed)

    def describe(self):
        return {**super().describe(), "wsdl": "rebuilt from public facts (EmployerAccountBalance)"}

    def setup_routes(self):
        self.route("GET", r"EmployerAccountBalance", self.eab_wsdl)
        self.route("POST", r"EmployerAccountBalance", self.eab)
        self.route("GET", r"EnterpriseFiscalDebtService/v2/consult", self.efd_wsdl)
        self.route("POST", r"EnterpriseFiscalDebtService/v2/consult", self.efd)
        self.route("GET", r"_simulation", self.get_simulation)
        self.route("POST", r"_simulation", self.set_simulation)
        self.route("DELETE", r"_simulation", self.reset_simulation)
        self.route("GET", r"_simulation/enterprises", self.enterprises)

    # -- control ------------------------------------------------------------------------------

    def get_simulation(self, request):
        return Response.json({**self.simulation.as_dict(), "batches": len(self.batches)})

    def set_simulation(self, request):
        try:
            self.simulation.update(request.json())
        except ValueError as exc:
            return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
        return Response.json(self.simulation.as_dict())

    def reset_simulation(self, request):
        self.simulation.reset()
        with self._lock:
            self.batches.clear()
        return Response.json(self.simulation.as_dict())

    def enterprises(self, request):
        scenario = request.arg("scenario") or None
        try:
            offset, limit = int(request.arg("offset", 0)), min(int(request.arg("limit", 50)), 10_000)
        except ValueError:
            return Response.json({"error": {"status": 400, "message": "offset and limit are numbers"}}, 400)
        if scenario and scenario not in SCENARIOS:
            return Response.json({"error": {"status": 400, "message": f"no scenario {scenario}"}}, 400)
        return Response.json({"enterprises": self.data.listing(scenario, offset, limit)})

    # -- SOAP ---------------------------------------------------------------------------------

    def eab_wsdl(self, request):
        return Response.xml((SCHEMAS / "ksz_employer_account_balance.wsdl").read_bytes())

    def efd_wsdl(self, request):
        return Response.xml((SCHEMAS / "ksz_enterprise_fiscal_debt.wsdl").read_bytes())

    def _read(self, request):
        """The request's payload element, once its signature holds; or a fault Response."""
        from lxml import etree

        if len(request.body) > MAX_REQUEST:
            return None, soap_fault("Client", "request too large", status=413)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        try:
            root = etree.fromstring(request.body, parser)
        except etree.XMLSyntaxError as exc:
            return None, soap_fault("Client", f"not XML: {exc}", status=400)
        if root.getroottree().docinfo.doctype:
            return None, soap_fault("Client", "a DOCTYPE is not accepted", status=400)
        try:
            verify_signature(root, self.simulation.trusted_certificates)
        except SignatureRefused as refusal:
            return None, security_fault(refusal)
        body = root.find(f"{{{SOAP_ENV}}}Body")
        payload = next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
        if payload is None:
            return None, soap_fault("Client", "no SOAP Body", status=400)
        customer = (payload.findtext("informationCustomer/customerIdentification/cbeNumber") or "").strip()
        context = (payload.findtext("legalContext") or "").strip()
        if not valid_enterprise(customer):
            return None, cbss_fault("invalidCustomerIdentification", "customerIdentification is not a CBE number")
        if not context or len(context) > 64:
            return None, cbss_fault("invalidLegalContext", "legalContext is required (at most 64 characters)")
        return payload, None

    def _header(self, payload, received, ticket_cbss=None):
        ticket = escape((payload.findtext("informationCustomer/ticket") or "").strip())
        sent = escape((payload.findtext("informationCustomer/timestampSent") or "").strip())
        customer = (payload.findtext("informationCustomer/customerIdentification/cbeNumber") or "").strip()
        context = escape((payload.findtext("legalContext") or "").strip())
        return (
            f"<informationCustomer><ticket>{ticket}</ticket><timestampSent>{sent}</timestampSent>"
            f"<customerIdentification><cbeNumber>{customer}</cbeNumber></customerIdentification>"
            "</informationCustomer>"
            f"<informationCBSS><ticketCBSS>{ticket_cbss or uuid.uuid4()}</ticketCBSS>"
            f"<timestampReceive>{utc_stamp(received)}</timestampReceive><timestampReply>{utc_stamp()}</timestampReply>"
            f"</informationCBSS><legalContext>{context}</legalContext>"
        )

    def eab(self, request):
        received = datetime.now(timezone.utc)
        payload, fault = self._read(request)
        if fault:
            return fault
        operation = payload.tag.rpartition("}")[2]
        if operation == "consultEmployerAccountBalanceRequest":
            return self.consult(payload, received)
        if operation == "sendEmployerAccountBalanceBatchRequest":
            return self.send_batch(payload, received)
        if operation == "collectEmployerAccountBalanceBatchRequest":
            return self.collect_batch(payload, received)
        return soap_fault("Client", f"unknown operation {operation}", status=500)

    def consult(self, payload, received):
        number = (payload.findtext("criteria/enterpriseNumber") or "").strip()
        if not valid_enterprise(number):
            return cbss_fault("invalidEnterpriseNumber", f"{number} is not a valid enterprise number")
        content = self._header(payload, received)
        content += f"<criteria><enterpriseNumber>{number}</enterpriseNumber></criteria>"
        content += self.data.social(number, brussels_today())
        return Response.xml(envelope(EAB_NS, "consultEmployerAccountBalanceResponse", content))

    def efd(self, request):
        received = datetime.now(timezone.utc)
        payload, fault = self._read(request)
        if fault:
            return fault
        if payload.tag != f"{{{EFD_NS}}}checkEnterpriseDebtRequest":
            return soap_fault("Client", f"unknown operation {payload.tag}", status=500)
        number = (payload.findtext("criteria/enterpriseNumber") or "").strip()
        include = (payload.findtext("criteria/includeAmount") or "").strip().lower() in ("true", "1")
        if not valid_enterprise(number):
            return cbss_fault("invalidEnterpriseNumber", f"{number} is not a valid enterprise number")
        content = self._header(payload, received)
        content += (
            f"<criteria><enterpriseNumber>{number}</enterpriseNumber>"
            f"<includeAmount>{'true' if include else 'false'}</includeAmount></criteria>"
        )
        content += self.data.fiscal(number, brussels_today(), include)
        return Response.xml(envelope(EFD_NS, "checkEnterpriseDebtResponse", content))

    def send_batch(self, payload, received):
        ticket = (payload.findtext("informationCustomer/ticket") or "").strip()
        if not ticket:
            return cbss_fault("missingTicket", "a batch needs the customer's ticket")
        questions = []
        for item in payload.iterfind("request"):
            reference = (item.findtext("reference") or "").strip()
            number = (item.findtext("enterpriseNumber") or "").strip()
            kinds = [q.text.strip() for q in item.iterfind("question") if q.text]
            if not valid_enterprise(number):
                return cbss_fault("invalidEnterpriseNumber", f"{number} is not a valid enterprise number")
            if not reference or not kinds:
                return cbss_fault("invalidRequest", "every request needs a reference and a question")
            questions.append((reference, number, kinds))
        if not questions or len(questions) > MAX_BATCH:
            return cbss_fault("invalidBatchSize", f"a batch holds 1 to {MAX_BATCH} requests")
        with self._lock:
            batch = self.batches.get(ticket)
            if batch is None:
                strays = [
                    (f"stray-{uuid.uuid4()}", enterprise(900_000 + n), ["EmployerAccountBalance"])
                    for n in range(self.simulation.stray_answers)
                ]
                batch = {
                    "ticket_cbss": str(uuid.uuid4()),
                    "sent_at": time.monotonic(),
                    "questions": questions + strays,
                    "accepted": len(questions),
                }
                self.batches[ticket] = batch
        content = self._header(payload, received, batch["ticket_cbss"])
        content += _status("DATA_FOUND", "MSG00010", "Batch accepted")
        content += f"<acceptedCount>{batch['accepted']}</acceptedCount>"
        return Response.xml(envelope(EAB_NS, "sendEmployerAccountBalanceBatchResponse", content))

    def collect_batch(self, payload, received):
        ticket = (payload.findtext("batchTicket") or "").strip()
        try:
            offset = max(int(payload.findtext("offset") or 0), 0)
            limit = min(max(int(payload.findtext("limit") or 0), 1), self.simulation.page_limit)
        except ValueError:
            return cbss_fault("invalidRequest", "offset and limit are numbers")
        batch = self.batches.get(ticket)
        if batch is None:
            return cbss_fault("unknownBatch", f"no batch with ticket {ticket}")
        total = len(batch["questions"])
        ready = time.monotonic() >= batch["sent_at"] + self.simulation.async_delay_seconds
        content = self._header(payload, received, batch["ticket_cbss"])
        content += _status("DATA_FOUND" if ready else "NO_RESULT", "MSG00000" if ready else "MSG00011")
        content += f"<batchTicket>{escape(ticket)}</batchTicket><total>{total}</total>"
        content += f"<pending>{0 if ready else total}</pending>"
        if ready:
            today = brussels_today()
            parts = []
            for reference, number, kinds in batch["questions"][offset : offset + limit]:
                part = (
                    f"<answer><reference>{escape(reference)}</reference><enterpriseNumber>{number}</enterpriseNumber>"
                )
                if "EmployerAccountBalance" in kinds:
                    part += f"<employerAccountBalance>{self.data.social(number, today)}</employerAccountBalance>"
                if "EnterpriseFiscalDebt" in kinds:
                    part += f"<enterpriseFiscalDebt>{self.data.fiscal(number, today)}</enterpriseFiscalDebt>"
                parts.append(part + "</answer>")
            content += "".join(parts)
        return Response.xml(envelope(EAB_NS, "collectEmployerAccountBalanceBatchResponse", content))
