"""The ClientOnline addon's XBRL and PDF readers, without Odoo: types, periods, identifiers, hostile input."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from addon_clients import ROOT, load_clients

from sandbox.services import clientonline_data as samples

clients = load_clients("client_online_connector")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "clientonline"


def test_ob_declaration_in_the_shape_of_the_logius_sample():
    xbrl = samples.ob_declaration("001000044B37", date(2021, 10, 1), date(2021, 10, 31), year=2021)
    declaration = clients.parse_declaration(xbrl)
    assert (declaration.kind, declaration.identifier_kind, declaration.name) == ("ob", "ob", "bd-rpt-ob-aangifte-2021")
    assert (declaration.identifier, declaration.scheme) == (
        "001000044B37",
        "www.belastingdienst.nl/omzetbelastingnummer",
    )
    assert (declaration.period_start, declaration.period_end) == (date(2021, 10, 1), date(2021, 10, 31))
    assert (declaration.taxonomy, declaration.year, declaration.contexts) == ("nt15", 2021, 1)
    assert declaration.facts == 20
    assert not declaration.warnings


def test_annual_accounts_in_the_shape_of_the_sbr_sample():
    declaration = clients.parse_declaration(samples.annual_accounts("30267975", 2016))
    assert declaration.kind == "kvk" and declaration.identifier_kind == "kvk"
    assert declaration.name == "kvk-rpt-jaarverantwoording-2016-nlgaap-klein-publicatiestukken"
    assert (declaration.variant, declaration.publication, declaration.year) == ("nlgaap-klein", True, 2016)
    assert (declaration.identifier, declaration.scheme) == ("30267975", "http://www.kvk.nl/kvk-id")
    # the current financial year, not the comparative one nor an instant
    assert (declaration.period_start, declaration.period_end) == (date(2016, 1, 1), date(2016, 12, 31))
    assert declaration.contexts == 6


def test_annual_accounts_period_from_contexts_when_the_period_facts_are_missing():
    xbrl = samples.annual_accounts("30267975", 2023, size="micro", publication=False)
    xbrl = xbrl.replace(b"FinancialReportingPeriodCurrentStartDate", b"SomethingElse")
    declaration = clients.parse_declaration(xbrl)
    assert not declaration.publication and declaration.variant == "nlgaap-micro"
    assert (declaration.period_start, declaration.period_end) == (date(2023, 1, 1), date(2023, 12, 31))


@pytest.mark.parametrize(
    ("xbrl", "kind", "identifier_kind"),
    [
        (samples.income_tax("111222333", 2024), "ihz", "bsn"),
        (samples.corporate_tax("815948475", 2024), "vpb", "rsin"),
        (samples.payroll_tax("852147971L01", date(2024, 1, 1), date(2024, 1, 31)), "lh", "lh"),
        (samples.icp_declaration("852147971B01", *samples.quarter(2024, 2)), "icp", "ob"),
        (
            samples.declaration(
                "bd-rpt-ob-suppletie-2024", samples.SCHEME_OB, "852147971B01", date(2024, 1, 1), date(2024, 3, 31)
            ),
            "ob_suppletie",
            "ob",
        ),
        (
            samples.declaration(
                "bd-rpt-ihz-via-2024", samples.SCHEME_BD, "111222333", date(2024, 1, 1), date(2024, 12, 31)
            ),
            "ihz_via",
            "bsn",
        ),
        (
            samples.declaration(
                "frc-rpt-kredietrapportage-2024", samples.SCHEME_KVK, "61234567", date(2024, 1, 1), date(2024, 12, 31)
            ),
            "frc",
            "kvk",
        ),
    ],
)
def test_every_declaration_type(xbrl, kind, identifier_kind):
    declaration = clients.parse_declaration(xbrl)
    assert (declaration.kind, declaration.identifier_kind) == (kind, identifier_kind)


def test_quarter_period():
    declaration = clients.parse_declaration(samples.ob_declaration("852147971B01", *samples.quarter(2024, 4)))
    assert (declaration.period_start, declaration.period_end) == (date(2024, 10, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("billion_laughs.xbrl", "doctype"),
        ("external_entity.xbrl", "doctype"),
        ("external_dtd.xbrl", "doctype"),
        ("utf16_doctype.xbrl", "doctype"),
        ("two_entities.xbrl", "several_entities"),
        ("wrong_scheme.xbrl", "scheme_mismatch"),
    ],
)
def test_hostile_and_inconsistent_instances_are_refused(name, code):
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration((FIXTURES / name).read_bytes())
    assert caught.value.code == code
    assert "passwd" not in caught.value.message and "root:" not in caught.value.message


def test_doctype_check_does_not_depend_on_the_first_bytes():
    """A DOCTYPE after a long comment (beyond the quick check of the prolog) is refused by the parse."""
    text = (FIXTURES / "billion_laughs.xbrl").read_text()
    padded = text.replace("?>\n", "?>\n<!--" + "x" * 8000 + "-->\n", 1).encode()
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration(padded)
    assert caught.value.code in ("doctype", "malformed")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"<xbrli:xbrl xmlns:xbrli='http://www.xbrl.org/2003/instance'><unclosed>", "malformed"),
        (b"<html><body>no</body></html>", "not_xbrl"),
        (b"<xbrli:xbrl xmlns:xbrli='http://www.xbrl.org/2003/instance'/>", "no_entrypoint"),
    ],
)
def test_broken_files(content, code):
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration(content)
    assert caught.value.code == code


def test_truncated_sample():
    xbrl = samples.annual_accounts("30267975", 2016)
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration(xbrl[: len(xbrl) * 2 // 3])
    assert caught.value.code == "malformed"
    assert "line" in caught.value.message


def test_unknown_entrypoint_names_it():
    xbrl = samples.declaration(
        "bd-rpt-dividendbelasting-2024", samples.SCHEME_BD, "815948475", date(2024, 1, 1), date(2024, 12, 31)
    )
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration(xbrl)
    assert caught.value.code == "unknown_entrypoint"
    assert "bd-rpt-dividendbelasting-2024" in caught.value.message


def test_size_limit_is_checked_before_parsing():
    xbrl = samples.ob_declaration("001000044B37", date(2021, 10, 1), date(2021, 10, 31), extra_facts=2000)
    with pytest.raises(clients.XbrlError) as caught:
        clients.parse_declaration(xbrl, max_size=len(xbrl) - 1)
    assert caught.value.code == "too_large"
    assert clients.parse_declaration(xbrl, max_size=len(xbrl)).facts == 2020


def test_peak_memory_of_a_parse_at_the_size_cap():
    """An instance at the default cap (25 MB) parses with a bounded peak, measured in a subprocess."""
    code = f"""
