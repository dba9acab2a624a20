"""SOAP client of CreditCheckAktualizace (zeep over requests), without the ORM.

The WSDL is, by default, the one shipped next to this module (rebuilt from the
public documentation, see ``wsdl/``); a vendor's WSDL can be named instead, a
file or a URL.  Either is loaded on its own: a reference to any other document
(an import or include) is refused, so nothing else is fetched.  The service
address is always the configured endpoint, whatever the WSDL says.

zeep builds every request (CreditCheckHeader included); the answer is read as a
stream of bytes and handed to :mod:`.creditcheck_parser` while it arrives, so a
million-line payload is never held whole.
"""

from pathlib import Path

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport

from .creditcheck_parser import (
    CHUNK,
    DEFAULT_MAX_DECOMPRESSED,
    CreditcheckError,
    ParseReport,
    iter_answer_lines,
)

WSDL_DIR = Path(__file__).resolve().parent / "wsdl"
LIST_METHODS = {
    # method: takes the last record ID
    "GetCreditChecks": False,
    "GetCreditChecksCompressed": False,
    "GetCreditChecksBatch": True,
    "GetCreditChecksBatchCompressed": True,
    "GetZanikleSubjektyCompressed": False,
}


def shipped_wsdl(country):
    """The path of the WSDL shipped with the addon for ``country`` ('cz' or 'sk')."""
    if country not in ("cz", "sk"):
        raise CreditcheckError("config", f"CreditCheck serves Czech and Slovak subjects only, not {country!r}")
    return str(WSDL_DIR / f"CreditCheckAktualizace-{country}.wsdl")


def _prepend(first, iterator):
    if first:
        yield first
    yield from iterator


class _OneDocumentTransport(Transport):
    """Loads the WSDL it was made for and nothing else (no imports, includes or schemas from elsewhere)."""

    def __init__(self, wsdl, **kwargs):
        super().__init__(**kwargs)
        self.wsdl = wsdl

    def load(self, url):
        if url != self.wsdl:
            raise CreditcheckError(
                "wsdl",
                f"the WSDL {self.wsdl} refers to another document, {url}; external references are not loaded",
            )
        return super().load(url)


