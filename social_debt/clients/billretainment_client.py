"""Transport to the RSZ's billRetainment REST service (art. 30bis withholding obligation).

What is public: a list of employers (enterprise numbers) in, per employer a status, the
decision date, ``retainmentObligation`` and, when there is none, the date until which that
holds (``retainmentExpirationDate``); and retention "preparations" per invoice that return a
structured payment reference.  The request bodies, paths and the full list of statuses are
not public: the ones here are assumed and kept in this one module (see the addon's README).
Access is an RSZ agreement with an X.509 certificate (mutual TLS); every request carries an
``x-correlation-id``.
"""

import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

import requests
from cryptography.hazmat.primitives import serialization

from .enterprise import enterprise_number
from .errors import SocialDebtError, pin_verify
from .wsse import load_credentials

MAX_ANSWER_BYTES = 32 * 1024 * 1024
FOUND = "employerFoundBillRetainment"


@dataclass
class Retainment:
    enterprise_number: str
    status: str
    obligation: bool | None = None
    decision_date: date | None = None
    expiration_date: date | None = None
    raw: bytes = b""

    @property
    def found(self):
        return self.status == FOUND and self.obligation is not None


@dataclass
class Preparation:
    invoice_reference: str
    status: str
    structured_reference: str = ""
    raw: dict = field(default_factory=dict)


def _date(value, name):
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise SocialDebtError("malformed", detail=f"{name}: not a date ({value!r})") from exc


def parse_retainment(item):
    """One item of a ``retainmentObligations/search`` answer (a dict) as a :class:`Retainment`."""
    if not isinstance(item, dict):
        raise SocialDebtError("malformed", detail="an item is not an object")
    ids = (item.get("employer") or {}).get("employerIdentification") or []
    number = next(
        (i.get("identification") for i in ids if isinstance(i, dict) and i.get("type") == "enterpriseNumber"), ""
    )
    obligation = item.get("retainmentObligation")
    return Retainment(
        enterprise_number=str(number or ""),
        status=str(item.get("status") or ""),
        obligation=obligation if isinstance(obligation, bool) else None,
        decision_date=_date(item.get("decisionDate"), "decisionDate"),
        expiration_date=_date(item.get("retainmentExpirationDate"), "retainmentExpirationDate"),
        raw=json.dumps(item, ensure_ascii=False, sort_keys=True).encode(),
    )


class BillRetainmentClient:
    def __init__(self, base_url, certificate=b"", password=None, timeout=20, session=None, verify=True):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        pin_verify(self.session, verify)
        self._files = []
        if certificate:
            # Mutual TLS: requests wants the certificate and an unencrypted key in a file; it
            # lives in a file only this process's user reads, for the time of the client.
            cert, key = load_credentials(certificate, password)
            handle, path = tempfile.mkstemp(prefix="rsz-cert-", suffix=".pem")
            with os.fdopen(handle, "wb") as out:
                out.write(cert.public_bytes(serialization.Encoding.PEM))
                out.write(
                    key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                    )
                )
            self._files.append(path)
            self.session.cert = path

    def close(self):
        for path in self._files:
            if os.path.exists(path):
                os.unlink(path)
        self._files = []
        self.session.close()

    def _post(self, path, payload):
        started = time.monotonic()
        try:
            response = self.session.post(
                f"{self.base_url}/{path}",
                json=payload,
                headers={"x-correlation-id": str(uuid.uuid4()), "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise SocialDebtError("timeout", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.exceptions.SSLError as exc:
            raise SocialDebtError("tls", detail=str(exc), duration=time.monotonic() - started) from exc
        except requests.RequestException as exc:
            raise SocialDebtError("network", detail=str(exc), duration=time.monotonic() - started) from exc
        duration = time.monotonic() - started
        content = response.content
        if len(content) > MAX_ANSWER_BYTES:
            raise SocialDebtError("too_large", status=response.status_code, duration=duration)
        if response.status_code >= 400:
            code = {400: "invalid_enterprise", 401: "unauthorized", 403: "forbidden"}.get(
                response.status_code, f"http_{response.status_code}"
            )
            raise SocialDebtError(code, status=response.status_code, duration=duration, body=content[:4000])
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise SocialDebtError("malformed", detail=str(exc), duration=duration, body=content[:4000]) from exc
        if not isinstance(data, dict):
            raise SocialDebtError("malformed", detail="not a JSON object", duration=duration, body=content[:4000])
        return data, duration

    def search(self, numbers):
        """The withholding obligation of each enterprise: ``{enterprise number: Retainment}``."""
        checked = []
        for number in numbers:
            valid = enterprise_number(number)
            if not valid:
                raise SocialDebtError("invalid_enterprise", detail=repr(number))
            checked.append(valid)
        payload = {"employerIdentifications": [{"identification": n, "type": "enterpriseNumber"} for n in checked]}
        data, duration = self._post("retainmentObligations/search", payload)
        found = {}
        for item in data.get("items") or []:
            retainment = parse_retainment(item)
            found[retainment.enterprise_number] = retainment
        return found, duration

    def prepare(self, preparations):
        """Register retention preparations (one per invoice paid with a withholding); each
        comes back with the structured reference to pay the RSZ with.  ``preparations``:
        dicts with ``invoiceReference``, ``invoiceDate``, ``enterpriseNumber``,
        ``amountExcludingVat`` and ``retainedAmount`` (euros)."""
        payload = {
            "preparations": [
                {
                    "invoiceReference": p["invoiceReference"],
                    "invoiceDate": str(p["invoiceDate"]),
                    "contractor": {"identification": p["enterpriseNumber"], "type": "enterpriseNumber"},
                    "amountExcludingVat": str(p["amountExcludingVat"]),
                    "retainedAmount": str(p["retainedAmount"]),
                }
                for p in preparations
            ]
        }
        data, duration = self._post("retentionPreparations", payload)
        out = []
        for item in data.get("items") or []:
            out.append(
                Preparation(
                    invoice_reference=str(item.get("invoiceReference") or ""),
                    status=str(item.get("status") or ""),
                    structured_reference=str(item.get("structuredCommunication") or ""),
                    raw=item,
                )
            )
        return out, duration
