"""SOAP client of the ClientOnline "Accordering Online" portal (zeep over requests), without the ORM.

The portal's WSDL is not public: by default the client reads the rebuilt one in
``schemas/clientonline_accordering.wsdl`` (see its header) and sends to the
configured endpoint; a vendor WSDL with the same operations replaces it through
``wsdl``.  A session is opened with ``Inloggen`` on first use and opened again
once when the portal says it expired.

Every fault becomes a :class:`PortalError` with a stable ``code``: ``login``
(user name or password refused), ``timeout``, ``network``, ``http_<status>``,
``server`` (a SOAP fault of the server), ``client`` (the portal refused the
request), ``malformed`` (an answer that cannot be read), ``certificate`` (the TLS
handshake failed: the portal's certificate is not trusted here, or the connection
was refused during the handshake) or ``config``.
``retryable`` tells which may pass when tried again later.  The portal's business
answers to an upload (placed, duplicate, client unknown, identifier mismatch,
refused) are results, not errors: see :class:`UploadResult`.
"""

import time
from dataclasses import dataclass, field
from datetime import date, datetime

import requests
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault, TransportError
from zeep.transports import Transport

NAMESPACE = "http://www.clientonline.nl/soap/2010/accordering"
BINDING = f"{{{NAMESPACE}}}AccorderingBinding"
STATUS_BATCH = 100  # DocumentIds per DocumentStatus call

# Upload answers (DocumentPlaatsenResponse/Resultaat).
PLACED, DUPLICATE, CLIENT_UNKNOWN, IDENTIFIER_MISMATCH, INVALID = (
    "GEPLAATST",
    "DUBBEL",
    "KLANT_ONBEKEND",
    "IDENTIFICATIE_ONJUIST",
    "ONGELDIG",
)
# Document statuses (DocumentStatusRegel/Status).
AWAITING, APPROVED, FORWARDED, REJECTED, SEND_FAILED, SEND_FAILED_FINALLY, WITHDRAWN, UNKNOWN = (
    "TER_ACCORDERING",
    "GEACCORDEERD",
    "VERZONDEN",
    "AFGEKEURD",
    "MISLUKT",
    "DEFINITIEF_MISLUKT",
    "INGETROKKEN",
    "ONBEKEND",
)
DOCUMENT_TYPES = ("Belastingaangifte", "ConceptJaarrekening", "DefinitieveJaarrekening", "Publicatiestukken", "Overig")
SESSION_EXPIRED = ("SESSIE_VERLOPEN", "SESSIE_ONGELDIG")
RETRYABLE = {"timeout", "network", "server", "malformed"}


class PortalError(Exception):
    """Any fault of a portal call, with a stable ``code`` and the portal's own text in ``detail``."""

    def __init__(self, code, message, detail="", status=None, duration=0.0):
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.duration = duration
        super().__init__(message)

    @property
    def retryable(self):
        return self.code in RETRYABLE or (self.status or 0) >= 500 or self.code in ("http_429", "http_408")


def tls_error(exc, duration=0.0):
    """A failed TLS handshake as a :class:`PortalError` with code ``certificate``."""
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        message = "The portal's TLS certificate is not trusted here (check the CA bundle and the endpoint's name)."
    else:
        message = "The TLS handshake with the portal failed."
    return PortalError("certificate", message, detail=str(exc), duration=duration)


@dataclass
class UploadResult:
    result: str  # PLACED, DUPLICATE, CLIENT_UNKNOWN, IDENTIFIER_MISMATCH, INVALID
    document_id: str = ""
    deadline: date | None = None
    message: str = ""
    duration: float = 0.0


@dataclass
class DocumentStatus:
    document_id: str
    status: str
    deadline: date | None = None
    attempts: int | None = None
    reason: str = ""
    changed: datetime | None = None


@dataclass
class PortalClient:
    hidden_id: str
    kvk_number: str = ""
    name: str = ""


