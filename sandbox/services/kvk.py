"""KvK Handelsregister (NL): the classic REST APIs under ``/kvk/``.

Zoeken v2, Basisprofiel v1 (with ``/hoofdvestiging``, ``/vestigingen`` and
``/eigenaar``), Vestigingsprofiel v1 and Naamgeving v1, under ``/kvk/api/`` and
``/kvk/test/api/`` as KvK serves production and its test environment.  Every
call needs an ``apikey`` header: KvK's public test key, or any key starting
with ``sandbox``.  Errors use KvK's ``fout`` list with its IPD codes.  KvK
numbers 90004973 and 90002903 answer with errors, as KvK's test list has them.

Each product answers in one of two shapes:

* ``full`` (under ``/kvk/api/``): every field of KvK's OpenAPI files that the
  register holds a value for; ``Accept: application/hal+json`` gives HAL
  ``_links``, ``application/json`` the documented ``links`` list.
* ``minimal`` (under ``/kvk/test/api/``): what KvK's test environment was
  recorded to answer, optional fields absent (no employee split or trade names
  in an embedded main branch, no ``actief`` on active search hits, no empty
  lists, no zero head count for a company without branches); Basisprofiel and
  Vestigingsprofiel give a ``links`` list whatever the Accept header, as
  recorded.

The request header ``X-Sandbox-Kvk-Shape: full|minimal`` picks a shape on
either prefix.  ``X-Sandbox-Kvk-Quirk`` makes a product answer the odd ways the
real service was seen or documented to: ``empty-body`` (200 without a body),
``fout-200`` (200 with a ``fout`` list) and ``odd-order`` (trade names whose
``volgorde`` is null or a string).  Links are absolute, with the prefix the request used, as KvK's
are (``https://api.kvk.nl/test/api/v1/basisprofielen/69599084``).  Zoeken echoes
house number, letter, postcode and PO box only when they were searched for; a
search by RSIN gives a company's branches, not its legal entity as well.
"""

import re
import threading

from ..core import Response, Service
from . import kvk_dataservice, kvk_mutaties
from .kvk_data import ERROR_CASES, SBI
from .kvk_register import Register

# The classic APIs' IPD code for each HTTP status the sandbox is asked to fail with.
STATUS_CODES = {400: "IPD1999", 401: "IPD0004", 404: "IPD5200", 500: "IPD9999", 503: "IPD1003"}
PUBLIC_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
MAX_REACHABLE = 1000
API = r"(?:test/)?api/"
SHAPE_HEADER = "x-sandbox-kvk-shape"
SHAPES = ("full", "minimal")
QUIRK_HEADER = "x-sandbox-kvk-quirk"
QUIRKS = ("empty-body", "fout-200", "odd-order")

SEARCH_PARAMS = {
    "kvkNummer",
    "rsin",
    "vestigingsnummer",
    "naam",
    "straatnaam",
    "plaats",
    "postcode",
    "huisnummer",
    "huisletter",
    "postbusnummer",
    "type",
    "inclusiefInactieveRegistraties",
    "pagina",
    "resultatenPerPagina",
}
TYPES = ("hoofdvestiging", "nevenvestiging", "rechtspersoon")


