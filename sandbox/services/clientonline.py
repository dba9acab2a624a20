"""ClientOnline "Accordering Online" (NL): the approval portal's SOAP service under ``/clientonline/``.

The portal's WSDL is not public: the one served here is the addon's rebuilt one
(client_online_connector/schemas/clientonline_accordering.wsdl, see its header),
and this simulator answers it.  Routes:

* ``GET  /clientonline/soap/2010/accordering?wsdl``: the rebuilt WSDL;
* ``POST /clientonline/soap/2010/accordering``: ``Inloggen`` (any user name that
  starts with ``sandbox``, password ``sandbox``; each user name is an office with
  its own documents), ``DocumentPlaatsen`` (XBRL or PDF for a client by KvK number
  or hidden ID; a document with the same hash over content and file name is
  answered ``DUBBEL`` with its first DocumentId; the XBRL identifier is checked
  against the client card: OB/ICP the OB number, IB the BSN, VPB the RSIN, LH the
  loonheffingennummer, KvK the KvK number), ``DocumentStatus`` and ``KlantZoeken``;
* ``GET  /clientonline/_admin/clients`` and ``POST`` (JSON client) to add or change one;
* ``GET  /clientonline/_admin/documents[?account=]``: the documents placed (no content);
* ``POST /clientonline/_admin/documents/<id>`` with ``{"action": "approve" | "reject" |
  "withdraw" | "send_failed", "reason": "...", "attempts": n}``: what the client and
  the portal do with a document (approving an XBRL declaration forwards it: VERZONDEN,
  or MISLUKT while ``send_failures`` is set, DEFINITIEF_MISLUKT from 10 tries on);
* ``GET /clientonline/portal[?account=]``: the client's side of the portal as a web page, the
  documents awaiting approval with *Akkoord* / *Afkeuren* buttons (``POST
  /clientonline/portal/<id>``, form fields ``action`` and ``reason``), so that a demo can be
  walked in a browser without typing commands;
* ``GET|POST /clientonline/_admin/settings``: ``minimal`` (answers without any
  optional element), ``session_seconds``, ``send_failures``, ``deadline_days``,
  ``upload_delay_ms`` (an upload is placed and answered that much later);
* ``DELETE /clientonline/_admin``: forget every document, session and change.

Transient faults (HTTP 503, latency, malformed answers) come from the sandbox's
own fault knobs (``/_sandbox/faults``).
"""

import base64
import binascii
import hashlib
import itertools
import re
import threading
import time
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, quote
from xml.sax.saxutils import escape

from ..core import Response
from .clientonline_data import clients as seeded_clients
from .soap import SOAP_ENV, SoapService, soap_fault

WSDL_PATH = (
    Path(__file__).resolve().parents[2] / "client_online_connector" / "schemas" / "clientonline_accordering.wsdl"
)
NS = "http://www.clientonline.nl/soap/2010/accordering"
PASSWORD = "sandbox"
DOCUMENT_TYPES = ("Belastingaangifte", "ConceptJaarrekening", "DefinitieveJaarrekening", "Publicatiestukken", "Overig")
MAX_DOCUMENT = 25 * 1024 * 1024
FINAL_SEND_ATTEMPTS = 10
XBRLI = "http://www.xbrl.org/2003/instance"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"
CHECKED_NUMBER = [
    # entrypoint name fragment, field of the client card, what the portal calls it
    (re.compile(r"^bd-rpt-(ob|icp)-"), "ob", "omzetbelastingnummer"),
    (re.compile(r"^bd-rpt-ihz-"), "bsn", "BSN"),
    (re.compile(r"^bd-rpt-vpb-"), "rsin", "RSIN"),
    (re.compile(r"^bd-rpt-lh-"), "lh", "loonheffingennummer"),
    (re.compile(r"^(kvk|frc)-rpt-"), "kvk", "KvK-nummer"),
]
STATUS_LABELS = {
    "TER_ACCORDERING": "Ter accordering",
    "GEACCORDEERD": "Geaccordeerd",
    "VERZONDEN": "Geaccordeerd en verzonden",
    "AFGEKEURD": "Afgekeurd",
    "INGETROKKEN": "Ingetrokken",
    "MISLUKT": "Verzending mislukt",
    "DEFINITIEF_MISLUKT": "Verzending definitief mislukt",
}
SETTINGS = {"minimal": False, "session_seconds": 1200, "send_failures": 0, "deadline_days": 14, "upload_delay_ms": 0}


