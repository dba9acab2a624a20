"""Reading KSZ/BCSS answers (EmployerAccountBalance, EnterpriseFiscalDebt, grouped batches).

Payloads from outside are parsed with lxml without network access, DTDs or entity
expansion, and refused above a size limit.  Child elements are unqualified, as in every
KSZ schema; only the top element of the SOAP Body has a namespace.  Amounts arrive in
eurocent and leave as :class:`~decimal.Decimal` euros.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from lxml import etree

from .errors import SocialDebtError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
EAB_NS = "http://kszbcss.fgov.be/intf/EmployerAccountBalanceService/v1"
EFD_NS = "http://kszbcss.fgov.be/intf/EnterpriseFiscalDebtService/v2"
# The largest answer read at once (a page of a grouped answer included).
MAX_ANSWER_BYTES = 32 * 1024 * 1024
CENT = Decimal("0.01")
# CBSS fault reason codes with a meaning of their own (the KSZ's list is not public; these are
# the ones of the rebuilt contract and its sandbox).
REASON_CODES = {"invalidEnterpriseNumber": "invalid_enterprise", "unknownBatch": "unknown_batch"}
# WS-Security 1.1 fault codes (OASIS, section 12): the signature or its token was refused.
SECURITY_FAULTS = {"InvalidSecurity", "InvalidSecurityToken", "FailedAuthentication", "FailedCheck"}


@dataclass
class SocialDebt:
    """The RSZ's financial situation of one employer (EmployerAccountBalance)."""

    status: str
    status_code: str = ""
    status_description: str = ""
    enterprise_number: str = ""
    answer_date: date | None = None
    reference_number: str = ""
    nsso_number: str = ""
    employer_name: str = ""
    document_type: str = ""
    account_update_date: date | None = None
    account_update_quarter: str = ""
    payment_plan: bool = False
    contributions: Decimal = Decimal(0)
    surcharges: Decimal = Decimal(0)
    interests: Decimal = Decimal(0)
    legal_costs: Decimal = Decimal(0)
    dispute_type: int = 0
    dispute_amount: Decimal = Decimal(0)
    missing_quarters: list = field(default_factory=list)
    valid_until: date | None = None

    @property
    def total(self):
        return self.contributions + self.surcharges + self.interests + self.legal_costs

    @property
    def found(self):
        return self.status == "DATA_FOUND"


@dataclass
class FiscalDebt:
    """The FOD Financiën's answer for one enterprise (EnterpriseFiscalDebt)."""

    status: str
    status_code: str = ""
    status_description: str = ""
    enterprise_number: str = ""
    has_debt: bool | None = None
    status_date: date | None = None
    amount: Decimal | None = None

    @property
    def found(self):
        return self.status == "DATA_FOUND" and self.has_debt is not None


@dataclass
class KszAnswer:
    """One enterprise's answer: social and/or fiscal part, with the KSZ's ticket and times."""

    reference: str
    enterprise_number: str
    social: SocialDebt | None = None
    fiscal: FiscalDebt | None = None
    ticket_cbss: str = ""
    received_at: datetime | None = None
    replied_at: datetime | None = None
    raw: bytes = b""


@dataclass
class BatchAck:
    ticket_cbss: str
    status: str
    status_code: str
    accepted: int
    raw: bytes = b""


@dataclass
class BatchPage:
    total: int
    pending: int
    answers: list
    ticket_cbss: str = ""


# -- XML ------------------------------------------------------------------------------------


def parse_xml(content, max_bytes=MAX_ANSWER_BYTES):
    """``content`` as an lxml root: no DTD, no entities, no network, at most ``max_bytes``."""
    if len(content) > max_bytes:
        raise SocialDebtError("too_large", detail=f"{len(content)} bytes, the limit is {max_bytes}")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise SocialDebtError("malformed", detail=str(exc), body=content[:2000]) from exc
    if root.getroottree().docinfo.doctype:
        raise SocialDebtError("malformed", detail="a DOCTYPE is not accepted", body=content[:2000])
    return root


