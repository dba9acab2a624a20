import base64

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import SAZKA, CreditcheckCase, CreditcheckHttpCase

# A 1x1 PNG: what the portal's signature pad sends is an image.
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e221bc330000000049454e44ae426082"
    )
).decode()


class AlertsMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))
        cls.env["creditcheck.sync"]._run("cz", "complete")
        cls.red = cls.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)
        cls.orange = cls.partners.filtered(lambda p: p.creditcheck_state == "orange")[0]
        cls.green = cls.partners.filtered(lambda p: p.creditcheck_state == "green")[0]
        cls.product = cls.env["product.product"].create({"name": "Widget", "list_price": 100.0})

    def set_policy(self, company=None, **policies):
        values = {f"creditcheck_alert_{activity}": policy for activity, policy in policies.items()}
        (company or self.company).write(values)

    def order(self, partner, user=None, **values):
        return (
            self.env["sale.order"]
            .with_user(user or self.manager)
            .create(
                {
                    "partner_id": partner.id,
                    "user_id": self.salesman.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                    **values,
                }
            )
        )

    def invoice(self, partner, **values):
        return (
            self.env["account.move"]
            .with_user(self.manager)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_user_id": self.salesman.id,
                    "invoice_line_ids": [Command.create({"product_id": self.product.id, "price_unit": 10})],
                    **values,
                }
            )
        )

    def assert_told(self, record, text="went ahead without a user"):
        """A note on the document and a to-do for its salesperson."""
        bodies = record.message_ids.mapped("body")
        self.assertTrue(any(text in body for body in bodies), bodies)
        activity = record.activity_ids.filtered(lambda a: a.user_id == self.salesman)
        self.assertEqual(len(activity), 1)
        self.assertIn("CreditCheck", activity.summary)


@tagged("post_install", "-at_install")
class TestCreditcheckAlerts(AlertsMixin, CreditcheckCase):
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
        self.company.creditcheck_alert_level = "orange"
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
        self.assertTrue(any("CreditCheck warning" in body for body in order.message_ids.mapped("body")))
        self.assertFalse(order.activity_ids)

    def test_block_without_a_user_tells_instead(self):
        """A confirmation outside a back-office button (here: from code, as a job does) is not stopped."""
        self.set_policy(order="block")
        order = self.order(self.red)
        order.sudo().action_confirm()
        self.assertEqual(order.state, "sale")
        self.assert_told(order)
        # green partners: nothing to say
        green = self.order(self.green)
        green.sudo().action_confirm()
        self.assertFalse(green.activity_ids)

    def test_scheduled_posting_of_invoices_follows_the_policy(self):
        """The auto-post job calls ``_post`` directly: a warning is noted, a block becomes a to-do."""
        for policy in ("warn", "block"):
            self.set_policy(invoice=policy)
            invoice = self.invoice(self.red, auto_post="at_date", invoice_date=fields.Date.today())
            invoice.checked = True
            self.env["account.move"]._autopost_draft_entries()
            self.assertEqual(invoice.state, "posted")
            if policy == "warn":
                self.assertTrue(any("CreditCheck warning" in b for b in invoice.message_ids.mapped("body")))
                self.assertFalse(invoice.activity_ids)
            else:
                self.assert_told(invoice)

    def test_policies_are_per_company(self):
        company_b = self.make_second_company()
        self.set_policy(order="block")
        self.set_policy(company_b, order="off", quotation="off")
        order_b = (
            self.env["sale.order"]
            .with_user(self.manager_b)
            .with_company(company_b)
            .create({"partner_id": self.red.id, "order_line": [Command.create({"product_id": self.product.id})]})
        )
        self.assertFalse(order_b.creditcheck_alert)
        self.assertTrue(self.order(self.red).creditcheck_alert)

    def test_override_only_for_known_actions(self):
        wizard = self.env["creditcheck.override.wizard"].create(
            {"res_model": "sale.order", "res_ids": "1", "method": "unlink", "reason": "x"}
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()

    def test_vendor_bills_are_not_customer_invoices(self):
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
class TestCreditcheckAlertsInTheBrowser(AlertsMixin, CreditcheckHttpCase):
    """Block stops a back-office user's button; the customer's online signature goes through."""

    def click(self, record, method):
        return self.rpc(record._name, method, [record.id], route="call_button")

    def test_confirmation_button_blocks_and_override_with_a_reason(self):
        self.set_policy(order="block")
        order = self.order(self.red)
        self.authenticate("cc-manager", "cc-manager")
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self.click(order, "action_confirm")
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.RedirectWarning")
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")
        # the override wizard, as the pop-up opens it
        wizard = (
            self.env["creditcheck.override.wizard"]
            .with_user(self.manager)
            .with_context(
                default_res_model="sale.order", default_res_ids=str(order.id), default_method="action_confirm"
            )
            .create({"reason": "Paid in advance"})
        )
        self.click(wizard, "action_confirm")
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertTrue(any("Paid in advance" in body for body in order.message_ids.mapped("body")))
        # green partners pass a block untouched
        green = self.order(self.green)
        self.click(green, "action_confirm")
        green.invalidate_recordset()
        self.assertEqual(green.state, "sale")

    def test_quotation_send_and_invoice_posting_buttons_block(self):
        self.set_policy(quotation="block", invoice="block")
        self.authenticate("cc-manager", "cc-manager")
        buttons = ((self.order(self.red), "action_quotation_send"), (self.invoice(self.red), "action_post"))
        for record, method in buttons:
            with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
                self.click(record, method)
            self.assertEqual(caught.exception.args[0], "odoo.exceptions.RedirectWarning")
        invoice = self.invoice(self.red)
        # an acknowledged status no longer blocks
        self.red.action_creditcheck_acknowledge()
        self.click(invoice, "action_post")
        invoice.invalidate_recordset()
        self.assertEqual(invoice.state, "posted")

    def test_online_signature_confirms_and_tells_the_salesperson(self):
        self.set_policy(order="block")
        order = self.order(self.red, require_signature=True, require_payment=False)
        order.action_quotation_sent()
        token = order._portal_ensure_token()
        self.authenticate(None, None)  # the customer, not logged in, with the link of the quotation
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept", {"access_token": token, "name": "Jan Novák", "signature": SIGNATURE}
        )
        self.assertNotIn("error", result)
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assert_told(order)


@tagged("post_install", "-at_install")
class TestCreditcheckSecurity(CreditcheckCase):
    def test_sync_logs_are_read_only_for_everyone(self):
        log = self.env["creditcheck.sync"]._run("cz", "complete")
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
        self.env["creditcheck.sync"]._run("cz", "complete")
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
        self.assertEqual(record.company_id, self.company)
        with self.assertRaises(AccessError), mute_logger("odoo.models", "odoo.addons.base.models.ir_model"):
            record.unlink()

    def test_plain_internal_user_sees_no_creditcheck_model(self):
        user = new_test_user(self.env, login="cc-plain", groups="base.group_user")
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
