"""Transport and parser of the KvK Mutatieservice (change signals); nothing here imports Odoo.

Three GET calls with the same ``apikey`` header as the classic APIs (SERVICES.md 1.9):
the subscriptions (``/v1/abonnementen``), the signals of a subscription in a time window,
page by page (``/v1/abonnementen/{id}?vanaf=&tot=&pagina=&aantal=``, 10..500 a page), and
one signal's detail (``/v1/abonnementen/{id}/signalen/{signaalId}``).  The Mutatieservice
is part of the subscription: no call is paid per request.

:class:`KvkMutatieClient` is a :class:`~.kvk_client.KvkClient` (same session, timeout, TLS
and :class:`~.kvk_client.KvkError` with a stable ``code``); RFC 7807 problem details
(401, 403, 404, 400) become ``unauthorized``, ``forbidden``, ``not_found`` and
``bad_request``; 429 (``rate_limited``) and 5xx are ``retryable``.

The parser turns each signal into a neutral :class:`SignalRecord`.  A signal that cannot
be read (no id, no KvK number, an unreadable time, an unknown type, a detail without the
registration it concerns) is kept with ``malformed`` set and its ``problems`` listed, and
never stops the page it came in.  KvK adds signals within about 15 minutes of a change,
so a poller asks for windows that overlap the previous one and keeps each signal once by
its ``id``.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .kvk_client import KvkAnswer, KvkClient, KvkError
from .kvk_criteria import Candidate, legal_form_key
from .kvk_parser import kvk_date

PRODUCTS = ("abonnementen", "signalen", "signaal")
# KvK's type names, without the version suffix (``_2025_01``) -> neutral type
SIGNAL_TYPES = {
    "SignaalNieuweInschrijving": "new_registration",
    "SignaalGewijzigdeInschrijving": "changed_registration",
    "SignaalGewijzigdeVestiging": "changed_branch",
    "SignaalBeeindiging": "termination",
    "SignaalRechtsvormwijziging": "legal_form_change",
    "SignaalVoortzettingEnOverdracht": "continuation_transfer",
}
# the data blocks of a changed registration (gewijzigdeGegevens) -> neutral block
BLOCKS = {
    "maOnderneming": "enterprise",
    "eigenaar": "owner",
    "vestigingen": "branches",
    "functionarissen": "officers",
    "deponeringen": "filings",
}
# what changed at a branch -> neutral name
BRANCH_CHANGES = {
    "naamgeving": "names",
    "activiteiten": "activities",
    "adresgegevens": "addresses",
    "gevolmachtigden": "proxies",
    "algemeen": "general",
}
# Blocks that a Basisprofiel or Vestigingsprofiel shows; officers and filings are in neither.
VISIBLE_BLOCKS = ("enterprise", "owner", "branches")
MESSAGES = {
    "not_found": "The register does not know this subscription or signal (Mutatieservice).",
    "bad_request": "The register refused the request's parameters (Mutatieservice).",
    "forbidden": "The API key may not read this subscription. Ask an administrator to check the KvK contract.",
    "server_error": "The register had a technical error. Try again later.",
}
_PROBLEM_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 406: "not_acceptable",
                  429: "rate_limited"}  # fmt: skip
_KVK = re.compile(r"[0-9]{8}")
_BRANCH = re.compile(r"[0-9]{12}")


@dataclass
class Subscription:
    id: str
    contract_id: str = ""
    start: datetime | None = None
    end: datetime | None = None
    active: bool = False


@dataclass
class SubscriptionList:
    customer_id: str
    subscriptions: list
    answer: KvkAnswer | None = field(default=None, repr=False, compare=False)

    @property
    def active(self):
        return [item for item in self.subscriptions if item.active]


@dataclass
class ProfileCall:
    """The paid call that shows a signal's change: ``basisprofiel`` of a KvK number or
    ``vestigingsprofiel`` of a vestigingsnummer."""

    product: str
    number: str


@dataclass
class SignalRecord:
    """One signal, as neutral values.  From a page: id, time, numbers and type; from the
    detail (``detailed``) also what changed and the registration's facts."""

    id: str
    timestamp: datetime | None = None
    kvk_number: str = ""
    branch_number: str = ""  # the changed branch of a changed_branch signal
    type: str = ""  # a SIGNAL_TYPES value, or "unknown"
    kvk_type: str = ""  # signaalType as KvK sent it
    detailed: bool = False
    registered_at: datetime | None = None  # registratieTijdstip
    message_id: str = ""  # berichtId
    changed_blocks: tuple = ()  # BLOCKS values
    changed_branches: tuple = ()  # vestigingsnummers named in the branches block / the changed branch
    branch_changes: dict = field(default_factory=dict)  # vestigingsnummer -> BRANCH_CHANGES values
    block_flags: dict = field(default_factory=dict)  # block -> the flags KvK set (eigenaar: rechtspersoon...)
    reason_code: str = ""  # aanleiding (new registration, termination) or role VG/OG (continuation)
    reason: str = ""
    start_date: object = None  # startdatum as a date, when KvK gives one
    start_raw: str = ""
    old_kvk_number: str = ""  # legal-form change: the same number; continuation/transfer: the old one
    new_kvk_number: str = ""  # legal-form change: the same number; continuation/transfer: who continues
    old_legal_form: str = ""
    new_legal_form: str = ""
    transferred_branches: tuple = ()
    main_branch_number: str = ""  # from the detail's list of branches
    branch_is_main: bool | None = None  # of a changed_branch signal
    facts: Candidate | None = None  # what the detail says, for a profile's criteria
    malformed: bool = False
    problems: list = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)
    answer: KvkAnswer | None = field(default=None, repr=False, compare=False)  # of the detail call

    def paid_call(self, branch_number=""):
        """The one paid call that can show this signal's change to a contact enrolled for this
        registration (``branch_number`` "" for the whole registration, or the contact's branch);
        None when no call shows it (officers, filings, another branch, a termination or a new
        registration, which the signal itself describes)."""
        if self.malformed or not self.detailed:
            return None
        blocks = set(self.changed_blocks)
        if self.type == "changed_registration":
            if branch_number:
                if branch_number in self.changed_branches or "enterprise" in blocks:
                    return ProfileCall("vestigingsprofiel", branch_number)
                return None
            main_changed = self.main_branch_number and self.main_branch_number in self.changed_branches
            if blocks & {"enterprise", "owner"} or main_changed:
                return ProfileCall("basisprofiel", self.kvk_number)
            return None
        if self.type == "changed_branch":
            if branch_number:
                return ProfileCall("vestigingsprofiel", branch_number) if branch_number == self.branch_number else None
            return ProfileCall("basisprofiel", self.kvk_number) if self.branch_is_main else None
        if self.type == "legal_form_change":
            if branch_number:
                return ProfileCall("vestigingsprofiel", branch_number)
            return ProfileCall("basisprofiel", self.kvk_number)
        if self.type == "continuation_transfer" and self.new_kvk_number:
            if branch_number:
                if branch_number in self.transferred_branches:
                    return ProfileCall("vestigingsprofiel", branch_number)
                return None
            if self.reason_code == "OG":  # one branch went to another registration; this one goes on
                return None
            return ProfileCall("basisprofiel", self.new_kvk_number)
        return None


