"""Transport to the KSZ/BCSS: EmployerAccountBalance (synchronous and grouped) and EnterpriseFiscalDebt.

zeep builds the requests from the WSDL (the rebuilt one of ``schemas/`` or the KSZ's own)
and sends them signed with the organisation's X.509 certificate (:mod:`.wsse`).  Answers
are taken raw and read by :mod:`.ksz_parser`, which keeps each enterprise's answer as
the XML it came in (the proof) and reads thousands of grouped answers without building
zeep objects for them.  Every fault becomes a :class:`SocialDebtError`.
"""

import time
import uuid
from datetime import datetime, timezone

import requests
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport

from . import ksz_parser
from .enterprise import enterprise_number
from .errors import SocialDebtError, pin_verify
from .wsse import WsseSignature, load_credentials

EAB_BINDING = "{http://kszbcss.fgov.be/intf/EmployerAccountBalanceService/v1}EmployerAccountBalanceBinding"
EFD_BINDING = "{http://kszbcss.fgov.be/intf/EnterpriseFiscalDebtService/v2}EnterpriseFiscalDebtServiceHTTPBinding"
SOCIAL, FISCAL = "EmployerAccountBalance", "EnterpriseFiscalDebt"


def new_ticket():
    """A customer ticket as the KSZ stores it in full (a UUID, 36 characters)."""
    return str(uuid.uuid4())


class KszClient:
    """One organisation's connection to the KSZ: its certificate, enterprise number and endpoints."""

    def __init__(
        self,
        wsdl,
        endpoint,
        customer_number,
        certificate,
        password=None,
        fiscal_wsdl=None,
        fiscal_endpoint=None,
        timeout=20,
        session=None,
        verify=True,
        max_answer_bytes=ksz_parser.MAX_ANSWER_BYTES,
    ):
        if not enterprise_number(customer_number):
            raise SocialDebtError("no_customer_number", detail=repr(customer_number))
        cert, key = load_credentials(certificate, password)
        self.customer_number = enterprise_number(customer_number)
        self.session = session or requests.Session()
        pin_verify(self.session, verify)
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.signature = WsseSignature(cert, key)
        self._targets = {SOCIAL: (wsdl, endpoint, EAB_BINDING), FISCAL: (fiscal_wsdl, fiscal_endpoint, EFD_BINDING)}
        self._services = {}

    def close(self):
        self.session.close()

    def _service(self, name):
        if name not in self._services:
            wsdl, endpoint, binding = self._targets[name]
            if not (wsdl and endpoint):
                raise SocialDebtError("network", detail=f"no endpoint for {name}")
            settings = Settings(
                strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            transport = Transport(session=self.session, timeout=self.timeout, operation_timeout=self.timeout)
            client = Client(wsdl, transport=transport, settings=settings, wsse=self.signature)
            self._services[name] = (client, client.create_service(binding, endpoint))
        return self._services[name]

    def _customer(self, ticket):
        return {
            "ticket": ticket,
            "timestampSent": datetime.now(timezone.utc).replace(microsecond=0),
            "customerIdentification": {"cbeNumber": self.customer_number},
        }

    def _post(self, name, operation, **values):
        """Send one signed request; the answer's raw bytes and the time it took."""
        started = time.monotonic()
        try:
            client, service = self._service(name)
            with client.settings(raw_response=True):
                response = getattr(service, operation)(**values)
        except requests.Timeout as exc:
            raise SocialDebtError("timeout", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.exceptions.SSLError as exc:
            raise SocialDebtError("tls", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.RequestException as exc:
            raise SocialDebtError("network", detail=str(exc), duration=time.monotonic() - started) from exc
        except (ZeepError, ValueError, TypeError) as exc:
            raise SocialDebtError("malformed", detail=f"request not built: {exc}") from exc
        duration = time.monotonic() - started
        content = response.content
        kind = response.headers.get("Content-Type", "")
        if response.status_code in (502, 503, 504) or (response.status_code >= 400 and "xml" not in kind):
            code = {401: "unauthorized", 403: "forbidden"}.get(response.status_code, f"http_{response.status_code}")
            raise SocialDebtError(code, status=response.status_code, duration=duration, body=content[:4000])
        return content, duration

    @staticmethod
    def _checked(number):
        checked = enterprise_number(number)
        if not checked:
            raise SocialDebtError("invalid_enterprise", detail=repr(number))
        return checked

    def _read(self, parse, content, duration):
        try:
            answer = parse(content)
        except SocialDebtError as error:
            error.duration = duration
            raise
        return answer

    # -- synchronous ------------------------------------------------------------------------

    def consult_social(self, number, ticket, legal_context):
        """EmployerAccountBalance for one enterprise, answered at once: a :class:`KszAnswer`."""
        number = self._checked(number)
        content, duration = self._post(
            SOCIAL,
            "consultEmployerAccountBalance",
            informationCustomer=self._customer(ticket),
            legalContext=legal_context,
            criteria={"enterpriseNumber": number},
        )
        answer = self._read(ksz_parser.parse_consult, content, duration)
        answer.reference = answer.reference or ticket
        return answer, duration

    def check_fiscal(self, number, ticket, legal_context, include_amount=True):
        """EnterpriseFiscalDebt (checkEnterpriseDebt) for one enterprise: a :class:`KszAnswer`."""
        number = self._checked(number)
        content, duration = self._post(
            FISCAL,
            "checkEnterpriseDebt",
            informationCustomer=self._customer(ticket),
            legalContext=legal_context,
            criteria={"enterpriseNumber": number, "includeAmount": include_amount},
        )
        answer = self._read(ksz_parser.parse_fiscal_answer, content, duration)
        answer.reference = answer.reference or ticket
        return answer, duration

    # -- grouped (asynchronous) --------------------------------------------------------------

    def send_batch(self, batch_ticket, legal_context, questions):
        """Send many questions as one message: ``questions`` is a list of
        ``(reference, enterprise number, [SOCIAL and/or FISCAL])``.  The KSZ acknowledges at
        once and answers later (:meth:`collect_batch`).  Sending the same ``batch_ticket``
        again is answered with the first acknowledgement, so a resend after a crash is safe."""
        requests_ = [
            {"reference": reference, "enterpriseNumber": self._checked(number), "question": list(kinds)}
            for reference, number, kinds in questions
        ]
        content, duration = self._post(
            SOCIAL,
            "sendEmployerAccountBalanceBatch",
            informationCustomer=self._customer(batch_ticket),
            legalContext=legal_context,
            request=requests_,
        )
        return self._read(ksz_parser.parse_batch_ack, content, duration), duration

    def collect_batch(self, batch_ticket, legal_context, offset=0, limit=1000):
        """One page of the grouped answers of ``batch_ticket`` (those ready so far): a :class:`BatchPage`."""
        content, duration = self._post(
            SOCIAL,
            "collectEmployerAccountBalanceBatch",
            informationCustomer=self._customer(new_ticket()),
            legalContext=legal_context,
            batchTicket=batch_ticket,
            offset=offset,
            limit=limit,
        )
        page = self._read(lambda body: ksz_parser.parse_batch_page(body, self.max_answer_bytes), content, duration)
        return page, duration
