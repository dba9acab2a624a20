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
        self.assertEqual(sazka.creditcheck_badge, "acknowledged")

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