import json, resource, sys
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(ROOT / "tests")!r})
from datetime import date
from addon_clients import load_clients
from sandbox.services import clientonline_data as samples
xbrl = samples.ob_declaration("001000044B37", date(2021, 10, 1), date(2021, 10, 31), extra_facts=220000)
clients = load_clients("client_online_connector")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
declaration = clients.parse_declaration(xbrl)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"size": len(xbrl), "facts": declaration.facts, "before_kb": before, "after_kb": after}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert 20 * 1024 * 1024 < figures["size"] <= clients.xbrl.DEFAULT_MAX_SIZE
    assert figures["facts"] == 220020
    # the tree of a 25 MB instance: under 10 times its size on top of what the process held (about 5 on lxml 4.9)
    assert (figures["after_kb"] - figures["before_kb"]) * 1024 < 10 * figures["size"]


@pytest.mark.parametrize(
    ("kind", "declared", "known", "same"),
    [
        ("ob", "001000044B37", "NL001000044B37", True),
        ("ob", "001000044B37", "NL 0010.00044.B37", True),
        ("ob", "001000044B37", "001000044B93", False),
        ("bsn", "111222333", "111 222 333", True),
        ("rsin", "1000044", "001000044", True),
        ("kvk", "30267975", "30267976", False),
        ("lh", "852147971l01", "852147971L01", True),
        ("kvk", "", "", False),
    ],
)
def test_identifier_comparison(kind, declared, known, same):
    assert clients.identifiers_match(kind, declared, known) is same


# -- PDFs ------------------------------------------------------------------------------------------------


def test_pdf_name_number():
    assert clients.number_from_name("123456_bestandsnaam.pdf") == "123456"
    assert clients.number_from_name("61234567_jaarrekening 2024.pdf") == "61234567"
    assert clients.number_from_name("jaarrekening_2024.pdf") == ""
    assert clients.number_from_name("_x.pdf") == ""


def test_pdf_checks():
    pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert clients.check_pdf(pdf) == "1.7"
    for content, code in [
        (b"", "empty"),
        (b"PK\x03\x04 a zip", "not_pdf"),
        (pdf[:30], "truncated"),
        (pdf.replace(b"<< /Root", b"<< /Encrypt 5 0 R /Root"), "encrypted"),
    ]:
        with pytest.raises(clients.PdfError) as caught:
            clients.check_pdf(content)
        assert caught.value.code == code
