"""The rules of art. 30bis/30ter on top of the answers: verdict, validity and the withholding split.

Plain functions over the parsed answers, without Odoo, so that each rule is tested on
its own: when a supplier counts as having social or tax debts, how long an answer holds,
and how much of a payment goes to the RSZ, to the FOD Financiën and to the supplier.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Social debt that obliges the withholding: more than this owed to the RSZ, or DmfA returns missing.
SOCIAL_DEBT_THRESHOLD = Decimal("2500.00")
RSZ_RATE = Decimal("0.35")
FOD_RATE = Decimal("0.15")
# From this invoice amount without VAT, a tax certificate may limit the FOD withholding to the certified debt.
TAX_CERTIFICATE_THRESHOLD = Decimal("7143.00")
CENT = Decimal("0.01")

VERDICTS = ("no_debt", "social_debt", "tax_debt", "social_tax_debt", "no_data", "error", "not_checked")


def cents(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def social_obligation(social):
    """True (withhold), False (no debt) or None (no data) for an EmployerAccountBalance answer."""
    if social is None or not social.found:
        return None
    return bool(social.missing_quarters) or social.total > SOCIAL_DEBT_THRESHOLD


def fiscal_obligation(fiscal):
    """True (withhold), False or None (no data) for an EnterpriseFiscalDebt answer."""
    if fiscal is None or not fiscal.found:
        return None
    return bool(fiscal.has_debt)


@dataclass
class Verdict:
    code: str
    social: bool | None
    tax: bool | None
    answer_date: date
    valid_until: date


def combine(social, tax, answer_date, stated_until=None, default_days=0):
    """One verdict out of both sources.

    ``social`` and ``tax``: True, False or None (no data; for ``tax`` also "not asked").
    A debt answer, and a "no data" one, holds on its own day only; a no-debt answer until
    the date the service stated (``stated_until``), else ``default_days`` after its day.
    """
    if social and tax:
        code = "social_tax_debt"
    elif social:
        code = "social_debt"
    elif tax:
        code = "tax_debt"
    elif social is None:
        code = "no_data"
    else:
        code = "no_debt"
    if code == "no_debt":
        until = stated_until or answer_date + timedelta(days=max(default_days, 0))
        until = max(until, answer_date)
    else:
        until = answer_date
    return Verdict(code, social, tax, answer_date, until)


@dataclass
class InvoiceShare:
    """What one payment pays of one invoice: ``paid`` out of ``total`` (VAT included)."""

    reference: str
    untaxed: Decimal
    total: Decimal
    paid: Decimal


@dataclass
class Split:
    amount: Decimal
    base: Decimal = Decimal(0)
    rsz: Decimal = Decimal(0)
    fod: Decimal = Decimal(0)
    fod_limited: bool = False
    lines: list = field(default_factory=list)  # (reference, base, rsz, fod) per invoice

    @property
    def supplier(self):
        return self.amount - self.rsz - self.fod

    @property
    def withheld(self):
        return self.rsz + self.fod


def split_payment(amount, invoices, social, tax, certified_tax_debt=None):
    """How ``amount`` is split when it pays ``invoices`` (:class:`InvoiceShare`).

    The base is the part of each invoice without VAT that the payment covers.  With social
    debt, 35 % of it goes to the RSZ; with tax debt, 15 % to the FOD Financiën, where for
    invoices of 7,143 euros or more without VAT a certified tax debt (``certified_tax_debt``)
    limits the FOD's share of those invoices to that debt.  Each share is rounded to the
    cent per invoice; the supplier gets the rest.
    """
    amount = cents(amount)
    split = Split(amount)
    limited_fod = Decimal(0)
    for invoice in invoices:
        total = Decimal(invoice.total)
        base = cents(Decimal(invoice.paid) * Decimal(invoice.untaxed) / total) if total else Decimal(0)
        rsz = cents(base * RSZ_RATE) if social else Decimal(0)
        fod = cents(base * FOD_RATE) if tax else Decimal(0)
        if tax and certified_tax_debt is not None and Decimal(invoice.untaxed) >= TAX_CERTIFICATE_THRESHOLD:
            limited_fod += fod
            fod = None  # decided below, over every invoice the certificate covers
        split.lines.append([invoice.reference, base, rsz, fod])
        split.base += base
        split.rsz += rsz
    if certified_tax_debt is not None and tax:
        room = min(limited_fod, cents(certified_tax_debt))
        split.fod_limited = room < limited_fod
        for line in split.lines:
            if line[3] is None:  # the certified debt shared out in invoice order
                share = min(cents(line[1] * FOD_RATE), room)
                line[3], room = share, room - share
    split.fod = sum((line[3] for line in split.lines), Decimal(0))
    split.lines = [tuple(line) for line in split.lines]
    return split