class KvkFault(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def ja(flag):
    return "Ja" if flag else "Nee"


def words(text):
    return re.findall(r"\w+", (text or "").lower())


class Kvk(Service):
    name = "kvk"
    title = "KvK Handelsregister APIs (Zoeken, Basisprofiel, Vestigingsprofiel, Naamgeving)"

    def setup_routes(self):
        self.register = Register(self.seed)
        self._local = threading.local()  # the link style of the request a thread answers
        self.route("GET", API + r"v2/zoeken", self.api(self.zoeken, "2.1.0"))
        self.route("GET", API + r"v1/basisprofielen/([^/]*)", self.api(self.basisprofiel, "1.5.0"))
        self.route("GET", API + r"v1/basisprofielen/([^/]*)/hoofdvestiging", self.api(self.hoofdvestiging, "1.5.0"))
        self.route("GET", API + r"v1/basisprofielen/([^/]*)/vestigingen", self.api(self.vestigingen, "1.5.0"))
        self.route("GET", API + r"v1/basisprofielen/([^/]*)/eigenaar", self.api(self.eigenaar, "1.5.0"))
        self.route("GET", API + r"v1/vestigingsprofielen/([^/]*)", self.api(self.vestigingsprofiel, "1.5.0"))
        self.route("GET", API + r"v1/naamgevingen/kvknummer/([^/]*)", self.api(self.naamgeving, "1.1.1"))
        # The SOAP Dataservice of a public-sector connection (see kvk_dataservice.py).
        self.route("GET", r"dataservice", lambda request: kvk_dataservice.wsdl(self, request))
        self.route("POST", r"dataservice", lambda request: kvk_dataservice.ophalen_inschrijving(self, request))
        kvk_mutaties.install(self)  # the Mutatieservice (change signals), its generator and control routes

    def error_response(self, status, message):
        code = STATUS_CODES.get(status, "IPD9999")
        return Response.json({"fout": [{"code": code, "omschrijving": message}]}, status=status)

    # -- plumbing ------------------------------------------------------------------

    def api(self, handler, version):
        def wrapped(request, *groups):
            key = request.headers.get("apikey", "")
            if key != PUBLIC_TEST_KEY and not key.startswith("sandbox"):
                return Response.json(
                    {"fout": [{"code": "IPD0401", "omschrijving": "Geen geldige API-key meegegeven."}]}, status=401
                )
            accept = request.headers.get("accept", "application/json").lower()
            if "hal+json" in accept:
                hal, content_type = True, "application/hal+json"
            elif any(kind in accept for kind in ("application/json", "*/*", "application/*")):
                hal, content_type = False, "application/json"
            else:
                return Response.json(
                    {"fout": [{"code": "IPD1999", "omschrijving": f"Accept {accept} wordt niet ondersteund."}]},
                    status=406,
                )
            shape = (request.headers.get(SHAPE_HEADER) or "").strip().lower()
            quirk = (request.headers.get(QUIRK_HEADER) or "").strip().lower()
            if quirk and quirk not in QUIRKS:
                return Response.json(
                    {"fout": [{"code": "IPD1999", "omschrijving": f"{QUIRK_HEADER}: one of {', '.join(QUIRKS)}."}]},
                    status=400,
                )
            if quirk == "empty-body":
                return Response(200, b"", content_type)
            if quirk == "fout-200":
                return Response.json(
                    {"fout": [{"code": "IPD1002", "omschrijving": "De gegevens zijn tijdelijk niet beschikbaar."}]},
                    content_type=content_type,
                )
            if shape and shape not in SHAPES:
                return Response.json(
                    {"fout": [{"code": "IPD1999", "omschrijving": f"{SHAPE_HEADER}: full or minimal, not {shape}."}]},
                    status=400,
                )
            test_env = request.subpath.startswith("test/")
            self._local.hal = hal
            self._local.minimal = (shape or ("minimal" if test_env else "full")) == "minimal"
            scheme = "https" if request.tls else "http"
            host = request.headers.get("host") or "127.0.0.1"
            self._local.base = f"{scheme}://{host}/{self.name}/{'test/api' if test_env else 'api'}"
            try:
                data = handler(request, *groups)
            except KvkFault as fault:
                return Response.json({"fout": [{"code": fault.code, "omschrijving": fault.message}]}, fault.status)
            if quirk == "odd-order":  # the first trade name without an order, the others as strings
                main = (data.get("_embedded") or {}).get("hoofdvestiging") or {}
                for names in (data.get("handelsnamen"), main.get("handelsnamen")):
                    for index, item in enumerate(names or []):
                        item["volgorde"] = str(index) if index else None
            headers = {"API-Version": version, "Cache-Control": "no-store"}
            return Response.json(data, headers=headers, content_type=content_type)

        return wrapped

    @property
    def minimal(self):
        """True when this request is answered in the minimal shape of KvK's test environment."""
        return self._local.minimal

    def links(self, data, /, _list=False, **targets):
        """``links`` list or HAL ``_links`` object, as the Accept header asked, with absolute hrefs.

        ``targets`` map a relation to a path below the API root (``/v1/basisprofielen/...``);
        ``_list``: a ``links`` list whatever the Accept header (the minimal shape of the profiles).
        """
        base = self._local.base
        if self._local.hal and not (_list and self.minimal):
            data["_links"] = {rel: {"href": base + href} for rel, href in targets.items()}
        else:
            data["links"] = [{"rel": rel, "href": base + href} for rel, href in targets.items()]
        return data

    def known(self, kvk, not_found_code="IPD0005"):
        if not re.fullmatch(r"[0-9]{8}", kvk or ""):
            raise KvkFault(400, "IPD0004", f"Het KVK-nummer {kvk} is niet valide.")
        if kvk in ERROR_CASES:
            raise KvkFault(*ERROR_CASES[kvk])
        company = self.register.companies.get(kvk)
        if company is None:
            raise KvkFault(
                404, not_found_code, f"Op basis van het KVK-nummer {kvk} kan het product niet worden geleverd."
            )
        return company

    @staticmethod
    def check_params(request, allowed):
        unknown = set(request.query) - allowed
        if unknown:
            raise KvkFault(400, "IPD1999", f"Niet ondersteunde parameter(s): {', '.join(sorted(unknown))}.")

    # -- representations -------------------------------------------------------------

    def address(self, item, geo=False):
        out = {"type": item["type"], "indAfgeschermd": ja(item["shielded"])}
        if item["shielded"]:
            return out
        if item.get("buitenland"):
            out["volledigAdres"] = f"{item['straatHuisnummer']} {item['postcodeWoonplaats']} {item['land']}"
            for key in ("straatHuisnummer", "postcodeWoonplaats", "land"):
                out[key] = item[key]
            return out
        number = f"{item['huisnummer']}{' ' + item['huisletter'] if item['huisletter'] else ''}"
        if item["postbusnummer"]:
            full = f"Postbus {item['postbusnummer']} {item['postcode']} {item['plaats']}"
        else:
            full = f"{item['straatnaam']} {number} {item['postcode']} {item['plaats']}"
        out["volledigAdres"] = full
        for key in ("straatnaam", "huisnummer", "huisletter", "postbusnummer", "postcode", "plaats"):
            if item[key] not in ("", None):
                out[key] = int(item[key]) if key in ("huisnummer", "postbusnummer") else item[key]
        if item["toevoeging"]:
            out["huisnummerToevoeging"] = item["toevoeging"]
        out["land"] = item["land"]
        if geo and item["geo"]:
            out["geoData"] = {"gpsLatitude": item["geo"][0], "gpsLongitude": item["geo"][1]}
        return out

    @staticmethod
    def sbi(items):
        return [{"sbiCode": code, "sbiOmschrijving": SBI[code], "indHoofdactiviteit": ja(main)} for code, main in items]

    @staticmethod
    def registration(start, end):
        out = {"datumAanvang": start}
        if end:
            out["datumEinde"] = end
        return out

    def vestiging(self, company, item, geo=False, statutory=False, embedded=False):
        """A Vestiging: a Vestigingsprofiel, the ``/hoofdvestiging`` part, or (``embedded``) the main
        branch inside a Basisprofiel, which KvK's test environment gives without employee split,
        trade names and activities."""
        kvk, vnr = company["kvkNummer"], item["vestigingsnummer"]
        data = {"vestigingsnummer": vnr, "kvkNummer": kvk}
        if company["rsin"] and not self.minimal:
            data["rsin"] = company["rsin"]
        if statutory and company["statutaireNaam"] and not self.minimal:
            data["statutaireNaam"] = company["statutaireNaam"]
        if not (embedded and self.minimal):
            data["indNonMailing"] = "Nee"
        data["formeleRegistratiedatum"] = item["start"]
        data["materieleRegistratie"] = self.registration(item["start"], item["einde"])
        data["eersteHandelsnaam"] = item["eersteHandelsnaam"]
        data["indHoofdvestiging"] = ja(item["hoofd"])
        data["indCommercieleVestiging"] = ja(item["commercieel"])
        short = embedded and self.minimal
        if not short:
            data["voltijdWerkzamePersonen"] = item["voltijd"]
        data["totaalWerkzamePersonen"] = item["voltijd"] + item["deeltijd"]
        if not short:
            data["deeltijdWerkzamePersonen"] = item["deeltijd"]
            data["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(item["handelsnamen"])]
        data["adressen"] = [self.address(a, geo) for a in item["adressen"]]
        if item["websites"]:
            data["websites"] = item["websites"]
        if not short and item["sbi"]:
            data["sbiActiviteiten"] = self.sbi(item["sbi"])
        if embedded:
            targets = {
                "self": f"/v1/basisprofielen/{kvk}/hoofdvestiging",
                "vestigingen": f"/v1/basisprofielen/{kvk}/vestigingen",
                "basisprofiel": f"/v1/basisprofielen/{kvk}",
                "vestigingsprofiel": f"/v1/vestigingsprofielen/{vnr}",
            }
        else:
            targets = {"self": f"/v1/vestigingsprofielen/{vnr}", "basisprofiel": f"/v1/basisprofielen/{kvk}"}
        return self.links(data, _list=True, **targets)

    def owner(self, company, geo=False):
        data = {}
        if company["rsin"]:
            data["rsin"] = company["rsin"]
        data["rechtsvorm"] = company["rechtsvorm"]
        data["uitgebreideRechtsvorm"] = company["uitgebreideRechtsvorm"]
        if company["eigenaar_adressen"]:
            data["adressen"] = [self.address(a, geo) for a in company["eigenaar_adressen"]]
        # KvK shows the website in the owner block when there are no branches (Basisprofiel 1.4).
        if company["websites"] and not (self.minimal and self.register.branches(company)):
            data["websites"] = company["websites"]
        kvk = company["kvkNummer"]
        return self.links(
            data, _list=True, self=f"/v1/basisprofielen/{kvk}/eigenaar", basisprofiel=f"/v1/basisprofielen/{kvk}"
        )

    def main_branch(self, company):
        return next((b for b in self.register.branches(company) if b["hoofd"]), None)

    # -- products ------------------------------------------------------------------------

    def basisprofiel(self, request, kvk):
        self.check_params(request, {"geoData"})
        company = self.known(kvk)
        geo = request.arg("geoData", "false").lower() == "true"
        branches = self.register.branches(company)
        data = {
            "kvkNummer": kvk,
            "indNonMailing": "Nee",
            "naam": company["naam"],
            "formeleRegistratiedatum": company["registratie"],
            "materieleRegistratie": self.registration(company["aanvang"], company["einde"]),
        }
        if branches:  # a company without branches has no head count at all, not zero
            data["totaalWerkzamePersonen"] = sum(b["voltijd"] + b["deeltijd"] for b in branches)
        if company["statutaireNaam"]:
            data["statutaireNaam"] = company["statutaireNaam"]
        if branches or not self.minimal:
            data["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(company["handelsnamen"])]
        if company["sbi"]:
            data["sbiActiviteiten"] = self.sbi(company["sbi"])
        embedded = {}
        main = self.main_branch(company)
        if main:
            embedded["hoofdvestiging"] = self.vestiging(company, main, geo, embedded=True)
        embedded["eigenaar"] = self.owner(company, geo)
        targets = {"self": f"/v1/basisprofielen/{kvk}"}
        if not self.minimal:
            targets["eigenaar"] = f"/v1/basisprofielen/{kvk}/eigenaar"
            if main:
                targets["hoofdvestiging"] = f"/v1/basisprofielen/{kvk}/hoofdvestiging"
        if branches:
            targets["vestigingen"] = f"/v1/basisprofielen/{kvk}/vestigingen"
        self.links(data, _list=True, **targets)
        data["_embedded"] = embedded
        return data

    def hoofdvestiging(self, request, kvk):
        self.check_params(request, {"geoData"})
        company = self.known(kvk)
        main = self.main_branch(company)
        if main is None:
            raise KvkFault(404, "IPD0005", f"Het KVK-nummer {kvk} heeft geen hoofdvestiging.")
        return self.vestiging(company, main, request.arg("geoData", "false").lower() == "true")

    def eigenaar(self, request, kvk):
        self.check_params(request, {"geoData"})
        company = self.known(kvk)
        return self.owner(company, request.arg("geoData", "false").lower() == "true")

    def vestigingen(self, request, kvk):
        self.check_params(request, set())
        company = self.known(kvk)
        branches = self.register.branches(company)
        items = []
        for item in branches:
            visiting = next((a for a in item["adressen"] if a["type"] == "bezoekadres"), None)
            entry = {
                "vestigingsnummer": item["vestigingsnummer"],
                "kvkNummer": kvk,
                "eersteHandelsnaam": item["eersteHandelsnaam"],
                "indHoofdvestiging": ja(item["hoofd"]),
                "indAdresAfgeschermd": ja(bool(visiting and visiting["shielded"])),
                "indCommercieleVestiging": ja(item["commercieel"]),
            }
            if visiting and not visiting["shielded"]:
                entry["volledigAdres"] = self.address(visiting)["volledigAdres"]
            items.append(self.links(entry, vestigingsprofiel=f"/v1/vestigingsprofielen/{item['vestigingsnummer']}"))
        commercial = sum(1 for b in branches if b["commercieel"])
        data = {
            "kvkNummer": kvk,
            "aantalCommercieleVestigingen": commercial,
            "aantalNietCommercieleVestigingen": len(branches) - commercial,
            "totaalAantalVestigingen": len(branches),
            "vestigingen": items,
        }
        return self.links(
            data, _list=True, self=f"/v1/basisprofielen/{kvk}/vestigingen", basisprofiel=f"/v1/basisprofielen/{kvk}"
        )

    def vestigingsprofiel(self, request, vnr):
        self.check_params(request, {"geoData"})
        if not re.fullmatch(r"[0-9]{12}", vnr or ""):
            raise KvkFault(400, "IPD0006", f"Het vestigingsnummer {vnr} is niet valide.")
        found = self.register.branch_index().get(vnr)
        if found is None:
            raise KvkFault(
                404, "IPD0007", f"Op basis van het vestigingsnummer {vnr} kan het product niet worden geleverd."
            )
        company, item = found
        if company["kvkNummer"] in ERROR_CASES:
            raise KvkFault(*ERROR_CASES[company["kvkNummer"]])
        return self.vestiging(company, item, request.arg("geoData", "false").lower() == "true", statutory=True)

    def naamgeving(self, request, kvk):
        self.check_params(request, set())
        company = self.known(kvk)
        data = {"kvkNummer": kvk}
        if company["rsin"]:
            data["rsin"] = company["rsin"]
        if company["statutaireNaam"]:
            data["statutaireNaam"] = company["statutaireNaam"]
        data["naam"] = company["naam"]
        data["startdatum"] = company["registratie"]
        if company["einde"]:
            data["einddatum"] = company["einde"]
        data["vestigingen"] = [
            {
                "vestigingsnummer": b["vestigingsnummer"],
                "eersteHandelsnaam": b["eersteHandelsnaam"],
                "handelsnamen": [{"naam": n, "volgorde": i} for i, n in enumerate(b["handelsnamen"])],
            }
            for b in self.register.branches(company)
        ]
        return self.links(data, self=f"/v1/naamgevingen/kvknummer/{kvk}", basisprofiel=f"/v1/basisprofielen/{kvk}")

    # -- Zoeken ----------------------------------------------------------------------------

    def _search_params(self, request):
        self.check_params(request, SEARCH_PARAMS)
        get = request.arg
        checks = [
            ("kvkNummer", r"[0-9]{8}", "IPD0004", "Het KVK-nummer {} is niet valide."),
            ("rsin", r"[0-9]{9}", "IPD0010", "Het RSIN {} is niet valide."),
            ("vestigingsnummer", r"[0-9]{12}", "IPD0006", "Het vestigingsnummer {} is niet valide."),
            ("postcode", r"[0-9]{4}[a-zA-Z]{2}", "IPD1999", "De postcode {} is niet valide."),
            ("huisnummer", r"[0-9]{1,5}", "IPD1999", "Het huisnummer {} is niet valide."),
            ("postbusnummer", r"[0-9]{1,5}", "IPD1999", "Het postbusnummer {} is niet valide."),
        ]
        for name, pattern, code, message in checks:
            value = get(name)
            if value is not None and not re.fullmatch(pattern, value):
                raise KvkFault(400, code, message.format(value))
        if (get("huisnummer") or get("postbusnummer")) and not get("postcode"):
            raise KvkFault(400, "IPD1999", "Huisnummer en postbusnummer kunnen alleen met een postcode.")
        if get("postcode") and not (get("huisnummer") or get("postbusnummer")):
            raise KvkFault(400, "IPD1999", "Een postcode kan alleen met een huisnummer of postbusnummer.")
        if get("huisletter") and not get("huisnummer"):
            raise KvkFault(400, "IPD1999", "Een huisletter kan alleen met een huisnummer.")
        types = request.query.get("type", [])
        for kind in types:
            if kind not in TYPES:
                raise KvkFault(404, "IPD5203", f"Het type {kind} is niet valide.")
        try:
            page = int(get("pagina", "1"))
            per_page = int(get("resultatenPerPagina", "10"))
        except ValueError as exc:
            raise KvkFault(400, "IPD1999", "Pagina en resultatenPerPagina zijn gehele getallen.") from exc
        if not 1 <= page <= 1000 or not 1 <= per_page <= 100:
            raise KvkFault(400, "IPD1999", "Pagina moet 1..1000 zijn en resultatenPerPagina 1..100.")
        inactive = (get("inclusiefInactieveRegistraties") or "false").lower() == "true"
        return types, page, per_page, inactive

    def _candidates(self, request):
        """The companies a search can match at all, before the per-item filters."""
        get = request.arg
        if get("kvkNummer"):
            company = self.register.companies.get(get("kvkNummer"))
            return [company] if company else []
        if get("vestigingsnummer"):
            found = self.register.branch_index().get(get("vestigingsnummer"))
            return [found[0]] if found else []
        return list(self.register.companies.values())

    def _hits(self, request):
        """(company, kind, item, address) of every registration the search's numbers can match."""
        get = request.arg
        for company in self._candidates(request):
            if company["kvkNummer"] in ERROR_CASES and get("kvkNummer"):
                raise KvkFault(*ERROR_CASES[company["kvkNummer"]])
            if get("rsin") and company["rsin"] != get("rsin"):
                continue
            for kind, item, addr in self._items(company):
                if get("rsin") and kind == "rechtspersoon" and self.main_branch(company):
                    continue  # KvK answers an RSIN with the company's branches
                yield company, kind, item, addr

    def zoeken(self, request):
        types, page, per_page, inactive = self._search_params(request)
        get = request.arg
        name_words = set(words(get("naam")))
        results = []
        for company, kind, item, addr in self._hits(request):
            active = not (item["einde"] if item else company["einde"])
            if not inactive and not active:
                continue
            if types and kind not in types:
                continue
            if get("vestigingsnummer") and (not item or item["vestigingsnummer"] != get("vestigingsnummer")):
                continue
            names = [company["naam"], *(company["handelsnamen"])]
            if item:
                names += [item["eersteHandelsnaam"], *item["handelsnamen"]]
            if name_words and not any(name_words <= set(words(n)) for n in names):
                continue
            if not self._address_matches(request, addr):
                continue
            results.append(self._result(request, company, kind, item, addr, active))
        if not results:
            raise KvkFault(
                404, "IPD5200", "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters."
            )
        total = len(results)
        reachable = min(total, MAX_REACHABLE)
        start = (page - 1) * per_page
        if start >= reachable:
            raise KvkFault(
                404, "IPD5200", "Er zijn geen gegevens gevonden die voldoen aan de opgegeven zoekparameters."
            )
        data = {
            "pagina": page,
            "resultatenPerPagina": per_page,
            "totaal": total,
        }
        skip = ("pagina", "resultatenPerPagina")
        query = "&".join(f"{k}={v}" for k, vs in request.query.items() if k not in skip for v in vs)
        query = f"{query}&" if query else ""

        def at(number):
            return f"/v2/zoeken?{query}pagina={number}&resultatenPerPagina={per_page}"

        if page > 1:
            data["vorige"] = self._local.base + at(page - 1)
        if start + per_page < reachable:
            data["volgende"] = self._local.base + at(page + 1)
        data["resultaten"] = results[start : min(start + per_page, reachable)]
        return self.links(data, self=at(page))

    def _items(self, company):
        branches = self.register.branches(company)
        if company["rsin"] or not branches:
            owner_addr = company["eigenaar_adressen"][0] if company["eigenaar_adressen"] else None
            main = self.main_branch(company)
            if owner_addr is None and main:
                owner_addr = next((a for a in main["adressen"] if a["type"] == "bezoekadres"), None)
            yield "rechtspersoon", None, owner_addr
        for item in branches:
            addr = next((a for a in item["adressen"] if a["type"] == "bezoekadres"), None)
            if addr is None or addr["shielded"]:  # KvK then shows the postal address
                addr = next((a for a in item["adressen"] if a["type"] != "bezoekadres"), addr)
            yield ("hoofdvestiging" if item["hoofd"] else "nevenvestiging"), item, addr

    @staticmethod
    def _address_matches(request, addr):
        get = request.arg
        wanted = [get(k) for k in ("straatnaam", "plaats", "postcode", "huisnummer", "huisletter", "postbusnummer")]
        if not any(wanted):
            return True
        if addr is None or addr["shielded"] or addr.get("buitenland"):
            return False
        if get("plaats") and words(get("plaats")) != words(addr["plaats"]):
            return False
        if get("straatnaam") and not set(words(get("straatnaam"))) <= set(words(addr["straatnaam"])):
            return False
        if get("postcode") and get("postcode").upper() != addr["postcode"]:
            return False
        if get("huisnummer") and str(addr["huisnummer"]) != get("huisnummer").lstrip("0"):
            return False
        if get("huisletter") and get("huisletter").upper() != (addr["huisletter"] or "").upper():
            return False
        if get("postbusnummer") and str(addr["postbusnummer"]) != get("postbusnummer"):
            return False
        return True

    def _result(self, request, company, kind, item, addr, active):
        get = request.arg
        out = {"kvkNummer": company["kvkNummer"]}
        if get("rsin"):
            out["rsin"] = company["rsin"]
        if item:
            out["vestigingsnummer"] = item["vestigingsnummer"]
        out["naam"] = item["eersteHandelsnaam"] if item else (company["statutaireNaam"] or company["naam"])
        if addr and not addr["shielded"]:
            kind_of_address = "bezoekadres" if addr["type"] == "bezoekadres" else "postadres"
            if addr.get("buitenland"):
                foreign = {"type": kind_of_address}
                for key in ("straatHuisnummer", "postcodeWoonplaats", "land"):
                    foreign[key] = addr[key]
                out["adres"] = {"buitenlandsAdres": foreign}
            else:
                inland = {"type": kind_of_address}
                if kind_of_address == "bezoekadres" and addr["straatnaam"]:
                    inland["straatnaam"] = addr["straatnaam"]
                # House number, letter, postcode and PO box only when they were searched for (KvK's FAQ).
                if get("huisnummer") and addr["huisnummer"] not in ("", None):
                    inland["huisnummer"] = int(addr["huisnummer"])
                    if addr["huisletter"]:
                        inland["huisletter"] = addr["huisletter"]
                if get("postbusnummer") and addr["postbusnummer"]:
                    inland["postbusnummer"] = int(addr["postbusnummer"])
                if get("postcode"):
                    inland["postcode"] = addr["postcode"]
                inland["plaats"] = addr["plaats"]
                out["adres"] = {"binnenlandsAdres": inland}
        out["type"] = kind
        if not (self.minimal and active):
            out["actief"] = ja(active)
        targets = {"basisprofiel": f"/v1/basisprofielen/{company['kvkNummer']}"}
        if item:
            targets["vestigingsprofiel"] = f"/v1/vestigingsprofielen/{item['vestigingsnummer']}"
        return self.links(out, **targets)
