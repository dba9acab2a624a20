from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import SAZKA, CreditcheckCase


@tagged("post_install", "-at_install")
class TestCreditcheckAlerts(CreditcheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))
        cls.env["creditcheck.status"]._run("cz", "complete")
        cls.red = cls.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)
        cls.orange = cls.partners.filtered(lambda p: p.creditcheck_state == "orange")[0]
        cls.green = cls.partners.filtered(lambda p: p.creditcheck_state == "green")[0]
        cls.product = cls.env["product.product"].create({"name": "Widget", "list_price": 100.0})

    def set_policy(self, **policies):
        params = self.env["ir.config_parameter"].sudo()
        for activity, policy in policies.items():
            params.set_param(f"creditcheck_semaphore.alert_{activity}", policy)

    def order(self, partner):
        return (
            self.env["sale.order"]
            .with_user(self.manager)
            .create({"partner_id": partner.id, "order_line": [Command.create({"product_id": self.product.id})]})
        )

    def test_quotation_warns_in_the_form(self):
        self.set_policy(quotation="warn")
        form = Form(self.env["sale.order"].with_user(self.salesman))
        form.partner_id = self.red
        self.assertIn("Red", form.creditcheck_alert)
        self.assertIn("47116307", self.red.creditcheck_ico)
        onchange = self.env["sale.order"].new({"partner_id": self.red.id})._onchange_creditcheck_partner()
        self.assertEqual(onchange["warning"]["title"], "CreditCheck alert")
        form.partner_id = self.green
        self.assertFalse(form.creditcheck_alert)
        # orange counts only when the alert level says so
        form.partner_id = self.orange
        self.assertFalse(form.creditcheck_alert)
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.alert_level", "orange")
        form.partner_id = self.green
        form.partner_id = self.orange
        self.assertIn("Orange", form.creditcheck_alert)
        self.set_policy(quotation="off")
        form.partner_id = self.green
        form.partner_id = self.red
        self.assertFalse(form.creditcheck_alert)

    def test_confirmation_warn_posts_a_note(self):
        self.set_policy(order="warn")
        order = self.order(self.red)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn(
            "CreditCheck warning", order.message_ids.mapped("body")[-1] + "".join(order.message_ids.mapped("body"))
        )

    def test_confirmation_block_and_override_with_a_reason(self):
        self.set_policy(order="block")
        order = self.order(self.red)
        with self.assertRaises(RedirectWarning) as caught:
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertIn("block", caught.exception.args[0])
        context = caught.exception.args[3]
        wizard = self.env["creditcheck.override.wizard"].with_user(self.manager).with_context(**context)
        wizard = wizard.create({"reason": "Paid in advance"})
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(any("Paid in advance" in body for body in order.message_ids.mapped("body")))
        # green partners pass a block untouched
        self.order(self.green).action_confirm()

    def test_override_only_for_known_actions(self):
        wizard = self.env["creditcheck.override.wizard"].create(
            {"res_model": "sale.order", "res_ids": "1", "method": "unlink", "reason": "x"}
        )
        with self.assertRaises(Exception):  # noqa: B017 - UserError from the wizard
            wizard.action_confirm()

    def test_quotation_send_block(self):
        self.set_policy(quotation="block")
        with self.assertRaises(RedirectWarning):
            self.order(self.red).action_quotation_send()

    def test_invoice_posting_block_and_acknowledged_partner(self):
        self.set_policy(invoice="block")
        invoice = (
            self.env["account.move"]
            .with_user(self.manager)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.red.id,
                    "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 10})],
                }
            )
        )
        self.assertTrue(invoice.creditcheck_alert)
        with self.assertRaises(RedirectWarning):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        # an acknowledged status no longer blocks
        self.red.action_creditcheck_acknowledge()
        invoice.invalidate_recordset(["creditcheck_alert"])
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        # vendor bills are not customer invoices
        self.set_policy(invoice="block")
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.orange.id,
                "invoice_date": "2026-01-01",
                "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 10})],
            }
        )
        self.assertFalse(bill.creditcheck_alert)


@tagged("post_install", "-at_install")
class TestCreditcheckSecurity(CreditcheckCase):
    def test_sync_logs_are_read_only_for_everyone(self):
        log = self.env["creditcheck.status"]._run("cz", "complete")
        self.assertEqual(log.with_user(self.manager).state, "done")
        for user in (self.manager, self.salesman):
            with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
                log.with_user(user).write({"error": "edited"})
            with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
                log.with_user(user).unlink()
            with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
                self.env["creditcheck.sync.log"].with_user(user).create({"country": "cz", "kind": "complete"})
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            log.with_user(self.salesman).read(["state"])

    def test_statuses_and_events_are_written_by_the_sync_only(self):
        self.env["creditcheck.status"]._run("cz", "complete")
        status = self.env["creditcheck.status"].search([], limit=1)
        self.assertTrue(status.with_user(self.salesman).ico)
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            status.with_user(self.manager).write({"status": 1})
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            self.env["creditcheck.event"].with_user(self.manager).create(
                {"country": "cz", "ico": SAZKA, "record_id": "1"}
            )

    def test_deactivations_for_managers(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            self.env["creditcheck.deactivation"].with_user(self.salesman).create({"ico": SAZKA, "reason": "x"})
        record = self.env["creditcheck.deactivation"].with_user(self.manager).create({"ico": SAZKA, "reason": "x"})
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            record.unlink()

    def test_plain_internal_user_sees_no_creditcheck_model(self):
        user = self.env["res.users"].create(
            {"name": "Plain", "login": "cc-plain", "groups_id": [Command.set([self.env.ref("base.group_user").id])]}
        )
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            self.env["creditcheck.event"].with_user(user).search([])
        # but documents of such a user still work: the badge is computed without the user's rights
        partner = self.env["res.partner"].create({"name": "S", "company_registry": SAZKA, "country_id": self.cz.id})
        self.assertEqual(partner.with_user(user).creditcheck_badge, "grey")

    def test_old_sync_logs_go_after_the_retention_period(self):
        logs = self.env["creditcheck.sync.log"]
        old = logs.create({"country": "cz", "kind": "complete", "date_start": "2020-01-01 00:00:00"})
        recent = logs.create({"country": "cz", "kind": "complete"})
        logs._gc_old_logs()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
