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

    def test_only_czech_slovak_or_countryless_partners(self):
        partners = self.env["res.partner"].create(
            [
                {"name": "CZ", "company_registry": SAZKA, "country_id": self.cz.id},
                {"name": "SK", "company_registry": "35757442", "country_id": self.sk.id},
                {"name": "none", "company_registry": "177041"},
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
        self.assertEqual(
            partners[1].creditcheck_report_url,
            "https://www.creditcheck.sk/CCLfull.aspx?cid=TEST-CID&ic=35757442&code=PAID-7",
        )
        self.assertFalse(partners[3].creditcheck_report_url)
        # a badge only in CZ, SK or without a country; grey there when there is no valid IČO
        self.assertEqual(partners.mapped("creditcheck_badge"), ["grey", "grey", "grey", False, "grey"])

    def test_new_partner_takes_the_stored_status_and_loses_it_abroad(self):
        self.simulate(subjects=60)
        self.run_sync("complete")
        partner = self.env["res.partner"].create({"name": "Sazka", "vat": "CZ47116307", "country_id": self.cz.id})
        self.assertEqual(partner.creditcheck_state, "red")
        partner.country_id = self.env.ref("base.at")
        self.assertRecordValues(partner, [{"creditcheck_ico": False, "creditcheck_state": "grey"}])
        self.assertFalse(partner.creditcheck_badge)
