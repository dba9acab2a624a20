"""Screens that explain themselves: lists that say what will appear, "no data" as an answer and not
an error, the raw answer for developers, buttons that say when nothing changed, names of records
that read as words, and an expected refusal that is no error in the server log."""

import json

from lxml import etree, html

from odoo.tests import tagged
from odoo.tools import format_date

from .common import BOTH_DEBTS, NO_DATA, NO_DEBT, SocialDebtCase, SocialDebtHttpCase


@tagged("post_install", "-at_install")
class TestScreens(SocialDebtCase):
    def help_text(self, action_help):
        return html.fromstring(str(action_help)).text_content()

    def test_every_list_that_can_be_empty_says_what_will_appear(self):
        for xmlid in (
            "social_debt.social_debt_check_action",
            "social_debt.social_debt_batch_action",
            "social_debt.social_debt_run_action",
        ):
            with self.subTest(action=xmlid):
                text = self.help_text(self.env.ref(xmlid).help)
                self.assertGreater(len(text.split()), 15, text)
        partner = self.supplier(NO_DEBT)
        action = partner.with_user(self.checker).action_social_debt_view_checks()
        self.assertIn("Check now", self.help_text(action["help"]))
        batch = self.env["social.debt.service"]._create_batch(partner, company=self.company).sudo()
        action = batch.with_user(self.checker).action_view_checks()
        self.assertIn("grouped check", self.help_text(action["help"]))

    def test_no_data_is_an_answer_not_a_red_error(self):
        partner = self.supplier(NO_DATA)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertRecordValues(check, [{"state": "answered", "verdict": "no_data", "error_code": False}])
        self.assertEqual(dict(check._fields["verdict"]._description_selection(self.env))["no_data"], "No data")
        Check = self.env["social.debt.check"]
        arch = etree.fromstring(Check.get_view(view_type="list")["arch"])
        self.assertEqual(arch.get("decoration-danger"), "state == 'error'")
        (badge,) = arch.xpath("//field[@name='verdict']")
        self.assertEqual(badge.get("decoration-info"), "verdict == 'no_data'")
        self.assertNotIn("no_data", badge.get("decoration-danger") + badge.get("decoration-warning"))
        form = etree.fromstring(self.env["res.partner"].with_user(self.checker).get_view(view_type="form")["arch"])
        (badge,) = form.xpath("//page[@name='social_debt']//field[@name='social_debt_verdict']")
        self.assertEqual(badge.get("decoration-info"), "social_debt_verdict == 'no_data'")

    def test_the_raw_answer_is_for_developers(self):
        arch = etree.fromstring(self.env.ref("social_debt.social_debt_check_view_form").arch)
        (notebook,) = arch.xpath("//notebook[.//field[@name='raw_answer']]")
        self.assertEqual(notebook.get("groups"), "base.group_no_one")
        # what was asked reads as words: the enterprise number as people write it, purpose and source by name
        for name in ("enterprise_number_display", "purpose", "legal_context", "backend", "mode"):
            self.assertTrue(arch.xpath(f"//group[@string='Question']/field[@name='{name}']"), name)

    def test_amounts_carry_their_currency(self):
        Check = self.env["social.debt.check"]
        for name in ("social_amount", "tax_amount", "contributions", "dispute_amount"):
            self.assertEqual(Check._fields[name].type, "monetary", name)
        partner = self.supplier(BOTH_DEBTS)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertEqual(check.currency_id, self.env.ref("base.EUR"))
        self.assertEqual(partner.social_debt_currency_id, self.env.ref("base.EUR"))
        settings = self.env.ref("social_debt.res_config_settings_view_form").arch
        self.assertRegex(settings, r'<field name="social_debt_timeout" class="oe_inline"/> <span>seconds</span>')
        for name in ("social_debt_validity_days", "social_debt_retention_days"):
            self.assertRegex(settings, rf'<field name="{name}" class="oe_inline"/> <span>days</span>')

    def notification(self, action):
        return action["params"]["type"], action["params"]["message"]

    def test_check_now_says_whether_anything_changed(self):
        partner = self.supplier(NO_DEBT)
        as_checker = partner.with_user(self.checker)
        self.assertEqual(self.notification(as_checker.action_social_debt_check()), ("success", "Checked: No debt."))
        first = partner.sudo().social_debt_check_id
        self.assertEqual(
            self.notification(as_checker.action_social_debt_check()),
            ("success", f"Checked: No debt, unchanged since the check of {format_date(self.env, first.answer_date)}."),
        )
        self.simulate(scenarios={NO_DEBT: "social_debt"})
        self.assertEqual(
            self.notification(as_checker.action_social_debt_check()),
            ("success", "Checked: Social debt (was: No debt)."),
        )
        other = self.supplier(BOTH_DEBTS)
        both = (partner | other).with_user(self.checker)
        both.action_social_debt_check()
        self.assertEqual(
            self.notification(both.action_social_debt_check()),
            ("success", "2 supplier(s) checked, no verdict changed; 0 failed."),
        )
        self.simulate()
        self.assertEqual(
            self.notification(both.action_social_debt_check()),
            ("success", "2 supplier(s) checked, 1 with a new verdict; 0 failed."),
        )

    def test_a_grouped_check_says_when_nothing_was_queued(self):
        partner = self.supplier(NO_DEBT)
        invalid = self.supplier("0403019262", "Fout Nummer BV")
        as_checker = (partner | invalid).with_user(self.checker)
        kind, message = self.notification(as_checker.action_social_debt_check_grouped())
        self.assertEqual(kind, "info")
        self.assertEqual(
            message,
            "1 supplier(s) queued for a grouped check; the answers are collected in the background. 1 left out: "
            "no valid Belgian enterprise number, or a check already under way.",
        )
        kind, message = self.notification(as_checker.action_social_debt_check_grouped())
        self.assertEqual(kind, "warning")
        self.assertTrue(message.startswith("Nothing was queued"), message)

    def test_send_again_says_what_came_back(self):
        self.company.social_debt_timeout = 1
        partner = self.supplier(NO_DEBT)
        self.sandbox_control.arm_fault("/ksz/", latency_ms=2500)
        (check,) = self.env["social.debt.service"]._check_partners(partner)
        self.assertEqual(
            self.notification(check.with_user(self.checker).action_retry()), ("success", "Sent again: No debt.")
        )

    def test_records_are_named_in_words(self):
        partner = self.supplier(NO_DEBT)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertEqual(check.display_name, f"0403.019.261 {format_date(self.env, check.answer_date)}")
        batch = self.env["social.debt.service"]._create_batch(self.supplier(BOTH_DEBTS), company=self.company).sudo()
        self.assertRegex(batch.display_name, r"^Grouped check of .+ \(1 questions\)$")
        run = self.env["social.debt.service"]._log_run(self.company, "monitor", "done", batch, 1)
        self.assertTrue(run.display_name.startswith("Daily re-check "), run.display_name)
        for name in (check.display_name, batch.display_name, run.display_name):
            self.assertNotRegex(name, r"social\.debt|\(record|,\d+$")


