"""KvK Mutatieservice (change signals) under ``/kvk/``, with a seeded generator of signals.

Routes, under ``/kvk/api/v1/`` and ``/kvk/test/api/v1/`` as KvK serves production and test
(spec "HP Mutatie Service - Delivery" 1.0.9, SERVICES.md 1.9), with the ``apikey`` header:

* ``GET abonnementen``: ``klantId`` and the key's subscriptions (one active, one ended);
* ``GET abonnementen/{id}?vanaf=&tot=&pagina=&aantal=``: the signals of a time window
  (``vanaf`` included, ``tot`` excluded, ISO-8601), page by page (``aantal`` 10..500,
  default 100), oldest first: ``pagina``, ``aantal``, ``totaal``, ``totaalPaginas``,
  ``signalen[{id, timestamp, kvknummer, signaalType, vestigingsnummer}]``;
  ``Accept: application/hal+json`` adds ``links`` per signal and ``vorige``/``volgende``;
* ``GET abonnementen/{id}/signalen/{signaalId}``: ``{"signaal": {...}}`` with
  ``heeftBetrekkingOp`` and the data of its type.

Faults are RFC 7807 problem details (``application/problem+json``): 401 without a valid key,
403 for a key whose name starts with ``sandbox-forbidden`` (no Mutatieservice contract) or for
another customer's subscription, 404 for an unknown subscription or signal, 400 for a wrong
parameter.  Rate limits and server errors come from the sandbox's fault knobs.

The generator (:meth:`Mutatieservice.emit`) draws signals from the seed and the number of
signals emitted so far: a changed registration (with its ``gewijzigdeGegevens`` hint), a
changed branch, a new registration, a termination, a legal-form change, or a continuation
or transfer (the transfer's companion signals included: termination and new registration,
or the receiving registration's change).  Each signal first changes the register
(``Register.change``), so a Basisprofiel or Vestigingsprofiel asked after it shows the
change; blocks the classic APIs do not show (functionarissen, deponeringen) change nothing.

Control routes (JSON, no key):

* ``GET|POST|DELETE /kvk/_mutaties``: the state; change the settings (``per_interval`` and
  ``interval_seconds``: emit that many signals per interval, as KvK's test environment emits
  10 every 5 minutes, 0 = off; ``population``: how many companies of the bulk population
  signals may concern besides the listed ones; ``minimal``: leave out optional fields);
  reset (no signals, the register as generated);
* ``POST /kvk/_mutaties/emit`` ``{"count": N, "at"|"from"+"to": ISO, "types": [...],
  "kvk_numbers": [...], "summary": true}``: emit N signals (types by short name or KvK's);
* ``POST /kvk/_mutaties/signal`` ``{"type": ..., "kvk_number": ..., "branch_number": ...,
  "blocks": [...], "change": ..., "reason": ..., "at": ..., "malformed": "listing"|"detail"}``:
  emit one given signal (with its companions), for tests and the demo;
* ``GET /kvk/_bulk?rows=N&bad_every=K``: a KvK bulk file (CSV, see sandbox/kvk_bulk.py),
  at most 200,000 rows over HTTP (the command line writes any size).
"""

import bisect
import copy
import io
import json
import random
import threading
import uuid
from datetime import datetime, timedelta, timezone

from ..core import Response
from .kvk_data import CITIES, LEGAL_FORMS, SBI, STREETS, address, branch, company
from .kvk_population import MUNICIPALITY_OF, NAME_KINDS, NAME_PARTS, PLACES, index_of, kvk_number

API = r"(?:test/)?api/v1/"
PUBLIC_TEST_KEY = "l7xx1f2691f2520d487b902f4e0b57a0b197"
TYPES = {
    "changed": "SignaalGewijzigdeInschrijving",
    "branch": "SignaalGewijzigdeVestiging",
    "new": "SignaalNieuweInschrijving",
    "ended": "SignaalBeeindiging_2025_01",
    "legal_form": "SignaalRechtsvormwijziging_2025_01",
    "continuation": "SignaalVoortzettingEnOverdracht_2025_01",
}
SHORT = {kvk: short for short, kvk in TYPES.items()}
WEIGHTS = {"changed": 45, "branch": 24, "new": 15, "ended": 8, "legal_form": 3, "continuation": 5}
BLOCKS = ("maOnderneming", "eigenaar", "vestigingen", "functionarissen", "deponeringen")
BLOCK_WEIGHTS = (30, 15, 35, 25, 20)
REASONS_NEW = {
    "NW": "Nieuw",
    "OR": "Oprichten",
    "VV": "Voortzetten onderneming",
    "VO": "Voortzetten",
    "FS": "Fuseren",
    "SP": "Splitsen",
    "ZV": "Zetelverplaatsing",
}
REASONS_END = {
    "OO": "Opheffen onderneming",
    "BR": "Beëindigen rechtspersoon",
    "FS": "Fuseren",
    "SP": "Splitsen",
    "VZ": "Voortzetten",
    "OV": "Overdracht",
    "ZV": "Zetelverplaatsing",
    "BE": "Beëindiging",
}
ROLES = {"VG": "Voortgezet door", "OG": "Overgedragen aan"}
ENTERPRISE_CHANGES = ("name", "activity")
BRANCH_CHANGES = ("address", "name", "activity", "employees")
NATURAL = ("Eenmanszaak", "Vennootschap onder firma")  # businesses of natural persons: no rsin
CONVERSIONS = {
    "BV": "NV",
    "NV": "BV",
    "Stichting": "BV",
    "Cooperatie": "BV",
}
FORM_KEYS = {(v[0] if isinstance(v, tuple) else v): k for k, v in LEGAL_FORMS.items()}
MAX_PAGE = 500
HTTP_ROWS = 200_000
MAX_EMIT = 200_000