@dataclass
class SignalPage:
    page: int
    per_page: int
    total: int | None  # None when the answer left it out
    page_count: int | None
    signals: list
    answer: KvkAnswer | None = field(default=None, repr=False, compare=False)

    @property
    def has_next(self):
        if self.page_count is not None:
            return self.page < self.page_count
        return len(self.signals) >= self.per_page


# -- parsing -----------------------------------------------------------------------------------------


def signal_type(kvk_type):
    """The neutral type of a KvK type name (versions such as ``_2025_01`` ignored), or "unknown"."""
    base = re.sub(r"_[0-9]{4}_[0-9]{2}$", "", str(kvk_type or ""))
    return SIGNAL_TYPES.get(base, "unknown")


def parse_moment(value):
    """An ISO-8601 time as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def format_moment(value):
    """A datetime (naive = UTC) or an ISO text as KvK writes times: ``2024-05-14T15:25:13.773Z``."""
    if isinstance(value, str):
        parsed = parse_moment(value)
        if parsed is None:
            raise ValueError(f"not an ISO-8601 time: {value!r}")
        value = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_signal_info(item):
    """A :class:`SignalRecord` from one entry of a page of signals; flagged, never raising."""
    if not isinstance(item, dict):
        return SignalRecord(id="", malformed=True, problems=["the entry is not an object"], raw={"entry": item})
    record = SignalRecord(id=str(item.get("id") or ""), raw=item)
    problems = record.problems
    if not record.id:
        problems.append("the signal has no id")
    record.timestamp = parse_moment(item.get("timestamp"))
    if record.timestamp is None:
        problems.append(f"the time {item.get('timestamp')!r} cannot be read")
    record.kvk_number = str(item.get("kvknummer") or item.get("kvkNummer") or "")
    if not _KVK.fullmatch(record.kvk_number):
        problems.append(f"the KvK number {record.kvk_number!r} is not 8 digits")
    record.kvk_type = str(item.get("signaalType") or "")
    record.type = signal_type(record.kvk_type)
    if record.type == "unknown":
        problems.append(f"unknown signal type {record.kvk_type!r}")
    branch = item.get("vestigingsnummer")
    if branch not in (None, ""):
        record.branch_number = str(branch)
        if not _BRANCH.fullmatch(record.branch_number):
            problems.append(f"the vestigingsnummer {record.branch_number!r} is not 12 digits")
    record.malformed = bool(problems)
    return record


def parse_signal_page(data):
    """A :class:`SignalPage` from a page of signals; a broken entry is flagged, the page kept."""
    if not isinstance(data, dict):
        raise KvkError("malformed", detail="a page of signals is not an object")
    entries = data.get("signalen")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise KvkError("malformed", detail="the page's signalen is not a list")
    total = _int(data.get("totaal"))
    per_page = _int(data.get("aantal")) or len(entries) or 100
    page_count = _int(data.get("totaalPaginas"))
    if page_count is None and total is not None:
        page_count = max(1, -(-total // per_page))
    return SignalPage(
        page=_int(data.get("pagina")) or 1,
        per_page=per_page,
        total=total,
        page_count=page_count,
        signals=[parse_signal_info(item) for item in entries],
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flags(block):
    """The names of the true flags of a block of gewijzigdeGegevens."""
    if not isinstance(block, dict):
        return ()
    return tuple(name for name, value in block.items() if value is True)


def parse_signal_detail(data, signal_id="", info=None):
    """A detailed :class:`SignalRecord` from a signal's detail answer; flagged, never raising.

    ``info``: the record of the same signal from a page, whose id and time are kept."""
    record = SignalRecord(id=signal_id or (info.id if info else ""), detailed=True)
    if info is not None:
        record.timestamp = info.timestamp
    body = data.get("signaal") if isinstance(data, dict) else None
    record.raw = data if isinstance(data, dict) else {"answer": data}
    if not isinstance(body, dict):
        record.malformed, record.problems = True, ["the answer holds no signaal object"]
        return record
    problems = record.problems
    record.kvk_type = str(body.get("signaalType") or "")
    record.type = signal_type(record.kvk_type)
    if record.type == "unknown":
        problems.append(f"unknown signal type {record.kvk_type!r}")
    record.message_id = str(body.get("berichtId") or "")
    record.registered_at = parse_moment(body.get("registratieTijdstip"))
    about = body.get("heeftBetrekkingOp")
    if not isinstance(about, dict):
        problems.append("the signal does not say which registration it concerns (heeftBetrekkingOp)")
        about = {}
    record.kvk_number = str(about.get("kvkNummer") or (info.kvk_number if info else "") or "")
    if not _KVK.fullmatch(record.kvk_number):
        problems.append(f"the KvK number {record.kvk_number!r} is not 8 digits")
    if info is not None and info.kvk_number and info.kvk_number != record.kvk_number:
        problems.append(f"the detail concerns {record.kvk_number}, the page said {info.kvk_number}")
    record.start_raw, record.start_date = kvk_date(body.get("startdatum"))
    try:
        _type_data(record, body, about)
        record.facts = _facts(record, about)
    except (AttributeError, TypeError, ValueError) as exc:  # a block of the wrong shape
        problems.append(f"a part of the signal cannot be read: {exc}")
    record.malformed = bool(problems)
    return record


def _reason(record, value):
    if isinstance(value, dict):
        record.reason_code = str(value.get("code") or "")
        record.reason = str(value.get("omschrijving") or "")


def _type_data(record, body, about):
    kind = record.type
    if kind == "new_registration":
        new = body.get("heeftNieuweGegevens") or {}
        _reason(record, new.get("aanleiding"))
        if not record.start_raw:
            record.start_raw, record.start_date = kvk_date(new.get("startdatum"))
        record.new_kvk_number = str(new.get("kvkNummer") or record.kvk_number)
    elif kind == "changed_registration":
        changed = body.get("heeftGewijzigdeGegevens") or {}
        blocks, branches = [], []
        for name, neutral in BLOCKS.items():
            block = changed.get(name)
            if block in (None, False, {}, []):
                continue
            if name == "vestigingen":
                entries = block.get("gewijzigdevestigingen") if isinstance(block, dict) else block
                for entry in entries or []:
                    number = str(entry.get("vestigingsnummer") or "")
                    branches.append(number)
                    changes = tuple(BRANCH_CHANGES[k] for k in _flags(entry) if k in BRANCH_CHANGES)
                    record.branch_changes[number] = changes
            elif name == "deponeringen":
                entries = block.get("gewijzigdeDeponeringen") if isinstance(block, dict) else block
                record.block_flags[neutral] = tuple(str(e.get("depotId") or "") for e in entries or [])
            else:
                record.block_flags[neutral] = _flags(block)
            blocks.append(neutral)
        record.changed_blocks = tuple(blocks)
        record.changed_branches = tuple(branches)
    elif kind == "changed_branch":
        branch = body.get("heeftGewijzigdeVestiging") or {}
        record.branch_number = str(branch.get("vestigingsnummer") or record.branch_number)
        if "isHoofdvestiging" in branch:
            record.branch_is_main = branch.get("isHoofdvestiging") is True
        record.changed_blocks = ("branches",)
        record.changed_branches = (record.branch_number,)
        changes = _flags(branch.get("gewijzigdeGegevens"))
        record.branch_changes = {record.branch_number: tuple(BRANCH_CHANGES[k] for k in changes if k in BRANCH_CHANGES)}
        if not _BRANCH.fullmatch(record.branch_number):
            record.problems.append(f"the changed branch {record.branch_number!r} is not 12 digits")
    elif kind == "termination":
        _reason(record, body.get("aanleiding"))
    elif kind == "legal_form_change":
        record.old_kvk_number = record.new_kvk_number = record.kvk_number
        record.old_legal_form = str(body.get("persoonRechtsvormOud") or "")
        record.new_legal_form = _owner_form(about)
    elif kind == "continuation_transfer":
        moved = body.get("voortzettingEnOverdracht") or {}
        _reason(record, moved.get("rolBijVoortzettingOverdracht"))
        record.old_kvk_number = record.kvk_number
        record.new_kvk_number = str(moved.get("kvkNummer") or "")
        record.new_legal_form = str(moved.get("persoonRechtsvorm") or "")
        record.old_legal_form = _owner_form(about)
        numbers = (moved.get("betrokkenVestigingen") or {}).get("vestigingsnummers") or []
        record.transferred_branches = tuple(str(number) for number in numbers)
        if not _KVK.fullmatch(record.new_kvk_number):
            record.problems.append(f"the continuing registration {record.new_kvk_number!r} is not a KvK number")


def _owner(about):
    owner = about.get("heeftAlsEigenaar") or {}
    return owner.get("rechtspersoon") or owner.get("natuurlijkPersoon") or {}


def _owner_form(about):
    return str(_owner(about).get("persoonRechtsvorm") or "")


def _codes(activities):
    main, others = "", []
    for item in activities or []:
        code = str(item.get("sbiCode") or "")
        if not code:
            continue
        if item.get("isHoofdactiviteit") is True and not main:
            main = code
        else:
            others.append(code)
    return main, tuple(others)


def _postcode(location):
    if not isinstance(location, dict) or location.get("afgeschermd") is True:
        return ""
    postcode = location.get("postcode") or {}
    return f"{postcode.get('cijfercombinatie') or ''}{postcode.get('lettercombinatie') or ''}".upper()


def _facts(record, about):
    """What the detail says about the registration, for the criteria of a profile."""
    owner = _owner(about)
    branches = [item for item in about.get("wordtUitgeoefendIn") or [] if isinstance(item, dict)]
    main = next((item for item in branches if item.get("isHoofdvestiging") is True), None)
    record.main_branch_number = str(main.get("vestigingsnummer") or "") if main else ""
    if record.type == "changed_branch" and record.branch_is_main is None and record.main_branch_number:
        record.branch_is_main = record.branch_number == record.main_branch_number
    concerned = main
    if record.type == "changed_branch":
        concerned = next((b for b in branches if str(b.get("vestigingsnummer")) == record.branch_number), main)
    activities = owner.get("activiteiten") or (concerned or {}).get("activiteiten")
    sbi_main, sbi_other = _codes(activities)
    location = (concerned or {}).get("bezoekadres") or owner.get("bezoekadres")
    employees = _int(about.get("totaalWerkzamePersonen"))
    if record.type == "changed_branch" and concerned is not None:
        employees = _int(concerned.get("totaalWerkzamePersonen"))
    return Candidate(
        "signal",
        record.kvk_number,
        record.branch_number if record.type == "changed_branch" else record.main_branch_number,
        main_branch=concerned is None or concerned.get("isHoofdvestiging") is True,
        sbi_main=sbi_main,
        sbi_other=sbi_other,
        postcode=_postcode(location),
        legal_form=legal_form_key(_owner_form(about)),
        employees=employees,
        active=record.type != "termination",
    )


# -- transport ---------------------------------------------------------------------------------------


class KvkMutatieClient(KvkClient):
    """The Mutatieservice below ``base_url`` (e.g. ``https://api.kvk.nl/test/api``)."""

    def subscriptions(self):
        answer = self._get("abonnementen", "/v1/abonnementen", {})
        data = answer.data
        items = data.get("abonnementen")
        if not isinstance(items, list):
            raise KvkError("malformed", status=answer.status, detail="no list of abonnementen", body=answer.body)
        subscriptions = []
        for item in items:
            if not isinstance(item, dict) or not item.get("id"):
                continue
            subscriptions.append(
                Subscription(
                    id=str(item["id"]),
                    contract_id=str((item.get("contract") or {}).get("id") or ""),
                    start=parse_moment(item.get("startDatum")),
                    end=parse_moment(item.get("eindDatum")),
                    active=item.get("actief") is True,
                )
            )
        return SubscriptionList(str(data.get("klantId") or ""), subscriptions, answer)

    def signal_page(self, subscription_id, since=None, until=None, page=1, per_page=100):
        """One page of the signals of ``[since, until)`` (datetimes, naive = UTC, or ISO texts)."""
        if not 10 <= per_page <= 500:
            raise ValueError(f"the Mutatieservice pages 10 to 500 signals, not {per_page}")
        if page < 1:
            raise ValueError(f"pages count from 1, not {page}")
        params = {}
        if since is not None:
            params["vanaf"] = format_moment(since)
        if until is not None:
            params["tot"] = format_moment(until)
        params.update({"pagina": page, "aantal": per_page})
        answer = self._get("signalen", f"/v1/abonnementen/{_segment(subscription_id)}", params)
        result = parse_signal_page(answer.data)
        result.answer = answer
        return result

    def iter_signal_pages(self, subscription_id, since=None, until=None, per_page=500, max_pages=None):
        """Every page of the window, first to last; pass a fixed ``until`` so pages do not shift."""
        page = 1
        while True:
            result = self.signal_page(subscription_id, since, until, page, per_page)
            yield result
            if not result.has_next or not result.signals or (max_pages and page >= max_pages):
                return
            page += 1

    def signal(self, subscription_id, signal_id, info=None):
        """The detail of one signal as a detailed :class:`SignalRecord`, with the call on ``answer``.
        ``info``: its record from a page (id and time are kept from it)."""
        path = f"/v1/abonnementen/{_segment(subscription_id)}/signalen/{_segment(signal_id)}"
        answer = self._get("signaal", path, {})
        record = parse_signal_detail(answer.data, signal_id, info)
        record.answer = answer
        return record

    @staticmethod
    def _error(status, data, body, duration):
        if isinstance(data, dict) and "fout" not in data and ("title" in data or "detail" in data):
            code = _PROBLEM_CODES.get(status) or ("server_error" if status >= 500 else f"http_{status}")
            message = MESSAGES.get(code) or KvkError(code).message
            detail = str(data.get("detail") or data.get("title") or "")
            return KvkError(code, message, status=status, detail=detail, duration=duration, body=body)
        return KvkClient._error(status, data, body, duration)


def _segment(value):
    value = str(value or "")
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", value):
        raise KvkError("bad_request", MESSAGES["bad_request"], detail=f"refused before calling: {value!r}")
    return value