@tagged("post_install", "-at_install")
class TestExpectedRefusals(SocialDebtHttpCase):
    """A payment blocked by the withholding is the rule doing its work: the user reads why, and the
    server log holds a warning without a traceback, not an error."""

    def test_a_blocked_payment_is_a_warning_without_traceback(self):
        partner = self.supplier(NO_DEBT, "Aannemer Zonder Controle BV")
        bill = self.bill(partner, 500.0)
        self.authenticate(self.clerk.login, f"{self.clerk.login}-pass")
        wizard = self.register(bill, user=self.clerk)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "account.payment.register",
                "method": "action_create_payments",
                "args": [wizard.ids],
                "kwargs": {"context": {"active_model": "account.move", "active_ids": bill.ids}},
            },
        }
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.url_open(
                "/web/dataset/call_button", data=json.dumps(payload), headers={"Content-Type": "application/json"}
            )
        error = response.json()["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("falls under the art. 30bis/30ter withholding", error["message"])
        self.assertTrue(logs.records)
        for record in logs.records:
            self.assertEqual(record.levelname, "WARNING", record.getMessage())
            self.assertFalse(record.exc_info, "no traceback")
        self.assertTrue(any("falls under the art. 30bis" in line for line in logs.output))
        self.assertEqual(bill.payment_state, "not_paid")
