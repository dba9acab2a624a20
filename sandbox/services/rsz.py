"""RSZ/ONSS billRetainment (REST) under ``/rsz/``: the art. 30bis withholding obligation per enterprise.

* ``POST /rsz/billRetainment/v1/retainmentObligations/search`` with
  ``{"employerIdentifications": [{"identification": "0403019261", "type": "enterpriseNumber"}]}``
  (at most ``MAX_SEARCH``): ``{"total", "items": [{"status", "employer": {"employerIdentification":
  [...]}, "decisionDate", "retainmentObligation", "retainmentExpirationDate"}]}``, the answer's
  shape as MAGDA documents it; the expiration date only when there is no obligation;
* ``POST /rsz/billRetainment/v1/retentionPreparations`` with ``{"preparations": [...]}``: per
  invoice a structured communication (``+++123/4567/89012+++``) to pay the RSZ with.

* ``GET|POST|DELETE /rsz/_simulation``: the knobs, as under ``/ksz/_simulation`` (``scenarios``
  above all; the other knobs concern the KSZ only).

The request bodies, paths and statuses other than ``employerFoundBillRetainment`` are not
public: the ones here are assumed (as in the addon's client).  Every request needs an
``x-correlation-id`` header.  Each enterprise's situation follows the same seeded scenarios
as the KSZ simulation, with overrides of its own.
"""

import hashlib
from datetime import timedelta

from ..core import Response, Service
from .ksz import WITHHOLDING, KszData, Simulation, brussels_today, valid_enterprise

MAX_SEARCH = 1000


def structured_reference(seed_text):
    """A Belgian structured communication: 10 digits and their mod 97 (97 for 0)."""
    digits = int(hashlib.sha256(seed_text.encode()).hexdigest(), 16) % 10**10
    text = f"{digits:010d}{digits % 97 or 97:02d}"
    return f"+++{text[:3]}/{text[3:7]}/{text[7:]}+++"


class Rsz(Service):
    name = "rsz"
    title = "RSZ/ONSS billRetainment (art. 30bis withholding obligation)"

    def __init__(self, seed):
        self.simulation = Simulation()
        self.data = KszData(self)
        super().__init__(seed)

    def setup_routes(self):
        self.route("POST", r"billRetainment/v1/retainmentObligations/search", self.search)
        self.route("POST", r"billRetainment/v1/retentionPreparations", self.prepare)
        self.route("GET", r"_simulation", lambda request: Response.json(self.simulation.as_dict()))
        self.route("POST", r"_simulation", self.set_simulation)
        self.route("DELETE", r"_simulation", self.reset_simulation)

    def set_simulation(self, request):
        try:
            self.simulation.update(request.json())
        except ValueError as exc:
            return self.error_response(400, str(exc))
        return Response.json(self.simulation.as_dict())

    def reset_simulation(self, request):
        self.simulation.reset()
        return Response.json(self.simulation.as_dict())

    def error_response(self, status, message):
        return Response.json({"type": "about:blank", "status": status, "title": message}, status=status)

    def _body(self, request, key):
        if not request.headers.get("x-correlation-id"):
            return None, self.error_response(400, "the x-correlation-id header is required")
        try:
            body = request.json()
        except ValueError:
            return None, self.error_response(400, "the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get(key), list):
            return None, self.error_response(400, f"the body needs a list {key!r}")
        return body[key], None

    def search(self, request):
        identifications, error = self._body(request, "employerIdentifications")
        if error:
            return error
        if len(identifications) > MAX_SEARCH:
            return self.error_response(400, f"at most {MAX_SEARCH} employers per request")
        today = brussels_today()
        items = []
        for ident in identifications:
            number = str((ident or {}).get("identification") or "")
            if (ident or {}).get("type") != "enterpriseNumber" or not valid_enterprise(number):
                return self.error_response(400, f"{number!r} is not a valid enterprise number")
            scenario = self.data.scenario(number)
            item = {"employer": {"employerIdentification": [{"identification": number, "type": "enterpriseNumber"}]}}
            if scenario == "no_data":
                item["status"] = "employerNotFound"
            else:
                obligation = scenario in WITHHOLDING
                item.update(
                    status="employerFoundBillRetainment",
                    decisionDate=today.isoformat(),
                    retainmentObligation=obligation,
                )
                if not obligation:
                    item["retainmentExpirationDate"] = (today + timedelta(days=30)).isoformat()
            items.append(item)
        return Response.json({"total": len(items), "items": items})

    def prepare(self, request):
        preparations, error = self._body(request, "preparations")
        if error:
            return error
        items = []
        for prep in preparations:
            contractor = str(((prep or {}).get("contractor") or {}).get("identification") or "")
            reference = str((prep or {}).get("invoiceReference") or "")
            if not valid_enterprise(contractor) or not reference:
                return self.error_response(400, "every preparation needs an invoiceReference and a valid contractor")
            items.append(
                {
                    "invoiceReference": reference,
                    "status": "preparationRegistered",
                    "structuredCommunication": structured_reference(f"{self.seed}:{contractor}:{reference}"),
                }
            )
        return Response.json({"total": len(items), "items": items})
