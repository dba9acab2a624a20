"""Register data as the contact keeps it: numbers, postcodes, foreign addresses, SBI editions, rights."""

from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestRegisterData(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"].with_user(cls.salesperson)

    def apply(self, kvk, branch, user=None):
        wizard = self.env["kvk.search.wizard"].with_user(user or self.salesperson).create({"kvk_number": kvk})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == branch).action_select()
        return self.env["res.partner"].browse(wizard.action_apply()["res_id"])

    def test_rsin_passes_the_eleven_check(self):
        partner = self.Partner.create({"name": "Elfproef", "is_company": True, "kvk_rsin": "857587973"})
        for wrong in ("857587974", "123456789", "85758797x"):
            with self.subTest(rsin=wrong), self.assertRaises(ValidationError):
                partner.kvk_rsin = wrong

    def test_a_kvk_number_is_eight_digits_not_eight_characters(self):
        partner = self.Partner.create(
            {
                "name": "Breedbeeld",
                "is_company": True,
                "company_registry": "\uff16\uff18\uff17\uff15\uff10\uff11\uff11\uff10",
            }
        )  # eight full-width digits: str.isdigit() says yes, KvK says no
        context = partner.action_kvk_search()["context"]
        self.assertNotIn("default_kvk_number", context)
        self.assertEqual(context["default_name"], "Breedbeeld")
        with self.assertRaises(ValidationError):
            partner.write({"company_registry": "6875011A", "kvk_linked": True})
        with self.assertRaises(ValidationError):
            partner.write({"kvk_branch_number": "\uff10" * 12})

    def test_dutch_postcodes_are_written_with_a_space(self):
        partner = self.apply("68750110", "000037178598")
        self.assertEqual(partner.zip, "8823 SJ")
        self.assertEqual(partner.child_ids.filtered("kvk_is_postal_address").zip, "1000 AE")

    def test_a_foreign_main_branch_sets_the_country(self):
        partner = self.apply("55505201", "000022334455")
        self.assertRecordValues(
            partner,
            [
                {
                    "street": "Rue de la Loi 16",
                    "zip": "1000",
                    "city": "Bruxelles",
                    "country_id": self.env.ref("base.be").id,
                    "kvk_registration_kind": "hoofdvestiging",
                }
            ],
        )

    def test_sbi_codes_carry_their_edition_and_the_current_description(self):
        Sbi = self.env["kvk.sbi.activity"]
        old = Sbi.create({"code": "01241", "version": "2008", "name": "Teelt van appels en peren (2008)"})
        stale = Sbi.create({"code": "01241", "version": "2025", "name": "Een omschrijving van vroeger"})
        partner = self.apply("68750110", "000037178598")
        self.assertEqual(partner.kvk_sbi_id, stale)  # answered after September 2025: SBI 2025
        self.assertEqual(stale.name, "Teelt van appels en peren")  # the register's current description
        self.assertEqual(old.name, "Teelt van appels en peren (2008)")  # the other edition is left alone
        self.assertIn("SBI 2025", partner.kvk_sbi_id.display_name)
        with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            Sbi.create({"code": "01241", "version": "2025", "name": "Dubbel"})

    def test_a_kvk_user_without_contact_rights_spends_nothing_and_writes_nothing(self):
        """KvK User no longer brings contact creation: the salesperson needs it besides."""
        searcher = new_test_user(
            self.env,
            login="kvk-searcher",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=self.company.id,
        )
        self.assertFalse(searcher.has_group("base.group_partner_manager"))
        wizard = self.env["kvk.search.wizard"].with_user(searcher).create({"kvk_number": "68750110"})
        wizard.action_search()  # searching is free and allowed
        self.assertEqual(wizard.state, "results")
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [], "no paid call for what cannot be written")
        self.assertFalse(
            self.env.ref("kvk_connector.group_kvk_user").implied_ids & self.env.ref("base.group_partner_manager")
        )

    def test_a_contact_of_another_company_is_searched_with_that_company(self):
        other = self.env["res.company"].create(
            {"name": "Zuster B.V.", "kvk_mode": "sandbox", "kvk_api_key": "sandbox-b"}
        )
        self.salesperson.company_ids |= other
        partner = self.env["res.partner"].create({"name": "Donald", "is_company": True, "company_id": other.id})
        both = {"allowed_company_ids": [self.company.id, other.id]}  # working in A, B switched on too
        action = partner.with_user(self.salesperson).with_context(**both).action_kvk_search()
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).with_context(**both, **action["context"])
        wizard = wizard.create({})
        self.assertEqual(wizard.company_id, other)
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        wizard.action_apply()
        logs = self.env["kvk.query.log"].sudo().search([("partner_id", "=", partner.id)])
        self.assertEqual(sorted(logs.mapped("product")), ["basisprofiel", "zoeken"])
        self.assertEqual(logs.company_id, other, "the contact's company pays and logs")
        self.assertRecordValues(partner, [{"kvk_rsin": "857587973", "kvk_company_id": other.id}])