class CreditcheckClient:
    def __init__(
        self,
        endpoint,
        login,
        password,
        country="cz",
        wsdl=None,
        session=None,
        timeout=30,
        operation_timeout=900,
        max_decompressed=DEFAULT_MAX_DECOMPRESSED,
    ):
        if not endpoint:
            raise CreditcheckError("config", "No CreditCheck endpoint is configured.")
        if not login or not password:
            raise CreditcheckError("config", "The CreditCheck login and password are not configured.")
        self.endpoint = endpoint
        self.login = login
        self.password = password
        self.wsdl = wsdl or shipped_wsdl(country)
        self.session = session or requests.Session()
        self.timeout = timeout
        self.operation_timeout = operation_timeout
        self.max_decompressed = max_decompressed
        self._zeep = None
        self._service = None
        self._binding = None
        self._header = None

    # -- zeep ---------------------------------------------------------------------

    def _client(self):
        if self._zeep is None:
            transport = _OneDocumentTransport(
                self.wsdl, session=self.session, timeout=self.timeout, operation_timeout=self.operation_timeout
            )
            settings = Settings(strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True)
            try:
                client = Client(self.wsdl, transport=transport, settings=settings)
                binding_name = next(iter(client.wsdl.bindings))
                namespace = etree.QName(binding_name).namespace
                header_type = client.get_element(f"{{{namespace}}}CreditCheckHeader")
                service = client.create_service(binding_name, self.endpoint)
            except requests.Timeout as exc:
                raise CreditcheckError("timeout", f"CreditCheck's WSDL {self.wsdl} came too late: {exc}") from exc
            except requests.exceptions.SSLError as exc:
                raise CreditcheckError(
                    "certificate", f"the TLS certificate of CreditCheck's WSDL {self.wsdl} is not accepted: {exc}"
                ) from exc
            except requests.RequestException as exc:
                raise CreditcheckError("network", f"CreditCheck's WSDL {self.wsdl} cannot be read: {exc}") from exc
            except OSError as exc:
                raise CreditcheckError("wsdl", f"CreditCheck's WSDL {self.wsdl} cannot be read: {exc}") from exc
            except (ZeepError, etree.XMLSyntaxError, StopIteration, LookupError, ValueError) as exc:
                raise CreditcheckError("wsdl", f"CreditCheck's WSDL {self.wsdl} is unusable: {exc}") from exc
            self._header = header_type(Login=self.login, Password=self.password)
            self._binding = client.wsdl.bindings[binding_name]
            self._service = service
            self._zeep = client
        return self._zeep

    def _post(self, method, **args):
        """POST one call; the answer's body is left unread (streamed)."""
        client = self._client()
        try:
            envelope = client.create_message(self._service, method, **args, _soapheaders=[self._header])
            action = self._binding.get(method).soapaction
        except (ZeepError, TypeError, ValueError) as exc:
            raise CreditcheckError("wsdl", f"{method} cannot be called with this WSDL: {exc}") from exc
        body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
        headers = {"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": f'"{action}"'}
        try:
            return self.session.post(
                self.endpoint,
                data=body,
                headers=headers,
                timeout=(self.timeout, self.operation_timeout),
                stream=True,
            )
        except requests.Timeout as exc:
            raise CreditcheckError(
                "timeout", f"CreditCheck did not answer {method} within {self.timeout:g} seconds: {exc}"
            ) from exc
        except requests.exceptions.SSLError as exc:
            raise CreditcheckError(
                "certificate", f"CreditCheck's TLS certificate is not accepted for {method}: {exc}"
            ) from exc
        except requests.RequestException as exc:
            raise CreditcheckError("network", f"CreditCheck cannot be reached for {method}: {exc}") from exc

    def _chunks(self, response, method, sink=None):
        """The answer's bytes as they arrive; an HTTP error without a SOAP fault becomes CreditcheckError."""
        try:
            iterator = response.iter_content(CHUNK)
            first = next(iterator, b"")
            if response.status_code >= 400 and b"Fault" not in first[:4000]:
                raise CreditcheckError("http", f"CreditCheck answered {method} with HTTP {response.status_code}")
            for chunk in _prepend(first, iterator):
                if sink is not None:
                    sink(chunk)
                yield chunk
        except requests.Timeout as exc:
            raise CreditcheckError("timeout", f"CreditCheck's answer to {method} stopped arriving: {exc}") from exc
        except requests.RequestException as exc:
            raise CreditcheckError("network", f"CreditCheck's answer to {method} was cut off: {exc}") from exc
        finally:
            response.close()

    # -- methods --------------------------------------------------------------------

    def iter_lines(self, method, report, last_id=None, sink=None):
        """Status lines of one list method; ``report`` (a ParseReport) gets the counts.

        ``sink``, when given, receives every byte chunk of the SOAP answer as it
        arrives (to keep the answer).  Raises CreditcheckError on a fault, a
        refused login or a bad payload.
        """
        if method not in LIST_METHODS:
            raise CreditcheckError("config", f"{method} is not a CreditCheck list method")
        args = {"id": int(last_id or 0)} if LIST_METHODS[method] else {}
        response = self._post(method, **args)
        yield from iter_answer_lines(self._chunks(response, method, sink), report, self.max_decompressed)

    def get_credit_check_ic(self, ico):
        """The status lines of one subject (GetCreditCheckIc, 200 calls a day per user)."""
        report = ParseReport()
        response = self._post("GetCreditCheckIc", ic=ico)
        lines = list(iter_answer_lines(self._chunks(response, "GetCreditCheckIc"), report, self.max_decompressed))
        return lines, report
