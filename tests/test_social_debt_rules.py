"""The art. 30bis/30ter rules of social_debt without Odoo: verdicts, validity and the withholding split."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from addon_clients import load_clients

sd = load_clients("social_debt")
DAY = date(2025, 3, 14)


def social(**values):
    base = {"status": "DATA_FOUND"}
    return sd.SocialDebt(**{**base, **values})


@pytest.mark.parametrize(
    "answer, expected",
    [
        (social(), False),
        (social(contributions=D("2500.00")), False),  # up to 2,500 euros is no social debt in the 30bis sense
        (social(contributions=D("2499.99"), interests=D("0.02")), True),
        (social(missing_quarters=["2024Q4"]), True),
        (social(contributions=D("4000"), payment_plan=True), True),
        (sd.SocialDebt(status="NO_DATA_FOUND", status_code="30001"), None),
        (None, None),
    ],
)
def test_social_obligation(answer, expected):
    assert sd.social_obligation(answer) is expected


def test_fiscal_obligation():
    assert sd.fiscal_obligation(sd.FiscalDebt(status="DATA_FOUND", has_debt=True)) is True
    assert sd.fiscal_obligation(sd.FiscalDebt(status="DATA_FOUND", has_debt=False)) is False
    assert sd.fiscal_obligation(sd.FiscalDebt(status="NO_DATA_FOUND")) is None


@pytest.mark.parametrize(
    "social_, tax, code, until",
    [
        (False, False, "no_debt", DAY + timedelta(days=30)),
        (False, None, "no_debt", DAY + timedelta(days=30)),  # tax side not asked
        (True, False, "social_debt", DAY),
        (False, True, "tax_debt", DAY),
        (True, True, "social_tax_debt", DAY),
        (None, False, "no_data", DAY),
        (None, True, "tax_debt", DAY),
    ],
)
def test_verdict_and_validity(social_, tax, code, until):
    verdict = sd.combine(social_, tax, DAY, stated_until=DAY + timedelta(days=30))
    assert (verdict.code, verdict.valid_until, verdict.answer_date) == (code, until, DAY)


def test_a_no_debt_answer_without_a_date_holds_the_configured_days():
    assert sd.combine(False, False, DAY).valid_until == DAY
    assert sd.combine(False, False, DAY, default_days=7).valid_until == DAY + timedelta(days=7)
    assert sd.combine(False, False, DAY, stated_until=DAY - timedelta(days=3)).valid_until == DAY


def share(untaxed, total=None, paid=None, reference="B1"):
    untaxed = D(untaxed)
    total = D(total) if total is not None else (untaxed * D("1.21")).quantize(D("0.01"))
    return sd.InvoiceShare(reference, untaxed, total, D(paid) if paid is not None else total)


def test_social_debt_withholds_35_percent_of_the_amount_without_vat():
    split = sd.split_payment(D("1210.00"), [share("1000.00")], social=True, tax=False)
    assert (split.base, split.rsz, split.fod, split.supplier) == (D("1000.00"), D("350.00"), D("0.00"), D("860.00"))


def test_tax_debt_withholds_15_percent_and_both_add_up():
    split = sd.split_payment(D("1210.00"), [share("1000.00")], social=True, tax=True)
    assert (split.rsz, split.fod, split.supplier) == (D("350.00"), D("150.00"), D("710.00"))
    assert split.rsz + split.fod + split.supplier == split.amount


def test_amounts_are_rounded_to_the_cent_per_invoice():
    split = sd.split_payment(
        D("1573.73"),
        [share("333.33", reference="B1"), share("967.27", reference="B2")],
        social=True,
        tax=True,
    )
    assert [line[1:] for line in split.lines] == [
        (D("333.33"), D("116.67"), D("50.00")),
        (D("967.27"), D("338.54"), D("145.09")),
    ]
    assert (split.rsz, split.fod, split.supplier) == (D("455.21"), D("195.09"), D("923.43"))


def test_a_partial_payment_withholds_on_the_part_it_pays():
    split = sd.split_payment(D("605.00"), [share("1000.00", paid="605.00")], social=True, tax=False)
    assert (split.base, split.rsz, split.supplier) == (D("500.00"), D("175.00"), D("430.00"))


def test_below_7143_euros_the_certificate_does_not_limit_the_fod_share():
    split = sd.split_payment(D("8642.90"), [share("7142.89")], social=False, tax=True, certified_tax_debt=D("100"))
    assert (split.fod, split.fod_limited) == (D("1071.43"), False)


def test_from_7143_euros_the_certified_tax_debt_limits_the_fod_share():
    split = sd.split_payment(D("8643.03"), [share("7143.00")], social=True, tax=True, certified_tax_debt=D("812.34"))
    assert (split.rsz, split.fod, split.fod_limited) == (D("2500.05"), D("812.34"), True)
    assert split.supplier == D("8643.03") - D("2500.05") - D("812.34")
    # a certified debt larger than 15 % changes nothing
    split = sd.split_payment(D("8643.03"), [share("7143.00")], social=False, tax=True, certified_tax_debt=D("5000"))
    assert (split.fod, split.fod_limited) == (D("1071.45"), False)


def test_the_certificate_limit_spreads_over_the_large_invoices_only():
    split = sd.split_payment(
        D("13310.00"),
        [share("10000.00", reference="big"), share("1000.00", reference="small")],
        social=False,
        tax=True,
        certified_tax_debt=D("600.00"),
    )
    assert [line[3] for line in split.lines] == [D("600.00"), D("150.00")]
    assert split.fod == D("750.00")


def test_a_refund_in_the_same_payment_lowers_the_withholding():
    split = sd.split_payment(
        D("968.00"),
        [share("1000.00", reference="bill"), share("-200.00", total="-242.00", paid="-242.00", reference="refund")],
        social=True,
        tax=False,
    )
    assert (split.base, split.rsz, split.supplier) == (D("800.00"), D("280.00"), D("688.00"))


def test_without_debt_nothing_is_withheld():
    split = sd.split_payment(D("1210.00"), [share("1000.00")], social=False, tax=False)
    assert (split.withheld, split.supplier) == (D("0.00"), D("1210.00"))
