from odoo.tests import tagged

from ..models.res_partner import normalise_ico
from .common import SAZKA, CreditcheckCase


@tagged("post_install", "-at_install")
class TestCreditcheckPartner(CreditcheckCase):
    def test_ico_normalisation(self):
        self.assertEqual(normalise_ico("177041", False), "00177041")
        self.assertEqual(normalise_ico(" 4711 6307 ", False), SAZKA)
        self.assertEqual(normalise_ico(False, "CZ47116307"), SAZKA)
        self.assertEqual(normalise_ico(False, "cz 25865366"), "25865366")
        self.assertFalse(normalise_ico("12345678", False))  # check digit
        self.assertFalse(normalise_ico("123456789", False))  # too long
        self.assertFalse(normalise_ico(False, "CZ7103192745"))  # a natural person's DIČ is no IČO
        self.assertFalse(normalise_ico(False, "DE123456789"))
        self.assertEqual(normalise_ico("12345678", "CZ47116307"), SAZKA)  # a bad registry number, a good VAT

    def test_only_czech_slovak_partners_or_a_czech_slovak_vat_number(self):
        partners = self.env["res.partner"].create(
            [
                {"name": "CZ", "company_registry": SAZKA, "country_id": self.cz.id},
                {"name": "SK", "company_registry": "35757442", "country_id": self.sk.id},
                {"name": "none", "company_registry": "177041", "vat": "CZ 00177041"},
                {"name": "DE", "company_registry": SAZKA, "country_id": self.env.ref("base.de").id},
                {"name": "bad", "company_registry": "12345678", "country_id": self.cz.id},
            ]
        )
        self.assertRecordValues(
            partners,
            [
                {"creditcheck_ico": SAZKA, "creditcheck_country": "cz", "creditcheck_state": "grey"},
                {"creditcheck_ico": "35757442", "creditcheck_country": "sk", "creditcheck_state": "grey"},
                {"creditcheck_ico": "00177041", "creditcheck_country": "cz", "creditcheck_state": "grey"},
                {"creditcheck_ico": False, "creditcheck_country": False, "creditcheck_state": "grey"},
                {"creditcheck_ico": False, "creditcheck_country": False, "creditcheck_state": "grey"},
            ],
        )
        self.assertEqual(
            partners[0].creditcheck_report_url, f"http://www.creditcheck.cz/CCLfree.aspx?cid=TEST-CID&ic={SAZKA}"
        )
        self.env.company.creditcheck_report_code = "PAID-7"
        partners.invalidate_recordset(["creditcheck_report_url"])
        # the paid report goes through this server, which adds the code (see test_reports)
        self.assertEqual(partners[1].creditcheck_report_url, f"/creditcheck/report/{partners[1].id}")
        self.assertFalse(partners[3].creditcheck_report_url)
        # a badge only on Czech and Slovak subjects; grey there when there is no valid IČO
        self.assertEqual(partners.mapped("creditcheck_badge"), ["grey", "grey", "grey", False, "grey"])

    def test_new_partner_takes_the_stored_status_and_loses_it_abroad(self):
        self.simulate(subjects=60)
        self.run_sync("complete")
        partner = self.env["res.partner"].create({"name": "Sazka", "vat": "CZ47116307", "country_id": self.cz.id})
        self.assertEqual(partner.creditcheck_state, "red")
        partner.country_id = self.env.ref("base.at")
        self.assertRecordValues(partner, [{"creditcheck_ico": False, "creditcheck_state": "grey"}])
        self.assertFalse(partner.creditcheck_badge)

    def test_contact_persons_show_their_companys_badge(self):
        self.simulate(subjects=60)
        self.run_sync("complete")
        company = self.env["res.partner"].create(
            {"name": "Sazka a.s.", "is_company": True, "vat": "CZ47116307", "country_id": self.cz.id}
        )
        person = self.env["res.partner"].create({"name": "Jana Dvořáková", "parent_id": company.id})
        # Odoo copies the commercial fields to the contact person ...
        self.assertEqual(person.vat, "CZ47116307")
        # ... but the IČO and the status are the company's only
        self.assertRecordValues(
            company | person,
            [
                {"creditcheck_ico": SAZKA, "creditcheck_state": "red", "creditcheck_badge": "red"},
                {"creditcheck_ico": False, "creditcheck_state": "grey", "creditcheck_badge": "red"},
            ],
        )
        self.assertEqual(person.creditcheck_subject_ico, SAZKA)
        self.assertEqual(person.creditcheck_report_url, company.creditcheck_report_url)
        # acknowledging on the person acknowledges the company, and both show it
        person.with_user(self.salesman).action_creditcheck_acknowledge()
        (company | person).invalidate_recordset(["creditcheck_badge"])
        self.assertEqual((company | person).mapped("creditcheck_badge"), ["red_acknowledged", "red_acknowledged"])
        self.assertFalse(person.creditcheck_ack_record_id)
