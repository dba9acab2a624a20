"""SOAP client of CreditCheckAktualizace (zeep over requests), without the ORM.

The WSDL is read from the endpoint (``?WSDL``), so CreditCheck's own WSDL is used
in production and the sandbox's rebuilt one in tests.  zeep builds every request
(CreditCheckHeader included); answers of the list methods are read as raw bytes
and streamed through :mod:`.creditcheck_parser`, so a million-line payload is
never held as a tree.
"""

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault
from zeep.transports import Transport

from .creditcheck_parser import (
    DEFAULT_MAX_DECOMPRESSED,
    CreditcheckError,
    ParseReport,
    byte_chunks,
    fault_error,
    iter_answer_lines,
)

LIST_METHODS = {
    # method: (compressed, takes the last record ID)
    "GetCreditChecks": (False, False),
    "GetCreditChecksCompressed": (True, False),
    "GetCreditChecksBatch": (False, True),
    "GetCreditChecksBatchCompressed": (True, True),
    "GetZanikleSubjektyCompressed": (True, False),
}


class CreditcheckClient:
    def __init__(
        self,
        endpoint,
        login,
        password,
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
        self.session = session or requests.Session()
        self.timeout = timeout
        self.operation_timeout = operation_timeout
        self.max_decompressed = max_decompressed
        self._zeep = None
        self._header = None

    # -- zeep ---------------------------------------------------------------------

    def _client(self):
        if self._zeep is None:
            transport = Transport(session=self.session, timeout=self.timeout, operation_timeout=self.operation_timeout)
            settings = Settings(strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True)
            try:
                client = Client(f"{self.endpoint}?WSDL", transport=transport, settings=settings)
                binding = next(iter(client.wsdl.bindings))
                namespace = etree.QName(binding).namespace
                header_type = client.get_element(f"{{{namespace}}}CreditCheckHeader")
            except requests.Timeout as exc:
                raise CreditcheckError("timeout", f"CreditCheck's WSDL did not arrive in time: {exc}") from exc
            except requests.RequestException as exc:
                raise CreditcheckError("network", f"CreditCheck's WSDL cannot be read: {exc}") from exc
            except (ZeepError, etree.XMLSyntaxError, StopIteration, LookupError) as exc:
                raise CreditcheckError("xml", f"CreditCheck's WSDL at {self.endpoint}?WSDL is unusable: {exc}") from exc
            self._header = header_type(Login=self.login, Password=self.password)
            self._zeep = client
        return self._zeep

    def _raw_call(self, method, **args):
        client = self._client()
        try:
            with client.settings(raw_response=True):
                response = getattr(client.service, method)(**args, _soapheaders=[self._header])
        except requests.Timeout as exc:
            raise CreditcheckError("timeout", f"CreditCheck did not answer {method} in time: {exc}") from exc
        except requests.RequestException as exc:
            raise CreditcheckError("network", f"CreditCheck cannot be reached for {method}: {exc}") from exc
        except Fault as exc:
            raise fault_error(exc.message) from exc
        except ZeepError as exc:
            raise CreditcheckError("xml", f"{method} cannot be called: {exc}") from exc
        if response.status_code >= 400 and b"Fault" not in response.content[:2000]:
            raise CreditcheckError("http", f"CreditCheck answered {method} with HTTP {response.status_code}")
        return response

    # -- methods --------------------------------------------------------------------

    def iter_lines(self, method, report, last_id=None):
        """Status lines of one list method; ``report`` (a ParseReport) gets the counts.

        Raises CreditcheckError on a fault, a refused login or a bad payload.
        """
        if method not in LIST_METHODS:
            raise CreditcheckError("config", f"{method} is not a CreditCheck list method")
        compressed, takes_id = LIST_METHODS[method]
        args = {"id": int(last_id or 0)} if takes_id else {}
        response = self._raw_call(method, **args)
        yield from iter_answer_lines(byte_chunks(response.content), compressed, report, self.max_decompressed)

    def get_credit_check_ic(self, ico):
        """The status lines of one subject (GetCreditCheckIc, 200 calls a day per user)."""
        report = ParseReport()
        response = self._raw_call("GetCreditCheckIc", ic=ico)
        lines = list(iter_answer_lines(byte_chunks(response.content), False, report, self.max_decompressed))
        return lines, report
