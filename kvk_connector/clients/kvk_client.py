"""Transport to the classic KvK APIs (Zoeken v2, Basisprofiel, Vestigingsprofiel, Naamgeving).

Plain Python, no Odoo: a :class:`KvkClient` sends GET requests with the
``apikey`` header over a ``requests.Session`` with a timeout, and returns a
:class:`KvkAnswer` holding the decoded JSON plus what a query log needs (HTTP
status, duration, raw body).  Every fault (network, timeout, HTTP status, KvK
``fout`` list, unreadable body) becomes a :class:`KvkError` with a stable
``code``: the IPD code when KvK gave one, else ``timeout``, ``network``,
``tls_untrusted``, ``unauthorized``, ``forbidden``, ``http_<status>`` or
``malformed``.  A 200 answer counts only when it holds what the product
promises: an empty body, a ``fout`` list or an answer without the product's
key is an error too.
"""

import json
import re
import time
from dataclasses import dataclass, field

import requests

# Products by their path; the cost and cache rules of the addon are keyed on these names.
PRODUCTS = ("zoeken", "basisprofiel", "vestigingsprofiel", "naamgeving", "dataservice")
PAID_PRODUCTS = ("basisprofiel", "vestigingsprofiel", "naamgeving", "dataservice")

# What a salesperson reads for each code (English source; translated in the addon).
MESSAGES = {
    "IPD0001": "The register does not offer this product.",
    "IPD0004": "This is not a valid KvK number (8 digits).",
    "IPD0005": "The register has no data for this KvK number.",
    "IPD0006": "This is not a valid branch number (vestigingsnummer, 12 digits).",
    "IPD0007": "The register has no data for this branch number.",
    "IPD0010": "This is not a valid RSIN (9 digits).",
    "IPD1002": "The register's data is temporarily unavailable. Try again later.",
    "IPD1003": "The register is temporarily unavailable. Try again later.",
    "IPD1998": "The search criteria are not valid.",
    "IPD1999": "The search criteria are not valid.",
    "IPD5200": "Nothing in the register matches these criteria.",
    "IPD5203": "The register does not know this type of registration.",
    "IPD9999": "The register had a technical error. Try again later.",
    "unauthorized": "The register refused the API key. Ask an administrator to check the KvK settings.",
    "forbidden": "The API key may not use this product. Ask an administrator to check the KvK contract.",
    "timeout": "The register did not answer in time. Try again later.",
    "network": "The register cannot be reached. Check the connection and try again.",
    "malformed": "The register sent an answer that cannot be read.",
    "not_acceptable": "The register does not offer the requested answer format.",
    "rate_limited": "The register is busy (too many requests). Try again shortly.",
    "tls_untrusted": "The register's TLS certificate is not trusted: check the CA bundle.",
    "tls_refused": "The register refused the TLS connection (mutual TLS): check the PKIoverheid certificate.",
}
RETRYABLE_CODES = {"IPD1002", "IPD1003", "timeout", "network", "rate_limited"}
# The key a 200 answer of each product must hold; without it the answer is not the product.
REQUIRED_KEYS = {
    "zoeken": "totaal",
    "basisprofiel": "kvkNummer",
    "vestigingsprofiel": "vestigingsnummer",
    "naamgeving": "kvkNummer",
}
KVK_NUMBER = re.compile(r"[0-9]{8}")
BRANCH_NUMBER = re.compile(r"[0-9]{12}")


class KvkError(Exception):
    """Any fault of a KvK call, with a stable ``code`` and a message a user can act on."""

    def __init__(self, code, message=None, status=None, detail="", duration=0.0, body=b""):
        self.code = code
        self.message = message or MESSAGES.get(code) or f"The register answered with an error ({code})."
        self.status = status
        self.detail = detail  # the register's own text (Dutch), for the log
        self.duration = duration
        self.body = body
        super().__init__(self.message)

    @property
    def retryable(self):
        """True for faults that may pass when asked again later (crons retry them)."""
        return self.code in RETRYABLE_CODES or (self.status or 0) >= 500


@dataclass
class KvkAnswer:
    product: str
    path: str
    params: dict
    status: int
    data: dict
    body: bytes = b""
    duration: float = 0.0
    headers: dict = field(default_factory=dict)