class Problem(Exception):
    def __init__(self, status, title, detail):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_moment(value, name="tijdstip"):
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Problem(400, "Bad Request", f"{name} {value!r} is geen ISO-8601 datum-tijd.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def day(moment):
    return moment.astimezone(timezone.utc).strftime("%Y%m%d")


class Signal:
    """One emitted signal: its list entry and its detail (JSON text, frozen at emission)."""

    __slots__ = ("id", "seq", "moment", "kvk", "vnr", "type", "detail", "listing_fault", "summary")

    def __init__(self, seq, moment, kvk, vnr, kind, detail, summary, signal_id):
        self.id = signal_id
        self.seq, self.moment, self.kvk, self.vnr, self.type = seq, moment, kvk, vnr, kind
        self.detail = detail
        self.listing_fault = ""
        self.summary = summary

    @property
    def key(self):
        return (self.moment, self.seq)

    def info(self, minimal=False):
        out = {"id": self.id, "timestamp": iso(self.moment), "kvknummer": self.kvk, "signaalType": TYPES[self.type]}
        if self.vnr:
            out["vestigingsnummer"] = self.vnr
        if self.listing_fault == "listing":  # a broken entry, for tests of a client's care
            out.pop("kvknummer")
            out["timestamp"] = "gisteren"
        return out


class Mutatieservice:
    """The signals of one sandbox and the generator that emits them; mounted on the ``Kvk`` service."""

    def __init__(self, service):
        self.service = service
        self.register = service.register
        self.seed = service.seed
        self.lock = threading.RLock()
        self.settings = {"per_interval": 0, "interval_seconds": 300, "population": 0, "minimal": False}
        self.subscription_owner = {}  # subscription id -> API key it belongs to
        self.reset()

    def reset(self):
        with self.lock:
            self.signals = []  # sorted by (moment, seq)
            self.keys = []
            self.by_id = {}
            self.sequence = 0
            self.new_numbers = []
            self.last_tick = None
            self.register.reset()

    # -- routes ------------------------------------------------------------------------------------

    def install(self):
        route = self.service.route
        route("GET", API + r"abonnementen", self.api(self.list_subscriptions))
        route("GET", API + r"abonnementen/([^/]+)", self.api(self.list_signals))
        route("GET", API + r"abonnementen/([^/]+)/signalen/([^/]+)", self.api(self.signal_detail))
        route("GET", r"_mutaties", self.control)
        route("POST", r"_mutaties", self.control)
        route("DELETE", r"_mutaties", self.control)
        route("POST", r"_mutaties/emit", self.control_emit)
        route("POST", r"_mutaties/signal", self.control_signal)
        route("GET", r"_bulk", self.bulk_file)

    def api(self, handler):
        def wrapped(request, *groups):
            try:
                key = request.headers.get("apikey", "")
                if key != PUBLIC_TEST_KEY and not key.startswith("sandbox"):
                    raise Problem(401, "Unauthorized", "Geen geldige API-key meegegeven.")
                if key.startswith("sandbox-forbidden"):
                    raise Problem(403, "Forbidden", "Deze API-key heeft geen contract voor de Mutatieservice.")
                accept = request.headers.get("accept", "application/json").lower()
                hal = "hal+json" in accept
                if not hal and not any(kind in accept for kind in ("application/json", "*/*", "application/*")):
                    raise Problem(406, "Not Acceptable", f"Accept {accept} wordt niet ondersteund.")
                self._tick(datetime.now(timezone.utc))
                data = handler(request, key, hal, *groups)
            except Problem as problem:
                body = {"type": "about:blank", "title": problem.title, "status": problem.status}
                body.update({"detail": problem.detail, "instance": request.path})
                return Response.json(body, status=problem.status, content_type="application/problem+json")
            content_type = "application/hal+json" if hal else "application/json"
            return Response.json(data, headers={"API-Version": "1.0.9"}, content_type=content_type)

        return wrapped

    def subscriptions(self, key):
        rng = random.Random(f"{self.seed}:kvk:abonnementen:{key}")
        klant = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        active = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "contract": {"id": f"KMS-{rng.randint(100000, 999999)}"},
            "startDatum": "2025-01-01T00:00:00.000Z",
            "actief": True,
        }
        ended = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "contract": {"id": f"KMS-{rng.randint(100000, 999999)}"},
            "startDatum": "2023-01-01T00:00:00.000Z",
            "eindDatum": "2024-12-31T23:59:59.999Z",
            "actief": False,
        }
        for item in (active, ended):
            self.subscription_owner.setdefault(item["id"], key)
        return klant, [active, ended]

    def _subscription(self, key, subscription_id):
        _klant, items = self.subscriptions(key)
        found = next((item for item in items if item["id"] == subscription_id), None)
        if found is None:
            if self.subscription_owner.get(subscription_id) not in (None, key):
                raise Problem(403, "Forbidden", f"Het abonnement {subscription_id} is niet van deze klant.")
            raise Problem(404, "Not Found", f"Het abonnement {subscription_id} bestaat niet.")
        return found

    def list_subscriptions(self, request, key, hal):
        self._check_params(request, set())
        klant, items = self.subscriptions(key)
        if hal:
            items = [
                {**item, "links": [{"rel": "self", "href": f"/api/v1/abonnementen/{item['id']}"}]} for item in items
            ]
        return {"klantId": klant, "abonnementen": items}

    @staticmethod
    def _check_params(request, allowed):
        unknown = set(request.query) - allowed
        if unknown:
            raise Problem(400, "Bad Request", f"Niet ondersteunde parameter(s): {', '.join(sorted(unknown))}.")

    def list_signals(self, request, key, hal, subscription_id):
        self._check_params(request, {"vanaf", "tot", "pagina", "aantal"})
        subscription = self._subscription(key, subscription_id)
        try:
            page = int(request.arg("pagina", "1"))
            size = int(request.arg("aantal", "100"))
        except ValueError as exc:
            raise Problem(400, "Bad Request", "pagina en aantal zijn gehele getallen.") from exc
        if page < 1 or not 10 <= size <= MAX_PAGE:
            raise Problem(400, "Bad Request", f"pagina moet 1 of meer zijn en aantal 10..{MAX_PAGE}.")
        start = parse_moment(subscription["startDatum"])
        end = parse_moment(subscription["eindDatum"]) if subscription.get("eindDatum") else None
        since = max(start, parse_moment(request.arg("vanaf"), "vanaf")) if request.arg("vanaf") else start
        until = parse_moment(request.arg("tot"), "tot") if request.arg("tot") else datetime.now(timezone.utc)
        if end is not None:
            until = min(until, end)
        if request.arg("vanaf") and request.arg("tot") and since > until and not end:
            raise Problem(400, "Bad Request", "vanaf ligt na tot.")
        with self.lock:
            low = bisect.bisect_left(self.keys, (since, -1))
            high = bisect.bisect_left(self.keys, (until, -1)) if until > since else low
            window = self.signals[low:high]
        total = len(window)
        pages = max(1, -(-total // size))
        items = window[(page - 1) * size : page * size]
        minimal = self.settings["minimal"]
        data = {"pagina": page, "aantal": size}
        if not minimal:
            data.update({"totaal": total, "totaalPaginas": pages})
        signals = []
        for signal in items:
            info = signal.info()
            if hal:
                href = f"/api/v1/abonnementen/{subscription_id}/signalen/{signal.id}"
                info["links"] = [{"rel": "self", "href": href}]
            signals.append(info)
        data["signalen"] = signals
        if hal:
            query = "&".join(f"{k}={v[0]}" for k, v in request.query.items() if k != "pagina")
            base = f"/api/v1/abonnementen/{subscription_id}?{query}{'&' if query else ''}pagina="
            if page > 1:
                data["vorige"] = base + str(page - 1)
            if page < pages:
                data["volgende"] = base + str(page + 1)
        return data

    def signal_detail(self, request, key, hal, subscription_id, signal_id):
        self._check_params(request, set())
        self._subscription(key, subscription_id)
        with self.lock:
            signal = self.by_id.get(signal_id)
        if signal is None:
            raise Problem(404, "Not Found", f"Het signaal {signal_id} bestaat niet.")
        detail = json.loads(signal.detail)
        if self.settings["minimal"]:
            about = detail["signaal"].get("heeftBetrekkingOp") or {}
            for optional in ("nonMailing", "totaalWerkzamePersonen"):
                about.pop(optional, None)
            detail["signaal"].pop("registratieId", None)
        if hal:
            detail["links"] = [{"rel": "self", "href": f"/api/v1/abonnementen/{subscription_id}/signalen/{signal.id}"}]
        return detail

    # -- control -----------------------------------------------------------------------------------

    @staticmethod
    def _body(request):
        try:
            values = request.json() if request.body else {}
        except ValueError as exc:
            raise Problem(400, "Bad Request", f"the body is no JSON: {exc}") from exc
        if not isinstance(values, dict):
            raise Problem(400, "Bad Request", "the body must be a JSON object")
        return values

    def _control_answer(self, call):
        try:
            return Response.json(call())
        except (Problem, ValueError, KeyError, TypeError) as exc:
            message = exc.detail if isinstance(exc, Problem) else str(exc)
            return Response.json({"error": {"status": 400, "message": message}}, 400)

    def control(self, request):
        def answer():
            if request.method == "DELETE":
                self.reset()
            elif request.method == "POST":
                values = self._body(request)
                unknown = set(values) - set(self.settings)
                if unknown:
                    raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
                for name in ("per_interval", "interval_seconds", "population"):
                    if name in values and (not isinstance(values[name], int) or values[name] < 0):
                        raise ValueError(f"{name} must be a whole number of 0 or more")
                if values.get("population", 0) > 20_000_000:
                    raise ValueError("population can be at most 20,000,000")
                with self.lock:
                    self.settings.update(values)
                    self.last_tick = None
            with self.lock:
                return {
                    "settings": dict(self.settings),
                    "signals": len(self.signals),
                    "changed": sorted(self.register.changes),
                    "new_registrations": list(self.new_numbers),
                }

        return self._control_answer(answer)

    def control_emit(self, request):
        def answer():
            values = self._body(request)
            unknown = set(values) - {"count", "at", "from", "to", "types", "kvk_numbers", "summary"}
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            count = values.get("count", 10)
            if not isinstance(count, int) or not 0 <= count <= MAX_EMIT:
                raise ValueError(f"count must be a whole number from 0 to {MAX_EMIT}")
            types = [self._short(kind) for kind in values.get("types") or []]
            numbers = [str(n) for n in values.get("kvk_numbers") or []]
            for number in numbers:
                if self.register.companies.get(number) is None:
                    raise ValueError(f"the register does not know KvK number {number}")
            moments = self._moments(count, values)
            emitted = self.emit(count, moments, types=types, kvk_numbers=numbers)
            if values.get("summary", True):
                return {"signals": [signal.summary for signal in emitted]}
            return {"emitted": len(emitted)}

        return self._control_answer(answer)

    def control_signal(self, request):
        def answer():
            values = self._body(request)
            allowed = {"type", "kvk_number", "branch_number", "blocks", "change", "reason", "at", "malformed"}
            unknown = set(values) - allowed
            if unknown:
                raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
            kind = self._short(values.get("type", ""))
            moment = parse_moment(values["at"], "at") if values.get("at") else datetime.now(timezone.utc)
            blocks = values.get("blocks") or []
            for block in blocks:
                if block not in BLOCKS:
                    raise ValueError(f"unknown block {block!r}; blocks are {', '.join(BLOCKS)}")
            if values.get("change") not in (None, "", *ENTERPRISE_CHANGES, *BRANCH_CHANGES):
                raise ValueError(f"change is one of {', '.join(dict.fromkeys(ENTERPRISE_CHANGES + BRANCH_CHANGES))}")
            if values.get("malformed") not in (None, "", "listing", "detail"):
                raise ValueError("malformed is 'listing' or 'detail'")
            with self.lock:
                rng = self._rng()
                spec = {key: values.get(key) for key in ("kvk_number", "branch_number", "change", "reason")}
                spec["blocks"] = blocks
                emitted = self._event(rng, kind, moment, spec, strict=True)
                for signal in emitted[:1]:
                    if values.get("malformed") == "listing":
                        signal.listing_fault = "listing"
                    elif values.get("malformed") == "detail":
                        broken = json.loads(signal.detail)
                        broken["signaal"].pop("heeftBetrekkingOp", None)
                        broken["signaal"]["signaalType"] = "SignaalOnbekend"
                        signal.detail = json.dumps(broken, ensure_ascii=False).encode()
            return {"signals": [signal.summary for signal in emitted]}

        return self._control_answer(answer)

    def bulk_file(self, request):
        from .. import kvk_bulk

        try:
            rows = int(request.arg("rows", "1000"))
            bad_every = int(request.arg("bad_every", "0"))
        except ValueError:
            return Response.json({"error": {"status": 400, "message": "rows and bad_every are numbers"}}, 400)
        if not 0 <= rows <= HTTP_ROWS or bad_every < 0:
            message = f"rows must be 0..{HTTP_ROWS} over HTTP; python -m sandbox.kvk_bulk writes larger files"
            return Response.json({"error": {"status": 400, "message": message}}, 400)
        out = io.BytesIO()
        kvk_bulk.write(out, rows, seed=self.seed, bad_every=bad_every)
        response = Response(200, out.getvalue(), "text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="kvk-bulk-{rows}.csv"'
        return response

    @staticmethod
    def _short(kind):
        kind = str(kind or "")
        if kind in TYPES:
            return kind
        if kind in SHORT:
            return SHORT[kind]
        raise ValueError(f"unknown signal type {kind!r}; types are {', '.join(TYPES)} (or KvK's names)")

    @staticmethod
    def _moments(count, values):
        if values.get("from") or values.get("to"):
            if not (values.get("from") and values.get("to")):
                raise ValueError("from and to go together")
            since, until = parse_moment(values["from"], "from"), parse_moment(values["to"], "to")
            if until <= since:
                raise ValueError("to must lie after from")
            step = (until - since) / max(count, 1)
            return [since + step * index for index in range(count)]
        moment = parse_moment(values["at"], "at") if values.get("at") else datetime.now(timezone.utc)
        return [moment + timedelta(milliseconds=index) for index in range(count)]

    def _tick(self, now):
        per, seconds = self.settings["per_interval"], self.settings["interval_seconds"]
        if not per or not seconds:
            return
        with self.lock:
            if self.last_tick is None:
                self.last_tick = now
                return
            ticks = 0
            while self.last_tick + timedelta(seconds=seconds) <= now and ticks < 1000:
                self.last_tick += timedelta(seconds=seconds)
                ticks += 1
                self.emit(per, [self.last_tick + timedelta(milliseconds=i) for i in range(per)])

    # -- the generator ------------------------------------------------------------------------------

    def _rng(self):
        self.sequence += 1
        return random.Random(f"{self.seed}:kvk:mutaties:{self.sequence}")

    def emit(self, count, moments, types=(), kvk_numbers=()):
        """Emit ``count`` signals at ``moments`` (one per signal); returns the :class:`Signal` s."""
        out = []
        with self.lock:
            while len(out) < count:
                rng = self._rng()
                room = count - len(out)
                allowed = [kind for kind in (types or WEIGHTS) if kind != "continuation" or room >= 3]
                if not allowed:
                    allowed = ["changed"]
                kind = rng.choices(allowed, [WEIGHTS[k] for k in allowed])[0]
                spec = {"pool": list(kvk_numbers)}
                out += self._event(rng, kind, moments[len(out)], spec)
        return out

    def _pool(self, spec):
        if spec.get("pool"):
            return spec["pool"]
        listed = list(self.register.listed)
        return listed + self.new_numbers

    def _draw_company(self, rng, spec, test):
        pool = self._pool(spec)
        population = 0 if spec.get("pool") else self.settings["population"]
        for _attempt in range(60):
            pick = rng.randrange(len(pool) + population)
            kvk = pool[pick] if pick < len(pool) else kvk_number(pick - len(pool))
            found = self.register.companies.get(kvk)
            if found is not None and test(found):
                return found
        return None

    def _event(self, rng, kind, moment, spec, strict=False):
        """Change the register and store the signal(s) of one event; returns them."""
        given = spec.get("kvk_number")
        target = None
        if given:
            target = self.register.companies.get(str(given))
            if target is None:
                raise ValueError(f"the register does not know KvK number {given}")
        checks = {
            "changed": lambda c: not c["einde"],
            "branch": lambda c: not c["einde"] and self.register.branches(c),
            "ended": lambda c: not c["einde"],
            "legal_form": lambda c: not c["einde"] and c["rsin"] and _form_key(c) in CONVERSIONS,
            "continuation": lambda c: not c["einde"]
            and self.register.branches(c)
            and (c["rechtsvorm"] in NATURAL or len(self.register.branches(c)) > 1),
            "new": lambda c: True,
        }
        if kind != "new":
            if target is None:
                target = self._draw_company(rng, spec, checks[kind])
                if target is None:
                    kind, target = "changed", self._draw_company(rng, spec, checks["changed"])
            elif not checks[kind](target):
                raise ValueError(f"a {kind} signal cannot concern {given}: {self._why_not(kind, target)}")
        handler = getattr(self, f"_event_{kind}")
        return handler(rng, target, moment, spec)

    def _why_not(self, kind, target):
        if target["einde"]:
            return "its registration has ended"
        if kind in ("branch", "continuation") and not self.register.branches(target):
            return "it has no branch"
        if kind == "legal_form":
            return "only a BV, NV, stichting or coöperatie changes its legal form here"
        return "a continuation needs an eenmanszaak or VOF, or a second branch to transfer"

    # Each _event_<kind> works on copies and puts them in the register's overlay.

    def _copy(self, company):
        copied = copy.deepcopy(company)
        self.register.branches(copied)
        copied["vestigingen_factory"] = None
        return copied

    def _event_changed(self, rng, target, moment, spec, blocks=None, flags=None):
        company = self._copy(target)
        chosen = list(blocks or spec.get("blocks") or [])
        if not chosen:
            chosen = sorted(set(rng.choices(BLOCKS, BLOCK_WEIGHTS, k=rng.choice((1, 1, 1, 2)))), key=BLOCKS.index)
        if "vestigingen" in chosen and not company["vestigingen"]:
            chosen = [block for block in chosen if block != "vestigingen"] or ["maOnderneming"]
        hint, changes = {}, []
        for block in chosen:
            if block == "maOnderneming":
                hint["maOnderneming"] = {"algemeen": True}
                change = spec.get("change") if spec.get("change") in ENTERPRISE_CHANGES else None
                changes.append(self._change_enterprise(rng, company, change))
            elif block == "eigenaar":
                hint["eigenaar"], change = self._change_owner(rng, company)
                changes.append(change)
            elif block == "vestigingen":
                item = self._branch(rng, company, spec.get("branch_number"))
                change = spec.get("change") if spec.get("change") in BRANCH_CHANGES else None
                entry = flags or self._change_branch(rng, company, item, change)
                hint["vestigingen"] = {
                    "gewijzigdevestigingen": [{"vestigingsnummer": item["vestigingsnummer"], **entry}]
                }
                changes.append(f"branch {item['vestigingsnummer']}: {', '.join(k for k, v in entry.items() if v)}")
            elif block == "functionarissen":
                role = rng.choice(("bestuursfunctie", "gemachtigde", "aansprakelijke", "overigeFunctionaris"))
                hint["functionarissen"] = {role: True}
                changes.append(f"officers ({role}): not in the classic APIs")
            elif block == "deponeringen":
                deposit = {"depotId": f"{rng.randint(10**9, 10**10 - 1)}", "jaarstuk": True}
                hint["deponeringen"] = {"gewijzigdeDeponeringen": [deposit]}
                changes.append("filing (jaarstuk): not in the classic APIs")
        if any(block in chosen for block in ("maOnderneming", "eigenaar", "vestigingen")):
            self.register.change(company)
        return [self._store(rng, "changed", company, moment, {"heeftGewijzigdeGegevens": hint}, changes=changes)]

    def _event_branch(self, rng, target, moment, spec):
        company = self._copy(target)
        item = self._branch(rng, company, spec.get("branch_number"))
        entry = self._change_branch(rng, company, item, spec.get("change"))
        self.register.change(company)
        extra = {
            "heeftGewijzigdeVestiging": {
                "vestigingsnummer": item["vestigingsnummer"],
                "isHoofdvestiging": item["hoofd"],
                "isCommercieel": item["commercieel"],
                "gewijzigdeGegevens": {k: v for k, v in entry.items() if k != "algemeen"},
            }
        }
        changes = [f"branch {item['vestigingsnummer']}: {', '.join(k for k, v in entry.items() if v)}"]
        return [self._store(rng, "branch", company, moment, extra, vnr=item["vestigingsnummer"], changes=changes)]

    def _event_ended(self, rng, target, moment, spec, reason=None):
        company = self._copy(target)
        code = reason or spec.get("reason")
        if not code:
            code = "OO" if company["rechtsvorm"] in NATURAL else rng.choice(("BR", "BR", "FS", "SP", "ZV", "BE"))
        if code not in REASONS_END:
            raise ValueError(f"unknown reason of a termination {code!r}; codes are {', '.join(REASONS_END)}")
        end = day(moment)
        company["einde"] = end
        for item in company["vestigingen"]:
            item["einde"] = item["einde"] or end
        self.register.change(company)
        extra = {"startdatum": end, "aanleiding": {"code": code, "omschrijving": REASONS_END[code]}}
        return [self._store(rng, "ended", company, moment, extra, changes=[f"ended on {end} ({code})"])]

    def _event_legal_form(self, rng, target, moment, spec):
        company = self._copy(target)
        old_form = company["rechtsvorm"]
        new_key = CONVERSIONS[_form_key(company)]
        short, extended = LEGAL_FORMS[new_key]
        company["rechtsvorm"], company["uitgebreideRechtsvorm"] = short, extended
        suffixes = {"BV": " B.V.", "NV": " N.V."}
        base = company["naam"]
        for suffix in (" B.V.", " N.V.", " U.A."):
            base = base.removesuffix(suffix)
        base = base.removeprefix("Stichting ").removeprefix("Coöperatie ")
        name = base + suffixes.get(new_key, "")
        company["naam"] = company["statutaireNaam"] = name
        company["handelsnamen"] = [name, *company["handelsnamen"][1:]]
        self.register.change(company)
        extra = {"startdatum": day(moment), "persoonRechtsvormOud": old_form}
        changes = [f"legal form {old_form} -> {short}, name {name}"]
        return [self._store(rng, "legal_form", company, moment, extra, changes=changes)]

    def _event_continuation(self, rng, target, moment, spec):
        old = self._copy(target)
        branches = old["vestigingen"]
        role = spec.get("reason") or ("VG" if old["rechtsvorm"] in NATURAL else "OG")
        if role not in ROLES:
            raise ValueError(f"unknown role of a continuation {role!r}; codes are VG (continued) and OG (transferred)")
        if role == "OG" and len(branches) < 2:
            raise ValueError(f"{old['kvkNummer']} has one branch: it can only be continued (VG), not transfer one")
        start = day(moment)
        if role == "VG":
            # A new BV continues the business: the branches (and their numbers) move to it.
            new = self._new_company(rng, start, form="BV", base=_base_name(old["naam"]), branches=branches)
            old["vestigingen"] = []
            old["einde"] = start
            self.register.change(old)
            self.register.change(new)
            moved = [item["vestigingsnummer"] for item in new["vestigingen"]]
            first = self._continuation(rng, old, new, role, moved, moment, start)
            end = self._store(rng, "ended", old, moment + timedelta(milliseconds=1),
                              {"startdatum": start, "aanleiding": {"code": "VZ", "omschrijving": REASONS_END["VZ"]}},
                              changes=[f"ended on {start} (VZ): continued by {new['kvkNummer']}"])  # fmt: skip
            born = self._store(rng, "new", new, moment + timedelta(milliseconds=2),
                               {"heeftNieuweGegevens": {"aanleiding": {"code": "VO", "omschrijving": REASONS_NEW["VO"]},
                                                        "kvkNummer": new["kvkNummer"], "startdatum": start}},
                               changes=[f"new registration continuing {old['kvkNummer']}"])  # fmt: skip
            return [first, end, born]
        # OG: one branch that is not the main one goes to another active registration.
        wanted = spec.get("branch_number")
        candidates = [item for item in branches if not item["hoofd"]]
        item = next((b for b in candidates if b["vestigingsnummer"] == wanted), None) if wanted else None
        if wanted and item is None:
            raise ValueError(f"{wanted} is no branch of {old['kvkNummer']} other than its main branch")
        item = item or rng.choice(candidates)
        receiver = self._draw_company(
            rng, {}, lambda c: not c["einde"] and c["kvkNummer"] != old["kvkNummer"] and bool(c["rsin"])
        )
        if receiver is None:
            raise ValueError("no registration to transfer the branch to")
        receiver = self._copy(receiver)
        old["vestigingen"] = [b for b in branches if b is not item]
        moved = dict(item, hoofd=False)
        receiver["vestigingen"].append(moved)
        self.register.change(old)
        self.register.change(receiver)
        first = self._continuation(rng, old, receiver, role, [item["vestigingsnummer"]], moment, start)
        flags = {"algemeen": True, "adresgegevens": False, "naamgeving": False, "activiteiten": False}
        taken = self._store(rng, "changed", receiver, moment + timedelta(milliseconds=1), {
            "heeftGewijzigdeGegevens": {"vestigingen": {"gewijzigdevestigingen": [
                {"vestigingsnummer": item["vestigingsnummer"], **flags, "gevolmachtigden": False}]}}},
            changes=[f"took over branch {item['vestigingsnummer']} from {old['kvkNummer']}"])  # fmt: skip
        return [first, taken]

    def _continuation(self, rng, old, new, role, moved, moment, start):
        extra = {
            "startdatum": start,
            "voortzettingEnOverdracht": {
                "betrokkenVestigingen": {"vestigingsnummers": moved},
                "rolBijVoortzettingOverdracht": {"code": role, "omschrijving": ROLES[role]},
                "kvkNummer": new["kvkNummer"],
                "persoonRechtsvorm": new["rechtsvorm"],
            },
        }
        changes = [f"{ROLES[role].lower()} {new['kvkNummer']}: branches {', '.join(moved)}"]
        summary = {"new_kvk_number": new["kvkNummer"]}
        return self._store(rng, "continuation", old, moment, extra, changes=changes, summary=summary)

    def _event_new(self, rng, _target, moment, spec):
        code = spec.get("reason") or rng.choices(list(REASONS_NEW), (40, 30, 6, 10, 5, 5, 4))[0]
        if code not in REASONS_NEW:
            raise ValueError(f"unknown reason of a new registration {code!r}; codes are {', '.join(REASONS_NEW)}")
        start = day(moment)
        new = self._new_company(rng, start)
        self.register.change(new)
        extra = {
            "heeftNieuweGegevens": {
                "aanleiding": {"code": code, "omschrijving": REASONS_NEW[code]},
                "kvkNummer": new["kvkNummer"],
                "startdatum": start,
            }
        }
        return [self._store(rng, "new", new, moment, extra, changes=[f"new registration {new['naam']}"])]

    # -- changes ------------------------------------------------------------------------------------

    @staticmethod
    def _branch(rng, company, wanted):
        branches = company["vestigingen"]
        if wanted:
            found = next((item for item in branches if item["vestigingsnummer"] == wanted), None)
            if found is None:
                raise ValueError(f"{wanted} is no branch of {company['kvkNummer']}")
            return found
        main = next((item for item in branches if item["hoofd"]), branches[0])
        return main if rng.random() < 0.6 else rng.choice(branches)

    def _change_enterprise(self, rng, company, change):
        change = change or rng.choice(("name", "activity"))
        if change == "activity":
            old = next((code for code, main in company["sbi"] if main), "")
            code = rng.choice([c for c in sorted(SBI) if c != old])
            company["sbi"] = [(code, True), *((c, False) for c, main in company["sbi"] if not main and c != code)]
            for item in company["vestigingen"]:
                if item["hoofd"]:
                    item["sbi"] = list(company["sbi"])
            return f"main activity {old} -> {code}"
        if change != "name":
            raise ValueError(f"a change of the enterprise is 'name' or 'activity', not {change!r}")
        old = company["naam"]
        prefix = next((p for p in ("Stichting ", "Coöperatie ", "VvE ") if old.startswith(p)), "")
        name = f"{prefix}{rng.choice(NAME_PARTS)} {_base_name(old).split(' ', 1)[-1]}{_suffix(old)}"
        company["naam"] = name
        company["handelsnamen"] = [name, *company["handelsnamen"][1:]]
        if company["statutaireNaam"]:
            company["statutaireNaam"] = name
        for item in company["vestigingen"]:
            if item["hoofd"]:
                item["eersteHandelsnaam"] = name
                item["handelsnamen"] = [name, *item["handelsnamen"][1:]]
        return f"name {old} -> {name}"

    def _change_owner(self, rng, company):
        if company["eigenaar_adressen"]:
            place, municipality, low, high, _weight = rng.choice(PLACES)
            moved = address("bezoekadres", rng.choice(STREETS), rng.randint(1, 300), _postcode(rng, low, high), place)
            company["eigenaar_adressen"] = [moved]
            return {"rechtspersoonAdresgegevens": True}, f"owner's address -> {moved['straatnaam']}, {place}"
        site = f"www.{_base_name(company['naam']).lower().replace(' ', '')}-{rng.randint(10, 99)}.nl"
        company["websites"] = [site]
        for item in company["vestigingen"]:
            if item["hoofd"]:
                item["websites"] = [site]
        flag = "rechtspersoon" if company["rsin"] else (
            "eenmanszaak" if company["rechtsvorm"] == "Eenmanszaak" else "samenwerkingsverband")  # fmt: skip
        return {flag: True}, f"website -> {site}"

    def _change_branch(self, rng, company, item, change):
        change = change or rng.choice(("address", "address", "name", "activity", "employees"))
        flags = {"adresgegevens": False, "naamgeving": False, "activiteiten": False, "algemeen": False}
        if change == "address":
            visiting = next((a for a in item["adressen"] if a["type"] == "bezoekadres"), None)
            place = visiting["plaats"] if visiting else rng.choice(CITIES)[0]
            known = [p for p in PLACES if p[0] == place]
            low, high = (known[0][2], known[0][3]) if known else (1000, 9999)
            if not known and visiting and visiting["postcode"][:4].isdigit():
                low = high = int(visiting["postcode"][:4])
            moved = address("bezoekadres", rng.choice(STREETS), rng.randint(1, 300), _postcode(rng, low, high), place)
            item["adressen"] = [moved, *(a for a in item["adressen"] if a["type"] != "bezoekadres")]
            flags["adresgegevens"] = True
        elif change == "name":
            name = f"{_base_name(item['eersteHandelsnaam'])} {rng.choice(NAME_KINDS)}"
            item["eersteHandelsnaam"] = name
            item["handelsnamen"] = [name, *item["handelsnamen"][1:]]
            flags["naamgeving"] = True
        elif change == "activity":
            old = next((code for code, main in item["sbi"] if main), "")
            code = rng.choice([c for c in sorted(SBI) if c != old])
            item["sbi"] = [(code, True), *((c, False) for c, main in item["sbi"] if not main and c != code)]
            flags["activiteiten"] = True
        elif change == "employees":
            item["voltijd"] = item["voltijd"] + rng.randint(1, 5)
            flags["algemeen"] = True
        else:
            raise ValueError(f"a change of a branch is 'address', 'name', 'activity' or 'employees', not {change!r}")
        return {**flags, "gevolmachtigden": False}

    def _new_company(self, rng, start, form=None, base=None, branches=None):
        serial = len(self.new_numbers) + 1
        kvk = f"7{(serial * 7_919 + 1_234_567) % 10_000_000:07d}"
        self.new_numbers.append(kvk)
        form = form or rng.choice(("Eenmanszaak", "Eenmanszaak", "BV", "BV", "VoF", "Stichting"))
        base = base or f"{rng.choice(NAME_PARTS)} {rng.choice(NAME_KINDS)}"
        suffix = {"BV": " B.V.", "NV": " N.V.", "VoF": " V.O.F."}.get(form, "")
        name = ("Stichting " if form == "Stichting" else "") + base + suffix
        rsin = _rsin(rng) if form in ("BV", "NV", "Stichting") else None
        if branches is None:
            place, _municipality, low, high, _weight = rng.choice(PLACES)
            postcode = _postcode(rng, low, high)
            sbi = [(rng.choice(sorted(SBI)), True)]
            branches = [
                branch(
                    f"000{kvk}1",
                    name,
                    True,
                    [address("bezoekadres", rng.choice(STREETS), rng.randint(1, 300), postcode, place)],
                    full=rng.randint(0, 3),
                    part=rng.randint(0, 2),
                    sbi=sbi,
                    start=start,
                )  # fmt: skip
            ]
        else:
            branches = [dict(item, einde=None) for item in branches]
            for item in branches:
                if item["hoofd"]:
                    item["eersteHandelsnaam"] = name
                    item["handelsnamen"] = [name]
        sbi = next(([s for s in item["sbi"]] for item in branches if item["hoofd"]), [(sorted(SBI)[0], True)])
        return company(kvk, name, form, rsin=rsin, statutory=name if rsin else None, start=start,
                       sbi=sbi, vestigingen=branches)  # fmt: skip

    # -- storing -------------------------------------------------------------------------------------

    def _store(self, rng, kind, company, moment, extra, vnr="", changes=(), summary=None):
        signal_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        registered = moment - timedelta(seconds=rng.randint(60, 900))
        body = {
            "berichtId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "signaalType": TYPES[kind],
            "registratieId": f"HR{rng.randint(10**11, 10**12 - 1)}",
            "registratieTijdstip": iso(registered),
            "heeftBetrekkingOp": self._about(company),
            **extra,
        }
        detail = json.dumps({"signaal": body}, ensure_ascii=False, separators=(",", ":")).encode()
        info = {
            "id": signal_id,
            "timestamp": iso(moment),
            "kvknummer": company["kvkNummer"],
            "signaalType": TYPES[kind],
            "changes": list(changes),
        }
        if vnr:
            info["vestigingsnummer"] = vnr
        info.update(summary or {})
        signal = Signal(self.sequence, moment, company["kvkNummer"], vnr, kind, detail, info, signal_id)
        position = bisect.bisect_right(self.keys, signal.key)
        self.keys.insert(position, signal.key)
        self.signals.insert(position, signal)
        self.by_id[signal_id] = signal
        return signal

    def _about(self, company):
        branches = self.register.branches(company)
        activities = [{"sbiCode": code, "isHoofdactiviteit": main} for code, main in company["sbi"]]
        if company["rsin"] or company["rechtsvorm"] not in NATURAL:
            owner_address = next(iter(company["eigenaar_adressen"]), None)
            main = next((item for item in branches if item["hoofd"]), None)
            if owner_address is None and main is not None:
                owner_address = next((a for a in main["adressen"] if a["type"] == "bezoekadres"), None)
            person = {"persoonRechtsvorm": company["rechtsvorm"]}
            if company["rsin"]:
                person["rsin"] = company["rsin"]
            person["activiteiten"] = activities
            if owner_address is not None:
                person["bezoekadres"] = _location(owner_address)
            owner = {"rechtspersoon": person}
        else:
            owner = {"natuurlijkPersoon": {"persoonRechtsvorm": company["rechtsvorm"]}}
        return {
            "kvkNummer": company["kvkNummer"],
            "nonMailing": False,
            "totaalWerkzamePersonen": sum(item["voltijd"] + item["deeltijd"] for item in branches),
            "heeftAlsEigenaar": owner,
            "wordtUitgeoefendIn": [
                {
                    "vestigingsnummer": item["vestigingsnummer"],
                    "isHoofdvestiging": item["hoofd"],
                    "totaalWerkzamePersonen": item["voltijd"] + item["deeltijd"],
                    "activiteiten": [{"sbiCode": code, "isHoofdactiviteit": main} for code, main in item["sbi"]],
                    **(
                        {"bezoekadres": _location(visiting)}
                        if (visiting := next((a for a in item["adressen"] if a["type"] == "bezoekadres"), None))
                        else {}
                    ),
                }
                for item in branches
            ],
        }


def _postcode(rng, low, high):
    return f"{rng.randint(low, high)}{rng.choice('ABEHKLMNPRSTX')}{rng.choice('ABEHKLMNPRSTX')}"


def _location(item):
    if item["shielded"]:
        return {"afgeschermd": True}
    postcode = item["postcode"] or ""
    return {"afgeschermd": False, "postcode": {"cijfercombinatie": postcode[:4], "lettercombinatie": postcode[4:]}}


def _form_key(company):
    return FORM_KEYS.get(company["rechtsvorm"], "")


def _suffix(name):
    return next((s for s in (" B.V.", " N.V.", " V.O.F.", " U.A.") if name.endswith(s)), "")


def _base_name(name):
    base = name
    for suffix in (" B.V.", " N.V.", " V.O.F.", " U.A."):
        base = base.removesuffix(suffix)
    return base.removeprefix("Stichting ").removeprefix("Coöperatie ").removeprefix("VvE ")


def _rsin(rng):
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def install(service):
    """Mount the Mutatieservice and its control routes on the ``Kvk`` service."""
    service.mutaties = Mutatieservice(service)
    service.mutaties.install()


__all__ = ["MUNICIPALITY_OF", "Mutatieservice", "install", "index_of"]
