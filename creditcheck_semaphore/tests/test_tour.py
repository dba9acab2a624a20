from odoo import Command
from odoo.tests import tagged

from .common import SAZKA, CreditcheckHttpCase


@tagged("post_install", "-at_install")
class TestCreditcheckTour(CreditcheckHttpCase):
    def test_badges_acknowledge_new_record_and_sale_warning(self):
        self.simulate(subjects=60)
        subjects = {subject["ico"]: subject for subject in self.subjects(limit=60)}
        quiet = next(s for s in subjects.values() if s["status"] == 1 and not s["defunct"])
        partners = self.env["res.partner"].create(
            [
                {"name": "Sazka a.s.", "company_registry": SAZKA, "country_id": self.cz.id, "is_company": True},
                {
                    "name": "Quiet s.r.o.",
                    "company_registry": quiet["ico"],
                    "country_id": self.cz.id,
                    "is_company": True,
                },
            ]
        )
        sazka = partners[0]
        self.env.company.creditcheck_alert_quotation = "warn"
        self.env["creditcheck.sync"]._run("cz", "complete")
        self.assertEqual(partners.mapped("creditcheck_badge"), ["red", "green"])
        first_id = sazka.creditcheck_record_id

        self.start_tour("/odoo/contacts?view_type=list", "creditcheck_semaphore_acknowledge_tour", login="admin")
        sazka.invalidate_recordset()
        self.assertEqual(sazka.creditcheck_ack_record_id, first_id)
        self.assertEqual(sazka.creditcheck_badge, "red_acknowledged")

        self.simulate(subjects=60, day=2)  # a new red record for Sazka: same colour, new record ID
        self.env["creditcheck.sync"]._run("cz", "complete")
        self.assertNotEqual(sazka.creditcheck_record_id, first_id)
        self.assertEqual(sazka.creditcheck_badge, "red")
        self.start_tour("/odoo/contacts?view_type=list", "creditcheck_semaphore_new_record_tour", login="admin")

        self.start_tour("/odoo/action-sale.action_quotations/new", "creditcheck_semaphore_sale_tour", login="admin")
        order = self.env["sale.order"].search([("partner_id", "=", sazka.id)])
        self.assertEqual(len(order), 1)
        self.assertIn("Red", order.creditcheck_alert)
        warning = order._onchange_creditcheck_partner()["warning"]
        self.assertIn("Sazka", warning["message"])


@tagged("post_install", "-at_install")
class TestCreditcheckFiltersTour(CreditcheckHttpCase):
    """In the partner list, the colour and defunct filters narrow what the other filters chose."""

    def test_filters_combine_with_and(self):
        self.simulate(subjects=60)
        subjects = self.subjects(limit=60)
        defunct = next(s for s in subjects if s["defunct"])
        red = next(s for s in subjects if s["status"] == 3 and not s["defunct"])
        orange = next(s for s in subjects if s["status"] == 2 and not s["defunct"])
        Partner = self.env["res.partner"]
        for name, subject, is_company in (
            ("Defunct Company", defunct, True),
            ("Defunct Person", defunct, False),
            ("Living Red", red, True),
            ("Living Orange", orange, True),
        ):
            Partner.create(
                {
                    "name": name,
                    "is_company": is_company,
                    "company_registry": subject["ico"],
                    "country_id": self.cz.id,
                }
            )
        self.run_sync("complete")
        self.run_sync("defunct")
        self.assertEqual(
            Partner.search([("name", "in", ["Defunct Company", "Defunct Person"])]).mapped("creditcheck_defunct"),
            [True, True],
        )
        self.start_tour("/odoo/contacts?view_type=list", "creditcheck_semaphore_filters_tour", login="admin")


@tagged("post_install", "-at_install")
class TestCreditcheckSettingsTour(CreditcheckHttpCase):
    """The administrator chooses the sandbox, sees where the calls go and which account is used,
    tests the connection and reads the jobs' last runs, with units on every number."""

    def test_settings_tour(self):
        admin = self.env.ref("base.user_admin")
        admin.tz = "Europe/Prague"
        self.simulate(subjects=60)
        self.make_partners(self.subjects(limit=10))
        self.assertEqual(self.run_sync("complete").state, "done")
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("creditcheck_semaphore.mode", "production")
        params.set_param("creditcheck_semaphore.login", "")
        params.set_param("creditcheck_semaphore.password", "")
        params.set_param("creditcheck_semaphore.countries", "cz,sk")
        self.sandbox_control.clear_requests()
        self.start_tour("/odoo/settings#creditcheck_semaphore", "creditcheck_semaphore_settings_tour", login="admin")
        self.assertEqual(params.get_param("creditcheck_semaphore.mode"), "sandbox")
        # the test made one call per country, with the sandbox's documented account, logged
        tests = self.env["creditcheck.sync.log"].search([("kind", "=", "test")], order="id")
        self.assertRecordValues(tests, [{"country": "cz", "state": "done"}, {"country": "sk", "state": "done"}])
        self.assertEqual(len(self.sandbox_control.requests("/creditcheck/")), 2)


@tagged("post_install", "-at_install")
class TestCreditcheckCzechTour(CreditcheckHttpCase):
    """An administrator switches to Czech: the CreditCheck screens have no English left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("cs_CZ")
        cls.env["ir.module.module"]._load_module_terms(["creditcheck_semaphore"], ["cs_CZ"], overwrite=True)
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write({"lang": "en_US", "tz": "Europe/Prague"})
        cls.simulate(subjects=60)
        cls.sazka = cls.env["res.partner"].create(
            {
                "name": "Sazka a.s.",
                "is_company": True,
                "company_registry": SAZKA,
                "country_id": cls.cz.id,
                "user_id": cls.salesman.id,
            }
        )
        for kind in ("complete", "changes"):
            cls.env["creditcheck.sync"]._run("cz", kind)
        cls.env["res.partner"]._cron_creditcheck_notify()
        cls.env.company.creditcheck_alert_order = "block"
        product = cls.env["product.product"].create({"name": "Widget"})
        cls.order = cls.env["sale.order"].create(
            {"partner_id": cls.sazka.id, "order_line": [Command.create({"product_id": product.id})]}
        )

    def test_czech_screens(self):
        self.assertTrue(self.env["res.lang"]._lang_get("cs_CZ").active)
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        self.start_tour(f"/odoo/contacts/{self.sazka.id}", "creditcheck_semaphore_czech_partner_tour", login="admin")
        self.assertEqual(self.admin.lang, "cs_CZ")
        self.assertEqual(self.sazka.creditcheck_badge, "red", "acknowledged, then undone")
        for path, tour in (
            (
                "/odoo/action-creditcheck_semaphore.creditcheck_sync_log_action",
                "creditcheck_semaphore_czech_lists_tour",
            ),
            (
                "/odoo/action-creditcheck_semaphore.creditcheck_deactivation_action",
                "creditcheck_semaphore_czech_deactivations_tour",
            ),
            (f"/odoo/action-sale.action_quotations/{self.order.id}", "creditcheck_semaphore_czech_override_tour"),
            ("/odoo/settings#creditcheck_semaphore", "creditcheck_semaphore_czech_settings_tour"),
        ):
            with self.subTest(tour=tour):
                self.start_tour(path, tour, login="admin")
        self.assertEqual(self.order.state, "draft", "the block held, the override was cancelled")
