import json
from unittest.mock import patch
from urllib.request import urlopen

from odoo.tests import tagged

from ..models.social_debt_service import LOCK_BATCH, LOCK_MONITOR, SocialDebtService
from .common import BOTH_DEBTS, NO_DATA, NO_DEBT, PAYMENT_PLAN, SocialDebtCase


@tagged("post_install", "-at_install")
class TestGroupedChecks(SocialDebtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.numbers = [NO_DEBT, BOTH_DEBTS, PAYMENT_PLAN, NO_DATA]
        cls.partners = cls.env["res.partner"].browse(
            [
                cls.env["res.partner"]
                .create(
                    {
                        "name": f"Leverancier {number}",
                        "is_company": True,
                        "country_id": cls.env.ref("base.be").id,
                        "company_registry": number,
                        "social_debt_scope": "art30bis",
                    }
                )
                .id
                for number in cls.numbers
            ]
        )

    def service(self):
        return self.env["social.debt.service"].with_company(self.company)

    def sandbox_batches(self):
        with urlopen(f"{self.sandbox_url}/ksz/_simulation", timeout=10) as answer:  # noqa: S310 - loopback URL
            return json.loads(answer.read())["batches"]

    def test_one_message_out_and_the_answers_matched_back(self):
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        self.assertRecordValues(batch, [{"state": "draft", "question_count": 4, "company_id": self.company.id}])
        self.assertEqual(set(batch.check_ids.mapped("state")), {"draft"})
        self.assertTrue(service._send_batch(batch))
        self.assertRecordValues(batch, [{"state": "waiting", "accepted_count": 4}])
        self.assertEqual(set(batch.check_ids.mapped("state")), {"waiting"})
        self.assertEqual(len(self.calls()), 1, "one grouped message for every supplier")
        self.assertEqual(service._collect_batch(batch), "done")
        self.assertRecordValues(batch, [{"state": "done", "answered_count": 4, "unmatched_count": 0}])
        verdicts = {check.enterprise_number: check.verdict for check in batch.check_ids}
        self.assertEqual(
            verdicts,
            {NO_DEBT: "no_debt", BOTH_DEBTS: "social_tax_debt", PAYMENT_PLAN: "social_debt", NO_DATA: "no_data"},
        )
        self.assertEqual(set(batch.check_ids.mapped("mode")), {"async"})
        self.assertEqual(self.partners.mapped("social_debt_verdict"), [verdicts[n] for n in self.numbers])
        self.assertEqual(len(self.calls()), 2)
        # a second grouped check of the same suppliers is a new question, while one is under way none is
        again = service._create_batch(self.partners, company=self.company)
        self.assertEqual(again.sudo().question_count, 4)
        self.assertIsNone(service._create_batch(self.partners, company=self.company))

    def test_answers_come_later(self):
        self.simulate(async_delay_seconds=3600)
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        service._send_batch(batch)
        self.assertEqual(service._collect_batch(batch), "not_ready")
        self.assertEqual(set(batch.check_ids.mapped("state")), {"waiting"})
        self.simulate(reset=False, async_delay_seconds=0)
        self.assertEqual(service._collect_batch(batch), "done")
        self.assertEqual(set(batch.check_ids.mapped("state")), {"answered"})

    def test_sending_again_after_a_crash_gets_the_same_acknowledgement(self):
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            with patch.object(SocialDebtService, "_log_run", side_effect=RuntimeError("crash after the send")):
                service._send_batch(batch)
        batch.invalidate_recordset()
        self.assertEqual(batch.state, "draft")
        self.assertTrue(service._send_batch(batch))
        self.assertEqual(len(self.calls()), 2, "the message went out twice")
        self.assertEqual(self.sandbox_batches(), 1, "the KSZ kept one batch")
        self.assertEqual(batch.accepted_count, 4)

    def test_interrupted_collection_resumes_without_duplicates_or_losses(self):
        self.simulate(page_limit=1)
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        service._send_batch(batch)
        self.assertEqual(service._collect_batch(batch, max_pages=2), "more")
        self.assertEqual((batch.next_offset, batch.answered_count), (2, 2))
        real = SocialDebtService._apply_page
        pages = []

        def crash_on_second_page(this, batch, answers):
            pages.append(len(answers))
            if len(pages) == 2:
                raise RuntimeError("the worker died")
            return real(this, batch, answers)

        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            with patch.object(SocialDebtService, "_apply_page", crash_on_second_page):
                service._collect_batch(batch)
        batch.invalidate_recordset()
        self.assertEqual(batch.next_offset, 2, "the crashed page was not counted")
        self.assertEqual(service._collect_batch(batch), "done")
        self.assertRecordValues(batch, [{"state": "done", "answered_count": 4, "next_offset": 4}])
        checks = self.env["social.debt.check"].sudo().search([("batch_id", "=", batch.id)])
        self.assertEqual(len(checks), 4)
        self.assertEqual(set(checks.mapped("state")), {"answered"})
        self.assertEqual(sorted(checks.mapped("enterprise_number")), sorted(self.numbers))

    def test_answers_nobody_asked_for_are_kept_and_flagged(self):
        self.simulate(stray_answers=2)
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        service._send_batch(batch)
        self.assertEqual(service._collect_batch(batch), "done")
        strays = batch.check_ids.filtered("unmatched")
        self.assertEqual(len(strays), 2)
        self.assertRecordValues(batch, [{"unmatched_count": 2, "answered_count": 4}])
        self.assertFalse(strays.partner_id)
        self.assertEqual(set(strays.mapped("state")), {"answered"})
        self.assertTrue(all("<reference>stray-" in raw for raw in strays.mapped("raw_answer")))

    def test_a_second_run_at_once_is_skipped(self):
        """Two workers at once: the second sees the first's advisory lock (another database
        connection holds it) and logs a skipped run, for a batch and for a company's monitoring."""
        service = self.service()
        with patch.object(SocialDebtService, "_lock", return_value=True):  # this transaction must not hold it
            batch = service._create_batch(self.partners, company=self.company).sudo()
            service._send_batch(batch)
        with self.registry.cursor() as other:
            other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_BATCH, batch.id))
            self.assertTrue(other.fetchone()[0])
            other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_MONITOR, self.company_2.id))
            self.assertTrue(other.fetchone()[0])
            self.assertEqual(service._collect_batch(batch), "skipped")
            self.assertIsNone(service._monitor_company(self.company_2))
            other.rollback()
        runs = self.env["social.debt.run"].sudo().search([("batch_id", "=", batch.id), ("job", "=", "collect")])
        self.assertEqual(runs.mapped("state"), ["skipped"])
        skipped = self.env["social.debt.run"].sudo().search([("company_id", "=", self.company_2.id)])
        self.assertEqual(skipped.mapped("job"), ["monitor"])
        self.assertEqual(skipped.mapped("state"), ["skipped"])
        self.assertEqual(set(batch.check_ids.mapped("state")), {"waiting"})
        self.assertEqual(service._collect_batch(batch), "done")

    def test_refused_signature_fails_the_batch_with_its_reason(self):
        self.simulate(trusted_certificates=["00" * 32])
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        self.assertFalse(service._send_batch(batch))
        self.assertRecordValues(batch, [{"state": "error", "error_code": "signature_refused"}])
        self.assertEqual(set(batch.check_ids.mapped("state")), {"error"})
        self.assertIn("refused the signature", batch.check_ids[0].error_message)
        self.simulate()
        batch.with_user(self.checker).action_retry()
        self.assertEqual(batch.state, "draft")
        self.assertTrue(service._send_batch(batch))
        self.assertEqual(service._collect_batch(batch), "done")
        self.assertEqual(set(batch.check_ids.mapped("state")), {"answered"})

    def test_transient_faults_are_retried_a_bounded_number_of_times(self):
        self.sandbox_control.arm_fault("/ksz/", count=None, status=503)
        service = self.service()
        batch = service._create_batch(self.partners, company=self.company).sudo()
        for _attempt in range(2):  # tried again by the next runs...
            self.assertFalse(service._send_batch(batch))
            self.assertEqual((batch.state, batch.error_code), ("draft", "http_503"))
        self.assertFalse(service._send_batch(batch))  # ...three times in all
        self.assertRecordValues(batch, [{"state": "error", "error_code": "http_503", "attempts": 3}])
        runs = self.env["social.debt.run"].sudo().search([("batch_id", "=", batch.id)])
        self.assertEqual(runs.mapped("state"), ["error"] * 3)
        self.assertEqual(set(batch.check_ids.mapped("error_code")), {"http_503"})