def soap_payload(content, max_bytes=MAX_ANSWER_BYTES):
    """The first element of the SOAP Body; a SOAP Fault becomes a :class:`SocialDebtError`."""
    root = parse_xml(content, max_bytes)
    body = root.find(f"{{{SOAP_ENV}}}Body")
    payload = next((child for child in body if isinstance(child.tag, str)), None) if body is not None else None
    if payload is None:
        raise SocialDebtError("malformed", detail="no SOAP Body", body=content[:2000])
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        raise fault_error(payload, content)
    return payload


def fault_error(fault, content=b""):
    code = (fault.findtext("faultcode") or "").strip()
    message = (fault.findtext("faultstring") or "").strip()
    local_code = code.rpartition(":")[2]
    reasons = [text.strip() for text in fault.xpath(".//detail/reasonCode/text()")]
    diagnostics = [text.strip() for text in fault.xpath(".//detail/diagnostic/text()")]
    detail = "; ".join(filter(None, [f"{code} {message}".strip(), *reasons, *diagnostics]))
    if local_code in SECURITY_FAULTS:
        return SocialDebtError("signature_refused", detail=detail, status=500, body=content[:4000])
    for reason in reasons:
        if reason in REASON_CODES:
            return SocialDebtError(REASON_CODES[reason], detail=detail, status=500, body=content[:4000])
    return SocialDebtError("soap_fault", detail=detail, status=500, body=content[:4000])


def _text(element, path, default=""):
    value = element.findtext(path) if element is not None else None
    return value.strip() if value else default


def _date(element, path):
    value = _text(element, path)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise SocialDebtError("malformed", detail=f"{path}: not a date ({value!r})") from exc


def _datetime(element, path):
    value = _text(element, path)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SocialDebtError("malformed", detail=f"{path}: not a time ({value!r})") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _cents(element, path):
    """Eurocent (an integer, possibly written as a decimal) as euros."""
    value = _text(element, path)
    if not value:
        return Decimal(0)
    try:
        return (Decimal(value) / 100).quantize(CENT)
    except InvalidOperation as exc:
        raise SocialDebtError("malformed", detail=f"{path}: not an amount ({value!r})") from exc


def _bool(element, path):
    return _text(element, path).lower() in ("true", "1")


def _status(element):
    return _text(element, "status/value"), _text(element, "status/code"), _text(element, "status/description")


def parse_social(holder):
    """The social part of ``holder`` (a consult answer, or a batch answer's employerAccountBalance)."""
    status, code, description = _status(holder)
    if status not in ("DATA_FOUND", "NO_DATA_FOUND", "NO_RESULT"):
        raise SocialDebtError("malformed", detail=f"unknown status {status!r}")
    debt = SocialDebt(status, code, description)
    situation = holder.find("financialSituation")
    if status != "DATA_FOUND" or situation is None:
        return debt
    info, detail, employer = situation.find("information"), situation.find("detail"), situation.find("employer")
    debt.enterprise_number = _text(info, "enterpriseNumber")
    debt.answer_date = _date(info, "answerDate")
    debt.reference_number = _text(info, "referenceNumber")
    debt.nsso_number = _text(info, "nssoRegistrationNumber") or _text(employer, "nssoRegistrationNumber")
    debt.employer_name = _text(employer, "name")
    debt.document_type = _text(detail, "documentType")
    debt.account_update_date = _date(detail, "employerAccountUpdateEnd/date")
    debt.account_update_quarter = _text(detail, "employerAccountUpdateEnd/quarter")
    debt.payment_plan = _bool(detail, "paymentPlanFollowed")
    debt.contributions = _cents(detail, "debtAmounts/contributions")
    debt.surcharges = _cents(detail, "debtAmounts/surcharges")
    debt.interests = _cents(detail, "debtAmounts/interests")
    debt.legal_costs = _cents(detail, "debtAmounts/legalCosts")
    if detail is not None and detail.find("dispute") is not None:
        try:
            debt.dispute_type = int(_text(detail, "dispute/type") or 0)
        except ValueError as exc:
            raise SocialDebtError("malformed", detail="dispute type is not a number") from exc
        debt.dispute_amount = _cents(detail, "dispute/amount")
    debt.missing_quarters = (
        [q.strip() for q in detail.xpath("missingQuarters/quarter/text()")] if detail is not None else []
    )
    debt.valid_until = _date(detail, "validityEndDate")
    return debt


