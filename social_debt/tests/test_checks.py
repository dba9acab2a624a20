from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_date

from .common import BOTH_DEBTS, NO_DATA, NO_DEBT, OWN_NUMBER, PAYMENT_PLAN, SocialDebtCase


@tagged("post_install", "-at_install")
class TestSyncChecks(SocialDebtCase):
    def test_no_debt_answer_holds_until_the_date_it_states(self):
        partner = self.supplier(NO_DEBT)
        (check,) = self.env["social.debt.service"].with_user(self.checker)._check_partners(partner)
        check = check.sudo()
        today = date.today()
        self.assertRecordValues(
            check,
            [
                {
                    "state": "answered",
                    "verdict": "no_debt",
                    "mode": "sync",
                    "backend": "ksz",
                    "tax_asked": True,
                    "social_status": "DATA_FOUND",
                    "tax_status": "DATA_FOUND",
                    "answer_date": today,
                    "valid_until": today + timedelta(days=30),
                    "user_id": self.checker.id,
                    "legal_context": "Art30bis-Withholding",
                }
            ],
        )
        self.assertIn("consultEmployerAccountBalanceResponse", check.raw_answer)
        self.assertIn("checkEnterpriseDebtResponse", check.raw_tax_answer)
        self.assertRecordValues(partner, [{"social_debt_verdict": "no_debt", "social_debt_check_id": check.id}])
        self.assertEqual(partner.social_debt_days_left, 30)
        self.assertEqual(len(self.calls()), 2)

    def test_debt_amounts_quarters_and_tax(self):
        partner = self.supplier(BOTH_DEBTS)
        (check,) = self.env["social.debt.service"]._check_partners(partner)
        check = check.sudo()
        self.assertEqual(check.verdict, "social_tax_debt")
        self.assertEqual(check.valid_until, check.answer_date)
        self.assertTrue(check.social_obligation and check.tax_obligation and check.tax_amount_known)
        self.assertEqual(check.social_amount, check.contributions + check.surcharges + check.interests)
        self.assertGreater(check.social_amount, 2500)
        self.assertEqual(len(check.missing_quarters.split(", ")), 2)
        self.assertTrue(partner.social_debt_rsz_number)

    def test_payment_plan_and_no_data(self):
        plan, none = self.supplier(PAYMENT_PLAN), self.supplier(NO_DATA)
        checks = self.env["social.debt.service"]._check_partners(plan | none).sudo()
        by_partner = {check.partner_id: check for check in checks}
        self.assertTrue(by_partner[plan].payment_plan)
        self.assertEqual(by_partner[none].verdict, "no_data")
        self.assertEqual(by_partner[none].social_status_code, "30001")

    def test_invalid_number_is_refused_before_any_call(self):
        partner = self.supplier("0403019262")
        self.assertTrue(partner.social_debt_enterprise_number_invalid)
        with self.assertRaisesRegex(UserError, "No valid Belgian enterprise number"):
            self.env["social.debt.service"]._check_partners(partner)
        self.assertEqual(self.calls(), [])


@tagged("post_install", "-at_install")
class TestCheckFaults(SocialDebtCase):
    def test_a_timeout_leaves_the_check_in_error_with_a_retry(self):
        self.company.social_debt_timeout = 1
        partner = self.supplier(NO_DEBT)
        self.sandbox_control.arm_fault("/ksz/", latency_ms=2500)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertRecordValues(check, [{"state": "error", "verdict": "error", "error_code": "timeout", "attempts": 1}])
        self.assertIn("did not answer in time", check.error_message)
        self.assertRecordValues(partner, [{"social_debt_verdict": "error", "social_debt_check_id": check.id}])
        check.with_user(self.checker).action_retry()
        self.assertRecordValues(check, [{"state": "answered", "verdict": "no_debt", "attempts": 2}])
        self.assertEqual(partner.social_debt_verdict, "no_debt")

    def test_a_soap_fault_and_a_refused_signature_are_errors_with_their_reason(self):
        partner = self.supplier(BOTH_DEBTS)
        self.simulate(trusted_certificates=["cd" * 32])
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertRecordValues(check, [{"state": "error", "error_code": "signature_refused"}])
        self.assertIn("wsse:FailedAuthentication", check.raw_answer)
        self.simulate()
        self.sandbox_control.arm_fault("/ksz/", malformed=True)
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.assertEqual(check.error_code, "malformed")
        with self.assertRaisesRegex(UserError, "Only a check in error"):
            self.env["social.debt.service"]._check_partners(partner).with_user(self.checker).action_retry()

    def test_a_company_without_its_own_number_sends_nothing(self):
        self.company.write({"company_registry": False, "social_debt_customer_number": False})
        (check,) = self.env["social.debt.service"]._check_partners(self.supplier(NO_DEBT)).sudo()
        self.assertEqual(check.error_code, "no_customer_number")
        self.assertEqual(self.calls(), [])
        self.company.social_debt_customer_number = OWN_NUMBER
        self.assertEqual(self.company.social_debt_enterprise_number, OWN_NUMBER)
        with self.assertRaises(ValidationError):
            self.company.social_debt_customer_number = "0403019262"

    def test_a_procurement_check_says_so(self):
        partner = self.supplier(NO_DEBT)
        result = partner.with_user(self.checker).action_social_debt_check_procurement()
        self.assertEqual(result["params"]["type"], "success")
        check = partner.sudo().social_debt_check_id
        self.assertRecordValues(check, [{"purpose": "procurement", "legal_context": "Public-Procurement"}])
        self.assertTrue(check.proof_attachment_id.raw.startswith(b"%PDF"))


