"""KvK Handelsregister (NL): the classic REST APIs under ``/kvk/``.

Zoeken v2, Basisprofiel v1 (with ``/hoofdvestiging``, ``/vestigingen`` and
``/eigenaar``), Vestigingsprofiel v1 and Naamgeving v1, under ``/kvk/api/`` and
``/kvk/test/api/`` as KvK serves production and its test environment.  Every
call needs an ``apikey`` header: KvK's public test key, or any key starting
with ``sandbox``.  ``Accept: application/hal+json`` gives HAL ``_links``,
``application/json`` the documented ``links`` list.  Errors use KvK's ``fout``
list with its IPD codes.  KvK numbers 90004973 and 90002903 answer with errors,
as KvK's test list has them.
"""

import re
import threading

from ..core import Response, Service
from . import kvk_dataservice
from .kvk_data import ERROR_CASES, SBI, Register

# The classic APIs' IPD code for each HTTP status the sandbox is asked to fail with.
STATUS_CODES = {400: "IPD1999", 401: "IPD0004", 404: "IPD5200", 500: "IPD9999", 503: "IPD1003"}
PUBLIC_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
MAX_REACHABLE = 1000
API = r"(?:test/)?api/"

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
        self.route("GET", API + r"v1/vestigingsprofielen/([^/]*)", self.api(self.vestigingsprofiel, "1.4.0"))
        self.route("GET", API + r"v1/naamgevingen/kvknummer/([^/]*)", self.api(self.naamgeving, "1.1.1"))
        # The SOAP Dataservice of a public-sector connection (see kvk_dataservice.py).
        self.route("GET", r"dataservice", lambda request: kvk_dataservice.wsdl(self, request))
        self.route("POST", r"dataservice", lambda request: kvk_dataservice.ophalen_inschrijving(self, request))

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
            self._local.hal = hal
            try:
                data = handler(request, *groups)
            except KvkFault as fault:
                return Response.json({"fout": [{"code": fault.code, "omschrijving": fault.message}]}, fault.status)
            headers = {"API-Version": version, "Cache-Control": "no-store"}
            return Response.json(data, headers=headers, content_type=content_type)

        return wrapped

    def links(self, data, /, **targets):
        """``links`` list or HAL ``_links`` object, as the Accept header asked."""
        base = "/api/v1"
        if self._local.hal:
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

    def vestiging(self, company, item, geo=False, statutory=False):
        data = {
            "vestigingsnummer": item["vestigingsnummer"],
            "kvkNummer": company["kvkNummer"],
        }
        if company["rsin"]:
            data["rsin"] = company["rsin"]
        if statutory and company["statutaireNaam"]:
            data["statutaireNaam"] = company["statutaireNaam"]
        data.update(
            {
                "indNonMailing": "Nee",
                "formeleRegistratiedatum": item["start"],
                "materieleRegistratie": self.registration(item["start"], item["einde"]),
                "eersteHandelsnaam": item["eersteHandelsnaam"],
                "indHoofdvestiging": ja(item["hoofd"]),
                "indCommercieleVestiging": ja(item["commercieel"]),
                "voltijdWerkzamePersonen": item["voltijd"],
                "deeltijdWerkzamePersonen": item["deeltijd"],
                "totaalWerkzamePersonen": item["voltijd"] + item["deeltijd"],
                "handelsnamen": [{"naam": n, "volgorde": i} for i, n in enumerate(item["handelsnamen"])],
                "adressen": [self.address(a, geo) for a in item["adressen"]],
                "websites": item["websites"],
                "sbiActiviteiten": self.sbi(item["sbi"]),
            }
        )
        return self.links(data, vestigingsprofiel=f"/vestigingsprofielen/{item['vestigingsnummer']}")

    def owner(self, company, geo=False):
        data = {}
        if company["rsin"]:
            data["rsin"] = company["rsin"]
        data["rechtsvorm"] = company["rechtsvorm"]
        data["uitgebreideRechtsvorm"] = company["uitgebreideRechtsvorm"]
        if company["eigenaar_adressen"]:
            data["adressen"] = [self.address(a, geo) for a in company["eigenaar_adressen"]]
        data["websites"] = company["websites"]
        kvk = company["kvkNummer"]
        return self.links(data, self=f"/basisprofielen/{kvk}/eigenaar", basisprofiel=f"/basisprofielen/{kvk}")

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
            "totaalWerkzamePersonen": sum(b["voltijd"] + b["deeltijd"] for b in branches),
        }
        if company["statutaireNaam"]:
            data["statutaireNaam"] = company["statutaireNaam"]
        data["handelsnamen"] = [{"naam": n, "volgorde": i} for i, n in enumerate(company["handelsnamen"])]
        data["sbiActiviteiten"] = self.sbi(company["sbi"])
        embedded = {"eigenaar": self.owner(company, geo)}
        main = self.main_branch(company)
        if main:
            embedded["hoofdvestiging"] = self.vestiging(company, main, geo)
        data["_embedded"] = embedded
        targets = {"self": f"/basisprofielen/{kvk}", "eigenaar": f"/basisprofielen/{kvk}/eigenaar"}
        if main:
            targets["hoofdvestiging"] = f"/basisprofielen/{kvk}/hoofdvestiging"
        targets["vestigingen"] = f"/basisprofielen/{kvk}/vestigingen"
        return self.links(data, **targets)

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
            items.append(self.links(entry, vestigingsprofiel=f"/vestigingsprofielen/{item['vestigingsnummer']}"))
        commercial = sum(1 for b in branches if b["commercieel"])
        data = {
            "kvkNummer": kvk,
            "aantalCommercieleVestigingen": commercial,
            "aantalNietCommercieleVestigingen": len(branches) - commercial,
            "totaalAantalVestigingen": len(branches),
            "vestigingen": items,
        }
        return self.links(data, self=f"/basisprofielen/{kvk}/vestigingen", basisprofiel=f"/basisprofielen/{kvk}")

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
        return self.links(data, self=f"/naamgevingen/kvknummer/{kvk}", basisprofiel=f"/basisprofielen/{kvk}")

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

    def zoeken(self, request):
        types, page, per_page, inactive = self._search_params(request)
        get = request.arg
        name_words = set(words(get("naam")))
        hits = []
        for company in self._candidates(request):
            if company["kvkNummer"] in ERROR_CASES and get("kvkNummer"):
                raise KvkFault(*ERROR_CASES[company["kvkNummer"]])
            if get("rsin") and company["rsin"] != get("rsin"):
                continue
            for kind, item, addr in self._items(company):
                hits.append((company, kind, item, addr))
        results = []
        for company, kind, item, addr in hits:
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
        query = "&".join(f"{k}={v}" for k, vs in request.query.items() if k != "pagina" for v in vs)
        if page > 1:
            data["vorige"] = f"/api/v2/zoeken?{query}&pagina={page - 1}"
        if start + per_page < reachable:
            data["volgende"] = f"/api/v2/zoeken?{query}&pagina={page + 1}"
        data["resultaten"] = results[start : min(start + per_page, reachable)]
        return self.links(data, self=f"/api/v2/zoeken?{query}&pagina={page}")

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
            yield ("hoofdvestiging" if item["hoofd"] else "nevenvestiging"), item, addr

    @staticmethod
    def _address_matches(request, addr):
        get = request.arg
        wanted = [get(k) for k in ("straatnaam", "plaats", "postcode", "huisnummer", "huisletter", "postbusnummer")]
        if not any(wanted):
            return True
        if addr is None or addr["shielded"]:
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
        out = {"kvkNummer": company["kvkNummer"]}
        if request.arg("rsin"):
            out["rsin"] = company["rsin"]
        if item:
            out["vestigingsnummer"] = item["vestigingsnummer"]
        out["naam"] = item["eersteHandelsnaam"] if item else (company["statutaireNaam"] or company["naam"])
        if addr and not addr["shielded"]:
            inland = {"type": addr["type"]}
            for key in ("straatnaam", "huisnummer", "huisletter", "postbusnummer"):
                if addr[key] not in ("", None):
                    inland[key] = int(addr[key]) if key in ("huisnummer", "postbusnummer") else addr[key]
            if request.arg("postcode"):
                inland["postcode"] = addr["postcode"]
            inland["plaats"] = addr["plaats"]
            out["adres"] = {"binnenlandsAdres": inland}
        out["type"] = kind
        out["actief"] = ja(active)
        targets = {"basisprofiel": f"/basisprofielen/{company['kvkNummer']}"}
        if item:
            targets["vestigingsprofiel"] = f"/vestigingsprofielen/{item['vestigingsnummer']}"
        return self.links(out, **targets)