class ClientOnline(SoapService):
    name = "clientonline"
    title = "ClientOnline Accordering Online portal (rebuilt contract)"

    def setup_routes(self):
        self._lock = threading.Lock()
        self.reset()
        self.route("GET", r"soap/2010/accordering", self.wsdl)
        self.route("POST", r"soap/2010/accordering", self.call)
        self.route("GET", r"_admin/clients", self.admin_clients)
        self.route("POST", r"_admin/clients", self.admin_clients)
        self.route("GET", r"_admin/documents", self.admin_documents)
        self.route("POST", r"_admin/documents/([^/]+)", self.admin_document)
        self.route("GET", r"portal", self.portal_page)
        self.route("POST", r"portal/([^/]+)", self.portal_decide)
        self.route("GET", r"_admin/settings", self.admin_settings)
        self.route("POST", r"_admin/settings", self.admin_settings)
        self.route("DELETE", r"_admin", self.admin_reset)

    def reset(self):
        self.clients = seeded_clients(self.seed)  # the same client base for every office
        self.documents = {}  # DocumentId -> document dict
        self.by_hash = {}  # (account, hash) -> DocumentId
        self.sessions = {}  # token -> (account, valid until)
        self.settings = dict(SETTINGS)
        self._ids = itertools.count(1)
        self._tokens = itertools.count(1)

    # -- control ------------------------------------------------------------------------

    def admin_reset(self, request):
        with self._lock:
            self.reset()
        return Response.json({"reset": True})

    def admin_settings(self, request):
        if request.method == "POST":
            try:
                values = request.json()
                if not isinstance(values, dict) or set(values) - set(SETTINGS):
                    raise ValueError(f"settings are a JSON object with keys among {', '.join(SETTINGS)}")
            except ValueError as exc:
                return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
            with self._lock:
                self.settings.update(values)
        return Response.json(self.settings)

    def admin_clients(self, request):
        if request.method == "POST":
            try:
                client = request.json()
                if not isinstance(client, dict) or not client.get("hidden_id") or not client.get("name"):
                    raise ValueError("a client is a JSON object with at least hidden_id and name")
            except ValueError as exc:
                return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
            record = {
                key: str(client.get(key) or "") for key in ("hidden_id", "name", "kvk", "rsin", "ob", "lh", "bsn")
            }
            with self._lock:
                self.clients[record["hidden_id"]] = record
            return Response.json(record, status=201)
        return Response.json({"clients": list(self.clients.values())})

    def admin_documents(self, request):
        account = request.arg("account")
        with self._lock:
            documents = [
                {key: value for key, value in doc.items() if key != "content"}
                for doc in self.documents.values()
                if account is None or doc["account"] == account
            ]
        return Response.json({"documents": documents})

    def admin_document(self, request, document_id):
        try:
            order = request.json() or {}
            action = order.get("action")
            if action not in ("approve", "reject", "withdraw", "send_failed"):
                raise ValueError("action is approve, reject, withdraw or send_failed")
        except ValueError as exc:
            return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
        document = self._decide(document_id, action, order.get("reason"), order.get("attempts"))
        if document is None:
            return Response.json({"error": {"status": 404, "message": f"no document {document_id}"}}, 404)
        return Response.json(document)

    def _decide(self, document_id, action, reason=None, attempts=None):
        """What the client (approve, reject) or the portal (withdraw, send_failed) does with a document;
        the document without its content, or None when there is no such document."""
        with self._lock:
            document = self.documents.get(document_id)
            if document is None:
                return None
            if action == "approve":
                document["status"] = "GEACCORDEERD"
                if document["kind"] == "XBRL":
                    self._forward(document, self.settings["send_failures"])
            elif action == "reject":
                document["status"] = "AFGEKEURD"
                document["reason"] = reason or "Afgekeurd door de cliënt."
            elif action == "withdraw":
                document["status"] = "INGETROKKEN"
            else:
                self._forward(document, int(attempts or 1))
            document["changed"] = now().isoformat()
            return {key: value for key, value in document.items() if key != "content"}

    # -- the client's side of the portal, as a web page ---------------------------------------------

    def portal_page(self, request):
        account = request.arg("account")
        with self._lock:
            documents = [dict(doc) for doc in self.documents.values() if account is None or doc["account"] == account]
        rows = []
        for doc in sorted(documents, key=lambda d: d["id"], reverse=True):
            client = self.clients.get(doc["client"], {}).get("name", doc["client"])
            buttons = ""
            if doc["status"] == "TER_ACCORDERING":
                target = f"/clientonline/portal/{quote(doc['id'])}" + (f"?account={quote(account)}" if account else "")
                buttons = (
                    f'<form method="post" action="{attr(target)}">'
                    '<button name="action" value="approve" class="approve">Akkoord</button> '
                    '<input name="reason" placeholder="Reden van afkeuren"/> '
                    '<button name="action" value="reject" class="reject">Afkeuren</button></form>'
                )
            status = STATUS_LABELS.get(doc["status"], doc["status"])
            values = (doc["id"], client, doc["name"], doc["type"], doc["deadline"], status)
            cells = "".join(f"<td>{escape(str(value))}</td>" for value in values)
            rows.append(f'<tr id="{attr(doc["id"])}">{cells}<td>{buttons}</td></tr>')
        body = "".join(rows) or '<tr><td colspan="7">Er staan geen documenten klaar.</td></tr>'
        page = (
            '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>ClientOnline (sandbox)</title>'
            "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}"
            "tr:nth-child(even){background:#f3f3f3}</style></head><body>"
            "<h1>Accordering Online (sandbox)</h1><p>De kant van de cliënt: documenten ter accordering. "
            "Deze pagina hoort bij de sandbox van het project, niet bij het echte portaal.</p>"
            "<table><tr><th>Document</th><th>Cliënt</th><th>Bestand</th><th>Soort</th><th>Deadline</th>"
            f"<th>Status</th><th></th></tr>{body}</table></body></html>"
        )
        return Response(200, page.encode(), "text/html; charset=utf-8")

    def portal_decide(self, request, document_id):
        form = parse_qs(request.body.decode("utf-8", "replace"))
        action = (form.get("action") or [""])[0]
        if action not in ("approve", "reject"):
            return Response.text("action is approve or reject", 400)
        with self._lock:
            waiting = self.documents.get(document_id, {}).get("status") == "TER_ACCORDERING"
        if not waiting:
            return Response.text(f"document {document_id} does not await approval", 409)
        self._decide(document_id, action, (form.get("reason") or [""])[0].strip())
        account = request.arg("account")
        location = "/clientonline/portal" + (f"?account={quote(account)}" if account else "")
        return Response(303, b"", "text/plain; charset=utf-8", {"Location": location})

    @staticmethod
    def _forward(document, failures):
        """The portal sends an approved declaration on (Digipoort); ``failures`` tries fail first."""
        if failures <= 0:
            document["status"] = "VERZONDEN"
            return
        document["attempts"] = min(failures, FINAL_SEND_ATTEMPTS)
        document["status"] = "DEFINITIEF_MISLUKT" if failures >= FINAL_SEND_ATTEMPTS else "MISLUKT"
        document["reason"] = "Verzending van een document: mislukt (Digipoort gaf een foutmelding)."

    # -- SOAP -----------------------------------------------------------------------------

    def wsdl(self, request):
        if not request.has_flag("wsdl"):
            return Response.text("ClientOnline Accordering (sandbox): add ?wsdl for the rebuilt service description")
        host = request.headers.get("host", "127.0.0.1")
        text = WSDL_PATH.read_text().replace(
            "https://www.clientonline.nl/soap/2010/accordering", f"http://{host}/clientonline/soap/2010/accordering"
        )
        return Response.xml(text)

    def call(self, request):
        if b"<!DOCTYPE" in request.body[:4096].upper():
            return soap_fault("Client", "Het verzoek bevat een DOCTYPE; dat wordt niet aanvaard.")
        try:
            envelope = ET.fromstring(request.body)
        except ET.ParseError as exc:
            return soap_fault("Client", f"Het verzoek is geen geldige XML: {exc}")
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        operation = body[0] if body is not None and len(body) else None
        if operation is None or not operation.tag.startswith(f"{{{NS}}}"):
            return soap_fault("Client", "Onbekende operatie.")
        name = operation.tag[len(NS) + 2 :]
        if name == "Inloggen":
            return self.inloggen(operation)
        handler = {
            "DocumentPlaatsen": self.document_plaatsen,
            "DocumentStatus": self.document_status,
            "KlantZoeken": self.klant_zoeken,
        }.get(name)
        if handler is None:
            return soap_fault("Client", f"Onbekende operatie {name}.")
        token = text(operation, "SessieId")
        with self._lock:
            account, valid_until = self.sessions.get(token, (None, None))
        if account is None:
            return soap_fault("Client", "SESSIE_ONGELDIG: log opnieuw in.")
        if valid_until < now():
            return soap_fault("Client", "SESSIE_VERLOPEN: de sessie is verlopen, log opnieuw in.")
        return handler(account, operation)

    def inloggen(self, operation):
        user, password = text(operation, "Gebruikersnaam"), text(operation, "Wachtwoord")
        if not user.startswith("sandbox") or password != PASSWORD:
            return soap_fault("Client", "LOGIN_ONJUIST: gebruikersnaam of wachtwoord onjuist.")
        with self._lock:
            token = f"sessie-{next(self._tokens)}-{hashlib.sha256(user.encode()).hexdigest()[:8]}"
            valid_until = now() + timedelta(seconds=self.settings["session_seconds"])
            self.sessions[token] = (user, valid_until)
        optional = "" if self.settings["minimal"] else el("GeldigTot", valid_until.isoformat())
        return answer("InloggenResponse", el("SessieId", token) + optional)

    def document_plaatsen(self, account, operation):
        document = operation.find(f"{{{NS}}}Document")
        if document is None:
            return soap_fault("Client", "Document ontbreekt.")
        name = text(document, "Bestandsnaam")
        kind = text(document, "Soort").upper()
        doc_type = text(document, "DocumentType")
        given_hash = text(document, "Hash").lower()
        try:
            content = base64.b64decode(text(document, "Inhoud"), validate=True)
        except (binascii.Error, ValueError):
            return self._placed("ONGELDIG", melding="De inhoud is geen geldige base64.")
        if not name or kind not in ("XBRL", "PDF") or doc_type not in DOCUMENT_TYPES:
            return self._placed(
                "ONGELDIG", melding="Bestandsnaam, soort (XBRL/PDF) of documenttype ontbreekt of is onjuist."
            )
        if len(content) > MAX_DOCUMENT:
            return self._placed("ONGELDIG", melding="Het document is te groot.")
        content_hash = hashlib.sha256(content).hexdigest()
        expected = hashlib.sha256(f"{content_hash}\0{name}".encode()).hexdigest()
        if given_hash != expected:
            return self._placed("ONGELDIG", melding="De hash komt niet overeen met inhoud en bestandsnaam.")
        with self._lock:
            existing = self.by_hash.get((account, expected))
            if existing:
                doc = self.documents[existing]
                return self._placed("DUBBEL", existing, doc["deadline"], "Dit document is al eerder geplaatst.")
        kvk, hidden = text(document, "Klant/KvkNummer"), text(document, "Klant/HiddenId")
        client = self._client(kvk, hidden)
        if client is None:
            number = kvk or hidden
            return self._placed("KLANT_ONBEKEND", melding=f"Geen cliënt gevonden met nummer {number}.")
        if kind == "PDF" and not content.lstrip()[:5] == b"%PDF-":
            return self._placed("ONGELDIG", melding="Het bestand is geen PDF.")
        period_from, period_to = text(document, "PeriodeVan"), text(document, "PeriodeTot")
        if kind == "XBRL":
            checked = self._check_xbrl(content, client)
            if checked is not None:
                return checked
        deadline = self._deadline(doc_type, period_to)
        with self._lock:
            document_id = f"CO-{next(self._ids):06d}"
            self.documents[document_id] = {
                "id": document_id,
                "account": account,
                "client": client["hidden_id"],
                "name": name,
                "kind": kind,
                "type": doc_type,
                "period_from": period_from,
                "period_to": period_to,
                "hash": expected,
                "size": len(content),
                "status": "TER_ACCORDERING",
                "deadline": deadline.isoformat(),
                "attempts": 0,
                "reason": "",
                "changed": now().isoformat(),
            }
            self.by_hash[(account, expected)] = document_id
            delay = min(int(self.settings["upload_delay_ms"] or 0), 60_000)
        if delay:  # the document is placed, its answer is late (a client may give up waiting)
            time.sleep(delay / 1000)
        return self._placed("GEPLAATST", document_id, deadline.isoformat())

    def _client(self, kvk, hidden):
        with self._lock:
            if hidden:
                return self.clients.get(hidden)
            return next((c for c in self.clients.values() if kvk and c["kvk"] == kvk), None)

    def _check_xbrl(self, content, client):
        if b"<!DOCTYPE" in content[:4096].upper() or b"<!ENTITY" in content[:4096].upper():
            return self._placed("ONGELDIG", melding="Het XBRL-bericht bevat een DOCTYPE.")
        try:
            root = ET.fromstring(content)
        except ET.ParseError as exc:
            return self._placed("ONGELDIG", melding=f"Het XBRL-bericht is geen geldige XML: {exc}")
        ref = root.find(f"{{{LINK}}}schemaRef")
        href = ref.get(f"{{{XLINK}}}href", "") if ref is not None else ""
        entrypoint = href.rsplit("/", 1)[-1].removesuffix(".xsd")
        identifier = root.findtext(f"{{{XBRLI}}}context/{{{XBRLI}}}entity/{{{XBRLI}}}identifier", "").strip()
        for pattern, field, label in CHECKED_NUMBER:
            if pattern.match(entrypoint):
                known = client.get(field) or ""
                if normalise(identifier) != normalise(known):
                    return self._placed(
                        "IDENTIFICATIE_ONJUIST",
                        melding=(
                            f"Het opgegeven bedrijfsnummer ({label} {known or 'onbekend'}) komt niet overeen met "
                            f"het nummer in het XBRL-bericht ({identifier})."
                        ),
                    )
                return None
        return self._placed("ONGELDIG", melding=f"Onbekend berichttype {entrypoint or '(geen schemaRef)'}.")

    def _deadline(self, doc_type, period_to):
        days = int(self.settings["deadline_days"])
        deadline = date.today() + timedelta(days=days)
        if doc_type == "Belastingaangifte" and period_to:
            try:
                end = date.fromisoformat(period_to[:10])
            except ValueError:
                return deadline
            # the end of the month after the period, as a return is due then; never in the past
            due = (end.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(days=1)
            return max(due, deadline)
        return deadline

    def _placed(self, resultaat, document_id="", deadline="", melding=""):
        parts = el("Resultaat", resultaat)
        if document_id:
            parts += el("DocumentId", document_id)
        if not self.settings["minimal"]:
            if deadline:
                parts += el("Deadline", deadline)
            if melding:
                parts += el("Melding", melding)
        elif resultaat not in ("GEPLAATST", "DUBBEL") and melding:
            parts += el("Melding", melding)  # a refusal always says why
        return answer("DocumentPlaatsenResponse", parts)

    def document_status(self, account, operation):
        ids = [(child.text or "").strip() for child in operation.findall(f"{{{NS}}}DocumentId")]
        if not ids or len(ids) > 100:
            return soap_fault("Client", "Geef 1 tot 100 DocumentIds.")
        rows = []
        with self._lock:
            for document_id in ids:
                doc = self.documents.get(document_id)
                if doc is None or doc["account"] != account:
                    rows.append(wrap("Document", el("DocumentId", document_id) + el("Status", "ONBEKEND")))
                    continue
                parts = el("DocumentId", document_id) + el("Status", doc["status"])
                if not self.settings["minimal"]:
                    parts += el("Deadline", doc["deadline"])
                    parts += el("Pogingen", str(doc["attempts"]))
                    if doc["reason"]:
                        parts += el("Reden", doc["reason"])
                    parts += el("Gewijzigd", doc["changed"])
                elif doc["reason"]:
                    parts += el("Reden", doc["reason"])
                rows.append(wrap("Document", parts))
        return answer("DocumentStatusResponse", "".join(rows))

    def klant_zoeken(self, account, operation):
        kvk, hidden, name = text(operation, "KvkNummer"), text(operation, "HiddenId"), text(operation, "Naam").lower()
        with self._lock:
            found = [
                c
                for c in self.clients.values()
                if (not kvk or c["kvk"] == kvk)
                and (not hidden or c["hidden_id"] == hidden)
                and (not name or name in c["name"].lower())
            ][:50]
        rows = []
        for client in found:
            parts = el("HiddenId", client["hidden_id"])
            if client["kvk"]:
                parts += el("KvkNummer", client["kvk"])
            rows.append(wrap("Klant", parts + el("Naam", client["name"])))
        return answer("KlantZoekenResponse", "".join(rows))


def now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def normalise(number):
    number = re.sub(r"[\s.\-]", "", number or "").upper()
    return number[2:] if number.startswith("NL") else number


def text(element, path):
    found = element.find("/".join(f"{{{NS}}}{part}" for part in path.split("/")))
    return (found.text or "").strip() if found is not None else ""


def attr(value):
    """A value for an HTML attribute (escaped, quotes included)."""
    return escape(str(value), {'"': "&quot;"})


def el(tag, value):
    """An element with a text value (escaped)."""
    return f"<co:{tag}>{escape(str(value))}</co:{tag}>"


def wrap(tag, inner):
    """An element around elements already built."""
    return f"<co:{tag}>{inner}</co:{tag}>"


def answer(tag, inner):
    return Response.xml(
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:co="{NS}"><soap:Body>'
        f"<co:{tag}>{inner}</co:{tag}></soap:Body></soap:Envelope>"
    )