class KvkClient:
    """The classic KvK REST APIs below ``base_url`` (e.g. ``https://api.kvk.nl/test/api``)."""

    def __init__(self, base_url, api_key, timeout=10, session=None, hal=False, verify=True):
        """``verify``: True, or the path of a CA bundle that holds the root KvK's TLS chain ends in
        (KvK has served its APIs under the "Staat der Nederlanden Private Root CA - G1")."""
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or ""
        self.timeout = timeout
        self.session = session or requests.Session()
        self.hal = hal
        self.verify = verify

    def close(self):
        self.session.close()

    # -- products --------------------------------------------------------------------

    def search(self, page=1, per_page=10, **criteria):
        """Zoeken v2; ``criteria`` use the API's parameter names (``naam``, ``kvkNummer``...)."""
        params = {key: value for key, value in criteria.items() if value not in (None, "", False, [])}
        if criteria.get("inclusiefInactieveRegistraties"):
            params["inclusiefInactieveRegistraties"] = "true"
        params["pagina"] = page
        params["resultatenPerPagina"] = per_page
        return self._get("zoeken", "/v2/zoeken", params)

    def basisprofiel(self, kvk_number, geo=False):
        self._check(KVK_NUMBER, kvk_number, "IPD0004")
        return self._get("basisprofiel", f"/v1/basisprofielen/{kvk_number}", {"geoData": "true"} if geo else {})

    def basisprofiel_part(self, kvk_number, part):
        """``hoofdvestiging``, ``vestigingen`` or ``eigenaar`` of a Basisprofiel."""
        if part not in ("hoofdvestiging", "vestigingen", "eigenaar"):
            raise ValueError(f"no such part of a Basisprofiel: {part}")
        self._check(KVK_NUMBER, kvk_number, "IPD0004")
        required = {"hoofdvestiging": "vestigingsnummer", "vestigingen": "vestigingen", "eigenaar": None}[part]
        return self._get("basisprofiel", f"/v1/basisprofielen/{kvk_number}/{part}", {}, required=required)

    def vestigingsprofiel(self, branch_number, geo=False):
        self._check(BRANCH_NUMBER, branch_number, "IPD0006")
        params = {"geoData": "true"} if geo else {}
        return self._get("vestigingsprofiel", f"/v1/vestigingsprofielen/{branch_number}", params)

    def naamgeving(self, kvk_number):
        self._check(KVK_NUMBER, kvk_number, "IPD0004")
        return self._get("naamgeving", f"/v1/naamgevingen/kvknummer/{kvk_number}", {})

    # -- transport -----------------------------------------------------------------------

    @staticmethod
    def _check(pattern, value, code):
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise KvkError(code, detail=f"refused before calling: {value!r}")

    def _get(self, product, path, params, headers=None, required=""):
        accept = "application/hal+json" if self.hal else "application/json"
        all_headers = {"apikey": self.api_key, "Accept": accept, **(headers or {})}
        started = time.monotonic()
        try:
            response = self.session.get(
                self.base_url + path, params=params, headers=all_headers, timeout=self.timeout, verify=self.verify
            )
        except requests.exceptions.SSLError as exc:
            raise tls_error(exc, time.monotonic() - started) from exc
        except requests.Timeout as exc:
            raise KvkError("timeout", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.RequestException as exc:
            raise KvkError("network", detail=str(exc), duration=time.monotonic() - started) from exc
        duration = time.monotonic() - started
        body = response.content
        try:
            data = json.loads(body) if body.strip() else None
        except ValueError:
            data = None
        status = response.status_code
        if status >= 400:
            raise self._error(status, data, body, duration)
        if not body.strip():
            raise KvkError("malformed", status=status, detail="empty answer", duration=duration, body=body)
        if not isinstance(data, dict):
            raise KvkError("malformed", status=status, detail="not a JSON object", duration=duration, body=body)
        if isinstance(data.get("fout"), list) and data["fout"]:
            # KvK's error list in a 200 answer is an error all the same
            raise self._error(status, data, body, duration)
        required = REQUIRED_KEYS.get(product) if required == "" else required
        if required and required not in data:
            detail = f"no '{required}' in the answer"
            raise KvkError("malformed", status=status, detail=detail, duration=duration, body=body)
        return KvkAnswer(
            product, path, dict(params), response.status_code, data, body, duration, dict(response.headers)
        )

    @staticmethod
    def _error(status, data, body, duration):
        code, detail = None, ""
        if isinstance(data, dict) and isinstance(data.get("fout"), list) and data["fout"]:
            first = data["fout"][0] if isinstance(data["fout"][0], dict) else {}
            code, detail = first.get("code"), first.get("omschrijving", "")
        if status == 401:
            code = "unauthorized"
        elif status == 403:
            code = "forbidden"
        elif status == 406:
            code = "not_acceptable"
        elif status == 429:  # KvK allows 100 calls a second
            code = "rate_limited"
        elif not code or not isinstance(code, str):
            code = "IPD9999" if status >= 500 else "malformed" if status < 300 else f"http_{status}"
        message = MESSAGES.get(code)
        if message is None:
            message = f"The register answered with HTTP {status}."
        return KvkError(code, message, status=status, detail=detail, duration=duration, body=body)


def tls_error(exc, duration=0.0):
    """A failed TLS handshake as a :class:`KvkError`: ``tls_untrusted`` when the register's
    certificate is not trusted here, ``tls_refused`` when the register refused ours."""
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return KvkError("tls_untrusted", detail=str(exc), duration=duration)
    return KvkError("tls_refused", detail=str(exc), duration=duration)