def parse_fiscal(holder):
    """The fiscal part of ``holder`` (a checkEnterpriseDebt answer, or a batch answer's enterpriseFiscalDebt)."""
    status, code, description = _status(holder)
    if status not in ("DATA_FOUND", "NO_DATA_FOUND", "NO_RESULT"):
        raise SocialDebtError("malformed", detail=f"unknown status {status!r}")
    debt = FiscalDebt(status, code, description)
    debt.enterprise_number = _text(holder, "criteria/enterpriseNumber")
    found = holder.find("fiscalDebt")
    if found is not None:
        debt.has_debt = _bool(found, "hasFiscalDebt")
        debt.status_date = _date(found, "statusDate")
        debt.amount = _cents(found, "amount") if _text(found, "amount") else None
    return debt


def _ksz_times(payload):
    return (
        _text(payload, "informationCBSS/ticketCBSS"),
        _datetime(payload, "informationCBSS/timestampReceive"),
        _datetime(payload, "informationCBSS/timestampReply"),
    )


def _payload(content, tag, max_bytes=MAX_ANSWER_BYTES):
    """The SOAP Body's answer element, which must be ``tag``."""
    payload = soap_payload(content, max_bytes)
    if payload.tag != tag:
        raise SocialDebtError("malformed", detail=f"unexpected answer {payload.tag}")
    return payload


def _single_answer(payload, content, **parts):
    ticket, received, replied = _ksz_times(payload)
    return KszAnswer(
        reference=_text(payload, "informationCustomer/ticket"),
        enterprise_number=_text(payload, "criteria/enterpriseNumber"),
        ticket_cbss=ticket,
        received_at=received,
        replied_at=replied,
        raw=content,
        **parts,
    )


def parse_consult(content):
    """A consultEmployerAccountBalance answer as a :class:`KszAnswer` (social part)."""
    payload = _payload(content, f"{{{EAB_NS}}}consultEmployerAccountBalanceResponse")
    return _single_answer(payload, content, social=parse_social(payload))


def parse_fiscal_answer(content):
    """A checkEnterpriseDebt answer as a :class:`KszAnswer` (fiscal part)."""
    payload = _payload(content, f"{{{EFD_NS}}}checkEnterpriseDebtResponse")
    return _single_answer(payload, content, fiscal=parse_fiscal(payload))


def parse_batch_ack(content):
    payload = _payload(content, f"{{{EAB_NS}}}sendEmployerAccountBalanceBatchResponse")
    status, code, _description = _status(payload)
    try:
        accepted = int(_text(payload, "acceptedCount") or 0)
    except ValueError as exc:
        raise SocialDebtError("malformed", detail="acceptedCount is not a number") from exc
    return BatchAck(_text(payload, "informationCBSS/ticketCBSS"), status, code, accepted, content)


def parse_batch_page(content, max_bytes=MAX_ANSWER_BYTES):
    """One page of a grouped answer: every answer with its own raw XML."""
    payload = _payload(content, f"{{{EAB_NS}}}collectEmployerAccountBalanceBatchResponse", max_bytes)
    ticket, received, replied = _ksz_times(payload)
    try:
        total, pending = int(_text(payload, "total") or 0), int(_text(payload, "pending") or 0)
    except ValueError as exc:
        raise SocialDebtError("malformed", detail="total or pending is not a number") from exc
    answers = []
    for item in payload.iterfind("answer"):
        social = item.find("employerAccountBalance")
        fiscal = item.find("enterpriseFiscalDebt")
        answers.append(
            KszAnswer(
                reference=_text(item, "reference"),
                enterprise_number=_text(item, "enterpriseNumber"),
                social=parse_social(social) if social is not None else None,
                fiscal=parse_fiscal(fiscal) if fiscal is not None else None,
                ticket_cbss=ticket,
                received_at=received,
                replied_at=replied,
                raw=etree.tostring(item, encoding="utf-8"),
            )
        )
    return BatchPage(total, pending, answers, ticket)