@tagged("post_install", "-at_install")
class TestValidityInBrusselsDays(SocialDebtCase):
    """A debt answer holds on its own Belgian day; a no-debt answer until the date it states."""

    def test_an_answer_after_midnight_in_brussels_is_of_the_next_day(self):
        partner = self.supplier(BOTH_DEBTS)
        # 23:30 UTC on 10 March 2025 is 00:30 on 11 March in Brussels
        with freeze_time("2025-03-10 23:30:00", tick=True):
            (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
            self.assertEqual(check.answered_at.date(), date(2025, 3, 10))
            self.assertEqual((check.answer_date, check.valid_until), (date(2025, 3, 11), date(2025, 3, 11)))
            self.assertTrue(check.is_valid_today)
            Check = self.env["social.debt.check"]
            self.assertEqual(Check._valid_for(partner, date(2025, 3, 11), self.company), check)
            self.assertFalse(Check._valid_for(partner, date(2025, 3, 10), self.company))
        # 23:30 UTC on 11 March is already 12 March in Brussels: the debt answer no longer holds
        with freeze_time("2025-03-11 23:30:00", tick=True):
            check.invalidate_recordset()
            self.assertFalse(check.is_valid_today)
            self.assertEqual(partner.social_debt_validity, f"Expired on {format_date(self.env, date(2025, 3, 11))}")
        with freeze_time("2025-03-11 22:30:00", tick=True):
            check.invalidate_recordset()
            self.assertTrue(check.is_valid_today)

    def test_a_no_debt_answer_counts_down(self):
        partner = self.supplier(NO_DEBT)
        with freeze_time("2025-06-30 22:15:00", tick=True):  # 1 July 00:15 in Brussels
            (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
            self.assertEqual((check.answer_date, check.valid_until), (date(2025, 7, 1), date(2025, 7, 31)))
            self.assertEqual(partner.social_debt_days_left, 30)
        with freeze_time("2025-07-31 21:59:00", tick=True):  # 23:59 on the last day
            partner.invalidate_recordset()
            until = format_date(self.env, date(2025, 7, 31))
            self.assertEqual(partner.social_debt_validity, f"Valid today only ({until})")
            self.assertEqual(self.env["social.debt.check"]._cron_housekeeping()[0], 0)
        with freeze_time("2025-07-31 22:01:00", tick=True):  # 1 August in Brussels
            partner.invalidate_recordset()
            self.assertEqual(partner.social_debt_days_left, 0)
            self.assertEqual(self.env["social.debt.check"]._cron_housekeeping()[0], 1)
            self.assertEqual(check.state, "expired")
            self.assertEqual(self.env["social.debt.check"]._valid_for(partner, date(2025, 7, 15), self.company), check)


@tagged("post_install", "-at_install")
class TestRetention(SocialDebtCase):
    def test_checks_older_than_the_retention_period_go(self):
        partner = self.supplier(NO_DEBT)
        old = self.env["social.debt.service"]._check_partners(partner).sudo()
        old._ensure_proof()
        proof = old.proof_attachment_id
        new = self.env["social.debt.service"]._check_partners(partner).sudo()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE social_debt_check SET create_date = now() - interval '11 years' WHERE id = %s", (old.id,)
        )
        service = self.env["social.debt.service"]
        old_run, new_run = (
            service._log_run(self.company, "monitor", "done"),
            service._log_run(self.company, "send", "done"),
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE social_debt_run SET create_date = now() - interval '11 years' WHERE id = %s", (old_run.id,)
        )
        self.env["ir.config_parameter"].sudo().set_param("social_debt.check_retention_days", 3653)
        _expired, removed = self.env["social.debt.check"]._cron_housekeeping()
        self.assertFalse(old_run.exists())
        self.assertTrue(new_run.exists())
        self.assertEqual(removed, 1)
        self.assertFalse(old.exists())
        self.assertFalse(proof.exists())
        self.assertTrue(new.exists())
        self.assertEqual(partner.social_debt_check_id, new)


@tagged("post_install", "-at_install")
class TestProof(SocialDebtCase):
    def test_the_proof_states_the_answer_and_is_kept_once(self):
        partner = self.supplier(BOTH_DEBTS, "Betonwerken De Smet NV")
        (check,) = self.env["social.debt.service"]._check_partners(partner).sudo()
        report = self.env.ref("social_debt.action_report_social_debt_check")
        html = report._render_qweb_html(report.report_name, check.ids)[0].decode()
        for text in (
            "Betonwerken De Smet NV",
            "0428.759.497",
            "Social and tax debt",
            check.ticket,
            check.ticket_cbss,
            check.missing_quarters,
            check._raw_digest(),
            "Bouwwerken Gent NV",
        ):
            self.assertIn(text, html)
        action = check.with_user(self.checker).action_download_proof()
        attachment = check.proof_attachment_id
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertIn(f"/web/content/{attachment.id}", action["url"])
        check.with_user(self.checker).action_download_proof()
        self.assertEqual(check.proof_attachment_id, attachment, "printed once")
        self.assertEqual(
            len(self.env["ir.attachment"].search([("res_model", "=", "social.debt.check"), ("res_id", "=", check.id)])),
            1,
        )
