import json

from odoo.tests import tagged
from odoo.tools import convert_file

from .common import KvkHttpCase as BaseKvkHttpCase


class KvkHttpCase(BaseKvkHttpCase):
    """Tours read English labels: English is active and the users' language, whatever other
    languages the test database loaded (loading one at creation makes it everybody's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("en_US")
        cls.env.ref("base.user_admin").lang = "en_US"


@tagged("post_install", "-at_install")
class TestKvkSettingsTour(KvkHttpCase):
    def test_settings_tour(self):
        company = self.env.ref("base.user_admin").company_id
        company.write({"kvk_mode": "test", "kvk_api_key": False})
        self.start_tour("/odoo/settings#kvk_connector", "kvk_connector_settings_tour", login="admin")
        self.assertEqual(company.kvk_mode, "sandbox")
        # the test made one free call, with the sandbox's default key, logged as any call
        (call,) = self.kvk_calls("/kvk/api/v2/zoeken")
        self.assertEqual(call["query"]["kvkNummer"], ["68750110"])
        log = self.env["kvk.query.log"].search([("company_id", "=", company.id)], limit=1)
        self.assertRecordValues(log, [{"product": "zoeken", "state": "done", "origin": "res.config.settings,test"}])


@tagged("post_install", "-at_install")
class TestSearchRegisterTour(KvkHttpCase):
    def test_search_register_tour(self):
        admin = self.env.ref("base.user_admin")
        admin.company_id.kvk_mode = "sandbox"
        admin.company_id.kvk_api_key = "sandbox-tour"
        self.start_tour("/odoo/contacts/new", "kvk_connector_search_register_tour", login="admin")
        partner = self.env["res.partner"].search([("company_registry", "=", "68750110"), ("is_company", "=", True)])
        self.assertEqual(len(partner), 1)
        self.assertRecordValues(
            partner,
            [
                {
                    "name": "Test BV Donald",
                    "is_company": True,
                    "kvk_branch_number": "000037178598",
                    "kvk_rsin": "857587973",
                    "street": "Hizzaarderlaan 3 A",
                    "zip": "8823 SJ",
                    "city": "Lollum",
                    "kvk_linked": True,
                }
            ],
        )
        # the contact typed as "Donald" was never saved: searching did not leave it behind
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Donald")]))
        self.assertEqual(partner.kvk_sbi_id.code, "01241")
        self.assertEqual(partner.child_ids.filtered("kvk_is_postal_address").city, "Rommeldam")
        log = self.env["kvk.query.log"].search([("partner_id", "=", partner.id)])
        self.assertEqual(sorted(log.mapped("product")), ["basisprofiel", "zoeken"])


@tagged("post_install", "-at_install")
class TestTypeaheadTour(KvkHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson.password = "kvk-salesperson"

    def test_type_pick_preview_apply(self):
        self.start_tour("/odoo/contacts/new", "kvk_connector_typeahead_tour", login="kvk-salesperson")
        partner = self.env["res.partner"].search([("company_registry", "=", "69599084"), ("is_company", "=", True)])
        self.assertRecordValues(
            partner,
            [{"name": "Test EMZ Dagobert", "kvk_branch_number": "000038509504", "city": "Amsterdam"}],
        )
        self.assertFalse(self.env["res.partner"].search([("name", "in", ["Da", "Dagobert"])]), "no draft was saved")
        typed = self.company_logs([("channel", "=", "typeahead")])
        # one burst of typing, one call: suggestions wait until typing pauses, and never ask for
        # fewer than three characters
        self.assertEqual([json.loads(log.params)["naam"] for log in typed], ["Dagobert"])
        self.assertEqual(set(typed.mapped("product")), {"zoeken"})
        self.assertEqual(typed.user_id, self.salesperson)
        # the only paid call came from picking the suggestion, after the typing
        paid = self.company_logs([("cost", ">", 0)])
        self.assertEqual(paid.mapped("product"), ["basisprofiel"])
        self.assertGreater(paid.id, typed.id)
        names = [call["query"].get("naam", [""])[0] for call in self.kvk_calls("/kvk/api/v2/zoeken")]
        self.assertEqual([name for name in names if name], ["Dagobert"])

    def test_no_suggestions_for_a_foreign_company(self):
        self.start_tour("/odoo/contacts/new", "kvk_connector_typeahead_fallback_tour", login="kvk-salesperson")
        self.assertEqual(self.kvk_calls("/kvk/"), [])


@tagged("post_install", "-at_install")
class TestFreshDemoTour(KvkHttpCase):
    """The demo data of the addon, loaded into this database: the demo salesperson walks the
    README's search on the demo contact, with the demo company's connection as the demo has it
    (the sandbox, no key of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        convert_file(cls.env, "kvk_connector", "demo/kvk_connector_demo.xml", {}, mode="init", kind="demo")
        cls.demo_company = cls.env.ref("base.main_company")
        cls.sanne = cls.env.ref("kvk_connector.demo_user_kvk_salesperson")
        cls.donald = cls.env.ref("kvk_connector.demo_partner_donald")

    def test_the_demo_connection_works_on_the_first_click(self):
        self.assertRecordValues(self.demo_company.sudo(), [{"kvk_mode": "sandbox", "kvk_api_key": False}])
        self.start_tour("/odoo/contacts", "kvk_connector_demo_search_tour", login="sanne")
        self.assertRecordValues(
            self.donald,
            [{"kvk_linked": True, "company_registry": "68750110", "kvk_founding_raw": "20170300", "name": "Donald"}],
        )
        self.assertEqual(
            self.env["res.partner"].search_count([("company_registry", "=", "68750110"), ("is_company", "=", True)]), 1
        )
        logs = self.env["kvk.query.log"].search([("company_id", "=", self.demo_company.id)])
        self.assertEqual(set(logs.mapped("state")), {"done"})
        self.assertEqual(logs.user_id, self.sanne)
        # the sandbox refuses a call without a key: these were made with the sandbox's default key
        self.assertEqual({call["status"] for call in self.kvk_calls("/kvk/")}, {200})
        self.assertEqual(self.env["kvk.service"]._api_key(self.demo_company), "sandbox-demo")


@tagged("post_install", "-at_install")
class TestDutchTour(KvkHttpCase):
    """A salesperson switches to Dutch: the KvK screens have no English left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson.password = "kvk-salesperson"
        wizard = cls.env["kvk.search.wizard"].with_user(cls.salesperson).create({"kvk_number": "68750110"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        cls.partner = cls.env["res.partner"].browse(wizard.action_apply()["res_id"])

    def test_dutch_screens(self):
        self.assertTrue(self.env["res.lang"]._lang_get("nl_NL").active, "make test loads Dutch")
        self.start_tour(f"/odoo/contacts/{self.partner.id}", "kvk_connector_dutch_tour", login="kvk-salesperson")
        self.assertEqual(self.salesperson.lang, "nl_NL")