@dataclass
class Session:
    token: str
    valid_until: datetime | None = None
    duration: float = 0.0
    extra: dict = field(default_factory=dict)


class ClientOnlineClient:
    """The portal's four operations: login, upload, status and client lookup."""

    def __init__(self, wsdl, endpoint, username, password, timeout=30, session=None):
        if not endpoint:
            raise PortalError("config", "No portal endpoint is configured.")
        if not username or not password:
            raise PortalError("config", "The portal user name and password are not configured.")
        self.wsdl = wsdl
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.timeout = timeout
        self.session = session or requests.Session()
        self._service = None
        self._token = None

    def close(self):
        self.session.close()

    # -- zeep ---------------------------------------------------------------------------

    def _get_service(self):
        if self._service is None:
            transport = Transport(session=self.session, timeout=self.timeout, operation_timeout=self.timeout)
            settings = Settings(
                strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            try:
                client = Client(self.wsdl, transport=transport, settings=settings)
                self._service = client.create_service(BINDING, self.endpoint)
            except requests.exceptions.SSLError as exc:
                raise tls_error(exc) from exc
            except requests.Timeout as exc:
                raise PortalError("timeout", f"The portal's WSDL did not arrive in time: {exc}") from exc
            except requests.RequestException as exc:
                raise PortalError("network", f"The portal's WSDL cannot be read: {exc}") from exc
            except (ZeepError, etree.XMLSyntaxError, OSError, ValueError, LookupError) as exc:
                raise PortalError("config", f"The portal WSDL {self.wsdl} cannot be used: {exc}") from exc
        return self._service

    def _call(self, operation, **kwargs):
        service = self._get_service()
        started = time.monotonic()
        try:
            return getattr(service, operation)(**kwargs), time.monotonic() - started
        except Fault as fault:
            duration = time.monotonic() - started
            text = (fault.message or "").strip()
            code = (fault.code or "").rsplit(":", 1)[-1]
            if any(marker in text for marker in SESSION_EXPIRED):
                raise PortalError("session", "The portal session expired.", detail=text, duration=duration) from fault
            if "LOGIN_ONJUIST" in text:
                raise PortalError(
                    "login", "The portal refused the user name or password.", detail=text, duration=duration
                ) from fault
            kind = "server" if code == "Server" else "client"
            raise PortalError(
                kind, f"The portal refused {operation}: {text}", detail=text, duration=duration
            ) from fault
        except TransportError as exc:
            duration = time.monotonic() - started
            if exc.status_code < 400:  # an answer that is no SOAP envelope
                raise PortalError(
                    "malformed",
                    f"The portal's answer to {operation} cannot be read.",
                    detail=str(exc.content or b"")[:500],
                    duration=duration,
                ) from exc
            raise PortalError(
                f"http_{exc.status_code}",
                f"The portal answered {operation} with HTTP {exc.status_code}.",
                detail=str(exc.content or b"")[:500],
                status=exc.status_code,
                duration=duration,
            ) from exc
        except requests.exceptions.SSLError as exc:
            raise tls_error(exc, time.monotonic() - started) from exc
        except requests.Timeout as exc:
            raise PortalError(
                "timeout",
                f"The portal did not answer {operation} within {self.timeout} seconds.",
                detail=str(exc),
                duration=time.monotonic() - started,
            ) from exc
        except requests.RequestException as exc:
            raise PortalError(
                "network", f"The portal cannot be reached: {exc}", detail=str(exc), duration=time.monotonic() - started
            ) from exc
        except (ZeepError, etree.XMLSyntaxError, ValueError) as exc:
            raise PortalError(
                "malformed",
                f"The portal's answer to {operation} cannot be read: {exc}",
                detail=str(exc),
                duration=time.monotonic() - started,
            ) from exc

    def _with_session(self, operation, **kwargs):
        """Call ``operation`` with a session, logging in first or once more when it expired."""
        for again in (False, True):
            if self._token is None or again:
                self.login()
            try:
                return self._call(operation, SessieId=self._token, **kwargs)
            except PortalError as error:
                if error.code != "session" or again:
                    raise
        raise AssertionError("unreachable")

    # -- operations -------------------------------------------------------------------------

    def login(self):
        """Open a session (``Inloggen``); a :class:`Session`.  ``login`` error when refused."""
        answer, duration = self._call("Inloggen", Gebruikersnaam=self.username, Wachtwoord=self.password)
        token = getattr(answer, "SessieId", None) if not isinstance(answer, str) else answer
        if not token:
            raise PortalError("malformed", "The portal opened no session.", duration=duration)
        self._token = token
        return Session(token=token, valid_until=getattr(answer, "GeldigTot", None), duration=duration)

    def upload(self, file_name, content, kind, document_type, document_hash, kvk_number="", hidden_id="",
               period_start=None, period_end=None):  # fmt: skip
        """Place one document for approval (``DocumentPlaatsen``); an :class:`UploadResult`."""
        if kind not in ("XBRL", "PDF"):
            raise ValueError(f"kind is XBRL or PDF, not {kind!r}")
        if bool(kvk_number) == bool(hidden_id):
            raise ValueError("a client is named by its KvK number or by its hidden ID")
        client = {"HiddenId": hidden_id} if hidden_id else {"KvkNummer": kvk_number}
        document = {
            "Bestandsnaam": file_name,
            "Soort": kind,
            "DocumentType": document_type,
            "Klant": client,
            "PeriodeVan": period_start,
            "PeriodeTot": period_end,
            "Hash": document_hash,
            "Inhoud": content,
        }
        answer, duration = self._with_session("DocumentPlaatsen", Document=document)
        result = (getattr(answer, "Resultaat", None) or "").strip()
        if not result:
            raise PortalError("malformed", "The portal's answer to the upload has no result.", duration=duration)
        document_id = (getattr(answer, "DocumentId", None) or "").strip()
        if result in (PLACED, DUPLICATE) and not document_id:
            raise PortalError("malformed", "The portal placed the document without naming it.", duration=duration)
        return UploadResult(
            result=result,
            document_id=document_id,
            deadline=getattr(answer, "Deadline", None),
            message=(getattr(answer, "Melding", None) or "").strip(),
            duration=duration,
        )

    def status(self, document_ids):
        """The status of each of ``document_ids`` (``DocumentStatus``, in batches); {id: :class:`DocumentStatus`}."""
        out = {}
        ids = [str(i) for i in document_ids]
        for start in range(0, len(ids), STATUS_BATCH):
            batch = ids[start : start + STATUS_BATCH]
            answer, _duration = self._with_session("DocumentStatus", DocumentId=batch)
            rows = answer if isinstance(answer, list) else (getattr(answer, "Document", None) or [])
            for row in rows:
                out[row.DocumentId] = DocumentStatus(
                    document_id=row.DocumentId,
                    status=(row.Status or "").strip(),
                    deadline=getattr(row, "Deadline", None),
                    attempts=getattr(row, "Pogingen", None),
                    reason=(getattr(row, "Reden", None) or "").strip(),
                    changed=getattr(row, "Gewijzigd", None),
                )
        return out

    def find_clients(self, kvk_number="", hidden_id="", name=""):
        """Clients of the office the portal knows (``KlantZoeken``); a list of :class:`PortalClient`."""
        criteria = {"KvkNummer": kvk_number or None, "HiddenId": hidden_id or None, "Naam": name or None}
        answer, _duration = self._with_session("KlantZoeken", **criteria)
        rows = answer if isinstance(answer, list) else (getattr(answer, "Klant", None) or [])
        return [PortalClient(row.HiddenId, getattr(row, "KvkNummer", None) or "", row.Naam or "") for row in rows]
